/* test-frame-inspector.c: a session's frames in the console, copied and sent again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "console-fixture.h"
#include "ag-console-frame-inspector.h"

static AgConsoleFrameInspector *
inspector (AgConsoleSessionPage *page)
{
  return AG_CONSOLE_FRAME_INSPECTOR (ag_console_session_page_get_page_widget (page, "frames"));
}

/* The position in the shown frames of the first whose summary and JSON contain the parts. */
static guint
find_frame (AgConsoleFrameInspector *inspector,
            const char              *summary_part,
            const char              *json_part)
{
  GListModel *shown = ag_console_event_log_get_filtered (ag_console_frame_inspector_get_log (inspector));

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++) {
    g_autoptr(AgConsoleLogEntry) entry = g_list_model_get_item (shown, i);

    if (strstr (ag_console_log_entry_get_summary (entry), summary_part) != NULL &&
        strstr (ag_console_log_entry_get_json (entry), json_part) != NULL)
      return i;
  }

  return G_MAXUINT;
}

typedef struct {
  guint  count;
  char  *msg;
} Received;

static void
instant_receive_cb (AgSession  *session,
                    const char *account,
                    guint       uid,
                    const char *msg,
                    Received   *received)
{
  received->count++;
  g_free (received->msg);
  received->msg = g_strdup (msg);
}

static void
test_frames (ConsoleFixture *fixture,
             gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgSession *alice = ag_console_session_page_get_session (page);
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgConsoleFrameInspector *frames = inspector (page);
  AgConsoleEventLog *log = ag_console_frame_inspector_get_log (frames);
  GtkWidget *copy = console_find_button (GTK_WIDGET (frames), "C_opy");
  GtkWidget *resend = console_find_button (GTK_WIDGET (frames), "_Edit and Send…");
  Received received = { 0, NULL };
  g_autofree char *pretty = NULL;
  guint position;

  g_assert_nonnull (copy);
  g_assert_nonnull (resend);
  g_assert_false (gtk_widget_get_sensitive (resend));
  g_signal_connect (bob, "message-instant-receive", G_CALLBACK (instant_receive_cb), &received);

  /* Both directions, in order. */
  ag_session_message_instant_send (alice, "bob", "first");
  ag_session_message_instant_send (bob, "alice", "back");
  CONSOLE_WAIT_UNTIL (find_frame (frames, "→ msg_send #", "\"msg\":\"first\"") != G_MAXUINT &&
                      find_frame (frames, "← ok #", "\"kind\":\"received\"") != G_MAXUINT &&
                      find_frame (frames, "← msg ", "\"msg\":\"back\"") != G_MAXUINT);
  CONSOLE_WAIT_UNTIL (received.count == 1);

  /* A received frame can be copied, not sent. */
  ag_console_event_log_select (log, find_frame (frames, "← msg ", "back"));
  g_assert_true (gtk_widget_get_sensitive (copy));
  g_assert_false (gtk_widget_get_sensitive (resend));

  /* A sent request can be edited and sent again. */
  position = find_frame (frames, "→ msg_send #", "\"msg\":\"first\"");
  ag_console_event_log_select (log, position);
  g_assert_true (gtk_widget_get_sensitive (resend));
  ag_console_frame_inspector_send (frames, "{\"op\":\"msg_send\",\"peer\":\"bob\",\"msg\":\"again\"}");
  CONSOLE_WAIT_UNTIL (received.count == 2);
  g_assert_cmpstr (received.msg, ==, "again");
  CONSOLE_WAIT_UNTIL (strstr (ag_console_frame_inspector_get_status_text (frames), "ok") != NULL);

  /* What would go around the session's objects is refused, with its code. */
  ag_console_frame_inspector_send (frames, "{\"op\":\"channel_join\",\"channel\":\"lobby\"}");
  CONSOLE_WAIT_UNTIL (g_str_has_prefix (ag_console_frame_inspector_get_status_text (frames), "Refused: 1004"));

  /* The details are indented JSON. */
  pretty = ag_console_event_log_pretty_json ("{\"op\":\"msg\",\"account\":\"bob\"}");
  g_assert_nonnull (strstr (pretty, "\n  \"op\" : \"msg\""));

  g_signal_handlers_disconnect_by_data (bob, &received);
  g_free (received.msg);
}

int
main (int   argc,
      char *argv[])
{
  if (!console_test_init (&argc, &argv)) {
    g_print (CONSOLE_TEST_SKIP_NO_DISPLAY);
    return 0;
  }

  g_test_add ("/ag/console-frame-inspector/frames", ConsoleFixture, NULL,
              console_fixture_setup, test_frames, console_fixture_teardown);

  return g_test_run ();
}
