/* test-signal.c: AgSignal against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"

static void
test_new (void)
{
  g_autoptr(AgSignal) signal = ag_signal_new ("my-app");
  g_autoptr(CoreRecorder) uri_notify = core_recorder_new (signal, "notify::server-uri");
  g_autoptr(CoreRecorder) log_notify = core_recorder_new (signal, "notify::do-log");
  g_autofree char *uri = NULL;

  g_assert_cmpstr (ag_signal_get_app_id (signal), ==, "my-app");
  g_assert_cmpstr (ag_signal_get_server_uri (signal), ==, "ws://127.0.0.1:7070/v1");
  g_assert_cmpstr (ag_signal_get_server_uri (signal), ==, AG_DEFAULT_SERVER_URI);
  g_assert_cmpint (ag_signal_get_status (signal), ==, AG_STATUS_INITIAL);
  g_assert_cmpint (AG_STATUS_INITIAL, ==, 4);
  g_assert_false (ag_signal_get_do_log (signal));
  g_assert_cmpuint (ag_signal_get_request_timeout (signal), ==, 10000);
  g_assert_cmpuint (ag_signal_get_keepalive_interval (signal), ==, 20000);
  g_assert_true (ag_signal_get_auto_reconnect (signal));
  g_assert_null (ag_signal_get_tls_database (signal));
  g_assert_null (ag_signal_get_current_session (signal));

  ag_signal_set_server_uri (signal, "wss://example.org/v1");
  ag_signal_set_server_uri (signal, "wss://example.org/v1");
  g_assert_cmpuint (core_recorder_count (uri_notify), ==, 1);
  g_object_get (signal, "server-uri", &uri, NULL);
  g_assert_cmpstr (uri, ==, "wss://example.org/v1");
  ag_signal_set_server_uri (signal, NULL);
  g_assert_cmpstr (ag_signal_get_server_uri (signal), ==, AG_DEFAULT_SERVER_URI);
  g_assert_cmpuint (core_recorder_count (uri_notify), ==, 2);

  ag_signal_set_do_log (signal, TRUE);
  ag_signal_set_do_log (signal, TRUE);
  g_assert_true (ag_signal_get_do_log (signal));
  g_assert_cmpuint (core_recorder_count (log_notify), ==, 1);

  g_object_set (signal, "request-timeout", 500, "keepalive-interval", 0,
                "auto-reconnect", FALSE, NULL);
  g_assert_cmpuint (ag_signal_get_request_timeout (signal), ==, 500);
  g_assert_cmpuint (ag_signal_get_keepalive_interval (signal), ==, 0);
  g_assert_false (ag_signal_get_auto_reconnect (signal));

  /* The spec's numbers. */
  g_assert_cmpint (AG_STATUS_NOT_LOGGED_IN, ==, 0);
  g_assert_cmpint (AG_STATUS_CONNECTING, ==, 1);
  g_assert_cmpint (AG_STATUS_LOGGED_IN, ==, 2);
  g_assert_cmpint (AG_STATUS_LOGIN_FAILED, ==, 3);
  g_assert_true (G_TYPE_IS_ENUM (AG_TYPE_STATUS));
  g_assert_true (G_TYPE_IS_ENUM (AG_TYPE_ERROR));

  g_clear_pointer (&uri_notify, core_recorder_free);
  g_clear_pointer (&log_notify, core_recorder_free);
  core_assert_finalized (g_steal_pointer (&signal));
}

static void
test_status (CoreFixture   *fixture,
             gconstpointer  data)
{
  g_autoptr(CoreRecorder) status = core_recorder_new (fixture->signal, "notify::status");
  g_autoptr(CoreRecorder) current = core_recorder_new (fixture->signal, "notify::current-session");
  AgSession *first;
  AgSession *second;

  first = core_login (fixture, "alice");
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_LOGGED_IN);
  g_assert_true (ag_signal_get_current_session (fixture->signal) == first);
  /* INITIAL -> CONNECTING -> LOGGED_IN */
  g_assert_cmpuint (core_recorder_count (status), ==, 2);
  g_assert_cmpuint (core_recorder_count (current), ==, 1);

  /* The newest session is the one the status follows. */
  second = ag_signal_login (fixture->signal, "bob", "_no_need_token");
  g_assert_true (ag_signal_get_current_session (fixture->signal) == second);
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_CONNECTING);
  g_assert_true (core_wait_status (second, AG_STATUS_LOGGED_IN));
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_LOGGED_IN);

  /* An older session's logout does not change it. */
  core_logout_and_free (first);
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_LOGGED_IN);

  {
    g_autoptr(CoreRecorder) logout = core_recorder_new (second, "logout");

    ag_session_logout (second);
    g_assert_true (core_recorder_wait (logout, 1));
  }
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_NOT_LOGGED_IN);

  core_assert_finalized (second);
  g_assert_null (ag_signal_get_current_session (fixture->signal));
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_NOT_LOGGED_IN);

  g_clear_pointer (&status, core_recorder_free);
  g_clear_pointer (&current, core_recorder_free);
}

static void
test_user_attr (CoreFixture   *fixture,
                gconstpointer  data)
{
  g_autoptr(CoreRecorder) set = core_recorder_new (fixture->signal, "user-set-attr");
  g_autoptr(CoreRecorder) get = core_recorder_new (fixture->signal, "user-get-attr");
  g_autoptr(CoreRecorder) get_all = core_recorder_new (fixture->signal, "user-get-attr-all");
  g_autoptr(CoreRecorder) num = core_recorder_new (fixture->signal, "channel-query-user-num");
  g_autoptr(CoreRecorder) session_set = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  g_autofree char *value = NULL;
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *channel = core_join (bob, "lobby");
  AgSession *alice = core_login (fixture, "alice");
  guint count = 0;

  /* The Signal-level calls run on the current session, alice, and answer on the signal. */
  session_set = core_recorder_new (alice, "user-set-attr");
  ag_signal_user_set_attr (fixture->signal, "city", "Paris");
  g_assert_true (core_recorder_wait (set, 1));
  g_assert_cmpstr (core_recorder_string (set, 0, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (set, 0, 1), ==, "{\"result\":\"ok\",\"reason\":\"\"}");
  g_assert_cmpuint (core_recorder_count (session_set), ==, 0);

  ag_signal_user_get_attr (fixture->signal, "alice", "city");
  g_assert_true (core_recorder_wait (get, 1));
  g_assert_cmpstr (core_recorder_string (get, 0, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (get, 0, 1), ==,
                   "{\"result\":\"ok\",\"account\":\"alice\",\"name\":\"city\","
                   "\"value\":\"Paris\"}");

  ag_signal_user_get_attr_all (fixture->signal, "alice");
  g_assert_true (core_recorder_wait (get_all, 1));
  g_assert_cmpstr (core_recorder_string (get_all, 0, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (get_all, 0, 1), ==,
                   "{\"result\":\"ok\",\"account\":\"alice\",\"json\":{\"city\":\"Paris\"}}");

  ag_signal_channel_query_user_num (fixture->signal, "lobby");
  g_assert_true (core_recorder_wait (num, 1));
  g_assert_cmpstr (core_recorder_string (num, 0, 0), ==, "");
  g_assert_cmpint (core_recorder_int (num, 0, 1), ==, 1);

  ag_signal_user_set_attr_async (fixture->signal, "zip", "75001", NULL, core_store_result_cb,
                                 &result);
  result = core_wait_result (&result);
  g_assert_true (ag_signal_user_set_attr_finish (fixture->signal, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ag_signal_user_get_attr_async (fixture->signal, "alice", "zip", NULL, core_store_result_cb,
                                 &result);
  result = core_wait_result (&result);
  value = ag_signal_user_get_attr_finish (fixture->signal, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "75001");
  g_clear_object (&result);

  ag_signal_user_get_attr_all_async (fixture->signal, "alice", NULL, core_store_result_cb,
                                     &result);
  result = core_wait_result (&result);
  attrs = ag_signal_user_get_attr_all_finish (fixture->signal, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (attrs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (attrs, "zip"), ==, "75001");
  g_clear_object (&result);

  ag_signal_channel_query_user_num_async (fixture->signal, "lobby", NULL, core_store_result_cb,
                                          &result);
  result = core_wait_result (&result);
  count = ag_signal_channel_query_user_num_finish (fixture->signal, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 1);
  g_clear_object (&result);

  g_clear_pointer (&session_set, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (channel);

  /* Without a current session: 1003. */
  ag_signal_user_get_attr (fixture->signal, "alice", "city");
  g_assert_true (core_recorder_wait (get, 2));
  g_assert_nonnull (core_recorder_string (get, 1, 0));
  g_assert_true (g_str_has_prefix (core_recorder_string (get, 1, 1),
                                   "{\"result\":\"failed\",\"reason\":"));

  ag_signal_channel_query_user_num (fixture->signal, "lobby");
  g_assert_true (core_recorder_wait (num, 2));
  g_assert_nonnull (core_recorder_string (num, 1, 0));

  ag_signal_user_set_attr_async (fixture->signal, "zip", "1", NULL, core_store_result_cb,
                                 &result);
  result = core_wait_result (&result);
  g_assert_false (ag_signal_user_set_attr_finish (fixture->signal, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_GENERAL_E_NOT_LOGIN);
  g_clear_object (&result);

  g_clear_pointer (&set, core_recorder_free);
  g_clear_pointer (&get, core_recorder_free);
  g_clear_pointer (&get_all, core_recorder_free);
  g_clear_pointer (&num, core_recorder_free);
}

static void
test_login_async (CoreFixture   *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(AgSignal) other = ag_signal_new ("no-such-app");
  AgSession *session;

  ag_signal_login_async (fixture->signal, "alice", "_no_need_token", NULL, core_store_result_cb,
                         &result);
  result = core_wait_result (&result);
  session = ag_signal_login_finish (fixture->signal, result, &error);
  g_assert_no_error (error);
  g_assert_true (AG_IS_SESSION (session));
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpuint (ag_session_get_uid (session), >, 0);
  g_clear_object (&result);
  core_logout_and_free (session);

  ag_signal_set_server_uri (other, ag_test_server_get_uri (fixture->server));
  ag_signal_login_async (other, "alice", "_no_need_token", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_null (ag_signal_login_finish (other, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_LOGIN_E_FAILED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Cancelling is the spec's cancel: 203. */
  ag_signal_login_async (fixture->signal, "bob", "_no_need_token", cancellable,
                         core_store_result_cb, &result);
  g_cancellable_cancel (cancellable);
  result = core_wait_result (&result);
  g_assert_null (ag_signal_login_finish (fixture->signal, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_LOGIN_E_CANCEL);
  g_clear_object (&result);

  core_assert_finalized (g_steal_pointer (&other));
}

typedef struct {
  GPtrArray *lines;
} LogCapture;

static void
capture_log (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
  LogCapture *capture = user_data;

  g_ptr_array_add (capture->lines, g_strdup (message));
}

static guint
count_lines (LogCapture *capture,
             const char *needle)
{
  guint count = 0;

  for (guint i = 0; i < capture->lines->len; i++)
    if (strstr (g_ptr_array_index (capture->lines, i), needle) != NULL)
      count++;

  return count;
}

static void
test_do_log (CoreFixture   *fixture,
             gconstpointer  data)
{
  LogCapture capture = { g_ptr_array_new_with_free_func (g_free) };
  g_autofree char *token = NULL;
  AgSession *quiet;
  AgSession *loud;
  guint handler;

  handler = g_log_set_handler ("Ag", G_LOG_LEVEL_DEBUG, capture_log, &capture);

  quiet = core_login (fixture, "quiet");
  g_assert_cmpuint (count_lines (&capture, "\"op\":\"login\""), ==, 0);
  g_assert_cmpuint (count_lines (&capture, "\"op\":\"ok\""), ==, 0);

  ag_signal_set_do_log (fixture->signal, TRUE);

  /* A real token, which must not appear in the log. */
  token = g_strdup ("1:demo:4102444800:00112233445566778899aabbccddeeff");
  loud = ag_signal_login (fixture->signal, "loud", token);
  {
    g_autoptr(CoreRecorder) failed = core_recorder_new (loud, "login-failed");

    g_assert_true (core_recorder_wait (failed, 1));
  }
  g_assert_cmpuint (count_lines (&capture, "\"op\":\"login\""), ==, 1);
  g_assert_cmpuint (count_lines (&capture, "\"account\":\"loud\""), ==, 1);
  g_assert_cmpuint (count_lines (&capture, "<redacted>"), ==, 1);
  g_assert_cmpuint (count_lines (&capture, token), ==, 0);
  g_assert_cmpuint (count_lines (&capture, "00112233445566778899aabbccddeeff"), ==, 0);
  /* Both directions: the error reply is logged too. */
  g_assert_cmpuint (count_lines (&capture, "\"op\":\"error\""), ==, 1);

  /* Sessions already logged in follow the setting. */
  ag_session_message_instant_send (quiet, "nobody", "logged");
  {
    g_autoptr(CoreRecorder) send_error = core_recorder_new (quiet, "message-send-error");

    g_assert_true (core_recorder_wait (send_error, 1));
  }
  g_assert_cmpuint (count_lines (&capture, "\"msg\":\"logged\""), ==, 1);

  g_log_remove_handler ("Ag", handler);
  ag_signal_set_do_log (fixture->signal, FALSE);
  core_logout_and_free (quiet);
  core_assert_finalized (loud);
  g_ptr_array_unref (capture.lines);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, func, core_fixture_teardown)

  g_test_add_func ("/ag/signal/new", test_new);
  ADD ("/ag/signal/status", test_status);
  ADD ("/ag/signal/user-attr", test_user_attr);
  ADD ("/ag/signal/login-async", test_login_async);
  ADD ("/ag/signal/do-log", test_do_log);

#undef ADD

  return g_test_run ();
}
