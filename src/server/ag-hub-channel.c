/* ag-hub-channel.c: channels of the hub: membership, rosters, channel messages, channel
 * attributes and their built-ins, the TTL after the last member leaves, and the two special
 * channels that report an app's presence and channel events.
 *
 * Members are kept in a queue in join order and every connection holds its own link in it,
 * so joining and leaving are O(1) at any size, the roster of the latest joiners is a walk
 * back from the tail, and a fan-out walks the queue without any lookup.
 */

#include "ag-hub-private.h"

#include <string.h>

#define ATTR_USER_NOTIFICATION    "_userNotification"
#define ATTR_CHANNEL_TTL          "_channel_ttl"
#define ATTR_AUTO_UPDATE_NUM      "_auto_update_num"
#define ATTR_MEMBER_NUM           "_member_num"
#define ATTR_AUTO_UPDATE_TOTAL    "_auto_update_total_num"
#define ATTR_TOTAL_MEMBER_NUM     "_total_member_num"
#define ATTR_SENDMSG_LIMIT        "_sendmsg_limit"
#define ATTR_SETATTR_LIMIT        "_setattr_limit"

/* Numeric built-ins are stored as the text the client sent, but must read as a decimal
 * integer that fits a guint (so seconds never overflow a deadline). */
static const char * const numeric_builtins[] = {
  ATTR_USER_NOTIFICATION,
  ATTR_CHANNEL_TTL,
  ATTR_AUTO_UPDATE_NUM,
  ATTR_MEMBER_NUM,
  ATTR_AUTO_UPDATE_TOTAL,
  ATTR_TOTAL_MEMBER_NUM,
  ATTR_SENDMSG_LIMIT,
  ATTR_SETATTR_LIMIT,
};

static gboolean
is_numeric_builtin (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (numeric_builtins); i++) {
    if (g_str_equal (name, numeric_builtins[i]))
      return TRUE;
  }

  return FALSE;
}

static gboolean
parse_builtin_number (const char *value,
                      guint      *out)
{
  guint64 number = 0;

  if (value == NULL || *value == '\0')
    return FALSE;

  for (const char *p = value; *p != '\0'; p++) {
    if (!g_ascii_isdigit (*p))
      return FALSE;

    number = number * 10 + (guint64) (*p - '0');
    if (number > G_MAXUINT)
      return FALSE;
  }

  *out = (guint) number;
  return TRUE;
}

static guint
builtin_value (AgHubChannel *channel,
               const char   *name,
               guint         fallback)
{
  guint value;

  if (!parse_builtin_number (g_hash_table_lookup (channel->attrs, name), &value))
    return fallback;

  return value;
}

static AgHubChannelKind
kind_for_name (const char *name)
{
  if (g_str_equal (name, AG_SPECIAL_CHANNEL_USER_ONLINE))
    return AG_HUB_CHANNEL_USER_ONLINE;
  if (g_str_equal (name, AG_SPECIAL_CHANNEL_EVENTS))
    return AG_HUB_CHANNEL_EVENTS;

  return AG_HUB_CHANNEL_ORDINARY;
}

const char *
_ag_hub_channel_kind_name (AgHubChannelKind kind)
{
  switch (kind) {
  case AG_HUB_CHANNEL_USER_ONLINE:
    return "user_online";
  case AG_HUB_CHANNEL_EVENTS:
    return "channel_event";
  case AG_HUB_CHANNEL_ORDINARY:
  default:
    return "ordinary";
  }
}

/* Sends one frame to every member but except (which may be NULL), encoding it once. */
static guint
broadcast (AgHub         *hub,
           AgHubChannel  *channel,
           const AgFrame *frame,
           AgHubConn     *except)
{
  g_autoptr(GBytes) bytes = NULL;
  guint sent = 0;

  if (channel->members.length == 0 ||
      (channel->members.length == 1 && channel->members.head->data == except))
    return 0;

  bytes = ag_frame_encode (frame);

  for (GList *l = channel->members.head; l != NULL; l = l->next) {
    AgHubConn *member = l->data;

    if (member != except) {
      _ag_hub_send (hub, member, bytes);
      sent++;
    }
  }

  return sent;
}

static void
broadcast_attr (AgHub        *hub,
                AgHubChannel *channel,
                const char   *type,
                const char   *name,
                const char   *value)
{
  g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_CHANNEL_ATTR);

  event->channel = g_strdup (channel->name);
  event->name = g_strdup (name);
  event->value = g_strdup (value);
  event->has_value = TRUE;
  event->type = g_strdup (type);
  broadcast (hub, channel, event, NULL);
}

/* Special channels */

/* The special channel of the app that has members to tell, or NULL (so nothing is built
 * for an app nobody watches). */
static AgHubChannel *
special_listeners (AgHubApp   *app,
                   const char *name)
{
  AgHubChannel *channel = g_hash_table_lookup (app->channels, name);

  return channel != NULL && channel->members.length > 0 ? channel : NULL;
}

static void
system_message (AgHub               *hub,
                AgHubChannel        *channel,
                const AgSystemEvent *system_event)
{
  g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_CHANNEL_MSG);

  event->channel = g_strdup (channel->name);
  event->account = g_strdup (AG_SYSTEM_ACCOUNT);
  event->uid = 0;
  event->has_uid = TRUE;
  event->msg = ag_system_event_to_json (system_event);
  event->ts = ag_ts_from_us (hub->now_us);

  hub->stats.messages_out += broadcast (hub, channel, event, NULL);
}

void
_ag_hub_announce_presence (AgHub     *hub,
                           AgHubUser *user,
                           gboolean   online,
                           int        code)
{
  AgHubChannel *listeners = special_listeners (user->app, AG_SPECIAL_CHANNEL_USER_ONLINE);

  if (listeners == NULL)
    return;

  system_message (hub, listeners, &(AgSystemEvent) {
    .type = online ? AG_SYSTEM_EVENT_ONLINE : AG_SYSTEM_EVENT_OFFLINE,
    .account = user->account,
    .uid = user->uid,
    .code = code,
    .ts = ag_ts_from_us (hub->now_us),
  });
}

static void
announce_membership (AgHub        *hub,
                     AgHubChannel *channel,
                     AgHubUser    *user,
                     gboolean      joined,
                     int           code)
{
  AgHubChannel *listeners = special_listeners (channel->app, AG_SPECIAL_CHANNEL_EVENTS);

  if (listeners == NULL)
    return;

  system_message (hub, listeners, &(AgSystemEvent) {
    .type = joined ? AG_SYSTEM_EVENT_JOIN : AG_SYSTEM_EVENT_LEAVE,
    .channel = channel->name,
    .account = user->account,
    .uid = user->uid,
    .num = channel->members.length,
    .code = code,
    .ts = ag_ts_from_us (hub->now_us),
  });
}

/* Built-in attributes */

/* Every change of channel->attrs goes through these three, so the hub knows how many bytes
 * of attributes it holds (its memory budget). */
static void
attr_put (AgHubChannel *channel,
          const char   *name,
          const char   *value)
{
  AgHub *hub = channel->app->hub;
  const char *old = g_hash_table_lookup (channel->attrs, name);

  if (old != NULL)
    hub->channel_attr_bytes -= strlen (name) + strlen (old);
  g_hash_table_insert (channel->attrs, g_strdup (name), g_strdup (value));
  hub->channel_attr_bytes += strlen (name) + strlen (value);
}

static gboolean
attr_remove (AgHubChannel *channel,
             const char   *name)
{
  const char *old = g_hash_table_lookup (channel->attrs, name);

  if (old == NULL)
    return FALSE;

  channel->app->hub->channel_attr_bytes -= strlen (name) + strlen (old);
  return g_hash_table_remove (channel->attrs, name);
}

static void
attrs_clear (AgHubChannel *channel)
{
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, channel->attrs);
  while (g_hash_table_iter_next (&iter, &name, &value))
    channel->app->hub->channel_attr_bytes -= strlen (name) + strlen (value);
  g_hash_table_remove_all (channel->attrs);
}

/* Sets an attribute the server maintains, telling the members only when it changed. */
static void
set_server_attr (AgHub        *hub,
                 AgHubChannel *channel,
                 const char   *name,
                 const char   *value)
{
  if (g_strcmp0 (g_hash_table_lookup (channel->attrs, name), value) == 0)
    return;

  attr_put (channel, name, value);
  broadcast_attr (hub, channel, "update", name, value);
  _ag_hub_admin_attr (hub, channel, "update", name, value);
}

static void
refresh_member_num (AgHub        *hub,
                    AgHubChannel *channel)
{
  g_autofree char *value = g_strdup_printf ("%u", channel->members.length);

  set_server_attr (hub, channel, ATTR_MEMBER_NUM, value);
}

static void
refresh_total_num (AgHub        *hub,
                   AgHubChannel *channel)
{
  g_autofree char *value = g_strdup_printf ("%" G_GUINT64_FORMAT, channel->total_joins);

  set_server_attr (hub, channel, ATTR_TOTAL_MEMBER_NUM, value);
}

static void
member_num_timer_cb (AgHub    *hub,
                     gpointer  data)
{
  AgHubChannel *channel = data;

  refresh_member_num (hub, channel);
  _ag_hub_timer_schedule (hub, &channel->member_num_timer,
                          _ag_hub_after_seconds (hub, channel->auto_update_num_s));
}

static void
total_num_timer_cb (AgHub    *hub,
                    gpointer  data)
{
  AgHubChannel *channel = data;

  refresh_total_num (hub, channel);
  _ag_hub_timer_schedule (hub, &channel->total_num_timer,
                          _ag_hub_after_seconds (hub, channel->auto_update_total_s));
}

/* Brings the numeric fields, limits and timers in line with the attributes after any
 * change. The auto-update timers (re)start, with an immediate update, when their period
 * changes. */
static void
apply_builtins (AgHub        *hub,
                AgHubChannel *channel)
{
  guint auto_num = builtin_value (channel, ATTR_AUTO_UPDATE_NUM, 0);
  guint auto_total = builtin_value (channel, ATTR_AUTO_UPDATE_TOTAL, 0);

  if (auto_num == 0)
    auto_total = 0;

  channel->user_notification = builtin_value (channel, ATTR_USER_NOTIFICATION, 1) != 0;
  channel->ttl_s = builtin_value (channel, ATTR_CHANNEL_TTL, AG_DEFAULT_CHANNEL_TTL);
  channel->sendmsg_limit = builtin_value (channel, ATTR_SENDMSG_LIMIT, 0);
  channel->setattr_limit = builtin_value (channel, ATTR_SETATTR_LIMIT, 0);
  _ag_hub_bucket_configure (&channel->attr_bucket, channel->setattr_limit, hub->now_us);

  if (auto_num != channel->auto_update_num_s) {
    channel->auto_update_num_s = auto_num;
    if (auto_num > 0)
      member_num_timer_cb (hub, channel);
    else
      _ag_hub_timer_cancel (hub, &channel->member_num_timer);
  }

  if (auto_total != channel->auto_update_total_s) {
    channel->auto_update_total_s = auto_total;
    if (auto_total > 0)
      total_num_timer_cb (hub, channel);
    else
      _ag_hub_timer_cancel (hub, &channel->total_num_timer);
  }
}

/* Durable state */

/* Hands the engine what outlives the members of an ordinary channel: its attributes, its
 * join count and, while it is empty, when it goes away. Special channels have nothing the
 * clients could change and never go away. */
static void
persist (AgHub        *hub,
         AgHubChannel *channel)
{
  if (channel->kind != AG_HUB_CHANNEL_ORDINARY)
    return;

  ag_engine_channel_save (hub->engine, channel->app->config.app_id, &(AgEngineChannel) {
    .name = channel->name,
    .attrs = channel->attrs,
    .total_joins = channel->total_joins,
    .destroy_us = channel->destroy_timer.iter != NULL ? channel->destroy_timer.due_us : 0,
  });
}

/* Lifecycle */

static void
destroy_timer_cb (AgHub    *hub,
                  gpointer  data)
{
  AgHubChannel *channel = data;

  g_assert (channel->members.length == 0);

  _ag_hub_admin_channel_gone (hub, channel);
  if (channel->kind == AG_HUB_CHANNEL_ORDINARY)
    ag_engine_channel_delete (hub->engine, channel->app->config.app_id, channel->name);

  g_hash_table_remove (channel->app->channels, channel->name);
  hub->stats.channels--;
}

static AgHubChannel *
channel_new (AgHub      *hub,
             AgHubApp   *app,
             const char *name)
{
  AgHubChannel *channel = g_new0 (AgHubChannel, 1);

  channel->app = app;
  channel->name = g_strdup (name);
  channel->kind = kind_for_name (name);
  g_queue_init (&channel->members);
  channel->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  channel->user_notification = TRUE;
  channel->ttl_s = AG_DEFAULT_CHANNEL_TTL;
  _ag_hub_timer_init (&channel->destroy_timer, destroy_timer_cb, channel);
  _ag_hub_timer_init (&channel->member_num_timer, member_num_timer_cb, channel);
  _ag_hub_timer_init (&channel->total_num_timer, total_num_timer_cb, channel);

  g_hash_table_insert (app->channels, channel->name, channel);
  channel->order_iter = g_sequence_insert_sorted (app->channel_order, channel,
                                                  _ag_hub_channel_compare, NULL);
  hub->stats.channels++;

  return channel;
}

int
_ag_hub_channel_compare (gconstpointer a,
                         gconstpointer b,
                         gpointer      user_data)
{
  return strcmp (((const AgHubChannel *) a)->name, ((const AgHubChannel *) b)->name);
}

void
_ag_hub_channel_free (AgHubChannel *channel)
{
  AgHub *hub = channel->app->hub;

  _ag_hub_timer_cancel (hub, &channel->destroy_timer);
  _ag_hub_timer_cancel (hub, &channel->member_num_timer);
  _ag_hub_timer_cancel (hub, &channel->total_num_timer);
  if (channel->order_iter != NULL)
    g_sequence_remove (channel->order_iter);

  if (channel->creator != NULL) {
    GHashTable *created = channel->app->created;
    guint count = GPOINTER_TO_UINT (g_hash_table_lookup (created, channel->creator));

    if (count > 1)
      g_hash_table_insert (created, g_strdup (channel->creator), GUINT_TO_POINTER (count - 1));
    else
      g_hash_table_remove (created, channel->creator);
    g_free (channel->creator);
  }

  /* Only a finalizing hub frees a channel that still has members; the connections are
   * freed by it too. */
  g_queue_clear (&channel->members);
  attrs_clear (channel);
  g_clear_pointer (&channel->attrs, g_hash_table_unref);
  g_free (channel->name);
  g_free (channel);
}

void
_ag_hub_channel_leave (AgHub     *hub,
                       AgHubConn *conn,
                       int        code)
{
  AgHubChannel *channel = conn->channel;
  AgHubUser *user = conn->user;

  g_assert (channel != NULL);

  g_queue_delete_link (&channel->members, conn->member_link);
  conn->member_link = NULL;
  conn->channel = NULL;
  channel->app->second.presence++;
  channel->app->totals.presence++;
  _ag_hub_admin_left (hub, channel, user, code);

  /* Special channels are silent about their own members and never go away. */
  if (channel->kind != AG_HUB_CHANNEL_ORDINARY)
    return;

  if (channel->user_notification && channel->members.length > 0) {
    g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_CHANNEL_USER_LEFT);

    event->channel = g_strdup (channel->name);
    event->account = g_strdup (user->account);
    event->uid = user->uid;
    event->has_uid = TRUE;
    event->code = code;
    broadcast (hub, channel, event, NULL);
  }

  announce_membership (hub, channel, user, FALSE, code);

  if (channel->members.length == 0) {
    if (channel->ttl_s == 0) {
      destroy_timer_cb (hub, channel);
    } else {
      _ag_hub_timer_schedule (hub, &channel->destroy_timer,
                              _ag_hub_after_seconds (hub, channel->ttl_s));
      persist (hub, channel);
    }
  }
}

void
_ag_hub_channel_restore (AgHub                 *hub,
                         AgHubApp              *app,
                         const AgEngineChannel *saved)
{
  const char *ttl_text = g_hash_table_lookup (saved->attrs, ATTR_CHANNEL_TTL);
  AgHubChannel *channel;
  GHashTableIter iter;
  gpointer name, value;
  guint ttl_s;
  gint64 deadline;

  if (kind_for_name (saved->name) != AG_HUB_CHANNEL_ORDINARY ||
      g_hash_table_contains (app->channels, saved->name))
    return;

  if (!parse_builtin_number (ttl_text, &ttl_s))
    ttl_s = AG_DEFAULT_CHANNEL_TTL;

  /* Members do not survive a restart: a channel that had some was left when the server
   * stopped, and its TTL runs from now. */
  deadline = saved->destroy_us != 0 ? saved->destroy_us : _ag_hub_after_seconds (hub, ttl_s);
  if (deadline <= hub->now_us) {
    ag_engine_channel_delete (hub->engine, app->config.app_id, saved->name);
    return;
  }

  channel = channel_new (hub, app, saved->name);
  g_hash_table_iter_init (&iter, saved->attrs);
  while (g_hash_table_iter_next (&iter, &name, &value))
    attr_put (channel, name, value);
  channel->total_joins = saved->total_joins;
  apply_builtins (hub, channel);

  _ag_hub_timer_schedule (hub, &channel->destroy_timer, deadline);
  if (saved->destroy_us == 0)
    persist (hub, channel);
}

/* Requests */

static void
reply_join (AgHub        *hub,
            AgHubConn    *conn,
            gint64        id,
            AgHubChannel *channel)
{
  g_autoptr(AgFrame) reply = ag_frame_new_ok (id);
  GHashTableIter iter;
  gpointer name, value;
  guint listed = 0;

  reply->channel = g_strdup (channel->name);
  reply->num = channel->members.length;
  reply->has_num = TRUE;

  for (GList *l = channel->members.tail;
       l != NULL && listed < AG_LIMIT_ROSTER_ON_JOIN;
       l = l->prev) {
    AgHubConn *member = l->data;

    if (member == conn)
      continue;

    ag_frame_add_member (reply, member->user->account, member->user->uid);
    listed++;
  }
  if (reply->members == NULL)
    reply->members = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, channel->attrs);
  while (g_hash_table_iter_next (&iter, &name, &value))
    ag_frame_set_attr (reply, name, value);
  if (reply->attrs == NULL)
    reply->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  _ag_hub_send_frame (hub, conn, reply);
}

void
_ag_hub_channel_join (AgHub         *hub,
                      AgHubConn     *conn,
                      const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  AgHubChannel *channel;

  /* Joining the channel one is in changes nothing and tells nobody. */
  if (conn->channel != NULL && g_str_equal (conn->channel->name, frame->channel)) {
    reply_join (hub, conn, frame->id, conn->channel);
    return;
  }

  if (!_ag_hub_user_admit_request (hub, conn, frame))
    return;

  channel = g_hash_table_lookup (user->app->channels, frame->channel);
  if (channel != NULL && channel->members.length >= AG_LIMIT_CHANNEL_MEMBERS) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_CHANNEL_FULL, NULL);
    return;
  }

  /* An empty channel lives on for its TTL (7200 s by default), so joining and leaving new
   * names would fill the server: the app keeps a bounded number of channels, and one account
   * a bounded share of them. The special channels are always there to join. */
  if (channel == NULL && kind_for_name (frame->channel) == AG_HUB_CHANNEL_ORDINARY) {
    GHashTable *channels = user->app->channels;
    guint max = user->app->config.max_channels;
    guint created = GPOINTER_TO_UINT (g_hash_table_lookup (user->app->created, user->account));
    guint ordinary = g_hash_table_size (channels) -
                     g_hash_table_contains (channels, AG_SPECIAL_CHANNEL_USER_ONLINE) -
                     g_hash_table_contains (channels, AG_SPECIAL_CHANNEL_EVENTS);

    if (ordinary >= (max != 0 ? max : AG_DEFAULT_MAX_CHANNELS) ||
        created >= AG_LIMIT_CHANNELS_PER_CREATOR) {
      _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_TOO_MANY_CHANNELS, NULL);
      return;
    }
  }

  if (conn->channel != NULL)
    _ag_hub_channel_leave (hub, conn, AG_ERROR_LEAVECHANNEL_E_BYUSER);

  if (channel == NULL) {
    channel = channel_new (hub, user->app, frame->channel);
    if (channel->kind == AG_HUB_CHANNEL_ORDINARY) {
      guint created = GPOINTER_TO_UINT (g_hash_table_lookup (user->app->created, user->account));

      channel->creator = g_strdup (user->account);
      g_hash_table_insert (user->app->created, g_strdup (user->account),
                           GUINT_TO_POINTER (created + 1));
    }
    _ag_hub_admin_channel_added (hub, channel);
  }

  _ag_hub_timer_cancel (hub, &channel->destroy_timer);
  g_queue_push_tail (&channel->members, conn);
  conn->member_link = channel->members.tail;
  conn->channel = channel;
  channel->total_joins++;
  user->app->second.presence++;
  user->app->totals.presence++;
  persist (hub, channel);

  reply_join (hub, conn, frame->id, channel);
  _ag_hub_admin_joined (hub, channel, user);

  if (channel->kind != AG_HUB_CHANNEL_ORDINARY)
    return;

  if (channel->user_notification) {
    g_autoptr(AgFrame) event = ag_frame_new (AG_OP_EV_CHANNEL_USER_JOINED);

    event->channel = g_strdup (channel->name);
    event->account = g_strdup (user->account);
    event->uid = user->uid;
    event->has_uid = TRUE;
    broadcast (hub, channel, event, conn);
  }

  announce_membership (hub, channel, user, TRUE, 0);
}

void
_ag_hub_channel_leave_request (AgHub         *hub,
                               AgHubConn     *conn,
                               const AgFrame *frame)
{
  g_autoptr(AgFrame) reply = NULL;

  if (conn->channel == NULL) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_NOT_IN_CHANNEL, NULL);
    return;
  }

  reply = ag_frame_new_ok (frame->id);
  reply->channel = g_strdup (conn->channel->name);
  _ag_hub_send_frame (hub, conn, reply);

  _ag_hub_channel_leave (hub, conn, AG_ERROR_LEAVECHANNEL_E_BYUSER);
}

/* The channel a send or attribute request acts on, or NULL after replying 1202 (in no
 * channel) or 1205 (special channels are read-only). */
static AgHubChannel *
writable_channel (AgHub         *hub,
                  AgHubConn     *conn,
                  const AgFrame *frame)
{
  if (conn->channel == NULL) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_NOT_IN_CHANNEL, NULL);
    return NULL;
  }

  if (conn->channel->kind != AG_HUB_CHANNEL_ORDINARY) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_READ_ONLY_CHANNEL, NULL);
    return NULL;
  }

  return conn->channel;
}

static guint
channel_msg_rate (AgHubChannel *channel)
{
  if (channel->sendmsg_limit != 0)
    return channel->sendmsg_limit;
  if (channel->app->config.channel_msg_rate != 0)
    return channel->app->config.channel_msg_rate;
  return AG_DEFAULT_CHANNEL_MSG_RATE;
}

static AgFrame *
new_channel_msg (AgHub        *hub,
                 AgHubChannel *channel,
                 const char   *account,
                 guint32       uid,
                 const char   *msg)
{
  AgFrame *event = ag_frame_new (AG_OP_EV_CHANNEL_MSG);

  event->channel = g_strdup (channel->name);
  event->account = g_strdup (account);
  event->uid = uid;
  event->has_uid = TRUE;
  event->msg = g_strdup (msg);
  event->ts = ag_ts_from_us (hub->now_us);

  return event;
}

int
_ag_hub_channel_publish (AgHub        *hub,
                         AgHubChannel *channel,
                         const char   *msg,
                         guint        *out_num)
{
  g_autoptr(AgFrame) event = NULL;

  if (channel->kind != AG_HUB_CHANNEL_ORDINARY)
    return AG_ERROR_PROTO_E_READ_ONLY_CHANNEL;

  _ag_hub_bucket_configure (&channel->msg_bucket, channel_msg_rate (channel), hub->now_us);
  if (!_ag_hub_bucket_can_take (&channel->msg_bucket, hub->now_us))
    return AG_ERROR_LIMIT_E_CHANNEL_RATE;

  _ag_hub_bucket_take (&channel->msg_bucket);
  hub->stats.messages_in++;
  channel->app->second.channel_msgs++;
  channel->app->totals.channel_msgs++;

  event = new_channel_msg (hub, channel, AG_SYSTEM_ACCOUNT, 0, msg);
  *out_num = broadcast (hub, channel, event, NULL);
  hub->stats.messages_out += *out_num;

  return AG_ERROR_SUCCESS;
}

void
_ag_hub_channel_send (AgHub         *hub,
                      AgHubConn     *conn,
                      const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  AgHubChannel *channel = writable_channel (hub, conn, frame);
  g_autoptr(AgFrame) event = NULL;
  guint channel_rate;


  if (channel == NULL)
    return;

  channel_rate = channel_msg_rate (channel);

  /* Both buckets are checked before either is charged: a message the channel refuses does
   * not cost its sender a token, and the reverse. */
  _ag_hub_bucket_configure (&user->bucket, _ag_hub_user_rate (user), hub->now_us);
  if (!_ag_hub_bucket_can_take (&user->bucket, hub->now_us)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_USER_RATE, NULL);
    return;
  }

  _ag_hub_bucket_configure (&channel->msg_bucket, channel_rate, hub->now_us);
  if (!_ag_hub_bucket_can_take (&channel->msg_bucket, hub->now_us)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_CHANNEL_RATE, NULL);
    return;
  }

  _ag_hub_bucket_take (&user->bucket);
  _ag_hub_bucket_take (&channel->msg_bucket);
  hub->stats.messages_in++;
  user->app->second.channel_msgs++;
  user->app->totals.channel_msgs++;

  _ag_hub_reply_ok (hub, conn, frame->id);

  event = new_channel_msg (hub, channel, user->account, user->uid, frame->msg);
  hub->stats.messages_out += broadcast (hub, channel, event, NULL);
}

int
_ag_hub_channel_admit_attr_change (AgHub        *hub,
                                   AgHubChannel *channel,
                                   const char   *name,
                                   const char   *value)
{
  guint number;

  if (value != NULL && is_numeric_builtin (name) && !parse_builtin_number (value, &number))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  /* Every join reply carries all attributes: one member must not be able to make them too
   * big for the next joiners. Deleting and clearing are always allowed. */
  if (value != NULL) {
    const char *old = g_hash_table_lookup (channel->attrs, name);
    guint count = g_hash_table_size (channel->attrs) + (old == NULL ? 1 : 0);
    gsize bytes = strlen (name) + strlen (value);
    GHashTableIter iter;
    gpointer key, current;

    g_hash_table_iter_init (&iter, channel->attrs);
    while (g_hash_table_iter_next (&iter, &key, &current))
      if (!g_str_equal (key, name))
        bytes += strlen (key) + strlen (current);

    if (count > AG_LIMIT_CHANNEL_ATTRS || bytes > AG_LIMIT_CHANNEL_ATTR_BYTES)
      return AG_ERROR_LIMIT_E_TOO_MANY_ATTRS;
  }

  if (channel->setattr_limit > 0) {
    if (!_ag_hub_bucket_can_take (&channel->attr_bucket, hub->now_us))
      return AG_ERROR_LIMIT_E_ATTR_RATE;

    _ag_hub_bucket_take (&channel->attr_bucket);
  }

  return AG_ERROR_SUCCESS;
}

void
_ag_hub_channel_change_attr (AgHub        *hub,
                             AgHubChannel *channel,
                             const char   *type,
                             const char   *name,
                             const char   *value)
{
  if (g_str_equal (type, "update")) {
    attr_put (channel, name, value);
    broadcast_attr (hub, channel, "update", name, value);
  } else if (g_str_equal (type, "del")) {
    /* Deleting an attribute that is not there changes nothing, so nobody is told. */
    if (!attr_remove (channel, name))
      return;
    broadcast_attr (hub, channel, "del", name, "");
    value = "";
  } else {
    if (g_hash_table_size (channel->attrs) == 0)
      return;
    attrs_clear (channel);
    broadcast_attr (hub, channel, "clear", "", "");
    name = value = "";
  }

  _ag_hub_admin_attr (hub, channel, type, name, value);
  apply_builtins (hub, channel);
  persist (hub, channel);
}

/* A client's attribute request: ok (then the change), or the code of the refusal. */
static void
attr_request (AgHub         *hub,
              AgHubConn     *conn,
              const AgFrame *frame,
              const char    *type)
{
  AgHubChannel *channel = writable_channel (hub, conn, frame);
  gboolean clear = g_str_equal (type, "clear");
  int code;

  if (channel == NULL)
    return;

  code = _ag_hub_channel_admit_attr_change (hub, channel, clear ? NULL : frame->name,
                                            g_str_equal (type, "update") ? frame->value : NULL);
  if (code != AG_ERROR_SUCCESS) {
    _ag_hub_reply_error (hub, conn, frame->id, code,
                         code == AG_ERROR_GENERAL_E_WRONG_PARAM ?
                           "built-in attribute needs a decimal integer >= 0" : NULL);
    return;
  }

  _ag_hub_reply_ok (hub, conn, frame->id);
  _ag_hub_channel_change_attr (hub, channel, type, frame->name, frame->value);
}

void
_ag_hub_channel_set_attr (AgHub         *hub,
                          AgHubConn     *conn,
                          const AgFrame *frame)
{
  attr_request (hub, conn, frame, "update");
}

void
_ag_hub_channel_del_attr (AgHub         *hub,
                          AgHubConn     *conn,
                          const AgFrame *frame)
{
  attr_request (hub, conn, frame, "del");
}

void
_ag_hub_channel_clear_attr (AgHub         *hub,
                            AgHubConn     *conn,
                            const AgFrame *frame)
{
  attr_request (hub, conn, frame, "clear");
}

void
_ag_hub_channel_query_num (AgHub         *hub,
                           AgHubConn     *conn,
                           const AgFrame *frame)
{
  AgHubChannel *channel = g_hash_table_lookup (conn->user->app->channels, frame->channel);
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);

  reply->channel = g_strdup (frame->channel);
  reply->num = channel != NULL ? channel->members.length : 0;
  reply->has_num = TRUE;
  _ag_hub_send_frame (hub, conn, reply);
}

void
_ag_hub_channel_is_in (AgHub         *hub,
                       AgHubConn     *conn,
                       const AgFrame *frame)
{
  AgHubUser *user = g_hash_table_lookup (conn->user->app->users, frame->account);
  g_autoptr(AgFrame) reply = ag_frame_new_ok (frame->id);

  reply->channel = g_strdup (frame->channel);
  reply->account = g_strdup (frame->account);
  reply->in = user != NULL && user->conn != NULL && user->conn->channel != NULL &&
              g_str_equal (user->conn->channel->name, frame->channel);
  reply->has_in = TRUE;
  _ag_hub_send_frame (hub, conn, reply);
}
