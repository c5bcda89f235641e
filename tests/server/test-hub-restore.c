/* test-hub-restore.c: AgHub over a state file, stopped and started again with a fake clock
 *
 * A "restart" finalizes the hub and its AgEngineSqlite, opens the same file in a new engine
 * and restores a new hub from it at a later fake time: what the hub kept durable comes back,
 * presence and membership do not, and deadlines that passed while it was down have run.
 */

#include <glib/gstdio.h>
#include <string.h>

#include "ag-engine-memory.h"
#include "ag-engine-sqlite.h"
#include "ag-frame.h"
#include "ag-hub.h"
#include "ag-limits.h"

#define DEMO_APP "demo"

#define T0 G_GINT64_CONSTANT (1764099000000000)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)
#define CONN_KEY(conn) GSIZE_TO_POINTER ((gsize) (conn))

typedef struct {
  char       *dir;
  char       *path;
  AgEngine   *engine;
  AgHub      *hub;
  gint64      now_us;
  GHashTable *inbox;       /* conn -> GQueue of AgFrame* */
  gint64      last_id;
} Fixture;

static void
sink_send_cb (gpointer  user_data,
              guint64   conn_id,
              GBytes   *bytes)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  AgFrame *frame = ag_frame_decode (data, length, AG_FRAME_FROM_SERVER, NULL, &error);
  GQueue *queue;

  g_assert_no_error (error);

  queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn_id));
  if (queue == NULL) {
    queue = g_queue_new ();
    g_hash_table_insert (fx->inbox, CONN_KEY (conn_id), queue);
  }
  g_queue_push_tail (queue, frame);
}

static void
sink_close_cb (gpointer user_data,
               guint64  conn_id,
               int      code)
{
}

static void
frame_queue_free (gpointer data)
{
  g_queue_free_full (data, (GDestroyNotify) ag_frame_free);
}

static void
start (Fixture *fx)
{
  static const AgHubSink sink = { sink_send_cb, sink_close_cb };
  g_autoptr(GError) error = NULL;
  AgAppConfig config = { .app_id = (char *) DEMO_APP, .allow_no_token = TRUE };

  fx->engine = ag_engine_sqlite_new (fx->path, AG_ENGINE_SQLITE_SYNC_NORMAL, &error);
  g_assert_no_error (error);
  fx->hub = ag_hub_new (fx->engine, &sink, fx);
  ag_hub_add_app (fx->hub, &config);
  g_assert_true (ag_hub_restore (fx->hub, fx->now_us, &error));
  g_assert_no_error (error);
  g_assert_true (ag_hub_commit (fx->hub, &error));
}

/* Everything the hub changed is committed, as the transports do before sending. */
static void
commit (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ag_hub_commit (fx->hub, &error));
  g_assert_no_error (error);
}

static void
stop (Fixture *fx)
{
  commit (fx);
  g_assert_finalize_object (fx->hub);
  g_assert_finalize_object (fx->engine);
  fx->hub = NULL;
  fx->engine = NULL;
  g_hash_table_remove_all (fx->inbox);
}

static void
restart_after (Fixture *fx,
               gint64   down_us)
{
  stop (fx);
  fx->now_us += down_us;
  start (fx);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->dir = g_dir_make_tmp ("test-hub-restore-XXXXXX", NULL);
  g_assert_nonnull (fx->dir);
  fx->path = g_build_filename (fx->dir, "state.db", NULL);
  fx->now_us = T0;
  fx->inbox = g_hash_table_new_full (NULL, NULL, NULL, frame_queue_free);
  start (fx);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fx->path, "-wal", NULL);

  stop (fx);
  g_remove (wal);
  g_remove (fx->path);
  g_rmdir (fx->dir);
  g_clear_pointer (&fx->inbox, g_hash_table_unref);
  g_free (fx->path);
  g_free (fx->dir);
}

static gint64 G_GNUC_PRINTF (4, 5)
request (Fixture    *fx,
         guint64     conn,
         const char *op,
         const char *fields_format,
         ...)
{
  g_autofree char *fields = NULL;
  g_autofree char *text = NULL;
  gint64 id = ++fx->last_id;
  va_list args;

  va_start (args, fields_format);
  fields = g_strdup_vprintf (fields_format, args);
  va_end (args);
  g_strdelimit (fields, "'", '"');

  text = g_strdup_printf ("{\"op\":\"%s\",\"id\":%" G_GINT64_FORMAT "%s%s}", op, id,
                          fields[0] != '\0' ? "," : "", fields);
  ag_hub_connection_frame (fx->hub, conn, text, strlen (text), fx->now_us);

  return id;
}

static AgFrame *
pop (Fixture *fx,
     guint64  conn)
{
  GQueue *queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn));
  AgFrame *frame = queue != NULL ? g_queue_pop_head (queue) : NULL;

  if (frame == NULL)
    g_error ("connection %" G_GUINT64_FORMAT " received nothing", conn);

  return frame;
}

/* The reply to request id; the events queued before it are skipped. */
static AgFrame *
expect_ok (Fixture *fx,
           guint64  conn,
           gint64   id)
{
  AgFrame *reply;

  while ((reply = pop (fx, conn))->op != AG_OP_OK && reply->op != AG_OP_ERROR)
    ag_frame_free (reply);

  g_assert_cmpint (reply->op, ==, AG_OP_OK);
  g_assert_cmpint (reply->id, ==, id);

  return reply;
}

static guint32
login (Fixture    *fx,
       guint64     conn,
       const char *account)
{
  g_autoptr(AgFrame) reply = NULL;
  gint64 id;

  ag_hub_connection_opened (fx->hub, conn, fx->now_us);
  id = request (fx, conn, "login", "'app_id':'%s','account':'%s','token':'_no_need_token'",
                DEMO_APP, account);
  reply = expect_ok (fx, conn, id);

  return reply->uid;
}

static AgFrame *
join (Fixture    *fx,
      guint64     conn,
      const char *channel)
{
  return expect_ok (fx, conn, request (fx, conn, "channel_join", "'channel':'%s'", channel));
}

static void
test_restore_uids_and_user_attrs (Fixture       *fx,
                                  gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  guint32 alice, bob;

  alice = login (fx, 1, "alice");
  bob = login (fx, 2, "bob");
  g_assert_cmpuint (alice, !=, bob);
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "user_set_attr", "'name':'color','value':'blue'"));

  restart_after (fx, SECONDS (3600));

  /* The uids stay those of the first login, and a new account gets a new one. */
  g_assert_cmpuint (login (fx, 3, "bob"), ==, bob);
  g_assert_cmpuint (login (fx, 4, "alice"), ==, alice);
  g_assert_cmpuint (login (fx, 5, "carol"), >, MAX (alice, bob));

  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 3, request (fx, 3, "user_get_attr",
                                     "'account':'alice','name':'color'"));
  g_assert_cmpstr (reply->value, ==, "blue");

  /* Presence is not durable: alice is online now only because she logged in again. */
  g_clear_pointer (&reply, ag_frame_free);
  restart_after (fx, SECONDS (1));
  login (fx, 1, "bob");
  reply = expect_ok (fx, 1, request (fx, 1, "user_status", "'account':'alice'"));
  g_assert_true (reply->has_online);
  g_assert_false (reply->online);
}

/* With the state file the uids are on disk: the hub forgets logged-out accounts a minute
 * after their logout and loads none at start-up, and every account keeps its uid. */
static void
test_restore_uids_on_disk (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  guint32 alice = login (fx, 1, "alice");
  guint32 bob = login (fx, 2, "bob");

  reply = expect_ok (fx, 1, request (fx, 1, "logout", "%s", ""));
  commit (fx);
  fx->now_us += SECONDS (AG_LIMIT_ACCOUNT_LINGER_S);
  ag_hub_tick (fx->hub, fx->now_us);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->accounts, ==, 1);
  g_assert_cmpuint (login (fx, 3, "alice"), ==, alice);

  restart_after (fx, SECONDS (10));
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->accounts, ==, 0);
  g_assert_cmpuint (login (fx, 4, "bob"), ==, bob);
  g_assert_cmpuint (login (fx, 5, "alice"), ==, alice);
  g_assert_cmpuint (login (fx, 6, "carol"), ==, MAX (alice, bob) + 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->accounts, ==, 3);
}

static void
test_restore_offline_messages (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;

  login (fx, 1, "alice");
  for (guint i = 0; i < 3; i++) {
    reply = expect_ok (fx, 1, request (fx, 1, "msg_send", "'peer':'bob','msg':'m%u','ttl':%u",
                                       i, i == 1 ? 10 : 300));
    g_assert_true (reply->stored);
    g_clear_pointer (&reply, ag_frame_free);
  }

  /* m1 expires while the server is down; the other two arrive once, in order. */
  restart_after (fx, SECONDS (60));
  login (fx, 2, "bob");
  for (guint i = 0; i < 2; i++) {
    g_autoptr(AgFrame) message = pop (fx, 2);

    g_assert_cmpint (message->op, ==, AG_OP_EV_MSG);
    g_assert_cmpstr (message->account, ==, "alice");
    g_assert_cmpstr (message->msg, ==, i == 0 ? "m0" : "m2");
  }
  g_assert_cmpuint (g_queue_get_length (g_hash_table_lookup (fx->inbox, CONN_KEY (2))), ==, 0);

  restart_after (fx, SECONDS (1));
  login (fx, 2, "bob");
  g_assert_cmpuint (g_queue_get_length (g_hash_table_lookup (fx->inbox, CONN_KEY (2))), ==, 0);
}

static void
test_restore_channel (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;

  login (fx, 1, "alice");
  login (fx, 2, "bob");
  g_clear_pointer (&reply, ag_frame_free);
  reply = join (fx, 1, "lobby");
  g_clear_pointer (&reply, ag_frame_free);
  reply = join (fx, 2, "lobby");
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr", "'name':'topic','value':'news'"));
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr",
                                     "'name':'_channel_ttl','value':'600'"));
  g_clear_pointer (&reply, ag_frame_free);

  /* Both were members when the server stopped: the TTL runs from the restart. */
  restart_after (fx, SECONDS (3600));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, fx->now_us + SECONDS (600));
  login (fx, 1, "carol");
  reply = join (fx, 1, "lobby");
  g_assert_cmpuint (reply->num, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (reply->attrs, "topic"), ==, "news");
  g_assert_cmpstr (g_hash_table_lookup (reply->attrs, "_channel_ttl"), ==, "600");
}

static void
test_restore_total_joins (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;

  login (fx, 1, "alice");
  for (guint i = 0; i < 3; i++) {
    g_clear_pointer (&reply, ag_frame_free);
    reply = join (fx, 1, i % 2 == 0 ? "lobby" : "elsewhere");
  }

  restart_after (fx, SECONDS (10));
  login (fx, 1, "alice");
  g_clear_pointer (&reply, ag_frame_free);
  reply = join (fx, 1, "lobby");
  g_clear_pointer (&reply, ag_frame_free);
  /* Two joins before the restart, one after. */
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr",
                                     "'name':'_auto_update_total_num','value':'1'"));
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr",
                                     "'name':'_auto_update_num','value':'1'"));
  for (;;) {
    g_autoptr(AgFrame) event = pop (fx, 1);

    if (event->op == AG_OP_EV_CHANNEL_ATTR && g_strcmp0 (event->name, "_total_member_num") == 0) {
      g_assert_cmpstr (event->value, ==, "3");
      break;
    }
  }
}

static void
test_restore_expired_channel (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;

  login (fx, 1, "alice");
  reply = join (fx, 1, "lobby");
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr", "'name':'topic','value':'old'"));
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr",
                                     "'name':'_channel_ttl','value':'30'"));
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_leave", "%s", ""));
  g_clear_pointer (&reply, ag_frame_free);

  /* The channel's deadline passes while the server is down: it is gone after the restart,
   * from the file too. */
  restart_after (fx, SECONDS (31));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
  restart_after (fx, SECONDS (1));
  login (fx, 1, "alice");
  reply = join (fx, 1, "lobby");
  g_assert_null (g_hash_table_lookup (reply->attrs, "topic"));
}

static void
test_restore_channel_deadline_kept (Fixture       *fx,
                                    gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;

  login (fx, 1, "alice");
  reply = join (fx, 1, "lobby");
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_set_attr",
                                     "'name':'_channel_ttl','value':'100'"));
  g_clear_pointer (&reply, ag_frame_free);
  reply = expect_ok (fx, 1, request (fx, 1, "channel_leave", "%s", ""));
  g_clear_pointer (&reply, ag_frame_free);

  /* The deadline set when the last member left stays the same across the restart, and the
   * channel goes away when it comes. */
  restart_after (fx, SECONDS (40));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (100));
  fx->now_us = T0 + SECONDS (100);
  ag_hub_tick (fx->hub, fx->now_us);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 0);

  restart_after (fx, SECONDS (1));
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 0);
}

static void
test_restore_memory_engine (void)
{
  static const AgHubSink sink = { sink_send_cb, sink_close_cb };
  AgEngine *engine = ag_engine_memory_new ();
  Fixture fx = { .inbox = g_hash_table_new_full (NULL, NULL, NULL, frame_queue_free) };
  AgAppConfig config = { .app_id = (char *) DEMO_APP, .allow_no_token = TRUE };
  g_autoptr(GError) error = NULL;

  /* Nothing to load: a hub on the memory engine starts empty, as before. */
  fx.hub = ag_hub_new (engine, &sink, &fx);
  ag_hub_add_app (fx.hub, &config);
  g_assert_true (ag_hub_restore (fx.hub, T0, &error));
  g_assert_no_error (error);
  g_assert_true (ag_hub_commit (fx.hub, &error));
  g_assert_cmpint (ag_hub_next_deadline (fx.hub), ==, G_MAXINT64);
  g_assert_cmpuint (ag_hub_get_stats (fx.hub)->channels, ==, 0);

  g_assert_finalize_object (fx.hub);
  g_assert_finalize_object (engine);
  g_hash_table_unref (fx.inbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ag/hub-restore/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("uids-and-user-attrs", test_restore_uids_and_user_attrs);
  ADD ("uids-on-disk", test_restore_uids_on_disk);
  ADD ("offline-messages", test_restore_offline_messages);
  ADD ("channel", test_restore_channel);
  ADD ("total-joins", test_restore_total_joins);
  ADD ("expired-channel", test_restore_expired_channel);
  ADD ("channel-deadline-kept", test_restore_channel_deadline_kept);

#undef ADD

  g_test_add_func ("/ag/hub-restore/memory-engine", test_restore_memory_engine);

  return g_test_run ();
}
