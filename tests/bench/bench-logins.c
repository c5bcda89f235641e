/* bench-logins.c: connect, log in, log out, again and again.
 *
 * --concurrency slots each run one cycle at a time: connect, WebSocket handshake, login,
 * logout, and the server's close. Each slot keeps its account, so no cycle kicks another
 * session out and the server's account table stays the same size.
 */
#include <math.h>

#include "bench-conn.h"
#include "bench-proc.h"
#include "bench-report.h"
#include "bench-scenarios.h"

typedef struct {
  guint64 *quota;           /* per worker */
  guint64 *started;         /* per worker */
  guint64 *completed;       /* per worker */
  gint64  *last_close_ns;   /* per worker */
  gint64   until_ns;
} Logins;

#define LOGINS(worker) ((Logins *) (worker)->phase->data)

static void
logins_tick (BenchWorker *worker,
             gint64       now_ns)
{
  Logins *l = LOGINS (worker);
  guint w = worker->index;

  for (guint i = 0; i < worker->conns->len && l->started[w] < l->quota[w] && now_ns < l->until_ns; i++) {
    BenchConn *conn = g_ptr_array_index (worker->conns, i);

    if (conn->state != BENCH_CONN_IDLE && conn->state != BENCH_CONN_CLOSED)
      continue;

    bench_conn_reset (conn);
    l->started[w]++;
    bench_conn_connect (conn, now_ns);
  }
}

static void
logins_ready (BenchConn *conn,
              gint64     now_ns)
{
  gint64 latency_ns = now_ns - conn->connect_ns;

  g_array_append_val (conn->worker->latencies, latency_ns);
  conn->close_expected = TRUE;
  bench_conn_request (conn, BENCH_REQUEST_LOGOUT, NULL);
}

static void
logins_closed (BenchConn *conn,
               gint64     now_ns)
{
  Logins *l = LOGINS (conn->worker);

  if (!conn->failed)
    l->completed[conn->worker->index]++;
  l->last_close_ns[conn->worker->index] = now_ns;
}

static gboolean
logins_done (BenchWorker *worker,
             gint64       now_ns)
{
  Logins *l = LOGINS (worker);
  guint w = worker->index;

  return (l->started[w] >= l->quota[w] || now_ns >= l->until_ns) && worker->n_open == 0;
}

int
bench_logins (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  Logins l = { 0 };
  const BenchPhase cycle = {
    .name = "logins",
    .tick = logins_tick,
    .done = logins_done,
    .ready = logins_ready,
    .closed = logins_closed,
    .data = &l,
  };
  BenchReport *report;
  BenchWindow window = { 0 };
  BenchLatency latency = { 0 };
  guint slots = MIN ((guint) o->concurrency, (guint) o->logins);
  guint64 started = 0;
  guint64 completed = 0;
  gint64 start_ns;
  gint64 last_ns = 0;
  double seconds = NAN;
  gboolean ok;

  l.quota = g_new0 (guint64, bench->n_workers);
  l.started = g_new0 (guint64, bench->n_workers);
  l.completed = g_new0 (guint64, bench->n_workers);
  l.last_close_ns = g_new0 (gint64, bench->n_workers);

  for (guint w = 0; w < bench->n_workers; w++)
    l.quota[w] = o->logins / bench->n_workers + (w < o->logins % bench->n_workers ? 1 : 0);

  for (guint i = 0; i < slots; i++) {
    g_autofree char *account = g_strdup_printf ("%s-l%u", bench->tag, i);

    bench_worker_add_conn (bench->workers[i % bench->n_workers], i, account);
  }

  g_print ("logins: %d cycles (connect, login, logout, close), %u at a time, %u thread(s)\n",
           o->logins, slots, bench->n_workers);

  bench_window_begin (&window, o->server_pid);
  start_ns = window.server_before.wall_ns;
  l.until_ns = start_ns + (gint64) (o->seconds * 1e9);
  bench_run_phase (bench, &cycle);
  bench_window_end (&window, o->server_pid);
  bench_latency_collect (bench, &latency);

  for (guint w = 0; w < bench->n_workers; w++) {
    started += l.started[w];
    completed += l.completed[w];
    last_ns = MAX (last_ns, l.last_close_ns[w]);
  }
  if (last_ns > start_ns)
    seconds = (last_ns - start_ns) / 1e9;

  ok = !bench_stopped (bench) && bench_errors (bench) == 0 && completed == started &&
       completed > 0;

  g_print ("  %" G_GUINT64_FORMAT " cycles in %.2f s = %.0f logins/s; server CPU %.1f us per "
           "login (%.0f%% of a core), ag-bench CPU %.1f us per login; other processes %.0f%% of "
           "a core\n",
           completed, seconds, bench_ratio (completed, seconds),
           bench_ratio (bench_window_server_cpu_us (&window), completed),
           bench_ratio (bench_window_server_cpu_us (&window), bench_window_seconds (&window) * 1e4),
           bench_ratio (bench_window_self_cpu_us (&window), completed),
           bench_ratio (bench_window_other_cpu_us (&window), bench_window_seconds (&window) * 1e4));
  g_print ("  connect to login reply: p50 %.0f us, p99 %.0f us, max %.0f us\n",
           latency.p50_us, latency.p99_us, latency.max_us);
  g_print ("  errors: %d -> %s\n", bench_errors (bench), ok ? "PASS" : "FAIL");

  report = bench_report_new ("logins");
  bench_report_int (report, "concurrency", slots);
  bench_report_int (report, "threads", bench->n_workers);
  bench_report_int (report, "started", started);
  bench_report_int (report, "completed", completed);
  bench_report_double (report, "seconds", seconds);
  bench_report_double (report, "logins_per_s", bench_ratio (completed, seconds));
  bench_report_double (report, "server_cpu_us_per_login",
                       bench_ratio (bench_window_server_cpu_us (&window), completed));
  bench_report_double (report, "server_cpu_percent",
                       bench_ratio (bench_window_server_cpu_us (&window),
                                    bench_window_seconds (&window) * 1e4));
  bench_report_double (report, "client_cpu_us_per_login",
                       bench_ratio (bench_window_self_cpu_us (&window), completed));
  bench_report_double (report, "other_cpu_percent",
                       bench_ratio (bench_window_other_cpu_us (&window),
                                    bench_window_seconds (&window) * 1e4));
  bench_report_latency (report, "login", &latency);
  bench_report_int (report, "errors", bench_errors (bench));
  bench_report_bool (report, "ok", ok);
  bench_report_print (report);

  g_free (l.quota);
  g_free (l.started);
  g_free (l.completed);
  g_free (l.last_close_ns);

  return ok ? 0 : 1;
}
