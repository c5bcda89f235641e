/* ag-wire-trace.c: one debug line per WebSocket frame, tokens redacted */

#include "ag-wire-trace.h"

#include <string.h>

#define TRACE_MAX_BYTES 1024

GString *
ag_wire_redact_tokens (const char *data,
                       gsize       length)
{
  static const char key[] = "\"token\"";
  GString *out = g_string_sized_new (length + 16);
  const char *end = data + length;
  const char *p = data;

  while (p < end) {
    const char *hit = g_strstr_len (p, end - p, key);
    const char *q;

    if (hit == NULL) {
      g_string_append_len (out, p, end - p);
      break;
    }

    q = hit + strlen (key);
    while (q < end && g_ascii_isspace (*q))
      q++;
    if (q < end && *q == ':')
      q++;
    while (q < end && g_ascii_isspace (*q))
      q++;

    if (q < end && *q == '"') {
      g_string_append_len (out, p, q + 1 - p);
      g_string_append (out, "[redacted]");
      for (q++; q < end && *q != '"'; q++) {
        if (*q == '\\' && q + 1 < end)
          q++;
      }
    } else {
      g_string_append_len (out, p, q - p);
    }

    p = q;
  }

  return out;
}

void
ag_wire_trace (guint64     conn_id,
               const char *direction,
               const char *data,
                       gsize       length)
{
  g_autoptr(GString) text = NULL;
  const char *valid_end;

  /* Cut long frames at a character boundary. */
  g_utf8_validate_len (data, MIN (length, TRACE_MAX_BYTES), &valid_end);
  text = ag_wire_redact_tokens (data, valid_end - data);

  g_debug ("%s %" G_GUINT64_FORMAT " %s%s", direction, conn_id, text->str,
           (gsize) (valid_end - data) < length ? " [truncated]" : "");
}
