/* ag-error.h: the AG_ERROR domain, with the spec's codes and the ones agsignal adds */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AG_ERROR (ag_error_quark ())

/**
 * AgError:
 * @AG_ERROR_SUCCESS: No error
 * @AG_ERROR_LOGOUT_E_OTHER: Logged out for another reason
 * @AG_ERROR_LOGOUT_E_USER: The user logged out
 * @AG_ERROR_LOGOUT_E_NET: Logged out because of a network problem
 * @AG_ERROR_LOGOUT_E_KICKED: The account logged in somewhere else
 * @AG_ERROR_LOGOUT_E_PACKET: Logged out because of a bad packet
 * @AG_ERROR_LOGOUT_E_TOKENEXPIRED: The token expired
 * @AG_ERROR_LOGOUT_E_OLDVERSION: The client version is too old
 * @AG_ERROR_LOGOUT_E_TOKENWRONG: The token is wrong
 * @AG_ERROR_LOGOUT_E_ALREADY_LOGOUT: Already logged out
 * @AG_ERROR_LOGIN_E_OTHER: Login failed for an unknown reason
 * @AG_ERROR_LOGIN_E_NET: Login failed because of a network problem
 * @AG_ERROR_LOGIN_E_FAILED: Login rejected by the server
 * @AG_ERROR_LOGIN_E_CANCEL: Login cancelled
 * @AG_ERROR_LOGIN_E_TOKENEXPIRED: The token expired
 * @AG_ERROR_LOGIN_E_OLDVERSION: The client version is too old
 * @AG_ERROR_LOGIN_E_TOKENWRONG: The token is wrong
 * @AG_ERROR_LOGIN_E_TOKEN_KICKED: A renewed token was used to log in elsewhere
 * @AG_ERROR_LOGIN_E_ALREADY_LOGIN: Already logged in
 * @AG_ERROR_LOGIN_E_INVALID_USER: Invalid account
 * @AG_ERROR_JOINCHANNEL_E_OTHER: Failed to join the channel
 * @AG_ERROR_SENDMESSAGE_E_OTHER: Failed to send the message
 * @AG_ERROR_SENDMESSAGE_E_TIMEOUT: Sending the message timed out
 * @AG_ERROR_QUERYUSERNUM_E_OTHER: The member count query failed
 * @AG_ERROR_QUERYUSERNUM_E_TIMEOUT: The member count query timed out
 * @AG_ERROR_QUERYUSERNUM_E_BYUSER: The member count query was cancelled
 * @AG_ERROR_LEAVECHANNEL_E_OTHER: Left the channel for an unknown reason
 * @AG_ERROR_LEAVECHANNEL_E_KICKED: Removed from the channel
 * @AG_ERROR_LEAVECHANNEL_E_BYUSER: The user left the channel
 * @AG_ERROR_LEAVECHANNEL_E_LOGOUT: Left the channel because the session logged out
 * @AG_ERROR_LEAVECHANNEL_E_DISCONN: Left the channel because the connection was lost
 * @AG_ERROR_INVITE_E_OTHER: The call failed
 * @AG_ERROR_INVITE_E_REINVITE: The peer is already invited to this channel
 * @AG_ERROR_INVITE_E_NET: The call failed because of a network problem
 * @AG_ERROR_INVITE_E_PEEROFFLINE: The peer is offline
 * @AG_ERROR_INVITE_E_TIMEOUT: The call timed out
 * @AG_ERROR_INVITE_E_CANTRECV: The peer cannot receive the call
 * @AG_ERROR_GENERAL_E: General error
 * @AG_ERROR_GENERAL_E_FAILED: General failure
 * @AG_ERROR_GENERAL_E_UNKNOWN: Unknown error
 * @AG_ERROR_GENERAL_E_NOT_LOGIN: Not logged in
 * @AG_ERROR_GENERAL_E_WRONG_PARAM: Wrong parameter
 * @AG_ERROR_GENERAL_E_LARGE_PARAM: Parameter too large
 * @AG_ERROR_LIMIT_E_USER_RATE: The sender is over its messages-per-second limit
 * @AG_ERROR_LIMIT_E_CHANNEL_RATE: The channel is over its messages-per-second limit
 * @AG_ERROR_LIMIT_E_ATTR_RATE: The channel is over its attribute update limit
 * @AG_ERROR_LIMIT_E_CHANNEL_FULL: The channel is full
 * @AG_ERROR_LIMIT_E_OFFLINE_QUEUE_FULL: The peer has too many messages waiting
 * @AG_ERROR_LIMIT_E_SLOW_CONSUMER: The client did not read fast enough
 * @AG_ERROR_LIMIT_E_LOGIN_TIMEOUT: The connection did not log in within 10 seconds
 * @AG_ERROR_LIMIT_E_TOO_MANY_ATTRS: The channel holds as many attributes as it may (64, or 64 KiB in all)
 * @AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS: The user holds as many attributes as it may (64, or 64 KiB in all)
 * @AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS: The app holds as many channels as the server keeps
 * @AG_ERROR_LIMIT_E_REQUEST_RATE: The user is over its limit of joins, attribute changes and invitations per second
 * @AG_ERROR_LIMIT_E_TOO_MANY_CALLS: The caller has as many invitations and calls going as it may (64)
 * @AG_ERROR_LIMIT_E_OFFLINE_STORAGE_FULL: The server stores as many offline messages as it may
 * @AG_ERROR_LIMIT_E_MEMORY_BUDGET: The server is over its memory budget; try again later
 * @AG_ERROR_PROTO_E_MALFORMED: Malformed frame
 * @AG_ERROR_PROTO_E_UNKNOWN_OP: Missing or unknown op
 * @AG_ERROR_PROTO_E_NOT_IN_CHANNEL: Not in a channel
 * @AG_ERROR_PROTO_E_NO_SUCH_CALL: No such call
 * @AG_ERROR_PROTO_E_PEER_OFFLINE: The peer is offline
 * @AG_ERROR_PROTO_E_READ_ONLY_CHANNEL: The channel is read-only
 * @AG_ERROR_ADMIN_E_UNAUTHORIZED: The admin key is missing or wrong
 * @AG_ERROR_ADMIN_E_NO_SUCH_USER: No such user
 * @AG_ERROR_ADMIN_E_NO_SUCH_CHANNEL: No such channel
 * @AG_ERROR_ADMIN_E_WRONG_MODE: The request does not fit the connection (client or admin)
 * @AG_ERROR_LOGOUT_E_ADMIN_KICKED: An operator ended the session
 *
 * Error and reason codes. The numbers are those of the Signaling 1.x SDK and go on the wire
 * unchanged; codes of 1100 and up are agsignal's own (see docs/protocol.md).
 */
typedef enum {
  AG_ERROR_SUCCESS                    = 0,
  AG_ERROR_LOGOUT_E_OTHER             = 100,
  AG_ERROR_LOGOUT_E_USER              = 101,
  AG_ERROR_LOGOUT_E_NET               = 102,
  AG_ERROR_LOGOUT_E_KICKED            = 103,
  AG_ERROR_LOGOUT_E_PACKET            = 104,
  AG_ERROR_LOGOUT_E_TOKENEXPIRED      = 105,
  AG_ERROR_LOGOUT_E_OLDVERSION        = 106,
  AG_ERROR_LOGOUT_E_TOKENWRONG        = 107,
  AG_ERROR_LOGOUT_E_ALREADY_LOGOUT    = 108,
  AG_ERROR_LOGIN_E_OTHER              = 200,
  AG_ERROR_LOGIN_E_NET                = 201,
  AG_ERROR_LOGIN_E_FAILED             = 202,
  AG_ERROR_LOGIN_E_CANCEL             = 203,
  AG_ERROR_LOGIN_E_TOKENEXPIRED       = 204,
  AG_ERROR_LOGIN_E_OLDVERSION         = 205,
  AG_ERROR_LOGIN_E_TOKENWRONG         = 206,
  AG_ERROR_LOGIN_E_TOKEN_KICKED       = 207,
  AG_ERROR_LOGIN_E_ALREADY_LOGIN      = 208,
  AG_ERROR_LOGIN_E_INVALID_USER       = 209,
  AG_ERROR_JOINCHANNEL_E_OTHER        = 300,
  AG_ERROR_SENDMESSAGE_E_OTHER        = 400,
  AG_ERROR_SENDMESSAGE_E_TIMEOUT      = 401,
  AG_ERROR_QUERYUSERNUM_E_OTHER       = 500,
  AG_ERROR_QUERYUSERNUM_E_TIMEOUT     = 501,
  AG_ERROR_QUERYUSERNUM_E_BYUSER      = 502,
  AG_ERROR_LEAVECHANNEL_E_OTHER       = 600,
  AG_ERROR_LEAVECHANNEL_E_KICKED      = 601,
  AG_ERROR_LEAVECHANNEL_E_BYUSER      = 602,
  AG_ERROR_LEAVECHANNEL_E_LOGOUT      = 603,
  AG_ERROR_LEAVECHANNEL_E_DISCONN     = 604,
  AG_ERROR_INVITE_E_OTHER             = 700,
  AG_ERROR_INVITE_E_REINVITE          = 701,
  AG_ERROR_INVITE_E_NET               = 702,
  AG_ERROR_INVITE_E_PEEROFFLINE       = 703,
  AG_ERROR_INVITE_E_TIMEOUT           = 704,
  AG_ERROR_INVITE_E_CANTRECV          = 705,
  AG_ERROR_GENERAL_E                  = 1000,
  AG_ERROR_GENERAL_E_FAILED           = 1001,
  AG_ERROR_GENERAL_E_UNKNOWN          = 1002,
  AG_ERROR_GENERAL_E_NOT_LOGIN        = 1003,
  AG_ERROR_GENERAL_E_WRONG_PARAM      = 1004,
  AG_ERROR_GENERAL_E_LARGE_PARAM      = 1005,
  AG_ERROR_LIMIT_E_USER_RATE          = 1100,
  AG_ERROR_LIMIT_E_CHANNEL_RATE       = 1101,
  AG_ERROR_LIMIT_E_ATTR_RATE          = 1102,
  AG_ERROR_LIMIT_E_CHANNEL_FULL       = 1103,
  AG_ERROR_LIMIT_E_OFFLINE_QUEUE_FULL = 1104,
  AG_ERROR_LIMIT_E_SLOW_CONSUMER      = 1105,
  AG_ERROR_LIMIT_E_LOGIN_TIMEOUT      = 1106,
  AG_ERROR_LIMIT_E_TOO_MANY_ATTRS     = 1107,
  AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS = 1108,
  AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS  = 1109,
  AG_ERROR_LIMIT_E_REQUEST_RATE       = 1110,
  AG_ERROR_LIMIT_E_TOO_MANY_CALLS     = 1111,
  AG_ERROR_LIMIT_E_OFFLINE_STORAGE_FULL = 1112,
  AG_ERROR_LIMIT_E_MEMORY_BUDGET      = 1113,
  AG_ERROR_PROTO_E_MALFORMED          = 1200,
  AG_ERROR_PROTO_E_UNKNOWN_OP         = 1201,
  AG_ERROR_PROTO_E_NOT_IN_CHANNEL     = 1202,
  AG_ERROR_PROTO_E_NO_SUCH_CALL       = 1203,
  AG_ERROR_PROTO_E_PEER_OFFLINE       = 1204,
  AG_ERROR_PROTO_E_READ_ONLY_CHANNEL  = 1205,
  AG_ERROR_ADMIN_E_UNAUTHORIZED       = 1300,
  AG_ERROR_ADMIN_E_NO_SUCH_USER       = 1301,
  AG_ERROR_ADMIN_E_NO_SUCH_CHANNEL    = 1302,
  AG_ERROR_ADMIN_E_WRONG_MODE         = 1303,
  AG_ERROR_LOGOUT_E_ADMIN_KICKED      = 1310,
} AgError;

GQuark       ag_error_quark      (void);

/* The code's name as in the tables ("LOGIN_E_TOKENWRONG"), or NULL for an unknown code. */
const char  *ag_error_code_name (int code);

/* A short English description of the code, never NULL. */
const char  *ag_error_code_describe (int code);

G_END_DECLS
