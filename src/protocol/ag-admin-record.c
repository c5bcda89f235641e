/* ag-admin-record.c: User and Channel records from a json-glib tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-record.h"

#include <string.h>

void
_ag_admin_user_record_init (AgAdminUserRecord *record)
{
  memset (record, 0, sizeof *record);
  record->online = TRUE;
}

void
_ag_admin_user_record_clear (AgAdminUserRecord *record)
{
  g_clear_pointer (&record->account, g_free);
  g_clear_pointer (&record->address, g_free);
  g_clear_pointer (&record->channel, g_free);
  g_clear_pointer (&record->attrs, g_ptr_array_unref);
}

void
_ag_admin_channel_record_init (AgAdminChannelRecord *record)
{
  memset (record, 0, sizeof *record);
}

void
_ag_admin_channel_record_clear (AgAdminChannelRecord *record)
{
  g_clear_pointer (&record->name, g_free);
  g_clear_pointer (&record->kind, g_free);
  g_clear_pointer (&record->attrs, g_ptr_array_unref);
}

static char *
dup_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

static gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return json_node_get_int (node);
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const char * const *x = a;
  const char * const *y = b;

  return strcmp (x[0], y[0]);
}

void
_ag_admin_attrs_normalize (GPtrArray *attrs)
{
  guint n = attrs->len / 2;
  guint kept = 0;

  g_assert (attrs->len % 2 == 0);

  /* A stable sort keeps pairs of one name in text order, so the last one is the value. */
  g_qsort_with_data (attrs->pdata, (gint) n, 2 * sizeof (gpointer),
                     compare_pairs, NULL);

  for (guint i = 0; i < n; i++) {
    char **pair = (char **) attrs->pdata + 2 * i;

    if (i + 1 < n && strcmp (pair[0], pair[2]) == 0) {
      g_free (pair[0]);
      g_free (pair[1]);
      continue;
    }
    attrs->pdata[2 * kept] = pair[0];
    attrs->pdata[2 * kept + 1] = pair[1];
    kept++;
  }

  /* The slots past the kept pairs were freed or moved: empty them before shrinking. */
  for (guint i = 2 * kept; i < attrs->len; i++)
    attrs->pdata[i] = NULL;
  g_ptr_array_set_size (attrs, (gint) (2 * kept));
}

static GPtrArray *
attrs_from_json (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "attrs");
  g_autoptr(GList) names = NULL;
  GPtrArray *attrs;
  JsonObject *members;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  members = json_node_get_object (node);
  names = json_object_get_members (members);
  attrs = g_ptr_array_new_with_free_func (g_free);
  for (GList *l = names; l != NULL; l = l->next) {
    char *value = dup_string (members, l->data);

    g_ptr_array_add (attrs, g_strdup (l->data));
    g_ptr_array_add (attrs, value != NULL ? value : g_strdup (""));
  }

  _ag_admin_attrs_normalize (attrs);
  return attrs;
}

void
_ag_admin_user_record_from_json (AgAdminUserRecord *record,
                                 JsonObject        *object)
{
  JsonNode *online = json_object_get_member (object, "online");

  _ag_admin_user_record_init (record);
  record->account = dup_string (object, "account");
  record->address = dup_string (object, "address");
  record->channel = dup_string (object, "channel");
  record->uid = get_int (object, "uid");
  record->since = get_int (object, "since");
  record->queue = get_int (object, "queue");
  if (online != NULL && JSON_NODE_HOLDS_VALUE (online) &&
      json_node_get_value_type (online) == G_TYPE_BOOLEAN)
    record->online = json_node_get_boolean (online);
  record->attrs = attrs_from_json (object);
}

void
_ag_admin_channel_record_from_json (AgAdminChannelRecord *record,
                                    JsonObject           *object)
{
  _ag_admin_channel_record_init (record);
  record->name = dup_string (object, "name");
  record->kind = dup_string (object, "kind");
  record->members = get_int (object, "members");
  record->total_joins = get_int (object, "total_joins");
  record->attrs = attrs_from_json (object);
}

static gboolean
attrs_equal (GPtrArray *a,
             GPtrArray *b)
{
  guint n = a != NULL ? a->len : 0;

  if (n != (b != NULL ? b->len : 0))
    return FALSE;

  for (guint i = 0; i < n; i++)
    if (strcmp (a->pdata[i], b->pdata[i]) != 0)
      return FALSE;

  return TRUE;
}

gboolean
_ag_admin_user_record_equal (const AgAdminUserRecord *a,
                             const AgAdminUserRecord *b)
{
  return g_strcmp0 (a->account, b->account) == 0 &&
         g_strcmp0 (a->address, b->address) == 0 &&
         g_strcmp0 (a->channel, b->channel) == 0 &&
         a->uid == b->uid && a->since == b->since && a->queue == b->queue &&
         a->online == b->online && attrs_equal (a->attrs, b->attrs);
}

gboolean
_ag_admin_channel_record_equal (const AgAdminChannelRecord *a,
                                const AgAdminChannelRecord *b)
{
  return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->kind, b->kind) == 0 &&
         a->members == b->members && a->total_joins == b->total_joins &&
         attrs_equal (a->attrs, b->attrs);
}
