/* ship-screenshots.c: the screenshots of the console's AppStream metainfo
 *
 * Starts agsignald (the test fixture, so AGSIGNALD names the binary), runs the console
 * against it with a logged-in session "alice" in a channel with other members, messages,
 * attributes and calls, and renders the main window to one PNG per page into the directory
 * given as the argument (docs/screenshots/ in the source tree):
 *
 *   meson compile -C build ship-screenshots
 *   AGSIGNALD=build/src/server/agsignald GSETTINGS_SCHEMA_DIR=build/data \
 *     GSETTINGS_BACKEND=memory LANGUAGE=C xvfb-run -a -s '-screen 0 1280x800x24' \
 *     dbus-run-session -- build/tests/ship/ship-screenshots docs/screenshots
 *
 * Peers are driven through libagsignal, alice's session through libagsignal and the console's
 * own widgets, exactly as a user's would be after logging in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-application.h"
#include "ag-console-calls-view.h"
#include "ag-console-log-model.h"
#include "ag-console-session-page.h"
#include "ag-console-signal-recorder.h"
#include "ag-console-window.h"
#include "ag-test-server.h"

#define STEP_TIMEOUT_MS  15000
#define SETTLE_FRAMES    30

typedef struct {
  const char              *out_dir;
  const char              *uri;
  GtkApplication          *application;
  AgConsoleWindow         *window;
  AgConsoleSessionPage    *page;
  AgSignal                *signal;      /* every session of the scenario */
  AgSession               *alice;
  AgConsoleSignalRecorder *recorder;
  GPtrArray               *peers;       /* AgSession */
  guint                    frames;
  gboolean                 failed;
} Scenario;

typedef gboolean (*Condition) (Scenario *scenario,
                               gpointer  data);

static gboolean
wait_until (Scenario   *scenario,
            Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + STEP_TIMEOUT_MS * (gint64) 1000;

  while (!condition (scenario, data)) {
    if (g_get_monotonic_time () >= deadline) {
      g_printerr ("ship-screenshots: timed out waiting for %s\n", what);
      scenario->failed = TRUE;
      return FALSE;
    }
    g_main_context_iteration (NULL, TRUE);
  }

  return TRUE;
}

static gboolean
session_logged_in (Scenario *scenario,
                   gpointer  data)
{
  return ag_session_get_status (data) == AG_STATUS_LOGGED_IN;
}

static gboolean
channel_joined (Scenario *scenario,
                gpointer  data)
{
  return ag_channel_get_joined (data);
}

static gboolean
window_mapped (Scenario *scenario,
               gpointer  data)
{
  scenario->window = (AgConsoleWindow *) gtk_application_get_active_window (scenario->application);

  return scenario->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (scenario->window));
}

static gboolean
enough_frames (Scenario *scenario,
               gpointer  data)
{
  return scenario->frames >= GPOINTER_TO_UINT (data);
}

static gboolean
calls_listed (Scenario *scenario,
              gpointer  data)
{
  return g_list_model_get_n_items (ag_console_calls_view_get_calls (data)) >= 3;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Scenario *scenario = user_data;

  scenario->frames++;
  /* Keeps frames coming while waiting for the window to settle. */
  gtk_widget_queue_draw (widget);

  return G_SOURCE_CONTINUE;
}

/* Lets the widgets take in what happened and draw it. */
static void
settle (Scenario *scenario)
{
  guint until = scenario->frames + SETTLE_FRAMES;

  wait_until (scenario, enough_frames, GUINT_TO_POINTER (until), "frames");
}

static AgSession *
login (Scenario   *scenario,
       const char *account)
{
  AgSession *session = ag_signal_login (scenario->signal, account, "_no_need_token");

  wait_until (scenario, session_logged_in, session, account);

  return session;
}

static AgChannel *
join (Scenario   *scenario,
      AgSession  *session,
      const char *name)
{
  AgChannel *channel = ag_session_channel_join (session, name);

  wait_until (scenario, channel_joined, channel, name);

  return channel;
}

static void
save_window (Scenario   *scenario,
             const char *name)
{
  GtkWidget *window = GTK_WIDGET (scenario->window);
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file_name = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (scenario->out_dir, file_name, NULL);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  settle (scenario);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (!gdk_texture_save_to_png (texture, path)) {
    g_printerr ("ship-screenshots: cannot write %s\n", path);
    scenario->failed = TRUE;
    return;
  }

  g_print ("%s (%d×%d)\n", path, width, height);
}

static AgConsoleCallsView *
find_calls_view (GtkWidget *widget)
{
  if (AG_CONSOLE_IS_CALLS_VIEW (widget))
    return AG_CONSOLE_CALLS_VIEW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    AgConsoleCallsView *found = find_calls_view (child);

    if (found != NULL)
      return found;
  }

  return NULL;
}

/* The dialogs that incoming calls raise on the window; the screenshots show the window. */
static void
close_dialogs (Scenario *scenario)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) dialogs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    GtkWindow *window = g_list_model_get_item (toplevels, i);

    if (window != GTK_WINDOW (scenario->window))
      g_ptr_array_add (dialogs, window);
    else
      g_object_unref (window);
  }

  for (guint i = 0; i < dialogs->len; i++)
    gtk_window_destroy (g_ptr_array_index (dialogs, i));
}

/* The call the view lists with peer (transfer full), or NULL. */
static AgCall *
incoming_call_from (AgConsoleCallsView *view,
                    const char         *peer)
{
  GListModel *calls = ag_console_calls_view_get_calls (view);

  for (guint i = 0; i < g_list_model_get_n_items (calls); i++) {
    g_autoptr(AgCall) call = g_list_model_get_item (calls, i);

    if (g_str_equal (ag_call_get_peer (call), peer))
      return g_steal_pointer (&call);
  }

  return NULL;
}

static gboolean
call_in_state (Scenario *scenario,
               gpointer  data)
{
  AgCall *call = data;
  AgCallState state = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (call), "wanted-state"));

  return ag_call_get_state (call) == state;
}

static void
wait_for_state (Scenario    *scenario,
                AgCall      *call,
                AgCallState  state)
{
  g_object_set_data (G_OBJECT (call), "wanted-state", GINT_TO_POINTER (state));
  wait_until (scenario, call_in_state, call, "a call to change state");
}

/* Accepts or refuses the incoming call from peer, or waits for its caller to withdraw it,
 * until it is in state. */
static void
answer_call (Scenario           *scenario,
             AgConsoleCallsView *view,
             const char         *peer,
             AgCallState         state)
{
  g_autoptr(AgCall) call = incoming_call_from (view, peer);

  if (call == NULL) {
    g_printerr ("ship-screenshots: no call from %s\n", peer);
    scenario->failed = TRUE;
    return;
  }

  if (state == AG_CALL_STATE_ACTIVE)
    ag_call_channel_invite_accept (call, NULL);
  else if (state == AG_CALL_STATE_REFUSED)
    ag_call_channel_invite_refuse (call, NULL);

  wait_for_state (scenario, call, state);
}

static void
run_scenario (Scenario *scenario)
{
  g_autoptr(AgConsoleLogModel) log = ag_console_log_model_new (0);
  AgSession *bob, *carol, *dave;
  AgChannel *bob_lobby, *carol_lobby, *alice_lobby;
  AgConsoleCallsView *calls_view;
  AdwTabView *tab_view;
  AdwTabPage *monitor_tab;
  AgCall *call;

  if (!wait_until (scenario, window_mapped, NULL, "the main window"))
    return;
  gtk_widget_add_tick_callback (GTK_WIDGET (scenario->window), tick_cb, scenario, NULL);

  /* The monitor first, so it sees every login and join that follows. */
  tab_view = ag_console_window_get_tab_view (scenario->window);
  gtk_widget_activate_action (GTK_WIDGET (scenario->window), "win.open-monitor", NULL);
  settle (scenario);
  monitor_tab = adw_tab_view_get_selected_page (tab_view);

  bob = login (scenario, "bob");
  carol = login (scenario, "carol");
  dave = login (scenario, "dave");
  g_ptr_array_add (scenario->peers, bob);
  g_ptr_array_add (scenario->peers, carol);
  g_ptr_array_add (scenario->peers, dave);

  bob_lobby = join (scenario, bob, "lobby");
  carol_lobby = join (scenario, carol, "lobby");
  join (scenario, dave, "lobby");
  ag_channel_channel_set_attr (bob_lobby, "topic", "Release 0.1.0 planning");
  ag_channel_channel_set_attr (bob_lobby, "_channel_ttl", "3600");
  ag_channel_channel_set_attr (bob_lobby, "_sendmsg_limit", "50");

  /* alice is the console's user: her session goes through the console's page. */
  scenario->alice = login (scenario, "alice");
  if (scenario->failed)
    return;
  /* As the New Session dialog does: its recorder logs the login until the page takes over. */
  scenario->recorder = ag_console_signal_recorder_new (scenario->alice, log);
  ag_session_user_set_attr (scenario->alice, "role", "operator");
  ag_session_user_set_attr (scenario->alice, "team", "qa");
  settle (scenario);
  scenario->page = ag_console_window_add_session (scenario->window, scenario->alice, log);
  g_clear_object (&scenario->recorder);
  alice_lobby = join (scenario, scenario->alice, "lobby");
  settle (scenario);

  ag_channel_message_channel_send (bob_lobby, "Good morning! The release branch is cut.");
  settle (scenario);
  ag_channel_message_channel_send (carol_lobby, "CI is green on it, packaging next.");
  settle (scenario);
  ag_channel_message_channel_send (alice_lobby, "Great, I am watching the server metrics.");
  ag_session_message_instant_send (bob, "alice", "Can you check the channel attributes?", 0);
  settle (scenario);

  ag_console_session_page_show_page (scenario->page, "channel");
  save_window (scenario, "channel");

  ag_console_session_page_show_page (scenario->page, "attributes");
  save_window (scenario, "attributes");

  /* Three incoming calls: one accepted, one refused, one withdrawn by its caller. */
  calls_view = find_calls_view (GTK_WIDGET (scenario->page));
  if (calls_view == NULL) {
    g_printerr ("ship-screenshots: the session page has no calls view\n");
    scenario->failed = TRUE;
    return;
  }
  g_object_unref (ag_session_channel_invite_user2 (carol, "lobby", "alice",
                                                   "{\"_timeout\":60}"));
  g_object_unref (ag_session_channel_invite_user2 (bob, "standup", "alice",
                                                   "{\"_timeout\":60}"));
  call = ag_session_channel_invite_user2 (dave, "lobby", "alice", "{\"_timeout\":60}");
  if (!wait_until (scenario, calls_listed, calls_view, "the incoming calls"))
    return;
  ag_call_channel_invite_end (call, NULL);
  g_object_unref (call);

  answer_call (scenario, calls_view, "carol", AG_CALL_STATE_ACTIVE);
  answer_call (scenario, calls_view, "bob", AG_CALL_STATE_REFUSED);
  answer_call (scenario, calls_view, "dave", AG_CALL_STATE_ENDED);
  close_dialogs (scenario);

  ag_console_session_page_show_page (scenario->page, "calls");
  save_window (scenario, "calls");

  ag_console_session_page_show_page (scenario->page, "log");
  save_window (scenario, "log");

  if (monitor_tab != NULL) {
    adw_tab_view_set_selected_page (tab_view, monitor_tab);
    save_window (scenario, "monitor");
  }
}

static gboolean
start_cb (gpointer user_data)
{
  Scenario *scenario = user_data;

  run_scenario (scenario);

  for (guint i = 0; i < scenario->peers->len; i++)
    ag_session_logout (g_ptr_array_index (scenario->peers, i));
  if (scenario->alice != NULL)
    ag_session_logout (scenario->alice);

  close_dialogs (scenario);
  if (scenario->window != NULL)
    gtk_window_destroy (GTK_WINDOW (scenario->window));
  g_application_quit (G_APPLICATION (scenario->application));

  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application,
            Scenario     *scenario)
{
  g_idle_add (start_cb, scenario);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AgTestServer) server = NULL;
  g_autoptr(AgConsoleApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  Scenario scenario = { 0, };
  int status;

  /* As agsignal-console's main does: LANGUAGE picks the language of the screenshots. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc != 2) {
    g_printerr ("usage: ship-screenshots OUTPUT_DIRECTORY\n");
    return 2;
  }
  if (!gtk_init_check ()) {
    g_printerr ("ship-screenshots: no display\n");
    return 1;
  }

  server = ag_test_server_new (NULL, NULL, &error);
  if (server == NULL) {
    g_printerr ("ship-screenshots: %s\n", error->message);
    return 1;
  }

  scenario.out_dir = argv[1];
  scenario.uri = ag_test_server_get_uri (server);
  scenario.signal = ag_signal_new ("demo");
  ag_signal_set_server_uri (scenario.signal, scenario.uri);
  scenario.peers = g_ptr_array_new_with_free_func (g_object_unref);

  application = ag_console_application_new ();
  g_application_set_flags (G_APPLICATION (application),
                           g_application_get_flags (G_APPLICATION (application)) |
                           G_APPLICATION_NON_UNIQUE);
  scenario.application = GTK_APPLICATION (application);
  g_signal_connect_after (application, "startup", G_CALLBACK (startup_cb), &scenario);

  {
    /* --screenshot-page keeps the New Session dialog closed: the session comes from here. */
    char *console_argv[] = {
      (char *) "agsignal-console", (char *) "--server", (char *) scenario.uri,
      (char *) "--app-id", (char *) "demo", (char *) "--screenshot-page", (char *) "channel",
      NULL
    };

    status = g_application_run (G_APPLICATION (application), G_N_ELEMENTS (console_argv) - 1,
                                console_argv);
  }

  g_clear_object (&scenario.recorder);
  g_clear_object (&scenario.alice);
  g_ptr_array_unref (scenario.peers);
  g_clear_object (&scenario.signal);

  return status == 0 && !scenario.failed ? 0 : 1;
}
