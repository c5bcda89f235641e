/* ag-admin-user.h: one online user as an operator sees it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define AG_TYPE_ADMIN_USER (ag_admin_user_get_type ())

G_DECLARE_FINAL_TYPE (AgAdminUser, ag_admin_user, AG, ADMIN_USER, GObject)

const char *ag_admin_user_get_account    (AgAdminUser *self);
guint       ag_admin_user_get_uid        (AgAdminUser *self);
gboolean    ag_admin_user_get_online     (AgAdminUser *self);
gint64      ag_admin_user_get_since      (AgAdminUser *self);
const char *ag_admin_user_get_address    (AgAdminUser *self);
const char *ag_admin_user_get_channel    (AgAdminUser *self);
guint64     ag_admin_user_get_queue      (AgAdminUser *self);
GListModel *ag_admin_user_get_attributes (AgAdminUser *self);

G_END_DECLS
