/* test-bad-input.c: malformed and hostile frames against a real agsignald
 *
 * One server serves the whole table. Each entry is sent by a hostile client (anonymous,
 * logged in, or hand-framing its own WebSocket) and must get exactly the expected reply, or
 * the expected close. After every entry a well-behaved sender in the same app messages a
 * well-behaved receiver, which must get the message promptly, and the process must still
 * be running.
 */

#include <string.h>
#include <sys/wait.h>

#include "ag-test-client.h"
#include "ag-test-raw-websocket.h"
#include "ag-test-server.h"
#include "ag-token.h"

#define PROMPT_MS        5000
#define FLOOD_FRAMES     500
#define HOSTILE_ACCOUNT  "hostile"

/* The well-behaved sender sends one message per entry, in quick succession: its app allows
 * twice the default rate, which the flood still exceeds four times over. */
#define ARENA_APP        "arena"
#define ARENA_RATE       120
#define ARENA_CONFIG \
  "[app:" ARENA_APP "]\n" \
  "allow_no_token=true\n" \
  "user_msg_rate=120\n"

typedef enum {
  ANONYMOUS,     /* a connection that never logged in */
  LOGGED_IN,     /* logged in as "hostile" */
  RAW,           /* a fresh hand-framed connection, not logged in */
} Sender;

typedef enum {
  SEND_TEXT,
  SEND_BINARY,
} FrameType;

typedef struct {
  const char  *name;
  Sender       sender;
  FrameType    type;
  const char  *text;                      /* sent as is... */
  char      *(*make) (void);              /* ...or built */
  void       (*send_raw) (AgTestRawWebsocket *ws);
  int          code;                      /* expected reply: 0 "ok", else the error code */
  gint64       id;                        /* expected reply id */
  int          close_status;              /* not 0: a close with this status instead */
} BadInput;

static struct {
  AgTestServer *server;
  AgTestClient *receiver;
  AgTestClient *sender;
  AgTestClient *anonymous;
  gint64        anonymous_since;  /* monotonic: the server closes it 10 s after this */
  AgTestClient *hostile;
  guint         checks;
} state;

/* Builders */

static char *
repeat (char  c,
        gsize n)
{
  char *text = g_malloc (n + 1);

  memset (text, c, n);
  text[n] = '\0';

  return text;
}

static char *
make_long_account (void)
{
  g_autofree char *account = repeat ('a', 129);

  return g_strdup_printf ("{\"op\":\"login\",\"id\":40,\"app_id\":\"demo\",\"account\":\"%s\","
                          "\"token\":\"_no_need_token\"}", account);
}

static char *
make_expired_token (void)
{
  g_autofree char *token = ag_token_make ("mallory", "demo", "demo-certificate",
                                          g_get_real_time () / G_USEC_PER_SEC - 60);

  return g_strdup_printf ("{\"op\":\"login\",\"id\":41,\"app_id\":\"demo\",\"account\":\"mallory\","
                          "\"token\":\"%s\"}", token);
}

static char *
make_other_app_token (void)
{
  g_autofree char *token = ag_token_make ("mallory", "other", "demo-certificate",
                                          g_get_real_time () / G_USEC_PER_SEC + 3600);

  return g_strdup_printf ("{\"op\":\"login\",\"id\":42,\"app_id\":\"demo\",\"account\":\"mallory\","
                          "\"token\":\"%s\"}", token);
}

static char *
make_other_account_token (void)
{
  g_autofree char *token = ag_token_make ("alice", "demo", "demo-certificate",
                                          g_get_real_time () / G_USEC_PER_SEC + 3600);

  return g_strdup_printf ("{\"op\":\"login\",\"id\":43,\"app_id\":\"demo\",\"account\":\"mallory\","
                          "\"token\":\"%s\"}", token);
}

static char *
make_nested (guint levels,
             gint64 id)
{
  g_autofree char *open = repeat ('[', levels);
  g_autofree char *close = repeat (']', levels);

  return g_strdup_printf ("{\"op\":\"ping\",\"id\":%" G_GINT64_FORMAT ",\"x\":%s%s}",
                          id, open, close);
}

static char *
make_nested_40 (void)
{
  return make_nested (40, 44);
}

static char *
make_nested_32000 (void)
{
  return make_nested (32000, 45);
}

static char *
make_big_unknown_field (void)
{
  g_autofree char *pad = repeat ('x', 60000);

  return g_strdup_printf ("{\"op\":\"ping\",\"id\":46,\"pad\":\"%s\"}", pad);
}

static char *
make_many_keys (void)
{
  GString *text = g_string_new ("{\"op\":\"ping\",\"id\":47");

  while (text->len < 60000)
    g_string_append_printf (text, ",\"k%u\":0", (guint) text->len);
  g_string_append_c (text, '}');

  return g_string_free (text, FALSE);
}

static char *
make_msg_8193 (void)
{
  g_autofree char *msg = repeat ('m', 8193);

  return g_strdup_printf ("{\"op\":\"msg_send\",\"id\":60,\"peer\":\"receiver\",\"msg\":\"%s\"}",
                          msg);
}

static char *
make_msg_8192 (void)
{
  g_autofree char *msg = repeat ('m', 8192);

  return g_strdup_printf ("{\"op\":\"msg_send\",\"id\":61,\"peer\":\"receiver\",\"msg\":\"%s\"}",
                          msg);
}

static char *
make_msg_multibyte_8193 (void)
{
  /* 2,731 three-byte characters: 8,193 bytes, though only 2,731 characters. */
  GString *msg = g_string_new (NULL);

  for (guint i = 0; i < 2731; i++)
    g_string_append (msg, "€");
  g_assert_cmpuint (msg->len, ==, 8193);

  g_autofree char *text = g_string_free (msg, FALSE);

  return g_strdup_printf ("{\"op\":\"msg_send\",\"id\":62,\"peer\":\"receiver\",\"msg\":\"%s\"}",
                          text);
}

static char *
make_long_peer (void)
{
  g_autofree char *peer = repeat ('p', 129);

  return g_strdup_printf ("{\"op\":\"msg_send\",\"id\":63,\"peer\":\"%s\",\"msg\":\"x\"}", peer);
}

static char *
make_long_channel (void)
{
  g_autofree char *channel = repeat ('c', 129);

  return g_strdup_printf ("{\"op\":\"channel_join\",\"id\":70,\"channel\":\"%s\"}", channel);
}

static char *
make_long_attr_value (void)
{
  g_autofree char *value = repeat ('v', 8097);

  return g_strdup_printf ("{\"op\":\"user_set_attr\",\"id\":80,\"name\":\"n\",\"value\":\"%s\"}",
                          value);
}

static char *
make_long_extra (void)
{
  g_autofree char *pad = repeat ('e', 8200);

  return g_strdup_printf ("{\"op\":\"call_invite\",\"id\":91,\"channel\":\"c\","
                          "\"peer\":\"receiver\","
                          "\"extra\":\"{\\\"pad\\\":\\\"%s\\\"}\"}", pad);
}

static char *
make_oversized_frame (void)
{
  g_autofree char *pad = repeat ('x', 65537 - strlen ("{\"op\":\"ping\",\"id\":99,\"pad\":\"\"}"));

  return g_strdup_printf ("{\"op\":\"ping\",\"id\":99,\"pad\":\"%s\"}", pad);
}

/* Hand-framed senders */

static void
send_raw_frame (AgTestRawWebsocket *ws,
                guint8              first_byte,
                gboolean            masked,
                gconstpointer       payload,
                gsize               length)
{
  g_autoptr(GError) error = NULL;

  /* The server may close while a large frame is still being written. */
  if (!ag_test_raw_websocket_send_frame (ws, first_byte, masked, payload, length, &error))
    g_test_message ("send: %s", error->message);
}

/* Bytes as they go on the wire, for headers send_raw_frame would not write. */
static void
send_raw_bytes (AgTestRawWebsocket *ws,
                const guint8       *bytes,
                gsize               length)
{
  GSocket *socket = ag_test_raw_websocket_get_socket (ws);

  while (length > 0) {
    g_autoptr(GError) error = NULL;
    gssize n = g_socket_send (socket, (const char *) bytes, length, NULL, &error);

    if (n < 0) {
      g_test_message ("send: %s", error->message);
      return;
    }
    bytes += n;
    length -= n;
  }
}

/* A masked frame header (with a zero mask key, so the payload goes as it is) carrying
 * length in the 16-bit (126) or 64-bit (127) field whatever its size. */
static gsize
raw_header (guint8  *header,
            guint8   first_byte,
            guint8   length_code,
            guint64  length)
{
  gsize n = 2;

  header[0] = first_byte;
  header[1] = 0x80 | length_code;
  if (length_code == 126) {
    header[n++] = length >> 8;
    header[n++] = length & 0xff;
  } else if (length_code == 127) {
    for (int i = 7; i >= 0; i--)
      header[n++] = (length >> (8 * i)) & 0xff;
  }
  memset (header + n, 0, 4);

  return n + 4;
}

/* The header, then length bytes of payload (none: the server must not wait for them). */
static void
send_raw_header (AgTestRawWebsocket *ws,
                 guint8              first_byte,
                 guint8              length_code,
                 guint64             length,
                 gsize               payload_length)
{
  g_autofree guint8 *frame = g_malloc (14 + payload_length);
  gsize header_length = raw_header (frame, first_byte, length_code, length);

  memset (frame + header_length, 'x', payload_length);
  send_raw_bytes (ws, frame, header_length + payload_length);
}

static void
raw_length_126_for_5 (AgTestRawWebsocket *ws)
{
  send_raw_header (ws, 0x81, 126, 5, 5);
}

static void
raw_length_127_for_200 (AgTestRawWebsocket *ws)
{
  send_raw_header (ws, 0x81, 127, 200, 200);
}

static void
raw_length_top_bit (AgTestRawWebsocket *ws)
{
  send_raw_header (ws, 0x81, 127, G_GUINT64_CONSTANT (0x8000000000000005), 5);
}

static void
raw_length_2_40 (AgTestRawWebsocket *ws)
{
  send_raw_header (ws, 0x81, 127, G_GUINT64_CONSTANT (1) << 40, 0);
}

static void
raw_length_70000 (AgTestRawWebsocket *ws)
{
  send_raw_header (ws, 0x81, 127, 70000, 0);
}

/* Each frame is under the limit, the message would not be: refused at the second header. */
static void
raw_continuation_over_limit (AgTestRawWebsocket *ws)
{
  send_raw_header (ws, AG_TEST_WS_TEXT, 126, 60000, 60000);
  send_raw_header (ws, 0x80 | AG_TEST_WS_CONTINUATION, 126, 10000, 0);
}

/* Exactly the limit, in a minimal 64-bit length: accepted. */
static void
raw_frame_at_limit (AgTestRawWebsocket *ws)
{
  static const char head[] = "{\"op\":\"ping\",\"id\":303,\"pad\":\"";
  g_autofree char *text = g_malloc (65536);

  memset (text, 'x', 65536);
  memcpy (text, head, strlen (head));
  memcpy (text + 65536 - 2, "\"}", 2);
  send_raw_frame (ws, 0x81, TRUE, text, 65536);
}

static void
raw_invalid_utf8 (AgTestRawWebsocket *ws)
{
  static const char text[] = "{\"op\":\"ping\",\"id\":1,\"x\":\"\xc3\x28\xff\"}";

  send_raw_frame (ws, 0x81, TRUE, text, sizeof text - 1);
}

static void
raw_fragmented_ping (AgTestRawWebsocket *ws)
{
  send_raw_frame (ws, AG_TEST_WS_TEXT, TRUE, "{\"op\":\"pi", 9);
  send_raw_frame (ws, AG_TEST_WS_CONTINUATION, TRUE, "ng\",\"id\"", 8);
  /* A control frame may come between the fragments of a message. */
  send_raw_frame (ws, 0x80 | AG_TEST_WS_PING, TRUE, "p", 1);
  send_raw_frame (ws, 0x80 | AG_TEST_WS_CONTINUATION, TRUE, ":301}", 5);
}

static void
raw_fragmented_too_large (AgTestRawWebsocket *ws)
{
  g_autofree char *chunk = repeat ('f', 30000);

  /* Each fragment is small; the message is 90,000 bytes. */
  send_raw_frame (ws, AG_TEST_WS_TEXT, TRUE, chunk, 30000);
  send_raw_frame (ws, AG_TEST_WS_CONTINUATION, TRUE, chunk, 30000);
  send_raw_frame (ws, 0x80 | AG_TEST_WS_CONTINUATION, TRUE, chunk, 30000);
}

/* Fragments each far below the frame limit that add up to more than it: the limit is on
 * the message, not on each fragment. */
static void
raw_fragmented_many_small (AgTestRawWebsocket *ws)
{
  g_autofree char *chunk = repeat ('y', 64);

  send_raw_frame (ws, AG_TEST_WS_TEXT, TRUE, chunk, 64);
  for (guint i = 0; i < 1100; i++)
    send_raw_frame (ws, AG_TEST_WS_CONTINUATION, TRUE, chunk, 64);
  send_raw_frame (ws, 0x80 | AG_TEST_WS_CONTINUATION, TRUE, chunk, 64);
}

static void
raw_frame_over_transport_limit (AgTestRawWebsocket *ws)
{
  g_autofree char *payload = repeat ('z', 200000);

  send_raw_frame (ws, 0x81, TRUE, payload, 200000);
}

static void
raw_long_control_frame (AgTestRawWebsocket *ws)
{
  g_autofree char *payload = repeat ('p', 200);

  send_raw_frame (ws, 0x80 | AG_TEST_WS_PING, TRUE, payload, 200);
}

static void
raw_unmasked (AgTestRawWebsocket *ws)
{
  send_raw_frame (ws, 0x81, FALSE, "{\"op\":\"ping\",\"id\":1}", 20);
}

static void
raw_reserved_opcode (AgTestRawWebsocket *ws)
{
  send_raw_frame (ws, 0x83, TRUE, "x", 1);
}

static void
raw_rsv_bits (AgTestRawWebsocket *ws)
{
  /* RSV1 means a compressed frame, and no extension was negotiated. */
  send_raw_frame (ws, 0xc1, TRUE, "{\"op\":\"ping\",\"id\":1}", 20);
}

static void
raw_orphan_continuation (AgTestRawWebsocket *ws)
{
  send_raw_frame (ws, 0x80 | AG_TEST_WS_CONTINUATION, TRUE, "{}", 2);
}

static void
raw_short_close (AgTestRawWebsocket *ws)
{
  send_raw_frame (ws, 0x80 | AG_TEST_WS_CLOSE, TRUE, "\x03", 1);
}

static void
raw_nul_byte (AgTestRawWebsocket *ws)
{
  /* Valid UTF-8 for WebSocket, but JSON text cannot hold a raw NUL. */
  static const char text[] = "{\"op\":\"ping\",\"id\":6}";

  send_raw_frame (ws, 0x81, TRUE, text, sizeof text);
}

static const BadInput bad_inputs[] = {
  /* Not JSON, or not an object: answered 1200 with id 0. */
  { "not-json", ANONYMOUS, SEND_TEXT, "hello", .code = 1200, .id = 0 },
  { "empty-frame", ANONYMOUS, SEND_TEXT, "", .code = 1200, .id = 0 },
  { "json-array", ANONYMOUS, SEND_TEXT, "[1,2,3]", .code = 1200, .id = 0 },
  { "json-string", ANONYMOUS, SEND_TEXT, "\"ping\"", .code = 1200, .id = 0 },
  { "json-number", ANONYMOUS, SEND_TEXT, "42", .code = 1200, .id = 0 },
  { "json-null", ANONYMOUS, SEND_TEXT, "null", .code = 1200, .id = 0 },
  { "truncated", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":1", .code = 1200, .id = 0 },
  { "trailing-garbage", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":2} x",
    .code = 1200, .id = 0 },
  { "two-objects", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":3}{\"op\":\"ping\",\"id\":4}",
    .code = 1200, .id = 0 },
  { "single-quotes", ANONYMOUS, SEND_TEXT, "{'op':'ping','id':5}", .code = 1200, .id = 0 },
  { "nested-40", ANONYMOUS, SEND_TEXT, .make = make_nested_40, .code = 1200, .id = 0 },
  { "nested-32000", ANONYMOUS, SEND_TEXT, .make = make_nested_32000, .code = 1200, .id = 0 },
  { "binary-before-login", ANONYMOUS, SEND_BINARY, "{\"op\":\"ping\",\"id\":7}",
    .code = 1200, .id = 0 },

  /* Requests before login. */
  { "ping-before-login", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":10}",
    .code = 1003, .id = 10 },
  { "msg-before-login", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":11,\"peer\":\"receiver\",\"msg\":\"hi\"}",
    .code = 1003, .id = 11 },
  { "join-before-login", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"channel_join\",\"id\":12,\"channel\":\"lobby\"}", .code = 1003, .id = 12 },
  { "logout-before-login", ANONYMOUS, SEND_TEXT, "{\"op\":\"logout\",\"id\":13}",
    .code = 1003, .id = 13 },
  { "big-unknown-field", ANONYMOUS, SEND_TEXT, .make = make_big_unknown_field,
    .code = 1003, .id = 46 },
  { "many-keys", ANONYMOUS, SEND_TEXT, .make = make_many_keys, .code = 1003, .id = 47 },

  /* Ops and ids. */
  { "missing-op", ANONYMOUS, SEND_TEXT, "{\"id\":20}", .code = 1201, .id = 20 },
  { "unknown-op", ANONYMOUS, SEND_TEXT, "{\"op\":\"teleport\",\"id\":21}", .code = 1201, .id = 21 },
  { "op-number", ANONYMOUS, SEND_TEXT, "{\"op\":42,\"id\":22}", .code = 1201, .id = 22 },
  { "reply-op", ANONYMOUS, SEND_TEXT, "{\"op\":\"ok\",\"id\":23}", .code = 1201, .id = 23 },
  { "event-op", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"channel_msg\",\"id\":24,\"channel\":\"c\",\"msg\":\"m\"}", .code = 1201, .id = 24 },
  { "op-case", ANONYMOUS, SEND_TEXT, "{\"op\":\"PING\",\"id\":25}", .code = 1201, .id = 25 },
  { "missing-id", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\"}", .code = 1004, .id = 0 },
  { "id-string", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":\"26\"}", .code = 1004, .id = 0 },
  { "id-negative", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":-27}", .code = 1004, .id = 0 },
  { "id-zero", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":0}", .code = 1004, .id = 0 },
  { "id-fraction", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":28.5}", .code = 1004, .id = 0 },
  { "id-huge-float", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":1e300}",
    .code = 1004, .id = 0 },
  { "id-boolean", ANONYMOUS, SEND_TEXT, "{\"op\":\"ping\",\"id\":true}", .code = 1004, .id = 0 },

  /* Logins that must fail. */
  { "login-unknown-app", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":30,\"app_id\":\"nope\",\"account\":\"mallory\","
    "\"token\":\"_no_need_token\"}", .code = 202, .id = 30 },
  { "login-missing-app", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":31,\"account\":\"mallory\",\"token\":\"_no_need_token\"}",
    .code = 1004, .id = 31 },
  { "login-app-number", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":32,\"app_id\":7,\"account\":\"mallory\","
    "\"token\":\"_no_need_token\"}", .code = 1004, .id = 32 },
  { "login-token-number", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":33,\"app_id\":\"demo\",\"account\":\"mallory\",\"token\":1}",
    .code = 1004, .id = 33 },
  { "login-account-space", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":34,\"app_id\":\"demo\",\"account\":\"mal lory\","
    "\"token\":\"_no_need_token\"}", .code = 209, .id = 34 },
  { "login-account-empty", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":35,\"app_id\":\"demo\",\"account\":\"\","
    "\"token\":\"_no_need_token\"}", .code = 209, .id = 35 },
  { "login-account-control", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":36,\"app_id\":\"demo\",\"account\":\"mal\\u0007lory\","
    "\"token\":\"_no_need_token\"}", .code = 209, .id = 36 },
  { "login-account-nul", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":37,\"app_id\":\"demo\",\"account\":\"mal\\u0000lory\","
    "\"token\":\"_no_need_token\"}", .code = 209, .id = 37 },
  { "login-account-invisible", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":38,\"app_id\":\"demo\",\"account\":\"mal\\u200blory\","
    "\"token\":\"_no_need_token\"}", .code = 209, .id = 38 },
  { "login-account-lone-surrogate", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":39,\"app_id\":\"demo\",\"account\":\"\\ud800\","
    "\"token\":\"_no_need_token\"}", .code = 209, .id = 39 },
  { "login-account-129", ANONYMOUS, SEND_TEXT, .make = make_long_account, .code = 209, .id = 40 },
  { "login-token-expired", ANONYMOUS, SEND_TEXT, .make = make_expired_token,
    .code = 204, .id = 41 },
  { "login-token-other-app", ANONYMOUS, SEND_TEXT, .make = make_other_app_token,
    .code = 206, .id = 42 },
  { "login-token-other-account", ANONYMOUS, SEND_TEXT, .make = make_other_account_token,
    .code = 206, .id = 43 },
  { "login-token-garbage", ANONYMOUS, SEND_TEXT,
    "{\"op\":\"login\",\"id\":48,\"app_id\":\"demo\",\"account\":\"mallory\","
    "\"token\":\"1:demo:99999999999:zz\"}", .code = 206, .id = 48 },

  /* Logged in: wrong types, limits, state. */
  { "login-twice", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"login\",\"id\":50,\"app_id\":\"arena\",\"account\":\"hostile\","
    "\"token\":\"_no_need_token\"}", .code = 208, .id = 50 },
  { "msg-missing-peer", LOGGED_IN, SEND_TEXT, "{\"op\":\"msg_send\",\"id\":51,\"msg\":\"x\"}",
    .code = 1004, .id = 51 },
  { "msg-peer-number", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":52,\"peer\":5,\"msg\":\"x\"}", .code = 1004, .id = 52 },
  { "msg-msg-object", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":53,\"peer\":\"receiver\",\"msg\":{\"a\":1}}",
    .code = 1004, .id = 53 },
  { "msg-ttl-negative", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":54,\"peer\":\"receiver\",\"msg\":\"x\",\"ttl\":-1}",
    .code = 1004, .id = 54 },
  { "msg-ttl-too-long", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":55,\"peer\":\"receiver\",\"msg\":\"x\",\"ttl\":604801}",
    .code = 1004, .id = 55 },
  { "msg-ttl-string", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":56,\"peer\":\"receiver\",\"msg\":\"x\",\"ttl\":\"60\"}",
    .code = 1004, .id = 56 },
  { "msg-peer-space", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":57,\"peer\":\"re ceiver\",\"msg\":\"x\"}",
    .code = 1004, .id = 57 },
  { "msg-peer-offline", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"msg_send\",\"id\":58,\"peer\":\"nobody\",\"msg\":\"x\"}", .code = 1204, .id = 58 },
  { "msg-8193-bytes", LOGGED_IN, SEND_TEXT, .make = make_msg_8193, .code = 1005, .id = 60 },
  { "msg-8192-bytes", LOGGED_IN, SEND_TEXT, .make = make_msg_8192, .code = 0, .id = 61 },
  { "msg-8193-bytes-multibyte", LOGGED_IN, SEND_TEXT, .make = make_msg_multibyte_8193,
    .code = 1005, .id = 62 },
  { "msg-peer-129", LOGGED_IN, SEND_TEXT, .make = make_long_peer, .code = 1005, .id = 63 },
  { "join-empty-name", LOGGED_IN, SEND_TEXT, "{\"op\":\"channel_join\",\"id\":71,\"channel\":\"\"}",
    .code = 1004, .id = 71 },
  { "join-name-129", LOGGED_IN, SEND_TEXT, .make = make_long_channel, .code = 1005, .id = 70 },
  { "join-name-control", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"channel_join\",\"id\":72,\"channel\":\"lob\\nby\"}", .code = 1004, .id = 72 },
  { "channel-send-outside", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"channel_send\",\"id\":73,\"msg\":\"x\"}", .code = 1202, .id = 73 },
  { "channel-set-attr-outside", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"channel_set_attr\",\"id\":74,\"name\":\"n\",\"value\":\"v\"}",
    .code = 1202, .id = 74 },
  { "user-attr-8097", LOGGED_IN, SEND_TEXT, .make = make_long_attr_value, .code = 1005, .id = 80 },
  { "user-attr-name-number", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"user_set_attr\",\"id\":81,\"name\":1,\"value\":\"v\"}", .code = 1004, .id = 81 },
  { "call-extra-not-object", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"call_invite\",\"id\":90,\"channel\":\"c\",\"peer\":\"receiver\",\"extra\":\"[1]\"}",
    .code = 1004, .id = 90 },
  { "call-extra-8200", LOGGED_IN, SEND_TEXT, .make = make_long_extra, .code = 1005, .id = 91 },
  { "call-accept-no-call", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"call_accept\",\"id\":92,\"channel\":\"c\",\"peer\":\"receiver\"}",
    .code = 1203, .id = 92 },
  { "call-msg-bad-dtmf", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"call_msg\",\"id\":93,\"channel\":\"c\",\"peer\":\"receiver\",\"type\":\"DTMF\","
    "\"msg\":\"12a\"}", .code = 1004, .id = 93 },
  { "unknown-fields-ignored", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"ping\",\"id\":94,\"extra_field\":{\"a\":[1,2,{\"b\":null}]}}", .code = 0, .id = 94 },
  { "id-beyond-double-precision", LOGGED_IN, SEND_TEXT,
    "{\"op\":\"ping\",\"id\":9007199254740993}",
    .code = 0, .id = G_GINT64_CONSTANT (9007199254740993) },
  { "binary-frame", LOGGED_IN, SEND_BINARY, "{\"op\":\"ping\",\"id\":95}", .code = 1200, .id = 0 },
  { "frame-65537-bytes", LOGGED_IN, SEND_TEXT, .make = make_oversized_frame,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },

  /* Hand-framed WebSocket abuse. */
  { "raw-invalid-utf8", RAW, .send_raw = raw_invalid_utf8,
    .close_status = SOUP_WEBSOCKET_CLOSE_BAD_DATA },
  { "raw-fragmented-ping", RAW, .send_raw = raw_fragmented_ping, .code = 1003, .id = 301 },
  { "raw-nul-byte", RAW, .send_raw = raw_nul_byte, .code = 1200, .id = 0 },
  { "raw-fragmented-90000", RAW, .send_raw = raw_fragmented_too_large,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  { "raw-fragmented-many-small", RAW, .send_raw = raw_fragmented_many_small,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  { "raw-frame-200000", RAW, .send_raw = raw_frame_over_transport_limit,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  { "raw-long-control-frame", RAW, .send_raw = raw_long_control_frame,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-unmasked", RAW, .send_raw = raw_unmasked,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-reserved-opcode", RAW, .send_raw = raw_reserved_opcode,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-rsv-bits", RAW, .send_raw = raw_rsv_bits,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-orphan-continuation", RAW, .send_raw = raw_orphan_continuation,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-short-close", RAW, .send_raw = raw_short_close,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  /* Payload lengths in the wrong field, or beyond the limit: refused at the header. */
  { "raw-length-126-for-5", RAW, .send_raw = raw_length_126_for_5,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-length-127-for-200", RAW, .send_raw = raw_length_127_for_200,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-length-top-bit", RAW, .send_raw = raw_length_top_bit,
    .close_status = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR },
  { "raw-length-2^40-header-only", RAW, .send_raw = raw_length_2_40,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  { "raw-length-70000-header-only", RAW, .send_raw = raw_length_70000,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  { "raw-continuation-over-limit-header-only", RAW, .send_raw = raw_continuation_over_limit,
    .close_status = SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  { "raw-frame-65536", RAW, .send_raw = raw_frame_at_limit, .code = 1003, .id = 303 },
};

/* Well-behaved clients */

static AgTestClient *
connect_as (const char *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgTestClient) client = ag_test_client_new (ag_test_server_get_uri (state.server),
                                                       &error);
  g_autoptr(JsonObject) reply = NULL;

  g_assert_no_error (error);
  if (account != NULL) {
    reply = ag_test_client_login (client, ARENA_APP, account, "_no_need_token");
    g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  }

  return g_steal_pointer (&client);
}

/* The sender's message reaches the receiver promptly, and the server still runs. */
static void
assert_others_unaffected (void)
{
  g_autofree char *marker = g_strdup_printf ("check %u", ++state.checks);
  g_autofree char *request = g_strdup_printf ("{\"op\":\"msg_send\",\"peer\":\"receiver\","
                                              "\"msg\":\"%s\"}", marker);
  gint64 id = ag_test_client_send_request (state.sender, request);
  g_autoptr(JsonObject) reply = ag_test_client_wait_reply (state.sender, id, PROMPT_MS);

  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);

  /* Messages of the hostile client to the receiver may be queued before the marker. */
  for (;;) {
    g_autoptr(JsonObject) message = ag_test_client_wait_op (state.receiver, "msg", PROMPT_MS);

    g_assert_nonnull (message);
    if (g_strcmp0 (json_object_get_string_member (message, "account"), "sender") == 0) {
      g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, marker);
      break;
    }
    g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, HOSTILE_ACCOUNT);
  }

  g_assert_cmpuint (ag_test_client_get_n_queued (state.sender), ==, 0);
  g_assert_cmpuint (ag_test_client_get_n_queued (state.receiver), ==, 0);
  g_assert_cmpuint (ag_test_client_get_n_invalid (state.receiver), ==, 0);
  g_assert_true (ag_test_server_is_running (state.server));
}

static void
assert_reply (JsonObject *reply,
              int         code,
              gint64      id)
{
  g_assert_nonnull (reply);
  g_assert_cmpint (ag_test_reply_code (reply), ==, code);
  g_assert_true (json_object_has_member (reply, "id"));
  g_assert_cmpint (json_object_get_int_member (reply, "id"), ==, id);
  if (code != 0)
    g_assert_nonnull (json_object_get_string_member (reply, "reason"));
}

/* The anonymous connection, younger than half the server's login deadline (10 s): on a slow
 * run the table takes longer than that, and the deadline is not what an entry tests. */
static void
fresh_anonymous (void)
{
  if (state.anonymous != NULL && g_get_monotonic_time () - state.anonymous_since < 5 * G_USEC_PER_SEC)
    return;

  g_clear_pointer (&state.anonymous, ag_test_client_free);
  state.anonymous = connect_as (NULL);
  state.anonymous_since = g_get_monotonic_time ();
}

static void
run_client_entry (const BadInput *entry)
{
  AgTestClient **client;

  if (entry->sender == ANONYMOUS)
    fresh_anonymous ();
  client = entry->sender == ANONYMOUS ? &state.anonymous : &state.hostile;
  g_autofree char *built = entry->make != NULL ? entry->make () : NULL;
  const char *text = built != NULL ? built : entry->text;

  if (entry->type == SEND_BINARY)
    ag_test_client_send_bytes (*client, SOUP_WEBSOCKET_DATA_BINARY, text, strlen (text) + 1);
  else
    ag_test_client_send_text (*client, text);

  if (entry->close_status != 0) {
    g_assert_true (ag_test_client_wait_closed (*client, AG_TEST_TIMEOUT_MS));
    g_assert_cmpuint (ag_test_client_get_close_code (*client), ==, entry->close_status);
    g_assert_cmpuint (ag_test_client_get_n_queued (*client), ==, 0);

    g_clear_pointer (client, ag_test_client_free);
    *client = connect_as (entry->sender == LOGGED_IN ? HOSTILE_ACCOUNT : NULL);
    if (entry->sender == ANONYMOUS)
      state.anonymous_since = g_get_monotonic_time ();
  } else {
    g_autoptr(JsonObject) reply = ag_test_client_wait_frame (*client, AG_TEST_TIMEOUT_MS);

    assert_reply (reply, entry->code, entry->id);
  }
}

static void
run_raw_entry (const BadInput *entry)
{
  g_autoptr(AgTestRawWebsocket) ws = NULL;
  g_autoptr(GError) error = NULL;

  ws = ag_test_raw_websocket_connect (ag_test_server_get_port (state.server), 0, &error);
  g_assert_no_error (error);

  entry->send_raw (ws);

  if (entry->close_status != 0) {
    g_assert_cmpint (ag_test_raw_websocket_read_close (ws, NULL), ==, entry->close_status);
  } else {
    g_autoptr(GBytes) payload = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    guint8 opcode = 0;

    /* The pong of raw_fragmented_ping may come first. */
    do {
      g_clear_pointer (&payload, g_bytes_unref);
      g_assert_true (ag_test_raw_websocket_read_frame (ws, &opcode, &payload, &error));
      g_assert_no_error (error);
    } while (opcode == AG_TEST_WS_PONG);

    g_assert_cmpuint (opcode, ==, AG_TEST_WS_TEXT);
    g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (payload, NULL),
                                              g_bytes_get_size (payload), &error));
    g_assert_no_error (error);
    assert_reply (json_node_get_object (json_parser_get_root (parser)), entry->code, entry->id);
  }
}

static void
test_bad_input (gconstpointer data)
{
  const BadInput *entry = data;

  if (entry->sender == RAW)
    run_raw_entry (entry);
  else
    run_client_entry (entry);

  /* Exactly one reply: nothing else arrived meanwhile. */
  assert_others_unaffected ();
  g_assert_cmpuint (ag_test_client_get_n_queued (state.anonymous), ==, 0);
  g_assert_cmpuint (ag_test_client_get_n_queued (state.hostile), ==, 0);
  g_assert_cmpuint (ag_test_client_get_n_invalid (state.hostile), ==, 0);
}

/* A request and a header announcing too much in one write: the request is answered before
 * the connection is refused. */
static void
test_frames_before_refused_header (void)
{
  static const char request[] = "{\"op\":\"ping\",\"id\":304}";
  g_autoptr(AgTestRawWebsocket) ws = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint8 bytes[64];
  gsize length;

  ws = ag_test_raw_websocket_connect (ag_test_server_get_port (state.server), 0, &error);
  g_assert_no_error (error);

  length = raw_header (bytes, 0x81, 0, 0);
  bytes[1] |= sizeof request - 1;
  memcpy (bytes + length, request, sizeof request - 1);
  length += sizeof request - 1;
  length += raw_header (bytes + length, 0x81, 127, G_GUINT64_CONSTANT (1) << 40);
  send_raw_bytes (ws, bytes, length);

  g_assert_cmpint (ag_test_raw_websocket_read_close (ws, texts), ==,
                   SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (texts->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (texts, 0), "\"id\":304"));

  assert_others_unaffected ();
}

static void
test_flood (void)
{
  guint ok = 0;
  guint limited = 0;
  gint64 first = 0;

  /* 500 messages in one burst, far over the rate. Every one is answered, in order. */
  for (guint i = 0; i < FLOOD_FRAMES; i++) {
    gint64 id = ag_test_client_send_request (state.hostile,
      "{\"op\":\"msg_send\",\"peer\":\"receiver\",\"msg\":\"flood\"}");

    if (i == 0)
      first = id;
  }

  for (guint i = 0; i < FLOOD_FRAMES; i++) {
    g_autoptr(JsonObject) reply = ag_test_client_wait_frame (state.hostile, AG_TEST_TIMEOUT_MS);
    int code = ag_test_reply_code (reply);

    g_assert_nonnull (reply);
    g_assert_cmpint (json_object_get_int_member (reply, "id"), ==, first + i);
    g_assert_true (code == 0 || code == 1100);
    if (code == 0)
      ok++;
    else
      limited++;
  }

  /* The bucket holds one second's worth, and refills while the burst is answered. */
  g_assert_cmpuint (ok, >=, ARENA_RATE);
  g_assert_cmpuint (limited, >=, FLOOD_FRAMES / 5);
  g_assert_cmpuint (limited, ==, FLOOD_FRAMES - ok);

  /* Refused messages are never delivered: the receiver gets exactly the accepted ones. */
  for (guint i = 0; i < ok; i++) {
    g_autoptr(JsonObject) message = ag_test_client_wait_op (state.receiver, "msg", PROMPT_MS);

    g_assert_nonnull (message);
    g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "flood");
  }

  assert_others_unaffected ();
  g_assert_cmpuint (ag_test_client_get_n_queued (state.hostile), ==, 0);
}

static void
test_flood_of_garbage (void)
{
  /* Malformed frames are not rate limited, but each is answered. */
  for (guint i = 0; i < FLOOD_FRAMES; i++)
    ag_test_client_send_text (state.hostile, "{not json");

  for (guint i = 0; i < FLOOD_FRAMES; i++) {
    g_autoptr(JsonObject) reply = ag_test_client_wait_frame (state.hostile, AG_TEST_TIMEOUT_MS);

    assert_reply (reply, 1200, 0);
  }

  assert_others_unaffected ();
}

/* A client that floods frames the server answers (binary frames, pings) and never reads
 * provokes replies faster than they leave: they count against the outbound limit, so it is
 * disconnected and the server's memory stays bounded. */
static void
test_flood_unread_replies (void)
{
  g_autoptr(AgTestRawWebsocket) ws = NULL;
  g_autoptr(GError) error = NULL;
  guint64 rss_kib;
  GString *burst = g_string_new (NULL);
  guint sent = 0;

  /* A small receive window: the replies pile up in the server. */
  ws = ag_test_raw_websocket_connect (ag_test_server_get_port (state.server), 4096, &error);
  g_assert_no_error (error);

  /* 400,000 masked binary frames of 4 bytes, written in bursts while the server accepts:
   * their 33 MB of replies are more than the socket buffers and the connection's limit hold
   * together, however fast the server answers. */
  for (guint i = 0; i < 4000; i++) {
    const guint8 frame[] = { 0x82, 0x84, 1, 2, 3, 4, 'f' ^ 1, 'l' ^ 2, 'o' ^ 3, 'o' ^ 4 };
    GSocket *socket = ag_test_raw_websocket_get_socket (ws);

    g_string_truncate (burst, 0);
    for (guint j = 0; j < 100; j++)
      g_string_append_len (burst, (const char *) frame, sizeof frame);

    g_socket_set_timeout (socket, 2);
    if (g_socket_send (socket, burst->str, burst->len, NULL, NULL) <= 0)
      break;
    sent++;
  }
  g_string_free (burst, TRUE);
  g_assert_cmpuint (sent, >, 10);

  /* The server gave up on it: the stream ends after its replies and a close (1008). */
  g_assert_cmpint (ag_test_raw_websocket_read_close (ws, NULL), ==, 1008);

  /* And it is not holding gigabytes for it (the old behaviour grew by tens of MB here). */
  rss_kib = ag_test_server_get_rss_kib (state.server);
  g_assert_cmpuint (rss_kib, >, 0);
  g_assert_cmpuint (rss_kib, <, 200 * 1024);

  assert_others_unaffected ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  state.server = ag_test_server_new (ARENA_CONFIG, NULL, &error);
  g_assert_no_error (error);
  state.receiver = connect_as ("receiver");
  state.sender = connect_as ("sender");
  fresh_anonymous ();
  state.hostile = connect_as (HOSTILE_ACCOUNT);

  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++) {
    g_autofree char *path = g_strdup_printf ("/ag/bad-input/%s", bad_inputs[i].name);

    g_test_add_data_func (path, &bad_inputs[i], test_bad_input);
  }
  g_test_add_func ("/ag/bad-input/frames-before-refused-header",
                   test_frames_before_refused_header);
  g_test_add_func ("/ag/bad-input/flood-rate-limited", test_flood);
  g_test_add_func ("/ag/bad-input/flood-malformed", test_flood_of_garbage);
  g_test_add_func ("/ag/bad-input/flood-unread-replies", test_flood_unread_replies);

  status = g_test_run ();

  g_clear_pointer (&state.hostile, ag_test_client_free);
  g_clear_pointer (&state.anonymous, ag_test_client_free);
  g_clear_pointer (&state.sender, ag_test_client_free);
  g_clear_pointer (&state.receiver, ag_test_client_free);

  /* The server survived everything and stops cleanly. */
  if (status == 0) {
    int wait_status = -1;

    g_assert_true (ag_test_server_stop (state.server, AG_TEST_SERVER_STOP_TIMEOUT_MS,
                                        &wait_status));
    g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
  }
  g_clear_pointer (&state.server, ag_test_server_free);

  return status;
}
