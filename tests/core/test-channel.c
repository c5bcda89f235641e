/* test-channel.c: AgChannel against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"

#include "ag-test-client.h"

#define ADMIN_KEY "core-admin-key-0123456789"

static const char admin_config[] =
  "[app:demo]\n"
  "allow_no_token=true\n"
  "admin_key=" ADMIN_KEY "\n";

static AgMember *
find_member (AgChannel  *channel,
             const char *account)
{
  GListModel *members = ag_channel_get_members (channel);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++) {
    g_autoptr(AgMember) member = g_list_model_get_item (members, i);

    if (g_strcmp0 (ag_member_get_account (member), account) == 0)
      return member;
  }

  return NULL;
}

static void
assert_members (AgChannel         *channel,
                const char * const *accounts)
{
  GListModel *members = ag_channel_get_members (channel);
  guint n = g_strv_length ((char **) accounts);

  g_assert_cmpuint (g_list_model_get_n_items (members), ==, n);
  for (guint i = 0; i < n; i++) {
    g_autoptr(AgMember) member = g_list_model_get_item (members, i);

    g_assert_cmpstr (ag_member_get_account (member), ==, accounts[i]);
  }
}

static void
test_join (CoreFixture   *fixture,
           gconstpointer  data)
{
  g_autoptr(CoreRecorder) joined = NULL;
  g_autoptr(CoreRecorder) user_list = NULL;
  g_autoptr(CoreRecorder) a_list = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *a_channel;
  AgChannel *b_channel;
  GArray *uids;
  const char * const *accounts;
  AgMember *member;

  a_channel = ag_session_channel_join (alice, "lobby");
  g_assert_cmpstr (ag_channel_get_name (a_channel), ==, "lobby");
  g_assert_false (ag_channel_get_joined (a_channel));
  g_assert_true (ag_channel_get_session (a_channel) == alice);
  a_list = core_recorder_new (a_channel, "channel-user-list");
  joined = core_recorder_new (a_channel, "channel-joined");
  g_assert_true (core_recorder_wait (a_list, 1));

  /* Alone in the channel: an empty roster, the model holds alice herself. */
  g_assert_cmpuint (core_recorder_count (joined), ==, 1);
  accounts = g_value_get_boxed (core_recorder_arg (a_list, 0, 0));
  g_assert_cmpuint (g_strv_length ((char **) accounts), ==, 0);
  g_assert_cmpuint (((GArray *) g_value_get_boxed (core_recorder_arg (a_list, 0, 1)))->len, ==, 0);
  assert_members (a_channel, (const char *[]) { "alice", NULL });
  g_assert_cmpuint (ag_channel_get_member_count (a_channel), ==, 1);
  g_assert_true (ag_session_get_channel (alice) == a_channel);

  b_channel = ag_session_channel_join (bob, "lobby");
  user_list = core_recorder_new (b_channel, "channel-user-list");
  g_assert_true (core_recorder_wait (user_list, 1));

  accounts = g_value_get_boxed (core_recorder_arg (user_list, 0, 0));
  g_assert_cmpuint (g_strv_length ((char **) accounts), ==, 1);
  g_assert_cmpstr (accounts[0], ==, "alice");
  uids = g_value_get_boxed (core_recorder_arg (user_list, 0, 1));
  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpuint (g_array_index (uids, guint, 0), ==, ag_session_get_uid (alice));

  assert_members (b_channel, (const char *[]) { "alice", "bob", NULL });
  member = find_member (b_channel, "bob");
  g_assert_cmpuint (ag_member_get_uid (member), ==, ag_session_get_uid (bob));
  g_assert_cmpuint (ag_channel_get_member_count (b_channel), ==, 2);

  g_clear_pointer (&joined, core_recorder_free);
  g_clear_pointer (&user_list, core_recorder_free);
  g_clear_pointer (&a_list, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
}

static void
test_members_live (CoreFixture   *fixture,
                   gconstpointer  data)
{
  g_autoptr(CoreRecorder) user_joined = NULL;
  g_autoptr(CoreRecorder) user_leaved = NULL;
  g_autoptr(CoreRecorder) items_changed = NULL;
  g_autoptr(CoreRecorder) count = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgSession *carol = core_login (fixture, "carol");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel;
  AgChannel *c_channel;

  user_joined = core_recorder_new (a_channel, "channel-user-joined");
  user_leaved = core_recorder_new (a_channel, "channel-user-leaved");
  items_changed = core_recorder_new (ag_channel_get_members (a_channel), "items-changed");
  count = core_recorder_new (a_channel, "notify::member-count");

  b_channel = core_join (bob, "lobby");
  c_channel = core_join (carol, "lobby");
  g_assert_true (core_recorder_wait (user_joined, 2));
  g_assert_cmpstr (core_recorder_string (user_joined, 0, 0), ==, "bob");
  g_assert_cmpuint (core_recorder_uint (user_joined, 0, 1), ==, ag_session_get_uid (bob));
  g_assert_cmpstr (core_recorder_string (user_joined, 1, 0), ==, "carol");
  g_assert_cmpuint (core_recorder_uint (user_joined, 1, 1), ==, ag_session_get_uid (carol));
  assert_members (a_channel, (const char *[]) { "alice", "bob", "carol", NULL });
  g_assert_cmpuint (ag_channel_get_member_count (a_channel), ==, 3);
  g_assert_cmpuint (core_recorder_count (items_changed), ==, 2);
  g_assert_cmpuint (core_recorder_count (count), ==, 2);

  /* Carol's own view: newest first in the roster, join order in the model. */
  assert_members (c_channel, (const char *[]) { "alice", "bob", "carol", NULL });

  ag_channel_channel_leave (b_channel);
  g_assert_true (core_recorder_wait (user_leaved, 1));
  g_assert_cmpstr (core_recorder_string (user_leaved, 0, 0), ==, "bob");
  g_assert_cmpuint (core_recorder_uint (user_leaved, 0, 1), ==, ag_session_get_uid (bob));
  assert_members (a_channel, (const char *[]) { "alice", "carol", NULL });
  g_assert_cmpuint (ag_channel_get_member_count (a_channel), ==, 2);
  g_assert_null (find_member (a_channel, "bob"));

  /* A logout leaves too. */
  core_logout_and_free (carol);
  g_assert_true (core_recorder_wait (user_leaved, 2));
  g_assert_cmpstr (core_recorder_string (user_leaved, 1, 0), ==, "carol");
  assert_members (a_channel, (const char *[]) { "alice", NULL });
  g_assert_cmpuint (core_recorder_count (user_joined), ==, 2);

  g_clear_pointer (&user_joined, core_recorder_free);
  g_clear_pointer (&user_leaved, core_recorder_free);
  g_clear_pointer (&items_changed, core_recorder_free);
  g_clear_pointer (&count, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
  core_assert_finalized (c_channel);
}

static void
test_join_another (CoreFixture   *fixture,
                   gconstpointer  data)
{
  g_autoptr(CoreRecorder) leaved = NULL;
  g_autoptr(CoreRecorder) peer_leaved = NULL;
  g_autoptr(CoreRecorder) channel_notify = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *first = core_join (alice, "first");
  AgChannel *b_channel = core_join (bob, "first");
  AgChannel *second;
  AgChannel *again;

  leaved = core_recorder_new (first, "channel-leaved");
  peer_leaved = core_recorder_new (b_channel, "channel-user-leaved");
  channel_notify = core_recorder_new (alice, "notify::channel");

  second = core_join (alice, "second");
  g_assert_cmpuint (core_recorder_count (leaved), ==, 1);
  g_assert_cmpint (core_recorder_int (leaved, 0, 0), ==, AG_ERROR_LEAVECHANNEL_E_BYUSER);
  g_assert_false (ag_channel_get_joined (first));
  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_members (first)), ==, 0);
  g_assert_true (ag_session_get_channel (alice) == second);
  g_assert_cmpuint (core_recorder_count (channel_notify), >=, 1);

  g_assert_true (core_recorder_wait (peer_leaved, 1));
  g_assert_cmpstr (core_recorder_string (peer_leaved, 0, 0), ==, "alice");

  /* Requests of a channel left fail here, without touching the channel the session is in. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    ag_channel_message_channel_send_async (first, "stale", NULL, core_store_result_cb, &result);
    result = core_wait_result (&result);
    g_assert_false (ag_channel_message_channel_send_finish (first, result, &error));
    g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_NOT_IN_CHANNEL);
  }

  /* Joining the channel the session is in gives the same object, joined again. */
  again = core_join (alice, "second");
  g_assert_true (again == second);
  g_assert_cmpuint (core_recorder_count (leaved), ==, 1);
  g_object_unref (again);

  g_clear_pointer (&leaved, core_recorder_free);
  g_clear_pointer (&peer_leaved, core_recorder_free);
  g_clear_pointer (&channel_notify, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (first);
  core_assert_finalized (second);
  core_assert_finalized (b_channel);
}

static void
test_join_failed (CoreFixture   *fixture,
                  gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  g_autoptr(CoreRecorder) long_failed = NULL;
  g_autoptr(CoreRecorder) leaved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = g_strnfill (129, 'x');
  AgSession *alice = core_login (fixture, "alice");
  AgChannel *lobby = core_join (alice, "lobby");
  AgChannel *bad;
  AgChannel *too_long;

  leaved = core_recorder_new (lobby, "channel-leaved");

  bad = ag_session_channel_join (alice, "");
  failed = core_recorder_new (bad, "channel-join-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_false (ag_channel_get_joined (bad));

  too_long = ag_session_channel_join (alice, long_name);
  long_failed = core_recorder_new (too_long, "channel-join-failed");
  g_assert_true (core_recorder_wait (long_failed, 1));
  g_assert_cmpint (core_recorder_int (long_failed, 0, 0), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);

  ag_session_channel_join_async (alice, "", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_null (ag_session_channel_join_finish (alice, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_clear_object (&result);

  /* The session is still where it was. */
  g_assert_true (ag_session_get_channel (alice) == lobby);
  g_assert_true (ag_channel_get_joined (lobby));
  g_assert_cmpuint (core_recorder_count (leaved), ==, 0);

  g_clear_pointer (&failed, core_recorder_free);
  g_clear_pointer (&long_failed, core_recorder_free);
  g_clear_pointer (&leaved, core_recorder_free);
  core_logout_and_free (alice);
  core_assert_finalized (bad);
  core_assert_finalized (too_long);
  core_assert_finalized (lobby);
}

static void
test_leave (CoreFixture   *fixture,
            gconstpointer  data)
{
  g_autoptr(CoreRecorder) leaved = NULL;
  g_autoptr(CoreRecorder) error_signal = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgChannel *channel = core_join (alice, "lobby");

  leaved = core_recorder_new (channel, "channel-leaved");
  error_signal = core_recorder_new (alice, "error");

  ag_channel_channel_leave (channel);
  g_assert_true (core_recorder_wait (leaved, 1));
  g_assert_cmpint (core_recorder_int (leaved, 0, 0), ==, AG_ERROR_LEAVECHANNEL_E_BYUSER);
  g_assert_false (ag_channel_get_joined (channel));
  g_assert_null (ag_session_get_channel (alice));
  g_assert_cmpuint (ag_channel_get_member_count (channel), ==, 0);

  /* Leaving again: not in the channel. */
  ag_channel_channel_leave (channel);
  g_assert_true (core_recorder_wait (error_signal, 1));
  g_assert_cmpint (core_recorder_int (error_signal, 0, 0), ==, AG_ERROR_PROTO_E_NOT_IN_CHANNEL);

  ag_channel_channel_leave_async (channel, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_false (ag_channel_channel_leave_finish (channel, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_NOT_IN_CHANNEL);
  g_clear_object (&result);
  g_clear_error (&error);
  g_assert_cmpuint (core_recorder_count (leaved), ==, 1);
  g_clear_pointer (&leaved, core_recorder_free);
  core_assert_finalized (channel);

  /* The async form of a real leave. */
  channel = core_join (alice, "lobby");
  ag_channel_channel_leave_async (channel, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_channel_channel_leave_finish (channel, result, &error));
  g_assert_no_error (error);
  g_assert_false (ag_channel_get_joined (channel));
  g_clear_object (&result);

  g_clear_pointer (&error_signal, core_recorder_free);
  core_logout_and_free (alice);
  core_assert_finalized (channel);
}

static void
test_attributes (CoreFixture   *fixture,
                 gconstpointer  data)
{
  g_autoptr(CoreRecorder) a_updated = NULL;
  g_autoptr(CoreRecorder) b_updated = NULL;
  g_autoptr(CoreRecorder) items_changed = NULL;
  g_autoptr(CoreRecorder) error_signal = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgSession *carol = core_login (fixture, "carol");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");
  AgChannel *c_channel;
  GListModel *attributes = ag_channel_get_attributes (b_channel);

  a_updated = core_recorder_new (a_channel, "channel-attr-updated");
  b_updated = core_recorder_new (b_channel, "channel-attr-updated");
  items_changed = core_recorder_new (attributes, "items-changed");
  error_signal = core_recorder_new (alice, "error");

  ag_channel_channel_set_attr (a_channel, "topic", "news");
  g_assert_true (core_recorder_wait (a_updated, 1));
  g_assert_true (core_recorder_wait (b_updated, 1));
  for (guint i = 0; i < 2; i++) {
    CoreRecorder *updated = i == 0 ? a_updated : b_updated;

    g_assert_cmpstr (core_recorder_string (updated, 0, 0), ==, "topic");
    g_assert_cmpstr (core_recorder_string (updated, 0, 1), ==, "news");
    g_assert_cmpstr (core_recorder_string (updated, 0, 2), ==, "update");
  }
  g_assert_cmpuint (g_list_model_get_n_items (attributes), ==, 1);
  g_assert_cmpstr (ag_channel_get_attr (b_channel, "topic"), ==, "news");
  {
    g_autoptr(AgAttribute) attribute = g_list_model_get_item (attributes, 0);

    g_assert_cmpstr (ag_attribute_get_name (attribute), ==, "topic");
    g_assert_cmpstr (ag_attribute_get_value (attribute), ==, "news");
  }

  /* An update changes the item in place and reports it changed. */
  ag_channel_channel_set_attr_async (a_channel, "topic", "sports", NULL, core_store_result_cb,
                                     &result);
  result = core_wait_result (&result);
  g_assert_true (ag_channel_channel_set_attr_finish (a_channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (core_recorder_wait (b_updated, 2));
  g_assert_cmpstr (core_recorder_string (b_updated, 1, 1), ==, "sports");
  g_assert_cmpuint (g_list_model_get_n_items (attributes), ==, 1);
  g_assert_cmpstr (ag_channel_get_attr (b_channel, "topic"), ==, "sports");
  g_assert_cmpuint (core_recorder_count (items_changed), ==, 2);
  g_assert_cmpuint (core_recorder_uint (items_changed, 1, 0), ==, 0);
  g_assert_cmpuint (core_recorder_uint (items_changed, 1, 1), ==, 1);
  g_assert_cmpuint (core_recorder_uint (items_changed, 1, 2), ==, 1);

  ag_channel_channel_set_attr (a_channel, "color", "red");
  g_assert_true (core_recorder_wait (b_updated, 3));

  /* A later joiner gets the attributes with the join. */
  c_channel = core_join (carol, "lobby");
  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_attributes (c_channel)), ==, 2);
  g_assert_cmpstr (ag_channel_get_attr (c_channel, "color"), ==, "red");
  g_assert_cmpstr (ag_channel_get_attr (c_channel, "topic"), ==, "sports");

  ag_channel_channel_del_attr (b_channel, "color");
  g_assert_true (core_recorder_wait (a_updated, 4));
  g_assert_cmpstr (core_recorder_string (a_updated, 3, 0), ==, "color");
  g_assert_cmpstr (core_recorder_string (a_updated, 3, 2), ==, "del");
  g_assert_null (ag_channel_get_attr (a_channel, "color"));
  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_attributes (a_channel)), ==, 1);

  ag_channel_channel_del_attr_async (b_channel, "topic", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_channel_channel_del_attr_finish (b_channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (core_recorder_wait (a_updated, 5));

  ag_channel_channel_set_attr (a_channel, "one", "1");
  ag_channel_channel_set_attr (a_channel, "two", "2");
  g_assert_true (core_recorder_wait (a_updated, 7));
  g_assert_cmpuint (g_list_model_get_n_items (ag_channel_get_attributes (a_channel)), ==, 2);

  ag_channel_channel_clear_attr (a_channel);
  g_assert_true (core_recorder_wait (b_updated, 8));
  g_assert_cmpstr (core_recorder_string (b_updated, 7, 0), ==, "");
  g_assert_cmpstr (core_recorder_string (b_updated, 7, 1), ==, "");
  g_assert_cmpstr (core_recorder_string (b_updated, 7, 2), ==, "clear");
  g_assert_cmpuint (g_list_model_get_n_items (attributes), ==, 0);

  ag_channel_channel_clear_attr_async (a_channel, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_channel_channel_clear_attr_finish (a_channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A bad built-in value is refused and reported. */
  ag_channel_channel_set_attr (a_channel, "_channel_ttl", "soon");
  g_assert_true (core_recorder_wait (error_signal, 1));
  g_assert_cmpint (core_recorder_int (error_signal, 0, 0), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);

  g_clear_pointer (&a_updated, core_recorder_free);
  g_clear_pointer (&b_updated, core_recorder_free);
  g_clear_pointer (&items_changed, core_recorder_free);
  g_clear_pointer (&error_signal, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_logout_and_free (carol);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
  core_assert_finalized (c_channel);
}

static void
test_message (CoreFixture   *fixture,
              gconstpointer  data)
{
  g_autoptr(CoreRecorder) a_received = NULL;
  g_autoptr(CoreRecorder) b_received = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");

  a_received = core_recorder_new (a_channel, "message-channel-receive");
  b_received = core_recorder_new (b_channel, "message-channel-receive");

  ag_channel_message_channel_send (a_channel, "hi all");
  g_assert_true (core_recorder_wait (a_received, 1));
  g_assert_true (core_recorder_wait (b_received, 1));
  for (guint i = 0; i < 2; i++) {
    CoreRecorder *received = i == 0 ? a_received : b_received;

    g_assert_cmpstr (core_recorder_string (received, 0, 0), ==, "alice");
    g_assert_cmpuint (core_recorder_uint (received, 0, 1), ==, ag_session_get_uid (alice));
    g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "hi all");
  }

  ag_channel_message_channel_send_async (b_channel, "from bob", NULL, core_store_result_cb,
                                         &result);
  result = core_wait_result (&result);
  g_assert_true (ag_channel_message_channel_send_finish (b_channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (core_recorder_wait (a_received, 2));
  g_assert_cmpstr (core_recorder_string (a_received, 1, 0), ==, "bob");
  g_assert_cmpstr (core_recorder_string (a_received, 1, 2), ==, "from bob");

  g_clear_pointer (&a_received, core_recorder_free);
  g_clear_pointer (&b_received, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
}

static void
test_special_channel (CoreFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *monitor = core_login (fixture, "monitor");
  AgChannel *online = core_join (monitor, "_agora_user_online");
  AgSession *dave;

  received = core_recorder_new (online, "message-channel-receive");
  dave = core_login (fixture, "dave");
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 0), ==, "_agora_system");
  g_assert_cmpuint (core_recorder_uint (received, 0, 1), ==, 0);
  g_assert_nonnull (strstr (core_recorder_string (received, 0, 2), "\"dave\""));
  g_assert_nonnull (strstr (core_recorder_string (received, 0, 2), "online"));

  /* Read-only. */
  ag_channel_message_channel_send_async (online, "hello", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_false (ag_channel_message_channel_send_finish (online, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_READ_ONLY_CHANNEL);
  g_clear_object (&result);

  g_clear_pointer (&received, core_recorder_free);
  core_logout_and_free (dave);
  core_logout_and_free (monitor);
  core_assert_finalized (online);
}

/* Failures of the requests made without _async reach the channel, with the request. */
static void
test_failures_on_channel (CoreFixture   *fixture,
                          gconstpointer  data)
{
  g_autoptr(CoreRecorder) channel_error = NULL;
  g_autoptr(CoreRecorder) session_error = NULL;
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(CoreRecorder) leaved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgChannel *channel = core_join (alice, "lobby");
  guint refused = 0;

  channel_error = core_recorder_new (channel, "request-failed");
  session_error = core_recorder_new (alice, "error");
  received = core_recorder_new (channel, "message-channel-receive");

  /* Rate-limit refusals can be counted without the _async forms. */
  ag_channel_channel_set_attr_async (channel, "_sendmsg_limit", "1", NULL, core_store_result_cb,
                                     &result);
  result = core_wait_result (&result);
  g_assert_true (ag_channel_channel_set_attr_finish (channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  for (guint i = 0; i < 3; i++)
    ag_channel_message_channel_send (channel, "burst");
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_true (core_recorder_wait (channel_error, 2));
  for (guint i = 0; i < core_recorder_count (channel_error); i++) {
    g_assert_cmpstr (core_recorder_string (channel_error, i, 0), ==, "messageChannelSend");
    g_assert_cmpstr (core_recorder_string (channel_error, i, 1), ==, "burst");
    g_assert_cmpint (core_recorder_int (channel_error, i, 2), ==,
                     AG_ERROR_LIMIT_E_CHANNEL_RATE);
    g_assert_nonnull (core_recorder_string (channel_error, i, 3));
    refused++;
  }
  g_assert_cmpuint (refused, ==, 2);
  /* The session's error (the spec's onError) follows each. */
  g_assert_true (core_recorder_wait (session_error, 2));
  g_assert_cmpint (core_recorder_int (session_error, 0, 0), ==, AG_ERROR_LIMIT_E_CHANNEL_RATE);

  /* A refused attribute change names the attribute. */
  ag_channel_channel_set_attr (channel, "_channel_ttl", "soon");
  g_assert_true (core_recorder_wait (channel_error, 3));
  g_assert_cmpstr (core_recorder_string (channel_error, 2, 0), ==, "channelSetAttr");
  g_assert_cmpstr (core_recorder_string (channel_error, 2, 1), ==, "_channel_ttl");
  g_assert_cmpint (core_recorder_int (channel_error, 2, 2), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);

  /* A refused leave: the channel was left already. */
  leaved = core_recorder_new (channel, "channel-leaved");
  ag_channel_channel_leave (channel);
  g_assert_true (core_recorder_wait (leaved, 1));
  ag_channel_channel_leave (channel);
  g_assert_true (core_recorder_wait (channel_error, 4));
  g_assert_cmpstr (core_recorder_string (channel_error, 3, 0), ==, "channelLeave");
  g_assert_null (core_recorder_string (channel_error, 3, 1));
  g_assert_cmpint (core_recorder_int (channel_error, 3, 2), ==, AG_ERROR_PROTO_E_NOT_IN_CHANNEL);
  g_assert_true (core_recorder_wait (session_error, 4));

  g_clear_pointer (&channel_error, core_recorder_free);
  g_clear_pointer (&session_error, core_recorder_free);
  g_clear_pointer (&received, core_recorder_free);
  g_clear_pointer (&leaved, core_recorder_free);
  core_logout_and_free (alice);
  core_assert_finalized (channel);
}

static void
test_logout_leaves (CoreFixture   *fixture,
                    gconstpointer  data)
{
  g_autoptr(CoreRecorder) leaved = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgChannel *channel = core_join (alice, "lobby");

  leaved = core_recorder_new (channel, "channel-leaved");
  core_logout_and_free (alice);
  g_assert_cmpuint (core_recorder_count (leaved), ==, 1);
  g_assert_cmpint (core_recorder_int (leaved, 0, 0), ==, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
  g_assert_null (ag_channel_get_session (channel));

  g_clear_pointer (&leaved, core_recorder_free);
  core_assert_finalized (channel);
}

static void
test_join_async (CoreFixture   *fixture,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgChannel *channel;

  ag_session_channel_join_async (alice, "lobby", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  channel = ag_session_channel_join_finish (alice, result, &error);
  g_assert_no_error (error);
  g_assert_true (AG_IS_CHANNEL (channel));
  g_assert_true (ag_channel_get_joined (channel));
  g_assert_true (ag_session_get_channel (alice) == channel);
  g_clear_object (&result);

  core_logout_and_free (alice);
  core_assert_finalized (channel);
}

/* An operator's admin_remove reaches the session as channel-leaved 601 and empties the
 * channel's models; the session stays logged in. */
static void
test_removed_by_operator (CoreFixture   *fixture,
                          gconstpointer  data)
{
  g_autoptr(CoreRecorder) leaved = NULL;
  g_autoptr(AgTestClient) operator = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgChannel *channel = core_join (alice, "lobby");

  leaved = core_recorder_new (channel, "channel-leaved");

  operator = ag_test_client_new (ag_test_server_get_uri (fixture->server), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, json_object_unref);
  reply = ag_test_client_request (operator, "{\"op\":\"admin_login\",\"app_id\":\"demo\","
                                            "\"key\":\"" ADMIN_KEY "\"}");
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  g_clear_pointer (&reply, json_object_unref);
  reply = ag_test_client_request (operator, "{\"op\":\"admin_remove\",\"channel\":\"lobby\","
                                            "\"account\":\"alice\"}");
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);

  g_assert_true (core_recorder_wait (leaved, 1));
  g_assert_cmpint (g_value_get_int (core_recorder_arg (leaved, 0, 0)), ==, 601);
  g_assert_false (ag_channel_get_joined (channel));
  g_assert_null (ag_session_get_channel (alice));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);

  core_logout_and_free (alice);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, func, core_fixture_teardown)

  ADD ("/ag/channel/join", test_join);
  ADD ("/ag/channel/members-live", test_members_live);
  ADD ("/ag/channel/join-another", test_join_another);
  ADD ("/ag/channel/join-failed", test_join_failed);
  ADD ("/ag/channel/leave", test_leave);
  ADD ("/ag/channel/attributes", test_attributes);
  ADD ("/ag/channel/message", test_message);
  ADD ("/ag/channel/special-channel", test_special_channel);
  ADD ("/ag/channel/failures-on-channel", test_failures_on_channel);
  ADD ("/ag/channel/logout-leaves", test_logout_leaves);
  ADD ("/ag/channel/join-async", test_join_async);

#undef ADD

  g_test_add ("/ag/channel/removed-by-operator", CoreFixture, admin_config, core_fixture_setup,
              test_removed_by_operator, core_fixture_teardown);

  return g_test_run ();
}
