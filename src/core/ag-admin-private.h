/* ag-admin-private.h: how AgAdmin builds and updates its items
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-admin-record.h"

G_BEGIN_DECLS

/* From a User record of docs/admin-api.md (or the "user" of admin_user, with its attrs):
 * decoded from the text (the item takes the record's strings) or read from a tree. */
AgAdminUser    *_ag_admin_user_new_from_record  (AgAdminUserRecord    *record);
AgAdminUser    *_ag_admin_user_new_from_json    (JsonObject     *record);
void            _ag_admin_user_set_channel      (AgAdminUser    *self,
                                                 const char     *channel);

/* From a Channel record. */
AgAdminChannel *_ag_admin_channel_new_from_record (AgAdminChannelRecord *record);
AgAdminChannel *_ag_admin_channel_new_from_json (JsonObject     *record);
void            _ag_admin_channel_set_counts    (AgAdminChannel *self,
                                                 guint           members,
                                                 guint64         total_joins);
/* change: "update", "del" or "clear". */
void            _ag_admin_channel_change_attr   (AgAdminChannel *self,
                                                 const char     *change,
                                                 const char     *name,
                                                 const char     *value);

/* An object or array member, NULL when absent or of another type. */
JsonObject     *_ag_admin_json_object           (JsonObject     *object,
                                                 const char     *name);
JsonArray      *_ag_admin_json_array            (JsonObject     *object,
                                                 const char     *name);
/* A string member, NULL when absent or null. */
const char     *_ag_admin_json_string           (JsonObject     *object,
                                                 const char     *name);

G_END_DECLS
