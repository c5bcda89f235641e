/* ag-hub.c: the sans-IO core of agsignald: connections, sessions, peer messages, user
 * attributes, queries, timers and statistics. Channels live in ag-hub-channel.c and calls in
 * ag-hub-call.c; the tables they share are described in ag-hub-private.h.
 */

#include "ag-hub-private.h"

#include "ag-token.h"

G_DEFINE_FINAL_TYPE (AgHub, ag_hub, G_TYPE_OBJECT)

/* Timers */

static int
timer_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const AgHubTimer *ta = a;
  const AgHubTimer *tb = b;

  if (ta->due_us != tb->due_us)
    return ta->due_us < tb->due_us ? -1 : 1;

  return (ta->seq > tb->seq) - (ta->seq < tb->seq);
}

void
_ag_hub_timer_init (AgHubTimer     *timer,
                    AgHubTimerFunc  func,
                    gpointer        data)
{
  timer->iter = NULL;
  timer->due_us = G_MAXINT64;
  timer->seq = 0;
  timer->func = func;
  timer->data = data;
}

void
_ag_hub_timer_schedule (AgHub      *hub,
                        AgHubTimer *timer,
                        gint64      due_us)
{
  _ag_hub_timer_cancel (hub, timer);

  timer->due_us = due_us;
  timer->seq = hub->timer_seq++;
  timer->iter = g_sequence_insert_sorted (hub->timers, timer, timer_compare, NULL);
}

void
_ag_hub_timer_cancel (AgHub      *hub,
                      AgHubTimer *timer)
{
  /* While the hub is finalized the sequence is gone and nothing is scheduled any more. */
  if (timer->iter != NULL && hub->timers != NULL)
    g_sequence_remove (timer->iter);

  timer->iter = NULL;
}

/* now + seconds, saturating: attribute values and token expiries come from clients. */
gint64
_ag_hub_after_seconds (AgHub   *hub,
                       guint64  seconds)
{
  if (seconds >= (guint64) (G_MAXINT64 - hub->now_us) / G_USEC_PER_SEC)
    return G_MAXINT64;

  return hub->now_us + (gint64) seconds * G_USEC_PER_SEC;
}

/* Token buckets */

static void
bucket_refill (AgHubBucket *bucket,
               gint64       now_us)
{
  gint64 capacity = (gint64) bucket->rate * G_USEC_PER_SEC;
  gint64 elapsed = now_us - bucket->last_us;

  /* After one second the bucket is full whatever it held, so longer gaps add nothing
   * (and cannot overflow). A clock going backwards adds nothing either. */
  if (elapsed > 0) {
    elapsed = MIN (elapsed, G_USEC_PER_SEC);
    bucket->micro_tokens = MIN (capacity, bucket->micro_tokens + elapsed * bucket->rate);
    bucket->last_us = now_us;
  }
}

void
_ag_hub_bucket_configure (AgHubBucket *bucket,
                          guint        rate,
                          gint64       now_us)
{
  if (bucket->rate == rate)
    return;

  if (bucket->rate == 0 || rate == 0) {
    /* A new bucket, or one that had no limit, starts full. */
    bucket->rate = rate;
    bucket->micro_tokens = (gint64) rate * G_USEC_PER_SEC;
    bucket->last_us = now_us;
    return;
  }

  /* Limits change lazily, at the bucket's next use: the time since its last use accrues
   * at the new rate, and the tokens saved up are capped by the new capacity. */
  bucket->rate = rate;
  bucket_refill (bucket, now_us);
  bucket->micro_tokens = MIN (bucket->micro_tokens, (gint64) rate * G_USEC_PER_SEC);
}

gboolean
_ag_hub_bucket_can_take (AgHubBucket *bucket,
                         gint64       now_us)
{
  bucket_refill (bucket, now_us);

  return bucket->micro_tokens >= G_USEC_PER_SEC;
}

void
_ag_hub_bucket_take (AgHubBucket *bucket)
{
  g_assert (bucket->micro_tokens >= G_USEC_PER_SEC);

  bucket->micro_tokens -= G_USEC_PER_SEC;
}

guint
_ag_hub_user_rate (AgHubUser *user)
{
  guint rate = user->app->config.user_msg_rate;

  return rate != 0 ? rate : AG_DEFAULT_USER_MSG_RATE;
}

gboolean
_ag_hub_user_admit_request (AgHub         *hub,
                            AgHubConn     *conn,
                            const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  guint rate = user->app->config.user_request_rate;

  /* Every request that may leave state behind counts, refused ones too: they cost the
   * server the same work. */
  _ag_hub_bucket_configure (&user->request_bucket,
                            rate != 0 ? rate : AG_DEFAULT_USER_REQUEST_RATE, hub->now_us);
  if (!_ag_hub_bucket_can_take (&user->request_bucket, hub->now_us)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_REQUEST_RATE, NULL);
    return FALSE;
  }

  _ag_hub_bucket_take (&user->request_bucket);
  return TRUE;
}

/* Output */

void
_ag_hub_send (AgHub     *hub,
              AgHubConn *conn,
              GBytes    *bytes)
{
  if (conn->capture != NULL) {
    g_ptr_array_add (conn->capture, g_bytes_ref (bytes));
    return;
  }

  hub->stats.frames_out++;
  if (conn->sink_data != NULL && hub->sink.send_to != NULL)
    hub->sink.send_to (hub->sink_data, conn->sink_data, bytes);
  else
    hub->sink.send (hub->sink_data, conn->id, bytes);
}

void
_ag_hub_send_frame (AgHub         *hub,
                    AgHubConn     *conn,
                    const AgFrame *frame)
{
  g_autoptr(GBytes) bytes = ag_frame_encode (frame);

  _ag_hub_send (hub, conn, bytes);
}

void
_ag_hub_reply_ok (AgHub     *hub,
                  AgHubConn *conn,
                  gint64     id)
{
  g_autoptr(AgFrame) reply = ag_frame_new_ok (id);

  _ag_hub_send_frame (hub, conn, reply);
}

void
_ag_hub_reply_error (AgHub      *hub,
                     AgHubConn  *conn,
                     gint64      id,
                     int         code,
                     const char *reason)
{
  g_autoptr(AgFrame) reply = ag_frame_new_error (id, code,
                                                 reason != NULL ? reason
                                                                : ag_error_code_describe (code));
  guint64 *count = g_hash_table_lookup (hub->error_counts, GINT_TO_POINTER (code));

  if (count == NULL) {
    count = g_new0 (guint64, 1);
    g_hash_table_insert (hub->error_counts, GINT_TO_POINTER (code), count);
  }
  (*count)++;

  conn->capture_code = code;
  _ag_hub_send_frame (hub, conn, reply);
}

/* The engine failed: the client learns that much, the log says why. */
static void
reply_storage_error (AgHub        *hub,
                     AgHubConn    *conn,
                     gint64        id,
                     int           code,
                     const GError *error)
{
  g_message ("Request %" G_GINT64_FORMAT " of connection %" G_GUINT64_FORMAT " failed: %s",
             id, conn->id, error->message);
  _ag_hub_reply_error (hub, conn, id, code, "the server could not store this");
}

static void
send_logout_event (AgHub     *hub,
                   AgHubConn *conn,
                   int        code)
{
  g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_LOGOUT);

  event->code = code;
  _ag_hub_send_frame (hub, conn, event);
}

/* Apps and users */

static void
app_config_clear (AgAppConfig *config)
{
  g_clear_pointer (&config->app_id, g_free);
  g_clear_pointer (&config->certificate, g_free);
  g_clear_pointer (&config->admin_key, g_free);
}

static void
app_config_copy (AgAppConfig       *dest,
                 const AgAppConfig *src)
{
  dest->app_id = g_strdup (src->app_id);
  dest->certificate = g_strdup (src->certificate);
  dest->allow_no_token = src->allow_no_token;
  dest->user_msg_rate = src->user_msg_rate;
  dest->channel_msg_rate = src->channel_msg_rate;
  dest->user_request_rate = src->user_request_rate;
  dest->max_channels = src->max_channels;
  dest->max_user_attrs = src->max_user_attrs;
  dest->max_user_attr_bytes = src->max_user_attr_bytes;
  dest->admin_key = g_strdup (src->admin_key);
}

static void
user_free (AgHubUser *user)
{
  g_clear_pointer (&user->calls, g_hash_table_unref);
  g_free (user->account);
  g_free (user);
}

static void
app_free (AgHubApp *app)
{
  /* Calls point at users, so they go first. */
  g_clear_pointer (&app->calls, g_hash_table_unref);
  g_clear_pointer (&app->channels, g_hash_table_unref);
  g_clear_pointer (&app->created, g_hash_table_unref);
  g_clear_pointer (&app->channel_order, g_sequence_free);
  _ag_hub_timer_cancel (app->hub, &app->linger_timer);
  g_queue_clear (&app->lingering);
  g_clear_pointer (&app->users, g_hash_table_unref);
  g_clear_pointer (&app->online, g_sequence_free);
  g_clear_pointer (&app->admin, _ag_hub_admin_app_free);
  app_config_clear (&app->config);
  g_free (app);
}

AgHubUser *
_ag_hub_user_ensure (AgHubApp   *app,
                     const char *account)
{
  AgHubUser *user = g_hash_table_lookup (app->users, account);

  if (user == NULL) {
    user = g_new0 (AgHubUser, 1);
    user->app = app;
    user->account = g_strdup (account);
    user->calls = g_hash_table_new (NULL, NULL);
    g_hash_table_insert (app->users, user->account, user);
  }

  return user;
}

static int
compare_users (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return strcmp (((const AgHubUser *) a)->account, ((const AgHubUser *) b)->account);
}

/* Accounts that never logged in exist only while a call waits for them; once that is over
 * they are forgotten, so invitations to made-up names cannot grow the tables for good.
 * Accounts that did log in are kept AG_LIMIT_ACCOUNT_LINGER_S after their last logout (their
 * rate buckets with them), then forgotten too when the engine keeps their uid for as long as
 * anything it holds refers to it; with an engine that cannot, for the life of the hub. */
void
_ag_hub_user_forget_if_unused (AgHubApp  *app,
                               AgHubUser *user)
{
  if (user->conn != NULL || g_hash_table_size (user->calls) > 0 || user->linger_link != NULL)
    return;

  if (user->uid == 0 || ag_engine_can_lookup_uids (app->hub->engine))
    g_hash_table_remove (app->users, user->account);
}

static void
user_stop_lingering (AgHubApp  *app,
                     AgHubUser *user)
{
  if (user->linger_link != NULL) {
    g_queue_delete_link (&app->lingering, user->linger_link);
    user->linger_link = NULL;
  }
}

static void
linger_cb (AgHub    *hub,
           gpointer  data)
{
  AgHubApp *app = data;
  AgHubUser *user;

  while ((user = g_queue_peek_head (&app->lingering)) != NULL &&
         user->logout_us + AG_LIMIT_ACCOUNT_LINGER_S * G_USEC_PER_SEC <= hub->now_us) {
    user_stop_lingering (app, user);
    _ag_hub_user_forget_if_unused (app, user);
  }

  if (user != NULL)
    _ag_hub_timer_schedule (hub, &app->linger_timer,
                            user->logout_us + AG_LIMIT_ACCOUNT_LINGER_S * G_USEC_PER_SEC);
}

static void
user_linger (AgHub     *hub,
             AgHubUser *user)
{
  AgHubApp *app = user->app;

  user_stop_lingering (app, user);
  user->logout_us = hub->now_us;
  g_queue_push_tail (&app->lingering, user);
  user->linger_link = app->lingering.tail;
  if (app->linger_timer.iter == NULL)
    _ag_hub_timer_schedule (hub, &app->linger_timer,
                            user->logout_us + AG_LIMIT_ACCOUNT_LINGER_S * G_USEC_PER_SEC);
}

static AgHubUser *
lookup_user (AgHubApp   *app,
             const char *account)
{
  return account != NULL ? g_hash_table_lookup (app->users, account) : NULL;
}

/* Connections and sessions */

static void token_expired_cb (AgHub    *hub,
                              gpointer  data);
static void login_deadline_cb (AgHub    *hub,
                               gpointer  data);
static void backlog_cb        (AgHub    *hub,
                               gpointer  data);

AgHubConn *
_ag_hub_conn_new (guint64 conn_id)
{
  AgHubConn *conn = g_new0 (AgHubConn, 1);

  conn->id = conn_id;
  _ag_hub_timer_init (&conn->token_timer, token_expired_cb, conn);
  _ag_hub_timer_init (&conn->login_timer, login_deadline_cb, conn);
  _ag_hub_timer_init (&conn->backlog_timer, backlog_cb, conn);

  return conn;
}

void
_ag_hub_conn_free (AgHubConn *conn)
{
  g_clear_pointer (&conn->capture, g_ptr_array_unref);
  g_clear_pointer (&conn->admin, _ag_hub_admin_conn_free);
  g_free (conn->address);
  g_free (conn);
}

static AgHubConn *
lookup_conn (AgHub   *hub,
             guint64  conn_id)
{
  return g_hash_table_lookup (hub->conns, &conn_id);
}

/* Ends the session of conn (if it has one) as the spec's logout does: the channel is left
 * (603, or 604 for a lost connection), the calls end or fail for the peers, and the
 * _agora_user_online channel hears of it with the logout code. */
static void
session_end (AgHub     *hub,
             AgHubConn *conn,
             int        logout_code)
{
  AgHubUser *user = conn->user;

  if (user == NULL)
    return;

  _ag_hub_timer_cancel (hub, &conn->token_timer);
  _ag_hub_timer_cancel (hub, &conn->backlog_timer);

  if (conn->channel != NULL)
    _ag_hub_channel_leave (hub, conn,
                           logout_code == AG_ERROR_LOGOUT_E_NET ? AG_ERROR_LEAVECHANNEL_E_DISCONN
                                                                : AG_ERROR_LEAVECHANNEL_E_LOGOUT);

  conn->user = NULL;
  user->conn = NULL;
  g_sequence_remove (user->online_iter);
  user->online_iter = NULL;
  hub->stats.sessions--;
  user->app->second.presence++;
  user->app->totals.presence++;
  /* Before the calls end: the last one ending must not forget the user under our feet. */
  user_linger (hub, user);

  _ag_hub_calls_user_offline (hub, user);
  _ag_hub_announce_presence (hub, user, FALSE, logout_code);
  _ag_hub_admin_offline (hub, user, logout_code);
}

/* The hub forgets the connection before telling the transport to close it, as the sink
 * contract requires. */
static void
conn_close (AgHub     *hub,
            AgHubConn *conn,
            int        code)
{
  guint64 conn_id = conn->id;

  if (conn->admin != NULL)
    _ag_hub_admin_conn_closed (hub, conn);
  _ag_hub_timer_cancel (hub, &conn->login_timer);

  g_hash_table_remove (hub->conns, &conn_id);
  hub->stats.connections--;

  hub->sink.close (hub->sink_data, conn_id, code);
}

/* Ends a session from the server's side (token expiry, an operator): the client is told the
 * code, then the connection closes. */
void
_ag_hub_session_kick (AgHub     *hub,
                      AgHubConn *conn,
                      int        code)
{
  send_logout_event (hub, conn, code);
  session_end (hub, conn, code);
  conn_close (hub, conn, code);
}

/* A connection that never logs in costs memory and a socket for nothing: it gets a short
 * time, as NATS's auth_timeout does. */
static void
login_deadline_cb (AgHub    *hub,
                   gpointer  data)
{
  AgHubConn *conn = data;

  if (conn->user != NULL || conn->admin != NULL)
    return;

  _ag_hub_reply_error (hub, conn, 0, AG_ERROR_LIMIT_E_LOGIN_TIMEOUT, NULL);
  conn_close (hub, conn, AG_ERROR_LIMIT_E_LOGIN_TIMEOUT);
}

static void
token_expired_cb (AgHub    *hub,
                  gpointer  data)
{
  _ag_hub_session_kick (hub, data, AG_ERROR_LOGOUT_E_TOKENEXPIRED);
}

static void
offline_expiry_cb (AgHub    *hub,
                   gpointer  data)
{
  gint64 next = ag_engine_offline_expire (hub->engine, hub->now_us);

  if (next != G_MAXINT64)
    _ag_hub_timer_schedule (hub, &hub->offline_timer, next);
}

/* Checks the token; returns 0 and the session's expiry (G_MAXINT64: none) or a login error. */
static int
check_token (AgHub         *hub,
             AgHubApp      *app,
             const AgFrame *frame,
             gint64        *out_expires_us)
{
  gint64 expired_ts = 0;

  *out_expires_us = G_MAXINT64;

  if (frame->token == NULL)
    return AG_ERROR_LOGIN_E_TOKENWRONG;

  if (g_str_equal (frame->token, AG_NO_NEED_TOKEN))
    return app->config.allow_no_token ? AG_ERROR_SUCCESS : AG_ERROR_LOGIN_E_TOKENWRONG;

  if (app->config.certificate == NULL)
    return AG_ERROR_LOGIN_E_TOKENWRONG;

  switch (ag_token_verify (frame->token, frame->account, app->config.app_id,
                           app->config.certificate, hub->now_us / G_USEC_PER_SEC,
                           &expired_ts)) {
  case AG_TOKEN_VALID:
    if (expired_ts < G_MAXINT64 / G_USEC_PER_SEC)
      *out_expires_us = expired_ts * G_USEC_PER_SEC;
    return AG_ERROR_SUCCESS;

  case AG_TOKEN_EXPIRED:
    return AG_ERROR_LOGIN_E_TOKENEXPIRED;

  case AG_TOKEN_WRONG:
  default:
    return AG_ERROR_LOGIN_E_TOKENWRONG;
  }
}

/* A backlog of offline messages goes out a batch at a time, as the connection drains: all of
 * it at once could exceed the outbound limit, cut the session and lose what was taken. */
#define BACKLOG_BATCH_BYTES  (256 * 1024)
#define BACKLOG_QUEUE_HIGH   (1024 * 1024)
#define BACKLOG_RETRY_US     (5 * 1000)

static void
deliver_offline_messages (AgHub     *hub,
                          AgHubConn *conn)
{
  AgHubUser *user = conn->user;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gboolean more = FALSE;

  if (user == NULL)
    return;

  if (hub->sink.queued != NULL && hub->sink.queued (hub->sink_data, conn->id) > BACKLOG_QUEUE_HIGH) {
    _ag_hub_timer_schedule (hub, &conn->backlog_timer, hub->now_us + BACKLOG_RETRY_US);
    return;
  }

  messages = ag_engine_offline_take_some (hub->engine, user->app->config.app_id, user->account,
                                          hub->now_us, BACKLOG_BATCH_BYTES, &more, &error);

  /* They stay queued for the next login. */
  if (error != NULL)
    g_message ("Cannot deliver offline messages to connection %" G_GUINT64_FORMAT ": %s",
               conn->id, error->message);

  for (guint i = 0; messages != NULL && i < messages->len; i++) {
    AgOfflineMessage *message = g_ptr_array_index (messages, i);
    g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_MSG);

    event->account = g_strdup (message->from_account);
    event->uid = message->from_uid;
    event->has_uid = TRUE;
    event->msg = g_strdup (message->msg);
    event->ts = ag_ts_from_us (message->sent_us);

    _ag_hub_send_frame (hub, conn, event);
    hub->stats.messages_out++;
  }

  /* The rest in a later turn of the loop. */
  if (more)
    _ag_hub_timer_schedule (hub, &conn->backlog_timer, hub->now_us + 1);
}

static void
backlog_cb (AgHub    *hub,
            gpointer  data)
{
  deliver_offline_messages (hub, data);
}

static void
handle_login (AgHub         *hub,
              AgHubConn     *conn,
              const AgFrame *frame)
{
  g_autoptr(AgFrame) reply = NULL;
  AgHubApp *app;
  AgHubUser *user;
  gint64 expires_us;
  int code;

  if (conn->user != NULL) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LOGIN_E_ALREADY_LOGIN, NULL);
    return;
  }

  app = frame->app_id != NULL ? g_hash_table_lookup (hub->apps, frame->app_id) : NULL;
  if (app == NULL) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LOGIN_E_FAILED, "unknown app");
    return;
  }

  code = check_token (hub, app, frame, &expires_us);
  if (code != AG_ERROR_SUCCESS) {
    _ag_hub_reply_error (hub, conn, frame->id, code, NULL);
    return;
  }

  user = _ag_hub_user_ensure (app, frame->account);
  if (user->uid == 0) {
    g_autoptr(GError) error = NULL;
    guint32 uid = 0;

    /* A store that other nodes share hands uids out itself, once per account for the life of
     * its state: the account may have one from another node. */
    if (ag_engine_claims_uids (hub->engine)) {
      uid = ag_engine_uid_claim (hub->engine, app->config.app_id, user->account,
                                 app->last_uid, &error);
      if (uid == 0) {
        reply_storage_error (hub, conn, frame->id, AG_ERROR_LOGIN_E_FAILED, error);
        _ag_hub_user_forget_if_unused (app, user);
        return;
      }
    } else {
      /* A forgotten account gets back the uid the engine still knows it by. */
      if (!ag_engine_uid_lookup (hub->engine, app->config.app_id, user->account, &uid, &error)) {
        reply_storage_error (hub, conn, frame->id, AG_ERROR_LOGIN_E_FAILED, error);
        _ag_hub_user_forget_if_unused (app, user);
        return;
      }

      if (uid == 0) {
        uid = app->last_uid + 1;

        /* uid 0 is the system account of the special channels. */
        if (uid == 0)
          uid++;

        /* A uid is handed out once for the life of the engine's state. */
        if (!ag_engine_uid_set (hub->engine, app->config.app_id, user->account, uid, &error)) {
          reply_storage_error (hub, conn, frame->id, AG_ERROR_LOGIN_E_FAILED, error);
          _ag_hub_user_forget_if_unused (app, user);
          return;
        }
      }
    }

    app->last_uid = MAX (app->last_uid, uid);
    user->uid = uid;
  }
  user_stop_lingering (app, user);

  if (user->conn != NULL)
    _ag_hub_session_kick (hub, user->conn, AG_ERROR_LOGOUT_E_KICKED);

  _ag_hub_timer_cancel (hub, &conn->login_timer);
  conn->user = user;
  conn->login_us = hub->now_us;
  user->conn = conn;
  user->online_iter = g_sequence_insert_sorted (app->online, user, compare_users, NULL);
  hub->stats.sessions++;
  hub->stats.logins++;
  app->second.presence++;
  app->totals.presence++;

  if (expires_us != G_MAXINT64)
    _ag_hub_timer_schedule (hub, &conn->token_timer, expires_us);

  reply = ag_frame_new_ok (frame->id);
  reply->account = g_strdup (user->account);
  reply->uid = user->uid;
  reply->has_uid = TRUE;
  _ag_hub_send_frame (hub, conn, reply);

  deliver_offline_messages (hub, conn);
  _ag_hub_calls_user_online (hub, user);
  _ag_hub_announce_presence (hub, user, TRUE, 0);
  _ag_hub_admin_online (hub, conn);
}

static void
handle_logout (AgHub         *hub,
               AgHubConn     *conn,
               const AgFrame *frame)
{
  _ag_hub_reply_ok (hub, conn, frame->id);
  session_end (hub, conn, AG_ERROR_LOGOUT_E_USER);
  conn_close (hub, conn, AG_ERROR_LOGOUT_E_USER);
}

static void
handle_ping (AgHub         *hub,
             AgHubConn     *conn,
             const AgFrame *frame)
{
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);

  reply->ts = ag_ts_from_us (hub->now_us);
  reply->has_ts = TRUE;
  _ag_hub_send_frame (hub, conn, reply);
}

/* Peer messages */

int
_ag_hub_deliver_message (AgHub      *hub,
                         AgHubApp   *app,
                         const char *from_account,
                         guint32     from_uid,
                         const char *peer_account,
                         const char *msg,
                         gint64      ttl,
                         gboolean   *out_stored,
                         GError    **error)
{
  AgHubUser *peer = lookup_user (app, peer_account);

  if (peer != NULL && peer->conn != NULL) {
    g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_MSG);

    event->account = g_strdup (from_account);
    event->uid = from_uid;
    event->has_uid = TRUE;
    event->msg = g_strdup (msg);
    event->ts = ag_ts_from_us (hub->now_us);
    _ag_hub_send_frame (hub, peer->conn, event);
    hub->stats.messages_out++;
    *out_stored = FALSE;
  } else if (ttl > 0) {
    AgOfflineMessage *message = g_new0 (AgOfflineMessage, 1);
    gint64 expires_us = _ag_hub_after_seconds (hub, (guint64) ttl);

    message->from_account = g_strdup (from_account);
    message->from_uid = from_uid;
    message->msg = g_strdup (msg);
    message->sent_us = hub->now_us;
    message->expires_us = expires_us;

    /* Any logged-in user may fill any account's queue: what all queues hold together is
     * bounded too, and past it a message is refused rather than stored. */
    if (ag_engine_offline_bytes (hub->engine) + ag_offline_message_size (message) >
        hub->max_offline_bytes) {
      ag_offline_message_free (message);
      return AG_ERROR_LIMIT_E_OFFLINE_STORAGE_FULL;
    }

    if (!ag_engine_offline_push (hub->engine, app->config.app_id, peer_account, message,
                                 error)) {
      if (error == NULL || g_error_matches (*error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_QUEUE_FULL)) {
        g_clear_error (error);
        return AG_ERROR_LIMIT_E_OFFLINE_QUEUE_FULL;
      }
      return AG_ERROR_GENERAL_E_FAILED;
    }

    if (hub->offline_timer.iter == NULL || expires_us < hub->offline_timer.due_us)
      _ag_hub_timer_schedule (hub, &hub->offline_timer, expires_us);

    *out_stored = TRUE;
  } else {
    return AG_ERROR_PROTO_E_PEER_OFFLINE;
  }

  app->second.peer_msgs++;
  app->totals.peer_msgs++;
  return AG_ERROR_SUCCESS;
}

/* The ok goes out before the event, as for every request. */
static void
handle_msg_send (AgHub         *hub,
                 AgHubConn     *conn,
                 const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  AgHubApp *app = user->app;
  AgHubUser *peer = lookup_user (app, frame->peer);
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stored = FALSE;
  int code;

  _ag_hub_bucket_configure (&user->bucket, _ag_hub_user_rate (user), hub->now_us);
  if (!_ag_hub_bucket_can_take (&user->bucket, hub->now_us)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_USER_RATE, NULL);
    return;
  }

  if (peer != NULL && peer->conn != NULL) {
    reply = ag_frame_new_ok (frame->id);
    reply->stored = FALSE;
    reply->has_stored = TRUE;
    _ag_hub_send_frame (hub, conn, reply);
  }

  code = _ag_hub_deliver_message (hub, app, user->account, user->uid, frame->peer, frame->msg,
                                  frame->ttl, &stored, &error);
  if (code != AG_ERROR_SUCCESS) {
    if (error != NULL)
      reply_storage_error (hub, conn, frame->id, code, error);
    else
      _ag_hub_reply_error (hub, conn, frame->id, code, NULL);
    return;
  }

  _ag_hub_bucket_take (&user->bucket);
  hub->stats.messages_in++;

  if (reply == NULL) {
    reply = ag_frame_new_ok (frame->id);
    reply->stored = stored;
    reply->has_stored = TRUE;
    _ag_hub_send_frame (hub, conn, reply);
  }
}

/* User attributes and queries */

static void
handle_user_set_attr (AgHub         *hub,
                      AgHubConn     *conn,
                      const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);
  g_autoptr(GError) error = NULL;

  if (!_ag_hub_user_admit_request (hub, conn, frame))
    return;

  /* Attributes are kept for ever, so a user holds a bounded number of them; deleting one is
   * always allowed. */
  if (frame->value != NULL && *frame->value != '\0') {
    const AgAppConfig *config = &user->app->config;
    g_autoptr(GHashTable) attrs = ag_engine_user_attr_get_all (hub->engine,
                                                               user->app->config.app_id,
                                                               user->account, &error);
    guint count = 1;
    gsize bytes = strlen (frame->name) + strlen (frame->value);
    GHashTableIter iter;
    gpointer name, value;

    if (attrs == NULL) {
      reply_storage_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_FAILED, error);
      return;
    }

    g_hash_table_iter_init (&iter, attrs);
    while (g_hash_table_iter_next (&iter, &name, &value)) {
      if (g_str_equal (name, frame->name))
        continue;
      count++;
      bytes += strlen (name) + strlen (value);
    }

    if (count > (config->max_user_attrs != 0 ? config->max_user_attrs : AG_LIMIT_USER_ATTRS) ||
        bytes > (config->max_user_attr_bytes != 0 ? config->max_user_attr_bytes
                                                  : AG_LIMIT_USER_ATTR_BYTES)) {
      _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_TOO_MANY_USER_ATTRS, NULL);
      return;
    }
  }

  /* The engine deletes the attribute for an empty value. */
  if (!ag_engine_user_attr_set (hub->engine, user->app->config.app_id, user->account,
                                frame->name, frame->value, &error)) {
    reply_storage_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_FAILED, error);
    return;
  }

  reply->account = g_strdup (user->account);
  reply->name = g_strdup (frame->name);
  reply->value = g_strdup (frame->value != NULL ? frame->value : "");
  reply->has_value = TRUE;
  _ag_hub_send_frame (hub, conn, reply);
}

static void
handle_user_get_attr (AgHub         *hub,
                      AgHubConn     *conn,
                      const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);
  g_autoptr(GError) error = NULL;

  reply->account = g_strdup (frame->account);
  reply->name = g_strdup (frame->name);
  reply->value = ag_engine_user_attr_get (hub->engine, user->app->config.app_id,
                                          frame->account, frame->name, &error);
  if (error != NULL) {
    reply_storage_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_FAILED, error);
    return;
  }
  reply->has_value = TRUE;
  _ag_hub_send_frame (hub, conn, reply);
}

static void
handle_user_get_attr_all (AgHub         *hub,
                          AgHubConn     *conn,
                          const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attrs = ag_engine_user_attr_get_all (hub->engine,
                                                             user->app->config.app_id,
                                                             frame->account, &error);
  GHashTableIter iter;
  gpointer name, value;

  if (error != NULL) {
    reply_storage_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_FAILED, error);
    return;
  }

  reply->account = g_strdup (frame->account);

  /* Copied through the frame's own setter, so the frame owns a table it knows how to free
   * whatever the engine's table does; an empty object still has to be sent. */
  if (attrs != NULL) {
    g_hash_table_iter_init (&iter, attrs);
    while (g_hash_table_iter_next (&iter, &name, &value))
      ag_frame_set_attr (reply, name, value);
  }
  if (reply->attrs == NULL)
    reply->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  _ag_hub_send_frame (hub, conn, reply);
}

static void
handle_user_status (AgHub         *hub,
                    AgHubConn     *conn,
                    const AgFrame *frame)
{
  AgHubUser *peer = lookup_user (conn->user->app, frame->account);
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);

  reply->account = g_strdup (frame->account);
  reply->online = peer != NULL && peer->conn != NULL;
  reply->has_online = TRUE;
  _ag_hub_send_frame (hub, conn, reply);
}

/* Memory */

static guint64
memory_state (AgHub *hub)
{
  return ag_engine_memory_bytes (hub->engine) + hub->channel_attr_bytes;
}

static guint64
memory_output (AgHub *hub)
{
  return hub->sink.queued_total != NULL ? hub->sink.queued_total (hub->sink_data) : 0;
}

/* Requests that make the server hold more: messages (queued for their recipients or
 * stored), attribute changes and invitations. Deleting and leaving always work. */
static gboolean
adds_to_memory (const AgFrame *frame)
{
  switch (frame->op) {
  case AG_OP_MSG_SEND:
  case AG_OP_CHANNEL_SEND:
  case AG_OP_CALL_MSG:
  case AG_OP_CALL_INVITE:
  case AG_OP_CHANNEL_SET_ATTR:
    return TRUE;
  case AG_OP_USER_SET_ATTR:
    return frame->value != NULL && *frame->value != '\0';
  default:
    return FALSE;
  }
}

/* FALSE after replying 1113 when the server is over its memory budget. The transports'
 * output is asked for at most every 100 ms: it is a sum over every connection. */
static gboolean
admit_memory (AgHub         *hub,
              AgHubConn     *conn,
              const AgFrame *frame)
{
  if (!adds_to_memory (frame))
    return TRUE;

  if (!hub->output_checked || hub->now_us < hub->output_checked_us ||
      hub->now_us - hub->output_checked_us >= 100 * 1000) {
    hub->output_bytes = memory_output (hub);
    hub->output_checked_us = hub->now_us;
    hub->output_checked = TRUE;
  }

  if (hub->output_bytes + memory_state (hub) < hub->memory_budget)
    return TRUE;

  _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_MEMORY_BUDGET, NULL);
  return FALSE;
}

/* Dispatch */

static void
dispatch (AgHub         *hub,
          AgHubConn     *conn,
          const AgFrame *frame)
{
  if (frame->op != AG_OP_LOGIN && conn->user == NULL &&
      !(conn->admin != NULL && frame->op == AG_OP_PING)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_NOT_LOGIN, NULL);
    return;
  }

  if (!admit_memory (hub, conn, frame))
    return;

  switch (frame->op) {
  case AG_OP_LOGIN:
    handle_login (hub, conn, frame);
    break;
  case AG_OP_LOGOUT:
    handle_logout (hub, conn, frame);
    break;
  case AG_OP_PING:
    handle_ping (hub, conn, frame);
    break;
  case AG_OP_MSG_SEND:
    handle_msg_send (hub, conn, frame);
    break;
  case AG_OP_USER_SET_ATTR:
    handle_user_set_attr (hub, conn, frame);
    break;
  case AG_OP_USER_GET_ATTR:
    handle_user_get_attr (hub, conn, frame);
    break;
  case AG_OP_USER_GET_ATTR_ALL:
    handle_user_get_attr_all (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_QUERY_NUM:
    _ag_hub_channel_query_num (hub, conn, frame);
    break;
  case AG_OP_USER_STATUS:
    handle_user_status (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_IS_IN:
    _ag_hub_channel_is_in (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_JOIN:
    _ag_hub_channel_join (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_LEAVE:
    _ag_hub_channel_leave_request (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_SEND:
    _ag_hub_channel_send (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_SET_ATTR:
    _ag_hub_channel_set_attr (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_DEL_ATTR:
    _ag_hub_channel_del_attr (hub, conn, frame);
    break;
  case AG_OP_CHANNEL_CLEAR_ATTR:
    _ag_hub_channel_clear_attr (hub, conn, frame);
    break;
  case AG_OP_CALL_INVITE:
    _ag_hub_call_invite (hub, conn, frame);
    break;
  case AG_OP_CALL_ACCEPT:
    _ag_hub_call_accept (hub, conn, frame);
    break;
  case AG_OP_CALL_REFUSE:
    _ag_hub_call_refuse (hub, conn, frame);
    break;
  case AG_OP_CALL_END:
    _ag_hub_call_end (hub, conn, frame);
    break;
  case AG_OP_CALL_MSG:
    _ag_hub_call_msg (hub, conn, frame);
    break;

  case AG_OP_INVALID:
  case AG_OP_OK:
  case AG_OP_ERROR:
  case AG_OP_EV_LOGOUT:
  case AG_OP_EV_MSG:
  case AG_OP_EV_CHANNEL_USER_JOINED:
  case AG_OP_EV_CHANNEL_USER_LEFT:
  case AG_OP_EV_CHANNEL_MSG:
  case AG_OP_EV_CHANNEL_ATTR:
  case AG_OP_EV_CHANNEL_LEFT:
  case AG_OP_EV_CALL_INCOMING:
  case AG_OP_EV_CALL_RECEIVED:
  case AG_OP_EV_CALL_ACCEPTED:
  case AG_OP_EV_CALL_REFUSED:
  case AG_OP_EV_CALL_FAILED:
  case AG_OP_EV_CALL_ENDED:
  case AG_OP_EV_CALL_MSG:
  case AG_OP_LAST:
  default:
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_UNKNOWN_OP, NULL);
    break;
  }
}

/* GObject */

static void
ag_hub_dispose (GObject *object)
{
  AgHub *self = (AgHub *) object;

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ag_hub_parent_class)->dispose (object);
}

static void
ag_hub_finalize (GObject *object)
{
  AgHub *self = (AgHub *) object;

  /* Without the sequence, cancelling a timer is a no-op, so the tables below can be freed
   * in any order. */
  g_clear_pointer (&self->timers, g_sequence_free);
  g_clear_pointer (&self->conns, g_hash_table_unref);
  g_clear_pointer (&self->apps, g_hash_table_unref);
  g_clear_pointer (&self->error_counts, g_hash_table_unref);
  g_clear_pointer (&self->admin_failures, g_hash_table_unref);
  g_clear_pointer (&self->admin_epoch, g_free);
  if (self->admin_key != NULL)
    memset (self->admin_key, 0, strlen (self->admin_key));
  g_clear_pointer (&self->admin_key, g_free);

  G_OBJECT_CLASS (ag_hub_parent_class)->finalize (object);
}

static void
ag_hub_class_init (AgHubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_hub_dispose;
  object_class->finalize = ag_hub_finalize;
}

static void
ag_hub_init (AgHub *self)
{
  self->apps = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) app_free);
  self->conns = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) _ag_hub_conn_free);
  self->admin_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                _ag_hub_admin_failures_free);
  self->admin_epoch = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  self->error_counts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->timers = g_sequence_new (NULL);
  self->max_offline_bytes = AG_DEFAULT_OFFLINE_BYTES;
  self->memory_budget = AG_DEFAULT_MEMORY_BUDGET;
  _ag_hub_timer_init (&self->offline_timer, offline_expiry_cb, NULL);
}

/**
 * ag_hub_new:
 * @engine: where user attributes and offline messages are kept
 * @sink: how the hub sends frames and closes connections; copied
 * @sink_data: passed to the sink's functions
 *
 * Returns: (transfer full): a new hub with no apps
 */
AgHub *
ag_hub_new (AgEngine        *engine,
            const AgHubSink *sink,
            gpointer         sink_data)
{
  AgHub *self;

  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (sink != NULL && sink->send != NULL && sink->close != NULL, NULL);

  self = g_object_new (AG_TYPE_HUB, NULL);
  self->engine = g_object_ref (engine);
  self->sink = *sink;
  self->sink_data = sink_data;

  return self;
}

void
ag_hub_add_app (AgHub             *self,
                const AgAppConfig *config)
{
  AgHubApp *app;

  g_return_if_fail (AG_IS_HUB (self));
  g_return_if_fail (config != NULL && config->app_id != NULL);

  app = g_hash_table_lookup (self->apps, config->app_id);

  /* Replacing keeps the app's sessions, channels and uids; only the settings change. The
   * table's key is config.app_id, which stays the same string. */
  if (app != NULL) {
    g_free (app->config.certificate);
    app->config.certificate = g_strdup (config->certificate);
    app->config.allow_no_token = config->allow_no_token;
    app->config.user_msg_rate = config->user_msg_rate;
    app->config.channel_msg_rate = config->channel_msg_rate;
    app->config.user_request_rate = config->user_request_rate;
    app->config.max_channels = config->max_channels;
    app->config.max_user_attrs = config->max_user_attrs;
    app->config.max_user_attr_bytes = config->max_user_attr_bytes;
    g_free (app->config.admin_key);
    app->config.admin_key = g_strdup (config->admin_key);
    return;
  }

  app = g_new0 (AgHubApp, 1);
  app->hub = self;
  app_config_copy (&app->config, config);
  app->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) user_free);
  app->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) _ag_hub_channel_free);
  app->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  app->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) _ag_hub_call_free);
  app->online = g_sequence_new (NULL);
  app->channel_order = g_sequence_new (NULL);
  g_queue_init (&app->lingering);
  _ag_hub_timer_init (&app->linger_timer, linger_cb, app);
  g_hash_table_insert (self->apps, app->config.app_id, app);
}

gboolean
ag_hub_has_app (AgHub      *self,
                const char *app_id)
{
  g_return_val_if_fail (AG_IS_HUB (self), FALSE);
  g_return_val_if_fail (app_id != NULL, FALSE);

  return g_hash_table_contains (self->apps, app_id);
}

gboolean
ag_hub_restore (AgHub   *self,
                gint64   now_us,
                GError **error)
{
  GHashTableIter apps;
  gpointer value;
  gint64 next;

  g_return_val_if_fail (AG_IS_HUB (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->now_us = now_us;

  g_hash_table_iter_init (&apps, self->apps);
  while (g_hash_table_iter_next (&apps, NULL, &value)) {
    AgHubApp *app = value;
    g_autoptr(GHashTable) uids = NULL;
    g_autoptr(GPtrArray) channels = NULL;
    GHashTableIter iter;
    gpointer account, uid;

    /* A reloaded configuration may add apps to a running hub; the others are loaded. */
    if (app->restored)
      continue;

    if (!ag_engine_load_app (self->engine, app->config.app_id, &uids, &channels, error))
      return FALSE;
    app->restored = TRUE;

    /* Known accounts keep their uids; new ones continue after the highest. An engine that
     * looks uids up keeps them: the hub holds none for accounts that are not logged in. */
    g_hash_table_iter_init (&iter, uids);
    while (g_hash_table_iter_next (&iter, &account, &uid)) {
      app->last_uid = MAX (app->last_uid, GPOINTER_TO_UINT (uid));
      if (!ag_engine_can_lookup_uids (self->engine))
        _ag_hub_user_ensure (app, account)->uid = GPOINTER_TO_UINT (uid);
    }

    for (guint i = 0; i < channels->len; i++)
      _ag_hub_channel_restore (self, app, g_ptr_array_index (channels, i));
  }

  next = ag_engine_offline_expire (self->engine, now_us);
  if (next != G_MAXINT64)
    _ag_hub_timer_schedule (self, &self->offline_timer, next);

  return TRUE;
}

gboolean
ag_hub_commit (AgHub   *self,
               GError **error)
{
  g_return_val_if_fail (AG_IS_HUB (self), FALSE);

  return ag_engine_commit (self->engine, error);
}

void
ag_hub_connection_opened (AgHub   *self,
                          guint64  conn_id,
                          gint64   now_us)
{
  AgHubConn *conn;

  g_return_if_fail (AG_IS_HUB (self));

  self->now_us = now_us;

  if (lookup_conn (self, conn_id) != NULL) {
    g_debug ("Connection %" G_GUINT64_FORMAT " opened twice", conn_id);
    return;
  }

  conn = _ag_hub_conn_new (conn_id);
  g_hash_table_insert (self->conns, &conn->id, conn);
  self->stats.connections++;
  _ag_hub_timer_schedule (self, &conn->login_timer,
                          _ag_hub_after_seconds (self, AG_LIMIT_LOGIN_DEADLINE_S));
}

void
ag_hub_connection_set_address (AgHub      *self,
                               guint64     conn_id,
                               const char *address)
{
  AgHubConn *conn;

  g_return_if_fail (AG_IS_HUB (self));

  conn = lookup_conn (self, conn_id);
  if (conn != NULL) {
    g_free (conn->address);
    conn->address = g_strdup (address);
  }
}

void
ag_hub_connection_set_sink_data (AgHub    *self,
                                 guint64   conn_id,
                                 gpointer  conn_data)
{
  AgHubConn *conn;

  g_return_if_fail (AG_IS_HUB (self));

  conn = lookup_conn (self, conn_id);
  if (conn != NULL)
    conn->sink_data = conn_data;
}

void
ag_hub_set_admin_key (AgHub      *self,
                      const char *key)
{
  g_return_if_fail (AG_IS_HUB (self));

  g_free (self->admin_key);
  self->admin_key = g_strdup (key);
}

void
ag_hub_connection_frame (AgHub      *self,
                         guint64     conn_id,
                         const char *data,
                         gsize       length,
                         gint64      now_us)
{
  g_autoptr(AgFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  AgHubConn *conn;
  gint64 id = 0;

  g_return_if_fail (AG_IS_HUB (self));
  g_return_if_fail (data != NULL || length == 0);

  self->now_us = now_us;

  /* A connection the hub closed (logout, kicked) may still deliver frames the client sent
   * before it saw the close; they are no longer answered. */
  conn = lookup_conn (self, conn_id);
  if (conn == NULL)
    return;

  self->stats.frames_in++;

  frame = ag_frame_decode (data != NULL ? data : "", length, AG_FRAME_FROM_CLIENT, &id, &error);

  /* Admin ops are unknown to the client protocol; only then is the frame parsed again. */
  if (frame == NULL && g_error_matches (error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP)) {
    g_autoptr(AgAdminRequest) request = NULL;
    g_autoptr(GError) admin_error = NULL;
    gint64 admin_id = 0;

    request = ag_admin_request_decode (data, length, TRUE, &admin_id, &admin_error);
    if (request != NULL) {
      _ag_hub_admin_dispatch (self, conn, request);
      return;
    }

    if (!g_error_matches (admin_error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP)) {
      g_clear_error (&error);
      error = g_steal_pointer (&admin_error);
      id = admin_id;
    }
  }

  if (frame == NULL) {
    int code = error != NULL && error->domain == AG_ERROR ? error->code
                                                          : AG_ERROR_PROTO_E_MALFORMED;

    _ag_hub_reply_error (self, conn, id, code, error != NULL ? error->message : NULL);
    return;
  }

  /* An admin connection keeps alive with ping and makes no client requests. */
  if (conn->admin != NULL && frame->op != AG_OP_PING) {
    _ag_hub_reply_error (self, conn, frame->id, AG_ERROR_ADMIN_E_WRONG_MODE,
                         "client request on an admin connection");
    return;
  }

  dispatch (self, conn, frame);
}

void
ag_hub_connection_closed (AgHub   *self,
                          guint64  conn_id,
                          gint64   now_us)
{
  AgHubConn *conn;

  g_return_if_fail (AG_IS_HUB (self));

  self->now_us = now_us;

  conn = lookup_conn (self, conn_id);
  if (conn == NULL)
    return;

  session_end (self, conn, AG_ERROR_LOGOUT_E_NET);
  if (conn->admin != NULL)
    _ag_hub_admin_conn_closed (self, conn);
  _ag_hub_timer_cancel (self, &conn->login_timer);
  g_hash_table_remove (self->conns, &conn_id);
  self->stats.connections--;
}

void
ag_hub_tick (AgHub  *self,
             gint64  now_us)
{
  g_return_if_fail (AG_IS_HUB (self));

  self->now_us = now_us;

  /* Timers scheduled by the callbacks run in this same tick when they are already due;
   * periodic ones always reschedule into the future, so this ends. */
  for (;;) {
    GSequenceIter *first = g_sequence_get_begin_iter (self->timers);
    AgHubTimer *timer;

    if (g_sequence_iter_is_end (first))
      break;

    timer = g_sequence_get (first);
    if (timer->due_us > now_us)
      break;

    g_sequence_remove (first);
    timer->iter = NULL;
    timer->func (self, timer->data);
  }
}

gint64
ag_hub_next_deadline (AgHub *self)
{
  GSequenceIter *first;

  g_return_val_if_fail (AG_IS_HUB (self), G_MAXINT64);

  first = g_sequence_get_begin_iter (self->timers);
  if (g_sequence_iter_is_end (first))
    return G_MAXINT64;

  return ((AgHubTimer *) g_sequence_get (first))->due_us;
}

void
ag_hub_set_max_offline_bytes (AgHub   *self,
                              guint64  max_bytes)
{
  g_return_if_fail (AG_IS_HUB (self));

  self->max_offline_bytes = max_bytes != 0 ? max_bytes : AG_DEFAULT_OFFLINE_BYTES;
}

guint64
ag_hub_get_offline_bytes (AgHub   *self,
                          guint64 *out_max_bytes)
{
  g_return_val_if_fail (AG_IS_HUB (self), 0);

  if (out_max_bytes != NULL)
    *out_max_bytes = self->max_offline_bytes;

  return ag_engine_offline_bytes (self->engine);
}

void
ag_hub_set_memory_budget (AgHub   *self,
                          guint64  budget)
{
  g_return_if_fail (AG_IS_HUB (self));

  self->memory_budget = budget != 0 ? budget : AG_DEFAULT_MEMORY_BUDGET;
}

void
ag_hub_get_memory (AgHub       *self,
                   AgHubMemory *out_memory)
{
  g_return_if_fail (AG_IS_HUB (self));
  g_return_if_fail (out_memory != NULL);

  out_memory->budget = self->memory_budget;
  out_memory->output = memory_output (self);
  out_memory->state = memory_state (self);
}

const AgHubStats *
ag_hub_get_stats (AgHub *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (AG_IS_HUB (self), NULL);

  /* Counted when asked: the tables know their sizes, there are few apps. */
  self->stats.accounts = 0;
  g_hash_table_iter_init (&iter, self->apps);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    self->stats.accounts += g_hash_table_size (((AgHubApp *) value)->users);

  return &self->stats;
}

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  int ca = *(const int *) a;
  int cb = *(const int *) b;

  return (ca > cb) - (ca < cb);
}

void
ag_hub_foreach_error_count (AgHub    *self,
                            void    (*func) (int code, guint64 count, gpointer data),
                            gpointer  data)
{
  g_autoptr(GArray) codes = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (AG_IS_HUB (self));
  g_return_if_fail (func != NULL);

  codes = g_array_sized_new (FALSE, FALSE, sizeof (int), g_hash_table_size (self->error_counts));
  g_hash_table_iter_init (&iter, self->error_counts);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    int code = GPOINTER_TO_INT (key);

    g_array_append_val (codes, code);
  }

  /* In code order, so /metrics output is stable. */
  g_array_sort (codes, compare_codes);

  for (guint i = 0; i < codes->len; i++) {
    int code = g_array_index (codes, int, i);
    guint64 *count = g_hash_table_lookup (self->error_counts, GINT_TO_POINTER (code));

    func (code, *count, data);
  }
}
