/* ag-hub-admin.c: the admin API of docs/admin-api.md: operator logins, the snapshot and the
 * live stream of an app, listings and actions.
 *
 * An app gets its AgHubAdminApp at the first operator login; from then on every change of
 * its state is written once as an admin_event with the next sequence number, kept in a log
 * of the last AG_HUB_ADMIN_LOG_EVENTS for resuming, and queued to every subscriber.
 *
 * A snapshot is not copied: it walks the app's sorted tables (online users, channels) a chunk
 * per loop turn, paced by the subscriber's outbound queue, while the events after its
 * sequence number are already flowing. A record sent late may already hold a change whose
 * event is also queued; every event is an idempotent upsert or removal, so applying the
 * events after the snapshot in order converges to the server's state (docs/admin-api.md).
 */

#include "ag-hub-private.h"

#include <string.h>

#define AG_HUB_ADMIN_LOG_EVENTS    10000
#define SNAPSHOT_CHUNK             100   /* users and channels per frame: about 0.1 ms of one turn */
#define SNAPSHOT_QUEUE_HIGH        (256 * 1024)   /* bytes queued before a chunk waits */
#define SNAPSHOT_RETRY_US          (5 * 1000)
#define FAILURES_BEFORE_THROTTLE   5
#define FAILURE_WINDOW_US          (60 * G_USEC_PER_SEC)
#define THROTTLE_FIRST_US          (250 * 1000)
#define THROTTLE_MAX_US            (8 * G_USEC_PER_SEC)

typedef struct {
  guint64  seq;
  GBytes  *bytes;
} LoggedEvent;

struct _AgHubAdminApp {
  AgHubApp   *app;
  guint64     seq;
  GQueue      log;          /* of LoggedEvent*, oldest first */
  GQueue      subscribers;  /* of AgHubConn* */
  guint       n_conns;
  AgHubTimer  counts_timer;
};

struct _AgHubAdminConn {
  AgHubApp    *app;
  gboolean     server_scope;
  GList       *subscriber_link;

  /* A snapshot in flight: where its walk of each table is (the last name sent). */
  gboolean     users_done;
  gboolean     channels_done;
  char        *user_cursor;
  char        *channel_cursor;
  guint64      snapshot_seq;
  AgHubTimer   snapshot_timer;
};

typedef struct {
  guint   failures;
  gint64  window_start_us;
  gint64  blocked_until_us;
  gint64  delay_us;
} AgHubAdminFailures;

/* Records */

static gsize
conn_queued (AgHub     *hub,
             AgHubConn *conn)
{
  if (hub->sink.queued == NULL)
    return 0;

  return hub->sink.queued (hub->sink_data, conn->id);
}

static void
write_user (AgJsonWriter *writer,
            const char   *account,
            guint32       uid,
            gint64        since_ms,
            const char   *address,
            const char   *channel,
            gsize         queue)
{
  ag_json_writer_begin_object (writer);
  ag_admin_writer_add_string (writer, "account", account);
  ag_admin_writer_add_int (writer, "uid", uid);
  ag_admin_writer_add_int (writer, "since", since_ms);
  ag_admin_writer_add_string (writer, "address", address);
  ag_admin_writer_add_string (writer, "channel", channel);
  ag_admin_writer_add_int (writer, "queue", (gint64) queue);
  ag_json_writer_end_object (writer);
}

static void
write_live_user (AgHub        *hub,
                 AgJsonWriter *writer,
                 AgHubConn    *conn,
                 gboolean      with_queue)
{
  write_user (writer, conn->user->account, conn->user->uid, ag_ts_from_us (conn->login_us),
              conn->address, conn->channel != NULL ? conn->channel->name : NULL,
              with_queue ? conn_queued (hub, conn) : 0);
}

static void
write_channel (AgJsonWriter *writer,
               const char   *name,
               const char   *kind,
               guint         members,
               guint64       total_joins,
               GHashTable   *attrs)
{
  ag_json_writer_begin_object (writer);
  ag_admin_writer_add_string (writer, "name", name);
  ag_admin_writer_add_string (writer, "kind", kind);
  ag_admin_writer_add_int (writer, "members", members);
  ag_admin_writer_add_int (writer, "total_joins", (gint64) total_joins);
  ag_admin_writer_add_attrs (writer, "attrs", attrs);
  ag_json_writer_end_object (writer);
}

static void
write_live_channel (AgJsonWriter *writer,
                    AgHubChannel *channel)
{
  write_channel (writer, channel->name, _ag_hub_channel_kind_name (channel->kind),
                 channel->members.length, channel->total_joins, channel->attrs);
}

/* Replies */

static void
send_bytes (AgHub     *hub,
            AgHubConn *conn,
            GBytes    *bytes)
{
  _ag_hub_send (hub, conn, bytes);
}

static void
send_writer (AgHub        *hub,
             AgHubConn    *conn,
             AgJsonWriter *writer)
{
  g_autoptr(GBytes) bytes = ag_admin_writer_end (writer);

  send_bytes (hub, conn, bytes);
}

static const char *
conn_address (AgHubConn *conn)
{
  return conn->address != NULL ? conn->address : "-";
}

/* Every change an operator makes is logged with who and from where; never the key. */
static void
log_action (AgHubConn  *conn,
            const char *op,
            const char *target_name,
            const char *target)
{
  AgHubAdminConn *admin = conn->admin;

  g_message ("admin %s (%s key) from %s: %s %s=%s", admin->app->config.app_id,
             admin->server_scope ? "server" : "app", conn_address (conn), op, target_name,
             target);
}

/* The log and the stream */

static void
logged_event_free (LoggedEvent *event)
{
  g_bytes_unref (event->bytes);
  g_free (event);
}

void
_ag_hub_admin_app_free (AgHubAdminApp *admin)
{
  AgHub *hub = admin->app->hub;

  _ag_hub_timer_cancel (hub, &admin->counts_timer);
  g_queue_clear_full (&admin->log, (GDestroyNotify) logged_event_free);
  /* Subscribers are connections; the hub frees them itself. */
  g_queue_clear (&admin->subscribers);
  g_free (admin);
}

static AgJsonWriter *
event_begin (AgHubAdminApp *admin,
             const char    *type,
             guint64        seq)
{
  AgJsonWriter *writer = ag_admin_writer_begin ("admin_event", 0);

  if (seq > 0)
    ag_admin_writer_add_int (writer, "seq", (gint64) seq);
  ag_admin_writer_add_int (writer, "ts", ag_ts_from_us (admin->app->hub->now_us));
  ag_admin_writer_add_string (writer, "type", type);

  return writer;
}

/* NULL when nobody watches the app: nothing is built then. */
static AgJsonWriter *
state_event_begin (AgHubApp   *app,
                   const char *type)
{
  if (app->admin == NULL)
    return NULL;

  return event_begin (app->admin, type, app->admin->seq + 1);
}

static void
state_event_end (AgHubApp     *app,
                 AgJsonWriter *writer)
{
  AgHubAdminApp *admin = app->admin;
  LoggedEvent *event = g_new0 (LoggedEvent, 1);

  event->seq = ++admin->seq;
  event->bytes = ag_admin_writer_end (writer);

  g_queue_push_tail (&admin->log, event);
  if (admin->log.length > AG_HUB_ADMIN_LOG_EVENTS)
    logged_event_free (g_queue_pop_head (&admin->log));

  for (GList *l = admin->subscribers.head; l != NULL; l = l->next)
    send_bytes (app->hub, l->data, event->bytes);
}

void
_ag_hub_admin_online (AgHub     *hub,
                      AgHubConn *conn)
{
  AgJsonWriter *writer = state_event_begin (conn->user->app, "online");

  if (writer == NULL)
    return;

  ag_json_writer_set_member_name (writer, "user");
  write_live_user (hub, writer, conn, FALSE);
  state_event_end (conn->user->app, writer);
}

void
_ag_hub_admin_offline (AgHub     *hub,
                       AgHubUser *user,
                       int        code)
{
  AgJsonWriter *writer = state_event_begin (user->app, "offline");

  if (writer == NULL)
    return;

  ag_admin_writer_add_string (writer, "account", user->account);
  ag_admin_writer_add_int (writer, "uid", user->uid);
  ag_admin_writer_add_int (writer, "code", code);
  state_event_end (user->app, writer);
}

void
_ag_hub_admin_channel_added (AgHub        *hub,
                             AgHubChannel *channel)
{
  AgJsonWriter *writer = state_event_begin (channel->app, "channel");

  if (writer == NULL)
    return;

  ag_json_writer_set_member_name (writer, "channel");
  write_live_channel (writer, channel);
  state_event_end (channel->app, writer);
}

void
_ag_hub_admin_channel_gone (AgHub        *hub,
                            AgHubChannel *channel)
{
  AgJsonWriter *writer = state_event_begin (channel->app, "channel_gone");

  if (writer == NULL)
    return;

  ag_admin_writer_add_string (writer, "name", channel->name);
  state_event_end (channel->app, writer);
}

static void
membership_event (AgHubChannel *channel,
                  AgHubUser    *user,
                  const char   *type,
                  int           code)
{
  AgJsonWriter *writer = state_event_begin (channel->app, type);

  if (writer == NULL)
    return;

  ag_admin_writer_add_string (writer, "name", channel->name);
  ag_admin_writer_add_string (writer, "account", user->account);
  ag_admin_writer_add_int (writer, "uid", user->uid);
  ag_admin_writer_add_int (writer, "members", channel->members.length);
  ag_admin_writer_add_int (writer, "total_joins", (gint64) channel->total_joins);
  if (code != 0)
    ag_admin_writer_add_int (writer, "code", code);
  state_event_end (channel->app, writer);
}

void
_ag_hub_admin_joined (AgHub        *hub,
                      AgHubChannel *channel,
                      AgHubUser    *user)
{
  membership_event (channel, user, "join", 0);
}

void
_ag_hub_admin_left (AgHub        *hub,
                    AgHubChannel *channel,
                    AgHubUser    *user,
                    int           code)
{
  membership_event (channel, user, "leave", code);
}

void
_ag_hub_admin_attr (AgHub        *hub,
                    AgHubChannel *channel,
                    const char   *type,
                    const char   *name,
                    const char   *value)
{
  AgJsonWriter *writer = state_event_begin (channel->app, "attr");

  if (writer == NULL)
    return;

  ag_admin_writer_add_string (writer, "name", channel->name);
  ag_admin_writer_add_string (writer, "change", type);
  ag_admin_writer_add_string (writer, "attr", name);
  ag_admin_writer_add_string (writer, "value", value);
  state_event_end (channel->app, writer);
}

/* What the app carried in the last second, to every subscriber. Not part of the state, so
 * without a sequence number and not logged. */
static void
counts_timer_cb (AgHub    *hub,
                 gpointer  data)
{
  AgHubAdminApp *admin = data;
  AgHubCounts *second = &admin->app->second;

  if (second->channel_msgs + second->peer_msgs + second->call_msgs + second->presence > 0) {
    AgJsonWriter *writer = event_begin (admin, "counts", 0);
    g_autoptr(GBytes) bytes = NULL;

    ag_admin_writer_add_int (writer, "channel_msgs", (gint64) second->channel_msgs);
    ag_admin_writer_add_int (writer, "peer_msgs", (gint64) second->peer_msgs);
    ag_admin_writer_add_int (writer, "call_msgs", (gint64) second->call_msgs);
    ag_admin_writer_add_int (writer, "presence", (gint64) second->presence);
    bytes = ag_admin_writer_end (writer);

    for (GList *l = admin->subscribers.head; l != NULL; l = l->next)
      send_bytes (hub, l->data, bytes);
  }

  memset (second, 0, sizeof *second);

  if (admin->subscribers.length > 0)
    _ag_hub_timer_schedule (hub, &admin->counts_timer, hub->now_us + G_USEC_PER_SEC);
}

/* Logins */

static AgHubAdminApp *
admin_app_ensure (AgHubApp *app)
{
  if (app->admin == NULL) {
    app->admin = g_new0 (AgHubAdminApp, 1);
    app->admin->app = app;
    g_queue_init (&app->admin->log);
    g_queue_init (&app->admin->subscribers);
    _ag_hub_timer_init (&app->admin->counts_timer, counts_timer_cb, app->admin);
  }

  return app->admin;
}

/* Both sides are hashed first, so the comparison takes the same time whatever the keys'
 * lengths and contents. */
static gboolean
key_matches (const char *expected,
             const char *given)
{
  guint8 a[32], b[32];
  gsize la = sizeof a, lb = sizeof b;
  GChecksum *checksum;
  guint8 diff = 0;

  if (expected == NULL || given == NULL)
    return FALSE;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) expected, -1);
  g_checksum_get_digest (checksum, a, &la);
  g_checksum_free (checksum);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) given, -1);
  g_checksum_get_digest (checksum, b, &lb);
  g_checksum_free (checksum);

  for (gsize i = 0; i < sizeof a; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

void
_ag_hub_admin_failures_free (gpointer data)
{
  g_free (data);
}

static gboolean
login_throttled (AgHub      *hub,
                 const char *address)
{
  AgHubAdminFailures *failures = g_hash_table_lookup (hub->admin_failures, address);

  return failures != NULL && hub->now_us < failures->blocked_until_us;
}

static void
login_failed (AgHub      *hub,
              const char *address)
{
  AgHubAdminFailures *failures = g_hash_table_lookup (hub->admin_failures, address);

  hub->stats.admin_auth_failures++;

  /* Addresses whose window passed are forgotten, so the table stays small. */
  if (failures == NULL && g_hash_table_size (hub->admin_failures) >= 1024) {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, hub->admin_failures);
    while (g_hash_table_iter_next (&iter, NULL, &value)) {
      AgHubAdminFailures *old = value;

      if (hub->now_us - old->window_start_us > FAILURE_WINDOW_US &&
          hub->now_us >= old->blocked_until_us)
        g_hash_table_iter_remove (&iter);
    }
  }

  if (failures == NULL) {
    failures = g_new0 (AgHubAdminFailures, 1);
    g_hash_table_insert (hub->admin_failures, g_strdup (address), failures);
  }

  if (hub->now_us - failures->window_start_us > FAILURE_WINDOW_US) {
    failures->window_start_us = hub->now_us;
    failures->failures = 0;
    failures->delay_us = 0;
  }

  if (++failures->failures >= FAILURES_BEFORE_THROTTLE) {
    failures->delay_us = failures->delay_us == 0 ? THROTTLE_FIRST_US
                                                 : MIN (failures->delay_us * 2, THROTTLE_MAX_US);
    failures->blocked_until_us = hub->now_us + failures->delay_us;
  }
}

static void
handle_login (AgHub                *hub,
              AgHubConn            *conn,
              const AgAdminRequest *request)
{
  const char *address = conn_address (conn);
  AgJsonWriter *writer;
  AgHubApp *app;
  gboolean server_scope = FALSE;

  if (conn->user != NULL || conn->admin != NULL) {
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_WRONG_MODE,
                         conn->user != NULL ? "a client session cannot become an admin"
                                            : "already logged in as admin");
    return;
  }

  if (login_throttled (hub, address)) {
    hub->stats.admin_auth_failures++;
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_UNAUTHORIZED,
                         "too many failed admin logins from this address; retry later");
    return;
  }

  app = g_hash_table_lookup (hub->apps, request->app_id);
  if (app != NULL && key_matches (app->config.admin_key, request->key))
    server_scope = FALSE;
  else if (app != NULL && key_matches (hub->admin_key, request->key))
    server_scope = TRUE;
  else
    app = NULL;

  if (app == NULL) {
    login_failed (hub, address);
    g_message ("admin login refused for app %s from %s", request->app_id, address);
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_UNAUTHORIZED,
                         "unknown app or wrong admin key");
    return;
  }

  g_hash_table_remove (hub->admin_failures, address);

  _ag_hub_timer_cancel (hub, &conn->login_timer);
  conn->admin = g_new0 (AgHubAdminConn, 1);
  conn->admin->app = app;
  conn->admin->server_scope = server_scope;
  _ag_hub_timer_init (&conn->admin->snapshot_timer, NULL, conn);
  admin_app_ensure (app)->n_conns++;
  hub->stats.admin_connections++;

  g_message ("admin %s (%s key) from %s: logged in", app->config.app_id,
             server_scope ? "server" : "app", address);

  writer = ag_admin_writer_begin ("ok", request->id);
  ag_admin_writer_add_string (writer, "scope", server_scope ? "server" : "app");
  send_writer (hub, conn, writer);
}

/* Subscriptions */

static void
snapshot_clear (AgHub          *hub,
                AgHubAdminConn *admin)
{
  _ag_hub_timer_cancel (hub, &admin->snapshot_timer);
  g_clear_pointer (&admin->user_cursor, g_free);
  g_clear_pointer (&admin->channel_cursor, g_free);
}

static void
unsubscribe (AgHub     *hub,
             AgHubConn *conn)
{
  AgHubAdminConn *admin = conn->admin;
  AgHubAdminApp *app_admin = admin->app->admin;

  snapshot_clear (hub, admin);

  if (admin->subscriber_link != NULL) {
    g_queue_delete_link (&app_admin->subscribers, admin->subscriber_link);
    admin->subscriber_link = NULL;
  }

  if (app_admin->subscribers.length == 0)
    _ag_hub_timer_cancel (hub, &app_admin->counts_timer);
}

void
_ag_hub_admin_conn_free (AgHubAdminConn *admin)
{
  g_free (admin->user_cursor);
  g_free (admin->channel_cursor);
  g_free (admin);
}

void
_ag_hub_admin_conn_closed (AgHub     *hub,
                           AgHubConn *conn)
{
  AgHubAdminConn *admin = conn->admin;

  unsubscribe (hub, conn);
  admin->app->admin->n_conns--;
  hub->stats.admin_connections--;
  g_clear_pointer (&conn->admin, _ag_hub_admin_conn_free);
}

/* The first element after cursor (a name already sent), or the first of all. */
static GSequenceIter *
after_cursor (GSequence        *sequence,
              GCompareDataFunc  compare,
              gpointer          probe,
              const char       *cursor)
{
  if (cursor == NULL)
    return g_sequence_get_begin_iter (sequence);

  /* Equal elements sort before the probe's position, so this is strictly after. */
  return g_sequence_search (sequence, probe, compare, NULL);
}

static int
compare_user_accounts (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data);

static void
snapshot_chunk_cb (AgHub    *hub,
                   gpointer  data)
{
  AgHubConn *conn = data;
  AgHubAdminConn *admin = conn->admin;
  AgHubApp *app = admin->app;
  AgJsonWriter *writer;
  GSequenceIter *it;
  guint n;

  /* A slow operator gets the snapshot as fast as it reads, never more than the outbound
   * limit in its queue. */
  if (conn_queued (hub, conn) > SNAPSHOT_QUEUE_HIGH) {
    _ag_hub_timer_schedule (hub, &admin->snapshot_timer, hub->now_us + SNAPSHOT_RETRY_US);
    return;
  }

  if (!admin->users_done || !admin->channels_done) {
    writer = ag_admin_writer_begin ("admin_snapshot", 0);

    ag_json_writer_set_member_name (writer, "users");
    ag_json_writer_begin_array (writer);
    if (!admin->users_done) {
      AgHubUser probe = { .account = admin->user_cursor };

      it = after_cursor (app->online, compare_user_accounts, &probe, admin->user_cursor);
      for (n = 0; n < SNAPSHOT_CHUNK && !g_sequence_iter_is_end (it);
           n++, it = g_sequence_iter_next (it)) {
        AgHubUser *user = g_sequence_get (it);

        write_live_user (hub, writer, user->conn, TRUE);
        g_free (admin->user_cursor);
        admin->user_cursor = g_strdup (user->account);
      }
      admin->users_done = g_sequence_iter_is_end (it);
    }
    ag_json_writer_end_array (writer);

    ag_json_writer_set_member_name (writer, "channels");
    ag_json_writer_begin_array (writer);
    if (!admin->channels_done) {
      AgHubChannel probe = { .name = admin->channel_cursor };

      it = after_cursor (app->channel_order, _ag_hub_channel_compare, &probe,
                         admin->channel_cursor);
      for (n = 0; n < SNAPSHOT_CHUNK && !g_sequence_iter_is_end (it);
           n++, it = g_sequence_iter_next (it)) {
        AgHubChannel *channel = g_sequence_get (it);

        write_live_channel (writer, channel);
        g_free (admin->channel_cursor);
        admin->channel_cursor = g_strdup (channel->name);
      }
      admin->channels_done = g_sequence_iter_is_end (it);
    }
    ag_json_writer_end_array (writer);

    send_writer (hub, conn, writer);

    /* The rest in the next turn of the loop (a timer due after now runs in a later tick). */
    _ag_hub_timer_schedule (hub, &admin->snapshot_timer, hub->now_us + 1);
    return;
  }

  writer = ag_admin_writer_begin ("admin_snapshot_end", 0);
  ag_admin_writer_add_int (writer, "seq", (gint64) admin->snapshot_seq);
  send_writer (hub, conn, writer);

  snapshot_clear (hub, admin);
}

static void
start_snapshot (AgHub          *hub,
                AgHubAdminConn *admin)
{
  snapshot_clear (hub, admin);
  admin->users_done = FALSE;
  admin->channels_done = FALSE;
  admin->snapshot_seq = admin->app->admin->seq;
}

/* TRUE when the log still holds every event after since. */
static gboolean
can_resume (AgHub                *hub,
            AgHubAdminApp        *app_admin,
            const AgAdminRequest *request)
{
  LoggedEvent *oldest = g_queue_peek_head (&app_admin->log);

  if (!request->has_since || g_strcmp0 (request->epoch, hub->admin_epoch) != 0)
    return FALSE;

  if ((guint64) request->since > app_admin->seq)
    return FALSE;

  return (guint64) request->since == app_admin->seq ||
         (oldest != NULL && oldest->seq <= (guint64) request->since + 1);
}

static void
handle_subscribe (AgHub                *hub,
                  AgHubConn            *conn,
                  const AgAdminRequest *request)
{
  AgHubAdminConn *admin = conn->admin;
  AgHubAdminApp *app_admin = admin->app->admin;
  gboolean resumed = can_resume (hub, app_admin, request);
  AgJsonWriter *writer;

  if (admin->subscriber_link != NULL) {
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "already subscribed");
    return;
  }

  writer = ag_admin_writer_begin ("ok", request->id);
  ag_admin_writer_add_string (writer, "epoch", hub->admin_epoch);
  ag_admin_writer_add_int (writer, "seq", resumed ? request->since
                                                    : (gint64) app_admin->seq);
  ag_json_writer_set_member_name (writer, "resumed");
  ag_json_writer_add_boolean_value (writer, resumed);

  if (!resumed) {
    start_snapshot (hub, admin);
    ag_admin_writer_add_int (writer, "users", g_sequence_get_length (admin->app->online));
    ag_admin_writer_add_int (writer, "channels", g_hash_table_size (admin->app->channels));
  }

  send_writer (hub, conn, writer);

  if (resumed) {
    for (GList *l = app_admin->log.head; l != NULL; l = l->next) {
      LoggedEvent *event = l->data;

      if (event->seq > (guint64) request->since)
        send_bytes (hub, conn, event->bytes);
    }
  } else {
    admin->snapshot_timer.func = snapshot_chunk_cb;
    snapshot_chunk_cb (hub, conn);
  }

  g_queue_push_tail (&app_admin->subscribers, conn);
  admin->subscriber_link = app_admin->subscribers.tail;

  if (app_admin->counts_timer.iter == NULL) {
    memset (&admin->app->second, 0, sizeof admin->app->second);
    _ag_hub_timer_schedule (hub, &app_admin->counts_timer, hub->now_us + G_USEC_PER_SEC);
  }
}

static void
handle_unsubscribe (AgHub                *hub,
                    AgHubConn            *conn,
                    const AgAdminRequest *request)
{
  unsubscribe (hub, conn);
  _ag_hub_reply_ok (hub, conn, request->id);
}

/* Listings */

static int
compare_user_accounts (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  return strcmp (((const AgHubUser *) a)->account, ((const AgHubUser *) b)->account);
}

static GSequenceIter *
first_at_or_after (AgHubApp   *app,
                   const char *account)
{
  AgHubUser key = { .account = (char *) account };
  GSequenceIter *it = g_sequence_search (app->online, &key, compare_user_accounts, NULL);

  if (!g_sequence_iter_is_begin (it)) {
    GSequenceIter *prev = g_sequence_iter_prev (it);

    if (g_str_equal (((AgHubUser *) g_sequence_get (prev))->account, account))
      return prev;
  }

  return it;
}

static void
handle_users (AgHub                *hub,
              AgHubConn            *conn,
              const AgAdminRequest *request)
{
  AgHubApp *app = conn->admin->app;
  const char *search = request->search != NULL && *request->search != '\0' ? request->search
                                                                          : NULL;
  gboolean prefix = search != NULL && request->prefix;
  AgJsonWriter *writer = ag_admin_writer_begin ("ok", request->id);
  GSequenceIter *it;
  const char *last = NULL;
  gboolean more = FALSE;
  guint64 total = 0;
  gint64 listed = 0;

  it = prefix ? first_at_or_after (app, search) : g_sequence_get_begin_iter (app->online);
  if (search == NULL && request->after != NULL)
    it = g_sequence_search (app->online, &(AgHubUser) { .account = request->after },
                            compare_user_accounts, NULL);

  ag_json_writer_set_member_name (writer, "users");
  ag_json_writer_begin_array (writer);

  for (; !g_sequence_iter_is_end (it); it = g_sequence_iter_next (it)) {
    AgHubUser *user = g_sequence_get (it);

    if (prefix && !g_str_has_prefix (user->account, search))
      break;
    if (search != NULL && !prefix && strstr (user->account, search) == NULL)
      continue;

    total++;

    if (request->after != NULL && strcmp (user->account, request->after) <= 0)
      continue;

    if (listed < request->limit) {
      write_live_user (hub, writer, user->conn, TRUE);
      last = user->account;
      listed++;
    } else {
      more = TRUE;
      /* Without a search the total is known; nothing more to scan. */
      if (search == NULL)
        break;
    }
  }

  ag_json_writer_end_array (writer);

  if (search == NULL)
    total = g_sequence_get_length (app->online);

  ag_admin_writer_add_int (writer, "total", (gint64) total);
  ag_admin_writer_add_string (writer, "next", more ? last : NULL);
  send_writer (hub, conn, writer);
}

static int
compare_channels_by_name (gconstpointer a,
                          gconstpointer b)
{
  const AgHubChannel *ca = *(AgHubChannel * const *) a;
  const AgHubChannel *cb = *(AgHubChannel * const *) b;

  return strcmp (ca->name, cb->name);
}

static int
compare_channels_by_members (gconstpointer a,
                             gconstpointer b)
{
  const AgHubChannel *ca = *(AgHubChannel * const *) a;
  const AgHubChannel *cb = *(AgHubChannel * const *) b;

  if (ca->members.length != cb->members.length)
    return ca->members.length > cb->members.length ? -1 : 1;

  return strcmp (ca->name, cb->name);
}

static void
handle_channels (AgHub                *hub,
                 AgHubConn            *conn,
                 const AgAdminRequest *request)
{
  AgHubApp *app = conn->admin->app;
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  AgJsonWriter *writer = ag_admin_writer_begin ("ok", request->id);
  GHashTableIter iter;
  gpointer value;
  guint end;

  g_hash_table_iter_init (&iter, app->channels);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    AgHubChannel *channel = value;

    if (request->search == NULL || strstr (channel->name, request->search) != NULL)
      g_ptr_array_add (matches, channel);
  }

  g_ptr_array_sort (matches, request->by_members ? compare_channels_by_members
                                                 : compare_channels_by_name);

  end = (guint) MIN ((gint64) matches->len, request->offset + request->limit);

  ag_json_writer_set_member_name (writer, "channels");
  ag_json_writer_begin_array (writer);
  for (gint64 i = request->offset; i < end; i++)
    write_live_channel (writer, g_ptr_array_index (matches, i));
  ag_json_writer_end_array (writer);

  ag_admin_writer_add_int (writer, "total", matches->len);
  ag_json_writer_set_member_name (writer, "next_offset");
  if (end < matches->len)
    ag_json_writer_add_int_value (writer, end);
  else
    ag_json_writer_add_null_value (writer);

  send_writer (hub, conn, writer);
}

static AgHubChannel *
lookup_channel_or_reply (AgHub                *hub,
                         AgHubConn            *conn,
                         const AgAdminRequest *request)
{
  AgHubChannel *channel = g_hash_table_lookup (conn->admin->app->channels, request->channel);

  if (channel == NULL)
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_NO_SUCH_CHANNEL, NULL);

  return channel;
}

static void
handle_channel (AgHub                *hub,
                AgHubConn            *conn,
                const AgAdminRequest *request)
{
  AgHubChannel *channel = lookup_channel_or_reply (hub, conn, request);
  AgJsonWriter *writer;
  GList *l;
  gint64 listed = 0;
  gint64 end;

  if (channel == NULL)
    return;

  writer = ag_admin_writer_begin ("ok", request->id);
  ag_json_writer_set_member_name (writer, "channel");
  write_live_channel (writer, channel);
  ag_admin_writer_add_int (writer, "total", channel->members.length);

  ag_json_writer_set_member_name (writer, "members");
  ag_json_writer_begin_array (writer);
  l = request->offset < channel->members.length ?
        g_queue_peek_nth_link (&channel->members, (guint) request->offset) : NULL;
  for (; l != NULL && listed < request->limit; l = l->next, listed++) {
    AgHubConn *member = l->data;

    ag_json_writer_begin_object (writer);
    ag_admin_writer_add_string (writer, "account", member->user->account);
    ag_admin_writer_add_int (writer, "uid", member->user->uid);
    ag_json_writer_end_object (writer);
  }
  ag_json_writer_end_array (writer);

  end = request->offset + listed;
  ag_json_writer_set_member_name (writer, "next_offset");
  if (end < channel->members.length)
    ag_json_writer_add_int_value (writer, end);
  else
    ag_json_writer_add_null_value (writer);

  send_writer (hub, conn, writer);
}

static const char *
call_state_name (AgHubCallState state)
{
  switch (state) {
  case AG_HUB_CALL_WAITING:
    return "waiting";
  case AG_HUB_CALL_RINGING:
    return "ringing";
  case AG_HUB_CALL_ACTIVE:
  default:
    return "active";
  }
}

static void
handle_user (AgHub                *hub,
             AgHubConn            *conn,
             const AgAdminRequest *request)
{
  AgHubApp *app = conn->admin->app;
  AgHubUser *user = g_hash_table_lookup (app->users, request->account);
  guint32 uid = 0;
  g_autoptr(GError) attrs_error = NULL;
  g_autoptr(GError) offline_error = NULL;
  g_autoptr(GHashTable) attrs = ag_engine_user_attr_get_all (hub->engine, app->config.app_id,
                                                             request->account, &attrs_error);
  gboolean peek_supported = FALSE;
  g_autoptr(GPtrArray) offline = ag_engine_offline_peek (hub->engine, app->config.app_id,
                                                         request->account, hub->now_us,
                                                         &peek_supported, &offline_error);
  AgJsonWriter *writer;
  GHashTableIter iter;
  gpointer value;

  if (attrs_error != NULL || offline_error != NULL) {
    g_message ("admin_user %s failed: %s", request->account,
               (attrs_error != NULL ? attrs_error : offline_error)->message);
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_GENERAL_E_FAILED,
                         "the server could not read this");
    return;
  }

  if (user == NULL && (attrs == NULL || g_hash_table_size (attrs) == 0) && offline == NULL) {
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_NO_SUCH_USER, NULL);
    return;
  }

  /* An account the hub forgot may still be known to the engine. */
  if (user == NULL && !ag_engine_uid_lookup (hub->engine, app->config.app_id, request->account,
                                             &uid, NULL))
    uid = 0;

  writer = ag_admin_writer_begin ("ok", request->id);
  ag_json_writer_set_member_name (writer, "user");
  ag_json_writer_begin_object (writer);
  ag_admin_writer_add_string (writer, "account", request->account);
  ag_admin_writer_add_int (writer, "uid", user != NULL ? user->uid : uid);
  ag_json_writer_set_member_name (writer, "online");
  ag_json_writer_add_boolean_value (writer, user != NULL && user->conn != NULL);

  if (user != NULL && user->conn != NULL) {
    ag_admin_writer_add_int (writer, "since", ag_ts_from_us (user->conn->login_us));
    ag_admin_writer_add_string (writer, "address", user->conn->address);
    ag_admin_writer_add_string (writer, "channel", user->conn->channel != NULL ?
                                                       user->conn->channel->name : NULL);
    ag_admin_writer_add_int (writer, "queue", (gint64) conn_queued (hub, user->conn));
  }

  ag_admin_writer_add_attrs (writer, "attrs", attrs);

  ag_json_writer_set_member_name (writer, "offline");
  if (!peek_supported) {
    ag_json_writer_add_null_value (writer);
  } else {
    ag_json_writer_begin_array (writer);
    for (guint i = 0; offline != NULL && i < offline->len; i++) {
      AgOfflineMessage *message = g_ptr_array_index (offline, i);

      ag_json_writer_begin_object (writer);
      ag_admin_writer_add_string (writer, "from", message->from_account);
      ag_admin_writer_add_int (writer, "uid", message->from_uid);
      ag_admin_writer_add_int (writer, "sent", ag_ts_from_us (message->sent_us));
      ag_admin_writer_add_int (writer, "expires", ag_ts_from_us (message->expires_us));
      ag_admin_writer_add_int (writer, "size", (gint64) strlen (message->msg));
      ag_json_writer_end_object (writer);
    }
    ag_json_writer_end_array (writer);
  }

  ag_json_writer_set_member_name (writer, "calls");
  ag_json_writer_begin_array (writer);
  if (user != NULL) {
    g_hash_table_iter_init (&iter, user->calls);
    while (g_hash_table_iter_next (&iter, &value, NULL)) {
      AgHubCall *call = value;
      gboolean caller = call->caller == user;

      ag_json_writer_begin_object (writer);
      ag_admin_writer_add_string (writer, "peer", caller ? call->callee->account
                                                           : call->caller->account);
      ag_admin_writer_add_string (writer, "channel", call->channel);
      ag_admin_writer_add_string (writer, "role", caller ? "caller" : "callee");
      ag_admin_writer_add_string (writer, "state", call_state_name (call->state));
      ag_json_writer_end_object (writer);
    }
  }
  ag_json_writer_end_array (writer);

  ag_json_writer_end_object (writer);
  send_writer (hub, conn, writer);
}

/* Actions */

static void
handle_kick (AgHub                *hub,
             AgHubConn            *conn,
             const AgAdminRequest *request)
{
  AgHubUser *user = g_hash_table_lookup (conn->admin->app->users, request->account);

  if (user == NULL || user->conn == NULL) {
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_NO_SUCH_USER,
                         "the account is not online");
    return;
  }

  log_action (conn, "admin_kick", "account", request->account);
  _ag_hub_reply_ok (hub, conn, request->id);
  _ag_hub_session_kick (hub, user->conn, AG_ERROR_LOGOUT_E_ADMIN_KICKED);
}

static void
handle_remove (AgHub                *hub,
               AgHubConn            *conn,
               const AgAdminRequest *request)
{
  AgHubChannel *channel = lookup_channel_or_reply (hub, conn, request);
  AgHubUser *user;
  g_autoptr(AgFrame) event = NULL;
  AgHubConn *member;

  if (channel == NULL)
    return;

  user = g_hash_table_lookup (conn->admin->app->users, request->account);
  if (user == NULL || user->conn == NULL || user->conn->channel != channel) {
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_NO_SUCH_USER,
                         "the account is not a member of the channel");
    return;
  }

  log_action (conn, "admin_remove", "account", request->account);
  _ag_hub_reply_ok (hub, conn, request->id);

  member = user->conn;
  event = ag_frame_new (AG_OP_EV_CHANNEL_LEFT);
  event->channel = g_strdup (channel->name);
  event->code = AG_ERROR_LEAVECHANNEL_E_KICKED;
  _ag_hub_send_frame (hub, member, event);

  _ag_hub_channel_leave (hub, member, AG_ERROR_LEAVECHANNEL_E_KICKED);
}

static void
handle_publish (AgHub                *hub,
                AgHubConn            *conn,
                const AgAdminRequest *request)
{
  AgHubChannel *channel = lookup_channel_or_reply (hub, conn, request);
  AgJsonWriter *writer;
  guint num = 0;
  int code;

  if (channel == NULL)
    return;

  /* _ag_hub_channel_publish refuses special channels (1205) and a full rate (1101). The
   * operator is no member, so its ok and the members' channel_msg need no order. */
  code = _ag_hub_channel_publish (hub, channel, request->msg, &num);
  if (code != AG_ERROR_SUCCESS) {
    _ag_hub_reply_error (hub, conn, request->id, code, NULL);
    return;
  }

  log_action (conn, "admin_publish", "channel", request->channel);
  writer = ag_admin_writer_begin ("ok", request->id);
  ag_admin_writer_add_int (writer, "num", num);
  send_writer (hub, conn, writer);
}

static void
handle_send (AgHub                *hub,
             AgHubConn            *conn,
             const AgAdminRequest *request)
{
  AgHubApp *app = conn->admin->app;
  g_autoptr(GError) error = NULL;
  AgJsonWriter *writer;
  gboolean stored = FALSE;
  int code;

  code = _ag_hub_deliver_message (hub, app, AG_SYSTEM_ACCOUNT, 0, request->account,
                                  request->msg, request->ttl, &stored, &error);
  if (code != AG_ERROR_SUCCESS) {
    if (error != NULL)
      g_message ("admin_send to %s failed: %s", request->account, error->message);
    _ag_hub_reply_error (hub, conn, request->id, code,
                         error != NULL ? "the server could not store this" : NULL);
    return;
  }

  hub->stats.messages_in++;
  log_action (conn, "admin_send", "account", request->account);

  writer = ag_admin_writer_begin ("ok", request->id);
  ag_json_writer_set_member_name (writer, "stored");
  ag_json_writer_add_boolean_value (writer, stored);
  send_writer (hub, conn, writer);
}

static void
handle_attr (AgHub                *hub,
             AgHubConn            *conn,
             const AgAdminRequest *request,
             const char           *type)
{
  AgHubChannel *channel = lookup_channel_or_reply (hub, conn, request);
  gboolean update = g_str_equal (type, "update");
  int code;

  if (channel == NULL)
    return;

  if (channel->kind != AG_HUB_CHANNEL_ORDINARY) {
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_PROTO_E_READ_ONLY_CHANNEL, NULL);
    return;
  }

  code = _ag_hub_channel_admit_attr_change (hub, channel, request->name,
                                            update ? request->value : NULL);
  if (code != AG_ERROR_SUCCESS) {
    _ag_hub_reply_error (hub, conn, request->id, code,
                         code == AG_ERROR_GENERAL_E_WRONG_PARAM ?
                           "built-in attribute needs a decimal integer >= 0" : NULL);
    return;
  }

  log_action (conn, ag_admin_op_to_string (request->op), "channel", request->channel);
  _ag_hub_reply_ok (hub, conn, request->id);
  _ag_hub_channel_change_attr (hub, channel, type, request->name, request->value);
}

static void
add_error_count (int      code,
                 guint64  count,
                 gpointer data)
{
  g_autofree char *name = g_strdup_printf ("%d", code);

  ag_admin_writer_add_int (data, name, (gint64) count);
}

static void
handle_stats (AgHub                *hub,
              AgHubConn            *conn,
              const AgAdminRequest *request)
{
  AgHubApp *app = conn->admin->app;
  AgJsonWriter *writer = ag_admin_writer_begin ("ok", request->id);
  const AgHubStats *stats = &hub->stats;

  ag_json_writer_set_member_name (writer, "stats");
  ag_json_writer_begin_object (writer);
  ag_admin_writer_add_int (writer, "users_online", g_sequence_get_length (app->online));
  ag_admin_writer_add_int (writer, "channels", g_hash_table_size (app->channels));
  ag_admin_writer_add_int (writer, "channel_msgs", (gint64) app->totals.channel_msgs);
  ag_admin_writer_add_int (writer, "peer_msgs", (gint64) app->totals.peer_msgs);
  ag_admin_writer_add_int (writer, "call_msgs", (gint64) app->totals.call_msgs);
  ag_admin_writer_add_int (writer, "presence", (gint64) app->totals.presence);
  ag_admin_writer_add_int (writer, "admin_connections", app->admin->n_conns);

  if (conn->admin->server_scope) {
    ag_json_writer_set_member_name (writer, "server");
    ag_json_writer_begin_object (writer);
    ag_admin_writer_add_int (writer, "connections", (gint64) stats->connections);
    ag_admin_writer_add_int (writer, "sessions", (gint64) stats->sessions);
    ag_admin_writer_add_int (writer, "channels", (gint64) stats->channels);
    ag_admin_writer_add_int (writer, "frames_in", (gint64) stats->frames_in);
    ag_admin_writer_add_int (writer, "frames_out", (gint64) stats->frames_out);
    ag_admin_writer_add_int (writer, "messages_in", (gint64) stats->messages_in);
    ag_admin_writer_add_int (writer, "messages_out", (gint64) stats->messages_out);
    ag_admin_writer_add_int (writer, "logins", (gint64) stats->logins);
    ag_admin_writer_add_int (writer, "admin_connections", (gint64) stats->admin_connections);
    ag_admin_writer_add_int (writer, "admin_auth_failures",
                              (gint64) stats->admin_auth_failures);
    ag_json_writer_set_member_name (writer, "errors");
    ag_json_writer_begin_object (writer);
    ag_hub_foreach_error_count (hub, add_error_count, writer);
    ag_json_writer_end_object (writer);
    ag_json_writer_end_object (writer);
  }

  ag_json_writer_end_object (writer);
  send_writer (hub, conn, writer);
}

void
_ag_hub_admin_dispatch (AgHub                *hub,
                        AgHubConn            *conn,
                        const AgAdminRequest *request)
{
  if (request->op == AG_ADMIN_OP_LOGIN) {
    handle_login (hub, conn, request);
    return;
  }

  if (conn->admin == NULL) {
    if (conn->user != NULL)
      _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_WRONG_MODE,
                           "admin request on a client session");
    else
      _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_UNAUTHORIZED,
                           "admin_login first");
    return;
  }

  switch (request->op) {
  case AG_ADMIN_OP_SUBSCRIBE:
    if (conn->capture != NULL)
      _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_ADMIN_E_WRONG_MODE,
                           "admin_subscribe needs a WebSocket");
    else
      handle_subscribe (hub, conn, request);
    break;
  case AG_ADMIN_OP_UNSUBSCRIBE:
    handle_unsubscribe (hub, conn, request);
    break;
  case AG_ADMIN_OP_USERS:
    handle_users (hub, conn, request);
    break;
  case AG_ADMIN_OP_CHANNELS:
    handle_channels (hub, conn, request);
    break;
  case AG_ADMIN_OP_CHANNEL:
    handle_channel (hub, conn, request);
    break;
  case AG_ADMIN_OP_USER:
    handle_user (hub, conn, request);
    break;
  case AG_ADMIN_OP_KICK:
    handle_kick (hub, conn, request);
    break;
  case AG_ADMIN_OP_REMOVE:
    handle_remove (hub, conn, request);
    break;
  case AG_ADMIN_OP_PUBLISH:
    handle_publish (hub, conn, request);
    break;
  case AG_ADMIN_OP_SEND:
    handle_send (hub, conn, request);
    break;
  case AG_ADMIN_OP_CHANNEL_SET_ATTR:
    handle_attr (hub, conn, request, "update");
    break;
  case AG_ADMIN_OP_CHANNEL_DEL_ATTR:
    handle_attr (hub, conn, request, "del");
    break;
  case AG_ADMIN_OP_CHANNEL_CLEAR_ATTR:
    handle_attr (hub, conn, request, "clear");
    break;
  case AG_ADMIN_OP_STATS:
    handle_stats (hub, conn, request);
    break;
  case AG_ADMIN_OP_LOGIN:
  case AG_ADMIN_OP_INVALID:
  case AG_ADMIN_OP_LAST:
  default:
    _ag_hub_reply_error (hub, conn, request->id, AG_ERROR_PROTO_E_UNKNOWN_OP, NULL);
    break;
  }
}

/* HTTP */

static guint
http_status_for (int code)
{
  switch (code) {
  case AG_ERROR_SUCCESS:
    return 200;
  case AG_ERROR_ADMIN_E_UNAUTHORIZED:
    return 401;
  case AG_ERROR_ADMIN_E_NO_SUCH_USER:
  case AG_ERROR_ADMIN_E_NO_SUCH_CHANNEL:
    return 404;
  case AG_ERROR_LIMIT_E_CHANNEL_RATE:
  case AG_ERROR_LIMIT_E_ATTR_RATE:
    return 429;
  default:
    return 400;
  }
}

static GBytes *
http_error (int         code,
            const char *reason)
{
  g_autoptr(AgFrame) frame = ag_frame_new_error (0, code, reason);

  return ag_frame_encode (frame);
}

GBytes *
ag_hub_admin_http (AgHub      *self,
                   const char *address,
                   const char *bearer_key,
                   const char *body,
                   gsize       length,
                   gint64      now_us,
                   guint      *out_status)
{
  g_autoptr(AgAdminRequest) request = NULL;
  g_autoptr(AgAdminRequest) login = NULL;
  g_autoptr(GError) error = NULL;
  AgHubConn *conn;
  GBytes *reply = NULL;
  gboolean throttled;
  gint64 id = 0;

  g_return_val_if_fail (AG_IS_HUB (self), NULL);
  g_return_val_if_fail (out_status != NULL, NULL);

  self->now_us = now_us;

  request = ag_admin_request_decode (body, length, FALSE, &id, &error);

  if (request == NULL) {
    int code = error != NULL && error->domain == AG_ERROR ? error->code
                                                          : AG_ERROR_PROTO_E_MALFORMED;

    *out_status = http_status_for (code);
    return http_error (code, error != NULL ? error->message : NULL);
  }

  if (request->op == AG_ADMIN_OP_LOGIN || request->op == AG_ADMIN_OP_SUBSCRIBE ||
      request->op == AG_ADMIN_OP_UNSUBSCRIBE) {
    *out_status = 400;
    return http_error (AG_ERROR_ADMIN_E_WRONG_MODE, "WebSocket only");
  }

  if (request->app_id == NULL || bearer_key == NULL) {
    self->stats.admin_auth_failures++;
    *out_status = 401;
    return http_error (AG_ERROR_ADMIN_E_UNAUTHORIZED,
                       request->app_id == NULL ? "app_id is missing"
                                               : "Authorization: Bearer KEY is missing");
  }

  /* A connection that exists for this one request: it logs in with the bearer key, makes the
   * request, and its replies are captured instead of sent. */
  conn = _ag_hub_conn_new (G_MAXUINT64);
  conn->address = g_strdup (address);
  conn->capture = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  login = ag_admin_request_new (AG_ADMIN_OP_LOGIN);
  login->id = 1;
  login->app_id = g_strdup (request->app_id);
  login->key = g_strdup (bearer_key);

  throttled = login_throttled (self, conn_address (conn));
  handle_login (self, conn, login);
  if (conn->admin == NULL) {
    reply = g_bytes_ref (g_ptr_array_index (conn->capture, 0));
    _ag_hub_conn_free (conn);
    *out_status = throttled ? 429 : 401;
    return reply;
  }

  g_ptr_array_set_size (conn->capture, 0);
  _ag_hub_admin_dispatch (self, conn, request);

  if (conn->capture->len > 0) {
    reply = g_bytes_ref (g_ptr_array_index (conn->capture, 0));
    *out_status = http_status_for (conn->capture_code);
  } else {
    reply = http_error (AG_ERROR_GENERAL_E_FAILED, "no reply");
    *out_status = http_status_for (AG_ERROR_GENERAL_E_FAILED);
  }

  _ag_hub_admin_conn_closed (self, conn);
  _ag_hub_conn_free (conn);

  return reply;
}
