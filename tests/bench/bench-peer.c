/* bench-peer.c: pairs of sessions sending each other peer messages (msg_send).
 *
 * Both sessions of a pair live on the same worker, so a sender sees directly how many of its
 * messages its peer has received and keeps --window of them in flight.
 */
#include <math.h>

#include "bench-conn.h"
#include "bench-msg.h"
#include "bench-proc.h"
#include "bench-report.h"
#include "bench-scenarios.h"

#define SWEEP_NS (5 * 1000 * 1000)

typedef struct {
  Bench   *bench;
  guint    senders;
  guint64  messages;
  gint64   send_until_ns;
  gint64  *next_sweep_ns;   /* per worker */
  gint64  *drain_start_ns;  /* per worker */
  guint   *senders_done;    /* per worker */
  guint   *complete;        /* per worker */
} Peer;

#define PEER(worker) ((Peer *) (worker)->phase->data)

static guint64
peer_quota (Peer      *p,
            BenchConn *conn)
{
  return p->messages / p->senders + (conn->index < p->messages % p->senders ? 1 : 0);
}

static void
peer_check_complete (Peer      *p,
                     BenchConn *conn)
{
  if (conn->complete)
    return;

  if (!bench_conn_is_open (conn) ||
      (conn->peer->done && conn->received >= conn->peer->accepted)) {
    conn->complete = TRUE;
    p->complete[conn->worker->index]++;
  }
}

static void
peer_set_done (Peer      *p,
               BenchConn *conn)
{
  conn->done = TRUE;
  p->senders_done[conn->worker->index]++;
  peer_check_complete (p, conn->peer);
}

static void
peer_pump (Peer      *p,
           BenchConn *conn,
           gint64     now_ns)
{
  guint64 quota = peer_quota (p, conn);
  guint64 window = p->bench->options.window;
  gboolean more;

  if (conn->done)
    return;

  if (!bench_conn_is_open (conn)) {
    peer_set_done (p, conn);
    return;
  }

  more = conn->sent < quota && now_ns < p->send_until_ns;
  while (more &&
         conn->sent - conn->peer->received - (conn->replied - conn->accepted) < window) {
    char text[BENCH_MSG_MAX + 1];
    BenchMsg msg = {
      .kind = 'P',
      .sender = conn->index,
      .seq = conn->sent + 1,
      .sent_ns = bench_now_ns (),
    };

    bench_msg_format (text, &msg, p->bench->options.msg_size);
    if (!bench_conn_request (conn, BENCH_REQUEST_MSG_SEND, "\"peer\":\"%s\",\"msg\":\"%s\"",
                             conn->peer->account, text))
      break;

    conn->sent++;
    if (conn->worker->first_send_ns == 0)
      conn->worker->first_send_ns = msg.sent_ns;
    more = conn->sent < quota;
  }

  if (!more && conn->replied == conn->sent)
    peer_set_done (p, conn);
}

static void
peer_tick (BenchWorker *worker,
           gint64       now_ns)
{
  Peer *p = PEER (worker);

  /* Replies and deliveries pump the senders; the sweep starts them and notices the end of
   * the time cap. */
  if (now_ns < p->next_sweep_ns[worker->index])
    return;

  p->next_sweep_ns[worker->index] = now_ns + SWEEP_NS;
  for (guint i = 0; i < worker->conns->len; i++)
    peer_pump (p, g_ptr_array_index (worker->conns, i), now_ns);
}

static void
peer_reply (BenchConn    *conn,
            BenchRequest  kind,
            int           code,
            gint64        now_ns)
{
  Peer *p = PEER (conn->worker);

  if (kind != BENCH_REQUEST_MSG_SEND)
    return;

  conn->replied++;
  if (code == 0)
    conn->accepted++;
  peer_pump (p, conn, now_ns);
}

static void
peer_message (BenchConn  *conn,
              const char *text,
              gsize       length,
              gint64      now_ns)
{
  BenchWorker *worker = conn->worker;
  Peer *p = PEER (worker);
  BenchMsg msg;
  gint64 latency_ns;

  if (!bench_msg_parse (text, length, &msg) || msg.kind != 'P' ||
      msg.sender != conn->peer->index) {
    bench_error (worker->bench, "%s: unexpected message text '%.*s'",
                 conn->account, (int) MIN (length, 60), text);
    return;
  }

  if (msg.seq < conn->next_seq[0])
    conn->reordered++;
  else
    conn->next_seq[0] = msg.seq + 1;

  conn->received++;
  worker->delivered++;
  worker->last_delivery_ns = now_ns;
  latency_ns = now_ns - msg.sent_ns;
  g_array_append_val (worker->latencies, latency_ns);

  peer_check_complete (p, conn);
  peer_pump (p, conn->peer, now_ns);
}

static void
peer_closed (BenchConn *conn,
             gint64     now_ns)
{
  Peer *p = PEER (conn->worker);

  if (!conn->done)
    peer_set_done (p, conn);
  peer_check_complete (p, conn);
}

static gboolean
peer_done (BenchWorker *worker,
           gint64       now_ns)
{
  Peer *p = PEER (worker);
  guint n = worker->conns->len;

  if (p->senders_done[worker->index] < n)
    return FALSE;

  if (p->complete[worker->index] == n)
    return TRUE;

  if (p->drain_start_ns[worker->index] == 0)
    p->drain_start_ns[worker->index] = now_ns;

  return now_ns - p->drain_start_ns[worker->index] >
         (gint64) (worker->bench->options.drain_timeout * 1e9);
}

int
bench_peer (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  Peer p = { 0 };
  const BenchPhase exchange = {
    .name = "exchange",
    .tick = peer_tick,
    .done = peer_done,
    .reply = peer_reply,
    .message = peer_message,
    .closed = peer_closed,
    .data = &p,
  };
  BenchReport *report;
  BenchWindow window = { 0 };
  BenchLatency latency = { 0 };
  guint64 accepted = 0;
  guint64 delivered = 0;
  guint64 lost = 0;
  guint64 extra = 0;
  guint64 reordered = 0;
  gint64 first_ns = G_MAXINT64;
  gint64 last_ns = 0;
  double seconds = NAN;
  gint64 setup_start_ns;
  double setup_seconds;
  gboolean setup_ok;
  gboolean ok;

  p.bench = bench;
  p.senders = 2 * o->pairs;
  p.messages = o->messages < 0 ? 100000 : o->messages;
  p.next_sweep_ns = g_new0 (gint64, bench->n_workers);
  p.drain_start_ns = g_new0 (gint64, bench->n_workers);
  p.senders_done = g_new0 (guint, bench->n_workers);
  p.complete = g_new0 (guint, bench->n_workers);

  for (guint i = 0; i < (guint) o->pairs; i++) {
    BenchWorker *worker = bench->workers[i % bench->n_workers];
    g_autofree char *name_a = g_strdup_printf ("%s-p%ua", bench->tag, i);
    g_autofree char *name_b = g_strdup_printf ("%s-p%ub", bench->tag, i);
    BenchConn *a = bench_worker_add_conn (worker, 2 * i, name_a);
    BenchConn *b = bench_worker_add_conn (worker, 2 * i + 1, name_b);

    a->peer = b;
    b->peer = a;
    a->n_next_seq = b->n_next_seq = 1;
    a->next_seq = g_new (guint64, 1);
    b->next_seq = g_new (guint64, 1);
    a->next_seq[0] = b->next_seq[0] = 1;
  }

  g_print ("peer: %d pairs, %" G_GUINT64_FORMAT " messages, window %d per sender, "
           "%d-byte messages, %u thread(s)\n",
           o->pairs, p.messages, o->window, o->msg_size, bench->n_workers);

  setup_start_ns = bench_now_ns ();
  setup_ok = bench_run_phase (bench, &bench_phase_login_all) && bench_errors (bench) == 0;
  setup_seconds = (bench_now_ns () - setup_start_ns) / 1e9;
  g_print ("  setup: %u logins in %.2f s%s\n", p.senders, setup_seconds,
           setup_ok ? "" : " (FAILED)");

  if (setup_ok) {
    bench_window_begin (&window, o->server_pid);
    p.send_until_ns = bench_now_ns () + (gint64) (o->seconds * 1e9);
    bench_run_phase (bench, &exchange);
    bench_window_end (&window, o->server_pid);
    bench_latency_collect (bench, &latency);
  }

  for (guint w = 0; w < bench->n_workers; w++) {
    BenchWorker *worker = bench->workers[w];

    delivered += worker->delivered;
    last_ns = MAX (last_ns, worker->last_delivery_ns);
    if (worker->first_send_ns != 0)
      first_ns = MIN (first_ns, worker->first_send_ns);

    for (guint i = 0; i < worker->conns->len; i++) {
      BenchConn *conn = g_ptr_array_index (worker->conns, i);

      accepted += conn->accepted;
      if (conn->received < conn->peer->accepted)
        lost += conn->peer->accepted - conn->received;
      else
        extra += conn->received - conn->peer->accepted;
      reordered += conn->reordered;
    }
  }
  if (last_ns > first_ns)
    seconds = (last_ns - first_ns) / 1e9;

  if (!bench_stopped (bench))
    bench_run_phase (bench, &bench_phase_teardown);

  ok = setup_ok && !bench_stopped (bench) && bench_errors (bench) == 0 &&
       lost == 0 && extra == 0 && reordered == 0 && accepted > 0;

  g_print ("  exchange: %" G_GUINT64_FORMAT " sent -> %" G_GUINT64_FORMAT " delivered in %.2f s"
           " = %.0f msg/s; server CPU %.2f us/msg (%.0f%% of a core), ag-bench CPU %.2f us/msg;"
           " other processes %.0f%% of a core\n",
           accepted, delivered, seconds, bench_ratio (delivered, seconds),
           bench_ratio (bench_window_server_cpu_us (&window), delivered),
           bench_ratio (bench_window_server_cpu_us (&window), bench_window_seconds (&window) * 1e4),
           bench_ratio (bench_window_self_cpu_us (&window), delivered),
           bench_ratio (bench_window_other_cpu_us (&window), bench_window_seconds (&window) * 1e4));
  g_print ("  latency under load: p50 %.0f us, p99 %.0f us, max %.0f us\n",
           latency.p50_us, latency.p99_us, latency.max_us);
  g_print ("  loss check: lost %" G_GUINT64_FORMAT ", extra %" G_GUINT64_FORMAT
           ", out of order %" G_GUINT64_FORMAT "\n", lost, extra, reordered);
  g_print ("  errors: %d -> %s\n", bench_errors (bench), ok ? "PASS" : "FAIL");

  report = bench_report_new ("peer");
  bench_report_int (report, "pairs", o->pairs);
  bench_report_int (report, "window", o->window);
  bench_report_int (report, "msg_size", o->msg_size);
  bench_report_int (report, "threads", bench->n_workers);
  bench_report_double (report, "setup_s", setup_seconds);
  bench_report_int (report, "sent", accepted);
  bench_report_int (report, "delivered", delivered);
  bench_report_double (report, "seconds", seconds);
  bench_report_double (report, "msgs_per_s", bench_ratio (delivered, seconds));
  bench_report_double (report, "server_cpu_us_per_msg",
                       bench_ratio (bench_window_server_cpu_us (&window), delivered));
  bench_report_double (report, "server_cpu_percent",
                       bench_ratio (bench_window_server_cpu_us (&window),
                                    bench_window_seconds (&window) * 1e4));
  bench_report_double (report, "client_cpu_us_per_msg",
                       bench_ratio (bench_window_self_cpu_us (&window), delivered));
  bench_report_double (report, "other_cpu_percent",
                       bench_ratio (bench_window_other_cpu_us (&window),
                                    bench_window_seconds (&window) * 1e4));
  bench_report_latency (report, "lat", &latency);
  bench_report_int (report, "lost", lost);
  bench_report_int (report, "extra", extra);
  bench_report_int (report, "reordered", reordered);
  bench_report_int (report, "errors", bench_errors (bench));
  bench_report_bool (report, "ok", ok);
  bench_report_print (report);

  g_free (p.next_sweep_ns);
  g_free (p.drain_start_ns);
  g_free (p.senders_done);
  g_free (p.complete);

  return ok ? 0 : 1;
}
