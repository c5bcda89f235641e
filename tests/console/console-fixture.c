/* console-fixture.c: the console's window against a real agsignald, and peers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "console-fixture.h"

static AgConsoleApplication *application;

gboolean
console_tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
console_wait (ConsoleCondition condition,
              gpointer         data)
{
  return ag_test_spin_until (condition, data, CONSOLE_TEST_TIMEOUT_MS);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

void
console_spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
console_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, NULL);

  /* gtk_test_init would abort without a display; the caller skips the whole binary. */
  return gtk_init_check ();
}

AgConsoleApplication *
console_test_application (void)
{
  if (application == NULL) {
    g_autoptr(GError) error = NULL;

    application = ag_console_application_new ();
    if (!g_application_register (G_APPLICATION (application), NULL, &error))
      g_error ("Could not register the application: %s", error->message);
  }

  return application;
}

void
console_fixture_setup_full (ConsoleFixture *fixture,
                            const char     *config_text)
{
  g_autoptr(GError) error = NULL;

  fixture->server = ag_test_server_new (config_text, NULL, &error);
  g_assert_no_error (error);

  fixture->peers = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->window = ag_console_window_new (console_test_application ());
  gtk_window_present (GTK_WINDOW (fixture->window));

  CONSOLE_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
}

void
console_fixture_setup (ConsoleFixture *fixture,
                       gconstpointer   data)
{
  console_fixture_setup_full (fixture, NULL);
}

void
console_fixture_teardown (ConsoleFixture *fixture,
                          gconstpointer   data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  CONSOLE_WAIT_UNTIL (window == NULL);

  for (guint i = 0; i < fixture->peers->len; i++) {
    AgSession *peer = g_ptr_array_index (fixture->peers, i);

    if (ag_session_get_status (peer) == AG_STATUS_LOGGED_IN)
      ag_session_logout (peer);
  }
  g_clear_pointer (&fixture->peers, g_ptr_array_unref);

  g_clear_pointer (&fixture->server, ag_test_server_free);
}

static guint
n_session_tabs (AgConsoleWindow *window)
{
  return adw_tab_view_get_n_pages (ag_console_window_get_tab_view (window));
}

AgConsoleSessionPage *
console_fixture_login (ConsoleFixture *fixture,
                       const char     *account)
{
  AdwTabView *tab_view = ag_console_window_get_tab_view (fixture->window);
  guint before = n_session_tabs (fixture->window);
  AgConsoleLoginDialog *dialog;
  AdwTabPage *tab;

  dialog = AG_CONSOLE_LOGIN_DIALOG (ag_console_window_open_login_dialog (fixture->window));
  ag_console_login_dialog_set_server (dialog, ag_test_server_get_uri (fixture->server), "demo");
  ag_console_login_dialog_set_account (dialog, account);
  ag_console_login_dialog_submit (dialog);

  CONSOLE_WAIT_UNTIL (n_session_tabs (fixture->window) == before + 1);

  tab = adw_tab_view_get_selected_page (tab_view);
  g_assert_nonnull (tab);
  g_assert_cmpstr (adw_tab_page_get_title (tab), ==, account);

  return AG_CONSOLE_SESSION_PAGE (adw_tab_page_get_child (tab));
}

AgSession *
console_fixture_peer (ConsoleFixture *fixture,
                      const char     *account)
{
  g_autoptr(AgSignal) signal = ag_signal_new ("demo");
  AgSession *session;

  ag_signal_set_server_uri (signal, ag_test_server_get_uri (fixture->server));
  session = ag_signal_login (signal, account, "_no_need_token");
  g_ptr_array_add (fixture->peers, session);

  CONSOLE_WAIT_UNTIL (ag_session_get_status (session) == AG_STATUS_LOGGED_IN);

  return session;
}

AgChannel *
console_fixture_peer_join (ConsoleFixture *fixture,
                           AgSession      *peer,
                           const char     *name)
{
  g_autoptr(AgChannel) channel = ag_session_channel_join (peer, name);

  CONSOLE_WAIT_UNTIL (ag_channel_get_joined (channel));

  return ag_session_get_channel (peer);
}

GtkWidget *
console_find_button (GtkWidget  *root,
                     const char *label_or_icon)
{
  if (GTK_IS_BUTTON (root) &&
      (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label_or_icon) == 0 ||
       g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (root)), label_or_icon) == 0))
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c)) {
    GtkWidget *found = console_find_button (c, label_or_icon);

    if (found != NULL)
      return found;
  }

  return NULL;
}
