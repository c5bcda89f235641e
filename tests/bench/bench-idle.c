/* bench-idle.c: many idle logged-in sessions.
 *
 * Measures how connecting and logging in slows down as sessions pile up (time per 1,000,
 * first and last), what each session costs in server RSS, what the idle sessions cost in
 * server CPU, and that all of them still answer a ping at the end.
 */
#include <math.h>

#include "bench-conn.h"
#include "bench-proc.h"
#include "bench-report.h"
#include "bench-scenarios.h"

typedef struct {
  guint *pinged;            /* per worker: ping replies */
} Idle;

#define IDLE(worker) ((Idle *) (worker)->phase->data)

static gboolean
hold_done (BenchWorker *worker,
           gint64       now_ns)
{
  return now_ns - worker->phase_start_ns >= (gint64) (worker->bench->options.hold * 1e9);
}

static void
ping_tick (BenchWorker *worker,
           gint64       now_ns)
{
  if (worker->cursor != 0)
    return;

  for (guint i = 0; i < worker->conns->len; i++)
    bench_conn_request (g_ptr_array_index (worker->conns, i), BENCH_REQUEST_PING, NULL);
  worker->cursor = 1;
}

static void
ping_reply (BenchConn    *conn,
            BenchRequest  kind,
            int           code,
            gint64        now_ns)
{
  if (kind == BENCH_REQUEST_PING && code == 0)
    IDLE (conn->worker)->pinged[conn->worker->index]++;
}

static gboolean
ping_done (BenchWorker *worker,
           gint64       now_ns)
{
  return IDLE (worker)->pinged[worker->index] == worker->conns->len ||
         bench_errors (worker->bench) > 0;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

int
bench_idle (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  Idle idle = { 0 };
  const BenchPhase hold = { .name = "hold", .done = hold_done, .data = &idle };
  const BenchPhase ping = {
    .name = "ping", .tick = ping_tick, .done = ping_done, .reply = ping_reply, .data = &idle,
  };
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (double));
  BenchReport *report;
  BenchWindow setup = { 0 };
  BenchWindow held = { 0 };
  BenchProcSample after_ping = { 0 };
  guint n = o->sessions;
  double total_s = NAN;
  double first_1000_s = NAN;
  double last_1000_s = NAN;
  double ping_s = NAN;
  double rss_per_session_kb = NAN;
  gint64 start_ns;
  gint64 ping_start_ns;
  gboolean ok;

  idle.pinged = g_new0 (guint, bench->n_workers);

  for (guint i = 0; i < n; i++) {
    g_autofree char *account = g_strdup_printf ("%s-i%u", bench->tag, i);

    bench_worker_add_conn (bench->workers[i % bench->n_workers], i, account);
  }

  g_print ("idle: %u sessions, %d connecting at a time, %u thread(s)\n",
           n, o->concurrency, bench->n_workers);

  bench_window_begin (&setup, o->server_pid);
  start_ns = setup.server_before.wall_ns;
  ok = bench_run_phase (bench, &bench_phase_login_all) && bench_errors (bench) == 0;
  bench_window_end (&setup, o->server_pid);

  for (guint w = 0; w < bench->n_workers; w++)
    g_array_append_vals (ready, bench->workers[w]->ready_times->data,
                         bench->workers[w]->ready_times->len);
  g_array_sort (ready, compare_gint64);

  if (ready->len > 0) {
    const gint64 *t = (const gint64 *) ready->data;
    guint block = MIN (1000, ready->len);

    total_s = (t[ready->len - 1] - start_ns) / 1e9;
    for (guint i = 1000; i <= ready->len; i += 1000) {
      double block_ms = (t[i - 1] - (i == 1000 ? start_ns : t[i - 1001])) / 1e6;

      g_array_append_val (blocks, block_ms);
    }
    first_1000_s = (t[block - 1] - start_ns) / 1e9;
    last_1000_s = ready->len > 1000 ? (t[ready->len - 1] - t[ready->len - 1001]) / 1e9 :
                                      first_1000_s;
  }

  if (setup.server_before.valid && setup.server_after.valid)
    rss_per_session_kb = (setup.server_after.rss_kb - setup.server_before.rss_kb) / (double) n;

  g_print ("  connect + login: %u in %.2f s = %.1f ms per 1,000 (first 1,000 %.1f ms, "
           "last 1,000 %.1f ms), server CPU %.1f us per login; other processes %.0f%% of a core\n",
           ready->len, total_s, total_s * 1e6 / n, first_1000_s * 1e3, last_1000_s * 1e3,
           bench_ratio (bench_window_server_cpu_us (&setup), ready->len),
           bench_ratio (bench_window_other_cpu_us (&setup), bench_window_seconds (&setup) * 1e4));
  g_print ("  server RSS: %" G_GINT64_FORMAT " kB before, %" G_GINT64_FORMAT " kB after = "
           "%.2f kB per session\n",
           setup.server_before.rss_kb, setup.server_after.rss_kb, rss_per_session_kb);

  if (ok) {
    bench_window_begin (&held, o->server_pid);
    ok = bench_run_phase (bench, &hold);
    bench_window_end (&held, o->server_pid);
    g_print ("  held idle for %.1f s: server CPU %.2f%% of a core\n",
             bench_window_seconds (&held),
             bench_ratio (bench_window_server_cpu_us (&held), bench_window_seconds (&held) * 1e4));
  }

  if (ok) {
    ping_start_ns = bench_now_ns ();
    ok = bench_run_phase (bench, &ping) && bench_errors (bench) == 0;
    ping_s = (bench_now_ns () - ping_start_ns) / 1e9;
    bench_proc_sample (o->server_pid, &after_ping);
    g_print ("  ping from every session: answered in %.1f ms; server RSS %" G_GINT64_FORMAT " kB\n",
             ping_s * 1e3, after_ping.rss_kb);
  }

  if (!bench_stopped (bench))
    bench_run_phase (bench, &bench_phase_teardown);

  ok = ok && !bench_stopped (bench) && bench_errors (bench) == 0 && ready->len == n;
  g_print ("  errors: %d -> %s\n", bench_errors (bench), ok ? "PASS" : "FAIL");

  report = bench_report_new ("idle");
  bench_report_int (report, "sessions", n);
  bench_report_int (report, "concurrency", o->concurrency);
  bench_report_int (report, "threads", bench->n_workers);
  bench_report_int (report, "logged_in", ready->len);
  bench_report_double (report, "connect_s", total_s);
  bench_report_double (report, "ms_per_1000", total_s * 1e6 / n);
  bench_report_double (report, "first_1000_ms", first_1000_s * 1e3);
  bench_report_double (report, "last_1000_ms", last_1000_s * 1e3);
  bench_report_doubles (report, "each_1000_ms", (const double *) blocks->data, blocks->len);
  bench_report_double (report, "server_cpu_us_per_login",
                       bench_ratio (bench_window_server_cpu_us (&setup), ready->len));
  bench_report_double (report, "other_cpu_percent",
                       bench_ratio (bench_window_other_cpu_us (&setup),
                                    bench_window_seconds (&setup) * 1e4));
  bench_report_int (report, "rss_before_kb", setup.server_before.rss_kb);
  bench_report_int (report, "rss_after_kb", setup.server_after.rss_kb);
  bench_report_double (report, "rss_per_session_kb", rss_per_session_kb);
  bench_report_double (report, "idle_server_cpu_percent",
                       bench_ratio (bench_window_server_cpu_us (&held),
                                    bench_window_seconds (&held) * 1e4));
  bench_report_double (report, "ping_all_ms", ping_s * 1e3);
  bench_report_int (report, "errors", bench_errors (bench));
  bench_report_bool (report, "ok", ok);
  bench_report_print (report);

  g_free (idle.pinged);

  return ok ? 0 : 1;
}
