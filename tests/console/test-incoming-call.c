/* test-incoming-call.c: incoming calls are answered inside the callee's tab, never in a
 * window-modal dialog: two sessions of one window call each other, several calls ring at
 * once, and a caller withdraws while the callee's banner rings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "console-fixture.h"

#include "ag-console-call-dialog.h"
#include "ag-console-calls-view.h"
#include "ag-console-incoming-call-banner.h"

static AgConsoleCallsView *
calls_view (AgConsoleSessionPage *page)
{
  return AG_CONSOLE_CALLS_VIEW (ag_console_session_page_get_page_widget (page, "calls"));
}

static AdwTabPage *
tab_of (ConsoleFixture       *fixture,
        AgConsoleSessionPage *page)
{
  return adw_tab_view_get_page (ag_console_window_get_tab_view (fixture->window), GTK_WIDGET (page));
}

static void
click (GtkWidget  *root,
       const char *label)
{
  GtkWidget *button = console_find_button (root, label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* The windows a user could see: only the main window while calls ring. */
static guint
n_visible_windows (void)
{
  g_autoptr(GListModel) toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  g_object_ref (toplevels);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

    if (gtk_widget_get_visible (window))
      n++;
  }

  return n;
}

/* page places a call to peer through its Call dialog; returns the outgoing call. */
static AgCall *
place_call (AgConsoleSessionPage *page,
            const char           *peer,
            const char           *channel)
{
  AgConsoleCallsView *view = calls_view (page);
  GtkWidget *dialog;
  g_autoptr(AgCall) call = NULL;

  ag_console_calls_view_place_call (view, peer, channel);
  dialog = ag_console_calls_view_get_call_dialog (view);
  g_assert_nonnull (dialog);
  CONSOLE_WAIT_UNTIL (gtk_widget_get_mapped (dialog));
  click (dialog, "C_all");
  g_assert_null (ag_console_calls_view_get_call_dialog (view));

  call = g_list_model_get_item (ag_console_calls_view_get_calls (view), 0);
  g_assert_cmpint (ag_call_get_direction (call), ==, AG_CALL_DIRECTION_OUTGOING);

  /* The view keeps it. */
  return call;
}

static AgConsoleIncomingCallBanner *
first_banner (AgConsoleSessionPage *page)
{
  g_autoptr(AgCall) call = NULL;
  GListModel *calls = ag_console_calls_view_get_calls (calls_view (page));
  GtkWidget *banner;

  for (guint i = 0; i < g_list_model_get_n_items (calls); i++) {
    g_clear_object (&call);
    call = g_list_model_get_item (calls, i);
    banner = ag_console_session_page_get_incoming_banner (page, call);
    if (banner != NULL)
      return AG_CONSOLE_INCOMING_CALL_BANNER (banner);
  }

  return NULL;
}

static void
test_incoming_call_withdrawn_while_ringing (ConsoleFixture *fixture,
                                            gconstpointer   data)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);
  AgConsoleSessionPage *alice = console_fixture_login (fixture, "alice");
  AgConsoleSessionPage *bob = console_fixture_login (fixture, "bob");
  AgConsoleIncomingCallBanner *banner;
  GtkWidget *banner_widget;
  AgCall *call;

  /* alice, in the selected tab, calls bob, whose tab is in the background. */
  adw_tab_view_set_selected_page (tab_view, tab_of (fixture, alice));
  call = place_call (alice, "bob", "room");

  CONSOLE_WAIT_UNTIL (ag_console_session_page_get_ringing (bob) == 1);
  banner = first_banner (bob);
  g_assert_nonnull (banner);
  g_assert_cmpstr (ag_console_incoming_call_banner_get_title (banner), ==, "alice is calling bob");
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (banner), GTK_WIDGET (bob)));
  g_assert_null (first_banner (alice));

  /* Bob's tab asks for attention with a call icon; nothing modal covers the window. */
  g_assert_true (adw_tab_page_get_needs_attention (tab_of (fixture, bob)));
  g_assert_nonnull (adw_tab_page_get_indicator_icon (tab_of (fixture, bob)));
  g_assert_true (adw_tab_page_get_selected (tab_of (fixture, alice)));
  g_assert_cmpuint (n_visible_windows (), ==, 1);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (alice)));

  /* alice withdraws her call while bob's banner rings: it goes from bob's tab. */
  banner_widget = GTK_WIDGET (banner);
  g_object_add_weak_pointer (G_OBJECT (banner_widget), (gpointer *) &banner_widget);
  CONSOLE_WAIT_UNTIL (ag_call_get_state (call) == AG_CALL_STATE_RINGING);
  gtk_widget_activate_action (GTK_WIDGET (calls_view (alice)), "calls.end", "u",
                              ag_console_calls_view_get_call_id (calls_view (alice), call));
  CONSOLE_WAIT_UNTIL (banner_widget == NULL);
  CONSOLE_WAIT_UNTIL (ag_console_session_page_get_ringing (bob) == 0);
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_ENDED);
  g_assert_false (adw_tab_page_get_needs_attention (tab_of (fixture, bob)));
}

static void
test_incoming_call_placed_while_ringing (ConsoleFixture *fixture,
                                         gconstpointer   data)
{
  AgConsoleSessionPage *alice = console_fixture_login (fixture, "alice");
  AgConsoleSessionPage *bob = console_fixture_login (fixture, "bob");
  AgSession *carol = console_fixture_peer (fixture, "carol");
  g_autoptr(AgCall) from_carol = ag_session_channel_invite_user2 (carol, "support", "bob", NULL);
  AgConsoleIncomingCallBanner *carol_banner;
  AgConsoleIncomingCallBanner *bob_banner;
  GtkWidget *carol_widget;
  AgCall *to_alice;

  /* carol's call rings in bob's tab... */
  CONSOLE_WAIT_UNTIL (ag_console_session_page_get_ringing (bob) == 1);
  carol_banner = first_banner (bob);
  g_assert_cmpstr (ag_console_incoming_call_banner_get_title (carol_banner), ==, "carol is calling bob");

  /* ...while bob calls alice: both ring at once, each in its callee's tab. */
  to_alice = place_call (bob, "alice", "lobby");
  CONSOLE_WAIT_UNTIL (ag_console_session_page_get_ringing (alice) == 1);
  g_assert_cmpuint (ag_console_session_page_get_ringing (bob), ==, 1);
  g_assert_true (adw_tab_page_get_needs_attention (tab_of (fixture, alice)));
  g_assert_true (adw_tab_page_get_needs_attention (tab_of (fixture, bob)));
  g_assert_cmpuint (n_visible_windows (), ==, 1);
  bob_banner = first_banner (alice);
  g_assert_cmpstr (ag_console_incoming_call_banner_get_title (bob_banner), ==, "bob is calling alice");

  /* alice accepts bob's call, then bob refuses carol's: each answer reaches its caller. */
  click (GTK_WIDGET (bob_banner), "Accept");
  CONSOLE_WAIT_UNTIL (ag_call_get_state (to_alice) == AG_CALL_STATE_ACTIVE);
  g_assert_cmpint (ag_call_get_state (from_carol), ==, AG_CALL_STATE_RINGING);

  carol_widget = GTK_WIDGET (carol_banner);
  g_object_add_weak_pointer (G_OBJECT (carol_widget), (gpointer *) &carol_widget);
  click (carol_widget, "Refuse");
  CONSOLE_WAIT_UNTIL (ag_call_get_state (from_carol) == AG_CALL_STATE_REFUSED);
  CONSOLE_WAIT_UNTIL (carol_widget == NULL);
  g_assert_cmpint (ag_call_get_state (to_alice), ==, AG_CALL_STATE_ACTIVE);
  g_assert_cmpuint (ag_console_session_page_get_ringing (bob), ==, 0);
  g_assert_cmpuint (ag_console_session_page_get_ringing (alice), ==, 0);

  /* The accepted call is ended from alice's banner. */
  click (GTK_WIDGET (bob_banner), "End Call");
  CONSOLE_WAIT_UNTIL (ag_call_get_state (to_alice) == AG_CALL_STATE_ENDED);
}

int
main (int   argc,
      char *argv[])
{
  if (!console_test_init (&argc, &argv)) {
    g_print (CONSOLE_TEST_SKIP_NO_DISPLAY);
    return 0;
  }

  g_test_add ("/ag/incoming-call/withdrawn-while-ringing", ConsoleFixture, NULL,
              console_fixture_setup, test_incoming_call_withdrawn_while_ringing, console_fixture_teardown);
  g_test_add ("/ag/incoming-call/placed-while-ringing", ConsoleFixture, NULL,
              console_fixture_setup, test_incoming_call_placed_while_ringing, console_fixture_teardown);

  return g_test_run ();
}
