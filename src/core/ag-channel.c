/* ag-channel.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-attribute-private.h"
#include "ag-channel-private.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-member-private.h"
#include "ag-request-private.h"
#include "ag-session-private.h"

/**
 * AgChannel:
 *
 * The channel a session joined: the spec's `LoginSession.Channel`.
 *
 * [method@Session.channel_join] returns the channel at once; it emits
 * [signal@Channel::channel-joined] and [signal@Channel::channel-user-list] when the server
 * confirms, or [signal@Channel::channel-join-failed].
 *
 * The members are a live [iface@Gio.ListModel] of [class@Member] (in the order they joined,
 * this session's own account last at the time of the join) and the attributes a live model
 * of [class@Attribute]; both follow the channel's events and can be bound to list widgets
 * directly. The join reply lists at most the 200 most recent members, so in a larger
 * channel the model holds those plus everyone who joined since, while
 * [property@Channel:member-count] counts all of them.
 *
 * The channel's requests act on the channel the session is in; on a channel the session has
 * left they fail with `AG_ERROR_PROTO_E_NOT_IN_CHANNEL` (1202) without reaching the server.
 * Failures of the calls without `_async` are reported by the channel's
 * [signal@Channel::request-failed], which names the request, then by the session's
 * [signal@Session::error] (the spec's `onError`).
 *
 * After a reconnection the same channel object is re-joined; see [class@Session] for what is
 * emitted then.
 */
struct _AgChannel {
  GObject     parent_instance;

  GWeakRef    session;
  char       *name;
  guint       member_count;
  GListStore *members;
  GHashTable *member_index;     /* account -> AgMember, owned by the store */
  GListStore *attributes;
  GHashTable *attribute_index;  /* name -> AgAttribute, owned by the store */

  guint       joined : 1;
};

G_DEFINE_FINAL_TYPE (AgChannel, ag_channel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_NAME,
  PROP_JOINED,
  PROP_MEMBER_COUNT,
  PROP_MEMBERS,
  PROP_ATTRIBUTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CHANNEL_JOINED,
  SIGNAL_CHANNEL_JOIN_FAILED,
  SIGNAL_CHANNEL_LEAVED,
  SIGNAL_CHANNEL_USER_JOINED,
  SIGNAL_CHANNEL_USER_LEAVED,
  SIGNAL_CHANNEL_USER_LIST,
  SIGNAL_CHANNEL_ATTR_UPDATED,
  SIGNAL_MESSAGE_CHANNEL_RECEIVE,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_member_count (AgChannel *self,
                  gint64     count)
{
  guint clamped = (guint) CLAMP (count, 0, G_MAXUINT);

  if (self->member_count == clamped)
    return;

  self->member_count = clamped;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER_COUNT]);
}

static void
set_joined (AgChannel *self,
            gboolean   joined)
{
  if (self->joined == !!joined)
    return;

  self->joined = !!joined;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOINED]);
}

/* Adds a member or updates its uid. Returns TRUE when the account was not there. */
static gboolean
add_member (AgChannel  *self,
            const char *account,
            guint       uid)
{
  AgMember *member = g_hash_table_lookup (self->member_index, account);
  g_autoptr(AgMember) added = NULL;

  if (member != NULL) {
    _ag_member_set_uid (member, uid);
    return FALSE;
  }

  added = _ag_member_new (account, uid);
  g_hash_table_insert (self->member_index, (char *) ag_member_get_account (added), added);
  g_list_store_append (self->members, added);

  return TRUE;
}

static gboolean
remove_member (AgChannel  *self,
               const char *account)
{
  AgMember *member = g_hash_table_lookup (self->member_index, account);
  guint position;

  if (member == NULL)
    return FALSE;

  if (g_list_store_find (self->members, member, &position)) {
    g_hash_table_remove (self->member_index, account);
    g_list_store_remove (self->members, position);
  }

  return TRUE;
}

static void
set_attribute (AgChannel  *self,
               const char *name,
               const char *value)
{
  AgAttribute *attribute = g_hash_table_lookup (self->attribute_index, name);
  g_autoptr(AgAttribute) added = NULL;
  guint position;

  if (attribute != NULL) {
    /* A notify does not re-sort a GtkSortListModel: report the item as changed too. */
    if (_ag_attribute_set_value (attribute, value) &&
        g_list_store_find (self->attributes, attribute, &position)) {
      g_autoptr(AgAttribute) same = g_object_ref (attribute);

      g_list_store_splice (self->attributes, position, 1, (gpointer *) &same, 1);
    }
    return;
  }

  added = _ag_attribute_new (name, value);
  g_hash_table_insert (self->attribute_index, (char *) ag_attribute_get_name (added), added);
  g_list_store_append (self->attributes, added);
}

static void
remove_attribute (AgChannel  *self,
                  const char *name)
{
  AgAttribute *attribute = g_hash_table_lookup (self->attribute_index, name);
  guint position;

  if (attribute != NULL && g_list_store_find (self->attributes, attribute, &position)) {
    g_hash_table_remove (self->attribute_index, name);
    g_list_store_remove (self->attributes, position);
  }
}

static void
clear_models (AgChannel *self)
{
  g_hash_table_remove_all (self->member_index);
  g_list_store_remove_all (self->members);
  g_hash_table_remove_all (self->attribute_index);
  g_list_store_remove_all (self->attributes);
}

static void
ag_channel_dispose (GObject *object)
{
  AgChannel *self = AG_CHANNEL (object);

  g_weak_ref_set (&self->session, NULL);
  g_clear_pointer (&self->member_index, g_hash_table_unref);
  g_clear_pointer (&self->attribute_index, g_hash_table_unref);
  g_clear_object (&self->members);
  g_clear_object (&self->attributes);

  G_OBJECT_CLASS (ag_channel_parent_class)->dispose (object);
}

static void
ag_channel_finalize (GObject *object)
{
  AgChannel *self = AG_CHANNEL (object);

  g_weak_ref_clear (&self->session);
  g_free (self->name);

  G_OBJECT_CLASS (ag_channel_parent_class)->finalize (object);
}

static void
ag_channel_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  AgChannel *self = AG_CHANNEL (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_take_object (value, g_weak_ref_get (&self->session));
    break;

  case PROP_NAME:
    g_value_set_string (value, self->name);
    break;

  case PROP_JOINED:
    g_value_set_boolean (value, self->joined);
    break;

  case PROP_MEMBER_COUNT:
    g_value_set_uint (value, self->member_count);
    break;

  case PROP_MEMBERS:
    g_value_set_object (value, self->members);
    break;

  case PROP_ATTRIBUTES:
    g_value_set_object (value, self->attributes);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_channel_class_init (AgChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = ag_channel_dispose;
  object_class->finalize = ag_channel_finalize;
  object_class->get_property = ag_channel_get_property;

  /**
   * AgChannel:session:
   *
   * The session that joined the channel, or %NULL once that session is gone.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         AG_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgChannel:name:
   *
   * The channel's name.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgChannel:joined:
   *
   * Whether the session is in the channel: %TRUE from [signal@Channel::channel-joined] to
   * [signal@Channel::channel-leaved], reconnections included.
   */
  properties[PROP_JOINED] =
    g_param_spec_boolean ("joined", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgChannel:member-count:
   *
   * How many members the channel has, this session included: the count of the join reply,
   * kept up to date by join and leave events (which a channel with `_userNotification` set
   * to `0` does not send).
   */
  properties[PROP_MEMBER_COUNT] =
    g_param_spec_uint ("member-count", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgChannel:members:
   *
   * The members as a [iface@Gio.ListModel] of [class@Member].
   */
  properties[PROP_MEMBERS] =
    g_param_spec_object ("members", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgChannel:attributes:
   *
   * The attributes as a [iface@Gio.ListModel] of [class@Attribute].
   */
  properties[PROP_ATTRIBUTES] =
    g_param_spec_object ("attributes", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgChannel::channel-joined:
   * @self: the channel
   *
   * The session is in the channel (the spec's `onChannelJoined`). The models are filled
   * before this is emitted. Not emitted again when a reconnection re-joins the channel.
   */
  signals[SIGNAL_CHANNEL_JOINED] =
    g_signal_new ("channel-joined", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_JOINED], type, _ag_marshal_VOID__VOIDv);

  /**
   * AgChannel::channel-join-failed:
   * @self: the channel
   * @ecode: an [error@Error]: 1004 or 1005 for a bad name, 1103 when the channel is
   *   full, 300 when the server did not answer, 1003 when the session is not logged in
   *
   * The join failed (the spec's `onChannelJoinFailed`).
   */
  signals[SIGNAL_CHANNEL_JOIN_FAILED] =
    g_signal_new ("channel-join-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_JOIN_FAILED], type,
                              _ag_marshal_VOID__INTv);

  /**
   * AgChannel::channel-leaved:
   * @self: the channel
   * @ecode: 602 after [method@Channel.channel_leave] or a join of another channel, 603 when
   *   the session logged out, 604 when the connection was lost for good, 601 when an operator
   *   removed the session ([admin-api.md](admin-api.md))
   *
   * The session left the channel (the spec's `onChannelLeaved`). The models are emptied
   * before this is emitted.
   */
  signals[SIGNAL_CHANNEL_LEAVED] =
    g_signal_new ("channel-leaved", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__INT,
                  G_TYPE_NONE, 1, G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_LEAVED], type, _ag_marshal_VOID__INTv);

  /**
   * AgChannel::channel-user-joined:
   * @self: the channel
   * @account: the account that joined
   * @uid: its uid
   *
   * Another account joined the channel (the spec's `onChannelUserJoined`). The member is in
   * [property@Channel:members] when this is emitted.
   */
  signals[SIGNAL_CHANNEL_USER_JOINED] =
    g_signal_new ("channel-user-joined", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_UINT,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_USER_JOINED], type,
                              _ag_marshal_VOID__STRING_UINTv);

  /**
   * AgChannel::channel-user-leaved:
   * @self: the channel
   * @account: the account that left
   * @uid: its uid
   *
   * Another account left the channel (the spec's `onChannelUserLeaved`). The member is no
   * longer in [property@Channel:members] when this is emitted.
   */
  signals[SIGNAL_CHANNEL_USER_LEAVED] =
    g_signal_new ("channel-user-leaved", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_UINT,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_USER_LEAVED], type,
                              _ag_marshal_VOID__STRING_UINTv);

  /**
   * AgChannel::channel-user-list:
   * @self: the channel
   * @accounts: (array zero-terminated=1): the accounts of the other members, at most the 200
   *   that joined last, newest first
   * @uids: (element-type guint): their uids, in the same order (a list of numbers in Python
   *   and JavaScript, like @accounts)
   *
   * The roster at the time of the join (the spec's `onChannelUserList`), emitted right after
   * [signal@Channel::channel-joined]. [property@Channel:members] holds the same accounts
   * plus this session's.
   */
  signals[SIGNAL_CHANNEL_USER_LIST] =
    g_signal_new ("channel-user-list", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__BOXED_BOXED,
                  G_TYPE_NONE, 2, G_TYPE_STRV, G_TYPE_ARRAY);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_USER_LIST], type,
                              _ag_marshal_VOID__BOXED_BOXEDv);

  /**
   * AgChannel::channel-attr-updated:
   * @self: the channel
   * @name: the attribute's name (empty for `clear`)
   * @value: its new value (empty for `del` and `clear`)
   * @type: `update`, `del` or `clear`
   *
   * An attribute of the channel changed (the spec's `onChannelAttrUpdated`); the setter gets
   * it too. [property@Channel:attributes] is up to date when this is emitted.
   */
  signals[SIGNAL_CHANNEL_ATTR_UPDATED] =
    g_signal_new ("channel-attr-updated", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_STRING_STRING,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_CHANNEL_ATTR_UPDATED], type,
                              _ag_marshal_VOID__STRING_STRING_STRINGv);

  /**
   * AgChannel::message-channel-receive:
   * @self: the channel
   * @account: the sender's account
   * @uid: the sender's uid
   * @msg: the message
   *
   * A channel message arrived (the spec's `onMessageChannelReceive`); the sender gets its
   * own messages too. In the special channels `_agora_user_online` and
   * `_agora_channel_event` the sender is `_agora_system` and @msg is a JSON object text
   * describing the event.
   */
  signals[SIGNAL_MESSAGE_CHANNEL_RECEIVE] =
    g_signal_new ("message-channel-receive", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__STRING_UINT_STRING,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE_CHANNEL_RECEIVE], type,
                              _ag_marshal_VOID__STRING_UINT_STRINGv);

  /**
   * AgChannel::request-failed:
   * @self: the channel
   * @request: the spec's name of the request that failed: `channelLeave`, `channelSetAttr`,
   *   `channelDelAttr`, `channelClearAttr` or `messageChannelSend`
   * @argument: (nullable): what the request was about: the attribute's name for
   *   `channelSetAttr` and `channelDelAttr`, the message for `messageChannelSend`, else
   *   %NULL
   * @ecode: an [error@Error]: for example 1100 or 1101 (rate limits), 1102 (attribute rate),
   *   1107 (too many attributes), 1205 (read-only channel), 1202 (the session is no longer
   *   in this channel), 401 (no reply in time)
   * @reason: English text for logs
   *
   * A request of this channel made without `_async` failed. The spec has no callback for
   * these, only the session's `onError`, which follows as [signal@Session::error]; this
   * signal says which channel and which request. The `_async` forms report their failure to
   * their callback instead.
   */
  signals[SIGNAL_ERROR] = _ag_request_error_signal_new (type);
}

static void
ag_channel_init (AgChannel *self)
{
  g_weak_ref_init (&self->session, NULL);
  self->members = g_list_store_new (AG_TYPE_MEMBER);
  self->member_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->attributes = g_list_store_new (AG_TYPE_ATTRIBUTE);
  self->attribute_index = g_hash_table_new (g_str_hash, g_str_equal);
}

AgChannel *
_ag_channel_new (AgSession  *session,
                 const char *name)
{
  AgChannel *self = g_object_new (AG_TYPE_CHANNEL, NULL);

  g_weak_ref_set (&self->session, session);
  self->name = g_strdup (name);

  return self;
}

void
_ag_channel_joined (AgChannel     *self,
                    const AgFrame *reply,
                    const char    *own_account,
                    guint          own_uid)
{
  g_autoptr(AgChannel) guard = g_object_ref (self);
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) attributes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GStrvBuilder) accounts = g_strv_builder_new ();
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) account_list = NULL;
  g_autofree const char **names = NULL;
  guint n_members = reply->members != NULL ? reply->members->len : 0;
  guint n_names;

  clear_models (self);

  /* The reply is newest first; the model keeps join order, so it goes in backwards. */
  for (guint i = 0; i < n_members; i++) {
    const AgFrameMember *entry = g_ptr_array_index (reply->members, i);

    guint uid = (guint) entry->uid;

    g_strv_builder_add (accounts, entry->account);
    g_array_append_val (uids, uid);
  }

  for (guint i = n_members; i > 0; i--) {
    const AgFrameMember *entry = g_ptr_array_index (reply->members, i - 1);
    AgMember *member;

    if (g_strcmp0 (entry->account, own_account) == 0 ||
        g_hash_table_contains (self->member_index, entry->account))
      continue;

    member = _ag_member_new (entry->account, entry->uid);
    g_hash_table_insert (self->member_index, (char *) ag_member_get_account (member), member);
    g_ptr_array_add (members, member);
  }

  if (own_account != NULL && !g_hash_table_contains (self->member_index, own_account)) {
    AgMember *member = _ag_member_new (own_account, own_uid);

    g_hash_table_insert (self->member_index, (char *) ag_member_get_account (member), member);
    g_ptr_array_add (members, member);
  }

  names = ag_sorted_keys (reply->attrs, &n_names);
  for (guint i = 0; i < n_names; i++) {
    AgAttribute *attribute = _ag_attribute_new (names[i],
                                                g_hash_table_lookup (reply->attrs, names[i]));

    g_hash_table_insert (self->attribute_index, (char *) ag_attribute_get_name (attribute),
                         attribute);
    g_ptr_array_add (attributes, attribute);
  }

  /* One splice each, so a list view sees a single change even for 200 members. */
  g_list_store_splice (self->members, 0, 0, members->pdata, members->len);
  g_list_store_splice (self->attributes, 0, 0, attributes->pdata, attributes->len);

  set_member_count (self, MAX (reply->num, (gint64) members->len));
  set_joined (self, TRUE);

  account_list = g_strv_builder_end (accounts);

  g_signal_emit (self, signals[SIGNAL_CHANNEL_JOINED], 0);
  g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_LIST], 0, account_list, uids);
}

void
_ag_channel_rejoined (AgChannel     *self,
                      const AgFrame *reply,
                      const char    *own_account,
                      guint          own_uid)
{
  g_autoptr(AgChannel) guard = g_object_ref (self);
  g_autoptr(GHashTable) roster = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_free);
  g_autofree const char **names = NULL;
  guint n_members = reply->members != NULL ? reply->members->len : 0;
  guint n_items;
  guint n_names;

  for (guint i = 0; i < n_members; i++) {
    const AgFrameMember *entry = g_ptr_array_index (reply->members, i);

    g_hash_table_insert (roster, entry->account, (gpointer) entry);
  }

  /* Members who left while the connection was down. */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->members));
  for (guint i = 0; i < n_items; i++) {
    g_autoptr(AgMember) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);
    const char *account = ag_member_get_account (member);

    if (g_strcmp0 (account, own_account) != 0 && !g_hash_table_contains (roster, account))
      g_ptr_array_add (gone, g_steal_pointer (&member));
  }

  set_member_count (self, MAX (reply->num, 1));

  for (guint i = 0; i < gone->len; i++) {
    AgMember *member = g_ptr_array_index (gone, i);

    remove_member (self, ag_member_get_account (member));
    g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_LEAVED], 0,
                   ag_member_get_account (member), ag_member_get_uid (member));
  }

  /* Members who came while it was down, oldest first as in a live channel. */
  for (guint i = n_members; i > 0; i--) {
    const AgFrameMember *entry = g_ptr_array_index (reply->members, i - 1);

    if (g_strcmp0 (entry->account, own_account) == 0)
      continue;

    if (add_member (self, entry->account, entry->uid))
      g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_JOINED], 0, entry->account,
                     (guint) entry->uid);
  }

  if (own_account != NULL)
    add_member (self, own_account, own_uid);

  /* Attributes removed, then set or changed, while it was down. */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->attributes));
  for (guint i = 0; i < n_items; i++) {
    g_autoptr(AgAttribute) attribute = g_list_model_get_item (G_LIST_MODEL (self->attributes), i);
    const char *name = ag_attribute_get_name (attribute);

    if (reply->attrs == NULL || !g_hash_table_contains (reply->attrs, name))
      g_ptr_array_add (stale, g_strdup (name));
  }

  for (guint i = 0; i < stale->len; i++) {
    const char *name = g_ptr_array_index (stale, i);

    remove_attribute (self, name);
    g_signal_emit (self, signals[SIGNAL_CHANNEL_ATTR_UPDATED], 0, name, "", "del");
  }

  names = ag_sorted_keys (reply->attrs, &n_names);
  for (guint i = 0; i < n_names; i++) {
    const char *value = g_hash_table_lookup (reply->attrs, names[i]);
    AgAttribute *attribute = g_hash_table_lookup (self->attribute_index, names[i]);

    if (attribute != NULL && g_strcmp0 (ag_attribute_get_value (attribute), value) == 0)
      continue;

    set_attribute (self, names[i], value);
    g_signal_emit (self, signals[SIGNAL_CHANNEL_ATTR_UPDATED], 0, names[i], value, "update");
  }
}

void
_ag_channel_join_failed (AgChannel *self,
                         int        code)
{
  g_signal_emit (self, signals[SIGNAL_CHANNEL_JOIN_FAILED], 0, code);
}

void
_ag_channel_left (AgChannel *self,
                  int        code)
{
  g_autoptr(AgChannel) guard = g_object_ref (self);

  if (!self->joined)
    return;

  clear_models (self);
  set_member_count (self, 0);
  set_joined (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_CHANNEL_LEAVED], 0, code);
}

void
_ag_channel_handle_event (AgChannel     *self,
                          const AgFrame *event)
{
  g_autoptr(AgChannel) guard = g_object_ref (self);

  if (!self->joined)
    return;

  switch (event->op) {
  case AG_OP_EV_CHANNEL_USER_JOINED:
    if (event->account == NULL)
      return;
    /* A repeated join of an account already listed only refreshes its uid: every member
     * is in the model and reported once. */
    if (add_member (self, event->account, event->uid)) {
      set_member_count (self, (gint64) self->member_count + 1);
      g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_JOINED], 0, event->account,
                     (guint) event->uid);
    }
    break;

  case AG_OP_EV_CHANNEL_USER_LEFT:
    if (event->account == NULL)
      return;
    /* The join reply lists only the newest 200 members: a leaver may be missing from the
     * model and still be a member. */
    remove_member (self, event->account);
    set_member_count (self, (gint64) self->member_count - 1);
    g_signal_emit (self, signals[SIGNAL_CHANNEL_USER_LEAVED], 0, event->account,
                   (guint) event->uid);
    break;

  case AG_OP_EV_CHANNEL_MSG:
    g_signal_emit (self, signals[SIGNAL_MESSAGE_CHANNEL_RECEIVE], 0, event->account,
                   (guint) event->uid, event->msg);
    break;

  case AG_OP_EV_CHANNEL_ATTR:
    {
      const char *name = event->name != NULL ? event->name : "";
      const char *value = event->value != NULL ? event->value : "";
      const char *type = event->type != NULL ? event->type : "";

      if (g_str_equal (type, "update"))
        set_attribute (self, name, value);
      else if (g_str_equal (type, "del"))
        remove_attribute (self, name);
      else if (g_str_equal (type, "clear")) {
        g_hash_table_remove_all (self->attribute_index);
        g_list_store_remove_all (self->attributes);
      }

      g_signal_emit (self, signals[SIGNAL_CHANNEL_ATTR_UPDATED], 0, name, value, type);
    }
    break;

  default:
    break;
  }
}

/**
 * ag_channel_get_session:
 * @self: a channel
 *
 * Gets the session that joined the channel.
 *
 * Returns: (transfer none) (nullable): the session, or %NULL once it is gone
 */
AgSession *
ag_channel_get_session (AgChannel *self)
{
  g_autoptr(AgSession) session = NULL;

  g_return_val_if_fail (AG_IS_CHANNEL (self), NULL);

  /* The session holds its channel while it is in it, so the reference dropped here is not
   * the last one in that case; a session that went away gives NULL. */
  session = g_weak_ref_get (&self->session);

  return session;
}

/**
 * ag_channel_get_name:
 * @self: a channel
 *
 * Gets the channel's name.
 *
 * Returns: the name
 */
const char *
ag_channel_get_name (AgChannel *self)
{
  g_return_val_if_fail (AG_IS_CHANNEL (self), NULL);

  return self->name;
}

/**
 * ag_channel_get_joined:
 * @self: a channel
 *
 * Gets whether the session is in the channel.
 *
 * Returns: %TRUE between [signal@Channel::channel-joined] and [signal@Channel::channel-leaved]
 */
gboolean
ag_channel_get_joined (AgChannel *self)
{
  g_return_val_if_fail (AG_IS_CHANNEL (self), FALSE);

  return self->joined;
}

/**
 * ag_channel_get_member_count:
 * @self: a channel
 *
 * Gets how many members the channel has, this session included.
 *
 * Returns: the member count, 0 when not joined
 */
guint
ag_channel_get_member_count (AgChannel *self)
{
  g_return_val_if_fail (AG_IS_CHANNEL (self), 0);

  return self->member_count;
}

/**
 * ag_channel_get_members:
 * @self: a channel
 *
 * Gets the members of the channel, kept up to date by join and leave events.
 *
 * Returns: (transfer none): a [iface@Gio.ListModel] of [class@Member]
 */
GListModel *
ag_channel_get_members (AgChannel *self)
{
  g_return_val_if_fail (AG_IS_CHANNEL (self), NULL);

  return G_LIST_MODEL (self->members);
}

/**
 * ag_channel_get_attributes:
 * @self: a channel
 *
 * Gets the attributes of the channel, kept up to date by attribute events.
 *
 * Returns: (transfer none): a [iface@Gio.ListModel] of [class@Attribute]
 */
GListModel *
ag_channel_get_attributes (AgChannel *self)
{
  g_return_val_if_fail (AG_IS_CHANNEL (self), NULL);

  return G_LIST_MODEL (self->attributes);
}

/**
 * ag_channel_get_attr:
 * @self: a channel
 * @name: an attribute's name
 *
 * Looks up the current value of an attribute.
 *
 * Returns: (nullable): the value, or %NULL when the channel has no such attribute
 */
const char *
ag_channel_get_attr (AgChannel  *self,
                     const char *name)
{
  AgAttribute *attribute;

  g_return_val_if_fail (AG_IS_CHANNEL (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  attribute = g_hash_table_lookup (self->attribute_index, name);

  return attribute != NULL ? ag_attribute_get_value (attribute) : NULL;
}

/* A confirmed leave: the session forgets the channel, which empties its models. */
static void
leave_done (GObject       *object,
            const AgFrame *reply,
            const GError  *error,
            gpointer       data)
{
  AgChannel *self = AG_CHANNEL (object);
  g_autoptr(AgSession) session = NULL;

  if (error != NULL)
    return;

  session = g_weak_ref_get (&self->session);
  if (session != NULL)
    _ag_session_channel_left (session, self);
  _ag_channel_left (self, AG_ERROR_LEAVECHANNEL_E_BYUSER);
}

static void
channel_request (AgChannel           *self,
                 AgFrame             *frame,
                 gpointer             source_tag,
                 AgRequestDone        done,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(AgSession) session = g_weak_ref_get (&self->session);
  GError *refusal = NULL;

  /* The wire's channel requests name no channel: they act on whichever channel the session
   * is in, which must be this one. */
  if (session == NULL || ag_session_get_channel (session) != self)
    refusal = g_error_new (AG_ERROR, AG_ERROR_PROTO_E_NOT_IN_CHANNEL, "Not in channel %s",
                           self->name);

  _ag_request_send (self, session, frame, refusal, source_tag, done, NULL, NULL, cancellable,
                    callback, user_data);
}

static gboolean
channel_request_finish (AgChannel     *self,
                        GAsyncResult  *result,
                        gpointer       source_tag,
                        GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;

  g_return_val_if_fail (AG_IS_CHANNEL (self), FALSE);

  reply = _ag_request_finish (self, result, source_tag, error);

  return reply != NULL;
}

/**
 * ag_channel_channel_leave:
 * @self: a channel
 *
 * Leaves the channel (the spec's `channelLeave`). [signal@Channel::channel-leaved] follows
 * with 602; the other members get [signal@Channel::channel-user-leaved].
 */
void
ag_channel_channel_leave (AgChannel *self)
{
  ag_channel_channel_leave_async (self, NULL, _ag_request_report_failure_cb,
                                  _ag_request_context_new ("channelLeave", NULL));
}

/**
 * ag_channel_channel_leave_async:
 * @self: a channel
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Leaves the channel like [method@Channel.channel_leave].
 */
void
ag_channel_channel_leave_async (AgChannel           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (AG_IS_CHANNEL (self));

  channel_request (self, ag_frame_new (AG_OP_CHANNEL_LEAVE), ag_channel_channel_leave_async,
                   leave_done, cancellable, callback, user_data);
}

/**
 * ag_channel_channel_leave_finish:
 * @self: a channel
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Channel.channel_leave_async].
 *
 * Returns: %TRUE when the channel was left
 */
gboolean
ag_channel_channel_leave_finish (AgChannel     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return channel_request_finish (self, result, ag_channel_channel_leave_async, error);
}

/**
 * ag_channel_channel_set_attr:
 * @self: a channel
 * @name: the attribute's name, up to 128 characters; names starting with `_` are the
 *   built-in attributes the server acts on
 * @value: the value, up to 8096 characters
 *
 * Sets an attribute of the channel (the spec's `channelSetAttr`). Every member, this one
 * included, gets [signal@Channel::channel-attr-updated].
 */
void
ag_channel_channel_set_attr (AgChannel  *self,
                             const char *name,
                             const char *value)
{
  ag_channel_channel_set_attr_async (self, name, value, NULL, _ag_request_report_failure_cb,
                                     _ag_request_context_new ("channelSetAttr", name));
}

/**
 * ag_channel_channel_set_attr_async:
 * @self: a channel
 * @name: the attribute's name
 * @value: the value
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Sets an attribute of the channel like [method@Channel.channel_set_attr].
 */
void
ag_channel_channel_set_attr_async (AgChannel           *self,
                                   const char          *name,
                                   const char          *value,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_CHANNEL (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  frame = ag_frame_new (AG_OP_CHANNEL_SET_ATTR);
  frame->name = g_strdup (name);
  frame->value = g_strdup (value);
  frame->has_value = TRUE;

  channel_request (self, frame, ag_channel_channel_set_attr_async, NULL, cancellable, callback,
                   user_data);
}

/**
 * ag_channel_channel_set_attr_finish:
 * @self: a channel
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Channel.channel_set_attr_async].
 *
 * Returns: %TRUE when the attribute was set
 */
gboolean
ag_channel_channel_set_attr_finish (AgChannel     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return channel_request_finish (self, result, ag_channel_channel_set_attr_async, error);
}

/**
 * ag_channel_channel_del_attr:
 * @self: a channel
 * @name: the attribute's name
 *
 * Deletes an attribute of the channel (the spec's `channelDelAttr`).
 */
void
ag_channel_channel_del_attr (AgChannel  *self,
                             const char *name)
{
  ag_channel_channel_del_attr_async (self, name, NULL, _ag_request_report_failure_cb,
                                     _ag_request_context_new ("channelDelAttr", name));
}

/**
 * ag_channel_channel_del_attr_async:
 * @self: a channel
 * @name: the attribute's name
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Deletes an attribute of the channel like [method@Channel.channel_del_attr].
 */
void
ag_channel_channel_del_attr_async (AgChannel           *self,
                                   const char          *name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_CHANNEL (self));
  g_return_if_fail (name != NULL);

  frame = ag_frame_new (AG_OP_CHANNEL_DEL_ATTR);
  frame->name = g_strdup (name);

  channel_request (self, frame, ag_channel_channel_del_attr_async, NULL, cancellable, callback,
                   user_data);
}

/**
 * ag_channel_channel_del_attr_finish:
 * @self: a channel
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Channel.channel_del_attr_async].
 *
 * Returns: %TRUE when the attribute was deleted
 */
gboolean
ag_channel_channel_del_attr_finish (AgChannel     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return channel_request_finish (self, result, ag_channel_channel_del_attr_async, error);
}

/**
 * ag_channel_channel_clear_attr:
 * @self: a channel
 *
 * Deletes every attribute of the channel (the spec's `channelClearAttr`).
 */
void
ag_channel_channel_clear_attr (AgChannel *self)
{
  ag_channel_channel_clear_attr_async (self, NULL, _ag_request_report_failure_cb,
                                       _ag_request_context_new ("channelClearAttr", NULL));
}

/**
 * ag_channel_channel_clear_attr_async:
 * @self: a channel
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Deletes every attribute of the channel like [method@Channel.channel_clear_attr].
 */
void
ag_channel_channel_clear_attr_async (AgChannel           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (AG_IS_CHANNEL (self));

  channel_request (self, ag_frame_new (AG_OP_CHANNEL_CLEAR_ATTR),
                   ag_channel_channel_clear_attr_async, NULL, cancellable, callback, user_data);
}

/**
 * ag_channel_channel_clear_attr_finish:
 * @self: a channel
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Channel.channel_clear_attr_async].
 *
 * Returns: %TRUE when the attributes were deleted
 */
gboolean
ag_channel_channel_clear_attr_finish (AgChannel     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return channel_request_finish (self, result, ag_channel_channel_clear_attr_async, error);
}

/**
 * ag_channel_message_channel_send:
 * @self: a channel
 * @msg: the message, up to 8 KB of UTF-8
 *
 * Sends a message to every member, this one included (the spec's `messageChannelSend`).
 */
void
ag_channel_message_channel_send (AgChannel  *self,
                                 const char *msg)
{
  ag_channel_message_channel_send_async (self, msg, NULL, _ag_request_report_failure_cb,
                                         _ag_request_context_new ("messageChannelSend", msg));
}

/**
 * ag_channel_message_channel_send_async:
 * @self: a channel
 * @msg: the message
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the server's answer
 * @user_data: data for @callback
 *
 * Sends a channel message like [method@Channel.message_channel_send].
 */
void
ag_channel_message_channel_send_async (AgChannel           *self,
                                       const char          *msg,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  AgFrame *frame;

  g_return_if_fail (AG_IS_CHANNEL (self));
  g_return_if_fail (msg != NULL);

  frame = ag_frame_new (AG_OP_CHANNEL_SEND);
  frame->msg = g_strdup (msg);

  channel_request (self, frame, ag_channel_message_channel_send_async, NULL, cancellable, callback,
                   user_data);
}

/**
 * ag_channel_message_channel_send_finish:
 * @self: a channel
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Channel.message_channel_send_async].
 *
 * Returns: %TRUE when the server accepted the message; on failure the error carries 1005,
 *   1100, 1101, 1205, 401 (timeout), ...
 */
gboolean
ag_channel_message_channel_send_finish (AgChannel     *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return channel_request_finish (self, result, ag_channel_message_channel_send_async, error);
}
