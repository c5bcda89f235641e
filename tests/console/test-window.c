/* test-window.c: the console's window: logins, tabs, the embedded server's address
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "console-fixture.h"
#include "ag-console-call-dialog.h"
#include "ag-console-calls-view.h"
#include "ag-console-monitor-page.h"

#define SECURE_CONFIG \
  "[app:secure]\n" \
  "certificate=0123456789abcdef0123456789abcdef\n" \
  "allow_no_token=false\n"

static void
secure_fixture_setup (ConsoleFixture *fixture,
                      gconstpointer   data)
{
  console_fixture_setup_full (fixture, SECURE_CONFIG);
}

static guint
n_tabs (ConsoleFixture *fixture)
{
  return adw_tab_view_get_n_pages (ag_console_window_get_tab_view (fixture->window));
}

static void
test_window_login (ConsoleFixture *fixture,
                   gconstpointer   data)
{
  AgConsoleSessionPage *page;
  AgSession *session;

  g_assert_cmpuint (n_tabs (fixture), ==, 0);

  page = console_fixture_login (fixture, "alice");
  session = ag_console_session_page_get_session (page);

  g_assert_cmpuint (n_tabs (fixture), ==, 1);
  g_assert_cmpstr (ag_session_get_account (session), ==, "alice");
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpstr (ag_console_session_page_get_status_text (page), ==, "Logged in");

  /* The focus is in the page, so its Alt+1…5 shortcuts work without a click. */
  CONSOLE_WAIT_UNTIL (gtk_window_get_focus (GTK_WINDOW (fixture->window)) != NULL);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (fixture->window)),
                                         GTK_WIDGET (page)));

  /* Every page of the session is there. */
  g_assert_true (AG_CONSOLE_IS_CHANNEL_VIEW (ag_console_session_page_get_page_widget (page, "channel")));
  g_assert_true (AG_CONSOLE_IS_CONVERSATIONS_VIEW (ag_console_session_page_get_page_widget (page, "messages")));
  g_assert_true (AG_CONSOLE_IS_EVENT_LOG (ag_console_session_page_get_page_widget (page, "log")));
  g_assert_nonnull (ag_console_session_page_get_page_widget (page, "attributes"));
  g_assert_nonnull (ag_console_session_page_get_page_widget (page, "calls"));
}

static void
test_window_two_accounts (ConsoleFixture *fixture,
                          gconstpointer   data)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);
  AgConsoleSessionPage *alice;
  AgConsoleSessionPage *bob;

  alice = console_fixture_login (fixture, "alice");
  bob = console_fixture_login (fixture, "bob");

  g_assert_cmpuint (n_tabs (fixture), ==, 2);
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_nth_page (tab_view, 0)), ==, "alice");
  g_assert_cmpstr (adw_tab_page_get_title (adw_tab_view_get_nth_page (tab_view, 1)), ==, "bob");

  /* Side by side: both stay logged in. */
  g_assert_cmpint (ag_session_get_status (ag_console_session_page_get_session (alice)), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpint (ag_session_get_status (ag_console_session_page_get_session (bob)), ==, AG_STATUS_LOGGED_IN);
  g_assert_true (ag_console_session_page_get_session (alice) != ag_console_session_page_get_session (bob));
}

static AgConsoleCallDialog *
call_dialog_of (AgConsoleSessionPage *page)
{
  GtkWidget *calls = ag_console_session_page_get_page_widget (page, "calls");
  GtkWidget *dialog = ag_console_calls_view_get_call_dialog (AG_CONSOLE_CALLS_VIEW (calls));

  return dialog != NULL ? AG_CONSOLE_CALL_DIALOG (dialog) : NULL;
}

/* The Monitor's Call… goes out from the session used last, or another one when that is the
 * callee itself; its dialog opens with the peer filled in. */
static void
test_window_call_account (ConsoleFixture *fixture,
                          gconstpointer   data)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);
  AgConsoleSessionPage *alice = console_fixture_login (fixture, "alice");
  AgConsoleSessionPage *bob = console_fixture_login (fixture, "bob");
  AgConsoleCallDialog *dialog;

  /* bob's tab was selected last. */
  adw_tab_view_set_selected_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (bob)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.call-account", "s", "alice");
  dialog = call_dialog_of (bob);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (ag_console_call_dialog_get_peer (dialog), ==, "alice");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) ==
                 adw_tab_view_get_page (tab_view, GTK_WIDGET (bob)));
  g_assert_null (call_dialog_of (alice));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* bob does not call himself: alice's session does. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.call-account", "s", "bob");
  dialog = call_dialog_of (alice);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (ag_console_call_dialog_get_peer (dialog), ==, "bob");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) ==
                 adw_tab_view_get_page (tab_view, GTK_WIDGET (alice)));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
measure_window (ConsoleFixture *fixture,
                int            *width,
                int            *height)
{
  int natural;

  gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_HORIZONTAL, -1, width, &natural,
                      NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_VERTICAL, *width, height,
                      &natural, NULL, NULL);
}

/* An 800x600 screen holds the window with a session, and with the Monitor. */
static void
test_window_fits_800x600 (ConsoleFixture *fixture,
                          gconstpointer   data)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);
  int width, height;

  AgConsoleSessionPage *alice;
  AgSession *bob, *carol;
  g_autoptr(AgCall) from_bob = NULL;
  g_autoptr(AgCall) from_carol = NULL;

  alice = console_fixture_login (fixture, "alice");
  measure_window (fixture, &width, &height);
  g_assert_cmpint (width, <=, 800);
  g_assert_cmpint (height, <=, 600);

  /* Two callers at once: their banners scroll rather than grow the window. */
  bob = console_fixture_peer (fixture, "bob");
  carol = console_fixture_peer (fixture, "carol");
  from_bob = ag_session_channel_invite_user2 (bob, "lobby", "alice", NULL);
  from_carol = ag_session_channel_invite_user2 (carol, "qa", "alice", NULL);
  CONSOLE_WAIT_UNTIL (ag_console_session_page_get_ringing (alice) == 2);
  measure_window (fixture, &width, &height);
  g_assert_cmpint (width, <=, 800);
  g_assert_cmpint (height, <=, 600);
  ag_call_channel_invite_end (from_bob, NULL);
  ag_call_channel_invite_end (from_carol, NULL);
  CONSOLE_WAIT_UNTIL (ag_console_session_page_get_ringing (alice) == 0);

  /* The Monitor of the same server, beside the session. */
  adw_tab_view_set_selected_page (tab_view,
                                  adw_tab_view_prepend_pinned (tab_view,
                                                               ag_console_monitor_page_new (ag_test_server_get_uri (fixture->server),
                                                                                            "demo", NULL)));
  measure_window (fixture, &width, &height);
  g_assert_cmpint (width, <=, 800);
  g_assert_cmpint (height, <=, 600);
}

/* Counts the labels under widget that Tab would stop at only to select their text. */
static guint
count_label_tab_stops (GtkWidget *widget)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && gtk_label_get_selectable (GTK_LABEL (widget)) &&
      gtk_widget_get_focusable (widget)) {
    g_test_message ("a Tab stop: the label “%s”", gtk_label_get_label (GTK_LABEL (widget)));
    n++;
  }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_label_tab_stops (child);

  return n;
}

/* Selectable labels (details, uids, the server's address) are not Tab stops on any page. */
static void
test_window_no_label_tab_stops (ConsoleFixture *fixture,
                                gconstpointer   data)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);

  console_fixture_login (fixture, "alice");
  adw_tab_view_prepend_pinned (tab_view, ag_console_monitor_page_new (ag_test_server_get_uri (fixture->server),
                                                                      "demo", NULL));
  g_assert_cmpuint (count_label_tab_stops (GTK_WIDGET (fixture->window)), ==, 0);
}

static char *
matrix_cell (ConsoleFixture *fixture,
             const char     *caller,
             const char     *callee)
{
  AgConsoleCallMatrix *matrix = ag_console_window_get_call_matrix (fixture->window);

  ag_console_call_matrix_refresh (matrix);
  return ag_console_call_matrix_dup_cell_text (matrix, caller, callee);
}

static gboolean
cell_has (ConsoleFixture *fixture,
          const char     *caller,
          const char     *callee,
          const char     *part)
{
  g_autofree char *text = matrix_cell (fixture, caller, callee);

  return text != NULL && strstr (text, part) != NULL;
}

/* Who calls whom among the open sessions, in each call's state. */
static void
test_window_call_matrix (ConsoleFixture *fixture,
                         gconstpointer   data)
{
  AgConsoleCallMatrix *matrix = ag_console_window_get_call_matrix (fixture->window);
  GtkWidget *button = gtk_widget_get_ancestor (GTK_WIDGET (matrix), GTK_TYPE_MENU_BUTTON);
  AgConsoleSessionPage *alice, *bob;
  GListModel *bob_calls;
  g_autofree char *ringing = NULL;
  g_autofree char *none = NULL;

  g_assert_nonnull (button);
  alice = console_fixture_login (fixture, "alice");
  g_assert_false (gtk_widget_get_visible (button));
  bob = console_fixture_login (fixture, "bob");
  g_assert_true (gtk_widget_get_visible (button));

  /* alice calls bob through her Calls page. */
  ag_console_session_page_call (alice, "bob", "room");
  g_signal_emit_by_name (ag_console_calls_view_get_call_dialog (AG_CONSOLE_CALLS_VIEW (ag_console_session_page_get_page_widget (alice, "calls"))),
                         "place-call", "room", "bob", "{}");
  CONSOLE_WAIT_UNTIL (cell_has (fixture, "alice", "bob", "Ringing"));
  ringing = matrix_cell (fixture, "alice", "bob");
  none = matrix_cell (fixture, "bob", "alice");
  g_assert_cmpstr (none, ==, "");
  g_assert_null (matrix_cell (fixture, "alice", "carol"));

  /* bob answers: the cell follows. */
  bob_calls = ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (ag_console_session_page_get_page_widget (bob, "calls")));
  CONSOLE_WAIT_UNTIL (g_list_model_get_n_items (bob_calls) == 1);
  {
    g_autoptr(AgCall) call = g_list_model_get_item (bob_calls, 0);

    ag_call_channel_invite_accept (call, NULL);
  }
  CONSOLE_WAIT_UNTIL (!cell_has (fixture, "alice", "bob", ringing) &&
                      !cell_has (fixture, "alice", "bob", "Inviting") &&
                      !cell_has (fixture, "alice", "bob", "Ringing"));
  {
    g_autofree char *accepted = matrix_cell (fixture, "alice", "bob");

    g_assert_cmpstr (accepted, !=, "");
    g_test_message ("after the answer: %s", accepted);
  }
}

static void
presence_cb (AgChannel  *channel,
             const char *account,
             guint       uid,
             const char *msg,
             GPtrArray  *events)
{
  g_ptr_array_add (events, g_strdup (msg));
}

static gboolean
has_event (GPtrArray  *events,
           const char *part1,
           const char *part2)
{
  for (guint i = 0; i < events->len; i++) {
    const char *msg = g_ptr_array_index (events, i);

    if (strstr (msg, part1) != NULL && strstr (msg, part2) != NULL)
      return TRUE;
  }

  return FALSE;
}

static void
test_window_close_tab_logs_out (ConsoleFixture *fixture,
                                gconstpointer   data)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);
  AgSession *observer = console_fixture_peer (fixture, "observer");
  AgChannel *presence = console_fixture_peer_join (fixture, observer, "_agora_user_online");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  AgSession *session;

  g_signal_connect (presence, "message-channel-receive", G_CALLBACK (presence_cb), events);

  console_fixture_login (fixture, "alice");
  CONSOLE_WAIT_UNTIL (has_event (events, "\"online\"", "\"alice\""));

  /* Nothing but the tab holds the session. */
  session = ag_console_session_page_get_session (
    AG_CONSOLE_SESSION_PAGE (adw_tab_page_get_child (adw_tab_view_get_selected_page (tab_view))));
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);

  adw_tab_view_close_page (tab_view, adw_tab_view_get_selected_page (tab_view));
  g_assert_cmpuint (n_tabs (fixture), ==, 0);

  /* A logout (101), not a lost connection: the server was told before the session went. */
  CONSOLE_WAIT_UNTIL (has_event (events, "\"offline\"", "\"code\":101"));
  g_assert_true (has_event (events, "\"offline\"", "\"alice\""));
  CONSOLE_WAIT_UNTIL (session == NULL);
}

static void
test_window_login_failed (ConsoleFixture *fixture,
                          gconstpointer   data)
{
  AgConsoleLoginDialog *dialog;

  dialog = AG_CONSOLE_LOGIN_DIALOG (ag_console_window_open_login_dialog (fixture->window));
  ag_console_login_dialog_set_server (dialog, ag_test_server_get_uri (fixture->server), "secure");
  ag_console_login_dialog_set_account (dialog, "mallory");
  ag_console_login_dialog_set_token (dialog, "1:secure:9999999999:00000000000000000000000000000000");
  ag_console_login_dialog_submit (dialog);

  g_assert_true (ag_console_login_dialog_get_busy (dialog));
  CONSOLE_WAIT_UNTIL (!ag_console_login_dialog_get_busy (dialog));

  g_assert_nonnull (ag_console_login_dialog_get_error_text (dialog));
  g_assert_true (g_str_has_prefix (ag_console_login_dialog_get_error_text (dialog),
                                   "Login failed: 206 LOGIN_E_TOKENWRONG"));
  g_assert_cmpuint (n_tabs (fixture), ==, 0);

  /* The same dialog, with the app certificate: the console mints a valid token. */
  ag_console_login_dialog_set_token (dialog, "");
  ag_console_login_dialog_set_certificate (dialog, "0123456789abcdef0123456789abcdef");
  ag_console_login_dialog_submit (dialog);
  CONSOLE_WAIT_UNTIL (n_tabs (fixture) == 1);
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

static int
min_width (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);

  return minimum;
}

static void
assert_problem (AgConsoleLoginDialog *dialog,
                const char           *account,
                const char           *problem)
{
  GtkWidget *log_in = console_find_button (GTK_WIDGET (dialog), "_Log In");

  ag_console_login_dialog_set_account (dialog, account);
  if (problem == NULL) {
    g_assert_null (ag_console_login_dialog_get_account_problem (dialog));
    g_assert_true (gtk_widget_is_sensitive (log_in));
    return;
  }

  g_assert_cmpstr (ag_console_login_dialog_get_account_problem (dialog), ==, problem);
  /* Shown under the field, and nothing can be sent. */
  g_assert_true (gtk_widget_get_visible (find_label (GTK_WIDGET (dialog), problem)));
  g_assert_false (gtk_widget_is_sensitive (log_in));
  ag_console_login_dialog_submit (dialog);
  g_assert_false (ag_console_login_dialog_get_busy (dialog));
}

/* Two different mapped labels on one Alt+key: GTK then only moves between them. */
static void
collect_mnemonics (GtkWidget  *widget,
                   GHashTable *text_by_key,
                   GPtrArray  *clashes)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      gtk_label_get_use_underline (GTK_LABEL (widget)) &&
      gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)) != GDK_KEY_VoidSymbol) {
    gpointer key = GUINT_TO_POINTER (gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget))));
    const char *text = gtk_label_get_label (GTK_LABEL (widget));
    const char *other = g_hash_table_lookup (text_by_key, key);

    if (other == NULL)
      g_hash_table_insert (text_by_key, key, (gpointer) text);
    else if (g_strcmp0 (other, text) != 0)
      g_ptr_array_add (clashes, g_strdup_printf ("“%s” and “%s”", other, text));
  }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_mnemonics (c, text_by_key, clashes);
}

static void
assert_unique_mnemonics (GtkWidget *window)
{
  g_autoptr(GHashTable) text_by_key = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GPtrArray) clashes = g_ptr_array_new_with_free_func (g_free);

  collect_mnemonics (window, text_by_key, clashes);
  for (guint i = 0; i < clashes->len; i++)
    g_test_message ("one mnemonic for %s", (const char *) g_ptr_array_index (clashes, i));
  g_assert_cmpuint (clashes->len, ==, 0);
}

static void
test_window_login_dialog_account (ConsoleFixture *fixture,
                                  gconstpointer   data)
{
  g_autofree char *long_account = g_strnfill (200, 'w');
  g_autofree char *max_account = g_strnfill (128, 'w');
  AgConsoleLoginDialog *dialog;
  GtkWidget *focus;
  int width_before;

  dialog = AG_CONSOLE_LOGIN_DIALOG (ag_console_window_open_login_dialog (fixture->window));
  CONSOLE_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  ag_console_login_dialog_set_server (dialog, ag_test_server_get_uri (fixture->server), "demo");

  /* Typing starts in the Account field. */
  focus = gtk_window_get_focus (GTK_WINDOW (dialog));
  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW))),
                   ==, "Acc_ount");

  /* Alt+C was both Cancel and Account. */
  assert_unique_mnemonics (GTK_WIDGET (dialog));

  /* Why an account would be refused, before anything is sent. */
  width_before = min_width (GTK_WIDGET (dialog));
  ag_console_login_dialog_set_account (dialog, "");
  g_assert_null (ag_console_login_dialog_get_account_problem (dialog));
  g_assert_false (gtk_widget_is_sensitive (console_find_button (GTK_WIDGET (dialog), "_Log In")));
  assert_problem (dialog, "anna smith", "An account cannot contain spaces: character 5 is a space.");
  assert_problem (dialog, "anna\tsmith",
                  "An account cannot contain spaces: character 5 is whitespace (U+0009).");
  assert_problem (dialog, "anna\xe2\x80\x8b",
                  "An account cannot contain invisible or control characters: character 5 is U+200B.");
  assert_problem (dialog, long_account, "An account has at most 128 characters; this one has 200.");

  /* A 200-character account does not widen the dialog. */
  g_assert_cmpint (min_width (GTK_WIDGET (dialog)), <=, MAX (width_before, 600));

  /* Spaces around it are not sent, so they are no problem. */
  assert_problem (dialog, "  anna ", NULL);

  /* Nor does the longest valid account, while logging in. */
  assert_problem (dialog, max_account, NULL);
  ag_console_login_dialog_submit (dialog);
  g_assert_true (ag_console_login_dialog_get_busy (dialog));
  g_assert_cmpint (min_width (GTK_WIDGET (dialog)), <=, MAX (width_before, 600));
  CONSOLE_WAIT_UNTIL (n_tabs (fixture) == 1);
}

static void
test_window_same_account_twice (ConsoleFixture *fixture,
                                gconstpointer   data)
{
  AgConsoleSessionPage *first = console_fixture_login (fixture, "alice");
  AgSession *first_session = ag_console_session_page_get_session (first);
  AgConsoleLoginDialog *dialog;
  const char *warning;

  dialog = AG_CONSOLE_LOGIN_DIALOG (ag_console_window_open_login_dialog (fixture->window));
  ag_console_login_dialog_set_server (dialog, ag_test_server_get_uri (fixture->server), "demo");

  /* Another account: nothing to say. The same one: warned, before anything is sent. */
  ag_console_login_dialog_set_account (dialog, "bob");
  g_assert_null (ag_console_login_dialog_get_account_warning (dialog));
  ag_console_login_dialog_set_account (dialog, "alice");
  warning = ag_console_login_dialog_get_account_warning (dialog);
  g_assert_nonnull (warning);
  g_assert_true (g_str_has_prefix (warning, "alice is already logged in on this server in another tab"));
  g_assert_true (gtk_widget_get_visible (find_label (GTK_WIDGET (dialog), warning)));

  /* On another app of the same server it is another account. */
  ag_console_login_dialog_set_server (dialog, ag_test_server_get_uri (fixture->server), "other");
  g_assert_null (ag_console_login_dialog_get_account_warning (dialog));
  ag_console_login_dialog_set_server (dialog, ag_test_server_get_uri (fixture->server), "demo");
  g_assert_nonnull (ag_console_login_dialog_get_account_warning (dialog));

  /* A warning, not a refusal: QA may mean it. The first tab is logged out (103). */
  g_assert_true (gtk_widget_is_sensitive (console_find_button (GTK_WIDGET (dialog), "_Log In")));
  ag_console_login_dialog_submit (dialog);
  CONSOLE_WAIT_UNTIL (n_tabs (fixture) == 2);
  CONSOLE_WAIT_UNTIL (ag_session_get_status (first_session) == AG_STATUS_NOT_LOGGED_IN);
  g_assert_cmpstr (ag_console_session_page_get_status_text (first), ==, "Not logged in");
}

static void
test_window_join_needs_name (ConsoleFixture *fixture,
                             gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  GtkWidget *view = ag_console_session_page_get_page_widget (page, "channel");
  GtkWidget *join = console_find_button (view, "_Join");
  GtkWidget *entry = gtk_widget_get_prev_sibling (join);

  g_assert_true (GTK_IS_EDITABLE (entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_false (gtk_widget_is_sensitive (join));
  gtk_editable_set_text (GTK_EDITABLE (entry), "   ");
  g_assert_false (gtk_widget_is_sensitive (join));
  gtk_editable_set_text (GTK_EDITABLE (entry), "lobby");
  g_assert_true (gtk_widget_is_sensitive (join));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_false (gtk_widget_is_sensitive (join));
}

static void
test_window_embedded_server (ConsoleFixture *fixture,
                             gconstpointer   data)
{
  AgConsoleApplication *application = console_test_application ();
  AgConsoleEmbeddedServer *embedded;
  AgConsoleLoginDialog *dialog;
  g_autofree char *expected = NULL;
  const char *uri;

  g_assert_null (ag_console_window_get_server_text (fixture->window));

  embedded = ag_console_application_ensure_embedded_server (application);
  CONSOLE_WAIT_UNTIL (ag_console_embedded_server_get_state (embedded) != AG_CONSOLE_EMBEDDED_SERVER_STARTING);
  g_assert_cmpint (ag_console_embedded_server_get_state (embedded), ==, AG_CONSOLE_EMBEDDED_SERVER_RUNNING);

  uri = ag_console_embedded_server_get_uri (embedded);
  g_assert_true (g_str_has_prefix (uri, "ws://127.0.0.1:"));
  expected = g_strdup_printf ("Embedded local server at %s", uri);
  g_assert_true (g_str_has_prefix (ag_console_window_get_server_text (fixture->window), expected));

  /* A new session goes to the embedded server unless told otherwise. */
  dialog = AG_CONSOLE_LOGIN_DIALOG (ag_console_window_open_login_dialog (fixture->window));
  ag_console_login_dialog_set_account (dialog, "carol");
  ag_console_login_dialog_submit (dialog);
  CONSOLE_WAIT_UNTIL (n_tabs (fixture) == 1);

  ag_console_embedded_server_stop (embedded, 5000);
  g_assert_cmpint (ag_console_embedded_server_get_state (embedded), ==, AG_CONSOLE_EMBEDDED_SERVER_STOPPED);
  g_assert_true (strstr (ag_console_window_get_server_text (fixture->window), "stopped") != NULL);
}

static AdwTabPage *
selected_tab (ConsoleFixture *fixture)
{
  return adw_tab_view_get_selected_page (ag_console_window_get_tab_view (fixture->window));
}

static void
test_window_embedded_server_restart (ConsoleFixture *fixture,
                                     gconstpointer   data)
{
  AgConsoleApplication *application = console_test_application ();
  AgConsoleEmbeddedServer *embedded;
  AgConsoleChannelView *channel_view;
  AgConsoleSessionPage *page;
  AgConsoleLoginDialog *dialog;
  g_autofree char *uri = NULL;
  AgSession *session;
  GtkWidget *restart;

  embedded = ag_console_application_ensure_embedded_server (application);
  CONSOLE_WAIT_UNTIL (ag_console_embedded_server_get_state (embedded) == AG_CONSOLE_EMBEDDED_SERVER_RUNNING);
  uri = g_strdup (ag_console_embedded_server_get_uri (embedded));
  restart = console_find_button (GTK_WIDGET (fixture->window), "_Restart Server");
  g_assert_nonnull (restart);
  g_assert_false (gtk_widget_get_visible (restart));

  dialog = AG_CONSOLE_LOGIN_DIALOG (ag_console_window_open_login_dialog (fixture->window));
  ag_console_login_dialog_set_account (dialog, "dora");
  ag_console_login_dialog_submit (dialog);
  CONSOLE_WAIT_UNTIL (n_tabs (fixture) == 1);
  page = AG_CONSOLE_SESSION_PAGE (adw_tab_page_get_child (selected_tab (fixture)));
  session = ag_console_session_page_get_session (page);
  channel_view = AG_CONSOLE_CHANNEL_VIEW (ag_console_session_page_get_page_widget (page, "channel"));
  ag_console_channel_view_join (channel_view, "lobby");
  CONSOLE_WAIT_UNTIL (ag_session_get_channel (session) != NULL &&
                      ag_channel_get_joined (ag_session_get_channel (session)));
  g_assert_false (ag_console_channel_view_get_roster_stale (channel_view));

  /* The server goes away: the session reconnects, shown without a spinner, and the roster
   * it keeps is marked as stale. */
  ag_console_embedded_server_stop (embedded, 5000);
  CONSOLE_WAIT_UNTIL (ag_session_get_status (session) == AG_STATUS_CONNECTING);
  g_assert_false (adw_tab_page_get_loading (selected_tab (fixture)));
  g_assert_nonnull (adw_tab_page_get_indicator_icon (selected_tab (fixture)));
  g_assert_true (g_str_has_prefix (ag_console_session_page_get_status_text (page), "Reconnecting"));
  CONSOLE_WAIT_UNTIL (ag_console_channel_view_get_roster_stale (channel_view));
  g_assert_nonnull (strstr (ag_console_window_get_server_text (fixture->window), "stopped"));

  /* Restart is offered; the server comes back where it was and the session re-attaches. */
  g_assert_true (gtk_widget_get_visible (restart));
  g_assert_true (gtk_widget_is_sensitive (restart));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.restart-server", NULL);
  CONSOLE_WAIT_UNTIL (ag_console_embedded_server_get_state (embedded) == AG_CONSOLE_EMBEDDED_SERVER_RUNNING);
  g_assert_cmpstr (ag_console_embedded_server_get_uri (embedded), ==, uri);
  g_assert_false (gtk_widget_get_visible (restart));
  CONSOLE_WAIT_UNTIL (ag_session_get_status (session) == AG_STATUS_LOGGED_IN);
  CONSOLE_WAIT_UNTIL (!ag_console_channel_view_get_roster_stale (channel_view));
  g_assert_null (adw_tab_page_get_indicator_icon (selected_tab (fixture)));
}

int
main (int   argc,
      char *argv[])
{
  if (!console_test_init (&argc, &argv)) {
    g_print (CONSOLE_TEST_SKIP_NO_DISPLAY);
    return 0;
  }

  g_test_add ("/ag/console-window/login", ConsoleFixture, NULL,
              console_fixture_setup, test_window_login, console_fixture_teardown);
  g_test_add ("/ag/console-window/two-accounts", ConsoleFixture, NULL,
              console_fixture_setup, test_window_two_accounts, console_fixture_teardown);
  g_test_add ("/ag/console-window/fits-800x600", ConsoleFixture, NULL,
              console_fixture_setup, test_window_fits_800x600, console_fixture_teardown);
  g_test_add ("/ag/console-window/no-label-tab-stops", ConsoleFixture, NULL,
              console_fixture_setup, test_window_no_label_tab_stops, console_fixture_teardown);
  g_test_add ("/ag/console-window/call-matrix", ConsoleFixture, NULL,
              console_fixture_setup, test_window_call_matrix, console_fixture_teardown);
  g_test_add ("/ag/console-window/call-account", ConsoleFixture, NULL,
              console_fixture_setup, test_window_call_account, console_fixture_teardown);
  g_test_add ("/ag/console-window/close-tab-logs-out", ConsoleFixture, NULL,
              console_fixture_setup, test_window_close_tab_logs_out, console_fixture_teardown);
  g_test_add ("/ag/console-window/login-failed", ConsoleFixture, NULL,
              secure_fixture_setup, test_window_login_failed, console_fixture_teardown);
  g_test_add ("/ag/console-window/login-dialog-account", ConsoleFixture, NULL,
              console_fixture_setup, test_window_login_dialog_account, console_fixture_teardown);
  g_test_add ("/ag/console-window/same-account-twice", ConsoleFixture, NULL,
              console_fixture_setup, test_window_same_account_twice, console_fixture_teardown);
  g_test_add ("/ag/console-window/join-needs-name", ConsoleFixture, NULL,
              console_fixture_setup, test_window_join_needs_name, console_fixture_teardown);
  g_test_add ("/ag/console-window/embedded-server", ConsoleFixture, NULL,
              console_fixture_setup, test_window_embedded_server, console_fixture_teardown);
  g_test_add ("/ag/console-window/embedded-server-restart", ConsoleFixture, NULL,
              console_fixture_setup, test_window_embedded_server_restart, console_fixture_teardown);

  return g_test_run ();
}
