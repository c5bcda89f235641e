/* ag-admin-list.c: the list model of an admin live view
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GListModel over an array. GListStore keeps its items in a GSequence, a tree node per
 * item, and fills it one insert at a time: for a snapshot of 100,000 users that was most of
 * the time the models took to take it. Here a snapshot is one array of references, an item
 * is found by its index, and the batches of a live view, a few splices close to one another,
 * move pointers within the array.
 */

#include "ag-admin-list-private.h"

#include <string.h>

struct _AgAdminList {
  GObject    parent_instance;

  GType      item_type;
  GPtrArray *items;
};

static void ag_admin_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgAdminList, _ag_admin_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ag_admin_list_model_init))

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
ag_admin_list_get_item_type (GListModel *model)
{
  return AG_ADMIN_LIST (model)->item_type;
}

static guint
ag_admin_list_get_n_items (GListModel *model)
{
  return AG_ADMIN_LIST (model)->items->len;
}

static gpointer
ag_admin_list_get_item (GListModel *model,
                        guint       position)
{
  AgAdminList *self = AG_ADMIN_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (self->items->pdata[position]);
}

static void
ag_admin_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ag_admin_list_get_item_type;
  iface->get_n_items = ag_admin_list_get_n_items;
  iface->get_item = ag_admin_list_get_item;
}

static void
ag_admin_list_finalize (GObject *object)
{
  AgAdminList *self = AG_ADMIN_LIST (object);

  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (_ag_admin_list_parent_class)->finalize (object);
}

static void
ag_admin_list_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AgAdminList *self = AG_ADMIN_LIST (object);

  switch (prop_id) {
  case PROP_ITEM_TYPE:
    g_value_set_gtype (value, self->item_type);
    break;
  case PROP_N_ITEMS:
    g_value_set_uint (value, self->items->len);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
_ag_admin_list_class_init (AgAdminListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ag_admin_list_finalize;
  object_class->get_property = ag_admin_list_get_property;

  /* The properties of GListStore, so that views may bind to either. */
  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT,
                                                   flags);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
_ag_admin_list_init (AgAdminList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

AgAdminList *
_ag_admin_list_new (GType item_type)
{
  AgAdminList *self;

  g_return_val_if_fail (g_type_is_a (item_type, G_TYPE_OBJECT), NULL);

  self = g_object_new (AG_TYPE_ADMIN_LIST, NULL);
  self->item_type = item_type;

  return self;
}

gpointer
_ag_admin_list_peek (AgAdminList *self,
                     guint        position)
{
  g_assert (position < self->items->len);

  return self->items->pdata[position];
}

static void
items_changed (AgAdminList *self,
               guint        position,
               guint        removed,
               guint        added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
_ag_admin_list_splice (AgAdminList *self,
                       guint        position,
                       guint        n_removals,
                       gpointer    *additions,
                       guint        n_additions)
{
  GPtrArray *items = self->items;

  g_return_if_fail (position <= items->len && n_removals <= items->len - position);

  /* The new items are referenced before the old ones go, in case they are the same. */
  for (guint i = 0; i < n_additions; i++)
    g_object_ref (additions[i]);
  g_ptr_array_remove_range (items, position, n_removals);

  if (n_additions > 0) {
    guint tail = items->len - position;

    g_ptr_array_set_size (items, (gint) (items->len + n_additions));
    memmove (items->pdata + position + n_additions, items->pdata + position,
             tail * sizeof (gpointer));
    memcpy (items->pdata + position, additions, n_additions * sizeof (gpointer));
  }

  items_changed (self, position, n_removals, n_additions);
}

void
_ag_admin_list_take (AgAdminList *self,
                     GPtrArray   *items)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->items);

  self->items = items;
  items_changed (self, 0, old->len, items->len);
}
