/* bench-conn.c: minimal RFC 6455 client connections driven by one epoll set per worker */
#include "bench-conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define WS_GUID          "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define SUBPROTOCOL      "agsignal.v1"
#define HANDSHAKE_MAX    16384
#define FRAME_MAX        (16 * 1024 * 1024)  /* far above what agsignald sends */
#define OUT_MAX          (64 * 1024 * 1024)
#define IN_CHUNK         8192
#define EVENTS_MAX       512
#define TICK_NS          (10 * 1000 * 1000)
#define TEARDOWN_NS      ((gint64) 3 * 1000 * 1000 * 1000)
#define REQUEST_MAX      12288

enum {
  OPCODE_CONTINUATION = 0x0,
  OPCODE_TEXT         = 0x1,
  OPCODE_BINARY       = 0x2,
  OPCODE_CLOSE        = 0x8,
  OPCODE_PING         = 0x9,
  OPCODE_PONG         = 0xA,
};

static const char * const request_ops[] = {
  [BENCH_REQUEST_NONE]             = "none",
  [BENCH_REQUEST_LOGIN]            = "login",
  [BENCH_REQUEST_LOGOUT]           = "logout",
  [BENCH_REQUEST_PING]             = "ping",
  [BENCH_REQUEST_CHANNEL_JOIN]     = "channel_join",
  [BENCH_REQUEST_CHANNEL_SET_ATTR] = "channel_set_attr",
  [BENCH_REQUEST_CHANNEL_SEND]     = "channel_send",
  [BENCH_REQUEST_MSG_SEND]         = "msg_send",
  [BENCH_REQUEST_USER_SET_ATTR]    = "user_set_attr",
};

static void conn_parse (BenchConn *conn,
                        gint64     now_ns);

static guint32
worker_random (BenchWorker *worker)
{
  guint32 x = worker->rng;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  worker->rng = x;

  return x;
}

static void
reserve (guint8 **buffer,
         gsize   *capacity,
         gsize    needed)
{
  gsize cap;

  if (needed <= *capacity)
    return;

  cap = MAX (*capacity, 1024);
  while (cap < needed)
    cap *= 2;

  *buffer = g_realloc (*buffer, cap);
  *capacity = cap;
}

static void
conn_set_state (BenchConn      *conn,
                BenchConnState  state)
{
  if (conn->state == state)
    return;

  if (conn->state == BENCH_CONN_READY)
    conn->worker->n_ready--;
  else if (state == BENCH_CONN_READY)
    conn->worker->n_ready++;

  conn->state = state;
}

static void
conn_shutdown (BenchConn *conn,
               gint64     now_ns,
               gboolean   reset)
{
  BenchWorker *worker = conn->worker;

  if (conn->state == BENCH_CONN_CLOSED || conn->state == BENCH_CONN_IDLE)
    return;

  if (conn->fd >= 0) {
    if (reset) {
      struct linger linger = { 1, 0 };

      setsockopt (conn->fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    }
    close (conn->fd);
    conn->fd = -1;
    worker->n_open--;
  }

  conn_set_state (conn, BENCH_CONN_CLOSED);
  conn->in_len = 0;
  conn->out_start = conn->out_len = 0;
  conn->in_fragment = FALSE;
  conn->fragments_len = 0;

  if (worker->phase != NULL && worker->phase->closed != NULL)
    worker->phase->closed (conn, now_ns);
}

static void
conn_lost (BenchConn  *conn,
           gint64      now_ns,
           const char *reason)
{
  if (conn->state == BENCH_CONN_CLOSED || conn->state == BENCH_CONN_IDLE)
    return;

  if (conn->state != BENCH_CONN_CLOSING && !conn->close_expected) {
    conn->failed = TRUE;
    bench_error (conn->worker->bench, "%s: connection lost: %s", conn->account, reason);
  }

  conn_shutdown (conn, now_ns, FALSE);
}

static void
conn_fail (BenchConn  *conn,
           gint64      now_ns,
           const char *reason)
{
  conn->failed = TRUE;
  bench_error (conn->worker->bench, "%s: %s", conn->account, reason);
  conn_shutdown (conn, now_ns, TRUE);
}

static void
mark_dirty (BenchConn *conn)
{
  if (conn->in_dirty_list)
    return;

  conn->in_dirty_list = TRUE;
  g_ptr_array_add (conn->worker->dirty, conn);
}

static guint8 *
out_reserve (BenchConn *conn,
             gsize      length)
{
  if (conn->out_start == conn->out_len) {
    conn->out_start = conn->out_len = 0;
  } else if (conn->out_start > 0 && conn->out_len + length > conn->out_cap) {
    memmove (conn->out, conn->out + conn->out_start, conn->out_len - conn->out_start);
    conn->out_len -= conn->out_start;
    conn->out_start = 0;
  }

  reserve (&conn->out, &conn->out_cap, conn->out_len + length);

  return conn->out + conn->out_len;
}

/* Client frames are always masked (RFC 6455 5.3). */
static void
conn_queue_frame (BenchConn    *conn,
                  guint         opcode,
                  const guint8 *payload,
                  gsize         length)
{
  guint8 *p = out_reserve (conn, length + 14);
  guint8 *start = p;
  guint32 mask_word = worker_random (conn->worker);
  guint8 mask[4];

  *p++ = 0x80 | opcode;
  if (length < 126) {
    *p++ = 0x80 | length;
  } else if (length < 65536) {
    *p++ = 0x80 | 126;
    *p++ = length >> 8;
    *p++ = length & 0xff;
  } else {
    *p++ = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      *p++ = ((guint64) length >> shift) & 0xff;
  }

  memcpy (mask, &mask_word, 4);
  memcpy (p, mask, 4);
  p += 4;

  for (gsize i = 0; i < length; i++)
    p[i] = payload[i] ^ mask[i & 3];
  p += length;

  conn->out_len += p - start;
  conn->worker->frames_out++;

  if (conn->out_len - conn->out_start > OUT_MAX) {
    conn_fail (conn, bench_now_ns (), "the server does not read its input");
    return;
  }

  mark_dirty (conn);
}

static void
conn_flush (BenchConn *conn,
            gint64     now_ns)
{
  if (conn->fd < 0 ||
      conn->state == BENCH_CONN_CONNECTING ||
      conn->state == BENCH_CONN_CLOSED)
    return;

  while (conn->out_start < conn->out_len) {
    ssize_t n = send (conn->fd, conn->out + conn->out_start,
                      conn->out_len - conn->out_start, MSG_NOSIGNAL);

    if (n > 0) {
      conn->out_start += n;
      conn->worker->bytes_out += n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      /* Edge-triggered EPOLLOUT says when to go on. */
      return;
    } else {
      conn_lost (conn, now_ns, n < 0 ? g_strerror (errno) : "write failed");
      return;
    }
  }

  conn->out_start = conn->out_len = 0;
}

static void
worker_flush (BenchWorker *worker,
              gint64       now_ns)
{
  /* Flushing can close a conn, whose handler may queue output on another: the length is
   * read again on every turn. */
  for (guint i = 0; i < worker->dirty->len; i++) {
    BenchConn *conn = g_ptr_array_index (worker->dirty, i);

    conn->in_dirty_list = FALSE;
    conn_flush (conn, now_ns);
  }

  g_ptr_array_set_size (worker->dirty, 0);
}

static void
conn_queue_handshake (BenchConn *conn)
{
  Bench *bench = conn->worker->bench;
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autofree char *key64 = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *request = NULL;
  guint8 key[16];
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  gsize length;

  for (guint i = 0; i < sizeof key; i++)
    key[i] = worker_random (conn->worker) >> 24;
  key64 = g_base64_encode (key, sizeof key);

  g_checksum_update (sha1, (const guchar *) key64, -1);
  g_checksum_update (sha1, (const guchar *) WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);
  g_strlcpy (conn->accept, accept, sizeof conn->accept);

  request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Sec-WebSocket-Protocol: " SUBPROTOCOL "\r\n"
                             "\r\n",
                             bench->path, bench->host_header, key64);
  length = strlen (request);
  memcpy (out_reserve (conn, length), request, length);
  conn->out_len += length;
  mark_dirty (conn);
}

static gboolean
conn_check_handshake (BenchConn  *conn,
                      const char *head,
                      gsize       length)
{
  g_autofree char *text = g_strndup (head, length);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  gboolean upgrade = FALSE;
  gboolean accept = FALSE;
  gboolean protocol = FALSE;

  if (!g_str_has_prefix (lines[0], "HTTP/1.1 101")) {
    bench_error (conn->worker->bench, "%s: handshake refused: %s", conn->account, lines[0]);
    return FALSE;
  }

  for (guint i = 1; lines[i] != NULL; i++) {
    char *colon = strchr (lines[i], ':');
    const char *name;
    const char *value;

    if (colon == NULL)
      continue;

    *colon = '\0';
    name = g_strstrip (lines[i]);
    value = g_strstrip (colon + 1);

    if (g_ascii_strcasecmp (name, "Upgrade") == 0)
      upgrade = g_ascii_strcasecmp (value, "websocket") == 0;
    else if (g_ascii_strcasecmp (name, "Sec-WebSocket-Accept") == 0)
      accept = strcmp (value, conn->accept) == 0;
    else if (g_ascii_strcasecmp (name, "Sec-WebSocket-Protocol") == 0)
      protocol = strcmp (value, SUBPROTOCOL) == 0;
  }

  if (!upgrade || !accept || !protocol) {
    bench_error (conn->worker->bench, "%s: bad handshake reply:%s%s%s", conn->account,
                 upgrade ? "" : " no Upgrade: websocket",
                 accept ? "" : " wrong Sec-WebSocket-Accept",
                 protocol ? "" : " no " SUBPROTOCOL " subprotocol");
    return FALSE;
  }

  return TRUE;
}

/* Finds the member named by quoted_key ("\"op\"") in JSON object text and returns where its
 * value starts. A match inside a string value is skipped because no colon follows it. */
static const char *
json_find (const char *text,
           gsize       length,
           const char *quoted_key)
{
  gsize key_len = strlen (quoted_key);
  const char *end = text + length;
  const char *p = text;

  while (p < end) {
    const char *hit = memmem (p, end - p, quoted_key, key_len);
    const char *q;

    if (hit == NULL)
      return NULL;

    q = hit + key_len;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
      q++;
    if (q < end && *q == ':') {
      q++;
      while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
        q++;
      return q;
    }

    p = hit + 1;
  }

  return NULL;
}

/* The raw (still escaped) content of a string member. */
static const char *
json_string (const char *text,
             gsize       length,
             const char *quoted_key,
             gsize      *value_len)
{
  const char *end = text + length;
  const char *value;

  /* The server writes "op" first; look there before searching. */
  if (quoted_key[1] == 'o' && quoted_key[2] == 'p' && length > 7 &&
      memcmp (text, "{\"op\":\"", 7) == 0)
    value = text + 6;
  else
    value = json_find (text, length, quoted_key);

  if (value == NULL || value >= end || *value != '"')
    return NULL;

  value++;
  for (const char *p = value; p < end; p++) {
    if (*p == '\\')
      p++;
    else if (*p == '"') {
      *value_len = p - value;
      return value;
    }
  }

  return NULL;
}

static gboolean
json_int (const char *text,
          gsize       length,
          const char *quoted_key,
          gint64     *out)
{
  const char *end = text + length;
  const char *p = json_find (text, length, quoted_key);
  gboolean negative = FALSE;
  gint64 value = 0;

  if (p == NULL || p >= end)
    return FALSE;

  if (*p == '-') {
    negative = TRUE;
    p++;
  }

  if (p >= end || !g_ascii_isdigit (*p))
    return FALSE;

  while (p < end && g_ascii_isdigit (*p))
    value = value * 10 + (*p++ - '0');

  *out = negative ? -value : value;
  return TRUE;
}

#define OP_IS(op, len, literal) \
  ((len) == sizeof (literal) - 1 && memcmp ((op), (literal), sizeof (literal) - 1) == 0)

static void
conn_reply (BenchConn  *conn,
            const char *text,
            gsize       length,
            int         code,
            gint64      now_ns)
{
  BenchWorker *worker = conn->worker;
  gint64 id = -1;
  BenchRequest kind;

  json_int (text, length, "\"id\"", &id);
  if (conn->reply_id == conn->next_id || id != conn->reply_id) {
    bench_error (worker->bench, "%s: reply with id %" G_GINT64_FORMAT " (expected %u): %.*s",
                 conn->account, id, conn->reply_id, (int) MIN (length, 200), text);
    return;
  }

  kind = conn->pending[conn->reply_id % BENCH_PENDING_MAX];
  conn->reply_id++;

  if (code != 0) {
    const char *reason = NULL;
    gsize reason_len = 0;

    reason = json_string (text, length, "\"reason\"", &reason_len);
    bench_error (worker->bench, "%s: %s refused with %d (%.*s)", conn->account,
                 request_ops[kind], code, (int) reason_len, reason != NULL ? reason : "");
  }

  if (kind == BENCH_REQUEST_LOGIN) {
    if (code != 0) {
      conn->failed = TRUE;
      return;
    }

    conn_set_state (conn, BENCH_CONN_READY);
    conn->ready_ns = now_ns;
    g_array_append_val (worker->ready_times, now_ns);
    if (worker->phase != NULL && worker->phase->ready != NULL)
      worker->phase->ready (conn, now_ns);
    return;
  }

  if (worker->phase != NULL && worker->phase->reply != NULL)
    worker->phase->reply (conn, kind, code, now_ns);
}

static void
conn_text (BenchConn  *conn,
           const char *text,
           gsize       length,
           gint64      now_ns)
{
  BenchWorker *worker = conn->worker;
  gsize op_len = 0;
  const char *op = json_string (text, length, "\"op\"", &op_len);

  worker->frames_in++;

  if (op == NULL) {
    bench_error (worker->bench, "%s: frame without op: %.*s",
                 conn->account, (int) MIN (length, 200), text);
    return;
  }

  if (OP_IS (op, op_len, "channel_msg") || OP_IS (op, op_len, "msg")) {
    gsize msg_len = 0;
    const char *msg = json_string (text, length, "\"msg\"", &msg_len);

    if (msg == NULL) {
      bench_error (worker->bench, "%s: message without msg: %.*s",
                   conn->account, (int) MIN (length, 200), text);
      return;
    }

    if (worker->phase != NULL && worker->phase->message != NULL)
      worker->phase->message (conn, msg, msg_len, now_ns);
  } else if (OP_IS (op, op_len, "ok")) {
    conn_reply (conn, text, length, 0, now_ns);
  } else if (OP_IS (op, op_len, "error")) {
    gint64 code = -1;

    json_int (text, length, "\"code\"", &code);
    conn_reply (conn, text, length, code > 0 ? code : -1, now_ns);
  } else if (OP_IS (op, op_len, "logout")) {
    gint64 code = -1;

    json_int (text, length, "\"code\"", &code);
    if (!conn->close_expected) {
      conn->failed = TRUE;
      bench_error (worker->bench, "%s: logged out by the server with code %" G_GINT64_FORMAT,
                   conn->account, code);
    }
  }
  /* Other events (joins, leaves, attributes) are not measured. */
}

static void
conn_close_frame (BenchConn    *conn,
                  const guint8 *payload,
                  gsize         length,
                  gint64        now_ns)
{
  int code = length >= 2 ? (payload[0] << 8) | payload[1] : 1005;

  if (conn->state == BENCH_CONN_CLOSING)
    return;

  if (!conn->close_expected) {
    conn->failed = TRUE;
    bench_error (conn->worker->bench, "%s: the server closed the WebSocket with %d (%.*s)",
                 conn->account, code, (int) (length > 2 ? length - 2 : 0), payload + 2);
  }

  /* Echo the status code, as RFC 6455 5.5.1 asks; the server then closes the socket. */
  conn_queue_frame (conn, OPCODE_CLOSE, payload, MIN (length, 2));
  conn_set_state (conn, BENCH_CONN_CLOSING);
  conn->closing_ns = now_ns;
}

static void
conn_frame (BenchConn    *conn,
            guint8        b0,
            const guint8 *payload,
            gsize         length,
            gint64        now_ns)
{
  guint opcode = b0 & 0x0f;
  gboolean fin = (b0 & 0x80) != 0;

  if ((b0 & 0x70) != 0) {
    conn_fail (conn, now_ns, "frame with reserved bits set");
    return;
  }

  switch (opcode) {
  case OPCODE_TEXT:
    if (conn->in_fragment) {
      conn_fail (conn, now_ns, "text frame inside a fragmented message");
      return;
    }
    if (fin) {
      conn_text (conn, (const char *) payload, length, now_ns);
      return;
    }
    conn->in_fragment = TRUE;
    conn->fragments_len = 0;
    G_GNUC_FALLTHROUGH;

  case OPCODE_CONTINUATION:
    if (!conn->in_fragment) {
      conn_fail (conn, now_ns, "continuation frame outside a fragmented message");
      return;
    }
    if (conn->fragments_len + length > FRAME_MAX) {
      conn_fail (conn, now_ns, "fragmented message too large");
      return;
    }
    reserve (&conn->fragments, &conn->fragments_cap, conn->fragments_len + length);
    memcpy (conn->fragments + conn->fragments_len, payload, length);
    conn->fragments_len += length;
    if (fin) {
      conn->in_fragment = FALSE;
      conn_text (conn, (const char *) conn->fragments, conn->fragments_len, now_ns);
    }
    return;

  case OPCODE_BINARY:
    conn_fail (conn, now_ns, "binary frame from the server");
    return;

  case OPCODE_CLOSE:
    conn_close_frame (conn, payload, length, now_ns);
    return;

  case OPCODE_PING:
    if (length > 125 || !fin) {
      conn_fail (conn, now_ns, "malformed ping");
      return;
    }
    conn_queue_frame (conn, OPCODE_PONG, payload, length);
    return;

  case OPCODE_PONG:
    return;

  default:
    conn_fail (conn, now_ns, "frame with an unknown opcode");
    return;
  }
}

static void
conn_parse (BenchConn *conn,
            gint64     now_ns)
{
  Bench *bench = conn->worker->bench;
  gsize offset = 0;

  if (conn->state == BENCH_CONN_HANDSHAKE) {
    const guint8 *end = memmem (conn->in, conn->in_len, "\r\n\r\n", 4);

    if (end == NULL) {
      if (conn->in_len > HANDSHAKE_MAX)
        conn_fail (conn, now_ns, "handshake reply too long");
      return;
    }

    offset = end + 4 - conn->in;
    if (!conn_check_handshake (conn, (const char *) conn->in, offset)) {
      conn->failed = TRUE;
      conn_shutdown (conn, now_ns, TRUE);
      return;
    }

    conn_set_state (conn, BENCH_CONN_LOGGING_IN);
    bench_conn_request (conn, BENCH_REQUEST_LOGIN,
                        "\"app_id\":\"%s\",\"account\":\"%s\",\"token\":\"%s\"",
                        bench->app_id_json, conn->account, bench->token_json);
  }

  while (conn->state != BENCH_CONN_CLOSED) {
    const guint8 *p = conn->in + offset;
    gsize available = conn->in_len - offset;
    gsize header = 2;
    guint64 length;

    if (available < 2)
      break;

    if ((p[1] & 0x80) != 0) {
      conn_fail (conn, now_ns, "masked frame from the server");
      return;
    }

    length = p[1] & 0x7f;
    if (length == 126) {
      header = 4;
      if (available < header)
        break;
      length = ((guint64) p[2] << 8) | p[3];
    } else if (length == 127) {
      header = 10;
      if (available < header)
        break;
      length = 0;
      for (int i = 2; i < 10; i++)
        length = (length << 8) | p[i];
    }

    if (length > FRAME_MAX) {
      conn_fail (conn, now_ns, "frame too large");
      return;
    }

    if (available < header + length)
      break;

    conn->worker->bytes_in += header + length;
    conn_frame (conn, p[0], p + header, length, now_ns);
    offset += header + length;
  }

  if (conn->state == BENCH_CONN_CLOSED) {
    conn->in_len = 0;
    return;
  }

  if (offset == conn->in_len) {
    conn->in_len = 0;
  } else if (offset > 0) {
    memmove (conn->in, conn->in + offset, conn->in_len - offset);
    conn->in_len -= offset;
  }
}

static void
conn_read (BenchConn *conn,
           gint64     now_ns,
           gboolean   until_eagain)
{
  while (conn->fd >= 0) {
    gsize room;
    ssize_t n;

    reserve (&conn->in, &conn->in_cap, conn->in_len + IN_CHUNK);
    room = conn->in_cap - conn->in_len;
    n = read (conn->fd, conn->in + conn->in_len, room);

    if (n > 0) {
      conn->in_len += n;
      conn_parse (conn, now_ns);
      /* A short read emptied the socket; edge-triggered epoll reports the next data. */
      if ((gsize) n < room && !until_eagain)
        return;
    } else if (n == 0) {
      conn_lost (conn, now_ns, "end of stream");
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      conn_lost (conn, now_ns, g_strerror (errno));
      return;
    }
  }
}

static void
conn_event (BenchConn *conn,
            guint32    events,
            gint64     now_ns)
{
  if (conn->fd < 0)
    return;

  if (conn->state == BENCH_CONN_CONNECTING) {
    int error = 0;
    socklen_t error_len = sizeof error;

    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
      return;

    if (getsockopt (conn->fd, SOL_SOCKET, SO_ERROR, &error, &error_len) < 0)
      error = errno;
    if (error != 0) {
      g_autofree char *reason = g_strdup_printf ("connect: %s", g_strerror (error));

      conn_fail (conn, now_ns, reason);
      return;
    }

    conn_set_state (conn, BENCH_CONN_HANDSHAKE);
    conn_flush (conn, now_ns);
    return;
  }

  if ((events & EPOLLOUT) != 0 && conn->out_start < conn->out_len)
    conn_flush (conn, now_ns);

  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
    conn_read (conn, now_ns, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
}

gboolean
bench_conn_connect (BenchConn *conn,
                    gint64     now_ns)
{
  BenchWorker *worker = conn->worker;
  Bench *bench = worker->bench;
  struct epoll_event event = { 0 };
  int one = 1;
  int fd;

  g_assert (conn->state == BENCH_CONN_IDLE);

  fd = socket (bench->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    conn->failed = TRUE;
    bench_error (bench, "%s: socket: %s", conn->account, g_strerror (errno));
    return FALSE;
  }

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  /* The kernel's ephemeral ports allow ~28,000 connections from one address to one port;
   * more come from other loopback addresses, with the port still chosen at connect. */
  if (bench->options.sources > 1) {
    struct sockaddr_in source = {
      .sin_family = AF_INET,
      .sin_addr.s_addr = htonl (INADDR_LOOPBACK + conn->index % bench->options.sources),
    };

    setsockopt (fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind (fd, (struct sockaddr *) &source, sizeof source) < 0) {
      conn->failed = TRUE;
      bench_error (bench, "%s: bind: %s", conn->account, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  }

  if (connect (fd, (struct sockaddr *) &bench->address, bench->address_len) < 0 &&
      errno != EINPROGRESS) {
    conn->failed = TRUE;
    bench_error (bench, "%s: connect: %s", conn->account, g_strerror (errno));
    close (fd);
    return FALSE;
  }

  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.ptr = conn;
  if (epoll_ctl (worker->epfd, EPOLL_CTL_ADD, fd, &event) < 0) {
    conn->failed = TRUE;
    bench_error (bench, "%s: epoll_ctl: %s", conn->account, g_strerror (errno));
    close (fd);
    return FALSE;
  }

  conn->fd = fd;
  worker->n_open++;
  conn->connect_ns = now_ns;
  conn_set_state (conn, BENCH_CONN_CONNECTING);
  conn_queue_handshake (conn);

  return TRUE;
}

void
bench_conn_reset (BenchConn *conn)
{
  g_assert (conn->state == BENCH_CONN_IDLE || conn->state == BENCH_CONN_CLOSED);

  conn->state = BENCH_CONN_IDLE;
  conn->close_expected = FALSE;
  conn->failed = FALSE;
  conn->next_id = 1;
  conn->reply_id = 1;
}

void
bench_conn_close (BenchConn *conn,
                  gint64     now_ns)
{
  static const guint8 normal[2] = { 1000 >> 8, 1000 & 0xff };

  conn->close_expected = TRUE;

  switch (conn->state) {
  case BENCH_CONN_IDLE:
  case BENCH_CONN_CLOSED:
  case BENCH_CONN_CLOSING:
    return;

  case BENCH_CONN_CONNECTING:
  case BENCH_CONN_HANDSHAKE:
    conn_shutdown (conn, now_ns, TRUE);
    return;

  case BENCH_CONN_LOGGING_IN:
  case BENCH_CONN_READY:
  default:
    conn_queue_frame (conn, OPCODE_CLOSE, normal, sizeof normal);
    conn_set_state (conn, BENCH_CONN_CLOSING);
    conn->closing_ns = now_ns;
    return;
  }
}

void
bench_conn_abort (BenchConn *conn,
                  gint64     now_ns)
{
  conn->close_expected = TRUE;
  conn_shutdown (conn, now_ns, TRUE);
}

gboolean
bench_conn_is_open (BenchConn *conn)
{
  return conn->fd >= 0;
}

gboolean
bench_conn_can_request (BenchConn *conn)
{
  return conn->fd >= 0 &&
         (conn->state == BENCH_CONN_READY || conn->state == BENCH_CONN_LOGGING_IN) &&
         conn->next_id - conn->reply_id < BENCH_PENDING_MAX;
}

gboolean
bench_conn_request (BenchConn    *conn,
                    BenchRequest  kind,
                    const char   *fields_format,
                    ...)
{
  char buffer[REQUEST_MAX];
  guint32 id = conn->next_id;
  int length;

  if (!bench_conn_can_request (conn))
    return FALSE;

  length = g_snprintf (buffer, sizeof buffer, "{\"op\":\"%s\",\"id\":%u", request_ops[kind], id);
  if (fields_format != NULL) {
    va_list args;
    int more;

    buffer[length++] = ',';
    va_start (args, fields_format);
    more = g_vsnprintf (buffer + length, sizeof buffer - length, fields_format, args);
    va_end (args);

    if (more < 0 || (gsize) (length + more) >= sizeof buffer - 1) {
      bench_error (conn->worker->bench, "%s: %s request too long", conn->account,
                   request_ops[kind]);
      return FALSE;
    }
    length += more;
  }
  buffer[length++] = '}';

  conn->pending[id % BENCH_PENDING_MAX] = kind;
  conn->next_id++;
  conn_queue_frame (conn, OPCODE_TEXT, (const guint8 *) buffer, length);

  return conn->fd >= 0;
}

BenchWorker *
bench_worker_new (Bench *bench,
                  guint  index)
{
  BenchWorker *worker = g_new0 (BenchWorker, 1);

  worker->bench = bench;
  worker->index = index;
  worker->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (worker->epfd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));
  worker->conns = g_ptr_array_new ();
  worker->dirty = g_ptr_array_new ();
  worker->rng = g_random_int () | 1;
  worker->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  worker->ready_times = g_array_new (FALSE, FALSE, sizeof (gint64));

  return worker;
}

static void
bench_conn_free (BenchConn *conn)
{
  if (conn->fd >= 0) {
    struct linger linger = { 1, 0 };

    setsockopt (conn->fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    close (conn->fd);
  }

  g_free (conn->account);
  g_free (conn->in);
  g_free (conn->out);
  g_free (conn->fragments);
  g_free (conn->next_seq);
  g_free (conn);
}

void
bench_worker_free (BenchWorker *worker)
{
  for (guint i = 0; i < worker->conns->len; i++)
    bench_conn_free (g_ptr_array_index (worker->conns, i));
  g_ptr_array_unref (worker->conns);
  g_ptr_array_unref (worker->dirty);
  g_array_unref (worker->latencies);
  g_array_unref (worker->ready_times);
  close (worker->epfd);
  g_free (worker);
}

BenchConn *
bench_worker_add_conn (BenchWorker *worker,
                       guint        index,
                       const char  *account)
{
  BenchConn *conn = g_new0 (BenchConn, 1);

  conn->worker = worker;
  conn->index = index;
  conn->account = g_strdup (account);
  conn->fd = -1;
  conn->state = BENCH_CONN_IDLE;
  conn->next_id = 1;
  conn->reply_id = 1;
  g_ptr_array_add (worker->conns, conn);

  return conn;
}

static gpointer
worker_run (gpointer data)
{
  BenchWorker *worker = data;
  Bench *bench = worker->bench;
  const BenchPhase *phase = worker->phase;
  struct epoll_event events[EVENTS_MAX];

  for (;;) {
    gint64 now_ns = bench_now_ns ();
    gint64 wait_ns;
    int n;

    if (now_ns >= bench->deadline_ns &&
        g_atomic_int_compare_and_exchange (&bench->stop, 0, 1))
      bench_error (bench, "deadline of %.0f s reached during phase %s",
                   bench->options.deadline, phase->name);

    if (bench_stopped (bench))
      break;

    worker->wake_ns = now_ns + TICK_NS;
    if (phase->tick != NULL)
      phase->tick (worker, now_ns);
    worker_flush (worker, now_ns);

    if (phase->done (worker, now_ns))
      break;

    wait_ns = MIN (worker->wake_ns, bench->deadline_ns) - now_ns;
    n = epoll_wait (worker->epfd, events, EVENTS_MAX,
                    wait_ns <= 0 ? 0 : (int) ((wait_ns + 999999) / 1000000));
    if (n < 0 && errno != EINTR)
      g_error ("epoll_wait: %s", g_strerror (errno));

    /* A fresh time per event: handling a full batch takes long enough to skew the
     * latencies of the last events in it. */
    for (int i = 0; i < n; i++)
      conn_event (events[i].data.ptr, events[i].events, bench_now_ns ());
    worker_flush (worker, bench_now_ns ());
  }

  return NULL;
}

gboolean
bench_run_phase (Bench            *bench,
                 const BenchPhase *phase)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gint64 now_ns = bench_now_ns ();

  for (guint i = 0; i < bench->n_workers; i++) {
    bench->workers[i]->phase = phase;
    bench->workers[i]->phase_start_ns = now_ns;
    bench->workers[i]->cursor = 0;
  }

  for (guint i = 1; i < bench->n_workers; i++)
    g_ptr_array_add (threads, g_thread_new ("bench-worker", worker_run, bench->workers[i]));

  worker_run (bench->workers[0]);

  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  for (guint i = 0; i < bench->n_workers; i++)
    bench->workers[i]->phase = NULL;

  return !bench_stopped (bench);
}

/* Connects and logs in every conn of the worker, a bounded number at a time. */
static void
login_all_tick (BenchWorker *worker,
                gint64       now_ns)
{
  Bench *bench = worker->bench;
  guint in_flight = MAX (1, bench->options.concurrency / (int) bench->n_workers);

  while (worker->cursor < worker->conns->len &&
         worker->n_open - worker->n_ready < in_flight &&
         bench_errors (bench) == 0) {
    BenchConn *conn = g_ptr_array_index (worker->conns, worker->cursor++);

    bench_conn_connect (conn, now_ns);
  }
}

static gboolean
login_all_done (BenchWorker *worker,
                gint64       now_ns)
{
  return worker->n_ready == worker->conns->len || bench_errors (worker->bench) > 0;
}

const BenchPhase bench_phase_login_all = {
  .name = "login",
  .tick = login_all_tick,
  .done = login_all_done,
};

/* Closes every conn with a close frame, and with a reset whatever is still open later. */
static void
teardown_tick (BenchWorker *worker,
               gint64       now_ns)
{
  gboolean late = now_ns - worker->phase_start_ns > TEARDOWN_NS;

  /* cursor: 0 before the close frames, 1 after them, 2 after the resets. */
  if (worker->cursor == 2 || (worker->cursor == 1 && !late))
    return;

  for (guint i = 0; i < worker->conns->len; i++) {
    BenchConn *conn = g_ptr_array_index (worker->conns, i);

    if (late)
      bench_conn_abort (conn, now_ns);
    else
      bench_conn_close (conn, now_ns);
  }

  worker->cursor = late ? 2 : 1;
}

static gboolean
teardown_done (BenchWorker *worker,
               gint64       now_ns)
{
  return worker->n_open == 0;
}

const BenchPhase bench_phase_teardown = {
  .name = "teardown",
  .tick = teardown_tick,
  .done = teardown_done,
};
