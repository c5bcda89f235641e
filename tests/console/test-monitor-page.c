/* test-monitor-page.c: the operators' Monitor against a real agsignald
 *
 * Every number the page shows is checked against the server's own (/metrics), through the
 * scenario operators hit: state that was there before the page opened, a ramp and a log-off,
 * the load going away, and a server restart.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-event-chart.h"
#include "ag-console-log-entry.h"
#include "ag-console-monitor-page.h"
#include "console-fixture.h"
#include "ag-test-client.h"
#include "ag-test-server.h"

#define WAIT_MS   10000
#define ADMIN_KEY "console-admin-key-0123456789"

static const char config_text[] =
  "[app:demo]\n"
  "allow_no_token=true\n"
  "admin_key=" ADMIN_KEY "\n";

typedef struct {
  AgTestServer *server;
  AgSignal     *signal;
  GPtrArray    *sessions;  /* of AgSession* */
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

static AgConsoleMonitorPage *
page (Fixture *fixture)
{
  return AG_CONSOLE_MONITOR_PAGE (fixture->page);
}

static void
open_page (Fixture    *fixture,
           const char *key)
{
  fixture->page = ag_console_monitor_page_new (ag_test_server_get_uri (fixture->server), "demo",
                                               key);
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 900);
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->page);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (ag_test_spin_until (widget_mapped, fixture->page, WAIT_MS));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  fixture->server = ag_test_server_new (config_text, NULL, &error);
  g_assert_no_error (error);

  fixture->signal = ag_signal_new ("demo");
  ag_signal_set_server_uri (fixture->signal, ag_test_server_get_uri (fixture->server));
  fixture->sessions = g_ptr_array_new_with_free_func (g_object_unref);
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
  if (fixture->window != NULL) {
    g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
    gtk_window_destroy (GTK_WINDOW (fixture->window));
    g_assert_true (ag_test_spin_until (pointer_cleared, &fixture->window, WAIT_MS));
  }

  g_clear_pointer (&fixture->sessions, g_ptr_array_unref);
  g_clear_object (&fixture->signal);
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

static gboolean
session_logged_in (gpointer data)
{
  return ag_session_get_status (data) == AG_STATUS_LOGGED_IN;
}

static AgSession *
login (Fixture    *fixture,
       const char *account)
{
  AgSession *session = ag_signal_login (fixture->signal, account, "_no_need_token");

  g_assert_true (ag_test_spin_until (session_logged_in, session, WAIT_MS));
  g_ptr_array_add (fixture->sessions, session);

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

/* The server's truth: a gauge of /metrics. */
static guint64
server_metric (Fixture    *fixture,
               const char *name)
{
  g_autofree char *uri = ag_test_server_get_http_uri (fixture->server, "/metrics");
  g_autofree char *body = NULL;
  g_autofree char *prefix = g_strdup_printf ("\n%s ", name);
  const char *line;
  guint status = 0;

  body = ag_test_http_get (uri, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  line = strstr (body, prefix);
  g_assert_nonnull (line);

  return g_ascii_strtoull (line + strlen (prefix), NULL, 10);
}

typedef struct {
  Fixture *fixture;
  guint    users;
  guint    channels;
} TotalsWait;

/* What the page says equals what it was asked to: both the AgAdmin's models and the text. */
static gboolean
page_totals_are (gpointer data)
{
  TotalsWait *wait = data;
  AgAdmin *admin = ag_console_monitor_page_get_admin (page (wait->fixture));
  g_autofree char *expected = g_strdup_printf ("Live: %u online, %u channels", wait->users,
                                               wait->channels);

  return admin != NULL && ag_admin_get_n_users (admin) == wait->users &&
         ag_admin_get_n_channels (admin) == wait->channels &&
         g_strcmp0 (ag_console_monitor_page_get_status_text (page (wait->fixture)), expected) == 0 &&
         g_list_model_get_n_items (ag_console_monitor_users_get_shown (
           ag_console_monitor_page_get_users_panel (page (wait->fixture)))) == wait->users;
}

/* The page shows what the server has, now. */
static void
assert_page_equals_server (Fixture *fixture)
{
  TotalsWait wait = { fixture, 0, 0 };

  wait.users = (guint) server_metric (fixture, "agsignal_sessions");
  wait.channels = (guint) server_metric (fixture, "agsignal_channels");
  if (!ag_test_spin_until (page_totals_are, &wait, WAIT_MS))
    g_error ("the page says “%s”, the server has %u sessions and %u channels",
             ag_console_monitor_page_get_status_text (page (fixture)), wait.users, wait.channels);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static gboolean
counted (gpointer data)
{
  return *(guint *) data > 0;
}

/* All 20 sessions are back on the server (the page may still be reconnecting). */
static gboolean
server_has_sessions (gpointer data)
{
  return server_metric (data, "agsignal_sessions") == 20;
}

static void
test_pre_existing_state (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) ramp = g_ptr_array_new ();
  AgAdminChannel *even;
  guint16 port;
  guint synced = 0;

  /* 20 users in 2 channels, with attributes, before the page is opened. */
  for (guint i = 0; i < 20; i++) {
    g_autofree char *account = g_strdup_printf ("user%02u", i);
    AgSession *session = login (fixture, account);

    if (i < 12) {
      AgChannel *channel = join (session, i % 2 == 0 ? "even" : "odd");

      if (i < 2)
        ag_channel_channel_set_attr (channel, "topic", i == 0 ? "evens" : "odds");
    }
  }

  open_page (fixture, ADMIN_KEY);
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));
  assert_page_equals_server (fixture);
  g_assert_cmpuint (server_metric (fixture, "agsignal_sessions"), ==, 20);
  even = ag_admin_lookup_channel (ag_console_monitor_page_get_admin (page (fixture)), "even");
  g_assert_cmpuint (ag_admin_channel_get_members (even), ==, 6);
  g_assert_cmpstr (ag_admin_channel_get_attribute (even, "topic"), ==, "evens");

  /* A ramp of 30, then half of them log off. */
  for (guint i = 0; i < 30; i++) {
    g_autofree char *account = g_strdup_printf ("ramp%02u", i);

    g_ptr_array_add (ramp, login (fixture, account));
  }
  for (guint i = 0; i < 30; i += 2)
    ag_session_logout (g_ptr_array_index (ramp, i));
  assert_page_equals_server (fixture);
  g_assert_cmpuint (server_metric (fixture, "agsignal_sessions"), ==, 35);

  /* The load goes away. */
  for (guint i = 1; i < 30; i += 2)
    ag_session_logout (g_ptr_array_index (ramp, i));
  assert_page_equals_server (fixture);
  g_assert_cmpuint (server_metric (fixture, "agsignal_sessions"), ==, 20);

  /* A server restart on the same port: the sessions come back by themselves, the page
   * re-syncs from a new snapshot. */
  g_signal_connect_swapped (ag_console_monitor_page_get_admin (page (fixture)), "synced",
                            G_CALLBACK (count_cb), &synced);
  port = ag_test_server_get_port (fixture->server);
  g_assert_true (ag_test_server_stop (fixture->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, NULL));
  g_clear_pointer (&fixture->server, ag_test_server_free);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
    const char * const args[] = { "--listen", listen, NULL };

    fixture->server = ag_test_server_new (config_text, args, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ag_test_server_get_port (fixture->server), ==, port);
  }
  g_assert_true (ag_test_spin_until (server_has_sessions, fixture, 3 * WAIT_MS));
  g_assert_true (ag_test_spin_until (counted, &synced, 3 * WAIT_MS));
  assert_page_equals_server (fixture);
  g_signal_handlers_disconnect_by_data (ag_console_monitor_page_get_admin (page (fixture)), &synced);
}

static gboolean
chart_total_reaches (gpointer data)
{
  Fixture *fixture = data;
  AgConsoleEventChart *chart = ag_console_monitor_page_get_chart (page (fixture));

  return ag_console_event_chart_get_total (chart, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS) >= 30 &&
         ag_console_event_chart_get_total (chart, AG_CONSOLE_EVENT_CHART_PEER_MSGS) >= 5;
}

static void
test_chart_series (Fixture       *fixture,
                   gconstpointer  data)
{
  AgSession *alice = login (fixture, "alice");
  AgSession *bob = login (fixture, "bob");
  AgChannel *lobby = join (alice, "lobby");
  AgConsoleEventChart *chart;

  open_page (fixture, ADMIN_KEY);
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));

  /* 30 channel messages and 5 peer messages: each its own line. */
  for (guint i = 0; i < 30; i++)
    ag_channel_message_channel_send (lobby, "hello");
  for (guint i = 0; i < 5; i++)
    ag_session_message_instant_send (alice, "bob", "psst");

  g_assert_true (ag_test_spin_until (chart_total_reaches, fixture, WAIT_MS));
  chart = ag_console_monitor_page_get_chart (page (fixture));
  g_assert_cmpuint (ag_console_event_chart_get_total (chart, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS),
                    ==, 30);
  g_assert_cmpuint (ag_console_event_chart_get_total (chart, AG_CONSOLE_EVENT_CHART_PEER_MSGS),
                    ==, 5);
  (void) bob;
}

typedef struct {
  AgConsoleMonitorChannels *panel;
  guint                     members;
} MembersWait;

static gboolean
members_loaded (gpointer data)
{
  MembersWait *wait = data;

  return ag_console_monitor_channels_get_members_done (wait->panel) &&
         g_list_model_get_n_items (ag_console_monitor_channels_get_members (wait->panel)) ==
           wait->members;
}

static gboolean
attribute_is (gpointer data)
{
  AgAdminChannel *channel = data;

  return g_strcmp0 (ag_admin_channel_get_attribute (channel, "topic"), "set by an operator") == 0;
}

static void
test_channel_details (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_client_free);
  AgConsoleMonitorChannels *panel;
  MembersWait wait;
  AgAdminChannel *big;

  /* 210 members: more than a join's roster of 200. */
  for (guint i = 0; i < 210; i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *account = g_strdup_printf ("m%03u", i);
    AgTestClient *client = ag_test_client_new (ag_test_server_get_uri (fixture->server), &error);
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) joined = NULL;

    g_assert_no_error (error);
    g_ptr_array_add (clients, client);
    reply = ag_test_client_login (client, "demo", account, "_no_need_token");
    g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
    joined = ag_test_client_request (client, "{\"op\":\"channel_join\",\"channel\":\"big\"}");
    g_assert_cmpint (ag_test_reply_code (joined), ==, 0);
  }

  open_page (fixture, ADMIN_KEY);
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));
  panel = ag_console_monitor_page_get_channels_panel (page (fixture));

  gtk_widget_activate_action (fixture->page, "monitor.open-channel", "s", "big");
  g_assert_cmpstr (ag_console_monitor_channels_get_open (panel), ==, "big");
  wait = (MembersWait) { panel, 210 };
  g_assert_true (ag_test_spin_until (members_loaded, &wait, WAIT_MS));
  g_assert_cmpstr (ag_console_monitor_channels_get_details_title (panel), ==, "big: 210 members");
  {
    g_autoptr(AgMember) first = g_list_model_get_item (ag_console_monitor_channels_get_members (panel), 0);

    g_assert_cmpstr (ag_member_get_account (first), ==, "m000");
  }

  /* An attribute set as an operator reaches the members and comes back in the stream. */
  big = ag_admin_lookup_channel (ag_console_monitor_page_get_admin (page (fixture)), "big");
  ag_console_monitor_channels_change_attr (panel, "topic", "set by an operator");
  g_assert_true (ag_test_spin_until (attribute_is, big, WAIT_MS));
  {
    g_autoptr(JsonObject) event = ag_test_client_wait_op (g_ptr_array_index (clients, 0),
                                                          "channel_attr", WAIT_MS);

    g_assert_nonnull (event);
    g_assert_cmpstr (json_object_get_string_member (event, "value"), ==, "set by an operator");
  }

  /* A leave updates the opened list. */
  g_ptr_array_remove_index (clients, 209);
  wait.members = 209;
  g_assert_true (ag_test_spin_until (members_loaded, &wait, WAIT_MS));
}

static gboolean
session_logged_out (gpointer data)
{
  return ag_session_get_status (data) == AG_STATUS_NOT_LOGGED_IN;
}

static void
test_kick (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AgSession *alice = login (fixture, "alice");
  AgConsoleMonitorUsers *users;

  login (fixture, "bob");
  open_page (fixture, ADMIN_KEY);
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));
  users = ag_console_monitor_page_get_users_panel (page (fixture));

  ag_console_monitor_users_set_search (users, "ALI");
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_monitor_users_get_shown (users)), ==, 1);
  g_assert_true (ag_console_monitor_users_select (users, "alice"));
  ag_console_monitor_users_set_search (users, NULL);

  gtk_widget_activate_action (fixture->page, "monitor.kick", "s", "alice");
  g_assert_true (ag_test_spin_until (session_logged_out, alice, WAIT_MS));
  assert_page_equals_server (fixture);
  g_assert_null (ag_admin_lookup_user (ag_console_monitor_page_get_admin (page (fixture)), "alice"));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

    if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
      return ADW_MESSAGE_DIALOG (window);
  }

  return NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

typedef struct {
  char *sender;
  char *text;
} Received;

static void
message_received_cb (AgSession  *session,
                     const char *account,
                     guint       uid,
                     const char *msg,
                     Received   *received)
{
  g_free (received->sender);
  g_free (received->text);
  received->sender = g_strdup (account);
  received->text = g_strdup (msg);
}

static gboolean
message_arrived (gpointer data)
{
  return ((Received *) data)->text != NULL;
}

static gboolean
log_has (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];
  GListModel *log = G_LIST_MODEL (ag_console_monitor_page_get_log (page (fixture)));

  for (guint i = 0; i < g_list_model_get_n_items (log); i++) {
    g_autoptr(AgConsoleLogEntry) entry = g_list_model_get_item (log, i);

    if (strstr (ag_console_log_entry_get_summary (entry), text) != NULL)
      return TRUE;
  }

  return FALSE;
}

/* Message… sends a peer message from the system, through its dialog; the buttons need a
 * selected user. */
static void
test_message (Fixture       *fixture,
              gconstpointer  data)
{
  AgSession *alice = login (fixture, "alice");
  AgConsoleMonitorUsers *users;
  GtkWidget *message_button, *call_button;
  AdwMessageDialog *dialog;
  Received received = { NULL, NULL };
  gpointer sent[] = { fixture, "Sent a message to alice as the system" };

  g_signal_connect (alice, "message-instant-receive", G_CALLBACK (message_received_cb), &received);
  open_page (fixture, ADMIN_KEY);
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));
  users = ag_console_monitor_page_get_users_panel (page (fixture));
  message_button = console_find_button (GTK_WIDGET (users), "mail-send-symbolic");
  call_button = console_find_button (GTK_WIDGET (users), "call-start-symbolic");
  g_assert_nonnull (message_button);
  g_assert_nonnull (call_button);
  g_assert_false (gtk_widget_get_sensitive (message_button));
  g_assert_false (gtk_widget_get_sensitive (call_button));

  g_assert_true (ag_console_monitor_users_select (users, "alice"));
  g_assert_true (gtk_widget_get_sensitive (message_button));
  g_assert_true (gtk_widget_get_sensitive (call_button));

  g_signal_emit_by_name (message_button, "clicked");
  g_assert_true (ag_test_spin_until (message_dialog_shown, NULL, WAIT_MS));
  dialog = find_message_dialog ();
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "send"));
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)),
                         "maintenance at noon");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "send"));
  adw_message_dialog_response (dialog, "send");
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_true (ag_test_spin_until (message_arrived, &received, WAIT_MS));
  g_assert_cmpstr (received.sender, ==, "_agora_system");
  g_assert_cmpstr (received.text, ==, "maintenance at noon");
  g_assert_true (ag_test_spin_until (log_has, sent, WAIT_MS));

  g_signal_handlers_disconnect_by_data (alice, &received);
  g_free (received.sender);
  g_free (received.text);
}

static gboolean
key_refused (gpointer data)
{
  AgAdmin *admin = ag_console_monitor_page_get_admin (AG_CONSOLE_MONITOR_PAGE (data));

  return admin != NULL && ag_admin_get_state (admin) == AG_ADMIN_STATE_DISCONNECTED &&
         g_strcmp0 (ag_console_monitor_page_get_status_text (AG_CONSOLE_MONITOR_PAGE (data)),
                    "The server refused the admin key") == 0;
}

static void
test_key_refused_then_entered (Fixture       *fixture,
                               gconstpointer  data)
{
  login (fixture, "alice");

  /* A server the console did not start: no key, the page asks for it. */
  open_page (fixture, NULL);
  g_assert_false (ag_console_monitor_page_get_watching (page (fixture)));
  g_assert_cmpstr (ag_console_monitor_page_get_status_text (page (fixture)), ==,
                   "Enter the admin key to monitor this server");

  ag_console_monitor_page_set_admin_key (page (fixture), "not-the-key-0123456789");
  g_assert_true (ag_test_spin_until (key_refused, fixture->page, WAIT_MS));
  g_assert_cmpstr (ag_console_monitor_page_get_status_text (page (fixture)), ==,
                   "The server refused the admin key");

  ag_console_monitor_page_set_admin_key (page (fixture), ADMIN_KEY);
  g_assert_true (ag_test_spin_until (page_watching, fixture->page, WAIT_MS));
  assert_page_equals_server (fixture);
}

static void
test_event_chart (void)
{
  g_autoptr (AgConsoleEventChart) self = g_object_ref_sink (AG_CONSOLE_EVENT_CHART (ag_console_event_chart_new ()));

  ag_console_event_chart_add (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS, 3);
  ag_console_event_chart_add (self, AG_CONSOLE_EVENT_CHART_PRESENCE, 5);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS), ==, 3);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS, 0), ==, 0);

  ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS, 0), ==, 3);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_PRESENCE, 0), ==, 5);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_PEER_MSGS, 0), ==, 0);

  /* An hour of history is kept, whatever window is drawn. */
  ag_console_event_chart_set_window (self, 3600);
  g_assert_cmpuint (ag_console_event_chart_get_window (self), ==, 3600);
  for (guint i = 0; i < 600; i++)
    ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_sample (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS, 600), ==, 3);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS), ==, 3);
  for (guint i = 0; i < 3000; i++)
    ag_console_event_chart_tick (self);
  g_assert_cmpuint (ag_console_event_chart_get_total (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ag/monitor-page/event-chart", test_event_chart);
  g_test_add ("/ag/monitor-page/pre-existing-state", Fixture, NULL,
              fixture_set_up, test_pre_existing_state, fixture_tear_down);
  g_test_add ("/ag/monitor-page/chart-series", Fixture, NULL,
              fixture_set_up, test_chart_series, fixture_tear_down);
  g_test_add ("/ag/monitor-page/channel-details", Fixture, NULL,
              fixture_set_up, test_channel_details, fixture_tear_down);
  g_test_add ("/ag/monitor-page/kick", Fixture, NULL,
              fixture_set_up, test_kick, fixture_tear_down);
  g_test_add ("/ag/monitor-page/message", Fixture, NULL,
              fixture_set_up, test_message, fixture_tear_down);
  g_test_add ("/ag/monitor-page/key-refused-then-entered", Fixture, NULL,
              fixture_set_up, test_key_refused_then_entered, fixture_tear_down);

  return g_test_run ();
}
