/* ag-admin-list-private.h: the list model of an admin live view
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AG_TYPE_ADMIN_LIST (_ag_admin_list_get_type ())

G_DECLARE_FINAL_TYPE (AgAdminList, _ag_admin_list, AG, ADMIN_LIST, GObject)

AgAdminList *_ag_admin_list_new     (GType         item_type);
/* The item at position, without a reference. */
gpointer     _ag_admin_list_peek    (AgAdminList  *self,
                                     guint         position);
/* As g_list_store_splice(). */
void         _ag_admin_list_splice  (AgAdminList  *self,
                                     guint         position,
                                     guint         n_removals,
                                     gpointer     *additions,
                                     guint         n_additions);
/* All items at once, in one items-changed: the list takes items, an array that holds a
 * reference to each (its free function is g_object_unref()). */
void         _ag_admin_list_take    (AgAdminList  *self,
                                     GPtrArray    *items);

G_END_DECLS
