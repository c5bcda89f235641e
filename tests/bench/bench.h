/* bench.h: shared state of ag-bench, the load program for agsignald.
 *
 * ag-bench drives thousands of WebSocket connections from a few threads. Each BenchWorker
 * owns an epoll set and the connections assigned to it; a scenario runs as a sequence of
 * phases (connect and log in, join, publish, drain, close), and every worker runs each phase
 * until its own part of the phase is done. Workers share only the atomics in Bench and the
 * scenario's own atomic counters.
 */
#pragma once

#include <glib.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct _Bench       Bench;
typedef struct _BenchWorker BenchWorker;
typedef struct _BenchConn   BenchConn;
typedef struct _BenchPhase  BenchPhase;

typedef enum {
  BENCH_REQUEST_NONE,
  BENCH_REQUEST_LOGIN,
  BENCH_REQUEST_LOGOUT,
  BENCH_REQUEST_PING,
  BENCH_REQUEST_CHANNEL_JOIN,
  BENCH_REQUEST_CHANNEL_SET_ATTR,
  BENCH_REQUEST_CHANNEL_SEND,
  BENCH_REQUEST_MSG_SEND,
  BENCH_REQUEST_USER_SET_ATTR,
} BenchRequest;

typedef struct {
  char   *server;
  int     server_pid;
  char   *app_id;
  char   *token;
  int     threads;
  double  deadline;          /* seconds after start when everything stops */
  int     concurrency;       /* connections being set up at the same time */
  int     msg_size;          /* bytes of every msg text */
  int     messages;          /* scenario-specific count, -1 for the default */
  double  seconds;           /* time cap of the measured phase */
  double  drain_timeout;     /* how long to wait for deliveries after the last send */
  int     window;            /* outstanding messages per sender */
  int     sources;           /* IPv4 loopback source addresses connections spread over */

  /* fanout */
  int     members;
  int     publishers;
  double  rate;
  double  latency_seconds;

  /* peer */
  int     pairs;

  /* idle */
  int     sessions;
  double  hold;

  /* logins */
  int     logins;

  /* durable */
  int     writers;
  int     ttl;
  char   *state_file;
  char   *state_sync;        /* reported only: the server's --state-sync */
  char   *engine;            /* reported only: the server's --engine */
  double  expire_wait;
} BenchOptions;

struct _Bench {
  BenchOptions             options;
  struct sockaddr_storage  address;
  socklen_t                address_len;
  char                    *host_header;
  char                    *path;
  char                    *app_id_json;   /* JSON-escaped for the login request */
  char                    *token_json;
  char                     tag[24];       /* keeps the names of one run apart */
  gint64                   start_ns;
  gint64                   deadline_ns;

  BenchWorker            **workers;
  guint                    n_workers;

  /* Atomics. */
  int                      stop;          /* the deadline passed: every phase ends */
  int                      errors;        /* protocol errors, error replies, lost connections */
};

gint64   bench_now_ns    (void);
void     bench_error     (Bench      *bench,
                          const char *format,
                          ...) G_GNUC_PRINTF (2, 3);
int      bench_errors    (Bench      *bench);
gboolean bench_stopped   (Bench      *bench);

/* Appends text to str with the escapes a JSON string needs. */
void     bench_json_escape (GString    *str,
                            const char *text);

G_END_DECLS
