/* ag-wire-trace.h: one debug line per WebSocket frame, secrets redacted */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The check keeps the redaction off the hot path when debug output is off. */
#define AG_WIRE_TRACE(conn_id, direction, data, length)                          \
  G_STMT_START {                                                                 \
    if (G_UNLIKELY (ag_wire_trace_enabled ()))                                   \
      ag_wire_trace ((conn_id), (direction), (data), (length));                  \
  } G_STMT_END

/* Whether debug output of this log domain is on, decided once: by the first call, or by
 * ag_wire_trace_init() at start-up once G_MESSAGES_DEBUG is final. */
gboolean ag_wire_trace_enabled  (void);
void     ag_wire_trace_init     (void);

void     ag_wire_trace          (guint64     conn_id,
                                 const char *direction,
                                 const char *data,
                                 gsize       length);

/* The frame as compact JSON with the value of every "token" and "key" member, at any depth,
 * replaced by "[redacted]"; "[not JSON, N bytes]" for what does not parse. */
GString *ag_wire_redact         (const char *data,
                                 gsize       length);

G_END_DECLS
