/* ag-admin.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-private.h"
#include "ag-admin-model-private.h"

#include <libsoup/soup.h>

#include "ag-admin-frame.h"
#include "ag-admin-snapshot.h"
#include "ag-enums.h"
#include "ag-error.h"
#include "ag-limits.h"
#include "ag-member-private.h"

#define MAX_INCOMING_BYTES    (16 * 1024 * 1024)
#define RECONNECT_FIRST_MS    500
#define RECONNECT_MAX_MS      30000
/* How long one turn of the loop handles received frames: libsoup hands over every frame it
 * can read at once, which for a big snapshot is all of it. */
#define INCOMING_BUDGET_US    8000

/**
 * AgAdmin:
 *
 * An operator's connection to one app of agsignald ([admin-api.md](admin-api.md)).
 *
 * [method@Admin.connect_async] logs in with an admin key and subscribes to the app: the
 * snapshot fills two live models, [method@Admin.get_users] (the online users by account) and
 * [method@Admin.get_channels] (the channels by name), which the stream then keeps equal to the
 * server's. After a lost connection the object reconnects by itself and resumes the stream
 * where it stopped, or takes a new snapshot; meanwhile [property@Admin:stale] is %TRUE.
 *
 * Requests (listings beyond the live view, a channel's full member list, an account's
 * details, the server's statistics) and actions (kick, remove, publish, send, channel
 * attributes) have `_async`/`_finish` forms; their errors are in the `AG_ERROR` domain with
 * the server's code.
 *
 * Since: 0.2
 */
struct _AgAdmin {
  GObject                  parent_instance;

  char                    *server_uri;
  char                    *app_id;
  char                    *key;
  char                    *scope;
  AgAdminState             state;
  gboolean                 stale;
  gboolean                 want_connected;
  gboolean                 was_live;
  gboolean                 live_view;

  SoupSession             *soup;
  SoupWebsocketConnection *ws;
  GQueue                   incoming;       /* of GBytes: text frames not handled yet */
  GSource                 *incoming_source;
  GCancellable            *connect_cancellable;
  guint                    reconnect_source;
  guint                    reconnect_delay_ms;
  GTask                   *connect_task;

  AgAdminModel            *users;          /* of AgAdminUser, by account */
  AgAdminModel            *channels;       /* of AgAdminChannel, by name */

  /* While a snapshot arrives (its items are staged in the models): the events that came
   * with it. */
  GPtrArray               *buffered_events; /* of JsonObject* */

  char                    *epoch;
  guint64                  seq;
  gint64                   next_id;
  GHashTable              *pending;        /* id -> Pending* */
};

/* The connection's own requests (login, subscribe) are handled as their reply is read, so that
 * the frames behind the reply find the state it set up; the application's complete a GTask. */
typedef void (*ReplyHandler) (AgAdmin    *self,
                              JsonObject *reply,
                              GError     *error);

typedef struct {
  GTask        *task;
  ReplyHandler  handler;
} Pending;

G_DEFINE_FINAL_TYPE (AgAdmin, ag_admin, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER_URI,
  PROP_APP_ID,
  PROP_STATE,
  PROP_SCOPE,
  PROP_STALE,
  PROP_SEQ,
  PROP_N_USERS,
  PROP_N_CHANNELS,
  PROP_LIVE_VIEW,
  N_PROPS
};

enum {
  SIGNAL_SYNCED,
  SIGNAL_USER_ONLINE,
  SIGNAL_USER_OFFLINE,
  SIGNAL_CHANNEL_ADDED,
  SIGNAL_CHANNEL_REMOVED,
  SIGNAL_CHANNEL_USER_JOINED,
  SIGNAL_CHANNEL_USER_LEFT,
  SIGNAL_COUNTS,
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_connection (AgAdmin *self);

/* Live models */

static const char *
user_key (gpointer item)
{
  return ag_admin_user_get_account (item);
}

static const char *
channel_key (gpointer item)
{
  return ag_admin_channel_get_name (item);
}

/* State */

static void
set_state (AgAdmin      *self,
           AgAdminState  state)
{
  gboolean stale;

  if (state == AG_ADMIN_STATE_LIVE)
    self->was_live = TRUE;

  stale = state != AG_ADMIN_STATE_LIVE && self->was_live;

  if (self->state != state) {
    self->state = state;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  }

  if (self->stale != stale) {
    self->stale = stale;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE]);
  }
}

static void
notify_counts (AgAdmin *self,
               guint    old_users,
               guint    old_channels)
{
  if (_ag_admin_model_get_n_items (self->users) != old_users)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_USERS]);
  if (_ag_admin_model_get_n_items (self->channels) != old_channels)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHANNELS]);
}

/* Requests */

static GError *
error_from_reply (JsonObject *reply)
{
  int code = (int) json_object_get_int_member_with_default (reply, "code",
                                                            AG_ERROR_GENERAL_E_FAILED);
  const char *reason = _ag_admin_json_string (reply, "reason");

  return g_error_new_literal (AG_ERROR, code, reason != NULL ? reason
                                                             : ag_error_code_describe (code));
}

static void
pending_complete (AgAdmin    *self,
                  Pending    *pending,
                  JsonObject *reply,
                  GError     *error)
{
  if (pending->handler != NULL) {
    pending->handler (self, reply, error);
  } else if (error != NULL) {
    g_task_return_error (pending->task, g_error_copy (error));
  } else {
    g_task_return_pointer (pending->task, json_object_ref (reply),
                           (GDestroyNotify) json_object_unref);
  }

  g_clear_object (&pending->task);
  g_free (pending);
}

/* Sends request (its id is set here); the task (or the handler) gets the "ok" reply. */
static void
send_request_full (AgAdmin        *self,
                   AgAdminRequest *request,
                   GTask          *task,
                   ReplyHandler    handler)
{
  g_autofree char *text = NULL;
  Pending *pending = g_new0 (Pending, 1);

  pending->task = task;
  pending->handler = handler;

  if (self->ws == NULL ||
      soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN ||
      (request->op != AG_ADMIN_OP_LOGIN && self->scope == NULL)) {
    g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                           "Not connected to %s", self->server_uri);

    pending_complete (self, pending, NULL, error);
    return;
  }

  request->id = ++self->next_id;
  text = ag_admin_request_encode (request);
  g_hash_table_insert (self->pending, GINT_TO_POINTER ((int) request->id), pending);
  soup_websocket_connection_send_text (self->ws, text);
}

static void
send_request (AgAdmin        *self,
              AgAdminRequest *request,
              GTask          *task)
{
  send_request_full (self, request, task, NULL);
}

static void
fail_pending (AgAdmin *self)
{
  g_autoptr(GHashTable) pending = g_steal_pointer (&self->pending);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  self->pending = g_hash_table_new (NULL, NULL);
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "The connection to %s was lost", self->server_uri);

  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Pending *entry = value;

    /* The connection's own requests end with the connection. */
    if (entry->handler != NULL) {
      g_free (entry);
      continue;
    }
    pending_complete (self, entry, NULL, error);
  }
}

static JsonObject *
request_finish (AgAdmin       *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GTask *
new_task (AgAdmin             *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);

  return task;
}

/* The stream */

static void
apply_event (AgAdmin    *self,
             JsonObject *event)
{
  const char *type = _ag_admin_json_string (event, "type");
  const char *name = _ag_admin_json_string (event, "name");
  const char *account = _ag_admin_json_string (event, "account");
  guint old_users = _ag_admin_model_get_n_items (self->users);
  guint old_channels = _ag_admin_model_get_n_items (self->channels);
  AgAdminChannel *channel = name != NULL ? _ag_admin_model_lookup (self->channels, name) : NULL;
  AgAdminUser *user = account != NULL ? _ag_admin_model_lookup (self->users, account) : NULL;

  if (type == NULL)
    return;

  if (json_object_has_member (event, "seq")) {
    guint64 seq = (guint64) json_object_get_int_member (event, "seq");

    /* A resumed stream may repeat what a snapshot already holds. */
    if (seq <= self->seq)
      return;
    self->seq = seq;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  }

  if (g_str_equal (type, "online")) {
    JsonObject *record = _ag_admin_json_object (event, "user");
    g_autoptr(AgAdminUser) added = record != NULL ? _ag_admin_user_new_from_json (record) : NULL;

    if (added != NULL && ag_admin_user_get_account (added) != NULL) {
      _ag_admin_model_put (self->users, added);
      g_signal_emit (self, signals[SIGNAL_USER_ONLINE], 0, added);
    }
  } else if (g_str_equal (type, "offline")) {
    if (user != NULL) {
      g_autoptr(AgAdminUser) removed = g_object_ref (user);

      _ag_admin_model_remove (self->users, account);
      g_signal_emit (self, signals[SIGNAL_USER_OFFLINE], 0, removed,
                     (int) json_object_get_int_member_with_default (event, "code", 0));
    }
  } else if (g_str_equal (type, "channel")) {
    JsonObject *record = _ag_admin_json_object (event, "channel");
    g_autoptr(AgAdminChannel) added = record != NULL ? _ag_admin_channel_new_from_json (record)
                                                     : NULL;

    if (added != NULL && ag_admin_channel_get_name (added) != NULL) {
      _ag_admin_model_put (self->channels, added);
      g_signal_emit (self, signals[SIGNAL_CHANNEL_ADDED], 0, added);
    }
  } else if (g_str_equal (type, "channel_gone")) {
    if (channel != NULL) {
      g_autoptr(AgAdminChannel) removed = g_object_ref (channel);

      _ag_admin_model_remove (self->channels, name);
      g_signal_emit (self, signals[SIGNAL_CHANNEL_REMOVED], 0, removed);
    }
  } else if (g_str_equal (type, "join") || g_str_equal (type, "leave")) {
    gboolean join = g_str_equal (type, "join");

    if (channel != NULL)
      _ag_admin_channel_set_counts (channel,
                                    (guint) json_object_get_int_member_with_default (event,
                                                                                     "members", 0),
                                    (guint64) json_object_get_int_member_with_default (
                                      event, "total_joins", 0));
    if (user != NULL) {
      if (join)
        _ag_admin_user_set_channel (user, name);
      else if (g_strcmp0 (ag_admin_user_get_channel (user), name) == 0)
        _ag_admin_user_set_channel (user, NULL);
    }
    if (channel != NULL && account != NULL) {
      guint uid = (guint) json_object_get_int_member_with_default (event, "uid", 0);

      if (join)
        g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_JOINED], 0, channel, account, uid);
      else
        g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_LEFT], 0, channel, account, uid,
                       (int) json_object_get_int_member_with_default (event, "code", 0));
    }
  } else if (g_str_equal (type, "attr")) {
    if (channel != NULL)
      _ag_admin_channel_change_attr (channel, _ag_admin_json_string (event, "change"),
                                     _ag_admin_json_string (event, "attr"),
                                     _ag_admin_json_string (event, "value"));
  } else if (g_str_equal (type, "counts")) {
    g_signal_emit (self, signals[SIGNAL_COUNTS], 0,
                   (guint) json_object_get_int_member_with_default (event, "channel_msgs", 0),
                   (guint) json_object_get_int_member_with_default (event, "peer_msgs", 0),
                   (guint) json_object_get_int_member_with_default (event, "call_msgs", 0),
                   (guint) json_object_get_int_member_with_default (event, "presence", 0));
  }

  notify_counts (self, old_users, old_channels);
}

static void
became_live (AgAdmin  *self,
             gboolean  resumed)
{
  self->reconnect_delay_ms = 0;
  set_state (self, AG_ADMIN_STATE_LIVE);
  g_signal_emit (self, signals[SIGNAL_SYNCED], 0, resumed);

  if (self->connect_task != NULL) {
    GTask *task = g_steal_pointer (&self->connect_task);

    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
}

/* The records of one snapshot frame become items, staged in the models, as they arrive; the
 * models show them all at the end of the snapshot. */
static void
snapshot_chunk (AgAdmin         *self,
                AgAdminSnapshot *snapshot)
{
  if (self->buffered_events == NULL)
    return;

  for (guint i = 0; i < snapshot->users->len; i++) {
    g_autoptr(AgAdminUser) user =
      _ag_admin_user_new_from_record (&g_array_index (snapshot->users, AgAdminUserRecord, i));

    _ag_admin_model_stage (self->users, user);
  }

  for (guint i = 0; i < snapshot->channels->len; i++) {
    g_autoptr(AgAdminChannel) channel =
      _ag_admin_channel_new_from_record (&g_array_index (snapshot->channels,
                                                         AgAdminChannelRecord, i));

    _ag_admin_model_stage (self->channels, channel);
  }
}

static void
snapshot_end (AgAdmin    *self,
              JsonObject *frame)
{
  g_autoptr(GPtrArray) events = g_steal_pointer (&self->buffered_events);
  guint old_users = _ag_admin_model_get_n_items (self->users);
  guint old_channels = _ag_admin_model_get_n_items (self->channels);

  if (events == NULL)
    return;

  _ag_admin_model_commit_staged (self->users);
  _ag_admin_model_commit_staged (self->channels);
  self->seq = (guint64) json_object_get_int_member_with_default (frame, "seq", 0);
  notify_counts (self, old_users, old_channels);

  for (guint i = 0; i < events->len; i++)
    apply_event (self, events->pdata[i]);
  /* The models hold the snapshot when the connection is reported live. */
  _ag_admin_model_flush (self->users);
  _ag_admin_model_flush (self->channels);

  became_live (self, FALSE);
}

static void
handle_frame (AgAdmin *self,
              GBytes  *message)
{
  g_autoptr(AgAdminSnapshot) snapshot = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *frame;
  const char *op;
  gint64 id;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  /* Snapshot frames, most of what a big app sends at first, are decoded without a tree;
   * the same scan checks every other frame before json-glib reads it. */
  if (!_ag_admin_snapshot_decode (data, length, &snapshot, &error)) {
    g_debug ("admin %s: %s", self->app_id, error->message);
    return;
  }

  if (snapshot != NULL) {
    snapshot_chunk (self, snapshot);
    return;
  }

  root = _ag_admin_parse_checked_frame (data, length);
  if (root == NULL)
    return;

  frame = json_node_get_object (root);
  op = _ag_admin_json_string (frame, "op");
  id = json_object_get_int_member_with_default (frame, "id", 0);

  if (op == NULL)
    return;

  if (id > 0 && (g_str_equal (op, "ok") || g_str_equal (op, "error"))) {
    g_autoptr(GError) reply_error = NULL;
    Pending *pending = NULL;

    if (!g_hash_table_steal_extended (self->pending, GINT_TO_POINTER ((int) id), NULL,
                                      (gpointer *) &pending))
      return;

    if (!g_str_equal (op, "ok"))
      reply_error = error_from_reply (frame);
    pending_complete (self, pending, frame, reply_error);
  } else if (g_str_equal (op, "admin_snapshot_end")) {
    snapshot_end (self, frame);
  } else if (g_str_equal (op, "admin_event")) {
    if (self->buffered_events != NULL)
      g_ptr_array_add (self->buffered_events, json_object_ref (frame));
    else
      apply_event (self, frame);
  }
}

/* Frames are handled in arrival order, a time budget per turn of the loop, so that a big
 * snapshot leaves the loop to input and timers between its slices. */
static gboolean
incoming_cb (gpointer user_data)
{
  AgAdmin *self = user_data;
  g_autoptr(AgAdmin) guard = g_object_ref (self);
  GSource *source = self->incoming_source;
  gint64 deadline = g_get_monotonic_time () + INCOMING_BUDGET_US;
  GBytes *message;

  while ((message = g_queue_pop_head (&self->incoming)) != NULL) {
    handle_frame (self, message);
    g_bytes_unref (message);

    /* A frame may have ended the connection, which drops the rest. */
    if (self->incoming_source != source)
      return G_SOURCE_REMOVE;
    if (g_get_monotonic_time () >= deadline)
      break;
  }

  if (!g_queue_is_empty (&self->incoming))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->incoming_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               AgAdmin                 *self)
{
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;

  g_queue_push_tail (&self->incoming, g_bytes_ref (message));
  if (self->incoming_source == NULL) {
    self->incoming_source = g_idle_source_new ();
    /* At the priority of input, before redraws: no frame is painted half-way through. */
    g_source_set_priority (self->incoming_source, G_PRIORITY_DEFAULT);
    g_source_set_callback (self->incoming_source, incoming_cb, self, NULL);
    g_source_set_static_name (self->incoming_source, "[agsignal] admin frames");
    g_source_attach (self->incoming_source, g_main_context_get_thread_default ());
  }
}

static void
drop_incoming (AgAdmin *self)
{
  if (self->incoming_source != NULL) {
    g_source_destroy (self->incoming_source);
    g_clear_pointer (&self->incoming_source, g_source_unref);
  }
  g_queue_clear_full (&self->incoming, (GDestroyNotify) g_bytes_unref);
}

/* Connecting */

static void
clear_connection (AgAdmin *self)
{
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);

  if (self->ws != NULL) {
    g_signal_handlers_disconnect_by_data (self->ws, self);
    if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_clear_object (&self->ws);
  }

  drop_incoming (self);
  g_clear_pointer (&self->scope, g_free);
  _ag_admin_model_discard_staged (self->users);
  _ag_admin_model_discard_staged (self->channels);
  g_clear_pointer (&self->buffered_events, g_ptr_array_unref);
  fail_pending (self);
}

static void
finish_connect_with_error (AgAdmin *self,
                           GError  *error)
{
  GTask *task = g_steal_pointer (&self->connect_task);

  if (task != NULL) {
    g_task_return_error (task, g_error_copy (error));
    g_object_unref (task);
  }
}

static gboolean
reconnect_cb (gpointer user_data)
{
  AgAdmin *self = user_data;

  self->reconnect_source = 0;
  start_connection (self);

  return G_SOURCE_REMOVE;
}

/* A failure: before the first success the connect call fails; afterwards the object tries
 * again with a growing delay, unless the key was refused. */
static void
connection_failed (AgAdmin *self,
                   GError  *error)
{
  gboolean refused = g_error_matches (error, AG_ERROR, AG_ERROR_ADMIN_E_UNAUTHORIZED);

  clear_connection (self);

  g_signal_emit (self, signals[SIGNAL_ERROR], 0,
                 error->domain == AG_ERROR ? error->code : AG_ERROR_GENERAL_E_FAILED,
                 error->message);

  if (!self->was_live || !self->live_view || refused || !self->want_connected) {
    self->want_connected = FALSE;
    set_state (self, AG_ADMIN_STATE_DISCONNECTED);
    finish_connect_with_error (self, error);
    return;
  }

  set_state (self, AG_ADMIN_STATE_RECONNECTING);
  self->reconnect_delay_ms = self->reconnect_delay_ms == 0 ?
    RECONNECT_FIRST_MS : MIN (self->reconnect_delay_ms * 2, RECONNECT_MAX_MS);
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  self->reconnect_source = g_timeout_add (self->reconnect_delay_ms, reconnect_cb, self);
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              AgAdmin                 *self)
{
  g_autoptr(AgAdmin) guard = g_object_ref (self);
  g_autoptr(GError) error = g_error_new (AG_ERROR, AG_ERROR_LOGOUT_E_NET,
                                         "The connection to %s was closed", self->server_uri);
  GBytes *message;

  /* What arrived before the close comes first (a frame may end the connection itself). */
  while (self->ws == ws && (message = g_queue_pop_head (&self->incoming)) != NULL) {
    handle_frame (self, message);
    g_bytes_unref (message);
  }
  if (self->ws != ws)
    return;

  connection_failed (self, error);
}

static void
subscribed (AgAdmin    *self,
            JsonObject *reply,
            GError     *error)
{
  if (error != NULL) {
    connection_failed (self, error);
    return;
  }

  g_free (self->epoch);
  self->epoch = g_strdup (_ag_admin_json_string (reply, "epoch"));

  if (json_object_get_boolean_member_with_default (reply, "resumed", FALSE)) {
    became_live (self, TRUE);
    return;
  }

  /* The events already queued behind the reply belong after the snapshot. */
  _ag_admin_model_stage_none (self->users);
  _ag_admin_model_stage_none (self->channels);
  self->buffered_events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

static void
logged_in (AgAdmin    *self,
           JsonObject *reply,
           GError     *error)
{
  g_autoptr(AgAdminRequest) request = NULL;

  if (error != NULL) {
    connection_failed (self, error);
    return;
  }

  self->scope = g_strdup (_ag_admin_json_string (reply, "scope"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCOPE]);

  /* Scripts that only make requests need no snapshot of the whole app. */
  if (!self->live_view) {
    GTask *task = g_steal_pointer (&self->connect_task);

    set_state (self, AG_ADMIN_STATE_CONNECTED);
    if (task != NULL) {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
    return;
  }

  set_state (self, AG_ADMIN_STATE_SYNCING);

  request = ag_admin_request_new (AG_ADMIN_OP_SUBSCRIBE);
  if (self->epoch != NULL && self->was_live) {
    request->has_since = TRUE;
    request->since = (gint64) self->seq;
    request->epoch = g_strdup (self->epoch);
  }

  send_request_full (self, request, NULL, subscribed);
}

static void
ws_connect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AgAdmin) self = user_data;
  g_autoptr(AgAdminRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_autoptr(GError) net = g_error_new (AG_ERROR, AG_ERROR_LOGIN_E_NET,
                                           "Cannot connect to %s: %s", self->server_uri,
                                           error->message);
      connection_failed (self, net);
    }
    return;
  }

  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_BYTES);
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), self);

  request = ag_admin_request_new (AG_ADMIN_OP_LOGIN);
  request->app_id = g_strdup (self->app_id);
  request->key = g_strdup (self->key);
  send_request_full (self, request, NULL, logged_in);
}

static void
start_connection (AgAdmin *self)
{
  static const char *protocols[] = { AG_SUBPROTOCOL, NULL };
  g_autoptr(SoupMessage) message = NULL;

  set_state (self, self->was_live ? AG_ADMIN_STATE_RECONNECTING : AG_ADMIN_STATE_CONNECTING);

  message = soup_message_new (SOUP_METHOD_GET, self->server_uri);
  if (message == NULL) {
    g_autoptr(GError) error = g_error_new (AG_ERROR, AG_ERROR_LOGIN_E_NET,
                                           "Invalid server URI %s", self->server_uri);
    self->want_connected = FALSE;
    connection_failed (self, error);
    return;
  }

  self->connect_cancellable = g_cancellable_new ();
  soup_session_websocket_connect_async (self->soup, message, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, self->connect_cancellable,
                                        ws_connect_cb, g_object_ref (self));
}

/* GObject */

static void
ag_admin_dispose (GObject *object)
{
  AgAdmin *self = AG_ADMIN (object);

  ag_admin_disconnect (self);
  g_clear_object (&self->soup);

  G_OBJECT_CLASS (ag_admin_parent_class)->dispose (object);
}

static void
ag_admin_finalize (GObject *object)
{
  AgAdmin *self = AG_ADMIN (object);

  g_free (self->server_uri);
  g_free (self->app_id);
  g_free (self->epoch);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->users, _ag_admin_model_free);
  g_clear_pointer (&self->channels, _ag_admin_model_free);

  G_OBJECT_CLASS (ag_admin_parent_class)->finalize (object);
}

static void
ag_admin_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AgAdmin *self = AG_ADMIN (object);

  switch (prop_id) {
  case PROP_SERVER_URI:
    g_value_set_string (value, self->server_uri);
    break;
  case PROP_APP_ID:
    g_value_set_string (value, self->app_id);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_SCOPE:
    g_value_set_string (value, self->scope);
    break;
  case PROP_STALE:
    g_value_set_boolean (value, self->stale);
    break;
  case PROP_SEQ:
    g_value_set_uint64 (value, self->seq);
    break;
  case PROP_N_USERS:
    g_value_set_uint (value, ag_admin_get_n_users (self));
    break;
  case PROP_N_CHANNELS:
    g_value_set_uint (value, ag_admin_get_n_channels (self));
    break;
  case PROP_LIVE_VIEW:
    g_value_set_boolean (value, self->live_view);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_admin_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  AgAdmin *self = AG_ADMIN (object);

  switch (prop_id) {
  case PROP_SERVER_URI:
    self->server_uri = g_value_dup_string (value);
    break;
  case PROP_APP_ID:
    self->app_id = g_value_dup_string (value);
    break;
  case PROP_LIVE_VIEW:
    self->live_view = g_value_get_boolean (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_admin_class_init (AgAdminClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = ag_admin_dispose;
  object_class->finalize = ag_admin_finalize;
  object_class->get_property = ag_admin_get_property;
  object_class->set_property = ag_admin_set_property;

  /**
   * AgAdmin:server-uri:
   *
   * The server's WebSocket URI ("ws://127.0.0.1:7070/v1").
   */
  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AgAdmin:app-id:
   *
   * The app the operator watches.
   */
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AgAdmin:state:
   *
   * Where the connection is.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, AG_TYPE_ADMIN_STATE, AG_ADMIN_STATE_DISCONNECTED,
                       flags);

  /**
   * AgAdmin:scope:
   *
   * "app" or "server": which key opened the app; %NULL while not logged in.
   */
  properties[PROP_SCOPE] = g_param_spec_string ("scope", NULL, NULL, NULL, flags);

  /**
   * AgAdmin:stale:
   *
   * %TRUE while the models may be behind the server: after having been live, while
   * reconnecting or syncing again, or disconnected.
   */
  properties[PROP_STALE] = g_param_spec_boolean ("stale", NULL, NULL, FALSE, flags);

  /**
   * AgAdmin:seq:
   *
   * The sequence number of the last change applied to the models.
   */
  properties[PROP_SEQ] = g_param_spec_uint64 ("seq", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * AgAdmin:n-users:
   *
   * The online users of the live view.
   */
  properties[PROP_N_USERS] = g_param_spec_uint ("n-users", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * AgAdmin:n-channels:
   *
   * The channels of the live view.
   */
  properties[PROP_N_CHANNELS] = g_param_spec_uint ("n-channels", NULL, NULL,
                                                   0, G_MAXUINT, 0, flags);

  /**
   * AgAdmin:live-view:
   *
   * Whether connecting subscribes to the app: %TRUE (the default) fills the models from a
   * snapshot and keeps them live; %FALSE only logs in (state %AG_ADMIN_STATE_CONNECTED), for
   * scripts that make a few requests without loading the whole app.
   */
  properties[PROP_LIVE_VIEW] =
    g_param_spec_boolean ("live-view", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgAdmin::synced:
   * @self: the admin connection
   * @resumed: %TRUE when the stream resumed after a reconnect, %FALSE after a snapshot
   *
   * The models hold the server's state (after the first connection, and after every
   * reconnect).
   */
  signals[SIGNAL_SYNCED] =
    g_signal_new ("synced", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  /**
   * AgAdmin::user-online:
   * @self: the admin connection
   * @user: the user, now in [method@Admin.get_users]
   *
   * A session logged in.
   */
  signals[SIGNAL_USER_ONLINE] =
    g_signal_new ("user-online", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, AG_TYPE_ADMIN_USER);

  /**
   * AgAdmin::user-offline:
   * @self: the admin connection
   * @user: the user, no longer in [method@Admin.get_users]
   * @code: the logout code (101, 102, 103, 105, 1310…)
   *
   * A session ended.
   */
  signals[SIGNAL_USER_OFFLINE] =
    g_signal_new ("user-offline", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, AG_TYPE_ADMIN_USER, G_TYPE_INT);

  /**
   * AgAdmin::channel-added:
   * @self: the admin connection
   * @channel: the channel, now in [method@Admin.get_channels]
   *
   * A channel was created by its first join.
   */
  signals[SIGNAL_CHANNEL_ADDED] =
    g_signal_new ("channel-added", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, AG_TYPE_ADMIN_CHANNEL);

  /**
   * AgAdmin::channel-removed:
   * @self: the admin connection
   * @channel: the channel, no longer in [method@Admin.get_channels]
   *
   * A channel was destroyed (its `_channel_ttl` passed after the last member left).
   */
  signals[SIGNAL_CHANNEL_REMOVED] =
    g_signal_new ("channel-removed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, AG_TYPE_ADMIN_CHANNEL);

  /**
   * AgAdmin::channel-user-joined:
   * @self: the admin connection
   * @channel: the channel, its counts already updated
   * @account: who joined
   * @uid: the account's uid
   *
   * A session joined a channel.
   */
  signals[SIGNAL_CHANNEL_USER_JOINED] =
    g_signal_new ("channel-user-joined", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, AG_TYPE_ADMIN_CHANNEL, G_TYPE_STRING, G_TYPE_UINT);

  /**
   * AgAdmin::channel-user-left:
   * @self: the admin connection
   * @channel: the channel, its counts already updated
   * @account: who left
   * @uid: the account's uid
   * @code: why: 602 by itself, 603 logout, 604 connection lost, 601 removed by an operator
   *
   * A session left a channel.
   */
  signals[SIGNAL_CHANNEL_USER_LEFT] =
    g_signal_new ("channel-user-left", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, AG_TYPE_ADMIN_CHANNEL, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_INT);

  /**
   * AgAdmin::counts:
   * @self: the admin connection
   * @channel_msgs: channel messages in the last second
   * @peer_msgs: peer messages in the last second
   * @call_msgs: call messages in the last second
   * @presence: logins, logouts, joins and leaves in the last second
   *
   * What the app carried, once a second while it carried anything.
   */
  signals[SIGNAL_COUNTS] =
    g_signal_new ("counts", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * AgAdmin::error:
   * @self: the admin connection
   * @code: an [error@Error] (1300 for a refused key, 102 for a lost connection)
   * @reason: what happened
   *
   * The connection failed. [property@Admin:state] says whether it is tried again.
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
ag_admin_init (AgAdmin *self)
{
  self->soup = soup_session_new ();
  self->users = _ag_admin_model_new (AG_TYPE_ADMIN_USER, user_key);
  self->channels = _ag_admin_model_new (AG_TYPE_ADMIN_CHANNEL, channel_key);
  self->pending = g_hash_table_new (NULL, NULL);
}

/* Public API */

/**
 * ag_admin_new:
 * @server_uri: the server's WebSocket URI
 * @app_id: the app to watch
 *
 * Creates an admin connection to one app of a server.
 *
 * Returns: (transfer full): a new, disconnected admin connection
 */
AgAdmin *
ag_admin_new (const char *server_uri,
              const char *app_id)
{
  g_return_val_if_fail (server_uri != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  return g_object_new (AG_TYPE_ADMIN, "server-uri", server_uri, "app-id", app_id, NULL);
}

/**
 * ag_admin_get_server_uri:
 * @self: an admin connection
 *
 * Gets the server uri.
 *
 * Returns: the server's WebSocket URI
 */
const char *
ag_admin_get_server_uri (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  return self->server_uri;
}

/**
 * ag_admin_get_app_id:
 * @self: an admin connection
 *
 * Gets the app id.
 *
 * Returns: the app
 */
const char *
ag_admin_get_app_id (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  return self->app_id;
}

/**
 * ag_admin_get_state:
 * @self: an admin connection
 *
 * Gets the state.
 *
 * Returns: the connection's state
 */
AgAdminState
ag_admin_get_state (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), AG_ADMIN_STATE_DISCONNECTED);
  return self->state;
}

/**
 * ag_admin_get_scope:
 * @self: an admin connection
 *
 * Gets the scope.
 *
 * Returns: (nullable): "app" or "server", %NULL while not logged in
 */
const char *
ag_admin_get_scope (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  return self->scope;
}

/**
 * ag_admin_get_stale:
 * @self: an admin connection
 *
 * Gets the stale.
 *
 * Returns: whether the models may be behind the server
 */
gboolean
ag_admin_get_stale (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), FALSE);
  return self->stale;
}

/**
 * ag_admin_get_seq:
 * @self: an admin connection
 *
 * Gets the seq.
 *
 * Returns: the sequence number of the last change applied
 */
guint64
ag_admin_get_seq (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), 0);
  return self->seq;
}

/**
 * ag_admin_get_n_users:
 * @self: an admin connection
 *
 * Gets the n users.
 *
 * Returns: the number of online users in the live view
 */
guint
ag_admin_get_n_users (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), 0);
  return _ag_admin_model_get_n_items (self->users);
}

/**
 * ag_admin_get_n_channels:
 * @self: an admin connection
 *
 * Gets the n channels.
 *
 * Returns: the number of channels in the live view
 */
guint
ag_admin_get_n_channels (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), 0);
  return _ag_admin_model_get_n_items (self->channels);
}

/**
 * ag_admin_get_users:
 * @self: an admin connection
 *
 * The online users of the app, sorted by account, kept equal to the server's by the snapshot
 * and the stream.
 *
 * The model applies the stream in batches, at most about one frame (16 ms) after the events
 * (whose signals are emitted at once), with one `items-changed` for changes close to each
 * other: a view on it keeps up with thousands of events a second. [method@Admin.lookup_user]
 * and [property@Admin:n-users] are up to date at every event. When a connection becomes
 * live, the model holds the snapshot.
 *
 * Returns: (transfer none): a list model of [class@AdminUser]
 */
GListModel *
ag_admin_get_users (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  return _ag_admin_model_get_model (self->users);
}

/**
 * ag_admin_get_channels:
 * @self: an admin connection
 *
 * The channels of the app, sorted by name, kept equal to the server's, in batches as
 * [method@Admin.get_users] describes.
 *
 * Returns: (transfer none): a list model of [class@AdminChannel]
 */
GListModel *
ag_admin_get_channels (AgAdmin *self)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  return _ag_admin_model_get_model (self->channels);
}

/**
 * ag_admin_lookup_user:
 * @self: an admin connection
 * @account: an account
 *
 * Looks an item of the live view up.
 *
 * Returns: (transfer none) (nullable): the online user of that account in the live view
 */
AgAdminUser *
ag_admin_lookup_user (AgAdmin    *self,
                      const char *account)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  return _ag_admin_model_lookup (self->users, account);
}

/**
 * ag_admin_lookup_channel:
 * @self: an admin connection
 * @name: a channel name
 *
 * Looks an item of the live view up.
 *
 * Returns: (transfer none) (nullable): the channel of that name in the live view
 */
AgAdminChannel *
ag_admin_lookup_channel (AgAdmin    *self,
                         const char *name)
{
  g_return_val_if_fail (AG_IS_ADMIN (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return _ag_admin_model_lookup (self->channels, name);
}

/**
 * ag_admin_connect_async:
 * @self: an admin connection
 * @key: the admin key of the app, or the server's
 * @cancellable: (nullable): a cancellable
 * @callback: called when the models hold the app's state, or on failure
 * @user_data: data for @callback
 *
 * Connects, logs in with @key and subscribes to the app. Completes once the snapshot is in
 * the models ([property@Admin:state] is %AG_ADMIN_STATE_LIVE; without a
 * [property@Admin:live-view], once logged in), or with the error that
 * stopped it (1300 for a refused key). Once live, a lost connection is retried by itself
 * until [method@Admin.disconnect]. The key stays in memory only.
 */
void
ag_admin_connect_async (AgAdmin             *self,
                        const char          *key,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (key != NULL);

  if (self->connect_task != NULL || self->state != AG_ADMIN_STATE_DISCONNECTED) {
    g_task_report_new_error (self, callback, user_data, ag_admin_connect_async,
                             G_IO_ERROR, G_IO_ERROR_PENDING, "Already connected or connecting");
    return;
  }

  g_free (self->key);
  self->key = g_strdup (key);
  self->want_connected = TRUE;
  self->connect_task = new_task (self, ag_admin_connect_async, cancellable, callback, user_data);
  start_connection (self);
}

/**
 * ag_admin_connect_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error
 *
 * Finishes [method@Admin.connect_async].
 *
 * Returns: %TRUE once the models are live
 */
gboolean
ag_admin_connect_finish (AgAdmin       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ag_admin_disconnect:
 * @self: an admin connection
 *
 * Closes the connection and stops reconnecting. The models keep their last content, now
 * stale.
 */
void
ag_admin_disconnect (AgAdmin *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (AG_IS_ADMIN (self));

  self->want_connected = FALSE;
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  clear_connection (self);

  if (self->key != NULL) {
    memset (self->key, 0, strlen (self->key));
    g_clear_pointer (&self->key, g_free);
  }

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Disconnected");
  finish_connect_with_error (self, error);
  set_state (self, AG_ADMIN_STATE_DISCONNECTED);
}

static void
request_async (AgAdmin             *self,
               AgAdminRequest      *request,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(AgAdminRequest) owned = request;

  send_request (self, owned, new_task (self, source_tag, cancellable, callback, user_data));
}

static GListModel *
page_items (JsonObject *reply,
            const char *member,
            GType       type)
{
  JsonArray *array = _ag_admin_json_array (reply, member);
  GListStore *store = g_list_store_new (type);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonObject *record = json_array_get_object_element (array, i);
    g_autoptr(GObject) item = NULL;

    if (record == NULL)
      continue;

    if (type == AG_TYPE_ADMIN_USER)
      item = G_OBJECT (_ag_admin_user_new_from_json (record));
    else if (type == AG_TYPE_ADMIN_CHANNEL)
      item = G_OBJECT (_ag_admin_channel_new_from_json (record));
    else
      item = G_OBJECT (_ag_member_new (_ag_admin_json_string (record, "account"),
                                       (guint) json_object_get_int_member_with_default (
                                         record, "uid", 0)));
    g_list_store_append (store, item);
  }

  return G_LIST_MODEL (store);
}

static gint64
next_offset (JsonObject *reply)
{
  JsonNode *node = json_object_get_member (reply, "next_offset");

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? json_node_get_int (node) : -1;
}

/**
 * ag_admin_list_users_async:
 * @self: an admin connection
 * @search: (nullable): text the accounts contain or start with, or %NULL for all
 * @match: how @search matches
 * @after: (nullable): continue after this account (the previous page's next cursor)
 * @limit: users per page, 1 to 1000
 * @cancellable: (nullable): a cancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Lists online users by account, a page at a time (`admin_users`).
 */
void
ag_admin_list_users_async (AgAdmin             *self,
                           const char          *search,
                           AgAdminMatch         match,
                           const char          *after,
                           guint                limit,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_USERS);

  g_return_if_fail (AG_IS_ADMIN (self));

  request->search = g_strdup (search);
  request->prefix = match == AG_ADMIN_MATCH_PREFIX;
  request->after = g_strdup (after);
  request->limit = limit;
  request_async (self, request, ag_admin_list_users_async, cancellable, callback, user_data);
}

/**
 * ag_admin_list_users_finish:
 * @self: an admin connection
 * @result: the result
 * @out_total: (out) (optional): the number of matching users
 * @out_next: (out) (optional) (nullable) (transfer full): the cursor of the next page, or
 *   %NULL after the last page
 * @error: return location for an error
 *
 * Finishes [method@Admin.list_users_async].
 *
 * Returns: (transfer full): a list model of [class@AdminUser], or %NULL on error
 */
GListModel *
ag_admin_list_users_finish (AgAdmin       *self,
                            GAsyncResult  *result,
                            guint         *out_total,
                            char         **out_next,
                            GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_list_users_async, error);

  if (reply == NULL)
    return NULL;

  if (out_total != NULL)
    *out_total = (guint) json_object_get_int_member_with_default (reply, "total", 0);
  if (out_next != NULL)
    *out_next = g_strdup (_ag_admin_json_string (reply, "next"));

  return page_items (reply, "users", AG_TYPE_ADMIN_USER);
}

/**
 * ag_admin_list_channels_async:
 * @self: an admin connection
 * @search: (nullable): text the names contain, or %NULL for all
 * @sort: the order
 * @offset: the first channel to list
 * @limit: channels per page, 1 to 1000
 * @cancellable: (nullable): a cancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Lists channels, a page at a time (`admin_channels`).
 */
void
ag_admin_list_channels_async (AgAdmin             *self,
                              const char          *search,
                              AgAdminSort          sort,
                              guint                offset,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_CHANNELS);

  g_return_if_fail (AG_IS_ADMIN (self));

  request->search = g_strdup (search);
  request->by_members = sort == AG_ADMIN_SORT_MEMBERS;
  request->offset = offset;
  request->limit = limit;
  request_async (self, request, ag_admin_list_channels_async, cancellable, callback, user_data);
}

/**
 * ag_admin_list_channels_finish:
 * @self: an admin connection
 * @result: the result
 * @out_total: (out) (optional): the number of matching channels
 * @out_next_offset: (out) (optional): the offset of the next page, -1 after the last
 * @error: return location for an error
 *
 * Finishes [method@Admin.list_channels_async].
 *
 * Returns: (transfer full): a list model of [class@AdminChannel], or %NULL on error
 */
GListModel *
ag_admin_list_channels_finish (AgAdmin       *self,
                               GAsyncResult  *result,
                               guint         *out_total,
                               gint64        *out_next_offset,
                               GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_list_channels_async,
                                                error);

  if (reply == NULL)
    return NULL;

  if (out_total != NULL)
    *out_total = (guint) json_object_get_int_member_with_default (reply, "total", 0);
  if (out_next_offset != NULL)
    *out_next_offset = next_offset (reply);

  return page_items (reply, "channels", AG_TYPE_ADMIN_CHANNEL);
}

/**
 * ag_admin_list_members_async:
 * @self: an admin connection
 * @channel: a channel name
 * @offset: the first member to list (0 is the oldest join)
 * @limit: members per page, 1 to 1000
 * @cancellable: (nullable): a cancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Lists every member of a channel, oldest join first, without joining it (`admin_channel`):
 * unlike a join's roster, not only the newest 200.
 */
void
ag_admin_list_members_async (AgAdmin             *self,
                             const char          *channel,
                             guint                offset,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_CHANNEL);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (channel != NULL);

  request->channel = g_strdup (channel);
  request->offset = offset;
  request->limit = limit;
  request_async (self, request, ag_admin_list_members_async, cancellable, callback, user_data);
}

/**
 * ag_admin_list_members_finish:
 * @self: an admin connection
 * @result: the result
 * @out_total: (out) (optional): the channel's member count
 * @out_next_offset: (out) (optional): the offset of the next page, -1 after the last
 * @error: return location for an error (1302 for a channel that does not exist)
 *
 * Finishes [method@Admin.list_members_async].
 *
 * Returns: (transfer full): a list model of [class@Member], or %NULL on error
 */
GListModel *
ag_admin_list_members_finish (AgAdmin       *self,
                              GAsyncResult  *result,
                              guint         *out_total,
                              gint64        *out_next_offset,
                              GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_list_members_async,
                                                error);

  if (reply == NULL)
    return NULL;

  if (out_total != NULL)
    *out_total = (guint) json_object_get_int_member_with_default (reply, "total", 0);
  if (out_next_offset != NULL)
    *out_next_offset = next_offset (reply);

  return page_items (reply, "members", AG_TYPE_MEMBER);
}

/**
 * ag_admin_get_user_async:
 * @self: an admin connection
 * @account: an account
 * @cancellable: (nullable): a cancellable
 * @callback: called with the details
 * @user_data: data for @callback
 *
 * Asks for one account in detail, online or not, with its user attributes (`admin_user`).
 */
void
ag_admin_get_user_async (AgAdmin             *self,
                         const char          *account,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_USER);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (account != NULL);

  request->account = g_strdup (account);
  request_async (self, request, ag_admin_get_user_async, cancellable, callback, user_data);
}

/**
 * ag_admin_get_user_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error (1301 for an account the server does not know)
 *
 * Finishes [method@Admin.get_user_async].
 *
 * Returns: (transfer full): a new [class@AdminUser] with its attributes, or %NULL on error
 */
AgAdminUser *
ag_admin_get_user_finish (AgAdmin       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_get_user_async, error);
  JsonObject *record;

  if (reply == NULL)
    return NULL;

  record = _ag_admin_json_object (reply, "user");
  if (record == NULL) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "No user in the reply");
    return NULL;
  }

  return _ag_admin_user_new_from_json (record);
}

static void
add_stats (GVariantBuilder *builder,
           JsonObject      *object,
           const char      *prefix)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next) {
    JsonNode *node = json_object_get_member (object, l->data);
    g_autofree char *key = g_strconcat (prefix, l->data, NULL);

    if (JSON_NODE_HOLDS_OBJECT (node)) {
      g_autofree char *nested = g_strconcat (key, ".", NULL);

      add_stats (builder, json_node_get_object (node), nested);
    } else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64) {
      g_variant_builder_add (builder, "{sx}", key, json_node_get_int (node));
    }
  }
}

/**
 * ag_admin_get_stats_async:
 * @self: an admin connection
 * @cancellable: (nullable): a cancellable
 * @callback: called with the statistics
 * @user_data: data for @callback
 *
 * Asks for the app's statistics, and the server's with a server key (`admin_stats`).
 */
void
ag_admin_get_stats_async (AgAdmin             *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (AG_IS_ADMIN (self));

  request_async (self, ag_admin_request_new (AG_ADMIN_OP_STATS), ag_admin_get_stats_async,
                 cancellable, callback, user_data);
}

/**
 * ag_admin_get_stats_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error
 *
 * The statistics as name -> number: the app's (`users_online`, `channels`, `channel_msgs`,
 * `peer_msgs`, `call_msgs`, `presence`, `admin_connections`) and, with a server key, the
 * server's as `server.sessions`, `server.errors.1101` and so on.
 *
 * Returns: (transfer full): a #GVariant of type `a{sx}`, or %NULL on error
 */
GVariant *
ag_admin_get_stats_finish (AgAdmin       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_get_stats_async, error);
  GVariantBuilder builder;
  JsonObject *stats;

  if (reply == NULL)
    return NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sx}"));
  stats = _ag_admin_json_object (reply, "stats");
  if (stats != NULL)
    add_stats (&builder, stats, "");

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
action_finish (AgAdmin       *self,
               GAsyncResult  *result,
               gpointer       source_tag,
               GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, source_tag, error);

  return reply != NULL;
}

/**
 * ag_admin_kick_async:
 * @self: an admin connection
 * @account: an online account
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Ends the account's session: it is logged out with 1310 (`admin_kick`).
 */
void
ag_admin_kick_async (AgAdmin             *self,
                     const char          *account,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_KICK);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (account != NULL);

  request->account = g_strdup (account);
  request_async (self, request, ag_admin_kick_async, cancellable, callback, user_data);
}

/**
 * ag_admin_kick_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error (1301 when the account is not online)
 *
 * Finishes [method@Admin.kick_async].
 *
 * Returns: %TRUE when the session was ended
 */
gboolean
ag_admin_kick_finish (AgAdmin       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return action_finish (self, result, ag_admin_kick_async, error);
}

/**
 * ag_admin_remove_member_async:
 * @self: an admin connection
 * @channel: a channel name
 * @account: a member of @channel
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes a member from a channel: the session leaves it with 601, the other members hear of
 * it with 601 (`admin_remove`).
 */
void
ag_admin_remove_member_async (AgAdmin             *self,
                              const char          *channel,
                              const char          *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_REMOVE);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (channel != NULL && account != NULL);

  request->channel = g_strdup (channel);
  request->account = g_strdup (account);
  request_async (self, request, ag_admin_remove_member_async, cancellable, callback, user_data);
}

/**
 * ag_admin_remove_member_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error (1302 no such channel, 1301 not a member)
 *
 * Finishes [method@Admin.remove_member_async].
 *
 * Returns: %TRUE when the member was removed
 */
gboolean
ag_admin_remove_member_finish (AgAdmin       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return action_finish (self, result, ag_admin_remove_member_async, error);
}

/**
 * ag_admin_publish_async:
 * @self: an admin connection
 * @channel: a channel name
 * @msg: the message, at most 8 KB
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sends a channel message from `_agora_system` to every member, without joining
 * (`admin_publish`).
 */
void
ag_admin_publish_async (AgAdmin             *self,
                        const char          *channel,
                        const char          *msg,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_PUBLISH);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (channel != NULL && msg != NULL);

  request->channel = g_strdup (channel);
  request->msg = g_strdup (msg);
  request_async (self, request, ag_admin_publish_async, cancellable, callback, user_data);
}

/**
 * ag_admin_publish_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error (1302, 1101, 1205)
 *
 * Finishes [method@Admin.publish_async].
 *
 * Returns: the number of members that received the message, or -1 on error
 */
gint64
ag_admin_publish_finish (AgAdmin       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_publish_async, error);

  if (reply == NULL)
    return -1;

  return json_object_get_int_member_with_default (reply, "num", 0);
}

/**
 * ag_admin_send_message_async:
 * @self: an admin connection
 * @account: the recipient
 * @msg: the message, at most 8 KB
 * @ttl: seconds to keep it for an offline recipient (0: only deliver to an online one)
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sends a peer message from `_agora_system` (`admin_send`).
 */
void
ag_admin_send_message_async (AgAdmin             *self,
                             const char          *account,
                             const char          *msg,
                             guint                ttl,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_SEND);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (account != NULL && msg != NULL);

  request->account = g_strdup (account);
  request->msg = g_strdup (msg);
  request->ttl = ttl;
  request_async (self, request, ag_admin_send_message_async, cancellable, callback, user_data);
}

/**
 * ag_admin_send_message_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error (1204 offline without ttl, 1104 queue full)
 *
 * Finishes [method@Admin.send_message_async]. The message was delivered or stored unless
 * @error is set.
 *
 * Returns: %TRUE when it was stored for an offline recipient, %FALSE when it was delivered
 *   at once or on error
 */
gboolean
ag_admin_send_message_finish (AgAdmin       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(JsonObject) reply = request_finish (self, result, ag_admin_send_message_async,
                                                error);

  return reply != NULL && json_object_get_boolean_member_with_default (reply, "stored", FALSE);
}

/**
 * ag_admin_set_channel_attr_async:
 * @self: an admin connection
 * @channel: a channel name
 * @name: the attribute
 * @value: its value
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sets a channel attribute as a member could, built-in ones included
 * (`admin_channel_set_attr`).
 */
void
ag_admin_set_channel_attr_async (AgAdmin             *self,
                                 const char          *channel,
                                 const char          *name,
                                 const char          *value,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_CHANNEL_SET_ATTR);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (channel != NULL && name != NULL && value != NULL);

  request->channel = g_strdup (channel);
  request->name = g_strdup (name);
  request->value = g_strdup (value);
  request_async (self, request, ag_admin_set_channel_attr_async, cancellable, callback,
                 user_data);
}

/**
 * ag_admin_set_channel_attr_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error (1302, 1004, 1102)
 *
 * Finishes [method@Admin.set_channel_attr_async].
 *
 * Returns: %TRUE when the attribute was set
 */
gboolean
ag_admin_set_channel_attr_finish (AgAdmin       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return action_finish (self, result, ag_admin_set_channel_attr_async, error);
}

/**
 * ag_admin_delete_channel_attr_async:
 * @self: an admin connection
 * @channel: a channel name
 * @name: the attribute
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes a channel attribute (`admin_channel_del_attr`).
 */
void
ag_admin_delete_channel_attr_async (AgAdmin             *self,
                                    const char          *channel,
                                    const char          *name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_CHANNEL_DEL_ATTR);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (channel != NULL && name != NULL);

  request->channel = g_strdup (channel);
  request->name = g_strdup (name);
  request_async (self, request, ag_admin_delete_channel_attr_async, cancellable, callback,
                 user_data);
}

/**
 * ag_admin_delete_channel_attr_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error
 *
 * Finishes [method@Admin.delete_channel_attr_async].
 *
 * Returns: %TRUE when done
 */
gboolean
ag_admin_delete_channel_attr_finish (AgAdmin       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return action_finish (self, result, ag_admin_delete_channel_attr_async, error);
}

/**
 * ag_admin_clear_channel_attrs_async:
 * @self: an admin connection
 * @channel: a channel name
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes every attribute of a channel (`admin_channel_clear_attr`).
 */
void
ag_admin_clear_channel_attrs_async (AgAdmin             *self,
                                    const char          *channel,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  AgAdminRequest *request = ag_admin_request_new (AG_ADMIN_OP_CHANNEL_CLEAR_ATTR);

  g_return_if_fail (AG_IS_ADMIN (self));
  g_return_if_fail (channel != NULL);

  request->channel = g_strdup (channel);
  request_async (self, request, ag_admin_clear_channel_attrs_async, cancellable, callback,
                 user_data);
}

/**
 * ag_admin_clear_channel_attrs_finish:
 * @self: an admin connection
 * @result: the result
 * @error: return location for an error
 *
 * Finishes [method@Admin.clear_channel_attrs_async].
 *
 * Returns: %TRUE when done
 */
gboolean
ag_admin_clear_channel_attrs_finish (AgAdmin       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return action_finish (self, result, ag_admin_clear_channel_attrs_async, error);
}
