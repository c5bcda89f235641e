/* bench-fanout.c: one channel, many members, a few publishers.
 *
 * Saturation: every publisher keeps --window publishes in flight, counting a publish as
 * landed when the publisher receives it back (every member, the sender included, gets each
 * channel message). The delivered rate is all deliveries over the time from the first
 * publish to the last delivery. Latency: the publishers together send --rate publishes per
 * second, and every receiver measures how long each took from the send.
 */
#include <math.h>

#include "bench-conn.h"
#include "bench-msg.h"
#include "bench-proc.h"
#include "bench-report.h"
#include "bench-scenarios.h"

typedef enum {
  MODE_SATURATION = 'S',
  MODE_LATENCY    = 'L',
} FanoutMode;

typedef struct {
  guint64  quota;          /* publishes due in this phase */
  guint64  phase_sent;
  guint64  sent;           /* in all phases: the sequence number of the last publish */
  guint64  own_received;
  guint64  refused;
  gboolean done;
} FanoutPublisher;

typedef struct {
  Bench           *bench;
  guint            members;
  guint            publishers;
  char            *channel;
  FanoutPublisher *pubs;          /* indexed by conn->index, touched by its worker only */
  FanoutMode       mode;
  gint64           t0_ns;
  gint64           publish_until_ns;
  guint64          latency_total;
  gint64          *drain_start_ns; /* per worker */
  guint           *joined;         /* per worker */
  guint            configured;     /* replies to the channel setup, worker 0 only */
  int              accepted;       /* atomic: accepted publishes in all phases */
  int              publishers_done;/* atomic */
} Fanout;

#define FANOUT(worker) ((Fanout *) (worker)->phase->data)

static gboolean
fanout_publish (Fanout    *f,
                BenchConn *conn)
{
  FanoutPublisher *pub = &f->pubs[conn->index];
  char text[BENCH_MSG_MAX + 1];
  BenchMsg msg = {
    .kind = f->mode,
    .sender = conn->index,
    .seq = pub->sent + 1,
    .sent_ns = bench_now_ns (),
  };

  bench_msg_format (text, &msg, f->bench->options.msg_size);
  if (!bench_conn_request (conn, BENCH_REQUEST_CHANNEL_SEND, "\"msg\":\"%s\"", text))
    return FALSE;

  pub->sent++;
  pub->phase_sent++;
  conn->sent++;
  if (conn->worker->first_send_ns == 0)
    conn->worker->first_send_ns = msg.sent_ns;

  return TRUE;
}

static void
fanout_pump (Fanout    *f,
             BenchConn *conn,
             gint64     now_ns)
{
  FanoutPublisher *pub = &f->pubs[conn->index];
  guint64 window = f->bench->options.window;

  if (pub->done)
    return;

  if (!bench_conn_is_open (conn)) {
    /* Already counted as an error; the others must not wait for it. */
    pub->done = TRUE;
    g_atomic_int_inc (&f->publishers_done);
    return;
  }

  if (f->mode == MODE_SATURATION) {
    if (now_ns >= f->publish_until_ns)
      pub->quota = pub->phase_sent;

    while (pub->phase_sent < pub->quota &&
           pub->sent - pub->own_received - pub->refused < window) {
      if (!fanout_publish (f, conn))
        break;
    }
  } else {
    while (pub->phase_sent < pub->quota) {
      /* The publishers take turns: publish k of the phase is due at t0 + k / rate. */
      guint64 k = pub->phase_sent * f->publishers + conn->index;
      gint64 due_ns = f->t0_ns + (gint64) (k * 1e9 / f->bench->options.rate);

      if (due_ns > now_ns) {
        conn->worker->wake_ns = MIN (conn->worker->wake_ns, due_ns);
        break;
      }
      if (!fanout_publish (f, conn))
        break;
    }
  }

  if (pub->phase_sent >= pub->quota && conn->replied == conn->sent) {
    pub->done = TRUE;
    g_atomic_int_inc (&f->publishers_done);
  }
}

static void
fanout_tick (BenchWorker *worker,
             gint64       now_ns)
{
  Fanout *f = FANOUT (worker);

  /* A worker's conns are in index order, and publishers have the lowest indexes. */
  for (guint i = 0; i < worker->conns->len; i++) {
    BenchConn *conn = g_ptr_array_index (worker->conns, i);

    if (conn->index >= f->publishers)
      break;
    fanout_pump (f, conn, now_ns);
  }
}

static void
fanout_reply (BenchConn    *conn,
              BenchRequest  kind,
              int           code,
              gint64        now_ns)
{
  Fanout *f = FANOUT (conn->worker);

  if (kind != BENCH_REQUEST_CHANNEL_SEND)
    return;

  conn->replied++;
  if (code == 0) {
    conn->accepted++;
    g_atomic_int_inc (&f->accepted);
  } else {
    f->pubs[conn->index].refused++;
  }

  fanout_pump (f, conn, now_ns);
}

static void
fanout_message (BenchConn  *conn,
                const char *text,
                gsize       length,
                gint64      now_ns)
{
  BenchWorker *worker = conn->worker;
  Fanout *f = FANOUT (worker);
  BenchMsg msg;

  if (!bench_msg_parse (text, length, &msg) || msg.sender >= f->publishers) {
    bench_error (worker->bench, "%s: unexpected message text '%.*s'",
                 conn->account, (int) MIN (length, 60), text);
    return;
  }

  if (msg.seq < conn->next_seq[msg.sender])
    conn->reordered++;
  else
    conn->next_seq[msg.sender] = msg.seq + 1;

  conn->received++;
  worker->delivered++;
  worker->last_delivery_ns = now_ns;

  if (msg.kind == MODE_LATENCY) {
    gint64 latency_ns = now_ns - msg.sent_ns;

    g_array_append_val (worker->latencies, latency_ns);
  }

  if (msg.sender == conn->index) {
    f->pubs[msg.sender].own_received++;
    fanout_pump (f, conn, now_ns);
  }
}

static gboolean
fanout_done (BenchWorker *worker,
             gint64       now_ns)
{
  Fanout *f = FANOUT (worker);
  guint64 expected;

  if (g_atomic_int_get (&f->publishers_done) < (int) f->publishers)
    return FALSE;

  expected = g_atomic_int_get (&f->accepted);
  if (f->drain_start_ns[worker->index] == 0)
    f->drain_start_ns[worker->index] = now_ns;

  for (guint i = 0; i < worker->conns->len; i++) {
    BenchConn *conn = g_ptr_array_index (worker->conns, i);

    if (conn->received < expected && bench_conn_is_open (conn))
      return now_ns - f->drain_start_ns[worker->index] >
             (gint64) (worker->bench->options.drain_timeout * 1e9);
  }

  return TRUE;
}

/* The first member joins, turns off join notifications (N joins would cost N^2/2 events)
 * and lifts the channel's message rate limit. */
static void
configure_tick (BenchWorker *worker,
                gint64       now_ns)
{
  Fanout *f = FANOUT (worker);
  BenchConn *first;

  if (worker->index != 0 || worker->cursor != 0)
    return;

  first = g_ptr_array_index (worker->conns, 0);
  bench_conn_request (first, BENCH_REQUEST_CHANNEL_JOIN, "\"channel\":\"%s\"", f->channel);
  worker->cursor = 1;
}

static void
configure_reply (BenchConn    *conn,
                 BenchRequest  kind,
                 int           code,
                 gint64        now_ns)
{
  Fanout *f = FANOUT (conn->worker);

  f->configured++;
  if (kind == BENCH_REQUEST_CHANNEL_JOIN && code == 0) {
    bench_conn_request (conn, BENCH_REQUEST_CHANNEL_SET_ATTR,
                        "\"name\":\"_userNotification\",\"value\":\"0\"");
    bench_conn_request (conn, BENCH_REQUEST_CHANNEL_SET_ATTR,
                        "\"name\":\"_sendmsg_limit\",\"value\":\"1000000\"");
  }
}

static gboolean
configure_done (BenchWorker *worker,
                gint64       now_ns)
{
  return worker->index != 0 || FANOUT (worker)->configured == 3 ||
         bench_errors (worker->bench) > 0;
}

static void
join_tick (BenchWorker *worker,
           gint64       now_ns)
{
  Fanout *f = FANOUT (worker);

  if (worker->cursor != 0)
    return;

  for (guint i = 0; i < worker->conns->len; i++) {
    BenchConn *conn = g_ptr_array_index (worker->conns, i);

    if (conn->index != 0)
      bench_conn_request (conn, BENCH_REQUEST_CHANNEL_JOIN, "\"channel\":\"%s\"", f->channel);
  }
  worker->cursor = 1;
}

static void
join_reply (BenchConn    *conn,
            BenchRequest  kind,
            int           code,
            gint64        now_ns)
{
  if (kind == BENCH_REQUEST_CHANNEL_JOIN)
    FANOUT (conn->worker)->joined[conn->worker->index]++;
}

static gboolean
join_done (BenchWorker *worker,
           gint64       now_ns)
{
  guint joining = worker->conns->len - (worker->index == 0 ? 1 : 0);

  return FANOUT (worker)->joined[worker->index] == joining || bench_errors (worker->bench) > 0;
}

typedef struct {
  guint64 accepted;
  guint64 delivered;
  double  seconds;         /* first publish to last delivery */
  gint64  server_cpu_us;
  gint64  self_cpu_us;
  gint64  other_cpu_us;
  double  window_seconds;
  gboolean ran;
} FanoutResult;

static void
fanout_measure (Bench        *bench,
                Fanout       *f,
                FanoutMode    mode,
                FanoutResult *result)
{
  const BenchPhase phase = {
    .name = mode == MODE_SATURATION ? "saturation" : "latency",
    .tick = fanout_tick,
    .done = fanout_done,
    .reply = fanout_reply,
    .message = fanout_message,
    .data = f,
  };
  BenchWindow window;
  guint64 accepted_before = g_atomic_int_get (&f->accepted);
  gint64 last_ns = 0;
  gint64 first_ns = G_MAXINT64;

  for (guint i = 0; i < bench->n_workers; i++) {
    bench->workers[i]->delivered = 0;
    bench->workers[i]->first_send_ns = 0;
    bench->workers[i]->last_delivery_ns = 0;
    f->drain_start_ns[i] = 0;
  }
  g_atomic_int_set (&f->publishers_done, 0);
  f->mode = mode;

  bench_window_begin (&window, bench->options.server_pid);
  f->t0_ns = bench_now_ns ();
  f->publish_until_ns = f->t0_ns + (gint64) (bench->options.seconds * 1e9);
  bench_run_phase (bench, &phase);
  bench_window_end (&window, bench->options.server_pid);

  result->ran = TRUE;
  result->accepted = g_atomic_int_get (&f->accepted) - accepted_before;
  result->delivered = 0;
  for (guint i = 0; i < bench->n_workers; i++) {
    BenchWorker *worker = bench->workers[i];

    result->delivered += worker->delivered;
    last_ns = MAX (last_ns, worker->last_delivery_ns);
    if (worker->first_send_ns != 0)
      first_ns = MIN (first_ns, worker->first_send_ns);
  }
  result->seconds = last_ns > first_ns ? (last_ns - first_ns) / 1e9 : NAN;
  result->server_cpu_us = bench_window_server_cpu_us (&window);
  result->self_cpu_us = bench_window_self_cpu_us (&window);
  result->other_cpu_us = bench_window_other_cpu_us (&window);
  result->window_seconds = bench_window_seconds (&window);
}

int
bench_fanout (Bench *bench)
{
  const BenchOptions *o = &bench->options;
  Fanout f = { 0 };
  const BenchPhase configure = {
    .name = "configure", .tick = configure_tick, .done = configure_done,
    .reply = configure_reply, .data = &f,
  };
  const BenchPhase join = {
    .name = "join", .tick = join_tick, .done = join_done, .reply = join_reply, .data = &f,
  };
  BenchReport *report;
  FanoutResult saturation = { 0 };
  FanoutResult latency_phase = { 0 };
  BenchLatency latency = { 0 };
  guint64 messages = o->messages < 0 ? 5000 : o->messages;
  guint64 expected;
  guint64 min_received = G_MAXUINT64;
  guint64 max_received = 0;
  guint64 lost = 0;
  guint64 extra = 0;
  guint64 reordered = 0;
  gint64 setup_start_ns;
  double setup_seconds;
  gboolean setup_ok;
  gboolean ok;

  f.bench = bench;
  f.members = o->members;
  f.publishers = MIN ((guint) o->publishers, f.members);
  f.channel = g_strdup_printf ("%s-fanout", bench->tag);
  f.pubs = g_new0 (FanoutPublisher, f.publishers);
  f.drain_start_ns = g_new0 (gint64, bench->n_workers);
  f.joined = g_new0 (guint, bench->n_workers);

  for (guint i = 0; i < f.members; i++) {
    g_autofree char *account = g_strdup_printf ("%s-f%u", bench->tag, i);
    BenchConn *conn = bench_worker_add_conn (bench->workers[i % bench->n_workers], i, account);

    conn->n_next_seq = f.publishers;
    conn->next_seq = g_new (guint64, f.publishers);
    for (guint p = 0; p < f.publishers; p++)
      conn->next_seq[p] = 1;
  }

  g_print ("fanout: %u members, %u publishers (window %d each), %d-byte messages, %u thread(s)\n",
           f.members, f.publishers, o->window, o->msg_size, bench->n_workers);

  setup_start_ns = bench_now_ns ();
  setup_ok = bench_run_phase (bench, &bench_phase_login_all) && bench_errors (bench) == 0 &&
             bench_run_phase (bench, &configure) && bench_errors (bench) == 0 &&
             bench_run_phase (bench, &join) && bench_errors (bench) == 0;
  setup_seconds = (bench_now_ns () - setup_start_ns) / 1e9;
  g_print ("  setup: %u logins and joins in %.2f s%s\n", f.members, setup_seconds,
           setup_ok ? "" : " (FAILED)");

  if (setup_ok) {
    for (guint p = 0; p < f.publishers; p++) {
      f.pubs[p].quota = messages / f.publishers + (p < messages % f.publishers ? 1 : 0);
      f.pubs[p].phase_sent = 0;
      f.pubs[p].done = FALSE;
    }
    fanout_measure (bench, &f, MODE_SATURATION, &saturation);

    g_print ("  saturation: %" G_GUINT64_FORMAT " publishes -> %" G_GUINT64_FORMAT
             " deliveries in %.2f s = %.0f msg/s; server CPU %.2f us/msg (%.0f%% of a core), "
             "ag-bench CPU %.2f us/msg; other processes %.0f%% of a core\n",
             saturation.accepted, saturation.delivered, saturation.seconds,
             bench_ratio (saturation.delivered, saturation.seconds),
             bench_ratio (saturation.server_cpu_us, saturation.delivered),
             bench_ratio (saturation.server_cpu_us, saturation.window_seconds * 1e4),
             bench_ratio (saturation.self_cpu_us, saturation.delivered),
             bench_ratio (saturation.other_cpu_us, saturation.window_seconds * 1e4));
  }

  if (setup_ok && !bench_stopped (bench) && o->latency_seconds > 0) {
    f.latency_total = (guint64) llround (o->rate * o->latency_seconds);
    for (guint p = 0; p < f.publishers; p++) {
      f.pubs[p].quota = f.latency_total > p ?
                        (f.latency_total - p + f.publishers - 1) / f.publishers : 0;
      f.pubs[p].phase_sent = 0;
      f.pubs[p].done = FALSE;
    }
    fanout_measure (bench, &f, MODE_LATENCY, &latency_phase);
    bench_latency_collect (bench, &latency);

    g_print ("  latency: %.0f publishes/s for %.1f s, %" G_GUINT64_FORMAT " publishes -> %"
             G_GUINT64_FORMAT " deliveries: p50 %.0f us, p99 %.0f us, max %.0f us; "
             "server CPU %.2f us/msg; other processes %.0f%% of a core\n",
             o->rate, o->latency_seconds, latency_phase.accepted, latency_phase.delivered,
             latency.p50_us, latency.p99_us, latency.max_us,
             bench_ratio (latency_phase.server_cpu_us, latency_phase.delivered),
             bench_ratio (latency_phase.other_cpu_us, latency_phase.window_seconds * 1e4));
  }

  expected = g_atomic_int_get (&f.accepted);
  for (guint w = 0; w < bench->n_workers; w++) {
    BenchWorker *worker = bench->workers[w];

    for (guint i = 0; i < worker->conns->len; i++) {
      BenchConn *conn = g_ptr_array_index (worker->conns, i);

      min_received = MIN (min_received, conn->received);
      max_received = MAX (max_received, conn->received);
      if (conn->received < expected)
        lost += expected - conn->received;
      else
        extra += conn->received - expected;
      reordered += conn->reordered;
    }
  }

  if (!bench_stopped (bench))
    bench_run_phase (bench, &bench_phase_teardown);

  ok = setup_ok && !bench_stopped (bench) && bench_errors (bench) == 0 &&
       lost == 0 && extra == 0 && reordered == 0 && saturation.accepted > 0;

  g_print ("  loss check: expected %" G_GUINT64_FORMAT " per member, received min %"
           G_GUINT64_FORMAT " max %" G_GUINT64_FORMAT "; lost %" G_GUINT64_FORMAT
           ", extra %" G_GUINT64_FORMAT ", out of order %" G_GUINT64_FORMAT "\n",
           expected, min_received, max_received, lost, extra, reordered);
  g_print ("  errors: %d -> %s\n", bench_errors (bench), ok ? "PASS" : "FAIL");

  report = bench_report_new ("fanout");
  bench_report_int (report, "members", f.members);
  bench_report_int (report, "publishers", f.publishers);
  bench_report_int (report, "window", o->window);
  bench_report_int (report, "msg_size", o->msg_size);
  bench_report_int (report, "threads", bench->n_workers);
  bench_report_double (report, "setup_s", setup_seconds);
  bench_report_int (report, "sat_published", saturation.accepted);
  bench_report_int (report, "sat_delivered", saturation.delivered);
  bench_report_double (report, "sat_s", saturation.seconds);
  bench_report_double (report, "sat_msgs_per_s", bench_ratio (saturation.delivered, saturation.seconds));
  bench_report_double (report, "sat_publishes_per_s", bench_ratio (saturation.accepted, saturation.seconds));
  bench_report_double (report, "sat_server_cpu_us_per_msg",
                       bench_ratio (saturation.server_cpu_us, saturation.delivered));
  bench_report_double (report, "sat_server_cpu_percent",
                       bench_ratio (saturation.server_cpu_us, saturation.window_seconds * 1e4));
  bench_report_double (report, "sat_client_cpu_us_per_msg",
                       bench_ratio (saturation.self_cpu_us, saturation.delivered));
  bench_report_double (report, "sat_other_cpu_percent",
                       bench_ratio (saturation.other_cpu_us, saturation.window_seconds * 1e4));
  bench_report_double (report, "lat_rate", o->rate);
  bench_report_double (report, "lat_s", o->latency_seconds);
  bench_report_int (report, "lat_published", latency_phase.accepted);
  bench_report_int (report, "lat_delivered", latency_phase.delivered);
  bench_report_latency (report, "lat", &latency);
  bench_report_double (report, "lat_server_cpu_us_per_msg",
                       bench_ratio (latency_phase.server_cpu_us, latency_phase.delivered));
  bench_report_double (report, "lat_other_cpu_percent",
                       bench_ratio (latency_phase.other_cpu_us, latency_phase.window_seconds * 1e4));
  bench_report_int (report, "expected_per_member", expected);
  bench_report_int (report, "min_received", min_received == G_MAXUINT64 ? 0 : min_received);
  bench_report_int (report, "max_received", max_received);
  bench_report_int (report, "lost", lost);
  bench_report_int (report, "extra", extra);
  bench_report_int (report, "reordered", reordered);
  bench_report_int (report, "errors", bench_errors (bench));
  bench_report_bool (report, "ok", ok);
  bench_report_print (report);

  g_free (f.channel);
  g_free (f.pubs);
  g_free (f.drain_start_ns);
  g_free (f.joined);

  return ok ? 0 : 1;
}
