/* test-admin.c: AgAdmin against a real agsignald
 *
 * An operator's live view starts from the state that was there before it connected and
 * follows every change; its numbers are checked against what the sessions did.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>

#include "core-fixture.h"

#define ADMIN_KEY "core-admin-key-0123456789"
#define NOTE      "say \"hi\"\n\\ \t/ \xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"

static const char admin_config[] =
  "[app:demo]\n"
  "allow_no_token=true\n"
  "admin_key=" ADMIN_KEY "\n";

static AgAdmin *
connect_admin (CoreFixture *fixture,
               const char  *key,
               GError     **error)
{
  AgAdmin *admin = ag_admin_new (ag_test_server_get_uri (fixture->server), "demo");
  g_autoptr(GAsyncResult) result = NULL;

  ag_admin_connect_async (admin, key, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  if (!ag_admin_connect_finish (admin, result, error))
    return admin;

  return admin;
}

static gboolean
n_users_is (gpointer data)
{
  gpointer *args = data;

  return ag_admin_get_n_users (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static void
wait_n_users (AgAdmin *admin,
              guint    n)
{
  gpointer args[] = { admin, GUINT_TO_POINTER (n) };

  g_assert_true (ag_test_spin_until (n_users_is, args, CORE_TIMEOUT_MS));
}

static void
test_live_view (CoreFixture   *fixture,
                gconstpointer  data)
{
  g_autoptr(CoreRecorder) online = NULL;
  g_autoptr(CoreRecorder) offline = NULL;
  g_autoptr(CoreRecorder) added = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AgAdmin) admin = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgSession *carol = core_login (fixture, "carol");
  AgChannel *lobby = core_join (alice, "lobby");
  AgAdminChannel *channel;
  AgAdminUser *user;
  AgSession *dave;

  core_join (bob, "lobby");
  core_join (carol, "side");
  ag_channel_channel_set_attr (lobby, "topic", "news");
  /* Escaped on the wire, read back from the snapshot frame's text. */
  ag_channel_channel_set_attr (lobby, "note", NOTE);
  core_spin_for (100);

  /* The view starts from what was there before. */
  admin = connect_admin (fixture, ADMIN_KEY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ag_admin_get_state (admin), ==, AG_ADMIN_STATE_LIVE);
  g_assert_false (ag_admin_get_stale (admin));
  g_assert_cmpstr (ag_admin_get_scope (admin), ==, "app");
  g_assert_cmpuint (ag_admin_get_n_users (admin), ==, 3);
  g_assert_cmpuint (ag_admin_get_n_channels (admin), ==, 2);

  channel = ag_admin_lookup_channel (admin, "lobby");
  g_assert_nonnull (channel);
  g_assert_cmpuint (ag_admin_channel_get_members (channel), ==, 2);
  g_assert_cmpstr (ag_admin_channel_get_attribute (channel, "topic"), ==, "news");
  g_assert_cmpstr (ag_admin_channel_get_attribute (channel, "note"), ==, NOTE);
  {
    g_autoptr(AgAttribute) first = g_list_model_get_item (ag_admin_channel_get_attributes (channel),
                                                          0);

    g_assert_cmpuint (g_list_model_get_n_items (ag_admin_channel_get_attributes (channel)), ==, 2);
    g_assert_cmpstr (ag_attribute_get_name (first), ==, "note");
  }
  user = ag_admin_lookup_user (admin, "carol");
  g_assert_cmpstr (ag_admin_user_get_channel (user), ==, "side");
  {
    g_autoptr(AgAdminUser) first = g_list_model_get_item (ag_admin_get_users (admin), 0);

    g_assert_cmpstr (ag_admin_user_get_account (first), ==, "alice");
  }

  /* Then every change. */
  online = core_recorder_new (admin, "user-online");
  offline = core_recorder_new (admin, "user-offline");
  added = core_recorder_new (admin, "channel-added");

  dave = core_login (fixture, "dave");
  g_assert_true (core_recorder_wait (online, 1));
  g_assert_cmpuint (ag_admin_get_n_users (admin), ==, 4);
  core_join (dave, "third");
  g_assert_true (core_recorder_wait (added, 1));
  g_assert_cmpuint (ag_admin_get_n_channels (admin), ==, 3);

  ag_channel_channel_set_attr (lobby, "topic", "sports");
  core_join (bob, "side");
  core_spin_for (200);
  g_assert_cmpstr (ag_admin_channel_get_attribute (channel, "topic"), ==, "sports");
  g_assert_cmpuint (ag_admin_channel_get_members (channel), ==, 1);
  g_assert_cmpuint (ag_admin_channel_get_members (ag_admin_lookup_channel (admin, "side")), ==,
                    2);
  g_assert_cmpstr (ag_admin_user_get_channel (ag_admin_lookup_user (admin, "bob")), ==, "side");

  core_logout_and_free (dave);
  g_assert_true (core_recorder_wait (offline, 1));
  g_assert_cmpint (core_recorder_int (offline, 0, 1), ==, AG_ERROR_LOGOUT_E_USER);
  g_assert_cmpuint (ag_admin_get_n_users (admin), ==, 3);
  g_assert_null (ag_admin_lookup_user (admin, "dave"));

  /* A server that dies (no logouts first) leaves the view stale, not empty. */
  kill (ag_test_server_get_pid (fixture->server), SIGKILL);
  g_assert_true (ag_test_spin_until ((AgTestCondition) ag_admin_get_stale, admin,
                                     CORE_TIMEOUT_MS));
  g_assert_cmpint (ag_admin_get_state (admin), ==, AG_ADMIN_STATE_RECONNECTING);
  g_assert_cmpuint (ag_admin_get_n_users (admin), ==, 3);

  ag_admin_disconnect (admin);
  g_assert_cmpint (ag_admin_get_state (admin), ==, AG_ADMIN_STATE_DISCONNECTED);
  g_assert_true (ag_admin_get_stale (admin));

  g_object_unref (alice);
  g_object_unref (bob);
  g_object_unref (carol);
}

static void
test_requests (CoreFixture   *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgAdmin) admin = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) members = NULL;
  g_autoptr(GVariant) stats = NULL;
  g_autoptr(AgAdminUser) details = NULL;
  g_autoptr(CoreRecorder) logout = NULL;
  g_autoptr(CoreRecorder) message = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *lobby;
  guint total = 0;
  gint64 next = 0;
  gint64 value = 0;

  lobby = core_join (alice, "lobby");
  core_join (bob, "lobby");
  ag_session_user_set_attr (alice, "mood", "busy");

  admin = connect_admin (fixture, ADMIN_KEY, &error);
  g_assert_no_error (error);

  ag_admin_list_members_async (admin, "lobby", 0, 1, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  members = ag_admin_list_members_finish (admin, result, &total, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (members), ==, 1);
  g_assert_cmpuint (total, ==, 2);
  g_assert_cmpint (next, ==, 1);
  g_clear_object (&result);

  ag_admin_list_members_async (admin, "none", 0, 10, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_null (ag_admin_list_members_finish (admin, result, NULL, NULL, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_ADMIN_E_NO_SUCH_CHANNEL);
  g_clear_error (&error);
  g_clear_object (&result);

  ag_admin_get_user_async (admin, "alice", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  details = ag_admin_get_user_finish (admin, result, &error);
  g_assert_no_error (error);
  g_assert_true (ag_admin_user_get_online (details));
  g_assert_cmpuint (g_list_model_get_n_items (ag_admin_user_get_attributes (details)), ==, 1);
  g_clear_object (&result);

  ag_admin_get_stats_async (admin, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  stats = ag_admin_get_stats_finish (admin, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (stats, "users_online", "x", &value));
  g_assert_cmpint (value, ==, 2);
  g_assert_false (g_variant_lookup (stats, "server.sessions", "x", &value));
  g_clear_object (&result);

  message = core_recorder_new (lobby, "message-channel-receive");
  ag_admin_publish_async (admin, "lobby", "notice", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_cmpint (ag_admin_publish_finish (admin, result, &error), ==, 2);
  g_assert_true (core_recorder_wait (message, 1));
  g_assert_cmpstr (core_recorder_string (message, 0, 0), ==, "_agora_system");
  g_clear_object (&result);

  logout = core_recorder_new (bob, "logout");
  ag_admin_kick_async (admin, "bob", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_admin_kick_finish (admin, result, &error));
  g_assert_no_error (error);
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_ADMIN_KICKED);
  wait_n_users (admin, 1);
  g_clear_object (&result);

  core_logout_and_free (alice);
  g_object_unref (bob);
}

static void
test_wrong_key (CoreFixture   *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgAdmin) admin = connect_admin (fixture, "wrong-key-0123456789", &error);

  g_assert_error (error, AG_ERROR, AG_ERROR_ADMIN_E_UNAUTHORIZED);
  g_assert_cmpint (ag_admin_get_state (admin), ==, AG_ADMIN_STATE_DISCONNECTED);
  g_assert_cmpuint (ag_admin_get_n_users (admin), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, CoreFixture, admin_config, core_fixture_setup, func, core_fixture_teardown)

  ADD ("/ag/admin/live-view", test_live_view);
  ADD ("/ag/admin/requests", test_requests);
  ADD ("/ag/admin/wrong-key", test_wrong_key);

#undef ADD

  return g_test_run ();
}
