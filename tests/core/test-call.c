/* test-call.c: AgCall against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"

typedef struct {
  CoreFixture  base;
  AgSession   *alice;
  AgSession   *bob;
  CoreRecorder *incoming;     /* bob's invite-received */
} CallFixture;

static void
call_fixture_setup (CallFixture   *fixture,
                    gconstpointer  data)
{
  core_fixture_setup (&fixture->base, data);
  fixture->alice = core_login (&fixture->base, "alice");
  fixture->bob = core_login (&fixture->base, "bob");
  fixture->incoming = core_recorder_new (fixture->bob, "invite-received");
}

static void
call_fixture_teardown (CallFixture   *fixture,
                       gconstpointer  data)
{
  g_clear_pointer (&fixture->incoming, core_recorder_free);
  core_logout_and_free (g_steal_pointer (&fixture->alice));
  core_logout_and_free (g_steal_pointer (&fixture->bob));
  core_fixture_teardown (&fixture->base, data);
}

/* Alice invites bob; returns alice's call and bob's (a new reference each). */
static AgCall *
invite (CallFixture  *fixture,
        const char   *extra,
        AgCall      **out_incoming)
{
  g_autoptr(CoreRecorder) received_by_peer = NULL;
  guint before = core_recorder_count (fixture->incoming);
  AgCall *call;

  call = ag_session_channel_invite_user2 (fixture->alice, "room", "bob", extra);
  g_assert_cmpint (ag_call_get_direction (call), ==, AG_CALL_DIRECTION_OUTGOING);
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_INVITING);
  received_by_peer = core_recorder_new (call, "invite-received-by-peer");

  g_assert_true (core_recorder_wait (fixture->incoming, before + 1));
  g_assert_true (core_recorder_wait (received_by_peer, 1));
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_RINGING);

  *out_incoming = g_object_ref (core_recorder_object (fixture->incoming, before, 0));

  return call;
}

static void
test_accept_and_end (CallFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(CoreRecorder) accepted = NULL;
  g_autoptr(CoreRecorder) end_by_myself = NULL;
  g_autoptr(CoreRecorder) end_by_peer = NULL;
  g_autoptr(CoreRecorder) state = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;

  call = invite (fixture, "{\"video\":true}", &incoming);
  g_assert_cmpstr (ag_call_get_channel (call), ==, "room");
  g_assert_cmpstr (ag_call_get_peer (call), ==, "bob");
  g_assert_cmpstr (ag_call_get_extra (call), ==, "{\"video\":true}");
  g_assert_true (ag_call_get_session (call) == fixture->alice);

  g_assert_cmpstr (ag_call_get_channel (incoming), ==, "room");
  g_assert_cmpstr (ag_call_get_peer (incoming), ==, "alice");
  g_assert_cmpuint (ag_call_get_peer_uid (incoming), ==, ag_session_get_uid (fixture->alice));
  g_assert_cmpstr (ag_call_get_extra (incoming), ==, "{\"video\":true}");
  g_assert_cmpint (ag_call_get_direction (incoming), ==, AG_CALL_DIRECTION_INCOMING);
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_RINGING);
  g_assert_true (ag_call_get_session (incoming) == fixture->bob);

  accepted = core_recorder_new (call, "invite-accepted-by-peer");
  state = core_recorder_new (incoming, "notify::state");
  ag_call_channel_invite_accept (incoming, "{\"answer\":1}");
  g_assert_true (core_recorder_wait (accepted, 1));
  g_assert_cmpstr (core_recorder_string (accepted, 0, 0), ==, "{\"answer\":1}");
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_ACTIVE);
  g_assert_true (core_recorder_wait (state, 1));
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_ACTIVE);

  end_by_myself = core_recorder_new (call, "invite-end-by-myself");
  end_by_peer = core_recorder_new (incoming, "invite-end-by-peer");
  ag_call_channel_invite_end (call, "{\"bye\":1}");
  g_assert_true (core_recorder_wait (end_by_myself, 1));
  g_assert_cmpstr (core_recorder_string (end_by_myself, 0, 0), ==, "{\"bye\":1}");
  g_assert_true (core_recorder_wait (end_by_peer, 1));
  g_assert_cmpstr (core_recorder_string (end_by_peer, 0, 0), ==, "{\"bye\":1}");
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_ENDED);
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_ENDED);
}

static void
test_accept_without_extra (CallFixture   *fixture,
                           gconstpointer  data)
{
  g_autoptr(CoreRecorder) accepted = NULL;
  g_autoptr(CoreRecorder) end_by_myself = NULL;
  g_autoptr(CoreRecorder) end_by_peer = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;

  call = invite (fixture, NULL, &incoming);
  g_assert_cmpstr (ag_call_get_extra (call), ==, "{}");
  g_assert_cmpstr (ag_call_get_extra (incoming), ==, "{}");

  accepted = core_recorder_new (call, "invite-accepted-by-peer");
  ag_call_channel_invite_accept (incoming, NULL);
  g_assert_true (core_recorder_wait (accepted, 1));
  g_assert_cmpstr (core_recorder_string (accepted, 0, 0), ==, "{}");

  /* The callee ends this time. */
  end_by_myself = core_recorder_new (incoming, "invite-end-by-myself");
  end_by_peer = core_recorder_new (call, "invite-end-by-peer");
  ag_call_channel_invite_end (incoming, NULL);
  g_assert_true (core_recorder_wait (end_by_myself, 1));
  g_assert_cmpstr (core_recorder_string (end_by_myself, 0, 0), ==, "{}");
  g_assert_true (core_recorder_wait (end_by_peer, 1));
  g_assert_cmpstr (core_recorder_string (end_by_peer, 0, 0), ==, "{}");
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_ENDED);
}

static void
test_refuse (CallFixture   *fixture,
             gconstpointer  data)
{
  g_autoptr(CoreRecorder) refused = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;

  call = invite (fixture, NULL, &incoming);
  refused = core_recorder_new (call, "invite-refused-by-peer");
  ag_call_channel_invite_refuse (incoming, "{\"busy\":1}");
  g_assert_true (core_recorder_wait (refused, 1));
  g_assert_cmpstr (core_recorder_string (refused, 0, 0), ==, "{\"busy\":1}");
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_REFUSED);
  g_clear_pointer (&refused, core_recorder_free);
  g_clear_object (&call);
  g_clear_object (&incoming);

  /* Without extra, and a new call for the same channel is possible afterwards. */
  call = invite (fixture, NULL, &incoming);
  refused = core_recorder_new (call, "invite-refused-by-peer");
  ag_call_channel_invite_refuse (incoming, NULL);
  g_assert_true (core_recorder_wait (refused, 1));
  g_assert_cmpstr (core_recorder_string (refused, 0, 0), ==, "{}");
  g_assert_true (core_wait_status (fixture->bob, AG_STATUS_LOGGED_IN));
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_REFUSED);
}

static void
test_withdraw (CallFixture   *fixture,
               gconstpointer  data)
{
  g_autoptr(CoreRecorder) end_by_peer = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;

  call = invite (fixture, NULL, &incoming);
  end_by_peer = core_recorder_new (incoming, "invite-end-by-peer");
  ag_call_channel_invite_end (call, NULL);
  g_assert_true (core_recorder_wait (end_by_peer, 1));
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_ENDED);
}

static void
test_failed_offline (CallFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  g_autoptr(AgCall) call = NULL;

  call = ag_session_channel_invite_user2 (fixture->alice, "room", "nobody",
                                          "{\"_require_peer_online\":1}");
  failed = core_recorder_new (call, "invite-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_INVITE_E_PEEROFFLINE);
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_FAILED);
}

static void
test_timeout (CallFixture   *fixture,
              gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  g_autoptr(CoreRecorder) ended = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;

  call = invite (fixture, "{\"_timeout\":1}", &incoming);
  failed = core_recorder_new (call, "invite-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_INVITE_E_TIMEOUT);
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_FAILED);
}

static void
test_reinvite (CallFixture   *fixture,
               gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  g_autoptr(CoreRecorder) first_failed = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;
  g_autoptr(AgCall) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  call = invite (fixture, NULL, &incoming);
  first_failed = core_recorder_new (call, "invite-failed");

  again = ag_session_channel_invite_user2 (fixture->alice, "room", "bob", NULL);
  failed = core_recorder_new (again, "invite-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_INVITE_E_REINVITE);

  ag_session_channel_invite_user2_async (fixture->alice, "room", "bob", NULL, NULL,
                                         core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_null (ag_session_channel_invite_user2_finish (fixture->alice, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_INVITE_E_REINVITE);
  g_clear_object (&result);

  /* The first call is untouched and still answers. */
  g_assert_cmpuint (core_recorder_count (first_failed), ==, 0);
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_RINGING);
  {
    g_autoptr(CoreRecorder) accepted = core_recorder_new (call, "invite-accepted-by-peer");

    ag_call_channel_invite_accept (incoming, NULL);
    g_assert_true (core_recorder_wait (accepted, 1));
  }
  ag_call_channel_invite_end (call, NULL);
}

static void
test_messages (CallFixture   *fixture,
               gconstpointer  data)
{
  g_autoptr(CoreRecorder) to_bob = NULL;
  g_autoptr(CoreRecorder) to_alice = NULL;
  g_autoptr(CoreRecorder) error_signal = NULL;
  g_autoptr(CoreRecorder) call_error = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  call = invite (fixture, NULL, &incoming);
  to_bob = core_recorder_new (incoming, "invite-msg");
  to_alice = core_recorder_new (call, "invite-msg");
  error_signal = core_recorder_new (fixture->alice, "error");
  call_error = core_recorder_new (call, "request-failed");

  ag_call_channel_invite_dtmf (call, "12*#");
  g_assert_true (core_recorder_wait (to_bob, 1));
  g_assert_cmpstr (core_recorder_string (to_bob, 0, 0), ==, "DTMF");
  g_assert_cmpstr (core_recorder_string (to_bob, 0, 1), ==, "12*#");

  ag_call_send_message (incoming, "chat", "one moment");
  g_assert_true (core_recorder_wait (to_alice, 1));
  g_assert_cmpstr (core_recorder_string (to_alice, 0, 0), ==, "chat");
  g_assert_cmpstr (core_recorder_string (to_alice, 0, 1), ==, "one moment");

  /* Not digits: refused, reported on the call with the request, then on the session. */
  ag_call_channel_invite_dtmf (call, "12a");
  g_assert_true (core_recorder_wait (call_error, 1));
  g_assert_cmpstr (core_recorder_string (call_error, 0, 0), ==, "channelInviteDTMF");
  g_assert_cmpstr (core_recorder_string (call_error, 0, 1), ==, "12a");
  g_assert_cmpint (core_recorder_int (call_error, 0, 2), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_true (core_recorder_wait (error_signal, 1));
  g_assert_cmpint (core_recorder_int (error_signal, 0, 0), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);

  ag_call_send_message_async (call, "DTMF", "9", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_call_send_message_finish (call, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (core_recorder_wait (to_bob, 2));
  g_assert_cmpstr (core_recorder_string (to_bob, 1, 1), ==, "9");
  g_assert_cmpuint (core_recorder_count (to_bob), ==, 2);

  ag_call_channel_invite_end (call, NULL);
}

static void
test_async (CallFixture   *fixture,
            gconstpointer  data)
{
  g_autoptr(CoreRecorder) end_by_myself = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AgCall) call = NULL;
  g_autoptr(AgCall) incoming = NULL;
  guint before = core_recorder_count (fixture->incoming);

  ag_session_channel_invite_user2_async (fixture->alice, "room", "bob", "{\"x\":2}", NULL,
                                         core_store_result_cb, &result);
  result = core_wait_result (&result);
  call = ag_session_channel_invite_user2_finish (fixture->alice, result, &error);
  g_assert_no_error (error);
  g_assert_true (AG_IS_CALL (call));
  g_assert_cmpstr (ag_call_get_extra (call), ==, "{\"x\":2}");
  g_clear_object (&result);

  g_assert_true (core_recorder_wait (fixture->incoming, before + 1));
  incoming = g_object_ref (core_recorder_object (fixture->incoming, before, 0));

  ag_call_channel_invite_accept_async (incoming, NULL, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_call_channel_invite_accept_finish (incoming, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_ACTIVE);
  g_clear_object (&result);

  /* Accepting twice: the call is no longer ringing. */
  ag_call_channel_invite_accept_async (incoming, NULL, NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_false (ag_call_channel_invite_accept_finish (incoming, result, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_NO_SUCH_CALL);
  g_clear_error (&error);
  g_clear_object (&result);

  end_by_myself = core_recorder_new (call, "invite-end-by-myself");
  ag_call_channel_invite_end_async (call, "{\"done\":1}", NULL, core_store_result_cb, &result);
  result = core_wait_result (&result);
  g_assert_true (ag_call_channel_invite_end_finish (call, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (core_recorder_count (end_by_myself), ==, 1);
  g_assert_cmpstr (core_recorder_string (end_by_myself, 0, 0), ==, "{\"done\":1}");
  g_clear_object (&result);

  /* Refusing through the async form. */
  g_clear_object (&call);
  g_clear_object (&incoming);
  call = invite (fixture, NULL, &incoming);
  ag_call_channel_invite_refuse_async (incoming, "{\"no\":1}", NULL, core_store_result_cb,
                                       &result);
  result = core_wait_result (&result);
  g_assert_true (ag_call_channel_invite_refuse_finish (incoming, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_REFUSED);
  g_clear_object (&result);
}

static void
test_callee_logs_out (CallFixture   *fixture,
                      gconstpointer  data)
{
  g_autoptr(CoreRecorder) failed = NULL;
  g_autoptr(AgCall) incoming = NULL;
  g_autoptr(AgCall) call = NULL;
  g_autoptr(CoreRecorder) logout = NULL;

  call = invite (fixture, NULL, &incoming);
  failed = core_recorder_new (call, "invite-failed");

  /* A ringing call fails for the caller when the callee goes offline. */
  logout = core_recorder_new (fixture->bob, "logout");
  ag_session_logout (fixture->bob);
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_INVITE_E_PEEROFFLINE);
  g_assert_cmpint (ag_call_get_state (incoming), ==, AG_CALL_STATE_FAILED);

  /* The teardown logs bob out again: log him back in for it. */
  g_clear_pointer (&logout, core_recorder_free);
  g_clear_pointer (&fixture->incoming, core_recorder_free);
  g_clear_object (&incoming);
  core_assert_finalized (g_steal_pointer (&fixture->bob));
  fixture->bob = core_login (&fixture->base, "bob");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, CallFixture, NULL, call_fixture_setup, func, call_fixture_teardown)

  ADD ("/ag/call/accept-and-end", test_accept_and_end);
  ADD ("/ag/call/accept-without-extra", test_accept_without_extra);
  ADD ("/ag/call/refuse", test_refuse);
  ADD ("/ag/call/withdraw", test_withdraw);
  ADD ("/ag/call/failed-offline", test_failed_offline);
  ADD ("/ag/call/timeout", test_timeout);
  ADD ("/ag/call/reinvite", test_reinvite);
  ADD ("/ag/call/messages", test_messages);
  ADD ("/ag/call/async", test_async);
  ADD ("/ag/call/callee-logs-out", test_callee_logs_out);

#undef ADD

  return g_test_run ();
}
