/* ag-admin-channel.h: one channel as an operator sees it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define AG_TYPE_ADMIN_CHANNEL (ag_admin_channel_get_type ())

G_DECLARE_FINAL_TYPE (AgAdminChannel, ag_admin_channel, AG, ADMIN_CHANNEL, GObject)

const char *ag_admin_channel_get_name        (AgAdminChannel *self);
const char *ag_admin_channel_get_kind        (AgAdminChannel *self);
guint       ag_admin_channel_get_members     (AgAdminChannel *self);
guint64     ag_admin_channel_get_total_joins (AgAdminChannel *self);
GListModel *ag_admin_channel_get_attributes  (AgAdminChannel *self);
const char *ag_admin_channel_get_attribute   (AgAdminChannel *self,
                                              const char     *name);

G_END_DECLS
