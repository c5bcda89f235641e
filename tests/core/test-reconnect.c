/* test-reconnect.c: lost connections, reconnection, timeouts and keepalive
 *
 * A relay between the library and agsignald plays the network: cut or stalled. One test
 * stops the agsignald process and starts a new one on the same port.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"
#include "core-relay.h"

typedef struct {
  CoreFixture  base;
  CoreRelay   *relay;
  AgSignal    *relayed;   /* an AgSignal whose sessions go through the relay */
} RelayFixture;

static void
relay_fixture_setup (RelayFixture  *fixture,
                     gconstpointer  data)
{
  core_fixture_setup (&fixture->base, data);
  fixture->relay = core_relay_new (ag_test_server_get_uri (fixture->base.server), NULL);
  fixture->relayed = ag_signal_new ("demo");
  ag_signal_set_server_uri (fixture->relayed, core_relay_get_uri (fixture->relay));
}

static void
relay_fixture_teardown (RelayFixture  *fixture,
                        gconstpointer  data)
{
  core_assert_finalized (g_steal_pointer (&fixture->relayed));
  g_clear_pointer (&fixture->relay, core_relay_free);
  core_fixture_teardown (&fixture->base, data);
}

static gboolean
member_listed (AgChannel  *channel,
               const char *account)
{
  GListModel *members = ag_channel_get_members (channel);
  guint found = 0;

  for (guint i = 0; i < g_list_model_get_n_items (members); i++) {
    g_autoptr(AgMember) member = g_list_model_get_item (members, i);

    if (g_strcmp0 (ag_member_get_account (member), account) == 0)
      found++;
  }

  g_assert_cmpuint (found, <=, 1);

  return found == 1;
}

static void
test_cut (RelayFixture  *fixture,
          gconstpointer  data)
{
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) reconnected = NULL;
  g_autoptr(CoreRecorder) joined = NULL;
  g_autoptr(CoreRecorder) leaved = NULL;
  g_autoptr(CoreRecorder) user_list = NULL;
  g_autoptr(CoreRecorder) b_joined = NULL;
  g_autoptr(CoreRecorder) b_leaved = NULL;
  g_autoptr(CoreRecorder) b_received = NULL;
  g_autoptr(CoreRecorder) status = NULL;
  AgSession *alice = core_login_on (fixture->relayed, "alice");
  AgSession *bob = core_login (&fixture->base, "bob");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");
  guint alice_uid = ag_session_get_uid (alice);

  reconnecting = core_recorder_new (alice, "reconnecting");
  reconnected = core_recorder_new (alice, "reconnected");
  status = core_recorder_new (alice, "notify::status");
  joined = core_recorder_new (a_channel, "channel-joined");
  leaved = core_recorder_new (a_channel, "channel-leaved");
  user_list = core_recorder_new (a_channel, "channel-user-list");
  b_joined = core_recorder_new (b_channel, "channel-user-joined");
  b_leaved = core_recorder_new (b_channel, "channel-user-leaved");
  b_received = core_recorder_new (b_channel, "message-channel-receive");

  core_relay_cut (fixture->relay);

  g_assert_true (core_recorder_wait (reconnecting, 1));
  g_assert_cmpuint (core_recorder_uint (reconnecting, 0, 0), ==, 1);
  g_assert_true (core_recorder_wait (reconnected, 1));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpuint (ag_session_get_uid (alice), ==, alice_uid);
  /* CONNECTING while away, LOGGED_IN again. */
  g_assert_cmpuint (core_recorder_count (status), ==, 2);
  g_assert_cmpuint (core_relay_get_n_accepted (fixture->relay), ==, 2);

  /* The same channel object, back in the channel, with nothing reported twice. */
  g_assert_true (ag_session_get_channel (alice) == a_channel);
  g_assert_true (ag_channel_get_joined (a_channel));
  g_assert_cmpuint (core_recorder_count (joined), ==, 0);
  g_assert_cmpuint (core_recorder_count (leaved), ==, 0);
  g_assert_cmpuint (core_recorder_count (user_list), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_members (a_channel)), ==, 2);
  g_assert_true (member_listed (a_channel, "alice"));
  g_assert_true (member_listed (a_channel, "bob"));
  g_assert_cmpuint (ag_channel_get_member_count (a_channel), ==, 2);

  /* Bob saw alice go (604) and come back. */
  g_assert_true (core_recorder_wait (b_joined, 1));
  g_assert_cmpuint (core_recorder_count (b_leaved), ==, 1);
  g_assert_cmpstr (core_recorder_string (b_leaved, 0, 0), ==, "alice");
  g_assert_cmpstr (core_recorder_string (b_joined, 0, 0), ==, "alice");
  g_assert_cmpuint (core_recorder_uint (b_joined, 0, 1), ==, alice_uid);
  g_assert_true (member_listed (b_channel, "alice"));

  /* And the channel works. */
  ag_channel_message_channel_send (a_channel, "back");
  g_assert_true (core_recorder_wait (b_received, 1));
  g_assert_cmpstr (core_recorder_string (b_received, 0, 0), ==, "alice");
  g_assert_cmpstr (core_recorder_string (b_received, 0, 2), ==, "back");
  g_assert_cmpuint (core_recorder_count (reconnected), ==, 1);

  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&reconnected, core_recorder_free);
  g_clear_pointer (&status, core_recorder_free);
  g_clear_pointer (&joined, core_recorder_free);
  g_clear_pointer (&leaved, core_recorder_free);
  g_clear_pointer (&user_list, core_recorder_free);
  g_clear_pointer (&b_joined, core_recorder_free);
  g_clear_pointer (&b_leaved, core_recorder_free);
  g_clear_pointer (&b_received, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
}

static void
test_catch_up (RelayFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) reconnected = NULL;
  g_autoptr(CoreRecorder) joined = NULL;
  g_autoptr(CoreRecorder) user_joined = NULL;
  g_autoptr(CoreRecorder) user_leaved = NULL;
  g_autoptr(CoreRecorder) attr = NULL;
  g_autoptr(CoreRecorder) b_attr = NULL;
  g_autoptr(CoreRecorder) b_leaved = NULL;
  AgSession *alice = core_login_on (fixture->relayed, "alice");
  AgSession *bob = core_login (&fixture->base, "bob");
  AgSession *carol = core_login (&fixture->base, "carol");
  AgSession *dave = core_login (&fixture->base, "dave");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");
  AgChannel *d_channel = core_join (dave, "lobby");
  AgChannel *c_channel;

  b_attr = core_recorder_new (b_channel, "channel-attr-updated");
  {
    g_autoptr(CoreRecorder) a_attr = core_recorder_new (a_channel, "channel-attr-updated");

    ag_channel_channel_set_attr (b_channel, "topic", "old");
    ag_channel_channel_set_attr (b_channel, "gone", "soon");
    g_assert_true (core_recorder_wait (b_attr, 2));
    g_assert_true (core_recorder_wait (a_attr, 2));
  }

  reconnecting = core_recorder_new (alice, "reconnecting");
  reconnected = core_recorder_new (alice, "reconnected");
  joined = core_recorder_new (a_channel, "channel-joined");
  user_joined = core_recorder_new (a_channel, "channel-user-joined");
  user_leaved = core_recorder_new (a_channel, "channel-user-leaved");
  attr = core_recorder_new (a_channel, "channel-attr-updated");
  b_leaved = core_recorder_new (b_channel, "channel-user-leaved");

  /* Alice's connection drops; her next one is held before the login gets through. */
  core_relay_set_stalled (fixture->relay, TRUE);
  core_relay_cut (fixture->relay);
  g_assert_true (core_recorder_wait (reconnecting, 1));
  g_assert_true (core_recorder_wait (b_leaved, 1));

  /* The channel changes meanwhile. */
  ag_channel_channel_set_attr (b_channel, "topic", "new");
  ag_channel_channel_del_attr (b_channel, "gone");
  ag_channel_channel_set_attr (b_channel, "added", "1");
  g_assert_true (core_recorder_wait (b_attr, 5));
  c_channel = core_join (carol, "lobby");
  ag_channel_channel_leave (d_channel);
  g_assert_true (core_recorder_wait (b_leaved, 2));
  g_assert_cmpuint (core_recorder_count (attr), ==, 0);
  g_assert_cmpuint (core_recorder_count (user_joined), ==, 0);

  core_relay_set_stalled (fixture->relay, FALSE);
  g_assert_true (core_recorder_wait (reconnected, 1));

  /* What changed is reported as changes; nothing else is. */
  g_assert_cmpuint (core_recorder_count (joined), ==, 0);
  g_assert_cmpuint (core_recorder_count (user_joined), ==, 1);
  g_assert_cmpstr (core_recorder_string (user_joined, 0, 0), ==, "carol");
  g_assert_cmpuint (core_recorder_uint (user_joined, 0, 1), ==, ag_session_get_uid (carol));
  g_assert_cmpuint (core_recorder_count (user_leaved), ==, 1);
  g_assert_cmpstr (core_recorder_string (user_leaved, 0, 0), ==, "dave");

  g_assert_cmpuint (core_recorder_count (attr), ==, 3);
  g_assert_cmpstr (core_recorder_string (attr, 0, 0), ==, "gone");
  g_assert_cmpstr (core_recorder_string (attr, 0, 2), ==, "del");
  g_assert_cmpstr (core_recorder_string (attr, 1, 0), ==, "added");
  g_assert_cmpstr (core_recorder_string (attr, 1, 1), ==, "1");
  g_assert_cmpstr (core_recorder_string (attr, 1, 2), ==, "update");
  g_assert_cmpstr (core_recorder_string (attr, 2, 0), ==, "topic");
  g_assert_cmpstr (core_recorder_string (attr, 2, 1), ==, "new");
  g_assert_cmpstr (core_recorder_string (attr, 2, 2), ==, "update");

  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_members (a_channel)), ==, 3);
  g_assert_true (member_listed (a_channel, "alice"));
  g_assert_true (member_listed (a_channel, "bob"));
  g_assert_true (member_listed (a_channel, "carol"));
  g_assert_false (member_listed (a_channel, "dave"));
  g_assert_cmpuint (ag_channel_get_member_count (a_channel), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_attributes (a_channel)), ==, 2);
  g_assert_cmpstr (ag_channel_get_attr (a_channel, "topic"), ==, "new");
  g_assert_null (ag_channel_get_attr (a_channel, "gone"));

  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&reconnected, core_recorder_free);
  g_clear_pointer (&joined, core_recorder_free);
  g_clear_pointer (&user_joined, core_recorder_free);
  g_clear_pointer (&user_leaved, core_recorder_free);
  g_clear_pointer (&attr, core_recorder_free);
  g_clear_pointer (&b_attr, core_recorder_free);
  g_clear_pointer (&b_leaved, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_logout_and_free (carol);
  core_logout_and_free (dave);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
  core_assert_finalized (c_channel);
  core_assert_finalized (d_channel);
}

static void
test_server_restart (CoreFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) reconnected = NULL;
  g_autoptr(CoreRecorder) b_reconnected = NULL;
  g_autoptr(CoreRecorder) joined = NULL;
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");
  gboolean is_in = FALSE;
  guint count = 0;

  reconnecting = core_recorder_new (alice, "reconnecting");
  reconnected = core_recorder_new (alice, "reconnected");
  b_reconnected = core_recorder_new (bob, "reconnected");
  joined = core_recorder_new (a_channel, "channel-joined");
  received = core_recorder_new (b_channel, "message-channel-receive");

  /* The server process goes away, and a new one comes up on the same port. */
  listen = g_strdup_printf ("127.0.0.1:%u", ag_test_server_get_port (fixture->server));
  g_assert_true (ag_test_server_stop (fixture->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, NULL));
  g_assert_true (core_recorder_wait (reconnecting, 1));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_CONNECTING);
  g_clear_pointer (&fixture->server, ag_test_server_free);

  fixture->server = ag_test_server_new (NULL, (const char *[]) { "--listen", listen, NULL },
                                        &error);
  g_assert_no_error (error);

  g_assert_true (core_recorder_wait (reconnected, 1));
  g_assert_true (core_recorder_wait (b_reconnected, 1));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);

  /* The new server knows alice is in the channel again. */
  ag_session_channel_query_user_is_in_async (bob, "lobby", "alice", NULL, core_store_result_cb,
                                             &result);
  result = core_wait_result (&result);
  is_in = ag_session_channel_query_user_is_in_finish (bob, result, &error);
  g_assert_no_error (error);
  g_assert_true (is_in);
  g_clear_object (&result);

  ag_session_channel_query_user_num_async (bob, "lobby", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  count = ag_session_channel_query_user_num_finish (bob, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_clear_object (&result);

  g_assert_true (ag_channel_get_joined (a_channel));
  g_assert_cmpuint (core_recorder_count (joined), ==, 0);
  g_assert_true (member_listed (a_channel, "alice"));
  g_assert_true (member_listed (a_channel, "bob"));

  ag_channel_message_channel_send (a_channel, "after restart");
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "after restart");

  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&reconnected, core_recorder_free);
  g_clear_pointer (&b_reconnected, core_recorder_free);
  g_clear_pointer (&joined, core_recorder_free);
  g_clear_pointer (&received, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
}

static void
test_disabled (RelayFixture  *fixture,
               gconstpointer  data)
{
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) logout = NULL;
  g_autoptr(CoreRecorder) leaved = NULL;
  AgSession *alice;
  AgChannel *channel;

  ag_signal_set_auto_reconnect (fixture->relayed, FALSE);
  alice = core_login_on (fixture->relayed, "alice");
  channel = core_join (alice, "lobby");
  reconnecting = core_recorder_new (alice, "reconnecting");
  logout = core_recorder_new (alice, "logout");
  leaved = core_recorder_new (channel, "channel-leaved");

  core_relay_cut (fixture->relay);
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_NET);
  g_assert_cmpuint (core_recorder_count (leaved), ==, 1);
  g_assert_cmpint (core_recorder_int (leaved, 0, 0), ==, AG_ERROR_LEAVECHANNEL_E_DISCONN);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_NOT_LOGGED_IN);
  g_assert_cmpint (ag_signal_get_status (fixture->relayed), ==, AG_STATUS_NOT_LOGGED_IN);

  core_spin_for (500);
  g_assert_cmpuint (core_recorder_count (reconnecting), ==, 0);
  g_assert_cmpuint (core_relay_get_n_accepted (fixture->relay), ==, 1);

  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&logout, core_recorder_free);
  g_clear_pointer (&leaved, core_recorder_free);
  core_assert_finalized (alice);
  core_assert_finalized (channel);
}

static void
test_logout_while_reconnecting (RelayFixture  *fixture,
                                gconstpointer  data)
{
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) reconnected = NULL;
  g_autoptr(CoreRecorder) logout = NULL;
  AgSession *alice = core_login_on (fixture->relayed, "alice");
  guint accepted;

  reconnecting = core_recorder_new (alice, "reconnecting");
  reconnected = core_recorder_new (alice, "reconnected");
  logout = core_recorder_new (alice, "logout");

  core_relay_set_stalled (fixture->relay, TRUE);
  core_relay_cut (fixture->relay);
  g_assert_true (core_recorder_wait (reconnecting, 1));

  ag_session_logout (alice);
  g_assert_cmpuint (core_recorder_count (logout), ==, 1);
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_USER);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_NOT_LOGGED_IN);

  accepted = core_relay_get_n_accepted (fixture->relay);
  core_relay_set_stalled (fixture->relay, FALSE);
  core_spin_for (800);
  g_assert_cmpuint (core_recorder_count (reconnecting), ==, 1);
  g_assert_cmpuint (core_recorder_count (reconnected), ==, 0);
  g_assert_cmpuint (core_relay_get_n_accepted (fixture->relay), ==, accepted);

  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&reconnected, core_recorder_free);
  g_clear_pointer (&logout, core_recorder_free);
  core_assert_finalized (alice);
}

static void
test_request_timeout (RelayFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(CoreRecorder) send_error = NULL;
  g_autoptr(CoreRecorder) sent = NULL;
  g_autoptr(CoreRecorder) num = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  AgSession *alice;
  AgSession *bob = core_login (&fixture->base, "bob");

  ag_signal_set_request_timeout (fixture->relayed, 300);
  ag_signal_set_keepalive_interval (fixture->relayed, 0);
  alice = core_login_on (fixture->relayed, "alice");
  send_error = core_recorder_new (alice, "message-send-error");
  sent = core_recorder_new (alice, "message-send-success");
  num = core_recorder_new (alice, "channel-query-user-num");

  core_relay_set_stalled (fixture->relay, TRUE);

  ag_session_message_instant_send (alice, "bob", "into the void");
  g_assert_true (core_recorder_wait (send_error, 1));
  g_assert_cmpint (core_recorder_int (send_error, 0, 0), ==, AG_ERROR_SENDMESSAGE_E_TIMEOUT);

  ag_session_channel_query_user_num (alice, "lobby");
  g_assert_true (core_recorder_wait (num, 1));
  g_assert_nonnull (core_recorder_string (num, 0, 0));
  g_assert_cmpint (core_recorder_int (num, 0, 1), ==, 0);

  ag_session_channel_query_user_num_async (alice, "lobby", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_cmpuint (ag_session_channel_query_user_num_finish (alice, result, &error), ==, 0);
  g_assert_error (error, AG_ERROR, AG_ERROR_QUERYUSERNUM_E_TIMEOUT);
  g_clear_error (&error);
  g_clear_object (&result);

  ag_session_user_get_attr_async (alice, "bob", "x", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  value = ag_session_user_get_attr_finish (alice, result, &error);
  g_assert_error (error, AG_ERROR, AG_ERROR_GENERAL_E_FAILED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The late replies are dropped; the session goes on. */
  core_relay_set_stalled (fixture->relay, FALSE);
  ag_session_message_instant_send (alice, "bob", "hello again");
  g_assert_true (core_recorder_wait (sent, 1));
  g_assert_cmpuint (core_recorder_count (send_error), ==, 1);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);

  g_clear_pointer (&send_error, core_recorder_free);
  g_clear_pointer (&sent, core_recorder_free);
  g_clear_pointer (&num, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
}

static void
test_in_flight_lost (RelayFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(CoreRecorder) send_error = NULL;
  g_autoptr(CoreRecorder) reconnected = NULL;
  g_autoptr(CoreRecorder) sent = NULL;
  AgSession *bob = core_login (&fixture->base, "bob");
  AgSession *alice = core_login_on (fixture->relayed, "alice");

  send_error = core_recorder_new (alice, "message-send-error");
  reconnected = core_recorder_new (alice, "reconnected");
  sent = core_recorder_new (alice, "message-send-success");

  core_relay_set_stalled (fixture->relay, TRUE);
  ag_session_message_instant_send (alice, "bob", "maybe");
  core_spin_for (50);
  core_relay_cut (fixture->relay);

  /* Sent but unanswered when the connection went: failed, not silently retried. */
  g_assert_true (core_recorder_wait (send_error, 1));
  g_assert_cmpint (core_recorder_int (send_error, 0, 0), ==, AG_ERROR_SENDMESSAGE_E_OTHER);

  /* Sent while reconnecting: waits and goes out once the session is back. */
  ag_session_message_instant_send (alice, "bob", "later");
  core_relay_set_stalled (fixture->relay, FALSE);
  g_assert_true (core_recorder_wait (reconnected, 1));
  g_assert_true (core_recorder_wait (sent, 1));
  g_assert_cmpuint (core_recorder_count (send_error), ==, 1);

  g_clear_pointer (&send_error, core_recorder_free);
  g_clear_pointer (&reconnected, core_recorder_free);
  g_clear_pointer (&sent, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
}

static void
test_keepalive (RelayFixture  *fixture,
                gconstpointer  data)
{
  g_autoptr(CoreRecorder) reconnecting = NULL;
  g_autoptr(CoreRecorder) reconnected = NULL;
  g_autoptr(CoreRecorder) logout = NULL;
  AgSession *alice;

  ag_signal_set_keepalive_interval (fixture->relayed, 100);
  ag_signal_set_request_timeout (fixture->relayed, 400);
  alice = core_login_on (fixture->relayed, "alice");
  reconnecting = core_recorder_new (alice, "reconnecting");
  reconnected = core_recorder_new (alice, "reconnected");
  logout = core_recorder_new (alice, "logout");

  /* Pings answered: nothing happens. */
  core_spin_for (600);
  g_assert_cmpuint (core_recorder_count (reconnecting), ==, 0);

  /* The path goes silent while the socket stays open: the missing pong gives it away. */
  core_relay_set_stalled (fixture->relay, TRUE);
  g_assert_true (core_recorder_wait (reconnecting, 1));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_CONNECTING);

  core_relay_set_stalled (fixture->relay, FALSE);
  g_assert_true (core_recorder_wait (reconnected, 1));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpuint (core_recorder_count (logout), ==, 0);

  g_clear_pointer (&reconnecting, core_recorder_free);
  g_clear_pointer (&reconnected, core_recorder_free);
  g_clear_pointer (&logout, core_recorder_free);
  core_logout_and_free (alice);
}

static void
test_login_timeout (RelayFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *alice;

  /* The handshake completes but the login reply never comes. */
  ag_signal_set_request_timeout (fixture->relayed, 300);
  core_relay_set_stalled (fixture->relay, TRUE);
  alice = ag_signal_login (fixture->relayed, "alice", "_no_need_token");
  failed = core_recorder_new (alice, "login-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_NET);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGIN_FAILED);

  g_clear_pointer (&failed, core_recorder_free);
  core_assert_finalized (alice);
  core_relay_set_stalled (fixture->relay, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_RELAY(path, func) \
  g_test_add (path, RelayFixture, NULL, relay_fixture_setup, func, relay_fixture_teardown)
#define ADD(path, func) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, func, core_fixture_teardown)

  ADD_RELAY ("/ag/reconnect/cut", test_cut);
  ADD_RELAY ("/ag/reconnect/catch-up", test_catch_up);
  ADD ("/ag/reconnect/server-restart", test_server_restart);
  ADD_RELAY ("/ag/reconnect/disabled", test_disabled);
  ADD_RELAY ("/ag/reconnect/logout-while-reconnecting", test_logout_while_reconnecting);
  ADD_RELAY ("/ag/reconnect/request-timeout", test_request_timeout);
  ADD_RELAY ("/ag/reconnect/in-flight-lost", test_in_flight_lost);
  ADD_RELAY ("/ag/reconnect/keepalive", test_keepalive);
  ADD_RELAY ("/ag/reconnect/login-timeout", test_login_timeout);

#undef ADD
#undef ADD_RELAY

  return g_test_run ();
}
