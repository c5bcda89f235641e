/* ag-console-log-snapshot.c: a copy of a log model that list views can afford
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ag-console-log-snapshot.h"

/* The items are the source's entries numbered [first, first + n) in the order they entered
 * the source (AgConsoleLogModel's n_added counts them): the source only ever drops its oldest
 * entries and adds new ones at the end, so a flush is "drop what the source dropped, append
 * what it added". */
struct _AgConsoleLogSnapshot
{
  GObject            parent_instance;

  AgConsoleLogModel *source;
  GListStore        *items;
  guint64            first;
  guint              interval_ms;
  guint              flush_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgConsoleLogSnapshot, ag_console_log_snapshot, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
ag_console_log_snapshot_get_item_type (GListModel *model)
{
  return AG_CONSOLE_TYPE_LOG_ENTRY;
}

static guint
ag_console_log_snapshot_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (AG_CONSOLE_LOG_SNAPSHOT (model)->items));
}

static gpointer
ag_console_log_snapshot_get_item (GListModel *model,
                                  guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (AG_CONSOLE_LOG_SNAPSHOT (model)->items), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ag_console_log_snapshot_get_item_type;
  iface->get_n_items = ag_console_log_snapshot_get_n_items;
  iface->get_item = ag_console_log_snapshot_get_item;
}

static void
items_changed_cb (AgConsoleLogSnapshot *self,
                  guint                 position,
                  guint                 removed,
                  guint                 added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

void
ag_console_log_snapshot_flush (AgConsoleLogSnapshot *self)
{
  GListModel *source;
  guint64 source_first;
  guint64 source_end;
  guint64 end;
  guint n_items;
  guint source_n_items;
  guint dropped;

  g_return_if_fail (AG_CONSOLE_IS_LOG_SNAPSHOT (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);

  source = G_LIST_MODEL (self->source);
  source_n_items = g_list_model_get_n_items (source);
  source_end = ag_console_log_model_get_n_added (self->source);
  source_first = source_end - source_n_items;
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  /* What the source no longer has (dropped as the oldest, or cleared). */
  dropped = (guint) MIN ((guint64) n_items, source_first > self->first ? source_first - self->first : 0);
  if (dropped > 0) {
    g_list_store_splice (self->items, 0, dropped, NULL, 0);
    n_items -= dropped;
    self->first += dropped;
  }
  if (n_items == 0)
    self->first = source_first;

  /* What it added since. */
  end = self->first + n_items;
  if (source_end > end) {
    guint count = (guint) (source_end - end);
    guint offset = (guint) (end - source_first);
    g_autoptr(GPtrArray) added = g_ptr_array_new_full (count, g_object_unref);

    for (guint i = 0; i < count; i++)
      g_ptr_array_add (added, g_list_model_get_item (source, offset + i));

    g_list_store_splice (self->items, n_items, 0, added->pdata, added->len);
  }
}

static gboolean
flush_cb (gpointer user_data)
{
  AgConsoleLogSnapshot *self = user_data;

  self->flush_id = 0;
  ag_console_log_snapshot_flush (self);

  return G_SOURCE_REMOVE;
}

static void
source_changed_cb (AgConsoleLogSnapshot *self)
{
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (self->interval_ms, flush_cb, self);
}

static void
ag_console_log_snapshot_dispose (GObject *object)
{
  AgConsoleLogSnapshot *self = (AgConsoleLogSnapshot *) object;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  if (self->items != NULL)
    g_signal_handlers_disconnect_by_data (self->items, self);
  g_clear_object (&self->items);

  G_OBJECT_CLASS (ag_console_log_snapshot_parent_class)->dispose (object);
}

static void
ag_console_log_snapshot_class_init (AgConsoleLogSnapshotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_console_log_snapshot_dispose;
}

static void
ag_console_log_snapshot_init (AgConsoleLogSnapshot *self)
{
  self->items = g_list_store_new (AG_CONSOLE_TYPE_LOG_ENTRY);
  g_signal_connect_swapped (self->items, "items-changed", G_CALLBACK (items_changed_cb), self);
}

AgConsoleLogSnapshot *
ag_console_log_snapshot_new (AgConsoleLogModel *source,
                             guint              interval_ms)
{
  AgConsoleLogSnapshot *self;

  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (source), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_LOG_SNAPSHOT, NULL);
  self->source = g_object_ref (source);
  self->interval_ms = MAX (interval_ms, 1);
  self->first = ag_console_log_model_get_n_added (source) - g_list_model_get_n_items (G_LIST_MODEL (source));

  g_signal_connect_swapped (source, "items-changed", G_CALLBACK (source_changed_cb), self);
  ag_console_log_snapshot_flush (self);

  return self;
}

AgConsoleLogModel *
ag_console_log_snapshot_get_source (AgConsoleLogSnapshot *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_SNAPSHOT (self), NULL);

  return self->source;
}
