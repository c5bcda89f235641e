/* ag-admin-user.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-private.h"

#include "ag-attribute-private.h"

/**
 * AgAdminUser:
 *
 * One account as an operator sees it: an item of [method@Admin.get_users] (the online users of
 * the live view, kept up to date) or the result of [method@Admin.get_user_finish] (one account
 * in detail, with its user attributes).
 *
 * Since: 0.2
 */
struct _AgAdminUser {
  GObject     parent_instance;

  char       *account;
  guint       uid;
  gboolean    online;
  gint64      since;
  char       *address;
  char       *channel;
  guint64     queue;
  GListStore *attributes;  /* made when first asked for: live-view users have none */
};

G_DEFINE_FINAL_TYPE (AgAdminUser, ag_admin_user, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_UID,
  PROP_ONLINE,
  PROP_SINCE,
  PROP_ADDRESS,
  PROP_CHANNEL,
  PROP_QUEUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_admin_user_finalize (GObject *object)
{
  AgAdminUser *self = AG_ADMIN_USER (object);

  g_free (self->account);
  g_free (self->address);
  g_free (self->channel);
  g_clear_object (&self->attributes);

  G_OBJECT_CLASS (ag_admin_user_parent_class)->finalize (object);
}

static void
ag_admin_user_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AgAdminUser *self = AG_ADMIN_USER (object);

  switch (prop_id) {
  case PROP_ACCOUNT:
    g_value_set_string (value, self->account);
    break;
  case PROP_UID:
    g_value_set_uint (value, self->uid);
    break;
  case PROP_ONLINE:
    g_value_set_boolean (value, self->online);
    break;
  case PROP_SINCE:
    g_value_set_int64 (value, self->since);
    break;
  case PROP_ADDRESS:
    g_value_set_string (value, self->address);
    break;
  case PROP_CHANNEL:
    g_value_set_string (value, self->channel);
    break;
  case PROP_QUEUE:
    g_value_set_uint64 (value, self->queue);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_admin_user_class_init (AgAdminUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = ag_admin_user_finalize;
  object_class->get_property = ag_admin_user_get_property;

  /**
   * AgAdminUser:account:
   *
   * The account.
   */
  properties[PROP_ACCOUNT] = g_param_spec_string ("account", NULL, NULL, NULL, flags);

  /**
   * AgAdminUser:uid:
   *
   * The uid the server gave the account (0 for an account that never logged in).
   */
  properties[PROP_UID] = g_param_spec_uint ("uid", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * AgAdminUser:online:
   *
   * Whether the account is logged in.
   */
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE, flags);

  /**
   * AgAdminUser:since:
   *
   * When the session logged in, in Unix milliseconds; 0 when offline.
   */
  properties[PROP_SINCE] = g_param_spec_int64 ("since", NULL, NULL, 0, G_MAXINT64, 0, flags);

  /**
   * AgAdminUser:address:
   *
   * The address the session connected from ("127.0.0.1:40312"), or %NULL.
   */
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);

  /**
   * AgAdminUser:channel:
   *
   * The channel the session is in, or %NULL. Kept up to date in the live view.
   */
  properties[PROP_CHANNEL] = g_param_spec_string ("channel", NULL, NULL, NULL, flags);

  /**
   * AgAdminUser:queue:
   *
   * The bytes waiting in the session's outbound queue when the record was taken (0 in the
   * live stream, which does not follow it).
   */
  properties[PROP_QUEUE] = g_param_spec_uint64 ("queue", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_admin_user_init (AgAdminUser *self)
{
}

const char *
_ag_admin_json_string (JsonObject *object,
                       const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

JsonObject *
_ag_admin_json_object (JsonObject *object,
                       const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
_ag_admin_json_array (JsonObject *object,
                      const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static GListStore *
attributes_from_pairs (GPtrArray *attrs)
{
  GListStore *store = g_list_store_new (AG_TYPE_ATTRIBUTE);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  /* The record's pairs are sorted by name already. */
  for (guint i = 0; attrs != NULL && i + 1 < attrs->len; i += 2)
    g_ptr_array_add (items, _ag_attribute_new (attrs->pdata[i], attrs->pdata[i + 1]));
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return store;
}

AgAdminUser *
_ag_admin_user_new_from_record (AgAdminUserRecord *record)
{
  AgAdminUser *self = g_object_new (AG_TYPE_ADMIN_USER, NULL);

  self->account = g_steal_pointer (&record->account);
  self->address = g_steal_pointer (&record->address);
  self->channel = g_steal_pointer (&record->channel);
  self->uid = (guint) record->uid;
  self->online = record->online;
  self->since = record->since;
  self->queue = (guint64) record->queue;
  if (record->attrs != NULL && record->attrs->len > 0)
    self->attributes = attributes_from_pairs (record->attrs);

  return self;
}

AgAdminUser *
_ag_admin_user_new_from_json (JsonObject *object)
{
  AgAdminUserRecord record;
  AgAdminUser *self;

  _ag_admin_user_record_from_json (&record, object);
  self = _ag_admin_user_new_from_record (&record);
  _ag_admin_user_record_clear (&record);

  return self;
}

void
_ag_admin_user_set_channel (AgAdminUser *self,
                            const char  *channel)
{
  if (g_strcmp0 (self->channel, channel) == 0)
    return;

  g_free (self->channel);
  self->channel = g_strdup (channel);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

/**
 * ag_admin_user_get_account:
 * @self: a user
 *
 * Gets the account.
 *
 * Returns: the account
 */
const char *
ag_admin_user_get_account (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), NULL);
  return self->account;
}

/**
 * ag_admin_user_get_uid:
 * @self: a user
 *
 * Gets the uid.
 *
 * Returns: the uid, 0 for an account that never logged in
 */
guint
ag_admin_user_get_uid (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), 0);
  return self->uid;
}

/**
 * ag_admin_user_get_online:
 * @self: a user
 *
 * Gets the online.
 *
 * Returns: whether the account is logged in
 */
gboolean
ag_admin_user_get_online (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), FALSE);
  return self->online;
}

/**
 * ag_admin_user_get_since:
 * @self: a user
 *
 * Gets the since.
 *
 * Returns: the login time in Unix milliseconds, 0 when offline
 */
gint64
ag_admin_user_get_since (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), 0);
  return self->since;
}

/**
 * ag_admin_user_get_address:
 * @self: a user
 *
 * Gets the address.
 *
 * Returns: (nullable): the address the session connected from
 */
const char *
ag_admin_user_get_address (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), NULL);
  return self->address;
}

/**
 * ag_admin_user_get_channel:
 * @self: a user
 *
 * Gets the channel.
 *
 * Returns: (nullable): the channel the session is in
 */
const char *
ag_admin_user_get_channel (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), NULL);
  return self->channel;
}

/**
 * ag_admin_user_get_queue:
 * @self: a user
 *
 * Gets the queue.
 *
 * Returns: the bytes queued for the session when the record was taken
 */
guint64
ag_admin_user_get_queue (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), 0);
  return self->queue;
}

/**
 * ag_admin_user_get_attributes:
 * @self: a user
 *
 * The account's user attributes, by name: filled for the result of
 * [method@Admin.get_user_finish], empty in the live view.
 *
 * Returns: (transfer none): a list model of [class@Attribute]
 */
GListModel *
ag_admin_user_get_attributes (AgAdminUser *self)
{
  g_return_val_if_fail (AG_IS_ADMIN_USER (self), NULL);

  if (self->attributes == NULL)
    self->attributes = attributes_from_pairs (NULL);
  return G_LIST_MODEL (self->attributes);
}
