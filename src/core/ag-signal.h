/* ag-signal.h: the entry point of the library, one per app id (the spec's Signal class)
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

/**
 * AgStatus:
 * @AG_STATUS_NOT_LOGGED_IN: not logged in, or logged out
 * @AG_STATUS_CONNECTING: connecting or logging in (also while reconnecting)
 * @AG_STATUS_LOGGED_IN: logged in
 * @AG_STATUS_LOGIN_FAILED: the login failed
 * @AG_STATUS_INITIAL: the initial state, before any login
 *
 * The login status, with the numbers of the spec's `getStatus`.
 */
typedef enum {
  AG_STATUS_NOT_LOGGED_IN = 0,
  AG_STATUS_CONNECTING    = 1,
  AG_STATUS_LOGGED_IN     = 2,
  AG_STATUS_LOGIN_FAILED  = 3,
  AG_STATUS_INITIAL       = 4,
} AgStatus;

/**
 * AG_DEFAULT_SERVER_URI:
 *
 * The server a new [class@Signal] connects to unless [property@Signal:server-uri] is set: an
 * agsignald on the local machine.
 */
#define AG_DEFAULT_SERVER_URI "ws://127.0.0.1:7070/v1"

#define AG_TYPE_SIGNAL (ag_signal_get_type ())

G_DECLARE_FINAL_TYPE (AgSignal, ag_signal, AG, SIGNAL, GObject)

AgSignal     *ag_signal_new                        (const char          *app_id);

const char   *ag_signal_get_app_id                 (AgSignal            *self);
const char   *ag_signal_get_server_uri             (AgSignal            *self);
void          ag_signal_set_server_uri             (AgSignal            *self,
                                                    const char          *server_uri);
void          ag_signal_set_do_log                 (AgSignal            *self,
                                                    gboolean             do_log);
gboolean      ag_signal_get_do_log                 (AgSignal            *self);
AgStatus      ag_signal_get_status                 (AgSignal            *self);
guint         ag_signal_get_request_timeout        (AgSignal            *self);
void          ag_signal_set_request_timeout        (AgSignal            *self,
                                                    guint                timeout_ms);
guint         ag_signal_get_keepalive_interval     (AgSignal            *self);
void          ag_signal_set_keepalive_interval     (AgSignal            *self,
                                                    guint                interval_ms);
gboolean      ag_signal_get_auto_reconnect         (AgSignal            *self);
void          ag_signal_set_auto_reconnect         (AgSignal            *self,
                                                    gboolean             auto_reconnect);
GTlsDatabase *ag_signal_get_tls_database           (AgSignal            *self);
void          ag_signal_set_tls_database           (AgSignal            *self,
                                                    GTlsDatabase        *database);
AgSession    *ag_signal_get_current_session        (AgSignal            *self);

AgSession    *ag_signal_login                      (AgSignal            *self,
                                                    const char          *account,
                                                    const char          *token);
void          ag_signal_login_async                (AgSignal            *self,
                                                    const char          *account,
                                                    const char          *token,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
AgSession    *ag_signal_login_finish               (AgSignal            *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

void          ag_signal_user_set_attr              (AgSignal            *self,
                                                    const char          *name,
                                                    const char          *value);
void          ag_signal_user_set_attr_async        (AgSignal            *self,
                                                    const char          *name,
                                                    const char          *value,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean      ag_signal_user_set_attr_finish       (AgSignal            *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

void          ag_signal_user_get_attr              (AgSignal            *self,
                                                    const char          *account,
                                                    const char          *name);
void          ag_signal_user_get_attr_async        (AgSignal            *self,
                                                    const char          *account,
                                                    const char          *name,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
char         *ag_signal_user_get_attr_finish       (AgSignal            *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

void          ag_signal_user_get_attr_all          (AgSignal            *self,
                                                    const char          *account);
void          ag_signal_user_get_attr_all_async    (AgSignal            *self,
                                                    const char          *account,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GHashTable   *ag_signal_user_get_attr_all_finish   (AgSignal            *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

void          ag_signal_channel_query_user_num        (AgSignal            *self,
                                                       const char          *channel);
void          ag_signal_channel_query_user_num_async  (AgSignal            *self,
                                                       const char          *channel,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
guint         ag_signal_channel_query_user_num_finish (AgSignal            *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
