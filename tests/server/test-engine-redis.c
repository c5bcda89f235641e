/* test-engine-redis.c: AgEngineRedis, the AgEngine on a Redis server
 *
 * A private redis-server on a free loopback port (tests/fixture/ag-test-redis), emptied
 * before every engine the shared cases (engine-conformance.c) open. The others are about
 * what only a shared, networked store has: a second engine on the same server (uids,
 * attributes, offline messages taken once), reconnecting after the server was killed,
 * the script cache lost, and the URI. Skipped when redis-server is not installed.
 */

#include "ag-engine-redis.h"
#include "ag-test-redis.h"
#include "engine-conformance.h"

#include <signal.h>
#include <string.h>

#include "ag-limits.h"

#define T0 G_GINT64_CONSTANT (1764099000000000)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)

#define message_new engine_test_message_new
#define assert_message engine_test_assert_message

static AgTestRedis *redis;

static AgEngine *
connect_engine (void)
{
  g_autoptr(GError) error = NULL;
  AgEngine *engine = ag_engine_redis_new (ag_test_redis_get_uri (redis), &error);

  g_assert_no_error (error);
  g_assert_nonnull (engine);

  return engine;
}

/* An engine on an empty server. */
static AgEngine *
open_engine (void)
{
  g_assert_true (ag_test_redis_run (redis, NULL, "FLUSHALL", NULL));

  return connect_engine ();
}

static void
commit (AgEngine *engine)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ag_engine_commit (engine, &error));
  g_assert_no_error (error);
}

static GHashTable *
attrs_of (const char *name,
          ...)
{
  GHashTable *attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start (args, name);
  for (const char *n = name; n != NULL; n = va_arg (args, const char *))
    g_hash_table_insert (attrs, g_strdup (n), g_strdup (va_arg (args, const char *)));
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
test_engine_redis_type (void)
{
  AgEngine *engine = open_engine ();

  g_assert_true (AG_IS_ENGINE_REDIS (engine));
  g_assert_true (ag_engine_claims_uids (engine));
  g_assert_cmpstr (ag_engine_redis_get_uri (AG_ENGINE_REDIS (engine)), ==,
                   ag_test_redis_get_uri (redis));
  g_assert_finalize_object (engine);
}

static void
test_engine_redis_uri (void)
{
  static const char * const bad[] = {
    "http://127.0.0.1:6379", "redis://", "redis:///0", "redis://127.0.0.1:6379/x",
    "redis://127.0.0.1:6379/-1", "redis://user:secret@127.0.0.1:6379", "127.0.0.1:6379",
    "redis://127.0.0.1:6379/0?timeout=1",
  };
  g_autofree char *host = NULL;
  int port = 0, db = -1;

  g_assert_true (ag_engine_redis_parse_uri ("redis://127.0.0.1:7000/3", &host, &port, &db,
                                            NULL));
  g_assert_cmpstr (host, ==, "127.0.0.1");
  g_assert_cmpint (port, ==, 7000);
  g_assert_cmpint (db, ==, 3);
  g_clear_pointer (&host, g_free);
  g_assert_true (ag_engine_redis_parse_uri ("redis://localhost", &host, &port, &db, NULL));
  g_assert_cmpint (port, ==, 6379);
  g_assert_cmpint (db, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;

    g_assert_false (ag_engine_redis_parse_uri (bad[i], NULL, NULL, NULL, &error));
    g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN);
    /* A password in the URI never reaches a message. */
    g_assert_null (strstr (error->message, "secret"));
  }
}

/* Nothing listens: the start fails, as with a state file that cannot be opened. */
static void
test_engine_redis_unreachable (void)
{
  g_autoptr(AgTestRedis) other = ag_test_redis_new (NULL);
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (other);
  uri = g_strdup (ag_test_redis_get_uri (other));
  ag_test_redis_kill (other);

  g_assert_null (ag_engine_redis_new (uri, &error));
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, uri));
}

/* A database other than 0 is used as given and the others are not touched. */
static void
test_engine_redis_database (void)
{
  g_autofree char *uri = g_strconcat (ag_test_redis_get_uri (redis), "/2", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *in_db0 = NULL;
  AgEngine *engine;
  AgEngine *db0;

  g_assert_true (ag_test_redis_run (redis, NULL, "FLUSHALL", NULL));
  engine = ag_engine_redis_new (uri, &error);
  g_assert_no_error (error);
  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL));
  commit (engine);
  g_assert_finalize_object (engine);

  db0 = connect_engine ();
  in_db0 = ag_engine_user_attr_get (db0, "demo", "alice", "color", NULL);
  g_assert_null (in_db0);
  g_assert_finalize_object (db0);

  engine = ag_engine_redis_new (uri, &error);
  g_assert_no_error (error);
  g_free (in_db0);
  in_db0 = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_cmpstr (in_db0, ==, "blue");
  g_assert_finalize_object (engine);
}

/* What one engine committed, a new one (another process, a restart) finds. */
static void
test_engine_redis_reopen (void)
{
  AgEngine *engine = open_engine ();
  g_autoptr(GHashTable) attrs = attrs_of ("topic", "news", "_channel_ttl", "60", NULL);
  g_autoptr(GHashTable) second = attrs_of ("b", "3", NULL);
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
                                         message_new ("alice", 1, "two:with\ncolons", T0 + 1,
                                                      SECONDS (60)), NULL));
  g_assert_true (ag_engine_uid_set (engine, "demo", "alice", 1, NULL));
  g_assert_true (ag_engine_uid_set (engine, "demo", "bob", 2, NULL));
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "lobby", .attrs = attrs, .total_joins = 7, .destroy_us = 0,
  });
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "room", .attrs = attrs, .total_joins = 1, .destroy_us = 0,
  });
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "gone", .attrs = attrs, .total_joins = 1, .destroy_us = T0,
  });
  ag_engine_channel_delete (engine, "demo", "gone");
  commit (engine);
  /* A save replaces the channel whole. */
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "room", .attrs = second, .total_joins = 2, .destroy_us = T0 + SECONDS (9),
  });
  commit (engine);
  g_assert_finalize_object (engine);

  engine = connect_engine ();
  color = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_cmpstr (color, ==, "blue");

  g_assert_true (ag_engine_load_app (engine, "demo", &uids, &channels, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (uids), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (uids, "alice")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (uids, "bob")), ==, 2);
  g_assert_cmpuint (channels->len, ==, 2);
  channel = find_channel (channels, "lobby");
  g_assert_cmpuint (channel->total_joins, ==, 7);
  g_assert_cmpint (channel->destroy_us, ==, 0);
  g_assert_cmpuint (g_hash_table_size (channel->attrs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (channel->attrs, "_channel_ttl"), ==, "60");
  channel = find_channel (channels, "room");
  g_assert_cmpuint (channel->total_joins, ==, 2);
  g_assert_cmpint (channel->destroy_us, ==, T0 + SECONDS (9));
  g_assert_cmpuint (g_hash_table_size (channel->attrs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (channel->attrs, "b"), ==, "3");
  g_clear_pointer (&uids, g_hash_table_unref);
  g_clear_pointer (&channels, g_ptr_array_unref);

  /* uid_set moved the app's counter: a claim continues after the highest. */
  g_assert_cmpuint (ag_engine_uid_claim (engine, "demo", "carol", 0, NULL), ==, 3);

  messages = ag_engine_offline_take (engine, "demo", "bob", T0 + 2, NULL);
  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, ==, 2);
  assert_message (messages, 0, "alice", 1, "one", T0);
  assert_message (messages, 1, "alice", 1, "two:with\ncolons", T0 + 1);
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + 2), ==, G_MAXINT64);
  g_assert_cmpuint (ag_engine_offline_bytes (engine), ==, 0);
  g_assert_finalize_object (engine);

  /* Other apps are not touched. */
  engine = connect_engine ();
  g_assert_true (ag_engine_load_app (engine, "other", &uids, &channels, NULL));
  g_assert_cmpuint (channels->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (uids), ==, 0);
  g_assert_null (ag_engine_offline_take (engine, "demo", "bob", T0 + 2, NULL));
  g_assert_finalize_object (engine);
}

/* Two nodes on one server: one uid per account, never the same for two, whatever each
 * node's own highest uid is. */
static void
test_engine_redis_uid_claim (void)
{
  AgEngine *one = open_engine ();
  AgEngine *two = connect_engine ();
  g_autoptr(GHashTable) uids = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  g_assert_cmpuint (ag_engine_uid_claim (one, "demo", "alice", 0, NULL), ==, 1);
  g_assert_cmpuint (ag_engine_uid_claim (two, "demo", "bob", 0, NULL), ==, 2);
  g_assert_cmpuint (ag_engine_uid_claim (two, "demo", "alice", 0, NULL), ==, 1);
  g_assert_cmpuint (ag_engine_uid_claim (one, "demo", "bob", 0, NULL), ==, 2);
  /* Apps count apart. */
  g_assert_cmpuint (ag_engine_uid_claim (one, "other", "bob", 0, NULL), ==, 1);
  /* A node that knows higher uids (a store that lost its data) claims above them. */
  g_assert_cmpuint (ag_engine_uid_claim (one, "demo", "carol", 41, NULL), ==, 42);
  g_assert_cmpuint (ag_engine_uid_claim (two, "demo", "dave", 0, NULL), ==, 43);

  for (guint i = 0; i < 200; i++) {
    g_autofree char *account = g_strdup_printf ("user%u", i);
    guint32 uid = ag_engine_uid_claim (i % 2 == 0 ? one : two, "demo", account, 0, NULL);

    g_assert_cmpuint (uid, >, 43);
    g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (uid)));
    g_hash_table_add (seen, GUINT_TO_POINTER (uid));
  }

  g_assert_true (ag_engine_load_app (two, "demo", &uids, &channels, NULL));
  g_assert_cmpuint (g_hash_table_size (uids), ==, 204);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (uids, "carol")), ==, 42);

  g_assert_finalize_object (one);
  g_assert_finalize_object (two);
}

/* Attributes one node writes, the other reads once committed; an offline message is taken
 * by one of them only. */
static void
test_engine_redis_shared (void)
{
  AgEngine *one = open_engine ();
  AgEngine *two = connect_engine ();
  g_autoptr(GHashTable) attrs = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GHashTable) texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint taken = 0;

  g_assert_true (ag_engine_user_attr_set (one, "demo", "alice", "color", "blue", NULL));
  commit (one);
  attrs = ag_engine_user_attr_get_all (two, "demo", "alice", NULL);
  g_assert_cmpuint (g_hash_table_size (attrs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (attrs, "color"), ==, "blue");

  for (guint i = 0; i < 100; i++) {
    g_autofree char *text = g_strdup_printf ("m%03u", i);

    g_assert_true (ag_engine_offline_push (i % 2 == 0 ? one : two, "demo", "bob",
                                           message_new ("alice", 1, text, T0 + i, SECONDS (60)),
                                           NULL));
  }
  g_assert_cmpuint (ag_engine_offline_bytes (two), ==, 100 * (4 + 5));

  /* Both take a few at a time in turn: every message comes out once, in order. */
  for (guint round = 0; round < 33; round++) {
    g_autoptr(GPtrArray) some = NULL;
    gboolean more = FALSE;

    some = ag_engine_offline_take_some (round % 2 == 0 ? one : two, "demo", "bob",
                                        T0 + SECONDS (1), 12, &more, NULL);
    g_assert_nonnull (some);
    for (guint i = 0; i < some->len; i++) {
      AgOfflineMessage *message = g_ptr_array_index (some, i);
      g_autofree char *expected = g_strdup_printf ("m%03u", taken);

      g_assert_cmpstr (message->msg, ==, expected);
      g_assert_true (g_hash_table_add (texts, g_strdup (message->msg)));
      taken++;
    }
    g_assert_cmpuint (some->len, ==, 3);
    g_assert_true (more);
  }
  g_assert_cmpuint (taken, ==, 99);
  first = ag_engine_offline_take (one, "demo", "bob", T0 + SECONDS (1), NULL);
  g_assert_cmpuint (first->len, ==, 1);
  assert_message (first, 0, "alice", 1, "m099", T0 + 99);
  second = ag_engine_offline_take (two, "demo", "bob", T0 + SECONDS (1), NULL);
  g_assert_null (second);
  g_assert_cmpuint (ag_engine_offline_bytes (two), ==, 0);

  g_assert_finalize_object (one);
  g_assert_finalize_object (two);
}

/* The admin API's view leaves the queue as it was. */
static void
test_engine_redis_peek (void)
{
  AgEngine *engine = open_engine ();
  g_autoptr(GPtrArray) peeked = NULL;
  g_autoptr(GPtrArray) taken = NULL;
  gboolean supported = FALSE;

  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "old", T0, SECONDS (1)), NULL);
  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "new", T0, SECONDS (60)), NULL);

  peeked = ag_engine_offline_peek (engine, "demo", "bob", T0 + SECONDS (2), &supported, NULL);
  g_assert_true (supported);
  g_assert_cmpuint (peeked->len, ==, 1);
  assert_message (peeked, 0, "a", 1, "new", T0);
  taken = ag_engine_offline_take (engine, "demo", "bob", T0, NULL);
  g_assert_cmpuint (taken->len, ==, 2);
  g_assert_finalize_object (engine);
}

/* A restarted server has no scripts: the engine sends them again. */
static void
test_engine_redis_script_flush (void)
{
  AgEngine *engine = open_engine ();
  g_autoptr(GPtrArray) messages = NULL;

  g_assert_true (ag_test_redis_run (redis, NULL, "SCRIPT", "FLUSH", NULL));
  g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                         message_new ("a", 1, "hi", T0, SECONDS (60)), NULL));
  g_assert_true (ag_test_redis_run (redis, NULL, "SCRIPT", "FLUSH", NULL));
  messages = ag_engine_offline_take (engine, "demo", "bob", T0, NULL);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_true (ag_test_redis_run (redis, NULL, "SCRIPT", "FLUSH", NULL));
  g_assert_cmpuint (ag_engine_uid_claim (engine, "demo", "alice", 0, NULL), ==, 1);
  g_assert_finalize_object (engine);
}

static gboolean
attr_readable (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = ag_engine_user_attr_get (data, "demo", "alice", "color", &error);

  return error == NULL;
}

/* Redis killed: what is in flight and what comes later fails with a storage error, quickly;
 * once it is back the engine reconnects by itself. */
static void
test_engine_redis_outage (void)
{
  AgEngine *engine = open_engine ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attrs = attrs_of ("topic", "news", NULL);
  g_autoptr(GHashTable) uids = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autofree char *value = NULL;
  gint64 start;

  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "kept", "yes", NULL));
  commit (engine);

  /* Pipelined before the kill, answered after it: the commit fails. */
  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL));
  ag_test_redis_kill (redis);
  g_assert_false (ag_engine_commit (engine, &error));
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
  g_test_message ("commit: %s", error->message);
  g_clear_error (&error);

  /* Meanwhile every call fails at once, none blocks. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 100; i++) {
    g_assert_null (ag_engine_user_attr_get (engine, "demo", "alice", "kept", &error));
    g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
    g_clear_error (&error);
    g_assert_false (ag_engine_user_attr_set (engine, "demo", "alice", "color", "red", &error));
    g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
    g_clear_error (&error);
    g_assert_false (ag_engine_offline_push (engine, "demo", "bob",
                                            message_new ("a", 1, "x", T0, SECONDS (60)), &error));
    g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
    g_clear_error (&error);
    g_assert_cmpuint (ag_engine_uid_claim (engine, "demo", "eve", 0, &error), ==, 0);
    g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
    g_clear_error (&error);
    g_assert_null (ag_engine_offline_take (engine, "demo", "bob", T0, &error));
    g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
    g_clear_error (&error);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (ag_engine_offline_expire (engine, T0), ==, T0 + SECONDS (10));
  g_assert_false (ag_engine_load_app (engine, "demo", &uids, &channels, &error));
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
  g_clear_error (&error);

  /* A channel saved meanwhile fails its commit and is written once the server is back. */
  ag_engine_channel_save (engine, "demo", &(AgEngineChannel) {
    .name = (char *) "lobby", .attrs = attrs, .total_joins = 4,
  });
  g_assert_false (ag_engine_commit (engine, &error));
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
  g_clear_error (&error);

  g_assert_true (ag_test_redis_restart (redis, &error));
  g_assert_no_error (error);

  /* Back within the reconnect interval, without a new engine. */
  start = g_get_monotonic_time ();
  while (!attr_readable (engine) &&
         g_get_monotonic_time () - start < 3 * AG_ENGINE_REDIS_RECONNECT_MS * 1000)
    g_usleep (50000);
  g_assert_true (attr_readable (engine));
  g_test_message ("reconnected after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);

  /* The server kept nothing (no persistence): the write is gone, new ones work. */
  value = ag_engine_user_attr_get (engine, "demo", "alice", "kept", &error);
  g_assert_no_error (error);
  g_assert_null (value);
  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "green", NULL));
  commit (engine);
  g_free (value);
  value = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_cmpstr (value, ==, "green");

  g_assert_true (ag_engine_load_app (engine, "demo", &uids, &channels, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (channels->len, ==, 1);
  g_assert_cmpuint (find_channel (channels, "lobby")->total_joins, ==, 4);
  g_assert_finalize_object (engine);
}

/* A Redis that stops answering (DEBUG SLEEP 2): a call fails after the reply timeout instead
 * of blocking for as long as Redis does, and the engine is back once Redis answers. */
static void
test_engine_redis_slow (void)
{
  AgEngine *engine = open_engine ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  gint64 start, waited;

  g_assert_true (ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL));
  commit (engine);

  g_assert_true (ag_test_redis_send (redis, "DEBUG", "SLEEP", "2", NULL));
  /* The sleep starts once Redis read it: a command after it waits in line. */
  g_usleep (100000);
  start = g_get_monotonic_time ();
  g_assert_null (ag_engine_user_attr_get (engine, "demo", "alice", "color", &error));
  waited = g_get_monotonic_time () - start;
  g_assert_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE);
  g_test_message ("failed after %" G_GINT64_FORMAT " ms: %s", waited / 1000, error->message);
  g_clear_error (&error);
  g_assert_cmpint (waited, >=, AG_ENGINE_REDIS_TIMEOUT_MS * 1000 * 9 / 10);
  g_assert_cmpint (waited, <, 2 * G_USEC_PER_SEC);

  /* Sleeping is over after 2 s; the next call reconnects. */
  g_usleep (1500000);
  value = ag_engine_user_attr_get (engine, "demo", "alice", "color", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "blue");
  g_assert_finalize_object (engine);
}

static void
test_skip (void)
{
  g_test_skip ("redis-server is not installed (tools/deps test installs it)");
}

static const EngineFactory redis_factory = { open_engine };

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A write to a connection Redis closed is an error, not a kill. */
  signal (SIGPIPE, SIG_IGN);

  if (!ag_test_redis_available ()) {
    g_test_add_func ("/ag/engine-redis/skipped", test_skip);
    return g_test_run ();
  }

  redis = ag_test_redis_new (&error);
  g_assert_no_error (error);

  g_test_add_func ("/ag/engine-redis/type", test_engine_redis_type);
  engine_conformance_add_tests ("/ag/engine-redis", &redis_factory);
  g_test_add_func ("/ag/engine-redis/uri", test_engine_redis_uri);
  g_test_add_func ("/ag/engine-redis/unreachable", test_engine_redis_unreachable);
  g_test_add_func ("/ag/engine-redis/database", test_engine_redis_database);
  g_test_add_func ("/ag/engine-redis/reopen", test_engine_redis_reopen);
  g_test_add_func ("/ag/engine-redis/uid-claim", test_engine_redis_uid_claim);
  g_test_add_func ("/ag/engine-redis/shared", test_engine_redis_shared);
  g_test_add_func ("/ag/engine-redis/peek", test_engine_redis_peek);
  g_test_add_func ("/ag/engine-redis/script-flush", test_engine_redis_script_flush);
  g_test_add_func ("/ag/engine-redis/outage", test_engine_redis_outage);
  g_test_add_func ("/ag/engine-redis/slow", test_engine_redis_slow);

  status = g_test_run ();

  g_clear_pointer (&redis, ag_test_redis_free);

  return status;
}
