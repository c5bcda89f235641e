/* ag-user-attr-private.h: the spec's UserAttrCallback requests, for AgSignal and AgSession
 *
 * The spec puts userSetAttr, userGetAttr, userGetAttrAll and channelQueryUserNum on Signal; the
 * library has them on AgSignal (run on its current session) and on AgSession. Both classes'
 * public functions are thin: the frames, the typed results, the (err, ret) answer signals and
 * their JSON text are here, once. source is the AgSignal or AgSession the call was made on:
 * its task's source object and the object that emits the answer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ag-types.h"

G_BEGIN_DECLS

typedef enum {
  AG_USER_ATTR_SET,        /* userSetAttr (name, value) -> user-set-attr (err, ret) */
  AG_USER_ATTR_GET,        /* userGetAttr (account, name) -> user-get-attr (err, ret) */
  AG_USER_ATTR_GET_ALL,    /* userGetAttrAll (account) -> user-get-attr-all (err, ret) */
  AG_USER_ATTR_QUERY_NUM,  /* channelQueryUserNum (channel) -> channel-query-user-num (err, num) */
} AgUserAttrRequest;

/* Makes the four answer signals on type (each class documents its own). */
void        _ag_user_attr_signals_new       (GType                type);

/* Sends a request on session (NULL: fails with 1003). target is the account (set: unused) or,
 * for QUERY_NUM, the channel; name and value as the request takes them. */
void        _ag_user_attr_send_async        (gpointer             source,
                                             AgSession           *session,
                                             AgUserAttrRequest    request,
                                             const char          *target,
                                             const char          *name,
                                             const char          *value,
                                             gpointer             source_tag,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    _ag_user_attr_set_finish        (gpointer             source,
                                             GAsyncResult        *result,
                                             gpointer             source_tag,
                                             GError             **error);
char       *_ag_user_attr_get_finish        (gpointer             source,
                                             GAsyncResult        *result,
                                             gpointer             source_tag,
                                             GError             **error);
GHashTable *_ag_user_attr_get_all_finish    (gpointer             source,
                                             GAsyncResult        *result,
                                             gpointer             source_tag,
                                             GError             **error);
guint       _ag_user_attr_query_num_finish  (gpointer             source,
                                             GAsyncResult        *result,
                                             gpointer             source_tag,
                                             GError             **error);

/* The calls without _async: sends the request and emits its answer signal on source. */
void        _ag_user_attr_send              (gpointer             source,
                                             AgSession           *session,
                                             AgUserAttrRequest    request,
                                             const char          *target,
                                             const char          *name,
                                             const char          *value,
                                             gpointer             source_tag);

G_END_DECLS
