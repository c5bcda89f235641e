/* ag-console-conversations-view.c: peer messages, one conversation per peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "ag-console-conversations-view.h"
#include "ag-console-message-row.h"

struct _AgConsoleConversationsView
{
  GtkWidget              parent_instance;

  AgSession             *session;
  GListStore            *conversations;
  GtkSingleSelection    *selection;
  GtkNoSelection        *messages_selection;
  AgConsoleConversation *current;
  guint                  unread;
  gboolean               stick_to_bottom;

  GtkEntry              *peer_entry;
  GtkStack              *peers_stack;
  GtkListView           *peers_view;
  GtkLabel              *peer_label;
  GtkStack              *messages_stack;
  AdwStatusPage         *messages_status;
  GtkScrolledWindow     *messages_scroller;
  GtkListView           *messages_view;
  GtkEntry              *message_entry;
  GtkSpinButton         *ttl_spin;
};

G_DEFINE_FINAL_TYPE (AgConsoleConversationsView, ag_console_conversations_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_UNREAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_unread (AgConsoleConversationsView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));
  guint unread = 0;

  for (guint i = 0; i < n; i++) {
    g_autoptr(AgConsoleConversation) conversation =
      g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

    unread += ag_console_conversation_get_unread (conversation);
  }

  if (self->unread == unread)
    return;

  self->unread = unread;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

static void
update_actions (AgConsoleConversationsView *self)
{
  gboolean logged_in = ag_session_get_status (self->session) == AG_STATUS_LOGGED_IN;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conversations.open", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conversations.send",
                                 logged_in && self->current != NULL);
}

static void
update_messages_stack (AgConsoleConversationsView *self)
{
  GListModel *messages = self->current != NULL ? ag_console_conversation_get_messages (self->current) : NULL;
  gboolean have_messages = messages != NULL && g_list_model_get_n_items (messages) > 0;

  if (self->current == NULL) {
    adw_status_page_set_title (self->messages_status, _("No Conversation Selected"));
    adw_status_page_set_description (self->messages_status, _("Pick a peer on the left"));
  } else {
    adw_status_page_set_title (self->messages_status, _("No Messages"));
    adw_status_page_set_description (self->messages_status,
                                     _("Messages with a TTL reach peers that are offline once they log in"));
  }

  gtk_stack_set_visible_child_name (self->messages_stack, have_messages ? "messages" : "empty");
  gtk_stack_set_visible_child_name (self->peers_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->conversations)) > 0
                                      ? "peers" : "empty");
}

/* Seen when it is on screen: the selected conversation of a mapped view. */
static void
mark_current_read (AgConsoleConversationsView *self)
{
  if (self->current != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ag_console_conversation_mark_read (self->current);
}

static void
current_messages_changed_cb (AgConsoleConversationsView *self)
{
  update_messages_stack (self);
  mark_current_read (self);
}

static void
selection_changed_cb (AgConsoleConversationsView *self)
{
  AgConsoleConversation *conversation = gtk_single_selection_get_selected_item (self->selection);

  if (self->current == conversation)
    return;

  if (self->current != NULL)
    g_signal_handlers_disconnect_by_func (ag_console_conversation_get_messages (self->current),
                                          current_messages_changed_cb, self);

  g_set_object (&self->current, conversation);

  if (conversation != NULL) {
    g_signal_connect_swapped (ag_console_conversation_get_messages (conversation), "items-changed",
                              G_CALLBACK (current_messages_changed_cb), self);
    gtk_label_set_label (self->peer_label, ag_console_conversation_get_peer (conversation));
    gtk_no_selection_set_model (self->messages_selection,
                                ag_console_conversation_get_messages (conversation));
  } else {
    gtk_label_set_label (self->peer_label, _("Peer Messages"));
    gtk_no_selection_set_model (self->messages_selection, NULL);
  }

  self->stick_to_bottom = TRUE;
  mark_current_read (self);
  update_messages_stack (self);
  update_actions (self);
}

static AgConsoleConversation *
find_conversation (AgConsoleConversationsView *self,
                   const char                 *peer,
                   guint                      *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

  for (guint i = 0; i < n; i++) {
    g_autoptr(AgConsoleConversation) conversation =
      g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

    if (g_strcmp0 (ag_console_conversation_get_peer (conversation), peer) == 0) {
      if (out_position != NULL)
        *out_position = i;
      return conversation;
    }
  }

  return NULL;
}

static AgConsoleConversation *
ensure_conversation (AgConsoleConversationsView *self,
                     const char                 *peer)
{
  g_autoptr(AgConsoleConversation) conversation = NULL;
  AgConsoleConversation *found = find_conversation (self, peer, NULL);

  if (found != NULL)
    return found;

  conversation = ag_console_conversation_new (peer);
  g_signal_connect_object (conversation, "notify::unread", G_CALLBACK (update_unread), self,
                           G_CONNECT_SWAPPED);
  g_list_store_append (self->conversations, conversation);
  update_messages_stack (self);

  return conversation;
}

static void
message_instant_receive_cb (AgConsoleConversationsView *self,
                            const char                 *account,
                            guint                       uid,
                            const char                 *msg)
{
  AgConsoleConversation *conversation = ensure_conversation (self, account);
  g_autoptr(AgConsoleMessageItem) item = NULL;
  gint64 sent_ms = ag_session_get_message_ts (self->session);

  /* When it was sent: a message stored while this session was offline arrives later. */
  item = ag_console_message_item_new (account, uid,
                                      sent_ms > 0 ? sent_ms * 1000 : g_get_real_time (), msg,
                                      AG_CONSOLE_MESSAGE_RECEIVED);
  ag_console_conversation_add (conversation, item);

  if (conversation == self->current)
    mark_current_read (self);
}

AgConsoleConversation *
ag_console_conversations_view_open (AgConsoleConversationsView *self,
                                    const char                 *peer)
{
  AgConsoleConversation *conversation;
  guint position = 0;

  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATIONS_VIEW (self), NULL);
  g_return_val_if_fail (peer != NULL && *peer != '\0', NULL);

  conversation = ensure_conversation (self, peer);
  find_conversation (self, peer, &position);
  gtk_single_selection_set_selected (self->selection, position);

  return conversation;
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AgConsoleMessageItem) item = user_data;
  g_autoptr(GError) error = NULL;
  gboolean stored;

  stored = ag_session_message_instant_send_finish (AG_SESSION (object), result, &error);
  if (error != NULL) {
    ag_console_message_item_fail (item, error);
    return;
  }

  ag_console_message_item_set_state (item, stored ? AG_CONSOLE_MESSAGE_STORED
                                                   : AG_CONSOLE_MESSAGE_SENT);
}

void
ag_console_conversations_view_send (AgConsoleConversationsView *self,
                                    const char                 *text,
                                    guint                       ttl)
{
  g_autoptr(AgConsoleMessageItem) item = NULL;

  g_return_if_fail (AG_CONSOLE_IS_CONVERSATIONS_VIEW (self));
  g_return_if_fail (text != NULL);

  if (*text == '\0' || self->current == NULL)
    return;

  item = ag_console_message_item_new (ag_session_get_account (self->session),
                                      ag_session_get_uid (self->session),
                                      g_get_real_time (), text, AG_CONSOLE_MESSAGE_SENDING);
  self->stick_to_bottom = TRUE;
  ag_console_conversation_add (self->current, item);

  /* No cancellable: the outcome belongs to the message, which outlives this view. */
  ag_session_message_instant_send_async (self->session,
                                         ag_console_conversation_get_peer (self->current),
                                         text, ttl, NULL, send_cb, g_steal_pointer (&item));
}

static void
open_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleConversationsView *self = AG_CONSOLE_CONVERSATIONS_VIEW (widget);
  g_autofree char *peer = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->peer_entry))));

  if (*peer == '\0')
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->peer_entry), "");
  ag_console_conversations_view_open (self, peer);
  gtk_widget_grab_focus (GTK_WIDGET (self->message_entry));
}

static void
send_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleConversationsView *self = AG_CONSOLE_CONVERSATIONS_VIEW (widget);
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->message_entry)));

  if (*text == '\0')
    return;

  /* A TTL typed but not yet committed (no Enter, no focus change) counts too. */
  gtk_spin_button_update (self->ttl_spin);

  gtk_editable_set_text (GTK_EDITABLE (self->message_entry), "");
  ag_console_conversations_view_send (self, text,
                                      (guint) gtk_spin_button_get_value_as_int (self->ttl_spin));
}

static void
peer_entry_activate_cb (AgConsoleConversationsView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "conversations.open", NULL);
}

static void
message_entry_activate_cb (AgConsoleConversationsView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "conversations.send", NULL);
}

static void
peer_row_update (GtkListItem *list_item)
{
  AgConsoleConversation *conversation = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *texts = gtk_widget_get_first_child (box);
  GtkWidget *peer = gtk_widget_get_first_child (texts);
  GtkWidget *preview = gtk_widget_get_next_sibling (peer);
  GtkWidget *badge = gtk_widget_get_next_sibling (texts);
  guint unread;
  char count[16];

  if (conversation == NULL)
    return;

  unread = ag_console_conversation_get_unread (conversation);
  g_snprintf (count, sizeof count, "%u", unread);

  gtk_label_set_label (GTK_LABEL (peer), ag_console_conversation_get_peer (conversation));
  gtk_label_set_label (GTK_LABEL (preview), ag_console_conversation_get_preview (conversation));
  gtk_widget_set_visible (preview, ag_console_conversation_get_preview (conversation) != NULL);
  gtk_label_set_label (GTK_LABEL (badge), count);
  gtk_widget_set_visible (badge, unread > 0);
}

static void
peer_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *peer = gtk_label_new (NULL);
  GtkWidget *preview = gtk_label_new (NULL);
  GtkWidget *badge = gtk_label_new (NULL);

  gtk_widget_set_hexpand (texts, TRUE);
  gtk_label_set_xalign (GTK_LABEL (peer), 0);
  gtk_label_set_ellipsize (GTK_LABEL (peer), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (preview), 0);
  gtk_label_set_ellipsize (GTK_LABEL (preview), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (preview), TRUE);
  gtk_widget_add_css_class (preview, "dim-label");
  gtk_widget_add_css_class (preview, "caption");
  gtk_widget_add_css_class (badge, "unread-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);

  gtk_box_append (GTK_BOX (texts), peer);
  gtk_box_append (GTK_BOX (texts), preview);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (box), badge);

  gtk_list_item_set_child (list_item, box);
}

static void
peer_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  AgConsoleConversation *conversation = gtk_list_item_get_item (list_item);
  gulong id;

  id = g_signal_connect_swapped (conversation, "notify", G_CALLBACK (peer_row_update), list_item);
  g_object_set_data (G_OBJECT (list_item), "ag-console-notify-id", GSIZE_TO_POINTER (id));
  peer_row_update (list_item);
}

static void
peer_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  AgConsoleConversation *conversation = gtk_list_item_get_item (list_item);
  gulong id = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (list_item), "ag-console-notify-id"));

  if (conversation != NULL && id != 0)
    g_signal_handler_disconnect (conversation, id);
}

static void
messages_upper_changed_cb (AgConsoleConversationsView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->messages_scroller);

  if (self->stick_to_bottom)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_upper (adjustment) -
                              gtk_adjustment_get_page_size (adjustment));
}

static void
messages_value_changed_cb (AgConsoleConversationsView *self,
                           GtkAdjustment              *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) >= bottom - 4;
}

static void
ag_console_conversations_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ag_console_conversations_view_parent_class)->map (widget);

  mark_current_read (AG_CONSOLE_CONVERSATIONS_VIEW (widget));
}

static void
ag_console_conversations_view_dispose (GObject *object)
{
  AgConsoleConversationsView *self = (AgConsoleConversationsView *) object;
  GtkWidget *child;

  if (self->current != NULL)
    g_signal_handlers_disconnect_by_func (ag_console_conversation_get_messages (self->current),
                                          current_messages_changed_cb, self);
  g_clear_object (&self->current);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_CONVERSATIONS_VIEW);
  /* dispose_template only unparents the children it binds; the layout boxes go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->messages_selection);
  g_clear_object (&self->conversations);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_console_conversations_view_parent_class)->dispose (object);
}

static void
ag_console_conversations_view_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  AgConsoleConversationsView *self = AG_CONSOLE_CONVERSATIONS_VIEW (object);

  switch (prop_id) {
  case PROP_UNREAD:
    g_value_set_uint (value, self->unread);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_conversations_view_class_init (AgConsoleConversationsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_conversations_view_dispose;
  object_class->get_property = ag_console_conversations_view_get_property;
  widget_class->map = ag_console_conversations_view_map;

  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-conversations-view.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, peer_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, peers_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, peers_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, peer_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, messages_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, messages_status);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, messages_scroller);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, messages_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, message_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleConversationsView, ttl_spin);
  gtk_widget_class_bind_template_callback (widget_class, peer_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_entry_activate_cb);

  gtk_widget_class_install_action (widget_class, "conversations.open", NULL, open_action_cb);
  gtk_widget_class_install_action (widget_class, "conversations.send", NULL, send_action_cb);
}

static void
ag_console_conversations_view_init (AgConsoleConversationsView *self)
{
  g_autoptr(GtkListItemFactory) peer_factory = NULL;
  g_autoptr(GtkListItemFactory) message_factory = NULL;
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->stick_to_bottom = TRUE;
  self->conversations = g_list_store_new (AG_CONSOLE_TYPE_CONVERSATION);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->conversations)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);

  peer_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (peer_factory, "setup", G_CALLBACK (peer_setup_cb), NULL);
  g_signal_connect (peer_factory, "bind", G_CALLBACK (peer_bind_cb), NULL);
  g_signal_connect (peer_factory, "unbind", G_CALLBACK (peer_unbind_cb), NULL);
  gtk_list_view_set_factory (self->peers_view, peer_factory);
  gtk_list_view_set_model (self->peers_view, GTK_SELECTION_MODEL (self->selection));

  self->messages_selection = gtk_no_selection_new (NULL);
  message_factory = ag_console_message_row_factory_new ();
  gtk_list_view_set_factory (self->messages_view, message_factory);
  gtk_list_view_set_model (self->messages_view, GTK_SELECTION_MODEL (self->messages_selection));

  adjustment = gtk_scrolled_window_get_vadjustment (self->messages_scroller);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (messages_upper_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (messages_value_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
ag_console_conversations_view_new (AgSession *session)
{
  AgConsoleConversationsView *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_CONVERSATIONS_VIEW, NULL);
  self->session = g_object_ref (session);

  g_signal_connect_object (session, "message-instant-receive",
                           G_CALLBACK (message_instant_receive_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::status", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);

  selection_changed_cb (self);
  gtk_label_set_label (self->peer_label, _("Peer Messages"));
  update_messages_stack (self);
  update_actions (self);

  return GTK_WIDGET (self);
}

GListModel *
ag_console_conversations_view_get_conversations (AgConsoleConversationsView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATIONS_VIEW (self), NULL);

  return G_LIST_MODEL (self->conversations);
}

guint
ag_console_conversations_view_get_unread (AgConsoleConversationsView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATIONS_VIEW (self), 0);

  return self->unread;
}
