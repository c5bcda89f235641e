/* bench-console.c: how the console copes with a 10,000 member roster and a 100,000 entry log
 *
 * Not a meson test: run it by hand under a display (xvfb-run -a build/tests/console/bench-console)
 * and put the numbers in docs/performance.md.
 *
 * The roster comes over a real libagsignal session. Filling one channel with 10,000 members
 * through agsignald would cost the server ~50 million join notifications (every member is told
 * about every later join), so a scripted agsignal.v1 peer on 127.0.0.1 plays the server: it
 * answers the login and the join, then sends one channel_user_joined event per member, exactly
 * as agsignald does for members joining after us. Everything from the WebSocket up (frame
 * decoding, AgChannel's members model, the console's filter, sort and list view) is the real
 * code. The event log benchmark drives AgConsoleLogModel and AgConsoleEventLog directly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <stdlib.h>

#include <adwaita.h>
#include <agsignal.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ag-console-channel-view.h"
#include "ag-console-event-log.h"
#include "ag-console-log-model.h"

#define WAIT_TIMEOUT_S   120
#define SCROLL_FRAMES    600

static int n_members = 10000;
static int n_entries = 100000;

/* The scripted peer ------------------------------------------------------------------------ */

typedef struct
{
  SoupServer *server;
  GPtrArray  *connections;
  char       *uri;
} ScriptedServer;

static void
send_object (SoupWebsocketConnection *connection,
             JsonBuilder             *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  soup_websocket_connection_send_text (connection, text);
}

static void
reply_ok (SoupWebsocketConnection *connection,
          gint64                   id,
          const char              *op,
          JsonObject              *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);

  if (g_strcmp0 (op, "login") == 0) {
    json_builder_set_member_name (builder, "account");
    json_builder_add_string_value (builder, json_object_get_string_member_with_default (request, "account", ""));
    json_builder_set_member_name (builder, "uid");
    json_builder_add_int_value (builder, 1);
  } else if (g_strcmp0 (op, "channel_join") == 0) {
    json_builder_set_member_name (builder, "channel");
    json_builder_add_string_value (builder, json_object_get_string_member_with_default (request, "channel", ""));
    json_builder_set_member_name (builder, "num");
    json_builder_add_int_value (builder, 1);
    json_builder_set_member_name (builder, "members");
    json_builder_begin_array (builder);
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "attrs");
    json_builder_begin_object (builder);
    json_builder_end_object (builder);
  } else if (g_strcmp0 (op, "ping") == 0) {
    json_builder_set_member_name (builder, "ts");
    json_builder_add_int_value (builder, g_get_real_time () / 1000);
  }

  json_builder_end_object (builder);
  send_object (connection, builder);
}

static void
send_members (SoupWebsocketConnection *connection,
              const char              *channel)
{
  for (int i = 0; i < n_members - 1; i++) {
    g_autofree char *text = g_strdup_printf ("{\"op\":\"channel_user_joined\",\"channel\":\"%s\","
                                             "\"account\":\"member-%05d\",\"uid\":%d}",
                                             channel, i, i + 2);

    soup_websocket_connection_send_text (connection, text);
  }
}

static void
message_cb (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 user_data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *request;
  const char *op;
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  if (!json_parser_load_from_data (parser, data, size, NULL))
    return;

  request = json_node_get_object (json_parser_get_root (parser));
  op = json_object_get_string_member_with_default (request, "op", "");
  reply_ok (connection, json_object_get_int_member_with_default (request, "id", 0), op, request);

  if (g_strcmp0 (op, "channel_join") == 0)
    send_members (connection, json_object_get_string_member_with_default (request, "channel", ""));
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  ScriptedServer *scripted = user_data;

  /* Bigger than any frame the client sends: the roster events are the load here. */
  g_signal_connect (connection, "message", G_CALLBACK (message_cb), scripted);
  g_ptr_array_add (scripted->connections, g_object_ref (connection));
}

static ScriptedServer *
scripted_server_new (void)
{
  static const char *protocols[] = { "agsignal.v1", NULL };
  ScriptedServer *scripted = g_new0 (ScriptedServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  scripted->connections = g_ptr_array_new_with_free_func (g_object_unref);
  scripted->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (scripted->server, "/v1", NULL, (char **) protocols,
                                     websocket_cb, scripted, NULL);
  if (!soup_server_listen_local (scripted->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Could not listen on 127.0.0.1: %s", error->message);

  uris = soup_server_get_uris (scripted->server);
  scripted->uri = g_strdup_printf ("ws://127.0.0.1:%d/v1", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  return scripted;
}

static void
scripted_server_free (ScriptedServer *scripted)
{
  g_ptr_array_unref (scripted->connections);
  soup_server_disconnect (scripted->server);
  g_object_unref (scripted->server);
  g_free (scripted->uri);
  g_free (scripted);
}

/* Waiting and timing ---------------------------------------------------------------------- */

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

/* Iterates until nothing is pending: the layout and drawing that a change caused are done. */
static void
settle (void)
{
  for (int i = 0; i < 3; i++) {
    gint64 end = g_get_monotonic_time () + 50 * 1000;
    guint tick = g_timeout_add (5, tick_cb, NULL);

    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
  }
}

static double
ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
print_distribution (const char *label,
                    GArray     *values)
{
  double sum = 0;

  if (values->len == 0) {
    g_print ("  %-34s no samples\n", label);
    return;
  }

  g_array_sort (values, compare_double);
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);

  g_print ("  %-34s mean %.2f  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f ms  (%u frames)\n", label,
           sum / values->len,
           g_array_index (values, double, values->len / 2),
           g_array_index (values, double, (guint) (values->len * 0.95)),
           g_array_index (values, double, MIN (values->len - 1, (guint) (values->len * 0.99))),
           g_array_index (values, double, values->len - 1),
           values->len);
}

/* Scrolling: one frame-clock tick moves the view by a step; the frame clock says how long
 * each frame took from its update phase to the end of painting, and how far apart frames
 * were. */
typedef struct
{
  GtkAdjustment *adjustment;
  double         step;
  guint          frames;
  gint64         update_start;
  gint64         last_frame_time;
  GArray        *work_ms;
  GArray        *interval_ms;
  double         fps;
  gboolean       done;
} Scroll;

static void
frame_update_cb (GdkFrameClock *clock,
                 Scroll        *scroll)
{
  scroll->update_start = g_get_monotonic_time ();
}

static void
frame_after_paint_cb (GdkFrameClock *clock,
                      Scroll        *scroll)
{
  gint64 frame_time = gdk_frame_clock_get_frame_time (clock);
  double work = (g_get_monotonic_time () - scroll->update_start) / 1000.0;

  if (scroll->update_start == 0 || scroll->done)
    return;

  g_array_append_val (scroll->work_ms, work);
  if (scroll->last_frame_time != 0) {
    double interval = (frame_time - scroll->last_frame_time) / 1000.0;

    g_array_append_val (scroll->interval_ms, interval);
  }
  scroll->last_frame_time = frame_time;
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  Scroll *scroll = user_data;
  double value = gtk_adjustment_get_value (scroll->adjustment);
  double bottom = gtk_adjustment_get_upper (scroll->adjustment) - gtk_adjustment_get_page_size (scroll->adjustment);

  if (++scroll->frames >= SCROLL_FRAMES) {
    scroll->fps = gdk_frame_clock_get_fps (clock);
    scroll->done = TRUE;
    return G_SOURCE_REMOVE;
  }

  /* Down to the end, then back up: both directions create and recycle rows. */
  if (value + scroll->step > bottom || value + scroll->step < 0)
    scroll->step = -scroll->step;
  gtk_adjustment_set_value (scroll->adjustment, value + scroll->step);

  return G_SOURCE_CONTINUE;
}

static gboolean
scroll_done (gpointer data)
{
  return ((Scroll *) data)->done;
}

static void
measure_scrolling (const char        *label,
                   GtkWidget         *window,
                   GtkScrolledWindow *scroller,
                   double             step)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  Scroll scroll = { 0 };
  gulong update_id;
  gulong paint_id;

  scroll.adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  scroll.step = step;
  scroll.work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  scroll.interval_ms = g_array_new (FALSE, FALSE, sizeof (double));

  update_id = g_signal_connect (clock, "update", G_CALLBACK (frame_update_cb), &scroll);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_after_paint_cb), &scroll);
  gtk_widget_add_tick_callback (GTK_WIDGET (scroller), scroll_tick_cb, &scroll, NULL);

  wait_for (scroll_done, &scroll, "the scrolling to end");

  g_signal_handler_disconnect (clock, update_id);
  g_signal_handler_disconnect (clock, paint_id);

  g_print ("%s: %u frames, %.0f px a frame, frame clock %.1f fps\n", label, scroll.frames,
           fabs (step), scroll.fps);
  print_distribution ("work a frame (update to paint)", scroll.work_ms);
  print_distribution ("interval between frames", scroll.interval_ms);

  g_array_unref (scroll.work_ms);
  g_array_unref (scroll.interval_ms);
}

static GtkScrolledWindow *
find_scroller (GtkWidget  *root,
               const char *list_type_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkScrolledWindow *found;

    if (GTK_IS_SCROLLED_WINDOW (child) &&
        g_strcmp0 (G_OBJECT_TYPE_NAME (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (child))),
                   list_type_name) == 0 &&
        gtk_widget_get_mapped (child))
      return GTK_SCROLLED_WINDOW (child);

    found = find_scroller (child, list_type_name);
    if (found != NULL)
      return found;
  }

  return NULL;
}

/* The roster ------------------------------------------------------------------------------ */

static gboolean
session_ready (gpointer data)
{
  return ag_session_get_status (data) == AG_STATUS_LOGGED_IN;
}

static gboolean
roster_full (gpointer data)
{
  GListModel *roster = ag_console_channel_view_get_roster_model (data);

  return g_list_model_get_n_items (roster) == (guint) n_members;
}

static gboolean
channel_full (gpointer data)
{
  AgChannel *channel = ag_session_get_channel (data);

  return channel != NULL && ag_channel_get_member_count (channel) == (guint) n_members;
}

static void
bench_roster (void)
{
  ScriptedServer *scripted = scripted_server_new ();
  g_autoptr(AgSignal) signal = ag_signal_new ("bench");
  g_autoptr(AgSession) session = NULL;
  GtkWidget *window;
  GtkWidget *view;
  GtkScrolledWindow *scroller;
  gint64 start;
  double populate_ms;
  double shown_ms;

  ag_signal_set_server_uri (signal, scripted->uri);
  session = ag_signal_login (signal, "alice", "_no_need_token");
  wait_for (session_ready, session, "the login");

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  view = ag_console_channel_view_new (session);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  g_print ("Renderer: %s, window 1280x800\n",
           G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));

  start = g_get_monotonic_time ();
  ag_console_channel_view_join (AG_CONSOLE_CHANNEL_VIEW (view), "big");
  wait_for (channel_full, session, "the library's members model");
  populate_ms = ms_since (start);
  wait_for (roster_full, view, "the roster");
  settle ();
  shown_ms = ms_since (start);

  g_print ("Roster of %d members (%s)\n", n_members, ag_console_channel_view_get_count_text (AG_CONSOLE_CHANNEL_VIEW (view)));
  g_print ("  join to full members model       %.0f ms (%.0f members/s, %d join events)\n",
           populate_ms, n_members / (populate_ms / 1000.0), n_members - 1);
  g_print ("  join to filtered, sorted, drawn  %.0f ms\n", shown_ms);

  start = g_get_monotonic_time ();
  ag_console_channel_view_set_search (AG_CONSOLE_CHANNEL_VIEW (view), "member-0999");
  g_print ("  search \"member-0999\"             %.1f ms -> %u shown\n", ms_since (start),
           g_list_model_get_n_items (ag_console_channel_view_get_roster_model (AG_CONSOLE_CHANNEL_VIEW (view))));
  start = g_get_monotonic_time ();
  ag_console_channel_view_set_search (AG_CONSOLE_CHANNEL_VIEW (view), NULL);
  g_print ("  clear the search                 %.1f ms -> %u shown\n", ms_since (start),
           g_list_model_get_n_items (ag_console_channel_view_get_roster_model (AG_CONSOLE_CHANNEL_VIEW (view))));
  settle ();

  scroller = find_scroller (view, "GtkListView");
  g_assert (scroller != NULL);
  measure_scrolling ("Roster scrolling", window, scroller, 240);
  measure_scrolling ("Roster jumping a page a frame", window, scroller, 800);

  gtk_window_destroy (GTK_WINDOW (window));
  ag_session_logout (session);
  settle ();
  scripted_server_free (scripted);
}

/* The event log --------------------------------------------------------------------------- */

static const char *kinds[] = {
  "message-channel-receive", "channel-user-joined", "channel-user-leaved",
  "message-instant-receive", "channel-attr-updated", "invite-received",
};

static void
append_entries (AgConsoleLogModel *model,
                int                count)
{
  for (int i = 0; i < count; i++) {
    const char *kind = kinds[i % G_N_ELEMENTS (kinds)];
    char summary[160];
    char json[256];

    g_snprintf (summary, sizeof summary, "[lobby] account=\"user-%05d\", uid=%d, msg=\"message number %d\"",
                i % 5000, i % 5000 + 2, i);
    g_snprintf (json, sizeof json,
                "{\"signal\":\"%s\",\"channel\":\"lobby\",\"args\":{\"account\":\"user-%05d\",\"uid\":%d,\"msg\":\"message number %d\"}}",
                kind, i % 5000, i % 5000 + 2, i);
    ag_console_log_model_append (model, g_get_real_time (), kind, summary, json);
  }
}

static void
bench_event_log (void)
{
  g_autoptr(AgConsoleLogModel) bare = ag_console_log_model_new (0);
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (0);
  GtkWidget *window;
  GtkWidget *log;
  GtkScrolledWindow *scroller;
  GListModel *filtered;
  gint64 start;
  double ms;

  g_print ("Event log of %d entries\n", n_entries);

  start = g_get_monotonic_time ();
  append_entries (bare, n_entries);
  ms = ms_since (start);
  g_print ("  append, model alone              %.0f ms (%.0f entries/s)\n", ms, n_entries / (ms / 1000.0));

  start = g_get_monotonic_time ();
  append_entries (bare, n_entries);
  ms = ms_since (start);
  g_print ("  append to a full ring            %.0f ms (%.0f entries/s, %" G_GUINT64_FORMAT " dropped)\n",
           ms, n_entries / (ms / 1000.0), ag_console_log_model_get_dropped (bare));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  log = ag_console_event_log_new (model);
  gtk_window_set_child (GTK_WINDOW (window), log);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  filtered = ag_console_event_log_get_filtered (AG_CONSOLE_EVENT_LOG (log));

  start = g_get_monotonic_time ();
  append_entries (model, n_entries);
  ms = ms_since (start);
  g_print ("  append, shown in the event log   %.0f ms (%.0f entries/s)\n", ms, n_entries / (ms / 1000.0));
  start = g_get_monotonic_time ();
  settle ();
  g_print ("  then layout and draw             %.0f ms (includes 150 ms of settling)\n", ms_since (start));

  start = g_get_monotonic_time ();
  ag_console_event_log_set_search (AG_CONSOLE_EVENT_LOG (log), "user-04242");
  g_print ("  search \"user-04242\"              %.1f ms -> %u shown\n", ms_since (start),
           g_list_model_get_n_items (filtered));

  start = g_get_monotonic_time ();
  ag_console_event_log_set_search (AG_CONSOLE_EVENT_LOG (log), "MESSAGE NUMBER 9999");
  g_print ("  search \"MESSAGE NUMBER 9999\"     %.1f ms -> %u shown\n", ms_since (start),
           g_list_model_get_n_items (filtered));

  start = g_get_monotonic_time ();
  ag_console_event_log_set_search (AG_CONSOLE_EVENT_LOG (log), NULL);
  ag_console_event_log_set_kind (AG_CONSOLE_EVENT_LOG (log), "invite-received");
  g_print ("  type \"invite-received\"           %.1f ms -> %u shown\n", ms_since (start),
           g_list_model_get_n_items (filtered));

  start = g_get_monotonic_time ();
  ag_console_event_log_set_kind (AG_CONSOLE_EVENT_LOG (log), NULL);
  g_print ("  clear the filters                %.1f ms -> %u shown\n", ms_since (start),
           g_list_model_get_n_items (filtered));
  settle ();

  scroller = find_scroller (log, "GtkColumnView");
  g_assert (scroller != NULL);
  measure_scrolling ("Event log scrolling", window, scroller, 240);
  measure_scrolling ("Event log jumping a page a frame", window, scroller, 800);

  start = g_get_monotonic_time ();
  append_entries (model, 10000);
  settle ();
  g_print ("  10,000 more into the full log    %.0f ms with layout (%u entries kept)\n",
           ms_since (start), g_list_model_get_n_items (G_LIST_MODEL (model)));

  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "members", 'm', 0, G_OPTION_ARG_INT, &n_members, "Roster size (10000)", "N" },
    { "entries", 'e', 0, G_OPTION_ARG_INT, &n_entries, "Event log entries (100000)", "N" },
    { NULL }
  };

  context = g_option_context_new ("- benchmark the console's roster and event log");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }

  if (n_members < 2 || n_entries < 1) {
    g_printerr ("--members must be at least 2 and --entries at least 1\n");
    return 2;
  }

  if (!gtk_init_check ()) {
    g_printerr ("bench-console needs a display (run it under xvfb-run -a)\n");
    return 77;
  }
  adw_init ();

  g_print ("bench-console: GTK %u.%u.%u, libadwaita %u.%u.%u\n",
           gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
           adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version ());

  bench_roster ();
  bench_event_log ();

  return 0;
}
