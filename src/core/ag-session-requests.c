/* ag-session-requests.c: the requests of AgSession (the spec's LoginSession methods and the
 * sibling SDKs' queries) and the signals that answer them; the user-attribute requests it
 * shares with AgSignal are in ag-user-attr.c. The session's life (login, reconnection,
 * events, logout) is ag-session.c; both send through ag-request.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-call-private.h"
#include "ag-channel-private.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-request-private.h"
#include "ag-session-private.h"
#include "ag-user-attr-private.h"

enum {
  SIGNAL_MESSAGE_SEND_SUCCESS,
  SIGNAL_MESSAGE_SEND_ERROR,
  SIGNAL_QUERY_USER_STATUS_RESULT,
  SIGNAL_CHANNEL_QUERY_USER_IS_IN_RESULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_ag_session_requests_class_init (AgSessionClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

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
  _ag_user_attr_signals_new (type);

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

  _ag_request_send (self, self, frame, NULL, ag_session_message_instant_send_async,
                    NULL, NULL, NULL, cancellable, callback, user_data);
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

  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

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
  g_autoptr(AgCall) call = NULL;
  AgFrame *frame;

  call = _ag_call_new (self, AG_CALL_DIRECTION_OUTGOING, channel, peer, 0,
                       extra != NULL && *extra != '\0' ? extra : "{}");

  /* The call routes its events from now on: the peer may answer before our reply arrives. */
  _ag_session_track_call (self, call);

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

  _ag_session_set_channel (self, channel);
  _ag_channel_joined (channel, reply, ag_session_get_account (self), ag_session_get_uid (self));
}

static AgChannel *
start_join (AgSession           *self,
            const char          *name,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(AgChannel) channel = NULL;
  AgChannel *current;
  GError *refusal = NULL;
  AgFrame *frame;
  int code;

  /* The server answers a join of the channel the session is in without leaving it: the
   * channel object stays the same too, and reports the join again. */
  current = ag_session_get_channel (self);
  if (current != NULL && g_strcmp0 (ag_channel_get_name (current), name) == 0)
    channel = g_object_ref (current);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  _ag_user_attr_send (self, self, AG_USER_ATTR_SET, NULL, name, value,
                      ag_session_user_set_attr_async);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  _ag_user_attr_send_async (self, self, AG_USER_ATTR_SET, NULL, name, value,
                            ag_session_user_set_attr_async, cancellable, callback, user_data);
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
  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

  return _ag_user_attr_set_finish (self, result, ag_session_user_set_attr_async, error);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  _ag_user_attr_send (self, self, AG_USER_ATTR_GET, account, name, NULL,
                      ag_session_user_get_attr_async);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  _ag_user_attr_send_async (self, self, AG_USER_ATTR_GET, account, name, NULL,
                            ag_session_user_get_attr_async, cancellable, callback, user_data);
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
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return _ag_user_attr_get_finish (self, result, ag_session_user_get_attr_async, error);
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

  _ag_user_attr_send (self, self, AG_USER_ATTR_GET_ALL, account, NULL, NULL,
                      ag_session_user_get_attr_all_async);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (account != NULL);

  _ag_user_attr_send_async (self, self, AG_USER_ATTR_GET_ALL, account, NULL, NULL,
                            ag_session_user_get_attr_all_async, cancellable, callback,
                            user_data);
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
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return _ag_user_attr_get_all_finish (self, result, ag_session_user_get_attr_all_async, error);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (channel != NULL);

  _ag_user_attr_send (self, self, AG_USER_ATTR_QUERY_NUM, channel, NULL, NULL,
                      ag_session_channel_query_user_num_async);
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
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (channel != NULL);

  _ag_user_attr_send_async (self, self, AG_USER_ATTR_QUERY_NUM, channel, NULL, NULL,
                            ag_session_channel_query_user_num_async, cancellable, callback,
                            user_data);
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
  g_return_val_if_fail (AG_IS_SESSION (self), 0);

  return _ag_user_attr_query_num_finish (self, result, ag_session_channel_query_user_num_async,
                                         error);
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

  _ag_request_send (self, self, frame, NULL, ag_session_query_user_status_async,
                    NULL, NULL, NULL, cancellable, callback, user_data);
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

  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

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

  _ag_request_send (self, self, frame, NULL, ag_session_channel_query_user_is_in_async,
                    NULL, NULL, NULL, cancellable, callback, user_data);
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

  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

  reply = _ag_request_finish (self, result, ag_session_channel_query_user_is_in_async, error);

  return reply != NULL && reply->in;
}
