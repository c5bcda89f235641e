/* ag-limits.h: the limits of the agsignal.v1 protocol (docs/protocol.md) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AG_LIMIT_NAME_CHARS            128     /* accounts, channel and attribute names */
#define AG_LIMIT_MSG_BYTES             8192    /* peer, channel and call messages */
#define AG_LIMIT_ATTR_VALUE_CHARS      8096    /* user and channel attribute values */
#define AG_LIMIT_EXTRA_BYTES           8192    /* call extra (JSON object text) */
#define AG_LIMIT_TTL_SECONDS           604800  /* offline message time to live */
#define AG_LIMIT_FRAME_BYTES           65536   /* one WebSocket frame */
#define AG_LIMIT_ROSTER_ON_JOIN        200     /* members listed in a join reply */
#define AG_LIMIT_CHANNEL_MEMBERS       10000
#define AG_LIMIT_OFFLINE_QUEUE         1000    /* queued offline messages per account */
#define AG_LIMIT_OUTBOUND_BYTES        (4 * 1024 * 1024)
#define AG_LIMIT_LOGIN_DEADLINE_S      10      /* from connecting to a successful login */
#define AG_LIMIT_CHANNEL_ATTRS         64      /* attributes per channel */
#define AG_LIMIT_CHANNEL_ATTR_BYTES    (64 * 1024) /* names and values of one channel in all */
#define AG_LIMIT_USER_ATTRS            64      /* attributes per user */
#define AG_LIMIT_USER_ATTR_BYTES       (64 * 1024) /* names and values of one user in all */
#define AG_LIMIT_CALLS_PER_CALLER      64      /* invitations and calls a user made, going on */
#define AG_LIMIT_CHANNELS_PER_CREATOR  1000    /* channels an account created that still exist */
#define AG_LIMIT_ACCOUNT_LINGER_S      60      /* a logged-out account's state kept in memory */

#define AG_DEFAULT_USER_MSG_RATE       60      /* messages per second per user */
#define AG_DEFAULT_CHANNEL_MSG_RATE    200     /* messages per second per channel */
#define AG_DEFAULT_USER_REQUEST_RATE   50      /* joins, user_set_attr, call_invite per second */
#define AG_DEFAULT_MAX_CHANNELS        100000  /* channels an app keeps, empty ones included */
#define AG_DEFAULT_OFFLINE_BYTES       (256 * 1024 * 1024) /* offline messages, all accounts */
#define AG_DEFAULT_MEMORY_BUDGET       G_GUINT64_CONSTANT (1073741824) /* queued output, offline
                                                                         * messages, attributes */
#define AG_DEFAULT_CHANNEL_TTL         7200    /* seconds after the last member leaves */
#define AG_DEFAULT_INVITE_OFFLINE_WAIT 20      /* seconds an offline callee has to log in */

#define AG_NO_NEED_TOKEN               "_no_need_token"
#define AG_SPECIAL_CHANNEL_USER_ONLINE "_agora_user_online"
#define AG_SPECIAL_CHANNEL_EVENTS      "_agora_channel_event"
#define AG_SYSTEM_ACCOUNT              "_agora_system"
#define AG_SUBPROTOCOL                 "agsignal.v1"
#define AG_WEBSOCKET_PATH              "/v1"

G_END_DECLS
