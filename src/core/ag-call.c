/* ag-call.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-call-private.h"
#include "ag-enums.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-request-private.h"
#include "ag-session-private.h"

/**
 * AgCall:
 *
 * A call invitation between this session and a peer about a channel: the spec's
 * `LoginSession.Call`.
 *
 * The caller gets one from [method@Session.channel_invite_user2], the callee from
 * [signal@Session::invite-received]. A call is named by its channel and its two accounts;
 * [property@Call:peer] is always the other party. [property@Call:state] follows the
 * call's events and requests and ends in [enum@CallState.REFUSED],
 * [enum@CallState.FAILED] or [enum@CallState.ENDED].
 *
 * The session keeps a call until it reaches a final state. Failures of the calls without
 * `_async` are reported by the call's [signal@Call::request-failed], which names the request,
 * then by the session's [signal@Session::error] (the spec's `onError`).
 */
struct _AgCall {
  GObject          parent_instance;

  GWeakRef         session;
  char            *channel;
  char            *peer;
  char            *extra;
  guint            peer_uid;
  AgCallState      state;
  AgCallDirection  direction;
};

G_DEFINE_FINAL_TYPE (AgCall, ag_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CHANNEL,
  PROP_PEER,
  PROP_PEER_UID,
  PROP_EXTRA,
  PROP_STATE,
  PROP_DIRECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_INVITE_RECEIVED_BY_PEER,
  SIGNAL_INVITE_ACCEPTED_BY_PEER,
  SIGNAL_INVITE_REFUSED_BY_PEER,
  SIGNAL_INVITE_FAILED,
  SIGNAL_INVITE_END_BY_PEER,
  SIGNAL_INVITE_END_BY_MYSELF,
  SIGNAL_INVITE_MSG,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
state_is_final (AgCallState state)
{
  return state == AG_CALL_STATE_REFUSED ||
         state == AG_CALL_STATE_FAILED ||
         state == AG_CALL_STATE_ENDED;
}

/* Moves to state; a final state also takes the call off the session's table. */
static void
set_state (AgCall      *self,
           AgCallState  state)
{
  g_autoptr(AgSession) session = NULL;

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (state_is_final (state)) {
    session = g_weak_ref_get (&self->session);
    if (session != NULL)
      _ag_session_call_finished (session, self);
  }
}

static void
ag_call_finalize (GObject *object)
{
  AgCall *self = AG_CALL (object);

  g_weak_ref_clear (&self->session);
  g_free (self->channel);
  g_free (self->peer);
  g_free (self->extra);

  G_OBJECT_CLASS (ag_call_parent_class)->finalize (object);
}

static void
ag_call_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  AgCall *self = AG_CALL (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_take_object (value, g_weak_ref_get (&self->session));
    break;

  case PROP_CHANNEL:
    g_value_set_string (value, self->channel);
    break;

  case PROP_PEER:
    g_value_set_string (value, self->peer);
    break;

  case PROP_PEER_UID:
    g_value_set_uint (value, self->peer_uid);
    break;

  case PROP_EXTRA:
    g_value_set_string (value, self->extra);
    break;

  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;

  case PROP_DIRECTION:
    g_value_set_enum (value, self->direction);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_call_class_init (AgCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->finalize = ag_call_finalize;
  object_class->get_property = ag_call_get_property;

  /**
   * AgCall:session:
   *
   * The session the call belongs to, or %NULL once that session is gone.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         AG_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgCall:channel:
   *
   * The channel the call is about.
   */
  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgCall:peer:
   *
   * The other party's account.
   */
  properties[PROP_PEER] =
    g_param_spec_string ("peer", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgCall:peer-uid:
   *
   * The caller's uid on an incoming call; 0 on an outgoing one (the server does not tell).
   */
  properties[PROP_PEER_UID] =
    g_param_spec_uint ("peer-uid", NULL, NULL,
                       0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgCall:extra:
   *
   * The invitation's `extra` JSON object text (`{}` when none was given).
   */
  properties[PROP_EXTRA] =
    g_param_spec_string ("extra", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgCall:state:
   *
   * Where the call stands.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       AG_TYPE_CALL_STATE, AG_CALL_STATE_INVITING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgCall:direction:
   *
   * Which side invited.
   */
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       AG_TYPE_CALL_DIRECTION, AG_CALL_DIRECTION_OUTGOING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgCall::invite-received-by-peer:
   * @self: the call
   *
   * The callee has the invitation (the spec's `onInviteReceivedByPeer`); the call is
   * [enum@CallState.RINGING].
   */
  signals[SIGNAL_INVITE_RECEIVED_BY_PEER] =
    g_signal_new ("invite-received-by-peer", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_RECEIVED_BY_PEER], type,
                              _ag_marshal_VOID__VOIDv);

  /**
   * AgCall::invite-accepted-by-peer:
   * @self: the call
   * @extra: the callee's `extra` JSON object text
   *
   * The callee accepted (the spec's `onInviteAcceptedByPeer`); the call is
   * [enum@CallState.ACTIVE].
   */
  signals[SIGNAL_INVITE_ACCEPTED_BY_PEER] =
    g_signal_new ("invite-accepted-by-peer", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_ACCEPTED_BY_PEER], type,
                              _ag_marshal_VOID__STRINGv);

  /**
   * AgCall::invite-refused-by-peer:
   * @self: the call
   * @extra: the callee's `extra` JSON object text
   *
   * The callee refused (the spec's `onInviteRefusedByPeer`).
   */
  signals[SIGNAL_INVITE_REFUSED_BY_PEER] =
    g_signal_new ("invite-refused-by-peer", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_REFUSED_BY_PEER], type,
                              _ag_marshal_VOID__STRINGv);

  /**
   * AgCall::invite-failed:
   * @self: the call
   * @ecode: an [error@Error]: 703 peer offline, 704 not answered within `_timeout`, 701
   *   the peer is already invited to this channel, 702 the connection was lost
   *
   * The invitation failed (the spec's `onInviteFailed`).
   */
  signals[SIGNAL_INVITE_FAILED] =
    g_signal_new ("invite-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_FAILED], type, _ag_marshal_VOID__INTv);

  /**
   * AgCall::invite-end-by-peer:
   * @self: the call
   * @extra: the peer's `extra` JSON object text
   *
   * The other party ended the call, or the caller withdrew the invitation (the spec's
   * `onInviteEndByPeer`).
   */
  signals[SIGNAL_INVITE_END_BY_PEER] =
    g_signal_new ("invite-end-by-peer", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_END_BY_PEER], type,
                              _ag_marshal_VOID__STRINGv);

  /**
   * AgCall::invite-end-by-myself:
   * @self: the call
   * @extra: the `extra` given to [method@Call.channel_invite_end] (`{}` when none)
   *
   * [method@Call.channel_invite_end] ended the call (the spec's `onInviteEndByMyself`).
   */
  signals[SIGNAL_INVITE_END_BY_MYSELF] =
    g_signal_new ("invite-end-by-myself", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_END_BY_MYSELF], type,
                              _ag_marshal_VOID__STRINGv);

  /**
   * AgCall::invite-msg:
   * @self: the call
   * @msg_type: the message's type: `DTMF` for digits, else free text chosen by the sender
   * @msg: the message
   *
   * The other party sent a message about the call (the spec's `onInviteMsg`, whose single
   * `extra` string is given here as its type and content).
   */
  signals[SIGNAL_INVITE_MSG] =
    g_signal_new ("invite-msg", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_STRING,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_INVITE_MSG], type, _ag_marshal_VOID__STRING_STRINGv);

  /**
   * AgCall::request-failed:
   * @self: the call
   * @request: the name of the request that failed: the spec's `channelInviteAccept`,
   *   `channelInviteRefuse` or `channelInviteEnd`, the sibling SDKs' `channelInviteDTMF`, or
   *   `sendMessage`
   * @argument: (nullable): the request's `extra`, digits or message
   * @ecode: an [error@Error]: for example 1203 (the server knows no such call), 702 (no reply
   *   in time), 1003 (the session is gone)
   * @reason: English text for logs
   *
   * A request of this call made without `_async` failed. The spec has no callback for these,
   * only the session's `onError`, which follows as [signal@Session::error]; this signal says
   * which call and which request. The `_async` forms report their failure to their callback
   * instead.
   */
  signals[SIGNAL_ERROR] = _ag_request_error_signal_new (type);
}

static void
ag_call_init (AgCall *self)
{
  g_weak_ref_init (&self->session, NULL);
}

AgCall *
_ag_call_new (AgSession       *session,
              AgCallDirection  direction,
              const char      *channel,
              const char      *peer,
              guint            peer_uid,
              const char      *extra)
{
  AgCall *self = g_object_new (AG_TYPE_CALL, NULL);

  g_weak_ref_set (&self->session, session);
  self->direction = direction;
  self->state = direction == AG_CALL_DIRECTION_OUTGOING ? AG_CALL_STATE_INVITING
                                                        : AG_CALL_STATE_RINGING;
  self->channel = g_strdup (channel);
  self->peer = g_strdup (peer);
  self->peer_uid = peer_uid;
  self->extra = g_strdup (extra != NULL && *extra != '\0' ? extra : "{}");

  return self;
}

void
_ag_call_handle_event (AgCall        *self,
                       const AgFrame *event)
{
  g_autoptr(AgCall) guard = g_object_ref (self);
  const char *extra = event->extra != NULL ? event->extra : "{}";

  switch (event->op) {
  case AG_OP_EV_CALL_RECEIVED:
    if (self->state == AG_CALL_STATE_INVITING)
      set_state (self, AG_CALL_STATE_RINGING);
    g_signal_emit (self, signals[SIGNAL_INVITE_RECEIVED_BY_PEER], 0);
    break;

  case AG_OP_EV_CALL_ACCEPTED:
    set_state (self, AG_CALL_STATE_ACTIVE);
    g_signal_emit (self, signals[SIGNAL_INVITE_ACCEPTED_BY_PEER], 0, extra);
    break;

  case AG_OP_EV_CALL_REFUSED:
    set_state (self, AG_CALL_STATE_REFUSED);
    g_signal_emit (self, signals[SIGNAL_INVITE_REFUSED_BY_PEER], 0, extra);
    break;

  case AG_OP_EV_CALL_FAILED:
    set_state (self, AG_CALL_STATE_FAILED);
    g_signal_emit (self, signals[SIGNAL_INVITE_FAILED], 0, event->code);
    break;

  case AG_OP_EV_CALL_ENDED:
    set_state (self, AG_CALL_STATE_ENDED);
    g_signal_emit (self, signals[SIGNAL_INVITE_END_BY_PEER], 0, extra);
    break;

  case AG_OP_EV_CALL_MSG:
    g_signal_emit (self, signals[SIGNAL_INVITE_MSG], 0,
                   event->type != NULL ? event->type : "",
                   event->msg != NULL ? event->msg : "");
    break;

  default:
    break;
  }
}

void
_ag_call_fail (AgCall *self,
               int     code)
{
  g_autoptr(AgCall) guard = g_object_ref (self);

  if (state_is_final (self->state))
    return;

  set_state (self, AG_CALL_STATE_FAILED);
  g_signal_emit (self, signals[SIGNAL_INVITE_FAILED], 0, code);
}

typedef struct {
  AgOp  op;
  char *extra;
} CallRequest;

static void
call_request_free (CallRequest *request)
{
  g_free (request->extra);
  g_free (request);
}

/* A confirmed answer or end moves the call to its new state. */
static void
call_request_done (GObject       *object,
                   const AgFrame *reply,
                   const GError  *error,
                   gpointer       data)
{
  AgCall *self = AG_CALL (object);
  CallRequest *request = data;

  if (error != NULL)
    return;

  switch (request->op) {
  case AG_OP_CALL_ACCEPT:
    set_state (self, AG_CALL_STATE_ACTIVE);
    break;

  case AG_OP_CALL_REFUSE:
    set_state (self, AG_CALL_STATE_REFUSED);
    break;

  case AG_OP_CALL_END:
    if (!state_is_final (self->state)) {
      set_state (self, AG_CALL_STATE_ENDED);
      g_signal_emit (self, signals[SIGNAL_INVITE_END_BY_MYSELF], 0, request->extra);
    }
    break;

  default:
    break;
  }
}

static void
call_request (AgCall              *self,
              AgOp                 op,
              const char          *extra,
              const char          *msg_type,
              const char          *msg,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(AgSession) session = g_weak_ref_get (&self->session);
  CallRequest *request;
  AgFrame *frame;

  request = g_new0 (CallRequest, 1);
  request->op = op;
  request->extra = g_strdup (extra != NULL && *extra != '\0' ? extra : "{}");

  frame = ag_frame_new (op);
  frame->channel = g_strdup (self->channel);
  frame->peer = g_strdup (self->peer);
  if (op == AG_OP_CALL_MSG) {
    frame->type = g_strdup (msg_type);
    frame->msg = g_strdup (msg);
  } else {
    frame->extra = g_strdup (request->extra);
  }

  /* Without a session the request fails with 1003 (the call's session is gone). */
  _ag_request_send (self, session, frame, NULL, source_tag, call_request_done, request,
                    (GDestroyNotify) call_request_free, cancellable, callback, user_data);
}

static gboolean
call_request_finish (AgCall        *self,
                     GAsyncResult  *result,
                     gpointer       source_tag,
                     GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  g_return_val_if_fail (AG_IS_CALL (self), FALSE);

  reply = _ag_request_finish (self, result, source_tag, error);

  return reply != NULL;
}

/**
 * ag_call_get_session:
 * @self: a call
 *
 * Gets the session the call belongs to.
 *
 * Returns: (transfer none) (nullable): the session, or %NULL once it is gone
 */
AgSession *
ag_call_get_session (AgCall *self)
{
  g_autoptr(AgSession) session = NULL;

  g_return_val_if_fail (AG_IS_CALL (self), NULL);

  session = g_weak_ref_get (&self->session);

  return session;
}

/**
 * ag_call_get_channel:
 * @self: a call
 *
 * Gets the channel the call is about.
 *
 * Returns: the channel's name
 */
const char *
ag_call_get_channel (AgCall *self)
{
  g_return_val_if_fail (AG_IS_CALL (self), NULL);

  return self->channel;
}

/**
 * ag_call_get_peer:
 * @self: a call
 *
 * Gets the other party's account.
 *
 * Returns: the peer's account
 */
const char *
ag_call_get_peer (AgCall *self)
{
  g_return_val_if_fail (AG_IS_CALL (self), NULL);

  return self->peer;
}

/**
 * ag_call_get_peer_uid:
 * @self: a call
 *
 * Gets the caller's uid on an incoming call.
 *
 * Returns: the uid, or 0 on an outgoing call
 */
guint
ag_call_get_peer_uid (AgCall *self)
{
  g_return_val_if_fail (AG_IS_CALL (self), 0);

  return self->peer_uid;
}

/**
 * ag_call_get_extra:
 * @self: a call
 *
 * Gets the invitation's `extra`.
 *
 * Returns: JSON object text, `{}` when none was given
 */
const char *
ag_call_get_extra (AgCall *self)
{
  g_return_val_if_fail (AG_IS_CALL (self), NULL);

  return self->extra;
}

/**
 * ag_call_get_state:
 * @self: a call
 *
 * Gets where the call stands.
 *
 * Returns: the state
 */
AgCallState
ag_call_get_state (AgCall *self)
{
  g_return_val_if_fail (AG_IS_CALL (self), AG_CALL_STATE_ENDED);

  return self->state;
}

/**
 * ag_call_get_direction:
 * @self: a call
 *
 * Gets which side invited.
 *
 * Returns: the direction
 */
AgCallDirection
ag_call_get_direction (AgCall *self)
{
  g_return_val_if_fail (AG_IS_CALL (self), AG_CALL_DIRECTION_OUTGOING);

  return self->direction;
}

/**
 * ag_call_channel_invite_accept:
 * @self: an incoming call
 * @extra: (nullable): JSON object text for the caller, or %NULL (the spec's overload
 *   without `extra`)
 *
 * Accepts the invitation (the spec's `channelInviteAccept`). The caller gets
 * [signal@Call::invite-accepted-by-peer]; the call becomes [enum@CallState.ACTIVE].
 */
void
ag_call_channel_invite_accept (AgCall     *self,
                               const char *extra)
{
  ag_call_channel_invite_accept_async (self, extra, NULL, _ag_request_report_failure_cb,
                                       _ag_request_context_new ("channelInviteAccept", extra));
}

/**
 * ag_call_channel_invite_accept_async:
 * @self: an incoming call
 * @extra: (nullable): JSON object text for the caller, or %NULL
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Accepts the invitation like [method@Call.channel_invite_accept].
 */
void
ag_call_channel_invite_accept_async (AgCall              *self,
                                     const char          *extra,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (AG_IS_CALL (self));

  call_request (self, AG_OP_CALL_ACCEPT, extra, NULL, NULL, ag_call_channel_invite_accept_async,
                cancellable, callback, user_data);
}

/**
 * ag_call_channel_invite_accept_finish:
 * @self: a call
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Call.channel_invite_accept_async].
 *
 * Returns: %TRUE when the call was accepted; on failure the error carries the server's code,
 *   such as 1203 when there is no such call
 */
gboolean
ag_call_channel_invite_accept_finish (AgCall        *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return call_request_finish (self, result, ag_call_channel_invite_accept_async, error);
}

/**
 * ag_call_channel_invite_refuse:
 * @self: an incoming call
 * @extra: (nullable): JSON object text for the caller, or %NULL (the spec's overload
 *   without `extra`)
 *
 * Refuses the invitation (the spec's `channelInviteRefuse`). The caller gets
 * [signal@Call::invite-refused-by-peer]; the call becomes [enum@CallState.REFUSED].
 */
void
ag_call_channel_invite_refuse (AgCall     *self,
                               const char *extra)
{
  ag_call_channel_invite_refuse_async (self, extra, NULL, _ag_request_report_failure_cb,
                                       _ag_request_context_new ("channelInviteRefuse", extra));
}

/**
 * ag_call_channel_invite_refuse_async:
 * @self: an incoming call
 * @extra: (nullable): JSON object text for the caller, or %NULL
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Refuses the invitation like [method@Call.channel_invite_refuse].
 */
void
ag_call_channel_invite_refuse_async (AgCall              *self,
                                     const char          *extra,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (AG_IS_CALL (self));

  call_request (self, AG_OP_CALL_REFUSE, extra, NULL, NULL, ag_call_channel_invite_refuse_async,
                cancellable, callback, user_data);
}

/**
 * ag_call_channel_invite_refuse_finish:
 * @self: a call
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Call.channel_invite_refuse_async].
 *
 * Returns: %TRUE when the call was refused
 */
gboolean
ag_call_channel_invite_refuse_finish (AgCall        *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return call_request_finish (self, result, ag_call_channel_invite_refuse_async, error);
}

/**
 * ag_call_channel_invite_end:
 * @self: a call
 * @extra: (nullable): JSON object text for the peer, or %NULL (the spec's overload without
 *   `extra`)
 *
 * Ends the call, or withdraws the invitation while it rings (the spec's
 * `channelInviteEnd`). [signal@Call::invite-end-by-myself] follows; the peer gets
 * [signal@Call::invite-end-by-peer].
 */
void
ag_call_channel_invite_end (AgCall     *self,
                            const char *extra)
{
  ag_call_channel_invite_end_async (self, extra, NULL, _ag_request_report_failure_cb,
                                    _ag_request_context_new ("channelInviteEnd", extra));
}

/**
 * ag_call_channel_invite_end_async:
 * @self: a call
 * @extra: (nullable): JSON object text for the peer, or %NULL
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Ends the call like [method@Call.channel_invite_end].
 */
void
ag_call_channel_invite_end_async (AgCall              *self,
                                  const char          *extra,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (AG_IS_CALL (self));

  call_request (self, AG_OP_CALL_END, extra, NULL, NULL, ag_call_channel_invite_end_async,
                cancellable, callback, user_data);
}

/**
 * ag_call_channel_invite_end_finish:
 * @self: a call
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Call.channel_invite_end_async].
 *
 * Returns: %TRUE when the call was ended
 */
gboolean
ag_call_channel_invite_end_finish (AgCall        *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return call_request_finish (self, result, ag_call_channel_invite_end_async, error);
}

/**
 * ag_call_channel_invite_dtmf:
 * @self: a call
 * @digits: DTMF digits: `0`-`9`, `*` and `#`
 *
 * Sends DTMF digits to the other party (`channelInviteDTMF` of the sibling SDKs), who gets
 * [signal@Call::invite-msg] with the type `DTMF`.
 */
void
ag_call_channel_invite_dtmf (AgCall     *self,
                             const char *digits)
{
  g_return_if_fail (AG_IS_CALL (self));
  g_return_if_fail (digits != NULL);

  ag_call_send_message_async (self, "DTMF", digits, NULL, _ag_request_report_failure_cb,
                              _ag_request_context_new ("channelInviteDTMF", digits));
}

/**
 * ag_call_send_message:
 * @self: a call
 * @msg_type: the message's type: `DTMF` (digits only) or any other word
 * @msg: the message, up to 8 KB
 *
 * Sends a message about the call to the other party, who gets [signal@Call::invite-msg].
 */
void
ag_call_send_message (AgCall     *self,
                      const char *msg_type,
                      const char *msg)
{
  ag_call_send_message_async (self, msg_type, msg, NULL, _ag_request_report_failure_cb,
                              _ag_request_context_new ("sendMessage", msg));
}

/**
 * ag_call_send_message_async:
 * @self: a call
 * @msg_type: the message's type
 * @msg: the message
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Sends a message about the call like [method@Call.send_message].
 */
void
ag_call_send_message_async (AgCall              *self,
                            const char          *msg_type,
                            const char          *msg,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (AG_IS_CALL (self));
  g_return_if_fail (msg_type != NULL);
  g_return_if_fail (msg != NULL);

  call_request (self, AG_OP_CALL_MSG, NULL, msg_type, msg, ag_call_send_message_async,
                cancellable, callback, user_data);
}

/**
 * ag_call_send_message_finish:
 * @self: a call
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Call.send_message_async].
 *
 * Returns: %TRUE when the server accepted the message; on failure the error carries 1004
 *   (bad DTMF digits), 1203 (no such call), 401 (timeout), ...
 */
gboolean
ag_call_send_message_finish (AgCall        *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return call_request_finish (self, result, ag_call_send_message_async, error);
}
