/* shoot-pages.c: a picture of every page of the console, in the language of the environment
 *
 * Not a meson test: tools/screenshots-languages runs it for en, de and zh_CN at 800x600 and
 * 1280x800, for people to look at (text cut off, overlaps, untranslated words). In the
 * console's real window and code, against a real agsignald on 127.0.0.1: alice logs in,
 * peers join her channel, talk, set attributes and call her, then every page is drawn
 * into OUT_DIR/PREFIX-PAGE.png (the login dialog, each page of the session, the Monitor
 * and the preferences).
 *
 * usage: shoot-pages WIDTH HEIGHT OUT_DIR PREFIX    (LANGUAGE picks the language)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "console-fixture.h"
#include "ag-console-calls-view.h"
#include "ag-console-channel-view.h"
#include "ag-console-login-dialog.h"
#include "ag-console-monitor-page.h"
#include "ag-console-preferences-window.h"

static const char *out_dir;
static const char *prefix;

/* Draws a toplevel's content (its first child: the window's box, headerbar included) as it
 * is on screen into a PNG. */
static void
shoot (GtkWidget  *window,
       const char *page)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = g_strdup_printf ("%s-%s.png", prefix, page);
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  GtkWidget *content;
  int width, height;

  console_spin_for (400);
  content = gtk_widget_get_first_child (window);
  width = gtk_widget_get_width (content);
  height = gtk_widget_get_height (content);
  paintable = gtk_widget_paintable_new (content);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  if (node == NULL)
    g_error ("nothing drawn for %s", page);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("wrote %s (%dx%d)\n", path, width, height);
}

static void
show_session_page (AgConsoleSessionPage *page,
                   const char           *name)
{
  ag_console_session_page_show_page (page, name);
}

int
main (int   argc,
      char *argv[])
{
  ConsoleFixture fixture = { NULL, };
  AgConsoleSessionPage *page;
  AgSession *bob, *carol;
  AgChannel *lobby;
  GtkWindow *dialog;
  GtkWidget *monitor;
  GtkWindow *preferences;
  int width, height;
  g_autoptr(AgCall) call = NULL;

  setlocale (LC_ALL, "");
  if (g_getenv ("AG_TEST_LOCALEDIR") != NULL)
    bindtextdomain (GETTEXT_PACKAGE, g_getenv ("AG_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc != 5) {
    g_printerr ("usage: shoot-pages WIDTH HEIGHT OUT_DIR PREFIX\n");
    return 2;
  }
  width = atoi (argv[1]);
  height = atoi (argv[2]);
  out_dir = argv[3];
  prefix = argv[4];
  argc = 1;
  if (!console_test_init (&argc, &argv)) {
    g_printerr ("shoot-pages needs a display (xvfb-run -a)\n");
    return 77;
  }

  console_fixture_setup (&fixture, NULL);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), width, height);
  gtk_window_unmaximize (GTK_WINDOW (fixture.window));
  console_spin_for (300);

  /* The login dialog, with a long account that must not widen it. */
  dialog = ag_console_window_open_login_dialog (fixture.window);
  ag_console_login_dialog_set_server (AG_CONSOLE_LOGIN_DIALOG (dialog),
                                      ag_test_server_get_uri (fixture.server), "demo");
  ag_console_login_dialog_set_account (AG_CONSOLE_LOGIN_DIALOG (dialog),
                                       "anna_maria_from_the_quality_assurance_team_of_the_release_0_1");
  CONSOLE_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  shoot (GTK_WIDGET (dialog), "login");
  gtk_window_destroy (dialog);

  page = console_fixture_login (&fixture, "alice");
  bob = console_fixture_peer (&fixture, "bob");
  carol = console_fixture_peer (&fixture, "carol");
  console_fixture_peer_join (&fixture, carol, "lobby");
  lobby = console_fixture_peer_join (&fixture, bob, "lobby");
  ag_console_channel_view_join (AG_CONSOLE_CHANNEL_VIEW (ag_console_session_page_get_page_widget (page, "channel")),
                                "lobby");
  CONSOLE_WAIT_UNTIL (ag_session_get_channel (ag_console_session_page_get_session (page)) != NULL &&
                      ag_channel_get_joined (ag_session_get_channel (ag_console_session_page_get_session (page))));
  ag_channel_channel_set_attr (lobby, "topic", "Release 0.1: go / no-go at 10:00");
  ag_channel_message_channel_send (lobby, "Morning all, the release candidate is on staging.");
  ag_session_message_instant_send (bob, "alice", "Can you check the staging logs?");
  ag_session_user_set_attr (bob, "role", "release manager");
  console_spin_for (500);

  show_session_page (page, "channel");
  shoot (GTK_WIDGET (fixture.window), "channel");
  show_session_page (page, "messages");
  shoot (GTK_WIDGET (fixture.window), "messages");
  show_session_page (page, "attributes");
  shoot (GTK_WIDGET (fixture.window), "attributes");

  /* Two calls ring in alice's tab at once. */
  show_session_page (page, "calls");
  call = ag_session_channel_invite_user2 (bob, "lobby", "alice", "{\"topic\":\"release go/no-go\"}");
  {
    g_autoptr(AgCall) second = ag_session_channel_invite_user2 (carol, "qa", "alice", "{\"build\":\"0.1-rc2\"}");

    console_spin_for (800);
    shoot (GTK_WIDGET (fixture.window), "calls");
    ag_call_channel_invite_end (second, NULL);
  }
  ag_call_channel_invite_end (call, NULL);
  console_spin_for (300);

  show_session_page (page, "log");
  shoot (GTK_WIDGET (fixture.window), "log");
  show_session_page (page, "frames");
  shoot (GTK_WIDGET (fixture.window), "frames");

  /* A second session of the window calls alice: the call matrix. */
  {
    AgConsoleSessionPage *dave = console_fixture_login (&fixture, "dave");
    AgConsoleCallMatrix *matrix = ag_console_window_get_call_matrix (fixture.window);
    GtkWidget *button = gtk_widget_get_ancestor (GTK_WIDGET (matrix), GTK_TYPE_MENU_BUTTON);

    ag_console_session_page_call (dave, "alice", "standup");
    g_signal_emit_by_name (ag_console_calls_view_get_call_dialog (AG_CONSOLE_CALLS_VIEW (ag_console_session_page_get_page_widget (dave, "calls"))),
                           "place-call", "standup", "alice", "{}");
    console_spin_for (500);
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    CONSOLE_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (matrix)));
    shoot (gtk_widget_get_ancestor (GTK_WIDGET (matrix), GTK_TYPE_POPOVER), "call-matrix");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  }

  /* The Monitor of the same server (its key asked for: a test server is not the embedded one). */
  monitor = ag_console_monitor_page_new (ag_test_server_get_uri (fixture.server), "demo", NULL);
  adw_tab_view_set_selected_page (ag_console_window_get_tab_view (fixture.window),
                                  adw_tab_view_prepend_pinned (ag_console_window_get_tab_view (fixture.window),
                                                               monitor));
  shoot (GTK_WIDGET (fixture.window), "monitor");

  preferences = ag_console_preferences_window_new (console_test_application (), GTK_WINDOW (fixture.window));
  gtk_window_present (preferences);
  CONSOLE_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (preferences)));
  shoot (GTK_WIDGET (preferences), "preferences");
  gtk_window_destroy (preferences);

  console_fixture_teardown (&fixture, NULL);
  return 0;
}
