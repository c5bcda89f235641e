/* test-engine-sqlite.c: AgEngineSqlite, the AgEngine on a SQLite state file
 *
 * The cases every engine shares (engine-conformance.c) run on a fresh state file each; the
 * others here are about what only a file has: reopening, commits and their failures,
 * channels and uids, schema versions and bad files.
 */

#include "ag-engine-sqlite.h"
#include "engine-conformance.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "ag-limits.h"

#define T0 G_GINT64_CONSTANT (1764099000000000)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)

static char *state_dir;

/* A state file path of its own for every call. */
static char *
new_state_path (void)
{
  static guint counter;

  return g_strdup_printf ("%s/state-%u.db", state_dir, ++counter);
}

static AgEngine *
open_engine_at (const char *path)
{
  g_autoptr(GError) error = NULL;
  AgEngine *engine = ag_engine_sqlite_new (path, AG_ENGINE_SQLITE_SYNC_NORMAL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (engine);

  return engine;
}

static AgEngine *
open_engine (void)
{
  g_autofree char *path = new_state_path ();

  return open_engine_at (path);
}

static void
commit (AgEngine *engine)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ag_engine_commit (engine, &error));
  g_assert_no_error (error);
}

#define message_new engine_test_message_new
#define assert_message engine_test_assert_message

static void
test_engine_sqlite_type (void)
{
  AgEngine *engine = open_engine ();

  g_assert_true (AG_IS_ENGINE (engine));
  g_assert_true (AG_IS_ENGINE_SQLITE (engine));
  g_assert_finalize_object (engine);
}

/* The bytes of all queued messages (text and sender), kept up to date by push, take and
 * expiry, and counted from the file when it is opened again. */
static void
test_engine_sqlite_offline_bytes (void)
{
  g_autofree char *path = new_state_path ();
  AgEngine *engine = open_engine_at (path);
  g_autoptr(GPtrArray) taken = NULL;

  g_assert_cmpuint (ag_engine_offline_bytes (engine), ==, 0);
  ag_engine_offline_push (engine, "demo", "bob", message_new ("al", 1, "12345", T0, SECONDS (10)), NULL);
  ag_engine_offline_push (engine, "demo", "bob", message_new ("al", 1, "123", T0, SECONDS (60)), NULL);
  ag_engine_offline_push (engine, "demo", "carol", message_new ("al", 1, "1", T0, SECONDS (60)), NULL);
  g_assert_cmpuint (ag_engine_offline_bytes (engine), ==, 7 + 5 + 3);
  commit (engine);
  g_assert_finalize_object (engine);

  engine = open_engine_at (path);
  g_assert_cmpuint (ag_engine_offline_bytes (engine), ==, 15);
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (10)), ==, T0 + SECONDS (60));
  g_assert_cmpuint (ag_engine_offline_bytes (engine), ==, 8);
  taken = ag_engine_offline_take (engine, "demo", "bob", T0 + SECONDS (10), NULL);
  g_assert_nonnull (taken);
  g_assert_cmpuint (ag_engine_offline_bytes (engine), ==, 3);
  commit (engine);
  g_assert_finalize_object (engine);
}

/* What only a state file does */

static void
assert_open_fails (const char *path,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  AgEngine *engine = ag_engine_sqlite_new (path, AG_ENGINE_SQLITE_SYNC_FULL, &error);

  g_assert_null (engine);
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, expected));
}

static GHashTable *
attrs_of (const char *first_name,
          ...)
{
  GHashTable *attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (attrs, g_strdup (name), g_strdup (va_arg (args, const char *)));
  va_end (args);

  return attrs;
}

static AgEngineChannel *
find_channel (GPtrArray  *channels,
              const char *name)
{
  for (guint i = 0; i < channels->len; i++) {
    AgEngineChannel *channel = g_ptr_array_index (channels, i);

    if (g_str_equal (channel->name, name))
      return channel;
  }

  g_assert_not_reached ();
}

static void
test_engine_sqlite_reopen (void)
{
  g_autofree char *path = new_state_path ();
  AgEngine *engine = open_engine_at (path);
  g_autoptr(GHashTable) attrs = attrs_of ("topic", "news", "_channel_ttl", "60", NULL);
  g_autoptr(GHashTable) uids = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *color = NULL;
  AgEngineChannel *channel;

  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL));
  g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                         message_new ("alice", 1, "one", T0, SECONDS (60)), NULL));
  g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                         message_new ("alice", 1, "two", T0 + 1, SECONDS (60)),
                                         NULL));
  g_assert_true (ag_engine_uid_set (engine, "demo", "alice", 1, NULL));
  g_assert_true (ag_engine_uid_set (engine, "demo", "bob", 2, NULL));
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "lobby", .attrs = attrs, .total_joins = 7, .destroy_us = 0,
  });
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "gone", .attrs = attrs, .total_joins = 1, .destroy_us = T0,
  });
  ag_engine_channel_delete (engine, "demo", "gone");
  commit (engine);
  g_assert_finalize_object (engine);

  engine = open_engine_at (path);
  color = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_cmpstr (color, ==, "blue");

  g_assert_true (ag_engine_load_app (engine, "demo", &uids, &channels, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (uids), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (uids, "alice")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (uids, "bob")), ==, 2);
  g_assert_cmpuint (channels->len, ==, 1);
  channel = find_channel (channels, "lobby");
  g_assert_cmpuint (channel->total_joins, ==, 7);
  g_assert_cmpint (channel->destroy_us, ==, 0);
  g_assert_cmpuint (g_hash_table_size (channel->attrs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (channel->attrs, "topic"), ==, "news");
  g_assert_cmpstr (g_hash_table_lookup (channel->attrs, "_channel_ttl"), ==, "60");

  /* Offline messages come back once, in order. */
  messages = ag_engine_offline_take (engine, "demo", "bob", T0 + 2, NULL);
  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, ==, 2);
  assert_message (messages, 0, "alice", 1, "one", T0);
  assert_message (messages, 1, "alice", 1, "two", T0 + 1);
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + 2), ==, G_MAXINT64);
  commit (engine);
  g_assert_finalize_object (engine);

  engine = open_engine_at (path);
  g_assert_null (ag_engine_offline_take (engine, "demo", "bob", T0 + 2, NULL));
  g_assert_finalize_object (engine);
}

static void
test_engine_sqlite_channels (void)
{
  g_autofree char *path = new_state_path ();
  AgEngine *engine = open_engine_at (path);
  g_autoptr(GHashTable) first = attrs_of ("a", "1", "b", "2", NULL);
  g_autoptr(GHashTable) second = attrs_of ("b", "3", NULL);
  g_autoptr(GHashTable) uids = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  AgEngineChannel *channel;

  /* A save replaces the channel whole: attributes that went away are gone. */
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "room", .attrs = first, .total_joins = 1,
  });
  commit (engine);
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "room", .attrs = second, .total_joins = 2, .destroy_us = T0 + SECONDS (9),
  });
  ag_engine_channel_save (engine, "other", &(AgEngineChannel) {
    .name = (char *) "room", .attrs = first, .total_joins = 5,
  });
  commit (engine);
  g_assert_finalize_object (engine);

  engine = open_engine_at (path);
  g_assert_true (ag_engine_load_app (engine, "demo", &uids, &channels, NULL));
  g_assert_cmpuint (channels->len, ==, 1);
  channel = find_channel (channels, "room");
  g_assert_cmpuint (channel->total_joins, ==, 2);
  g_assert_cmpint (channel->destroy_us, ==, T0 + SECONDS (9));
  g_assert_cmpuint (g_hash_table_size (channel->attrs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (channel->attrs, "b"), ==, "3");
  g_clear_pointer (&uids, g_hash_table_unref);
  g_clear_pointer (&channels, g_ptr_array_unref);

  ag_engine_channel_delete (engine, "demo", "room");
  commit (engine);
  g_assert_true (ag_engine_load_app (engine, "demo", &uids, &channels, NULL));
  g_assert_cmpuint (channels->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (uids), ==, 0);
  g_clear_pointer (&uids, g_hash_table_unref);
  g_clear_pointer (&channels, g_ptr_array_unref);

  /* Other apps are not touched. */
  g_assert_true (ag_engine_load_app (engine, "other", &uids, &channels, NULL));
  g_assert_cmpuint (channels->len, ==, 1);
  g_assert_finalize_object (engine);
}

/* RLIMIT_FSIZE makes the file system "full" for this process; SIGXFSZ is ignored so that a
 * write past the limit fails instead of killing the test. */
static void
set_file_size_limit (rlim_t limit)
{
  struct rlimit rl;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &rl), ==, 0);
  rl.rlim_cur = MIN (limit, rl.rlim_max);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &rl), ==, 0);
}

static void
test_engine_sqlite_full_disk (void)
{
  g_autofree char *path = new_state_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *big = g_strnfill (4000, 'x');
  goffset limit;
  AgEngine *engine = open_engine_at (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *lost = NULL;
  GStatBuf info;
  gboolean failed = FALSE;
  guint acknowledged = 0;

  signal (SIGXFSZ, SIG_IGN);

  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "kept", "yes", NULL));
  commit (engine);

  /* Writes go to the WAL first: the limit is some way above the larger of the two files. */
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  limit = info.st_size;
  if (g_stat (wal, &info) == 0)
    limit = MAX (limit, info.st_size);
  set_file_size_limit (limit + 512 * 1024);

  /* Batches of ten writes until one does not commit (bounded: the limit is 512 KiB away). */
  for (guint batch = 0; batch < 1000 && !failed; batch++) {
    for (guint i = 0; i < 10 && !failed; i++) {
      g_autofree char *name = g_strdup_printf ("attr%u-%u", batch, i);

      if (!ag_engine_user_attr_set (engine, "demo", "alice", name, big, &error))
        failed = TRUE;
    }

    if (!failed && !ag_engine_commit (engine, &error))
      failed = TRUE;
    else if (!failed)
      acknowledged = batch + 1;
  }

  g_assert_true (failed);
  g_assert_cmpuint (acknowledged, >, 0);
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
  g_test_message ("after %u batches: %s", acknowledged, error->message);
  g_clear_error (&error);

  /* Whatever failed is reported once; the engine keeps working once there is room. */
  set_file_size_limit (RLIM_INFINITY);
  ag_engine_commit (engine, NULL);
  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "after", "yes", NULL));
  commit (engine);
  g_assert_finalize_object (engine);

  engine = open_engine_at (path);
  kept = ag_engine_user_attr_get (engine, "demo", "alice", "kept", NULL);
  g_assert_cmpstr (kept, ==, "yes");
  for (guint batch = 0; batch < acknowledged; batch++) {
    for (guint i = 0; i < 10; i++) {
      g_autofree char *name = g_strdup_printf ("attr%u-%u", batch, i);
      g_autofree char *value = ag_engine_user_attr_get (engine, "demo", "alice", name, NULL);

      g_assert_cmpstr (value, ==, big);
    }
  }
  lost = ag_engine_user_attr_get (engine, "demo", "alice", "after", NULL);
  g_assert_cmpstr (lost, ==, "yes");
  g_assert_finalize_object (engine);
}

static void
test_engine_sqlite_channel_retried (void)
{
  g_autofree char *path = new_state_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *big = g_strnfill (8000, 'c');
  g_autoptr(GHashTable) attrs = attrs_of ("topic", "news", NULL);
  g_autoptr(GHashTable) uids = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GError) error = NULL;
  AgEngine *engine = open_engine_at (path);
  AgEngineChannel *channel;
  GStatBuf info;
  goffset limit = 0;

  signal (SIGXFSZ, SIG_IGN);

  for (guint i = 0; i < 64; i++) {
    g_autofree char *name = g_strdup_printf ("a%u", i);

    g_hash_table_insert (attrs, g_strdup (name), g_strdup (big));
  }

  /* The snapshot does not fit: its commit fails and says so... */
  if (g_stat (path, &info) == 0)
    limit = info.st_size;
  if (g_stat (wal, &info) == 0)
    limit = MAX (limit, info.st_size);
  set_file_size_limit (limit + 64 * 1024);
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "lobby", .attrs = attrs, .total_joins = 3,
  });
  g_assert_false (ag_engine_commit (engine, &error));
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
  set_file_size_limit (RLIM_INFINITY);

  /* ...and is written with the next commit: the hub still holds the channel. */
  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL));
  commit (engine);
  g_assert_finalize_object (engine);

  engine = open_engine_at (path);
  g_assert_true (ag_engine_load_app (engine, "demo", &uids, &channels, NULL));
  channel = find_channel (channels, "lobby");
  g_assert_cmpuint (channel->total_joins, ==, 3);
  g_assert_cmpuint (g_hash_table_size (channel->attrs), ==, 65);
  g_assert_cmpstr (g_hash_table_lookup (channel->attrs, "a63"), ==, big);
  g_assert_finalize_object (engine);
}

static void
test_engine_sqlite_full_disk_at_start (void)
{
  g_autofree char *path = new_state_path ();

  signal (SIGXFSZ, SIG_IGN);
  set_file_size_limit (0);
  assert_open_fails (path, "is the disk full?");
  set_file_size_limit (RLIM_INFINITY);
}

static void
test_engine_sqlite_newer_schema (void)
{
  g_autofree char *path = new_state_path ();
  sqlite3 *db = NULL;

  g_assert_finalize_object (open_engine_at (path));

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  assert_open_fails (path, "newer agsignald (schema version 99");
}

static void
test_engine_sqlite_migrates_empty (void)
{
  g_autofree char *path = new_state_path ();
  sqlite3 *db = NULL;
  sqlite3_stmt *statement = NULL;
  AgEngine *engine;

  /* An SQLite file with nothing in it yet is version 0 and is brought forward. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 0; VACUUM", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  engine = open_engine_at (path);
  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL));
  g_assert_finalize_object (engine);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &statement, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (statement), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (statement, 0), ==, AG_ENGINE_SQLITE_SCHEMA_VERSION);
  sqlite3_finalize (statement);
  sqlite3_close (db);
}

static void
test_engine_sqlite_not_a_state_file (void)
{
  g_autofree char *garbage = new_state_path ();
  g_autofree char *foreign = new_state_path ();
  g_autofree char *text = g_strnfill (8192, 'g');
  sqlite3 *db = NULL;

  g_assert_true (g_file_set_contents (garbage, text, -1, NULL));
  assert_open_fails (garbage, "not an agsignald state file");

  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (text)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  assert_open_fails (foreign, "not an agsignald state file");
}

static void
test_engine_sqlite_corrupt (void)
{
  g_autofree char *path = new_state_path ();
  g_autofree char *contents = NULL;
  AgEngine *engine = open_engine_at (path);
  gsize length;

  for (guint i = 0; i < 200; i++) {
    g_autofree char *name = g_strdup_printf ("attr%u", i);

    ag_engine_user_attr_set (engine, "demo", "alice", name, "some value to fill pages", NULL);
  }
  g_assert_finalize_object (engine);

  /* Everything after the first page (the header and schema) is overwritten. */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8192);
  memset (contents + 4096, 0x5a, length - 4096);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  assert_open_fails (path, "corrupt");
}

static void
test_engine_sqlite_read_only (void)
{
  g_autofree char *path = new_state_path ();

  g_assert_finalize_object (open_engine_at (path));
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  assert_open_fails (path, "cannot be written");
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
}

static void
test_engine_sqlite_locked (void)
{
  g_autofree char *path = new_state_path ();
  AgEngine *engine = open_engine_at (path);

  /* The lock is the file's: a second opener fails, in this process as in another. */
  assert_open_fails (path, "in use by another process");
  g_assert_finalize_object (engine);
  g_assert_finalize_object (open_engine_at (path));
}

static void
test_engine_sqlite_not_a_file (void)
{
  assert_open_fails (state_dir, "not a regular file");
}

static void
remove_state_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (state_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (state_dir, name, NULL);

    g_remove (path);
  }
  g_rmdir (state_dir);
}

static const EngineFactory sqlite_factory = { open_engine };

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  state_dir = g_dir_make_tmp ("test-engine-sqlite-XXXXXX", NULL);
  g_assert_nonnull (state_dir);

  g_test_add_func ("/ag/engine-sqlite/type", test_engine_sqlite_type);
  engine_conformance_add_tests ("/ag/engine-sqlite", &sqlite_factory);
  g_test_add_func ("/ag/engine-sqlite/offline-bytes", test_engine_sqlite_offline_bytes);

  g_test_add_func ("/ag/engine-sqlite/reopen", test_engine_sqlite_reopen);
  g_test_add_func ("/ag/engine-sqlite/channels", test_engine_sqlite_channels);
  g_test_add_func ("/ag/engine-sqlite/full-disk", test_engine_sqlite_full_disk);
  g_test_add_func ("/ag/engine-sqlite/channel-retried", test_engine_sqlite_channel_retried);
  g_test_add_func ("/ag/engine-sqlite/full-disk-at-start", test_engine_sqlite_full_disk_at_start);
  g_test_add_func ("/ag/engine-sqlite/newer-schema", test_engine_sqlite_newer_schema);
  g_test_add_func ("/ag/engine-sqlite/migrates-empty", test_engine_sqlite_migrates_empty);
  g_test_add_func ("/ag/engine-sqlite/not-a-state-file", test_engine_sqlite_not_a_state_file);
  g_test_add_func ("/ag/engine-sqlite/corrupt", test_engine_sqlite_corrupt);
  g_test_add_func ("/ag/engine-sqlite/read-only", test_engine_sqlite_read_only);
  g_test_add_func ("/ag/engine-sqlite/locked", test_engine_sqlite_locked);
  g_test_add_func ("/ag/engine-sqlite/not-a-file", test_engine_sqlite_not_a_file);

  status = g_test_run ();

  remove_state_dir ();
  g_free (state_dir);

  return status;
}
