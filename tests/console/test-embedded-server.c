/* test-embedded-server.c: AgConsoleEmbeddedServer, the console's own agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <agsignal.h>

#include "ag-test-server.h"
#include "ag-console-embedded-server.h"

typedef struct
{
  gboolean  done;
  char     *uri;
  GError   *error;
} StartResult;

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  StartResult *start = user_data;

  start->uri = ag_console_embedded_server_start_finish (AG_CONSOLE_EMBEDDED_SERVER (object), result,
                                                        &start->error);
  start->done = TRUE;
}

static void
start_and_wait (AgConsoleEmbeddedServer *server,
                guint                    timeout_ms,
                StartResult             *start)
{
  ag_console_embedded_server_start_async (server, timeout_ms, NULL, started_cb, start);
  g_assert_true (ag_test_spin_until_flag (&start->done, AG_TEST_SERVER_START_TIMEOUT_MS + timeout_ms));
}

static gboolean
session_logged_in (gpointer data)
{
  return ag_session_get_status (data) == AG_STATUS_LOGGED_IN;
}

static gboolean
admin_live (AgAdmin *admin)
{
  return ag_admin_get_state (admin) == AG_ADMIN_STATE_LIVE;
}

static gboolean
admin_refused (AgAdmin *admin)
{
  return ag_admin_get_state (admin) == AG_ADMIN_STATE_DISCONNECTED;
}

static void
test_embedded_server_start_stop (void)
{
  g_autoptr(AgConsoleEmbeddedServer) server = ag_console_embedded_server_new (NULL);
  g_autoptr(AgSignal) signal = NULL;
  g_autoptr(AgSession) session = NULL;
  g_autoptr(GRegex) uri_regex = g_regex_new ("^ws://127\\.0\\.0\\.1:[1-9][0-9]*/v1$", 0, 0, NULL);
  StartResult start = { 0 };

  g_assert_cmpstr (ag_console_embedded_server_get_program (server), ==, g_getenv ("AGSIGNALD"));
  g_assert_cmpint (ag_console_embedded_server_get_state (server), ==, AG_CONSOLE_EMBEDDED_SERVER_STOPPED);

  start_and_wait (server, AG_TEST_SERVER_START_TIMEOUT_MS, &start);
  g_assert_no_error (start.error);
  g_assert_true (g_regex_match (uri_regex, start.uri, 0, NULL));
  g_assert_cmpstr (ag_console_embedded_server_get_uri (server), ==, start.uri);
  g_assert_cmpint (ag_console_embedded_server_get_state (server), ==, AG_CONSOLE_EMBEDDED_SERVER_RUNNING);

  /* It is a real server with the demo app. */
  signal = ag_signal_new (AG_CONSOLE_EMBEDDED_SERVER_APP_ID);
  ag_signal_set_server_uri (signal, start.uri);
  session = ag_signal_login (signal, "alice", "_no_need_token");
  g_assert_true (ag_test_spin_until (session_logged_in, session, 10000));
  ag_session_logout (session);

  /* It has a fresh server-wide admin key that the console knows, and no file keeps it. */
  {
    const char *key = ag_console_embedded_server_get_admin_key (server);
    g_autoptr(AgAdmin) admin = ag_admin_new (start.uri, AG_CONSOLE_EMBEDDED_SERVER_APP_ID);
    g_autoptr(AgAdmin) intruder = ag_admin_new (start.uri, AG_CONSOLE_EMBEDDED_SERVER_APP_ID);
    g_autoptr(GDir) tmp = g_dir_open (g_get_tmp_dir (), 0, NULL);
    const char *name;

    g_assert_nonnull (key);
    g_assert_cmpuint (strlen (key), ==, 64);
    ag_admin_connect_async (admin, key, NULL, NULL, NULL);
    ag_admin_connect_async (intruder, "0123456789abcdef0123", NULL, NULL, NULL);
    g_assert_true (ag_test_spin_until ((AgTestCondition) admin_live, admin, 10000));
    g_assert_cmpstr (ag_admin_get_scope (admin), ==, "server");
    g_assert_true (ag_test_spin_until ((AgTestCondition) admin_refused, intruder, 10000));

    while (tmp != NULL && (name = g_dir_read_name (tmp)) != NULL) {
      g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
      g_autofree char *text = NULL;

      if (g_str_has_prefix (name, "agsignal-console-") && g_file_get_contents (path, &text, NULL, NULL))
        g_assert_null (strstr (text, key));
    }
  }

  ag_console_embedded_server_stop (server, 5000);
  g_assert_cmpint (ag_console_embedded_server_get_state (server), ==, AG_CONSOLE_EMBEDDED_SERVER_STOPPED);
  g_assert_null (ag_console_embedded_server_get_uri (server));
  g_assert_null (ag_console_embedded_server_get_admin_key (server));
  g_assert_null (ag_console_embedded_server_get_error (server));

  g_free (start.uri);
}

static void
test_embedded_server_restart (void)
{
  g_autoptr(AgConsoleEmbeddedServer) server = ag_console_embedded_server_new (NULL);
  StartResult first = { 0 };
  StartResult second = { 0 };

  start_and_wait (server, AG_TEST_SERVER_START_TIMEOUT_MS, &first);
  g_assert_no_error (first.error);

  /* Starting a running server completes at once with its address. */
  start_and_wait (server, AG_TEST_SERVER_START_TIMEOUT_MS, &second);
  g_assert_no_error (second.error);
  g_assert_cmpstr (second.uri, ==, first.uri);

  ag_console_embedded_server_stop (server, 5000);
  g_clear_pointer (&second.uri, g_free);
  second.done = FALSE;

  start_and_wait (server, AG_TEST_SERVER_START_TIMEOUT_MS, &second);
  g_assert_no_error (second.error);
  g_assert_nonnull (second.uri);
  ag_console_embedded_server_stop (server, 5000);

  g_free (first.uri);
  g_free (second.uri);
}

static void
test_embedded_server_not_found (void)
{
  g_autoptr(AgConsoleEmbeddedServer) server = ag_console_embedded_server_new ("/nonexistent/agsignald");
  StartResult start = { 0 };

  start_and_wait (server, 5000, &start);
  g_assert_nonnull (start.error);
  g_assert_null (start.uri);
  g_assert_cmpint (ag_console_embedded_server_get_state (server), ==, AG_CONSOLE_EMBEDDED_SERVER_FAILED);
  g_assert_nonnull (ag_console_embedded_server_get_error (server));

  g_clear_error (&start.error);
}

static void
test_embedded_server_exits_early (void)
{
  g_autoptr(AgConsoleEmbeddedServer) server = ag_console_embedded_server_new ("/bin/false");
  StartResult start = { 0 };

  start_and_wait (server, 10000, &start);
  g_assert_error (start.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (strstr (start.error->message, "exit status 1") != NULL);
  g_assert_cmpint (ag_console_embedded_server_get_state (server), ==, AG_CONSOLE_EMBEDDED_SERVER_FAILED);

  g_clear_error (&start.error);
}

static void
test_embedded_server_timeout (void)
{
  g_autoptr(AgConsoleEmbeddedServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-console-XXXXXX", &error);
  g_autofree char *script = NULL;
  StartResult start = { 0 };
  gint64 started;

  g_assert_no_error (error);

  /* A server that never says where it listens. */
  script = g_build_filename (dir, "silent-server", NULL);
  g_assert_true (g_file_set_contents (script, "#!/bin/sh\nexec sleep 60\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);

  server = ag_console_embedded_server_new (script);
  started = g_get_monotonic_time ();
  start_and_wait (server, 300, &start);

  g_assert_error (start.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (ag_console_embedded_server_get_state (server), ==, AG_CONSOLE_EMBEDDED_SERVER_FAILED);

  /* The child was killed: stopping finds nothing left to wait for. */
  ag_console_embedded_server_stop (server, 5000);

  g_clear_error (&start.error);
  g_unlink (script);
  g_rmdir (dir);
}

static void
test_embedded_server_state_file (void)
{
  g_autoptr(AgConsoleEmbeddedServer) server = ag_console_embedded_server_new (NULL);
  g_autofree char *dir = g_dir_make_tmp ("test-embedded-server-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "data", "embedded-server.db", NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  StartResult start = { 0 };

  g_assert_null (ag_console_embedded_server_get_state_path (server));
  ag_console_embedded_server_set_state_path (server, path);
  g_assert_cmpstr (ag_console_embedded_server_get_state_path (server), ==, path);

  /* The missing directory is created, and agsignald keeps its state file there. */
  start_and_wait (server, AG_TEST_SERVER_START_TIMEOUT_MS, &start);
  g_assert_no_error (start.error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  ag_console_embedded_server_stop (server, 5000);
  g_assert_null (ag_console_embedded_server_get_error (server));

  g_remove (path);
  g_rmdir (parent);
  g_rmdir (dir);
  g_free (start.uri);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/console-embedded-server/start-stop", test_embedded_server_start_stop);
  g_test_add_func ("/ag/console-embedded-server/restart", test_embedded_server_restart);
  g_test_add_func ("/ag/console-embedded-server/state-file", test_embedded_server_state_file);
  g_test_add_func ("/ag/console-embedded-server/not-found", test_embedded_server_not_found);
  g_test_add_func ("/ag/console-embedded-server/exits-early", test_embedded_server_exits_early);
  g_test_add_func ("/ag/console-embedded-server/timeout", test_embedded_server_timeout);

  return g_test_run ();
}
