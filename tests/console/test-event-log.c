/* test-event-log.c: every signal a session receives, in the console's log
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "console-fixture.h"

static gboolean
log_has (AgConsoleLogModel *log,
         const char        *kind,
         const char        *summary_part)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (log));

  for (guint i = 0; i < n; i++) {
    g_autoptr(AgConsoleLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (log), i);

    if (g_strcmp0 (ag_console_log_entry_get_kind (entry), kind) == 0 &&
        (summary_part == NULL || strstr (ag_console_log_entry_get_summary (entry), summary_part) != NULL))
      return TRUE;
  }

  return FALSE;
}

static void
test_event_log_records (ConsoleFixture *fixture,
                        gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgConsoleLogModel *log = ag_console_session_page_get_log (page);
  AgConsoleChannelView *channel_view;
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgChannel *bob_channel;

  /* The login itself was recorded while the dialog was logging in. */
  g_assert_true (log_has (log, "login-success", "uid="));

  channel_view = AG_CONSOLE_CHANNEL_VIEW (ag_console_session_page_get_page_widget (page, "channel"));
  ag_console_channel_view_join (channel_view, "lobby");
  CONSOLE_WAIT_UNTIL (log_has (log, "channel-joined", "[lobby]"));

  bob_channel = console_fixture_peer_join (fixture, bob, "lobby");
  CONSOLE_WAIT_UNTIL (log_has (log, "channel-user-joined", "account=\"bob\""));

  /* A refused request is logged on its channel, its arguments by name. */
  {
    g_autofree char *too_long = g_strnfill (8193, 'x');

    ag_channel_message_channel_send (ag_session_get_channel (ag_console_session_page_get_session (page)),
                                     too_long);
    CONSOLE_WAIT_UNTIL (log_has (log, "request-failed", "request=\"messageChannelSend\""));
    g_assert_true (log_has (log, "request-failed", "ecode="));
  }

  ag_channel_message_channel_send (bob_channel, "hello log");
  CONSOLE_WAIT_UNTIL (log_has (log, "message-channel-receive", "msg=\"hello log\""));

  ag_session_message_instant_send (bob, "alice", "direct");
  CONSOLE_WAIT_UNTIL (log_has (log, "message-instant-receive", "msg=\"direct\""));

  ag_channel_channel_leave (bob_channel);
  CONSOLE_WAIT_UNTIL (log_has (log, "channel-user-leaved", "account=\"bob\""));

  /* Only this session's signals: bob's own channel-joined is not in alice's log. */
  g_assert_false (log_has (log, "channel-joined", "bob"));
}

static guint
n_shown (AgConsoleEventLog *event_log)
{
  return g_list_model_get_n_items (ag_console_event_log_get_filtered (event_log));
}

static void
test_event_log_filter_and_export (ConsoleFixture *fixture,
                                  gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgConsoleLogModel *log = ag_console_session_page_get_log (page);
  AgConsoleEventLog *event_log = AG_CONSOLE_EVENT_LOG (ag_console_session_page_get_page_widget (page, "log"));
  AgSession *bob = console_fixture_peer (fixture, "bob");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(GStrv) lines = NULL;
  guint total;

  for (guint i = 0; i < 3; i++) {
    g_autofree char *msg = g_strdup_printf ("note %u", i);

    ag_session_message_instant_send (bob, "alice", msg);
  }
  CONSOLE_WAIT_UNTIL (log_has (log, "message-instant-receive", "note 2"));

  total = g_list_model_get_n_items (G_LIST_MODEL (log));
  g_assert_cmpuint (n_shown (event_log), ==, total);

  ag_console_event_log_set_kind (event_log, "message-instant-receive");
  g_assert_cmpuint (n_shown (event_log), ==, 3);

  ag_console_event_log_set_search (event_log, "NOTE 1");
  g_assert_cmpuint (n_shown (event_log), ==, 1);

  ag_console_event_log_set_kind (event_log, NULL);
  ag_console_event_log_set_search (event_log, "login-success");
  g_assert_cmpuint (n_shown (event_log), ==, 1);

  ag_console_event_log_set_search (event_log, NULL);
  g_assert_cmpuint (n_shown (event_log), ==, total);

  /* Export: one JSON object a line, every entry, with the signal and its arguments. */
  dir = g_dir_make_tmp ("ag-console-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "log.jsonl", NULL);
  file = g_file_new_for_path (path);
  g_assert_true (ag_console_event_log_export (event_log, file, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, total + 1);

  for (guint i = 0; i < total; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *object;

    g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
    g_assert_no_error (error);
    object = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (object, "account"), ==, "alice");
    g_assert_true (json_object_has_member (object, "signal"));
    g_assert_true (json_object_has_member (object, "time"));
    g_assert_nonnull (json_object_get_object_member (object, "args"));

    if (g_strcmp0 (json_object_get_string_member (object, "signal"), "message-instant-receive") == 0) {
      JsonObject *args = json_object_get_object_member (object, "args");

      g_assert_cmpstr (json_object_get_string_member (args, "account"), ==, "bob");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (args, "msg"), "note "));
      g_assert_cmpint (json_object_get_int_member (args, "uid"), ==, ag_session_get_uid (bob));
    }
  }

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (!console_test_init (&argc, &argv)) {
    g_print (CONSOLE_TEST_SKIP_NO_DISPLAY);
    return 0;
  }

  g_test_add ("/ag/console-event-log/records", ConsoleFixture, NULL,
              console_fixture_setup, test_event_log_records, console_fixture_teardown);
  g_test_add ("/ag/console-event-log/filter-and-export", ConsoleFixture, NULL,
              console_fixture_setup, test_event_log_filter_and_export, console_fixture_teardown);

  return g_test_run ();
}
