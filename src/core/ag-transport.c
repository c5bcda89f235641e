/* ag-transport.c: one WebSocket to agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-error.h"
#include "ag-limits.h"
#include "ag-marshal.h"
#include "ag-transport.h"

/* Reconnection delays: the first attempt comes within RECONNECT_BASE_MS, each later one waits
 * up to twice as long, never more than RECONNECT_CAP_MS. The actual delay is drawn from the
 * upper half of that window so that many clients cut by the same outage do not come back in
 * lockstep. */
#define RECONNECT_BASE_MS 250
#define RECONNECT_CAP_MS  5000

/* The server limits what it accepts to AG_LIMIT_FRAME_BYTES but may send more: a join reply
 * carries up to 200 members and every channel attribute. */
#define MAX_INCOMING_BYTES (64 * 1024 * 1024)

struct _AgTransport {
  GObject                  parent_instance;

  SoupSession             *soup;
  char                    *uri;
  char                    *log_name;

  AgTransportState         state;
  SoupWebsocketConnection *ws;
  GCancellable            *connect_cancellable;
  guint                    connect_timeout_source;
  gulong                   message_handler;
  gulong                   closed_handler;
  gulong                   closing_handler;
  gulong                   error_handler;

  gint64                   next_id;
  GHashTable              *in_flight;       /* id -> Request, sent and waiting for a reply */
  GQueue                   queued;          /* Request, not sent yet */

  guint                    request_timeout_ms;
  guint                    keepalive_ms;
  guint                    keepalive_source;
  gboolean                 keepalive_waiting;
  GCancellable            *keepalive_cancellable;

  guint                    reconnect_attempt;
  guint                    reconnect_source;

  guint                    ws_dispatch_depth;

  guint                    do_log : 1;
  guint                    shutdown : 1;
  guint                    reconnect : 1;
  guint                    established : 1;
  guint                    ready : 1;
};

G_DEFINE_FINAL_TYPE (AgTransport, _ag_transport, G_TYPE_OBJECT)

enum {
  SIGNAL_OPENED,
  SIGNAL_OPEN_FAILED,
  SIGNAL_LOST,
  SIGNAL_RECONNECTING,
  SIGNAL_EVENT,
  SIGNAL_PROTOCOL_ERROR,
  SIGNAL_FRAME,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  AgTransport  *transport;      /* unowned: requests never outlive the transport's tables */
  GTask        *task;
  AgFrame      *frame;          /* until sent */
  gint64        id;
  AgOp          op;
  guint         timeout_source;
  gulong        cancelled_handler;
  gboolean      queued;
} Request;

static void start_connect (AgTransport *self);
static void handle_message (AgTransport *self,
                            int          type,
                            const char  *data,
                            gsize        length);
static void connection_lost (AgTransport *self,
                             const char  *why);

static void
trace_frame (AgTransport *self,
             const char  *direction,
             const char  *data,
             gsize        length)
{
  if (self->do_log)
    g_debug ("%s %s %.*s", self->log_name, direction, (int) MIN (length, G_MAXINT), data);

  /* Only encoded as a string for a frame tap that listens. */
  if (g_signal_has_handler_pending (self, signals[SIGNAL_FRAME], 0, FALSE)) {
    g_autofree char *text = g_strndup (data, length);

    g_signal_emit (self, signals[SIGNAL_FRAME], 0, direction[0] == '>', text);
  }
}

static gboolean
tracing (AgTransport *self)
{
  return self->do_log || g_signal_has_handler_pending (self, signals[SIGNAL_FRAME], 0, FALSE);
}

int
_ag_transport_timeout_code (AgOp op)
{
  switch (op) {
  case AG_OP_LOGIN:
    return AG_ERROR_LOGIN_E_NET;
  case AG_OP_MSG_SEND:
  case AG_OP_CHANNEL_SEND:
  case AG_OP_CALL_MSG:
    return AG_ERROR_SENDMESSAGE_E_TIMEOUT;
  case AG_OP_CHANNEL_QUERY_NUM:
    return AG_ERROR_QUERYUSERNUM_E_TIMEOUT;
  case AG_OP_CHANNEL_JOIN:
    return AG_ERROR_JOINCHANNEL_E_OTHER;
  case AG_OP_CALL_INVITE:
  case AG_OP_CALL_ACCEPT:
  case AG_OP_CALL_REFUSE:
  case AG_OP_CALL_END:
    return AG_ERROR_INVITE_E_NET;
  default:
    return AG_ERROR_GENERAL_E_FAILED;
  }
}

int
_ag_transport_lost_code (AgOp op)
{
  switch (op) {
  case AG_OP_LOGIN:
    return AG_ERROR_LOGIN_E_NET;
  case AG_OP_MSG_SEND:
  case AG_OP_CHANNEL_SEND:
  case AG_OP_CALL_MSG:
    return AG_ERROR_SENDMESSAGE_E_OTHER;
  case AG_OP_CHANNEL_QUERY_NUM:
    return AG_ERROR_QUERYUSERNUM_E_OTHER;
  case AG_OP_CHANNEL_JOIN:
    return AG_ERROR_JOINCHANNEL_E_OTHER;
  case AG_OP_CALL_INVITE:
  case AG_OP_CALL_ACCEPT:
  case AG_OP_CALL_REFUSE:
  case AG_OP_CALL_END:
    return AG_ERROR_INVITE_E_NET;
  default:
    return AG_ERROR_GENERAL_E_FAILED;
  }
}

static void
request_free (Request *request)
{
  g_clear_pointer (&request->frame, ag_frame_free);
  g_clear_object (&request->task);
  g_free (request);
}

/* Takes the request out of whichever table holds it and completes its task with reply or
 * error (exactly one of them). */
static void
request_complete (Request *request,
                  AgFrame *reply,
                  GError  *error)
{
  AgTransport *self = request->transport;
  g_autoptr(GTask) task = g_steal_pointer (&request->task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (request->queued)
    g_queue_remove (&self->queued, request);
  else
    g_hash_table_steal (self->in_flight, &request->id);

  g_clear_handle_id (&request->timeout_source, g_source_remove);
  if (request->cancelled_handler != 0)
    g_signal_handler_disconnect (cancellable, request->cancelled_handler);
  request->cancelled_handler = 0;
  request_free (request);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) ag_frame_free);
}

static void
request_fail (Request    *request,
              int         code,
              const char *reason)
{
  request_complete (request, NULL, g_error_new_literal (AG_ERROR, code, reason));
}

static gboolean
request_timeout_cb (gpointer user_data)
{
  Request *request = user_data;

  request->timeout_source = 0;
  request_fail (request, _ag_transport_timeout_code (request->op), "No reply in time");

  return G_SOURCE_REMOVE;
}

static void
request_cancelled_cb (GCancellable *cancellable,
                      Request      *request)
{
  request_complete (request, NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "Operation was cancelled"));
}

static void
request_send (AgTransport *self,
              Request     *request)
{
  g_autoptr(AgFrame) frame = g_steal_pointer (&request->frame);
  g_autoptr(GBytes) bytes = NULL;

  g_assert (self->state == AG_TRANSPORT_OPEN);

  bytes = ag_frame_encode (frame);

  if (tracing (self)) {
    if (frame->token != NULL) {
      /* Tokens are credentials: the trace shows that one was sent, never what it was. */
      g_autofree char *token = g_steal_pointer (&frame->token);
      g_autoptr(GBytes) redacted = NULL;

      frame->token = g_strdup ("<redacted>");
      redacted = ag_frame_encode (frame);
      trace_frame (self, ">", g_bytes_get_data (redacted, NULL), g_bytes_get_size (redacted));
    } else {
      trace_frame (self, ">", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  }

  request->queued = FALSE;
  g_hash_table_insert (self->in_flight, &request->id, request);

  if (soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN) {
    connection_lost (self, "The connection is closing");
    return;
  }

  soup_websocket_connection_send_message (self->ws, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
flush_queued (AgTransport *self)
{
  while (self->ready && self->state == AG_TRANSPORT_OPEN && !g_queue_is_empty (&self->queued)) {
    Request *request = g_queue_pop_head (&self->queued);

    request_send (self, request);
  }
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 id_a = *(const gint64 *) a;
  gint64 id_b = *(const gint64 *) b;

  return id_a < id_b ? -1 : id_a > id_b;
}

static void
fail_in_flight (AgTransport *self,
                const char  *reason)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  Request *request;

  g_hash_table_iter_init (&iter, self->in_flight);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &request))
    g_array_append_val (ids, request->id);

  /* Oldest first, so callers see failures in the order they asked. A failure's callback may
   * complete other requests, so each one is looked up again. */
  g_array_sort (ids, compare_ids);
  for (guint i = 0; i < ids->len; i++) {
    request = g_hash_table_lookup (self->in_flight, &g_array_index (ids, gint64, i));
    if (request != NULL)
      request_fail (request, _ag_transport_lost_code (request->op), reason);
  }
}

void
_ag_transport_fail_queued (AgTransport *self,
                           int          code)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  while (!g_queue_is_empty (&self->queued)) {
    Request *request = g_queue_peek_head (&self->queued);

    request_fail (request, code != 0 ? code : _ag_transport_lost_code (request->op),
                  code == AG_ERROR_GENERAL_E_NOT_LOGIN ? "Not logged in" : "Connection lost");
  }
}

static void
keepalive_stop (AgTransport *self)
{
  g_clear_handle_id (&self->keepalive_source, g_source_remove);
  g_cancellable_cancel (self->keepalive_cancellable);
  g_clear_object (&self->keepalive_cancellable);
  self->keepalive_waiting = FALSE;
}

static void
keepalive_ping_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AgTransport *self = AG_TRANSPORT (object);
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = _ag_transport_request_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->keepalive_waiting = FALSE;

  /* A ping without an answer in time means the path to the server is gone even though the
   * socket looks open (a dead NAT entry, a stalled peer): treat it as a lost connection. */
  if (error != NULL && error->domain == AG_ERROR &&
      error->code == _ag_transport_timeout_code (AG_OP_PING) &&
      self->state == AG_TRANSPORT_OPEN)
    connection_lost (self, "Keepalive ping timed out");
}

static gboolean
keepalive_tick_cb (gpointer user_data)
{
  AgTransport *self = user_data;

  if (self->state != AG_TRANSPORT_OPEN || !self->ready || self->keepalive_waiting)
    return G_SOURCE_CONTINUE;

  self->keepalive_waiting = TRUE;
  if (self->keepalive_cancellable == NULL)
    self->keepalive_cancellable = g_cancellable_new ();
  _ag_transport_request_async (self, ag_frame_new (AG_OP_PING), TRUE,
                               self->keepalive_cancellable, keepalive_ping_cb, NULL);

  return G_SOURCE_CONTINUE;
}

static void
keepalive_start (AgTransport *self)
{
  keepalive_stop (self);

  if (self->keepalive_ms == 0 || self->state != AG_TRANSPORT_OPEN)
    return;

  self->keepalive_source = g_timeout_add (self->keepalive_ms, keepalive_tick_cb, self);
}

static gboolean
unref_later_cb (gpointer user_data)
{
  g_object_unref (user_data);

  return G_SOURCE_REMOVE;
}

static void
disconnect_ws (AgTransport *self,
               gushort      code)
{
  SoupWebsocketConnection *ws = g_steal_pointer (&self->ws);

  if (ws == NULL)
    return;

  g_clear_signal_handler (&self->message_handler, ws);
  g_clear_signal_handler (&self->closed_handler, ws);
  g_clear_signal_handler (&self->closing_handler, ws);
  g_clear_signal_handler (&self->error_handler, ws);

  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, code, NULL);

  /* Inside one of its own signal emissions the connection still runs code after our handler
   * returns, so the last reference must not go away before that. */
  if (self->ws_dispatch_depth > 0)
    g_idle_add_full (G_PRIORITY_HIGH, unref_later_cb, ws, NULL);
  else
    g_object_unref (ws);
}

static guint
reconnect_delay_ms (guint attempt)
{
  guint window = RECONNECT_BASE_MS;

  for (guint i = 1; i < attempt && window < RECONNECT_CAP_MS; i++)
    window *= 2;
  window = MIN (window, RECONNECT_CAP_MS);

  return window / 2 + g_random_int_range (0, window / 2 + 1);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  AgTransport *self = user_data;

  self->reconnect_source = 0;
  start_connect (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (AgTransport *self)
{
  guint delay;

  self->state = AG_TRANSPORT_WAITING;
  self->reconnect_attempt++;
  delay = reconnect_delay_ms (self->reconnect_attempt);

  g_debug ("%s: reconnection attempt %u in %u ms", self->log_name, self->reconnect_attempt,
           delay);

  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->reconnect_source = g_timeout_add (delay, reconnect_cb, self);

  g_signal_emit (self, signals[SIGNAL_RECONNECTING], 0, self->reconnect_attempt);
}

static void
connection_lost (AgTransport *self,
                 const char  *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) guard = g_object_ref (G_OBJECT (self));

  if (self->state == AG_TRANSPORT_CLOSED || self->state == AG_TRANSPORT_WAITING)
    return;

  g_debug ("%s: connection lost: %s", self->log_name, why);

  keepalive_stop (self);
  disconnect_ws (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  self->ready = FALSE;
  self->state = AG_TRANSPORT_CLOSED;

  /* Requests on the wire may or may not have reached the server: fail them rather than risk
   * doing them twice. Queued ones wait for the next connection. */
  fail_in_flight (self, "Connection lost");

  /* A failed request's callback may have closed or reopened the transport. */
  if (self->shutdown || self->state != AG_TRANSPORT_CLOSED)
    return;

  if (self->established && self->reconnect) {
    schedule_reconnect (self);
    return;
  }

  _ag_transport_fail_queued (self, 0);
  error = g_error_new_literal (AG_ERROR, AG_ERROR_LOGOUT_E_NET, why);
  g_signal_emit (self, signals[SIGNAL_LOST], 0, error);
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               gpointer                 user_data)
{
  AgTransport *self = user_data;
  g_autoptr(GObject) guard = g_object_ref (G_OBJECT (self));
  const char *data;
  gsize length;

  data = g_bytes_get_data (message, &length);
  trace_frame (self, "<", data, length);

  self->ws_dispatch_depth++;
  handle_message (self, type, data, length);
  self->ws_dispatch_depth--;
}

static void
handle_message (AgTransport *self,
                int          type,
                const char  *data,
                gsize        length)
{
  g_autoptr(AgFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_signal_emit (self, signals[SIGNAL_PROTOCOL_ERROR], 0, AG_ERROR_PROTO_E_MALFORMED,
                   "The server sent a binary frame");
    return;
  }

  frame = ag_frame_decode (data, length, AG_FRAME_FROM_SERVER, &id, &error);
  if (frame == NULL) {
    Request *request = id > 0 ? g_hash_table_lookup (self->in_flight, &id) : NULL;

    /* A reply we cannot read still answers its request: fail that one rather than let it
     * wait for its timeout. */
    if (request != NULL)
      request_fail (request, error->code, error->message);
    else
      g_signal_emit (self, signals[SIGNAL_PROTOCOL_ERROR], 0, error->code, error->message);
    return;
  }

  if (frame->op == AG_OP_OK || frame->op == AG_OP_ERROR) {
    Request *request = g_hash_table_lookup (self->in_flight, &frame->id);

    if (request == NULL) {
      if (frame->op == AG_OP_ERROR)
        g_signal_emit (self, signals[SIGNAL_PROTOCOL_ERROR], 0, frame->code,
                       frame->reason != NULL ? frame->reason : "");
      else
        g_debug ("%s: reply to unknown request %" G_GINT64_FORMAT, self->log_name,
                 frame->id);
      return;
    }

    if (frame->op == AG_OP_OK)
      request_complete (request, g_steal_pointer (&frame), NULL);
    else
      request_fail (request, frame->code,
                    frame->reason != NULL ? frame->reason : ag_error_code_describe (frame->code));
    return;
  }

  if (ag_op_is_event (frame->op)) {
    g_signal_emit (self, signals[SIGNAL_EVENT], 0, frame);
    return;
  }

  g_signal_emit (self, signals[SIGNAL_PROTOCOL_ERROR], 0, AG_ERROR_PROTO_E_UNKNOWN_OP,
                 "The server sent a request frame");
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  AgTransport *self = user_data;
  g_autoptr(GObject) guard = g_object_ref (G_OBJECT (self));
  g_autofree char *why = NULL;

  why = g_strdup_printf ("Closed by the server (%u)",
                         soup_websocket_connection_get_close_code (ws));
  self->ws_dispatch_depth++;
  connection_lost (self, why);
  self->ws_dispatch_depth--;
}

/* The peer started the closing handshake: nothing can be sent any more, so the connection
 * counts as lost now rather than when the handshake ends. */
static void
ws_closing_cb (SoupWebsocketConnection *ws,
               gpointer                 user_data)
{
  AgTransport *self = user_data;
  g_autoptr(GObject) guard = g_object_ref (G_OBJECT (self));

  self->ws_dispatch_depth++;
  connection_lost (self, "Closed by the server");
  self->ws_dispatch_depth--;
}

static void
ws_error_cb (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  AgTransport *self = user_data;

  g_debug ("%s: WebSocket error: %s", self->log_name, error->message);
}

static void
connect_failed (AgTransport  *self,
                const GError *error)
{
  g_debug ("%s: connecting to %s failed: %s", self->log_name, self->uri, error->message);

  if (self->established && self->reconnect) {
    schedule_reconnect (self);
    return;
  }

  self->state = AG_TRANSPORT_CLOSED;
  _ag_transport_fail_queued (self, 0);
  g_signal_emit (self, signals[SIGNAL_OPEN_FAILED], 0, error);
}

/* A server that accepts TCP connections but never answers the handshake (a stopped process,
 * a black hole) must not hold a login or a reconnection forever. */
static gboolean
connect_timeout_cb (gpointer user_data)
{
  AgTransport *self = user_data;
  g_autoptr(GError) error = NULL;

  self->connect_timeout_source = 0;

  /* The cancelled attempt's callback does nothing; the failure is handled here. */
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);

  error = g_error_new_literal (AG_ERROR, AG_ERROR_LOGIN_E_NET, "Connecting timed out");
  connect_failed (self, error);

  return G_SOURCE_REMOVE;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AgTransport *self;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reconnected;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = AG_TRANSPORT (user_data);
  g_clear_object (&self->connect_cancellable);
  g_clear_handle_id (&self->connect_timeout_source, g_source_remove);

  if (ws != NULL && g_strcmp0 (soup_websocket_connection_get_protocol (ws), AG_SUBPROTOCOL) != 0) {
    g_clear_object (&ws);
    error = g_error_new (AG_ERROR, AG_ERROR_LOGIN_E_NET,
                         "The server does not speak %s", AG_SUBPROTOCOL);
  }

  if (ws == NULL) {
    connect_failed (self, error);
    return;
  }

  self->ws = g_steal_pointer (&ws);
  self->state = AG_TRANSPORT_OPEN;
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, MAX_INCOMING_BYTES);
  self->message_handler = g_signal_connect (self->ws, "message",
                                            G_CALLBACK (ws_message_cb), self);
  self->closed_handler = g_signal_connect (self->ws, "closed",
                                           G_CALLBACK (ws_closed_cb), self);
  self->closing_handler = g_signal_connect (self->ws, "closing",
                                            G_CALLBACK (ws_closing_cb), self);
  self->error_handler = g_signal_connect (self->ws, "error",
                                          G_CALLBACK (ws_error_cb), self);

  keepalive_start (self);

  reconnected = self->reconnect_attempt > 0;
  g_debug ("%s: connected to %s%s", self->log_name, self->uri,
           reconnected ? " again" : "");
  g_signal_emit (self, signals[SIGNAL_OPENED], 0, reconnected);
}

static void
start_connect (AgTransport *self)
{
  static const char *protocols[] = { AG_SUBPROTOCOL, NULL };
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;

  self->state = AG_TRANSPORT_CONNECTING;

  uri = g_uri_parse (self->uri, G_URI_FLAGS_ENCODED, &error);
  if (uri != NULL)
    message = soup_message_new_from_uri (SOUP_METHOD_GET, uri);

  if (message == NULL) {
    g_autoptr(GError) open_error = NULL;

    open_error = g_error_new (AG_ERROR, AG_ERROR_LOGIN_E_NET, "Invalid server URI %s",
                              self->uri);
    self->state = AG_TRANSPORT_CLOSED;
    _ag_transport_fail_queued (self, 0);
    g_signal_emit (self, signals[SIGNAL_OPEN_FAILED], 0, open_error);
    return;
  }

  g_clear_object (&self->connect_cancellable);
  self->connect_cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->connect_timeout_source, g_source_remove);
  self->connect_timeout_source = g_timeout_add (self->request_timeout_ms, connect_timeout_cb, self);
  soup_session_websocket_connect_async (self->soup, message, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, self->connect_cancellable,
                                        connect_cb, self);
}

static void
_ag_transport_dispose (GObject *object)
{
  AgTransport *self = AG_TRANSPORT (object);

  _ag_transport_close (self);

  g_clear_object (&self->soup);

  G_OBJECT_CLASS (_ag_transport_parent_class)->dispose (object);
}

static void
_ag_transport_finalize (GObject *object)
{
  AgTransport *self = AG_TRANSPORT (object);

  g_assert (g_hash_table_size (self->in_flight) == 0);
  g_assert (g_queue_is_empty (&self->queued));

  g_hash_table_unref (self->in_flight);
  g_free (self->uri);
  g_free (self->log_name);

  G_OBJECT_CLASS (_ag_transport_parent_class)->finalize (object);
}

static void
_ag_transport_class_init (AgTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = _ag_transport_dispose;
  object_class->finalize = _ag_transport_finalize;

  /* The WebSocket is open; reconnected tells a first connection from a later one. */
  signals[SIGNAL_OPENED] =
    g_signal_new ("opened",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__BOOLEAN,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  g_signal_set_va_marshaller (signals[SIGNAL_OPENED], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__BOOLEANv);

  /* The first connection could not be made. */
  signals[SIGNAL_OPEN_FAILED] =
    g_signal_new ("open-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_set_va_marshaller (signals[SIGNAL_OPEN_FAILED], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__BOXEDv);

  /* The connection is gone and no reconnection will be attempted. */
  signals[SIGNAL_LOST] =
    g_signal_new ("lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_set_va_marshaller (signals[SIGNAL_LOST], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__BOXEDv);

  signals[SIGNAL_RECONNECTING] =
    g_signal_new ("reconnecting",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__UINT,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  g_signal_set_va_marshaller (signals[SIGNAL_RECONNECTING], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__UINTv);

  /* A server event, as a const AgFrame *. */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__POINTER,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  g_signal_set_va_marshaller (signals[SIGNAL_EVENT], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__POINTERv);

  /* An error frame that answers no request, or a frame that could not be read. */
  /* A frame sent (TRUE) or received, for AgFrameTap; tokens redacted. */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__BOOLEAN_STRING,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_FRAME], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__BOOLEAN_STRINGv);

  signals[SIGNAL_PROTOCOL_ERROR] =
    g_signal_new ("protocol-error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  _ag_marshal_VOID__INT_STRING,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_PROTOCOL_ERROR], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__INT_STRINGv);
}

static void
_ag_transport_init (AgTransport *self)
{
  self->in_flight = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_queue_init (&self->queued);
  self->request_timeout_ms = 10000;
  self->next_id = 1;
  self->reconnect = TRUE;
}

AgTransport *
_ag_transport_new (SoupSession *soup,
                   const char  *uri,
                   const char  *log_name)
{
  AgTransport *self;

  g_return_val_if_fail (SOUP_IS_SESSION (soup), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  self = g_object_new (AG_TYPE_TRANSPORT, NULL);
  self->soup = g_object_ref (soup);
  self->uri = g_strdup (uri);
  self->log_name = g_strdup (log_name != NULL ? log_name : "agsignal");

  return self;
}

AgTransportState
_ag_transport_get_state (AgTransport *self)
{
  g_return_val_if_fail (AG_IS_TRANSPORT (self), AG_TRANSPORT_CLOSED);

  return self->state;
}

void
_ag_transport_set_do_log (AgTransport *self,
                          gboolean     do_log)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  self->do_log = !!do_log;
}

void
_ag_transport_set_request_timeout (AgTransport *self,
                                   guint        timeout_ms)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  self->request_timeout_ms = MAX (timeout_ms, 1);
}

void
_ag_transport_set_keepalive (AgTransport *self,
                             guint        interval_ms)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  if (self->keepalive_ms == interval_ms)
    return;

  self->keepalive_ms = interval_ms;
  if (self->state == AG_TRANSPORT_OPEN)
    keepalive_start (self);
}

void
_ag_transport_set_reconnect (AgTransport *self,
                             gboolean     reconnect)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  self->reconnect = !!reconnect;
}

void
_ag_transport_open (AgTransport *self)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));
  g_return_if_fail (self->state == AG_TRANSPORT_CLOSED);

  self->reconnect_attempt = 0;
  self->shutdown = FALSE;
  start_connect (self);
}

void
_ag_transport_set_established (AgTransport *self,
                               gboolean     established)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  self->established = !!established;
}

void
_ag_transport_drop (AgTransport *self)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  if (self->state == AG_TRANSPORT_OPEN)
    connection_lost (self, "Dropped");
}

void
_ag_transport_close (AgTransport *self)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  self->shutdown = TRUE;
  self->established = FALSE;
  self->ready = FALSE;
  keepalive_stop (self);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->connect_timeout_source, g_source_remove);
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  disconnect_ws (self, SOUP_WEBSOCKET_CLOSE_NORMAL);
  self->state = AG_TRANSPORT_CLOSED;

  fail_in_flight (self, "Connection closed");
  _ag_transport_fail_queued (self, 0);
}

void
_ag_transport_set_ready (AgTransport *self,
                         gboolean     ready)
{
  g_return_if_fail (AG_IS_TRANSPORT (self));

  self->ready = !!ready;
  if (ready) {
    self->reconnect_attempt = 0;
    flush_queued (self);
  }
}

void
_ag_transport_request_async (AgTransport         *self,
                             AgFrame             *frame,
                             gboolean             priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (AG_IS_TRANSPORT (self));
  g_return_if_fail (frame != NULL);
  g_return_if_fail (ag_op_is_request (frame->op));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _ag_transport_request_async);

  if (g_task_return_error_if_cancelled (task)) {
    ag_frame_free (frame);
    return;
  }

  if (self->state == AG_TRANSPORT_CLOSED) {
    g_task_return_new_error (task, AG_ERROR, _ag_transport_lost_code (frame->op),
                             "Not connected");
    ag_frame_free (frame);
    return;
  }

  request = g_new0 (Request, 1);
  request->transport = self;
  request->task = g_steal_pointer (&task);
  request->id = self->next_id++;
  request->op = frame->op;
  request->frame = frame;
  request->frame->id = request->id;
  request->timeout_source = g_timeout_add (self->request_timeout_ms, request_timeout_cb, request);
  if (cancellable != NULL)
    request->cancelled_handler = g_signal_connect (cancellable, "cancelled",
                                                   G_CALLBACK (request_cancelled_cb), request);

  /* Requests keep their order: a new one waits behind those already queued. */
  if (self->state == AG_TRANSPORT_OPEN &&
      (priority || (self->ready && g_queue_is_empty (&self->queued)))) {
    request_send (self, request);
  } else {
    request->queued = TRUE;
    g_queue_push_tail (&self->queued, request);
  }
}

AgFrame *
_ag_transport_request_finish (AgTransport   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (AG_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
