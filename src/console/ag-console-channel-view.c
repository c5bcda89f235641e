/* ag-console-channel-view.c: join and leave, the live roster, channel messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ag-console-channel-view.h"
#include "ag-console-message-item.h"
#include "ag-console-message-row.h"

/* The newest messages of a channel kept for display; the event log has them all. */
#define MESSAGES_KEPT 5000

/* The messages of one channel, kept while the session lives so leaving and joining again
 * does not lose what was said. */
typedef struct
{
  GListStore *messages;
  /* Our own messages, oldest first, until the server echoes them back to us. */
  GQueue      awaiting_echo;
} ChannelLog;

struct _AgConsoleChannelView
{
  GtkWidget           parent_instance;

  AgSession          *session;
  AgChannel          *channel;
  GSignalGroup       *channel_signals;
  GCancellable       *cancellable;

  GHashTable         *logs;
  ChannelLog         *current_log;
  char               *current_log_name;

  GtkFilterListModel *roster_filter;
  GtkStringFilter    *roster_string_filter;
  GtkSortListModel   *roster_sort;
  GtkSingleSelection *roster_selection;
  GtkNoSelection     *messages_selection;

  GtkPopover         *member_menu;

  char               *count_text;
  char               *query_text;
  char               *lookup_text;
  gboolean            stick_to_bottom;

  GtkEntry           *channel_entry;
  GtkLabel           *channel_label;
  GtkEntry           *count_entry;
  GtkLabel           *query_label;
  GtkSearchEntry     *roster_search;
  GtkLabel           *roster_count_label;
  GtkButton          *lookup_button;
  GtkLabel           *lookup_label;
  GtkStack           *roster_stack;
  GtkWidget          *roster_stale_box;
  GtkLabel           *roster_stale_label;
  GDateTime          *stale_since;
  GtkListView        *roster_view;
  GtkStack           *messages_stack;
  AdwStatusPage      *messages_status;
  GtkScrolledWindow  *messages_scroller;
  GtkListView        *messages_view;
  GtkEntry           *message_entry;
};

G_DEFINE_FINAL_TYPE (AgConsoleChannelView, ag_console_channel_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CALL_REQUESTED,
  SIGNAL_MESSAGE_REQUESTED,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
channel_log_free (gpointer data)
{
  ChannelLog *log = data;

  g_queue_clear_full (&log->awaiting_echo, g_object_unref);
  g_clear_object (&log->messages);
  g_free (log);
}

static ChannelLog *
ensure_log (AgConsoleChannelView *self,
            const char           *name)
{
  ChannelLog *log = g_hash_table_lookup (self->logs, name);

  if (log == NULL) {
    log = g_new0 (ChannelLog, 1);
    log->messages = g_list_store_new (AG_CONSOLE_TYPE_MESSAGE_ITEM);
    g_queue_init (&log->awaiting_echo);
    g_hash_table_insert (self->logs, g_strdup (name), log);
  }

  return log;
}

static char *
describe_error (const GError *error)
{
  if (error->domain == AG_ERROR) {
    const char *name = ag_error_code_name (error->code);

    return g_strdup_printf ("%d %s", error->code, name != NULL ? name : "UNKNOWN");
  }

  return g_strdup (error->message);
}

static void
update_count (AgConsoleChannelView *self)
{
  g_autofree char *text = NULL;

  gboolean partial = FALSE;
  gboolean searching = FALSE;

  if (self->channel != NULL && ag_channel_get_joined (self->channel)) {
    guint total = ag_channel_get_member_count (self->channel);
    guint listed = g_list_model_get_n_items (ag_channel_get_members (self->channel));
    const char *search = gtk_editable_get_text (GTK_EDITABLE (self->roster_search));

    /* A join lists the newest 200 members only: a bigger roster says it is partial. */
    partial = listed < total;
    searching = search != NULL && *search != '\0';

    if (searching) {
      guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->roster_sort));

      /* Translators: the roster while searching, e.g. "2 of 30 members". */
      text = g_strdup_printf (ngettext ("%u of %u member", "%u of %u members", total),
                              shown, total);
    } else if (partial) {
      /* Translators: a roster that lists only some of the members, "200 of 5001 members listed". */
      text = g_strdup_printf (ngettext ("%u of %u member listed", "%u of %u members listed", total),
                              listed, total);
    } else {
      text = g_strdup_printf (ngettext ("%u member", "%u members", total), total);
    }
  }

  /* Someone the roster does not list may still be a member: the server can say. */
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_button), partial && searching);
  if (!(partial && searching))
    gtk_widget_set_visible (GTK_WIDGET (self->lookup_label), FALSE);

  g_free (self->count_text);
  self->count_text = g_strdup (text != NULL ? text : "");
  gtk_label_set_label (self->roster_count_label, self->count_text);
}

static AgMember *
selected_member (AgConsoleChannelView *self)
{
  return gtk_single_selection_get_selected_item (self->roster_selection);
}

/* While the session reconnects the roster is the one of the lost connection: say so, and
 * since when, until the channel is joined again and its roster fresh. */
static void
update_stale (AgConsoleChannelView *self)
{
  gboolean joined = self->channel != NULL && ag_channel_get_joined (self->channel);
  gboolean stale = joined && ag_session_get_status (self->session) != AG_STATUS_LOGGED_IN;

  if (stale && self->stale_since == NULL) {
    g_autofree char *time = NULL;
    g_autofree char *text = NULL;

    self->stale_since = g_date_time_new_now_local ();
    time = g_date_time_format (self->stale_since, "%X");
    /* Translators: %s is a time of day, e.g. "Connection lost at 14:02:11: …". */
    text = g_strdup_printf (_("Connection lost at %s: these members may be out of date until the session reconnects."),
                            time);
    gtk_label_set_label (self->roster_stale_label, text);
  } else if (!stale) {
    g_clear_pointer (&self->stale_since, g_date_time_unref);
  }

  gtk_widget_set_visible (self->roster_stale_box, stale);
  if (stale)
    gtk_widget_add_css_class (GTK_WIDGET (self->roster_stack), "stale");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->roster_stack), "stale");
}

static void
update_actions (AgConsoleChannelView *self)
{
  gboolean joined = self->channel != NULL && ag_channel_get_joined (self->channel);
  gboolean logged_in = ag_session_get_status (self->session) == AG_STATUS_LOGGED_IN;
  gboolean have_member = joined && selected_member (self) != NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->channel_entry));
  gboolean have_channel_name = FALSE;

  for (const char *p = name; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p)) {
      have_channel_name = TRUE;
      break;
    }

  /* Join needs a name: blank (or only spaces) is what the server would refuse. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.join", logged_in && have_channel_name);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.leave", joined);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.send", joined);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.query-count", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.call-member", joined);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.call-selected", have_member);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channel.message-selected", have_member);

  update_stale (self);
}

static void
update_channel_state (AgConsoleChannelView *self)
{
  g_autofree char *text = NULL;
  gboolean joined = self->channel != NULL && ag_channel_get_joined (self->channel);

  if (joined)
    text = g_strdup_printf (_("In channel “%s”"), ag_channel_get_name (self->channel));
  else if (self->current_log_name != NULL)
    text = g_strdup_printf (_("Not in a channel (left “%s”)"), self->current_log_name);
  else
    text = g_strdup (_("Not in a channel"));

  gtk_label_set_label (self->channel_label, text);
  gtk_stack_set_visible_child_name (self->roster_stack, joined ? "roster" : "empty");
  gtk_filter_list_model_set_model (self->roster_filter,
                                   joined ? ag_channel_get_members (self->channel) : NULL);

  update_count (self);
  update_actions (self);
}

static void
update_messages_stack (AgConsoleChannelView *self)
{
  gboolean have_messages = self->current_log != NULL &&
                           g_list_model_get_n_items (G_LIST_MODEL (self->current_log->messages)) > 0;

  if (self->current_log == NULL)
    adw_status_page_set_description (self->messages_status, _("Join a channel to talk in it"));
  else
    adw_status_page_set_description (self->messages_status, _("Messages sent to this channel appear here"));

  gtk_stack_set_visible_child_name (self->messages_stack, have_messages ? "messages" : "empty");
}

static void
messages_changed_cb (AgConsoleChannelView *self)
{
  update_messages_stack (self);
}

static void
show_log (AgConsoleChannelView *self,
          const char           *name)
{
  ChannelLog *log = ensure_log (self, name);

  if (self->current_log == log)
    return;

  if (self->current_log != NULL)
    g_signal_handlers_disconnect_by_func (self->current_log->messages, messages_changed_cb, self);

  self->current_log = log;
  g_free (self->current_log_name);
  self->current_log_name = g_strdup (name);
  g_signal_connect_swapped (log->messages, "items-changed", G_CALLBACK (messages_changed_cb), self);

  self->stick_to_bottom = TRUE;
  gtk_no_selection_set_model (self->messages_selection, G_LIST_MODEL (log->messages));
  update_messages_stack (self);
}

static void
set_channel (AgConsoleChannelView *self,
             AgChannel            *channel)
{
  if (g_set_object (&self->channel, channel)) {
    g_signal_group_set_target (self->channel_signals, channel);
    if (channel != NULL)
      show_log (self, ag_channel_get_name (channel));
  }

  update_channel_state (self);
}

static void
session_channel_changed_cb (AgConsoleChannelView *self)
{
  AgChannel *channel = ag_session_get_channel (self->session);

  /* Keep showing the channel we left (its messages) until another one is joined. */
  if (channel != NULL)
    set_channel (self, channel);
  else
    update_channel_state (self);
}

static gboolean
is_own_account (AgConsoleChannelView *self,
                const char           *account)
{
  return g_strcmp0 (account, ag_session_get_account (self->session)) == 0;
}

/* Our own message came back from the server: it reached the channel. Match it with the
 * oldest message we sent with the same text instead of showing it twice. */
static gboolean
match_echo (ChannelLog *log,
            const char *text,
            guint       uid)
{
  for (GList *l = log->awaiting_echo.head; l != NULL; l = l->next) {
    AgConsoleMessageItem *item = l->data;

    if (g_strcmp0 (ag_console_message_item_get_text (item), text) != 0)
      continue;

    if (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_SENDING)
      ag_console_message_item_set_state (item, AG_CONSOLE_MESSAGE_SENT);
    ag_console_message_item_set_uid (item, uid);
    g_queue_delete_link (&log->awaiting_echo, l);
    g_object_unref (item);

    return TRUE;
  }

  return FALSE;
}

static void
append_message (ChannelLog           *log,
                AgConsoleMessageItem *item)
{
  guint n;

  g_list_store_append (log->messages, item);

  n = g_list_model_get_n_items (G_LIST_MODEL (log->messages));
  if (n > MESSAGES_KEPT)
    g_list_store_splice (log->messages, 0, n - MESSAGES_KEPT, NULL, 0);
}

static void
message_channel_receive_cb (AgConsoleChannelView *self,
                            const char           *account,
                            guint                 uid,
                            const char           *msg,
                            AgChannel            *channel)
{
  ChannelLog *log = ensure_log (self, ag_channel_get_name (channel));
  g_autoptr(AgConsoleMessageItem) item = NULL;

  if (is_own_account (self, account) && match_echo (log, msg, uid))
    return;

  item = ag_console_message_item_new (account, uid, g_get_real_time (), msg,
                                      AG_CONSOLE_MESSAGE_RECEIVED);
  append_message (log, item);
}

static void
channel_notify_cb (AgConsoleChannelView *self)
{
  update_channel_state (self);
}

static void
roster_changed_cb (AgConsoleChannelView *self)
{
  update_count (self);
  update_actions (self);
}

static void
emit_error (AgConsoleChannelView *self,
            const char           *message)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, message);
}

static void
join_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AgConsoleChannelView) self = user_data;
  g_autoptr(AgChannel) channel = NULL;
  g_autoptr(GError) error = NULL;

  channel = ag_session_channel_join_finish (AG_SESSION (object), result, &error);
  if (self->session == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (channel == NULL) {
    g_autofree char *reason = describe_error (error);
    g_autofree char *message = g_strdup_printf (_("Could not join the channel: %s"), reason);

    emit_error (self, message);
    update_channel_state (self);
    return;
  }

  set_channel (self, channel);
}

void
ag_console_channel_view_join (AgConsoleChannelView *self,
                              const char           *channel)
{
  g_return_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self));
  g_return_if_fail (channel != NULL);

  if (*channel == '\0')
    return;

  ag_session_channel_join_async (self->session, channel, self->cancellable, join_cb,
                                 g_object_ref (self));
}

static void
leave_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(AgConsoleChannelView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ag_channel_channel_leave_finish (AG_CHANNEL (object), result, &error)) {
    g_autofree char *reason = NULL;
    g_autofree char *message = NULL;

    if (self->session == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;

    reason = describe_error (error);
    message = g_strdup_printf (_("Could not leave the channel: %s"), reason);
    emit_error (self, message);
  }

  if (self->session != NULL)
    update_channel_state (self);
}

void
ag_console_channel_view_leave (AgConsoleChannelView *self)
{
  g_return_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self));

  if (self->channel == NULL || !ag_channel_get_joined (self->channel))
    return;

  ag_channel_channel_leave_async (self->channel, self->cancellable, leave_cb, g_object_ref (self));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AgConsoleMessageItem) item = user_data;
  g_autoptr(GError) error = NULL;

  if (!ag_channel_message_channel_send_finish (AG_CHANNEL (object), result, &error)) {
    /* Refusals (too long, rate limits, read-only channel) stay visible on the message. */
    ag_console_message_item_fail (item, error);
    return;
  }

  if (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_SENDING)
    ag_console_message_item_set_state (item, AG_CONSOLE_MESSAGE_SENT);
}

void
ag_console_channel_view_send (AgConsoleChannelView *self,
                              const char           *text)
{
  g_autoptr(AgConsoleMessageItem) item = NULL;
  ChannelLog *log;

  g_return_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self));
  g_return_if_fail (text != NULL);

  if (*text == '\0' || self->channel == NULL || !ag_channel_get_joined (self->channel))
    return;

  log = ensure_log (self, ag_channel_get_name (self->channel));
  item = ag_console_message_item_new (ag_session_get_account (self->session),
                                      ag_session_get_uid (self->session),
                                      g_get_real_time (), text, AG_CONSOLE_MESSAGE_SENDING);
  self->stick_to_bottom = TRUE;
  append_message (log, item);
  g_queue_push_tail (&log->awaiting_echo, g_object_ref (item));

  /* No cancellable: the outcome belongs to the message, which outlives this view. */
  ag_channel_message_channel_send_async (self->channel, text, NULL, send_cb,
                                         g_steal_pointer (&item));
}

typedef struct
{
  AgConsoleChannelView *self;
  char                 *channel;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_object_unref (data->self);
  g_free (data->channel);
  g_free (data);
}

static void
query_count_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  QueryData *data = user_data;
  AgConsoleChannelView *self = data->self;
  g_autoptr(GError) error = NULL;
  guint num;

  num = ag_session_channel_query_user_num_finish (AG_SESSION (object), result, &error);
  if (error != NULL) {
    if (self->session != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_autofree char *reason = describe_error (error);

      g_free (self->query_text);
      /* Translators: a failed member-count query: "lobby: failed, 1004 GENERAL_E_WRONG_PARAM". */
      self->query_text = g_strdup_printf (_("%s: failed, %s"), data->channel, reason);
      gtk_label_set_label (self->query_label, self->query_text);
    }
  } else if (self->session != NULL) {
    g_autofree char *members = g_strdup_printf (ngettext ("%u member", "%u members", num), num);

    g_free (self->query_text);
    /* Translators: the result of a member-count query: "lobby: 3 members". */
    self->query_text = g_strdup_printf (_("%s: %s"), data->channel, members);
    gtk_label_set_label (self->query_label, self->query_text);
  }

  query_data_free (data);
}

void
ag_console_channel_view_query_count (AgConsoleChannelView *self,
                                     const char           *channel)
{
  QueryData *data;

  g_return_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self));
  g_return_if_fail (channel != NULL);

  if (*channel == '\0')
    return;

  data = g_new0 (QueryData, 1);
  data->self = g_object_ref (self);
  data->channel = g_strdup (channel);

  g_free (self->query_text);
  self->query_text = g_strdup_printf (_("%s: counting…"), channel);
  gtk_label_set_label (self->query_label, self->query_text);

  ag_session_channel_query_user_num_async (self->session, channel, self->cancellable,
                                           query_count_done_cb, data);
}

void
ag_console_channel_view_set_search (AgConsoleChannelView *self,
                                    const char           *text)
{
  g_return_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->roster_search), text != NULL ? text : "");
  gtk_string_filter_set_search (self->roster_string_filter, text);
  update_count (self);
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  QueryData *data = user_data;
  AgConsoleChannelView *self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean is_in;

  is_in = ag_session_channel_query_user_is_in_finish (AG_SESSION (object), result, &error);
  if (error != NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL) {
      query_data_free (data);
      return;
    }

    g_free (self->lookup_text);
    {
      g_autofree char *reason = describe_error (error);

      self->lookup_text = g_strdup_printf (_("%s: failed, %s"), data->channel, reason);
    }
  } else {
    g_free (self->lookup_text);
    self->lookup_text = g_strdup_printf (is_in ? _("%s is a member") : _("%s is not a member"),
                                         data->channel);
  }

  gtk_label_set_label (self->lookup_label, self->lookup_text);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_label), TRUE);
  query_data_free (data);
}

void
ag_console_channel_view_look_up (AgConsoleChannelView *self,
                                 const char           *account)
{
  QueryData *data;

  g_return_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self));
  g_return_if_fail (account != NULL);

  if (self->session == NULL || self->channel == NULL || !ag_channel_get_joined (self->channel))
    return;

  /* data->channel holds the account here: it is what the answer names. */
  data = g_new0 (QueryData, 1);
  data->self = g_object_ref (self);
  data->channel = g_strdup (account);
  ag_session_channel_query_user_is_in_async (self->session, ag_channel_get_name (self->channel),
                                             account, self->cancellable, lookup_done_cb, data);
}

static void
lookup_clicked_cb (AgConsoleChannelView *self)
{
  ag_console_channel_view_look_up (self, gtk_editable_get_text (GTK_EDITABLE (self->roster_search)));
}

static void
roster_search_changed_cb (AgConsoleChannelView *self)
{
  gtk_string_filter_set_search (self->roster_string_filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->roster_search)));
  update_count (self);
}

static void
channel_entry_activate_cb (AgConsoleChannelView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "channel.join", NULL);
}

static void
channel_entry_changed_cb (AgConsoleChannelView *self)
{
  update_actions (self);
}

static void
count_entry_activate_cb (AgConsoleChannelView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "channel.query-count", NULL);
}

static void
message_entry_activate_cb (AgConsoleChannelView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "channel.send", NULL);
}

static void
join_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->channel_entry))));

  ag_console_channel_view_join (self, name);
}

static void
leave_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ag_console_channel_view_leave (AG_CONSOLE_CHANNEL_VIEW (widget));
}

static void
send_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->message_entry)));

  if (*text == '\0')
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->message_entry), "");
  ag_console_channel_view_send (self, text);
}

static void
query_count_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->count_entry))));

  /* With no name, count the channel we are in. */
  if (*name == '\0' && self->channel != NULL) {
    g_free (name);
    name = g_strdup (ag_channel_get_name (self->channel));
  }

  ag_console_channel_view_query_count (self, name);
}

static void
call_member_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);

  if (self->channel == NULL)
    return;

  g_signal_emit (self, signals[SIGNAL_CALL_REQUESTED], 0,
                 g_variant_get_string (parameter, NULL), ag_channel_get_name (self->channel));
}

static void
message_member_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_MESSAGE_REQUESTED], 0,
                 g_variant_get_string (parameter, NULL));
}

static void
call_selected_action_cb (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);
  AgMember *member = selected_member (self);

  if (member != NULL && self->channel != NULL)
    g_signal_emit (self, signals[SIGNAL_CALL_REQUESTED], 0,
                   ag_member_get_account (member), ag_channel_get_name (self->channel));
}

static void
message_selected_action_cb (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);
  AgMember *member = selected_member (self);

  if (member != NULL)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_REQUESTED], 0, ag_member_get_account (member));
}

/* The roster's context menu, for one account, pointing at (x, y) of widget. */
static void
popup_member_menu (AgConsoleChannelView *self,
                   const char           *account,
                   GtkWidget            *widget,
                   double                x,
                   double                y)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) call = NULL;
  g_autoptr(GMenuItem) message = NULL;
  double view_x = 0;
  double view_y = 0;

  call = g_menu_item_new (_("_Call…"), NULL);
  g_menu_item_set_action_and_target_value (call, "channel.call-member",
                                           g_variant_new_string (account));
  g_menu_append_item (menu, call);

  message = g_menu_item_new (_("Send _Message"), NULL);
  g_menu_item_set_action_and_target_value (message, "channel.message-member",
                                           g_variant_new_string (account));
  g_menu_append_item (menu, message);

  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->member_menu), G_MENU_MODEL (menu));

  if (!gtk_widget_translate_coordinates (widget, GTK_WIDGET (self), x, y, &view_x, &view_y)) {
    view_x = 0;
    view_y = 0;
  }

  gtk_popover_set_pointing_to (self->member_menu,
                               &(GdkRectangle) { (int) view_x, (int) view_y, 1, 1 });
  gtk_popover_popup (self->member_menu);
}

static void
roster_row_pressed_cb (GtkGestureClick *gesture,
                       int              n_press,
                       double           x,
                       double           y,
                       GtkListItem     *list_item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *view = gtk_widget_get_ancestor (row, AG_CONSOLE_TYPE_CHANNEL_VIEW);
  AgMember *member = gtk_list_item_get_item (list_item);

  if (view == NULL || member == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_single_selection_set_selected (AG_CONSOLE_CHANNEL_VIEW (view)->roster_selection,
                                     gtk_list_item_get_position (list_item));
  popup_member_menu (AG_CONSOLE_CHANNEL_VIEW (view), ag_member_get_account (member), row, x, y);
}

static void
roster_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new_from_icon_name ("avatar-default-symbolic");
  GtkWidget *account = gtk_label_new (NULL);
  GtkWidget *uid = gtk_label_new (NULL);
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Member"), -1);
  gtk_label_set_xalign (GTK_LABEL (account), 0);
  gtk_label_set_ellipsize (GTK_LABEL (account), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (account, TRUE);
  gtk_widget_add_css_class (uid, "dim-label");
  gtk_widget_add_css_class (uid, "numeric");
  gtk_widget_add_css_class (uid, "caption");

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), account);
  gtk_box_append (GTK_BOX (box), uid);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (roster_row_pressed_cb), list_item);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (gesture));

  gtk_list_item_set_child (list_item, box);
}

static void
roster_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *account = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));
  GtkWidget *uid = gtk_widget_get_next_sibling (account);
  AgMember *member = gtk_list_item_get_item (list_item);
  char uid_text[24];

  g_snprintf (uid_text, sizeof uid_text, "%u", ag_member_get_uid (member));
  gtk_label_set_label (GTK_LABEL (account), ag_member_get_account (member));
  gtk_label_set_label (GTK_LABEL (uid), uid_text);
}

static void
open_selected_menu_action_cb (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);
  AgMember *member = selected_member (self);
  GtkWidget *view = GTK_WIDGET (self->roster_view);

  if (member == NULL)
    return;

  popup_member_menu (self, ag_member_get_account (member), view,
                     gtk_widget_get_width (view) / 2.0, gtk_widget_get_height (view) / 2.0);
}

static void
scroll_to_bottom (AgConsoleChannelView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->messages_scroller);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
}

static void
messages_upper_changed_cb (AgConsoleChannelView *self)
{
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
}

static void
messages_value_changed_cb (AgConsoleChannelView *self,
                           GtkAdjustment        *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  /* Follow new messages only while the user looks at the newest ones. */
  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) >= bottom - 4;
}

static void
ag_console_channel_view_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  AgConsoleChannelView *self = AG_CONSOLE_CHANNEL_VIEW (widget);

  GTK_WIDGET_CLASS (ag_console_channel_view_parent_class)->size_allocate (widget, width, height,
                                                                           baseline);

  gtk_popover_present (self->member_menu);
}

static void
ag_console_channel_view_dispose (GObject *object)
{
  AgConsoleChannelView *self = (AgConsoleChannelView *) object;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);

  if (self->current_log != NULL)
    g_signal_handlers_disconnect_by_func (self->current_log->messages, messages_changed_cb, self);
  self->current_log = NULL;

  if (self->channel_signals != NULL)
    g_signal_group_set_target (self->channel_signals, NULL);
  g_clear_object (&self->channel_signals);

  g_clear_pointer ((GtkWidget **) &self->member_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_CHANNEL_VIEW);
  /* dispose_template only unparents the children it binds; the layout boxes go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->roster_selection);
  g_clear_object (&self->roster_sort);
  g_clear_object (&self->roster_filter);
  g_clear_object (&self->roster_string_filter);
  g_clear_object (&self->messages_selection);
  g_clear_object (&self->channel);
  g_clear_object (&self->session);
  g_clear_pointer (&self->logs, g_hash_table_unref);

  G_OBJECT_CLASS (ag_console_channel_view_parent_class)->dispose (object);
}

static void
ag_console_channel_view_finalize (GObject *object)
{
  AgConsoleChannelView *self = (AgConsoleChannelView *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stale_since, g_date_time_unref);
  g_free (self->current_log_name);
  g_free (self->count_text);
  g_free (self->query_text);
  g_free (self->lookup_text);

  G_OBJECT_CLASS (ag_console_channel_view_parent_class)->finalize (object);
}

static void
ag_console_channel_view_class_init (AgConsoleChannelViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_channel_view_dispose;
  object_class->finalize = ag_console_channel_view_finalize;
  widget_class->size_allocate = ag_console_channel_view_size_allocate;

  /**
   * AgConsoleChannelView::call-requested:
   * @peer: the member to call
   * @channel: the channel the call is about
   */
  signals[SIGNAL_CALL_REQUESTED] =
    g_signal_new ("call-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_MESSAGE_REQUESTED] =
    g_signal_new ("message-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-channel-view.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, channel_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, channel_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, count_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, query_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, roster_search);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, roster_count_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, lookup_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, lookup_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, roster_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, roster_stale_box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, roster_stale_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, roster_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, messages_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, messages_status);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, messages_scroller);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, messages_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelView, message_entry);
  gtk_widget_class_bind_template_callback (widget_class, channel_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, channel_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, count_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, roster_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lookup_clicked_cb);

  gtk_widget_class_install_action (widget_class, "channel.join", NULL, join_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.leave", NULL, leave_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.send", NULL, send_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.query-count", NULL,
                                   query_count_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.call-member", "s", call_member_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.message-member", "s",
                                   message_member_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.call-selected", NULL,
                                   call_selected_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.message-selected", NULL,
                                   message_selected_action_cb);
  gtk_widget_class_install_action (widget_class, "channel.member-menu", NULL,
                                   open_selected_menu_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "channel.member-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "channel.member-menu", NULL);
}

static void
ag_console_channel_view_init (AgConsoleChannelView *self)
{
  g_autoptr(GtkListItemFactory) roster_factory = NULL;
  g_autoptr(GtkListItemFactory) message_factory = NULL;
  GtkAdjustment *adjustment;
  GtkExpression *account;
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->logs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, channel_log_free);
  self->stick_to_bottom = TRUE;

  /* Roster: members -> filter (search) -> sort (account) -> selection -> list view. Rows only
   * bind labels, so a 10,000 member channel costs what its visible rows cost. */
  account = gtk_property_expression_new (AG_TYPE_MEMBER, NULL, "account");
  self->roster_string_filter = gtk_string_filter_new (gtk_expression_ref (account));
  gtk_string_filter_set_match_mode (self->roster_string_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->roster_string_filter, TRUE);
  self->roster_filter = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->roster_string_filter)));
  sorter = GTK_SORTER (gtk_string_sorter_new (account));
  self->roster_sort = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->roster_filter)), sorter);
  self->roster_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->roster_sort)));
  gtk_single_selection_set_autoselect (self->roster_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->roster_selection, TRUE);
  g_signal_connect_swapped (self->roster_sort, "items-changed", G_CALLBACK (roster_changed_cb), self);
  g_signal_connect_swapped (self->roster_selection, "notify::selected", G_CALLBACK (update_actions), self);

  roster_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (roster_factory, "setup", G_CALLBACK (roster_setup_cb), NULL);
  g_signal_connect (roster_factory, "bind", G_CALLBACK (roster_bind_cb), NULL);
  gtk_list_view_set_factory (self->roster_view, roster_factory);
  gtk_list_view_set_model (self->roster_view, GTK_SELECTION_MODEL (self->roster_selection));

  self->messages_selection = gtk_no_selection_new (NULL);
  message_factory = ag_console_message_row_factory_new ();
  gtk_list_view_set_factory (self->messages_view, message_factory);
  gtk_list_view_set_model (self->messages_view, GTK_SELECTION_MODEL (self->messages_selection));

  adjustment = gtk_scrolled_window_get_vadjustment (self->messages_scroller);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (messages_upper_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (messages_value_changed_cb), self,
                           G_CONNECT_SWAPPED);

  self->member_menu = GTK_POPOVER (gtk_popover_menu_new_from_model (NULL));
  gtk_popover_set_has_arrow (self->member_menu, TRUE);
  gtk_widget_set_halign (GTK_WIDGET (self->member_menu), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (self->member_menu), GTK_WIDGET (self));

  self->channel_signals = g_signal_group_new (AG_TYPE_CHANNEL);
  g_signal_group_connect_object (self->channel_signals, "message-channel-receive",
                                 G_CALLBACK (message_channel_receive_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->channel_signals, "notify::joined",
                                 G_CALLBACK (channel_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->channel_signals, "notify::member-count",
                                 G_CALLBACK (channel_notify_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
ag_console_channel_view_new (AgSession *session)
{
  AgConsoleChannelView *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_CHANNEL_VIEW, NULL);
  self->session = g_object_ref (session);

  g_signal_connect_object (session, "notify::channel", G_CALLBACK (session_channel_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::status", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);

  session_channel_changed_cb (self);
  update_messages_stack (self);

  return GTK_WIDGET (self);
}

GListModel *
ag_console_channel_view_get_roster_model (AgConsoleChannelView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self), NULL);

  return G_LIST_MODEL (self->roster_sort);
}

GListModel *
ag_console_channel_view_get_messages (AgConsoleChannelView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self), NULL);

  return gtk_no_selection_get_model (self->messages_selection);
}

const char *
ag_console_channel_view_get_count_text (AgConsoleChannelView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self), NULL);

  return self->count_text != NULL ? self->count_text : "";
}

const char *
ag_console_channel_view_get_query_text (AgConsoleChannelView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self), NULL);

  return self->query_text != NULL ? self->query_text : "";
}

const char *
ag_console_channel_view_get_lookup_text (AgConsoleChannelView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self), NULL);

  return self->lookup_text;
}

gboolean
ag_console_channel_view_get_roster_stale (AgConsoleChannelView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_VIEW (self), FALSE);

  return self->stale_since != NULL;
}
