/* ag-admin-model.c: a live view's sorted list model, changed in batches
 *
 * A busy app sends thousands of presence events a second. Applied one by one, each is an
 * items-changed, and every view stacked on the model (a filter, a sorter, a column view that
 * rebuilds the rows it shows) pays for each. Here the index answers at once, while the list
 * model catches up at most BATCH_INTERVAL_MS later: the keys changed since the last batch are
 * merged in key order, and changes close to one another become one splice, in which the items
 * that did not change are the same objects, so that views keep their rows for them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-model-private.h"
#include "ag-admin-list-private.h"

#include <string.h>

/* About one frame: a view never lags more than that behind the stream. */
#define BATCH_INTERVAL_MS 16
/* Changes at most this many positions apart share one splice. */
#define NEARBY            64

struct _AgAdminModel {
  AgAdminList         *store;  /* sorted by key */
  GHashTable          *index;  /* key (the item's own) -> item (a reference): what the view
                                * holds now */
  GHashTable          *dirty;  /* keys changed since the store was last brought up to date */
  AgAdminModelKeyFunc  key_func;
  GMainContext        *context;
  GSource             *batch;

  /* A snapshot arriving: its items in arrival order and their index, built as they come. */
  GPtrArray           *staged;
  GHashTable          *staged_index;
  gboolean             staged_sorted;
};

static GHashTable *
index_new (void)
{
  /* An item's key is its own string, valid while the table holds the item, so that a
   * snapshot of 100,000 items does not copy 100,000 keys. */
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

AgAdminModel *
_ag_admin_model_new (GType               item_type,
                     AgAdminModelKeyFunc key_func)
{
  AgAdminModel *self = g_new0 (AgAdminModel, 1);

  self->store = _ag_admin_list_new (item_type);
  self->index = index_new ();
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->key_func = key_func;
  self->context = g_main_context_ref_thread_default ();

  return self;
}

static void
cancel_batch (AgAdminModel *self)
{
  if (self->batch != NULL) {
    g_source_destroy (self->batch);
    g_clear_pointer (&self->batch, g_source_unref);
  }
}

void
_ag_admin_model_free (AgAdminModel *self)
{
  cancel_batch (self);
  _ag_admin_model_discard_staged (self);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_object (&self->store);
  g_main_context_unref (self->context);
  g_free (self);
}

GListModel *
_ag_admin_model_get_model (AgAdminModel *self)
{
  return G_LIST_MODEL (self->store);
}

guint
_ag_admin_model_get_n_items (AgAdminModel *self)
{
  return g_hash_table_size (self->index);
}

gpointer
_ag_admin_model_lookup (AgAdminModel *self,
                        const char   *key)
{
  return g_hash_table_lookup (self->index, key);
}

static gboolean
batch_cb (gpointer data)
{
  AgAdminModel *self = data;

  g_clear_pointer (&self->batch, g_source_unref);
  _ag_admin_model_flush (self);

  return G_SOURCE_REMOVE;
}

static void
mark_dirty (AgAdminModel *self,
            const char   *key)
{
  g_hash_table_add (self->dirty, g_strdup (key));

  if (self->batch == NULL) {
    self->batch = g_timeout_source_new (BATCH_INTERVAL_MS);
    g_source_set_callback (self->batch, batch_cb, self, NULL);
    g_source_set_static_name (self->batch, "[agsignal] admin model batch");
    g_source_attach (self->batch, self->context);
  }
}

void
_ag_admin_model_put (AgAdminModel *self,
                     gpointer      item)
{
  const char *key = self->key_func (item);

  g_hash_table_replace (self->index, (gpointer) key, g_object_ref (item));
  mark_dirty (self, key);
}

void
_ag_admin_model_remove (AgAdminModel *self,
                        const char   *key)
{
  if (g_hash_table_remove (self->index, key))
    mark_dirty (self, key);
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      key_func)
{
  AgAdminModelKeyFunc key = key_func;

  return strcmp (key (*(gpointer *) a), key (*(gpointer *) b));
}

/* Sorts items by key and keeps the last item of each key (the stable sort keeps arrival
 * order among equal keys), as the index does. */
static void
sort_unique (AgAdminModel *self,
             GPtrArray    *items)
{
  g_ptr_array_sort_with_data (items, compare_items, (gpointer) self->key_func);

  /* Duplicates are rare (an account that came back while the snapshot was sent). */
  for (guint i = items->len; i > 1; i--)
    if (strcmp (self->key_func (items->pdata[i - 2]), self->key_func (items->pdata[i - 1])) == 0)
      g_ptr_array_remove_index (items, i - 2);
}

void
_ag_admin_model_discard_staged (AgAdminModel *self)
{
  g_clear_pointer (&self->staged, g_ptr_array_unref);
  g_clear_pointer (&self->staged_index, g_hash_table_unref);
}

void
_ag_admin_model_stage_none (AgAdminModel *self)
{
  _ag_admin_model_discard_staged (self);
  self->staged = g_ptr_array_new_with_free_func (g_object_unref);
  self->staged_index = index_new ();
  self->staged_sorted = TRUE;
}

void
_ag_admin_model_stage (AgAdminModel *self,
                       gpointer      item)
{
  const char *key = self->key_func (item);

  if (self->staged == NULL)
    _ag_admin_model_stage_none (self);

  /* agsignald sends a snapshot in key order: checked here, one comparison an item, it need
   * not be sorted again. */
  if (self->staged->len > 0 &&
      strcmp (self->key_func (self->staged->pdata[self->staged->len - 1]), key) >= 0)
    self->staged_sorted = FALSE;

  g_ptr_array_add (self->staged, g_object_ref (item));
  g_hash_table_replace (self->staged_index, (gpointer) key, g_object_ref (item));
}

void
_ag_admin_model_commit_staged (AgAdminModel *self)
{
  GPtrArray *items;

  if (self->staged == NULL)
    _ag_admin_model_stage_none (self);

  /* A snapshot taken while accounts come and go may be out of order, or hold one twice. */
  if (!self->staged_sorted)
    sort_unique (self, self->staged);

  items = g_steal_pointer (&self->staged);
  g_hash_table_unref (self->index);
  self->index = g_steal_pointer (&self->staged_index);
  g_hash_table_remove_all (self->dirty);
  cancel_batch (self);
  _ag_admin_list_take (self->store, items);
}

void
_ag_admin_model_replace (AgAdminModel *self,
                         GPtrArray    *items)
{
  _ag_admin_model_stage_none (self);
  for (guint i = 0; i < items->len; i++)
    _ag_admin_model_stage (self, items->pdata[i]);
  _ag_admin_model_commit_staged (self);
}

/* Binary search in the store: the position of key, or where it would go. */
static guint
store_position (AgAdminModel *self,
                const char   *key,
                gboolean     *out_found)
{
  guint lo = 0, hi = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  *out_found = FALSE;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    int c = strcmp (self->key_func (_ag_admin_list_peek (self->store, mid)), key);

    if (c < 0) {
      lo = mid + 1;
    } else {
      *out_found = c == 0;
      hi = mid;
    }
  }

  return lo;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Rewrites store positions [start, end) with the changed keys first..last merged in. */
static void
splice_run (AgAdminModel  *self,
            const char   **keys,
            guint          first,
            guint          last,
            guint          start,
            guint          end)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean changed = FALSE;
  guint k = first;

  for (guint position = start; position < end; position++) {
    GObject *old = g_list_model_get_item (G_LIST_MODEL (self->store), position);
    const char *key = self->key_func (old);

    /* Keys new to the store, before this item. */
    for (; k <= last && strcmp (keys[k], key) < 0; k++) {
      gpointer item = g_hash_table_lookup (self->index, keys[k]);

      if (item != NULL) {
        g_ptr_array_add (items, g_object_ref (item));
        changed = TRUE;
      }
    }

    if (k <= last && strcmp (keys[k], key) == 0) {
      gpointer item = g_hash_table_lookup (self->index, keys[k++]);

      if (item != NULL)
        g_ptr_array_add (items, g_object_ref (item));
      changed |= item != (gpointer) old;
      g_object_unref (old);
    } else {
      g_ptr_array_add (items, old);
    }
  }

  for (; k <= last; k++) {
    gpointer item = g_hash_table_lookup (self->index, keys[k]);

    if (item != NULL) {
      g_ptr_array_add (items, g_object_ref (item));
      changed = TRUE;
    }
  }

  /* A key that came and went within the batch leaves the store as it was. */
  if (changed)
    _ag_admin_list_splice (self->store, start, end - start, items->pdata, items->len);
}

void
_ag_admin_model_flush (AgAdminModel *self)
{
  g_autofree const char **keys = NULL;
  guint n_keys, i;

  cancel_batch (self);
  if (g_hash_table_size (self->dirty) == 0)
    return;

  keys = (const char **) g_hash_table_get_keys_as_array (self->dirty, &n_keys);
  qsort (keys, n_keys, sizeof *keys, compare_keys);

  /* From the last run to the first, so that the positions before a run stay valid. */
  i = n_keys;
  while (i > 0) {
    guint last = i - 1, first = last, start, end;
    gboolean found;

    start = store_position (self, keys[last], &found);
    end = start + (found ? 1 : 0);

    while (first > 0) {
      guint position = store_position (self, keys[first - 1], &found);

      if (start - position > NEARBY)
        break;
      first--;
      start = position;
    }

    splice_run (self, keys, first, last, start, end);
    i = first;
  }

  g_hash_table_remove_all (self->dirty);
}
