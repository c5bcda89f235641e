/* ag-session.h: one login of one account, over its own connection (the spec's LoginSession)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ag-types.h"
#include "ag-signal.h"

G_BEGIN_DECLS

#define AG_TYPE_SESSION (ag_session_get_type ())

G_DECLARE_FINAL_TYPE (AgSession, ag_session, AG, SESSION, GObject)

AgSignal   *ag_session_get_signal                     (AgSession           *self);
const char *ag_session_get_account                    (AgSession           *self);
guint       ag_session_get_uid                        (AgSession           *self);
gint64      ag_session_get_message_ts                 (AgSession           *self);
AgStatus    ag_session_get_status                     (AgSession           *self);
AgChannel  *ag_session_get_channel                    (AgSession           *self);

void        ag_session_logout                         (AgSession           *self);
void        ag_session_logout_async                   (AgSession           *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean    ag_session_logout_finish                  (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_message_instant_send           (AgSession           *self,
                                                       const char          *account,
                                                       const char          *msg);
void        ag_session_message_instant_send_full      (AgSession           *self,
                                                       const char          *account,
                                                       const char          *msg,
                                                       guint                ttl);
void        ag_session_message_instant_send_async     (AgSession           *self,
                                                       const char          *account,
                                                       const char          *msg,
                                                       guint                ttl,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean    ag_session_message_instant_send_finish    (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

AgCall     *ag_session_channel_invite_user2           (AgSession           *self,
                                                       const char          *channel,
                                                       const char          *peer,
                                                       const char          *extra);
void        ag_session_channel_invite_user2_async     (AgSession           *self,
                                                       const char          *channel,
                                                       const char          *peer,
                                                       const char          *extra,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
AgCall     *ag_session_channel_invite_user2_finish    (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

AgChannel  *ag_session_channel_join                   (AgSession           *self,
                                                       const char          *name);
void        ag_session_channel_join_async             (AgSession           *self,
                                                       const char          *name,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
AgChannel  *ag_session_channel_join_finish            (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_user_set_attr                  (AgSession           *self,
                                                       const char          *name,
                                                       const char          *value);
void        ag_session_user_set_attr_async            (AgSession           *self,
                                                       const char          *name,
                                                       const char          *value,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean    ag_session_user_set_attr_finish           (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_user_get_attr                  (AgSession           *self,
                                                       const char          *account,
                                                       const char          *name);
void        ag_session_user_get_attr_async            (AgSession           *self,
                                                       const char          *account,
                                                       const char          *name,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char       *ag_session_user_get_attr_finish           (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_user_get_attr_all              (AgSession           *self,
                                                       const char          *account);
void        ag_session_user_get_attr_all_async        (AgSession           *self,
                                                       const char          *account,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GHashTable *ag_session_user_get_attr_all_finish       (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_channel_query_user_num         (AgSession           *self,
                                                       const char          *channel);
void        ag_session_channel_query_user_num_async   (AgSession           *self,
                                                       const char          *channel,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
guint       ag_session_channel_query_user_num_finish  (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_query_user_status              (AgSession           *self,
                                                       const char          *account);
void        ag_session_query_user_status_async        (AgSession           *self,
                                                       const char          *account,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean    ag_session_query_user_status_finish       (AgSession           *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void        ag_session_channel_query_user_is_in        (AgSession           *self,
                                                        const char          *channel,
                                                        const char          *account);
void        ag_session_channel_query_user_is_in_async  (AgSession           *self,
                                                        const char          *channel,
                                                        const char          *account,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean    ag_session_channel_query_user_is_in_finish (AgSession           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
