/* test-frame-tap.c: AgFrameTap against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "core-fixture.h"

/* Whether the tap reported a frame in that direction containing both parts. */
static gboolean
has_frame (CoreRecorder *frames,
           gboolean      outgoing,
           const char   *part1,
           const char   *part2)
{
  for (guint i = 0; i < core_recorder_count (frames); i++) {
    const char *text = core_recorder_string (frames, i, 1);

    if (g_value_get_boolean (core_recorder_arg (frames, i, 0)) == outgoing &&
        strstr (text, part1) != NULL && strstr (text, part2) != NULL)
      return TRUE;
  }

  return FALSE;
}

typedef struct {
  CoreRecorder *frames;
  gboolean      outgoing;
  const char   *part1;
  const char   *part2;
} FrameWait;

static gboolean
frame_seen (gpointer data)
{
  FrameWait *wait = data;

  return has_frame (wait->frames, wait->outgoing, wait->part1, wait->part2);
}

/* Both directions, the login's token redacted, in the order they happened. */
static void
test_frames (CoreFixture   *fixture,
             gconstpointer  data)
{
  g_autoptr(AgSession) alice = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  g_autoptr(AgFrameTap) tap = ag_frame_tap_new (alice);
  g_autoptr(CoreRecorder) frames = core_recorder_new (tap, "frame");
  g_autoptr(AgSession) bob = NULL;
  FrameWait wait;

  g_assert_true (ag_frame_tap_get_session (tap) == alice);
  g_assert_true (core_wait_status (alice, AG_STATUS_LOGGED_IN));
  bob = core_login (fixture, "bob");

  g_assert_true (has_frame (frames, TRUE, "\"op\":\"login\"", "\"token\":\"<redacted>\""));
  g_assert_false (has_frame (frames, TRUE, "_no_need_token", ""));
  g_assert_true (has_frame (frames, FALSE, "\"op\":\"ok\"", "\"uid\""));

  ag_session_message_instant_send (alice, "bob", "hello bob");
  wait = (FrameWait) { frames, TRUE, "\"op\":\"msg_send\"", "hello bob" };
  g_assert_true (ag_test_spin_until (frame_seen, &wait, CORE_TIMEOUT_MS));
  ag_session_message_instant_send (bob, "alice", "hello alice");
  wait = (FrameWait) { frames, FALSE, "\"op\":\"msg\"", "hello alice" };
  g_assert_true (ag_test_spin_until (frame_seen, &wait, CORE_TIMEOUT_MS));
}

/* A request written by hand reaches the server and its reply comes back; what would go
 * around the session's objects, and what is not a request, are refused. */
static void
test_send (CoreFixture   *fixture,
           gconstpointer  data)
{
  g_autoptr(AgSession) alice = core_login (fixture, "alice");
  g_autoptr(AgSession) bob = core_login (fixture, "bob");
  g_autoptr(AgFrameTap) tap = ag_frame_tap_new (alice);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(CoreRecorder) received = core_recorder_new (bob, "message-instant-receive");

  ag_frame_tap_send_async (tap, "{\"op\":\"msg_send\",\"id\":7,\"peer\":\"bob\",\"msg\":\"by hand\"}",
                           NULL, core_store_result_cb, &result);
  reply = ag_frame_tap_send_finish (tap, result = core_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (reply, "\"op\":\"ok\""));
  g_clear_object (&result);
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 0), ==, "alice");
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "by hand");

  ag_frame_tap_send_async (tap, "{\"op\":\"channel_join\",\"channel\":\"lobby\"}", NULL,
                           core_store_result_cb, &result);
  g_assert_null (ag_frame_tap_send_finish (tap, result = core_wait_result (&result), &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_clear_error (&error);
  g_clear_object (&result);

  ag_frame_tap_send_async (tap, "{\"op\":\"msg_send\",", NULL, core_store_result_cb, &result);
  g_assert_null (ag_frame_tap_send_finish (tap, result = core_wait_result (&result), &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* The server's refusal comes back as its code. */
  ag_frame_tap_send_async (tap, "{\"op\":\"user_get_attr\",\"account\":\"\",\"name\":\"x\"}", NULL,
                           core_store_result_cb, &result);
  g_assert_null (ag_frame_tap_send_finish (tap, result = core_wait_result (&result), &error));
  g_assert_true (error != NULL && error->domain == AG_ERROR);
  g_clear_object (&result);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ag/frame-tap/frames", CoreFixture, NULL,
              core_fixture_setup, test_frames, core_fixture_teardown);
  g_test_add ("/ag/frame-tap/send", CoreFixture, NULL,
              core_fixture_setup, test_send, core_fixture_teardown);

  return g_test_run ();
}
