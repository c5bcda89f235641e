/* test-admin.c: the admin API of agsignald (docs/admin-api.md), against a real process
 *
 * Operators log in with per-app or server-wide keys, take a snapshot followed by the live
 * stream, list and page users, channels and members, and act on sessions and channels. Every
 * refusal the document lists is provoked here too.
 */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "ag-test-client.h"
#include "ag-test-server.h"

#define DEMO_TOKEN  "_no_need_token"
#define SERVER_KEY  "server-key-0123456789abcdef"
#define DEMO_KEY    "demo-admin-key-0123456789"
#define OTHER_KEY   "other-admin-key-0123456789"

static const char config_text[] =
  "[server]\n"
  "admin_key=" SERVER_KEY "\n"
  "[app:demo]\n"
  "allow_no_token=true\n"
  "admin_key=" DEMO_KEY "\n"
  "[app:other]\n"
  "allow_no_token=true\n"
  "admin_key=" OTHER_KEY "\n"
  "[app:nokey]\n"
  "allow_no_token=true\n";

typedef struct {
  AgTestServer *server;
  char         *stderr_path;
  GPtrArray    *clients;   /* of AgTestClient*, freed at teardown */
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("agsignald-admin-XXXXXX.log", &fx->stderr_path, &error);

  g_assert_no_error (error);
  close (fd);

  fx->server = ag_test_server_new_full (config_text, NULL, fx->stderr_path, &error);
  g_assert_no_error (error);
  fx->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_client_free);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  int wait_status = -1;

  g_clear_pointer (&fx->clients, g_ptr_array_unref);
  g_assert_true (ag_test_server_stop (fx->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  g_clear_pointer (&fx->server, ag_test_server_free);
  g_unlink (fx->stderr_path);
  g_free (fx->stderr_path);
}

static AgTestClient *
connect_client (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  AgTestClient *client = ag_test_client_new (ag_test_server_get_uri (fx->server), &error);

  g_assert_no_error (error);
  g_ptr_array_add (fx->clients, client);

  return client;
}

static AgTestClient *
user (Fixture    *fx,
      const char *app_id,
      const char *account)
{
  AgTestClient *client = connect_client (fx);
  g_autoptr(JsonObject) reply = ag_test_client_login (client, app_id, account, DEMO_TOKEN);

  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);

  return client;
}

static JsonObject *
request (AgTestClient *client,
         const char   *format,
         ...) G_GNUC_PRINTF (2, 3);

static JsonObject *
request (AgTestClient *client,
         const char   *format,
         ...)
{
  g_autofree char *text = NULL;
  JsonObject *reply;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  reply = ag_test_client_request (client, text);
  g_assert_nonnull (reply);

  return reply;
}

static void
join (AgTestClient *client,
      const char   *channel)
{
  g_autoptr(JsonObject) reply = request (client, "{\"op\":\"channel_join\",\"channel\":\"%s\"}",
                                         channel);

  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
}

static AgTestClient *
admin (Fixture    *fx,
       const char *app_id,
       const char *key)
{
  AgTestClient *client = connect_client (fx);
  g_autoptr(JsonObject) reply = request (client, "{\"op\":\"admin_login\",\"app_id\":\"%s\","
                                         "\"key\":\"%s\"}", app_id, key);

  if (ag_test_reply_code (reply) != 0)
    g_printerr ("admin login: %s\n", json_object_get_string_member (reply, "reason"));
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);

  return client;
}

static void
assert_code (JsonObject *reply,
             int         code)
{
  g_assert_nonnull (reply);
  g_assert_cmpint (ag_test_reply_code (reply), ==, code);
  json_object_unref (reply);
}

/* The next admin_event of the stream, which must be of type. */
static JsonObject *
next_event (AgTestClient *client,
            const char   *type)
{
  for (;;) {
    JsonObject *event = ag_test_client_wait_op (client, "admin_event", AG_TEST_TIMEOUT_MS);

    g_assert_nonnull (event);
    /* Counts come once a second and are not part of the state. */
    if (g_str_equal (json_object_get_string_member (event, "type"), "counts")) {
      json_object_unref (event);
      continue;
    }

    g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, type);
    return event;
  }
}

/* Reads the snapshot after a subscribe: fills users (account -> channel or "") and channels
 * (name -> member count) and returns the snapshot's sequence number. */
static gint64
read_snapshot (AgTestClient *client,
               GHashTable   *users,
               GHashTable   *channels)
{
  for (;;) {
    g_autoptr(JsonObject) frame = ag_test_client_wait_frame (client, AG_TEST_TIMEOUT_MS);
    const char *op;

    g_assert_nonnull (frame);
    op = json_object_get_string_member (frame, "op");

    if (g_str_equal (op, "admin_snapshot_end"))
      return json_object_get_int_member (frame, "seq");

    if (!g_str_equal (op, "admin_snapshot"))
      continue;

    {
      JsonArray *list = json_object_get_array_member (frame, "users");

      for (guint i = 0; i < json_array_get_length (list); i++) {
        JsonObject *record = json_array_get_object_element (list, i);
        const char *channel = json_object_get_null_member (record, "channel") ? "" :
                                json_object_get_string_member (record, "channel");

        g_assert_true (g_str_has_prefix (json_object_get_string_member (record, "address"),
                                         "127.0.0.1:"));
        g_hash_table_insert (users, g_strdup (json_object_get_string_member (record, "account")),
                             g_strdup (channel));
      }

      list = json_object_get_array_member (frame, "channels");
      for (guint i = 0; i < json_array_get_length (list); i++) {
        JsonObject *record = json_array_get_object_element (list, i);

        g_hash_table_insert (channels,
                             g_strdup (json_object_get_string_member (record, "name")),
                             GINT_TO_POINTER (json_object_get_int_member (record, "members")));
      }
    }
  }
}

/* Refusals */

static void
test_refusals (Fixture       *fx,
               gconstpointer  data)
{
  AgTestClient *client = connect_client (fx);
  AgTestClient *alice = user (fx, "demo", "alice");
  AgTestClient *operator;
  g_autofree char *metrics_uri = ag_test_server_get_http_uri (fx->server, "/metrics");
  g_autofree char *metrics = NULL;
  g_autofree char *log = NULL;
  guint status = 0;

  /* Before admin_login, no admin request is answered. */
  assert_code (request (client, "{\"op\":\"admin_users\"}"), 1300);
  /* Wrong key, another app's key, an app without a key, an unknown app. */
  assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}",
                        "wrong-key-0123456789"), 1300);
  assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}",
                        OTHER_KEY), 1300);
  assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"nokey\",\"key\":\"%s\"}",
                        DEMO_KEY), 1300);
  assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"nope\",\"key\":\"%s\"}",
                        DEMO_KEY), 1300);
  /* A missing key is a wrong parameter. */
  assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"demo\"}"), 1004);

  /* A client session is not an admin, and the reverse. */
  assert_code (request (alice, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}",
                        DEMO_KEY), 1303);
  assert_code (request (alice, "{\"op\":\"admin_stats\"}"), 1303);

  operator = admin (fx, "demo", DEMO_KEY);
  assert_code (request (operator, "{\"op\":\"msg_send\",\"peer\":\"alice\",\"msg\":\"x\"}"), 1303);
  assert_code (request (operator, "{\"op\":\"ping\"}"), 0);
  assert_code (request (operator, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}",
                        DEMO_KEY), 1303);

  /* Malformed requests. */
  assert_code (request (operator, "{\"op\":\"admin_users\",\"limit\":0}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_users\",\"limit\":1001}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_users\",\"limit\":\"10\"}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_users\",\"match\":\"regex\"}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_channels\",\"sort\":\"size\"}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_channels\",\"offset\":-1}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_channel\"}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_nothing\"}"), 1201);
  assert_code (request (operator, "{\"op\":\"admin_channel\",\"channel\":\"none\"}"), 1302);
  assert_code (request (operator, "{\"op\":\"admin_kick\",\"account\":\"nobody\"}"), 1301);
  assert_code (request (operator, "{\"op\":\"admin_user\",\"account\":\"nobody\"}"), 1301);

  /* The demo key sees nothing of the other app. */
  user (fx, "other", "otto");
  {
    g_autoptr(JsonObject) reply = request (operator, "{\"op\":\"admin_users\"}");
    JsonArray *users = json_object_get_array_member (reply, "users");

    g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (users, 0),
                                                    "account"), ==, "alice");
  }
  assert_code (request (operator, "{\"op\":\"admin_kick\",\"account\":\"otto\"}"), 1301);

  /* Refusals are counted; no key reaches the log or the metrics. */
  metrics = ag_test_http_get (metrics_uri, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (metrics, "agsignal_admin_auth_failures_total 4\n"));
  g_assert_nonnull (strstr (metrics, "agsignal_admin_connections 1\n"));
  g_assert_null (strstr (metrics, DEMO_KEY));

  g_assert_true (g_file_get_contents (fx->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "admin login refused for app demo from 127.0.0.1:"));
  g_assert_null (strstr (log, DEMO_KEY));
  g_assert_null (strstr (log, OTHER_KEY));
  g_assert_null (strstr (log, "wrong-key-0123456789"));
}

static void
test_throttle (Fixture       *fx,
               gconstpointer  data)
{
  AgTestClient *client = connect_client (fx);
  g_autoptr(JsonObject) reply = NULL;

  for (guint i = 0; i < 5; i++)
    assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}",
                          "wrong-key-0123456789"), 1300);

  /* Throttled: even the right key is refused until the delay has passed. */
  reply = request (client, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}", DEMO_KEY);
  g_assert_cmpint (ag_test_reply_code (reply), ==, 1300);
  g_assert_nonnull (strstr (json_object_get_string_member (reply, "reason"), "retry later"));

  g_usleep (300 * 1000);
  assert_code (request (client, "{\"op\":\"admin_login\",\"app_id\":\"demo\",\"key\":\"%s\"}",
                        DEMO_KEY), 0);
}

/* The snapshot and the stream */

static void
test_snapshot_and_stream (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  AgTestClient *operator;
  AgTestClient *late;
  gint64 seq, snapshot_seq;

  /* Twenty users before the operator comes, in two channels with attributes. */
  for (guint i = 0; i < 20; i++) {
    g_autofree char *account = g_strdup_printf ("user%02u", i);
    AgTestClient *client = user (fx, "demo", account);

    if (i < 12)
      join (client, i % 2 == 0 ? "even" : "odd");
    if (i == 0)
      assert_code (request (client, "{\"op\":\"channel_set_attr\",\"name\":\"topic\","
                                    "\"value\":\"numbers\"}"), 0);
  }

  operator = admin (fx, "demo", DEMO_KEY);
  reply = request (operator, "{\"op\":\"admin_subscribe\"}");
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  g_assert_false (json_object_get_boolean_member (reply, "resumed"));
  g_assert_cmpint (json_object_get_int_member (reply, "users"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (reply, "channels"), ==, 2);
  seq = json_object_get_int_member (reply, "seq");

  snapshot_seq = read_snapshot (operator, users, channels);
  g_assert_cmpint (snapshot_seq, ==, seq);
  g_assert_cmpuint (g_hash_table_size (users), ==, 20);
  g_assert_cmpstr (g_hash_table_lookup (users, "user00"), ==, "even");
  g_assert_cmpstr (g_hash_table_lookup (users, "user19"), ==, "");
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (channels, "even")), ==, 6);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (channels, "odd")), ==, 6);

  /* Every later change is one event, numbered on from the snapshot. */
  late = user (fx, "demo", "late");
  event = next_event (operator, "online");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (event, "user"),
                                                  "account"), ==, "late");
  g_clear_pointer (&event, json_object_unref);

  join (late, "fresh");
  event = next_event (operator, "channel");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (event,
                                                                                 "channel"),
                                                  "name"), ==, "fresh");
  g_clear_pointer (&event, json_object_unref);
  event = next_event (operator, "join");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 3);
  g_assert_cmpint (json_object_get_int_member (event, "members"), ==, 1);
  g_clear_pointer (&event, json_object_unref);

  assert_code (request (late, "{\"op\":\"channel_set_attr\",\"name\":\"_channel_ttl\","
                              "\"value\":\"0\"}"), 0);
  event = next_event (operator, "attr");
  g_assert_cmpstr (json_object_get_string_member (event, "attr"), ==, "_channel_ttl");
  g_clear_pointer (&event, json_object_unref);

  assert_code (request (late, "{\"op\":\"channel_leave\"}"), 0);
  event = next_event (operator, "leave");
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 602);
  g_assert_cmpint (json_object_get_int_member (event, "members"), ==, 0);
  g_clear_pointer (&event, json_object_unref);
  event = next_event (operator, "channel_gone");
  g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "fresh");
  g_clear_pointer (&event, json_object_unref);

  assert_code (request (late, "{\"op\":\"logout\"}"), 0);
  event = next_event (operator, "offline");
  g_assert_cmpstr (json_object_get_string_member (event, "account"), ==, "late");
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 101);
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 7);
}

static void
test_resume (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *epoch = NULL;
  AgTestClient *operator = admin (fx, "demo", DEMO_KEY);
  gint64 seq;

  reply = request (operator, "{\"op\":\"admin_subscribe\"}");
  epoch = g_strdup (json_object_get_string_member (reply, "epoch"));
  seq = read_snapshot (operator, users, channels);
  g_ptr_array_remove (fx->clients, operator);

  /* While the operator is away: two logins. */
  user (fx, "demo", "away1");
  user (fx, "demo", "away2");

  operator = admin (fx, "demo", DEMO_KEY);
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_subscribe\",\"since\":%" G_GINT64_FORMAT ","
                             "\"epoch\":\"%s\"}", seq, epoch);
  g_assert_true (json_object_get_boolean_member (reply, "resumed"));
  g_assert_cmpint (json_object_get_int_member (reply, "seq"), ==, seq);

  event = next_event (operator, "online");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 1);
  g_clear_pointer (&event, json_object_unref);
  event = next_event (operator, "online");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 2);
  g_ptr_array_remove (fx->clients, operator);

  /* Another epoch (a restarted server) or a sequence from the future: a full snapshot. */
  operator = admin (fx, "demo", DEMO_KEY);
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_subscribe\",\"since\":%" G_GINT64_FORMAT ","
                             "\"epoch\":\"0000\"}", seq);
  g_assert_false (json_object_get_boolean_member (reply, "resumed"));
  g_assert_cmpint (json_object_get_int_member (reply, "users"), ==, 2);
  g_hash_table_remove_all (users);
  read_snapshot (operator, users, channels);
  g_assert_true (g_hash_table_contains (users, "away2"));

  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_subscribe\"}");
  g_assert_cmpint (ag_test_reply_code (reply), ==, 1004);
}

/* Listings */

static void
test_users_paging (Fixture       *fx,
                   gconstpointer  data)
{
  AgTestClient *operator;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *next = NULL;
  guint seen = 0;

  for (guint i = 0; i < 25; i++) {
    g_autofree char *account = g_strdup_printf ("%s%02u", i < 5 ? "bob" : "amy", i);

    user (fx, "demo", account);
  }
  operator = admin (fx, "demo", DEMO_KEY);

  /* Three pages of ten, in account order, with cursors. */
  for (guint page = 0; page < 3; page++) {
    JsonArray *users;

    g_clear_pointer (&reply, json_object_unref);
    if (next == NULL)
      reply = request (operator, "{\"op\":\"admin_users\",\"limit\":10}");
    else
      reply = request (operator, "{\"op\":\"admin_users\",\"limit\":10,\"after\":\"%s\"}", next);

    g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, 25);
    users = json_object_get_array_member (reply, "users");
    g_assert_cmpuint (json_array_get_length (users), ==, page < 2 ? 10 : 5);
    if (page == 0)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (users, 0),
                                                      "account"), ==, "amy05");
    seen += json_array_get_length (users);

    g_clear_pointer (&next, g_free);
    if (!json_object_get_null_member (reply, "next"))
      next = g_strdup (json_object_get_string_member (reply, "next"));
  }
  g_assert_cmpuint (seen, ==, 25);
  g_assert_null (next);

  /* Prefix and substring searches count every match. */
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_users\",\"search\":\"bob\",\"match\":\"prefix\","
                             "\"limit\":2}");
  g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (reply, "next"), ==, "bob01");
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_users\",\"search\":\"1\"}");
  /* amy10-amy19, amy21, bob01 */
  g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, 12);

  /* Past the end: nothing, and no cursor. */
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_users\",\"after\":\"zzz\"}");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "users")), ==, 0);
  g_assert_true (json_object_get_null_member (reply, "next"));
}

static void
test_channels_and_members (Fixture       *fx,
                           gconstpointer  data)
{
  AgTestClient *operator;
  g_autoptr(JsonObject) reply = NULL;
  JsonArray *list;
  gint64 offset = 0;
  guint seen = 0;

  /* 210 members: more than the 200 of a join roster. */
  for (guint i = 0; i < 210; i++) {
    g_autofree char *account = g_strdup_printf ("m%03u", i);

    join (user (fx, "demo", account), "big");
  }
  join (user (fx, "demo", "s1"), "small");
  operator = admin (fx, "demo", DEMO_KEY);

  reply = request (operator, "{\"op\":\"admin_channels\",\"sort\":\"members\"}");
  g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, 2);
  list = json_object_get_array_member (reply, "channels");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "name"), ==, "big");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, 0),
                                               "total_joins"), ==, 210);
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_channels\",\"offset\":1,\"limit\":1}");
  list = json_object_get_array_member (reply, "channels");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "name"), ==, "small");
  g_assert_true (json_object_get_null_member (reply, "next_offset"));

  /* The full member list, oldest first, in pages. */
  do {
    g_clear_pointer (&reply, json_object_unref);
    reply = request (operator, "{\"op\":\"admin_channel\",\"channel\":\"big\",\"limit\":100,"
                               "\"offset\":%" G_GINT64_FORMAT "}", offset);
    g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, 210);
    list = json_object_get_array_member (reply, "members");
    if (offset == 0)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                      "account"), ==, "m000");
    seen += json_array_get_length (list);
    offset = json_object_get_null_member (reply, "next_offset") ? -1 :
               json_object_get_int_member (reply, "next_offset");
  } while (offset > 0);
  g_assert_cmpuint (seen, ==, 210);

  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_channel\",\"channel\":\"big\",\"offset\":5000}");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "members")),
                    ==, 0);
}

/* Actions */

static void
test_kick_and_remove (Fixture       *fx,
                      gconstpointer  data)
{
  AgTestClient *alice = user (fx, "demo", "alice");
  AgTestClient *bob = user (fx, "demo", "bob");
  AgTestClient *carol = user (fx, "demo", "carol");
  AgTestClient *operator = admin (fx, "demo", DEMO_KEY);
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *log = NULL;

  join (bob, "lobby");
  join (carol, "lobby");
  assert_code (request (operator, "{\"op\":\"admin_subscribe\"}"), 0);

  assert_code (request (operator, "{\"op\":\"admin_kick\",\"account\":\"alice\"}"), 0);
  event = ag_test_client_wait_op (alice, "logout", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 1310);
  g_assert_true (ag_test_client_wait_closed (alice, AG_TEST_TIMEOUT_MS));
  g_clear_pointer (&event, json_object_unref);
  event = next_event (operator, "offline");
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 1310);
  g_clear_pointer (&event, json_object_unref);

  assert_code (request (operator, "{\"op\":\"admin_remove\",\"channel\":\"lobby\","
                                  "\"account\":\"alice\"}"), 1301);
  assert_code (request (operator, "{\"op\":\"admin_remove\",\"channel\":\"lobby\","
                                  "\"account\":\"bob\"}"), 0);
  event = ag_test_client_wait_op (bob, "channel_left", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_assert_cmpstr (json_object_get_string_member (event, "channel"), ==, "lobby");
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 601);
  g_clear_pointer (&event, json_object_unref);
  event = ag_test_client_wait_op (carol, "channel_user_left", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_assert_cmpstr (json_object_get_string_member (event, "account"), ==, "bob");
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 601);
  g_clear_pointer (&event, json_object_unref);
  event = next_event (operator, "leave");
  g_assert_cmpint (json_object_get_int_member (event, "code"), ==, 601);

  /* bob is still logged in, in no channel. */
  assert_code (request (bob, "{\"op\":\"channel_send\",\"msg\":\"x\"}"), 1202);

  g_assert_true (g_file_get_contents (fx->stderr_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "admin demo (app key) from 127.0.0.1:"));
  g_assert_nonnull (strstr (log, "admin_kick account=alice"));
  g_assert_nonnull (strstr (log, "admin_remove account=bob"));
}

static void
test_publish_send_and_attrs (Fixture       *fx,
                             gconstpointer  data)
{
  AgTestClient *bob = user (fx, "demo", "bob");
  AgTestClient *operator = admin (fx, "demo", DEMO_KEY);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  AgTestClient *dora;

  join (bob, "lobby");

  reply = request (operator, "{\"op\":\"admin_publish\",\"channel\":\"lobby\",\"msg\":\"hi all\"}");
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  g_assert_cmpint (json_object_get_int_member (reply, "num"), ==, 1);
  event = ag_test_client_wait_op (bob, "channel_msg", AG_TEST_TIMEOUT_MS);
  g_assert_cmpstr (json_object_get_string_member (event, "account"), ==, "_agora_system");
  g_assert_cmpint (json_object_get_int_member (event, "uid"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (event, "msg"), ==, "hi all");
  g_clear_pointer (&event, json_object_unref);
  assert_code (request (operator, "{\"op\":\"admin_publish\",\"channel\":\"_agora_user_online\","
                                  "\"msg\":\"x\"}"), 1302);

  /* Peer messages: at once to bob, stored for dora, who is offline. */
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_send\",\"account\":\"bob\",\"msg\":\"psst\"}");
  g_assert_false (json_object_get_boolean_member (reply, "stored"));
  event = ag_test_client_wait_op (bob, "msg", AG_TEST_TIMEOUT_MS);
  g_assert_cmpstr (json_object_get_string_member (event, "account"), ==, "_agora_system");
  g_clear_pointer (&event, json_object_unref);
  assert_code (request (operator, "{\"op\":\"admin_send\",\"account\":\"dora\",\"msg\":\"x\"}"),
               1204);
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_send\",\"account\":\"dora\",\"msg\":\"later\","
                             "\"ttl\":60}");
  g_assert_true (json_object_get_boolean_member (reply, "stored"));

  /* The user's details show the stored message without its text. */
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_user\",\"account\":\"dora\"}");
  {
    JsonObject *details = json_object_get_object_member (reply, "user");
    JsonArray *offline = json_object_get_array_member (details, "offline");

    g_assert_false (json_object_get_boolean_member (details, "online"));
    g_assert_cmpuint (json_array_get_length (offline), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (offline, 0),
                                                 "size"), ==, 5);
    g_assert_false (json_object_has_member (json_array_get_object_element (offline, 0), "msg"));
  }

  dora = connect_client (fx);
  g_clear_pointer (&reply, json_object_unref);
  reply = ag_test_client_login (dora, "demo", "dora", DEMO_TOKEN);
  event = ag_test_client_wait_op (dora, "msg", AG_TEST_TIMEOUT_MS);
  g_assert_cmpstr (json_object_get_string_member (event, "msg"), ==, "later");
  g_clear_pointer (&event, json_object_unref);

  /* Channel attributes, validated like a client's. */
  assert_code (request (operator, "{\"op\":\"admin_channel_set_attr\",\"channel\":\"lobby\","
                                  "\"name\":\"_channel_ttl\",\"value\":\"soon\"}"), 1004);
  assert_code (request (operator, "{\"op\":\"admin_channel_set_attr\",\"channel\":\"lobby\","
                                  "\"name\":\"topic\",\"value\":\"news\"}"), 0);
  event = ag_test_client_wait_op (bob, "channel_attr", AG_TEST_TIMEOUT_MS);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "update");
  g_assert_cmpstr (json_object_get_string_member (event, "value"), ==, "news");
  g_clear_pointer (&event, json_object_unref);
  assert_code (request (operator, "{\"op\":\"admin_channel_del_attr\",\"channel\":\"lobby\","
                                  "\"name\":\"topic\"}"), 0);
  event = ag_test_client_wait_op (bob, "channel_attr", AG_TEST_TIMEOUT_MS);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "del");
  g_clear_pointer (&event, json_object_unref);
  assert_code (request (operator, "{\"op\":\"admin_channel_set_attr\",\"channel\":\"lobby\","
                                  "\"name\":\"a\",\"value\":\"1\"}"), 0);
  assert_code (request (operator, "{\"op\":\"admin_channel_clear_attr\",\"channel\":\"lobby\"}"),
               0);
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_channel\",\"channel\":\"lobby\"}");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (
                      json_object_get_object_member (reply, "channel"), "attrs")), ==, 0);
}

static void
test_user_details_and_stats (Fixture       *fx,
                             gconstpointer  data)
{
  AgTestClient *alice = user (fx, "demo", "alice");
  AgTestClient *operator = admin (fx, "demo", DEMO_KEY);
  AgTestClient *root = admin (fx, "demo", SERVER_KEY);
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *details, *stats;

  user (fx, "demo", "bob");
  join (alice, "lobby");
  assert_code (request (alice, "{\"op\":\"user_set_attr\",\"name\":\"mood\",\"value\":\"busy\"}"),
               0);
  assert_code (request (alice, "{\"op\":\"call_invite\",\"channel\":\"room\",\"peer\":\"bob\","
                               "\"extra\":\"{}\"}"), 0);
  assert_code (request (alice, "{\"op\":\"channel_send\",\"msg\":\"x\"}"), 0);

  reply = request (operator, "{\"op\":\"admin_user\",\"account\":\"alice\"}");
  details = json_object_get_object_member (reply, "user");
  g_assert_true (json_object_get_boolean_member (details, "online"));
  g_assert_cmpstr (json_object_get_string_member (details, "channel"), ==, "lobby");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (details,
                                                                                 "attrs"),
                                                  "mood"), ==, "busy");
  {
    JsonArray *calls = json_object_get_array_member (details, "calls");
    JsonObject *call = json_array_get_object_element (calls, 0);

    g_assert_cmpuint (json_array_get_length (calls), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (call, "peer"), ==, "bob");
    g_assert_cmpstr (json_object_get_string_member (call, "role"), ==, "caller");
    g_assert_cmpstr (json_object_get_string_member (call, "state"), ==, "ringing");
  }

  /* An app key sees the app; the server key the server too. */
  g_clear_pointer (&reply, json_object_unref);
  reply = request (operator, "{\"op\":\"admin_stats\"}");
  stats = json_object_get_object_member (reply, "stats");
  g_assert_cmpint (json_object_get_int_member (stats, "users_online"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (stats, "channels"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "channel_msgs"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (stats, "admin_connections"), ==, 2);
  g_assert_false (json_object_has_member (stats, "server"));

  g_clear_pointer (&reply, json_object_unref);
  reply = request (root, "{\"op\":\"admin_stats\"}");
  stats = json_object_get_object_member (json_object_get_object_member (reply, "stats"),
                                         "server");
  g_assert_nonnull (stats);
  g_assert_cmpint (json_object_get_int_member (stats, "sessions"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (stats, "admin_connections"), ==, 2);
}

/* HTTP */

static char *
http_post (Fixture    *fx,
           const char *method,
           const char *key,
           const char *body,
           guint      *out_status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = ag_test_server_get_http_uri (fx->server, "/v1/admin");
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (key != NULL) {
    g_autofree char *value = g_strdup_printf ("Bearer %s", key);

    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  value);
  }
  if (body != NULL) {
    g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  }

  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *out_status = soup_message_get_status (message);

  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static void
test_http (Fixture       *fx,
           gconstpointer  data)
{
  g_autofree char *big = NULL;
  guint status = 0;

  user (fx, "demo", "alice");

  {
    g_autofree char *body = http_post (fx, "POST", DEMO_KEY,
                                       "{\"op\":\"admin_users\",\"app_id\":\"demo\"}", &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (body, "\"account\":\"alice\""));
  }
  {
    g_autofree char *body = http_post (fx, "POST", NULL,
                                       "{\"op\":\"admin_users\",\"app_id\":\"demo\"}", &status);

    g_assert_cmpuint (status, ==, 401);
    g_assert_nonnull (strstr (body, "1300"));
  }
  {
    g_autofree char *body = http_post (fx, "POST", OTHER_KEY,
                                       "{\"op\":\"admin_users\",\"app_id\":\"demo\"}", &status);

    g_assert_cmpuint (status, ==, 401);
  }
  {
    g_autofree char *body = http_post (fx, "POST", DEMO_KEY,
                                       "{\"op\":\"admin_channel\",\"app_id\":\"demo\","
                                       "\"channel\":\"none\"}", &status);

    g_assert_cmpuint (status, ==, 404);
  }
  {
    g_autofree char *body = http_post (fx, "POST", DEMO_KEY,
                                       "{\"op\":\"admin_subscribe\",\"app_id\":\"demo\"}", &status);

    g_assert_cmpuint (status, ==, 400);
    g_assert_nonnull (strstr (body, "1303"));
  }
  {
    g_autofree char *body = http_post (fx, "POST", DEMO_KEY, "{not json", &status);

    g_assert_cmpuint (status, ==, 400);
  }
  {
    g_autofree char *body = http_post (fx, "GET", DEMO_KEY, NULL, &status);

    g_assert_cmpuint (status, ==, 405);
  }

  big = g_strnfill (70 * 1024, ' ');
  {
    g_autofree char *body = http_post (fx, "POST", DEMO_KEY, big, &status);

    g_assert_cmpuint (status, ==, 413);
  }

  /* A kick over HTTP reaches the session. */
  {
    g_autofree char *body = http_post (fx, "POST", SERVER_KEY,
                                       "{\"op\":\"admin_kick\",\"app_id\":\"demo\","
                                       "\"account\":\"alice\"}", &status);

    g_assert_cmpuint (status, ==, 200);
  }
  {
    g_autofree char *body = http_post (fx, "POST", DEMO_KEY,
                                       "{\"op\":\"admin_stats\",\"app_id\":\"demo\"}", &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (body, "\"users_online\":0"));
  }
}

/* What an operator changes is as durable as what a client changes: an attribute set through
 * the admin API and a message stored for an offline account survive a restart on a state
 * file. */
static void
test_durable (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("agsignald-admin-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "state.db", NULL);
  const char * const args[] = { "--state", state, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  AgTestClient *client;
  AgTestClient *operator;

  /* This test runs its own server on a state file. */
  g_clear_pointer (&fx->clients, g_ptr_array_unref);
  g_assert_true (ag_test_server_stop (fx->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, NULL));
  g_clear_pointer (&fx->server, ag_test_server_free);
  fx->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_client_free);
  fx->server = ag_test_server_new_full (config_text, args, fx->stderr_path, &error);
  g_assert_no_error (error);

  client = user (fx, "demo", "alice");
  join (client, "lobby");
  operator = admin (fx, "demo", DEMO_KEY);
  assert_code (request (operator, "{\"op\":\"admin_channel_set_attr\",\"channel\":\"lobby\","
                                  "\"name\":\"topic\",\"value\":\"kept\"}"), 0);
  reply = request (operator, "{\"op\":\"admin_send\",\"account\":\"bob\",\"msg\":\"later\","
                             "\"ttl\":300}");
  g_assert_true (json_object_get_boolean_member (reply, "stored"));

  g_ptr_array_set_size (fx->clients, 0);
  g_assert_true (ag_test_server_stop (fx->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, NULL));
  g_clear_pointer (&fx->server, ag_test_server_free);
  fx->server = ag_test_server_new_full (config_text, args, fx->stderr_path, &error);
  g_assert_no_error (error);

  client = connect_client (fx);
  g_clear_pointer (&reply, json_object_unref);
  reply = ag_test_client_login (client, "demo", "bob", DEMO_TOKEN);
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  event = ag_test_client_wait_op (client, "msg", AG_TEST_TIMEOUT_MS);
  g_assert_nonnull (event);
  g_assert_cmpstr (json_object_get_string_member (event, "account"), ==, "_agora_system");
  g_clear_pointer (&reply, json_object_unref);
  reply = request (client, "{\"op\":\"channel_join\",\"channel\":\"lobby\"}");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reply, "attrs"),
                                                  "topic"), ==, "kept");

  g_ptr_array_set_size (fx->clients, 0);
  g_assert_true (ag_test_server_stop (fx->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, NULL));
  g_clear_pointer (&fx->server, ag_test_server_free);
  fx->server = ag_test_server_new_full (config_text, NULL, fx->stderr_path, &error);
  g_assert_no_error (error);
  g_unlink (state);
  {
    g_autofree char *wal = g_strconcat (state, "-wal", NULL);
    g_autofree char *shm = g_strconcat (state, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/admin/refusals", test_refusals);
  ADD ("/admin/throttle", test_throttle);
  ADD ("/admin/snapshot-and-stream", test_snapshot_and_stream);
  ADD ("/admin/resume", test_resume);
  ADD ("/admin/users-paging", test_users_paging);
  ADD ("/admin/channels-and-members", test_channels_and_members);
  ADD ("/admin/kick-and-remove", test_kick_and_remove);
  ADD ("/admin/publish-send-and-attrs", test_publish_send_and_attrs);
  ADD ("/admin/user-details-and-stats", test_user_details_and_stats);
  ADD ("/admin/http", test_http);
  ADD ("/admin/durable", test_durable);

#undef ADD

  return g_test_run ();
}
