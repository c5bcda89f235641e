/* bench-monitor.c: the Monitor on a big app: time to its first screen from a snapshot of
 * 100,000 users and 10,000 channels, and whether it keeps up with 2,000 presence events a
 * second
 *
 * Not a meson test: run it by hand under a display (xvfb-run -a build/tests/console/bench-monitor)
 * and put the numbers in docs/performance.md.
 *
 * Logging in 100,000 real sessions is not what is measured here, so a scripted admin server
 * on 127.0.0.1 plays agsignald: it answers admin_login and admin_subscribe and sends the
 * snapshot in frames of 100 users and 100 channels, then admin_snapshot_end, exactly as
 * agsignald does, then the event stream. Everything from the WebSocket up (AgAdmin, its
 * models, the Monitor's panels, filters and column views) is the real code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <sys/resource.h>

#include <adwaita.h>
#include <agsignal.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ag-console-monitor-page.h"

#define WAIT_TIMEOUT_S    120
#define FRAME             100
#define STREAM_SECONDS    10
#define STREAM_RATE       2000
#define ADMIN_KEY         "bench-monitor-key-0123456789"

static int n_users = 100000;
static int n_channels = 10000;
static gboolean first_screen_only;

typedef struct
{
  SoupServer              *server;
  SoupWebsocketConnection *connection;
  char                    *uri;
  gint64                   seq;
  GPtrArray               *snapshot;
  GMainContext            *context;
  GMainLoop               *loop;
  GThread                 *thread;
  GAsyncQueue             *ready;
} Scripted;

static void
send_text (Scripted   *scripted,
           const char *text)
{
  soup_websocket_connection_send_text (scripted->connection, text);
}

/* The snapshot's frames are written before the clock starts: agsignald builds them in its own
 * process, so their cost is not the Monitor's. */
static GPtrArray *
build_snapshot (void)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func (g_free);
  int users = 0, channels = 0;

  while (users < n_users || channels < n_channels) {
    GString *frame = g_string_new ("{\"op\":\"admin_snapshot\",\"users\":[");

    for (int i = 0; i < FRAME && users < n_users; i++, users++)
      g_string_append_printf (frame, "%s{\"account\":\"user%06d\",\"uid\":%d,\"since\":1764099000000,"
                              "\"address\":\"127.0.0.1:40000\",\"channel\":\"c%05d\",\"queue\":0}",
                              i > 0 ? "," : "", users, users + 1, users % n_channels);
    g_string_append (frame, "],\"channels\":[");
    for (int i = 0; i < FRAME && channels < n_channels; i++, channels++)
      g_string_append_printf (frame, "%s{\"name\":\"c%05d\",\"kind\":\"ordinary\",\"members\":%d,"
                              "\"total_joins\":%d,\"attrs\":{\"topic\":\"news\"}}",
                              i > 0 ? "," : "", channels, n_users / n_channels, n_users / n_channels);
    g_string_append (frame, "]}");
    g_ptr_array_add (frames, g_string_free (frame, FALSE));
  }

  g_ptr_array_add (frames, g_strdup ("{\"op\":\"admin_snapshot_end\",\"seq\":0}"));
  return frames;
}

static void
send_snapshot (Scripted *scripted)
{
  for (guint i = 0; i < scripted->snapshot->len; i++)
    send_text (scripted, scripted->snapshot->pdata[i]);
}

static void
message_cb (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            Scripted                *scripted)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *reply = NULL;
  JsonObject *request;
  const char *op;
  gint64 id;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  if (!json_parser_load_from_data (parser, data, size, NULL))
    return;

  request = json_node_get_object (json_parser_get_root (parser));
  op = json_object_get_string_member_with_default (request, "op", "");
  id = json_object_get_int_member_with_default (request, "id", 0);

  if (g_str_equal (op, "admin_login"))
    reply = g_strdup_printf ("{\"op\":\"ok\",\"id\":%" G_GINT64_FORMAT ",\"scope\":\"server\"}", id);
  else if (g_str_equal (op, "admin_subscribe"))
    reply = g_strdup_printf ("{\"op\":\"ok\",\"id\":%" G_GINT64_FORMAT ",\"epoch\":\"bench\","
                             "\"seq\":0,\"resumed\":false,\"users\":%d,\"channels\":%d}",
                             id, n_users, n_channels);
  else
    reply = g_strdup_printf ("{\"op\":\"ok\",\"id\":%" G_GINT64_FORMAT ",\"stats\":{}}", id);

  send_text (scripted, reply);
  if (g_str_equal (op, "admin_subscribe"))
    send_snapshot (scripted);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  Scripted *scripted = user_data;

  g_set_object (&scripted->connection, connection);
  g_signal_connect (connection, "message", G_CALLBACK (message_cb), scripted);
}

static gpointer
scripted_thread (gpointer data)
{
  static const char *protocols[] = { "agsignal.v1", NULL };
  Scripted *scripted = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  g_main_context_push_thread_default (scripted->context);
  scripted->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (scripted->server, "/v1", NULL, (char **) protocols,
                                     websocket_cb, scripted, NULL);
  if (!soup_server_listen_local (scripted->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Could not listen on 127.0.0.1: %s", error->message);

  uris = soup_server_get_uris (scripted->server);
  g_async_queue_push (scripted->ready,
                      g_strdup_printf ("ws://127.0.0.1:%d/v1", g_uri_get_port (uris->data)));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  g_main_loop_run (scripted->loop);
  g_clear_object (&scripted->connection);
  g_clear_object (&scripted->server);
  g_main_context_pop_thread_default (scripted->context);
  return NULL;
}

/* The server runs in a thread of its own, as agsignald runs in a process of its own: the
 * page's loop pays only for what it receives. */
static void
scripted_start (Scripted *scripted)
{
  scripted->context = g_main_context_new ();
  scripted->loop = g_main_loop_new (scripted->context, FALSE);
  scripted->ready = g_async_queue_new ();
  scripted->thread = g_thread_new ("scripted-server", scripted_thread, scripted);
  scripted->uri = g_async_queue_pop (scripted->ready);
}

static void
scripted_stop (Scripted *scripted)
{
  g_main_loop_quit (scripted->loop);
  g_thread_join (scripted->thread);
  g_main_loop_unref (scripted->loop);
  g_main_context_unref (scripted->context);
  g_async_queue_unref (scripted->ready);
  g_ptr_array_unref (scripted->snapshot);
  g_free (scripted->uri);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition   condition,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  guint tick = g_timeout_add (5, tick_cb, NULL);

  while (!condition (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);

  if (!condition (data))
    g_error ("Timed out waiting for %s", what);
}

static gboolean
page_live (gpointer data)
{
  return ag_console_monitor_page_get_watching (data);
}

typedef struct {
  GtkWidget *page;
  gboolean   painted;
} Paint;

static void
after_paint_cb (GdkFrameClock *clock,
                Paint         *paint)
{
  paint->painted = TRUE;
}

static gboolean
painted (gpointer data)
{
  return ((Paint *) data)->painted;
}

/* The stream, in the server's thread: STREAM_RATE presence events a second (logins of new
 * accounts, then their logouts) for STREAM_SECONDS, sent by the clock: each tick sends what
 * is due since the start. */
typedef struct {
  Scripted *scripted;
  int       sent;
  int       next_user;
  gint64    start_us;
  gint      done;
} Stream;

static gboolean
stream_cb (gpointer data)
{
  Stream *stream = data;
  gint64 now = g_get_monotonic_time ();
  int due;

  if (stream->start_us == 0)
    stream->start_us = now;

  due = MIN ((now - stream->start_us) * STREAM_RATE / G_USEC_PER_SEC, STREAM_RATE * STREAM_SECONDS);
  for (; stream->sent < due; stream->sent++) {
    g_autofree char *text = NULL;
    gint64 seq = ++stream->scripted->seq;

    /* Even events log a new account in, odd ones log the previous one out. */
    if (stream->sent % 2 == 0)
      text = g_strdup_printf ("{\"op\":\"admin_event\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":0,"
                              "\"type\":\"online\",\"user\":{\"account\":\"new%06d\",\"uid\":%d,"
                              "\"since\":0,\"address\":null,\"channel\":null,\"queue\":0}}",
                              seq, stream->next_user, 200000 + stream->next_user);
    else {
      int user = stream->next_user++;

      text = g_strdup_printf ("{\"op\":\"admin_event\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":0,"
                              "\"type\":\"offline\",\"account\":\"new%06d\",\"uid\":%d,\"code\":101}",
                              seq, user, 200000 + user);
    }
    send_text (stream->scripted, text);
  }

  if (stream->sent >= STREAM_RATE * STREAM_SECONDS) {
    g_atomic_int_set (&stream->done, TRUE);
    return G_SOURCE_REMOVE;
  }

  return G_SOURCE_CONTINUE;
}

static gboolean
stream_start_cb (gpointer data)
{
  GSource *source = g_timeout_source_new (5);

  g_source_set_callback (source, stream_cb, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return G_SOURCE_REMOVE;
}

static gboolean
stream_done (gpointer data)
{
  return g_atomic_int_get (&((Stream *) data)->done);
}

/* On the page's loop: how late a 10 ms timer runs, which is how long the loop was busy at a
 * stretch (an operator's click waits that long). */
typedef struct {
  gint64  last_us;
  double  worst_gap_ms;
  GArray *gaps_ms;
  guint   last_ticks;
} Probe;

static gboolean
probe_cb (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_us != 0) {
    double gap_ms = (now - probe->last_us) / 1000.0;

    probe->worst_gap_ms = MAX (probe->worst_gap_ms, gap_ms);
    g_array_append_val (probe->gaps_ms, gap_ms);
  }
  probe->last_us = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
probe_ticked (gpointer data)
{
  Probe *probe = data;

  return probe->gaps_ms->len > probe->last_ticks;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
probe_p99 (Probe *probe)
{
  if (probe->gaps_ms->len == 0)
    return 0;
  g_array_sort (probe->gaps_ms, compare_doubles);
  return g_array_index (probe->gaps_ms, double, probe->gaps_ms->len * 99 / 100);
}

static gboolean
time_reached (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static double
cpu_seconds (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

typedef struct {
  AgAdmin *admin;
  guint64  seq;
} SeqWait;

static gboolean
seq_reached (gpointer data)
{
  SeqWait *wait = data;

  return ag_admin_get_seq (wait->admin) >= wait->seq;
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT, &n_users, "Online users in the snapshot (100000)", "N" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &n_channels, "Channels in the snapshot (10000)", "N" },
    { "first-screen-only", 0, 0, G_OPTION_ARG_NONE, &first_screen_only, "Stop after the first screen", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  Scripted scripted = { NULL, };
  Paint paint = { NULL, FALSE };
  Stream stream = { &scripted, };
  SeqWait wait;
  GtkWidget *window;
  gint64 start;
  Probe probe = { 0, }, idle_probe = { 0, }, load_probe = { 0, };
  double live_ms, first_screen_ms, stream_s, catch_up_ms, thread_cpu, process_cpu;
  guint probe_source, paint_handler;
  GdkFrameClock *clock;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (n_channels < 1 || n_users < 1)
    g_error ("--users and --channels must be positive");

  if (!gtk_init_check ()) {
    g_printerr ("bench-monitor needs a display (run it under xvfb-run -a)\n");
    return 77;
  }
  adw_init ();
  scripted.snapshot = build_snapshot ();
  scripted_start (&scripted);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  paint.page = ag_console_monitor_page_new (scripted.uri, "demo", ADMIN_KEY);

  /* The console's window is up before the operator opens the Monitor: it is shown and
   * painted first, with something else in it. */
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Sessions"));
  gtk_window_present (GTK_WINDOW (window));
  clock = gtk_widget_get_frame_clock (window);
  while (clock == NULL) {
    g_main_context_iteration (NULL, TRUE);
    clock = gtk_widget_get_frame_clock (window);
  }
  paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &paint);
  wait_for (painted, &paint, "the window");
  g_signal_handler_disconnect (clock, paint_handler);
  paint.painted = FALSE;

  /* From showing the page (it connects on first map) to the first frame painted live. */
  start = g_get_monotonic_time ();
  load_probe.gaps_ms = g_array_new (FALSE, FALSE, sizeof (double));
  probe_source = g_timeout_add (10, probe_cb, &load_probe);
  gtk_window_set_child (GTK_WINDOW (window), paint.page);
  wait_for (page_live, paint.page, "the snapshot");
  live_ms = (g_get_monotonic_time () - start) / 1000.0;
  clock = gtk_widget_get_frame_clock (paint.page);
  paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &paint);
  gtk_widget_queue_draw (paint.page);
  wait_for (painted, &paint, "the first live frame");
  first_screen_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_signal_handler_disconnect (clock, paint_handler);
  /* The timer runs once more, so that the stretch that ends with the first live frame
   * (applying the snapshot, then painting it) is measured too. */
  load_probe.last_ticks = load_probe.gaps_ms->len;
  wait_for (probe_ticked, &load_probe, "the timer");
  g_source_remove (probe_source);

  if ((int) ag_admin_get_n_users (ag_console_monitor_page_get_admin (AG_CONSOLE_MONITOR_PAGE (paint.page))) != n_users)
    g_error ("the page has %u users, the snapshot %d",
             ag_admin_get_n_users (ag_console_monitor_page_get_admin (AG_CONSOLE_MONITOR_PAGE (paint.page))),
             n_users);

  if (first_screen_only) {
    g_print ("bench-monitor: %d users, %d channels in the snapshot\n", n_users, n_channels);
    g_print ("  first live screen after       %.0f ms (snapshot applied after %.0f ms); "
             "meanwhile the page's loop was busy at most %.0f ms at a stretch\n",
             first_screen_ms, live_ms, load_probe.worst_gap_ms);
    g_array_unref (load_probe.gaps_ms);
    gtk_window_destroy (GTK_WINDOW (window));
    scripted_stop (&scripted);
    return 0;
  }

  /* The baseline: the same timer on the page's loop for 3 s without events. */
  idle_probe.gaps_ms = g_array_new (FALSE, FALSE, sizeof (double));
  probe_source = g_timeout_add (10, probe_cb, &idle_probe);
  {
    gint64 until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

    wait_for (time_reached, &until, "the baseline");
  }
  g_source_remove (probe_source);

  /* The stream, then how long until the page applied all of it. */
  start = g_get_monotonic_time ();
  thread_cpu = cpu_seconds (RUSAGE_THREAD);
  process_cpu = cpu_seconds (RUSAGE_SELF);
  probe.gaps_ms = g_array_new (FALSE, FALSE, sizeof (double));
  probe_source = g_timeout_add (10, probe_cb, &probe);
  g_main_context_invoke (scripted.context, stream_start_cb, &stream);
  wait_for (stream_done, &stream, "the stream");
  stream_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  start = g_get_monotonic_time ();
  wait.admin = ag_console_monitor_page_get_admin (AG_CONSOLE_MONITOR_PAGE (paint.page));
  wait.seq = (guint64) g_atomic_int_get (&stream.sent);
  wait_for (seq_reached, &wait, "the events");
  catch_up_ms = (g_get_monotonic_time () - start) / 1000.0;
  thread_cpu = cpu_seconds (RUSAGE_THREAD) - thread_cpu;
  process_cpu = cpu_seconds (RUSAGE_SELF) - process_cpu;
  g_source_remove (probe_source);

  g_print ("bench-monitor: %d users, %d channels in the snapshot\n", n_users, n_channels);
  g_print ("  first live screen after       %.0f ms (snapshot applied after %.0f ms); "
           "meanwhile the page's loop was busy at most %.0f ms at a stretch\n",
           first_screen_ms, live_ms, load_probe.worst_gap_ms);
  g_print ("  stream of %d presence events/s for %d s: sent in %.2f s, applied %.0f ms after "
           "the last; a 10 ms timer on the page's loop ran after p99 %.0f ms, at worst %.0f ms\n",
           STREAM_RATE, STREAM_SECONDS, stream_s, catch_up_ms, probe_p99 (&probe),
           probe.worst_gap_ms);
  g_print ("  baseline without events: the timer ran after p99 %.0f ms, at worst %.0f ms\n",
           probe_p99 (&idle_probe), idle_probe.worst_gap_ms);
  g_print ("  CPU meanwhile: the page's thread %.0f%% of a core (%.0f us per event), the process "
           "%.0f%% (the server's and the renderer's threads included)\n",
           100.0 * thread_cpu / (stream_s + catch_up_ms / 1000.0), thread_cpu * 1e6 / stream.sent,
           100.0 * process_cpu / (stream_s + catch_up_ms / 1000.0));
  g_print ("  users after the stream        %u (expected %d)\n",
           ag_admin_get_n_users (wait.admin), n_users);

  g_array_unref (probe.gaps_ms);
  g_array_unref (idle_probe.gaps_ms);
  g_array_unref (load_probe.gaps_ms);
  gtk_window_destroy (GTK_WINDOW (window));
  scripted_stop (&scripted);
  return 0;
}
