/* test-session.c: AgSession against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"

static void
test_login (CoreFixture   *fixture,
            gconstpointer  data)
{
  g_autoptr(CoreRecorder) success = NULL;
  g_autoptr(CoreRecorder) status = NULL;
  AgSession *session;

  session = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_CONNECTING);
  g_assert_cmpstr (ag_session_get_account (session), ==, "alice");
  g_assert_true (ag_session_get_signal (session) == fixture->signal);
  g_assert_cmpuint (ag_session_get_uid (session), ==, 0);
  g_assert_null (ag_session_get_channel (session));

  success = core_recorder_new (session, "login-success");
  status = core_recorder_new (session, "notify::status");
  g_assert_true (core_recorder_wait (success, 1));

  g_assert_cmpuint (core_recorder_uint (success, 0, 0), >, 0);
  g_assert_cmpuint (core_recorder_uint (success, 0, 0), ==, ag_session_get_uid (session));
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpuint (core_recorder_count (status), ==, 1);

  g_clear_pointer (&success, core_recorder_free);
  g_clear_pointer (&status, core_recorder_free);
  core_logout_and_free (session);
}

static void
test_login_invalid_account (CoreFixture   *fixture,
                            gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *session;

  session = ag_signal_login (fixture->signal, "has space", "_no_need_token");
  failed = core_recorder_new (session, "login-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_INVALID_USER);
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGIN_FAILED);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (session);
}

static void
test_login_unknown_app (CoreFixture   *fixture,
                        gconstpointer  data)
{
  g_autoptr(AgSignal) other = ag_signal_new ("no-such-app");
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *session;

  ag_signal_set_server_uri (other, ag_test_server_get_uri (fixture->server));
  session = ag_signal_login (other, "alice", "_no_need_token");
  failed = core_recorder_new (session, "login-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_FAILED);
  g_assert_cmpint (ag_signal_get_status (other), ==, AG_STATUS_LOGIN_FAILED);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (session);
  core_assert_finalized (g_steal_pointer (&other));
}

static void
test_login_wrong_token (CoreFixture   *fixture,
                        gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *session;

  session = ag_signal_login (fixture->signal, "alice",
                             "1:demo:99999999999:0123456789abcdef0123456789abcdef");
  failed = core_recorder_new (session, "login-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_TOKENWRONG);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (session);
}

static guint16
unused_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  /* Bound but never listening: connections to it are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_login_unreachable (void)
{
  g_autoptr(AgSignal) signal = ag_signal_new ("demo");
  g_autoptr(CoreRecorder) failed = NULL;
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/v1", unused_port ());
  AgSession *session;

  ag_signal_set_server_uri (signal, uri);
  session = ag_signal_login (signal, "alice", "_no_need_token");
  failed = core_recorder_new (session, "login-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_NET);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (session);

  /* Not a WebSocket URI at all. */
  ag_signal_set_server_uri (signal, "http://127.0.0.1:1/v1");
  session = ag_signal_login (signal, "alice", "_no_need_token");
  failed = core_recorder_new (session, "login-failed");
  g_assert_cmpuint (core_recorder_count (failed), ==, 0);
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_NET);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (session);
  core_assert_finalized (g_steal_pointer (&signal));
}

/* A source always ready at GTK's redraw priority (G_PRIORITY_HIGH_IDLE + 20), as a spinner
 * on a slow renderer is: it starves every idle of default idle priority. */
static gboolean
busy_redraw_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
assert_fails_while_busy (AgSignal   *signal,
                         const char *account,
                         const char *token,
                         int         code)
{
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *session;

  session = ag_signal_login (signal, account, token);
  failed = core_recorder_new (session, "login-failed");
  /* Far less than the recorder's own timeout: the failure is prompt, not merely eventual. */
  g_assert_true (core_recorder_wait_ms (failed, 1, 3000));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, code);
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGIN_FAILED);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (session);
}

static void
test_login_failure_not_starved (CoreFixture   *fixture,
                                gconstpointer  data)
{
  g_autofree char *unreachable = g_strdup_printf ("ws://127.0.0.1:%u/v1", unused_port ());
  guint busy = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, busy_redraw_cb, NULL, NULL);

  assert_fails_while_busy (fixture->signal, "has space", "_no_need_token",
                           AG_ERROR_LOGIN_E_INVALID_USER);
  assert_fails_while_busy (fixture->signal, "alice",
                           "1:demo:99999999999:0123456789abcdef0123456789abcdef",
                           AG_ERROR_LOGIN_E_TOKENWRONG);

  ag_signal_set_server_uri (fixture->signal, unreachable);
  assert_fails_while_busy (fixture->signal, "alice", "_no_need_token", AG_ERROR_LOGIN_E_NET);
  ag_signal_set_server_uri (fixture->signal, "http://127.0.0.1:1/v1");
  assert_fails_while_busy (fixture->signal, "alice", "_no_need_token", AG_ERROR_LOGIN_E_NET);

  g_source_remove (busy);
}

static void
test_login_cancel (CoreFixture   *fixture,
                   gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  g_autoptr(CoreRecorder) success = NULL;
  AgSession *session;

  session = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  failed = core_recorder_new (session, "login-failed");
  success = core_recorder_new (session, "login-success");

  ag_session_logout (session);
  g_assert_cmpuint (core_recorder_count (failed), ==, 1);
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_CANCEL);
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGIN_FAILED);

  /* Nothing more comes from the cancelled login. */
  core_spin_for (300);
  g_assert_cmpuint (core_recorder_count (failed), ==, 1);
  g_assert_cmpuint (core_recorder_count (success), ==, 0);

  g_clear_pointer (&failed, core_recorder_free);
  g_clear_pointer (&success, core_recorder_free);
  core_assert_finalized (session);
}

static void
test_logout (CoreFixture   *fixture,
             gconstpointer  data)
{
  g_autoptr(CoreRecorder) logout = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  gboolean online = TRUE;

  logout = core_recorder_new (alice, "logout");
  ag_session_logout (alice);
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_USER);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_NOT_LOGGED_IN);

  /* The server knows. */
  ag_session_query_user_status_async (bob, "alice", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  online = ag_session_query_user_status_finish (bob, result, &error);
  g_assert_no_error (error);
  g_assert_false (online);
  g_clear_object (&result);

  /* A second logout has nothing to do. */
  ag_session_logout (alice);
  g_assert_true (core_recorder_wait (logout, 2));
  g_assert_cmpint (core_recorder_int (logout, 1, 0), ==, AG_ERROR_LOGOUT_E_ALREADY_LOGOUT);

  ag_session_logout_async (alice, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_false (ag_session_logout_finish (alice, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_LOGOUT_E_ALREADY_LOGOUT);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The async form completes once the session is out. */
  ag_session_logout_async (bob, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_session_logout_finish (bob, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ag_session_get_status (bob), ==, AG_STATUS_NOT_LOGGED_IN);
  g_clear_object (&result);

  g_clear_pointer (&logout, core_recorder_free);
  core_assert_finalized (alice);
  core_assert_finalized (bob);
}

static void
test_kicked (CoreFixture   *fixture,
             gconstpointer  data)
{
  g_autoptr(AgSignal) elsewhere = ag_signal_new ("demo");
  g_autoptr(CoreRecorder) logout = NULL;
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) leaved = NULL;
  AgSession *first = core_login (fixture, "alice");
  AgChannel *channel = core_join (first, "lobby");
  AgSession *second;

  logout = core_recorder_new (first, "logout");
  reconnecting = core_recorder_new (first, "reconnecting");
  leaved = core_recorder_new (channel, "channel-leaved");

  /* The same account elsewhere (another signal object, as another process would) logs the
   * first session out with 103, for good. */
  ag_signal_set_server_uri (elsewhere, ag_test_server_get_uri (fixture->server));
  second = core_login_on (elsewhere, "alice");
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_KICKED);
  g_assert_cmpuint (core_recorder_count (leaved), ==, 1);
  g_assert_cmpint (core_recorder_int (leaved, 0, 0), ==, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
  g_assert_cmpint (ag_session_get_status (first), ==, AG_STATUS_NOT_LOGGED_IN);
  g_assert_cmpint (ag_signal_get_status (fixture->signal), ==, AG_STATUS_NOT_LOGGED_IN);
  g_assert_cmpint (ag_signal_get_status (elsewhere), ==, AG_STATUS_LOGGED_IN);

  core_spin_for (500);
  g_assert_cmpuint (core_recorder_count (reconnecting), ==, 0);
  g_assert_cmpuint (core_recorder_count (logout), ==, 1);

  g_clear_pointer (&logout, core_recorder_free);
  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&leaved, core_recorder_free);
  core_assert_finalized (channel);
  core_assert_finalized (first);
  core_logout_and_free (second);
}

/* The spec: "if you are already logged in, the call of login will be ignored". */
static void
test_login_again (CoreFixture   *fixture,
                  gconstpointer  data)
{
  g_autoptr(CoreRecorder) logout = NULL;
  g_autoptr(CoreRecorder) error = NULL;
  g_autoptr(CoreRecorder) bob_error = NULL;
  g_autoptr(CoreRecorder) bob_success = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) completed = NULL;
  g_autoptr(GError) async_error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *again;
  AgSession *bob;
  AgSession *bob_again;
  AgSession *renewed;
  AgSession *failed;

  logout = core_recorder_new (alice, "logout");
  error = core_recorder_new (alice, "error");

  /* Logged in: the same session comes back, reports 208 and is not logged out (103). */
  again = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  g_assert_true (again == alice);
  g_assert_cmpuint (core_recorder_count (error), ==, 0);
  g_assert_true (core_recorder_wait (error, 1));
  g_assert_cmpint (core_recorder_int (error, 0, 0), ==, AG_ERROR_LOGIN_E_ALREADY_LOGIN);
  g_object_unref (again);
  core_spin_for (300);
  g_assert_cmpuint (core_recorder_count (logout), ==, 0);
  g_assert_cmpuint (core_recorder_count (error), ==, 1);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);

  /* The async form completes with 208 and leaves the session alone. */
  ag_signal_login_async (fixture->signal, "alice", "_no_need_token", NULL,
                         core_store_result_cb, &result);
  completed = core_wait_result (&result);
  failed = ag_signal_login_finish (fixture->signal, completed, &async_error);
  g_assert_null (failed);
  g_assert_error (async_error, AG_ERROR, AG_ERROR_LOGIN_E_ALREADY_LOGIN);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpuint (core_recorder_count (error), ==, 1);
  g_clear_object (&completed);

  /* Logging in: one session, one login. */
  bob = ag_signal_login (fixture->signal, "bob", "_no_need_token");
  bob_again = ag_signal_login (fixture->signal, "bob", "_no_need_token");
  g_assert_true (bob_again == bob);
  g_object_unref (bob_again);
  bob_success = core_recorder_new (bob, "login-success");
  bob_error = core_recorder_new (bob, "error");
  g_assert_true (core_recorder_wait (bob_success, 1));
  g_assert_true (core_recorder_wait (bob_error, 1));
  g_assert_cmpint (core_recorder_int (bob_error, 0, 0), ==, AG_ERROR_LOGIN_E_ALREADY_LOGIN);
  core_spin_for (300);
  g_assert_cmpuint (core_recorder_count (bob_success), ==, 1);
  g_assert_cmpint (ag_session_get_status (bob), ==, AG_STATUS_LOGGED_IN);

  /* Logging out does not count: logout () then login () at once logs in anew. */
  ag_session_logout (alice);
  renewed = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  g_assert_true (renewed != alice);
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_USER);
  g_assert_true (core_wait_status (renewed, AG_STATUS_LOGGED_IN));
  g_assert_cmpuint (core_recorder_count (error), ==, 1);

  g_clear_pointer (&logout, core_recorder_free);
  g_clear_pointer (&error, core_recorder_free);
  g_clear_pointer (&bob_error, core_recorder_free);
  g_clear_pointer (&bob_success, core_recorder_free);
  core_assert_finalized (alice);
  core_logout_and_free (bob);
  core_logout_and_free (renewed);
}

static void
test_message (CoreFixture   *fixture,
              gconstpointer  data)
{
  g_autoptr(CoreRecorder) sent = NULL;
  g_autoptr(CoreRecorder) send_error = NULL;
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  gboolean stored = TRUE;

  sent = core_recorder_new (alice, "message-send-success");
  send_error = core_recorder_new (alice, "message-send-error");
  received = core_recorder_new (bob, "message-instant-receive");

  ag_session_message_instant_send (alice, "bob", "hello bob");
  g_assert_true (core_recorder_wait (sent, 1));
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 0), ==, "alice");
  g_assert_cmpuint (core_recorder_uint (received, 0, 1), ==, ag_session_get_uid (alice));
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "hello bob");

  /* With a ttl, to an online peer: delivered at once, not stored. */
  ag_session_message_instant_send_async (alice, "bob", "again", 60, NULL, core_store_result_cb,
                                         &result);
  result = core_wait_result (&result);
  stored = ag_session_message_instant_send_finish (alice, result, &error);
  g_assert_no_error (error);
  g_assert_false (stored);
  g_clear_object (&result);
  g_assert_true (core_recorder_wait (received, 2));
  g_assert_cmpstr (core_recorder_string (received, 1, 2), ==, "again");

  /* Without a ttl, to an offline peer: refused. */
  ag_session_message_instant_send (alice, "nobody", "hello?");
  g_assert_true (core_recorder_wait (send_error, 1));
  g_assert_cmpint (core_recorder_int (send_error, 0, 0), ==, AG_ERROR_PROTO_E_PEER_OFFLINE);
  g_assert_cmpuint (core_recorder_count (sent), ==, 1);

  g_clear_pointer (&sent, core_recorder_free);
  g_clear_pointer (&send_error, core_recorder_free);
  g_clear_pointer (&received, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
}

static void
store_message_ts_cb (AgSession  *session,
                     const char *account,
                     guint       uid,
                     const char *msg,
                     gint64     *out_ts)
{
  *out_ts = ag_session_get_message_ts (session);
}

static void
test_message_offline (CoreFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(CoreRecorder) sent = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *carol;
  gboolean stored = FALSE;
  gint64 sent_before = g_get_real_time () / 1000;
  gint64 sent_after;
  gint64 message_ts = 0;

  ag_session_message_instant_send_async (alice, "carol", "while you were out", 600, NULL,
                                         core_store_result_cb, &result);
  result = core_wait_result (&result);
  stored = ag_session_message_instant_send_finish (alice, result, &error);
  g_assert_no_error (error);
  g_assert_true (stored);
  g_clear_object (&result);

  /* The spec's overload with ttl, without _async. */
  sent = core_recorder_new (alice, "message-send-success");
  ag_session_message_instant_send_full (alice, "carol", "and this too", 600);
  g_assert_true (core_recorder_wait (sent, 1));
  sent_after = g_get_real_time () / 1000;
  /* Delivered noticeably later than sent. */
  core_spin_for (300);

  /* Offline messages follow the login reply: the recorder must be there before it. */
  carol = ag_signal_login (fixture->signal, "carol", "_no_need_token");
  received = core_recorder_new (carol, "message-instant-receive");
  g_signal_connect (carol, "message-instant-receive", G_CALLBACK (store_message_ts_cb), &message_ts);
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 0), ==, "alice");
  g_assert_cmpuint (core_recorder_uint (received, 0, 1), ==, ag_session_get_uid (alice));
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "while you were out");
  g_assert_true (core_recorder_wait (received, 2));
  g_assert_cmpstr (core_recorder_string (received, 1, 2), ==, "and this too");

  /* When it was sent, not when it was delivered; and only during the emission. */
  g_assert_cmpint (message_ts, >=, sent_before);
  g_assert_cmpint (message_ts, <=, sent_after);
  g_assert_cmpint (ag_session_get_message_ts (carol), ==, 0);

  g_clear_pointer (&received, core_recorder_free);
  g_clear_pointer (&sent, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (carol);
}

static void
test_user_attr (CoreFixture   *fixture,
                gconstpointer  data)
{
  g_autoptr(CoreRecorder) set = NULL;
  g_autoptr(CoreRecorder) get = NULL;
  g_autoptr(CoreRecorder) get_all = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  g_autofree char *value = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");

  set = core_recorder_new (alice, "user-set-attr");
  get = core_recorder_new (bob, "user-get-attr");
  get_all = core_recorder_new (bob, "user-get-attr-all");

  ag_session_user_set_attr (alice, "color", "blue \"sky\"");
  g_assert_true (core_recorder_wait (set, 1));
  g_assert_cmpstr (core_recorder_string (set, 0, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (set, 0, 1), ==, "{\"result\":\"ok\",\"reason\":\"\"}");

  ag_session_user_set_attr_async (alice, "mood", "fine", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_session_user_set_attr_finish (alice, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ag_session_user_get_attr (bob, "alice", "color");
  g_assert_true (core_recorder_wait (get, 1));
  g_assert_cmpstr (core_recorder_string (get, 0, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (get, 0, 1), ==,
                   "{\"result\":\"ok\",\"account\":\"alice\",\"name\":\"color\","
                   "\"value\":\"blue \\\"sky\\\"\"}");

  ag_session_user_get_attr (bob, "alice", "shoe-size");
  g_assert_true (core_recorder_wait (get, 2));
  g_assert_cmpstr (core_recorder_string (get, 1, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (get, 1, 1), ==,
                   "{\"result\":\"ok\",\"account\":\"alice\",\"name\":\"shoe-size\","
                   "\"value\":null}");

  ag_session_user_get_attr_all (bob, "alice");
  g_assert_true (core_recorder_wait (get_all, 1));
  g_assert_cmpstr (core_recorder_string (get_all, 0, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (get_all, 0, 1), ==,
                   "{\"result\":\"ok\",\"account\":\"alice\",\"json\":"
                   "{\"color\":\"blue \\\"sky\\\"\",\"mood\":\"fine\"}}");

  ag_session_user_get_attr_async (bob, "alice", "mood", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  value = ag_session_user_get_attr_finish (bob, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "fine");
  g_clear_object (&result);

  /* An empty value deletes. */
  ag_session_user_set_attr (alice, "mood", "");
  g_assert_true (core_recorder_wait (set, 2));
  ag_session_user_get_attr_all_async (bob, "alice", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  attrs = ag_session_user_get_attr_all_finish (bob, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (attrs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (attrs, "color"), ==, "blue \"sky\"");
  g_clear_object (&result);

  /* A failure gives err and the failed result object. */
  ag_session_user_get_attr (bob, "alice", "");
  g_assert_true (core_recorder_wait (get, 3));
  g_assert_nonnull (core_recorder_string (get, 2, 0));
  g_assert_true (g_str_has_prefix (core_recorder_string (get, 2, 1),
                                   "{\"result\":\"failed\",\"reason\":\""));

  g_clear_pointer (&set, core_recorder_free);
  g_clear_pointer (&get, core_recorder_free);
  g_clear_pointer (&get_all, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
}

static void
test_queries (CoreFixture   *fixture,
              gconstpointer  data)
{
  g_autoptr(CoreRecorder) num = NULL;
  g_autoptr(CoreRecorder) status = NULL;
  g_autoptr(CoreRecorder) is_in = NULL;
  g_autoptr(CoreRecorder) error_signal = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");
  guint count = 0;
  gboolean flag = FALSE;

  num = core_recorder_new (alice, "channel-query-user-num");
  status = core_recorder_new (alice, "query-user-status-result");
  is_in = core_recorder_new (alice, "channel-query-user-is-in-result");
  error_signal = core_recorder_new (alice, "error");

  ag_session_channel_query_user_num (alice, "lobby");
  g_assert_true (core_recorder_wait (num, 1));
  g_assert_cmpstr (core_recorder_string (num, 0, 0), ==, "");
  g_assert_cmpint (core_recorder_int (num, 0, 1), ==, 2);

  ag_session_channel_query_user_num_async (alice, "empty-room", NULL, core_store_result_cb,
                                           &result);
  result = core_wait_result (&result);
  count = ag_session_channel_query_user_num_finish (alice, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 0);
  g_clear_object (&result);

  ag_session_query_user_status (alice, "bob");
  ag_session_query_user_status (alice, "nobody");
  g_assert_true (core_recorder_wait (status, 2));
  g_assert_cmpstr (core_recorder_string (status, 0, 0), ==, "bob");
  g_assert_true (core_recorder_boolean (status, 0, 1));
  g_assert_cmpstr (core_recorder_string (status, 1, 0), ==, "nobody");
  g_assert_false (core_recorder_boolean (status, 1, 1));

  ag_session_channel_query_user_is_in (alice, "lobby", "bob");
  ag_session_channel_query_user_is_in (alice, "other", "bob");
  g_assert_true (core_recorder_wait (is_in, 2));
  g_assert_cmpstr (core_recorder_string (is_in, 0, 0), ==, "lobby");
  g_assert_cmpstr (core_recorder_string (is_in, 0, 1), ==, "bob");
  g_assert_true (core_recorder_boolean (is_in, 0, 2));
  g_assert_cmpstr (core_recorder_string (is_in, 1, 0), ==, "other");
  g_assert_false (core_recorder_boolean (is_in, 1, 2));

  ag_session_channel_query_user_is_in_async (alice, "lobby", "alice", NULL,
                                             core_store_result_cb, &result);
  result = core_wait_result (&result);
  flag = ag_session_channel_query_user_is_in_finish (alice, result, &error);
  g_assert_no_error (error);
  g_assert_true (flag);
  g_clear_object (&result);

  /* A query the server refuses is reported through error. */
  ag_session_query_user_status (alice, "");
  g_assert_true (core_recorder_wait (error_signal, 1));
  g_assert_cmpint (core_recorder_int (error_signal, 0, 0), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_nonnull (core_recorder_string (error_signal, 0, 1));
  g_assert_cmpuint (core_recorder_count (status), ==, 2);

  g_clear_pointer (&num, core_recorder_free);
  g_clear_pointer (&status, core_recorder_free);
  g_clear_pointer (&is_in, core_recorder_free);
  g_clear_pointer (&error_signal, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
}

static void
test_not_logged_in (CoreFixture   *fixture,
                    gconstpointer  data)
{
  g_autoptr(CoreRecorder) send_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  g_autoptr(CoreRecorder) logout = core_recorder_new (alice, "logout");

  ag_session_logout (alice);
  g_assert_true (core_recorder_wait (logout, 1));

  send_error = core_recorder_new (alice, "message-send-error");
  ag_session_message_instant_send (alice, "bob", "hi");
  g_assert_true (core_recorder_wait (send_error, 1));
  g_assert_cmpint (core_recorder_int (send_error, 0, 0), ==, AG_ERROR_GENERAL_E_NOT_LOGIN);

  ag_session_user_get_attr_async (alice, "bob", "x", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_null (ag_session_user_get_attr_finish (alice, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_GENERAL_E_NOT_LOGIN);
  g_clear_object (&result);

  g_clear_pointer (&send_error, core_recorder_free);
  g_clear_pointer (&logout, core_recorder_free);
  core_assert_finalized (alice);
}

static void
test_queued_while_connecting (CoreFixture   *fixture,
                              gconstpointer  data)
{
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(CoreRecorder) sent = NULL;
  AgSession *bob = core_login (fixture, "bob");
  AgSession *alice;

  received = core_recorder_new (bob, "message-instant-receive");

  /* Requests made before the login completes wait for it. */
  alice = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  sent = core_recorder_new (alice, "message-send-success");
  ag_session_message_instant_send (alice, "bob", "early");
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_CONNECTING);

  g_assert_true (core_recorder_wait (sent, 1));
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "early");

  g_clear_pointer (&received, core_recorder_free);
  g_clear_pointer (&sent, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
}

static void
test_many_sessions (CoreFixture   *fixture,
                    gconstpointer  data)
{
  g_autoptr(AgSignal) other = ag_signal_new ("demo");
  g_autoptr(CoreRecorder) to_a2 = NULL;
  g_autoptr(CoreRecorder) to_b1 = NULL;
  AgSession *a1;
  AgSession *a2;
  AgSession *b1;
  AgSession *b2;

  /* Two signal objects with two sessions each, in one process. */
  ag_signal_set_server_uri (other, ag_test_server_get_uri (fixture->server));
  a1 = core_login (fixture, "a1");
  a2 = core_login (fixture, "a2");
  b1 = core_login_on (other, "b1");
  b2 = core_login_on (other, "b2");

  g_assert_true (ag_signal_get_current_session (fixture->signal) == a2);
  g_assert_true (ag_signal_get_current_session (other) == b2);
  g_assert_cmpuint (ag_session_get_uid (a1), !=, ag_session_get_uid (b1));

  to_a2 = core_recorder_new (a2, "message-instant-receive");
  to_b1 = core_recorder_new (b1, "message-instant-receive");
  ag_session_message_instant_send (b2, "a2", "from b2");
  ag_session_message_instant_send (a1, "b1", "from a1");
  g_assert_true (core_recorder_wait (to_a2, 1));
  g_assert_true (core_recorder_wait (to_b1, 1));
  g_assert_cmpstr (core_recorder_string (to_a2, 0, 0), ==, "b2");
  g_assert_cmpstr (core_recorder_string (to_a2, 0, 2), ==, "from b2");
  g_assert_cmpstr (core_recorder_string (to_b1, 0, 0), ==, "a1");
  g_assert_cmpstr (core_recorder_string (to_b1, 0, 2), ==, "from a1");

  g_clear_pointer (&to_a2, core_recorder_free);
  g_clear_pointer (&to_b1, core_recorder_free);
  core_logout_and_free (a1);
  core_logout_and_free (a2);
  core_logout_and_free (b1);
  core_logout_and_free (b2);
  core_assert_finalized (g_steal_pointer (&other));
}

static void
test_dropped_session (CoreFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  gboolean online = TRUE;

  /* Dropping the last reference closes the connection: the server sees the account go. */
  core_assert_finalized (alice);

  for (guint i = 0; i < 50 && online; i++) {
    ag_session_query_user_status_async (bob, "alice", NULL, core_store_result_cb, &result);
    result = core_wait_result (&result);
    online = ag_session_query_user_status_finish (bob, result, &error);
    g_assert_no_error (error);
    g_clear_object (&result);
    if (online)
      core_spin_for (20);
  }
  g_assert_false (online);

  core_logout_and_free (bob);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, func, core_fixture_teardown)

  ADD ("/ag/session/login", test_login);
  ADD ("/ag/session/login-invalid-account", test_login_invalid_account);
  ADD ("/ag/session/login-unknown-app", test_login_unknown_app);
  ADD ("/ag/session/login-wrong-token", test_login_wrong_token);
  g_test_add_func ("/ag/session/login-unreachable", test_login_unreachable);
  ADD ("/ag/session/login-failure-not-starved", test_login_failure_not_starved);
  ADD ("/ag/session/login-cancel", test_login_cancel);
  ADD ("/ag/session/logout", test_logout);
  ADD ("/ag/session/kicked", test_kicked);
  ADD ("/ag/session/login-again", test_login_again);
  ADD ("/ag/session/message", test_message);
  ADD ("/ag/session/message-offline", test_message_offline);
  ADD ("/ag/session/user-attr", test_user_attr);
  ADD ("/ag/session/queries", test_queries);
  ADD ("/ag/session/not-logged-in", test_not_logged_in);
  ADD ("/ag/session/queued-while-connecting", test_queued_while_connecting);
  ADD ("/ag/session/many-sessions", test_many_sessions);
  ADD ("/ag/session/dropped-session", test_dropped_session);

#undef ADD

  return g_test_run ();
}
