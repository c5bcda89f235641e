/* test-redis-nodes.c: agsignald processes on one private redis-server (--engine)
 *
 * Real processes on 127.0.0.1 (tests/fixture). A restart on the same Redis keeps
 * attributes, offline messages, channels and uids; two agsignald on one Redis hand out
 * distinct uids and see each other's user attributes and offline messages; Redis killed
 * and started again: clear errors meanwhile, stateless requests still served, and recovery
 * without restarting agsignald; the options and configuration key. Skipped when
 * redis-server is not installed.
 */

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "ag-test-client.h"
#include "ag-test-redis.h"
#include "ag-test-server.h"

#define APP   "load"
#define TOKEN "_no_need_token"
#define RECOVERY_TIMEOUT_MS 10000

static const char app_config[] =
  "[app:" APP "]\n"
  "allow_no_token=true\n";

typedef struct {
  AgTestRedis *redis;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->redis = ag_test_redis_new (&error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_pointer (&fx->redis, ag_test_redis_free);
}

static AgTestServer *
start_node (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--engine", ag_test_redis_get_uri (fx->redis), NULL };
  AgTestServer *server = ag_test_server_new (app_config, args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (server);

  return server;
}

static void
stop_node (AgTestServer *server)
{
  int wait_status = -1;

  g_assert_true (ag_test_server_stop (server, AG_TEST_SERVER_STOP_TIMEOUT_MS, &wait_status));
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  ag_test_server_free (server);
}

static AgTestClient *
client_for (AgTestServer *server,
            const char   *account,
            guint32      *out_uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgTestClient) client = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_autoptr(JsonObject) reply = NULL;

  g_assert_no_error (error);
  reply = ag_test_client_login (client, APP, account, TOKEN);
  g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
  if (out_uid != NULL)
    *out_uid = (guint32) json_object_get_int_member (reply, "uid");

  return g_steal_pointer (&client);
}

static JsonObject *
request_ok (AgTestClient *client,
            const char   *json)
{
  JsonObject *reply = ag_test_client_request (client, json);

  g_assert_nonnull (reply);
  if (ag_test_reply_code (reply) != 0)
    g_error ("%s failed: code %d", json, ag_test_reply_code (reply));

  return reply;
}

static void
request_code (AgTestClient *client,
              const char   *json,
              int           code)
{
  g_autoptr(JsonObject) reply = ag_test_client_request (client, json);

  g_assert_cmpint (ag_test_reply_code (reply), ==, code);
}

/* Logs in as account and returns the text of every offline message delivered, in order. */
static GPtrArray *
receive_offline (AgTestServer *server,
                 const char   *account)
{
  g_autoptr(AgTestClient) client = client_for (server, account, NULL);
  g_autoptr(JsonObject) pong = NULL;
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  JsonObject *frame;

  /* Offline messages follow the login reply at once: all of them precede this reply. */
  pong = request_ok (client, "{\"op\":\"ping\"}");
  while ((frame = ag_test_client_wait_frame (client, 0)) != NULL) {
    if (g_strcmp0 (json_object_get_string_member_with_default (frame, "op", ""), "msg") == 0)
      g_ptr_array_add (texts, g_strdup (json_object_get_string_member (frame, "msg")));
    json_object_unref (frame);
  }

  return texts;
}

static char *
get_attr (AgTestClient *client,
          const char   *account,
          const char   *name)
{
  g_autofree char *json = g_strdup_printf ("{\"op\":\"user_get_attr\",\"account\":\"%s\","
                                           "\"name\":\"%s\"}", account, name);
  g_autoptr(JsonObject) reply = request_ok (client, json);

  return g_strdup (json_object_get_string_member (reply, "value"));
}

static void
test_restart (Fixture       *fx,
              gconstpointer  data)
{
  AgTestServer *server = start_node (fx);
  g_autoptr(AgTestClient) alice = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *color = NULL;
  JsonObject *attrs;
  guint32 alice_uid, bob_uid, uid;

  alice = client_for (server, "alice", &alice_uid);
  reply = request_ok (alice, "{\"op\":\"user_set_attr\",\"name\":\"color\",\"value\":\"blue\"}");
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (alice, "{\"op\":\"msg_send\",\"peer\":\"bob\",\"msg\":\"first\",\"ttl\":300}");
  g_assert_true (json_object_get_boolean_member (reply, "stored"));
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (alice, "{\"op\":\"msg_send\",\"peer\":\"bob\",\"msg\":\"second\",\"ttl\":300}");
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (alice, "{\"op\":\"channel_join\",\"channel\":\"room\"}");
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (alice, "{\"op\":\"channel_set_attr\",\"name\":\"topic\",\"value\":\"news\"}");
  g_clear_pointer (&reply, json_object_unref);
  g_clear_pointer (&alice, ag_test_client_free);
  g_clear_pointer (&alice, ag_test_client_free);
  alice = client_for (server, "bob-the-first", &bob_uid);
  g_assert_cmpuint (bob_uid, !=, alice_uid);
  g_clear_pointer (&alice, ag_test_client_free);

  stop_node (server);
  server = start_node (fx);

  alice = client_for (server, "alice", &uid);
  g_assert_cmpuint (uid, ==, alice_uid);
  color = get_attr (alice, "alice", "color");
  g_assert_cmpstr (color, ==, "blue");
  reply = request_ok (alice, "{\"op\":\"channel_join\",\"channel\":\"room\"}");
  attrs = json_object_get_object_member (reply, "attrs");
  g_assert_cmpstr (json_object_get_string_member (attrs, "topic"), ==, "news");
  g_clear_pointer (&alice, ag_test_client_free);
  alice = client_for (server, "bob-the-first", &uid);
  g_assert_cmpuint (uid, ==, bob_uid);
  g_clear_pointer (&alice, ag_test_client_free);

  messages = receive_offline (server, "bob");
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (messages, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (messages, 1), ==, "second");
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* Delivered once: the next login finds nothing. */
  messages = receive_offline (server, "bob");
  g_assert_cmpuint (messages->len, ==, 0);

  stop_node (server);
}

static void
test_two_nodes (Fixture       *fx,
                gconstpointer  data)
{
  AgTestServer *one = start_node (fx);
  AgTestServer *two = start_node (fx);
  g_autoptr(GHashTable) uids = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint32 first_uids[20];
  g_autoptr(AgTestClient) alice = NULL;
  g_autoptr(AgTestClient) bob = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *color = NULL;
  guint32 alice_uid, bob_uid, uid;

  /* Accounts logging in on either node in turn: one uid each, never shared. */
  for (guint i = 0; i < 20; i++) {
    g_autofree char *account = g_strdup_printf ("user%u", i);
    g_autoptr(AgTestClient) client = client_for (i % 2 == 0 ? one : two, account, &uid);

    g_assert_cmpuint (uid, >, 0);
    g_assert_false (g_hash_table_contains (uids, GUINT_TO_POINTER (uid)));
    g_hash_table_add (uids, GUINT_TO_POINTER (uid));
    first_uids[i] = uid;
  }
  for (guint i = 0; i < 20; i++) {
    g_autofree char *account = g_strdup_printf ("user%u", i);
    g_autoptr(AgTestClient) client = client_for (i % 2 == 0 ? two : one, account, &uid);

    /* The other node gives the same uid. */
    g_assert_cmpuint (uid, ==, first_uids[i]);
  }

  alice = client_for (one, "alice", &alice_uid);
  bob = client_for (two, "bob", &bob_uid);
  g_assert_cmpuint (alice_uid, !=, bob_uid);
  g_assert_false (g_hash_table_contains (uids, GUINT_TO_POINTER (alice_uid)));
  g_assert_false (g_hash_table_contains (uids, GUINT_TO_POINTER (bob_uid)));

  /* Attributes written through one node are read through the other. */
  reply = request_ok (alice, "{\"op\":\"user_set_attr\",\"name\":\"color\",\"value\":\"blue\"}");
  g_clear_pointer (&reply, json_object_unref);
  color = get_attr (bob, "alice", "color");
  g_assert_cmpstr (color, ==, "blue");

  /* An offline message stored by one node is delivered by the other, once. */
  reply = request_ok (alice, "{\"op\":\"msg_send\",\"peer\":\"carol\",\"msg\":\"hi\",\"ttl\":300}");
  g_assert_true (json_object_get_boolean_member (reply, "stored"));
  messages = receive_offline (two, "carol");
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (messages, 0), ==, "hi");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = receive_offline (one, "carol");
  g_assert_cmpuint (messages->len, ==, 0);

  g_clear_pointer (&alice, ag_test_client_free);
  g_clear_pointer (&bob, ag_test_client_free);
  stop_node (one);
  stop_node (two);
}

typedef struct {
  AgTestServer *server;
  guint         attempts;
} Probe;

/* A fresh session sets an attribute: TRUE once that works again. */
static gboolean
state_works (Probe *data)
{
  Probe *probe = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AgTestClient) client = NULL;
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *account = g_strdup_printf ("probe%u", probe->attempts++);

  g_usleep (100000);
  client = ag_test_client_new (ag_test_server_get_uri (probe->server), &error);
  if (client == NULL)
    return FALSE;
  login = ag_test_client_login (client, APP, account, TOKEN);
  if (ag_test_reply_code (login) != 0)
    return FALSE;
  reply = ag_test_client_request (client, "{\"op\":\"user_set_attr\",\"name\":\"a\","
                                          "\"value\":\"b\"}");

  return ag_test_reply_code (reply) == 0;
}

static void
test_redis_outage (Fixture       *fx,
                   gconstpointer  data)
{
  AgTestServer *server = start_node (fx);
  g_autoptr(AgTestClient) alice = client_for (server, "alice", NULL);
  g_autoptr(AgTestClient) joiner = client_for (server, "joiner", NULL);
  g_autoptr(AgTestClient) newcomer = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *color = NULL;
  Probe probe = { server, 0 };
  gint64 start;

  reply = request_ok (alice, "{\"op\":\"user_set_attr\",\"name\":\"color\",\"value\":\"blue\"}");
  g_clear_pointer (&reply, json_object_unref);

  ag_test_redis_kill (fx->redis);

  /* What needs no state is served; what needs it gets 1001 (the general failure). */
  reply = request_ok (alice, "{\"op\":\"ping\"}");
  g_clear_pointer (&reply, json_object_unref);
  request_code (alice, "{\"op\":\"user_get_attr\",\"account\":\"alice\",\"name\":\"color\"}",
                1001);
  request_code (alice, "{\"op\":\"user_set_attr\",\"name\":\"color\",\"value\":\"red\"}", 1001);
  request_code (alice, "{\"op\":\"msg_send\",\"peer\":\"bob\",\"msg\":\"x\",\"ttl\":60}", 1001);
  reply = request_ok (alice, "{\"op\":\"ping\"}");
  g_clear_pointer (&reply, json_object_unref);

  /* A new account gets no uid: its login fails with 202. */
  newcomer = ag_test_client_new (ag_test_server_get_uri (server), &error);
  g_assert_no_error (error);
  reply = ag_test_client_login (newcomer, APP, "newcomer", TOKEN);
  g_assert_cmpint (ag_test_reply_code (reply), ==, 202);
  g_clear_pointer (&reply, json_object_unref);
  g_assert_true (ag_test_server_is_running (server));

  /* A join saves the channel: its commit fails, so its ok is never sent and the connection
   * that waited for it is closed, as with a state file that cannot be written. Last before
   * the restart: the leave that follows fails its commit too, and a failed commit closes
   * every connection with a frame in that turn (the probes below retry). */
  ag_test_client_send_request (joiner, "{\"op\":\"channel_join\",\"channel\":\"room\"}");
  g_assert_true (ag_test_client_wait_closed (joiner, AG_TEST_TIMEOUT_MS));
  g_assert_cmpuint (ag_test_client_get_n_queued (joiner), ==, 0);

  /* Back (empty: this Redis keeps nothing), and the same agsignald serves again. */
  g_assert_true (ag_test_redis_restart (fx->redis, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  while (!state_works (&probe) &&
         g_get_monotonic_time () - start < RECOVERY_TIMEOUT_MS * 1000)
    ;
  g_assert_true (state_works (&probe));
  g_test_message ("recovered after %u attempts, %" G_GINT64_FORMAT " ms", probe.attempts,
                  (g_get_monotonic_time () - start) / 1000);

  reply = request_ok (alice, "{\"op\":\"user_set_attr\",\"name\":\"color\",\"value\":\"green\"}");
  g_clear_pointer (&reply, json_object_unref);
  color = get_attr (alice, "alice", "color");
  g_assert_cmpstr (color, ==, "green");

  g_clear_pointer (&alice, ag_test_client_free);
  g_clear_pointer (&joiner, ag_test_client_free);
  g_clear_pointer (&newcomer, ag_test_client_free);
  stop_node (server);
}

static void
assert_args_fail (const char * const *args,
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
test_options (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("test-redis-nodes-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "state.db", NULL);
  g_autofree char *both_path = g_build_filename (dir, "both.conf", NULL);
  g_autofree char *both = g_strdup_printf ("[server]\nstate=%s\nengine=%s\n", state,
                                           ag_test_redis_get_uri (fx->redis));
  g_autofree char *by_config = g_strdup_printf ("[server]\nengine=%s\n%s",
                                                ag_test_redis_get_uri (fx->redis), app_config);
  g_autoptr(AgTestRedis) gone = NULL;
  g_autoptr(AgTestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *gone_uri = NULL;
  g_autofree char *uid = NULL;
  AgTestServer *server;
  const char *exclusive[] = {
    "--demo", "--state", state, "--engine", ag_test_redis_get_uri (fx->redis), NULL
  };
  const char *bad_uri[] = { "--demo", "--engine", "redis://127.0.0.1:6379/x", NULL };
  const char *secret[] = { "--demo", "--engine", "redis://u:hunter2@127.0.0.1:6379", NULL };
  const char *both_config[] = { "--demo", "--config", both_path, NULL };
  const char *unreachable[] = { "--demo", "--engine", NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status;

  assert_args_fail (exclusive, "--state and --engine exclude each other");
  assert_args_fail (bad_uri, "not a Redis URI");
  assert_args_fail (secret, "not a Redis URI");
  g_assert_true (ag_test_run_agsignald (secret, AG_TEST_TIMEOUT_MS, &out, &err, &wait_status));
  g_assert_null (strstr (err, "hunter2"));
  g_assert_true (g_file_set_contents (both_path, both, -1, NULL));
  assert_args_fail (both_config, "state and engine exclude each other");

  /* A Redis that cannot be reached stops the start, naming it. */
  gone = ag_test_redis_new (&error);
  g_assert_no_error (error);
  gone_uri = g_strdup (ag_test_redis_get_uri (gone));
  ag_test_redis_kill (gone);
  unreachable[2] = gone_uri;
  assert_args_fail (unreachable, gone_uri);

  /* engine= of the configuration file, without --engine. */
  server = ag_test_server_new (by_config, NULL, &error);
  g_assert_no_error (error);
  client = client_for (server, "alice", NULL);
  g_clear_pointer (&client, ag_test_client_free);
  stop_node (server);
  g_assert_true (ag_test_redis_run (fx->redis, &uid, "HGET", "ag:" APP ":uids", "alice", NULL));
  g_assert_cmpstr (uid, ==, "1");
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));

  g_remove (both_path);
  g_rmdir (dir);
}

static void
test_skip (void)
{
  g_test_skip ("redis-server is not installed (tools/deps test installs it)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  if (!ag_test_redis_available ()) {
    g_test_add_func ("/ag/redis-nodes/skipped", test_skip);
    return g_test_run ();
  }

#define ADD(path, func) \
  g_test_add ("/ag/redis-nodes/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("restart", test_restart);
  ADD ("two-nodes", test_two_nodes);
  ADD ("redis-outage", test_redis_outage);
  ADD ("options", test_options);

  return g_test_run ();
}
