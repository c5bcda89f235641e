/* ag-channel.h: the channel a session joined, with its live roster and attributes
 * (the spec's Channel class)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ag-types.h"

G_BEGIN_DECLS

#define AG_TYPE_CHANNEL (ag_channel_get_type ())

G_DECLARE_FINAL_TYPE (AgChannel, ag_channel, AG, CHANNEL, GObject)

AgSession  *ag_channel_get_session                (AgChannel           *self);
const char *ag_channel_get_name                   (AgChannel           *self);
gboolean    ag_channel_get_joined                 (AgChannel           *self);
guint       ag_channel_get_member_count           (AgChannel           *self);
GListModel *ag_channel_get_members                (AgChannel           *self);
GListModel *ag_channel_get_attributes             (AgChannel           *self);
const char *ag_channel_get_attr                   (AgChannel           *self,
                                                   const char          *name);

void        ag_channel_channel_leave              (AgChannel           *self);
void        ag_channel_channel_leave_async        (AgChannel           *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    ag_channel_channel_leave_finish       (AgChannel           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void        ag_channel_channel_set_attr           (AgChannel           *self,
                                                   const char          *name,
                                                   const char          *value);
void        ag_channel_channel_set_attr_async     (AgChannel           *self,
                                                   const char          *name,
                                                   const char          *value,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    ag_channel_channel_set_attr_finish    (AgChannel           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void        ag_channel_channel_del_attr           (AgChannel           *self,
                                                   const char          *name);
void        ag_channel_channel_del_attr_async     (AgChannel           *self,
                                                   const char          *name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    ag_channel_channel_del_attr_finish    (AgChannel           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void        ag_channel_channel_clear_attr         (AgChannel           *self);
void        ag_channel_channel_clear_attr_async   (AgChannel           *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    ag_channel_channel_clear_attr_finish  (AgChannel           *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void        ag_channel_message_channel_send        (AgChannel           *self,
                                                    const char          *msg);
void        ag_channel_message_channel_send_async  (AgChannel           *self,
                                                    const char          *msg,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean    ag_channel_message_channel_send_finish (AgChannel           *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
