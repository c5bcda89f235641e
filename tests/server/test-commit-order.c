/* test-commit-order.c: no reply leaves a transport before the commit of what it acknowledges
 *
 * The epoll transport runs in this process on an engine that wraps the memory engine and watches
 * its commits. A client thread sends one durable request at a time and does not read the
 * reply until the engine has committed it, so when the engine commits, the bytes waiting in
 * the client's socket are exactly what the server wrote before the commit: there must be
 * none. The kill -9 test (test-restart) checks the same promise from outside, but it cannot
 * hit a window of a few microseconds; this test does not depend on timing. A commit that
 * fails must withhold the ok: the client sees its connection end instead; a write that
 * fails by itself is answered with 1001.
 */

#include <gio/gio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ag-engine-memory.h"
#include "ag-epoll-server.h"
#include "ag-test-raw-websocket.h"
#include "ag-test-server.h"

#define REQUESTS       40
#define WAIT_US        (10 * G_USEC_PER_SEC)

/* The watching engine */

#define TEST_TYPE_ENGINE_WATCH (test_engine_watch_get_type ())
G_DECLARE_FINAL_TYPE (TestEngineWatch, test_engine_watch, TEST, ENGINE_WATCH, GObject)

struct _TestEngineWatch {
  GObject   parent_instance;

  AgEngine *inner;
  GMutex    lock;
  GCond     committed_cond;
  gboolean  pending;           /* a write since the last commit */
  guint     commits;           /* commits that had writes */
  guint     early_bytes;       /* bytes the client had before such a commit */
  guint     fail_commit;       /* commits with writes: this one fails (0: none) */
  guint     fail_write;        /* writes: this one fails (0: none) */
  guint     writes;
  int       client_fd;         /* -1 until the client is connected */
};

static void test_engine_watch_engine_init (AgEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestEngineWatch, test_engine_watch, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_ENGINE,
                                                      test_engine_watch_engine_init))

/* Returns FALSE (with a storage error) for the write that is to fail. */
static gboolean
note_write (TestEngineWatch  *self,
            GError          **error)
{
  gboolean fails;

  g_mutex_lock (&self->lock);
  self->pending = TRUE;
  fails = ++self->writes == self->fail_write;
  g_mutex_unlock (&self->lock);

  if (fails)
    g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE, "this write fails");

  return !fails;
}

static gboolean
watch_user_attr_set (AgEngine    *engine,
                     const char  *app_id,
                     const char  *account,
                     const char  *name,
                     const char  *value,
                     GError     **error)
{
  TestEngineWatch *self = TEST_ENGINE_WATCH (engine);

  return note_write (self, error) &&
         ag_engine_user_attr_set (self->inner, app_id, account, name, value, error);
}

static char *
watch_user_attr_get (AgEngine    *engine,
                     const char  *app_id,
                     const char  *account,
                     const char  *name,
                     GError     **error)
{
  return ag_engine_user_attr_get (TEST_ENGINE_WATCH (engine)->inner, app_id, account, name,
                                  error);
}

static GHashTable *
watch_user_attr_get_all (AgEngine    *engine,
                         const char  *app_id,
                         const char  *account,
                         GError     **error)
{
  return ag_engine_user_attr_get_all (TEST_ENGINE_WATCH (engine)->inner, app_id, account,
                                      error);
}

static gboolean
watch_offline_push (AgEngine          *engine,
                    const char        *app_id,
                    const char        *account,
                    AgOfflineMessage  *message,
                    GError           **error)
{
  TestEngineWatch *self = TEST_ENGINE_WATCH (engine);

  if (!note_write (self, error)) {
    ag_offline_message_free (message);
    return FALSE;
  }

  return ag_engine_offline_push (self->inner, app_id, account, message, error);
}

static GPtrArray *
watch_offline_take (AgEngine    *engine,
                    const char  *app_id,
                    const char  *account,
                    gint64       now_us,
                    gsize        max_bytes,
                    gboolean    *out_more,
                    GError     **error)
{
  return ag_engine_offline_take_some (TEST_ENGINE_WATCH (engine)->inner, app_id, account,
                                      now_us, max_bytes, out_more, error);
}

static gint64
watch_offline_expire (AgEngine *engine,
                      gint64    now_us)
{
  return ag_engine_offline_expire (TEST_ENGINE_WATCH (engine)->inner, now_us);
}

static gboolean
watch_uid_set (AgEngine    *engine,
               const char  *app_id,
               const char  *account,
               guint32      uid,
               GError     **error)
{
  TestEngineWatch *self = TEST_ENGINE_WATCH (engine);

  return note_write (self, error) && ag_engine_uid_set (self->inner, app_id, account, uid, error);
}

static void
watch_channel_save (AgEngine              *engine,
                    const char            *app_id,
                    const AgEngineChannel *channel)
{
  TestEngineWatch *self = TEST_ENGINE_WATCH (engine);

  note_write (self, NULL);
  ag_engine_channel_save (self->inner, app_id, channel);
}

static void
watch_channel_delete (AgEngine   *engine,
                      const char *app_id,
                      const char *name)
{
  TestEngineWatch *self = TEST_ENGINE_WATCH (engine);

  note_write (self, NULL);
  ag_engine_channel_delete (self->inner, app_id, name);
}

static gboolean
watch_load_app (AgEngine    *engine,
                const char  *app_id,
                GHashTable **out_uids,
                GPtrArray  **out_channels,
                GError     **error)
{
  return ag_engine_load_app (TEST_ENGINE_WATCH (engine)->inner, app_id, out_uids, out_channels,
                             error);
}

static gboolean
watch_commit (AgEngine  *engine,
              GError   **error)
{
  TestEngineWatch *self = TEST_ENGINE_WATCH (engine);
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  if (self->pending) {
    int waiting = 0;

    /* The client reads nothing until this commit is done: whatever it has was sent before
     * the commit. */
    if (self->client_fd >= 0 && ioctl (self->client_fd, FIONREAD, &waiting) == 0 && waiting > 0)
      self->early_bytes += waiting;

    self->pending = FALSE;
    self->commits++;
    if (self->commits == self->fail_commit) {
      g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE, "this commit fails");
      ok = FALSE;
    }
    g_cond_broadcast (&self->committed_cond);
  }
  g_mutex_unlock (&self->lock);

  return ok && ag_engine_commit (self->inner, error);
}

static void
test_engine_watch_engine_init (AgEngineInterface *iface)
{
  iface->user_attr_set = watch_user_attr_set;
  iface->user_attr_get = watch_user_attr_get;
  iface->user_attr_get_all = watch_user_attr_get_all;
  iface->offline_push = watch_offline_push;
  iface->offline_take = watch_offline_take;
  iface->offline_expire = watch_offline_expire;
  iface->uid_set = watch_uid_set;
  iface->channel_save = watch_channel_save;
  iface->channel_delete = watch_channel_delete;
  iface->load_app = watch_load_app;
  iface->commit = watch_commit;
}

static void
test_engine_watch_finalize (GObject *object)
{
  TestEngineWatch *self = (TestEngineWatch *) object;

  g_clear_object (&self->inner);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->committed_cond);

  G_OBJECT_CLASS (test_engine_watch_parent_class)->finalize (object);
}

static void
test_engine_watch_class_init (TestEngineWatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_engine_watch_finalize;
}

static void
test_engine_watch_init (TestEngineWatch *self)
{
  self->inner = ag_engine_memory_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->committed_cond);
  self->client_fd = -1;
}

/* Waits until the engine has made n commits with writes. */
static gboolean
wait_commits (TestEngineWatch *self,
              guint            n)
{
  gint64 until = g_get_monotonic_time () + WAIT_US;
  gboolean reached;

  g_mutex_lock (&self->lock);
  while (self->commits < n && g_cond_wait_until (&self->committed_cond, &self->lock, until))
    ;
  reached = self->commits >= n;
  g_mutex_unlock (&self->lock);

  return reached;
}

/* The client thread */

typedef struct {
  TestEngineWatch *engine;
  guint16          port;
  guint            replies;        /* ok replies read */
  guint            errors;         /* 1001 error replies read */
  gboolean         ended;          /* the connection ended before a reply */
  char            *failure;        /* what went wrong, or NULL */
  gboolean         done;           /* atomic */
} Client;

static gboolean
read_reply (AgTestRawWebsocket *ws,
            Client             *client)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  guint8 opcode;
  const char *text;
  gsize length;

  if (!ag_test_raw_websocket_read_frame (ws, &opcode, &payload, &error) ||
      opcode == AG_TEST_WS_CLOSE) {
    client->ended = TRUE;
    return FALSE;
  }

  text = g_bytes_get_data (payload, &length);
  if (opcode == AG_TEST_WS_TEXT && g_strstr_len (text, length, "\"op\":\"error\"") != NULL &&
      g_strstr_len (text, length, "\"code\":1001") != NULL) {
    client->errors++;
    return TRUE;
  }
  if (opcode != AG_TEST_WS_TEXT || g_strstr_len (text, length, "\"op\":\"ok\"") == NULL) {
    client->failure = g_strdup_printf ("not an ok reply: %.*s", (int) length, text);
    return FALSE;
  }

  client->replies++;
  return TRUE;
}

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  g_autoptr(AgTestRawWebsocket) ws = NULL;
  g_autoptr(GError) error = NULL;

  ws = ag_test_raw_websocket_connect (client->port, 0, &error);
  if (ws == NULL) {
    client->failure = g_strdup (error->message);
    goto out;
  }

  g_mutex_lock (&client->engine->lock);
  client->engine->client_fd = g_socket_get_fd (ag_test_raw_websocket_get_socket (ws));
  g_mutex_unlock (&client->engine->lock);

  /* The login writes the new account's uid; then attributes and offline messages, each
   * reply read only once its commit is done. */
  for (guint i = 0; i <= REQUESTS; i++) {
    g_autofree char *text = NULL;

    if (i == 0)
      text = g_strdup ("{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":\"alice\","
                       "\"token\":\"_no_need_token\"}");
    else if (i % 2 == 1)
      text = g_strdup_printf ("{\"op\":\"user_set_attr\",\"id\":%u,\"name\":\"a%u\","
                              "\"value\":\"v%u\"}", i + 1, i, i);
    else
      text = g_strdup_printf ("{\"op\":\"msg_send\",\"id\":%u,\"peer\":\"bob\","
                              "\"msg\":\"m%u\",\"ttl\":60}", i + 1, i);

    if (!ag_test_raw_websocket_send_text (ws, text, -1, &error)) {
      client->failure = g_strdup (error->message);
      break;
    }
    if (!wait_commits (client->engine, i + 1)) {
      client->failure = g_strdup_printf ("request %u was never committed", i);
      break;
    }
    if (!read_reply (ws, client))
      break;
  }

  g_mutex_lock (&client->engine->lock);
  client->engine->client_fd = -1;
  g_mutex_unlock (&client->engine->lock);

out:
  g_atomic_int_set (&client->done, TRUE);
  /* The main thread may be asleep in its main loop with nothing else to wake it. */
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
client_done (gpointer data)
{
  Client *client = data;

  return g_atomic_int_get (&client->done);
}

/* Runs the client against a transport of engine; returns the client's outcome. */
static void
run_client (AgServerTransport *transport,
            TestEngineWatch   *engine,
            Client            *client)
{
  g_autoptr(GError) error = NULL;
  GThread *thread;
  AgAppConfig demo = { .app_id = (char *) "demo", .allow_no_token = TRUE };

  ag_hub_add_app (ag_server_transport_get_hub (transport), &demo);
  g_assert_true (ag_server_transport_listen (transport, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  client->engine = engine;
  client->port = ag_server_transport_get_port (transport);
  thread = g_thread_new ("client", client_thread, client);
  g_assert_true (ag_test_spin_until (client_done, client, 2 * WAIT_US / 1000));
  g_thread_join (thread);
}

static AgServerTransport *
new_transport (gconstpointer  data,
               AgEngine      *engine)
{
  g_autoptr(GError) error = NULL;
  AgServerTransport *transport;

  g_assert_cmpstr (data, ==, "epoll");
  transport = AG_SERVER_TRANSPORT (ag_epoll_server_new (engine, &error));
  g_assert_no_error (error);
  return transport;
}

static void
test_reply_after_commit (gconstpointer data)
{
  g_autoptr(TestEngineWatch) engine = g_object_new (TEST_TYPE_ENGINE_WATCH, NULL);
  g_autoptr(AgServerTransport) transport = new_transport (data, AG_ENGINE (engine));
  Client client = { 0, };

  run_client (transport, engine, &client);

  g_assert_null (client.failure);
  g_assert_false (client.ended);
  g_assert_cmpuint (client.replies, ==, REQUESTS + 1);
  g_assert_cmpuint (engine->commits, ==, REQUESTS + 1);
  g_assert_cmpuint (engine->early_bytes, ==, 0);
}

static void
test_failed_commit_withholds_ok (gconstpointer data)
{
  g_autoptr(TestEngineWatch) engine = g_object_new (TEST_TYPE_ENGINE_WATCH, NULL);
  g_autoptr(AgServerTransport) transport = new_transport (data, AG_ENGINE (engine));
  Client client = { 0, };

  /* The commit of the fourth write (the login, then three requests) fails. */
  engine->fail_commit = 4;
  run_client (transport, engine, &client);

  g_assert_null (client.failure);
  g_assert_true (client.ended);
  g_assert_cmpuint (client.replies, ==, 3);
  g_assert_cmpuint (engine->early_bytes, ==, 0);
}

static void
test_failed_write_is_an_error (gconstpointer data)
{
  g_autoptr(TestEngineWatch) engine = g_object_new (TEST_TYPE_ENGINE_WATCH, NULL);
  g_autoptr(AgServerTransport) transport = new_transport (data, AG_ENGINE (engine));
  Client client = { 0, };

  /* The third write (an offline message) fails by itself: its request is answered with
   * 1001 and everything else goes on. */
  engine->fail_write = 3;
  run_client (transport, engine, &client);

  g_assert_null (client.failure);
  g_assert_false (client.ended);
  g_assert_cmpuint (client.errors, ==, 1);
  g_assert_cmpuint (client.replies, ==, REQUESTS);
  g_assert_cmpuint (engine->early_bytes, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/ag/commit-order/epoll/reply-after-commit", "epoll",
                        test_reply_after_commit);
  g_test_add_data_func ("/ag/commit-order/epoll/failed-commit", "epoll",
                        test_failed_commit_withholds_ok);
  g_test_add_data_func ("/ag/commit-order/epoll/failed-write", "epoll",
                        test_failed_write_is_an_error);

  return g_test_run ();
}
