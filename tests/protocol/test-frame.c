/* test-frame.c: frame encode/decode, validation of client frames, and the checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-limits.h"

/* Helpers */

static AgFrame *
decode_string (const char     *text,
               AgFrameOrigin   origin,
               gint64         *out_id,
               GError        **error)
{
  return ag_frame_decode (text, strlen (text), origin, out_id, error);
}

static char *
encode_to_string (const AgFrame *frame)
{
  g_autoptr(GBytes) bytes = ag_frame_encode (frame);
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_nonnull (bytes);
  return g_strndup (data, size);
}

/* Decodes a frame that must be valid. */
static AgFrame *
decode_ok (const char    *text,
           AgFrameOrigin  origin)
{
  g_autoptr(GError) error = NULL;
  AgFrame *frame = decode_string (text, origin, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (frame);
  return frame;
}

/* Decodes a client frame that must fail with code, and checks the id the reply would use. */
static void
assert_client_rejects (const char *data,
                       gsize       length,
                       int         code,
                       gint64      expected_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgFrame) frame = NULL;
  gint64 out_id = -1;

  frame = ag_frame_decode (data, length, AG_FRAME_FROM_CLIENT, &out_id, &error);

  if (frame != NULL || !g_error_matches (error, AG_ERROR, code) || out_id != expected_id)
    g_test_message ("frame %.200s: expected %d id %" G_GINT64_FORMAT
                    ", got %s (%d: %s) id %" G_GINT64_FORMAT,
                    data, code, expected_id, frame != NULL ? "a frame" : "an error",
                    error != NULL ? error->code : 0, error != NULL ? error->message : "",
                    out_id);

  g_assert_null (frame);
  g_assert_error (error, AG_ERROR, code);
  g_assert_cmpint (out_id, ==, expected_id);
}

static void
assert_client_accepts (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgFrame) frame = NULL;

  frame = decode_string (text, AG_FRAME_FROM_CLIENT, NULL, &error);
  if (error != NULL)
    g_test_message ("frame %.200s: %s", text, error->message);
  g_assert_no_error (error);
  g_assert_nonnull (frame);
}

/* Ops */

static const struct {
  AgOp        op;
  const char *name;
} op_names[] = {
  { AG_OP_LOGIN, "login" },
  { AG_OP_LOGOUT, "logout" },
  { AG_OP_PING, "ping" },
  { AG_OP_MSG_SEND, "msg_send" },
  { AG_OP_USER_SET_ATTR, "user_set_attr" },
  { AG_OP_USER_GET_ATTR, "user_get_attr" },
  { AG_OP_USER_GET_ATTR_ALL, "user_get_attr_all" },
  { AG_OP_CHANNEL_QUERY_NUM, "channel_query_num" },
  { AG_OP_USER_STATUS, "user_status" },
  { AG_OP_CHANNEL_IS_IN, "channel_is_in" },
  { AG_OP_CHANNEL_JOIN, "channel_join" },
  { AG_OP_CHANNEL_LEAVE, "channel_leave" },
  { AG_OP_CHANNEL_SEND, "channel_send" },
  { AG_OP_CHANNEL_SET_ATTR, "channel_set_attr" },
  { AG_OP_CHANNEL_DEL_ATTR, "channel_del_attr" },
  { AG_OP_CHANNEL_CLEAR_ATTR, "channel_clear_attr" },
  { AG_OP_CALL_INVITE, "call_invite" },
  { AG_OP_CALL_ACCEPT, "call_accept" },
  { AG_OP_CALL_REFUSE, "call_refuse" },
  { AG_OP_CALL_END, "call_end" },
  { AG_OP_CALL_MSG, "call_msg" },
  { AG_OP_OK, "ok" },
  { AG_OP_ERROR, "error" },
  { AG_OP_EV_LOGOUT, "logout" },
  { AG_OP_EV_MSG, "msg" },
  { AG_OP_EV_CHANNEL_USER_JOINED, "channel_user_joined" },
  { AG_OP_EV_CHANNEL_USER_LEFT, "channel_user_left" },
  { AG_OP_EV_CHANNEL_MSG, "channel_msg" },
  { AG_OP_EV_CHANNEL_ATTR, "channel_attr" },
  { AG_OP_EV_CHANNEL_LEFT, "channel_left" },
  { AG_OP_EV_CALL_INCOMING, "call_incoming" },
  { AG_OP_EV_CALL_RECEIVED, "call_received" },
  { AG_OP_EV_CALL_ACCEPTED, "call_accepted" },
  { AG_OP_EV_CALL_REFUSED, "call_refused" },
  { AG_OP_EV_CALL_FAILED, "call_failed" },
  { AG_OP_EV_CALL_ENDED, "call_ended" },
  { AG_OP_EV_CALL_MSG, "call_msg" },
};

static void
test_frame_ops (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (op_names), ==, AG_OP_LAST - 1);

  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++) {
    AgOp op = op_names[i].op;
    gboolean request = op <= AG_OP_CALL_MSG;
    gboolean event = op >= AG_OP_EV_LOGOUT;
    AgFrameOrigin origin = request ? AG_FRAME_FROM_CLIENT : AG_FRAME_FROM_SERVER;
    AgFrameOrigin other = request ? AG_FRAME_FROM_SERVER : AG_FRAME_FROM_CLIENT;

    g_assert_cmpstr (ag_op_to_string (op), ==, op_names[i].name);
    g_assert_cmpint (ag_op_from_string (op_names[i].name, origin), ==, op);
    g_assert_cmpint (ag_op_is_request (op), ==, request);
    g_assert_cmpint (ag_op_is_event (op), ==, event);

    /* Only "logout" and "call_msg" exist on both sides. */
    if (g_str_equal (op_names[i].name, "logout") || g_str_equal (op_names[i].name, "call_msg"))
      g_assert_cmpint (ag_op_from_string (op_names[i].name, other), !=, AG_OP_INVALID);
    else
      g_assert_cmpint (ag_op_from_string (op_names[i].name, other), ==, AG_OP_INVALID);
  }

  g_assert_cmpint (ag_op_from_string ("logout", AG_FRAME_FROM_SERVER), ==, AG_OP_EV_LOGOUT);
  g_assert_cmpint (ag_op_from_string ("call_msg", AG_FRAME_FROM_SERVER), ==, AG_OP_EV_CALL_MSG);
  g_assert_cmpint (ag_op_from_string ("logout", AG_FRAME_FROM_CLIENT), ==, AG_OP_LOGOUT);

  g_assert_null (ag_op_to_string (AG_OP_INVALID));
  g_assert_null (ag_op_to_string (AG_OP_LAST));
  g_assert_cmpint (ag_op_from_string (NULL, AG_FRAME_FROM_CLIENT), ==, AG_OP_INVALID);
  g_assert_cmpint (ag_op_from_string ("", AG_FRAME_FROM_CLIENT), ==, AG_OP_INVALID);
  g_assert_cmpint (ag_op_from_string ("LOGIN", AG_FRAME_FROM_CLIENT), ==, AG_OP_INVALID);
  g_assert_cmpint (ag_op_from_string ("login ", AG_FRAME_FROM_CLIENT), ==, AG_OP_INVALID);
  g_assert_false (ag_op_is_request (AG_OP_INVALID));
  g_assert_false (ag_op_is_event (AG_OP_LAST));
  g_assert_false (ag_op_is_request (AG_OP_OK));
  g_assert_false (ag_op_is_event (AG_OP_ERROR));
}

/* Round trips: each case is a frame, the exact JSON it encodes to, and the origin that
 * decodes it back to the same frame. */

enum {
  HAS_TTL    = 1 << 0,
  HAS_VALUE  = 1 << 1,
  HAS_UID    = 1 << 2,
  HAS_NUM    = 1 << 3,
  HAS_TS     = 1 << 4,
  HAS_STORED = 1 << 5,
  HAS_ONLINE = 1 << 6,
  HAS_IN     = 1 << 7,
};

typedef struct {
  AgOp        op;
  gint64      id;
  const char *app_id;
  const char *account;
  const char *token;
  const char *peer;
  const char *channel;
  const char *name;
  const char *value;
  const char *msg;
  const char *extra;
  const char *type;
  const char *reason;
  guint32     uid;
  int         code;
  gint64      ttl;
  gint64      num;
  gint64      ts;
  gboolean    stored;
  gboolean    online;
  gboolean    in;
  guint       has;
  const char *members;   /* "account=uid,..."; "" for an empty roster */
  const char *attrs;     /* "name=value,..."; "" for an empty set */
  const char *json;
} FrameCase;

static const FrameCase frame_cases[] = {
  /* Requests */
  { .op = AG_OP_LOGIN, .id = 1, .app_id = "demo", .account = "alice", .token = "_no_need_token",
    .json = "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"alice\","
            "\"token\":\"_no_need_token\"}" },
  { .op = AG_OP_LOGOUT, .id = 2, .json = "{\"op\":\"logout\",\"id\":2}" },
  { .op = AG_OP_PING, .id = 3, .json = "{\"op\":\"ping\",\"id\":3}" },
  { .op = AG_OP_PING, .id = G_MAXINT64, .json = "{\"op\":\"ping\",\"id\":9223372036854775807}" },
  { .op = AG_OP_MSG_SEND, .id = 4, .peer = "bob", .msg = "hello", .ttl = 60, .has = HAS_TTL,
    .json = "{\"op\":\"msg_send\",\"id\":4,\"peer\":\"bob\",\"msg\":\"hello\",\"ttl\":60}" },
  { .op = AG_OP_MSG_SEND, .id = 7, .peer = "bob", .msg = "hello",
    .json = "{\"op\":\"msg_send\",\"id\":7,\"peer\":\"bob\",\"msg\":\"hello\"}" },
  { .op = AG_OP_MSG_SEND, .id = 8, .peer = "b\xc3\xb6""b", .msg = "", .ttl = 0, .has = HAS_TTL,
    .json = "{\"op\":\"msg_send\",\"id\":8,\"peer\":\"b\xc3\xb6""b\",\"msg\":\"\",\"ttl\":0}" },
  { .op = AG_OP_USER_SET_ATTR, .id = 5, .name = "color", .value = "blue", .has = HAS_VALUE,
    .json = "{\"op\":\"user_set_attr\",\"id\":5,\"name\":\"color\",\"value\":\"blue\"}" },
  { .op = AG_OP_USER_SET_ATTR, .id = 5, .name = "color", .value = "", .has = HAS_VALUE,
    .json = "{\"op\":\"user_set_attr\",\"id\":5,\"name\":\"color\",\"value\":\"\"}" },
  { .op = AG_OP_USER_GET_ATTR, .id = 6, .account = "alice", .name = "color",
    .json = "{\"op\":\"user_get_attr\",\"id\":6,\"account\":\"alice\",\"name\":\"color\"}" },
  { .op = AG_OP_USER_GET_ATTR_ALL, .id = 7, .account = "alice",
    .json = "{\"op\":\"user_get_attr_all\",\"id\":7,\"account\":\"alice\"}" },
  { .op = AG_OP_CHANNEL_QUERY_NUM, .id = 8, .channel = "lobby",
    .json = "{\"op\":\"channel_query_num\",\"id\":8,\"channel\":\"lobby\"}" },
  { .op = AG_OP_USER_STATUS, .id = 9, .account = "bob",
    .json = "{\"op\":\"user_status\",\"id\":9,\"account\":\"bob\"}" },
  { .op = AG_OP_CHANNEL_IS_IN, .id = 10, .channel = "lobby", .account = "bob",
    .json = "{\"op\":\"channel_is_in\",\"id\":10,\"channel\":\"lobby\",\"account\":\"bob\"}" },
  { .op = AG_OP_CHANNEL_JOIN, .id = 11, .channel = "the lobby",
    .json = "{\"op\":\"channel_join\",\"id\":11,\"channel\":\"the lobby\"}" },
  { .op = AG_OP_CHANNEL_LEAVE, .id = 12, .json = "{\"op\":\"channel_leave\",\"id\":12}" },
  { .op = AG_OP_CHANNEL_SEND, .id = 13, .msg = "hi all",
    .json = "{\"op\":\"channel_send\",\"id\":13,\"msg\":\"hi all\"}" },
  { .op = AG_OP_CHANNEL_SET_ATTR, .id = 14, .name = "topic", .value = "news", .has = HAS_VALUE,
    .json = "{\"op\":\"channel_set_attr\",\"id\":14,\"name\":\"topic\",\"value\":\"news\"}" },
  { .op = AG_OP_CHANNEL_DEL_ATTR, .id = 15, .name = "topic",
    .json = "{\"op\":\"channel_del_attr\",\"id\":15,\"name\":\"topic\"}" },
  { .op = AG_OP_CHANNEL_CLEAR_ATTR, .id = 16, .json = "{\"op\":\"channel_clear_attr\",\"id\":16}" },
  { .op = AG_OP_CALL_INVITE, .id = 17, .channel = "room", .peer = "bob",
    .extra = "{\"_timeout\":30}",
    .json = "{\"op\":\"call_invite\",\"id\":17,\"channel\":\"room\",\"peer\":\"bob\","
            "\"extra\":\"{\\\"_timeout\\\":30}\"}" },
  { .op = AG_OP_CALL_ACCEPT, .id = 18, .channel = "room", .peer = "alice", .extra = "{}",
    .json = "{\"op\":\"call_accept\",\"id\":18,\"channel\":\"room\",\"peer\":\"alice\","
            "\"extra\":\"{}\"}" },
  { .op = AG_OP_CALL_REFUSE, .id = 19, .channel = "room", .peer = "alice", .extra = "{}",
    .json = "{\"op\":\"call_refuse\",\"id\":19,\"channel\":\"room\",\"peer\":\"alice\","
            "\"extra\":\"{}\"}" },
  { .op = AG_OP_CALL_END, .id = 20, .channel = "room", .peer = "bob", .extra = "{\"a\":[1]}",
    .json = "{\"op\":\"call_end\",\"id\":20,\"channel\":\"room\",\"peer\":\"bob\","
            "\"extra\":\"{\\\"a\\\":[1]}\"}" },
  { .op = AG_OP_CALL_MSG, .id = 21, .channel = "room", .peer = "bob", .type = "DTMF",
    .msg = "0123456789*#",
    .json = "{\"op\":\"call_msg\",\"id\":21,\"channel\":\"room\",\"peer\":\"bob\","
            "\"type\":\"DTMF\",\"msg\":\"0123456789*#\"}" },
  { .op = AG_OP_CALL_MSG, .id = 22, .channel = "room", .peer = "bob", .type = "text",
    .msg = "say \"hi\"",
    .json = "{\"op\":\"call_msg\",\"id\":22,\"channel\":\"room\",\"peer\":\"bob\","
            "\"type\":\"text\",\"msg\":\"say \\\"hi\\\"\"}" },

  /* Replies */
  { .op = AG_OP_OK, .id = 7, .json = "{\"op\":\"ok\",\"id\":7}" },
  { .op = AG_OP_OK, .id = 1, .account = "alice", .uid = 1, .has = HAS_UID,
    .json = "{\"op\":\"ok\",\"id\":1,\"account\":\"alice\",\"uid\":1}" },
  { .op = AG_OP_OK, .id = 3, .ts = G_GINT64_CONSTANT (1764099000123), .has = HAS_TS,
    .json = "{\"op\":\"ok\",\"id\":3,\"ts\":1764099000123}" },
  { .op = AG_OP_OK, .id = 4, .stored = FALSE, .has = HAS_STORED,
    .json = "{\"op\":\"ok\",\"id\":4,\"stored\":false}" },
  { .op = AG_OP_OK, .id = 4, .stored = TRUE, .has = HAS_STORED,
    .json = "{\"op\":\"ok\",\"id\":4,\"stored\":true}" },
  { .op = AG_OP_OK, .id = 5, .account = "alice", .name = "color", .value = "blue",
    .has = HAS_VALUE,
    .json = "{\"op\":\"ok\",\"id\":5,\"account\":\"alice\",\"name\":\"color\","
            "\"value\":\"blue\"}" },
  { .op = AG_OP_OK, .id = 6, .account = "alice", .name = "color", .value = NULL,
    .has = HAS_VALUE,
    .json = "{\"op\":\"ok\",\"id\":6,\"account\":\"alice\",\"name\":\"color\",\"value\":null}" },
  { .op = AG_OP_OK, .id = 7, .account = "alice", .attrs = "color=blue,size=XL",
    .json = "{\"op\":\"ok\",\"id\":7,\"account\":\"alice\","
            "\"attrs\":{\"color\":\"blue\",\"size\":\"XL\"}}" },
  { .op = AG_OP_OK, .id = 8, .channel = "lobby", .num = 0, .has = HAS_NUM,
    .json = "{\"op\":\"ok\",\"id\":8,\"channel\":\"lobby\",\"num\":0}" },
  { .op = AG_OP_OK, .id = 9, .account = "bob", .online = FALSE, .has = HAS_ONLINE,
    .json = "{\"op\":\"ok\",\"id\":9,\"account\":\"bob\",\"online\":false}" },
  { .op = AG_OP_OK, .id = 9, .account = "bob", .online = TRUE, .has = HAS_ONLINE,
    .json = "{\"op\":\"ok\",\"id\":9,\"account\":\"bob\",\"online\":true}" },
  { .op = AG_OP_OK, .id = 10, .channel = "lobby", .account = "bob", .in = TRUE, .has = HAS_IN,
    .json = "{\"op\":\"ok\",\"id\":10,\"channel\":\"lobby\",\"account\":\"bob\",\"in\":true}" },
  { .op = AG_OP_OK, .id = 10, .channel = "lobby", .account = "bob", .in = FALSE, .has = HAS_IN,
    .json = "{\"op\":\"ok\",\"id\":10,\"channel\":\"lobby\",\"account\":\"bob\",\"in\":false}" },
  { .op = AG_OP_OK, .id = 11, .channel = "lobby", .num = 3, .has = HAS_NUM,
    .members = "carol=3,bob=2", .attrs = "topic=news",
    .json = "{\"op\":\"ok\",\"id\":11,\"channel\":\"lobby\",\"num\":3,"
            "\"members\":[{\"account\":\"carol\",\"uid\":3},{\"account\":\"bob\",\"uid\":2}],"
            "\"attrs\":{\"topic\":\"news\"}}" },
  { .op = AG_OP_OK, .id = 11, .channel = "lobby", .num = 1, .has = HAS_NUM,
    .members = "", .attrs = "",
    .json = "{\"op\":\"ok\",\"id\":11,\"channel\":\"lobby\",\"num\":1,\"members\":[],"
            "\"attrs\":{}}" },
  { .op = AG_OP_OK, .id = 12, .channel = "lobby",
    .json = "{\"op\":\"ok\",\"id\":12,\"channel\":\"lobby\"}" },
  { .op = AG_OP_ERROR, .id = 7, .code = 1204, .reason = "peer is offline",
    .json = "{\"op\":\"error\",\"id\":7,\"code\":1204,\"reason\":\"peer is offline\"}" },
  { .op = AG_OP_ERROR, .id = 0, .code = 1200, .reason = "frame is not JSON",
    .json = "{\"op\":\"error\",\"id\":0,\"code\":1200,\"reason\":\"frame is not JSON\"}" },

  /* Events */
  { .op = AG_OP_EV_LOGOUT, .code = 103, .json = "{\"op\":\"logout\",\"code\":103}" },
  { .op = AG_OP_EV_MSG, .account = "alice", .uid = 1, .msg = "hello",
    .ts = G_GINT64_CONSTANT (1764099000123), .has = HAS_UID | HAS_TS,
    .json = "{\"op\":\"msg\",\"account\":\"alice\",\"uid\":1,\"msg\":\"hello\","
            "\"ts\":1764099000123}" },
  { .op = AG_OP_EV_CHANNEL_USER_JOINED, .channel = "lobby", .account = "alice", .uid = 1,
    .has = HAS_UID,
    .json = "{\"op\":\"channel_user_joined\",\"channel\":\"lobby\",\"account\":\"alice\","
            "\"uid\":1}" },
  { .op = AG_OP_EV_CHANNEL_USER_LEFT, .channel = "lobby", .account = "alice", .uid = 1,
    .code = 602, .has = HAS_UID,
    .json = "{\"op\":\"channel_user_left\",\"channel\":\"lobby\",\"account\":\"alice\","
            "\"uid\":1,\"code\":602}" },
  { .op = AG_OP_EV_CHANNEL_MSG, .channel = "lobby", .account = "alice", .uid = 1,
    .msg = "hi all", .ts = G_GINT64_CONSTANT (1764099000123), .has = HAS_UID | HAS_TS,
    .json = "{\"op\":\"channel_msg\",\"channel\":\"lobby\",\"account\":\"alice\",\"uid\":1,"
            "\"msg\":\"hi all\",\"ts\":1764099000123}" },
  { .op = AG_OP_EV_CHANNEL_MSG, .channel = "_agora_user_online", .account = "_agora_system",
    .uid = 0, .msg = "{\"type\":\"online\",\"account\":\"bob\",\"uid\":2}", .ts = 5,
    .has = HAS_UID | HAS_TS,
    .json = "{\"op\":\"channel_msg\",\"channel\":\"_agora_user_online\","
            "\"account\":\"_agora_system\",\"uid\":0,"
            "\"msg\":\"{\\\"type\\\":\\\"online\\\",\\\"account\\\":\\\"bob\\\",\\\"uid\\\":2}\","
            "\"ts\":5}" },
  { .op = AG_OP_EV_CHANNEL_ATTR, .channel = "lobby", .name = "topic", .value = "news",
    .type = "update", .has = HAS_VALUE,
    .json = "{\"op\":\"channel_attr\",\"channel\":\"lobby\",\"name\":\"topic\","
            "\"value\":\"news\",\"type\":\"update\"}" },
  { .op = AG_OP_EV_CHANNEL_ATTR, .channel = "lobby", .name = "", .value = "", .type = "clear",
    .has = HAS_VALUE,
    .json = "{\"op\":\"channel_attr\",\"channel\":\"lobby\",\"name\":\"\",\"value\":\"\","
            "\"type\":\"clear\"}" },
  { .op = AG_OP_EV_CALL_INCOMING, .channel = "room", .peer = "alice", .uid = 1, .extra = "{}",
    .has = HAS_UID,
    .json = "{\"op\":\"call_incoming\",\"channel\":\"room\",\"peer\":\"alice\",\"uid\":1,"
            "\"extra\":\"{}\"}" },
  { .op = AG_OP_EV_CALL_RECEIVED, .channel = "room", .peer = "bob",
    .json = "{\"op\":\"call_received\",\"channel\":\"room\",\"peer\":\"bob\"}" },
  { .op = AG_OP_EV_CALL_ACCEPTED, .channel = "room", .peer = "bob", .extra = "{\"k\":\"v\"}",
    .json = "{\"op\":\"call_accepted\",\"channel\":\"room\",\"peer\":\"bob\","
            "\"extra\":\"{\\\"k\\\":\\\"v\\\"}\"}" },
  { .op = AG_OP_EV_CALL_REFUSED, .channel = "room", .peer = "bob", .extra = "{}",
    .json = "{\"op\":\"call_refused\",\"channel\":\"room\",\"peer\":\"bob\",\"extra\":\"{}\"}" },
  { .op = AG_OP_EV_CALL_FAILED, .channel = "room", .peer = "bob", .code = 703,
    .json = "{\"op\":\"call_failed\",\"channel\":\"room\",\"peer\":\"bob\",\"code\":703}" },
  { .op = AG_OP_EV_CHANNEL_LEFT, .channel = "lobby", .code = 601,
    .json = "{\"op\":\"channel_left\",\"channel\":\"lobby\",\"code\":601}" },
  { .op = AG_OP_EV_CALL_ENDED, .channel = "room", .peer = "alice", .extra = "{}",
    .json = "{\"op\":\"call_ended\",\"channel\":\"room\",\"peer\":\"alice\",\"extra\":\"{}\"}" },
  { .op = AG_OP_EV_CALL_MSG, .channel = "room", .peer = "alice", .type = "DTMF", .msg = "5",
    .json = "{\"op\":\"call_msg\",\"channel\":\"room\",\"peer\":\"alice\",\"type\":\"DTMF\","
            "\"msg\":\"5\"}" },
};

static AgFrame *
frame_from_case (const FrameCase *c)
{
  AgFrame *frame = ag_frame_new (c->op);

  frame->id = c->id;
  frame->app_id = g_strdup (c->app_id);
  frame->account = g_strdup (c->account);
  frame->token = g_strdup (c->token);
  frame->peer = g_strdup (c->peer);
  frame->channel = g_strdup (c->channel);
  frame->name = g_strdup (c->name);
  frame->value = g_strdup (c->value);
  frame->msg = g_strdup (c->msg);
  frame->extra = g_strdup (c->extra);
  frame->type = g_strdup (c->type);
  frame->reason = g_strdup (c->reason);
  frame->uid = c->uid;
  frame->code = c->code;
  frame->ttl = c->ttl;
  frame->num = c->num;
  frame->ts = c->ts;
  frame->stored = c->stored;
  frame->online = c->online;
  frame->in = c->in;
  frame->has_ttl = (c->has & HAS_TTL) != 0;
  frame->has_value = (c->has & HAS_VALUE) != 0;
  frame->has_uid = (c->has & HAS_UID) != 0;
  frame->has_num = (c->has & HAS_NUM) != 0;
  frame->has_ts = (c->has & HAS_TS) != 0;
  frame->has_stored = (c->has & HAS_STORED) != 0;
  frame->has_online = (c->has & HAS_ONLINE) != 0;
  frame->has_in = (c->has & HAS_IN) != 0;

  if (c->members != NULL) {
    g_auto(GStrv) entries = g_strsplit (c->members, ",", -1);

    /* An empty roster is an empty array: "members": []. */
    if (c->members[0] == '\0')
      frame->members = g_ptr_array_new ();
    for (guint i = 0; entries[i] != NULL && entries[i][0] != '\0'; i++) {
      g_auto(GStrv) parts = g_strsplit (entries[i], "=", 2);

      ag_frame_add_member (frame, parts[0], (guint32) g_ascii_strtoull (parts[1], NULL, 10));
    }
  }

  if (c->attrs != NULL) {
    g_auto(GStrv) entries = g_strsplit (c->attrs, ",", -1);

    /* Setting and removing leaves an empty table: "attrs": {}. */
    ag_frame_set_attr (frame, "placeholder", "x");
    ag_frame_set_attr (frame, "placeholder", NULL);
    for (guint i = 0; entries[i] != NULL && entries[i][0] != '\0'; i++) {
      g_auto(GStrv) parts = g_strsplit (entries[i], "=", 2);

      ag_frame_set_attr (frame, parts[0], parts[1]);
    }
  }

  return frame;
}

static void
test_frame_round_trip (void)
{
  gboolean seen[AG_OP_LAST] = { FALSE, };

  for (guint i = 0; i < G_N_ELEMENTS (frame_cases); i++) {
    const FrameCase *c = &frame_cases[i];
    AgFrameOrigin origin = ag_op_is_request (c->op) ? AG_FRAME_FROM_CLIENT : AG_FRAME_FROM_SERVER;
    g_autoptr(AgFrame) built = frame_from_case (c);
    g_autoptr(AgFrame) decoded = NULL;
    g_autoptr(AgFrame) reparsed = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *encoded = NULL;
    g_autofree char *reencoded = NULL;
    gint64 out_id = -1;

    g_test_message ("case %u: %s", i, c->json);
    seen[c->op] = TRUE;

    /* encode(frame) is exactly the documented text */
    encoded = encode_to_string (built);
    g_assert_cmpstr (encoded, ==, c->json);

    /* decode(text) is the frame */
    decoded = decode_string (c->json, origin, &out_id, &error);
    g_assert_no_error (error);
    g_assert_nonnull (decoded);
    g_assert_true (ag_frame_equal (decoded, built));
    g_assert_cmpint (out_id, ==, ag_op_is_event (c->op) ? 0 : c->id);

    /* and decode(encode(decode(text))) once more */
    reencoded = encode_to_string (decoded);
    g_assert_cmpstr (reencoded, ==, c->json);
    reparsed = decode_ok (reencoded, origin);
    g_assert_true (ag_frame_equal (reparsed, built));
  }

  for (AgOp op = AG_OP_LOGIN; op < AG_OP_LAST; op++) {
    if (!seen[op])
      g_error ("no round-trip case for %s", ag_op_to_string (op));
  }
}

static void
test_frame_encode_defaults (void)
{
  g_autoptr(AgFrame) attr = ag_frame_new (AG_OP_EV_CHANNEL_ATTR);
  g_autoptr(AgFrame) incoming = ag_frame_new (AG_OP_EV_CALL_INCOMING);
  g_autoptr(AgFrame) error_frame = ag_frame_new_error (3, AG_ERROR_GENERAL_E_NOT_LOGIN, NULL);
  g_autoptr(AgFrame) bare_error = ag_frame_new (AG_OP_ERROR);
  g_autoptr(AgFrame) ok = ag_frame_new_ok (9);
  g_autoptr(AgFrame) request = ag_frame_new (AG_OP_CALL_MSG);
  g_autofree char *text = NULL;

  /* Events carry every field; a clear has empty name and value. */
  attr->channel = g_strdup ("lobby");
  attr->type = g_strdup ("clear");
  text = encode_to_string (attr);
  g_assert_cmpstr (text, ==, "{\"op\":\"channel_attr\",\"channel\":\"lobby\",\"name\":\"\","
                             "\"value\":\"\",\"type\":\"clear\"}");
  g_clear_pointer (&text, g_free);

  text = encode_to_string (incoming);
  g_assert_cmpstr (text, ==, "{\"op\":\"call_incoming\",\"channel\":\"\",\"peer\":\"\","
                             "\"uid\":0,\"extra\":\"{}\"}");
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (error_frame->id, ==, 3);
  g_assert_cmpint (error_frame->code, ==, 1003);
  g_assert_cmpstr (error_frame->reason, ==, ag_error_code_describe (1003));
  text = encode_to_string (error_frame);
  g_assert_cmpstr (text, ==, "{\"op\":\"error\",\"id\":3,\"code\":1003,"
                             "\"reason\":\"Not logged in\"}");
  g_clear_pointer (&text, g_free);

  bare_error->code = 1201;
  text = encode_to_string (bare_error);
  g_assert_cmpstr (text, ==, "{\"op\":\"error\",\"id\":0,\"code\":1201,"
                             "\"reason\":\"Missing or unknown op\"}");
  g_clear_pointer (&text, g_free);

  /* Result fields without their has_ bit are written only when non-zero. */
  ok->num = 0;
  ok->stored = TRUE;
  ok->uid = 4;
  text = encode_to_string (ok);
  g_assert_cmpstr (text, ==, "{\"op\":\"ok\",\"id\":9,\"uid\":4,\"stored\":true}");
  g_clear_pointer (&text, g_free);

  /* Requests leave out what is not set; the decoder fills the defaults back in. */
  request->id = 2;
  request->channel = g_strdup ("room");
  request->peer = g_strdup ("bob");
  request->msg = g_strdup ("1");
  text = encode_to_string (request);
  g_assert_cmpstr (text, ==, "{\"op\":\"call_msg\",\"id\":2,\"channel\":\"room\","
                             "\"peer\":\"bob\",\"msg\":\"1\"}");
}

static void
test_frame_decode_defaults (void)
{
  g_autoptr(AgFrame) invite = NULL;
  g_autoptr(AgFrame) dtmf = NULL;
  g_autoptr(AgFrame) text = NULL;
  g_autoptr(AgFrame) send = NULL;
  g_autoptr(AgFrame) login = NULL;
  g_autoptr(GError) error = NULL;
  gint64 out_id = -1;

  invite = decode_ok ("{\"op\":\"call_invite\",\"id\":1,\"channel\":\"c\",\"peer\":\"p\"}",
                      AG_FRAME_FROM_CLIENT);
  g_assert_cmpstr (invite->extra, ==, "{}");

  dtmf = decode_ok ("{\"op\":\"call_msg\",\"id\":1,\"channel\":\"c\",\"peer\":\"p\","
                    "\"msg\":\"#12*\"}", AG_FRAME_FROM_CLIENT);
  g_assert_cmpstr (dtmf->type, ==, "DTMF");
  g_assert_cmpstr (dtmf->msg, ==, "#12*");

  text = decode_ok ("{\"op\":\"call_msg\",\"id\":1,\"channel\":\"c\",\"peer\":\"p\","
                    "\"type\":\"chat\",\"msg\":\"anything at all\"}", AG_FRAME_FROM_CLIENT);
  g_assert_cmpstr (text->type, ==, "chat");
  g_assert_cmpstr (text->msg, ==, "anything at all");

  send = decode_ok ("{\"op\":\"msg_send\",\"id\":1,\"peer\":\"p\",\"msg\":\"m\"}",
                    AG_FRAME_FROM_CLIENT);
  g_assert_false (send->has_ttl);
  g_assert_cmpint (send->ttl, ==, 0);

  /* Unknown fields are ignored, whatever their type and size; key order is free. */
  login = decode_string ("  {\"future\":{\"a\":[1,2,{\"b\":null}]},\"token\":\"t\",\r\n"
                         "\"account\":\"alice\",\"app_id\":\"demo\",\"id\":42,"
                         "\"op\":\"login\",\"x\":1.5e3}\n",
                         AG_FRAME_FROM_CLIENT, &out_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (login);
  g_assert_cmpint (login->op, ==, AG_OP_LOGIN);
  g_assert_cmpint (login->id, ==, 42);
  g_assert_cmpint (out_id, ==, 42);
  g_assert_cmpstr (login->app_id, ==, "demo");
  g_assert_cmpstr (login->account, ==, "alice");
  g_assert_cmpstr (login->token, ==, "t");
  g_assert_null (login->peer);
}

/* Escaping */

static void
test_frame_escaping (void)
{
  /* quote, backslash, slash, controls, DEL, 2- and 4-byte UTF-8, U+2028 */
  static const char msg[] = "q\"b\\s/\x01\n\t\x1f\x7f \xc3\xa9\xf0\x9f\x98\x80\xe2\x80\xa8";
  static const char expected[] =
    "{\"op\":\"msg\",\"account\":\"a\\\"b\",\"uid\":1,"
    "\"msg\":\"q\\\"b\\\\s/\\u0001\\u000a\\u0009\\u001f\x7f \xc3\xa9\xf0\x9f\x98\x80\xe2\x80\xa8\","
    "\"ts\":2}";
  g_autoptr(AgFrame) frame = ag_frame_new (AG_OP_EV_MSG);
  g_autoptr(AgFrame) decoded = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  frame->account = g_strdup ("a\"b");
  frame->uid = 1;
  frame->msg = g_strdup (msg);
  frame->ts = 2;
  text = encode_to_string (frame);
  g_assert_cmpstr (text, ==, expected);

  /* An independent parser reads back the same strings. */
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "msg"), ==, msg);
  g_assert_cmpstr (json_object_get_string_member (object, "account"), ==, "a\"b");

  decoded = decode_ok (text, AG_FRAME_FROM_SERVER);
  g_assert_cmpstr (decoded->msg, ==, msg);
  g_assert_cmpstr (decoded->account, ==, "a\"b");
}

static void
test_frame_escaping_all_controls (void)
{
  char msg[32];
  g_autoptr(AgFrame) frame = ag_frame_new (AG_OP_CHANNEL_SEND);
  g_autoptr(AgFrame) decoded = NULL;
  g_autofree char *text = NULL;

  for (int i = 1; i < 32; i++)
    msg[i - 1] = (char) i;
  msg[31] = '\0';

  frame->id = 1;
  frame->msg = g_strdup (msg);
  text = encode_to_string (frame);

  /* No raw control character survives, each became \u00XX. */
  for (const char *p = text; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
  g_assert_nonnull (strstr (text, "\\u0001\\u0002"));
  g_assert_nonnull (strstr (text, "\\u001e\\u001f"));

  decoded = decode_ok (text, AG_FRAME_FROM_CLIENT);
  g_assert_cmpstr (decoded->msg, ==, msg);
}

static void
test_frame_escaping_unicode_input (void)
{
  g_autoptr(AgFrame) decoded = NULL;
  g_autoptr(AgFrame) repaired = ag_frame_new (AG_OP_EV_MSG);
  g_autofree char *text = NULL;

  /* \u escapes, surrogate pairs and \/ decode to UTF-8 and encode back as raw UTF-8. */
  decoded = decode_ok ("{\"op\":\"channel_send\",\"id\":1,"
                       "\"msg\":\"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\u0041\"}",
                       AG_FRAME_FROM_CLIENT);
  g_assert_cmpstr (decoded->msg, ==, "\xc3\xa9\xf0\x9f\x98\x80/\b\f\n\r\tA");
  text = encode_to_string (decoded);
  g_assert_cmpstr (text, ==, "{\"op\":\"channel_send\",\"id\":1,"
                             "\"msg\":\"\xc3\xa9\xf0\x9f\x98\x80/\\u0008\\u000c\\u000a"
                             "\\u000d\\u0009A\"}");
  g_clear_pointer (&text, g_free);

  /* A frame built with invalid UTF-8 still encodes to valid UTF-8. */
  repaired->account = g_strdup ("a\xff""b");
  repaired->msg = g_strdup ("\xc3");
  text = encode_to_string (repaired);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "\"account\":\"a\xef\xbf\xbd""b\""));
}

/* The obvious byte-at-a-time escaper, to compare the encoder's word-at-a-time one with. */
static char *
reference_escape (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out = g_string_new ("\"");

  if (g_utf8_validate (text, -1, NULL))
    valid = g_strdup (text);
  else
    valid = g_utf8_make_valid (text, -1);

  for (const char *p = valid; *p != '\0'; p++) {
    guchar c = (guchar) *p;

    if (c == '"')
      g_string_append (out, "\\\"");
    else if (c == '\\')
      g_string_append (out, "\\\\");
    else if (c < 0x20)
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_c (out, (char) c);
  }

  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static void
test_frame_escaping_reference (void)
{
  /* Pieces that land at every offset of an 8-byte word, valid UTF-8 split across words, and
   * the kinds of invalid UTF-8 (stray, truncated, surrogate, overlong, past U+10FFFF). */
  static const char * const pieces[] = {
    "a", "Z", " ", "~", "\"", "\\", "\x01", "\x1f", "\n", "\x7f", "\xc3\xa9",
    "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xff", "\xc3", "\x80",
    "\xed\xa0\x80", "\xe0\x80\x80", "\xc1\xbf", "\xf4\x90\x80\x80", "\xf0\x9f\x98",
  };
  GRand *rand = g_rand_new_with_seed (20251125);

  for (guint round = 0; round < 5000; round++) {
    g_autoptr(AgFrame) frame = ag_frame_new (AG_OP_CHANNEL_SEND);
    g_autofree char *escaped = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *text = NULL;
    GString *msg = g_string_new (NULL);
    guint n_pieces = (guint) g_rand_int_range (rand, 0, 40);
    gboolean plain_prefix = g_rand_boolean (rand);

    /* Half the rounds start with a plain run, so that the odd bytes sit after whole words. */
    if (plain_prefix)
      g_string_append_len (msg, "0123456789abcdefghij", g_rand_int_range (rand, 0, 20));

    for (guint i = 0; i < n_pieces; i++)
      g_string_append (msg, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);

    frame->id = 1;
    frame->msg = g_string_free (msg, FALSE);

    escaped = reference_escape (frame->msg);
    expected = g_strdup_printf ("{\"op\":\"channel_send\",\"id\":1,\"msg\":%s}", escaped);
    text = encode_to_string (frame);
    g_assert_cmpstr (text, ==, expected);
  }

  g_rand_free (rand);
}

/* Malformed client frames */

typedef struct {
  const char *data;
  int         code;
  gint64      id;
} BadFrame;

static const BadFrame bad_frames[] = {
  /* Not JSON, not an object */
  { "", 1200, 0 },
  { "   \n", 1200, 0 },
  { "not json", 1200, 0 },
  { "{", 1200, 0 },
  { "}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":}", 1200, 0 },
  { "{\"op\" \"ping\",\"id\":1}", 1200, 0 },
  { "{\"op\":\"ping\" \"id\":1}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1,}", 1200, 0 },
  { "{op:\"ping\",\"id\":1}", 1200, 0 },
  { "{1:\"ping\"}", 1200, 0 },
  { "[]", 1200, 0 },
  { "[{\"op\":\"ping\",\"id\":1}]", 1200, 0 },
  { "42", 1200, 0 },
  { "-1.5e3", 1200, 0 },
  { "\"ping\"", 1200, 0 },
  { "null", 1200, 0 },
  { "true", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1}{}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1} x", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1}]", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":[1}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1]", 1200, 0 },
  /* Extensions of json-glib that JSON does not have */
  { "{'op':'ping','id':1}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":0x1}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":01}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":+1}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":.5}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1.}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1e}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":NaN}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":Infinity}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":tru}", 1200, 0 },
  { "{\"op\":\"ping\",/* c */\"id\":1}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":1}// c", 1200, 0 },
  { "var a = {\"op\":\"ping\",\"id\":1}", 1200, 0 },
  { "\xef\xbb\xbf{\"op\":\"ping\",\"id\":1}", 1200, 0 },
  /* JSON, but strings that JsonParser would truncate (\u0000) or mangle (unpaired
   * surrogates): the field is refused, not the frame. */
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\u0000b\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\ud800b\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\udc00b\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\ud800\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\ud800\\u0041\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"\\udc00\\ud800\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"\\u006dsg\":\"a\\u0000\"}", 1004, 1 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\\u0000\":\"m\"}", 1004, 1 },
  { "{\"op\":\"channel_join\",\"id\":2,\"channel\":\"\\u0000\"}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"b\\ud83d\",\"msg\":\"m\"}", 1004, 3 },
  { "{\"op\":\"login\",\"id\":4,\"app_id\":\"demo\",\"account\":\"mal\\u0000lory\","
    "\"token\":\"t\"}", 209, 4 },
  { "{\"op\":\"login\",\"id\":4,\"app_id\":\"demo\",\"account\":\"\\ud800\","
    "\"token\":\"t\"}", 209, 4 },
  { "{\"op\":\"login\",\"id\":4,\"app_id\":\"de\\u0000mo\",\"account\":\"a\","
    "\"token\":\"t\"}", 1004, 4 },
  { "{\"op\":\"login\",\"id\":4,\"app_id\":\"demo\",\"account\":\"a\","
    "\"token\":\"\\udfff\"}", 1004, 4 },
  { "{\"op\":\"pi\\u0000ng\",\"id\":5}", 1201, 5 },
  /* Bad escapes that JSON does not allow at all */
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\u12\"}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\u12g4\"}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\U0041\"}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\\qb\"}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\tb\"}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\nb\"}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"abc}", 1200, 0 },
  { "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"abc\\", 1200, 0 },
  /* Invalid UTF-8 bytes */
  { "{\"op\":\"msg_send\",\"id\":5,\"peer\":\"b\xffob\",\"msg\":\"x\"}", 1200, 0 },
  { "{\"op\":\"msg_send\",\"id\":5,\"peer\":\"bob\",\"msg\":\"\xc0\xaf\"}", 1200, 0 },
  { "{\"op\":\"msg_send\",\"id\":5,\"peer\":\"bob\",\"msg\":\"\xed\xa0\x80\"}", 1200, 0 },
  { "{\"op\":\"msg_send\",\"id\":5,\"peer\":\"bob\",\"msg\":\"\xe2\x82\"}", 1200, 0 },
  { "{\"op\":\"msg_send\",\"id\":5,\"peer\":\"bob\",\"msg\":\"\xf4\x90\x80\x80\"}", 1200, 0 },
  /* Integers beyond 64 bits, which JsonParser would wrap */
  { "{\"op\":\"ping\",\"id\":9223372036854775808}", 1200, 0 },
  { "{\"op\":\"ping\",\"id\":18446744073709551617}", 1200, 0 },
  { "{\"op\":\"msg_send\",\"id\":5,\"peer\":\"b\",\"msg\":\"m\",\"ttl\":-99999999999999999999}",
    1200, 0 },
  /* op */
  { "{}", 1201, 0 },
  { "{\"id\":3}", 1201, 3 },
  { "{\"op\":\"fly\",\"id\":4}", 1201, 4 },
  { "{\"op\":\"fly\"}", 1201, 0 },
  { "{\"op\":5,\"id\":4}", 1201, 4 },
  { "{\"op\":null,\"id\":4}", 1201, 4 },
  { "{\"op\":[\"ping\"],\"id\":4}", 1201, 4 },
  { "{\"op\":\"PING\",\"id\":4}", 1201, 4 },
  { "{\"op\":\"ok\",\"id\":4}", 1201, 4 },
  { "{\"op\":\"error\",\"id\":4,\"code\":1}", 1201, 4 },
  { "{\"op\":\"channel_msg\",\"id\":4,\"msg\":\"x\"}", 1201, 4 },
  { "{\"op\":\"fly\",\"id\":-4}", 1201, 0 },
  /* id */
  { "{\"op\":\"ping\"}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":0}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":-0}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":-3}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":-9223372036854775808}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":1.5}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":1.0}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":1e2}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":1e300}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":1e999}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":\"5\"}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":true}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":null}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":[5]}", 1004, 0 },
  { "{\"op\":\"ping\",\"id\":{\"id\":5}}", 1004, 0 },
  /* login */
  { "{\"op\":\"login\",\"id\":1,\"account\":\"alice\",\"token\":\"t\"}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":7,\"account\":\"alice\",\"token\":\"t\"}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"\",\"account\":\"alice\",\"token\":\"t\"}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"alice\"}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"alice\",\"token\":1}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"token\":\"t\"}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":12,\"token\":\"t\"}", 1004, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"\",\"token\":\"t\"}", 209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"al ice\",\"token\":\"t\"}",
    209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\" alice\",\"token\":\"t\"}",
    209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"al\\u200bice\",\"token\":\"t\"}",
    209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"al\xe2\x80\x8b""ice\","
    "\"token\":\"t\"}", 209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"al\\u0001ice\",\"token\":\"t\"}",
    209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"al\\u00a0ice\",\"token\":\"t\"}",
    209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"\\u3164\",\"token\":\"t\"}",
    209, 1 },
  { "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"a\\ufeff\",\"token\":\"t\"}",
    209, 1 },
  /* msg_send */
  { "{\"op\":\"msg_send\",\"id\":2,\"msg\":\"m\"}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"b o b\",\"msg\":\"m\"}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\\u200d\",\"msg\":\"m\"}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\"}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":null}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":5}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":{\"t\":\"x\"}}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":-1}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":604801}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":9223372036854775807}",
    1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":\"60\"}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":1.5}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":true}", 1004, 2 },
  { "{\"op\":\"msg_send\",\"id\":2,\"peer\":\"bob\",\"msg\":\"m\",\"ttl\":null}", 1004, 2 },
  /* attributes */
  { "{\"op\":\"user_set_attr\",\"id\":3,\"name\":\"color\"}", 1004, 3 },
  { "{\"op\":\"user_set_attr\",\"id\":3,\"name\":\"color\",\"value\":null}", 1004, 3 },
  { "{\"op\":\"user_set_attr\",\"id\":3,\"name\":\"color\",\"value\":7}", 1004, 3 },
  { "{\"op\":\"user_set_attr\",\"id\":3,\"name\":\"color\",\"value\":false}", 1004, 3 },
  { "{\"op\":\"user_set_attr\",\"id\":3,\"name\":\"\",\"value\":\"v\"}", 1004, 3 },
  { "{\"op\":\"user_set_attr\",\"id\":3,\"name\":\"a\\u007fb\",\"value\":\"v\"}", 1004, 3 },
  { "{\"op\":\"channel_set_attr\",\"id\":3,\"name\":true,\"value\":\"v\"}", 1004, 3 },
  { "{\"op\":\"channel_del_attr\",\"id\":3}", 1004, 3 },
  { "{\"op\":\"user_get_attr\",\"id\":3,\"account\":\"a\",\"name\":[]}", 1004, 3 },
  { "{\"op\":\"user_get_attr_all\",\"id\":3,\"account\":\"\"}", 1004, 3 },
  /* channels */
  { "{\"op\":\"channel_join\",\"id\":4}", 1004, 4 },
  { "{\"op\":\"channel_join\",\"id\":4,\"channel\":\"\"}", 1004, 4 },
  { "{\"op\":\"channel_join\",\"id\":4,\"channel\":\"lob\\u0007by\"}", 1004, 4 },
  { "{\"op\":\"channel_join\",\"id\":4,\"channel\":[\"lobby\"]}", 1004, 4 },
  { "{\"op\":\"channel_join\",\"id\":4,\"channel\":{\"name\":\"lobby\"}}", 1004, 4 },
  { "{\"op\":\"channel_join\",\"id\":4,\"channel\":12}", 1004, 4 },
  { "{\"op\":\"channel_query_num\",\"id\":4,\"channel\":false}", 1004, 4 },
  { "{\"op\":\"channel_is_in\",\"id\":4,\"channel\":\"lobby\"}", 1004, 4 },
  { "{\"op\":\"user_status\",\"id\":4,\"account\":\"a\\tb\"}", 1004, 4 },
  { "{\"op\":\"channel_send\",\"id\":4}", 1004, 4 },
  /* calls */
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"[]\"}",
    1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"\"}", 1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"x\"}", 1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"{\"}", 1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"{}{}\"}",
    1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"\\\"{}\\\"\"}",
    1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":{\"a\":1}}",
    1004, 5 },
  { "{\"op\":\"call_invite\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"extra\":null}", 1004, 5 },
  { "{\"op\":\"call_accept\",\"id\":5,\"channel\":\"c\"}", 1004, 5 },
  { "{\"op\":\"call_end\",\"id\":5,\"peer\":\"p\"}", 1004, 5 },
  { "{\"op\":\"call_msg\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"DTMF\","
    "\"msg\":\"12a\"}", 1004, 5 },
  { "{\"op\":\"call_msg\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"DTMF\","
    "\"msg\":\"\"}", 1004, 5 },
  { "{\"op\":\"call_msg\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"msg\":\"1 2\"}", 1004, 5 },
  { "{\"op\":\"call_msg\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"type\":5,\"msg\":\"1\"}",
    1004, 5 },
  { "{\"op\":\"call_msg\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"\",\"msg\":\"1\"}",
    1004, 5 },
  { "{\"op\":\"call_msg\",\"id\":5,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"DTMF\"}", 1004, 5 },
};

static void
test_frame_malformed (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (bad_frames), >=, 40);

  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    assert_client_rejects (bad_frames[i].data, strlen (bad_frames[i].data),
                           bad_frames[i].code, bad_frames[i].id);

  /* The syntax gate does not depend on the origin. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(AgFrame) frame = NULL;

    if (bad_frames[i].code != 1200)
      continue;

    frame = decode_string (bad_frames[i].data, AG_FRAME_FROM_SERVER, NULL, &error);
    g_assert_null (frame);
    g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED);
  }
}

static void
test_frame_malformed_bytes (void)
{
  static const char ping[] = "{\"op\":\"ping\",\"id\":1}";
  static const char nul_in_string[] = "{\"op\":\"channel_send\",\"id\":1,\"msg\":\"a\0b\"}";
  static const char nul_before_end[] = "{\"op\":\"ping\",\"id\":1}\0}";
  g_autoptr(GError) error = NULL;
  g_autoptr(AgFrame) frame = NULL;

  /* A NUL byte inside the given length is not text. */
  assert_client_rejects (ping, sizeof ping, 1200, 0);
  assert_client_rejects (nul_in_string, sizeof nul_in_string - 1, 1200, 0);
  assert_client_rejects (nul_before_end, sizeof nul_before_end - 1, 1200, 0);

  /* The length is honoured: a valid prefix is a frame, a cut one is not. */
  frame = ag_frame_decode (ping, strlen (ping), AG_FRAME_FROM_CLIENT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (frame);
  assert_client_rejects (ping, strlen (ping) - 1, 1200, 0);
  assert_client_rejects (ping, 0, 1200, 0);
  assert_client_rejects (NULL, 0, 1200, 0);

  /* No error location, no id location: still no crash. */
  g_assert_null (ag_frame_decode ("[", 1, AG_FRAME_FROM_CLIENT, NULL, NULL));
}

static void
test_frame_bad_escapes (void)
{
  static const char * const server_frames[] = {
    "{\"op\":\"msg\",\"account\":\"a\",\"uid\":1,\"msg\":\"x\\u0000y\",\"ts\":1}",
    "{\"op\":\"msg\",\"account\":\"a\",\"uid\":1,\"msg\":\"x\\ud800\",\"ts\":1}",
    "{\"op\":\"ok\",\"id\":1,\"attrs\":{\"k\\u0000\":\"v\"}}",
  };
  g_autoptr(AgFrame) ignored = NULL;
  g_autoptr(AgFrame) swallow = NULL;
  g_autoptr(AgFrame) kept = NULL;

  /* In a field nobody reads they do no harm, and the structure stays the one checked: an
   * unpaired surrogate right before a closing quote does not swallow it. */
  ignored = decode_ok ("{\"op\":\"ping\",\"id\":1,\"x\":[\"\\u0000\",{\"y\":\"\\ud800\"}],"
                       "\"z\\udc00\":1}", AG_FRAME_FROM_CLIENT);
  g_assert_cmpint (ignored->op, ==, AG_OP_PING);

  swallow = decode_ok ("{\"op\":\"channel_send\",\"id\":7,\"x\":\"\\ud800\",\"msg\":\"m\"}",
                       AG_FRAME_FROM_CLIENT);
  g_assert_cmpint (swallow->id, ==, 7);
  g_assert_cmpstr (swallow->msg, ==, "m");

  /* Real surrogate pairs are characters like any other. */
  kept = decode_ok ("{\"op\":\"channel_send\",\"id\":8,\"msg\":\"\\ud83d\\ude00\\udbff\\udfff\"}",
                    AG_FRAME_FROM_CLIENT);
  g_assert_cmpstr (kept->msg, ==, "\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");

  /* The server never sends them: from the server they are malformed. */
  for (guint i = 0; i < G_N_ELEMENTS (server_frames); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(AgFrame) frame = decode_string (server_frames[i], AG_FRAME_FROM_SERVER, NULL,
                                              &error);

    g_assert_null (frame);
    g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED);
  }
}

static void
test_frame_depth (void)
{
  GString *shallow = g_string_new ("{\"op\":\"ping\",\"id\":9,\"x\":");
  GString *deep = g_string_new ("{\"op\":\"ping\",\"id\":9,\"x\":");
  GString *bomb = g_string_new (NULL);
  g_autoptr(AgFrame) frame = NULL;

  /* Nesting the protocol never uses, but within the 32 levels allowed, is ignored like any
   * unknown field. */
  for (int i = 0; i < 15; i++)
    g_string_append (shallow, "[{\"a\":");
  g_string_append (shallow, "1");
  for (int i = 0; i < 15; i++)
    g_string_append (shallow, "}]");
  g_string_append_c (shallow, '}');
  frame = decode_ok (shallow->str, AG_FRAME_FROM_CLIENT);
  g_assert_cmpint (frame->op, ==, AG_OP_PING);

  for (int i = 0; i < 100; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 100; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  assert_client_rejects (deep->str, deep->len, 1200, 0);

  /* A depth bomb that would exhaust the stack of a recursive parser, and its unclosed form. */
  for (int i = 0; i < 200000; i++)
    g_string_append_c (bomb, '[');
  assert_client_rejects (bomb->str, bomb->len, 1200, 0);
  for (int i = 0; i < 200000; i++)
    g_string_append_c (bomb, ']');
  assert_client_rejects (bomb->str, bomb->len, 1200, 0);

  g_string_free (shallow, TRUE);
  g_string_free (deep, TRUE);
  g_string_free (bomb, TRUE);
}

/* Limits at the frame level */

static char *
repeat (const char *unit,
        guint       count)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append (out, unit);

  return g_string_free (out, FALSE);
}

static void
test_frame_limits (void)
{
  g_autofree char *msg_8192 = g_strnfill (8192, 'm');
  g_autofree char *msg_8193 = g_strnfill (8193, 'm');
  g_autofree char *msg_8192_utf8 = NULL;
  g_autofree char *msg_huge = g_strnfill (60000, 'm');
  g_autofree char *value_8096 = repeat ("\xc3\xa9", 8096);
  g_autofree char *value_8097 = repeat ("\xc3\xa9", 8097);
  g_autofree char *name_128 = repeat ("\xe6\x97\xa5", 128);
  g_autofree char *name_129 = repeat ("\xe6\x97\xa5", 129);
  g_autofree char *account_128 = g_strnfill (128, 'a');
  g_autofree char *account_129 = g_strnfill (129, 'a');
  g_autofree char *extra_body = g_strnfill (8192 - 8, 'x');
  g_autofree char *extra_8192 = NULL;
  g_autofree char *extra_8193 = NULL;
  g_autofree char *dtmf_128 = g_strnfill (128, '1');
  g_autofree char *dtmf_129 = g_strnfill (129, '#');
  g_autofree char *text = NULL;

  /* 8192 bytes, counting a 4-byte character at the end as 4 bytes */
  msg_8192_utf8 = g_strconcat (msg_8192 + 4, "\xf0\x9f\x98\x80", NULL);
  g_assert_cmpuint (strlen (msg_8192_utf8), ==, 8192);

  /* messages: 8192 bytes */
  for (guint i = 0; i < 3; i++) {
    const char *prefix[] = {
      "{\"op\":\"msg_send\",\"id\":7,\"peer\":\"bob\",\"msg\":\"",
      "{\"op\":\"channel_send\",\"id\":7,\"msg\":\"",
      ("{\"op\":\"call_msg\",\"id\":7,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"text\","
       "\"msg\":\""),
    };

    g_clear_pointer (&text, g_free);
    text = g_strconcat (prefix[i], msg_8192, "\"}", NULL);
    assert_client_accepts (text);

    g_clear_pointer (&text, g_free);
    text = g_strconcat (prefix[i], msg_8192_utf8, "\"}", NULL);
    assert_client_accepts (text);

    g_clear_pointer (&text, g_free);
    text = g_strconcat (prefix[i], msg_8193, "\"}", NULL);
    assert_client_rejects (text, strlen (text), 1005, 7);

    g_clear_pointer (&text, g_free);
    text = g_strconcat (prefix[i], msg_huge, "\"}", NULL);
    assert_client_rejects (text, strlen (text), 1005, 7);
  }

  /* attribute values: 8096 characters, whatever their bytes */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"user_set_attr\",\"id\":8,\"name\":\"n\",\"value\":\"%s\"}",
                          value_8096);
  assert_client_accepts (text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"channel_set_attr\",\"id\":8,\"name\":\"n\",\"value\":\"%s\"}",
                          value_8097);
  assert_client_rejects (text, strlen (text), 1005, 8);

  /* names: 128 characters */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"channel_join\",\"id\":9,\"channel\":\"%s\"}", name_128);
  assert_client_accepts (text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"channel_join\",\"id\":9,\"channel\":\"%s\"}", name_129);
  assert_client_rejects (text, strlen (text), 1005, 9);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"channel_del_attr\",\"id\":9,\"name\":\"%s\"}", name_129);
  assert_client_rejects (text, strlen (text), 1005, 9);

  /* accounts: 128 characters; 209 at login, 1005 elsewhere */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"login\",\"id\":10,\"app_id\":\"demo\",\"account\":\"%s\","
                          "\"token\":\"t\"}", account_128);
  assert_client_accepts (text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"login\",\"id\":10,\"app_id\":\"demo\",\"account\":\"%s\","
                          "\"token\":\"t\"}", account_129);
  assert_client_rejects (text, strlen (text), 209, 10);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"user_status\",\"id\":10,\"account\":\"%s\"}", account_129);
  assert_client_rejects (text, strlen (text), 1005, 10);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"channel_is_in\",\"id\":10,\"channel\":\"c\","
                          "\"account\":\"%s\"}", account_129);
  assert_client_rejects (text, strlen (text), 1005, 10);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"call_invite\",\"id\":10,\"channel\":\"c\","
                          "\"peer\":\"%s\"}", account_129);
  assert_client_rejects (text, strlen (text), 1005, 10);

  /* extra: 8192 bytes of JSON object text; {"k":"..."} is 8 bytes around the body */
  extra_8192 = g_strdup_printf ("{\\\"k\\\":\\\"%s\\\"}", extra_body);
  extra_8193 = g_strdup_printf ("{\\\"k\\\":\\\"%sx\\\"}", extra_body);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"call_invite\",\"id\":11,\"channel\":\"c\",\"peer\":\"p\","
                          "\"extra\":\"%s\"}", extra_8192);
  assert_client_accepts (text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"call_invite\",\"id\":11,\"channel\":\"c\",\"peer\":\"p\","
                          "\"extra\":\"%s\"}", extra_8193);
  assert_client_rejects (text, strlen (text), 1005, 11);

  /* ttl: 0 to 604800 */
  assert_client_accepts ("{\"op\":\"msg_send\",\"id\":1,\"peer\":\"b\",\"msg\":\"m\",\"ttl\":0}");
  assert_client_accepts ("{\"op\":\"msg_send\",\"id\":1,\"peer\":\"b\",\"msg\":\"m\","
                         "\"ttl\":604800}");

  /* DTMF: 1 to 128 digits */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"call_msg\",\"id\":12,\"channel\":\"c\",\"peer\":\"p\","
                          "\"msg\":\"%s\"}", dtmf_128);
  assert_client_accepts (text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"call_msg\",\"id\":12,\"channel\":\"c\",\"peer\":\"p\","
                          "\"type\":\"DTMF\",\"msg\":\"%s\"}", dtmf_129);
  assert_client_rejects (text, strlen (text), 1004, 12);

  /* Large unknown fields do not matter. */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"op\":\"ping\",\"id\":13,\"padding\":\"%s\"}", msg_huge);
  assert_client_accepts (text);
}

/* Frames from the server */

static void
test_frame_server_lenient (void)
{
  g_autoptr(AgFrame) ok = NULL;
  g_autoptr(AgFrame) join = NULL;
  g_autoptr(AgFrame) error_frame = NULL;
  g_autoptr(AgFrame) event = NULL;
  g_autoptr(AgFrame) call = NULL;
  g_autoptr(GError) error = NULL;
  gint64 out_id = -1;
  AgFrameMember *member;

  /* Missing fields stay unset; unknown ones are ignored. */
  ok = decode_string ("{\"op\":\"ok\",\"id\":5,\"new_field\":[1,2],\"value\":null}",
                      AG_FRAME_FROM_SERVER, &out_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out_id, ==, 5);
  g_assert_cmpint (ok->op, ==, AG_OP_OK);
  g_assert_true (ok->has_value);
  g_assert_null (ok->value);
  g_assert_false (ok->has_uid);
  g_assert_false (ok->has_num);
  g_assert_null (ok->members);
  g_assert_null (ok->attrs);

  join = decode_ok ("{\"op\":\"ok\",\"id\":11,\"channel\":\"lobby\",\"num\":3,"
                    "\"members\":[{\"account\":\"carol\",\"uid\":3},{\"account\":\"bob\"}],"
                    "\"attrs\":{\"topic\":\"news\",\"gone\":null}}", AG_FRAME_FROM_SERVER);
  g_assert_cmpint (join->num, ==, 3);
  g_assert_true (join->has_num);
  g_assert_cmpuint (join->members->len, ==, 2);
  member = g_ptr_array_index (join->members, 0);
  g_assert_cmpstr (member->account, ==, "carol");
  g_assert_cmpuint (member->uid, ==, 3);
  member = g_ptr_array_index (join->members, 1);
  g_assert_cmpstr (member->account, ==, "bob");
  g_assert_cmpuint (member->uid, ==, 0);
  g_assert_cmpuint (g_hash_table_size (join->attrs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (join->attrs, "topic"), ==, "news");

  error_frame = decode_ok ("{\"op\":\"error\",\"code\":1200}", AG_FRAME_FROM_SERVER);
  g_assert_cmpint (error_frame->id, ==, 0);
  g_assert_cmpint (error_frame->code, ==, 1200);
  g_assert_null (error_frame->reason);

  /* Events have no id, even if one is sent; limits are the server's business. */
  event = decode_ok ("{\"op\":\"logout\",\"id\":\"x\",\"code\":105}", AG_FRAME_FROM_SERVER);
  g_assert_cmpint (event->op, ==, AG_OP_EV_LOGOUT);
  g_assert_cmpint (event->id, ==, 0);
  g_assert_cmpint (event->code, ==, 105);

  call = decode_ok ("{\"op\":\"call_incoming\",\"channel\":\"room\",\"peer\":\"alice\"}",
                    AG_FRAME_FROM_SERVER);
  g_assert_cmpstr (call->extra, ==, "{}");
  g_assert_false (call->has_uid);
}

static void
test_frame_server_type_errors (void)
{
  static const char * const wrong[] = {
    "{\"op\":\"ok\",\"id\":\"5\"}",
    "{\"op\":\"ok\",\"id\":-1}",
    "{\"op\":\"ok\",\"id\":1.5}",
    "{\"op\":\"ok\",\"id\":1,\"uid\":\"1\"}",
    "{\"op\":\"ok\",\"id\":1,\"uid\":-1}",
    "{\"op\":\"ok\",\"id\":1,\"uid\":4294967296}",
    "{\"op\":\"ok\",\"id\":1,\"num\":3.5}",
    "{\"op\":\"ok\",\"id\":1,\"ts\":true}",
    "{\"op\":\"ok\",\"id\":1,\"stored\":1}",
    "{\"op\":\"ok\",\"id\":1,\"online\":\"true\"}",
    "{\"op\":\"ok\",\"id\":1,\"in\":0}",
    "{\"op\":\"ok\",\"id\":1,\"account\":5}",
    "{\"op\":\"ok\",\"id\":1,\"value\":5}",
    "{\"op\":\"ok\",\"id\":1,\"members\":{}}",
    "{\"op\":\"ok\",\"id\":1,\"members\":[\"bob\"]}",
    "{\"op\":\"ok\",\"id\":1,\"members\":[{\"uid\":2}]}",
    "{\"op\":\"ok\",\"id\":1,\"members\":[{\"account\":\"b\",\"uid\":\"2\"}]}",
    "{\"op\":\"ok\",\"id\":1,\"members\":[{\"account\":\"b\",\"uid\":-2}]}",
    "{\"op\":\"ok\",\"id\":1,\"attrs\":[]}",
    "{\"op\":\"ok\",\"id\":1,\"attrs\":{\"a\":1}}",
    "{\"op\":\"error\",\"id\":1,\"code\":\"1200\"}",
    "{\"op\":\"error\",\"id\":1,\"code\":4294967296}",
    "{\"op\":\"error\",\"id\":1,\"code\":1200,\"reason\":false}",
    "{\"op\":\"msg\",\"account\":\"a\",\"uid\":1,\"msg\":[],\"ts\":1}",
    "{\"op\":\"channel_user_left\",\"channel\":\"c\",\"account\":\"a\",\"code\":\"602\"}",
    "{\"op\":\"call_incoming\",\"channel\":\"c\",\"peer\":\"p\",\"extra\":{}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(AgFrame) frame = decode_string (wrong[i], AG_FRAME_FROM_SERVER, NULL, &error);

    g_test_message ("frame %s", wrong[i]);
    g_assert_null (frame);
    g_assert_error (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AgFrame) frame = NULL;

    frame = decode_string ("{\"op\":\"ping\",\"id\":1}", AG_FRAME_FROM_SERVER, NULL, &error);
    g_assert_null (frame);
    g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP);
  }
}

/* Checks */

static void
test_check_account (void)
{
  static const char * const valid[] = {
    "alice", "a", "Alice_01", "a.b-c@d+e", "\303\274nic\303\266de", "\xe6\x97\xa5\xe6\x9c\xac",
    "\xf0\x9f\x99\x82", "_agora_system", "1:2:3", "a/b\\c\"d",
  };
  static const char * const invalid[] = {
    "", " ", "a b", " a", "a ", "a\tb", "a\nb", "a\rb",
    "a\xc2\xa0""b",                  /* NO-BREAK SPACE */
    "a\xe3\x80\x80""b",              /* IDEOGRAPHIC SPACE */
    "a\xe2\x80\x8b""b",              /* ZERO WIDTH SPACE */
    "a\xe2\x80\x8c""b",              /* ZERO WIDTH NON-JOINER */
    "a\xe2\x80\x8d""b",              /* ZERO WIDTH JOINER */
    "a\xe2\x81\xa0""b",              /* WORD JOINER */
    "a\xef\xbb\xbf""b",              /* ZERO WIDTH NO-BREAK SPACE */
    "a\xc2\xad""b",                  /* SOFT HYPHEN */
    "a\xe2\x80\xae""b",              /* RIGHT-TO-LEFT OVERRIDE */
    "a\xe2\x80\xa8""b",              /* LINE SEPARATOR */
    "a\xe2\x80\xa9""b",              /* PARAGRAPH SEPARATOR */
    "\xe3\x85\xa4",                  /* HANGUL FILLER */
    "\xe2\xa0\x80",                  /* BRAILLE PATTERN BLANK */
    "a\xef\xb8\x8f",                 /* VARIATION SELECTOR-16 */
    "a\xf3\xa0\x81\x81",             /* TAG LATIN CAPITAL LETTER A */
    "a\x01""b", "a\x7f""b", "a\xc2\x85""b",
    "a\xef\xbf\xbf",                 /* noncharacter U+FFFF */
    "a\xcd\xb8",                     /* unassigned U+0378 */
    "a\xff", "\xc0\xaf", "\xed\xa0\x80",
  };
  g_autofree char *max = g_strnfill (128, 'x');
  g_autofree char *over = g_strnfill (129, 'x');
  g_autofree char *max_utf8 = repeat ("\xc3\xa9", 128);
  g_autofree char *over_utf8 = repeat ("\xc3\xa9", 129);

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
    g_test_message ("valid account %s", valid[i]);
    g_assert_cmpint (ag_check_account (valid[i]), ==, AG_ERROR_SUCCESS);
  }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_test_message ("invalid account %u", i);
    g_assert_cmpint (ag_check_account (invalid[i]), ==, AG_ERROR_LOGIN_E_INVALID_USER);
  }

  g_assert_cmpint (ag_check_account (NULL), ==, AG_ERROR_LOGIN_E_INVALID_USER);
  g_assert_cmpint (ag_check_account (max), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_account (max_utf8), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_account (over), ==, AG_ERROR_LOGIN_E_INVALID_USER);
  g_assert_cmpint (ag_check_account (over_utf8), ==, AG_ERROR_LOGIN_E_INVALID_USER);
}

static void
test_account_problem (void)
{
  g_autofree char *long_account = g_strnfill (200, 'a');
  gunichar c;
  glong position;

  g_assert_cmpint (ag_account_find_problem ("alice", &c, &position), ==, AG_ACCOUNT_PROBLEM_NONE);
  g_assert_cmpint (ag_account_find_problem (NULL, NULL, NULL), ==, AG_ACCOUNT_PROBLEM_EMPTY);
  g_assert_cmpint (ag_account_find_problem ("", NULL, NULL), ==, AG_ACCOUNT_PROBLEM_EMPTY);
  g_assert_cmpint (ag_account_find_problem ("a\xff", NULL, NULL), ==, AG_ACCOUNT_PROBLEM_NOT_UTF8);

  g_assert_cmpint (ag_account_find_problem ("an na", &c, &position), ==, AG_ACCOUNT_PROBLEM_SPACE);
  g_assert_cmpuint (c, ==, ' ');
  g_assert_cmpint (position, ==, 3);
  g_assert_cmpint (ag_account_find_problem ("a\tb", &c, NULL), ==, AG_ACCOUNT_PROBLEM_SPACE);
  g_assert_cmpint (ag_account_find_problem ("a\xc2\xa0""b", &c, NULL), ==, AG_ACCOUNT_PROBLEM_SPACE);
  g_assert_cmpuint (c, ==, 0xA0);

  /* "é" counts as one character: the zero width space is the third. */
  g_assert_cmpint (ag_account_find_problem ("\xc3\xa9""a\xe2\x80\x8b""b", &c, &position), ==,
                   AG_ACCOUNT_PROBLEM_INVISIBLE);
  g_assert_cmpuint (c, ==, 0x200B);
  g_assert_cmpint (position, ==, 3);
  g_assert_cmpint (ag_account_find_problem ("a\x01", &c, &position), ==, AG_ACCOUNT_PROBLEM_INVISIBLE);

  g_assert_cmpint (ag_account_find_problem (long_account, &c, &position), ==, AG_ACCOUNT_PROBLEM_TOO_LONG);
  g_assert_cmpint (position, ==, 200);
  g_assert_cmpuint (c, ==, 0);
}

static void
test_check_name (void)
{
  g_autofree char *max = repeat ("\xf0\x9f\x99\x82", 128);
  g_autofree char *over = repeat ("\xf0\x9f\x99\x82", 129);

  g_assert_cmpint (ag_check_name ("lobby"), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_name ("the lobby"), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_name (" "), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_name ("_userNotification"), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_name ("a\xe2\x80\x8b""b"), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_name (max), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_name (over), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);
  g_assert_cmpint (ag_check_name (NULL), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_name (""), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_name ("a\tb"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_name ("a\nb"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_name ("a\x7f"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_name ("a\xc2\x9f"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_name ("a\xff"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
}

static void
test_check_msg_and_value (void)
{
  g_autofree char *msg_max = g_strnfill (AG_LIMIT_MSG_BYTES, 'm');
  g_autofree char *msg_over = g_strnfill (AG_LIMIT_MSG_BYTES + 1, 'm');
  g_autofree char *value_max = repeat ("\xf0\x9f\x99\x82", AG_LIMIT_ATTR_VALUE_CHARS);
  g_autofree char *value_over = repeat ("\xf0\x9f\x99\x82", AG_LIMIT_ATTR_VALUE_CHARS + 1);
  g_autofree char *value_over_ascii = g_strnfill (AG_LIMIT_ATTR_VALUE_CHARS + 1, 'v');
  g_autofree char *value_huge = g_strnfill (1 << 20, 'v');

  g_assert_cmpint (ag_check_msg (""), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_msg (msg_max), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_msg (msg_over), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);
  g_assert_cmpint (ag_check_msg (NULL), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_msg ("a\xff"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);

  g_assert_cmpint (ag_check_attr_value (""), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_attr_value (value_max), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_attr_value (value_over), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);
  g_assert_cmpint (ag_check_attr_value (value_over_ascii), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);
  g_assert_cmpint (ag_check_attr_value (value_huge), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);
  g_assert_cmpint (ag_check_attr_value (NULL), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_attr_value ("\xc3"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
}

static void
test_check_extra (void)
{
  static const char * const valid[] = {
    "{}", " {} ", "{\"_timeout\":30}", "{\"_require_peer_online\":1,\"a\":[1,{\"b\":null}]}",
    "\n{\"s\":\"\\u00e9\\\"\"}\t",
  };
  static const char * const invalid[] = {
    "", " ", "[]", "1", "\"{}\"", "null", "true", "{", "}", "{}{}", "{} []", "{'a':1}",
    "{\"a\":1,}", "{a:1}", "{\"a\":01}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\xff\"}", "{/**/}",
  };
  g_autofree char *deep = NULL;
  g_autofree char *body = g_strnfill (AG_LIMIT_EXTRA_BYTES - 8, 'x');
  g_autofree char *max = g_strdup_printf ("{\"k\":\"%s\"}", body);
  g_autofree char *over = g_strdup_printf ("{\"k\":\"%sx\"}", body);
  g_autofree char *opening = g_strnfill (64, '[');
  g_autofree char *closing = g_strnfill (64, ']');

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_cmpint (ag_check_extra (valid[i]), ==, AG_ERROR_SUCCESS);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    /* Escaped: some cases are not UTF-8, which a TAP reader refuses. */
    g_autofree char *shown = g_strescape (invalid[i], NULL);

    g_test_message ("extra %s", shown);
    g_assert_cmpint (ag_check_extra (invalid[i]), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  }

  g_assert_cmpint (ag_check_extra (NULL), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpuint (strlen (max), ==, AG_LIMIT_EXTRA_BYTES);
  g_assert_cmpint (ag_check_extra (max), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_extra (over), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);

  deep = g_strdup_printf ("{\"a\":%s%s}", opening, closing);
  g_assert_cmpint (ag_check_extra (deep), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
}

static void
test_check_dtmf (void)
{
  g_autofree char *max = g_strnfill (128, '*');
  g_autofree char *over = g_strnfill (129, '*');

  g_assert_cmpint (ag_check_dtmf ("0123456789*#"), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_dtmf ("5"), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_dtmf (max), ==, AG_ERROR_SUCCESS);
  g_assert_cmpint (ag_check_dtmf (over), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_dtmf (NULL), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_dtmf (""), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_dtmf ("1 2"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_dtmf ("A"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_dtmf ("1+"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
  g_assert_cmpint (ag_check_dtmf ("\xef\xbc\x91"), ==, AG_ERROR_GENERAL_E_WRONG_PARAM);
}

/* Special-channel events */

static void
test_system_event_types (void)
{
  g_autofree char *online = NULL;
  g_autofree char *offline = NULL;
  g_autofree char *join = NULL;
  g_autofree char *leave = NULL;

  /* Fields that do not belong to a type are not written, whatever they hold. */
  online = ag_system_event_to_json (&(AgSystemEvent) {
    .type = AG_SYSTEM_EVENT_ONLINE, .channel = "lobby", .account = "bob", .uid = 2,
    .num = 9, .code = 101, .ts = 1764099000123,
  });
  g_assert_cmpstr (online, ==, "{\"type\":\"online\",\"account\":\"bob\",\"uid\":2,"
                               "\"ts\":1764099000123}");

  offline = ag_system_event_to_json (&(AgSystemEvent) {
    .type = AG_SYSTEM_EVENT_OFFLINE, .account = "bob", .uid = 2, .code = 101,
    .ts = 1764099000456,
  });
  g_assert_cmpstr (offline, ==, "{\"type\":\"offline\",\"account\":\"bob\",\"uid\":2,"
                                "\"code\":101,\"ts\":1764099000456}");

  join = ag_system_event_to_json (&(AgSystemEvent) {
    .type = AG_SYSTEM_EVENT_JOIN, .channel = "lobby", .account = "bob", .uid = 2, .num = 4,
    .code = 602, .ts = 1764099000789,
  });
  g_assert_cmpstr (join, ==, "{\"type\":\"join\",\"channel\":\"lobby\",\"account\":\"bob\","
                             "\"uid\":2,\"num\":4,\"ts\":1764099000789}");

  leave = ag_system_event_to_json (&(AgSystemEvent) {
    .type = AG_SYSTEM_EVENT_LEAVE, .channel = "lobby", .account = "bob", .uid = G_MAXUINT32,
    .num = 0, .code = 602, .ts = 1764099000999,
  });
  g_assert_cmpstr (leave, ==, "{\"type\":\"leave\",\"channel\":\"lobby\",\"account\":\"bob\","
                              "\"uid\":4294967295,\"num\":0,\"code\":602,"
                              "\"ts\":1764099000999}");
}

static void
test_system_event_escaping (void)
{
  static const char channel[] = "q\"b\\s\x01\x1f \xc3\xa9";
  static const char account[] = "\xe2\x80\xa8" "a\"";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  text = ag_system_event_to_json (&(AgSystemEvent) {
    .type = AG_SYSTEM_EVENT_LEAVE, .channel = channel, .account = account, .uid = 7,
    .num = 1, .code = 604, .ts = 5,
  });
  g_assert_cmpstr (text, ==, "{\"type\":\"leave\","
                             "\"channel\":\"q\\\"b\\\\s\\u0001\\u001f \xc3\xa9\","
                             "\"account\":\"\xe2\x80\xa8" "a\\\"\",\"uid\":7,\"num\":1,"
                             "\"code\":604,\"ts\":5}");

  /* An independent parser reads back the same strings. */
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "channel"), ==, channel);
  g_assert_cmpstr (json_object_get_string_member (object, "account"), ==, account);
  g_assert_cmpint (json_object_get_int_member (object, "code"), ==, 604);
}

/* Frame values */

static void
test_frame_members_attrs (void)
{
  g_autoptr(AgFrame) a = ag_frame_new_ok (1);
  g_autoptr(AgFrame) b = ag_frame_new_ok (1);
  AgFrameMember *member;

  g_assert_true (ag_frame_equal (a, b));
  g_assert_true (ag_frame_equal (NULL, NULL));
  g_assert_false (ag_frame_equal (a, NULL));

  ag_frame_add_member (a, "carol", 3);
  ag_frame_add_member (a, "bob", 2);
  g_assert_cmpuint (a->members->len, ==, 2);
  member = g_ptr_array_index (a->members, 1);
  g_assert_cmpstr (member->account, ==, "bob");
  g_assert_cmpuint (member->uid, ==, 2);
  g_assert_false (ag_frame_equal (a, b));

  /* Order matters in a roster. */
  ag_frame_add_member (b, "bob", 2);
  ag_frame_add_member (b, "carol", 3);
  g_assert_false (ag_frame_equal (a, b));
  g_clear_pointer (&b->members, g_ptr_array_unref);
  ag_frame_add_member (b, "carol", 3);
  ag_frame_add_member (b, "bob", 2);
  g_assert_true (ag_frame_equal (a, b));

  ag_frame_set_attr (a, "topic", "news");
  ag_frame_set_attr (a, "topic", "sports");
  ag_frame_set_attr (a, "mood", "calm");
  g_assert_cmpuint (g_hash_table_size (a->attrs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (a->attrs, "topic"), ==, "sports");
  ag_frame_set_attr (b, "mood", "calm");
  g_assert_false (ag_frame_equal (a, b));
  ag_frame_set_attr (b, "topic", "news");
  g_assert_false (ag_frame_equal (a, b));
  ag_frame_set_attr (b, "topic", "sports");
  g_assert_true (ag_frame_equal (a, b));

  ag_frame_set_attr (a, "mood", NULL);
  g_assert_cmpuint (g_hash_table_size (a->attrs), ==, 1);
  g_assert_false (ag_frame_equal (a, b));

  b->has_num = TRUE;
  ag_frame_set_attr (b, "mood", NULL);
  g_assert_false (ag_frame_equal (a, b));
  a->has_num = TRUE;
  g_assert_true (ag_frame_equal (a, b));
  a->stored = TRUE;
  g_assert_false (ag_frame_equal (a, b));

  ag_frame_free (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/frame/ops", test_frame_ops);
  g_test_add_func ("/ag/frame/round-trip", test_frame_round_trip);
  g_test_add_func ("/ag/frame/encode-defaults", test_frame_encode_defaults);
  g_test_add_func ("/ag/frame/decode-defaults", test_frame_decode_defaults);
  g_test_add_func ("/ag/frame/escaping", test_frame_escaping);
  g_test_add_func ("/ag/frame/escaping-all-controls", test_frame_escaping_all_controls);
  g_test_add_func ("/ag/frame/escaping-unicode-input", test_frame_escaping_unicode_input);
  g_test_add_func ("/ag/frame/escaping-reference", test_frame_escaping_reference);
  g_test_add_func ("/ag/frame/malformed", test_frame_malformed);
  g_test_add_func ("/ag/frame/malformed-bytes", test_frame_malformed_bytes);
  g_test_add_func ("/ag/frame/bad-escapes", test_frame_bad_escapes);
  g_test_add_func ("/ag/frame/depth", test_frame_depth);
  g_test_add_func ("/ag/frame/limits", test_frame_limits);
  g_test_add_func ("/ag/frame/server-lenient", test_frame_server_lenient);
  g_test_add_func ("/ag/frame/server-type-errors", test_frame_server_type_errors);
  g_test_add_func ("/ag/frame/members-attrs", test_frame_members_attrs);
  g_test_add_func ("/ag/frame/check-account", test_check_account);
  g_test_add_func ("/ag/frame/account-problem", test_account_problem);
  g_test_add_func ("/ag/frame/check-name", test_check_name);
  g_test_add_func ("/ag/frame/check-msg-and-value", test_check_msg_and_value);
  g_test_add_func ("/ag/frame/check-extra", test_check_extra);
  g_test_add_func ("/ag/frame/check-dtmf", test_check_dtmf);
  g_test_add_func ("/ag/frame/system-event-types", test_system_event_types);
  g_test_add_func ("/ag/frame/system-event-escaping", test_system_event_escaping);

  return g_test_run ();
}
