/* ag-signal.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libsoup/soup.h>

#include "ag-call.h"
#include "ag-channel.h"
#include "ag-enums.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-protocol-enums.h"
#include "ag-session-private.h"
#include "ag-signal-private.h"
#include "ag-user-attr-private.h"

/**
 * AgSignal:
 *
 * The entry point of the library for one app id: the spec's `Signal`.
 *
 * [method@Signal.login] makes an [class@Session]; a signal object can have several
 * sessions, and a process several signal objects, all working side by side.
 *
 * [property@Signal:status] is the spec's `getStatus`: with several sessions it is the status
 * of the **current session**, the one most recently made by a login
 * ([property@Signal:current-session]), and [enum@Status.INITIAL] before the first login.
 * Each session has its own [property@Session:status] too.
 *
 * The user-attribute and member-count calls the spec places on `Signal`
 * ([method@Signal.user_set_attr], [method@Signal.user_get_attr],
 * [method@Signal.user_get_attr_all], [method@Signal.channel_query_user_num]) go through the
 * current session and report through this object's signals. While that session is still
 * logging in they wait for it; without a logged-in current session they fail with
 * `AG_ERROR_GENERAL_E_NOT_LOGIN` (1003).
 *
 * With [property@Signal:do-log] set, every frame sent and received (tokens redacted) is
 * logged at debug level in the `Ag` log domain; run with `G_MESSAGES_DEBUG=Ag` to see it.
 */
struct _AgSignal {
  GObject       parent_instance;

  char         *app_id;
  char         *server_uri;
  AgStatus      status;
  guint         request_timeout;
  guint         keepalive_interval;
  GTlsDatabase *tls_database;
  SoupSession  *soup;
  AgSession    *current_session;   /* weak */
  GPtrArray    *sessions;          /* weak, every session this object made and still alive */

  guint         do_log : 1;
  guint         auto_reconnect : 1;
};

G_DEFINE_FINAL_TYPE (AgSignal, ag_signal, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_SERVER_URI,
  PROP_STATUS,
  PROP_DO_LOG,
  PROP_REQUEST_TIMEOUT,
  PROP_KEEPALIVE_INTERVAL,
  PROP_AUTO_RECONNECT,
  PROP_TLS_DATABASE,
  PROP_CURRENT_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_status (AgSignal *self,
            AgStatus  status)
{
  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
current_session_gone_cb (gpointer  data,
                         GObject  *where_the_object_was)
{
  AgSignal *self = data;

  self->current_session = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SESSION]);
  if (self->status != AG_STATUS_INITIAL)
    set_status (self, AG_STATUS_NOT_LOGGED_IN);
}

static void
set_current_session (AgSignal  *self,
                     AgSession *session)
{
  if (self->current_session == session)
    return;

  if (self->current_session != NULL)
    g_object_weak_unref (G_OBJECT (self->current_session), current_session_gone_cb, self);

  self->current_session = session;

  if (session != NULL)
    g_object_weak_ref (G_OBJECT (session), current_session_gone_cb, self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SESSION]);
}

void
_ag_signal_session_status_changed (AgSignal  *self,
                                   AgSession *session)
{
  g_return_if_fail (AG_IS_SIGNAL (self));

  if (session == self->current_session)
    set_status (self, ag_session_get_status (session));
}

static void
session_gone_cb (gpointer  data,
                 GObject  *where_the_object_was)
{
  AgSignal *self = data;

  g_ptr_array_remove_fast (self->sessions, where_the_object_was);
}

static void
track_session (AgSignal  *self,
               AgSession *session)
{
  g_ptr_array_add (self->sessions, session);
  g_object_weak_ref (G_OBJECT (session), session_gone_cb, self);
}

/* The session of account that is logged in, logging in or reconnecting, if any: a login of
 * the same account on this object is then ignored, as the spec says. A session that is
 * logging out does not count ("call logout beforehand without having to wait"). */
static AgSession *
find_active_session (AgSignal   *self,
                     const char *account)
{
  for (guint i = 0; i < self->sessions->len; i++) {
    AgSession *session = g_ptr_array_index (self->sessions, i);

    if (g_strcmp0 (ag_session_get_account (session), account) == 0 &&
        _ag_session_is_active (session))
      return session;
  }

  return NULL;
}

static SoupSession *
ensure_soup (AgSignal *self)
{
  if (self->soup == NULL) {
    /* Each session's WebSocket is its own connection; the pool limits of plain HTTP must
     * not make logins wait for each other. */
    self->soup = soup_session_new_with_options ("max-conns", G_MAXINT,
                                                "max-conns-per-host", G_MAXINT,
                                                "user-agent", "agsignal/" AG_VERSION,
                                                NULL);
    if (self->tls_database != NULL)
      soup_session_set_tls_database (self->soup, self->tls_database);
  }

  return self->soup;
}

static void
ag_signal_dispose (GObject *object)
{
  AgSignal *self = AG_SIGNAL (object);

  set_current_session (self, NULL);
  for (guint i = 0; i < self->sessions->len; i++)
    g_object_weak_unref (g_ptr_array_index (self->sessions, i), session_gone_cb, self);
  g_ptr_array_set_size (self->sessions, 0);
  g_clear_object (&self->soup);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (ag_signal_parent_class)->dispose (object);
}

static void
ag_signal_finalize (GObject *object)
{
  AgSignal *self = AG_SIGNAL (object);

  g_free (self->app_id);
  g_free (self->server_uri);
  g_ptr_array_unref (self->sessions);

  G_OBJECT_CLASS (ag_signal_parent_class)->finalize (object);
}

static void
ag_signal_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  AgSignal *self = AG_SIGNAL (object);

  switch (prop_id) {
  case PROP_APP_ID:
    g_value_set_string (value, self->app_id);
    break;

  case PROP_SERVER_URI:
    g_value_set_string (value, self->server_uri);
    break;

  case PROP_STATUS:
    g_value_set_enum (value, self->status);
    break;

  case PROP_DO_LOG:
    g_value_set_boolean (value, self->do_log);
    break;

  case PROP_REQUEST_TIMEOUT:
    g_value_set_uint (value, self->request_timeout);
    break;

  case PROP_KEEPALIVE_INTERVAL:
    g_value_set_uint (value, self->keepalive_interval);
    break;

  case PROP_AUTO_RECONNECT:
    g_value_set_boolean (value, self->auto_reconnect);
    break;

  case PROP_TLS_DATABASE:
    g_value_set_object (value, self->tls_database);
    break;

  case PROP_CURRENT_SESSION:
    g_value_set_object (value, self->current_session);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_signal_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  AgSignal *self = AG_SIGNAL (object);

  switch (prop_id) {
  case PROP_APP_ID:
    self->app_id = g_value_dup_string (value);
    break;

  case PROP_SERVER_URI:
    ag_signal_set_server_uri (self, g_value_get_string (value));
    break;

  case PROP_DO_LOG:
    ag_signal_set_do_log (self, g_value_get_boolean (value));
    break;

  case PROP_REQUEST_TIMEOUT:
    ag_signal_set_request_timeout (self, g_value_get_uint (value));
    break;

  case PROP_KEEPALIVE_INTERVAL:
    ag_signal_set_keepalive_interval (self, g_value_get_uint (value));
    break;

  case PROP_AUTO_RECONNECT:
    ag_signal_set_auto_reconnect (self, g_value_get_boolean (value));
    break;

  case PROP_TLS_DATABASE:
    ag_signal_set_tls_database (self, g_value_get_object (value));
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_signal_class_init (AgSignalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = ag_signal_dispose;
  object_class->finalize = ag_signal_finalize;
  object_class->get_property = ag_signal_get_property;
  object_class->set_property = ag_signal_set_property;

  /* The error codes are part of the API: make their type known to introspection. */
  g_type_ensure (AG_TYPE_ERROR);

  /* The classes a signal object leads to are made ready with it, so that their signals and
   * properties can be listed (g_signal_list_ids (), GObject.signal_list_names () in Python)
   * before a session, a channel or a call exists: AgCall has no public constructor. Static
   * types keep their class once it is made. */
  g_type_class_unref (g_type_class_ref (AG_TYPE_SESSION));
  g_type_class_unref (g_type_class_ref (AG_TYPE_CHANNEL));
  g_type_class_unref (g_type_class_ref (AG_TYPE_CALL));

  /**
   * AgSignal:app-id:
   *
   * The app id every session logs in to.
   */
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:server-uri:
   *
   * The agsignald to connect to, `ws://HOST:PORT/v1` or `wss://HOST:PORT/v1`. Sessions
   * made after a change use the new value.
   */
  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL,
                         AG_DEFAULT_SERVER_URI,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:status:
   *
   * The status of the current session (the spec's `getStatus`), [enum@Status.INITIAL]
   * before the first login.
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       AG_TYPE_STATUS, AG_STATUS_INITIAL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:do-log:
   *
   * Whether to log every frame at debug level in the `Ag` log domain (the spec's
   * `setDoLog`). Tokens are never logged.
   */
  properties[PROP_DO_LOG] =
    g_param_spec_boolean ("do-log", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:request-timeout:
   *
   * How long a request waits for its reply, in milliseconds, before it fails with its
   * timeout code (see [class@Session]).
   */
  properties[PROP_REQUEST_TIMEOUT] =
    g_param_spec_uint ("request-timeout", NULL, NULL,
                       1, G_MAXUINT, 10000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:keepalive-interval:
   *
   * How often a logged-in session pings the server, in milliseconds; 0 turns it off. A
   * ping without a reply within [property@Signal:request-timeout] counts as a lost
   * connection.
   */
  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL,
                       0, G_MAXUINT, 20000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:auto-reconnect:
   *
   * Whether a logged-in session that loses its connection reconnects.
   */
  properties[PROP_AUTO_RECONNECT] =
    g_param_spec_boolean ("auto-reconnect", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:tls-database:
   *
   * The certificates `wss://` servers are checked against; %NULL for the system's.
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL,
                         G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSignal:current-session:
   *
   * The session most recently made by a login, while it exists.
   */
  properties[PROP_CURRENT_SESSION] =
    g_param_spec_object ("current-session", NULL, NULL,
                         AG_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgSignal::user-set-attr:
   * @self: the signal object
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @ret: the spec's result object as JSON text, see [signal@Session::user-set-attr]
   *
   * The answer to [method@Signal.user_set_attr] (the spec's `onUserSetAttr`).
   */

  /**
   * AgSignal::user-get-attr:
   * @self: the signal object
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @ret: the spec's result object as JSON text, see [signal@Session::user-get-attr]
   *
   * The answer to [method@Signal.user_get_attr] (the spec's `onUserGetAttr`).
   */

  /**
   * AgSignal::user-get-attr-all:
   * @self: the signal object
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @ret: the spec's result object as JSON text, see [signal@Session::user-get-attr-all]
   *
   * The answer to [method@Signal.user_get_attr_all] (the spec's `onUserGetAttrAll`).
   */

  /**
   * AgSignal::channel-query-user-num:
   * @self: the signal object
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @num: the number of members, 0 on failure
   *
   * The answer to [method@Signal.channel_query_user_num] (the spec's
   * `onChannelQueryUserNum`).
   */
  _ag_user_attr_signals_new (type);
}

static void
ag_signal_init (AgSignal *self)
{
  self->server_uri = g_strdup (AG_DEFAULT_SERVER_URI);
  self->status = AG_STATUS_INITIAL;
  self->request_timeout = 10000;
  self->keepalive_interval = 20000;
  self->auto_reconnect = TRUE;
  self->sessions = g_ptr_array_new ();
}

/**
 * ag_signal_new:
 * @app_id: the app id
 *
 * Creates a signal object for an app (the spec's `new Signal (appid)`). It connects to
 * [property@Signal:server-uri], by default an agsignald on this machine.
 *
 * Returns: (transfer full): a new signal object
 */
AgSignal *
ag_signal_new (const char *app_id)
{
  g_return_val_if_fail (app_id != NULL, NULL);

  return g_object_new (AG_TYPE_SIGNAL,
                       "app-id", app_id,
                       NULL);
}

/**
 * ag_signal_get_app_id:
 * @self: a signal object
 *
 * Gets the app id.
 *
 * Returns: the app id
 */
const char *
ag_signal_get_app_id (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);

  return self->app_id;
}

/**
 * ag_signal_get_server_uri:
 * @self: a signal object
 *
 * Gets the server new sessions connect to.
 *
 * Returns: the server's URI
 */
const char *
ag_signal_get_server_uri (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);

  return self->server_uri;
}

/**
 * ag_signal_set_server_uri:
 * @self: a signal object
 * @server_uri: (nullable): a `ws://` or `wss://` URI, or %NULL for
 *   [const@DEFAULT_SERVER_URI]
 *
 * Sets the server new sessions connect to.
 */
void
ag_signal_set_server_uri (AgSignal   *self,
                          const char *server_uri)
{
  g_return_if_fail (AG_IS_SIGNAL (self));

  if (server_uri == NULL)
    server_uri = AG_DEFAULT_SERVER_URI;

  if (g_strcmp0 (self->server_uri, server_uri) == 0)
    return;

  g_free (self->server_uri);
  self->server_uri = g_strdup (server_uri);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URI]);
}

/**
 * ag_signal_set_do_log:
 * @self: a signal object
 * @do_log: whether to log every frame
 *
 * Turns the protocol log on or off (the spec's `setDoLog`); see [property@Signal:do-log].
 */
void
ag_signal_set_do_log (AgSignal *self,
                      gboolean  do_log)
{
  g_return_if_fail (AG_IS_SIGNAL (self));

  if (self->do_log == !!do_log)
    return;

  self->do_log = !!do_log;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DO_LOG]);
}

/**
 * ag_signal_get_do_log:
 * @self: a signal object
 *
 * Gets whether the protocol log is on.
 *
 * Returns: %TRUE when frames are logged
 */
gboolean
ag_signal_get_do_log (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), FALSE);

  return self->do_log;
}

/**
 * ag_signal_get_status:
 * @self: a signal object
 *
 * Gets the login status of the current session (the spec's `getStatus`): 0 not logged in,
 * 1 connecting, 2 logged in, 3 login failed, 4 initial.
 *
 * Returns: the status
 */
AgStatus
ag_signal_get_status (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), AG_STATUS_INITIAL);

  return self->status;
}

/**
 * ag_signal_get_request_timeout:
 * @self: a signal object
 *
 * Gets how long requests wait for their reply.
 *
 * Returns: the timeout in milliseconds
 */
guint
ag_signal_get_request_timeout (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), 0);

  return self->request_timeout;
}

/**
 * ag_signal_set_request_timeout:
 * @self: a signal object
 * @timeout_ms: the timeout in milliseconds, at least 1
 *
 * Sets how long requests wait for their reply; see [property@Signal:request-timeout].
 */
void
ag_signal_set_request_timeout (AgSignal *self,
                               guint     timeout_ms)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->request_timeout == timeout_ms)
    return;

  self->request_timeout = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_TIMEOUT]);
}

/**
 * ag_signal_get_keepalive_interval:
 * @self: a signal object
 *
 * Gets how often sessions ping the server.
 *
 * Returns: the interval in milliseconds, 0 when off
 */
guint
ag_signal_get_keepalive_interval (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), 0);

  return self->keepalive_interval;
}

/**
 * ag_signal_set_keepalive_interval:
 * @self: a signal object
 * @interval_ms: the interval in milliseconds, 0 to turn pings off
 *
 * Sets how often sessions ping the server; see [property@Signal:keepalive-interval].
 */
void
ag_signal_set_keepalive_interval (AgSignal *self,
                                  guint     interval_ms)
{
  g_return_if_fail (AG_IS_SIGNAL (self));

  if (self->keepalive_interval == interval_ms)
    return;

  self->keepalive_interval = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
}

/**
 * ag_signal_get_auto_reconnect:
 * @self: a signal object
 *
 * Gets whether sessions reconnect after a lost connection.
 *
 * Returns: %TRUE when they do
 */
gboolean
ag_signal_get_auto_reconnect (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), FALSE);

  return self->auto_reconnect;
}

/**
 * ag_signal_set_auto_reconnect:
 * @self: a signal object
 * @auto_reconnect: whether to reconnect
 *
 * Sets whether sessions reconnect after a lost connection.
 */
void
ag_signal_set_auto_reconnect (AgSignal *self,
                              gboolean  auto_reconnect)
{
  g_return_if_fail (AG_IS_SIGNAL (self));

  if (self->auto_reconnect == !!auto_reconnect)
    return;

  self->auto_reconnect = !!auto_reconnect;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_RECONNECT]);
}

/**
 * ag_signal_get_tls_database:
 * @self: a signal object
 *
 * Gets the certificates `wss://` servers are checked against.
 *
 * Returns: (transfer none) (nullable): the database, or %NULL for the system's
 */
GTlsDatabase *
ag_signal_get_tls_database (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);

  return self->tls_database;
}

/**
 * ag_signal_set_tls_database:
 * @self: a signal object
 * @database: (nullable): a TLS database, or %NULL for the system's
 *
 * Sets the certificates `wss://` servers are checked against, for example a
 * [iface@Gio.TlsFileDatabase] holding a private certificate authority.
 */
void
ag_signal_set_tls_database (AgSignal     *self,
                            GTlsDatabase *database)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (!database || G_IS_TLS_DATABASE (database));

  if (!g_set_object (&self->tls_database, database))
    return;

  /* Sessions keep the HTTP session they started with; new ones get one with the new
   * database. */
  g_clear_object (&self->soup);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_DATABASE]);
}

/**
 * ag_signal_get_current_session:
 * @self: a signal object
 *
 * Gets the session most recently made by [method@Signal.login].
 *
 * Returns: (transfer none) (nullable): the session, or %NULL
 */
AgSession *
ag_signal_get_current_session (AgSignal *self)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);

  return self->current_session;
}

/**
 * ag_signal_login:
 * @self: a signal object
 * @account: the account, 1-128 visible characters without spaces
 * @token: a SignalingToken, or `_no_need_token` for apps that allow it
 *
 * Logs in (the spec's `login`). The session is returned at once and becomes the current
 * session; [signal@Session::login-success] or [signal@Session::login-failed] follows from
 * the main loop. [method@Session.logout] cancels a login in progress.
 *
 * If this object already has a session of @account that is logged in, logging in or
 * reconnecting, the login is ignored, as the spec says: that session is returned (and stays
 * as it is, current or not), and it reports `AG_ERROR_LOGIN_E_ALREADY_LOGIN` (208) through
 * [signal@Session::error] from the main loop. A session that is logging out does not count,
 * so `logout ()` followed at once by `login ()` logs in anew.
 *
 * Returns: (transfer full): the new session, or the session of @account already logged in
 */
AgSession *
ag_signal_login (AgSignal   *self,
                 const char *account,
                 const char *token)
{
  AgSession *session;

  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  session = find_active_session (self, account);
  if (session != NULL) {
    _ag_session_report_already_logged_in (session);
    return g_object_ref (session);
  }

  session = _ag_session_new (self, ensure_soup (self), account, token);
  track_session (self, session);
  set_current_session (self, session);
  _ag_session_start (session);

  return session;
}

typedef struct {
  AgSession    *session;
  GCancellable *cancellable;
  gulong        success_handler;
  gulong        failed_handler;
  gulong        cancelled_handler;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_signal_handler (&data->success_handler, data->session);
  g_clear_signal_handler (&data->failed_handler, data->session);
  if (data->cancelled_handler != 0)
    g_signal_handler_disconnect (data->cancellable, data->cancelled_handler);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->session);
  g_free (data);
}

/* Completes a login task once: the handlers share the one reference the task lent them. */
static void
finish_login (GTask     *task,
              AgSession *session,
              int        ecode)
{
  LoginData *data = g_task_get_task_data (task);

  g_clear_signal_handler (&data->success_handler, data->session);
  g_clear_signal_handler (&data->failed_handler, data->session);
  if (data->cancelled_handler != 0)
    g_signal_handler_disconnect (data->cancellable, data->cancelled_handler);
  data->cancelled_handler = 0;

  if (session != NULL)
    g_task_return_pointer (task, g_object_ref (session), g_object_unref);
  else
    g_task_return_new_error (task, AG_ERROR, ecode, "%s", ag_error_code_describe (ecode));

  g_object_unref (task);
}

static void
login_success_cb (AgSession *session,
                  guint      uid,
                  GTask     *task)
{
  finish_login (task, session, 0);
}

static void
login_failed_cb (AgSession *session,
                 int        ecode,
                 GTask     *task)
{
  finish_login (task, NULL, ecode);
}

static void
login_cancelled_cb (GCancellable *cancellable,
                    GTask        *task)
{
  LoginData *data = g_task_get_task_data (task);

  /* Cancelling is the spec's logout during a login: login-failed (203) completes the task. */
  ag_session_logout (data->session);
}

/**
 * ag_signal_login_async:
 * @self: a signal object
 * @account: the account
 * @token: a SignalingToken, or `_no_need_token`
 * @cancellable: (nullable): cancels the login, which then fails with
 *   `AG_ERROR_LOGIN_E_CANCEL` (203)
 * @callback: (scope async): called when the session is logged in or the login failed
 * @user_data: data for @callback
 *
 * Logs in like [method@Signal.login] and completes with the logged-in session. The
 * session's own signals are emitted as well.
 *
 * When this object already has a session of @account that is logged in or logging in, the
 * login is ignored and completes with `AG_ERROR_LOGIN_E_ALREADY_LOGIN` (208); that session
 * is not touched and emits nothing.
 */
void
ag_signal_login_async (AgSignal            *self,
                       const char          *account,
                       const char          *token,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;
  LoginData *data;

  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (token != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_signal_login_async);
  /* A cancelled login reports the spec's 203, not G_IO_ERROR_CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);

  if (find_active_session (self, account) != NULL) {
    g_task_return_new_error (task, AG_ERROR, AG_ERROR_LOGIN_E_ALREADY_LOGIN, "%s",
                             ag_error_code_describe (AG_ERROR_LOGIN_E_ALREADY_LOGIN));
    g_object_unref (task);
    return;
  }

  data = g_new0 (LoginData, 1);
  data->session = ag_signal_login (self, account, token);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  data->success_handler = g_signal_connect (data->session, "login-success",
                                            G_CALLBACK (login_success_cb), task);
  data->failed_handler = g_signal_connect (data->session, "login-failed",
                                           G_CALLBACK (login_failed_cb), task);

  if (cancellable != NULL) {
    data->cancellable = g_object_ref (cancellable);
    data->cancelled_handler = g_signal_connect (cancellable, "cancelled",
                                                G_CALLBACK (login_cancelled_cb), task);
  }

  /* The task's one reference is the handlers' until finish_login. */
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    ag_session_logout (data->session);
}

/**
 * ag_signal_login_finish:
 * @self: a signal object
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Signal.login_async].
 *
 * Returns: (transfer full): the logged-in session, or %NULL with the code of
 *   [signal@Session::login-failed]
 */
AgSession *
ag_signal_login_finish (AgSignal      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_signal_login_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The Signal-level calls run on the current session; its task completes ours. */
/**
 * ag_signal_user_set_attr_async:
 * @self: a signal object
 * @name: the attribute's name
 * @value: the value; empty deletes the attribute
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Sets an attribute of the current session's account, without emitting
 * [signal@Signal::user-set-attr].
 */
void
ag_signal_user_set_attr_async (AgSignal            *self,
                               const char          *name,
                               const char          *value,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  _ag_user_attr_send_async (self, self->current_session, AG_USER_ATTR_SET, NULL, name, value,
                            ag_signal_user_set_attr_async, cancellable, callback, user_data);
}

/**
 * ag_signal_user_set_attr_finish:
 * @self: a signal object
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Signal.user_set_attr_async].
 *
 * Returns: %TRUE when the attribute was set
 */
gboolean
ag_signal_user_set_attr_finish (AgSignal      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), FALSE);

  return _ag_user_attr_set_finish (self, result, ag_signal_user_set_attr_async, error);
}

/**
 * ag_signal_user_set_attr:
 * @self: a signal object
 * @name: the attribute's name
 * @value: the value, up to 8096 characters; empty deletes the attribute
 *
 * Sets an attribute of the current session's account (the spec's `userSetAttr`).
 * [signal@Signal::user-set-attr] follows.
 */
void
ag_signal_user_set_attr (AgSignal   *self,
                         const char *name,
                         const char *value)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  _ag_user_attr_send (self, self->current_session, AG_USER_ATTR_SET, NULL, name, value,
                      ag_signal_user_set_attr_async);
}

/**
 * ag_signal_user_get_attr_async:
 * @self: a signal object
 * @account: the account
 * @name: the attribute's name
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Reads an attribute of an account through the current session, without emitting
 * [signal@Signal::user-get-attr].
 */
void
ag_signal_user_get_attr_async (AgSignal            *self,
                               const char          *account,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  _ag_user_attr_send_async (self, self->current_session, AG_USER_ATTR_GET, account, name, NULL,
                            ag_signal_user_get_attr_async, cancellable, callback, user_data);
}

/**
 * ag_signal_user_get_attr_finish:
 * @self: a signal object
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Signal.user_get_attr_async]. An unset attribute is %NULL without an
 * error.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL
 */
char *
ag_signal_user_get_attr_finish (AgSignal      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);

  return _ag_user_attr_get_finish (self, result, ag_signal_user_get_attr_async, error);
}

/**
 * ag_signal_user_get_attr:
 * @self: a signal object
 * @account: the account
 * @name: the attribute's name
 *
 * Reads an attribute of an account through the current session (the spec's
 * `userGetAttr`). [signal@Signal::user-get-attr] follows.
 */
void
ag_signal_user_get_attr (AgSignal   *self,
                         const char *account,
                         const char *name)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  _ag_user_attr_send (self, self->current_session, AG_USER_ATTR_GET, account, name, NULL,
                      ag_signal_user_get_attr_async);
}

/**
 * ag_signal_user_get_attr_all_async:
 * @self: a signal object
 * @account: the account
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Reads every attribute of an account through the current session, without emitting
 * [signal@Signal::user-get-attr-all].
 */
void
ag_signal_user_get_attr_all_async (AgSignal            *self,
                                   const char          *account,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (account != NULL);

  _ag_user_attr_send_async (self, self->current_session, AG_USER_ATTR_GET_ALL, account, NULL,
                            NULL, ag_signal_user_get_attr_all_async, cancellable, callback,
                            user_data);
}

/**
 * ag_signal_user_get_attr_all_finish:
 * @self: a signal object
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Signal.user_get_attr_all_async].
 *
 * Returns: (transfer full) (element-type utf8 utf8): the attributes by name, or %NULL on
 *   error
 */
GHashTable *
ag_signal_user_get_attr_all_finish (AgSignal      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), NULL);

  return _ag_user_attr_get_all_finish (self, result, ag_signal_user_get_attr_all_async, error);
}

/**
 * ag_signal_user_get_attr_all:
 * @self: a signal object
 * @account: the account
 *
 * Reads every attribute of an account through the current session (the spec's
 * `userGetAttrAll`). [signal@Signal::user-get-attr-all] follows.
 */
void
ag_signal_user_get_attr_all (AgSignal   *self,
                             const char *account)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (account != NULL);

  _ag_user_attr_send (self, self->current_session, AG_USER_ATTR_GET_ALL, account, NULL, NULL,
                      ag_signal_user_get_attr_all_async);
}

/**
 * ag_signal_channel_query_user_num_async:
 * @self: a signal object
 * @channel: the channel's name
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Asks how many members a channel has through the current session, without emitting
 * [signal@Signal::channel-query-user-num].
 */
void
ag_signal_channel_query_user_num_async (AgSignal            *self,
                                        const char          *channel,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (channel != NULL);

  _ag_user_attr_send_async (self, self->current_session, AG_USER_ATTR_QUERY_NUM, channel, NULL,
                            NULL, ag_signal_channel_query_user_num_async, cancellable, callback,
                            user_data);
}

/**
 * ag_signal_channel_query_user_num_finish:
 * @self: a signal object
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Signal.channel_query_user_num_async]. On failure @error carries 500,
 * 501 (timeout) or the server's code.
 *
 * Returns: the number of members, 0 on error
 */
guint
ag_signal_channel_query_user_num_finish (AgSignal      *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (AG_IS_SIGNAL (self), 0);

  return _ag_user_attr_query_num_finish (self, result, ag_signal_channel_query_user_num_async,
                                         error);
}

/**
 * ag_signal_channel_query_user_num:
 * @self: a signal object
 * @channel: the channel's name
 *
 * Asks how many members a channel has through the current session (the spec's
 * `channelQueryUserNum`). [signal@Signal::channel-query-user-num] follows.
 */
void
ag_signal_channel_query_user_num (AgSignal   *self,
                                  const char *channel)
{
  g_return_if_fail (AG_IS_SIGNAL (self));
  g_return_if_fail (channel != NULL);

  _ag_user_attr_send (self, self->current_session, AG_USER_ATTR_QUERY_NUM, channel, NULL, NULL,
                      ag_signal_channel_query_user_num_async);
}
