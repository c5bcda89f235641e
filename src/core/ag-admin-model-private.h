/* ag-admin-model-private.h: a live view's sorted list model, changed in batches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The sort key of an item: its account or its name, a string of the item's own that does not
 * change while it lives. */
typedef const char *(*AgAdminModelKeyFunc) (gpointer item);

typedef struct _AgAdminModel AgAdminModel;

AgAdminModel *_ag_admin_model_new         (GType                item_type,
                                           AgAdminModelKeyFunc  key_func);
void          _ag_admin_model_free        (AgAdminModel        *self);

/* The list model that views bind to: follows the changes within one batch interval. */
GListModel   *_ag_admin_model_get_model   (AgAdminModel        *self);

/* What the view holds now, whether or not the list model has caught up. */
guint         _ag_admin_model_get_n_items (AgAdminModel        *self);
gpointer      _ag_admin_model_lookup      (AgAdminModel        *self,
                                           const char          *key);

/* Adds an item or replaces the one of the same key. */
void          _ag_admin_model_put         (AgAdminModel        *self,
                                           gpointer             item);
void          _ag_admin_model_remove      (AgAdminModel        *self,
                                           const char          *key);
/* A snapshot, the whole content, arriving in parts: stage_none() starts it (dropping any
 * staged before), stage() adds an item (its index is built as items come, so that the work
 * is spread over the frames), commit_staged() replaces the content in one items-changed.
 * Until then the model shows what it showed. Items need not come in key order (they are
 * then sorted, and of items of one key the last one is kept). */
void          _ag_admin_model_stage_none     (AgAdminModel     *self);
void          _ag_admin_model_stage          (AgAdminModel     *self,
                                              gpointer          item);
void          _ag_admin_model_commit_staged  (AgAdminModel     *self);
void          _ag_admin_model_discard_staged (AgAdminModel     *self);
/* The same at once. */
void          _ag_admin_model_replace     (AgAdminModel        *self,
                                           GPtrArray           *items);
/* Brings the list model up to date now. */
void          _ag_admin_model_flush       (AgAdminModel        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgAdminModel, _ag_admin_model_free)

G_END_DECLS
