/* ag-server.c: agsignald's transport: SoupServer WebSockets around the sans-IO AgHub
 *
 * Each WebSocket gets a plain integer connection id; text frames go to the hub unchanged and
 * the hub answers through the AgHubSink below. The hub never sees libsoup, and the server
 * never calls back into the hub from inside a sink callback: connections the transport gives
 * up on while the hub is running are reported once the hub call returns.
 */

#include "ag-server.h"

#include <libsoup/soup.h>
#include <string.h>

#ifdef __linux__
#include <netinet/in.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-http-request.h"
#include "ag-hub-driver.h"
#include "ag-limits.h"
#include "ag-metrics.h"
#include "ag-server-transport-private.h"
#include "ag-wire-trace.h"

#define LISTEN_BACKLOG         1024
#define KEEPALIVE_SECONDS      30
#define SHUTDOWN_TIMEOUT_MS    3000

/* libsoup 3.2 drops a connection whose frame is over its max-incoming-payload-size without
 * sending a close frame, so the peer only sees a reset. libsoup is given twice the protocol
 * limit, and the server itself closes with 1009 (and a close frame) anything in between. */
#define SOUP_PAYLOAD_LIMIT     (2 * AG_LIMIT_FRAME_BYTES)

typedef struct {
  AgServer                *server;
  guint64                  id;
  SoupWebsocketConnection *ws;
  GSocket                 *socket;
  char                    *peer;

  /* Outbound accounting for the slow-consumer limit (see connection_measure()): bytes of
   * WebSocket frames handed to libsoup, and how many of them the kernel has taken. */
  guint64                  queued_bytes;
  guint64                  written_bytes;
  guint64                  kernel_origin;
  gboolean                 metered;

  gboolean                 closing;     /* close requested: further frames are dropped */
  gboolean                 hub_knows;   /* the hub has not been told the connection is gone */
} Connection;

struct _AgServer {
  GObject     parent_instance;

  AgHubDriver driver;
  SoupServer *soup;
  GHashTable *connections;       /* guint64* id -> Connection* (owned) */
  guint64     last_connection_id;

  char       *uri;
  guint16     port;

  GTask      *shutdown_task;
  guint       shutdown_timeout_id;

  /* Counted here rather than in the hub: frames the hub never sees. */
  AgTransportCounters counters;
};

static void ag_server_transport_iface_init (AgServerTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgServer, ag_server, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_SERVER_TRANSPORT,
                                                      ag_server_transport_iface_init))

/* Outbound accounting */

/* libsoup 3.2 has no buffered-amount API, so the server counts the bytes of the frames it
 * queues and asks the kernel how many bytes of the connection it has taken so far (those
 * the peer acknowledged plus those still in the socket send queue). The difference is what
 * is still queued inside libsoup. */
static gboolean
socket_bytes_taken (GSocket *socket,
                    guint64 *out_bytes)
{
#ifdef __linux__
  struct tcp_info info;
  socklen_t length = sizeof info;
  int queued = 0;
  int fd;

  if (socket == NULL || g_socket_is_closed (socket))
    return FALSE;

  fd = g_socket_get_fd (socket);
  memset (&info, 0, sizeof info);
  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
      length < offsetof (struct tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked)
    return FALSE;

  if (ioctl (fd, SIOCOUTQ, &queued) != 0 || queued < 0)
    return FALSE;

  *out_bytes = info.tcpi_bytes_acked + (guint64) queued;

  return TRUE;
#else
  return FALSE;
#endif
}

static void
connection_start_metering (Connection *conn)
{
  conn->metered = socket_bytes_taken (conn->socket, &conn->kernel_origin);
  if (!conn->metered)
    g_debug ("connection %" G_GUINT64_FORMAT ": the outbound limit cannot be measured",
             conn->id);
}

static void
connection_measure (Connection *conn)
{
  guint64 taken;
  guint64 written;

  if (!conn->metered || !socket_bytes_taken (conn->socket, &taken) ||
      taken < conn->kernel_origin) {
    conn->written_bytes = conn->queued_bytes;
    return;
  }

  written = taken - conn->kernel_origin;

  /* libsoup also writes frames of its own (pongs, keepalive pings): move the origin past
   * them so that they do not count as written frames of ours. */
  if (written > conn->queued_bytes) {
    conn->kernel_origin += written - conn->queued_bytes;
    written = conn->queued_bytes;
  }

  conn->written_bytes = written;
}

static guint64
wire_size (gsize payload)
{
  /* Server frames are unmasked: a 2, 4 or 10 byte header. */
  if (payload < 126)
    return payload + 2;
  if (payload < 65536)
    return payload + 4;
  return payload + 10;
}

/* Connections */

static void
connection_free (gpointer data)
{
  Connection *conn = data;

  g_signal_handlers_disconnect_by_data (conn->ws, conn);
  g_clear_object (&conn->ws);
  g_clear_object (&conn->socket);
  g_free (conn->peer);
  g_free (conn);
}

/* Tells the hub a connection is gone, now or, inside a hub call, once it returns. */
static void
connection_forget (AgServer   *self,
                   Connection *conn)
{
  if (!conn->hub_knows)
    return;

  conn->hub_knows = FALSE;
  ag_hub_driver_connection_closed (&self->driver, conn->id);
}

static void
connection_close (AgServer   *self,
                  Connection *conn,
                  gushort     status,
                  const char *reason)
{
  if (conn->closing)
    return;

  conn->closing = TRUE;

  /* A peer that started the closing handshake has already been answered by libsoup. */
  if (soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn->ws, status, reason);

  connection_forget (self, conn);
}

static void
connection_send_unmetered (AgServer   *self,
                           Connection *conn,
                           GBytes     *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  /* A peer that started the closing handshake gets nothing more; the hub hears of the close
   * when libsoup reports it. */
  if (soup_websocket_connection_get_state (conn->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  AG_WIRE_TRACE (conn->id, "out", data, length);

  conn->queued_bytes += wire_size (length);
  soup_websocket_connection_send_message (conn->ws, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static void
connection_send_error (AgServer   *self,
                       Connection *conn,
                       gint64      id,
                       int         code,
                       const char *reason)
{
  g_autoptr(GBytes) bytes = ag_transport_counters_error_frame (&self->counters, id, code,
                                                              reason);

  connection_send_unmetered (self, conn, bytes);
}

static void
connection_drop_slow_consumer (AgServer   *self,
                               Connection *conn)
{
  g_autoptr(GBytes) error = ag_transport_counters_slow_consumer (&self->counters, conn->id,
                                                                conn->peer);
  g_autofree char *reason = NULL;

  /* Both the error frame and the close frame queue behind everything the peer has not read
   * (libsoup has no way to put a frame first); the hub forgets the session now. */
  connection_send_unmetered (self, conn, error);
  reason = _ag_server_transport_close_reason (AG_ERROR_LIMIT_E_SLOW_CONSUMER);
  connection_close (self, conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, reason);
}

static void
connection_send (AgServer   *self,
                 Connection *conn,
                 GBytes     *bytes)
{
  guint64 size = wire_size (g_bytes_get_size (bytes));

  if (conn->closing)
    return;

  /* The kernel is only asked when the cheap bound (nothing written since the last
   * measurement) says the limit may be reached. */
  if (conn->queued_bytes + size - conn->written_bytes > AG_LIMIT_OUTBOUND_BYTES) {
    connection_measure (conn);

    if (conn->queued_bytes + size - conn->written_bytes > AG_LIMIT_OUTBOUND_BYTES) {
      connection_drop_slow_consumer (self, conn);
      return;
    }
  }

  connection_send_unmetered (self, conn, bytes);
}

/* Hub calls */

static void
hub_send_cb (gpointer  user_data,
             guint64   conn_id,
             GBytes   *frame)
{
  AgServer *self = user_data;
  Connection *conn = g_hash_table_lookup (self->connections, &conn_id);

  if (conn == NULL || conn->closing)
    return;

  /* libsoup writes at once, so the commit comes before every frame; it costs nothing when
   * nothing changed since the last one. A frame whose change was lost is not sent. */
  if (!ag_hub_driver_commit (&self->driver)) {
    g_autofree char *reason = _ag_server_transport_close_reason (AG_ERROR_GENERAL_E_FAILED);

    connection_close (self, conn, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, reason);
    return;
  }

  connection_send (self, conn, frame);
}

static gsize
hub_queued_cb (gpointer user_data,
               guint64  conn_id)
{
  AgServer *self = user_data;
  Connection *conn = g_hash_table_lookup (self->connections, &conn_id);

  if (conn == NULL)
    return 0;

  connection_measure (conn);
  return conn->queued_bytes - conn->written_bytes;
}

/* An upper bound, without asking the kernel: what was queued since each connection's last
 * measurement counts as unwritten. */
static guint64
hub_queued_total_cb (gpointer user_data)
{
  AgServer *self = user_data;
  GHashTableIter iter;
  gpointer value;
  guint64 total = 0;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Connection *conn = value;

    total += conn->queued_bytes - conn->written_bytes;
  }

  return total;
}

static void
hub_close_cb (gpointer user_data,
              guint64  conn_id,
              int      code)
{
  AgServer *self = user_data;
  Connection *conn = g_hash_table_lookup (self->connections, &conn_id);
  g_autofree char *reason = NULL;

  if (conn == NULL)
    return;

  /* The hub has already forgotten this connection. */
  conn->hub_knows = FALSE;

  reason = _ag_server_transport_close_reason (code);
  connection_close (self, conn, SOUP_WEBSOCKET_CLOSE_NORMAL, reason);
}

/* WebSocket connections */

static void
shutdown_complete (AgServer *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown_task);

  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_task_return_boolean (task, TRUE);
}

static void
websocket_message_cb (SoupWebsocketConnection *ws,
                      SoupWebsocketDataType    type,
                      GBytes                  *message,
                      gpointer                 user_data)
{
  Connection *conn = user_data;
  AgServer *self = conn->server;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (conn->closing)
    return;

  if (length > AG_LIMIT_FRAME_BYTES) {
    g_debug ("connection %" G_GUINT64_FORMAT ": frame of %" G_GSIZE_FORMAT " bytes, closing",
             conn->id, length);
    connection_close (self, conn, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                      "frame larger than 65536 bytes");
    return;
  }

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    self->counters.binary_frames_in++;
    connection_send_error (self, conn, 0, AG_ERROR_PROTO_E_MALFORMED,
                           "binary frames are not accepted");
    return;
  }

  AG_WIRE_TRACE (conn->id, "in", data, length);

  ag_hub_driver_connection_frame (&self->driver, conn->id, data, length);
}

static void
websocket_error_cb (SoupWebsocketConnection *ws,
                    GError                  *error,
                    gpointer                 user_data)
{
  Connection *conn = user_data;

  g_debug ("connection %" G_GUINT64_FORMAT " (%s): %s", conn->id, conn->peer, error->message);
}

static void
websocket_closed_cb (SoupWebsocketConnection *ws,
                     gpointer                 user_data)
{
  Connection *conn = user_data;
  AgServer *self = conn->server;
  guint64 id = conn->id;

  g_debug ("connection %" G_GUINT64_FORMAT " (%s) closed: peer status %u",
           id, conn->peer, soup_websocket_connection_get_close_code (ws));

  /* What the hub sends while it learns of the close has nowhere to go. */
  conn->closing = TRUE;
  connection_forget (self, conn);
  g_hash_table_remove (self->connections, &id);

  if (self->shutdown_task != NULL && g_hash_table_size (self->connections) == 0)
    shutdown_complete (self);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  AgServer *self = user_data;
  Connection *conn = g_new0 (Connection, 1);
  GSocket *socket = soup_server_message_get_socket (msg);

  conn->server = self;
  conn->id = ++self->last_connection_id;
  conn->ws = g_object_ref (ws);
  conn->socket = socket != NULL ? g_object_ref (socket) : NULL;
  conn->peer = _ag_server_transport_describe_address (soup_server_message_get_remote_address (msg));
  conn->hub_knows = TRUE;

  soup_websocket_connection_set_max_incoming_payload_size (ws, SOUP_PAYLOAD_LIMIT);
  soup_websocket_connection_set_keepalive_interval (ws, KEEPALIVE_SECONDS);
  connection_start_metering (conn);

  g_signal_connect (ws, "message", G_CALLBACK (websocket_message_cb), conn);
  g_signal_connect (ws, "error", G_CALLBACK (websocket_error_cb), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (websocket_closed_cb), conn);
  g_hash_table_insert (self->connections, &conn->id, conn);

  g_debug ("connection %" G_GUINT64_FORMAT " from %s", conn->id, conn->peer);

  ag_hub_driver_connection_opened (&self->driver, conn->id);
  ag_hub_driver_connection_set_address (&self->driver, conn->id, conn->peer);

  if (self->shutdown_task != NULL)
    connection_close (self, conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *reason)
{
  g_autofree char *body = g_strconcat (reason, "\n", NULL);
  gsize length = strlen (body);

  soup_server_message_set_status (msg, status, ag_http_status_phrase (status));
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
}

/* The request as ag-http-request.c sees it; nothing in it is owned. */
static AgHttpRequest
request_of (SoupServerMessage *msg)
{
  return (AgHttpRequest) {
    .method = (char *) soup_server_message_get_method (msg),
    .path = (char *) g_uri_get_path (soup_server_message_get_uri (msg)),
    .version = soup_server_message_get_http_version (msg),
    .headers = soup_server_message_get_request_headers (msg),
  };
}

/* libsoup's parser keeps duplicated fields, a missing Host and a bad Content-Length for the
 * handler to judge: the same checks as the epoll transport's (RFC 9112). FALSE after
 * answering. */
static gboolean
check_request (SoupServerMessage *msg)
{
  AgHttpRequest request = request_of (msg);
  const char *reason;
  guint status = ag_http_request_check_fields (&request, &reason);

  if (status == 0)
    return TRUE;

  respond_text (msg, status, reason);
  return FALSE;
}

/* Runs before libsoup's own handshake processing on the same path: setting a status here
 * stops the upgrade. libsoup accepts a handshake that offers no subprotocol at all, but the
 * protocol requires agsignal.v1; it also accepts duplicated keys and Hosts, and answers an
 * unsupported version with 400 where RFC 6455 asks for 426 and the supported version. */
static void
websocket_precheck_cb (SoupServer        *soup,
                       SoupServerMessage *msg,
                       const char        *path,
                       GHashTable        *query,
                       gpointer           user_data)
{
  static const char required[] = "the WebSocket subprotocol " AG_SUBPROTOCOL " is required\n";
  static const char going_away[] = "the server is shutting down\n";
  AgServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  AgHttpRequest request;
  const char *reason;
  const char *key;
  guint status;

  if (self->shutdown_task != NULL) {
    soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                      going_away, strlen (going_away));
    return;
  }

  if (!check_request (msg))
    return;

  if (!soup_message_headers_header_contains (headers, "Sec-WebSocket-Protocol",
                                             AG_SUBPROTOCOL)) {
    soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                      required, strlen (required));
    return;
  }

  request = request_of (msg);
  status = ag_http_request_check_upgrade (&request, &key, &reason);
  if (status != 0) {
    respond_text (msg, status, reason);
    if (status == 426)
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Sec-WebSocket-Version", "13");
  }
}

/* HTTP routes */

static gboolean
check_method (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;

  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Allow", "GET, HEAD");
  return FALSE;
}

static void
healthz_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  if (!check_request (msg) || !check_method (msg))
    return;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok\n", 3);
}

static void
metrics_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  AgServer *self = user_data;
  char *text;

  if (!check_request (msg) || !check_method (msg))
    return;

  text = ag_server_render_metrics (self);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

static void
admin_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  AgServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *peer = NULL;
  guint status = 500;

  if (!check_request (msg))
    return;

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0) {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                  "POST");
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }

  if (body->length > AG_ADMIN_HTTP_MAX_BODY) {
    soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
    return;
  }

  request = soup_message_body_flatten (body);
  peer = _ag_server_transport_describe_address (soup_server_message_get_remote_address (msg));
  reply = ag_hub_driver_admin_http (&self->driver, peer,
                                    ag_hub_driver_bearer_key (
                                      soup_message_headers_get_one (headers, "Authorization")),
                                    g_bytes_get_data (request, NULL), g_bytes_get_size (request),
                                    &status);

  /* Acknowledged means durable here too: an ok leaves only after its change is committed. */
  if (!ag_hub_driver_commit (&self->driver)) {
    soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
    return;
  }

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

/* Metrics */

char *
ag_server_render_metrics (AgServer *self)
{
  g_return_val_if_fail (AG_IS_SERVER (self), NULL);

  return ag_metrics_render (self->driver.hub, g_hash_table_size (self->connections),
                            &self->counters);
}

/* Object */

static void
ag_server_dispose (GObject *object)
{
  AgServer *self = AG_SERVER (object);

  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  if (self->connections != NULL)
    g_hash_table_remove_all (self->connections);

  ag_hub_driver_clear (&self->driver);

  G_OBJECT_CLASS (ag_server_parent_class)->dispose (object);
}

static void
ag_server_finalize (GObject *object)
{
  AgServer *self = AG_SERVER (object);

  g_hash_table_unref (self->connections);
  ag_transport_counters_clear (&self->counters);
  g_free (self->uri);

  G_OBJECT_CLASS (ag_server_parent_class)->finalize (object);
}

static void
ag_server_class_init (AgServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_server_dispose;
  object_class->finalize = ag_server_finalize;
}

static void
ag_server_init (AgServer *self)
{
  static const char * const protocols[] = { AG_SUBPROTOCOL, NULL };

  self->connections = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, connection_free);
  ag_transport_counters_init (&self->counters);

  self->soup = soup_server_new ("server-header", "agsignald/" AG_VERSION " ", NULL);

  /* Compression would cost a deflate per recipient (frames are encoded once and shared by
   * every recipient) and its inflate is not bounded by the payload limit. */
  soup_server_remove_websocket_extension (self->soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);

  soup_server_add_handler (self->soup, AG_WEBSOCKET_PATH, websocket_precheck_cb, self, NULL);
  soup_server_add_websocket_handler (self->soup, AG_WEBSOCKET_PATH, NULL, (char **) protocols,
                                     websocket_cb, self, NULL);
  soup_server_add_handler (self->soup, "/healthz", healthz_cb, self, NULL);
  soup_server_add_handler (self->soup, "/metrics", metrics_cb, self, NULL);
  soup_server_add_handler (self->soup, AG_ADMIN_HTTP_PATH, admin_cb, self, NULL);
}

/**
 * ag_server_new:
 * @engine: where the hub keeps state that outlives sessions
 *
 * Creates a server and its hub. Apps are added through ag_server_get_hub().
 *
 * Returns: (transfer full): a new #AgServer
 */
AgServer *
ag_server_new (AgEngine *engine)
{
  static const AgHubSink sink = { hub_send_cb, hub_close_cb, hub_queued_cb, hub_queued_total_cb };
  AgServer *self;

  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);

  self = g_object_new (AG_TYPE_SERVER, NULL);
  ag_hub_driver_init (&self->driver, ag_hub_new (engine, &sink, self), NULL, NULL);

  return self;
}

AgHub *
ag_server_get_hub (AgServer *self)
{
  g_return_val_if_fail (AG_IS_SERVER (self), NULL);

  return self->driver.hub;
}

gboolean
ag_server_listen (AgServer    *self,
                  const char  *host,
                  guint16      port,
                  GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) local_address = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_return_val_if_fail (AG_IS_SERVER (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  address = _ag_server_transport_parse_host (host, error);
  if (address == NULL)
    return FALSE;

  /* SoupServer's own listen functions use a backlog of 10, which drops connections when
   * many clients connect at once. */
  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  socket_address = g_inet_socket_address_new (address, port);
  if (!g_socket_bind (socket, socket_address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return FALSE;

  local_address = g_socket_get_local_address (socket, error);
  if (local_address == NULL)
    return FALSE;

  if (!soup_server_listen_socket (self->soup, socket, 0, error))
    return FALSE;

  if (self->uri == NULL) {
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local_address));
    self->uri = _ag_server_transport_uri (local_address);
  }

  return TRUE;
}

const char *
ag_server_get_uri (AgServer *self)
{
  g_return_val_if_fail (AG_IS_SERVER (self), NULL);

  return self->uri;
}

guint16
ag_server_get_port (AgServer *self)
{
  g_return_val_if_fail (AG_IS_SERVER (self), 0);

  return self->port;
}

guint
ag_server_get_n_connections (AgServer *self)
{
  g_return_val_if_fail (AG_IS_SERVER (self), 0);

  return g_hash_table_size (self->connections);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  AgServer *self = user_data;

  self->shutdown_timeout_id = 0;

  g_message ("%u connection(s) did not finish the closing handshake in time",
             g_hash_table_size (self->connections));

  /* Every connection was already reported to the hub when its close was requested;
   * dropping the records makes libsoup close the sockets. */
  g_hash_table_remove_all (self->connections);
  shutdown_complete (self);

  return G_SOURCE_REMOVE;
}

void
ag_server_shutdown_async (AgServer            *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (AG_IS_SERVER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_server_shutdown_async);

  if (self->shutdown_task != NULL) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                             "the server is already shutting down");
    return;
  }

  soup_server_disconnect (self->soup);

  if (g_hash_table_size (self->connections) == 0) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timeout_id = g_timeout_add (SHUTDOWN_TIMEOUT_MS, shutdown_timeout_cb, self);

  /* Closing reports each connection to the hub, which may send to the others: work on a
   * copy of the table. */
  connections = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (connections, value);

  for (guint i = 0; i < connections->len; i++)
    connection_close (self, g_ptr_array_index (connections, i),
                      SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
}

gboolean
ag_server_shutdown_finish (AgServer      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (AG_IS_SERVER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ag_server_transport_iface_init (AgServerTransportInterface *iface)
{
  iface->get_hub = (gpointer) ag_server_get_hub;
  iface->listen = (gpointer) ag_server_listen;
  iface->get_uri = (gpointer) ag_server_get_uri;
  iface->get_port = (gpointer) ag_server_get_port;
  iface->get_n_connections = (gpointer) ag_server_get_n_connections;
  iface->render_metrics = (gpointer) ag_server_render_metrics;
  iface->shutdown_async = (gpointer) ag_server_shutdown_async;
  iface->shutdown_finish = (gpointer) ag_server_shutdown_finish;
}
