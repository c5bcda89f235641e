/* test-log-model.c: AgConsoleLogModel, the bounded event log
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <json-glib/json-glib.h>

#include "ag-console-log-model.h"
#include "ag-console-log-snapshot.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
record_change_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static void
append_numbered (AgConsoleLogModel *model,
                 guint              first,
                 guint              count)
{
  for (guint i = first; i < first + count; i++) {
    g_autofree char *summary = g_strdup_printf ("entry %u", i);

    ag_console_log_model_append (model, (gint64) i * 1000, "test-kind", summary, NULL);
  }
}

static char *
summary_at (GListModel *model,
            guint       position)
{
  g_autoptr(AgConsoleLogEntry) entry = g_list_model_get_item (model, position);

  g_assert_nonnull (entry);

  return g_strdup (ag_console_log_entry_get_summary (entry));
}

static void
test_log_model_append (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (0);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(AgConsoleLogEntry) entry = NULL;
  g_autofree char *time = NULL;
  Change *change;

  g_assert_cmpuint (ag_console_log_model_get_capacity (model), ==, 100000);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == AG_CONSOLE_TYPE_LOG_ENTRY);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);
  ag_console_log_model_append (model, 1700000000123456, "login-success", "uid=1", "{\"uid\":1}");

  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 1);

  entry = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpint (ag_console_log_entry_get_time (entry), ==, 1700000000123456);
  g_assert_cmpstr (ag_console_log_entry_get_kind (entry), ==, "login-success");
  g_assert_cmpstr (ag_console_log_entry_get_summary (entry), ==, "uid=1");
  g_assert_cmpstr (ag_console_log_entry_get_json (entry), ==, "{\"uid\":1}");

  /* Properties carry the same values (the event log binds them). */
  {
    g_autofree char *kind = NULL;
    gint64 time_us = 0;

    g_object_get (entry, "kind", &kind, "time", &time_us, NULL);
    g_assert_cmpstr (kind, ==, "login-success");
    g_assert_cmpint (time_us, ==, 1700000000123456);
  }

  time = ag_console_log_entry_format_time (entry);
  g_assert_true (g_str_has_suffix (time, ".123"));
  g_assert_cmpuint (strlen (time), ==, strlen ("HH:MM:SS.mmm"));
}

static void
test_log_model_drops_oldest (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (5);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  Change *change;

  append_numbered (model, 0, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_cmpuint (ag_console_log_model_get_dropped (model), ==, 0);

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);
  append_numbered (model, 5, 1);

  /* Full: the oldest goes at the front, the new one comes at the end, in two steps. */
  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 0);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 4);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 1);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_cmpuint (ag_console_log_model_get_dropped (model), ==, 1);

  /* Wrap around the ring several times; the order stays oldest first. */
  append_numbered (model, 6, 17);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_cmpuint (ag_console_log_model_get_dropped (model), ==, 18);
  for (guint i = 0; i < 5; i++) {
    g_autofree char *summary = summary_at (G_LIST_MODEL (model), i);
    g_autofree char *expected = g_strdup_printf ("entry %u", 18 + i);

    g_assert_cmpstr (summary, ==, expected);
  }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 5));
}

static void
test_log_model_large (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (0);
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  /* Past the default capacity: growth, then the ring. */
  append_numbered (model, 0, 100000 + 250);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100000);
  g_assert_cmpuint (ag_console_log_model_get_dropped (model), ==, 250);

  first = summary_at (G_LIST_MODEL (model), 0);
  last = summary_at (G_LIST_MODEL (model), 99999);
  g_assert_cmpstr (first, ==, "entry 250");
  g_assert_cmpstr (last, ==, "entry 100249");
}

static void
test_log_model_pause (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (4);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  Change *change;

  append_numbered (model, 0, 2);
  ag_console_log_model_set_paused (model, TRUE);
  g_assert_true (ag_console_log_model_get_paused (model));

  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  /* Paused: nothing moves, so a user can read; the queue keeps the newest `capacity`. */
  append_numbered (model, 2, 5);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpuint (ag_console_log_model_get_dropped (model), ==, 1);

  ag_console_log_model_set_paused (model, FALSE);

  /* Resumed: one removal at the front, one insertion at the end. */
  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 2);
  g_assert_cmpuint (change->added, ==, 0);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 4);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpuint (ag_console_log_model_get_dropped (model), ==, 3);
  for (guint i = 0; i < 4; i++) {
    g_autofree char *summary = summary_at (G_LIST_MODEL (model), i);
    g_autofree char *expected = g_strdup_printf ("entry %u", 3 + i);

    g_assert_cmpstr (summary, ==, expected);
  }
}

static void
test_log_model_clear (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (3);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autofree char *summary = NULL;

  append_numbered (model, 0, 7);
  g_signal_connect (model, "items-changed", G_CALLBACK (record_change_cb), changes);

  ag_console_log_model_clear (model);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  append_numbered (model, 100, 1);
  summary = summary_at (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (summary, ==, "entry 100");
}

static void
test_log_model_export (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (3);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  ag_console_log_model_append (model, 1000000, "dropped", "goes away", NULL);
  ag_console_log_model_append (model, 2000000, "with-json", "ignored in the export",
                               "{\"signal\":\"with-json\",\"n\":1}");
  ag_console_log_model_append (model, 3500000, "login-failed", "ecode=206 \"quoted\" \\ é", NULL);
  ag_console_log_model_append (model, 4000000, "logout", "ecode=101", NULL);

  g_assert_true (ag_console_log_model_export_to (model, stream, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (stream, NULL, NULL));

  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);

  /* Three entries, one object a line, then the empty string after the last newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "{\"signal\":\"with-json\",\"n\":1}");
  g_assert_cmpstr (lines[3], ==, "");

  for (guint i = 1; i < 3; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *object;

    g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
    g_assert_no_error (error);
    object = json_node_get_object (json_parser_get_root (parser));
    g_assert_nonnull (object);

    if (i == 1) {
      g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "login-failed");
      g_assert_cmpstr (json_object_get_string_member (object, "summary"), ==,
                       "ecode=206 \"quoted\" \\ é");
      g_assert_cmpint (json_object_get_int_member (object, "time_us"), ==, 3500000);
      g_assert_cmpstr (json_object_get_string_member (object, "time"), ==,
                       "1970-01-01T00:00:03.500000Z");
    } else {
      g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "logout");
    }
  }
}

static void
test_log_model_export_large (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (0);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize size;
  guint newlines = 0;

  append_numbered (model, 0, 20000);
  g_assert_true (ag_console_log_model_export_to (model, stream, &error));
  g_assert_no_error (error);

  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream));
  size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream));
  for (gsize i = 0; i < size; i++)
    if (data[i] == '\n')
      newlines++;

  g_assert_cmpuint (newlines, ==, 20000);
}

static void
assert_same_entries (GListModel *a,
                     GListModel *b)
{
  g_assert_cmpuint (g_list_model_get_n_items (a), ==, g_list_model_get_n_items (b));

  for (guint i = 0; i < g_list_model_get_n_items (a); i++) {
    g_autoptr(GObject) x = g_list_model_get_item (a, i);
    g_autoptr(GObject) y = g_list_model_get_item (b, i);

    g_assert_true (x == y);
  }
}

static void
test_log_snapshot_batches (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (5);
  g_autoptr(AgConsoleLogSnapshot) snapshot = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autofree char *summary = NULL;
  Change *change;

  append_numbered (model, 0, 2);

  /* A long interval: only explicit flushes in this test. */
  snapshot = ag_console_log_snapshot_new (model, 60000);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (snapshot)) == AG_CONSOLE_TYPE_LOG_ENTRY);
  assert_same_entries (G_LIST_MODEL (snapshot), G_LIST_MODEL (model));
  g_signal_connect (snapshot, "items-changed", G_CALLBACK (record_change_cb), changes);

  /* Appends wait for the flush, then arrive as one insertion. */
  append_numbered (model, 2, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (snapshot)), ==, 2);
  g_assert_cmpuint (changes->len, ==, 0);
  ag_console_log_snapshot_flush (snapshot);
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 2);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 2);
  assert_same_entries (G_LIST_MODEL (snapshot), G_LIST_MODEL (model));

  /* The ring wraps: one removal at the front, one insertion at the end. */
  g_array_set_size (changes, 0);
  append_numbered (model, 4, 6);
  ag_console_log_snapshot_flush (snapshot);
  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 4);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->added, ==, 5);
  assert_same_entries (G_LIST_MODEL (snapshot), G_LIST_MODEL (model));
  summary = summary_at (G_LIST_MODEL (snapshot), 0);
  g_assert_cmpstr (summary, ==, "entry 5");

  /* Cleared, then refilled before the flush. */
  ag_console_log_model_clear (model);
  append_numbered (model, 100, 3);
  ag_console_log_snapshot_flush (snapshot);
  assert_same_entries (G_LIST_MODEL (snapshot), G_LIST_MODEL (model));
  g_clear_pointer (&summary, g_free);
  summary = summary_at (G_LIST_MODEL (snapshot), 0);
  g_assert_cmpstr (summary, ==, "entry 100");

  /* Nothing new: a flush changes nothing. */
  g_array_set_size (changes, 0);
  ag_console_log_snapshot_flush (snapshot);
  g_assert_cmpuint (changes->len, ==, 0);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

static void
test_log_snapshot_catches_up (void)
{
  g_autoptr(AgConsoleLogModel) model = ag_console_log_model_new (0);
  g_autoptr(AgConsoleLogSnapshot) snapshot = ag_console_log_snapshot_new (model, 20);
  gboolean timed_out = FALSE;
  guint timeout_id;

  append_numbered (model, 0, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (snapshot)), ==, 0);

  timeout_id = g_timeout_add (5000, set_flag_cb, &timed_out);
  while (g_list_model_get_n_items (G_LIST_MODEL (snapshot)) < 1000 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);

  assert_same_entries (G_LIST_MODEL (snapshot), G_LIST_MODEL (model));
  g_assert_true (ag_console_log_snapshot_get_source (snapshot) == model);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/console-log-model/append", test_log_model_append);
  g_test_add_func ("/ag/console-log-model/drops-oldest", test_log_model_drops_oldest);
  g_test_add_func ("/ag/console-log-model/large", test_log_model_large);
  g_test_add_func ("/ag/console-log-model/pause", test_log_model_pause);
  g_test_add_func ("/ag/console-log-model/clear", test_log_model_clear);
  g_test_add_func ("/ag/console-log-model/export", test_log_model_export);
  g_test_add_func ("/ag/console-log-model/export-large", test_log_model_export_large);
  g_test_add_func ("/ag/console-log-snapshot/batches", test_log_snapshot_batches);
  g_test_add_func ("/ag/console-log-snapshot/catches-up", test_log_snapshot_catches_up);

  return g_test_run ();
}
