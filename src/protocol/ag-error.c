/* ag-error.c: the AG_ERROR domain and the names of its codes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-error.h"

/**
 * ag_error_quark:
 *
 * The error domain of libagsignal: errors in it carry an [error@Error].
 *
 * Returns: the quark of the `AG_ERROR` domain
 */
G_DEFINE_QUARK (ag-error-quark, ag_error)

typedef struct {
  int         code;
  const char *name;
  const char *description;
} ErrorInfo;

/* Sorted by code so lookups can bisect. The names are those of the spec's tables; the
 * descriptions are wire text ("reason" of error frames) and are never translated. */
static const ErrorInfo error_infos[] = {
  { AG_ERROR_SUCCESS, "SUCCESS", "No error" },
  { AG_ERROR_LOGOUT_E_OTHER, "LOGOUT_E_OTHER", "Logged out for another reason" },
  { AG_ERROR_LOGOUT_E_USER, "LOGOUT_E_USER", "The user logged out" },
  { AG_ERROR_LOGOUT_E_NET, "LOGOUT_E_NET", "Logged out because of a network problem" },
  { AG_ERROR_LOGOUT_E_KICKED, "LOGOUT_E_KICKED", "The account logged in somewhere else" },
  { AG_ERROR_LOGOUT_E_PACKET, "LOGOUT_E_PACKET", "Logged out because of a bad packet" },
  { AG_ERROR_LOGOUT_E_TOKENEXPIRED, "LOGOUT_E_TOKENEXPIRED", "The token expired" },
  { AG_ERROR_LOGOUT_E_OLDVERSION, "LOGOUT_E_OLDVERSION", "The client version is too old" },
  { AG_ERROR_LOGOUT_E_TOKENWRONG, "LOGOUT_E_TOKENWRONG", "The token is wrong" },
  { AG_ERROR_LOGOUT_E_ALREADY_LOGOUT, "LOGOUT_E_ALREADY_LOGOUT", "Already logged out" },
  { AG_ERROR_LOGIN_E_OTHER, "LOGIN_E_OTHER", "Login failed for an unknown reason" },
  { AG_ERROR_LOGIN_E_NET, "LOGIN_E_NET", "Login failed because of a network problem" },
  { AG_ERROR_LOGIN_E_FAILED, "LOGIN_E_FAILED", "Login rejected by the server" },
  { AG_ERROR_LOGIN_E_CANCEL, "LOGIN_E_CANCEL", "Login cancelled" },
  { AG_ERROR_LOGIN_E_TOKENEXPIRED, "LOGIN_E_TOKENEXPIRED", "The token expired" },
  { AG_ERROR_LOGIN_E_OLDVERSION, "LOGIN_E_OLDVERSION", "The client version is too old" },
  { AG_ERROR_LOGIN_E_TOKENWRONG, "LOGIN_E_TOKENWRONG", "The token is wrong" },
  { AG_ERROR_LOGIN_E_TOKEN_KICKED, "LOGIN_E_TOKEN_KICKED",
    "A renewed token was used to log in elsewhere" },
  { AG_ERROR_LOGIN_E_ALREADY_LOGIN, "LOGIN_E_ALREADY_LOGIN", "Already logged in" },
  { AG_ERROR_LOGIN_E_INVALID_USER, "LOGIN_E_INVALID_USER", "Invalid account" },
  { AG_ERROR_JOINCHANNEL_E_OTHER, "JOINCHANNEL_E_OTHER", "Failed to join the channel" },
  { AG_ERROR_SENDMESSAGE_E_OTHER, "SENDMESSAGE_E_OTHER", "Failed to send the message" },
  { AG_ERROR_SENDMESSAGE_E_TIMEOUT, "SENDMESSAGE_E_TIMEOUT", "Sending the message timed out" },
  { AG_ERROR_QUERYUSERNUM_E_OTHER, "QUERYUSERNUM_E_OTHER", "The member count query failed" },
  { AG_ERROR_QUERYUSERNUM_E_TIMEOUT, "QUERYUSERNUM_E_TIMEOUT",
    "The member count query timed out" },
  { AG_ERROR_QUERYUSERNUM_E_BYUSER, "QUERYUSERNUM_E_BYUSER",
    "The member count query was cancelled" },
  { AG_ERROR_LEAVECHANNEL_E_OTHER, "LEAVECHANNEL_E_OTHER",
    "Left the channel for an unknown reason" },
  { AG_ERROR_LEAVECHANNEL_E_KICKED, "LEAVECHANNEL_E_KICKED", "Removed from the channel" },
  { AG_ERROR_LEAVECHANNEL_E_BYUSER, "LEAVECHANNEL_E_BYUSER", "The user left the channel" },
  { AG_ERROR_LEAVECHANNEL_E_LOGOUT, "LEAVECHANNEL_E_LOGOUT",
    "Left the channel because the session logged out" },
  { AG_ERROR_LEAVECHANNEL_E_DISCONN, "LEAVECHANNEL_E_DISCONN",
    "Left the channel because the connection was lost" },
  { AG_ERROR_INVITE_E_OTHER, "INVITE_E_OTHER", "The call failed" },
  { AG_ERROR_INVITE_E_REINVITE, "INVITE_E_REINVITE",
    "The peer is already invited to this channel" },
  { AG_ERROR_INVITE_E_NET, "INVITE_E_NET", "The call failed because of a network problem" },
  { AG_ERROR_INVITE_E_PEEROFFLINE, "INVITE_E_PEEROFFLINE", "The peer is offline" },
  { AG_ERROR_INVITE_E_TIMEOUT, "INVITE_E_TIMEOUT", "The call timed out" },
  { AG_ERROR_INVITE_E_CANTRECV, "INVITE_E_CANTRECV", "The peer cannot receive the call" },
  { AG_ERROR_GENERAL_E, "GENERAL_E", "General error" },
  { AG_ERROR_GENERAL_E_FAILED, "GENERAL_E_FAILED", "General failure" },
  { AG_ERROR_GENERAL_E_UNKNOWN, "GENERAL_E_UNKNOWN", "Unknown error" },
  { AG_ERROR_GENERAL_E_NOT_LOGIN, "GENERAL_E_NOT_LOGIN", "Not logged in" },
  { AG_ERROR_GENERAL_E_WRONG_PARAM, "GENERAL_E_WRONG_PARAM", "Wrong parameter" },
  { AG_ERROR_GENERAL_E_LARGE_PARAM, "GENERAL_E_LARGE_PARAM", "Parameter too large" },
  { AG_ERROR_LIMIT_E_USER_RATE, "LIMIT_E_USER_RATE",
    "The sender is over its messages-per-second limit" },
  { AG_ERROR_LIMIT_E_CHANNEL_RATE, "LIMIT_E_CHANNEL_RATE",
    "The channel is over its messages-per-second limit" },
  { AG_ERROR_LIMIT_E_ATTR_RATE, "LIMIT_E_ATTR_RATE",
    "The channel is over its attribute update limit" },
  { AG_ERROR_LIMIT_E_CHANNEL_FULL, "LIMIT_E_CHANNEL_FULL", "The channel is full" },
  { AG_ERROR_LIMIT_E_OFFLINE_QUEUE_FULL, "LIMIT_E_OFFLINE_QUEUE_FULL",
    "The peer has too many messages waiting" },
  { AG_ERROR_LIMIT_E_SLOW_CONSUMER, "LIMIT_E_SLOW_CONSUMER",
    "The client did not read fast enough" },
  { AG_ERROR_LIMIT_E_LOGIN_TIMEOUT, "LIMIT_E_LOGIN_TIMEOUT",
    "The connection did not log in within 10 seconds" },
  { AG_ERROR_LIMIT_E_TOO_MANY_ATTRS, "LIMIT_E_TOO_MANY_ATTRS",
    "The channel holds as many attributes as it may (64, or 64 KiB in all)" },
  { AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS, "LIMIT_E_TOO_MANY_USER_ATTRS",
    "The user holds as many attributes as it may (64, or 64 KiB in all)" },
  { AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS, "LIMIT_E_TOO_MANY_CHANNELS",
    "The app holds as many channels as the server keeps" },
  { AG_ERROR_LIMIT_E_REQUEST_RATE, "LIMIT_E_REQUEST_RATE",
    "The user is over its limit of joins, attribute changes and invitations per second" },
  { AG_ERROR_LIMIT_E_TOO_MANY_CALLS, "LIMIT_E_TOO_MANY_CALLS",
    "The caller has as many invitations and calls going as it may (64)" },
  { AG_ERROR_LIMIT_E_OFFLINE_STORAGE_FULL, "LIMIT_E_OFFLINE_STORAGE_FULL",
    "The server stores as many offline messages as it may" },
  { AG_ERROR_LIMIT_E_MEMORY_BUDGET, "LIMIT_E_MEMORY_BUDGET",
    "The server is over its memory budget; try again later" },
  { AG_ERROR_PROTO_E_MALFORMED, "PROTO_E_MALFORMED", "Malformed frame" },
  { AG_ERROR_PROTO_E_UNKNOWN_OP, "PROTO_E_UNKNOWN_OP", "Missing or unknown op" },
  { AG_ERROR_PROTO_E_NOT_IN_CHANNEL, "PROTO_E_NOT_IN_CHANNEL", "Not in a channel" },
  { AG_ERROR_PROTO_E_NO_SUCH_CALL, "PROTO_E_NO_SUCH_CALL", "No such call" },
  { AG_ERROR_PROTO_E_PEER_OFFLINE, "PROTO_E_PEER_OFFLINE", "The peer is offline" },
  { AG_ERROR_PROTO_E_READ_ONLY_CHANNEL, "PROTO_E_READ_ONLY_CHANNEL",
    "The channel is read-only" },
  { AG_ERROR_ADMIN_E_UNAUTHORIZED, "ADMIN_E_UNAUTHORIZED", "The admin key is missing or wrong" },
  { AG_ERROR_ADMIN_E_NO_SUCH_USER, "ADMIN_E_NO_SUCH_USER", "No such user" },
  { AG_ERROR_ADMIN_E_NO_SUCH_CHANNEL, "ADMIN_E_NO_SUCH_CHANNEL", "No such channel" },
  { AG_ERROR_ADMIN_E_WRONG_MODE, "ADMIN_E_WRONG_MODE",
    "The request does not fit the connection (client or admin)" },
  { AG_ERROR_LOGOUT_E_ADMIN_KICKED, "LOGOUT_E_ADMIN_KICKED", "An operator ended the session" },
};

static const ErrorInfo *
find_error_info (int code)
{
  gsize lo = 0;
  gsize hi = G_N_ELEMENTS (error_infos);

  while (lo < hi) {
    gsize mid = lo + (hi - lo) / 2;

    if (error_infos[mid].code == code)
      return &error_infos[mid];

    if (error_infos[mid].code < code)
      lo = mid + 1;
    else
      hi = mid;
  }

  return NULL;
}

/**
 * ag_error_code_name:
 * @code: an error code, usually an #AgError
 *
 * Gets the name the spec's tables give a code, for messages that show the number and the name.
 *
 * Returns: (nullable): the code's name as in the spec's tables ("LOGIN_E_TOKENWRONG"), or
 *   %NULL when @code is not a known code
 */
const char *
ag_error_code_name (int code)
{
  const ErrorInfo *info = find_error_info (code);

  return info != NULL ? info->name : NULL;
}

/**
 * ag_error_code_describe:
 * @code: an error code, usually an #AgError
 *
 * Describes a code in a few English words; unknown codes get a generic description.
 *
 * Returns: a short English description of @code, suitable for the "reason" of an error frame
 */
const char *
ag_error_code_describe (int code)
{
  const ErrorInfo *info = find_error_info (code);

  return info != NULL ? info->description : "Unknown error code";
}
