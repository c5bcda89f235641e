/* bench-conn.h: minimal RFC 6455 client connections driven by one epoll set per worker.
 *
 * A BenchConn is a non-blocking TCP socket speaking just enough WebSocket for agsignald:
 * the upgrade handshake (Sec-WebSocket-Key/Accept and the agsignal.v1 subprotocol checked),
 * masked text frames out, unmasked frames in (7, 16 and 64-bit lengths, fragments, ping ->
 * pong, close). Incoming JSON is not parsed: the few fields a scenario needs ("op", "id",
 * "code", "msg") are scanned for. Requests are answered in order (docs/protocol.md), so the
 * kind of each outstanding request is kept in a ring indexed by its id.
 */
#pragma once

#include "bench.h"

G_BEGIN_DECLS

#define BENCH_PENDING_MAX 4096

typedef enum {
  BENCH_CONN_IDLE,         /* never connected, or reset for another round */
  BENCH_CONN_CONNECTING,
  BENCH_CONN_HANDSHAKE,
  BENCH_CONN_LOGGING_IN,
  BENCH_CONN_READY,        /* logged in */
  BENCH_CONN_CLOSING,      /* a close frame went out or came in; waiting for the end */
  BENCH_CONN_CLOSED,
} BenchConnState;

struct _BenchConn {
  BenchWorker    *worker;
  guint           index;            /* position in the scenario */
  char           *account;
  int             fd;
  BenchConnState  state;
  gboolean        close_expected;   /* logout or teardown: the end is no error */
  gboolean        failed;
  gboolean        in_dirty_list;
  gint64          connect_ns;
  gint64          ready_ns;
  gint64          closing_ns;
  char            accept[32];       /* the Sec-WebSocket-Accept the server must answer */

  guint8         *in;
  gsize           in_len;
  gsize           in_cap;
  guint8         *out;
  gsize           out_start;        /* first byte not yet written */
  gsize           out_len;
  gsize           out_cap;
  guint8         *fragments;        /* a fragmented text message being put together */
  gsize           fragments_len;
  gsize           fragments_cap;
  gboolean        in_fragment;

  guint32         next_id;
  guint32         reply_id;         /* id of the oldest request not answered yet */
  guint8          pending[BENCH_PENDING_MAX];

  /* Scenario counters. */
  guint64         sent;             /* messages sent */
  guint64         replied;          /* replies to them */
  guint64         accepted;         /* ok replies to them */
  guint64         received;         /* messages delivered to this connection */
  guint64         reordered;        /* delivered out of order or twice */
  guint64        *next_seq;         /* per sender: the sequence number expected next */
  guint           n_next_seq;
  BenchConn      *peer;
  gboolean        done;             /* finished sending */
  gboolean        complete;         /* received all it expects */
};

struct _BenchPhase {
  const char *name;
  /* Once per loop turn, before waiting. May lower worker->wake_ns. */
  void     (*tick)    (BenchWorker  *worker,
                       gint64        now_ns);
  /* Whether this worker's part of the phase is over. */
  gboolean (*done)    (BenchWorker  *worker,
                       gint64        now_ns);
  void     (*ready)   (BenchConn    *conn,
                       gint64        now_ns);
  /* code is 0 for "ok", else the error code (already counted as an error). */
  void     (*reply)   (BenchConn    *conn,
                       BenchRequest  kind,
                       int           code,
                       gint64        now_ns);
  /* A "msg" or "channel_msg" event; text is the raw content of its "msg" string. */
  void     (*message) (BenchConn    *conn,
                       const char   *text,
                       gsize         length,
                       gint64        now_ns);
  void     (*closed)  (BenchConn    *conn,
                       gint64        now_ns);
  gpointer    data;
};

struct _BenchWorker {
  Bench             *bench;
  guint              index;
  int                epfd;
  GPtrArray         *conns;          /* BenchConn, owned */
  GPtrArray         *dirty;          /* conns with output to write */
  const BenchPhase  *phase;
  guint32            rng;
  gint64             wake_ns;        /* tick lowers this to be woken up in time */
  gint64             phase_start_ns;

  guint              n_open;         /* sockets open */
  guint              n_ready;        /* conns logged in right now */
  guint              cursor;         /* next conn a setup phase starts */

  GArray            *latencies;      /* gint64 ns, one per delivered message measured */
  GArray            *ready_times;    /* gint64 ns, when each login completed */
  guint64            delivered;
  gint64             first_send_ns;
  gint64             last_delivery_ns;
  guint64            frames_in;
  guint64            frames_out;
  guint64            bytes_in;
  guint64            bytes_out;
};

BenchWorker *bench_worker_new       (Bench          *bench,
                                     guint           index);
void         bench_worker_free      (BenchWorker    *worker);
BenchConn   *bench_worker_add_conn  (BenchWorker    *worker,
                                     guint           index,
                                     const char     *account);

/* Runs the phase on every worker (one thread each) until each is done. FALSE when the
 * deadline stopped it. */
gboolean     bench_run_phase        (Bench          *bench,
                                     const BenchPhase *phase);

/* Starts connecting; login follows the handshake by itself. */
gboolean     bench_conn_connect     (BenchConn      *conn,
                                     gint64          now_ns);
/* Back to BENCH_CONN_IDLE so the conn can connect again; counters are kept. */
void         bench_conn_reset       (BenchConn      *conn);
/* Sends a close frame; the conn ends when the server closes the socket. */
void         bench_conn_close       (BenchConn      *conn,
                                     gint64          now_ns);
/* Closes the socket at once (with a reset, so no TIME_WAIT is left behind). */
void         bench_conn_abort       (BenchConn      *conn,
                                     gint64          now_ns);
gboolean     bench_conn_can_request (BenchConn      *conn);
/* Sends {"op":OP,"id":N,FIELDS}; fields_format is the JSON text of the other members. */
gboolean     bench_conn_request     (BenchConn      *conn,
                                     BenchRequest    kind,
                                     const char     *fields_format,
                                     ...) G_GNUC_PRINTF (3, 4);
gboolean     bench_conn_is_open     (BenchConn      *conn);

/* Ready-made phases shared by the scenarios. */
extern const BenchPhase bench_phase_login_all;
extern const BenchPhase bench_phase_teardown;

G_END_DECLS
