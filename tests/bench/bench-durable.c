/* bench-durable.c: writes of durable state: user_set_attr, then msg_send to offline peers.
 *
 * --writers sessions keep --window requests each in flight; the rate is that of the replies,
 * and the latency of each request runs from its send to its reply, so it includes the
 * commit a state file adds before the reply may leave. Each writer overwrites its own 100
 * attributes, and sends its messages to peers that never log in, 1,000 per peer (the
 * offline queue limit). With --state-file the size of the server's state file (and its
 * write-ahead log) is reported after each phase and, with --expire-wait, once the messages
 * have expired. --engine only names the server's Redis in the report (run-bench measures the
 * redis-server's CPU).
 */
#include <glib/gstdio.h>
#include <math.h>

#include "bench-conn.h"
#include "bench-msg.h"
#include "bench-proc.h"
#include "bench-report.h"
#include "bench-scenarios.h"

#define SWEEP_NS         (5 * 1000 * 1000)
#define RING             BENCH_PENDING_MAX
#define ATTRS_PER_WRITER 100
#define QUEUE_PER_PEER   1000

typedef struct {
  Bench        *bench;
  BenchRequest  kind;
  guint64       quota;          /* requests in all */
  gint64        send_until_ns;
  gint64       *next_sweep_ns;  /* per worker */
  guint        *done;           /* per worker */
  gint64       *sent_ns;        /* RING per writer */
} Durable;

typedef struct {
  guint64      replied;
  guint64      accepted;
  double       seconds;
  BenchWindow  window;
  BenchLatency latency;
  gint64       file_bytes;
} DurableResult;

#define DURABLE(worker) ((Durable *) (worker)->phase->data)

static guint64
durable_quota (Durable   *d,
               BenchConn *conn)
{
  guint writers = d->bench->options.writers;

  return d->quota / writers + (conn->index < d->quota % writers ? 1 : 0);
}

static void
durable_set_done (Durable   *d,
                  BenchConn *conn)
{
  conn->done = TRUE;
  d->done[conn->worker->index]++;
}

static void
durable_pump (Durable   *d,
              BenchConn *conn,
              gint64     now_ns)
{
  const BenchOptions *o = &d->bench->options;
  guint64 quota = durable_quota (d, conn);
  gboolean more;

  if (conn->done)
    return;

  if (!bench_conn_is_open (conn)) {
    durable_set_done (d, conn);
    return;
  }

  more = conn->sent < quota && now_ns < d->send_until_ns;
  while (more && conn->sent - conn->replied < (guint64) MIN (o->window, RING)) {
    gint64 sent_ns = bench_now_ns ();
    gboolean queued;

    if (d->kind == BENCH_REQUEST_USER_SET_ATTR) {
      queued = bench_conn_request (conn, d->kind, "\"name\":\"a%" G_GUINT64_FORMAT "\","
                                   "\"value\":\"%" G_GUINT64_FORMAT "\"",
                                   conn->sent % ATTRS_PER_WRITER, conn->sent);
    } else {
      char text[BENCH_MSG_MAX + 1];
      BenchMsg msg = { .kind = 'O', .sender = conn->index, .seq = conn->sent + 1,
                       .sent_ns = sent_ns };

      bench_msg_format (text, &msg, o->msg_size);
      queued = bench_conn_request (conn, d->kind, "\"peer\":\"%s-in%" G_GUINT64_FORMAT "\","
                                   "\"msg\":\"%s\",\"ttl\":%d",
                                   conn->account, conn->sent / QUEUE_PER_PEER, text, o->ttl);
    }
    if (!queued)
      break;

    d->sent_ns[conn->index * RING + conn->sent % RING] = sent_ns;
    conn->sent++;
    if (conn->worker->first_send_ns == 0)
      conn->worker->first_send_ns = sent_ns;
    more = conn->sent < quota;
  }

  if (!more && conn->replied == conn->sent)
    durable_set_done (d, conn);
}

static void
durable_tick (BenchWorker *worker,
              gint64       now_ns)
{
  Durable *d = DURABLE (worker);

  if (now_ns < d->next_sweep_ns[worker->index])
    return;

  d->next_sweep_ns[worker->index] = now_ns + SWEEP_NS;
  for (guint i = 0; i < worker->conns->len; i++)
    durable_pump (d, g_ptr_array_index (worker->conns, i), now_ns);
}

static void
durable_reply (BenchConn    *conn,
               BenchRequest  kind,
               int           code,
               gint64        now_ns)
{
  Durable *d = DURABLE (conn->worker);
  gint64 latency_ns;

  if (kind != d->kind)
    return;

  /* Replies come in request order. */
  latency_ns = now_ns - d->sent_ns[conn->index * RING + conn->replied % RING];
  g_array_append_val (conn->worker->latencies, latency_ns);
  conn->replied++;
  if (code == 0)
    conn->accepted++;
  conn->worker->delivered++;
  conn->worker->last_delivery_ns = now_ns;
  durable_pump (d, conn, now_ns);
}

static void
durable_closed (BenchConn *conn,
                gint64     now_ns)
{
  Durable *d = DURABLE (conn->worker);

  if (!conn->done)
    durable_set_done (d, conn);
}

static gboolean
durable_done (BenchWorker *worker,
              gint64       now_ns)
{
  return DURABLE (worker)->done[worker->index] == worker->conns->len;
}

/* The state file and its write-ahead log, or -1 without --state-file. */
static gint64
state_file_bytes (const BenchOptions *o)
{
  g_autofree char *wal = NULL;
  GStatBuf info;
  gint64 bytes;

  if (o->state_file == NULL || g_stat (o->state_file, &info) != 0)
    return -1;

  bytes = info.st_size;
  wal = g_strconcat (o->state_file, "-wal", NULL);
  if (g_stat (wal, &info) == 0)
    bytes += info.st_size;

  return bytes;
}

static void
durable_run (Bench         *bench,
             BenchRequest   kind,
             guint64        quota,
             DurableResult *result)
{
  const BenchOptions *o = &bench->options;
  Durable d = { 0 };
  const BenchPhase phase = {
    .name = kind == BENCH_REQUEST_USER_SET_ATTR ? "attrs" : "offline",
    .tick = durable_tick,
    .done = durable_done,
    .reply = durable_reply,
    .closed = durable_closed,
    .data = &d,
  };
  gint64 first_ns = G_MAXINT64;
  gint64 last_ns = 0;

  d.bench = bench;
  d.kind = kind;
  d.quota = quota;
  d.next_sweep_ns = g_new0 (gint64, bench->n_workers);
  d.done = g_new0 (guint, bench->n_workers);
  d.sent_ns = g_new0 (gint64, (gsize) o->writers * RING);

  for (guint w = 0; w < bench->n_workers; w++) {
    BenchWorker *worker = bench->workers[w];

    worker->delivered = 0;
    worker->first_send_ns = 0;
    worker->last_delivery_ns = 0;
    for (guint i = 0; i < worker->conns->len; i++) {
      BenchConn *conn = g_ptr_array_index (worker->conns, i);

      conn->sent = conn->replied = conn->accepted = 0;
      conn->done = FALSE;
    }
  }

  bench_window_begin (&result->window, o->server_pid);
  d.send_until_ns = bench_now_ns () + (gint64) (o->seconds * 1e9);
  bench_run_phase (bench, &phase);
  bench_window_end (&result->window, o->server_pid);
  bench_latency_collect (bench, &result->latency);

  for (guint w = 0; w < bench->n_workers; w++) {
    BenchWorker *worker = bench->workers[w];

    last_ns = MAX (last_ns, worker->last_delivery_ns);
    if (worker->first_send_ns != 0)
      first_ns = MIN (first_ns, worker->first_send_ns);
    for (guint i = 0; i < worker->conns->len; i++) {
      BenchConn *conn = g_ptr_array_index (worker->conns, i);

      result->replied += conn->replied;
      result->accepted += conn->accepted;
    }
  }
  result->seconds = last_ns > first_ns ? (last_ns - first_ns) / 1e9 : NAN;
  result->file_bytes = state_file_bytes (o);

  g_print ("  %s: %" G_GUINT64_FORMAT " ok of %" G_GUINT64_FORMAT " in %.2f s = %.0f/s; "
           "reply latency p50 %.0f us, p99 %.0f us, max %.0f us; server CPU %.2f us/request; "
           "other processes %.0f%% of a core; state file %" G_GINT64_FORMAT " bytes\n",
           phase.name, result->accepted, result->replied, result->seconds,
           bench_ratio (result->accepted, result->seconds), result->latency.p50_us,
           result->latency.p99_us, result->latency.max_us,
           bench_ratio (bench_window_server_cpu_us (&result->window), result->replied),
           bench_ratio (bench_window_other_cpu_us (&result->window),
                        bench_window_seconds (&result->window) * 1e4),
           result->file_bytes);

  g_free (d.next_sweep_ns);
  g_free (d.done);
  g_free (d.sent_ns);
}

/* Waits (bounded by the ttl and --expire-wait) until the file stops shrinking after the
 * messages' expiry; returns its size then. */
static gint64
wait_for_expiry (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  gint64 expire_ns = bench_now_ns () + (gint64) o->ttl * G_GINT64_CONSTANT (1000000000);
  gint64 until_ns = expire_ns + (gint64) (o->expire_wait * 1e9);
  gint64 last = state_file_bytes (o);
  guint steady = 0;

  while (bench_now_ns () < until_ns && !bench_stopped (bench)) {
    gint64 bytes;

    g_usleep (G_USEC_PER_SEC / 2);
    bytes = state_file_bytes (o);
    if (bench_now_ns () > expire_ns && bytes == last && ++steady >= 6)
      break;
    if (bytes != last)
      steady = 0;
    last = bytes;
  }

  return last;
}

static void
report_result (BenchReport         *report,
               const char          *prefix,
               const DurableResult *r)
{
  g_autofree char *ok = g_strconcat (prefix, "_ok", NULL);
  g_autofree char *rate = g_strconcat (prefix, "_per_s", NULL);
  g_autofree char *cpu = g_strconcat (prefix, "_server_cpu_us", NULL);
  g_autofree char *other = g_strconcat (prefix, "_other_cpu_percent", NULL);
  g_autofree char *bytes = g_strconcat (prefix, "_file_bytes", NULL);

  bench_report_int (report, ok, r->accepted);
  bench_report_double (report, rate, bench_ratio (r->accepted, r->seconds));
  bench_report_double (report, cpu, bench_ratio (bench_window_server_cpu_us (&r->window),
                                                 r->replied));
  bench_report_double (report, other, bench_ratio (bench_window_other_cpu_us (&r->window),
                                                   bench_window_seconds (&r->window) * 1e4));
  bench_report_latency (report, prefix, &r->latency);
  bench_report_int (report, bytes, r->file_bytes);
}

int
bench_durable (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  guint64 quota = o->messages < 0 ? 100000 : (guint64) o->messages;
  DurableResult attrs = { 0 };
  DurableResult offline = { 0 };
  gint64 expired_bytes = -1;
  BenchProcSample sample;
  BenchReport *report;
  gboolean setup_ok;
  gboolean ok;

  for (guint i = 0; i < (guint) o->writers; i++) {
    g_autofree char *name = g_strdup_printf ("%s-w%u", bench->tag, i);

    bench_worker_add_conn (bench->workers[i % bench->n_workers], i, name);
  }

  g_print ("durable: %d writers, %" G_GUINT64_FORMAT " requests per phase, window %d, "
           "%d-byte messages with ttl %d s, %u thread(s)%s%s\n",
           o->writers, quota, o->window, o->msg_size, o->ttl, bench->n_workers,
           o->state_file != NULL ? ", state file " : "",
           o->state_file != NULL ? o->state_file : "");

  setup_ok = bench_run_phase (bench, &bench_phase_login_all) && bench_errors (bench) == 0;
  if (setup_ok) {
    durable_run (bench, BENCH_REQUEST_USER_SET_ATTR, quota, &attrs);
    durable_run (bench, BENCH_REQUEST_MSG_SEND, quota, &offline);
  }

  bench_proc_sample (o->server_pid, &sample);
  if (setup_ok && o->expire_wait > 0 && o->state_file != NULL) {
    expired_bytes = wait_for_expiry (bench);
    g_print ("  after the messages expired: state file %" G_GINT64_FORMAT " bytes\n",
             expired_bytes);
  }

  if (!bench_stopped (bench))
    bench_run_phase (bench, &bench_phase_teardown);

  ok = setup_ok && !bench_stopped (bench) && bench_errors (bench) == 0 &&
       attrs.accepted == attrs.replied && offline.accepted == offline.replied &&
       attrs.accepted > 0 && offline.accepted > 0;
  g_print ("  errors: %d -> %s\n", bench_errors (bench), ok ? "PASS" : "FAIL");

  report = bench_report_new ("durable");
  bench_report_string (report, "state", o->engine != NULL ? "redis"
                                        : o->state_file != NULL ? "sqlite" : "memory");
  if (o->state_file != NULL)
    bench_report_string (report, "sync", o->state_sync != NULL ? o->state_sync : "normal");
  bench_report_int (report, "writers", o->writers);
  bench_report_int (report, "window", o->window);
  bench_report_int (report, "requests", quota);
  bench_report_int (report, "msg_size", o->msg_size);
  report_result (report, "attrs", &attrs);
  report_result (report, "offline", &offline);
  bench_report_int (report, "expired_file_bytes", expired_bytes);
  bench_report_int (report, "server_rss_kb", sample.valid ? sample.rss_kb : -1);
  bench_report_int (report, "errors", bench_errors (bench));
  bench_report_bool (report, "ok", ok);
  bench_report_print (report);

  return ok ? 0 : 1;
}
