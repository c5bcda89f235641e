/* ag-call.h: one call invitation between two accounts about a channel (the spec's Call class)
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
 * AgCallDirection:
 * @AG_CALL_DIRECTION_OUTGOING: this session invited the peer
 * @AG_CALL_DIRECTION_INCOMING: the peer invited this session
 *
 * Which side started the call.
 */
typedef enum {
  AG_CALL_DIRECTION_OUTGOING,
  AG_CALL_DIRECTION_INCOMING,
} AgCallDirection;

/**
 * AgCallState:
 * @AG_CALL_STATE_INVITING: outgoing, the invitation is on its way to the peer
 * @AG_CALL_STATE_RINGING: the callee has the invitation and has not answered yet
 * @AG_CALL_STATE_ACTIVE: the callee accepted
 * @AG_CALL_STATE_REFUSED: the callee refused (final)
 * @AG_CALL_STATE_FAILED: the invitation failed, see [signal@Call::invite-failed] (final)
 * @AG_CALL_STATE_ENDED: one side ended the call or withdrew the invitation (final)
 *
 * Where a call stands. The last three states are final: a call never leaves them.
 */
typedef enum {
  AG_CALL_STATE_INVITING,
  AG_CALL_STATE_RINGING,
  AG_CALL_STATE_ACTIVE,
  AG_CALL_STATE_REFUSED,
  AG_CALL_STATE_FAILED,
  AG_CALL_STATE_ENDED,
} AgCallState;

#define AG_TYPE_CALL (ag_call_get_type ())

G_DECLARE_FINAL_TYPE (AgCall, ag_call, AG, CALL, GObject)

AgSession       *ag_call_get_session                  (AgCall              *self);
const char      *ag_call_get_channel                  (AgCall              *self);
const char      *ag_call_get_peer                     (AgCall              *self);
guint            ag_call_get_peer_uid                 (AgCall              *self);
const char      *ag_call_get_extra                    (AgCall              *self);
AgCallState      ag_call_get_state                    (AgCall              *self);
AgCallDirection  ag_call_get_direction                (AgCall              *self);

void             ag_call_channel_invite_accept        (AgCall              *self,
                                                       const char          *extra);
void             ag_call_channel_invite_accept_async  (AgCall              *self,
                                                       const char          *extra,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         ag_call_channel_invite_accept_finish (AgCall              *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void             ag_call_channel_invite_refuse        (AgCall              *self,
                                                       const char          *extra);
void             ag_call_channel_invite_refuse_async  (AgCall              *self,
                                                       const char          *extra,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         ag_call_channel_invite_refuse_finish (AgCall              *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void             ag_call_channel_invite_end           (AgCall              *self,
                                                       const char          *extra);
void             ag_call_channel_invite_end_async     (AgCall              *self,
                                                       const char          *extra,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         ag_call_channel_invite_end_finish    (AgCall              *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

void             ag_call_channel_invite_dtmf          (AgCall              *self,
                                                       const char          *digits);
void             ag_call_send_message                 (AgCall              *self,
                                                       const char          *msg_type,
                                                       const char          *msg);
void             ag_call_send_message_async           (AgCall              *self,
                                                       const char          *msg_type,
                                                       const char          *msg,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean         ag_call_send_message_finish          (AgCall              *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
