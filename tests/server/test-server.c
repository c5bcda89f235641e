/* test-server.c: agsignald as a process: WebSockets, HTTP routes, configuration, signals
 *
 * Every test talks to a real agsignald on 127.0.0.1 (tests/fixture) and ends by stopping it
 * with SIGTERM and checking that it exited with status 0.
 */

#define _GNU_SOURCE   /* prlimit() */

#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ag-limits.h"
#include "ag-test-client.h"
#include "ag-test-raw-websocket.h"
#include "ag-test-server.h"
#include "ag-token.h"

#define DEMO_TOKEN "_no_need_token"

typedef struct {
  AgTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  config_text)
{
  g_autoptr(GError) error = NULL;

  fixture->server = ag_test_server_new (config_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->server);
}

static void
assert_clean_exit (int wait_status)
{
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  config_text)
{
  int wait_status = -1;

  g_assert_true (ag_test_server_stop (fixture->server, AG_TEST_SERVER_STOP_TIMEOUT_MS,
                                      &wait_status));
  assert_clean_exit (wait_status);
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

static AgTestClient *
connect_client (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  AgTestClient *client = ag_test_client_new (ag_test_server_get_uri (fixture->server), &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);

  return client;
}

/* Logs account into app and returns its uid. */
static gint64
login_as (AgTestClient *client,
          const char   *app_id,
          const char   *account,
          const char   *token)
{
  g_autoptr(JsonObject) reply = ag_test_client_login (client, app_id, account, token);

  g_assert_nonnull (reply);
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (reply, "account"), ==, account);
  g_assert_cmpint (json_object_get_int_member (reply, "uid"), >, 0);

  return json_object_get_int_member (reply, "uid");
}

static AgTestClient *
connect_demo_user (Fixture    *fixture,
                   const char *account)
{
  AgTestClient *client = connect_client (fixture);

  login_as (client, "demo", account, DEMO_TOKEN);

  return client;
}

static int
request_code (AgTestClient *client,
              const char   *request_json)
{
  g_autoptr(JsonObject) reply = ag_test_client_request (client, request_json);

  g_assert_nonnull (reply);

  return ag_test_reply_code (reply);
}

static char *
fetch_metrics (Fixture *fixture)
{
  g_autofree char *uri = ag_test_server_get_http_uri (fixture->server, "/metrics");
  g_autofree char *content_type = NULL;
  guint status = 0;
  char *text = ag_test_http_get (uri, &status, &content_type);

  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "text/plain; version=0.0.4"));

  return text;
}

/* The value of the sample named exactly sample ("agsignal_logins_total",
 * "agsignal_errors_total{code=\"1003\"}"), or -1 when it is absent. */
static double
metric_value (const char *metrics,
              const char *sample)
{
  g_auto(GStrv) lines = g_strsplit (metrics, "\n", -1);
  gsize length = strlen (sample);

  for (guint i = 0; lines[i] != NULL; i++) {
    if (strncmp (lines[i], sample, length) == 0 && lines[i][length] == ' ')
      return g_ascii_strtod (lines[i] + length + 1, NULL);
  }

  return -1;
}

/* Sessions */

static void
test_login (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(AgTestClient) client = connect_client (fixture);
  g_autoptr(JsonObject) ping = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 uid;

  /* Nothing but login is served before login. */
  g_assert_cmpint (request_code (client, "{\"op\": \"ping\"}"), ==, 1003);

  uid = login_as (client, "demo", "alice", DEMO_TOKEN);
  g_assert_cmpint (uid, ==, 1);

  ping = ag_test_client_request (client, "{\"op\": \"ping\"}");
  g_assert_cmpint (ag_test_reply_code (ping), ==, 0);
  g_assert_cmpint (json_object_get_int_member (ping, "ts"), >=, now_ms - 60000);
  g_assert_cmpint (json_object_get_int_member (ping, "ts"), <=, now_ms + 60000);

  /* A connection carries one session. */
  g_assert_cmpint (request_code (client, "{\"op\": \"login\", \"app_id\": \"demo\", "
                                         "\"account\": \"bob\", \"token\": \"" DEMO_TOKEN "\"}"),
                   ==, 208);
  g_assert_cmpuint (ag_test_client_get_n_invalid (client), ==, 0);
}

static void
test_logout (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(AgTestClient) client = connect_demo_user (fixture, "alice");

  g_assert_cmpint (request_code (client, "{\"op\": \"logout\"}"), ==, 0);
  g_assert_true (ag_test_client_wait_closed (client, AG_TEST_TIMEOUT_MS));
  g_assert_cmpuint (ag_test_client_get_close_code (client), ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
}

static void
test_kick (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(AgTestClient) first = connect_demo_user (fixture, "alice");
  g_autoptr(AgTestClient) second = connect_demo_user (fixture, "alice");
  g_autoptr(JsonObject) logout = ag_test_client_wait_op (first, "logout", AG_TEST_TIMEOUT_MS);

  g_assert_nonnull (logout);
  g_assert_false (json_object_has_member (logout, "id"));
  g_assert_cmpint (json_object_get_int_member (logout, "code"), ==, 103);

  g_assert_true (ag_test_client_wait_closed (first, AG_TEST_TIMEOUT_MS));
  g_assert_cmpuint (ag_test_client_get_close_code (first), ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
  g_assert_true (g_str_has_prefix (ag_test_client_get_close_data (first), "103"));

  /* The new session is the one that stays. */
  g_assert_cmpint (request_code (second, "{\"op\": \"ping\"}"), ==, 0);
  g_assert_false (ag_test_client_is_closed (second));
}

/* A session whose token expires is logged out by the server's timer. */
static void
test_token_expiry (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *token = ag_token_make ("alice", "demo", "demo-certificate", now + 2);
  g_autoptr(AgTestClient) client = connect_client (fixture);
  g_autoptr(JsonObject) logout = NULL;

  login_as (client, "demo", "alice", token);

  logout = ag_test_client_wait_op (client, "logout", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (logout);
  g_assert_cmpint (json_object_get_int_member (logout, "code"), ==, 105);
  g_assert_cmpint (g_get_real_time () / G_USEC_PER_SEC, >=, now + 2);

  g_assert_true (ag_test_client_wait_closed (client, AG_TEST_TIMEOUT_MS));
  g_assert_true (g_str_has_prefix (ag_test_client_get_close_data (client), "105"));
}

/* -v traces every frame, but never a token. */
static void
test_wire_trace (void)
{
  static const char * const verbose[] = { "-v", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *token = ag_token_make ("alice", "demo", "demo-certificate", now + 3600);
  g_autofree char *digest = g_strdup (strrchr (token, ':') + 1);
  g_autofree char *escaped_token = ag_token_make ("bob", "demo", "demo-certificate", now + 3600);
  g_autofree char *escaped_digest = g_strdup (strrchr (escaped_token, ':') + 1);
  g_autoptr(AgTestServer) server = NULL;
  g_autoptr(AgTestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  int wait_status = -1;
  int fd;

  fd = g_file_open_tmp ("agsignald-trace-XXXXXX.log", &log_path, &error);
  g_assert_no_error (error);
  close (fd);

  server = ag_test_server_new_full (NULL, verbose, log_path, &error);
  g_assert_no_error (error);
  client = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (client, "demo", "alice", token);
  g_assert_cmpint (request_code (client, "{\"op\": \"ping\"}"), ==, 0);
  g_clear_pointer (&client, ag_test_client_free);

  /* A key spelled with an escape is the same key: the trace redacts after parsing. */
  client = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  {
    g_autofree char *escaped = g_strdup_printf ("{\"op\":\"login\",\"app_id\":\"demo\","
                                                "\"account\":\"bob\",\"tok\\u0065n\":\"%s\"}",
                                                escaped_token);
    g_autofree char *admin = g_strdup ("{\"op\":\"admin_login\",\"app_id\":\"demo\","
                                       "\"k\\u0065y\":\"secret-admin-key-0123456789\"}");
    g_autoptr(JsonObject) reply = ag_test_client_request (client, escaped);
    g_autoptr(JsonObject) refused = NULL;

    g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
    g_clear_pointer (&client, ag_test_client_free);
    client = ag_test_client_new (ag_test_server_get_uri (server), &error);
    g_assert_no_error (error);
    refused = ag_test_client_request (client, admin);
    g_assert_cmpint (ag_test_reply_code (refused), ==, 1300);
  }
  g_clear_pointer (&client, ag_test_client_free);

  g_assert_true (ag_test_server_stop (server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  assert_clean_exit (wait_status);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (log_path), ==, 0);

  g_assert_nonnull (strstr (log, "AgServer-DEBUG"));
  g_assert_nonnull (strstr (log, "\"op\":\"ping\""));
  g_assert_nonnull (strstr (log, "\"token\":\"[redacted]\""));
  g_assert_null (strstr (log, digest));
  g_assert_null (strstr (log, escaped_digest));
  g_assert_null (strstr (log, "secret-admin-key-0123456789"));
  g_assert_nonnull (strstr (log, "\"key\":\"[redacted]\""));
}

/* 1,000 stored messages of 8,000 bytes are twice the outbound limit: the login gets them all,
 * in order, a batch at a time as it reads, and none is left or lost. */
static void
test_offline_backlog (void)
{
  static const char config[] = "[app:bulk]\nallow_no_token=true\nuser_msg_rate=100000\n";
  g_autoptr(AgTestServer) server = NULL;
  g_autoptr(AgTestClient) alice = NULL;
  g_autoptr(AgTestClient) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = g_strnfill (7990, 'x');
  int wait_status = -1;

  server = ag_test_server_new (config, NULL, &error);
  g_assert_no_error (error);
  alice = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (alice, "bulk", "alice", "_no_need_token");

  for (guint i = 0; i < 1000; i++) {
    g_autofree char *text = g_strdup_printf ("{\"op\":\"msg_send\",\"peer\":\"bob\","
                                             "\"msg\":\"%04u%s\",\"ttl\":600}", i, body);

    ag_test_client_send_request (alice, text);
  }
  for (guint i = 0; i < 1000; i++) {
    g_autoptr(JsonObject) reply = ag_test_client_wait_frame (alice, AG_TEST_TIMEOUT_MS);

    g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
    g_assert_true (json_object_get_boolean_member (reply, "stored"));
  }

  bob = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (bob, "bulk", "bob", "_no_need_token");
  for (guint i = 0; i < 1000; i++) {
    g_autoptr(JsonObject) message = ag_test_client_wait_op (bob, "msg", AG_TEST_TIMEOUT_MS);
    g_autofree char *prefix = g_strdup_printf ("%04u", i);

    g_assert_nonnull (message);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (message, "msg"), prefix));
  }
  g_assert_false (ag_test_client_is_closed (bob));
  g_clear_pointer (&bob, ag_test_client_free);

  /* The next login finds nothing: every one was delivered once. */
  bob = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (bob, "bulk", "bob", "_no_need_token");
  g_assert_null (ag_test_client_wait_op (bob, "msg", 500));
  g_clear_pointer (&bob, ag_test_client_free);
  g_clear_pointer (&alice, ag_test_client_free);

  g_assert_true (ag_test_server_stop (server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  assert_clean_exit (wait_status);
}

/* Messages and channels */

static void
test_peer_message (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(AgTestClient) alice = connect_client (fixture);
  g_autoptr(AgTestClient) bob = connect_demo_user (fixture, "bob");
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) message = NULL;
  gint64 alice_uid = login_as (alice, "demo", "alice", DEMO_TOKEN);

  reply = ag_test_client_request (alice, "{\"op\": \"msg_send\", \"peer\": \"bob\", "
                                         "\"msg\": \"hello ünïcode\"}");
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  g_assert_false (json_object_get_boolean_member (reply, "stored"));

  message = ag_test_client_wait_op (bob, "msg", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (message);
  g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, alice_uid);
  g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "hello ünïcode");
  g_assert_cmpint (json_object_get_int_member (message, "ts"), >, 0);

  /* Without a ttl an offline peer is an error. */
  g_assert_cmpint (request_code (alice, "{\"op\": \"msg_send\", \"peer\": \"carol\", "
                                        "\"msg\": \"hi\"}"), ==, 1204);
}

static void
test_channel (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(AgTestClient) alice = connect_demo_user (fixture, "alice");
  g_autoptr(AgTestClient) bob = connect_demo_user (fixture, "bob");
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) bob_join = NULL;
  g_autoptr(JsonObject) user_joined = NULL;
  g_autoptr(JsonObject) user_left = NULL;
  JsonArray *members;

  joined = ag_test_client_request (alice, "{\"op\": \"channel_join\", \"channel\": \"lobby\"}");
  g_assert_cmpint (ag_test_reply_code (joined), ==, 0);
  g_assert_cmpint (json_object_get_int_member (joined, "num"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (joined, "members")),
                    ==, 0);

  bob_join = ag_test_client_request (bob, "{\"op\": \"channel_join\", \"channel\": \"lobby\"}");
  g_assert_cmpint (ag_test_reply_code (bob_join), ==, 0);
  g_assert_cmpint (json_object_get_int_member (bob_join, "num"), ==, 2);
  members = json_object_get_array_member (bob_join, "members");
  g_assert_cmpuint (json_array_get_length (members), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (members, 0),
                                                  "account"), ==, "alice");

  user_joined = ag_test_client_wait_op (alice, "channel_user_joined", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (user_joined);
  g_assert_cmpstr (json_object_get_string_member (user_joined, "account"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (user_joined, "channel"), ==, "lobby");

  /* Every member gets a channel message, the sender included. */
  g_assert_cmpint (request_code (bob, "{\"op\": \"channel_send\", \"msg\": \"hi all\"}"), ==, 0);
  for (guint i = 0; i < 2; i++) {
    g_autoptr(JsonObject) message =
      ag_test_client_wait_op (i == 0 ? alice : bob, "channel_msg", AG_TEST_TIMEOUT_MS);

    g_assert_nonnull (message);
    g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, "bob");
    g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "hi all");
  }

  g_assert_cmpint (request_code (bob, "{\"op\": \"channel_leave\"}"), ==, 0);
  user_left = ag_test_client_wait_op (alice, "channel_user_left", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (user_left);
  g_assert_cmpstr (json_object_get_string_member (user_left, "account"), ==, "bob");
  g_assert_cmpint (json_object_get_int_member (user_left, "code"), ==, 602);
}

/* WebSocket transport */

static void
test_subprotocol_required (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char * const other[] = { "chat", NULL };
  static const char * const both[] = { "chat", "agsignal.v1", NULL };
  const char *uri = ag_test_server_get_uri (fixture->server);
  g_autoptr(GError) error = NULL;
  g_autoptr(AgTestClient) none = ag_test_client_new_full (uri, NULL, &error);
  g_autoptr(AgTestClient) wrong = NULL;
  g_autoptr(AgTestClient) right = NULL;

  g_assert_null (none);
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_clear_error (&error);

  wrong = ag_test_client_new_full (uri, other, &error);
  g_assert_null (wrong);
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET);
  g_clear_error (&error);

  right = ag_test_client_new_full (uri, both, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (ag_test_client_get_connection (right)),
                   ==, "agsignal.v1");
}

static char *
ping_of_size (gint64 id,
              gsize  size)
{
  g_autofree char *head = g_strdup_printf ("{\"op\":\"ping\",\"id\":%" G_GINT64_FORMAT
                                           ",\"pad\":\"", id);
  GString *text = g_string_new (head);

  g_assert_cmpuint (size, >, text->len + 2);
  while (text->len < size - 2)
    g_string_append_c (text, 'x');
  g_string_append (text, "\"}");
  g_assert_cmpuint (text->len, ==, size);

  return g_string_free (text, FALSE);
}

static void
test_oversized_frame (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(AgTestClient) big = connect_demo_user (fixture, "big");
  g_autoptr(AgTestClient) bob = connect_demo_user (fixture, "bob");
  g_autoptr(AgTestClient) carol = connect_demo_user (fixture, "carol");
  g_autofree char *largest = ping_of_size (1000, 65536);
  g_autofree char *too_large = ping_of_size (1001, 65537);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) message = NULL;

  /* 65,536 bytes is still a frame (unknown fields are ignored)... */
  ag_test_client_send_text (big, largest);
  reply = ag_test_client_wait_reply (big, 1000, AG_TEST_TIMEOUT_MS);
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);

  /* ...one byte more closes the connection with 1009 (and is not answered). */
  ag_test_client_send_text (big, too_large);
  g_assert_true (ag_test_client_wait_closed (big, AG_TEST_TIMEOUT_MS));
  g_assert_cmpuint (ag_test_client_get_close_code (big), ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_null (ag_test_client_wait_reply (big, 1001, 0));

  /* The others carry on. */
  g_assert_cmpint (request_code (bob, "{\"op\": \"msg_send\", \"peer\": \"carol\", "
                                      "\"msg\": \"still here\"}"), ==, 0);
  message = ag_test_client_wait_op (carol, "msg", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (message);
  g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "still here");
}

static void
test_binary_frame (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(AgTestClient) client = connect_demo_user (fixture, "alice");
  g_autoptr(JsonObject) error = NULL;
  g_autofree char *metrics = NULL;

  ag_test_client_send_bytes (client, SOUP_WEBSOCKET_DATA_BINARY,
                             "{\"op\":\"ping\",\"id\":5}", 20);
  error = ag_test_client_wait_frame (client, AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (error);
  g_assert_cmpint (ag_test_reply_code (error), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (error, "id"), ==, 0);

  /* The connection stays open. */
  g_assert_cmpint (request_code (client, "{\"op\": \"ping\"}"), ==, 0);

  metrics = fetch_metrics (fixture);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_errors_total{code=\"1200\"}"), ==, 1);
}

/* HTTP routes */

static void
test_healthz (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *uri = ag_test_server_get_http_uri (fixture->server, "/healthz");
  g_autofree char *missing_uri = ag_test_server_get_http_uri (fixture->server, "/nothing");
  g_autofree char *content_type = NULL;
  g_autofree char *body = NULL;
  g_autofree char *missing = NULL;
  guint status = 0;

  body = ag_test_http_get (uri, &status, &content_type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "ok\n");
  g_assert_true (g_str_has_prefix (content_type, "text/plain"));

  missing = ag_test_http_get (missing_uri, &status, NULL);
  g_assert_cmpuint (status, ==, 404);
}

static void
test_metrics (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const families[] = {
    "agsignal_connections gauge",
    "agsignal_sessions gauge",
    "agsignal_channels gauge",
    "agsignal_frames_in_total counter",
    "agsignal_frames_out_total counter",
    "agsignal_messages_in_total counter",
    "agsignal_messages_out_total counter",
    "agsignal_logins_total counter",
    "agsignal_errors_total counter",
    "agsignal_slow_consumer_disconnects_total counter",
    "process_start_time_seconds gauge",
    "agsignal_uptime_seconds gauge",
  };
  g_autofree char *before = fetch_metrics (fixture);
  g_autofree char *after = NULL;
  g_autoptr(AgTestClient) alice = NULL;
  g_autoptr(AgTestClient) bob = NULL;
  double start_time;

  for (guint i = 0; i < G_N_ELEMENTS (families); i++) {
    g_autofree char *type_line = g_strdup_printf ("# TYPE %s\n", families[i]);
    g_autofree char *name = g_strndup (families[i], strchr (families[i], ' ') - families[i]);
    g_autofree char *help_line = g_strdup_printf ("# HELP %s ", name);

    g_assert_nonnull (strstr (before, type_line));
    g_assert_nonnull (strstr (before, help_line));
  }

  g_assert_cmpfloat (metric_value (before, "agsignal_connections"), ==, 0);
  g_assert_cmpfloat (metric_value (before, "agsignal_logins_total"), ==, 0);
  g_assert_cmpfloat (metric_value (before, "agsignal_messages_in_total"), ==, 0);
  start_time = metric_value (before, "process_start_time_seconds");
  g_assert_cmpfloat (start_time, >, g_get_real_time () / (double) G_USEC_PER_SEC - 600);
  g_assert_cmpfloat (start_time, <=, g_get_real_time () / (double) G_USEC_PER_SEC);

  alice = connect_demo_user (fixture, "alice");
  bob = connect_client (fixture);
  g_assert_cmpint (request_code (bob, "{\"op\": \"ping\"}"), ==, 1003);
  login_as (bob, "demo", "bob", DEMO_TOKEN);
  g_assert_cmpint (request_code (alice, "{\"op\": \"msg_send\", \"peer\": \"bob\", "
                                        "\"msg\": \"counted\"}"), ==, 0);
  g_assert_cmpint (request_code (alice, "{\"op\": \"channel_join\", \"channel\": \"c\"}"), ==, 0);

  after = fetch_metrics (fixture);
  g_assert_cmpfloat (metric_value (after, "agsignal_connections"), ==, 2);
  g_assert_cmpfloat (metric_value (after, "agsignal_sessions"), ==, 2);
  g_assert_cmpfloat (metric_value (after, "agsignal_channels"), ==, 1);
  g_assert_cmpfloat (metric_value (after, "agsignal_logins_total"), ==, 2);
  g_assert_cmpfloat (metric_value (after, "agsignal_messages_in_total"), ==, 1);
  g_assert_cmpfloat (metric_value (after, "agsignal_messages_out_total"), ==, 1);
  g_assert_cmpfloat (metric_value (after, "agsignal_errors_total{code=\"1003\"}"), ==, 1);
  g_assert_cmpfloat (metric_value (after, "agsignal_frames_in_total"), ==, 5);
  g_assert_cmpfloat (metric_value (after, "agsignal_frames_out_total"), >=, 6);
  g_assert_cmpfloat (metric_value (after, "agsignal_slow_consumer_disconnects_total"), ==, 0);
}

/* Process */

static void
test_sigterm (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(AgTestClient) alice = connect_demo_user (fixture, "alice");
  g_autoptr(AgTestClient) bob = connect_demo_user (fixture, "bob");
  g_autoptr(AgTestRawWebsocket) mute = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  int wait_status = -1;

  /* A peer that never answers the closing handshake does not hold the shutdown up. */
  mute = ag_test_raw_websocket_connect (ag_test_server_get_port (fixture->server), 0, &error);
  g_assert_no_error (error);
  g_assert_true (ag_test_raw_websocket_send_text (mute, "{\"op\":\"ping\",\"id\":1}", -1,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (ag_test_raw_websocket_read_frame (mute, NULL, NULL, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_true (ag_test_server_stop (fixture->server, 5000, &wait_status));
  assert_clean_exit (wait_status);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* Both were told the server is going away. */
  g_assert_true (ag_test_client_wait_closed (alice, AG_TEST_TIMEOUT_MS));
  g_assert_true (ag_test_client_wait_closed (bob, AG_TEST_TIMEOUT_MS));
  g_assert_cmpuint (ag_test_client_get_close_code (alice), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (ag_test_client_get_close_code (bob), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static void
test_version (void)
{
  static const char * const args[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = -1;

  g_assert_true (ag_test_run_agsignald (args, AG_TEST_TIMEOUT_MS, &out, &err, &wait_status));
  assert_clean_exit (wait_status);
  g_assert_cmpstr (out, ==, "agsignald 0.1.0\n");
}

static void
assert_fails_with (const char * const *args,
                   const char         *message_part)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = -1;

  g_assert_true (ag_test_run_agsignald (args, AG_TEST_TIMEOUT_MS, &out, &err, &wait_status));
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
  g_assert_cmpstr (out, ==, "");
  if (strstr (err, message_part) == NULL)
    g_error ("expected “%s” in the error output, got: %s", message_part, err);
}

static void
test_no_app (void)
{
  static const char * const no_app[] = { "--listen", "127.0.0.1:0", NULL };
  static const char * const bad_listen[] = { "--demo", "--listen", "localhost:7070", NULL };
  static const char * const bad_port[] = { "--demo", "--listen", "127.0.0.1:70000", NULL };
  static const char * const extra[] = { "--demo", "surplus", NULL };

  assert_fails_with (no_app, "no app is configured");
  assert_fails_with (bad_listen, "is not an IP address");
  assert_fails_with (bad_port, "is not ADDRESS:PORT");
  assert_fails_with (extra, "unexpected argument");
}

static void
test_bad_config (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "[app:x]\nallow_no_token=maybe\n", ":2: [app:x] allow_no_token: 'maybe' is not true" },
    { "[app:x]\ncertificate=abc\nuser_msg_rate=0\n", ":3: [app:x] user_msg_rate" },
    { "[app:x]\ncertificate=abc\nchannel_msg_rate=fast\n", ":3: [app:x] channel_msg_rate" },
    { "[app:x]\ncertificate=abc\nuser_request_rate=0\n", ":3: [app:x] user_request_rate" },
    { "[app:x]\ncertificate=abc\nmax_channels=-1\n", ":3: [app:x] max_channels" },
    { "[app:x]\ncertificate=abc\nmax_user_attrs=many\n", ":3: [app:x] max_user_attrs" },
    { "[app:x]\ncertificate=abc\nmax_user_attr_bytes=0\n", ":3: [app:x] max_user_attr_bytes" },
    { "[server]\nmax_offline_bytes=0\n[app:x]\nallow_no_token=true\n",
      ":2: [server] max_offline_bytes: '0' is not a whole number of bytes" },
    { "[server]\nmemory_budget=lots\n[app:x]\nallow_no_token=true\n",
      ":2: [server] memory_budget" },
    { "# nothing to log in with\n[app:x]\n", ":2: [app:x]: nobody could log in" },
    { "[apps:x]\nallow_no_token=true\n", ":1: [apps:x]: unknown group" },
    { "[app:x]\nallow_no_token=true\ncolour=blue\n", ":3: [app:x] colour: unknown key" },
    { "[server]\nlisten=localhost\n[app:x]\nallow_no_token=true\n", ":2: [server] listen" },
    { "[app:a b]\nallow_no_token=true\n", ":1: [app:a b]: app id" },
    { "[app:]\nallow_no_token=true\n", ":1: [app:]: app id" },
    { "[app:x]\ncertificate=two words\n", ":2: [app:x] certificate" },
    { "this is not a key file\n", "Key file contains line" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp ("agsignald-bad-XXXXXX.conf", &path, &error);
    const char *args[] = { "--listen", "127.0.0.1:0", "--config", path, NULL };
    g_autofree char *expected = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (fd, >=, 0);
    close (fd);
    g_assert_true (g_file_set_contents (path, cases[i].text, -1, &error));
    g_assert_no_error (error);

    /* Errors name the file, and the line where GKeyFile does not. */
    expected = g_str_has_prefix (cases[i].message, ":") ? g_strconcat (path, cases[i].message, NULL)
                                                        : g_strdup (cases[i].message);
    assert_fails_with (args, expected);
    g_assert_cmpint (g_unlink (path), ==, 0);
  }
}

#define TWO_APPS_CONFIG \
  "[app:alpha]\n" \
  "certificate=alpha-certificate\n" \
  "\n" \
  "[app:beta]\n" \
  "certificate=beta-certificate\n" \
  "allow_no_token=true\n" \
  "user_msg_rate=100\n"

static void
test_config_apps (Fixture       *fixture,
                  gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *alice_token = ag_token_make ("alice", "alpha", "alpha-certificate", now + 3600);
  g_autofree char *alice_v2 = ag_token_make_v2 ("alice2", "alpha", "alpha-certificate",
                                                now + 3600);
  g_autofree char *foreign = ag_token_make ("alice", "alpha", "beta-certificate", now + 3600);
  g_autofree char *expired = ag_token_make ("alice", "alpha", "alpha-certificate", now - 10);
  g_autofree char *beta_token = ag_token_make ("alice", "beta", "beta-certificate", now + 3600);
  g_autoptr(AgTestClient) alpha = connect_client (fixture);
  g_autoptr(AgTestClient) alpha2 = connect_client (fixture);
  g_autoptr(AgTestClient) beta = connect_client (fixture);
  g_autoptr(AgTestClient) beta2 = connect_client (fixture);
  g_autoptr(JsonObject) status = NULL;
  struct {
    const char *app;
    const char *token;
    int         code;
  } refused[] = {
    { "alpha", DEMO_TOKEN, 206 },    /* alpha does not allow it */
    { "alpha", foreign, 206 },       /* made with beta's certificate */
    { "alpha", beta_token, 206 },    /* made for beta */
    { "alpha", expired, 204 },
    { "gamma", DEMO_TOKEN, 202 },    /* no such app */
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autoptr(JsonObject) reply = ag_test_client_login (alpha, refused[i].app, "alice",
                                                        refused[i].token);

    g_assert_cmpint (ag_test_reply_code (reply), ==, refused[i].code);
  }

  /* uids are counted per app. */
  g_assert_cmpint (login_as (alpha, "alpha", "alice", alice_token), ==, 1);
  g_assert_cmpint (login_as (beta, "beta", "bob", DEMO_TOKEN), ==, 1);
  g_assert_cmpint (login_as (alpha2, "alpha", "alice2", alice_v2), ==, 2);
  g_assert_cmpint (login_as (beta2, "beta", "alice", beta_token), ==, 2);

  /* The same account name in two apps is two accounts: alice of alpha cannot reach bob of
   * beta, and alice of beta does not receive what is sent to alice of alpha. */
  g_assert_cmpint (request_code (alpha, "{\"op\": \"msg_send\", \"peer\": \"bob\", "
                                        "\"msg\": \"across\"}"), ==, 1204);
  g_assert_cmpint (request_code (alpha2, "{\"op\": \"msg_send\", \"peer\": \"alice\", "
                                         "\"msg\": \"within alpha\"}"), ==, 0);
  g_assert_cmpint (request_code (beta, "{\"op\": \"msg_send\", \"peer\": \"alice\", "
                                       "\"msg\": \"within beta\"}"), ==, 0);
  {
    g_autoptr(JsonObject) in_alpha = ag_test_client_wait_op (alpha, "msg", AG_TEST_TIMEOUT_MS);
    g_autoptr(JsonObject) in_beta = ag_test_client_wait_op (beta2, "msg", AG_TEST_TIMEOUT_MS);

    g_assert_cmpstr (json_object_get_string_member (in_alpha, "msg"), ==, "within alpha");
    g_assert_cmpstr (json_object_get_string_member (in_beta, "msg"), ==, "within beta");
    g_assert_null (ag_test_client_wait_op (alpha, "msg", 0));
    g_assert_null (ag_test_client_wait_op (beta2, "msg", 0));
  }

  status = ag_test_client_request (beta, "{\"op\": \"user_status\", \"account\": \"alice2\"}");
  g_assert_cmpint (ag_test_reply_code (status), ==, 0);
  g_assert_false (json_object_get_boolean_member (status, "online"));
}

/* The limits of the configuration file reach a real server: user attributes, the request
 * rate and the offline storage, with their codes and the /metrics gauges. */
#define LIMITS_CONFIG \
  "[server]\n" \
  "max_offline_bytes=100\n" \
  "\n" \
  "[app:limits]\n" \
  "allow_no_token=true\n" \
  "user_request_rate=3\n" \
  "max_user_attrs=1\n"

static void
test_config_limits (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(AgTestClient) alice = connect_client (fixture);
  g_autofree char *body = g_strnfill (90, 'x');
  g_autofree char *message = g_strdup_printf ("{\"op\":\"msg_send\",\"peer\":\"bob\","
                                              "\"msg\":\"%s\",\"ttl\":60}", body);
  g_autofree char *metrics = NULL;

  login_as (alice, "limits", "alice", DEMO_TOKEN);
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"a\","
                                        "\"value\":\"1\"}"), ==, 0);
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"b\","
                                        "\"value\":\"1\"}"), ==, 1108);
  g_assert_cmpint (request_code (alice, "{\"op\":\"channel_join\",\"channel\":\"c1\"}"), ==, 0);
  g_assert_cmpint (request_code (alice, "{\"op\":\"channel_join\",\"channel\":\"c2\"}"), ==,
                   1110);

  /* "alice" and 90 bytes fit in 100 once. */
  g_assert_cmpint (request_code (alice, message), ==, 0);
  g_assert_cmpint (request_code (alice, message), ==, 1112);

  metrics = fetch_metrics (fixture);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_offline_bytes"), ==, 95);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_offline_bytes_limit"), ==, 100);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_errors_total{code=\"1112\"}"), ==, 1);
}

/* The memory budget of the configuration file, reported in /metrics and enforced. */
#define BUDGET_CONFIG \
  "[server]\n" \
  "memory_budget=4000\n"

static void
test_config_memory_budget (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(AgTestClient) alice = connect_demo_user (fixture, "alice");
  g_autofree char *value = g_strnfill (4000, 'v');
  g_autofree char *set = g_strdup_printf ("{\"op\":\"user_set_attr\",\"name\":\"a\","
                                          "\"value\":\"%s\"}", value);
  g_autofree char *metrics = NULL;

  g_assert_cmpint (request_code (alice, set), ==, 0);
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"b\","
                                        "\"value\":\"1\"}"), ==, 1113);
  g_assert_cmpint (request_code (alice, "{\"op\":\"msg_send\",\"peer\":\"alice\","
                                        "\"msg\":\"hi\"}"), ==, 1113);
  g_assert_cmpint (request_code (alice, "{\"op\":\"ping\"}"), ==, 0);

  metrics = fetch_metrics (fixture);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_memory_budget_bytes"), ==, 4000);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_memory_bytes{part=\"state\"}"), ==, 4001);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_memory_bytes{part=\"output\"}"), >=, 0);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_errors_total{code=\"1113\"}"), ==, 2);

  /* Deleting makes room. */
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"a\","
                                        "\"value\":\"\"}"), ==, 0);
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"b\","
                                        "\"value\":\"1\"}"), ==, 0);
}

/* One client floods a real server with requests that leave state behind, as fast as it can
 * and without waiting for replies: channels, invitations and attributes stop at their bounds
 * with their codes, and a bystander is served throughout. */
#define FLOOD_CONFIG \
  "[app:flood]\n" \
  "allow_no_token=true\n" \
  "user_request_rate=1000000\n" \
  "max_channels=100\n"
#define FLOOD_REQUESTS 1000

static void
test_state_flood (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(AgTestClient) mallory = connect_client (fixture);
  g_autoptr(AgTestClient) bystander = connect_demo_user (fixture, "bystander");
  g_autoptr(GHashTable) codes = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *metrics = NULL;

  login_as (mallory, "flood", "mallory", DEMO_TOKEN);
  for (guint i = 0; i < FLOOD_REQUESTS; i++) {
    g_autofree char *join = g_strdup_printf ("{\"op\":\"channel_join\",\"channel\":\"c%u\"}", i);
    g_autofree char *invite = g_strdup_printf ("{\"op\":\"call_invite\",\"channel\":\"room\","
                                               "\"peer\":\"p%u\"}", i);
    g_autofree char *attr = g_strdup_printf ("{\"op\":\"user_set_attr\",\"name\":\"a%u\","
                                             "\"value\":\"v\"}", i);
    gint64 id;

    id = ag_test_client_send_request (mallory, join);
    g_array_append_val (ids, id);
    id = ag_test_client_send_request (mallory, invite);
    g_array_append_val (ids, id);
    id = ag_test_client_send_request (mallory, attr);
    g_array_append_val (ids, id);

    if (i % 100 == 0)
      g_assert_cmpint (request_code (bystander, "{\"op\":\"ping\"}"), ==, 0);
  }

  for (guint i = 0; i < ids->len; i++) {
    g_autoptr(JsonObject) reply = ag_test_client_wait_reply (mallory,
                                                             g_array_index (ids, gint64, i),
                                                             AG_TEST_TIMEOUT_MS);
    int code;

    g_assert_nonnull (reply);
    code = ag_test_reply_code (reply);
    g_hash_table_insert (codes, GINT_TO_POINTER (code),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
                           codes, GINT_TO_POINTER (code))) + 1));
  }

  /* 100 channels, 64 invitations, 64 attributes succeed; everything else is refused. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (codes, GINT_TO_POINTER (0))), ==,
                    100 + AG_LIMIT_CALLS_PER_CALLER + AG_LIMIT_USER_ATTRS);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (codes, GINT_TO_POINTER (1109))), ==,
                    FLOOD_REQUESTS - 100);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (codes, GINT_TO_POINTER (1111))), ==,
                    FLOOD_REQUESTS - AG_LIMIT_CALLS_PER_CALLER);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (codes, GINT_TO_POINTER (1108))), ==,
                    FLOOD_REQUESTS - AG_LIMIT_USER_ATTRS);

  metrics = fetch_metrics (fixture);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_channels"), <=, 100);
  g_assert_cmpint (request_code (bystander, "{\"op\":\"ping\"}"), ==, 0);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef struct {
  const char *path;
  const char *needle;
  guint       count;   /* how many times it must be there */
} LogWait;

static gboolean
log_has (gpointer data)
{
  const LogWait *wait = data;
  g_autofree char *log = NULL;
  const char *at;
  guint found = 0;

  if (!g_file_get_contents (wait->path, &log, NULL, NULL))
    return FALSE;

  for (at = strstr (log, wait->needle); at != NULL; at = strstr (at + 1, wait->needle))
    found++;

  return found >= wait->count;
}

/* Waits (bounded) until the server's log holds needle count times. */
static gboolean
wait_for_log (const char *path,
              const char *needle,
              guint       count)
{
  LogWait wait = { path, needle, count };
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean found = ag_test_spin_until (log_has, &wait, AG_TEST_TIMEOUT_MS);

  g_source_remove (tick);
  return found;
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

/* SIGHUP reloads apps and limits into the running server, sessions kept; a configuration
 * with a mistake changes nothing; SIGUSR1 and SIGUSR2 log a status line. None of them ends
 * the process. */
static void
test_sighup_reload (void)
{
  g_autoptr(AgTestServer) server = NULL;
  g_autoptr(AgTestClient) alice = NULL;
  g_autoptr(AgTestClient) bob = NULL;
  g_autoptr(AgTestClient) carol = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autofree char *dir = g_dir_make_tmp ("agsignald-reload-XXXXXX", &error);
  g_autofree char *config_path = g_build_filename (dir, "agsignald.conf", NULL);
  g_autofree char *log_path = g_build_filename (dir, "stderr.log", NULL);
  const char *args[] = { "--config", config_path, NULL };
  int wait_status = -1;

  g_assert_no_error (error);
  write_file (config_path, "[app:reload]\nallow_no_token=true\n");
  server = ag_test_server_new_full (NULL, args, log_path, &error);
  g_assert_no_error (error);

  alice = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (alice, "reload", "alice", DEMO_TOKEN);
  bob = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  refused = ag_test_client_login (bob, "added", "bob", DEMO_TOKEN);
  g_assert_cmpint (ag_test_reply_code (refused), ==, 202);
  g_clear_pointer (&bob, ag_test_client_free);

  write_file (config_path, "[app:reload]\nallow_no_token=true\nmax_user_attrs=1\n\n"
                           "[app:added]\nallow_no_token=true\n");
  g_assert_cmpint (kill (ag_test_server_get_pid (server), SIGHUP), ==, 0);
  g_assert_true (wait_for_log (log_path, "configuration reloaded (3 apps)", 1));

  /* The session is kept and gets the new limit; the new app takes logins. */
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"a\","
                                        "\"value\":\"1\"}"), ==, 0);
  g_assert_cmpint (request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"b\","
                                        "\"value\":\"1\"}"), ==, 1108);
  bob = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (bob, "added", "bob", DEMO_TOKEN);

  write_file (config_path, "[app:reload]\nallow_no_token=maybe\n");
  g_assert_cmpint (kill (ag_test_server_get_pid (server), SIGHUP), ==, 0);
  g_assert_true (wait_for_log (log_path, "the configuration was not reloaded", 1));
  carol = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (carol, "added", "carol", DEMO_TOKEN);

  g_assert_cmpint (kill (ag_test_server_get_pid (server), SIGUSR1), ==, 0);
  g_assert_true (wait_for_log (log_path, "status: 3 connections, 3 sessions", 1));
  g_assert_cmpint (kill (ag_test_server_get_pid (server), SIGUSR2), ==, 0);
  g_assert_true (wait_for_log (log_path, "status: 3 connections, 3 sessions", 2));

  g_assert_true (ag_test_server_is_running (server));
  g_assert_cmpint (request_code (alice, "{\"op\":\"ping\"}"), ==, 0);
  g_assert_cmpint (request_code (bob, "{\"op\":\"ping\"}"), ==, 0);

  g_assert_true (ag_test_server_stop (server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  assert_clean_exit (wait_status);
  g_assert_cmpint (g_unlink (config_path), ==, 0);
  g_assert_cmpint (g_unlink (log_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static guint
count_open_files (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

/* utime + stime of a process, in clock ticks. */
static guint64
cpu_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  /* The name in parentheses may hold spaces: fields are counted after it. */
  after_name = strrchr (stat, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >, 12);

  return g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
}

static int
connect_tcp (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = g_htons (port),
                                 .sin_addr.s_addr = g_htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);

  return fd;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Out of file descriptors, the epoll transport neither spins nor floods its log: waiting
 * connections are closed at once, accepting pauses, the clients it has are served, each
 * failure counts in /metrics, and once descriptors are back it accepts again. */
#define STORM_CONNECTIONS 200

static void
test_accept_out_of_files (void)
{
  g_autoptr(AgTestServer) server = NULL;
  g_autoptr(AgTestClient) bystander = NULL;
  g_autoptr(AgTestClient) later = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *metrics_uri = NULL;
  g_autofree char *metrics = NULL;
  int storm[STORM_CONNECTIONS];
  struct rlimit saved, low;
  guint64 ticks_before, ticks_after;
  gint64 wall_before, wall_after;
  guint closed = 0, lines = 0;
  int wait_status = -1;
  GPid pid;
  int fd;

  fd = g_file_open_tmp ("agsignald-emfile-XXXXXX.log", &log_path, &error);
  g_assert_no_error (error);
  close (fd);
  server = ag_test_server_new_full (NULL, NULL, log_path, &error);
  g_assert_no_error (error);
  pid = ag_test_server_get_pid (server);
  bystander = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (bystander, "demo", "bystander", DEMO_TOKEN);

  /* Two descriptors to spare, then every accept fails with EMFILE. */
  g_assert_cmpint (prlimit (pid, RLIMIT_NOFILE, NULL, &saved), ==, 0);
  low.rlim_cur = count_open_files (pid) + 2;
  low.rlim_max = saved.rlim_max;
  g_assert_cmpint (prlimit (pid, RLIMIT_NOFILE, &low, NULL), ==, 0);

  ticks_before = cpu_ticks (pid);
  wall_before = g_get_monotonic_time ();
  for (guint i = 0; i < STORM_CONNECTIONS; i++)
    storm[i] = connect_tcp (ag_test_server_get_port (server));

  /* The bystander is served throughout. */
  for (guint i = 0; i < 10; i++) {
    g_assert_cmpint (request_code (bystander, "{\"op\":\"ping\"}"), ==, 0);
    ag_test_spin_until (never, NULL, 100);
  }
  ticks_after = cpu_ticks (pid);
  wall_after = g_get_monotonic_time ();

  /* A spinning server would use a whole core: it uses a small part of one. */
  g_test_message ("server CPU during the storm: %" G_GUINT64_FORMAT " ticks in %" G_GINT64_FORMAT
                  " ms", ticks_after - ticks_before, (wall_after - wall_before) / 1000);
  g_assert_cmpuint ((ticks_after - ticks_before) * 1000, <,
                    (guint64) ((wall_after - wall_before) / 1000) * sysconf (_SC_CLK_TCK) / 2);

  /* Connections beyond the limit were closed by the server, not left in the backlog. */
  for (guint i = 0; i < STORM_CONNECTIONS; i++) {
    struct timeval timeout = { .tv_sec = 0, .tv_usec = 1000 };
    char byte;

    setsockopt (storm[i], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (recv (storm[i], &byte, 1, 0) == 0 || errno == ECONNRESET)
      closed++;
  }
  g_test_message ("%u of %d storm connections closed by the server", closed, STORM_CONNECTIONS);
  g_assert_cmpuint (closed, >, STORM_CONNECTIONS / 2);
  for (guint i = 0; i < STORM_CONNECTIONS; i++)
    close (storm[i]);

  g_assert_cmpint (prlimit (pid, RLIMIT_NOFILE, &saved, NULL), ==, 0);

  /* Accepting again: a new client logs in, and /metrics counted the failures. */
  later = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  login_as (later, "demo", "later", DEMO_TOKEN);
  metrics_uri = ag_test_server_get_http_uri (server, "/metrics");
  metrics = ag_test_http_get (metrics_uri, NULL, NULL);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_accept_errors_total"), >=, 1);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_accepts_refused_total"), >=, 1);

  g_assert_true (ag_test_server_stop (server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  assert_clean_exit (wait_status);

  /* One message, not one per failure. */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  for (const char *at = strstr (log, "Cannot accept"); at != NULL;
       at = strstr (at + 1, "Cannot accept"))
    lines++;
  g_test_message ("%u log lines about accepting", lines);
  g_assert_cmpuint (lines, >=, 1);
  g_assert_cmpuint (lines, <=, 2);
  g_assert_cmpint (g_unlink (log_path), ==, 0);
}

static void
test_file_limit (void)
{
  g_autoptr(AgTestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *limits_path = NULL;
  g_autofree char *limits = NULL;
  g_auto(GStrv) lines = NULL;
  struct rlimit saved, lowered;
  gboolean found = FALSE;
  int wait_status = -1;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  if (saved.rlim_max <= 256) {
    g_test_skip ("the hard open file limit is too low to see it raised");
    return;
  }

  /* The server inherits a low soft limit and must raise it to the hard one. */
  lowered = saved;
  lowered.rlim_cur = 256;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &lowered), ==, 0);
  server = ag_test_server_new (NULL, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  g_assert_no_error (error);

  limits_path = g_strdup_printf ("/proc/%d/limits", (int) ag_test_server_get_pid (server));
  g_assert_true (g_file_get_contents (limits_path, &limits, NULL, &error));
  g_assert_no_error (error);

  lines = g_strsplit (limits, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    unsigned long long soft, hard;

    if (!g_str_has_prefix (lines[i], "Max open files"))
      continue;

    g_assert_cmpint (sscanf (lines[i] + strlen ("Max open files"), "%llu %llu", &soft, &hard),
                     ==, 2);
    g_assert_cmpuint (soft, ==, hard);
    g_assert_cmpuint (hard, ==, saved.rlim_max);
    found = TRUE;
  }
  g_assert_true (found);

  g_assert_true (ag_test_server_stop (server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  assert_clean_exit (wait_status);
}

/* The accept queue length of the listening socket on port, from /proc/net/tcp. */
static int
accept_queue_length (guint16 port)
{
  g_autofree char *table = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *local = g_strdup_printf ("0100007F:%04X", port);

  g_assert_true (g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL));
  lines = g_strsplit (table, "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++) {
    char address[64], remote[64], state[8];
    unsigned int tx_queue, rx_queue;

    if (sscanf (lines[i], " %*d: %63s %63s %7s %x:%x", address, remote, state,
                &tx_queue, &rx_queue) != 5)
      continue;

    /* 0A is LISTEN; for a listening socket rx_queue is the accept queue. */
    if (g_str_equal (address, local) && g_str_equal (state, "0A"))
      return (int) rx_queue;
  }

  return -1;
}

#define BURST_CONNECTIONS 300

static void
test_backlog (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address =
    g_inet_socket_address_new (loopback, ag_test_server_get_port (fixture->server));
  g_autofree char *somaxconn = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *body = NULL;
  GPid pid = ag_test_server_get_pid (fixture->server);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint connected = 0;
  guint status = 0;

  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &somaxconn, NULL, NULL) &&
      g_ascii_strtoull (somaxconn, NULL, 10) < BURST_CONNECTIONS) {
    g_test_skip ("net.core.somaxconn caps every listen backlog below the burst");
    return;
  }

  /* With the server stopped nothing is accepted: only the kernel's accept queue, whose
   * length is the listen backlog, can complete the handshakes. SoupServer's default of 10
   * would leave all but 11 of them waiting for a SYN retransmission. */
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);

  for (guint i = 0; i < BURST_CONNECTIONS; i++) {
    g_autoptr(GError) error = NULL;
    GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                    G_SOCKET_PROTOCOL_TCP, &error);

    g_assert_no_error (error);
    g_socket_set_blocking (socket, FALSE);
    if (!g_socket_connect (socket, address, NULL, &error))
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
    g_ptr_array_add (sockets, socket);
  }

  for (guint i = 0; i < sockets->len; i++) {
    GSocket *socket = g_ptr_array_index (sockets, i);
    gint64 remaining_ms = (deadline - g_get_monotonic_time ()) / 1000;
    g_autoptr(GError) error = NULL;

    /* Writable means the handshake finished (or failed, which the result tells). */
    if (remaining_ms > 0)
      g_socket_condition_timed_wait (socket, G_IO_OUT, remaining_ms * 1000, NULL, NULL);
    if ((g_socket_condition_check (socket, G_IO_OUT) & G_IO_OUT) != 0 &&
        g_socket_check_connect_result (socket, &error))
      connected++;
  }

  g_assert_cmpint (accept_queue_length (ag_test_server_get_port (fixture->server)),
                   ==, BURST_CONNECTIONS);
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  g_assert_cmpuint (connected, ==, BURST_CONNECTIONS);

  /* Once running again the server takes them all and still answers. */
  g_ptr_array_set_size (sockets, 0);
  uri = ag_test_server_get_http_uri (fixture->server, "/healthz");
  body = ag_test_http_get (uri, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
}

/* Slow consumers */

#define BULK_CONFIG \
  "[app:bulk]\n" \
  "allow_no_token=true\n" \
  "user_msg_rate=1000000\n"

#define BULK_MESSAGE_BYTES 8000
#define BULK_BATCH         64
#define BULK_MAX_MESSAGES  8192

static void
test_slow_consumer (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(AgTestRawWebsocket) slow = NULL;
  g_autoptr(AgTestClient) fast = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) login_reply = NULL;
  g_autofree char *request = NULL;
  g_autofree char *metrics = NULL;
  GString *msg = g_string_new (NULL);
  guint sent = 0;
  gboolean dropped = FALSE;
  gboolean saw_1105 = FALSE;
  int close_status;
  guint8 opcode;

  /* A tiny receive window: what the server sends piles up on its side. */
  slow = ag_test_raw_websocket_connect (ag_test_server_get_port (fixture->server), 4096, &error);
  g_assert_no_error (error);
  g_assert_true (ag_test_raw_websocket_send_text (slow,
    "{\"op\":\"login\",\"id\":1,\"app_id\":\"bulk\",\"account\":\"slow\","
    "\"token\":\"_no_need_token\"}", -1, &error));
  g_assert_no_error (error);
  g_assert_true (ag_test_raw_websocket_read_frame (slow, &opcode, &login_reply, &error));
  g_assert_no_error (error);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (login_reply, NULL),
                                  g_bytes_get_size (login_reply), "\"ok\""));

  fast = connect_client (fixture);
  login_as (fast, "bulk", "fast", DEMO_TOKEN);

  while (msg->len < BULK_MESSAGE_BYTES)
    g_string_append_c (msg, 'a' + msg->len % 26);
  request = g_strdup_printf ("{\"op\":\"msg_send\",\"peer\":\"slow\",\"msg\":\"%s\"}", msg->str);
  g_string_free (msg, TRUE);

  /* Send until the server gives up on the consumer: the peer then is offline (1204). */
  while (!dropped && sent < BULK_MAX_MESSAGES) {
    gint64 first = 0;

    for (guint i = 0; i < BULK_BATCH; i++) {
      gint64 id = ag_test_client_send_request (fast, request);

      if (i == 0)
        first = id;
    }
    sent += BULK_BATCH;

    for (gint64 id = first; id < first + BULK_BATCH; id++) {
      g_autoptr(JsonObject) reply = ag_test_client_wait_reply (fast, id, AG_TEST_TIMEOUT_MS);
      int code = ag_test_reply_code (reply);

      g_assert_true (code == 0 || code == 1204);
      dropped |= code == 1204;
    }
  }
  g_assert_true (dropped);

  metrics = fetch_metrics (fixture);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_slow_consumer_disconnects_total"), ==, 1);
  g_assert_cmpfloat (metric_value (metrics, "agsignal_errors_total{code=\"1105\"}"), ==, 1);

  /* Reading now, the consumer finds the queued messages, the 1105 error and the close. */
  close_status = ag_test_raw_websocket_read_close (slow, texts);
  g_assert_cmpint (close_status, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpuint (texts->len, >, 0);
  for (guint i = 0; i < texts->len; i++)
    saw_1105 |= strstr (g_ptr_array_index (texts, i), "\"code\":1105") != NULL;
  g_assert_true (saw_1105);

  /* The sender was never affected. */
  g_assert_cmpint (request_code (fast, "{\"op\": \"ping\"}"), ==, 0);
}

static void
add_server_test (const char    *path,
                 const char    *config_text,
                 void         (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, config_text, fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_server_test ("/ag/server/login", NULL, test_login);
  add_server_test ("/ag/server/logout", NULL, test_logout);
  add_server_test ("/ag/server/kick", NULL, test_kick);
  add_server_test ("/ag/server/token-expiry", NULL, test_token_expiry);
  add_server_test ("/ag/server/peer-message", NULL, test_peer_message);
  add_server_test ("/ag/server/channel", NULL, test_channel);
  add_server_test ("/ag/server/subprotocol-required", NULL, test_subprotocol_required);
  add_server_test ("/ag/server/oversized-frame", NULL, test_oversized_frame);
  add_server_test ("/ag/server/binary-frame", NULL, test_binary_frame);
  add_server_test ("/ag/server/healthz", NULL, test_healthz);
  add_server_test ("/ag/server/metrics", NULL, test_metrics);
  add_server_test ("/ag/server/sigterm", NULL, test_sigterm);
  add_server_test ("/ag/server/config-apps", TWO_APPS_CONFIG, test_config_apps);
  add_server_test ("/ag/server/config-limits", LIMITS_CONFIG, test_config_limits);
  add_server_test ("/ag/server/state-flood", FLOOD_CONFIG, test_state_flood);
  add_server_test ("/ag/server/config-memory-budget", BUDGET_CONFIG, test_config_memory_budget);
  add_server_test ("/ag/server/backlog", NULL, test_backlog);
  add_server_test ("/ag/server/slow-consumer", BULK_CONFIG, test_slow_consumer);
  g_test_add_func ("/ag/server/version", test_version);
  g_test_add_func ("/ag/server/command-line-errors", test_no_app);
  g_test_add_func ("/ag/server/config-errors", test_bad_config);
  g_test_add_func ("/ag/server/file-limit", test_file_limit);
  g_test_add_func ("/ag/server/wire-trace", test_wire_trace);
  g_test_add_func ("/ag/server/offline-backlog", test_offline_backlog);
  g_test_add_func ("/ag/server/sighup-reload", test_sighup_reload);
  g_test_add_func ("/ag/server/accept-out-of-files", test_accept_out_of_files);

  return g_test_run ();
}
