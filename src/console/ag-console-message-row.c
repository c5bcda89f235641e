/* ag-console-message-row.c: how a message list shows one message, and its row factory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-message-row.h"

struct _AgConsoleMessageRow
{
  GtkWidget             parent_instance;

  AgConsoleMessageItem *item;
  gulong                notify_id;

  GtkLabel             *sender_label;
  GtkLabel             *uid_label;
  GtkLabel             *time_label;
  GtkLabel             *state_label;
  GtkLabel             *text_label;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
};

G_DEFINE_FINAL_TYPE (AgConsoleMessageRow, ag_console_message_row, GTK_TYPE_WIDGET)

static char *
format_time (gint64 time_us)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  if (when == NULL)
    return g_strdup ("");

  return g_date_time_format (when, "%H:%M:%S");
}

static const char *
state_text (AgConsoleMessageState state)
{
  switch (state) {
  case AG_CONSOLE_MESSAGE_SENDING:
    return _("Sending…");
  case AG_CONSOLE_MESSAGE_SENT:
    return _("Sent");
  case AG_CONSOLE_MESSAGE_STORED:
    return _("Stored for offline delivery");
  case AG_CONSOLE_MESSAGE_FAILED:
    return _("Not delivered");
  case AG_CONSOLE_MESSAGE_RECEIVED:
  default:
    return "";
  }
}

static void
update_state (AgConsoleMessageRow *self)
{
  AgConsoleMessageState state = ag_console_message_item_get_state (self->item);
  gboolean failed = state == AG_CONSOLE_MESSAGE_FAILED;
  g_autofree char *uid = NULL;

  gtk_label_set_label (self->state_label, state_text (state));
  gtk_widget_set_visible (self->error_box, failed);
  gtk_label_set_label (self->error_label,
                       failed ? ag_console_message_item_get_error_text (self->item) : "");

  if (ag_console_message_item_get_uid (self->item) != 0)
    uid = g_strdup_printf (_("uid %u"), ag_console_message_item_get_uid (self->item));
  gtk_label_set_label (self->uid_label, uid != NULL ? uid : "");
  gtk_widget_set_visible (GTK_WIDGET (self->uid_label), uid != NULL);

  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");

  if (state == AG_CONSOLE_MESSAGE_RECEIVED)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "outgoing");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "outgoing");
}

static void
ag_console_message_row_dispose (GObject *object)
{
  AgConsoleMessageRow *self = (AgConsoleMessageRow *) object;
  GtkWidget *child;

  ag_console_message_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_MESSAGE_ROW);
  /* dispose_template only unparents the children it binds; the layout boxes go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ag_console_message_row_parent_class)->dispose (object);
}

static void
ag_console_message_row_class_init (AgConsoleMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_message_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, uid_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, text_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, error_box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMessageRow, error_label);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ag_console_message_row_init (AgConsoleMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_console_message_row_new (void)
{
  return g_object_new (AG_CONSOLE_TYPE_MESSAGE_ROW, NULL);
}

AgConsoleMessageItem *
ag_console_message_row_get_item (AgConsoleMessageRow *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ROW (self), NULL);

  return self->item;
}

void
ag_console_message_row_set_item (AgConsoleMessageRow  *self,
                                 AgConsoleMessageItem *item)
{
  g_autofree char *time = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (AG_CONSOLE_IS_MESSAGE_ROW (self));
  g_return_if_fail (item == NULL || AG_CONSOLE_IS_MESSAGE_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_set_object (&self->item, item);

  if (item == NULL)
    return;

  self->notify_id = g_signal_connect_object (item, "notify", G_CALLBACK (update_state), self,
                                             G_CONNECT_SWAPPED);

  time = format_time (ag_console_message_item_get_time (item));
  gtk_label_set_label (self->sender_label, ag_console_message_item_get_account (item));
  gtk_label_set_label (self->time_label, time);
  gtk_label_set_label (self->text_label, ag_console_message_item_get_text (item));
  update_state (self);

  /* Screen readers read a row as one sentence. */
  description = g_strdup_printf (_("%s at %s: %s"),
                                 ag_console_message_item_get_account (item), time,
                                 ag_console_message_item_get_text (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item)
{
  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_child (list_item, ag_console_message_row_new ());
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item)
{
  ag_console_message_row_set_item (AG_CONSOLE_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                                   gtk_list_item_get_item (list_item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item)
{
  ag_console_message_row_set_item (AG_CONSOLE_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                                   NULL);
}

GtkListItemFactory *
ag_console_message_row_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), NULL);

  return factory;
}
