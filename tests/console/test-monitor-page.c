/* test-monitor-page.c: the operators' monitor against a real agsignald, with the watched
 * accounts driven through libagsignal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <adwaita.h>
#include <agsignal.h>
#include <json-glib/json-glib.h>

#include "ag-console-event-chart.h"
#include "ag-console-monitor-page.h"
#include "ag-test-server.h"

#define WAIT_MS 10000

typedef struct {
  AgTestServer *server;
  AgSignal     *signal;
  GtkWidget    *window;
  GtkWidget    *page;
} Fixture;

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
page_watching (gpointer data)
{
  return ag_console_monitor_page_get_watching (AG_CONSOLE_MONITOR_PAGE (data));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  fixture->server = ag_test_server_new (NULL, NULL, &error);
  g_assert_no_error (error);

  fixture->signal = ag_signal_new ("demo");
  ag_signal_set_server_uri (fixture->signal, ag_test_server_get_uri (fixture->server));

  /* Monitoring starts by itself the first time the page is shown. */
  fixture->page = ag_console_monitor_page_new (ag_test_server_get_uri (fixture->server),
                                               "demo", NULL);
  g_assert_false (ag_console_monitor_page_get_running (AG_CONSOLE_MONITOR_PAGE (fixture->page)));
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 900);
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->page);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (ag_test_spin_until (widget_mapped, fixture->page, WAIT_MS));
  g_assert_true (ag_console_monitor_page_get_running (AG_CONSOLE_MONITOR_PAGE (fixture->page)));
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_true (ag_test_spin_until (pointer_cleared, &fixture->window, WAIT_MS));

  g_clear_object (&fixture->signal);
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

static gboolean
session_status_is (AgSession *session,
                   AgStatus   status)
{
  return ag_session_get_status (session) == status;
}

static gboolean
session_logged_in (gpointer data)
{
  return session_status_is (data, AG_STATUS_LOGGED_IN);
}

static gboolean
session_logged_out (gpointer data)
{
  return session_status_is (data, AG_STATUS_NOT_LOGGED_IN);
}

static AgSession *
login (Fixture    *fixture,
       const char *account)
{
  AgSession *session = ag_signal_login (fixture->signal, account, "_no_need_token");

  g_assert_true (ag_test_spin_until (session_logged_in, session, WAIT_MS));

  return session;
}

static gboolean
channel_joined (gpointer data)
{
  return ag_channel_get_joined (AG_CHANNEL (data));
}

static AgChannel *
join (AgSession  *session,
      const char *name)
{
  AgChannel *channel = ag_session_channel_join (session, name);

  g_assert_true (ag_test_spin_until (channel_joined, channel, WAIT_MS));

  return channel;
}

static gboolean
model_has_string (GListModel *model,
                  const char *string)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr (GtkStringObject) item = g_list_model_get_item (model, i);

    if (g_strcmp0 (gtk_string_object_get_string (item), string) == 0)
      return TRUE;
  }

  return FALSE;
}

typedef struct {
  Fixture    *fixture;
  const char *string;
  gboolean    present;
} ListWait;

static gboolean
online_listed (gpointer data)
{
  ListWait *wait = data;
  GListModel *online = ag_console_monitor_page_get_online_users (AG_CONSOLE_MONITOR_PAGE (wait->fixture->page));

  return model_has_string (online, wait->string) == wait->present;
}

typedef struct {
  Fixture    *fixture;
  const char *channel;
  int         count;
} CountWait;

static gboolean
member_count_is (gpointer data)
{
  CountWait *wait = data;

  return ag_console_monitor_page_get_member_count (AG_CONSOLE_MONITOR_PAGE (wait->fixture->page),
                                                   wait->channel) == wait->count;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c)) {
    GtkWidget *found = find_label (c, text);

    if (found != NULL)
      return found;
  }

  return NULL;
}

typedef struct {
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;
  GtkWidget *label = find_label (wait->root, wait->text);

  return label != NULL && gtk_widget_is_drawable (label);
}

static void
assert_label_shown (GtkWidget  *root,
                    const char *text)
{
  LabelWait wait = { root, text };

  if (!ag_test_spin_until (label_shown, &wait, WAIT_MS))
    g_error ("“%s” is not shown", text);
}

static guint
count_log (Fixture    *fixture,
           const char *kind,
           const char *account,
           const char *channel)
{
  AgConsoleMonitorPage *page = AG_CONSOLE_MONITOR_PAGE (fixture->page);

  ag_console_monitor_page_set_filter (page, kind, account, channel);

  return g_list_model_get_n_items (ag_console_monitor_page_get_filtered_log (page));
}

typedef struct {
  Fixture    *fixture;
  const char *kind;
  const char *account;
  const char *channel;
  guint       count;
} LogWait;

static gboolean
log_has (gpointer data)
{
  LogWait *wait = data;

  return count_log (wait->fixture, wait->kind, wait->account, wait->channel) >= wait->count;
}

static void
test_online_users (Fixture       *fixture,
                   gconstpointer  data)
{
  AgConsoleMonitorPage *page = AG_CONSOLE_MONITOR_PAGE (fixture->page);
  g_autoptr (AgSession) carol = NULL;
  g_autofree char *summary = NULL;
  ListWait list_wait;
  LogWait log_wait;

  /* The page's own sessions are not listed as users. */
  g_assert_false (model_has_string (ag_console_monitor_page_get_online_users (page),
                                    ag_console_monitor_page_get_online_account (page)));
  g_assert_true (g_str_has_prefix (ag_console_monitor_page_get_online_account (page), "_monitor-"));
  g_assert_true (g_str_has_suffix (ag_console_monitor_page_get_online_account (page), "-online"));
  g_assert_true (g_str_has_suffix (ag_console_monitor_page_get_events_account (page), "-events"));

  /* A third session logs in: listed, counted, logged. */
  carol = login (fixture, "carol");
  list_wait = (ListWait) { fixture, "carol", TRUE };
  g_assert_true (ag_test_spin_until (online_listed, &list_wait, WAIT_MS));
  assert_label_shown (fixture->page, "carol");
  assert_label_shown (fixture->page, "1 online");
  log_wait = (LogWait) { fixture, "online", "carol", NULL, 1 };
  g_assert_true (ag_test_spin_until (log_has, &log_wait, WAIT_MS));
  summary = g_strdup_printf ("carol came online (uid %u)", ag_session_get_uid (carol));
  assert_label_shown (fixture->page, summary);

  /* The type filter keeps only its kind. */
  g_assert_cmpuint (count_log (fixture, "offline", "carol", NULL), ==, 0);
  g_assert_cmpuint (count_log (fixture, NULL, "CAR", NULL), ==, 1);

  /* Logging out removes it from the list, with an offline event. */
  ag_session_logout (carol);
  g_assert_true (ag_test_spin_until (session_logged_out, carol, WAIT_MS));
  list_wait.present = FALSE;
  g_assert_true (ag_test_spin_until (online_listed, &list_wait, WAIT_MS));
  log_wait = (LogWait) { fixture, "offline", "carol", NULL, 1 };
  g_assert_true (ag_test_spin_until (log_has, &log_wait, WAIT_MS));
  assert_label_shown (fixture->page, "0 online");

  /* Every event counted on the chart: online and offline of carol at least. */
  g_assert_cmpuint (ag_console_event_chart_get_total (ag_console_monitor_page_get_chart (page),
                                                      AG_CONSOLE_EVENT_CHART_EVENTS), >=, 2);
  g_assert_cmpuint (ag_console_event_chart_get_total (ag_console_monitor_page_get_chart (page),
                                                      AG_CONSOLE_EVENT_CHART_MESSAGES), >=,
                    ag_console_event_chart_get_total (ag_console_monitor_page_get_chart (page),
                                                      AG_CONSOLE_EVENT_CHART_EVENTS));
}

static void
test_channel_counts (Fixture       *fixture,
                     gconstpointer  data)
{
  AgConsoleMonitorPage *page = AG_CONSOLE_MONITOR_PAGE (fixture->page);
  g_autoptr (AgSession) carol = login (fixture, "carol");
  g_autoptr (AgSession) dave = login (fixture, "dave");
  g_autoptr (AgChannel) carol_lobby = NULL;
  g_autoptr (AgChannel) dave_lobby = NULL;
  CountWait wait = { fixture, "lobby", 1 };
  LogWait log_wait;

  g_assert_cmpint (ag_console_monitor_page_get_member_count (page, "lobby"), ==, -1);

  carol_lobby = join (carol, "lobby");
  g_assert_true (ag_test_spin_until (member_count_is, &wait, WAIT_MS));
  g_assert_true (model_has_string (ag_console_monitor_page_get_channels (page), "lobby"));

  dave_lobby = join (dave, "lobby");
  wait.count = 2;
  g_assert_true (ag_test_spin_until (member_count_is, &wait, WAIT_MS));
  assert_label_shown (fixture->page, "dave joined lobby (2 members)");
  log_wait = (LogWait) { fixture, "join", NULL, "lobby", 2 };
  g_assert_true (ag_test_spin_until (log_has, &log_wait, WAIT_MS));
  g_assert_cmpuint (count_log (fixture, "join", "dave", "lobby"), ==, 1);
  g_assert_cmpuint (count_log (fixture, "join", NULL, "other-channel"), ==, 0);

  ag_channel_channel_leave (carol_lobby);
  wait.count = 1;
  g_assert_true (ag_test_spin_until (member_count_is, &wait, WAIT_MS));
  log_wait = (LogWait) { fixture, "leave", "carol", "lobby", 1 };
  g_assert_true (ag_test_spin_until (log_has, &log_wait, WAIT_MS));

  /* The last member leaving ends the channel's activity: it is no longer listed. */
  ag_channel_channel_leave (dave_lobby);
  wait.count = -1;
  g_assert_true (ag_test_spin_until (member_count_is, &wait, WAIT_MS));
  g_assert_false (model_has_string (ag_console_monitor_page_get_channels (page), "lobby"));

  ag_session_logout (carol);
  ag_session_logout (dave);
}

static gboolean
channel_listed (gpointer data)
{
  CountWait *wait = data;

  return model_has_string (ag_console_monitor_page_get_channels (AG_CONSOLE_MONITOR_PAGE (wait->fixture->page)),
                           wait->channel) &&
         member_count_is (wait);
}

static void
test_watch_channel (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr (AgSession) erin = login (fixture, "erin");
  g_autoptr (AgChannel) erin_room = join (erin, "quiet");
  GtkEditable *entry;
  CountWait wait = { fixture, "quiet", 1 };

  /* Counted on demand, and kept listed even when it empties. */
  g_assert_true (ag_test_spin_until (member_count_is, &wait, WAIT_MS));
  entry = GTK_EDITABLE (gtk_widget_get_template_child (fixture->page, AG_CONSOLE_TYPE_MONITOR_PAGE,
                                                       "watch_entry"));
  g_assert_nonnull (entry);
  gtk_editable_set_text (entry, "nobody-here");
  gtk_widget_activate_action (fixture->page, "monitor.watch", NULL);
  wait = (CountWait) { fixture, "nobody-here", 0 };
  g_assert_true (ag_test_spin_until (channel_listed, &wait, WAIT_MS));
  assert_label_shown (fixture->page, "nobody-here");

  ag_channel_channel_leave (erin_room);
  wait = (CountWait) { fixture, "quiet", -1 };
  g_assert_true (ag_test_spin_until (member_count_is, &wait, WAIT_MS));

  ag_session_logout (erin);
}

static void
test_pause_and_export (Fixture       *fixture,
                       gconstpointer  data)
{
  AgConsoleMonitorPage *page = AG_CONSOLE_MONITOR_PAGE (fixture->page);
  AgConsoleLogModel *log = ag_console_monitor_page_get_log (page);
  GtkToggleButton *pause;
  g_autoptr (AgSession) frank = NULL;
  g_autoptr (GOutputStream) stream = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  ListWait list_wait;
  LogWait log_wait;
  guint before, online_lines = 0;

  pause = GTK_TOGGLE_BUTTON (gtk_widget_get_template_child (fixture->page, AG_CONSOLE_TYPE_MONITOR_PAGE,
                                                            "pause_button"));
  g_assert_nonnull (pause);

  /* Paused: the lists go on, the log holds still. */
  gtk_toggle_button_set_active (pause, TRUE);
  g_assert_true (ag_console_log_model_get_paused (log));
  before = g_list_model_get_n_items (G_LIST_MODEL (log));
  frank = login (fixture, "frank");
  list_wait = (ListWait) { fixture, "frank", TRUE };
  g_assert_true (ag_test_spin_until (online_listed, &list_wait, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, before);

  /* Resumed: the held event is there. */
  gtk_toggle_button_set_active (pause, FALSE);
  log_wait = (LogWait) { fixture, "online", "frank", NULL, 1 };
  g_assert_true (ag_test_spin_until (log_has, &log_wait, WAIT_MS));

  /* Exported as JSON lines: each line one object, the events as received. */
  stream = g_memory_output_stream_new_resizable ();
  g_assert_true (ag_console_log_model_export_to (log, stream, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (stream, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *object;

    json_parser_load_from_data (parser, lines[i], -1, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    object = json_node_get_object (json_parser_get_root (parser));
    g_assert_true (json_object_has_member (object, "type"));
    g_assert_true (json_object_has_member (object, "received_us"));

    if (g_strcmp0 (json_object_get_string_member (object, "type"), "online") == 0 &&
        g_strcmp0 (json_object_get_string_member (object, "account"), "frank") == 0) {
      g_assert_cmpint (json_object_get_int_member (object, "uid"), >, 0);
      online_lines++;
    }
  }
  g_assert_cmpuint (online_lines, ==, 1);

  ag_session_logout (frank);
}

static void
test_stop_start (Fixture       *fixture,
                 gconstpointer  data)
{
  AgConsoleMonitorPage *page = AG_CONSOLE_MONITOR_PAGE (fixture->page);
  g_autoptr (AgSession) grace = NULL;
  ListWait list_wait;

  ag_console_monitor_page_stop (page);
  g_assert_false (ag_console_monitor_page_get_running (page));
  g_assert_false (ag_console_monitor_page_get_watching (page));
  assert_label_shown (fixture->page, "Stopped");

  ag_console_monitor_page_start (page);
  g_assert_true (ag_test_spin_until (page_watching, page, WAIT_MS));
  grace = login (fixture, "grace");
  list_wait = (ListWait) { fixture, "grace", TRUE };
  g_assert_true (ag_test_spin_until (online_listed, &list_wait, WAIT_MS));

  ag_session_logout (grace);
}

/* The chart on its own: per-second samples over a minute. */
static void
test_event_chart (void)
{
  GtkWidget *chart = ag_console_event_chart_new ();
  AgConsoleEventChart *self = AG_CONSOLE_EVENT_CHART (g_object_ref_sink (chart));

  ag_console_event_chart_add (self, AG_CONSOLE_EVENT_CHART_EVENTS, 3);
  ag_console_event_chart_add (self, AG_CONSOLE_EVENT_CHART_MESSAGES, 5);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_EVENTS), ==, 3);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_EVENTS, 0), ==, 0);

  ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_EVENTS, 0), ==, 3);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_MESSAGES, 0), ==, 5);

  ag_console_event_chart_add (self, AG_CONSOLE_EVENT_CHART_EVENTS, 1);
  ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_EVENTS, 0), ==, 1);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_EVENTS, 1), ==, 3);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_EVENTS), ==, 4);

  /* A minute later the first second has fallen off. */
  for (guint i = 0; i < AG_CONSOLE_EVENT_CHART_SECONDS - 1; i++)
    ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_EVENTS), ==, 1);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_EVENTS,
                                                       AG_CONSOLE_EVENT_CHART_SECONDS - 1), ==, 1);
  ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_EVENTS), ==, 0);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_EVENTS,
                                                       AG_CONSOLE_EVENT_CHART_SECONDS), ==, 0);

  g_assert_finalize_object (self);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ()) {
    g_print ("1..0 # SKIP no display\n");
    return 0;
  }
  adw_init ();

  g_test_add_func ("/ag/monitor-page/event-chart", test_event_chart);
  g_test_add ("/ag/monitor-page/online-users", Fixture, NULL,
              fixture_set_up, test_online_users, fixture_tear_down);
  g_test_add ("/ag/monitor-page/channel-counts", Fixture, NULL,
              fixture_set_up, test_channel_counts, fixture_tear_down);
  g_test_add ("/ag/monitor-page/watch-channel", Fixture, NULL,
              fixture_set_up, test_watch_channel, fixture_tear_down);
  g_test_add ("/ag/monitor-page/pause-and-export", Fixture, NULL,
              fixture_set_up, test_pause_and_export, fixture_tear_down);
  g_test_add ("/ag/monitor-page/stop-start", Fixture, NULL,
              fixture_set_up, test_stop_start, fixture_tear_down);

  return g_test_run ();
}
