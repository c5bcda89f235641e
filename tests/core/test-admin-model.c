/* test-admin-model.c: the admin view's batched, sorted model against its index
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-model-private.h"

static const char *
item_key (gpointer item)
{
  return g_object_get_data (item, "key");
}

static GObject *
item_new (const char *key)
{
  GObject *item = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data_full (item, "key", g_strdup (key), g_free);
  return item;
}

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  (*changes)++;
}

/* The store holds exactly the index's items, the same objects, in key order. */
static void
assert_store_is_index (AgAdminModel *model)
{
  GListModel *store = _ag_admin_model_get_model (model);
  guint n = g_list_model_get_n_items (store);

  g_assert_cmpuint (n, ==, _ag_admin_model_get_n_items (model));
  for (guint i = 0; i < n; i++) {
    g_autoptr(GObject) item = g_list_model_get_item (store, i);

    g_assert_true (_ag_admin_model_lookup (model, item_key (item)) == (gpointer) item);
    if (i > 0) {
      g_autoptr(GObject) previous = g_list_model_get_item (store, i - 1);

      g_assert_cmpstr (item_key (previous), <, item_key (item));
    }
  }
}

static void
test_random (void)
{
  g_autoptr(AgAdminModel) model = _ag_admin_model_new (G_TYPE_OBJECT, item_key);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261203);

  for (int round = 0; round < 200; round++) {
    int ops = g_rand_int_range (rand, 1, 60);

    for (int i = 0; i < ops; i++) {
      g_autofree char *key = g_strdup_printf ("k%03d", g_rand_int_range (rand, 0, 400));

      if (g_rand_boolean (rand)) {
        g_autoptr(GObject) item = item_new (key);

        _ag_admin_model_put (model, item);
      } else {
        _ag_admin_model_remove (model, key);
      }
    }
    _ag_admin_model_flush (model);
    assert_store_is_index (model);
  }
}

/* A snapshot in key order is taken as it is; one out of order is sorted, and of two items of
 * one key the later one stays, as in the index. */
static void
test_replace (void)
{
  static const char * const sorted[] = { "a", "b", "c", "d" };
  static const char * const unsorted[] = { "d", "b", "a", "b", "c", "a" };
  g_autoptr(AgAdminModel) model = _ag_admin_model_new (G_TYPE_OBJECT, item_key);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *store = _ag_admin_model_get_model (model);
  guint changes = 0;
  gpointer later_a, later_b;

  g_signal_connect (store, "items-changed", G_CALLBACK (count_changes_cb), &changes);

  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    g_ptr_array_add (items, item_new (sorted[i]));
  _ag_admin_model_replace (model, items);
  g_assert_cmpuint (changes, ==, 1);
  assert_store_is_index (model);
  g_assert_cmpuint (g_list_model_get_n_items (store), ==, 4);
  {
    guint n_items = 0;
    GType item_type = G_TYPE_INVALID;

    g_object_get (store, "n-items", &n_items, "item-type", &item_type, NULL);
    g_assert_cmpuint (n_items, ==, 4);
    g_assert_true (item_type == G_TYPE_OBJECT);
    g_assert_null (g_list_model_get_item (store, 4));
  }

  g_ptr_array_set_size (items, 0);
  for (guint i = 0; i < G_N_ELEMENTS (unsorted); i++)
    g_ptr_array_add (items, item_new (unsorted[i]));
  later_b = items->pdata[3];
  later_a = items->pdata[5];
  _ag_admin_model_replace (model, items);
  g_assert_cmpuint (changes, ==, 2);
  assert_store_is_index (model);
  g_assert_cmpuint (g_list_model_get_n_items (store), ==, 4);
  g_assert_true (_ag_admin_model_lookup (model, "a") == later_a);
  g_assert_true (_ag_admin_model_lookup (model, "b") == later_b);

  g_signal_handlers_disconnect_by_func (store, count_changes_cb, &changes);
}

/* A snapshot in parts: the model shows what it showed until the commit, a discarded one
 * changes nothing. */
static void
test_staged (void)
{
  g_autoptr(AgAdminModel) model = _ag_admin_model_new (G_TYPE_OBJECT, item_key);
  GListModel *store = _ag_admin_model_get_model (model);
  g_autoptr(GObject) old = item_new ("old");
  g_autoptr(GObject) first_b = item_new ("b");
  g_autoptr(GObject) later_b = item_new ("b");
  g_autoptr(GObject) a = item_new ("a");
  guint changes = 0;

  _ag_admin_model_put (model, old);
  _ag_admin_model_flush (model);
  g_signal_connect (store, "items-changed", G_CALLBACK (count_changes_cb), &changes);

  _ag_admin_model_stage_none (model);
  _ag_admin_model_stage (model, a);
  _ag_admin_model_discard_staged (model);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_true (_ag_admin_model_lookup (model, "old") == (gpointer) old);

  _ag_admin_model_stage_none (model);
  _ag_admin_model_stage (model, first_b);
  _ag_admin_model_stage (model, a);
  _ag_admin_model_stage (model, later_b);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (_ag_admin_model_get_n_items (model), ==, 1);
  g_assert_null (_ag_admin_model_lookup (model, "a"));

  _ag_admin_model_commit_staged (model);
  g_assert_cmpuint (changes, ==, 1);
  assert_store_is_index (model);
  g_assert_cmpuint (g_list_model_get_n_items (store), ==, 2);
  g_assert_null (_ag_admin_model_lookup (model, "old"));
  g_assert_true (_ag_admin_model_lookup (model, "b") == (gpointer) later_b);

  /* An empty snapshot empties the model. */
  _ag_admin_model_stage_none (model);
  _ag_admin_model_commit_staged (model);
  g_assert_cmpuint (g_list_model_get_n_items (store), ==, 0);
  g_assert_cmpuint (_ag_admin_model_get_n_items (model), ==, 0);

  g_signal_handlers_disconnect_by_func (store, count_changes_cb, &changes);
}

static void
test_batches (void)
{
  g_autoptr(AgAdminModel) model = _ag_admin_model_new (G_TYPE_OBJECT, item_key);
  g_autoptr(GPtrArray) snapshot = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *store = _ag_admin_model_get_model (model);
  g_autoptr(GObject) kept = NULL;
  guint changes = 0;

  for (int i = 999; i >= 0; i--) {
    char key[16];

    g_snprintf (key, sizeof key, "u%04d", i * 2);
    g_ptr_array_add (snapshot, item_new (key));
  }
  _ag_admin_model_replace (model, snapshot);
  assert_store_is_index (model);
  kept = g_list_model_get_item (store, 500);
  g_signal_connect (store, "items-changed", G_CALLBACK (count_changes_cb), &changes);

  /* The view answers at once; the list follows at the flush, in one change for 20 keys
   * near one another, one of them a removal. */
  for (int i = 0; i < 20; i++) {
    g_autofree char *key = g_strdup_printf ("u%04d", 1001 + i * 2);
    g_autoptr(GObject) item = item_new (key);

    _ag_admin_model_put (model, item);
  }
  _ag_admin_model_remove (model, "u1010");
  g_assert_cmpuint (_ag_admin_model_get_n_items (model), ==, 1019);
  g_assert_null (_ag_admin_model_lookup (model, "u1010"));
  g_assert_cmpuint (g_list_model_get_n_items (store), ==, 1000);
  _ag_admin_model_flush (model);
  g_assert_cmpuint (changes, ==, 1);
  assert_store_is_index (model);

  /* An item outside the changes is the same object as before. */
  {
    g_autoptr(GObject) item = g_list_model_get_item (store, 500);

    g_assert_true (item == kept);
  }

  /* Changes far apart are separate changes; a key that came and went is none. */
  changes = 0;
  {
    g_autoptr(GObject) first = item_new ("u0001");
    g_autoptr(GObject) last = item_new ("u1997");
    g_autoptr(GObject) gone = item_new ("u0999");

    _ag_admin_model_put (model, first);
    _ag_admin_model_put (model, last);
    _ag_admin_model_put (model, gone);
    _ag_admin_model_remove (model, "u0999");
  }
  _ag_admin_model_flush (model);
  g_assert_cmpuint (changes, ==, 2);
  assert_store_is_index (model);

  /* Flushing again changes nothing. */
  changes = 0;
  _ag_admin_model_flush (model);
  g_assert_cmpuint (changes, ==, 0);
}

static gboolean
store_has (gpointer data)
{
  return g_list_model_get_n_items (_ag_admin_model_get_model (data)) == 1;
}

static gboolean
give_up_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Without a flush, the list follows by itself within the batch interval. */
static void
test_follows_by_itself (void)
{
  g_autoptr(AgAdminModel) model = _ag_admin_model_new (G_TYPE_OBJECT, item_key);
  g_autoptr(GObject) item = item_new ("alice");
  gboolean gave_up = FALSE;
  guint give_up = g_timeout_add_seconds (5, give_up_cb, &gave_up);

  _ag_admin_model_put (model, item);
  g_assert_cmpuint (g_list_model_get_n_items (_ag_admin_model_get_model (model)), ==, 0);
  while (!store_has (model) && !gave_up)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (gave_up);
  g_source_remove (give_up);
  assert_store_is_index (model);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/admin-model/random", test_random);
  g_test_add_func ("/ag/admin-model/replace", test_replace);
  g_test_add_func ("/ag/admin-model/staged", test_staged);
  g_test_add_func ("/ag/admin-model/batches", test_batches);
  g_test_add_func ("/ag/admin-model/follows-by-itself", test_follows_by_itself);

  return g_test_run ();
}
