/* test-frame-tap.c: AgFrameTap against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "core-fixture.h"

typedef struct {
  GPtrArray *sent;      /* of char*, the frames as the tap reported them */
  GPtrArray *received;
} Frames;

static void
frame_cb (AgFrameTap *tap,
          gboolean    outgoing,
          const char *text,
          Frames     *frames)
{
  g_ptr_array_add (outgoing ? frames->sent : frames->received, g_strdup (text));
}

static gboolean
has_frame (GPtrArray  *frames,
           const char *part1,
           const char *part2)
{
  for (guint i = 0; i < frames->len; i++)
    if (strstr (frames->pdata[i], part1) != NULL && strstr (frames->pdata[i], part2) != NULL)
      return TRUE;
  return FALSE;
}

typedef struct {
  GPtrArray  *frames;
  const char *part1;
  const char *part2;
} FrameWait;

static gboolean
frame_seen (gpointer data)
{
  FrameWait *wait = data;

  return has_frame (wait->frames, wait->part1, wait->part2);
}

static gboolean
spin_until (GSourceFunc condition,
            gpointer    data)
{
  gint64 deadline = g_get_monotonic_time () + CORE_TIMEOUT_MS * 1000;

  while (!condition (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);

  return condition (data);
}

/* Both directions, the login's token redacted, in the order they happened. */
static void
test_frames (CoreFixture   *fixture,
             gconstpointer  data)
{
  Frames frames = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(AgSession) alice = ag_signal_login (fixture->signal, "alice", "_no_need_token");
  g_autoptr(AgFrameTap) tap = ag_frame_tap_new (alice);
  g_autoptr(AgSession) bob = NULL;
  FrameWait wait;

  g_signal_connect (tap, "frame", G_CALLBACK (frame_cb), &frames);
  g_assert_true (ag_frame_tap_get_session (tap) == alice);
  g_assert_true (core_wait_status (alice, AG_STATUS_LOGGED_IN));
  bob = core_login (fixture, "bob");

  g_assert_true (has_frame (frames.sent, "\"op\":\"login\"", "\"token\":\"<redacted>\""));
  g_assert_false (has_frame (frames.sent, "_no_need_token", ""));
  g_assert_true (has_frame (frames.received, "\"op\":\"ok\"", "\"uid\""));

  ag_session_message_instant_send (alice, "bob", "hello bob");
  wait = (FrameWait) { frames.sent, "\"op\":\"msg_send\"", "hello bob" };
  g_assert_true (spin_until (frame_seen, &wait));
  ag_session_message_instant_send (bob, "alice", "hello alice");
  wait = (FrameWait) { frames.received, "\"op\":\"msg\"", "hello alice" };
  g_assert_true (spin_until (frame_seen, &wait));

  /* Gone with the tap. */
  g_signal_handlers_disconnect_by_data (tap, &frames);
  g_ptr_array_unref (frames.sent);
  g_ptr_array_unref (frames.received);
}

typedef struct {
  char *sender;
  char *text;
} Received;

static void
message_cb (AgSession  *session,
            const char *account,
            guint       uid,
            const char *msg,
            Received   *received)
{
  g_free (received->sender);
  g_free (received->text);
  received->sender = g_strdup (account);
  received->text = g_strdup (msg);
}

static gboolean
received_text (gpointer data)
{
  return ((Received *) data)->text != NULL;
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
  Received received = { NULL, NULL };

  g_signal_connect (bob, "message-instant-receive", G_CALLBACK (message_cb), &received);
  ag_frame_tap_send_async (tap, "{\"op\":\"msg_send\",\"id\":7,\"peer\":\"bob\",\"msg\":\"by hand\"}",
                           NULL, core_store_result_cb, &result);
  reply = ag_frame_tap_send_finish (tap, result = core_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (reply, "\"op\":\"ok\""));
  g_clear_object (&result);
  g_assert_true (spin_until (received_text, &received));
  g_assert_cmpstr (received.sender, ==, "alice");
  g_assert_cmpstr (received.text, ==, "by hand");

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

  g_signal_handlers_disconnect_by_data (bob, &received);
  g_free (received.sender);
  g_free (received.text);
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
