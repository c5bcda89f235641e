/* ag-session.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-call-private.h"
#include "ag-channel-private.h"
#include "ag-enums.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-request-private.h"
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
  SIGNAL_MESSAGE_SEND_SUCCESS,
  SIGNAL_MESSAGE_SEND_ERROR,
  SIGNAL_CHANNEL_QUERY_USER_NUM,
  SIGNAL_USER_GET_ATTR,
  SIGNAL_USER_GET_ATTR_ALL,
  SIGNAL_USER_SET_ATTR,
  SIGNAL_QUERY_USER_STATUS_RESULT,
  SIGNAL_CHANNEL_QUERY_USER_IS_IN_RESULT,
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
   * AgSession::message-send-success:
   * @self: the session
   *
   * A message of [method@Session.message_instant_send] was accepted by the server (the
   * spec's `onMessageSendSuccess`).
   */
  signals[SIGNAL_MESSAGE_SEND_SUCCESS] =
    g_signal_new ("message-send-success", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE_SEND_SUCCESS], type,
                              _ag_marshal_VOID__VOIDv);

  /**
   * AgSession::message-send-error:
   * @self: the session
   * @ecode: an [error@Error], for example 1204 (peer offline, no ttl), 401 (timeout)
   *
   * A message of [method@Session.message_instant_send] failed (the spec's
   * `onMessageSendError`).
   */
  signals[SIGNAL_MESSAGE_SEND_ERROR] =
    g_signal_new ("message-send-error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE_SEND_ERROR], type, _ag_marshal_VOID__INTv);

  /**
   * AgSession::channel-query-user-num:
   * @self: the session
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @num: the number of members, 0 on failure
   *
   * The answer to [method@Session.channel_query_user_num] (the spec's
   * `onChannelQueryUserNum`).
   */
  signals[SIGNAL_CHANNEL_QUERY_USER_NUM] =
    g_signal_new ("channel-query-user-num", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_INT,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_QUERY_USER_NUM], type,
                              _ag_marshal_VOID__STRING_INTv);

  /**
   * AgSession::user-get-attr:
   * @self: the session
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @ret: the spec's result object as JSON text: `{"result":"ok","account":...,"name":...,
   *   "value":...}` (`"value":null` when unset) or `{"result":"failed","reason":...}`
   *
   * The answer to [method@Session.user_get_attr] (the spec's `onUserGetAttr`).
   */
  signals[SIGNAL_USER_GET_ATTR] =
    g_signal_new ("user-get-attr", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_STRING,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_USER_GET_ATTR], type,
                              _ag_marshal_VOID__STRING_STRINGv);

  /**
   * AgSession::user-get-attr-all:
   * @self: the session
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @ret: the spec's result object as JSON text: `{"result":"ok","account":...,"json":
   *   {"name":"value",...}}` or `{"result":"failed","reason":...}`
   *
   * The answer to [method@Session.user_get_attr_all] (the spec's `onUserGetAttrAll`).
   */
  signals[SIGNAL_USER_GET_ATTR_ALL] =
    g_signal_new ("user-get-attr-all", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_STRING,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_USER_GET_ATTR_ALL], type,
                              _ag_marshal_VOID__STRING_STRINGv);

  /**
   * AgSession::user-set-attr:
   * @self: the session
   * @err: the empty string on success (the spec: "an empty string means that there is no
   *   error"), else the reason of the failure
   * @ret: the spec's result object as JSON text: `{"result":"ok","reason":""}` or
   *   `{"result":"failed","reason":...}`
   *
   * The answer to [method@Session.user_set_attr] (the spec's `onUserSetAttr`).
   */
  signals[SIGNAL_USER_SET_ATTR] =
    g_signal_new ("user-set-attr", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_STRING,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_USER_SET_ATTR], type,
                              _ag_marshal_VOID__STRING_STRINGv);

  /**
   * AgSession::query-user-status-result:
   * @self: the session
   * @account: the account asked about
   * @online: whether it is logged in
   *
   * The answer to [method@Session.query_user_status] (`onQueryUserStatusResult` of the
   * sibling SDKs). A failed query is reported by [signal@Session::error].
   */
  signals[SIGNAL_QUERY_USER_STATUS_RESULT] =
    g_signal_new ("query-user-status-result", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_BOOLEAN,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  g_signal_set_va_marshaller (signals[SIGNAL_QUERY_USER_STATUS_RESULT], type,
                              _ag_marshal_VOID__STRING_BOOLEANv);

  /**
   * AgSession::channel-query-user-is-in-result:
   * @self: the session
   * @channel: the channel asked about
   * @account: the account asked about
   * @is_in: whether the account is in the channel
   *
   * The answer to [method@Session.channel_query_user_is_in] (`onChannelQueryUserIsIn` of the
   * sibling SDKs). A failed query is reported by [signal@Session::error].
   */
  signals[SIGNAL_CHANNEL_QUERY_USER_IS_IN_RESULT] =
    g_signal_new ("channel-query-user-is-in-result", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_STRING_BOOLEAN,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_QUERY_USER_IS_IN_RESULT], type,
                              _ag_marshal_VOID__STRING_STRING_BOOLEANv);

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

/* JSON text of the spec's result objects, written with the protocol layer's string writer
 * (the library's only JSON is the protocol's). */
static char *
format_failure (const GError *error)
{
  GString *out = g_string_new ("{\"result\":\"failed\",\"reason\":");

  ag_json_append_string (out, error->message);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
_ag_session_format_set_attr_result (const GError *error)
{
  if (error != NULL)
    return format_failure (error);

  return g_strdup ("{\"result\":\"ok\",\"reason\":\"\"}");
}

char *
_ag_session_format_get_attr_result (const char   *account,
                                    const char   *name,
                                    const char   *value,
                                    const GError *error)
{
  GString *out;

  if (error != NULL)
    return format_failure (error);

  out = g_string_new ("{\"result\":\"ok\",\"account\":");
  ag_json_append_string (out, account);
  g_string_append (out, ",\"name\":");
  ag_json_append_string (out, name);
  g_string_append (out, ",\"value\":");
  ag_json_append_string (out, value);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
_ag_session_format_get_attr_all_result (const char   *account,
                                        GHashTable   *attrs,
                                        const GError *error)
{
  g_autofree const char **names = NULL;
  guint n_names = 0;
  GString *out;

  if (error != NULL)
    return format_failure (error);

  out = g_string_new ("{\"result\":\"ok\",\"account\":");
  ag_json_append_string (out, account);
  g_string_append (out, ",\"json\":{");

  /* Sorted, so the text is the same for the same attributes. */
  names = ag_sorted_keys (attrs, &n_names);

  for (guint i = 0; i < n_names; i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    ag_json_append_string (out, names[i]);
    g_string_append_c (out, ':');
    ag_json_append_string (out, g_hash_table_lookup (attrs, names[i]));
  }
  g_string_append (out, "}}");

  return g_string_free (out, FALSE);
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

static void
message_instant_send_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  g_autoptr(GError) error = NULL;

  ag_session_message_instant_send_finish (self, result, &error);
  if (error == NULL)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_SEND_SUCCESS], 0);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[SIGNAL_MESSAGE_SEND_ERROR], 0,
                   _ag_error_get_code (error, AG_ERROR_SENDMESSAGE_E_OTHER));
}

/**
 * ag_session_message_instant_send:
 * @self: a session
 * @account: the peer's account
 * @msg: the message, up to 8 KB of UTF-8
 *
 * Sends a peer message to an account that is online (the spec's
 * `messageInstantSend (account, msg, cb)`); a peer that is offline fails with
 * `AG_ERROR_PROTO_E_PEER_OFFLINE` (1204). [signal@Session::message-send-success] or
 * [signal@Session::message-send-error] follows. [method@Session.message_instant_send_full]
 * takes a ttl.
 */
void
ag_session_message_instant_send (AgSession  *self,
                                 const char *account,
                                 const char *msg)
{
  ag_session_message_instant_send_full (self, account, msg, 0);
}

/**
 * ag_session_message_instant_send_full:
 * @self: a session
 * @account: the peer's account
 * @msg: the message, up to 8 KB of UTF-8
 * @ttl: 0: the peer must be online; else how many seconds the server keeps the message for
 *   an offline peer (up to 604800)
 *
 * Sends a peer message with a time-to-live (the spec's
 * `messageInstantSend (account, msg, ttl, cb)`). [signal@Session::message-send-success] or
 * [signal@Session::message-send-error] follows.
 */
void
ag_session_message_instant_send_full (AgSession  *self,
                                      const char *account,
                                      const char *msg,
                                      guint       ttl)
{
  ag_session_message_instant_send_async (self, account, msg, ttl, NULL,
                                         message_instant_send_cb, NULL);
}

/**
 * ag_session_message_instant_send_async:
 * @self: a session
 * @account: the peer's account
 * @msg: the message
 * @ttl: 0, or the seconds the server keeps the message for an offline peer
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Sends a peer message like [method@Session.message_instant_send_full] (ttl 0 is the
 * spec's overload without ttl), without emitting the send signals.
 */
void
ag_session_message_instant_send_async (AgSession           *self,
                                       const char          *account,
                                       const char          *msg,
                                       guint                ttl,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (msg != NULL);

  frame = ag_frame_new (AG_OP_MSG_SEND);
  frame->peer = g_strdup (account);
  frame->msg = g_strdup (msg);
  if (ttl > 0) {
    frame->ttl = ttl;
    frame->has_ttl = TRUE;
  }

  _ag_request_send (self, self, frame, NULL, ag_session_message_instant_send_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_message_instant_send_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.message_instant_send_async]. The server accepted the message
 * unless @error is set (in Python, unless it raised).
 *
 * Returns: %TRUE when the peer was offline and the server stored the message for it, %FALSE
 *   when it was delivered at once or on error
 */
gboolean
ag_session_message_instant_send_finish (AgSession     *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_message_instant_send_async, error);

  return reply != NULL && reply->stored;
}

/* A refused invitation fails its call (invite-failed); the session stops routing to it. */
static void
invite_done (GObject       *object,
             const AgFrame *reply,
             const GError  *error,
             gpointer       data)
{
  AgCall *call = data;

  if (error == NULL)
    return;

  _ag_session_call_finished (AG_SESSION (object), call);
  _ag_call_fail (call, _ag_error_get_code (error, AG_ERROR_INVITE_E_OTHER));
}

static AgCall *
start_invite (AgSession           *self,
              const char          *channel,
              const char          *peer,
              const char          *extra,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autofree char *key = NULL;
  g_autoptr(AgCall) call = NULL;
  AgFrame *frame;

  call = _ag_call_new (self, AG_CALL_DIRECTION_OUTGOING, channel, peer, 0,
                       extra != NULL && *extra != '\0' ? extra : "{}");

  /* The call routes its events from now on: the peer may answer before our reply arrives.
   * A call still going for the same channel and peer keeps its place; the server refuses
   * the new one with 701. */
  key = call_key (channel, peer);
  if (!g_hash_table_contains (self->calls, key))
    g_hash_table_insert (self->calls, g_steal_pointer (&key), g_object_ref (call));

  frame = ag_frame_new (AG_OP_CALL_INVITE);
  frame->channel = g_strdup (channel);
  frame->peer = g_strdup (peer);
  frame->extra = g_strdup (ag_call_get_extra (call));
  _ag_request_send (self, self, frame, NULL, ag_session_channel_invite_user2_async, invite_done,
                    g_object_ref (call), g_object_unref, cancellable, callback, user_data);

  return g_steal_pointer (&call);
}

static void
invite_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AgCall) call = NULL;

  /* Failures were reported on the call as invite-failed. */
  call = ag_session_channel_invite_user2_finish (AG_SESSION (object), result, NULL);
}

/**
 * ag_session_channel_invite_user2:
 * @self: a session
 * @channel: the channel the call is about
 * @peer: the account to invite
 * @extra: (nullable): JSON object text for the callee, up to 8 KB; `_require_peer_online`
 *   (1: fail at once when the peer is offline) and `_timeout` (seconds) are acted on by the
 *   server. %NULL is `{}`.
 *
 * Invites @peer (the spec's `channelInviteUser2`). The returned call reports the answer
 * through its signals: [signal@Call::invite-received-by-peer],
 * [signal@Call::invite-accepted-by-peer], [signal@Call::invite-refused-by-peer] or
 * [signal@Call::invite-failed].
 *
 * Returns: (transfer full): the call
 */
AgCall *
ag_session_channel_invite_user2 (AgSession  *self,
                                 const char *channel,
                                 const char *peer,
                                 const char *extra)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  return start_invite (self, channel, peer, extra, NULL, invite_done_cb, NULL);
}

/**
 * ag_session_channel_invite_user2_async:
 * @self: a session
 * @channel: the channel the call is about
 * @peer: the account to invite
 * @extra: (nullable): JSON object text for the callee, or %NULL
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the server accepted or refused the invitation
 * @user_data: data for @callback
 *
 * Invites @peer like [method@Session.channel_invite_user2] and completes with the call once
 * the server took the invitation.
 */
void
ag_session_channel_invite_user2_async (AgSession           *self,
                                       const char          *channel,
                                       const char          *peer,
                                       const char          *extra,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(AgCall) call = NULL;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (peer != NULL);

  call = start_invite (self, channel, peer, extra, cancellable, callback, user_data);
}

/**
 * ag_session_channel_invite_user2_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.channel_invite_user2_async].
 *
 * Returns: (transfer full): the call, or %NULL with the server's code (701, 703, 1004, ...)
 */
AgCall *
ag_session_channel_invite_user2_finish (AgSession     *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  reply = _ag_request_finish (self, result, ag_session_channel_invite_user2_async, error);
  if (reply == NULL)
    return NULL;

  return g_object_ref (_ag_request_get_data (result));
}

static void
join_done (GObject       *object,
           const AgFrame *reply,
           const GError  *error,
           gpointer       data)
{
  AgSession *self = AG_SESSION (object);
  AgChannel *channel = data;

  if (error != NULL) {
    _ag_channel_join_failed (channel, _ag_error_get_code (error, AG_ERROR_JOINCHANNEL_E_OTHER));
    return;
  }

  /* The server left the previous channel before joining this one. */
  if (self->channel != channel) {
    drop_channel (self, AG_ERROR_LEAVECHANNEL_E_BYUSER);
    self->channel = g_object_ref (channel);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
  }

  _ag_channel_joined (channel, reply, self->account, self->uid);
}

static AgChannel *
start_join (AgSession           *self,
            const char          *name,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(AgChannel) channel = NULL;
  GError *refusal = NULL;
  AgFrame *frame;
  int code;

  /* The server answers a join of the channel the session is in without leaving it: the
   * channel object stays the same too, and reports the join again. */
  if (self->channel != NULL && g_strcmp0 (ag_channel_get_name (self->channel), name) == 0)
    channel = g_object_ref (self->channel);
  else
    channel = _ag_channel_new (self, name);

  /* A name the server refuses would not even leave the current channel there, so it must
   * not leave it here either: refuse it before sending. */
  code = ag_check_name (name);
  if (code != AG_ERROR_SUCCESS)
    refusal = g_error_new_literal (AG_ERROR, code, "Invalid channel name");

  frame = ag_frame_new (AG_OP_CHANNEL_JOIN);
  frame->channel = g_strdup (name);
  _ag_request_send (self, self, frame, refusal, ag_session_channel_join_async, join_done,
                    g_object_ref (channel), g_object_unref, cancellable, callback, user_data);

  return g_steal_pointer (&channel);
}

static void
join_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AgChannel) channel = NULL;

  /* Failures were reported on the channel as channel-join-failed. */
  channel = ag_session_channel_join_finish (AG_SESSION (object), result, NULL);
}

/**
 * ag_session_channel_join:
 * @self: a session
 * @name: the channel's name, up to 128 characters
 *
 * Joins a channel (the spec's `channelJoin`), leaving the one the session is in: that one
 * gets [signal@Channel::channel-leaved] with 602 when the server confirms the join. The
 * returned channel then emits [signal@Channel::channel-joined] and
 * [signal@Channel::channel-user-list], or [signal@Channel::channel-join-failed].
 *
 * A name the server would refuse (empty, longer than 128 characters) fails with 1004 or 1005
 * without leaving the current channel. Joining the channel the session is in returns that
 * same channel object, which reports the join again.
 *
 * Returns: (transfer full): the channel
 */
AgChannel *
ag_session_channel_join (AgSession  *self,
                         const char *name)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return start_join (self, name, NULL, join_done_cb, NULL);
}

/**
 * ag_session_channel_join_async:
 * @self: a session
 * @name: the channel's name
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the channel is joined or the join failed
 * @user_data: data for @callback
 *
 * Joins a channel like [method@Session.channel_join] (the channel's signals are emitted
 * too) and completes with the channel.
 */
void
ag_session_channel_join_async (AgSession           *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(AgChannel) channel = NULL;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (name != NULL);

  channel = start_join (self, name, cancellable, callback, user_data);
}

/**
 * ag_session_channel_join_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.channel_join_async].
 *
 * Returns: (transfer full): the joined channel, or %NULL with the server's code (1004,
 *   1005, 1103, ...)
 */
AgChannel *
ag_session_channel_join_finish (AgSession     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  reply = _ag_request_finish (self, result, ag_session_channel_join_async, error);
  if (reply == NULL)
    return NULL;

  return g_object_ref (_ag_request_get_data (result));
}

static void
user_set_attr_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *ret = NULL;

  ag_session_user_set_attr_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  ret = _ag_session_format_set_attr_result (error);
  g_signal_emit (self, signals[SIGNAL_USER_SET_ATTR], 0,
                 error != NULL ? error->message : "", ret);
}

/**
 * ag_session_user_set_attr:
 * @self: a session
 * @name: the attribute's name
 * @value: the value, up to 8096 characters; empty deletes the attribute
 *
 * Sets an attribute of the session's account (the spec's `userSetAttr`).
 * [signal@Session::user-set-attr] follows.
 */
void
ag_session_user_set_attr (AgSession  *self,
                          const char *name,
                          const char *value)
{
  ag_session_user_set_attr_async (self, name, value, NULL, user_set_attr_cb, NULL);
}

/**
 * ag_session_user_set_attr_async:
 * @self: a session
 * @name: the attribute's name
 * @value: the value; empty deletes the attribute
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Sets an attribute of the session's account, without emitting
 * [signal@Session::user-set-attr].
 */
void
ag_session_user_set_attr_async (AgSession           *self,
                                const char          *name,
                                const char          *value,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  frame = ag_frame_new (AG_OP_USER_SET_ATTR);
  frame->name = g_strdup (name);
  frame->value = g_strdup (value);
  frame->has_value = TRUE;

  _ag_request_send (self, self, frame, NULL, ag_session_user_set_attr_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_user_set_attr_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.user_set_attr_async].
 *
 * Returns: %TRUE when the attribute was set
 */
gboolean
ag_session_user_set_attr_finish (AgSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_user_set_attr_async, error);

  return reply != NULL;
}

typedef struct {
  char *account;
  char *name;
} AttrQuery;

static void
attr_query_free (AttrQuery *query)
{
  g_free (query->account);
  g_free (query->name);
  g_free (query);
}

static void
user_get_attr_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  AttrQuery *query = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *ret = NULL;

  value = ag_session_user_get_attr_finish (self, result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    ret = _ag_session_format_get_attr_result (query->account, query->name, value, error);
    g_signal_emit (self, signals[SIGNAL_USER_GET_ATTR], 0,
                   error != NULL ? error->message : "", ret);
  }

  attr_query_free (query);
}

/**
 * ag_session_user_get_attr:
 * @self: a session
 * @account: the account
 * @name: the attribute's name
 *
 * Reads an attribute of an account (the spec's `userGetAttr`).
 * [signal@Session::user-get-attr] follows.
 */
void
ag_session_user_get_attr (AgSession  *self,
                          const char *account,
                          const char *name)
{
  AttrQuery *query;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  query = g_new0 (AttrQuery, 1);
  query->account = g_strdup (account);
  query->name = g_strdup (name);
  ag_session_user_get_attr_async (self, account, name, NULL, user_get_attr_cb, query);
}

/**
 * ag_session_user_get_attr_async:
 * @self: a session
 * @account: the account
 * @name: the attribute's name
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Reads an attribute of an account, without emitting [signal@Session::user-get-attr].
 */
void
ag_session_user_get_attr_async (AgSession           *self,
                                const char          *account,
                                const char          *name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  frame = ag_frame_new (AG_OP_USER_GET_ATTR);
  frame->account = g_strdup (account);
  frame->name = g_strdup (name);

  _ag_request_send (self, self, frame, NULL, ag_session_user_get_attr_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_user_get_attr_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.user_get_attr_async]. An unset attribute is %NULL without an
 * error.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL
 */
char *
ag_session_user_get_attr_finish (AgSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_user_get_attr_async, error);
  if (reply == NULL)
    return NULL;

  return g_steal_pointer (&reply->value);
}

static void
user_get_attr_all_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  g_autofree char *account = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  g_autofree char *ret = NULL;

  attrs = ag_session_user_get_attr_all_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  ret = _ag_session_format_get_attr_all_result (account, attrs, error);
  g_signal_emit (self, signals[SIGNAL_USER_GET_ATTR_ALL], 0,
                 error != NULL ? error->message : "", ret);
}

/**
 * ag_session_user_get_attr_all:
 * @self: a session
 * @account: the account
 *
 * Reads every attribute of an account (the spec's `userGetAttrAll`).
 * [signal@Session::user-get-attr-all] follows.
 */
void
ag_session_user_get_attr_all (AgSession  *self,
                              const char *account)
{
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);

  ag_session_user_get_attr_all_async (self, account, NULL, user_get_attr_all_cb,
                                      g_strdup (account));
}

/**
 * ag_session_user_get_attr_all_async:
 * @self: a session
 * @account: the account
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Reads every attribute of an account, without emitting
 * [signal@Session::user-get-attr-all].
 */
void
ag_session_user_get_attr_all_async (AgSession           *self,
                                    const char          *account,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);

  frame = ag_frame_new (AG_OP_USER_GET_ATTR_ALL);
  frame->account = g_strdup (account);

  _ag_request_send (self, self, frame, NULL, ag_session_user_get_attr_all_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_user_get_attr_all_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.user_get_attr_all_async].
 *
 * Returns: (transfer full) (element-type utf8 utf8): the attributes by name, or %NULL on
 *   error
 */
GHashTable *
ag_session_user_get_attr_all_finish (AgSession     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_user_get_attr_all_async, error);
  if (reply == NULL)
    return NULL;

  if (reply->attrs != NULL)
    return g_steal_pointer (&reply->attrs);

  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
channel_query_user_num_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  g_autoptr(GError) error = NULL;
  guint num = 0;

  num = ag_session_channel_query_user_num_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_signal_emit (self, signals[SIGNAL_CHANNEL_QUERY_USER_NUM], 0,
                 error != NULL ? error->message : "", (int) MIN (num, G_MAXINT));
}

/**
 * ag_session_channel_query_user_num:
 * @self: a session
 * @channel: the channel's name
 *
 * Asks how many members a channel has (the spec's `channelQueryUserNum`).
 * [signal@Session::channel-query-user-num] follows.
 */
void
ag_session_channel_query_user_num (AgSession  *self,
                                   const char *channel)
{
  ag_session_channel_query_user_num_async (self, channel, NULL, channel_query_user_num_cb, NULL);
}

/**
 * ag_session_channel_query_user_num_async:
 * @self: a session
 * @channel: the channel's name
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Asks how many members a channel has, without emitting
 * [signal@Session::channel-query-user-num].
 */
void
ag_session_channel_query_user_num_async (AgSession           *self,
                                         const char          *channel,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (channel != NULL);

  frame = ag_frame_new (AG_OP_CHANNEL_QUERY_NUM);
  frame->channel = g_strdup (channel);

  _ag_request_send (self, self, frame, NULL, ag_session_channel_query_user_num_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_channel_query_user_num_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.channel_query_user_num_async]. On failure @error carries 500,
 * 501 (timeout) or the server's code.
 *
 * Returns: the number of members, 0 on error
 */
guint
ag_session_channel_query_user_num_finish (AgSession     *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_channel_query_user_num_async, error);

  return reply != NULL ? (guint) CLAMP (reply->num, 0, G_MAXUINT) : 0;
}

static void
query_user_status_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  g_autofree char *account = user_data;
  g_autoptr(GError) error = NULL;
  gboolean online;

  online = ag_session_query_user_status_finish (self, result, &error);
  if (error == NULL)
    g_signal_emit (self, signals[SIGNAL_QUERY_USER_STATUS_RESULT], 0, account, online);
  else
    _ag_session_emit_error (self, error);
}

/**
 * ag_session_query_user_status:
 * @self: a session
 * @account: the account
 *
 * Asks whether an account is logged in (`queryUserStatus` of the sibling SDKs).
 * [signal@Session::query-user-status-result] follows.
 */
void
ag_session_query_user_status (AgSession  *self,
                              const char *account)
{
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);

  ag_session_query_user_status_async (self, account, NULL, query_user_status_cb,
                                      g_strdup (account));
}

/**
 * ag_session_query_user_status_async:
 * @self: a session
 * @account: the account
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Asks whether an account is logged in, without emitting
 * [signal@Session::query-user-status-result].
 */
void
ag_session_query_user_status_async (AgSession           *self,
                                    const char          *account,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);

  frame = ag_frame_new (AG_OP_USER_STATUS);
  frame->account = g_strdup (account);

  _ag_request_send (self, self, frame, NULL, ag_session_query_user_status_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_query_user_status_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.query_user_status_async].
 *
 * Returns: whether the account is logged in; %FALSE on error
 */
gboolean
ag_session_query_user_status_finish (AgSession     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_query_user_status_async, error);

  return reply != NULL && reply->online;
}

static void
channel_query_user_is_in_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  AgSession *self = AG_SESSION (object);
  g_auto(GStrv) query = user_data;
  g_autoptr(GError) error = NULL;
  gboolean is_in;

  is_in = ag_session_channel_query_user_is_in_finish (self, result, &error);
  if (error == NULL)
    g_signal_emit (self, signals[SIGNAL_CHANNEL_QUERY_USER_IS_IN_RESULT], 0,
                   query[0], query[1], is_in);
  else
    _ag_session_emit_error (self, error);
}

/**
 * ag_session_channel_query_user_is_in:
 * @self: a session
 * @channel: the channel's name
 * @account: the account
 *
 * Asks whether an account is in a channel (`channelQueryUserIsIn` of the sibling SDKs).
 * [signal@Session::channel-query-user-is-in-result] follows.
 */
void
ag_session_channel_query_user_is_in (AgSession  *self,
                                     const char *channel,
                                     const char *account)
{
  char **query;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (account != NULL);

  query = g_new0 (char *, 3);
  query[0] = g_strdup (channel);
  query[1] = g_strdup (account);
  ag_session_channel_query_user_is_in_async (self, channel, account, NULL,
                                             channel_query_user_is_in_cb, query);
}

/**
 * ag_session_channel_query_user_is_in_async:
 * @self: a session
 * @channel: the channel's name
 * @account: the account
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Asks whether an account is in a channel, without emitting
 * [signal@Session::channel-query-user-is-in-result].
 */
void
ag_session_channel_query_user_is_in_async (AgSession           *self,
                                           const char          *channel,
                                           const char          *account,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (account != NULL);

  frame = ag_frame_new (AG_OP_CHANNEL_IS_IN);
  frame->channel = g_strdup (channel);
  frame->account = g_strdup (account);

  _ag_request_send (self, self, frame, NULL, ag_session_channel_query_user_is_in_async, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

/**
 * ag_session_channel_query_user_is_in_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Session.channel_query_user_is_in_async].
 *
 * Returns: whether the account is in the channel; %FALSE on error
 */
gboolean
ag_session_channel_query_user_is_in_finish (AgSession     *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  reply = _ag_request_finish (self, result, ag_session_channel_query_user_is_in_async, error);

  return reply != NULL && reply->in;
}
