/* test-agsig.c: agsig end to end, as separate processes against a real agsignald
 *
 * Each case starts its own server (tests/fixture), runs agsig ($AGSIG) with AGSIG_SERVER and
 * AGSIG_APP_ID in its environment, and checks exit statuses and the exact output. Listeners
 * are read line by line while they run, as a script would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ag-error.h"
#include "ag-test-server.h"

/* Generous for AddressSanitizer builds on a loaded machine, but every wait is bounded. */
#define RUN_TIMEOUT_MS  30000
#define LINE_TIMEOUT_MS 30000

typedef struct {
  AgTestServer *server;
} Fixture;

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Communication;

typedef struct {
  GSubprocess      *process;
  GDataInputStream *lines;
  gboolean          line_done;
  char             *line;
  GError           *error;
} Listener;

typedef struct {
  gboolean done;
  GError  *error;
} ExitWait;

static const char *
agsig_path (void)
{
  const char *path = g_getenv ("AGSIG");

  g_assert_nonnull (path);
  return path;
}

static GSubprocess *
spawn_agsig (Fixture            *fixture,
             GSubprocessFlags    flags,
             const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  if (fixture != NULL && fixture->server != NULL)
    g_subprocess_launcher_setenv (launcher, "AGSIG_SERVER",
                                  ag_test_server_get_uri (fixture->server), TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "AGSIG_SERVER");
  g_subprocess_launcher_setenv (launcher, "AGSIG_APP_ID", "demo", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "AGSIG_ACCOUNT");
  /* Messages in English whatever the machine's locale: the test compares them. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  g_ptr_array_add (argv, (gpointer) agsig_path ());
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communication *communication = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &communication->out,
                                        &communication->err, &communication->error);
  communication->done = TRUE;
}

/* Runs agsig to completion and returns its exit status; out and err receive its output. */
static int
run_agsig_full (Fixture             *fixture,
                const char * const  *args,
                char               **out,
                char               **err)
{
  g_autoptr(GSubprocess) process = NULL;
  Communication communication = { FALSE, };

  process = spawn_agsig (fixture, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                         args);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &communication);
  if (!ag_test_spin_until_flag (&communication.done, RUN_TIMEOUT_MS)) {
    g_subprocess_force_exit (process);
    ag_test_spin_until_flag (&communication.done, RUN_TIMEOUT_MS);
    g_error ("agsig %s did not finish in time", args[0]);
  }
  g_assert_no_error (communication.error);
  g_assert_true (g_subprocess_get_if_exited (process));

  *out = communication.out;
  *err = communication.err;
  return g_subprocess_get_exit_status (process);
}

#define ARGS(...) ((const char * const []) { __VA_ARGS__, NULL })

/* Runs agsig and asserts its exit status, an empty stderr (when it exits 0) and its output. */
static void
assert_agsig (Fixture            *fixture,
              const char * const *args,
              int                 expected_status,
              const char         *expected_out)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run_agsig_full (fixture, args, &out, &err);
  if (status != expected_status)
    g_printerr ("agsig stderr: %s\n", err);
  g_assert_cmpint (status, ==, expected_status);
  if (expected_status == 0)
    g_assert_cmpstr (err, ==, "");
  if (expected_out != NULL)
    g_assert_cmpstr (out, ==, expected_out);
}

static void
listener_start (Listener           *listener,
                Fixture            *fixture,
                const char * const *args)
{
  listener->process = spawn_agsig (fixture, G_SUBPROCESS_FLAGS_STDOUT_PIPE, args);
  listener->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listener->process));
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Listener *listener = user_data;

  listener->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                              result, NULL, &listener->error);
  listener->line_done = TRUE;
}

/* The next line the listener printed, or NULL at the end of its output. */
static char *
listener_read_line (Listener *listener)
{
  listener->line_done = FALSE;
  g_data_input_stream_read_line_async (listener->lines, G_PRIORITY_DEFAULT, NULL,
                                       read_line_cb, listener);
  g_assert_true (ag_test_spin_until_flag (&listener->line_done, LINE_TIMEOUT_MS));
  g_assert_no_error (listener->error);

  return g_steal_pointer (&listener->line);
}

/* Reads the next line, asserts it is a JSON object for event, and returns it. */
static JsonObject *
read_event (Listener   *listener,
            const char *event)
{
  g_autofree char *line = listener_read_line (listener);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_assert_nonnull (line);
  node = json_from_string (line, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "event"), ==, event);

  return json_object_ref (object);
}

static void
exit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ExitWait *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &wait->error);
  wait->done = TRUE;
}

/* Waits for the listener to exit on its own, asserts the status and the end of its output. */
static void
listener_finish (Listener *listener,
                 int       expected_status)
{
  ExitWait wait = { FALSE, NULL };
  g_autofree char *rest = NULL;

  g_subprocess_wait_async (listener->process, NULL, exit_cb, &wait);
  if (!ag_test_spin_until_flag (&wait.done, RUN_TIMEOUT_MS)) {
    g_subprocess_force_exit (listener->process);
    ag_test_spin_until_flag (&wait.done, RUN_TIMEOUT_MS);
    g_error ("agsig listen did not finish in time");
  }
  g_assert_no_error (wait.error);
  g_assert_true (g_subprocess_get_if_exited (listener->process));
  g_assert_cmpint (g_subprocess_get_exit_status (listener->process), ==, expected_status);

  rest = listener_read_line (listener);
  g_assert_null (rest);

  g_clear_object (&listener->lines);
  g_clear_object (&listener->process);
}

static void
assert_uid (JsonObject *object)
{
  g_assert_true (json_object_has_member (object, "uid"));
  g_assert_cmpint (json_object_get_int_member (object, "uid"), >, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = ag_test_server_new (NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

static char *
expected_error (const char *what,
                int         code)
{
  return g_strdup_printf ("agsig: %s failed: %d %s (%s)\n", what, code,
                          ag_error_code_name (code), ag_error_code_describe (code));
}

static void
test_token (void)
{
  /* md5 ("alice" "demo" "0123456789abcdef" "1700000000"), computed independently. */
  assert_agsig (NULL,
                ARGS ("token", "--app-id", "demo", "--certificate", "0123456789abcdef",
                      "--account", "alice", "--expire-ts", "1700000000"),
                0, "1:demo:1700000000:63327b27c461e267a53700488fcba5b8\n");
  /* Global options before the command work the same. */
  assert_agsig (NULL,
                ARGS ("--app-id", "demo", "--certificate", "0123456789abcdef", "--account",
                      "alice", "token", "--expire-ts", "1700000000"),
                0, "1:demo:1700000000:63327b27c461e267a53700488fcba5b8\n");
  assert_agsig (NULL, ARGS ("token", "--account", "alice", "--expire-ts", "1700000000"),
                64, "");
}

static void
test_version (void)
{
  assert_agsig (NULL, ARGS ("--version"), 0, "agsig " AG_VERSION "\n");
}

static void
test_usage (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_agsig_full (NULL, ARGS ("--account"), &out, &err), ==, 64);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_agsig_full (NULL, ARGS ("frobnicate"), &out, &err), ==, 64);
  g_assert_true (g_str_has_prefix (err, "agsig: unknown command “frobnicate”"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  assert_agsig (NULL, ARGS ("--account", "bob", "send", "alice"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "send", "alice", "hi", "extra"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "send", "alice", "hi", "--ttl", "-1"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "listen", "--answer", "maybe"), 64, "");
  assert_agsig (NULL, ARGS ("--timeout", "0", "query", "status", "bob"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "call", "alice"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "call", "alice", "--channel", "c",
                            "--extra", "[1]"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "call", "alice", "--channel", "c",
                            "--dtmf", "12a"), 64, "");
  assert_agsig (NULL, ARGS ("--account", "bob", "channel", "c", "--set-attr", "novalue"), 64,
                "");
  assert_agsig (NULL, ARGS ("attr", "frob", "x"), 64, "");
  assert_agsig (NULL, ARGS ("query", "in", "room"), 64, "");
  /* No account for a command that acts as one. */
  assert_agsig (NULL, ARGS ("send", "alice", "hi"), 64, "");
  /* No command at all: the help, on stderr. */
  g_assert_cmpint (run_agsig_full (NULL, ARGS ("-v"), &out, &err), ==, 64);
  g_assert_nonnull (strstr (err, "listen"));
}

static void
test_send_listen (Fixture       *fixture,
                  gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) message = NULL;

  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--count", "1", "--timeout", "60"));
  login = read_event (&listener, "login-success");
  assert_uid (login);

  assert_agsig (fixture, ARGS ("--account", "bob", "send", "alice", "hi there"), 0, "sent\n");

  message = read_event (&listener, "message-instant-receive");
  g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "hi there");
  assert_uid (message);
  g_assert_cmpint (json_object_get_int_member (message, "uid"), !=,
                   json_object_get_int_member (login, "uid"));
  g_assert_cmpuint (json_object_get_size (message), ==, 4);

  listener_finish (&listener, 0);
}

static void
test_send_offline (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = expected_error ("send", AG_ERROR_PROTO_E_PEER_OFFLINE);

  g_assert_cmpint (run_agsig_full (fixture, ARGS ("--account", "bob", "send", "nobody", "hi"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, expected);
  g_assert_true (g_str_has_prefix (err, "agsig: send failed: 1204 PROTO_E_PEER_OFFLINE ("));
}

static void
test_ttl_offline (Fixture       *fixture,
                  gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) message = NULL;

  assert_agsig (fixture,
                ARGS ("--account", "bob", "send", "carol", "while you were out", "--ttl", "60"),
                0, "stored\n");

  listener_start (&listener, fixture,
                  ARGS ("--account", "carol", "listen", "--count", "1", "--timeout", "60"));
  login = read_event (&listener, "login-success");
  message = read_event (&listener, "message-instant-receive");
  g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "while you were out");
  listener_finish (&listener, 0);
}

static void
test_channel (Fixture       *fixture,
              gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) bob_joined = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) updated = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autoptr(JsonObject) bob_left = NULL;
  g_autoptr(JsonObject) dave_joined = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) out_lines = NULL;
  g_autoptr(JsonNode) stay_list = NULL;
  JsonArray *accounts;

  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--channel", "room", "--count", "8",
                        "--timeout", "60"));
  login = read_event (&listener, "login-success");
  /* channel-joined and channel-user-list, in the library's order. */
  joined = read_event (&listener, "channel-joined");
  g_assert_cmpstr (json_object_get_string_member (joined, "channel"), ==, "room");
  list = read_event (&listener, "channel-user-list");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "accounts")), ==,
                    0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "uids")), ==, 0);

  assert_agsig (fixture,
                ARGS ("--account", "bob", "channel", "room", "--send", "hello room",
                      "--set-attr", "topic=news", "--del-attr", "topic"),
                0, "");

  bob_joined = read_event (&listener, "channel-user-joined");
  g_assert_cmpstr (json_object_get_string_member (bob_joined, "account"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (bob_joined, "channel"), ==, "room");
  assert_uid (bob_joined);

  message = read_event (&listener, "message-channel-receive");
  g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (message, "msg"), ==, "hello room");

  updated = read_event (&listener, "channel-attr-updated");
  g_assert_cmpstr (json_object_get_string_member (updated, "name"), ==, "topic");
  g_assert_cmpstr (json_object_get_string_member (updated, "value"), ==, "news");
  g_assert_cmpstr (json_object_get_string_member (updated, "type"), ==, "update");

  deleted = read_event (&listener, "channel-attr-updated");
  g_assert_cmpstr (json_object_get_string_member (deleted, "name"), ==, "topic");
  g_assert_cmpstr (json_object_get_string_member (deleted, "type"), ==, "del");

  bob_left = read_event (&listener, "channel-user-leaved");
  g_assert_cmpstr (json_object_get_string_member (bob_left, "account"), ==, "bob");

  /* With --stay the command prints the channel's events: the roster has alice, who stays
   * until she saw dave join (her eighth event). */
  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "dave", "channel", "room", "--stay", "1",
                                         "--set-attr", "mood=calm", "--clear-attr"),
                                   &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  out_lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (out_lines), >=, 3);
  g_assert_cmpstr (out_lines[0], ==, "{\"event\":\"channel-joined\",\"channel\":\"room\"}");
  stay_list = json_from_string (out_lines[1], NULL);
  g_assert_nonnull (stay_list);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (stay_list), "event"),
                   ==, "channel-user-list");
  accounts = json_object_get_array_member (json_node_get_object (stay_list), "accounts");
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (accounts, 0), ==, "alice");
  g_assert_nonnull (strstr (out, "{\"event\":\"channel-attr-updated\",\"channel\":\"room\","
                                 "\"name\":\"mood\",\"value\":\"calm\",\"type\":\"update\"}\n"));
  g_assert_nonnull (strstr (out, "\"type\":\"clear\"}\n"));

  dave_joined = read_event (&listener, "channel-user-joined");
  g_assert_cmpstr (json_object_get_string_member (dave_joined, "account"), ==, "dave");
  listener_finish (&listener, 0);
}

static void
test_call_accept (Fixture       *fixture,
                  gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) dtmf = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(JsonNode) extra = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--answer", "accept", "--count", "3",
                        "--timeout", "60"));
  login = read_event (&listener, "login-success");

  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "bob", "call", "alice", "--channel",
                                         "room", "--extra", "{\"kind\":\"voice\"}", "--dtmf",
                                         "12#", "--end-after", "1"),
                                   &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 3);
  g_assert_cmpstr (lines[0], ==,
                   "{\"event\":\"invite-received-by-peer\",\"channel\":\"room\","
                   "\"peer\":\"alice\"}");
  g_assert_true (g_str_has_prefix (lines[1],
                                   "{\"event\":\"invite-accepted-by-peer\",\"channel\":\"room\","
                                   "\"peer\":\"alice\",\"extra\":"));

  invite = read_event (&listener, "invite-received");
  g_assert_cmpstr (json_object_get_string_member (invite, "channel"), ==, "room");
  g_assert_cmpstr (json_object_get_string_member (invite, "peer"), ==, "bob");
  assert_uid (invite);
  extra = json_from_string (json_object_get_string_member (invite, "extra"), NULL);
  g_assert_nonnull (extra);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (extra), "kind"), ==,
                   "voice");

  dtmf = read_event (&listener, "invite-msg");
  g_assert_cmpstr (json_object_get_string_member (dtmf, "msg_type"), ==, "DTMF");
  g_assert_cmpstr (json_object_get_string_member (dtmf, "msg"), ==, "12#");

  ended = read_event (&listener, "invite-end-by-peer");
  g_assert_cmpstr (json_object_get_string_member (ended, "peer"), ==, "bob");

  listener_finish (&listener, 0);
}

static void
test_call_refuse (Fixture       *fixture,
                  gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) invite = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--answer", "refuse", "--count", "1",
                        "--timeout", "60"));
  login = read_event (&listener, "login-success");

  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "bob", "call", "alice", "--channel",
                                         "room"),
                                   &out, &err), ==, 2);
  g_assert_nonnull (strstr (out, "{\"event\":\"invite-refused-by-peer\",\"channel\":\"room\","
                                 "\"peer\":\"alice\""));
  g_assert_null (strstr (out, "invite-accepted-by-peer"));

  invite = read_event (&listener, "invite-received");
  g_assert_cmpstr (json_object_get_string_member (invite, "peer"), ==, "bob");
  listener_finish (&listener, 0);
}

static void
test_call_offline (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = expected_error ("call", AG_ERROR_INVITE_E_PEEROFFLINE);

  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "bob", "call", "nobody", "--channel",
                                         "room", "--require-peer-online"),
                                   &out, &err), ==, 3);
  g_assert_cmpstr (out, ==,
                   "{\"event\":\"invite-failed\",\"channel\":\"room\",\"peer\":\"nobody\","
                   "\"ecode\":703}\n");
  g_assert_cmpstr (err, ==, expected);
}

static void
test_attr (Fixture       *fixture,
           gconstpointer  data)
{
  assert_agsig (fixture, ARGS ("--account", "alice", "attr", "set", "color", "blue"), 0,
                "{\"result\":\"ok\",\"reason\":\"\"}\n");
  assert_agsig (fixture, ARGS ("--account", "alice", "attr", "set", "size", "L"), 0,
                "{\"result\":\"ok\",\"reason\":\"\"}\n");
  assert_agsig (fixture, ARGS ("--account", "bob", "attr", "get", "alice", "color"), 0,
                "{\"result\":\"ok\",\"account\":\"alice\",\"name\":\"color\","
                "\"value\":\"blue\"}\n");
  /* Without --account, reading logs in as a throwaway account. */
  assert_agsig (fixture, ARGS ("attr", "get", "alice", "shape"), 0,
                "{\"result\":\"ok\",\"account\":\"alice\",\"name\":\"shape\",\"value\":null}\n");
  assert_agsig (fixture, ARGS ("attr", "all", "alice"), 0,
                "{\"result\":\"ok\",\"account\":\"alice\",\"json\":{\"color\":\"blue\","
                "\"size\":\"L\"}}\n");
  assert_agsig (fixture, ARGS ("attr", "all", "nobody"), 0,
                "{\"result\":\"ok\",\"account\":\"nobody\",\"json\":{}}\n");
}

static void
test_query (Fixture       *fixture,
            gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) list = NULL;

  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--channel", "room", "--timeout", "60"));
  login = read_event (&listener, "login-success");
  joined = read_event (&listener, "channel-joined");
  list = read_event (&listener, "channel-user-list");

  assert_agsig (fixture, ARGS ("query", "num", "room"), 0, "1\n");
  assert_agsig (fixture, ARGS ("query", "num", "empty-room"), 0, "0\n");
  assert_agsig (fixture, ARGS ("query", "status", "alice"), 0, "true\n");
  assert_agsig (fixture, ARGS ("query", "status", "nobody"), 0, "false\n");
  assert_agsig (fixture, ARGS ("query", "in", "room", "alice"), 0, "true\n");
  assert_agsig (fixture, ARGS ("--account", "bob", "query", "in", "room", "nobody"), 0,
                "false\n");

  /* SIGTERM ends a listener cleanly: it logs out and exits 0. */
  g_subprocess_send_signal (listener.process, SIGTERM);
  listener_finish (&listener, 0);
  assert_agsig (fixture, ARGS ("query", "status", "alice"), 0, "false\n");
}

/* agsig admin against a server started with a server-wide key. */
static void
test_admin (void)
{
  g_autofree char *key_path = NULL;
  g_autofree char *wrong_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *refused = expected_error ("admin login", AG_ERROR_ADMIN_E_UNAUTHORIZED);
  g_autofree char *no_user = expected_error ("admin kick", AG_ERROR_ADMIN_E_NO_SUCH_USER);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) logout = NULL;
  Listener listener = { NULL, };
  Fixture fixture = { NULL, };
  int fd;

  fd = g_file_open_tmp ("agsig-admin-XXXXXX.key", &key_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (key_path, "agsig-admin-key-0123456789\n", -1, NULL));
  fd = g_file_open_tmp ("agsig-wrong-XXXXXX.key", &wrong_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (wrong_path, "not-the-key-0123456789", -1, NULL));

  fixture.server = ag_test_server_new (NULL, ARGS ("--admin-key-file", key_path), &error);
  g_assert_no_error (error);

  listener_start (&listener, &fixture,
                  ARGS ("--account", "alice", "listen", "--channel", "room", "--timeout", "60"));
  login = read_event (&listener, "login-success");
  joined = read_event (&listener, "channel-joined");
  list = read_event (&listener, "channel-user-list");

  assert_agsig (&fixture, ARGS ("admin", "--key-file", key_path, "channels"), 0,
                "{\"name\":\"room\",\"kind\":\"ordinary\",\"members\":1,\"total_joins\":1,"
                "\"attrs\":{}}\n");
  assert_agsig (&fixture, ARGS ("admin", "--key-file", key_path, "channel", "room"), 0,
                "{\"account\":\"alice\",\"uid\":1}\n");
  g_assert_cmpint (run_agsig_full (&fixture, ARGS ("admin", "--key-file", key_path, "users"),
                                   &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "{\"account\":\"alice\",\"uid\":1,\"online\":true,"));
  g_assert_nonnull (strstr (out, "\"channel\":\"room\""));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  assert_agsig (&fixture, ARGS ("admin", "--key-file", key_path, "publish", "room", "notice"), 0,
                "1\n");
  message = read_event (&listener, "message-channel-receive");
  g_assert_cmpstr (json_object_get_string_member (message, "account"), ==, "_agora_system");
  assert_agsig (&fixture, ARGS ("admin", "--key-file", key_path, "send", "bob", "later", "60"), 0,
                "stored\n");
  g_assert_cmpint (run_agsig_full (&fixture, ARGS ("admin", "--key-file", key_path, "stats"),
                                   &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\"users_online\":1"));
  g_assert_nonnull (strstr (out, "\"server.sessions\":1"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A wrong key, and a kick of nobody: exit 1 with the code. */
  g_assert_cmpint (run_agsig_full (&fixture, ARGS ("admin", "--key-file", wrong_path, "stats"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (err, ==, refused);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_agsig_full (&fixture, ARGS ("admin", "--key-file", key_path, "kick", "nobody"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (err, ==, no_user);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_agsig_full (&fixture, ARGS ("admin", "--key-file", key_path, "frobnicate"),
                                   &out, &err), ==, 64);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The kick ends the listener's session with 1310. */
  assert_agsig (&fixture, ARGS ("admin", "--key-file", key_path, "kick", "alice"), 0, "kicked\n");
  {
    g_autoptr(JsonObject) left = read_event (&listener, "channel-leaved");

    g_assert_cmpint (json_object_get_int_member (left, "ecode"), ==,
                     AG_ERROR_LEAVECHANNEL_E_LOGOUT);
  }
  logout = read_event (&listener, "logout");
  g_assert_cmpint (json_object_get_int_member (logout, "ecode"), ==,
                   AG_ERROR_LOGOUT_E_ADMIN_KICKED);
  listener_finish (&listener, 1);

  g_clear_pointer (&fixture.server, ag_test_server_free);
  g_unlink (key_path);
  g_unlink (wrong_path);
}

static void
test_certificate (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = expected_error ("login", AG_ERROR_LOGIN_E_TOKENWRONG);

  /* The demo app's certificate makes a token the server accepts. */
  assert_agsig (fixture,
                ARGS ("--account", "erin", "--certificate", "demo-certificate", "query",
                      "status", "erin"),
                0, "true\n");

  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "erin", "--certificate", "wrong", "query",
                                         "status", "erin"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, expected);
}

static void
test_no_server (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* A port that was just free and on which nobody listens: the connection is refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  uri = g_strdup_printf ("ws://127.0.0.1:%u/v1",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  g_assert_cmpint (run_agsig_full (NULL,
                                   ARGS ("--server", uri, "--timeout", "5", "query", "status",
                                         "alice"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "agsig: login failed: "));
}

static void
test_call_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(JsonNode) extra = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = expected_error ("call", AG_ERROR_INVITE_E_TIMEOUT);
  gint64 timeout = 0;

  /* alice lets it ring: the server fails the call after --timeout, sent as _timeout, and
   * withdraws it from her. */
  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--count", "2", "--timeout", "60"));
  login = read_event (&listener, "login-success");

  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "bob", "call", "alice", "--channel",
                                         "room", "--timeout", "1"),
                                   &out, &err), ==, 3);
  g_assert_cmpstr (out, ==,
                   "{\"event\":\"invite-received-by-peer\",\"channel\":\"room\","
                   "\"peer\":\"alice\"}\n"
                   "{\"event\":\"invite-failed\",\"channel\":\"room\",\"peer\":\"alice\","
                   "\"ecode\":704}\n");
  g_assert_cmpstr (err, ==, expected);

  invite = read_event (&listener, "invite-received");
  extra = json_from_string (json_object_get_string_member (invite, "extra"), NULL);
  g_assert_nonnull (extra);
  timeout = json_object_get_int_member (json_node_get_object (extra), "_timeout");
  g_assert_cmpint (timeout, ==, 1);
  ended = read_event (&listener, "invite-end-by-peer");
  g_assert_cmpstr (json_object_get_string_member (ended, "peer"), ==, "bob");
  listener_finish (&listener, 0);
}

static void
test_channel_error (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = expected_error ("set-attr", AG_ERROR_PROTO_E_READ_ONLY_CHANNEL);

  /* The first failing action stops the list; the channel is still left cleanly. */
  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("--account", "bob", "channel", "_agora_user_online",
                                         "--set-attr", "a=b", "--send", "never sent"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, expected);
  assert_agsig (fixture, ARGS ("query", "in", "_agora_user_online", "bob"), 0, "false\n");
}

static void
test_listen_kicked (Fixture       *fixture,
                    gconstpointer  data)
{
  Listener listener = { NULL, };
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(JsonObject) logout = NULL;

  listener_start (&listener, fixture,
                  ARGS ("--account", "alice", "listen", "--timeout", "60"));
  login = read_event (&listener, "login-success");

  /* Another login of alice ends the listener's session: 103, and the listener fails. */
  assert_agsig (fixture, ARGS ("--account", "alice", "query", "status", "alice"), 0, "true\n");

  logout = read_event (&listener, "logout");
  g_assert_cmpint (json_object_get_int_member (logout, "ecode"), ==, AG_ERROR_LOGOUT_E_KICKED);
  listener_finish (&listener, 1);
}

static void
test_verbose (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* The frame trace goes to stderr, with the token redacted; stdout keeps only the result. */
  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("-v", "--account", "bob", "--token", "secret-token",
                                         "query", "status", "nobody"),
                                   &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "\"op\":\"login\""));
  g_assert_null (strstr (err, "secret-token"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_agsig_full (fixture,
                                   ARGS ("-v", "--account", "bob", "query", "status", "nobody"),
                                   &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "false\n");
  g_assert_nonnull (strstr (err, "\"op\":\"user_status\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/agsig/token", test_token);
  g_test_add_func ("/ag/agsig/version", test_version);
  g_test_add_func ("/ag/agsig/usage", test_usage);
  g_test_add_func ("/ag/agsig/no-server", test_no_server);
  g_test_add_func ("/ag/agsig/admin", test_admin);
  g_test_add ("/ag/agsig/send-listen", Fixture, NULL,
              fixture_set_up, test_send_listen, fixture_tear_down);
  g_test_add ("/ag/agsig/send-offline", Fixture, NULL,
              fixture_set_up, test_send_offline, fixture_tear_down);
  g_test_add ("/ag/agsig/ttl-offline", Fixture, NULL,
              fixture_set_up, test_ttl_offline, fixture_tear_down);
  g_test_add ("/ag/agsig/channel", Fixture, NULL,
              fixture_set_up, test_channel, fixture_tear_down);
  g_test_add ("/ag/agsig/call-accept", Fixture, NULL,
              fixture_set_up, test_call_accept, fixture_tear_down);
  g_test_add ("/ag/agsig/call-refuse", Fixture, NULL,
              fixture_set_up, test_call_refuse, fixture_tear_down);
  g_test_add ("/ag/agsig/call-offline", Fixture, NULL,
              fixture_set_up, test_call_offline, fixture_tear_down);
  g_test_add ("/ag/agsig/attr", Fixture, NULL,
              fixture_set_up, test_attr, fixture_tear_down);
  g_test_add ("/ag/agsig/query", Fixture, NULL,
              fixture_set_up, test_query, fixture_tear_down);
  g_test_add ("/ag/agsig/certificate", Fixture, NULL,
              fixture_set_up, test_certificate, fixture_tear_down);
  g_test_add ("/ag/agsig/call-timeout", Fixture, NULL,
              fixture_set_up, test_call_timeout, fixture_tear_down);
  g_test_add ("/ag/agsig/channel-error", Fixture, NULL,
              fixture_set_up, test_channel_error, fixture_tear_down);
  g_test_add ("/ag/agsig/listen-kicked", Fixture, NULL,
              fixture_set_up, test_listen_kicked, fixture_tear_down);
  g_test_add ("/ag/agsig/verbose", Fixture, NULL,
              fixture_set_up, test_verbose, fixture_tear_down);

  return g_test_run ();
}
