/* test-hub.c: AgHub, the sans-IO core of agsignald, driven with a fake clock
 *
 * The sink records every frame the hub sends, decoded as a client would decode it, per
 * connection; tests pop them in order and check their fields.
 */

#include <string.h>

#include "ag-engine-memory.h"
#include "ag-error.h"
#include "ag-extra.h"
#include "ag-frame.h"
#include "ag-hub.h"
#include "ag-limits.h"
#include "ag-token.h"

#define DEMO_APP    "demo"
#define OTHER_APP   "other"
#define SECURE_APP  "secure"
#define SLOW_APP    "slow"
#define BULK_APP    "bulk"
#define SECURE_CERT "5f3e0b3c9d1a4e7f8a2b6c0d1e9f7a3b"

#define T0 G_GINT64_CONSTANT (1764099000000000)
#define SECONDS(s) ((gint64) (s) * G_USEC_PER_SEC)
#define MS(ms) ((gint64) (ms) * 1000)
#define CONN_KEY(conn) GSIZE_TO_POINTER ((gsize) (conn))

typedef struct {
  AgEngine   *engine;
  AgHub      *hub;
  gint64      now_us;
  GHashTable *inbox;       /* conn -> GQueue of AgFrame* */
  GHashTable *closed;      /* conn -> the code the hub closed it with */
  GHashTable *last_bytes;  /* conn -> the last GBytes the hub sent it */
  gboolean    recording;
  guint64     sends;
  gint64      last_id;
} Fixture;

/* The sink */

static void
sink_send_cb (gpointer  user_data,
              guint64   conn_id,
              GBytes   *bytes)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize length;
  gint64 id = 0;
  AgFrame *frame;
  GQueue *queue;

  /* The hub forgets a connection before closing it, so it never writes to it again. */
  g_assert_false (g_hash_table_contains (fx->closed, CONN_KEY (conn_id)));

  fx->sends++;
  if (!fx->recording)
    return;

  data = g_bytes_get_data (bytes, &length);
  frame = ag_frame_decode (data, length, AG_FRAME_FROM_SERVER, &id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (frame);

  queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn_id));
  if (queue == NULL) {
    queue = g_queue_new ();
    g_hash_table_insert (fx->inbox, CONN_KEY (conn_id), queue);
  }
  g_queue_push_tail (queue, frame);

  g_hash_table_replace (fx->last_bytes, CONN_KEY (conn_id), g_bytes_ref (bytes));
}

static void
sink_close_cb (gpointer user_data,
               guint64  conn_id,
               int      code)
{
  Fixture *fx = user_data;

  g_assert_false (g_hash_table_contains (fx->closed, CONN_KEY (conn_id)));
  g_hash_table_insert (fx->closed, CONN_KEY (conn_id), GINT_TO_POINTER (code));
}

static void
frame_queue_free (gpointer data)
{
  g_queue_free_full (data, (GDestroyNotify) ag_frame_free);
}

static void
add_app (Fixture    *fx,
         const char *app_id,
         const char *certificate,
         gboolean    allow_no_token,
         guint       user_msg_rate,
         guint       channel_msg_rate)
{
  AgAppConfig config = {
    .app_id = (char *) app_id,
    .certificate = (char *) certificate,
    .allow_no_token = allow_no_token,
    .user_msg_rate = user_msg_rate,
    .channel_msg_rate = channel_msg_rate,
  };

  ag_hub_add_app (fx->hub, &config);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  static const AgHubSink sink = { sink_send_cb, sink_close_cb };

  fx->engine = ag_engine_memory_new ();
  fx->hub = ag_hub_new (fx->engine, &sink, fx);
  fx->now_us = T0;
  fx->inbox = g_hash_table_new_full (NULL, NULL, NULL, frame_queue_free);
  fx->closed = g_hash_table_new (NULL, NULL);
  fx->last_bytes = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  fx->recording = TRUE;

  add_app (fx, DEMO_APP, NULL, TRUE, 0, 0);
  add_app (fx, OTHER_APP, NULL, TRUE, 0, 0);
  add_app (fx, SECURE_APP, SECURE_CERT, FALSE, 0, 0);
  add_app (fx, SLOW_APP, NULL, TRUE, 5, 8);
  add_app (fx, BULK_APP, NULL, TRUE, 100000, 0);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  /* Whatever sessions, channels, calls and timers a test left are freed with the hub. */
  g_assert_finalize_object (fx->hub);
  g_assert_finalize_object (fx->engine);
  g_clear_pointer (&fx->inbox, g_hash_table_unref);
  g_clear_pointer (&fx->closed, g_hash_table_unref);
  g_clear_pointer (&fx->last_bytes, g_hash_table_unref);
}

/* Driving the hub */

static void
send_raw (Fixture    *fx,
          guint64     conn,
          const char *text)
{
  ag_hub_connection_frame (fx->hub, conn, text, strlen (text), fx->now_us);
}

/* Sends {"op": op, "id": <new id>, fields...}. The fields are written with single quotes
 * for readability and turned into double quotes (arguments must not contain any). */
static gint64 G_GNUC_PRINTF (4, 0)
request_valist (Fixture    *fx,
                guint64     conn,
                const char *op,
                const char *fields_format,
                va_list     args)
{
  g_autofree char *fields = g_strdup_vprintf (fields_format, args);
  g_autofree char *text = NULL;
  gint64 id = ++fx->last_id;

  g_strdelimit (fields, "'", '"');

  text = g_strdup_printf ("{\"op\":\"%s\",\"id\":%" G_GINT64_FORMAT "%s%s}",
                          op, id, fields[0] != '\0' ? "," : "", fields);
  send_raw (fx, conn, text);

  return id;
}

static gint64 G_GNUC_PRINTF (4, 5)
request (Fixture    *fx,
         guint64     conn,
         const char *op,
         const char *fields_format,
         ...)
{
  va_list args;
  gint64 id;

  va_start (args, fields_format);
  id = request_valist (fx, conn, op, fields_format, args);
  va_end (args);

  return id;
}

static void
advance (Fixture *fx,
         gint64   us)
{
  fx->now_us += us;

  if (ag_hub_next_deadline (fx->hub) <= fx->now_us)
    ag_hub_tick (fx->hub, fx->now_us);

  g_assert_cmpint (ag_hub_next_deadline (fx->hub), >, fx->now_us);
}

static gint64
now_ms (Fixture *fx)
{
  return fx->now_us / 1000;
}

/* Reading what the hub sent */

static guint
pending (Fixture *fx,
         guint64  conn)
{
  GQueue *queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn));

  return queue != NULL ? queue->length : 0;
}

static AgFrame *
expect_frame (Fixture *fx,
              guint64  conn,
              AgOp     op)
{
  GQueue *queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn));
  AgFrame *frame = queue != NULL ? g_queue_pop_head (queue) : NULL;

  if (frame == NULL)
    g_error ("connection %" G_GUINT64_FORMAT ": expected %s, got nothing",
             conn, ag_op_to_string (op));

  if (frame->op != op)
    g_test_message ("connection %" G_GUINT64_FORMAT ": expected %s, got %s (code %d)",
                    conn, ag_op_to_string (op), ag_op_to_string (frame->op), frame->code);
  g_assert_cmpint (frame->op, ==, op);

  return frame;
}

static AgFrame *
expect_ok (Fixture *fx,
           guint64  conn,
           gint64   id)
{
  AgFrame *frame = expect_frame (fx, conn, AG_OP_OK);

  g_assert_cmpint (frame->id, ==, id);

  return frame;
}

static void
expect_error (Fixture *fx,
              guint64  conn,
              gint64   id,
              int      code)
{
  g_autoptr(AgFrame) frame = NULL;
  GQueue *queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn));
  AgFrame *head = queue != NULL ? g_queue_peek_head (queue) : NULL;

  if (head != NULL && head->op == AG_OP_ERROR && head->code != code)
    g_test_message ("expected error %d, got %d (%s)", code, head->code, head->reason);

  frame = expect_frame (fx, conn, AG_OP_ERROR);
  g_assert_cmpint (frame->id, ==, id);
  g_assert_cmpint (frame->code, ==, code);
  g_assert_nonnull (frame->reason);
}

static void
expect_ok_only (Fixture *fx,
                guint64  conn,
                gint64   id)
{
  g_autoptr(AgFrame) reply = expect_ok (fx, conn, id);
}

/* Sends a request that must be answered with a plain ok, before anything else. */
static void G_GNUC_PRINTF (4, 5)
request_ok (Fixture    *fx,
            guint64     conn,
            const char *op,
            const char *fields_format,
            ...)
            {
            va_list args;
            gint64 id;
            
            va_start (args, fields_format);
  id = request_valist (fx, conn, op, fields_format, args);
  va_end (args);

  expect_ok_only (fx, conn, id);
}

static void
expect_nothing (Fixture *fx,
                guint64  conn)
{
  if (pending (fx, conn) > 0) {
    GQueue *queue = g_hash_table_lookup (fx->inbox, CONN_KEY (conn));
    AgFrame *head = g_queue_peek_head (queue);

    g_test_message ("connection %" G_GUINT64_FORMAT ": unexpected %s", conn,
                    ag_op_to_string (head->op));
  }

  g_assert_cmpuint (pending (fx, conn), ==, 0);
}

static void
drain (Fixture *fx,
       guint64  conn)
{
  g_hash_table_remove (fx->inbox, CONN_KEY (conn));
}

static void
drain_all (Fixture *fx)
{
  g_hash_table_remove_all (fx->inbox);
}

static void
expect_logout_event (Fixture *fx,
                     guint64  conn,
                     int      code)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_LOGOUT);

  g_assert_cmpint (event->code, ==, code);
}

static void
expect_msg (Fixture    *fx,
            guint64     conn,
            const char *account,
            guint32     uid,
            const char *msg,
            gint64      ts)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_MSG);

  g_assert_cmpstr (event->account, ==, account);
  g_assert_cmpuint (event->uid, ==, uid);
  g_assert_cmpstr (event->msg, ==, msg);
  g_assert_cmpint (event->ts, ==, ts);
}

static void
expect_user_joined (Fixture    *fx,
                    guint64     conn,
                    const char *channel,
                    const char *account,
                    guint32     uid)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CHANNEL_USER_JOINED);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->account, ==, account);
  g_assert_cmpuint (event->uid, ==, uid);
}

static void
expect_user_left (Fixture    *fx,
                  guint64     conn,
                  const char *channel,
                  const char *account,
                  guint32     uid,
                  int         code)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CHANNEL_USER_LEFT);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->account, ==, account);
  g_assert_cmpuint (event->uid, ==, uid);
  g_assert_cmpint (event->code, ==, code);
}

static void
expect_channel_msg (Fixture    *fx,
                    guint64     conn,
                    const char *channel,
                    const char *account,
                    guint32     uid,
                    const char *msg)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CHANNEL_MSG);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->account, ==, account);
  g_assert_cmpuint (event->uid, ==, uid);
  g_assert_true (event->has_uid);
  g_assert_cmpstr (event->msg, ==, msg);
  g_assert_cmpint (event->ts, ==, now_ms (fx));
}

/* A message of a special channel: from _agora_system (uid 0) with JSON object text. */
static void
expect_system_msg (Fixture    *fx,
                   guint64     conn,
                   const char *channel,
                   const char *json)
{
  expect_channel_msg (fx, conn, channel, AG_SYSTEM_ACCOUNT, 0, json);
}

static void
expect_attr_event (Fixture    *fx,
                   guint64     conn,
                   const char *channel,
                   const char *type,
                   const char *name,
                   const char *value)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CHANNEL_ATTR);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->type, ==, type);
  g_assert_cmpstr (event->name, ==, name);
  g_assert_cmpstr (event->value, ==, value);
}

static void
expect_call_event (Fixture    *fx,
                   guint64     conn,
                   AgOp        op,
                   const char *channel,
                   const char *peer,
                   const char *extra)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, op);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->peer, ==, peer);
  if (extra != NULL)
    g_assert_cmpstr (event->extra, ==, extra);
}

static void
expect_call_incoming (Fixture    *fx,
                      guint64     conn,
                      const char *channel,
                      const char *caller,
                      guint32     caller_uid,
                      const char *extra)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CALL_INCOMING);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->peer, ==, caller);
  g_assert_cmpuint (event->uid, ==, caller_uid);
  g_assert_cmpstr (event->extra, ==, extra);
}

static void
expect_call_failed (Fixture    *fx,
                    guint64     conn,
                    const char *channel,
                    const char *callee,
                    int         code)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CALL_FAILED);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->peer, ==, callee);
  g_assert_cmpint (event->code, ==, code);
}

static void
expect_call_msg (Fixture    *fx,
                 guint64     conn,
                 const char *channel,
                 const char *peer,
                 const char *type,
                 const char *msg)
{
  g_autoptr(AgFrame) event = expect_frame (fx, conn, AG_OP_EV_CALL_MSG);

  g_assert_cmpstr (event->channel, ==, channel);
  g_assert_cmpstr (event->peer, ==, peer);
  g_assert_cmpstr (event->type, ==, type);
  g_assert_cmpstr (event->msg, ==, msg);
}

/* Sessions, channels and calls in one step. The helpers that expect a reply first drop
 * what the connection received before, so they can be used between checks. */

static guint32
login_to (Fixture    *fx,
          guint64     conn,
          const char *app_id,
          const char *account)
{
  g_autoptr(AgFrame) reply = NULL;
  gint64 id;

  ag_hub_connection_opened (fx->hub, conn, fx->now_us);
  id = request (fx, conn, "login", "'app_id':'%s','account':'%s','token':'_no_need_token'",
                app_id, account);

  reply = expect_ok (fx, conn, id);
  g_assert_cmpstr (reply->account, ==, account);
  g_assert_true (reply->has_uid);
  g_assert_cmpuint (reply->uid, >, 0);

  return reply->uid;
}

/* Logs in without looking at the reply, for bulk setups that do not record. */
static void
quiet_login (Fixture    *fx,
             guint64     conn,
             const char *account)
{
  ag_hub_connection_opened (fx->hub, conn, fx->now_us);
  request (fx, conn, "login", "'app_id':'demo','account':'%s','token':'_no_need_token'",
           account);
}

static guint32
hub_login (Fixture    *fx,
           guint64     conn,
           const char *account)
{
  return login_to (fx, conn, DEMO_APP, account);
}

static AgFrame *
join_channel (Fixture    *fx,
              guint64     conn,
              const char *channel)
{
  AgFrame *reply;
  gint64 id;

  drain (fx, conn);
  id = request (fx, conn, "channel_join", "'channel':'%s'", channel);
  reply = expect_ok (fx, conn, id);

  g_assert_cmpstr (reply->channel, ==, channel);
  g_assert_nonnull (reply->members);
  g_assert_nonnull (reply->attrs);

  return reply;
}

static void
hub_join (Fixture    *fx,
          guint64     conn,
          const char *channel)
{
  g_autoptr(AgFrame) reply = join_channel (fx, conn, channel);
}

static void
set_channel_attr (Fixture    *fx,
                  guint64     conn,
                  const char *name,
                  const char *value)
{
  drain (fx, conn);
  request_ok (fx, conn, "channel_set_attr", "'name':'%s','value':'%s'", name, value);
}

static void
logout (Fixture *fx,
        guint64  conn)
{
  drain (fx, conn);
  request_ok (fx, conn, "logout", "%s", "");
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (fx->closed, CONN_KEY (conn))), ==,
                   AG_ERROR_LOGOUT_E_USER);
}

/* alice (conn 1) invites bob (conn 2, online) to channel, and both see the call ring. */
static void
ring (Fixture    *fx,
      const char *channel,
      const char *extra)
{
  drain (fx, 1);
  drain (fx, 2);
  request_ok (fx, 1, "call_invite", "'channel':'%s','peer':'bob','extra':'%s'",
              channel, extra);
  expect_call_incoming (fx, 2, channel, "alice", 1, extra);
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, channel, "bob", NULL);
}

static void
ring_and_accept (Fixture    *fx,
                 const char *channel)
{
  ring (fx, channel, "{}");
  request_ok (fx, 2, "call_accept", "'channel':'%s','peer':'alice'", channel);
  expect_call_event (fx, 1, AG_OP_EV_CALL_ACCEPTED, channel, "bob", "{}");
}

static int
closed_code (Fixture *fx,
             guint64  conn)
{
  g_assert_true (g_hash_table_contains (fx->closed, CONN_KEY (conn)));

  return GPOINTER_TO_INT (g_hash_table_lookup (fx->closed, CONN_KEY (conn)));
}

/* Session */

static void
test_login_assigns_uids (Fixture       *fx,
                         gconstpointer  data)
{
  g_assert_cmpuint (hub_login (fx, 1, "alice"), ==, 1);
  g_assert_cmpuint (hub_login (fx, 2, "bob"), ==, 2);

  /* The uid belongs to the account, not to the session. */
  logout (fx, 1);
  g_assert_cmpuint (hub_login (fx, 3, "alice"), ==, 1);
  g_assert_cmpuint (hub_login (fx, 4, "carol"), ==, 3);

  expect_nothing (fx, 2);
  expect_nothing (fx, 3);
}

static guint64
accounts_held (Fixture *fx)
{
  return ag_hub_get_stats (fx->hub)->accounts;
}

/* 10,000 accounts logging in and out once each: the hub holds them for a minute after their
 * logout, then nothing; the uids it hands out stay unique. */
static void
test_login_accounts_forgotten (Fixture       *fx,
                               gconstpointer  data)
{
  guint32 last = 0;

  fx->recording = FALSE;
  for (guint i = 0; i < 10000; i++) {
    g_autofree char *account = g_strdup_printf ("u%u", i);

    quiet_login (fx, 100 + i, account);
    request (fx, 100 + i, "logout", "%s", "");
  }
  fx->recording = TRUE;
  g_assert_cmpuint (accounts_held (fx), ==, 10000);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, 0);

  advance (fx, SECONDS (AG_LIMIT_ACCOUNT_LINGER_S) - 1);
  g_assert_cmpuint (accounts_held (fx), ==, 10000);
  advance (fx, 1);
  g_assert_cmpuint (accounts_held (fx), ==, 0);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  /* Nothing referred to u0 any more: it gets a new uid, never one handed out before. */
  last = hub_login (fx, 1, "u0");
  g_assert_cmpuint (last, ==, 10001);
  g_assert_cmpuint (accounts_held (fx), ==, 1);
}

/* A logged-out account is kept while it lingers, and a login in that time takes it back. */
static void
test_login_linger_renewed (Fixture       *fx,
                           gconstpointer  data)
{
  guint32 uid = hub_login (fx, 1, "alice");

  logout (fx, 1);
  advance (fx, SECONDS (30));
  g_assert_cmpuint (hub_login (fx, 2, "alice"), ==, uid);
  advance (fx, SECONDS (AG_LIMIT_ACCOUNT_LINGER_S));
  g_assert_cmpuint (accounts_held (fx), ==, 1);

  /* Lost, not logged out: the same. */
  ag_hub_connection_closed (fx->hub, 2, fx->now_us);
  advance (fx, SECONDS (AG_LIMIT_ACCOUNT_LINGER_S) - 1);
  g_assert_cmpuint (accounts_held (fx), ==, 1);
  advance (fx, 1);
  g_assert_cmpuint (accounts_held (fx), ==, 0);
}

/* A queued offline message shows its sender's uid: the sender keeps it while the message
 * waits, even after the hub forgot the sender, and not after it was delivered. */
static void
test_login_uid_kept_for_offline_messages (Fixture       *fx,
                                          gconstpointer  data)
{
  g_autoptr(AgFrame) message = NULL;
  guint32 alice = hub_login (fx, 1, "alice");

  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'later','ttl':3600");
  logout (fx, 1);
  advance (fx, SECONDS (AG_LIMIT_ACCOUNT_LINGER_S));
  g_assert_cmpuint (accounts_held (fx), ==, 0);

  g_assert_cmpuint (hub_login (fx, 2, "carol"), ==, alice + 1);
  g_assert_cmpuint (hub_login (fx, 3, "alice"), ==, alice);
  logout (fx, 3);
  advance (fx, SECONDS (AG_LIMIT_ACCOUNT_LINGER_S));

  g_assert_cmpuint (hub_login (fx, 4, "bob"), ==, alice + 2);
  message = expect_frame (fx, 4, AG_OP_EV_MSG);
  g_assert_cmpstr (message->account, ==, "alice");
  g_assert_true (message->has_uid);
  g_assert_cmpuint (message->uid, ==, alice);

  /* Delivered: nothing refers to alice's uid any more. */
  g_assert_cmpuint (hub_login (fx, 5, "alice"), ==, alice + 3);
}

static void
test_login_errors (Fixture       *fx,
                   gconstpointer  data)
{
  gint64 id;

  ag_hub_connection_opened (fx->hub, 1, fx->now_us);

  id = request (fx, 1, "login", "'app_id':'nope','account':'alice','token':'_no_need_token'");
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_FAILED);

  id = request (fx, 1, "login", "'app_id':'demo','account':'al ice','token':'_no_need_token'");
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_INVALID_USER);

  id = request (fx, 1, "login", "'app_id':'secure','account':'alice','token':'_no_need_token'");
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_TOKENWRONG);

  /* Anything but login first is refused, and the connection stays usable. */
  id = request (fx, 1, "ping", "%s", "");
  expect_error (fx, 1, id, AG_ERROR_GENERAL_E_NOT_LOGIN);
  id = request (fx, 1, "channel_join", "'channel':'lobby'");
  expect_error (fx, 1, id, AG_ERROR_GENERAL_E_NOT_LOGIN);
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hi'");
  expect_error (fx, 1, id, AG_ERROR_GENERAL_E_NOT_LOGIN);

  request_ok (fx, 1, "login", "'app_id':'demo','account':'alice','token':'_no_need_token'");

  id = request (fx, 1, "login", "'app_id':'demo','account':'alice','token':'_no_need_token'");
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_ALREADY_LOGIN);
  id = request (fx, 1, "login", "'app_id':'demo','account':'bob','token':'_no_need_token'");
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_ALREADY_LOGIN);

  expect_nothing (fx, 1);
  g_assert_false (g_hash_table_contains (fx->closed, CONN_KEY (1)));
}

static void
test_login_tokens (Fixture       *fx,
                   gconstpointer  data)
{
  gint64 now_s = fx->now_us / G_USEC_PER_SEC;
  g_autofree char *valid = ag_token_make ("alice", SECURE_APP, SECURE_CERT, now_s + 3600);
  g_autofree char *expired = ag_token_make ("alice", SECURE_APP, SECURE_CERT, now_s);
  g_autofree char *wrong_cert = ag_token_make ("alice", SECURE_APP, "nope", now_s + 3600);
  g_autofree char *other_account = ag_token_make ("bob", SECURE_APP, SECURE_CERT, now_s + 3600);
  g_autofree char *valid_v2 = ag_token_make_v2 ("carol", SECURE_APP, SECURE_CERT, now_s + 60);
  g_autofree char *demo_token = ag_token_make ("dave", DEMO_APP, SECURE_CERT, now_s + 60);
  g_autoptr(AgFrame) reply = NULL;
  gint64 id;

  ag_hub_connection_opened (fx->hub, 1, fx->now_us);
  ag_hub_connection_opened (fx->hub, 2, fx->now_us);
  ag_hub_connection_opened (fx->hub, 3, fx->now_us);

  id = request (fx, 1, "login", "'app_id':'secure','account':'alice','token':'%s'", expired);
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_TOKENEXPIRED);
  id = request (fx, 1, "login", "'app_id':'secure','account':'alice','token':'%s'", wrong_cert);
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_TOKENWRONG);
  id = request (fx, 1, "login", "'app_id':'secure','account':'alice','token':'%s'",
                other_account);
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_TOKENWRONG);
  id = request (fx, 1, "login", "'app_id':'secure','account':'alice','token':'garbage'");
  expect_error (fx, 1, id, AG_ERROR_LOGIN_E_TOKENWRONG);

  id = request (fx, 1, "login", "'app_id':'secure','account':'alice','token':'%s'", valid);
  reply = expect_ok (fx, 1, id);
  g_assert_cmpstr (reply->account, ==, "alice");
  g_assert_cmpuint (reply->uid, ==, 1);

  request_ok (fx, 2, "login", "'app_id':'secure','account':'carol','token':'%s'", valid_v2);

  /* An app without a certificate only takes _no_need_token. */
  id = request (fx, 3, "login", "'app_id':'demo','account':'dave','token':'%s'", demo_token);
  expect_error (fx, 3, id, AG_ERROR_LOGIN_E_TOKENWRONG);
}

static void
test_token_expiry (Fixture       *fx,
                   gconstpointer  data)
{
  gint64 now_s = fx->now_us / G_USEC_PER_SEC;
  g_autofree char *short_token = ag_token_make ("alice", SECURE_APP, SECURE_CERT, now_s + 100);
  g_autofree char *bob_token = ag_token_make ("bob", SECURE_APP, SECURE_CERT, now_s + 100000);
  g_autofree char *w_token = ag_token_make ("w", SECURE_APP, SECURE_CERT, now_s + 100000);
  g_autofree char *json = NULL;

  ag_hub_connection_opened (fx->hub, 1, fx->now_us);
  ag_hub_connection_opened (fx->hub, 2, fx->now_us);
  ag_hub_connection_opened (fx->hub, 3, fx->now_us);
  request_ok (fx, 3, "login", "'app_id':'secure','account':'w','token':'%s'", w_token);
  hub_join (fx, 3, AG_SPECIAL_CHANNEL_USER_ONLINE);
  request_ok (fx, 1, "login", "'app_id':'secure','account':'alice','token':'%s'", short_token);
  request_ok (fx, 2, "login", "'app_id':'secure','account':'bob','token':'%s'", bob_token);
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (100));

  advance (fx, SECONDS (100) - 1);
  expect_nothing (fx, 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, 3);

  advance (fx, 1);
  expect_logout_event (fx, 1, AG_ERROR_LOGOUT_E_TOKENEXPIRED);
  expect_nothing (fx, 1);
  g_assert_cmpint (closed_code (fx, 1), ==, AG_ERROR_LOGOUT_E_TOKENEXPIRED);

  expect_user_left (fx, 2, "lobby", "alice", 2, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
  json = g_strdup_printf ("{\"type\":\"offline\",\"account\":\"alice\",\"uid\":2,\"code\":105,"
                          "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 3, AG_SPECIAL_CHANNEL_USER_ONLINE, json);

  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->connections, ==, 2);

  /* The transport reports the close later; the hub already forgot the connection. */
  ag_hub_connection_closed (fx->hub, 1, fx->now_us);
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);
}

/* A connection that does not log in within AG_LIMIT_LOGIN_DEADLINE_S is told 1106 and closed;
 * pings do not keep it, a login does. */
static void
test_login_deadline (Fixture       *fx,
                     gconstpointer  data)
{
  gint64 id;

  ag_hub_connection_opened (fx->hub, 1, fx->now_us);
  ag_hub_connection_opened (fx->hub, 2, fx->now_us);

  advance (fx, SECONDS (AG_LIMIT_LOGIN_DEADLINE_S) - SECONDS (1));
  request_ok (fx, 2, "login", "'app_id':'demo','account':'alice','token':'_no_need_token'");
  drain_all (fx);
  /* Pings are answered before login with 1003, and buy no time. */
  id = request (fx, 1, "ping", "%s", "");
  expect_error (fx, 1, id, AG_ERROR_GENERAL_E_NOT_LOGIN);

  advance (fx, SECONDS (1));
  expect_error (fx, 1, 0, AG_ERROR_LIMIT_E_LOGIN_TIMEOUT);
  g_assert_cmpint (closed_code (fx, 1), ==, AG_ERROR_LIMIT_E_LOGIN_TIMEOUT);

  /* The logged-in one stays, long after. */
  advance (fx, SECONDS (600));
  request_ok (fx, 2, "ping", "%s", "");
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->connections, ==, 1);
}

static void
test_login_kicks_older_session (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(AgFrame) status = NULL;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  g_assert_cmpuint (hub_login (fx, 3, "alice"), ==, 1);

  expect_logout_event (fx, 1, AG_ERROR_LOGOUT_E_KICKED);
  expect_nothing (fx, 1);
  g_assert_cmpint (closed_code (fx, 1), ==, AG_ERROR_LOGOUT_E_KICKED);
  expect_user_left (fx, 2, "lobby", "alice", 1, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);

  /* Frames still arriving on the closed connection are not answered (the sink would
   * assert on a write to it). */
  request (fx, 1, "ping", "%s", "");
  ag_hub_connection_closed (fx->hub, 1, fx->now_us);
  expect_nothing (fx, 2);

  id = request (fx, 2, "user_status", "'account':'alice'");
  status = expect_ok (fx, 2, id);
  g_assert_true (status->has_online);
  g_assert_true (status->online);

  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->connections, ==, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->logins, ==, 3);
}

static void
test_logout (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(AgFrame) status = NULL;
  g_autoptr(AgFrame) is_in = NULL;
  g_autofree char *json = NULL;
  gint64 id;

  hub_login (fx, 3, "w");
  hub_join (fx, 3, AG_SPECIAL_CHANNEL_USER_ONLINE);
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  logout (fx, 1);
  expect_nothing (fx, 1);
  expect_user_left (fx, 2, "lobby", "alice", 2, AG_ERROR_LEAVECHANNEL_E_LOGOUT);
  json = g_strdup_printf ("{\"type\":\"offline\",\"account\":\"alice\",\"uid\":2,\"code\":101,"
                          "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 3, AG_SPECIAL_CHANNEL_USER_ONLINE, json);

  id = request (fx, 2, "user_status", "'account':'alice'");
  status = expect_ok (fx, 2, id);
  g_assert_cmpstr (status->account, ==, "alice");
  g_assert_true (status->has_online);
  g_assert_false (status->online);

  id = request (fx, 2, "channel_is_in", "'channel':'lobby','account':'alice'");
  is_in = expect_ok (fx, 2, id);
  g_assert_true (is_in->has_in);
  g_assert_false (is_in->in);

  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->connections, ==, 2);
}

static void
test_connection_lost (Fixture       *fx,
                      gconstpointer  data)
{
  g_autofree char *json = NULL;

  hub_login (fx, 3, "w");
  hub_join (fx, 3, AG_SPECIAL_CHANNEL_USER_ONLINE);
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  advance (fx, MS (1500));
  ag_hub_connection_closed (fx->hub, 1, fx->now_us);

  expect_user_left (fx, 2, "lobby", "alice", 2, AG_ERROR_LEAVECHANNEL_E_DISCONN);
  json = g_strdup_printf ("{\"type\":\"offline\",\"account\":\"alice\",\"uid\":2,\"code\":102,"
                          "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 3, AG_SPECIAL_CHANNEL_USER_ONLINE, json);

  /* The transport closed it, so the hub does not ask it to. */
  g_assert_false (g_hash_table_contains (fx->closed, CONN_KEY (1)));

  ag_hub_connection_closed (fx->hub, 1, fx->now_us);
  ag_hub_connection_closed (fx->hub, 99, fx->now_us);
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->connections, ==, 2);

  /* Frames of connections the hub does not know are not answered. */
  request (fx, 77, "ping", "%s", "");
  g_assert_cmpuint (pending (fx, 77), ==, 0);

  /* An unused connection closes silently too. */
  ag_hub_connection_opened (fx->hub, 4, fx->now_us);
  ag_hub_connection_closed (fx->hub, 4, fx->now_us);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->connections, ==, 2);
}

static void
test_ping (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  gint64 id;

  hub_login (fx, 1, "alice");
  advance (fx, MS (1234));

  id = request (fx, 1, "ping", "%s", "");
  reply = expect_ok (fx, 1, id);
  g_assert_true (reply->has_ts);
  g_assert_cmpint (reply->ts, ==, now_ms (fx));
}

static void
count_error_cb (int      code,
                guint64  count,
                gpointer data)
{
  GString *out = data;

  g_string_append_printf (out, "%d=%" G_GUINT64_FORMAT " ", code, count);
}

static void
test_malformed_frames (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GString) counts = g_string_new ("");
  gint64 id;

  ag_hub_connection_opened (fx->hub, 1, fx->now_us);

  send_raw (fx, 1, "not json");
  expect_error (fx, 1, 0, AG_ERROR_PROTO_E_MALFORMED);
  send_raw (fx, 1, "{\"op\":\"fly\",\"id\":5}");
  expect_error (fx, 1, 5, AG_ERROR_PROTO_E_UNKNOWN_OP);
  send_raw (fx, 1, "{\"op\":\"ping\",\"id\":\"seven\"}");
  expect_error (fx, 1, 0, AG_ERROR_GENERAL_E_WRONG_PARAM);
  ag_hub_connection_frame (fx->hub, 1, "", 0, fx->now_us);
  expect_error (fx, 1, 0, AG_ERROR_PROTO_E_MALFORMED);

  hub_login (fx, 1, "alice");
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hi','ttl':'ten'");
  expect_error (fx, 1, id, AG_ERROR_GENERAL_E_WRONG_PARAM);
  id = request (fx, 1, "channel_join", "'channel':''");
  expect_error (fx, 1, id, AG_ERROR_GENERAL_E_WRONG_PARAM);
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hi'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_PEER_OFFLINE);
  expect_nothing (fx, 1);

  ag_hub_foreach_error_count (fx->hub, count_error_cb, counts);
  g_assert_cmpstr (counts->str, ==, "1004=3 1200=2 1201=1 1204=1 ");
}

static void
test_stats (Fixture       *fx,
            gconstpointer  data)
{
  const AgHubStats *stats = ag_hub_get_stats (fx->hub);

  g_assert_cmpuint (stats->connections, ==, 0);
  g_assert_cmpuint (stats->frames_out, ==, 0);

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);
  request_ok (fx, 1, "channel_send", "'msg':'hi'");
  drain_all (fx);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'psst'");
  drain_all (fx);

  g_assert_cmpuint (stats->connections, ==, 2);
  g_assert_cmpuint (stats->sessions, ==, 2);
  g_assert_cmpuint (stats->logins, ==, 2);
  g_assert_cmpuint (stats->channels, ==, 1);
  g_assert_cmpuint (stats->frames_in, ==, 6);
  g_assert_cmpuint (stats->frames_out, ==, fx->sends);
  g_assert_cmpuint (stats->messages_in, ==, 2);
  g_assert_cmpuint (stats->messages_out, ==, 3);

  logout (fx, 2);
  g_assert_cmpuint (stats->connections, ==, 1);
  g_assert_cmpuint (stats->sessions, ==, 1);
  g_assert_cmpuint (stats->frames_out, ==, fx->sends);
}

/* Peer messages */

static void
test_msg_online (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  advance (fx, MS (250));

  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hello','ttl':60");
  reply = expect_ok (fx, 1, id);
  g_assert_true (reply->has_stored);
  g_assert_false (reply->stored);
  expect_msg (fx, 2, "alice", 1, "hello", now_ms (fx));

  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
}

static void
test_msg_to_self (Fixture       *fx,
                  gconstpointer  data)
{
  hub_login (fx, 1, "alice");

  request_ok (fx, 1, "msg_send", "'peer':'alice','msg':'note to self'");
  expect_msg (fx, 1, "alice", 1, "note to self", now_ms (fx));
  expect_nothing (fx, 1);
}

static void
test_msg_offline_without_ttl (Fixture       *fx,
                              gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  logout (fx, 2);

  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hello'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_PEER_OFFLINE);
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hello','ttl':0");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_PEER_OFFLINE);
  id = request (fx, 1, "msg_send", "'peer':'nobody','msg':'hello'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_PEER_OFFLINE);

  /* Nothing was stored. */
  hub_login (fx, 3, "bob");
  expect_nothing (fx, 3);
}

static void
test_msg_offline_delivered_in_order (Fixture       *fx,
                                     gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  gint64 sent_at[4];
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "carol");

  sent_at[0] = now_ms (fx);
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'one','ttl':60");
  reply = expect_ok (fx, 1, id);
  g_assert_true (reply->has_stored);
  g_assert_true (reply->stored);

  advance (fx, SECONDS (1));
  sent_at[1] = now_ms (fx);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'two','ttl':60");

  advance (fx, MS (500));
  sent_at[2] = now_ms (fx);
  request_ok (fx, 2, "msg_send", "'peer':'bob','msg':'three','ttl':600");

  advance (fx, MS (500));
  sent_at[3] = now_ms (fx);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'four','ttl':30");

  advance (fx, SECONDS (10));
  g_assert_cmpuint (hub_login (fx, 3, "bob"), ==, 3);
  expect_msg (fx, 3, "alice", 1, "one", sent_at[0]);
  expect_msg (fx, 3, "alice", 1, "two", sent_at[1]);
  expect_msg (fx, 3, "carol", 2, "three", sent_at[2]);
  expect_msg (fx, 3, "alice", 1, "four", sent_at[3]);
  expect_nothing (fx, 3);

  /* Delivered once. */
  logout (fx, 3);
  hub_login (fx, 4, "bob");
  expect_nothing (fx, 4);
}

static void
test_msg_offline_expiry (Fixture       *fx,
                         gconstpointer  data)
{
  gint64 sent_at = now_ms (fx);

  hub_login (fx, 1, "alice");

  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'short','ttl':10");
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'long','ttl':60");
  request_ok (fx, 1, "msg_send", "'peer':'carol','msg':'edge','ttl':5");

  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (5));
  advance (fx, SECONDS (5));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (10));
  advance (fx, SECONDS (5));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (60));

  /* At exactly sent + ttl the message is gone. */
  hub_login (fx, 3, "carol");
  expect_nothing (fx, 3);

  advance (fx, SECONDS (20));
  hub_login (fx, 2, "bob");
  expect_msg (fx, 2, "alice", 1, "long", sent_at);
  expect_nothing (fx, 2);

  advance (fx, SECONDS (30));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
}

static void
test_msg_offline_dropped_before_expiry_timer (Fixture       *fx,
                                              gconstpointer  data)
{
  hub_login (fx, 1, "alice");
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'late','ttl':5");

  /* The login comes in before the hub was ticked: the message is expired all the same. */
  fx->now_us += SECONDS (5);
  hub_login (fx, 2, "bob");
  expect_nothing (fx, 2);
}

static void
test_msg_offline_queue_full (Fixture       *fx,
                             gconstpointer  data)
{
  gint64 id;

  login_to (fx, 1, BULK_APP, "alice");

  fx->recording = FALSE;
  for (guint i = 0; i < AG_LIMIT_OFFLINE_QUEUE; i++)
    request (fx, 1, "msg_send", "'peer':'bob','msg':'m%u','ttl':600", i);
  fx->recording = TRUE;

  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'one too many','ttl':600");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_OFFLINE_QUEUE_FULL);

  /* Another account's queue is separate. */
  request_ok (fx, 1, "msg_send", "'peer':'carol','msg':'fine','ttl':600");

  login_to (fx, 2, BULK_APP, "bob");
  g_assert_cmpuint (pending (fx, 2), ==, AG_LIMIT_OFFLINE_QUEUE);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_out, ==, AG_LIMIT_OFFLINE_QUEUE);
}

/* What all offline queues hold together is bounded: past it a message to an offline account
 * is refused (1112) and nothing is stored; delivering a backlog makes room. */
static void
test_msg_offline_storage_full (Fixture       *fx,
                               gconstpointer  data)
{
  guint64 limit = 0;
  gint64 id;

  /* "alice" + a message of 10 bytes is 15 bytes: three of them fit in 50. */
  ag_hub_set_max_offline_bytes (fx->hub, 50);
  login_to (fx, 1, BULK_APP, "alice");
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'0123456789','ttl':600");
  request_ok (fx, 1, "msg_send", "'peer':'carol','msg':'0123456789','ttl':600");
  request_ok (fx, 1, "msg_send", "'peer':'dave','msg':'0123456789','ttl':600");
  g_assert_cmpuint (ag_hub_get_offline_bytes (fx->hub, &limit), ==, 45);
  g_assert_cmpuint (limit, ==, 50);

  id = request (fx, 1, "msg_send", "'peer':'erin','msg':'0123456789','ttl':600");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_OFFLINE_STORAGE_FULL);
  g_assert_cmpuint (ag_hub_get_offline_bytes (fx->hub, NULL), ==, 45);
  /* Online peers are not affected. */
  login_to (fx, 2, BULK_APP, "bob");
  g_assert_cmpuint (pending (fx, 2), ==, 1);
  drain_all (fx);
  g_assert_cmpuint (ag_hub_get_offline_bytes (fx->hub, NULL), ==, 30);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'online','ttl':600");
  drain_all (fx);

  request_ok (fx, 1, "msg_send", "'peer':'erin','msg':'0123456789','ttl':600");

  /* Expiry frees room too. */
  advance (fx, SECONDS (600));
  g_assert_cmpuint (ag_hub_get_offline_bytes (fx->hub, NULL), ==, 0);

  ag_hub_set_max_offline_bytes (fx->hub, 0);
  ag_hub_get_offline_bytes (fx->hub, &limit);
  g_assert_cmpuint (limit, ==, AG_DEFAULT_OFFLINE_BYTES);
}

/* A big backlog is delivered a batch per turn, in order, none lost: 1,000 messages of 8,000
 * bytes would be twice the outbound limit at once. */
static void
test_msg_offline_backlog_paced (Fixture       *fx,
                                gconstpointer  data)
{
  g_autofree char *body = g_strnfill (7990, 'x');
  guint delivered, turns = 0;

  login_to (fx, 1, BULK_APP, "alice");
  fx->recording = FALSE;
  for (guint i = 0; i < AG_LIMIT_OFFLINE_QUEUE; i++)
    request (fx, 1, "msg_send", "'peer':'bob','msg':'%04u%s','ttl':600", i, body);
  fx->recording = TRUE;

  login_to (fx, 2, BULK_APP, "bob");
  delivered = pending (fx, 2);
  g_assert_cmpuint (delivered, >, 0);
  g_assert_cmpuint (delivered, <, 100);

  while (pending (fx, 2) < AG_LIMIT_OFFLINE_QUEUE && turns < 1000) {
    advance (fx, 1);
    turns++;
  }
  g_assert_cmpuint (pending (fx, 2), ==, AG_LIMIT_OFFLINE_QUEUE);
  g_assert_cmpuint (turns, >, 10);

  for (guint i = 0; i < AG_LIMIT_OFFLINE_QUEUE; i++) {
    g_autoptr(AgFrame) message = expect_frame (fx, 2, AG_OP_EV_MSG);
    g_autofree char *prefix = g_strdup_printf ("%04u", i);

    g_assert_true (g_str_has_prefix (message->msg, prefix));
  }

  /* Nothing is left for a later login. */
  logout (fx, 2);
  login_to (fx, 3, BULK_APP, "bob");
  advance (fx, 1);
  expect_nothing (fx, 3);
}

/* Rate limits */

static void
test_rate_user (Fixture       *fx,
                gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  for (guint i = 1; i <= AG_DEFAULT_USER_MSG_RATE; i++) {
    request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'m%u'", i);
  }
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'61'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);
  g_assert_cmpuint (pending (fx, 2), ==, AG_DEFAULT_USER_MSG_RATE);
  drain (fx, 2);

  /* A refused message costs nothing; one second refills the whole bucket. */
  advance (fx, SECONDS (1));
  for (guint i = 1; i <= AG_DEFAULT_USER_MSG_RATE; i++) {
    request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'again %u'", i);
  }
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'over'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);

  /* The bucket refills continuously: one sixtieth of a second buys one message. */
  advance (fx, G_USEC_PER_SEC / AG_DEFAULT_USER_MSG_RATE + 1);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'one more'");
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'over'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);

  /* Other users have their own bucket. */
  drain (fx, 2);
  id = request (fx, 2, "msg_send", "'peer':'alice','msg':'hi'");
  expect_ok_only (fx, 2, id);
}

static void
test_rate_user_shared (Fixture       *fx,
                       gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  ring_and_accept (fx, "room");
  drain_all (fx);

  fx->recording = FALSE;
  for (guint i = 0; i < 20; i++) {
    request (fx, 1, "msg_send", "'peer':'bob','msg':'m'");
    request (fx, 1, "channel_send", "'msg':'c'");
    request (fx, 1, "call_msg", "'channel':'room','peer':'bob','type':'text','msg':'x'");
  }
  fx->recording = TRUE;
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_in, ==, 60);

  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'m'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);
  id = request (fx, 1, "channel_send", "'msg':'c'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);
  id = request (fx, 1, "call_msg", "'channel':'room','peer':'bob','type':'text','msg':'x'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);
  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
}

static void
test_rate_user_app_config (Fixture       *fx,
                           gconstpointer  data)
{
  gint64 id;

  login_to (fx, 1, SLOW_APP, "alice");
  login_to (fx, 2, SLOW_APP, "bob");

  for (guint i = 0; i < 5; i++) {
    request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'m'");
  }
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'m'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);

  /* Replacing the app changes the limit for the sessions it has. */
  add_app (fx, SLOW_APP, NULL, TRUE, 7, 8);
  advance (fx, SECONDS (1));
  for (guint i = 0; i < 7; i++) {
    request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'m'");
  }
  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'m'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);
}

static void
test_rate_channel (Fixture       *fx,
                   gconstpointer  data)
{
  const char *accounts[] = { "a", "b", "c", "d" };
  gint64 id;

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++) {
    hub_login (fx, i + 1, accounts[i]);
    hub_join (fx, i + 1, "lobby");
  }

  fx->recording = FALSE;
  for (guint i = 0; i < AG_DEFAULT_CHANNEL_MSG_RATE; i++)
    request (fx, i % 4 + 1, "channel_send", "'msg':'m%u'", i);
  fx->recording = TRUE;
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_in, ==, AG_DEFAULT_CHANNEL_MSG_RATE);
  drain_all (fx);

  id = request (fx, 1, "channel_send", "'msg':'201'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_CHANNEL_RATE);
  id = request (fx, 4, "channel_send", "'msg':'201'");
  expect_error (fx, 4, id, AG_ERROR_LIMIT_E_CHANNEL_RATE);
  expect_nothing (fx, 2);

  advance (fx, SECONDS (1));
  request_ok (fx, 1, "channel_send", "'msg':'next second'");
  expect_channel_msg (fx, 2, "lobby", "a", 1, "next second");
}

static void
test_rate_channel_refusal_costs_no_user_token (Fixture       *fx,
                                               gconstpointer  data)
{
  gint64 id;

  /* slow: 5 messages per user, 8 per channel. */
  login_to (fx, 1, SLOW_APP, "alice");
  hub_join (fx, 1, "lobby");
  set_channel_attr (fx, 1, "_sendmsg_limit", "3");
  drain_all (fx);

  for (guint i = 0; i < 3; i++) {
    request_ok (fx, 1, "channel_send", "'msg':'m'");
    expect_channel_msg (fx, 1, "lobby", "alice", 1, "m");
  }
  id = request (fx, 1, "channel_send", "'msg':'m'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_CHANNEL_RATE);
  id = request (fx, 1, "channel_send", "'msg':'m'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_CHANNEL_RATE);

  /* Two user tokens are left, whatever the channel refused. */
  hub_join (fx, 1, "other");
  for (guint i = 0; i < 2; i++) {
    request_ok (fx, 1, "channel_send", "'msg':'m'");
    expect_channel_msg (fx, 1, "other", "alice", 1, "m");
  }
  id = request (fx, 1, "channel_send", "'msg':'m'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_USER_RATE);
}

static void
test_rate_channel_app_config (Fixture       *fx,
                              gconstpointer  data)
{
  gint64 id;

  login_to (fx, 1, SLOW_APP, "alice");
  login_to (fx, 2, SLOW_APP, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");

  fx->recording = FALSE;
  for (guint i = 0; i < 5; i++)
    request (fx, 1, "channel_send", "'msg':'a'");
  for (guint i = 0; i < 3; i++)
    request (fx, 2, "channel_send", "'msg':'b'");
  fx->recording = TRUE;
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_in, ==, 8);

  id = request (fx, 2, "channel_send", "'msg':'b'");
  expect_error (fx, 2, id, AG_ERROR_LIMIT_E_CHANNEL_RATE);
}

static void
test_rate_attr (Fixture       *fx,
                gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_join (fx, 1, "lobby");

  /* Unlimited until _setattr_limit is set. */
  for (guint i = 0; i < 20; i++)
    set_channel_attr (fx, 1, "topic", "x");
  set_channel_attr (fx, 1, "_setattr_limit", "2");
  drain_all (fx);

  set_channel_attr (fx, 1, "topic", "one");
  set_channel_attr (fx, 1, "topic", "two");
  drain_all (fx);
  id = request (fx, 1, "channel_set_attr", "'name':'topic','value':'three'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_ATTR_RATE);
  id = request (fx, 1, "channel_del_attr", "'name':'topic'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_ATTR_RATE);
  id = request (fx, 1, "channel_clear_attr", "%s", "");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_ATTR_RATE);
  expect_nothing (fx, 1);

  advance (fx, SECONDS (1));
  set_channel_attr (fx, 1, "topic", "three");
  expect_attr_event (fx, 1, "lobby", "update", "topic", "three");
}

/* User attributes and queries */

static void
test_user_attrs (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(AgFrame) set = NULL;
  g_autoptr(AgFrame) get = NULL;
  g_autoptr(AgFrame) missing = NULL;
  g_autoptr(AgFrame) all = NULL;
  g_autoptr(AgFrame) unknown = NULL;
  g_autoptr(AgFrame) deleted = NULL;
  g_autoptr(AgFrame) kept = NULL;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  id = request (fx, 1, "user_set_attr", "'name':'color','value':'blue'");
  set = expect_ok (fx, 1, id);
  g_assert_cmpstr (set->account, ==, "alice");
  g_assert_cmpstr (set->name, ==, "color");
  g_assert_cmpstr (set->value, ==, "blue");
  request_ok (fx, 1, "user_set_attr", "'name':'shape','value':'round'");

  id = request (fx, 2, "user_get_attr", "'account':'alice','name':'color'");
  get = expect_ok (fx, 2, id);
  g_assert_cmpstr (get->account, ==, "alice");
  g_assert_cmpstr (get->name, ==, "color");
  g_assert_cmpstr (get->value, ==, "blue");

  id = request (fx, 2, "user_get_attr", "'account':'alice','name':'size'");
  missing = expect_ok (fx, 2, id);
  g_assert_cmpstr (missing->name, ==, "size");
  g_assert_true (missing->has_value);
  g_assert_null (missing->value);

  id = request (fx, 2, "user_get_attr_all", "'account':'alice'");
  all = expect_ok (fx, 2, id);
  g_assert_cmpstr (all->account, ==, "alice");
  g_assert_nonnull (all->attrs);
  g_assert_cmpuint (g_hash_table_size (all->attrs), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (all->attrs, "color"), ==, "blue");
  g_assert_cmpstr (g_hash_table_lookup (all->attrs, "shape"), ==, "round");

  id = request (fx, 2, "user_get_attr_all", "'account':'nobody'");
  unknown = expect_ok (fx, 2, id);
  g_assert_cmpstr (unknown->account, ==, "nobody");
  g_assert_nonnull (unknown->attrs);
  g_assert_cmpuint (g_hash_table_size (unknown->attrs), ==, 0);

  /* An empty value deletes. */
  request_ok (fx, 1, "user_set_attr", "'name':'color','value':''");
  id = request (fx, 2, "user_get_attr", "'account':'alice','name':'color'");
  deleted = expect_ok (fx, 2, id);
  g_assert_null (deleted->value);

  /* Attributes outlive the session. */
  logout (fx, 1);
  id = request (fx, 2, "user_get_attr", "'account':'alice','name':'shape'");
  kept = expect_ok (fx, 2, id);
  g_assert_cmpstr (kept->value, ==, "round");
}

/* A user holds at most AG_LIMIT_USER_ATTRS attributes and AG_LIMIT_USER_ATTR_BYTES of them;
 * a refused change changes nothing, replacing and deleting stay possible. */
static void
test_user_attr_limits (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *big = g_strnfill (8000, 'x');
  g_autoptr(AgFrame) all = NULL;
  gint64 id;

  login_to (fx, 1, BULK_APP, "alice");

  for (guint i = 0; i < AG_LIMIT_USER_ATTRS; i++) {
    /* Within the request rate: one second per 32 requests. */
    if (i % 32 == 0)
      advance (fx, SECONDS (1));
    request_ok (fx, 1, "user_set_attr", "'name':'a%02u','value':'1'", i);
  }
  advance (fx, SECONDS (1));
  id = request (fx, 1, "user_set_attr", "'name':'one-more','value':'1'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS);
  expect_nothing (fx, 1);
  /* Replacing one is not adding one; deleting one makes room. */
  request_ok (fx, 1, "user_set_attr", "'name':'a00','value':'2'");
  request_ok (fx, 1, "user_set_attr", "'name':'a01','value':''");
  request_ok (fx, 1, "user_set_attr", "'name':'one-more','value':'1'");
  for (guint i = 0; i < AG_LIMIT_USER_ATTRS; i++) {
    if (i % 32 == 0)
      advance (fx, SECONDS (1));
    request_ok (fx, 1, "user_set_attr", "'name':'a%02u','value':''", i);
  }
  advance (fx, SECONDS (1));
  request_ok (fx, 1, "user_set_attr", "'name':'one-more','value':''");

  /* Eight values of 8,000 characters fill the 64 KiB; the ninth is refused. */
  for (guint i = 0; i < 8; i++)
    request_ok (fx, 1, "user_set_attr", "'name':'b%u','value':'%s'", i, big);
  id = request (fx, 1, "user_set_attr", "'name':'b8','value':'%s'", big);
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS);

  id = request (fx, 1, "user_get_attr_all", "'account':'alice'");
  all = expect_ok (fx, 1, id);
  g_assert_cmpuint (g_hash_table_size (all->attrs), ==, 8);
  g_assert_null (g_hash_table_lookup (all->attrs, "b8"));
}

static void
test_user_attr_limits_app_config (Fixture       *fx,
                                  gconstpointer  data)
{
  AgAppConfig config = {
    .app_id = (char *) "tight",
    .allow_no_token = TRUE,
    .max_user_attrs = 2,
    .max_user_attr_bytes = 10,
  };
  gint64 id;

  ag_hub_add_app (fx->hub, &config);
  login_to (fx, 1, "tight", "alice");

  request_ok (fx, 1, "user_set_attr", "'name':'a','value':'1'");
  request_ok (fx, 1, "user_set_attr", "'name':'b','value':'1'");
  id = request (fx, 1, "user_set_attr", "'name':'c','value':'1'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS);
  /* a=1 and b=1234567: 10 bytes of names and values. */
  request_ok (fx, 1, "user_set_attr", "'name':'b','value':'1234567'");
  id = request (fx, 1, "user_set_attr", "'name':'b','value':'12345678'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS);
}

/* Joins, user attribute changes and invitations share one bucket per user, refilled at the
 * app's user_request_rate. */
static void
test_rate_requests (Fixture       *fx,
                    gconstpointer  data)
{
  AgAppConfig config = {
    .app_id = (char *) "requests",
    .allow_no_token = TRUE,
    .user_request_rate = 4,
  };
  gint64 id;

  login_to (fx, 1, DEMO_APP, "alice");
  for (guint i = 0; i < AG_DEFAULT_USER_REQUEST_RATE; i++) {
    id = request (fx, 1, "channel_join", "'channel':'c%u'", i);
    g_autoptr(AgFrame) reply = expect_ok (fx, 1, id);
  }
  id = request (fx, 1, "channel_join", "'channel':'one-more'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_REQUEST_RATE);
  id = request (fx, 1, "user_set_attr", "'name':'a','value':'1'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_REQUEST_RATE);
  id = request (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_REQUEST_RATE);
  /* Messages have their own limit. */
  request_ok (fx, 1, "msg_send", "'peer':'alice','msg':'still fine'");
  drain_all (fx);

  advance (fx, SECONDS (1));
  request_ok (fx, 1, "user_set_attr", "'name':'a','value':'1'");

  ag_hub_add_app (fx->hub, &config);
  login_to (fx, 2, "requests", "bob");
  for (guint i = 0; i < 4; i++)
    request_ok (fx, 2, "user_set_attr", "'name':'a','value':'%u'", i);
  id = request (fx, 2, "user_set_attr", "'name':'a','value':'again'");
  expect_error (fx, 2, id, AG_ERROR_LIMIT_E_REQUEST_RATE);
}

/* Past the memory budget, what would make the server hold more is refused with 1113 (messages,
 * attribute changes, invitations); deleting works and makes room. Channel attributes and the
 * memory engine's user attributes and offline messages count. */
static void
test_memory_budget (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *sixty = g_strnfill (59, 'c');
  g_autofree char *fifty = g_strnfill (49, 'u');
  AgHubMemory memory;
  gint64 id;

  ag_hub_set_memory_budget (fx->hub, 100);
  login_to (fx, 1, BULK_APP, "alice");
  login_to (fx, 2, BULK_APP, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  request_ok (fx, 1, "channel_set_attr", "'name':'c','value':'%s'", sixty);
  drain_all (fx);
  ag_hub_get_memory (fx->hub, &memory);
  g_assert_cmpuint (memory.budget, ==, 100);
  g_assert_cmpuint (memory.state, ==, 60);
  g_assert_cmpuint (memory.output, ==, 0);

  request_ok (fx, 1, "user_set_attr", "'name':'u','value':'%s'", fifty);
  ag_hub_get_memory (fx->hub, &memory);
  g_assert_cmpuint (memory.state, ==, 110);

  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hi'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_MEMORY_BUDGET);
  id = request (fx, 1, "channel_send", "'msg':'hi'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_MEMORY_BUDGET);
  id = request (fx, 1, "user_set_attr", "'name':'v','value':'1'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_MEMORY_BUDGET);
  id = request (fx, 1, "channel_set_attr", "'name':'d','value':'1'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_MEMORY_BUDGET);
  id = request (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_MEMORY_BUDGET);
  expect_nothing (fx, 2);

  /* Deleting is always allowed, and makes room. */
  request_ok (fx, 1, "user_set_attr", "'name':'u','value':''");
  request_ok (fx, 1, "channel_del_attr", "'name':'c'");
  drain_all (fx);
  ag_hub_get_memory (fx->hub, &memory);
  g_assert_cmpuint (memory.state, ==, 0);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'hi'");
  drain_all (fx);

  ag_hub_set_memory_budget (fx->hub, 0);
  ag_hub_get_memory (fx->hub, &memory);
  g_assert_cmpuint (memory.budget, ==, AG_DEFAULT_MEMORY_BUDGET);
}

static void
test_queries (Fixture       *fx,
              gconstpointer  data)
{
  struct {
    const char *op;
    const char *fields;
    gint64      num;
    gboolean    online;
    gboolean    in;
  } cases[] = {
    { "channel_query_num", "'channel':'nowhere'", 0, FALSE, FALSE },
    { "channel_query_num", "'channel':'lobby'", 2, FALSE, FALSE },
    { "user_status", "'account':'bob'", 0, TRUE, FALSE },
    { "user_status", "'account':'zed'", 0, FALSE, FALSE },
    { "channel_is_in", "'channel':'lobby','account':'bob'", 0, FALSE, TRUE },
    { "channel_is_in", "'channel':'other','account':'bob'", 0, FALSE, FALSE },
    { "channel_is_in", "'channel':'lobby','account':'carol'", 0, FALSE, FALSE },
    { "channel_is_in", "'channel':'lobby','account':'zed'", 0, FALSE, FALSE },
  };

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  hub_join (fx, 3, "other");
  drain_all (fx);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(AgFrame) reply = NULL;
    gint64 id = request (fx, 3, cases[i].op, "%s", cases[i].fields);

    reply = expect_ok (fx, 3, id);

    if (g_str_equal (cases[i].op, "channel_query_num")) {
      g_assert_true (reply->has_num);
      g_assert_cmpint (reply->num, ==, cases[i].num);
      g_assert_nonnull (reply->channel);
    } else if (g_str_equal (cases[i].op, "user_status")) {
      g_assert_true (reply->has_online);
      g_assert_cmpint (reply->online, ==, cases[i].online);
      g_assert_nonnull (reply->account);
    } else {
      g_assert_true (reply->has_in);
      g_assert_cmpint (reply->in, ==, cases[i].in);
      g_assert_nonnull (reply->channel);
      g_assert_nonnull (reply->account);
    }
  }
}

/* Channels */

static void
test_join_roster (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(AgFrame) first = NULL;
  g_autoptr(AgFrame) second = NULL;
  g_autoptr(AgFrame) third = NULL;
  AgFrameMember *member;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");

  first = join_channel (fx, 1, "lobby");
  g_assert_true (first->has_num);
  g_assert_cmpint (first->num, ==, 1);
  g_assert_cmpuint (first->members->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (first->attrs), ==, 0);

  second = join_channel (fx, 2, "lobby");
  g_assert_cmpint (second->num, ==, 2);
  g_assert_cmpuint (second->members->len, ==, 1);
  member = g_ptr_array_index (second->members, 0);
  g_assert_cmpstr (member->account, ==, "alice");
  g_assert_cmpuint (member->uid, ==, 1);
  expect_user_joined (fx, 1, "lobby", "bob", 2);

  third = join_channel (fx, 3, "lobby");
  g_assert_cmpint (third->num, ==, 3);
  g_assert_cmpuint (third->members->len, ==, 2);
  member = g_ptr_array_index (third->members, 0);
  g_assert_cmpstr (member->account, ==, "bob");
  g_assert_cmpuint (member->uid, ==, 2);
  member = g_ptr_array_index (third->members, 1);
  g_assert_cmpstr (member->account, ==, "alice");
  expect_user_joined (fx, 1, "lobby", "carol", 3);
  expect_user_joined (fx, 2, "lobby", "carol", 3);

  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);
}

static void
test_join_same_channel (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(AgFrame) again = NULL;
  AgFrameMember *member;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  set_channel_attr (fx, 1, "topic", "news");
  drain_all (fx);

  /* The joiner is not in its own roster even when it joined first. */
  again = join_channel (fx, 1, "lobby");
  g_assert_cmpint (again->num, ==, 2);
  g_assert_cmpuint (again->members->len, ==, 1);
  member = g_ptr_array_index (again->members, 0);
  g_assert_cmpstr (member->account, ==, "bob");
  g_assert_cmpstr (g_hash_table_lookup (again->attrs, "topic"), ==, "news");

  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 1);
}

static void
test_join_switches_channel (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(AgFrame) is_in = NULL;
  AgFrameMember *member;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  hub_join (fx, 1, "a");
  hub_join (fx, 2, "a");
  hub_join (fx, 3, "b");
  drain_all (fx);

  reply = join_channel (fx, 1, "b");
  g_assert_cmpint (reply->num, ==, 2);
  member = g_ptr_array_index (reply->members, 0);
  g_assert_cmpstr (member->account, ==, "carol");

  expect_user_left (fx, 2, "a", "alice", 1, AG_ERROR_LEAVECHANNEL_E_BYUSER);
  expect_user_joined (fx, 3, "b", "alice", 1);
  expect_nothing (fx, 1);

  id = request (fx, 2, "channel_is_in", "'channel':'a','account':'alice'");
  is_in = expect_ok (fx, 2, id);
  g_assert_false (is_in->in);
}

static void
test_leave (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  const char *channel_ops[][2] = {
    { "channel_leave", "" },
    { "channel_send", "'msg':'hi'" },
    { "channel_set_attr", "'name':'topic','value':'news'" },
    { "channel_del_attr", "'name':'topic'" },
    { "channel_clear_attr", "" },
  };
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  for (guint i = 0; i < G_N_ELEMENTS (channel_ops); i++) {
    id = request (fx, 1, channel_ops[i][0], "%s", channel_ops[i][1]);
    expect_error (fx, 1, id, AG_ERROR_PROTO_E_NOT_IN_CHANNEL);
  }

  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  id = request (fx, 1, "channel_leave", "%s", "");
  reply = expect_ok (fx, 1, id);
  g_assert_cmpstr (reply->channel, ==, "lobby");
  expect_user_left (fx, 2, "lobby", "alice", 1, AG_ERROR_LEAVECHANNEL_E_BYUSER);

  for (guint i = 0; i < G_N_ELEMENTS (channel_ops); i++) {
    id = request (fx, 1, channel_ops[i][0], "%s", channel_ops[i][1]);
    expect_error (fx, 1, id, AG_ERROR_PROTO_E_NOT_IN_CHANNEL);
  }
  expect_nothing (fx, 2);
}

static void
test_roster_latest_200 (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(AgFrame) reply = NULL;
  const guint n = 250;

  fx->recording = FALSE;
  for (guint i = 1; i <= n; i++) {
    g_autofree char *account = g_strdup_printf ("m%03u", i);

    quiet_login (fx, i, account);
    request (fx, i, "channel_join", "'channel':'lobby'");
  }
  fx->recording = TRUE;

  hub_login (fx, 1000, "late");
  reply = join_channel (fx, 1000, "lobby");
  g_assert_cmpint (reply->num, ==, n + 1);
  g_assert_cmpuint (reply->members->len, ==, AG_LIMIT_ROSTER_ON_JOIN);

  /* Newest first: m250 down to m051, each with the uid of its login order. */
  for (guint i = 0; i < AG_LIMIT_ROSTER_ON_JOIN; i++) {
    AgFrameMember *member = g_ptr_array_index (reply->members, i);
    g_autofree char *expected = g_strdup_printf ("m%03u", n - i);

    g_assert_cmpstr (member->account, ==, expected);
    g_assert_cmpuint (member->uid, ==, n - i);
  }
}

static void
test_channel_full (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(AgFrame) query = NULL;
  g_autoptr(AgFrame) rejoined = NULL;
  g_autoptr(AgFrame) is_in = NULL;
  const guint64 outsider = AG_LIMIT_CHANNEL_MEMBERS + 1;
  GBytes *shared;
  guint64 sends_before;
  gint64 id;

  fx->recording = FALSE;
  for (guint i = 1; i <= AG_LIMIT_CHANNEL_MEMBERS; i++) {
    g_autofree char *account = g_strdup_printf ("u%u", i);

    quiet_login (fx, i, account);
    request (fx, i, "channel_join", "'channel':'big'");
    /* Join notifications to 10,000 members are advised against; the first member turns
     * them off as a large channel would. */
    if (i == 1)
      request (fx, 1, "channel_set_attr", "'name':'_userNotification','value':'0'");
  }
  fx->recording = TRUE;
  hub_login (fx, outsider, "outsider");
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, AG_LIMIT_CHANNEL_MEMBERS + 1);

  id = request (fx, outsider, "channel_query_num", "'channel':'big'");
  query = expect_ok (fx, outsider, id);
  g_assert_cmpint (query->num, ==, AG_LIMIT_CHANNEL_MEMBERS);

  id = request (fx, outsider, "channel_join", "'channel':'big'");
  expect_error (fx, outsider, id, AG_ERROR_LIMIT_E_CHANNEL_FULL);
  id = request (fx, outsider, "channel_is_in", "'channel':'big','account':'outsider'");
  is_in = expect_ok (fx, outsider, id);
  g_assert_false (is_in->in);

  /* One message reaches all 10,000 members as the very same encoded bytes. */
  sends_before = fx->sends;
  request_ok (fx, 5000, "channel_send", "'msg':'to everyone'");
  g_assert_cmpuint (fx->sends - sends_before, ==, AG_LIMIT_CHANNEL_MEMBERS + 1);
  shared = g_hash_table_lookup (fx->last_bytes, CONN_KEY (1));
  for (guint i = 1; i <= AG_LIMIT_CHANNEL_MEMBERS; i++) {
    g_assert_true (g_hash_table_lookup (fx->last_bytes, CONN_KEY (i)) == shared);
    expect_channel_msg (fx, i, "big", "u5000", 5000, "to everyone");
  }

  /* A place frees up when someone leaves. */
  request_ok (fx, 77, "channel_leave", "%s", "");
  rejoined = join_channel (fx, outsider, "big");
  g_assert_cmpint (rejoined->num, ==, AG_LIMIT_CHANNEL_MEMBERS);
  expect_nothing (fx, 1);
}

static void
test_user_notification_off (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *join_json = NULL;

  hub_login (fx, 9, "w");
  hub_join (fx, 9, AG_SPECIAL_CHANNEL_EVENTS);
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  set_channel_attr (fx, 1, "_userNotification", "0");
  drain_all (fx);

  hub_join (fx, 2, "lobby");
  request_ok (fx, 2, "channel_leave", "%s", "");
  expect_nothing (fx, 1);

  /* The special channel still hears of it. */
  join_json = g_strdup_printf ("{\"type\":\"join\",\"channel\":\"lobby\",\"account\":\"bob\","
                               "\"uid\":3,\"num\":2,\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_EVENTS, join_json);
  g_assert_cmpuint (pending (fx, 9), ==, 1);
  drain (fx, 9);

  set_channel_attr (fx, 1, "_userNotification", "1");
  drain (fx, 1);
  hub_join (fx, 2, "lobby");
  expect_user_joined (fx, 1, "lobby", "bob", 3);
}

static void
test_channel_send (Fixture       *fx,
                   gconstpointer  data)
{
  GBytes *shared;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  hub_login (fx, 4, "dave");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  hub_join (fx, 3, "lobby");
  hub_join (fx, 4, "elsewhere");
  drain_all (fx);
  advance (fx, MS (42));

  id = request (fx, 1, "channel_send", "'msg':'hi all'");
  /* The sender gets its reply before its own copy. */
  expect_ok_only (fx, 1, id);
  expect_channel_msg (fx, 1, "lobby", "alice", 1, "hi all");
  expect_channel_msg (fx, 2, "lobby", "alice", 1, "hi all");
  expect_channel_msg (fx, 3, "lobby", "alice", 1, "hi all");
  expect_nothing (fx, 4);

  shared = g_hash_table_lookup (fx->last_bytes, CONN_KEY (1));
  g_assert_true (g_hash_table_lookup (fx->last_bytes, CONN_KEY (2)) == shared);
  g_assert_true (g_hash_table_lookup (fx->last_bytes, CONN_KEY (3)) == shared);

  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_in, ==, 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_out, ==, 3);
}

static void
test_channel_attrs (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(AgFrame) joined = NULL;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  request_ok (fx, 1, "channel_set_attr", "'name':'topic','value':'news'");
  expect_attr_event (fx, 1, "lobby", "update", "topic", "news");
  expect_attr_event (fx, 2, "lobby", "update", "topic", "news");

  joined = join_channel (fx, 3, "lobby");
  g_assert_cmpuint (g_hash_table_size (joined->attrs), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (joined->attrs, "topic"), ==, "news");
  drain_all (fx);

  request_ok (fx, 2, "channel_del_attr", "'name':'topic'");
  expect_attr_event (fx, 1, "lobby", "del", "topic", "");
  expect_attr_event (fx, 2, "lobby", "del", "topic", "");
  expect_attr_event (fx, 3, "lobby", "del", "topic", "");

  /* Deleting what is not there changes nothing and tells nobody. */
  request_ok (fx, 2, "channel_del_attr", "'name':'topic'");
  expect_nothing (fx, 1);

  set_channel_attr (fx, 1, "a", "1");
  set_channel_attr (fx, 1, "b", "2");
  drain_all (fx);
  request_ok (fx, 3, "channel_clear_attr", "%s", "");
  expect_attr_event (fx, 1, "lobby", "clear", "", "");
  expect_attr_event (fx, 2, "lobby", "clear", "", "");
  expect_attr_event (fx, 3, "lobby", "clear", "", "");

  request_ok (fx, 3, "channel_clear_attr", "%s", "");
  expect_nothing (fx, 1);
  expect_nothing (fx, 3);
}

/* A channel holds at most AG_LIMIT_CHANNEL_ATTRS attributes and AG_LIMIT_CHANNEL_ATTR_BYTES of
 * them in all; a refused change changes nothing, replacing and deleting stay possible. */
static void
test_channel_attr_limits (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *big = g_strnfill (8000, 'x');
  g_autoptr(AgFrame) joined = NULL;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_join (fx, 1, "lobby");
  drain_all (fx);

  for (guint i = 0; i < AG_LIMIT_CHANNEL_ATTRS; i++) {
    g_autofree char *name = g_strdup_printf ("a%02u", i);

    set_channel_attr (fx, 1, name, "1");
  }
  drain_all (fx);
  id = request (fx, 1, "channel_set_attr", "'name':'one-more','value':'1'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_ATTRS);
  expect_nothing (fx, 1);
  /* Replacing one is not adding one. */
  set_channel_attr (fx, 1, "a00", "2");
  drain_all (fx);
  request_ok (fx, 1, "channel_clear_attr", "%s", "");
  drain_all (fx);

  /* Eight values of 8,000 characters fill the 64 KiB; the ninth is refused. */
  for (guint i = 0; i < 8; i++) {
    g_autofree char *name = g_strdup_printf ("b%u", i);

    set_channel_attr (fx, 1, name, big);
  }
  drain_all (fx);
  id = request (fx, 1, "channel_set_attr", "'name':'b8','value':'%s'", big);
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_ATTRS);
  request_ok (fx, 1, "channel_del_attr", "'name':'b7'");
  drain_all (fx);
  set_channel_attr (fx, 1, "b8", big);
  drain_all (fx);

  hub_login (fx, 2, "bob");
  joined = join_channel (fx, 2, "lobby");
  g_assert_cmpuint (g_hash_table_size (joined->attrs), ==, 8);
  g_assert_null (g_hash_table_lookup (joined->attrs, "b7"));
}

static void
test_channel_attr_builtin_values (Fixture       *fx,
                                  gconstpointer  data)
{
  const char *bad_values[] = { "abc", "-1", "1.5", "", "+5", " 5", "5s", "99999999999" };
  const char *builtins[] = {
    "_userNotification", "_channel_ttl", "_auto_update_num", "_member_num",
    "_auto_update_total_num", "_total_member_num", "_sendmsg_limit", "_setattr_limit",
  };
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_join (fx, 1, "lobby");

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++) {
    for (guint j = 0; j < G_N_ELEMENTS (bad_values); j++) {
      id = request (fx, 1, "channel_set_attr", "'name':'%s','value':'%s'",
                    builtins[i], bad_values[j]);
      expect_error (fx, 1, id, AG_ERROR_GENERAL_E_WRONG_PARAM);
    }
  }
  expect_nothing (fx, 1);

  /* Ordinary attributes take any text; built-ins take decimal integers >= 0. */
  set_channel_attr (fx, 1, "topic", "-1.5 abc");
  expect_attr_event (fx, 1, "lobby", "update", "topic", "-1.5 abc");
  set_channel_attr (fx, 1, "_channel_ttl", "0");
  expect_attr_event (fx, 1, "lobby", "update", "_channel_ttl", "0");
  set_channel_attr (fx, 1, "_channel_ttl", "4294967295");
  expect_attr_event (fx, 1, "lobby", "update", "_channel_ttl", "4294967295");
}

/* An app keeps at most max_channels channels, empty ones waiting for their TTL included:
 * joining an existing one is always possible, a new one only once one went away. */
static void
test_channel_max_channels (Fixture       *fx,
                           gconstpointer  data)
{
  AgAppConfig config = {
    .app_id = (char *) "few",
    .allow_no_token = TRUE,
    .max_channels = 3,
  };
  gint64 id;

  ag_hub_add_app (fx->hub, &config);
  login_to (fx, 1, "few", "alice");
  login_to (fx, 2, "few", "bob");

  hub_join (fx, 1, "a");
  set_channel_attr (fx, 1, "_channel_ttl", "60");
  hub_join (fx, 1, "b");
  hub_join (fx, 1, "c");
  drain_all (fx);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 3);

  id = request (fx, 2, "channel_join", "'channel':'d'");
  expect_error (fx, 2, id, AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS);
  /* A refused join leaves the channel one is in. */
  id = request (fx, 1, "channel_join", "'channel':'d'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS);
  id = request (fx, 1, "channel_is_in", "'channel':'c','account':'alice'");
  {
    g_autoptr(AgFrame) reply = expect_ok (fx, 1, id);
    g_assert_true (reply->in);
  }
  hub_join (fx, 2, "a");
  drain_all (fx);
  /* The monitoring channels are always there to join. */
  hub_join (fx, 2, AG_SPECIAL_CHANNEL_USER_ONLINE);
  hub_join (fx, 2, "a");
  drain_all (fx);

  /* "a" goes 60 s after its last member left; then there is room. */
  request_ok (fx, 2, "channel_leave", "%s", "");
  drain_all (fx);
  advance (fx, SECONDS (60));
  drain_all (fx);
  hub_join (fx, 2, "d");
}

/* One account creates at most AG_LIMIT_CHANNELS_PER_CREATOR channels that still exist, so it
 * cannot take the whole of max_channels; others can still create, and joining works. */
static void
test_channel_creator_limit (Fixture       *fx,
                            gconstpointer  data)
{
  AgAppConfig config = {
    .app_id = (char *) "busy",
    .allow_no_token = TRUE,
    .user_request_rate = 1000000,
  };
  gint64 id;

  ag_hub_add_app (fx->hub, &config);
  login_to (fx, 1, "busy", "mallory");
  login_to (fx, 2, "busy", "bob");

  fx->recording = FALSE;
  for (guint i = 0; i < AG_LIMIT_CHANNELS_PER_CREATOR; i++)
    request (fx, 1, "channel_join", "'channel':'m%u'", i);
  fx->recording = TRUE;
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, AG_LIMIT_CHANNELS_PER_CREATOR);

  id = request (fx, 1, "channel_join", "'channel':'one-more'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS);
  /* Joining one that exists is not creating one; another account creates its own. */
  hub_join (fx, 1, "m0");
  hub_join (fx, 2, "bobs");
  drain_all (fx);

  /* Its channels going away (the default TTL) give the account room again. */
  request_ok (fx, 1, "channel_leave", "%s", "");
  drain_all (fx);
  advance (fx, SECONDS (AG_DEFAULT_CHANNEL_TTL));
  drain_all (fx);
  hub_join (fx, 1, "one-more");
}

static void
test_channel_ttl (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(AgFrame) kept = NULL;
  g_autoptr(AgFrame) fresh = NULL;
  g_autoptr(AgFrame) query = NULL;
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  set_channel_attr (fx, 1, "topic", "news");
  set_channel_attr (fx, 1, "_channel_ttl", "60");
  drain (fx, 1);
  request_ok (fx, 1, "channel_leave", "%s", "");
  drain_all (fx);

  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 1);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, fx->now_us + SECONDS (60));

  /* Rejoining before the TTL cancels the destruction and finds the attributes. */
  advance (fx, SECONDS (59));
  kept = join_channel (fx, 2, "lobby");
  g_assert_cmpint (kept->num, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (kept->attrs, "topic"), ==, "news");
  g_assert_cmpstr (g_hash_table_lookup (kept->attrs, "_channel_ttl"), ==, "60");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  advance (fx, SECONDS (30));
  request_ok (fx, 2, "channel_leave", "%s", "");

  advance (fx, SECONDS (60) - 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 1);
  advance (fx, 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 0);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  id = request (fx, 1, "channel_query_num", "'channel':'lobby'");
  query = expect_ok (fx, 1, id);
  g_assert_cmpint (query->num, ==, 0);

  fresh = join_channel (fx, 1, "lobby");
  g_assert_cmpuint (g_hash_table_size (fresh->attrs), ==, 0);
}

static void
test_channel_ttl_default (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(AgFrame) kept = NULL;

  hub_login (fx, 1, "alice");
  hub_join (fx, 1, "lobby");
  set_channel_attr (fx, 1, "topic", "news");
  drain (fx, 1);
  request_ok (fx, 1, "channel_leave", "%s", "");

  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==,
                   fx->now_us + SECONDS (AG_DEFAULT_CHANNEL_TTL));
  advance (fx, SECONDS (AG_DEFAULT_CHANNEL_TTL) - 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 1);
  advance (fx, 1);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 0);

  /* With a TTL of 0 the channel goes with its last member. */
  hub_join (fx, 1, "lobby");
  set_channel_attr (fx, 1, "topic", "again");
  set_channel_attr (fx, 1, "_channel_ttl", "0");
  hub_join (fx, 1, "elsewhere");
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 1);
  kept = join_channel (fx, 1, "lobby");
  g_assert_cmpuint (g_hash_table_size (kept->attrs), ==, 0);
}

static void
test_auto_update_num (Fixture       *fx,
                      gconstpointer  data)
{
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  hub_join (fx, 1, "lobby");

  /* Enabling sets _member_num right away. */
  request_ok (fx, 1, "channel_set_attr", "'name':'_auto_update_num','value':'5'");
  expect_attr_event (fx, 1, "lobby", "update", "_auto_update_num", "5");
  expect_attr_event (fx, 1, "lobby", "update", "_member_num", "1");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, fx->now_us + SECONDS (5));

  hub_join (fx, 2, "lobby");
  drain_all (fx);
  advance (fx, SECONDS (5) - 1);
  expect_nothing (fx, 1);
  advance (fx, 1);
  expect_attr_event (fx, 1, "lobby", "update", "_member_num", "2");
  expect_attr_event (fx, 2, "lobby", "update", "_member_num", "2");

  /* No change, no event: a join and a leave within one period cancel out. */
  hub_join (fx, 3, "lobby");
  request_ok (fx, 3, "channel_leave", "%s", "");
  drain_all (fx);
  advance (fx, SECONDS (5));
  expect_nothing (fx, 1);

  request_ok (fx, 2, "channel_leave", "%s", "");
  drain_all (fx);
  advance (fx, SECONDS (5));
  expect_attr_event (fx, 1, "lobby", "update", "_member_num", "1");

  /* Turning it off stops the timer. */
  set_channel_attr (fx, 1, "_auto_update_num", "0");
  expect_attr_event (fx, 1, "lobby", "update", "_auto_update_num", "0");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
  hub_join (fx, 2, "lobby");
  drain_all (fx);
  advance (fx, SECONDS (60));
  expect_nothing (fx, 1);
}

static void
test_auto_update_total_num (Fixture       *fx,
                            gconstpointer  data)
{
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");

  /* Alone it does nothing: _auto_update_num must be set too. */
  set_channel_attr (fx, 1, "_auto_update_total_num", "3");
  expect_attr_event (fx, 1, "lobby", "update", "_auto_update_total_num", "3");
  expect_nothing (fx, 1);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  set_channel_attr (fx, 1, "_auto_update_num", "10");
  expect_attr_event (fx, 1, "lobby", "update", "_auto_update_num", "10");
  expect_attr_event (fx, 1, "lobby", "update", "_member_num", "1");
  expect_attr_event (fx, 1, "lobby", "update", "_total_member_num", "1");

  hub_join (fx, 2, "lobby");
  request_ok (fx, 2, "channel_leave", "%s", "");
  hub_join (fx, 2, "lobby");
  drain_all (fx);

  advance (fx, SECONDS (3));
  expect_attr_event (fx, 1, "lobby", "update", "_total_member_num", "3");
  expect_attr_event (fx, 2, "lobby", "update", "_total_member_num", "3");
  expect_nothing (fx, 1);

  advance (fx, SECONDS (7));
  expect_attr_event (fx, 1, "lobby", "update", "_member_num", "2");
  expect_nothing (fx, 1);

  /* Clearing every attribute turns both off. */
  request_ok (fx, 1, "channel_clear_attr", "%s", "");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
}

/* Special channels */

static void
test_special_user_online (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(AgFrame) joined = NULL;
  g_autofree char *online = NULL;
  g_autofree char *offline = NULL;
  g_autofree char *lost = NULL;

  hub_login (fx, 9, "w");
  joined = join_channel (fx, 9, AG_SPECIAL_CHANNEL_USER_ONLINE);
  g_assert_cmpint (joined->num, ==, 1);
  expect_nothing (fx, 9);

  advance (fx, MS (10));
  hub_login (fx, 2, "bob");
  online = g_strdup_printf ("{\"type\":\"online\",\"account\":\"bob\",\"uid\":2,"
                            "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_USER_ONLINE, online);

  advance (fx, MS (1500));
  logout (fx, 2);
  offline = g_strdup_printf ("{\"type\":\"offline\",\"account\":\"bob\",\"uid\":2,\"code\":101,"
                             "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_USER_ONLINE, offline);

  hub_login (fx, 3, "carol");
  drain (fx, 9);
  ag_hub_connection_closed (fx->hub, 3, fx->now_us);
  lost = g_strdup_printf ("{\"type\":\"offline\",\"account\":\"carol\",\"uid\":3,\"code\":102,"
                          "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_USER_ONLINE, lost);
  expect_nothing (fx, 9);

  /* online bob, offline bob, online carol, offline carol */
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_out, ==, 4);
}

static void
test_special_channel_event (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *join_bob = NULL;
  g_autofree char *join_carol = NULL;
  g_autofree char *leave_bob = NULL;
  g_autofree char *lost_carol = NULL;

  hub_login (fx, 9, "w");
  hub_join (fx, 9, AG_SPECIAL_CHANNEL_EVENTS);
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  expect_nothing (fx, 9);

  hub_join (fx, 2, "lobby");
  join_bob = g_strdup_printf ("{\"type\":\"join\",\"channel\":\"lobby\",\"account\":\"bob\","
                              "\"uid\":2,\"num\":1,\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_EVENTS, join_bob);

  advance (fx, MS (5));
  hub_join (fx, 3, "lobby");
  join_carol = g_strdup_printf ("{\"type\":\"join\",\"channel\":\"lobby\",\"account\":\"carol\","
                                "\"uid\":3,\"num\":2,\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_EVENTS, join_carol);

  drain (fx, 2);
  request_ok (fx, 2, "channel_leave", "%s", "");
  leave_bob = g_strdup_printf ("{\"type\":\"leave\",\"channel\":\"lobby\",\"account\":\"bob\","
                               "\"uid\":2,\"num\":1,\"code\":602,\"ts\":%" G_GINT64_FORMAT "}",
                               now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_EVENTS, leave_bob);

  ag_hub_connection_closed (fx->hub, 3, fx->now_us);
  lost_carol = g_strdup_printf ("{\"type\":\"leave\",\"channel\":\"lobby\",\"account\":\"carol\","
                                "\"uid\":3,\"num\":0,\"code\":604,\"ts\":%" G_GINT64_FORMAT "}",
                                now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_EVENTS, lost_carol);
  expect_nothing (fx, 9);
}

static void
test_special_json_escaping (Fixture       *fx,
                            gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autoptr(AgFrame) login = NULL;
  g_autoptr(AgFrame) reply = NULL;

  hub_login (fx, 9, "w");
  hub_join (fx, 9, AG_SPECIAL_CHANNEL_EVENTS);
  ag_hub_connection_opened (fx->hub, 2, fx->now_us);
  send_raw (fx, 2, "{\"op\":\"login\",\"id\":76,\"app_id\":\"demo\",\"account\":\"b\\\"o\\\\b\","
                   "\"token\":\"_no_need_token\"}");
  login = expect_ok (fx, 2, 76);
  g_assert_cmpstr (login->account, ==, "b\"o\\b");

  send_raw (fx, 2, "{\"op\":\"channel_join\",\"id\":77,\"channel\":\"say \\\"hi\\\" \\\\ now\"}");
  reply = expect_ok (fx, 2, 77);
  g_assert_cmpstr (reply->channel, ==, "say \"hi\" \\ now");

  expected = g_strdup_printf ("{\"type\":\"join\",\"channel\":\"say \\\"hi\\\" \\\\ now\","
                              "\"account\":\"b\\\"o\\\\b\",\"uid\":2,\"num\":1,"
                              "\"ts\":%" G_GINT64_FORMAT "}", now_ms (fx));
  expect_system_msg (fx, 9, AG_SPECIAL_CHANNEL_EVENTS, expected);
}

static void
test_special_read_only (Fixture       *fx,
                        gconstpointer  data)
{
  const char *special[] = { AG_SPECIAL_CHANNEL_USER_ONLINE, AG_SPECIAL_CHANNEL_EVENTS };
  const char *write_ops[][2] = {
    { "channel_send", "'msg':'hi'" },
    { "channel_set_attr", "'name':'topic','value':'news'" },
    { "channel_del_attr", "'name':'topic'" },
    { "channel_clear_attr", "" },
  };
  gint64 id;

  hub_login (fx, 1, "w1");
  hub_login (fx, 2, "w2");
  hub_login (fx, 3, "watcher");
  hub_join (fx, 3, AG_SPECIAL_CHANNEL_EVENTS);

  for (guint s = 0; s < G_N_ELEMENTS (special); s++) {
    hub_join (fx, 1, special[s]);
    hub_join (fx, 2, special[s]);

    for (guint i = 0; i < G_N_ELEMENTS (write_ops); i++) {
      id = request (fx, 1, write_ops[i][0], "%s", write_ops[i][1]);
      expect_error (fx, 1, id, AG_ERROR_PROTO_E_READ_ONLY_CHANNEL);
    }

    request_ok (fx, 2, "channel_leave", "%s", "");
  }

  /* Joining, leaving and switching between special channels is silent... */
  request_ok (fx, 1, "channel_leave", "%s", "");
  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);

  /* ...and they are never destroyed. */
  advance (fx, SECONDS (AG_DEFAULT_CHANNEL_TTL * 2));
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->channels, ==, 2);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
}

/* Calls */

static void
test_call_accept_flow (Fixture       *fx,
                       gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob','extra':'{\\'video\\':true}'");
  expect_call_incoming (fx, 2, "room", "alice", 1, "{\"video\":true}");
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, "room", "bob", NULL);

  request_ok (fx, 2, "call_accept", "'channel':'room','peer':'alice','extra':'{\\'ok\\':1}'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_ACCEPTED, "room", "bob", "{\"ok\":1}");

  request_ok (fx, 1, "call_msg", "'channel':'room','peer':'bob','type':'text','msg':'hello'");
  expect_call_msg (fx, 2, "room", "alice", "text", "hello");

  request_ok (fx, 2, "call_msg", "'channel':'room','peer':'alice','type':'DTMF','msg':'12#*'");
  expect_call_msg (fx, 1, "room", "bob", "DTMF", "12#*");

  /* DTMF takes only digits, '*' and '#'. */
  id = request (fx, 2, "call_msg", "'channel':'room','peer':'alice','type':'DTMF','msg':'12a'");
  expect_error (fx, 2, id, AG_ERROR_GENERAL_E_WRONG_PARAM);

  /* Accepting twice is not possible. */
  id = request (fx, 2, "call_accept", "'channel':'room','peer':'alice'");
  expect_error (fx, 2, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);

  request_ok (fx, 1, "call_end", "'channel':'room','peer':'bob','extra':'{\\'bye\\':1}'");
  expect_call_event (fx, 2, AG_OP_EV_CALL_ENDED, "room", "alice", "{\"bye\":1}");

  id = request (fx, 1, "call_msg", "'channel':'room','peer':'bob','type':'text','msg':'hello'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);
  id = request (fx, 2, "call_end", "'channel':'room','peer':'alice'");
  expect_error (fx, 2, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);

  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_in, ==, 2);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->messages_out, ==, 2);
}

static void
test_call_refuse (Fixture       *fx,
                  gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  ring (fx, "room", "{}");

  request_ok (fx, 2, "call_refuse", "'channel':'room','peer':'alice','extra':'{\\'busy\\':1}'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_REFUSED, "room", "bob", "{\"busy\":1}");

  id = request (fx, 2, "call_accept", "'channel':'room','peer':'alice'");
  expect_error (fx, 2, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);
  id = request (fx, 1, "call_end", "'channel':'room','peer':'bob'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);

  /* An active call cannot be refused any more. */
  ring_and_accept (fx, "room2");
  id = request (fx, 2, "call_refuse", "'channel':'room2','peer':'alice'");
  expect_error (fx, 2, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);
  expect_nothing (fx, 1);
}

static void
test_call_end_by_callee (Fixture       *fx,
                         gconstpointer  data)
{
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  /* While ringing... */
  ring (fx, "room", "{}");
  request_ok (fx, 2, "call_end", "'channel':'room','peer':'alice'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_ENDED, "room", "bob", "{}");

  /* ...and once active. */
  ring_and_accept (fx, "room");
  request_ok (fx, 2, "call_end", "'channel':'room','peer':'alice','extra':'{\\'r\\':2}'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_ENDED, "room", "bob", "{\"r\":2}");

  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
}

static void
test_call_end_by_caller_while_ringing (Fixture       *fx,
                                       gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  ring (fx, "room", "{}");

  request_ok (fx, 1, "call_end", "'channel':'room','peer':'bob'");
  expect_call_event (fx, 2, AG_OP_EV_CALL_ENDED, "room", "alice", "{}");

  id = request (fx, 2, "call_accept", "'channel':'room','peer':'alice'");
  expect_error (fx, 2, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);
  expect_nothing (fx, 1);
}

/* A caller has at most AG_LIMIT_CALLS_PER_CALLER invitations and calls going; one ending
 * makes room, and being invited by others does not count. */
static void
test_call_invite_limit (Fixture       *fx,
                        gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  for (guint i = 0; i < AG_LIMIT_CALLS_PER_CALLER; i++) {
    if (i % 32 == 0)
      advance (fx, SECONDS (1));
    request_ok (fx, 1, "call_invite", "'channel':'room','peer':'offline%02u'", i);
  }
  advance (fx, SECONDS (1));
  id = request (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  expect_error (fx, 1, id, AG_ERROR_LIMIT_E_TOO_MANY_CALLS);
  expect_nothing (fx, 2);

  request_ok (fx, 2, "call_invite", "'channel':'room','peer':'alice'");
  expect_call_incoming (fx, 1, "room", "bob", 2, "{}");
  expect_call_event (fx, 2, AG_OP_EV_CALL_RECEIVED, "room", "alice", NULL);

  /* The offline callees' 20 s run out: the invitations fail and make room. */
  advance (fx, SECONDS (AG_DEFAULT_INVITE_OFFLINE_WAIT));
  drain_all (fx);
  request_ok (fx, 1, "call_invite", "'channel':'room2','peer':'bob'");
}

static void
test_call_reinvite (Fixture       *fx,
                    gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  ring (fx, "room", "{}");

  id = request (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  expect_error (fx, 1, id, AG_ERROR_INVITE_E_REINVITE);
  expect_nothing (fx, 2);

  /* Another channel or the other direction is another call. */
  ring (fx, "room2", "{}");
  request_ok (fx, 2, "call_invite", "'channel':'room','peer':'alice'");
  expect_call_incoming (fx, 1, "room", "bob", 2, "{}");
  expect_call_event (fx, 2, AG_OP_EV_CALL_RECEIVED, "room", "alice", NULL);

  /* Once over, the same call can be made again. */
  request_ok (fx, 2, "call_refuse", "'channel':'room','peer':'alice'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_REFUSED, "room", "bob", "{}");
  ring (fx, "room", "{}");
}

static void
test_call_wrong_party (Fixture       *fx,
                       gconstpointer  data)
{
  struct {
    guint64     conn;
    const char *op;
    const char *fields;
  } cases[] = {
    { 1, "call_accept", "'channel':'room','peer':'bob'" },      /* the caller */
    { 1, "call_refuse", "'channel':'room','peer':'bob'" },
    { 3, "call_accept", "'channel':'room','peer':'alice'" },    /* a third party */
    { 3, "call_end", "'channel':'room','peer':'alice'" },
    { 3, "call_msg", "'channel':'room','peer':'alice','type':'text','msg':'x'" },
    { 2, "call_accept", "'channel':'other','peer':'alice'" },   /* wrong channel */
    { 2, "call_end", "'channel':'room','peer':'carol'" },       /* wrong peer */
    { 2, "call_msg", "'channel':'room','peer':'carol','type':'text','msg':'x'" },
  };

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");
  ring (fx, "room", "{}");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gint64 id = request (fx, cases[i].conn, cases[i].op, "%s", cases[i].fields);

    expect_error (fx, cases[i].conn, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);
  }

  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);
}

static void
test_call_offline_callee_fails_after_20s (Fixture       *fx,
                                          gconstpointer  data)
{
  hub_login (fx, 1, "alice");

  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  expect_nothing (fx, 1);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==,
                   fx->now_us + SECONDS (AG_DEFAULT_INVITE_OFFLINE_WAIT));

  advance (fx, MS (19900));
  expect_nothing (fx, 1);
  advance (fx, MS (100));
  expect_call_failed (fx, 1, "room", "bob", AG_ERROR_INVITE_E_PEEROFFLINE);
  expect_nothing (fx, 1);

  /* Too late: nothing rings, and the invitation gave bob no uid. */
  g_assert_cmpuint (hub_login (fx, 2, "bob"), ==, 2);
  expect_nothing (fx, 2);
  expect_nothing (fx, 1);
}

static void
test_call_offline_callee_logs_in (Fixture       *fx,
                                  gconstpointer  data)
{
  gint64 sent_at;

  hub_login (fx, 1, "alice");

  sent_at = now_ms (fx);
  request_ok (fx, 1, "msg_send", "'peer':'bob','msg':'call me','ttl':60");
  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob','extra':'{\\'k\\':1}'");
  request_ok (fx, 1, "call_invite", "'channel':'room2','peer':'bob'");

  advance (fx, SECONDS (10));
  hub_login (fx, 2, "bob");
  /* Login reply, offline messages, then the invitations in the order they were made. */
  expect_msg (fx, 2, "alice", 1, "call me", sent_at);
  expect_call_incoming (fx, 2, "room", "alice", 1, "{\"k\":1}");
  expect_call_incoming (fx, 2, "room2", "alice", 1, "{}");
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, "room", "bob", NULL);
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, "room2", "bob", NULL);

  advance (fx, SECONDS (15));
  expect_nothing (fx, 1);

  request_ok (fx, 2, "call_accept", "'channel':'room','peer':'alice'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_ACCEPTED, "room", "bob", "{}");
}

static void
test_call_require_peer_online (Fixture       *fx,
                               gconstpointer  data)
{
  hub_login (fx, 1, "alice");

  request_ok (fx, 1, "call_invite",
              "'channel':'room','peer':'bob','extra':'{\\'_require_peer_online\\':1}'");
  expect_call_failed (fx, 1, "room", "bob", AG_ERROR_INVITE_E_PEEROFFLINE);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  /* The failed call is over, so inviting again is no re-invitation. */
  request_ok (fx, 1, "call_invite",
              "'channel':'room','peer':'bob','extra':'{\\'_require_peer_online\\':0}'");
  expect_nothing (fx, 1);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==,
                   fx->now_us + SECONDS (AG_DEFAULT_INVITE_OFFLINE_WAIT));

  /* The flag may come as a boolean too. */
  request_ok (fx, 1, "call_invite",
              "'channel':'room2','peer':'bob','extra':'{\\'_require_peer_online\\':true}'");
  expect_call_failed (fx, 1, "room2", "bob", AG_ERROR_INVITE_E_PEEROFFLINE);

  /* An online callee rings whatever the flag says. */
  hub_login (fx, 3, "carol");
  request_ok (fx, 1, "call_invite",
              "'channel':'room','peer':'carol','extra':'{\\'_require_peer_online\\':1}'");
  expect_call_incoming (fx, 3, "room", "alice", 1, "{\"_require_peer_online\":1}");
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, "room", "carol", NULL);
}

static void
test_call_timeout (Fixture       *fx,
                   gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob','extra':'{\\'_timeout\\':5}'");
  expect_call_incoming (fx, 2, "room", "alice", 1, "{\"_timeout\":5}");
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, "room", "bob", NULL);

  advance (fx, SECONDS (5) - 1);
  expect_nothing (fx, 1);
  expect_nothing (fx, 2);
  advance (fx, 1);
  expect_call_failed (fx, 1, "room", "bob", AG_ERROR_INVITE_E_TIMEOUT);
  expect_call_event (fx, 2, AG_OP_EV_CALL_ENDED, "room", "alice", "{}");
  id = request (fx, 2, "call_accept", "'channel':'room','peer':'alice'");
  expect_error (fx, 2, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);

  /* Accepted in time, the timeout no longer applies. */
  request_ok (fx, 1, "call_invite",
              "'channel':'room2','peer':'bob','extra':'{\\'_timeout\\':\\'5\\'}'");
  drain_all (fx);
  advance (fx, SECONDS (2));
  request_ok (fx, 2, "call_accept", "'channel':'room2','peer':'alice'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_ACCEPTED, "room2", "bob", "{}");
  advance (fx, SECONDS (10));
  expect_nothing (fx, 1);
  expect_nothing (fx, 2);

  /* _timeout 0 is none. */
  request_ok (fx, 1, "call_invite",
              "'channel':'room3','peer':'bob','extra':'{\\'_timeout\\':0}'");
  drain_all (fx);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
}

/* What the server would not be able to act on is refused, and no call is made. */
static void
test_call_extra_refused (Fixture       *fx,
                         gconstpointer  data)
{
  static const char * const refused[] = {
    "{\\'_timeout\\':\\'soon\\'}",
    "{\\'_timeout\\':-4}",
    "{\\'_timeout\\':2.5}",
    "{\\'_timeout\\':90000}",
    "{\\'_timeout\\':null}",
    "{\\'_require_peer_online\\':2}",
    "{\\'_require_peer_online\\':\\'yes\\'}",
  };

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    gint64 id = request (fx, 1, "call_invite", "'channel':'room','peer':'bob','extra':'%s'",
                         refused[i]);

    expect_error (fx, 1, id, AG_ERROR_GENERAL_E_WRONG_PARAM);
    expect_nothing (fx, 2);
  }

  /* Readable values in any of the accepted forms still make calls. */
  request_ok (fx, 1, "call_invite",
              "'channel':'room','peer':'bob','extra':'{\\'_timeout\\':\\'30\\',\\'_require_peer_online\\':true}'");
  expect_call_incoming (fx, 2, "room", "alice", 1, "{\"_timeout\":\"30\",\"_require_peer_online\":true}");
}

static void
test_call_extra_keys (Fixture       *fx,
                      gconstpointer  data)
{
  struct {
    const char *extra;
    gboolean    found;
    gint64      value;
  } cases[] = {
    { "{\"_timeout\":30}", TRUE, 30 },
    { "{\"_timeout\":\"30\"}", TRUE, 30 },
    { "{\"_timeout\":30.0}", TRUE, 30 },
    { "{\"_timeout\":true}", TRUE, 1 },
    { "{\"_timeout\":-4}", TRUE, -4 },
    { "{\"a\":{\"_timeout\":5},\"_timeout\":7}", TRUE, 7 },
    { "{\"_timeout\":30.5}", FALSE, 0 },
    { "{\"_timeout\":\"soon\"}", FALSE, 0 },
    { "{\"_timeout\":null}", FALSE, 0 },
    { "{\"_timeout\":[30]}", FALSE, 0 },
    { "{\"a\":{\"_timeout\":5}}", FALSE, 0 },
    { "{}", FALSE, 0 },
    { "[30]", FALSE, 0 },
    { "not json", FALSE, 0 },
    { "", FALSE, 0 },
    { NULL, FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gint64 value = -12345;

    g_assert_cmpint (ag_extra_get_int (cases[i].extra, "_timeout", &value), ==, cases[i].found);
    g_assert_cmpint (value, ==, cases[i].found ? cases[i].value : -12345);
  }
}

static void
test_call_timeout_offline_callee (Fixture       *fx,
                                  gconstpointer  data)
{
  hub_login (fx, 1, "alice");

  request_ok (fx, 1, "call_invite",
              "'channel':'room','peer':'bob','extra':'{\\'_timeout\\':\\'3\\'}'");

  advance (fx, SECONDS (3));
  expect_call_failed (fx, 1, "room", "bob", AG_ERROR_INVITE_E_TIMEOUT);
  advance (fx, SECONDS (30));
  expect_nothing (fx, 1);

  hub_login (fx, 2, "bob");
  expect_nothing (fx, 2);
}

static void
test_call_caller_offline (Fixture       *fx,
                          gconstpointer  data)
{
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");

  ring (fx, "room1", "{}");
  request_ok (fx, 1, "call_invite", "'channel':'room2','peer':'carol'");
  drain_all (fx);
  request_ok (fx, 3, "call_accept", "'channel':'room2','peer':'alice'");
  drain (fx, 1);
  request_ok (fx, 1, "call_invite", "'channel':'room3','peer':'dave'");
  drain_all (fx);

  logout (fx, 1);
  expect_call_event (fx, 2, AG_OP_EV_CALL_ENDED, "room1", "alice", "{}");
  expect_call_event (fx, 3, AG_OP_EV_CALL_ENDED, "room2", "alice", "{}");
  expect_nothing (fx, 2);
  expect_nothing (fx, 3);
  /* No call timer is left: the one deadline is when alice's logged-out account is forgotten. */
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==,
                   fx->now_us + SECONDS (AG_LIMIT_ACCOUNT_LINGER_S));

  /* dave never heard of the call and now never will. */
  hub_login (fx, 4, "dave");
  expect_nothing (fx, 4);
}

static void
test_call_callee_offline (Fixture       *fx,
                          gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_login (fx, 3, "carol");

  ring (fx, "room1", "{}");
  request_ok (fx, 3, "call_invite", "'channel':'room2','peer':'bob'");
  drain_all (fx);
  request_ok (fx, 2, "call_accept", "'channel':'room2','peer':'carol'");
  drain_all (fx);

  ag_hub_connection_closed (fx->hub, 2, fx->now_us);
  expect_call_failed (fx, 1, "room1", "bob", AG_ERROR_INVITE_E_PEEROFFLINE);
  expect_call_event (fx, 3, AG_OP_EV_CALL_ENDED, "room2", "bob", "{}");
  expect_nothing (fx, 1);
  expect_nothing (fx, 3);

  id = request (fx, 1, "call_end", "'channel':'room1','peer':'bob'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_NO_SUCH_CALL);
}

static void
test_call_withdrawn_while_waiting (Fixture       *fx,
                                   gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob'");

  /* A call to an offline callee carries no messages: nobody could read them. */
  id = request (fx, 1, "call_msg", "'channel':'room','peer':'bob','type':'text','msg':'x'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_PEER_OFFLINE);

  request_ok (fx, 1, "call_end", "'channel':'room','peer':'bob'");
  expect_nothing (fx, 1);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  hub_login (fx, 2, "bob");
  expect_nothing (fx, 2);
  advance (fx, SECONDS (30));
  expect_nothing (fx, 1);
}

static void
test_call_self (Fixture       *fx,
                gconstpointer  data)
{
  hub_login (fx, 1, "alice");

  request_ok (fx, 1, "call_invite", "'channel':'mirror','peer':'alice'");
  expect_call_incoming (fx, 1, "mirror", "alice", 1, "{}");
  expect_call_event (fx, 1, AG_OP_EV_CALL_RECEIVED, "mirror", "alice", NULL);
  request_ok (fx, 1, "call_accept", "'channel':'mirror','peer':'alice'");
  expect_call_event (fx, 1, AG_OP_EV_CALL_ACCEPTED, "mirror", "alice", "{}");

  ag_hub_connection_closed (fx->hub, 1, fx->now_us);
  g_assert_cmpuint (ag_hub_get_stats (fx->hub)->sessions, ==, 0);
  hub_login (fx, 2, "alice");
  expect_nothing (fx, 2);
}

/* Apps and timers */

static void
test_app_isolation (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(AgFrame) demo_lobby = NULL;
  g_autoptr(AgFrame) other_lobby = NULL;
  g_autoptr(AgFrame) attr = NULL;
  AgFrameMember *member;
  gint64 id;

  hub_login (fx, 9, "w");
  hub_join (fx, 9, AG_SPECIAL_CHANNEL_USER_ONLINE);

  g_assert_cmpuint (login_to (fx, 1, DEMO_APP, "alice"), ==, 2);
  drain (fx, 9);
  g_assert_cmpuint (login_to (fx, 2, OTHER_APP, "alice"), ==, 1);
  g_assert_cmpuint (login_to (fx, 3, OTHER_APP, "bob"), ==, 2);
  /* No kick across apps, and demo's special channel hears nothing of other. */
  expect_nothing (fx, 1);
  expect_nothing (fx, 9);

  id = request (fx, 1, "msg_send", "'peer':'bob','msg':'hi'");
  expect_error (fx, 1, id, AG_ERROR_PROTO_E_PEER_OFFLINE);
  request_ok (fx, 2, "msg_send", "'peer':'bob','msg':'hi'");
  expect_msg (fx, 3, "alice", 1, "hi", now_ms (fx));

  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  other_lobby = join_channel (fx, 3, "lobby");
  g_assert_cmpint (other_lobby->num, ==, 2);
  member = g_ptr_array_index (other_lobby->members, 0);
  g_assert_cmpstr (member->account, ==, "alice");
  g_assert_cmpuint (member->uid, ==, 1);
  expect_user_joined (fx, 2, "lobby", "bob", 2);
  expect_nothing (fx, 1);

  id = request (fx, 1, "channel_query_num", "'channel':'lobby'");
  demo_lobby = expect_ok (fx, 1, id);
  g_assert_cmpint (demo_lobby->num, ==, 1);

  request_ok (fx, 1, "user_set_attr", "'name':'color','value':'blue'");
  id = request (fx, 3, "user_get_attr", "'account':'alice','name':'color'");
  attr = expect_ok (fx, 3, id);
  g_assert_null (attr->value);

  /* Calls too: bob of demo is not bob of other. */
  request_ok (fx, 2, "call_invite", "'channel':'room','peer':'bob'");
  expect_call_incoming (fx, 3, "room", "alice", 1, "{}");
  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  expect_nothing (fx, 3);
}

static void
test_add_app_replaces_settings (Fixture       *fx,
                                gconstpointer  data)
{
  gint64 id;

  hub_login (fx, 1, "alice");
  g_assert_true (ag_hub_has_app (fx->hub, DEMO_APP));
  g_assert_false (ag_hub_has_app (fx->hub, "nope"));

  add_app (fx, DEMO_APP, SECURE_CERT, FALSE, 0, 0);

  /* The session stays; new _no_need_token logins are refused. */
  request_ok (fx, 1, "ping", "%s", "");
  ag_hub_connection_opened (fx->hub, 2, fx->now_us);
  id = request (fx, 2, "login", "'app_id':'demo','account':'bob','token':'_no_need_token'");
  expect_error (fx, 2, id, AG_ERROR_LOGIN_E_TOKENWRONG);
}

static void
test_next_deadline (Fixture       *fx,
                    gconstpointer  data)
{
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);
  hub_login (fx, 1, "alice");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, G_MAXINT64);

  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'bob'");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (20));

  request_ok (fx, 1, "msg_send", "'peer':'carol','msg':'hi','ttl':5");
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (5));

  /* Ticking early runs nothing. */
  ag_hub_tick (fx->hub, T0 + SECONDS (4));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (5));

  advance (fx, SECONDS (5));
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, T0 + SECONDS (20));

  /* A late tick runs everything that is due at once. */
  hub_join (fx, 1, "lobby");
  set_channel_attr (fx, 1, "_auto_update_num", "1");
  drain_all (fx);
  advance (fx, SECONDS (3600));
  expect_call_failed (fx, 1, "room", "bob", AG_ERROR_INVITE_E_PEEROFFLINE);
  expect_nothing (fx, 1);
  g_assert_cmpint (ag_hub_next_deadline (fx->hub), ==, fx->now_us + SECONDS (1));
}

static void
test_dispose_with_state (Fixture       *fx,
                         gconstpointer  data)
{
  /* Everything here is still alive when the teardown drops the hub. */
  hub_login (fx, 1, "alice");
  hub_login (fx, 2, "bob");
  hub_join (fx, 1, "lobby");
  hub_join (fx, 2, "lobby");
  set_channel_attr (fx, 1, "_auto_update_num", "3");
  set_channel_attr (fx, 1, "_auto_update_total_num", "3");
  hub_join (fx, 2, AG_SPECIAL_CHANNEL_USER_ONLINE);
  hub_login (fx, 3, "carol");
  hub_join (fx, 3, "empty");
  hub_join (fx, 3, "lobby");
  ring_and_accept (fx, "room");
  request_ok (fx, 1, "call_invite",
              "'channel':'room2','peer':'bob','extra':'{\\'_timeout\\':9}'");
  drain (fx, 1);
  request_ok (fx, 1, "call_invite", "'channel':'room','peer':'zed'");
  request_ok (fx, 1, "msg_send", "'peer':'zed','msg':'hi','ttl':60");
  ag_hub_connection_opened (fx->hub, 4, fx->now_us);

  g_assert_cmpint (ag_hub_next_deadline (fx->hub), <, G_MAXINT64);
}

/* A connection the transport gave a pointer for is sent to with that pointer (send_to), the
 * others by id (send). */
typedef struct {
  GPtrArray *to_pointers;   /* the conn_data of each send_to */
  GArray    *to_ids;        /* of guint64: the id of each send */
} SinkCalls;

static void
calls_send_cb (gpointer  user_data,
               guint64   conn_id,
               GBytes   *frame)
{
  g_array_append_val (((SinkCalls *) user_data)->to_ids, conn_id);
}

static void
calls_send_to_cb (gpointer  user_data,
                  gpointer  conn_data,
                  GBytes   *frame)
{
  g_ptr_array_add (((SinkCalls *) user_data)->to_pointers, conn_data);
}

static void
calls_close_cb (gpointer user_data,
                guint64  conn_id,
                int      code)
{
  g_assert_not_reached ();
}

static void
test_sink_send_to (void)
{
  static const AgHubSink sink = {
    calls_send_cb, calls_close_cb, NULL, NULL, calls_send_to_cb,
  };
  static int transport_conn;
  static const char ping[] = "{\"op\":\"ping\",\"id\":1}";
  SinkCalls calls = { g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (guint64)) };
  g_autoptr(AgEngine) engine = ag_engine_memory_new ();
  g_autoptr(AgHub) hub = ag_hub_new (engine, &sink, &calls);

  ag_hub_connection_opened (hub, 1, T0);
  ag_hub_connection_opened (hub, 2, T0);
  ag_hub_connection_set_sink_data (hub, 1, &transport_conn);

  ag_hub_connection_frame (hub, 1, ping, strlen (ping), T0);
  ag_hub_connection_frame (hub, 2, ping, strlen (ping), T0);

  g_assert_cmpuint (calls.to_pointers->len, ==, 1);
  g_assert_true (g_ptr_array_index (calls.to_pointers, 0) == &transport_conn);
  g_assert_cmpuint (calls.to_ids->len, ==, 1);
  g_assert_cmpuint (g_array_index (calls.to_ids, guint64, 0), ==, 2);

  ag_hub_connection_closed (hub, 1, T0);
  ag_hub_connection_closed (hub, 2, T0);
  g_assert_finalize_object (g_steal_pointer (&hub));
  g_ptr_array_unref (calls.to_pointers);
  g_array_unref (calls.to_ids);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/hub/sink/send-to", test_sink_send_to);

#define ADD(path, func) \
  g_test_add ("/ag/hub/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("login/assigns-uids", test_login_assigns_uids);
  ADD ("login/accounts-forgotten", test_login_accounts_forgotten);
  ADD ("login/linger-renewed", test_login_linger_renewed);
  ADD ("login/uid-kept-for-offline-messages", test_login_uid_kept_for_offline_messages);
  ADD ("login/errors", test_login_errors);
  ADD ("login/tokens", test_login_tokens);
  ADD ("login/token-expiry", test_token_expiry);
  ADD ("login/deadline", test_login_deadline);
  ADD ("login/kicks-older-session", test_login_kicks_older_session);
  ADD ("session/logout", test_logout);
  ADD ("session/connection-lost", test_connection_lost);
  ADD ("session/ping", test_ping);
  ADD ("session/malformed-frames", test_malformed_frames);
  ADD ("session/stats", test_stats);

  ADD ("msg/online", test_msg_online);
  ADD ("msg/to-self", test_msg_to_self);
  ADD ("msg/offline-without-ttl", test_msg_offline_without_ttl);
  ADD ("msg/offline-delivered-in-order", test_msg_offline_delivered_in_order);
  ADD ("msg/offline-expiry", test_msg_offline_expiry);
  ADD ("msg/offline-dropped-before-expiry-timer", test_msg_offline_dropped_before_expiry_timer);
  ADD ("msg/offline-backlog-paced", test_msg_offline_backlog_paced);
  ADD ("msg/offline-queue-full", test_msg_offline_queue_full);
  ADD ("msg/offline-storage-full", test_msg_offline_storage_full);

  ADD ("rate/user", test_rate_user);
  ADD ("rate/user-shared", test_rate_user_shared);
  ADD ("rate/user-app-config", test_rate_user_app_config);
  ADD ("rate/channel", test_rate_channel);
  ADD ("rate/channel-refusal-costs-no-user-token", test_rate_channel_refusal_costs_no_user_token);
  ADD ("rate/channel-app-config", test_rate_channel_app_config);
  ADD ("rate/attr", test_rate_attr);
  ADD ("rate/requests", test_rate_requests);

  ADD ("user/attrs", test_user_attrs);
  ADD ("user/attr-limits", test_user_attr_limits);
  ADD ("user/attr-limits-app-config", test_user_attr_limits_app_config);
  ADD ("user/queries", test_queries);
  ADD ("memory/budget", test_memory_budget);

  ADD ("channel/join-roster", test_join_roster);
  ADD ("channel/join-same-channel", test_join_same_channel);
  ADD ("channel/join-switches-channel", test_join_switches_channel);
  ADD ("channel/leave", test_leave);
  ADD ("channel/roster-latest-200", test_roster_latest_200);
  ADD ("channel/full", test_channel_full);
  ADD ("channel/user-notification-off", test_user_notification_off);
  ADD ("channel/send", test_channel_send);
  ADD ("channel/attrs", test_channel_attrs);
  ADD ("channel/attr-builtin-values", test_channel_attr_builtin_values);
  ADD ("channel/attr-limits", test_channel_attr_limits);
  ADD ("channel/max-channels", test_channel_max_channels);
  ADD ("channel/creator-limit", test_channel_creator_limit);
  ADD ("channel/ttl", test_channel_ttl);
  ADD ("channel/ttl-default", test_channel_ttl_default);
  ADD ("channel/auto-update-num", test_auto_update_num);
  ADD ("channel/auto-update-total-num", test_auto_update_total_num);

  ADD ("special/user-online", test_special_user_online);
  ADD ("special/channel-event", test_special_channel_event);
  ADD ("special/json-escaping", test_special_json_escaping);
  ADD ("special/read-only", test_special_read_only);

  ADD ("call/accept-flow", test_call_accept_flow);
  ADD ("call/refuse", test_call_refuse);
  ADD ("call/invite-limit", test_call_invite_limit);
  ADD ("call/end-by-callee", test_call_end_by_callee);
  ADD ("call/end-by-caller-while-ringing", test_call_end_by_caller_while_ringing);
  ADD ("call/reinvite", test_call_reinvite);
  ADD ("call/wrong-party", test_call_wrong_party);
  ADD ("call/offline-callee-fails-after-20s", test_call_offline_callee_fails_after_20s);
  ADD ("call/offline-callee-logs-in", test_call_offline_callee_logs_in);
  ADD ("call/require-peer-online", test_call_require_peer_online);
  ADD ("call/timeout", test_call_timeout);
  ADD ("call/timeout-offline-callee", test_call_timeout_offline_callee);
  ADD ("call/extra-keys", test_call_extra_keys);
  ADD ("call/extra-refused", test_call_extra_refused);
  ADD ("call/caller-offline", test_call_caller_offline);
  ADD ("call/callee-offline", test_call_callee_offline);
  ADD ("call/withdrawn-while-waiting", test_call_withdrawn_while_waiting);
  ADD ("call/self", test_call_self);

  ADD ("app/isolation", test_app_isolation);
  ADD ("app/replace-settings", test_add_app_replaces_settings);
  ADD ("timers/next-deadline", test_next_deadline);
  ADD ("dispose-with-state", test_dispose_with_state);

#undef ADD

  return g_test_run ();
}
