/* ag-admin.h: an operator's connection to one app of agsignald (docs/admin-api.md)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
#error "Only <agsignal.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ag-admin-channel.h"
#include "ag-admin-user.h"

G_BEGIN_DECLS

/**
 * AgAdminState:
 * @AG_ADMIN_STATE_DISCONNECTED: not connected (before connecting, after a failure or
 *   ag_admin_disconnect())
 * @AG_ADMIN_STATE_CONNECTING: opening the connection and logging in with the key
 * @AG_ADMIN_STATE_SYNCING: logged in; the snapshot of the app is arriving
 * @AG_ADMIN_STATE_LIVE: the models hold the app's state and follow every change
 * @AG_ADMIN_STATE_RECONNECTING: the connection was lost; the next attempt is scheduled, the
 *   models keep the last known state (stale) until the server is back
 * @AG_ADMIN_STATE_CONNECTED: logged in without a live view ([property@Admin:live-view] is
 *   %FALSE): requests work, the models stay empty
 *
 * The state of an #AgAdmin.
 */
typedef enum {
  AG_ADMIN_STATE_DISCONNECTED,
  AG_ADMIN_STATE_CONNECTING,
  AG_ADMIN_STATE_SYNCING,
  AG_ADMIN_STATE_LIVE,
  AG_ADMIN_STATE_RECONNECTING,
  AG_ADMIN_STATE_CONNECTED,
} AgAdminState;

/**
 * AgAdminMatch:
 * @AG_ADMIN_MATCH_SUBSTRING: the account contains the search text
 * @AG_ADMIN_MATCH_PREFIX: the account starts with the search text
 *
 * How ag_admin_list_users_async() matches accounts.
 */
typedef enum {
  AG_ADMIN_MATCH_SUBSTRING,
  AG_ADMIN_MATCH_PREFIX,
} AgAdminMatch;

/**
 * AgAdminSort:
 * @AG_ADMIN_SORT_NAME: by name, ascending
 * @AG_ADMIN_SORT_MEMBERS: by member count, descending (ties by name)
 *
 * The order of ag_admin_list_channels_async().
 */
typedef enum {
  AG_ADMIN_SORT_NAME,
  AG_ADMIN_SORT_MEMBERS,
} AgAdminSort;

#define AG_TYPE_ADMIN (ag_admin_get_type ())

G_DECLARE_FINAL_TYPE (AgAdmin, ag_admin, AG, ADMIN, GObject)

AgAdmin         *ag_admin_new                       (const char           *server_uri,
                                                     const char           *app_id);

const char      *ag_admin_get_server_uri            (AgAdmin              *self);
const char      *ag_admin_get_app_id                (AgAdmin              *self);
AgAdminState     ag_admin_get_state                 (AgAdmin              *self);
const char      *ag_admin_get_scope                 (AgAdmin              *self);
gboolean         ag_admin_get_stale                 (AgAdmin              *self);
guint64          ag_admin_get_seq                   (AgAdmin              *self);
guint            ag_admin_get_n_users               (AgAdmin              *self);
guint            ag_admin_get_n_channels            (AgAdmin              *self);

GListModel      *ag_admin_get_users                 (AgAdmin              *self);
GListModel      *ag_admin_get_channels              (AgAdmin              *self);
AgAdminUser     *ag_admin_lookup_user               (AgAdmin              *self,
                                                     const char           *account);
AgAdminChannel  *ag_admin_lookup_channel            (AgAdmin              *self,
                                                     const char           *name);

void             ag_admin_connect_async             (AgAdmin              *self,
                                                     const char           *key,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_connect_finish            (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void             ag_admin_disconnect                (AgAdmin              *self);

void             ag_admin_list_users_async          (AgAdmin              *self,
                                                     const char           *search,
                                                     AgAdminMatch          match,
                                                     const char           *after,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GListModel      *ag_admin_list_users_finish         (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     guint                *out_total,
                                                     char                **out_next,
                                                     GError              **error);

void             ag_admin_list_channels_async       (AgAdmin              *self,
                                                     const char           *search,
                                                     AgAdminSort           sort,
                                                     guint                 offset,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GListModel      *ag_admin_list_channels_finish      (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     guint                *out_total,
                                                     gint64               *out_next_offset,
                                                     GError              **error);

void             ag_admin_list_members_async        (AgAdmin              *self,
                                                     const char           *channel,
                                                     guint                 offset,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GListModel      *ag_admin_list_members_finish       (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     guint                *out_total,
                                                     gint64               *out_next_offset,
                                                     GError              **error);

void             ag_admin_get_user_async            (AgAdmin              *self,
                                                     const char           *account,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
AgAdminUser     *ag_admin_get_user_finish           (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_get_stats_async           (AgAdmin              *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GVariant        *ag_admin_get_stats_finish          (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_kick_async                (AgAdmin              *self,
                                                     const char           *account,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_kick_finish               (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_remove_member_async       (AgAdmin              *self,
                                                     const char           *channel,
                                                     const char           *account,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_remove_member_finish      (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_publish_async             (AgAdmin              *self,
                                                     const char           *channel,
                                                     const char           *msg,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gint64           ag_admin_publish_finish            (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_send_message_async        (AgAdmin              *self,
                                                     const char           *account,
                                                     const char           *msg,
                                                     guint                 ttl,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_send_message_finish       (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_set_channel_attr_async    (AgAdmin              *self,
                                                     const char           *channel,
                                                     const char           *name,
                                                     const char           *value,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_set_channel_attr_finish   (AgAdmin              *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             ag_admin_delete_channel_attr_async (AgAdmin              *self,
                                                     const char           *channel,
                                                     const char           *name,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_delete_channel_attr_finish (AgAdmin             *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void             ag_admin_clear_channel_attrs_async (AgAdmin              *self,
                                                     const char           *channel,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         ag_admin_clear_channel_attrs_finish (AgAdmin             *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
