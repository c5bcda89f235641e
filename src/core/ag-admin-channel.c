/* ag-admin-channel.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-private.h"

#include "ag-attribute-private.h"

/**
 * AgAdminChannel:
 *
 * One channel as an operator sees it, an item of [method@Admin.get_channels]: its member
 * count, total joins and attributes, kept up to date by the live stream without joining it.
 * [method@Admin.list_members_async] lists all of its members.
 *
 * Since: 0.2
 */
struct _AgAdminChannel {
  GObject     parent_instance;

  char       *name;
  char       *kind;
  guint       members;
  guint64     total_joins;
  GListStore *attributes;      /* of AgAttribute, by name */
  GHashTable *attribute_index; /* name -> AgAttribute (in attributes) */
};

G_DEFINE_FINAL_TYPE (AgAdminChannel, ag_admin_channel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_KIND,
  PROP_MEMBERS,
  PROP_TOTAL_JOINS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_admin_channel_finalize (GObject *object)
{
  AgAdminChannel *self = AG_ADMIN_CHANNEL (object);

  g_free (self->name);
  g_free (self->kind);
  g_clear_pointer (&self->attribute_index, g_hash_table_unref);
  g_clear_object (&self->attributes);

  G_OBJECT_CLASS (ag_admin_channel_parent_class)->finalize (object);
}

static void
ag_admin_channel_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AgAdminChannel *self = AG_ADMIN_CHANNEL (object);

  switch (prop_id) {
  case PROP_NAME:
    g_value_set_string (value, self->name);
    break;
  case PROP_KIND:
    g_value_set_string (value, self->kind);
    break;
  case PROP_MEMBERS:
    g_value_set_uint (value, self->members);
    break;
  case PROP_TOTAL_JOINS:
    g_value_set_uint64 (value, self->total_joins);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_admin_channel_class_init (AgAdminChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ag_admin_channel_finalize;
  object_class->get_property = ag_admin_channel_get_property;

  /**
   * AgAdminChannel:name:
   *
   * The channel's name.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * AgAdminChannel:kind:
   *
   * "ordinary", or "user_online" / "channel_event" for the special channels.
   */
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, flags);

  /**
   * AgAdminChannel:members:
   *
   * The number of members now.
   */
  properties[PROP_MEMBERS] = g_param_spec_uint ("members", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * AgAdminChannel:total-joins:
   *
   * How many joins the channel has had since it was created.
   */
  properties[PROP_TOTAL_JOINS] = g_param_spec_uint64 ("total-joins", NULL, NULL,
                                                      0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_admin_channel_init (AgAdminChannel *self)
{
  self->attributes = g_list_store_new (AG_TYPE_ATTRIBUTE);
  self->attribute_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static int
compare_attributes (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  return g_strcmp0 (ag_attribute_get_name ((AgAttribute *) a),
                    ag_attribute_get_name ((AgAttribute *) b));
}

static void
set_attr (AgAdminChannel *self,
          const char     *name,
          const char     *value)
{
  AgAttribute *attribute = g_hash_table_lookup (self->attribute_index, name);
  g_autoptr(AgAttribute) added = NULL;

  if (attribute != NULL) {
    _ag_attribute_set_value (attribute, value);
    return;
  }

  added = _ag_attribute_new (name, value);
  g_hash_table_insert (self->attribute_index, g_strdup (name), added);
  g_list_store_insert_sorted (self->attributes, added, compare_attributes, NULL);
}

AgAdminChannel *
_ag_admin_channel_new_from_record (AgAdminChannelRecord *record)
{
  AgAdminChannel *self = g_object_new (AG_TYPE_ADMIN_CHANNEL, NULL);
  GPtrArray *attrs = record->attrs;

  self->name = g_steal_pointer (&record->name);
  self->kind = g_steal_pointer (&record->kind);
  self->members = (guint) record->members;
  self->total_joins = (guint64) record->total_joins;

  /* The record's pairs are sorted by name and unique: one splice, no sorted inserts. */
  if (attrs != NULL && attrs->len > 0) {
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i + 1 < attrs->len; i += 2) {
      AgAttribute *attribute = _ag_attribute_new (attrs->pdata[i], attrs->pdata[i + 1]);

      g_hash_table_insert (self->attribute_index, g_strdup (attrs->pdata[i]), attribute);
      g_ptr_array_add (items, attribute);
    }
    g_list_store_splice (self->attributes, 0, 0, items->pdata, items->len);
  }

  return self;
}

AgAdminChannel *
_ag_admin_channel_new_from_json (JsonObject *object)
{
  AgAdminChannelRecord record;
  AgAdminChannel *self;

  _ag_admin_channel_record_from_json (&record, object);
  self = _ag_admin_channel_new_from_record (&record);
  _ag_admin_channel_record_clear (&record);

  return self;
}

void
_ag_admin_channel_set_counts (AgAdminChannel *self,
                              guint           members,
                              guint64         total_joins)
{
  if (self->members != members) {
    self->members = members;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBERS]);
  }

  if (self->total_joins != total_joins) {
    self->total_joins = total_joins;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_JOINS]);
  }
}

void
_ag_admin_channel_change_attr (AgAdminChannel *self,
                               const char     *change,
                               const char     *name,
                               const char     *value)
{
  AgAttribute *attribute;
  guint position;

  if (g_strcmp0 (change, "update") == 0) {
    set_attr (self, name, value != NULL ? value : "");
  } else if (g_strcmp0 (change, "del") == 0) {
    attribute = g_hash_table_lookup (self->attribute_index, name);
    if (attribute != NULL && g_list_store_find (self->attributes, attribute, &position)) {
      g_list_store_remove (self->attributes, position);
      g_hash_table_remove (self->attribute_index, name);
    }
  } else if (g_strcmp0 (change, "clear") == 0) {
    g_hash_table_remove_all (self->attribute_index);
    g_list_store_remove_all (self->attributes);
  }
}

/**
 * ag_admin_channel_get_name:
 * @self: a channel
 *
 * Gets the name.
 *
 * Returns: the channel's name
 */
const char *
ag_admin_channel_get_name (AgAdminChannel *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_CHANNEL (self), NULL);
  return self->name;
}

/**
 * ag_admin_channel_get_kind:
 * @self: a channel
 *
 * Gets the kind.
 *
 * Returns: "ordinary", "user_online" or "channel_event"
 */
const char *
ag_admin_channel_get_kind (AgAdminChannel *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_CHANNEL (self), NULL);
  return self->kind;
}

/**
 * ag_admin_channel_get_members:
 * @self: a channel
 *
 * Gets the members.
 *
 * Returns: the number of members
 */
guint
ag_admin_channel_get_members (AgAdminChannel *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_CHANNEL (self), 0);
  return self->members;
}

/**
 * ag_admin_channel_get_total_joins:
 * @self: a channel
 *
 * Gets the total joins.
 *
 * Returns: the joins since the channel was created
 */
guint64
ag_admin_channel_get_total_joins (AgAdminChannel *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_CHANNEL (self), 0);
  return self->total_joins;
}

/**
 * ag_admin_channel_get_attributes:
 * @self: a channel
 *
 * Gets the attributes.
 *
 * Returns: (transfer none): the channel's attributes by name, a list model of
 *   [class@Attribute] kept up to date
 */
GListModel *
ag_admin_channel_get_attributes (AgAdminChannel *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_CHANNEL (self), NULL);
  return G_LIST_MODEL (self->attributes);
}

/**
 * ag_admin_channel_get_attribute:
 * @self: a channel
 * @name: an attribute name
 *
 * Gets the attribute.
 *
 * Returns: (nullable): the attribute's value, or %NULL when the channel has none of that name
 */
const char *
ag_admin_channel_get_attribute (AgAdminChannel *self,
                                const char     *name)
{
  AgAttribute *attribute;

  g_return_val_if_fail (AG_IS_ADMIN_CHANNEL (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  attribute = g_hash_table_lookup (self->attribute_index, name);
  return attribute != NULL ? ag_attribute_get_value (attribute) : NULL;
}
