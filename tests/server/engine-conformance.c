/* engine-conformance.c: what every AgEngine must do, run against each engine
 *
 * User attributes (set, replace, delete, list, per app and account) and offline messages
 * (order, expiry, the per-account cap, isolation, dropping an engine that holds state),
 * through the AgEngine interface only. test-engine-memory.c and test-engine-sqlite.c add
 * these cases for their engine, under their own paths; a new engine adds them too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "engine-conformance.h"

#include "ag-limits.h"

#define T0 G_GINT64_CONSTANT (1764099000000000)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)

#define message_new engine_test_message_new
#define assert_message engine_test_assert_message

AgOfflineMessage *
engine_test_message_new (const char *from,
             guint32     uid,
             const char *text,
             gint64      sent_us,
             gint64      ttl_us)
{
  AgOfflineMessage *message = g_new0 (AgOfflineMessage, 1);

  message->from_account = g_strdup (from);
  message->from_uid = uid;
  message->msg = g_strdup (text);
  message->sent_us = sent_us;
  message->expires_us = sent_us + ttl_us;

  return message;
}

void
engine_test_assert_message (GPtrArray  *messages,
                guint       index,
                const char *from,
                guint32     uid,
                const char *text,
                gint64      sent_us)
{
  AgOfflineMessage *message;

  g_assert_cmpuint (index, <, messages->len);
  message = g_ptr_array_index (messages, index);
  g_assert_cmpstr (message->from_account, ==, from);
  g_assert_cmpuint (message->from_uid, ==, uid);
  g_assert_cmpstr (message->msg, ==, text);
  g_assert_cmpint (message->sent_us, ==, sent_us);
}

static void
test_attr_set_get (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autofree char *color = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *other_account = NULL;
  g_autofree char *other_app = NULL;

  ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL);
  color = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_cmpstr (color, ==, "blue");

  ag_engine_user_attr_set (engine, "demo", "alice", "color", "green", NULL);
  replaced = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_cmpstr (replaced, ==, "green");

  missing = ag_engine_user_attr_get (engine, "demo", "alice", "shape", NULL);
  g_assert_null (missing);
  other_account = ag_engine_user_attr_get (engine, "demo", "bob", "color", NULL);
  g_assert_null (other_account);
  other_app = ag_engine_user_attr_get (engine, "other", "alice", "color", NULL);
  g_assert_null (other_app);

  g_assert_finalize_object (engine);
}

static void
test_attr_delete (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GHashTable) after_empty = NULL;
  g_autoptr(GHashTable) after_null = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *gone = NULL;

  ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL);
  ag_engine_user_attr_set (engine, "demo", "alice", "shape", "round", NULL);

  ag_engine_user_attr_set (engine, "demo", "alice", "color", "", NULL);
  gone = ag_engine_user_attr_get (engine, "demo", "alice", "color", NULL);
  g_assert_null (gone);
  kept = ag_engine_user_attr_get (engine, "demo", "alice", "shape", NULL);
  g_assert_cmpstr (kept, ==, "round");

  after_empty = ag_engine_user_attr_get_all (engine, "demo", "alice", NULL);
  g_assert_cmpuint (g_hash_table_size (after_empty), ==, 1);

  ag_engine_user_attr_set (engine, "demo", "alice", "shape", NULL, NULL);
  after_null = ag_engine_user_attr_get_all (engine, "demo", "alice", NULL);
  g_assert_nonnull (after_null);
  g_assert_cmpuint (g_hash_table_size (after_null), ==, 0);

  /* Deleting what does not exist is harmless. */
  ag_engine_user_attr_set (engine, "demo", "nobody", "shape", "", NULL);

  g_assert_finalize_object (engine);
}

static void
test_attr_get_all (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GHashTable) attrs = NULL;
  g_autoptr(GHashTable) again = NULL;
  g_autoptr(GHashTable) unknown = NULL;

  ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL);
  ag_engine_user_attr_set (engine, "demo", "alice", "shape", "round", NULL);
  ag_engine_user_attr_set (engine, "demo", "bob", "color", "red", NULL);
  ag_engine_user_attr_set (engine, "other", "alice", "color", "black", NULL);

  attrs = ag_engine_user_attr_get_all (engine, "demo", "alice", NULL);
  g_assert_cmpuint (g_hash_table_size (attrs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (attrs, "color"), ==, "blue");
  g_assert_cmpstr (g_hash_table_lookup (attrs, "shape"), ==, "round");

  /* The table is a copy the caller owns. */
  g_hash_table_remove_all (attrs);
  again = ag_engine_user_attr_get_all (engine, "demo", "alice", NULL);
  g_assert_cmpuint (g_hash_table_size (again), ==, 2);

  unknown = ag_engine_user_attr_get_all (engine, "demo", "nobody", NULL);
  g_assert_nonnull (unknown);
  g_assert_cmpuint (g_hash_table_size (unknown), ==, 0);

  g_assert_finalize_object (engine);
}

static void
test_offline_order (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) none = NULL;

  none = ag_engine_offline_take (engine, "demo", "bob", T0, NULL);
  g_assert_null (none);

  g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                         message_new ("alice", 1, "one", T0, SECONDS (60)), NULL));
  g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                         message_new ("carol", 3, "two", T0 + 1, SECONDS (10)), NULL));
  g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                         message_new ("alice", 1, "three", T0 + 2, SECONDS (30)), NULL));

  messages = ag_engine_offline_take (engine, "demo", "bob", T0 + SECONDS (5), NULL);
  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, ==, 3);
  assert_message (messages, 0, "alice", 1, "one", T0);
  assert_message (messages, 1, "carol", 3, "two", T0 + 1);
  assert_message (messages, 2, "alice", 1, "three", T0 + 2);

  again = ag_engine_offline_take (engine, "demo", "bob", T0 + SECONDS (5), NULL);
  g_assert_null (again);
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (5)), ==, G_MAXINT64);

  g_assert_finalize_object (engine);
}

static void
test_offline_take_skips_expired (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GPtrArray) messages = NULL;

  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "short", T0, SECONDS (10)), NULL);
  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "long", T0, SECONDS (60)), NULL);
  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "edge", T0, SECONDS (20)), NULL);

  /* A message is gone at exactly sent + ttl. */
  messages = ag_engine_offline_take (engine, "demo", "bob", T0 + SECONDS (20), NULL);
  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, ==, 1);
  assert_message (messages, 0, "a", 1, "long", T0);

  g_assert_finalize_object (engine);
}

static void
test_offline_expire (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GPtrArray) bob = NULL;
  g_autoptr(GPtrArray) carol = NULL;

  g_assert_cmpint (ag_engine_offline_expire (engine, T0), ==, G_MAXINT64);

  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "b30", T0, SECONDS (30)), NULL);
  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "b10", T0, SECONDS (10)), NULL);
  ag_engine_offline_push (engine, "other", "carol", message_new ("a", 1, "c20", T0, SECONDS (20)), NULL);

  g_assert_cmpint (ag_engine_offline_expire (engine, T0), ==, T0 + SECONDS (10));
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (10)), ==, T0 + SECONDS (20));
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (25)), ==, T0 + SECONDS (30));

  carol = ag_engine_offline_take (engine, "other", "carol", T0, NULL);
  g_assert_null (carol);

  /* Taking with an earlier clock shows what expire dropped is really gone. */
  bob = ag_engine_offline_take (engine, "demo", "bob", T0, NULL);
  g_assert_nonnull (bob);
  g_assert_cmpuint (bob->len, ==, 1);
  assert_message (bob, 0, "a", 1, "b30", T0);

  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (100)), ==, G_MAXINT64);

  g_assert_finalize_object (engine);
}

static void
test_offline_cap (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GPtrArray) messages = NULL;

  for (guint i = 0; i < AG_LIMIT_OFFLINE_QUEUE; i++) {
    g_autofree char *text = g_strdup_printf ("m%u", i);
    /* The first ten live 10 s, the others an hour. */
    gint64 ttl = i < 10 ? SECONDS (10) : SECONDS (3600);

    g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                           message_new ("a", 1, text, T0, ttl), NULL));
  }

  g_assert_false (ag_engine_offline_push (engine, "demo", "bob",
                                          message_new ("a", 1, "over", T0 + 1, SECONDS (60)), NULL));
  /* Other accounts have their own queue. */
  g_assert_true (ag_engine_offline_push (engine, "demo", "carol",
                                         message_new ("a", 1, "fine", T0 + 1, SECONDS (60)), NULL));

  /* Once the first ten expired, their places are free again even before expire runs. */
  for (guint i = 0; i < 10; i++)
    g_assert_true (ag_engine_offline_push (engine, "demo", "bob",
                                           message_new ("a", 1, "later", T0 + SECONDS (11),
                                                        SECONDS (60)), NULL));
  g_assert_false (ag_engine_offline_push (engine, "demo", "bob",
                                          message_new ("a", 1, "over", T0 + SECONDS (11),
                                                       SECONDS (60)), NULL));

  messages = ag_engine_offline_take (engine, "demo", "bob", T0 + SECONDS (12), NULL);
  g_assert_cmpuint (messages->len, ==, AG_LIMIT_OFFLINE_QUEUE);
  assert_message (messages, 0, "a", 1, "m10", T0);
  assert_message (messages, AG_LIMIT_OFFLINE_QUEUE - 1, "a", 1, "later", T0 + SECONDS (11));

  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (12)), ==, T0 + 1 + SECONDS (60));

  g_assert_finalize_object (engine);
}

static void
test_offline_isolation (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();
  g_autoptr(GPtrArray) demo = NULL;
  g_autoptr(GPtrArray) other = NULL;

  ag_engine_offline_push (engine, "demo", "bob", message_new ("a", 1, "demo", T0, SECONDS (60)), NULL);
  ag_engine_offline_push (engine, "other", "bob", message_new ("z", 7, "other", T0, SECONDS (60)), NULL);

  demo = ag_engine_offline_take (engine, "demo", "bob", T0, NULL);
  g_assert_cmpuint (demo->len, ==, 1);
  assert_message (demo, 0, "a", 1, "demo", T0);

  other = ag_engine_offline_take (engine, "other", "bob", T0, NULL);
  g_assert_cmpuint (other->len, ==, 1);
  assert_message (other, 0, "z", 7, "other", T0);

  g_assert_finalize_object (engine);
}

static void
test_dispose_with_state (gconstpointer data)
{
  AgEngine *engine = ((const EngineFactory *) data)->new_engine ();

  /* Everything still held is freed with the engine (LeakSanitizer checks). */
  ag_engine_user_attr_set (engine, "demo", "alice", "color", "blue", NULL);
  for (guint i = 0; i < 50; i++) {
    g_autofree char *account = g_strdup_printf ("user%u", i);

    ag_engine_offline_push (engine, "demo", account,
                            message_new ("a", 1, "hi", T0, SECONDS (i + 1)), NULL);
  }
  g_assert_cmpint (ag_engine_offline_expire (engine, T0 + SECONDS (10)), ==, T0 + SECONDS (11));

  g_assert_finalize_object (engine);
}

void
engine_conformance_add_tests (const char          *prefix,
                              const EngineFactory *factory)
{
  static const struct {
    const char *name;
    GTestDataFunc func;
  } tests[] = {
    { "attr-set-get", test_attr_set_get },
    { "attr-delete", test_attr_delete },
    { "attr-get-all", test_attr_get_all },
    { "offline-order", test_offline_order },
    { "offline-take-skips-expired", test_offline_take_skips_expired },
    { "offline-expire", test_offline_expire },
    { "offline-cap", test_offline_cap },
    { "offline-isolation", test_offline_isolation },
    { "dispose-with-state", test_dispose_with_state },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++) {
    g_autofree char *path = g_strconcat (prefix, "/", tests[i].name, NULL);

    g_test_add_data_func (path, factory, tests[i].func);
  }
}
