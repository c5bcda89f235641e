/* ag-session.c: the life of an AgSession: its login over its own connection, reconnection,
 * the events it routes to its channel and calls, and logout. Its requests and the signals
 * answering them are in ag-session-requests.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-call-private.h"
#include "ag-channel-private.h"
#include "ag-enums.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-session-private.h"
#include "ag-signal-private.h"
#include "ag-transport.h"

/**
 * AgSession:
 *
 * One login of one account: the spec's `Signal.LoginSession`.
 *
 * [method@Signal.login] returns a session at once; it then connects (one WebSocket per
 * session) and reports [signal@Session::login-success] or [signal@Session::login-failed].
 * Requests made while the session is still logging in wait for the login; requests made when
 * it is not logged in fail with `AG_ERROR_GENERAL_E_NOT_LOGIN` (1003).
 *
 * When a logged-in session loses its connection (not after [method@Session.logout] nor when
 * the server logs it out), it emits [signal@Session::reconnecting] and tries again with
 * growing delays (the first within 250 ms, then up to 5 s apart), logs in again, re-joins its
 * channel and emits [signal@Session::reconnected]. The [class@Channel] stays the same object:
 * no second [signal@Channel::channel-joined] is emitted, and its roster and attributes are
 * brought in line with the server's, the differences being reported as
 * [signal@Channel::channel-user-joined], [signal@Channel::channel-user-leaved] and
 * [signal@Channel::channel-attr-updated]. Requests already sent when the connection was lost
 * fail (they may or may not have reached the server); requests made while reconnecting are
 * sent once the session is back. Calls do not survive a lost connection (the server ends
 * them): each live call gets [signal@Call::invite-failed] with `AG_ERROR_INVITE_E_NET` (702).
 * With [property@Signal:auto-reconnect] off, a lost connection ends the session with
 * [signal@Session::logout] (102).
 *
 * Requests without a reply within [property@Signal:request-timeout] fail with the spec's
 * timeout code for the operation: 401 (`SENDMESSAGE_E_TIMEOUT`) for peer, channel and call
 * messages, 501 (`QUERYUSERNUM_E_TIMEOUT`) for member counts, 201 (`LOGIN_E_NET`) for the
 * login, 300 (`JOINCHANNEL_E_OTHER`) for joins, 702 (`INVITE_E_NET`) for invitations and
 * their answers, and 1001 (`GENERAL_E_FAILED`) for everything else. Requests cut by a lost
 * connection fail with 400, 500, 201, 300, 702 and 1001 respectively.
 */
struct _AgSession {
  GObject       parent_instance;

  AgSignal     *signal;
  SoupSession  *soup;
  char         *account;
  char         *token;
  guint         uid;
  AgStatus      status;
  gint64        message_ts;   /* while message-instant-receive is emitted */

  AgTransport  *transport;
  AgChannel    *channel;        /* the joined channel */
  GHashTable   *calls;          /* "channel\npeer" -> AgCall, calls not final yet */
  GPtrArray    *logout_tasks;
  GCancellable *cancellable;
  guint         failure_source;
  int           failure_code;

  guint         logging_out : 1;
};

G_DEFINE_FINAL_TYPE (AgSession, ag_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SIGNAL,
  PROP_ACCOUNT,
  PROP_UID,
  PROP_STATUS,
  PROP_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_LOGIN_SUCCESS,
  SIGNAL_LOGIN_FAILED,
  SIGNAL_LOGOUT,
  SIGNAL_MESSAGE_INSTANT_RECEIVE,
  SIGNAL_INVITE_RECEIVED,
  SIGNAL_ERROR,
  SIGNAL_RECONNECTING,
  SIGNAL_RECONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

int
_ag_error_get_code (const GError *error,
                    int           fallback)
{
  if (error != NULL && error->domain == AG_ERROR)
    return error->code;

  return fallback;
}

static void
set_status (AgSession *self,
            AgStatus   status)
{
  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  _ag_signal_session_status_changed (self->signal, self);
}

static char *
call_key (const char *channel,
          const char *peer)
{
  return g_strdup_printf ("%s\n%s", channel, peer);
}

/* Every live call fails: the server ends a party's calls when its connection goes. */
static void
fail_calls (AgSession *self,
            int        code)
{
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  AgCall *call;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &call))
    g_ptr_array_add (calls, g_object_ref (call));
  g_hash_table_remove_all (self->calls);

  for (guint i = 0; i < calls->len; i++)
    _ag_call_fail (g_ptr_array_index (calls, i), code);
}

static void
drop_channel (AgSession *self,
              int        code)
{
  g_autoptr(AgChannel) channel = g_steal_pointer (&self->channel);

  if (channel == NULL)
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
  _ag_channel_left (channel, code);
}

static void
complete_logout_tasks (AgSession *self,
                       int        code)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->logout_tasks);

  if (tasks == NULL)
    return;

  for (guint i = 0; i < tasks->len; i++) {
    GTask *task = g_ptr_array_index (tasks, i);

    if (code == AG_ERROR_LOGOUT_E_USER)
      g_task_return_boolean (task, TRUE);
    else
      g_task_return_new_error (task, AG_ERROR, code, "%s", ag_error_code_describe (code));
  }
}

/* The end of a logged-in session, whatever the reason: the channel is left with
 * channel_code, calls fail and logout (code) is emitted. */
static void
end_session (AgSession *self,
             int        code,
             int        channel_code)
{
  g_autoptr(AgSession) guard = g_object_ref (self);

  /* The status goes first: closing fails the requests still waiting, and their callbacks
   * must find the session settled. */
  self->logging_out = FALSE;
  set_status (self, AG_STATUS_NOT_LOGGED_IN);
  _ag_transport_close (self->transport);
  drop_channel (self, channel_code);
  fail_calls (self, AG_ERROR_INVITE_E_NET);
  g_signal_emit (self, signals[SIGNAL_LOGOUT], 0, code);
  complete_logout_tasks (self, code);
}

static void
fail_login (AgSession *self,
            int        code)
{
  g_autoptr(AgSession) guard = g_object_ref (self);

  set_status (self, AG_STATUS_LOGIN_FAILED);
  _ag_transport_fail_queued (self->transport, AG_ERROR_GENERAL_E_NOT_LOGIN);
  _ag_transport_close (self->transport);
  g_signal_emit (self, signals[SIGNAL_LOGIN_FAILED], 0, code);
}

static void
finish_restore (AgSession *self)
{
  set_status (self, AG_STATUS_LOGGED_IN);
  _ag_transport_set_ready (self->transport, TRUE);
  g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0);
}

static void
rejoin_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(AgChannel) channel = user_data;
  AgSession *self;
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = _ag_transport_request_finish (AG_TRANSPORT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = AG_SESSION (ag_channel_get_session (channel));
  if (self == NULL || self->status != AG_STATUS_CONNECTING)
    return;

  if (reply == NULL) {
    /* A re-join cut by the connection waits for the next attempt; a re-join refused by the
     * server means the session is back without its channel. */
    if (_ag_transport_get_state (self->transport) != AG_TRANSPORT_OPEN)
      return;

    if (error->code == _ag_transport_timeout_code (AG_OP_CHANNEL_JOIN)) {
      _ag_transport_drop (self->transport);
      return;
    }

    if (self->channel == channel)
      drop_channel (self, AG_ERROR_LEAVECHANNEL_E_DISCONN);
  } else if (self->channel == channel) {
    _ag_channel_rejoined (channel, reply, self->account, self->uid);
  }

  finish_restore (self);
}

static gboolean
login_error_is_transient (int code)
{
  switch (code) {
  case AG_ERROR_LOGIN_E_NET:
  case AG_ERROR_LOGIN_E_OTHER:
  case AG_ERROR_GENERAL_E:
  case AG_ERROR_GENERAL_E_FAILED:
  case AG_ERROR_GENERAL_E_UNKNOWN:
  case AG_ERROR_LIMIT_E_SLOW_CONSUMER:
    return TRUE;
  default:
    return FALSE;
  }
}

static int
logout_code_for_login_error (int code)
{
  switch (code) {
  case AG_ERROR_LOGIN_E_TOKENEXPIRED:
    return AG_ERROR_LOGOUT_E_TOKENEXPIRED;
  case AG_ERROR_LOGIN_E_TOKENWRONG:
    return AG_ERROR_LOGOUT_E_TOKENWRONG;
  default:
    return AG_ERROR_LOGOUT_E_OTHER;
  }
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  AgSession *self = user_data;
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean restoring;

  reply = _ag_transport_request_finish (AG_TRANSPORT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_object_ref (self);

  /* A cancelled login or a logout while reconnecting already settled the status. */
  if (self->status != AG_STATUS_CONNECTING)
    goto out;

  restoring = self->uid != 0;

  if (reply == NULL) {
    int code = _ag_error_get_code (error, AG_ERROR_LOGIN_E_OTHER);

    if (!restoring)
      fail_login (self, code);
    else if (login_error_is_transient (code))
      _ag_transport_drop (self->transport);
    else
      end_session (self, logout_code_for_login_error (code), AG_ERROR_LEAVECHANNEL_E_LOGOUT);
    goto out;
  }

  if (!restoring) {
    self->uid = reply->uid;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UID]);
    _ag_transport_set_established (self->transport, TRUE);
    set_status (self, AG_STATUS_LOGGED_IN);
    _ag_transport_set_ready (self->transport, TRUE);
    g_signal_emit (self, signals[SIGNAL_LOGIN_SUCCESS], 0, self->uid);
    goto out;
  }

  if (reply->uid != 0 && reply->uid != self->uid) {
    self->uid = reply->uid;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UID]);
  }

  if (self->channel != NULL) {
    AgFrame *join = ag_frame_new (AG_OP_CHANNEL_JOIN);

    join->channel = g_strdup (ag_channel_get_name (self->channel));
    _ag_transport_request_async (self->transport, join, TRUE, self->cancellable,
                                 rejoin_cb, g_object_ref (self->channel));
    goto out;
  }

  finish_restore (self);

out:
  g_object_unref (self);
}

static void
send_login (AgSession *self)
{
  AgFrame *frame = ag_frame_new (AG_OP_LOGIN);

  frame->app_id = g_strdup (ag_signal_get_app_id (self->signal));
  frame->account = g_strdup (self->account);
  frame->token = g_strdup (self->token);

  /* The session outlives its requests: dispose cancels them before it goes. */
  _ag_transport_request_async (self->transport, frame, TRUE, self->cancellable, login_cb, self);
}

static void
transport_opened_cb (AgTransport *transport,
                     gboolean     reconnected,
                     AgSession   *self)
{
  /* A login after a reconnection is the same request; login_cb tells them apart by the
   * uid the session already has. */
  send_login (self);
}

static void
transport_open_failed_cb (AgTransport  *transport,
                          const GError *error,
                          AgSession    *self)
{
  if (self->status != AG_STATUS_CONNECTING)
    return;

  g_debug ("%s: cannot connect: %s", self->account, error->message);
  fail_login (self, AG_ERROR_LOGIN_E_NET);
}

static void
transport_lost_cb (AgTransport  *transport,
                   const GError *error,
                   AgSession    *self)
{
  if (self->status == AG_STATUS_LOGIN_FAILED || self->status == AG_STATUS_NOT_LOGGED_IN)
    return;

  if (self->logging_out) {
    end_session (self, AG_ERROR_LOGOUT_E_USER, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
    return;
  }

  if (self->uid == 0) {
    fail_login (self, AG_ERROR_LOGIN_E_NET);
    return;
  }

  end_session (self, AG_ERROR_LOGOUT_E_NET, AG_ERROR_LEAVECHANNEL_E_DISCONN);
}

static void
transport_reconnecting_cb (AgTransport *transport,
                           guint        attempt,
                           AgSession   *self)
{
  g_autoptr(AgSession) guard = g_object_ref (self);

  set_status (self, AG_STATUS_CONNECTING);
  if (attempt == 1)
    fail_calls (self, AG_ERROR_INVITE_E_NET);
  g_signal_emit (self, signals[SIGNAL_RECONNECTING], 0, attempt);
}

static void
transport_protocol_error_cb (AgTransport *transport,
                             int          code,
                             const char  *reason,
                             AgSession   *self)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, code, reason);
}

static void
handle_call_event (AgSession     *self,
                   const AgFrame *event)
{
  g_autofree char *key = NULL;
  AgCall *call;

  if (event->channel == NULL || event->peer == NULL)
    return;

  key = call_key (event->channel, event->peer);

  if (event->op == AG_OP_EV_CALL_INCOMING) {
    g_autoptr(AgCall) incoming = NULL;
    AgCall *previous = g_hash_table_lookup (self->calls, key);

    /* A new invitation for the same channel and peer replaces a call the server has
     * already forgotten. */
    if (previous != NULL) {
      g_autoptr(AgCall) stale = g_object_ref (previous);

      g_hash_table_remove (self->calls, key);
      _ag_call_fail (stale, AG_ERROR_INVITE_E_OTHER);
    }

    incoming = _ag_call_new (self, AG_CALL_DIRECTION_INCOMING, event->channel, event->peer,
                             event->uid, event->extra);
    g_hash_table_insert (self->calls, g_steal_pointer (&key), g_object_ref (incoming));
    g_signal_emit (self, signals[SIGNAL_INVITE_RECEIVED], 0, incoming);
    return;
  }

  call = g_hash_table_lookup (self->calls, key);
  if (call == NULL) {
    g_debug ("%s: event %s for an unknown call", self->account, ag_op_to_string (event->op));
    return;
  }

  _ag_call_handle_event (call, event);
}

static void
transport_event_cb (AgTransport   *transport,
                    const AgFrame *event,
                    AgSession     *self)
{
  g_autoptr(AgSession) guard = g_object_ref (self);

  switch (event->op) {
  case AG_OP_EV_LOGOUT:
    if (self->status == AG_STATUS_LOGGED_IN || self->status == AG_STATUS_CONNECTING)
      end_session (self, event->code, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
    break;

  case AG_OP_EV_MSG:
    self->message_ts = event->ts;
    g_signal_emit (self, signals[SIGNAL_MESSAGE_INSTANT_RECEIVE], 0,
                   event->account, (guint) event->uid, event->msg);
    self->message_ts = 0;
    break;

  case AG_OP_EV_CHANNEL_LEFT:
    /* An operator removed the session from its channel (601). */
    if (self->channel != NULL &&
        g_strcmp0 (event->channel, ag_channel_get_name (self->channel)) == 0)
      drop_channel (self, event->code);
    break;

  case AG_OP_EV_CHANNEL_USER_JOINED:
  case AG_OP_EV_CHANNEL_USER_LEFT:
  case AG_OP_EV_CHANNEL_MSG:
  case AG_OP_EV_CHANNEL_ATTR:
    if (self->channel != NULL &&
        g_strcmp0 (event->channel, ag_channel_get_name (self->channel)) == 0)
      _ag_channel_handle_event (self->channel, event);
    else
      g_debug ("%s: event %s for channel %s, not joined", self->account,
               ag_op_to_string (event->op), event->channel);
    break;

  case AG_OP_EV_CALL_INCOMING:
  case AG_OP_EV_CALL_RECEIVED:
  case AG_OP_EV_CALL_ACCEPTED:
  case AG_OP_EV_CALL_REFUSED:
  case AG_OP_EV_CALL_FAILED:
  case AG_OP_EV_CALL_ENDED:
  case AG_OP_EV_CALL_MSG:
    handle_call_event (self, event);
    break;

  default:
    g_debug ("%s: ignoring event %s", self->account, ag_op_to_string (event->op));
    break;
  }
}

static void
signal_notify_cb (AgSignal   *signal,
                  GParamSpec *pspec,
                  AgSession  *self)
{
  if (self->transport == NULL)
    return;

  _ag_transport_set_do_log (self->transport, ag_signal_get_do_log (signal));
  _ag_transport_set_request_timeout (self->transport, ag_signal_get_request_timeout (signal));
  _ag_transport_set_keepalive (self->transport, ag_signal_get_keepalive_interval (signal));
  _ag_transport_set_reconnect (self->transport, ag_signal_get_auto_reconnect (signal));
}

static void
ag_session_dispose (GObject *object)
{
  AgSession *self = AG_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->failure_source, g_source_remove);

  if (self->transport != NULL) {
    g_signal_handlers_disconnect_by_data (self->transport, self);
    _ag_transport_close (self->transport);
    g_clear_object (&self->transport);
  }

  g_clear_object (&self->channel);
  g_hash_table_remove_all (self->calls);
  complete_logout_tasks (self, AG_ERROR_LOGOUT_E_OTHER);

  G_OBJECT_CLASS (ag_session_parent_class)->dispose (object);
}

static void
ag_session_finalize (GObject *object)
{
  AgSession *self = AG_SESSION (object);

  g_hash_table_unref (self->calls);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->soup);
  g_clear_object (&self->signal);
  g_free (self->account);
  g_free (self->token);

  G_OBJECT_CLASS (ag_session_parent_class)->finalize (object);
}

static void
ag_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  AgSession *self = AG_SESSION (object);

  switch (prop_id) {
  case PROP_SIGNAL:
    g_value_set_object (value, self->signal);
    break;

  case PROP_ACCOUNT:
    g_value_set_string (value, self->account);
    break;

  case PROP_UID:
    g_value_set_uint (value, self->uid);
    break;

  case PROP_STATUS:
    g_value_set_enum (value, self->status);
    break;

  case PROP_CHANNEL:
    g_value_set_object (value, self->channel);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_session_class_init (AgSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = ag_session_dispose;
  object_class->finalize = ag_session_finalize;
  object_class->get_property = ag_session_get_property;

  /**
   * AgSession:signal:
   *
   * The [class@Signal] that made the session.
   */
  properties[PROP_SIGNAL] =
    g_param_spec_object ("signal", NULL, NULL,
                         AG_TYPE_SIGNAL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSession:account:
   *
   * The account the session logs in as.
   */
  properties[PROP_ACCOUNT] =
    g_param_spec_string ("account", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSession:uid:
   *
   * The uid the server gave the account, 0 until the first login succeeded.
   */
  properties[PROP_UID] =
    g_param_spec_uint ("uid", NULL, NULL,
                       0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSession:status:
   *
   * The session's login status: [enum@Status.CONNECTING] while logging in and while
   * reconnecting, [enum@Status.LOGGED_IN], then [enum@Status.NOT_LOGGED_IN] after a logout
   * or [enum@Status.LOGIN_FAILED].
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       AG_TYPE_STATUS, AG_STATUS_INITIAL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgSession:channel:
   *
   * The channel the session is in, or %NULL.
   */
  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL,
                         AG_TYPE_CHANNEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgSession::login-success:
   * @self: the session
   * @uid: the uid the server gave the account
   *
   * The login succeeded (the spec's `onLoginSuccess`).
   */
  signals[SIGNAL_LOGIN_SUCCESS] =
    g_signal_new ("login-success", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__UINT,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  g_signal_set_va_marshaller (signals[SIGNAL_LOGIN_SUCCESS], type, _ag_marshal_VOID__UINTv);

  /**
   * AgSession::login-failed:
   * @self: the session
   * @ecode: an [error@Error]: 201 when the server cannot be reached, 203 when
   *   [method@Session.logout] cancelled the login, else the server's code (202, 204, 206,
   *   209, ...)
   *
   * The login failed (the spec's `onLoginFailed`).
   */
  signals[SIGNAL_LOGIN_FAILED] =
    g_signal_new ("login-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_LOGIN_FAILED], type, _ag_marshal_VOID__INTv);

  /**
   * AgSession::logout:
   * @self: the session
   * @ecode: 101 after [method@Session.logout], 103 when the account logged in elsewhere,
   *   105 when the token expired, 102 when the connection was lost for good, 108 when
   *   [method@Session.logout] was called on a session that is not logged in
   *
   * The session is logged out (the spec's `onLogout`).
   */
  signals[SIGNAL_LOGOUT] =
    g_signal_new ("logout", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_LOGOUT], type, _ag_marshal_VOID__INTv);

  /**
   * AgSession::message-instant-receive:
   * @self: the session
   * @account: the sender's account
   * @uid: the sender's uid
   * @msg: the message
   *
   * A peer message arrived (the spec's `onMessageInstantReceive`). Messages stored while the
   * session was offline arrive right after the login, oldest first; during the emission,
   * [method@Session.get_message_ts] says when the server accepted each one.
   */
  signals[SIGNAL_MESSAGE_INSTANT_RECEIVE] =
    g_signal_new ("message-instant-receive", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_UINT_STRING,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE_INSTANT_RECEIVE], type,
                              _ag_marshal_VOID__STRING_UINT_STRINGv);

  /**
   * AgSession::invite-received:
   * @self: the session
   * @call: the incoming call, in [enum@CallState.RINGING]
   *
   * A peer invites this session (the spec's `onInviteReceived`). Answer with
   * [method@Call.channel_invite_accept] or [method@Call.channel_invite_refuse]; the session
   * keeps the call until it ends.
   */
  signals[SIGNAL_INVITE_RECEIVED] =
    g_signal_new ("invite-received", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, AG_TYPE_CALL);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_RECEIVED], type, _ag_marshal_VOID__OBJECTv);

  /**
   * AgSession::error:
   * @self: the session
   * @ecode: an [error@Error]
   * @reason: English text for logs
   *
   * Something failed that has no callback of its own (the spec's `onError`): a request made
   * without `_async` whose spec method has no failure callback (channel and call requests),
   * an error frame that answers no request, or a frame that could not be read. A second
   * [method@Signal.login] of this session's account on the same [class@Signal] is ignored
   * and reported here with `AG_ERROR_LOGIN_E_ALREADY_LOGIN` (208).
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT_STRING,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_ERROR], type, _ag_marshal_VOID__INT_STRINGv);

  /**
   * AgSession::reconnecting:
   * @self: the session
   * @attempt: the number of the coming attempt, from 1
   *
   * The connection was lost; an attempt to reconnect is scheduled (`onReconnecting` of the
   * sibling SDKs). [property@Session:status] is [enum@Status.CONNECTING] until
   * [signal@Session::reconnected].
   */
  signals[SIGNAL_RECONNECTING] =
    g_signal_new ("reconnecting", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__UINT,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  g_signal_set_va_marshaller (signals[SIGNAL_RECONNECTING], type, _ag_marshal_VOID__UINTv);

  /**
   * AgSession::reconnected:
   * @self: the session
   *
   * The session is logged in again after a lost connection and back in its channel
   * (`onReconnected` of the sibling SDKs).
   */
  signals[SIGNAL_RECONNECTED] =
    g_signal_new ("reconnected", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);
  g_signal_set_va_marshaller (signals[SIGNAL_RECONNECTED], type, _ag_marshal_VOID__VOIDv);

  /* The signals answering requests are made with the requests, in ag-session-requests.c. */
  _ag_session_requests_class_init (klass);
}

static void
ag_session_init (AgSession *self)
{
  self->status = AG_STATUS_INITIAL;
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->cancellable = g_cancellable_new ();
}

AgSession *
_ag_session_new (AgSignal    *signal,
                 SoupSession *soup,
                 const char  *account,
                 const char  *token)
{
  AgSession *self;

  g_return_val_if_fail (AG_IS_SIGNAL (signal), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (soup), NULL);

  self = g_object_new (AG_TYPE_SESSION, NULL);
  self->signal = g_object_ref (signal);
  self->soup = g_object_ref (soup);
  self->account = g_strdup (account);
  self->token = g_strdup (token);

  return self;
}

static gboolean
deferred_failure_cb (gpointer user_data)
{
  AgSession *self = user_data;

  self->failure_source = 0;
  if (self->status == AG_STATUS_CONNECTING)
    fail_login (self, self->failure_code);

  return G_SOURCE_REMOVE;
}

static gboolean
is_websocket_uri (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;

  scheme = g_uri_get_scheme (uri);

  return g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0;
}

struct _AgTransport *
_ag_session_get_transport (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->transport;
}

void
_ag_session_start (AgSession *self)
{
  int code;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (self->transport == NULL);

  self->transport = _ag_transport_new (self->soup, ag_signal_get_server_uri (self->signal),
                                       self->account);
  signal_notify_cb (self->signal, NULL, self);
  g_signal_connect_object (self->signal, "notify", G_CALLBACK (signal_notify_cb), self, 0);

  g_signal_connect (self->transport, "opened", G_CALLBACK (transport_opened_cb), self);
  g_signal_connect (self->transport, "open-failed", G_CALLBACK (transport_open_failed_cb), self);
  g_signal_connect (self->transport, "lost", G_CALLBACK (transport_lost_cb), self);
  g_signal_connect (self->transport, "reconnecting",
                    G_CALLBACK (transport_reconnecting_cb), self);
  g_signal_connect (self->transport, "event", G_CALLBACK (transport_event_cb), self);
  g_signal_connect (self->transport, "protocol-error",
                    G_CALLBACK (transport_protocol_error_cb), self);

  set_status (self, AG_STATUS_CONNECTING);

  /* An account the server would refuse, or a server that cannot be named, fails without a
   * connection, still from the main loop so that the caller can connect to the signals
   * first. At the default priority, not an idle one: a GTK application redraws at a higher
   * priority than idles, so a spinner animating on a slow renderer would starve the failure
   * (a login dialog stayed "Logging in" for a minute with the GL renderer). */
  code = self->account != NULL ? ag_check_account (self->account) : AG_ERROR_LOGIN_E_INVALID_USER;
  if (code != AG_ERROR_SUCCESS)
    code = AG_ERROR_LOGIN_E_INVALID_USER;
  else if (!is_websocket_uri (ag_signal_get_server_uri (self->signal)))
    code = AG_ERROR_LOGIN_E_NET;

  if (code != AG_ERROR_SUCCESS) {
    self->failure_code = code;
    self->failure_source = g_idle_add_full (G_PRIORITY_DEFAULT, deferred_failure_cb, self, NULL);
    return;
  }

  _ag_transport_open (self->transport);
}

AgTransport *
_ag_session_get_request_transport (AgSession  *self,
                                   GError    **error)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  /* Requests made while the session logs in or reconnects wait in the transport's queue. */
  if (self->transport == NULL ||
      (self->status != AG_STATUS_LOGGED_IN && self->status != AG_STATUS_CONNECTING) ||
      self->logging_out) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_NOT_LOGIN, "Not logged in");
    return NULL;
  }

  return self->transport;
}

void
_ag_session_emit_error (AgSession    *self,
                        const GError *error)
{
  g_return_if_fail (AG_IS_SESSION (self));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_signal_emit (self, signals[SIGNAL_ERROR], 0,
                 _ag_error_get_code (error, AG_ERROR_GENERAL_E_FAILED), error->message);
}

void
_ag_session_track_call (AgSession *self,
                        AgCall    *call)
{
  g_autofree char *key = NULL;

  g_return_if_fail (AG_IS_SESSION (self));

  /* A call still going for the same channel and peer keeps its place; the server refuses
   * the new one with 701. */
  key = call_key (ag_call_get_channel (call), ag_call_get_peer (call));
  if (!g_hash_table_contains (self->calls, key))
    g_hash_table_insert (self->calls, g_steal_pointer (&key), g_object_ref (call));
}

void
_ag_session_set_channel (AgSession *self,
                         AgChannel *channel)
{
  g_return_if_fail (AG_IS_SESSION (self));

  if (self->channel == channel)
    return;

  /* The server left the previous channel before joining this one. */
  drop_channel (self, AG_ERROR_LEAVECHANNEL_E_BYUSER);
  self->channel = g_object_ref (channel);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

gboolean
_ag_session_is_active (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

  return (self->status == AG_STATUS_LOGGED_IN || self->status == AG_STATUS_CONNECTING) &&
         !self->logging_out;
}

static gboolean
already_logged_in_cb (gpointer user_data)
{
  AgSession *self = user_data;

  g_signal_emit (self, signals[SIGNAL_ERROR], 0, AG_ERROR_LOGIN_E_ALREADY_LOGIN,
                 ag_error_code_describe (AG_ERROR_LOGIN_E_ALREADY_LOGIN));

  return G_SOURCE_REMOVE;
}

void
_ag_session_report_already_logged_in (AgSession *self)
{
  g_return_if_fail (AG_IS_SESSION (self));

  /* From the main loop, like every other outcome of a login, so that the caller can connect
   * to the signal first. */
  g_idle_add_full (G_PRIORITY_DEFAULT, already_logged_in_cb, g_object_ref (self),
                   g_object_unref);
}

void
_ag_session_channel_left (AgSession *self,
                          AgChannel *channel)
{
  g_return_if_fail (AG_IS_SESSION (self));

  if (self->channel != channel)
    return;

  g_clear_object (&self->channel);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

void
_ag_session_call_finished (AgSession *self,
                           AgCall    *call)
{
  g_autofree char *key = NULL;

  g_return_if_fail (AG_IS_SESSION (self));

  key = call_key (ag_call_get_channel (call), ag_call_get_peer (call));
  if (g_hash_table_lookup (self->calls, key) == call)
    g_hash_table_remove (self->calls, key);
}

/**
 * ag_session_get_signal:
 * @self: a session
 *
 * Gets the [class@Signal] that made the session.
 *
 * Returns: (transfer none): the signal object
 */
AgSignal *
ag_session_get_signal (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->signal;
}

/**
 * ag_session_get_account:
 * @self: a session
 *
 * Gets the account the session logs in as.
 *
 * Returns: the account
 */
const char *
ag_session_get_account (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->account;
}

/**
 * ag_session_get_uid:
 * @self: a session
 *
 * Gets the uid the server gave the account.
 *
 * Returns: the uid, 0 before the first successful login
 */
guint
ag_session_get_uid (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), 0);

  return self->uid;
}

/**
 * ag_session_get_message_ts:
 * @self: a session
 *
 * While [signal@Session::message-instant-receive] is emitted, gets when the server accepted
 * that message: for a message stored while the session was offline, when it was sent, not
 * when it was delivered. The spec's callback has no such argument, so it is read here, the
 * way GTK gives the current event's time.
 *
 * Returns: Unix time in milliseconds, or 0 outside the emission (or when the server did not
 *   say)
 */
gint64
ag_session_get_message_ts (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), 0);

  return self->message_ts;
}

/**
 * ag_session_get_status:
 * @self: a session
 *
 * Gets the session's login status.
 *
 * Returns: the status
 */
AgStatus
ag_session_get_status (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), AG_STATUS_NOT_LOGGED_IN);

  return self->status;
}

/**
 * ag_session_get_channel:
 * @self: a session
 *
 * Gets the channel the session is in.
 *
 * Returns: (transfer none) (nullable): the channel, or %NULL
 */
AgChannel *
ag_session_get_channel (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->channel;
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  AgSession *self = user_data;
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* The outcome does not matter: without a reply in time the connection is closed anyway,
   * which logs the account out on the server too. */
  reply = _ag_transport_request_finish (AG_TRANSPORT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self->logging_out)
    end_session (self, AG_ERROR_LOGOUT_E_USER, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
}

static void
start_logout (AgSession *self)
{
  AgFrame *frame;

  switch (self->status) {
  case AG_STATUS_LOGGED_IN:
    if (self->logging_out)
      return;

    self->logging_out = TRUE;
    /* The server closes the connection after the reply: that is no reason to reconnect. */
    _ag_transport_set_established (self->transport, FALSE);
    frame = ag_frame_new (AG_OP_LOGOUT);
    _ag_transport_request_async (self->transport, frame, TRUE, self->cancellable,
                                 logout_cb, self);
    break;

  case AG_STATUS_CONNECTING:
    if (self->uid == 0) {
      /* Cancels the login in progress (the spec: "call logout without having to wait"). */
      g_autoptr(AgSession) guard = g_object_ref (self);

      g_clear_handle_id (&self->failure_source, g_source_remove);
      fail_login (self, AG_ERROR_LOGIN_E_CANCEL);
      complete_logout_tasks (self, AG_ERROR_LOGIN_E_CANCEL);
    } else {
      end_session (self, AG_ERROR_LOGOUT_E_USER, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
    }
    break;

  case AG_STATUS_NOT_LOGGED_IN:
  case AG_STATUS_LOGIN_FAILED:
  case AG_STATUS_INITIAL:
  default:
    {
      g_autoptr(AgSession) guard = g_object_ref (self);

      g_signal_emit (self, signals[SIGNAL_LOGOUT], 0, AG_ERROR_LOGOUT_E_ALREADY_LOGOUT);
      complete_logout_tasks (self, AG_ERROR_LOGOUT_E_ALREADY_LOGOUT);
    }
    break;
  }
}

/**
 * ag_session_logout:
 * @self: a session
 *
 * Logs out (the spec's `logout`). [signal@Session::logout] follows with 101 once the server
 * confirmed (or did not answer within [property@Signal:request-timeout]); the channel gets
 * [signal@Channel::channel-leaved] with 603 first.
 *
 * While the session is still logging in, this cancels the login:
 * [signal@Session::login-failed] is emitted with `AG_ERROR_LOGIN_E_CANCEL` (203) before this
 * function returns. While it is reconnecting, the reconnection stops and
 * [signal@Session::logout] (101) is emitted before this function returns. On a session that
 * is not logged in, [signal@Session::logout] is emitted with
 * `AG_ERROR_LOGOUT_E_ALREADY_LOGOUT` (108).
 */
void
ag_session_logout (AgSession *self)
{
  g_return_if_fail (AG_IS_SESSION (self));

  start_logout (self);
}

/**
 * ag_session_logout_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the session is logged out
 * @user_data: data for @callback
 *
 * Logs out like [method@Session.logout] and completes when the session is logged out.
 */
void
ag_session_logout_async (AgSession           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_session_logout_async);

  if (self->logout_tasks == NULL)
    self->logout_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->logout_tasks, g_steal_pointer (&task));

  start_logout (self);
}

/**
 * ag_session_logout_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.logout_async].
 *
 * Returns: %TRUE when the session logged out; %FALSE with 108 when it was not logged in, or
 *   203 when the logout cancelled a login
 */
gboolean
ag_session_logout_finish (AgSession     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_session_logout_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
