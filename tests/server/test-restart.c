/* test-restart.c: agsignald with a state file, stopped, killed and started again
 *
 * Real processes on 127.0.0.1 (tests/fixture). A SIGTERM restart keeps everything durable;
 * kill -9 at a random moment under a write load loses nothing that was acknowledged (and
 * offline messages then arrive once and in order); bad state files stop the start, and a
 * full disk at run time is an error reply or a closed connection, never a crash and never
 * a lost acknowledgement. The crash test runs CRASH_ROUNDS rounds, CRASH_ROUNDS_SLOW with
 * `-m slow` (the bench-long suite). A kill at a random moment rarely lands in a window of
 * microseconds, so the order of commit and reply is checked deterministically by
 * test-commit-order.
 */

#define _GNU_SOURCE

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ag-test-client.h"
#include "ag-test-server.h"

#define CRASH_ROUNDS       5
#define CRASH_ROUNDS_SLOW  20
#define WRITERS            4
#define WINDOW             16           /* requests in flight per writer */
#define MAX_ATTRS          1500         /* per writer and round: one get_attr_all reply */
#define MAX_MESSAGES       900          /* per writer and round: below the offline limit */
#define KILL_AFTER_MIN_MS  50
#define KILL_AFTER_MAX_MS  400
#define DRAIN_TIMEOUT_MS   5000

#define LOAD_APP "load"
#define TOKEN    "_no_need_token"

static const char load_config[] =
  "[app:" LOAD_APP "]\n"
  "allow_no_token=true\n"
  "user_msg_rate=1000000\n"
  "user_request_rate=1000000\n"
  "max_user_attrs=10000\n";

typedef struct {
  char         *dir;
  char         *path;
  AgTestServer *server;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->dir = g_dir_make_tmp ("test-restart-XXXXXX", NULL);
  g_assert_nonnull (fx->dir);
  fx->path = g_build_filename (fx->dir, "state.db", NULL);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);

    g_chmod (path, 0644);
    g_remove (path);
  }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_pointer (&fx->server, ag_test_server_free);
  remove_dir (fx->dir);
  g_free (fx->path);
  g_free (fx->dir);
}

static void
start_server (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--state", fx->path, NULL };

  g_assert_null (fx->server);
  fx->server = ag_test_server_new (load_config, args, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->server);
}

static void
stop_server (Fixture *fx)
{
  int wait_status = -1;

  g_assert_true (ag_test_server_stop (fx->server, AG_TEST_SERVER_STOP_TIMEOUT_MS,
                                      &wait_status));
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  g_clear_pointer (&fx->server, ag_test_server_free);
}

static gboolean
process_gone (gpointer data)
{
  return !ag_test_server_is_running (data);
}

static AgTestClient *
client_for (Fixture    *fx,
            const char *account,
            guint32    *out_uid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgTestClient) client = ag_test_client_new (ag_test_server_get_uri (fx->server),
                                                       &error);
  g_autoptr(JsonObject) reply = NULL;

  g_assert_no_error (error);
  reply = ag_test_client_login (client, LOAD_APP, account, TOKEN);
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

/* Logs in as account and returns the text of every offline message delivered, in order. */
static GPtrArray *
receive_offline (Fixture    *fx,
                 const char *account)
{
  g_autoptr(AgTestClient) client = client_for (fx, account, NULL);
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

static void
test_sigterm_restart (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(AgTestClient) alice = NULL;
  g_autoptr(AgTestClient) again = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  JsonObject *attrs;
  guint32 alice_uid, bob_uid, uid;

  start_server (fx);
  alice = client_for (fx, "alice", &alice_uid);
  g_clear_pointer (&reply, json_object_unref);
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
  g_clear_pointer (&again, ag_test_client_free);
  again = client_for (fx, "bob-the-first", &bob_uid);
  g_clear_pointer (&again, ag_test_client_free);

  stop_server (fx);
  start_server (fx);

  /* Everyone is logged out by the restart, and nothing else changed. */
  alice = client_for (fx, "alice", &uid);
  g_assert_cmpuint (uid, ==, alice_uid);
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (alice, "{\"op\":\"user_get_attr\",\"account\":\"alice\",\"name\":\"color\"}");
  g_assert_cmpstr (json_object_get_string_member (reply, "value"), ==, "blue");
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (alice, "{\"op\":\"channel_join\",\"channel\":\"room\"}");
  attrs = json_object_get_object_member (reply, "attrs");
  g_assert_cmpstr (json_object_get_string_member (attrs, "topic"), ==, "news");
  g_clear_pointer (&again, ag_test_client_free);
  again = client_for (fx, "bob-the-first", &uid);
  g_assert_cmpuint (uid, ==, bob_uid);

  messages = receive_offline (fx, "bob");
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (messages, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (messages, 1), ==, "second");

  g_clear_pointer (&alice, ag_test_client_free);
  g_clear_pointer (&again, ag_test_client_free);
  stop_server (fx);
}

/* The crash test */

typedef struct {
  AgTestClient *client;
  char         *account;
  char         *inbox;
  guint32       uid;
  guint         sent_attrs;
  guint         sent_messages;
  guint         outstanding;
  GHashTable   *requests;      /* id -> GUINT_TO_POINTER (seq * 2 + is_message) */
  GArray       *acked_attrs;   /* of guint seq */
  GArray       *acked_messages;
} Writer;

static void
writer_clear (Writer *writer)
{
  g_clear_pointer (&writer->client, ag_test_client_free);
  g_clear_pointer (&writer->account, g_free);
  g_clear_pointer (&writer->inbox, g_free);
  g_clear_pointer (&writer->requests, g_hash_table_unref);
  g_clear_pointer (&writer->acked_attrs, g_array_unref);
  g_clear_pointer (&writer->acked_messages, g_array_unref);
}

static void
writer_send (Writer *writer)
{
  gboolean message = writer->sent_messages < writer->sent_attrs &&
                     writer->sent_messages < MAX_MESSAGES;
  g_autofree char *json = NULL;
  guint seq;
  gint64 id;

  if (!message && writer->sent_attrs >= MAX_ATTRS)
    return;

  if (message) {
    seq = writer->sent_messages++;
    json = g_strdup_printf ("{\"op\":\"msg_send\",\"peer\":\"%s\",\"msg\":\"%u\",\"ttl\":3600}",
                            writer->inbox, seq);
  } else {
    seq = writer->sent_attrs++;
    json = g_strdup_printf ("{\"op\":\"user_set_attr\",\"name\":\"a%u\",\"value\":\"v%u\"}",
                            seq, seq);
  }

  id = ag_test_client_send_request (writer->client, json);
  g_hash_table_insert (writer->requests, GSIZE_TO_POINTER ((gsize) id),
                       GUINT_TO_POINTER (seq * 2 + (message ? 1 : 0)));
  writer->outstanding++;
}

static void
writer_receive (Writer *writer)
{
  JsonObject *frame;

  while ((frame = ag_test_client_wait_frame (writer->client, 0)) != NULL) {
    const char *op = json_object_get_string_member_with_default (frame, "op", "");
    gpointer value;
    gint64 id = json_object_get_int_member_with_default (frame, "id", 0);

    if ((g_str_equal (op, "ok") || g_str_equal (op, "error")) &&
        g_hash_table_lookup_extended (writer->requests, GSIZE_TO_POINTER ((gsize) id), NULL,
                                      &value)) {
      guint code = GPOINTER_TO_UINT (value);
      guint seq = code / 2;

      g_hash_table_remove (writer->requests, GSIZE_TO_POINTER ((gsize) id));
      writer->outstanding--;
      if (g_str_equal (op, "ok"))
        g_array_append_val (code % 2 == 1 ? writer->acked_messages : writer->acked_attrs, seq);
      else
        g_error ("%s: request %" G_GINT64_FORMAT " failed under load", writer->account, id);
    }
    json_object_unref (frame);
  }
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* One round: writers load the server, which is killed at a random moment; every
 * acknowledged attribute must be there after the restart. Returns the acknowledged offline
 * messages of each writer (to be checked once every round is done). */
static void
crash_round (Fixture    *fx,
             guint       round,
             GPtrArray  *inboxes,
             GPtrArray  *acked_per_inbox)
{
  Writer writers[WRITERS] = { { 0, } };
  gint64 start, kill_at, deadline;
  gboolean killed = FALSE;
  guint total_attrs = 0, total_messages = 0;

  start_server (fx);

  for (guint k = 0; k < WRITERS; k++) {
    Writer *writer = &writers[k];

    writer->account = g_strdup_printf ("w%u-r%u", k, round);
    writer->inbox = g_strdup_printf ("in%u-r%u", k, round);
    writer->client = client_for (fx, writer->account, &writer->uid);
    writer->requests = g_hash_table_new (NULL, NULL);
    writer->acked_attrs = g_array_new (FALSE, FALSE, sizeof (guint));
    writer->acked_messages = g_array_new (FALSE, FALSE, sizeof (guint));
  }

  start = g_get_monotonic_time ();
  kill_at = start + g_test_rand_int_range (KILL_AFTER_MIN_MS, KILL_AFTER_MAX_MS) * 1000;
  deadline = kill_at + DRAIN_TIMEOUT_MS * 1000;

  /* Bounded in time (the deadline) and count (MAX_ATTRS + MAX_MESSAGES per writer). */
  while (g_get_monotonic_time () < deadline) {
    gboolean all_closed = TRUE;

    if (!killed && g_get_monotonic_time () >= kill_at) {
      kill (ag_test_server_get_pid (fx->server), SIGKILL);
      killed = TRUE;
    }

    for (guint k = 0; k < WRITERS; k++) {
      Writer *writer = &writers[k];

      writer_receive (writer);
      if (!ag_test_client_is_closed (writer->client)) {
        all_closed = FALSE;
        if (!killed) {
          while (writer->outstanding < WINDOW &&
                 (writer->sent_attrs < MAX_ATTRS || writer->sent_messages < MAX_MESSAGES)) {
            guint before = writer->sent_attrs + writer->sent_messages;

            writer_send (writer);
            if (writer->sent_attrs + writer->sent_messages == before)
              break;
          }
        }
      }
    }

    if (killed && all_closed)
      break;

    ag_test_spin_until (never, NULL, 1);
  }

  g_assert_true (killed);
  g_assert_true (ag_test_spin_until (process_gone, fx->server, AG_TEST_SERVER_STOP_TIMEOUT_MS));
  g_clear_pointer (&fx->server, ag_test_server_free);

  for (guint k = 0; k < WRITERS; k++) {
    total_attrs += writers[k].acked_attrs->len;
    total_messages += writers[k].acked_messages->len;
  }
  g_test_message ("round %u: killed after %" G_GINT64_FORMAT " ms, %u attributes and %u "
                  "messages acknowledged", round, (kill_at - start) / 1000, total_attrs,
                  total_messages);

  /* After the restart: the uids, and every acknowledged attribute with its value. */
  start_server (fx);
  for (guint k = 0; k < WRITERS; k++) {
    Writer *writer = &writers[k];
    g_autoptr(AgTestClient) checker = NULL;
    g_autoptr(JsonObject) reply = NULL;
    g_autofree char *json = NULL;
    JsonObject *attrs;
    guint32 uid;

    g_clear_pointer (&writer->client, ag_test_client_free);
    checker = client_for (fx, writer->account, &uid);
    g_assert_cmpuint (uid, ==, writer->uid);

    json = g_strdup_printf ("{\"op\":\"user_get_attr_all\",\"account\":\"%s\"}",
                            writer->account);
    reply = request_ok (checker, json);
    attrs = json_object_get_object_member (reply, "attrs");
    for (guint i = 0; i < writer->acked_attrs->len; i++) {
      guint seq = g_array_index (writer->acked_attrs, guint, i);
      g_autofree char *name = g_strdup_printf ("a%u", seq);
      g_autofree char *value = g_strdup_printf ("v%u", seq);

      if (!json_object_has_member (attrs, name))
        g_error ("round %u: %s lost the acknowledged attribute %s", round, writer->account,
                 name);
      g_assert_cmpstr (json_object_get_string_member (attrs, name), ==, value);
    }

    g_ptr_array_add (inboxes, g_strdup (writer->inbox));
    g_ptr_array_add (acked_per_inbox, g_array_ref (writer->acked_messages));
  }
  stop_server (fx);

  for (guint k = 0; k < WRITERS; k++)
    writer_clear (&writers[k]);
}

static void
test_crash_under_load (Fixture       *fx,
                       gconstpointer  data)
{
  guint rounds = g_test_slow () ? CRASH_ROUNDS_SLOW : CRASH_ROUNDS;
  g_autoptr(GPtrArray) inboxes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) acked = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint round = 0; round < rounds; round++)
    crash_round (fx, round, inboxes, acked);

  /* Offline messages: every acknowledged one once, all in the order they were sent. */
  start_server (fx);
  for (guint i = 0; i < inboxes->len; i++) {
    g_autoptr(GPtrArray) texts = receive_offline (fx, g_ptr_array_index (inboxes, i));
    g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
    GArray *expected = g_ptr_array_index (acked, i);
    gint64 previous = -1;

    for (guint j = 0; j < texts->len; j++) {
      gint64 seq = g_ascii_strtoll (g_ptr_array_index (texts, j), NULL, 10);

      if (seq <= previous)
        g_error ("%s: message %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT
                 " (duplicated or out of order)", (char *) g_ptr_array_index (inboxes, i),
                 seq, previous);
      previous = seq;
      g_hash_table_add (seen, GSIZE_TO_POINTER ((gsize) seq + 1));
    }

    for (guint j = 0; j < expected->len; j++) {
      guint seq = g_array_index (expected, guint, j);

      if (!g_hash_table_contains (seen, GSIZE_TO_POINTER ((gsize) seq + 1)))
        g_error ("%s lost the acknowledged message %u", (char *) g_ptr_array_index (inboxes, i),
                 seq);
    }
  }

  /* Delivered means gone. */
  for (guint i = 0; i < inboxes->len; i++) {
    g_autoptr(GPtrArray) texts = receive_offline (fx, g_ptr_array_index (inboxes, i));

    g_assert_cmpuint (texts->len, ==, 0);
  }
  stop_server (fx);
}

/* Bad state files */

static void
assert_start_fails (Fixture    *fx,
                    const char *message_part)
{
  const char *args[] = { "--listen", "127.0.0.1:0", "--demo", "--state", fx->path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = -1;

  g_assert_true (ag_test_run_agsignald (args, AG_TEST_TIMEOUT_MS, &out, &err, &wait_status));
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
  /* It never got as far as listening. */
  g_assert_cmpstr (out, ==, "");
  g_test_message ("%s", err);
  if (strstr (err, message_part) == NULL || strstr (err, fx->path) == NULL)
    g_error ("expected “%s” and the path in the error output, got: %s", message_part, err);
}

static void
test_bad_file_garbage (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *text = g_strnfill (10000, '#');

  g_assert_true (g_file_set_contents (fx->path, text, -1, NULL));
  assert_start_fails (fx, "not an agsignald state file");
}

static void
test_bad_file_corrupt (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autoptr(AgTestClient) client = NULL;
  gsize length;

  start_server (fx);
  client = client_for (fx, "alice", NULL);
  for (guint i = 0; i < 100; i++) {
    g_autofree char *json = g_strdup_printf ("{\"op\":\"user_set_attr\",\"name\":\"n%u\","
                                             "\"value\":\"some text to fill a few pages\"}", i);
    g_autoptr(JsonObject) reply = request_ok (client, json);
  }
  g_clear_pointer (&client, ag_test_client_free);
  stop_server (fx);

  g_assert_true (g_file_get_contents (fx->path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8192);
  memset (contents + 4096, 0xa5, length - 4096);
  g_assert_true (g_file_set_contents (fx->path, contents, length, NULL));
  assert_start_fails (fx, "corrupt");
}

static void
test_bad_file_read_only (Fixture       *fx,
                         gconstpointer  data)
{
  start_server (fx);
  stop_server (fx);
  g_assert_cmpint (g_chmod (fx->path, 0444), ==, 0);
  assert_start_fails (fx, "cannot be written");
}

static void
test_bad_file_locked (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(AgTestClient) client = NULL;

  /* The first server keeps running and serving while the second is refused. */
  start_server (fx);
  assert_start_fails (fx, "in use by another process");
  client = client_for (fx, "alice", NULL);
  g_clear_pointer (&client, ag_test_client_free);
  stop_server (fx);
}

static void
test_full_disk_at_run_time (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *big = g_strnfill (8000, 'x');
  g_autofree char *healthz = NULL;
  g_autoptr(AgTestClient) client = NULL;
  g_autoptr(GArray) acked = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *body = NULL;
  GStatBuf info;
  struct rlimit limit;
  guint status = 0;
  gboolean refused = FALSE;

  start_server (fx);
  client = client_for (fx, "alice", NULL);

  /* The server's files may grow by about 1 MiB from here. */
  g_assert_cmpint (g_stat (fx->path, &info), ==, 0);
  limit.rlim_cur = limit.rlim_max = info.st_size + 1024 * 1024;
  g_assert_cmpint (prlimit (ag_test_server_get_pid (fx->server), RLIMIT_FSIZE, &limit, NULL), ==,
                   0);

  /* 8 kB values: the limit is reached well within this bound. */
  for (guint i = 0; i < 1000 && !refused; i++) {
    g_autofree char *json = g_strdup_printf ("{\"op\":\"user_set_attr\",\"name\":\"n%u\","
                                             "\"value\":\"%.*s\"}", i, 8000, big);
    g_autoptr(JsonObject) reply = ag_test_client_request (client, json);

    if (reply != NULL && ag_test_reply_code (reply) == 0) {
      g_array_append_val (acked, i);
    } else {
      /* An error reply, or the connection closed with the ok withheld. */
      g_test_message ("write %u refused: %s", i,
                      reply != NULL ? json_object_get_string_member_with_default (reply,
                                                                                  "reason", "")
                                    : "connection closed");
      refused = TRUE;
    }
  }
  g_assert_true (refused);
  g_assert_cmpuint (acked->len, >, 0);

  /* The server is still there and still answers. */
  g_assert_true (ag_test_server_is_running (fx->server));
  healthz = ag_test_server_get_http_uri (fx->server, "/healthz");
  body = ag_test_http_get (healthz, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&client, ag_test_client_free);
  client = client_for (fx, "bob", NULL);
  g_clear_pointer (&client, ag_test_client_free);

  /* Room again: everything acknowledged is there after a restart. */
  limit.rlim_cur = limit.rlim_max = RLIM_INFINITY;
  prlimit (ag_test_server_get_pid (fx->server), RLIMIT_FSIZE, &limit, NULL);
  stop_server (fx);
  start_server (fx);
  client = client_for (fx, "alice", NULL);
  for (guint i = 0; i < acked->len; i++) {
    g_autofree char *json = g_strdup_printf ("{\"op\":\"user_get_attr\",\"account\":\"alice\","
                                             "\"name\":\"n%u\"}",
                                             g_array_index (acked, guint, i));
    g_autoptr(JsonObject) reply = request_ok (client, json);

    g_assert_cmpstr (json_object_get_string_member (reply, "value"), ==, big);
  }
  g_clear_pointer (&client, ag_test_client_free);
  stop_server (fx);
}

/* Runs in the child before exec: no room to write anything. */
static void
no_file_growth (gpointer user_data)
{
  struct rlimit limit = { 0, 0 };

  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
test_full_disk_at_start (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(AgTestClient) client = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  start_server (fx);
  client = client_for (fx, "alice", NULL);
  reply = request_ok (client, "{\"op\":\"user_set_attr\",\"name\":\"kept\",\"value\":\"yes\"}");
  g_clear_pointer (&client, ag_test_client_free);
  stop_server (fx);

  /* Every start writes to the file, so a full disk stops it before it listens. */
  g_subprocess_launcher_set_child_setup (launcher, no_file_growth, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AGSIGNALD"),
                                         "--listen", "127.0.0.1:0", "--demo",
                                         "--state", fx->path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, fx->path));
  g_assert_nonnull (strstr (err, "is the disk full?"));

  /* Nothing was lost. */
  start_server (fx);
  client = client_for (fx, "bob", NULL);
  g_clear_pointer (&reply, json_object_unref);
  reply = request_ok (client, "{\"op\":\"user_get_attr\",\"account\":\"alice\",\"name\":\"kept\"}");
  g_assert_cmpstr (json_object_get_string_member (reply, "value"), ==, "yes");
  g_clear_pointer (&client, ag_test_client_free);
  stop_server (fx);
}

/* Options and configuration */

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
  if (strstr (err, message_part) == NULL)
    g_error ("expected “%s” in the error output, got: %s", message_part, err);
}

static void
test_state_options (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *config = g_strdup_printf ("[server]\nstate=%s\nstate_sync=full\n", fx->path);
  g_autofree char *config_path = g_build_filename (fx->dir, "agsignald.conf", NULL);
  g_autofree char *bad_config_path = g_build_filename (fx->dir, "bad.conf", NULL);
  g_autoptr(AgTestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  const char *by_config[] = { "--config", config_path, NULL };
  const char *empty[] = { "--demo", "--state", "", NULL };
  const char *bad_sync[] = { "--demo", "--state", fx->path, "--state-sync", "sometimes", NULL };
  const char *bad_key[] = { "--demo", "--config", bad_config_path, NULL };
  const char *in_memory[] = { "--state", ":memory:", NULL };

  /* state= of the configuration file is the state file when there is no --state. */
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  fx->server = ag_test_server_new (load_config, by_config, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (fx->path, G_FILE_TEST_IS_REGULAR));
  stop_server (fx);

  assert_args_fail (empty, "--state: the path is empty");
  assert_args_fail (bad_sync, "state sync 'sometimes' is neither normal nor full");
  g_assert_true (g_file_set_contents (bad_config_path, "[server]\nstate_sync=never\n", -1,
                                      NULL));
  assert_args_fail (bad_key, "state_sync");

  /* :memory: writes no file. */
  g_remove (fx->path);
  fx->server = ag_test_server_new (load_config, in_memory, &error);
  g_assert_no_error (error);
  client = client_for (fx, "alice", NULL);
  g_clear_pointer (&client, ag_test_client_free);
  stop_server (fx);
  g_assert_false (g_file_test (fx->path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ag/restart/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("sigterm", test_sigterm_restart);
  ADD ("state-options", test_state_options);
  ADD ("crash-under-load", test_crash_under_load);
  ADD ("bad-file/garbage", test_bad_file_garbage);
  ADD ("bad-file/corrupt", test_bad_file_corrupt);
  ADD ("bad-file/read-only", test_bad_file_read_only);
  ADD ("bad-file/locked", test_bad_file_locked);
  ADD ("full-disk-at-start", test_full_disk_at_start);
  ADD ("full-disk-at-run-time", test_full_disk_at_run_time);

#undef ADD

  return g_test_run ();
}
