/* ag-epoll-server.c: agsignald's high-volume transport around the sans-IO AgHub
 *
 * Every socket is in one epoll set, and the set is one GSource: a main-loop iteration costs
 * the same with 10 or 10,000 idle connections. Reads are level-triggered with a byte budget
 * per connection and dispatch, so a flooding client cannot starve the others. wslay parses
 * client frames and writes pongs and the closes it answers with; the other frames are
 * written here, because server frames are unmasked: a frame is a small header plus a
 * reference to the GBytes the hub shares across every recipient of a fan-out (handed over
 * by connection pointer, sink.send_to), and everything queued for a connection leaves in
 * one writev().
 *
 * An idle connection has no wslay context: its two fixed 4 kB buffers would be most of what
 * the connection costs. The context is made when the client sends and freed once wslay is
 * between frames again; the transport follows the frame headers on their way to wslay to know
 * when that is (FrameScan), and to refuse a frame that announces more than the message limit
 * before its payload arrives. Pings and closes of the server's own are written here.
 *
 * Connections are never freed from inside a hub call or a wslay callback: a connection that
 * fails is marked and reaped once the current dispatch is done.
 */

#define _GNU_SOURCE

#include "ag-epoll-server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-http-request.h"
#include "ag-hub-driver.h"
#include "ag-limits.h"
#include "ag-metrics.h"
#include "ag-server-transport-private.h"
#include "ag-wire-trace.h"

#define LISTEN_BACKLOG          1024
#define MAX_EVENTS              256
#define MAX_ACCEPTS             256           /* per listener and dispatch */
#define READ_BUDGET             (64 * 1024)   /* per connection and dispatch */
/* Bytes alone do not bound a dispatch: 64 KiB of 6-byte frames is 10,000 replies to build
 * before anyone else's turn. */
#define FRAME_BUDGET            1024          /* per connection and dispatch */
#define REQUEST_HEADER_LIMIT    8192
#define REQUEST_TIMEOUT_US      (10 * G_USEC_PER_SEC)
/* Deadlines and keepalive pings are handled in short, frequent turns: thousands of
 * connections that logged in together fall due together, and pinging them all in one turn
 * held every other client's traffic for tens of milliseconds. */
#define HOUSEKEEPING_MS         100
#define HOUSEKEEPING_BUDGET_US  500    /* per turn; what is left waits for the next one */
#define KEEPALIVE_IDLE_US       (30 * G_USEC_PER_SEC)
#define CLOSE_GRACE_US          (5 * G_USEC_PER_SEC)
#define SHUTDOWN_TIMEOUT_MS     3000
#define ACCEPT_PAUSE_MS         100           /* after running out of descriptors */
#define ACCEPT_LOG_INTERVAL_US  (10 * G_USEC_PER_SEC)
#define WRITE_MAX_IOV           MIN (IOV_MAX, 1024)

#define WEBSOCKET_GUID          "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#define CLOSE_NORMAL            1000
#define CLOSE_GOING_AWAY        1001
#define CLOSE_PROTOCOL_ERROR    1002
#define CLOSE_BAD_DATA          1007
#define CLOSE_POLICY_VIOLATION  1008
#define CLOSE_TOO_BIG           1009

typedef enum {
  ENDPOINT_LISTENER,
  ENDPOINT_CONNECTION,
} EndpointKind;

typedef struct {
  EndpointKind  kind;
  int           fd;
  gboolean      paused;   /* out of the epoll set until the accept pause ends */
} Listener;

typedef enum {
  STATE_REQUEST,      /* reading the HTTP request */
  STATE_WEBSOCKET,
  STATE_RESPONSE,     /* an HTTP response is queued; the connection ends after it */
} ConnectionState;

/* One entry of the output queue: a frame header (empty for raw bytes) and its payload. */
typedef struct {
  GBytes       *bytes;
  const guint8 *data;             /* bytes' data and size, looked up once */
  gsize         size;
  guint8        header[10];
  guint8        header_length;
} OutChunk;

/* What a queued chunk costs beyond its bytes (its entry; a GBytes and its allocation for the
 * frames that are not shared). It counts against the outbound limit, so that a flood of tiny
 * frames the server answers (pongs, error replies) is held to the memory of a few big ones. */
#define CHUNK_OVERHEAD (sizeof (OutChunk) + 64)

/* Where the client's frame stream is, read as it passes to wslay. */
typedef struct {
  guint8                  header[14];
  guint8                  have;           /* bytes of the header read so far */
  guint8                  need;           /* its length, once its first two bytes are in */
  gboolean                in_message;     /* a data frame without FIN came: its message goes on */
  guint64                 payload_left;   /* of the current frame */
  guint64                 message_length; /* of the current data message so far */
} FrameScan;

typedef struct {
  EndpointKind            kind;
  int                     fd;

  AgEpollServer          *server;
  guint64                 id;
  char                   *peer;
  ConnectionState         state;

  /* The request being read; after the upgrade, bytes the client sent right behind it. */
  GByteArray             *input;
  gsize                   input_offset;

  wslay_event_context_ptr ws;             /* NULL while the connection is between frames */
  FrameScan               scan;
  gboolean                in_wslay;
  gboolean                wslay_done;     /* a close frame was written here instead */
  gboolean                protocol_error;
  gboolean                too_big;        /* a frame header announced more than the limit */
  gsize                   read_budget;
  guint                   frame_budget;
  gboolean                eof;
  gboolean                recv_failed;

  /* The output queue: out[out_head] to out[out_tail - 1]; NULL while it is empty. */
  OutChunk               *out;
  guint                   out_capacity;
  guint                   out_tail;
  guint                   out_head;
  gsize                   out_offset;     /* bytes of the head chunk already written */
  guint64                 queued_bytes;   /* not yet written to the socket */
  gboolean                epollout;
  gboolean                dirty;

  /* In exactly one of the server's queues: requesting, open or closing. */
  GList                   link;
  GQueue                 *queue;
  gint64                  stamp;          /* last activity, or the close deadline */
  gboolean                ping_outstanding;

  gboolean                closing;        /* closing: further frames are dropped */
  gboolean                discard_input;  /* a slow consumer: nothing more is answered */
  gboolean                close_queued;   /* a close frame is in the output queue */
  gboolean                write_shut;
  gboolean                dead;
  gboolean                hub_knows;

  /* POST /v1/admin: the request head and the body length, while the body is read. */
  gsize                   body_start;
  gsize                   body_length;
  char                   *authorization;
} Connection;

struct _AgEpollServer {
  GObject              parent_instance;

  AgHubDriver          driver;
  int                  epoll_fd;
  GSource             *source;
  GPtrArray           *listeners;          /* of Listener* */
  GHashTable          *connections;        /* guint64* id -> Connection* (owned) */
  guint64              queued_bytes;       /* of every connection, not yet written */
  guint64              last_connection_id;
  guint                n_websockets;

  GQueue               requesting;         /* by accept time */
  GQueue               open;               /* by last activity */
  GQueue               closing;            /* by close deadline */
  GPtrArray           *dirty;              /* connections with output to flush */
  GPtrArray           *doomed;             /* connections to free after the dispatch */
  guint                housekeeping_id;

  char                *uri;
  guint16              port;

  /* Out of file descriptors: a spare one to accept and close waiting connections with, the
   * pause before accepting again, and a log written at most every ACCEPT_LOG_INTERVAL_US. */
  int                  reserve_fd;
  guint                accept_resume_id;
  gint64               accept_logged_us;
  guint64              accept_unlogged;

  GTask               *shutdown_task;
  guint                shutdown_timeout_id;

  AgTransportCounters  counters;
};

static void ag_epoll_server_transport_iface_init (AgServerTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgEpollServer, ag_epoll_server, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_SERVER_TRANSPORT,
                                                      ag_epoll_server_transport_iface_init))

static void connection_flush       (AgEpollServer *self,
                                    Connection    *conn);
static void maybe_finish_shutdown  (AgEpollServer *self);

/* Connection lifetime */

static void
connection_move_to (Connection *conn,
                    GQueue     *queue)
{
  if (conn->queue != NULL)
    g_queue_unlink (conn->queue, &conn->link);
  conn->queue = queue;
  if (queue != NULL)
    g_queue_push_tail_link (queue, &conn->link);
}

static void
connection_free (gpointer data)
{
  Connection *conn = data;

  connection_move_to (conn, NULL);
  conn->server->queued_bytes -= conn->queued_bytes;
  if (conn->fd >= 0)
    close (conn->fd);
  g_clear_pointer (&conn->ws, wslay_event_context_free);
  for (guint i = conn->out_head; i < conn->out_tail; i++)
    g_bytes_unref (conn->out[i].bytes);
  g_free (conn->out);
  g_clear_pointer (&conn->input, g_byte_array_unref);
  g_free (conn->peer);
  g_free (conn->authorization);
  g_free (conn);
}

/* Tells the hub a connection is gone, now or, inside a hub call, once it returns. */
static void
connection_forget (AgEpollServer *self,
                   Connection    *conn)
{
  if (!conn->hub_knows)
    return;

  conn->hub_knows = FALSE;
  ag_hub_driver_connection_closed (&self->driver, conn->id);
}

/* Marks a connection for release after the current dispatch. */
static void
connection_fail (AgEpollServer *self,
                 Connection    *conn)
{
  if (conn->dead)
    return;

  conn->dead = TRUE;
  conn->closing = TRUE;
  connection_move_to (conn, NULL);
  g_ptr_array_add (self->doomed, conn);
  connection_forget (self, conn);
}

static void
reap (AgEpollServer *self)
{
  while (self->doomed->len > 0) {
    g_autoptr(GPtrArray) doomed = g_steal_pointer (&self->doomed);

    self->doomed = g_ptr_array_new ();
    for (guint i = 0; i < doomed->len; i++) {
      Connection *conn = g_ptr_array_index (doomed, i);
      guint64 id = conn->id;

      g_debug ("connection %" G_GUINT64_FORMAT " (%s) closed", id, conn->peer);
      if (conn->state == STATE_WEBSOCKET)
        self->n_websockets--;
      if (conn->dirty)
        g_ptr_array_remove_fast (self->dirty, conn);
      /* Closing the descriptor also removes it from the epoll set. */
      g_hash_table_remove (self->connections, &id);
    }
  }

  maybe_finish_shutdown (self);
}

/* Output */

static gsize
chunk_length (const OutChunk *chunk)
{
  return chunk->header_length + chunk->size;
}

static void
connection_mark_dirty (AgEpollServer *self,
                       Connection    *conn)
{
  if (conn->dirty)
    return;

  conn->dirty = TRUE;
  g_ptr_array_add (self->dirty, conn);
}

static guint64
connection_queued_cost (const Connection *conn)
{
  return conn->queued_bytes + (guint64) (conn->out_tail - conn->out_head) * CHUNK_OVERHEAD;
}

static void
connection_push (AgEpollServer *self,
                 Connection    *conn,
                 const guint8  *header,
                 guint8         header_length,
                 GBytes        *bytes)
{
  OutChunk *chunk;

  if (conn->out_tail == conn->out_capacity) {
    /* Slide what is left to the front when that frees half the room; else grow. */
    if (conn->out_head > 0 && conn->out_head * 2 >= conn->out_capacity) {
      memmove (conn->out, conn->out + conn->out_head,
               (conn->out_tail - conn->out_head) * sizeof (OutChunk));
      conn->out_tail -= conn->out_head;
      conn->out_head = 0;
    } else {
      conn->out_capacity = MAX (4, conn->out_capacity * 2);
      conn->out = g_renew (OutChunk, conn->out, conn->out_capacity);
    }
  }

  chunk = &conn->out[conn->out_tail++];
  chunk->bytes = g_bytes_ref (bytes);
  chunk->data = g_bytes_get_data (bytes, &chunk->size);
  chunk->header_length = header_length;
  if (header_length > 0)
    memcpy (chunk->header, header, header_length);
  conn->queued_bytes += chunk_length (chunk);
  self->queued_bytes += chunk_length (chunk);
  connection_mark_dirty (self, conn);
}

static void
connection_push_raw (AgEpollServer *self,
                     Connection    *conn,
                     const void    *data,
                     gsize          length)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);

  connection_push (self, conn, NULL, 0, bytes);
}

static guint8
frame_header (guint8  *header,
              guint8   opcode,
              gsize    length)
{
  header[0] = 0x80 | opcode;

  if (length < 126) {
    header[1] = length;
    return 2;
  }

  if (length < 65536) {
    header[1] = 126;
    header[2] = length >> 8;
    header[3] = length & 0xff;
    return 4;
  }

  header[1] = 127;
  for (int i = 0; i < 8; i++)
    header[2 + i] = ((guint64) length >> (56 - 8 * i)) & 0xff;
  return 10;
}

/* A text frame of the hub's or the transport's own, traced like every outbound frame. */
static void
connection_push_text (AgEpollServer *self,
                      Connection    *conn,
                      GBytes        *bytes)
{
  guint8 header[10];
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  guint8 header_length = frame_header (header, WSLAY_TEXT_FRAME, length);

  AG_WIRE_TRACE (conn->id, "out", data, length);
  connection_push (self, conn, header, header_length, bytes);
}

/* A ping or close frame of the server's own (at most 125 bytes of payload). */
static void
connection_push_control (AgEpollServer *self,
                         Connection    *conn,
                         guint8         opcode,
                         const guint8  *payload,
                         gsize          length)
{
  g_autoptr(GBytes) bytes = g_bytes_new (payload, length);
  guint8 header[10];

  g_assert (length <= 125);
  connection_push (self, conn, header, frame_header (header, opcode, length), bytes);
}

static void
connection_push_close (AgEpollServer *self,
                       Connection    *conn,
                       guint16        status,
                       const char    *reason)
{
  guint8 payload[125];
  gsize length = reason != NULL ? MIN (strlen (reason), sizeof payload - 2) : 0;

  payload[0] = status >> 8;
  payload[1] = status & 0xff;
  if (length > 0)
    memcpy (payload + 2, reason, length);
  connection_push_control (self, conn, WSLAY_CONNECTION_CLOSE, payload, length + 2);
  conn->close_queued = TRUE;
  conn->wslay_done = TRUE;
}

static void
set_epollout (AgEpollServer *self,
              Connection    *conn,
              gboolean       wanted)
{
  struct epoll_event event = { 0, };

  if (conn->epollout == wanted)
    return;

  conn->epollout = wanted;
  event.events = EPOLLIN | EPOLLRDHUP | (wanted ? EPOLLOUT : 0);
  event.data.ptr = conn;
  if (epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, conn->fd, &event) != 0)
    connection_fail (self, conn);
}

/* Moves control frames (pongs, closes) wslay has queued into the output queue, behind the
 * frames already there. */
static void
connection_pump_control (AgEpollServer *self,
                         Connection    *conn)
{
  if (conn->ws == NULL || conn->in_wslay || conn->wslay_done || conn->dead)
    return;

  if (wslay_event_want_write (conn->ws) && wslay_event_send (conn->ws) != 0)
    connection_fail (self, conn);
  else if (wslay_event_get_close_sent (conn->ws))
    conn->close_queued = TRUE;
}

static void
output_drained (AgEpollServer *self,
                Connection    *conn)
{
  gboolean peer_done;

  if (!conn->closing || conn->write_shut)
    return;

  /* A close frame (or an HTTP response) is out: end our side and wait for the peer's close,
   * its end of stream or the grace period. Closing the socket right away would reset it and
   * could destroy the close frame before the peer reads it. */
  if (conn->state == STATE_WEBSOCKET && !conn->close_queued)
    return;

  conn->write_shut = TRUE;
  shutdown (conn->fd, SHUT_WR);

  peer_done = conn->eof ||
    (conn->ws != NULL && wslay_event_get_close_received (conn->ws));
  if (peer_done)
    connection_fail (self, conn);
}

static void
connection_flush (AgEpollServer *self,
                  Connection    *conn)
{
  struct iovec iov[WRITE_MAX_IOV];

  if (conn->dead)
    return;

  /* Nothing the hub queued leaves before the changes it acknowledges are committed; the
   * first flush of a turn commits them all. */
  if (!ag_hub_driver_commit (&self->driver) || conn->dead)
    return;

  while (conn->out_head < conn->out_tail) {
    int n_iov = 0;
    gsize total = 0;
    ssize_t written;

    for (guint i = conn->out_head; i < conn->out_tail && n_iov < WRITE_MAX_IOV - 1; i++) {
      OutChunk *chunk = &conn->out[i];
      gsize skip = i == conn->out_head ? conn->out_offset : 0;
      gsize size = chunk->size;
      const guint8 *payload = chunk->data;

      if (skip < chunk->header_length) {
        iov[n_iov].iov_base = chunk->header + skip;
        iov[n_iov].iov_len = chunk->header_length - skip;
        total += iov[n_iov++].iov_len;
        skip = 0;
      } else {
        skip -= chunk->header_length;
      }

      if (size > skip) {
        iov[n_iov].iov_base = (guint8 *) payload + skip;
        iov[n_iov].iov_len = size - skip;
        total += iov[n_iov++].iov_len;
      }
    }

    written = writev (conn->fd, iov, n_iov);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      g_debug ("connection %" G_GUINT64_FORMAT " (%s): write: %s", conn->id, conn->peer,
               g_strerror (errno));
      connection_fail (self, conn);
      return;
    }

    conn->queued_bytes -= written;
    self->queued_bytes -= written;
    while (written > 0) {
      OutChunk *chunk = &conn->out[conn->out_head];
      gsize left = chunk_length (chunk) - conn->out_offset;

      if ((gsize) written < left) {
        conn->out_offset += written;
        break;
      }

      written -= left;
      g_bytes_unref (chunk->bytes);
      conn->out_head++;
      conn->out_offset = 0;
    }

    if ((gsize) written < total && conn->out_head < conn->out_tail)
      break;
  }

  /* An idle connection keeps no queue. */
  if (conn->out_head == conn->out_tail) {
    g_clear_pointer (&conn->out, g_free);
    conn->out_capacity = conn->out_head = conn->out_tail = 0;
  }

  set_epollout (self, conn, conn->out_head < conn->out_tail);

  if (conn->out_tail == 0)
    output_drained (self, conn);
}

static void
flush_dirty (AgEpollServer *self)
{
  /* Flushing can fail a connection, which the hub learns of and may answer with more
   * frames for others: the list is taken before it is walked. */
  while (self->dirty->len > 0) {
    g_autoptr(GPtrArray) dirty = g_steal_pointer (&self->dirty);

    self->dirty = g_ptr_array_new ();
    for (guint i = 0; i < dirty->len; i++) {
      Connection *conn = g_ptr_array_index (dirty, i);

      conn->dirty = FALSE;
      connection_flush (self, conn);
    }
  }
}

/* Closing */

static void
connection_start_closing (AgEpollServer *self,
                          Connection    *conn)
{
  conn->closing = TRUE;
  conn->stamp = g_get_monotonic_time () + CLOSE_GRACE_US;
  connection_move_to (conn, &self->closing);
}

/* Queues a close frame behind everything already queued; the hub forgets the connection. */
static void
connection_close (AgEpollServer *self,
                  Connection    *conn,
                  guint16        status,
                  const char    *reason)
{
  if (conn->closing || conn->dead)
    return;

  connection_start_closing (self, conn);

  if (conn->state != STATE_WEBSOCKET) {
    connection_fail (self, conn);
    return;
  }

  /* What wslay queued (a pong) goes first; after the close it sends nothing more. */
  if (!conn->close_queued && !conn->wslay_done) {
    connection_pump_control (self, conn);
    if (conn->dead)
      return;
    connection_push_close (self, conn, status, reason);
  }

  connection_mark_dirty (self, conn);
  connection_forget (self, conn);
}

static void
connection_send_error (AgEpollServer *self,
                       Connection    *conn,
                       gint64         id,
                       int            code,
                       const char    *reason)
{
  g_autoptr(GBytes) bytes = ag_transport_counters_error_frame (&self->counters, id, code,
                                                              reason);

  connection_push_text (self, conn, bytes);
}

static void
connection_drop_slow_consumer (AgEpollServer *self,
                               Connection    *conn)
{
  g_autoptr(GBytes) error = ag_transport_counters_slow_consumer (&self->counters, conn->id,
                                                                conn->peer);
  g_autofree char *reason = NULL;

  connection_push_text (self, conn, error);
  reason = _ag_server_transport_close_reason (AG_ERROR_LIMIT_E_SLOW_CONSUMER);
  connection_close (self, conn, CLOSE_POLICY_VIOLATION, reason);
  /* Nothing it sends from now on is answered: wslay would go on queueing a pong for each of
   * its pings, without bound, behind a close it does not read. */
  conn->discard_input = TRUE;
}

/* Hub calls */

/* The commit of what these frames acknowledge failed: their connections are dropped
 * without them, so no client sees an ok for a change that was lost. */
static void
hub_commit_failed_cb (gpointer user_data)
{
  AgEpollServer *self = user_data;
  g_autoptr(GPtrArray) unsent = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Connection *conn = value;

    if (!conn->dead && conn->out_head < conn->out_tail)
      g_ptr_array_add (unsent, conn);
  }

  for (guint i = 0; i < unsent->len; i++)
    connection_fail (self, g_ptr_array_index (unsent, i));
}

/* What the hub sent from its timer leaves now. */
static void
hub_ticked_cb (gpointer user_data)
{
  AgEpollServer *self = user_data;

  flush_dirty (self);
  reap (self);
}

static void
hub_send_to_cb (gpointer  user_data,
                gpointer  conn_data,
                GBytes   *frame)
{
  AgEpollServer *self = user_data;
  Connection *conn = conn_data;

  if (conn->closing || conn->dead)
    return;

  if (connection_queued_cost (conn) + CHUNK_OVERHEAD + g_bytes_get_size (frame) + 10 >
      AG_LIMIT_OUTBOUND_BYTES) {
    connection_drop_slow_consumer (self, conn);
    return;
  }

  connection_push_text (self, conn, frame);
}

/* Only for a connection the hub was not given the pointer of; there are none. */
static void
hub_send_cb (gpointer  user_data,
             guint64   conn_id,
             GBytes   *frame)
{
  AgEpollServer *self = user_data;
  Connection *conn = g_hash_table_lookup (self->connections, &conn_id);

  if (conn != NULL)
    hub_send_to_cb (self, conn, frame);
}

static gsize
hub_queued_cb (gpointer user_data,
               guint64  conn_id)
{
  AgEpollServer *self = user_data;
  Connection *conn = g_hash_table_lookup (self->connections, &conn_id);

  return conn != NULL ? conn->queued_bytes : 0;
}

static guint64
hub_queued_total_cb (gpointer user_data)
{
  return AG_EPOLL_SERVER (user_data)->queued_bytes;
}

static void
hub_close_cb (gpointer user_data,
              guint64  conn_id,
              int      code)
{
  AgEpollServer *self = user_data;
  Connection *conn = g_hash_table_lookup (self->connections, &conn_id);
  g_autofree char *reason = NULL;

  if (conn == NULL)
    return;

  /* The hub has already forgotten this connection. */
  conn->hub_knows = FALSE;

  reason = _ag_server_transport_close_reason (code);
  connection_close (self, conn,
                    code == AG_ERROR_LIMIT_E_SLOW_CONSUMER ? CLOSE_POLICY_VIOLATION
                                                           : CLOSE_NORMAL,
                    reason);
}

/* WebSocket */

/* Follows length bytes of the client's stream and returns how many of them wslay may have:
 * all, or those before the header of a data frame that makes its message longer than the
 * limit. wslay 1.1.1 refuses such a frame only once payload bytes arrive, and waits for them
 * until then; it is refused here at its header, with 1009. wslay itself refuses the other
 * malformed headers (non-minimal lengths, the top bit of a 64-bit length, long or fragmented
 * control frames). */
static gsize
frame_scan (FrameScan    *scan,
            const guint8 *data,
            gsize         length,
            gboolean     *too_big)
{
  gsize header_start = 0;   /* 0 too when the header began in an earlier piece */
  gsize i = 0;

  while (i < length) {
    guint64 payload_length;
    guint8 opcode;

    if (scan->payload_left > 0) {
      gsize n = MIN (scan->payload_left, length - i);

      scan->payload_left -= n;
      i += n;
      continue;
    }

    if (scan->have == 0)
      header_start = i;
    scan->header[scan->have++] = data[i++];
    if (scan->have == 2) {
      guint8 length7 = scan->header[1] & 0x7f;

      scan->need = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) +
                   ((scan->header[1] & 0x80) != 0 ? 4 : 0);
    }
    if (scan->have < 2 || scan->have < scan->need)
      continue;

    scan->have = 0;
    payload_length = scan->header[1] & 0x7f;
    if (payload_length == 126) {
      payload_length = (scan->header[2] << 8) | scan->header[3];
    } else if (payload_length == 127) {
      payload_length = 0;
      for (int b = 2; b < 10; b++)
        payload_length = (payload_length << 8) | scan->header[b];
      /* A protocol error for wslay to refuse with 1002, not a length. */
      if ((payload_length >> 63) != 0)
        payload_length = 0;
    }

    opcode = scan->header[0] & 0x0f;
    if (opcode < WSLAY_CONNECTION_CLOSE) {
      guint64 before = opcode == WSLAY_CONTINUATION_FRAME ? scan->message_length : 0;

      if (payload_length > AG_LIMIT_FRAME_BYTES - before) {
        *too_big = TRUE;
        return header_start;
      }
      scan->message_length = before + payload_length;
      scan->in_message = (scan->header[0] & 0x80) == 0;
    }
    scan->payload_left = payload_length;
  }

  return length;
}

/* Bytes for wslay, once frame_scan has seen them; -1 when none are left for it. */
static ssize_t
pass_to_wslay (wslay_event_context_ptr ctx,
               gsize                   length)
{
  if (length == 0) {
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }

  return length;
}

static ssize_t
ws_recv_cb (wslay_event_context_ptr  ctx,
            uint8_t                 *buf,
            size_t                   len,
            int                      flags,
            void                    *user_data)
{
  Connection *conn = user_data;
  ssize_t n;

  /* What follows a refused header is never read. */
  if (conn->too_big)
    return pass_to_wslay (ctx, 0);

  /* Bytes that arrived right behind the upgrade request come first. */
  if (conn->input != NULL) {
    gsize left = conn->input->len - conn->input_offset;

    n = MIN (left, len);
    memcpy (buf, conn->input->data + conn->input_offset, n);
    conn->input_offset += n;
    if (conn->input_offset == conn->input->len)
      g_clear_pointer (&conn->input, g_byte_array_unref);
    return pass_to_wslay (ctx, frame_scan (&conn->scan, buf, n, &conn->too_big));
  }

  if (conn->read_budget == 0 || conn->frame_budget == 0) {
    wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }

  do
    n = recv (conn->fd, buf, MIN (len, conn->read_budget), 0);
  while (n < 0 && errno == EINTR);

  if (n > 0) {
    conn->read_budget -= n;
    return pass_to_wslay (ctx, frame_scan (&conn->scan, buf, n, &conn->too_big));
  }

  if (n == 0) {
    conn->eof = TRUE;
    conn->recv_failed = TRUE;
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
  } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
    wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
  } else {
    conn->recv_failed = TRUE;
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
  }

  return -1;
}

static ssize_t
ws_send_cb (wslay_event_context_ptr  ctx,
            const uint8_t           *data,
            size_t                   len,
            int                      flags,
            void                    *user_data)
{
  Connection *conn = user_data;

  connection_push_raw (conn->server, conn, data, len);

  return len;
}

/* RFC 6455 text is UTF-8 in which NUL is a valid character; GLib's validator stops at NUL,
 * so the text is validated between them (the hub rejects NUL in JSON with an error). */
static gboolean
text_is_utf8 (const char *data,
              gsize       length)
{
  const char *end = data + length;

  while (data < end) {
    const char *nul = memchr (data, '\0', end - data);
    const char *stop = nul != NULL ? nul : end;

    if (!g_utf8_validate_len (data, stop - data, NULL))
      return FALSE;
    data = nul != NULL ? nul + 1 : end;
  }

  return TRUE;
}

static void
ws_msg_recv_cb (wslay_event_context_ptr                  ctx,
                const struct wslay_event_on_msg_recv_arg *arg,
                void                                     *user_data)
{
  Connection *conn = user_data;
  AgEpollServer *self = conn->server;
  const char *data = (const char *) arg->msg;

  /* wslay takes a one-byte close payload for a close without status; RFC 6455 makes it a
   * protocol error. */
  if (arg->opcode == WSLAY_CONNECTION_CLOSE && arg->msg_length == 1)
    conn->protocol_error = TRUE;

  if (conn->frame_budget > 0)
    conn->frame_budget--;

  if (conn->closing || conn->dead || wslay_is_ctrl_frame (arg->opcode))
    return;

  if (arg->opcode != WSLAY_TEXT_FRAME) {
    self->counters.binary_frames_in++;
    connection_send_error (self, conn, 0, AG_ERROR_PROTO_E_MALFORMED,
                           "binary frames are not accepted");
    return;
  }

  if (!text_is_utf8 (data, arg->msg_length)) {
    g_debug ("connection %" G_GUINT64_FORMAT ": invalid UTF-8 in a text frame", conn->id);
    connection_close (self, conn, CLOSE_BAD_DATA, "invalid UTF-8 in a text frame");
    return;
  }

  AG_WIRE_TRACE (conn->id, "in", data, arg->msg_length);

  ag_hub_driver_connection_frame (&self->driver, conn->id, data, arg->msg_length);
}

static void
discard_input (AgEpollServer *self,
               Connection    *conn)
{
  char buffer[4096];
  gsize budget = READ_BUDGET;

  while (budget > 0) {
    ssize_t n = recv (conn->fd, buffer, MIN (sizeof buffer, budget), 0);

    if (n > 0) {
      budget -= n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
      connection_fail (self, conn);
    return;
  }
}

static gboolean
connection_ensure_ws (AgEpollServer *self,
                      Connection    *conn)
{
  static const struct wslay_event_callbacks callbacks = {
    .recv_callback = ws_recv_cb,
    .send_callback = ws_send_cb,
    .on_msg_recv_callback = ws_msg_recv_cb,
  };

  if (conn->ws != NULL)
    return TRUE;

  if (wslay_event_context_server_init (&conn->ws, &callbacks, conn) != 0) {
    conn->ws = NULL;
    connection_fail (self, conn);
    return FALSE;
  }
  wslay_event_config_set_max_recv_msg_length (conn->ws, AG_LIMIT_FRAME_BYTES);

  return TRUE;
}

/* Frees the wslay context of a connection that is between frames with nothing of wslay's
 * to send: a fresh one reads the next frame the same way. Closing connections keep theirs,
 * which knows whether the peer's close came. */
static void
connection_release_ws (Connection *conn)
{
  const FrameScan *scan = &conn->scan;

  if (conn->ws == NULL || conn->in_wslay || conn->closing || conn->dead || conn->wslay_done ||
      conn->input != NULL || scan->have > 0 || scan->payload_left > 0 || scan->in_message ||
      wslay_event_want_write (conn->ws) || !wslay_event_get_read_enabled (conn->ws) ||
      wslay_event_get_close_received (conn->ws) || wslay_event_get_close_sent (conn->ws))
    return;

  g_clear_pointer (&conn->ws, wslay_event_context_free);
}

static void
websocket_read (AgEpollServer *self,
                Connection    *conn)
{
  int result;

  if (conn->discard_input) {
    discard_input (self, conn);
    return;
  }

  if (!connection_ensure_ws (self, conn))
    return;

  /* After a protocol error or a closing handshake wslay reads no more; what the peer still
   * sends is discarded until it closes. */
  if (!wslay_event_get_read_enabled (conn->ws)) {
    discard_input (self, conn);
    return;
  }

  conn->read_budget = READ_BUDGET;
  conn->frame_budget = FRAME_BUDGET;
  conn->in_wslay = TRUE;
  result = wslay_event_recv (conn->ws);
  conn->in_wslay = FALSE;

  if (conn->dead)
    return;

  /* wslay reports a malformed frame header (such as a control frame over 125 bytes) as a
   * callback failure and answers it with a close without status: the close frame is
   * written here instead, with 1002, or 1009 for a header frame_scan refused. */
  if (result == WSLAY_ERR_CALLBACK_FAILURE && !conn->recv_failed)
    conn->protocol_error = TRUE;

  if (result != 0 && !conn->protocol_error && !conn->eof) {
    g_debug ("connection %" G_GUINT64_FORMAT " (%s): WebSocket error %d", conn->id, conn->peer,
             result);
    connection_fail (self, conn);
    return;
  }

  if (conn->protocol_error && !conn->wslay_done) {
    g_debug ("connection %" G_GUINT64_FORMAT " (%s): WebSocket %s", conn->id, conn->peer,
             conn->too_big ? "frame over the limit" : "protocol error");
    if (!conn->close_queued)
      connection_push_close (self, conn, conn->too_big ? CLOSE_TOO_BIG : CLOSE_PROTOCOL_ERROR,
                             NULL);
    conn->wslay_done = TRUE;
    wslay_event_shutdown_read (conn->ws);
  }

  if (!conn->closing) {
    conn->stamp = g_get_monotonic_time ();
    conn->ping_outstanding = FALSE;
    connection_move_to (conn, &self->open);
  }

  connection_pump_control (self, conn);

  /* Error replies and pongs count against the outbound limit like any frame: a peer that keeps
   * provoking them without reading is a slow consumer too. */
  if (!conn->closing && !conn->dead && connection_queued_cost (conn) > AG_LIMIT_OUTBOUND_BYTES) {
    connection_drop_slow_consumer (self, conn);
    return;
  }

  /* wslay answered a close, or refused a frame and queued its own close. */
  if (!conn->dead && (conn->close_queued || !wslay_event_get_read_enabled (conn->ws))) {
    if (!conn->closing)
      connection_start_closing (self, conn);
    connection_forget (self, conn);
  }

  if (conn->eof) {
    connection_fail (self, conn);
    return;
  }

  if (conn->write_shut && wslay_event_get_close_received (conn->ws)) {
    connection_fail (self, conn);
    return;
  }

  connection_release_ws (conn);
}

/* HTTP */

static void
connection_respond (AgEpollServer *self,
                    Connection    *conn,
                    guint          status,
                    const char    *content_type,
                    const char    *extra_headers,
                    const char    *body,
                    gboolean       head_only)
{
  g_autoptr(GString) response = g_string_new (NULL);
  gsize body_length = body != NULL ? strlen (body) : 0;

  g_string_append_printf (response,
                          "HTTP/1.1 %u %s\r\n"
                          "Server: agsignald/" AG_VERSION "\r\n"
                          "Connection: close\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n",
                          status, ag_http_status_phrase (status), body_length);
  if (content_type != NULL)
    g_string_append_printf (response, "Content-Type: %s\r\n", content_type);
  if (extra_headers != NULL)
    g_string_append (response, extra_headers);
  g_string_append (response, "\r\n");
  if (!head_only && body != NULL)
    g_string_append (response, body);

  conn->state = STATE_RESPONSE;
  connection_push_raw (self, conn, response->str, response->len);
  connection_start_closing (self, conn);
}

static char *
websocket_accept_key (const char *key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) key, strlen (key));
  g_checksum_update (checksum, (const guchar *) WEBSOCKET_GUID, strlen (WEBSOCKET_GUID));
  g_checksum_get_digest (checksum, digest, &digest_length);

  return g_base64_encode (digest, digest_length);
}

static void
websocket_upgrade (AgEpollServer *self,
                   Connection    *conn,
                   const char    *key,
                   gsize          header_end)
{
  g_autofree char *accept = websocket_accept_key (key);
  g_autofree char *response = NULL;

  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Server: agsignald/" AG_VERSION "\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n"
                              "Sec-WebSocket-Protocol: " AG_SUBPROTOCOL "\r\n\r\n", accept);
  connection_push_raw (self, conn, response, strlen (response));

  /* Keep what the client sent behind the request for wslay. */
  g_byte_array_remove_range (conn->input, 0, header_end);
  conn->input_offset = 0;
  if (conn->input->len == 0)
    g_clear_pointer (&conn->input, g_byte_array_unref);

  conn->state = STATE_WEBSOCKET;
  conn->hub_knows = TRUE;
  conn->stamp = g_get_monotonic_time ();
  connection_move_to (conn, &self->open);
  self->n_websockets++;

  g_debug ("connection %" G_GUINT64_FORMAT " from %s", conn->id, conn->peer);

  ag_hub_driver_connection_opened (&self->driver, conn->id);
  ag_hub_connection_set_sink_data (self->driver.hub, conn->id, conn);
  ag_hub_driver_connection_set_address (&self->driver, conn->id, conn->peer);

  if (conn->input != NULL)
    websocket_read (self, conn);
}

static void
admin_http_respond (AgEpollServer *self,
                    Connection    *conn)
{
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *body = NULL;
  guint status = 500;
  gsize length;

  reply = ag_hub_driver_admin_http (&self->driver, conn->peer,
                                    ag_hub_driver_bearer_key (conn->authorization),
                                    (const char *) conn->input->data + conn->body_start,
                                    conn->body_length, &status);
  body = g_strndup (g_bytes_get_data (reply, &length), g_bytes_get_size (reply));
  connection_respond (self, conn, status, "application/json", NULL, body, FALSE);
}

/* POST /v1/admin: the body follows the head; it is read in full before the hub sees it. */
static void
admin_http_start (AgEpollServer      *self,
                  Connection         *conn,
                  const char         *method,
                  SoupMessageHeaders *headers,
                  gsize               header_end)
{
  const char *length_text = soup_message_headers_get_one (headers, "Content-Length");
  guint64 length = 0;

  if (!g_str_equal (method, "POST")) {
    connection_respond (self, conn, 405, NULL, "Allow: POST\r\n", NULL, FALSE);
    return;
  }

  if (length_text == NULL ||
      !g_ascii_string_to_unsigned (length_text, 10, 0, G_MAXUINT64, &length, NULL)) {
    connection_respond (self, conn, 400, "text/plain", NULL, "Content-Length is required\n",
                        FALSE);
    return;
  }

  if (length > AG_ADMIN_HTTP_MAX_BODY) {
    connection_respond (self, conn, 413, "text/plain", NULL, "the body is over 64 KiB\n", FALSE);
    return;
  }

  conn->body_start = header_end;
  conn->body_length = length;
  conn->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));

  if (conn->input->len >= conn->body_start + conn->body_length)
    admin_http_respond (self, conn);
}

/* Parsing and checking the head is ag-http-request.c's: this routes a request that passed. */
static void
handle_request (AgEpollServer *self,
                Connection    *conn,
                gsize          header_end)
{
  static const char required[] = "the WebSocket subprotocol " AG_SUBPROTOCOL " is required\n";
  AgHttpRequest request;
  g_autofree char *reason_line = NULL;
  const char *reason;
  const char *method;
  const char *path;
  const char *key;
  gboolean head_only;
  guint status;

  status = ag_http_request_parse ((const char *) conn->input->data, header_end, &request,
                                  &reason);
  if (status != 0) {
    reason_line = g_strconcat (reason, "\n", NULL);
    connection_respond (self, conn, status, "text/plain", NULL, reason_line, FALSE);
    ag_http_request_clear (&request);
    return;
  }

  method = request.method;
  path = request.path;
  head_only = g_str_equal (method, "HEAD");

  if (g_str_equal (path, "/healthz") || g_str_equal (path, "/metrics")) {
    g_autofree char *metrics = NULL;

    if (!g_str_equal (method, "GET") && !head_only) {
      connection_respond (self, conn, 405, NULL, "Allow: GET, HEAD\r\n", NULL, FALSE);
    } else if (g_str_equal (path, "/healthz")) {
      connection_respond (self, conn, 200, "text/plain", NULL, "ok\n", head_only);
    } else {
      metrics = ag_metrics_render (self->driver.hub, self->n_websockets, &self->counters);
      connection_respond (self, conn, 200, "text/plain; version=0.0.4; charset=utf-8", NULL,
                          metrics, head_only);
    }
  } else if (g_str_equal (path, AG_ADMIN_HTTP_PATH)) {
    admin_http_start (self, conn, method, request.headers, header_end);
  } else if (!g_str_equal (path, AG_WEBSOCKET_PATH)) {
    connection_respond (self, conn, 404, "text/plain", NULL, "not found\n", head_only);
  } else if (self->shutdown_task != NULL) {
    connection_respond (self, conn, 503, "text/plain", NULL, "the server is shutting down\n",
                        FALSE);
  } else if (!ag_http_request_lists (&request, "Sec-WebSocket-Protocol", AG_SUBPROTOCOL)) {
    connection_respond (self, conn, 400, "text/plain", NULL, required, FALSE);
  } else if ((status = ag_http_request_check_upgrade (&request, &key, &reason)) != 0) {
    reason_line = g_strconcat (reason, "\n", NULL);
    connection_respond (self, conn, status, "text/plain",
                        status == 426 ? "Sec-WebSocket-Version: 13\r\n" : NULL, reason_line,
                        FALSE);
  } else {
    websocket_upgrade (self, conn, key, header_end);
  }

  ag_http_request_clear (&request);
}

static void
body_read (AgEpollServer *self,
           Connection    *conn)
{
  guint8 buffer[16384];
  gsize missing = conn->body_start + conn->body_length - conn->input->len;
  ssize_t n;

  do
    n = recv (conn->fd, buffer, MIN (missing, sizeof buffer), 0);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  if (n <= 0) {
    connection_fail (self, conn);
    return;
  }

  g_byte_array_append (conn->input, buffer, n);
  if (conn->input->len >= conn->body_start + conn->body_length)
    admin_http_respond (self, conn);
}

static void
request_read (AgEpollServer *self,
              Connection    *conn)
{
  if (conn->body_start > 0) {
    body_read (self, conn);
    return;
  }

  guint8 buffer[REQUEST_HEADER_LIMIT];
  gsize room = REQUEST_HEADER_LIMIT - conn->input->len;
  ssize_t n;
  const guint8 *end;
  gsize from;

  do
    n = recv (conn->fd, buffer, room, 0);
  while (n < 0 && errno == EINTR);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  if (n <= 0) {
    connection_fail (self, conn);
    return;
  }

  /* The end of the header may straddle the previous read. */
  from = conn->input->len >= 3 ? conn->input->len - 3 : 0;
  g_byte_array_append (conn->input, buffer, n);
  end = memmem (conn->input->data + from, conn->input->len - from, "\r\n\r\n", 4);

  if (end != NULL) {
    handle_request (self, conn, end + 4 - conn->input->data);
    return;
  }

  if (conn->input->len >= REQUEST_HEADER_LIMIT)
    connection_respond (self, conn, 431, "text/plain", NULL, "request header too large\n",
                        FALSE);
}

/* Accepting */

static char *
describe_peer (const struct sockaddr_storage *address,
               socklen_t                      length)
{
  g_autoptr(GSocketAddress) socket_address =
    g_socket_address_new_from_native ((gpointer) address, length);

  return _ag_server_transport_describe_address (socket_address);
}

static void
listener_watch (AgEpollServer *self,
                Listener      *listener,
                gboolean       watch)
{
  struct epoll_event event = { .events = watch ? EPOLLIN : 0, .data.ptr = listener };

  if (epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, listener->fd, &event) != 0)
    g_message ("Cannot %s accepting connections: %s", watch ? "resume" : "pause",
               g_strerror (errno));
  listener->paused = !watch;
}

static gboolean
accept_resume_cb (gpointer user_data)
{
  AgEpollServer *self = user_data;

  self->accept_resume_id = 0;
  for (guint i = 0; i < self->listeners->len; i++) {
    Listener *listener = g_ptr_array_index (self->listeners, i);

    if (listener->paused)
      listener_watch (self, listener, TRUE);
  }

  return G_SOURCE_REMOVE;
}

/* accept() failed, most often for want of descriptors (EMFILE, ENFILE) or kernel memory.
 * The listening socket stays
 * readable, so accepting again at once would spin; instead the connections waiting now are
 * taken with the reserve descriptor and closed, so their clients learn at once instead of
 * timing out in the backlog, and accepting pauses for ACCEPT_PAUSE_MS. The connections the
 * server has are served meanwhile. */
static void
accept_exhausted (AgEpollServer *self,
                  Listener      *listener,
                  int            error_code)
{
  gint64 now = g_get_monotonic_time ();

  self->counters.accept_errors++;
  self->accept_unlogged++;

  if ((error_code == EMFILE || error_code == ENFILE) && self->reserve_fd >= 0) {
    close (self->reserve_fd);
    for (guint i = 0; i < MAX_ACCEPTS; i++) {
      int fd = accept4 (listener->fd, NULL, NULL, SOCK_CLOEXEC);

      if (fd < 0)
        break;
      close (fd);
      self->counters.accepts_refused++;
    }
    self->reserve_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  listener_watch (self, listener, FALSE);
  if (self->accept_resume_id == 0)
    self->accept_resume_id = g_timeout_add (ACCEPT_PAUSE_MS, accept_resume_cb, self);

  if (self->accept_logged_us == 0 || now - self->accept_logged_us >= ACCEPT_LOG_INTERVAL_US) {
    g_message ("Cannot accept connections: %s (%" G_GUINT64_FORMAT " times since the last "
               "message); waiting connections are closed and accepting pauses for %d ms",
               g_strerror (error_code), self->accept_unlogged, ACCEPT_PAUSE_MS);
    self->accept_logged_us = now;
    self->accept_unlogged = 0;
  }
}

static void
accept_connections (AgEpollServer *self,
                    Listener      *listener)
{
  for (guint i = 0; i < MAX_ACCEPTS; i++) {
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    struct epoll_event event = { 0, };
    Connection *conn;
    int one = 1;
    int fd = accept4 (listener->fd, (struct sockaddr *) &address, &length,
                      SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return;
      accept_exhausted (self, listener, errno);
      return;
    }

    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    conn = g_new0 (Connection, 1);
    conn->kind = ENDPOINT_CONNECTION;
    conn->fd = fd;
    conn->server = self;
    conn->id = ++self->last_connection_id;
    conn->peer = describe_peer (&address, length);
    conn->state = STATE_REQUEST;
    conn->input = g_byte_array_new ();
    conn->link.data = conn;
    conn->stamp = g_get_monotonic_time ();
    connection_move_to (conn, &self->requesting);
    g_hash_table_insert (self->connections, &conn->id, conn);

    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.ptr = conn;
    if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
      g_message ("Cannot watch a connection: %s", g_strerror (errno));
      connection_fail (self, conn);
    }
  }
}

/* The event source */

static void
connection_readable (AgEpollServer *self,
                     Connection    *conn)
{
  switch (conn->state) {
  case STATE_REQUEST:
    request_read (self, conn);
    break;
  case STATE_WEBSOCKET:
    websocket_read (self, conn);
    break;
  case STATE_RESPONSE:
    discard_input (self, conn);
    break;
  default:
    g_assert_not_reached ();
  }
}

static gboolean
epoll_dispatch_cb (gpointer user_data)
{
  AgEpollServer *self = user_data;
  struct epoll_event events[MAX_EVENTS];
  int n;

  do
    n = epoll_wait (self->epoll_fd, events, MAX_EVENTS, 0);
  while (n < 0 && errno == EINTR);

  for (int i = 0; i < n; i++) {
    EndpointKind *kind = events[i].data.ptr;
    Connection *conn;

    if (*kind == ENDPOINT_LISTENER) {
      accept_connections (self, events[i].data.ptr);
      continue;
    }

    conn = events[i].data.ptr;
    if (conn->dead)
      continue;

    if (events[i].events & EPOLLOUT)
      connection_flush (self, conn);
    if (!conn->dead && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)))
      connection_readable (self, conn);
  }

  flush_dirty (self);
  reap (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
source_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs epoll_source_funcs = {
  .dispatch = source_dispatch,
};

/* Whether a housekeeping turn that started at start may go on, called after each connection
 * it handled. Every 32 of them what they queued (pings, closes) is written, so that the clock
 * also counts the writes; the lists are read again from their heads afterwards, since a
 * write that fails takes its connection off them. */
static gboolean
within_budget (AgEpollServer *self,
               gint64         start,
               guint         *handled)
{
  if (++*handled % 32 != 0)
    return TRUE;

  flush_dirty (self);
  return g_get_monotonic_time () - start < HOUSEKEEPING_BUDGET_US;
}

/* Keepalive and deadlines: one timer for every connection. */
static gboolean
housekeeping_cb (gpointer user_data)
{
  AgEpollServer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint handled = 0;
  gboolean more = TRUE;
  GList *link;

  while (more && (link = self->requesting.head) != NULL) {
    Connection *conn = link->data;

    if (now - conn->stamp < REQUEST_TIMEOUT_US)
      break;
    connection_fail (self, conn);
    more = within_budget (self, now, &handled);
  }

  while (more && (link = self->closing.head) != NULL) {
    Connection *conn = link->data;

    if (now < conn->stamp)
      break;
    connection_fail (self, conn);
    more = within_budget (self, now, &handled);
  }

  /* A connection that stayed silent for the idle time is pinged; one that stays silent for
   * another idle time after the ping is gone. */
  while (more && (link = self->open.head) != NULL) {
    Connection *conn = link->data;

    if (now - conn->stamp < KEEPALIVE_IDLE_US)
      break;

    if (conn->ping_outstanding) {
      g_debug ("connection %" G_GUINT64_FORMAT " (%s) did not answer a ping", conn->id,
               conn->peer);
      connection_fail (self, conn);
    } else {
      connection_push_control (self, conn, WSLAY_PING, NULL, 0);
      conn->ping_outstanding = TRUE;
      conn->stamp = now;
      connection_move_to (conn, &self->open);
    }
    more = within_budget (self, now, &handled);
  }

  flush_dirty (self);
  reap (self);

  return G_SOURCE_CONTINUE;
}

/* Shutdown */

static void
maybe_finish_shutdown (AgEpollServer *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->shutdown_task == NULL || g_hash_table_size (self->connections) > 0)
    return;

  task = g_steal_pointer (&self->shutdown_task);
  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_task_return_boolean (task, TRUE);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  AgEpollServer *self = user_data;
  GHashTableIter iter;
  gpointer value;

  self->shutdown_timeout_id = 0;

  g_message ("%u connection(s) did not finish the closing handshake in time",
             g_hash_table_size (self->connections));

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    connection_fail (self, value);
  reap (self);

  return G_SOURCE_REMOVE;
}

static void
ag_epoll_server_shutdown_async (AgServerTransport   *transport,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  AgEpollServer *self = AG_EPOLL_SERVER (transport);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  GHashTableIter iter;
  gpointer value;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_epoll_server_shutdown_async);

  if (self->shutdown_task != NULL) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                             "the server is already shutting down");
    return;
  }

  /* Closing a listening descriptor also takes it out of the epoll set. */
  g_ptr_array_set_size (self->listeners, 0);

  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timeout_id = g_timeout_add (SHUTDOWN_TIMEOUT_MS, shutdown_timeout_cb, self);

  /* Closing reports each connection to the hub, which may send to the others: work on a
   * copy of the table. */
  connections = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (connections, value);

  for (guint i = 0; i < connections->len; i++) {
    Connection *conn = g_ptr_array_index (connections, i);

    if (conn->state == STATE_WEBSOCKET)
      connection_close (self, conn, CLOSE_GOING_AWAY, "server shutting down");
    else
      connection_fail (self, conn);
  }

  flush_dirty (self);
  reap (self);
}

static gboolean
ag_epoll_server_shutdown_finish (AgServerTransport  *transport,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Transport */

static AgHub *
ag_epoll_server_get_hub (AgServerTransport *transport)
{
  return AG_EPOLL_SERVER (transport)->driver.hub;
}

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  close (listener->fd);
  g_free (listener);
}

static gboolean
ag_epoll_server_listen (AgServerTransport  *transport,
                        const char         *host,
                        guint16             port,
                        GError            **error)
{
  AgEpollServer *self = AG_EPOLL_SERVER (transport);
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) local_address = NULL;
  struct sockaddr_storage native;
  socklen_t length = sizeof native;
  struct epoll_event event = { 0, };
  Listener *listener;
  int one = 1;
  int fd;

  address = _ag_server_transport_parse_host (host, error);
  if (address == NULL)
    return FALSE;

  socket_address = g_inet_socket_address_new (address, port);
  if (!g_socket_address_to_native (socket_address, &native, sizeof native, error))
    return FALSE;

  fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socket: %s",
                 g_strerror (saved));
    return FALSE;
  }

  listener = g_new0 (Listener, 1);
  listener->kind = ENDPOINT_LISTENER;
  listener->fd = fd;

  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &native, g_socket_address_get_native_size (socket_address)) != 0 ||
      listen (fd, LISTEN_BACKLOG) != 0 ||
      getsockname (fd, (struct sockaddr *) &native, &length) != 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
    listener_free (listener);
    return FALSE;
  }

  event.events = EPOLLIN;
  event.data.ptr = listener;
  if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll: %s",
                 g_strerror (saved));
    listener_free (listener);
    return FALSE;
  }
  g_ptr_array_add (self->listeners, listener);

  if (self->uri == NULL) {
    local_address = g_socket_address_new_from_native (&native, length);
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local_address));
    self->uri = _ag_server_transport_uri (local_address);
  }

  return TRUE;
}

static const char *
ag_epoll_server_get_uri (AgServerTransport *transport)
{
  return AG_EPOLL_SERVER (transport)->uri;
}

static guint16
ag_epoll_server_get_port (AgServerTransport *transport)
{
  return AG_EPOLL_SERVER (transport)->port;
}

static guint
ag_epoll_server_get_n_connections (AgServerTransport *transport)
{
  return AG_EPOLL_SERVER (transport)->n_websockets;
}

static char *
ag_epoll_server_render_metrics (AgServerTransport *transport)
{
  AgEpollServer *self = AG_EPOLL_SERVER (transport);

  return ag_metrics_render (self->driver.hub, self->n_websockets, &self->counters);
}

static void
ag_epoll_server_transport_iface_init (AgServerTransportInterface *iface)
{
  iface->get_hub = ag_epoll_server_get_hub;
  iface->listen = ag_epoll_server_listen;
  iface->get_uri = ag_epoll_server_get_uri;
  iface->get_port = ag_epoll_server_get_port;
  iface->get_n_connections = ag_epoll_server_get_n_connections;
  iface->render_metrics = ag_epoll_server_render_metrics;
  iface->shutdown_async = ag_epoll_server_shutdown_async;
  iface->shutdown_finish = ag_epoll_server_shutdown_finish;
}

/* Object */

static void
ag_epoll_server_dispose (GObject *object)
{
  AgEpollServer *self = AG_EPOLL_SERVER (object);

  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_clear_handle_id (&self->housekeeping_id, g_source_remove);
  g_clear_handle_id (&self->accept_resume_id, g_source_remove);
  if (self->source != NULL) {
    g_source_destroy (self->source);
    g_clear_pointer (&self->source, g_source_unref);
  }

  if (self->listeners != NULL)
    g_ptr_array_set_size (self->listeners, 0);

  /* The hub is gone with the server: the connections need not be reported to it. */
  if (self->connections != NULL) {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->connections);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
      Connection *conn = value;

      /* Whatever the hub still sends them is looked up by id, and not found. */
      if (self->driver.hub != NULL)
        ag_hub_connection_set_sink_data (self->driver.hub, conn->id, NULL);
      conn->hub_knows = FALSE;
    }
    g_hash_table_remove_all (self->connections);
  }
  g_ptr_array_set_size (self->dirty, 0);
  g_ptr_array_set_size (self->doomed, 0);

  ag_hub_driver_clear (&self->driver);

  G_OBJECT_CLASS (ag_epoll_server_parent_class)->dispose (object);
}

static void
ag_epoll_server_finalize (GObject *object)
{
  AgEpollServer *self = AG_EPOLL_SERVER (object);

  if (self->epoll_fd >= 0)
    close (self->epoll_fd);
  if (self->reserve_fd >= 0)
    close (self->reserve_fd);
  g_ptr_array_unref (self->listeners);
  g_hash_table_unref (self->connections);
  g_ptr_array_unref (self->dirty);
  g_ptr_array_unref (self->doomed);
  ag_transport_counters_clear (&self->counters);
  g_free (self->uri);

  G_OBJECT_CLASS (ag_epoll_server_parent_class)->finalize (object);
}

static void
ag_epoll_server_class_init (AgEpollServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_epoll_server_dispose;
  object_class->finalize = ag_epoll_server_finalize;
}

static void
ag_epoll_server_init (AgEpollServer *self)
{
  self->epoll_fd = -1;
  /* Taken while descriptors are plenty, given back when they run out (accept_exhausted). */
  self->reserve_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  self->listeners = g_ptr_array_new_with_free_func (listener_free);
  self->connections = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, connection_free);
  self->dirty = g_ptr_array_new ();
  self->doomed = g_ptr_array_new ();
  ag_transport_counters_init (&self->counters);
}

/**
 * ag_epoll_server_new:
 * @engine: where the hub keeps state that outlives sessions
 * @error: return location for an error
 *
 * Creates a server, its hub and its event source on the default main context. Apps are
 * added through ag_server_transport_get_hub().
 *
 * Returns: (transfer full): a new #AgEpollServer, or %NULL with @error set
 */
AgEpollServer *
ag_epoll_server_new (AgEngine  *engine,
                     GError   **error)
{
  static const AgHubSink sink = {
    hub_send_cb, hub_close_cb, hub_queued_cb, hub_queued_total_cb, hub_send_to_cb,
  };
  g_autoptr(AgEpollServer) self = NULL;

  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AG_TYPE_EPOLL_SERVER, NULL);
  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epoll_fd < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "epoll: %s",
                 g_strerror (saved));
    return NULL;
  }

  ag_hub_driver_init (&self->driver, ag_hub_new (engine, &sink, self), hub_ticked_cb, self);
  self->driver.commit_failed = hub_commit_failed_cb;

  self->source = g_source_new (&epoll_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->source, "[agsignald] epoll");
  g_source_add_unix_fd (self->source, self->epoll_fd, G_IO_IN);
  g_source_set_callback (self->source, epoll_dispatch_cb, self, NULL);
  g_source_attach (self->source, NULL);

  self->housekeeping_id = g_timeout_add (HOUSEKEEPING_MS, housekeeping_cb, self);

  return g_steal_pointer (&self);
}
