/* ag-transport.h: one WebSocket to agsignald, with request ids, replies, timeouts, keepalive
 * and reconnection. Private to the library.
 *
 * The transport knows frames, not semantics: the session above it decides what to send after
 * a (re)connection and when queued requests may go out (ag_transport_set_ready).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ag-frame.h"

G_BEGIN_DECLS

#define AG_TYPE_TRANSPORT (_ag_transport_get_type ())

G_DECLARE_FINAL_TYPE (AgTransport, _ag_transport, AG, TRANSPORT, GObject)

typedef enum {
  AG_TRANSPORT_CLOSED,
  AG_TRANSPORT_CONNECTING,
  AG_TRANSPORT_OPEN,
  AG_TRANSPORT_WAITING,    /* lost, the next reconnection attempt is scheduled */
} AgTransportState;

AgTransport      *_ag_transport_new                 (SoupSession          *soup,
                                                     const char           *uri,
                                                     const char           *log_name);

AgTransportState  _ag_transport_get_state           (AgTransport          *self);
void              _ag_transport_set_do_log          (AgTransport          *self,
                                                     gboolean              do_log);
void              _ag_transport_set_request_timeout (AgTransport          *self,
                                                     guint                 timeout_ms);
void              _ag_transport_set_keepalive       (AgTransport          *self,
                                                     guint                 interval_ms);
void              _ag_transport_set_reconnect       (AgTransport          *self,
                                                     gboolean              reconnect);

/* Opens the WebSocket: "opened" (FALSE) or "open-failed" follows. */
void              _ag_transport_open                (AgTransport          *self);
/* Marks the connection as reusable after a loss: from now on a lost connection schedules
 * reconnection attempts ("reconnecting", then "opened" (TRUE)) when reconnect is on. */
void              _ag_transport_set_established     (AgTransport          *self,
                                                     gboolean              established);
/* Drops the current connection as lost (a re-login or re-join without an answer). */
void              _ag_transport_drop                (AgTransport          *self);
/* Closes for good: no reconnection, every request still waiting fails with lost codes. */
void              _ag_transport_close               (AgTransport          *self);

/* Queued requests are held until the session says the connection is logged in (and the
 * channel re-joined); priority requests (login, re-join) bypass the queue. */
void              _ag_transport_set_ready           (AgTransport          *self,
                                                     gboolean              ready);

/* Sends frame (the transport takes it and sets its id). Completes with the reply frame on
 * "ok", or an AG_ERROR carrying the reply's code, the op's timeout code when no reply came in
 * time, or the op's lost-connection code. */
void              _ag_transport_request_async       (AgTransport          *self,
                                                     AgFrame              *frame,
                                                     gboolean              priority,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
AgFrame          *_ag_transport_request_finish      (AgTransport          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Fails every queued (unsent) request with code, or with its op's lost-connection code when
 * code is 0. */
void              _ag_transport_fail_queued         (AgTransport          *self,
                                                     int                   code);

/* The codes a request of op fails with when its reply does not come in time, or when the
 * connection is lost before it comes. */
int               _ag_transport_timeout_code        (AgOp                  op);
int               _ag_transport_lost_code           (AgOp                  op);

G_END_DECLS
