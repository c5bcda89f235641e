/* ag-console-monitor-users.c: the Monitor's online users, with actions on the selected one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>
#include <agsignal.h>

#include "ag-console-monitor-users.h"

struct _AgConsoleMonitorUsers
{
  GtkWidget           parent_instance;

  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;
  GtkStringFilter    *filter;

  GtkWidget           *box;
  GtkLabel            *count_label;
  GtkSearchEntry      *search_entry;
  GtkButton           *details_button;
  GtkButton           *message_button;
  GtkButton           *call_button;
  GtkButton           *kick_button;
  GtkColumnView       *view;
};

G_DEFINE_FINAL_TYPE (AgConsoleMonitorUsers, ag_console_monitor_users, GTK_TYPE_WIDGET)

char *
ag_console_monitor_format_time_ms (gpointer this_object,
                                   gint64   ms)
{
  g_autoptr(GDateTime) time = NULL;

  if (ms <= 0)
    return g_strdup ("");

  time = g_date_time_new_from_unix_local (ms / 1000);
  return time != NULL ? g_date_time_format (time, "%H:%M:%S") : g_strdup ("");
}

static void
update_count (AgConsoleMonitorUsers *self)
{
  GListModel *all = gtk_filter_list_model_get_model (self->filtered);
  guint total = all != NULL ? g_list_model_get_n_items (all) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (ngettext ("%u online", "%u online", total), total);
  else
    /* Translators: users matching the search, of all online users */
    text = g_strdup_printf (ngettext ("%u of %u online", "%u of %u online", total), shown, total);
  gtk_label_set_label (self->count_label, text);
}

static AgAdminUser *
selected_user (AgConsoleMonitorUsers *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
selection_changed_cb (AgConsoleMonitorUsers *self)
{
  gboolean selected = selected_user (self) != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->kick_button), selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->details_button), selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->message_button), selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->call_button), selected);
}

static void
activate_on_selected (AgConsoleMonitorUsers *self,
                      const char            *action)
{
  AgAdminUser *user = selected_user (self);

  if (user != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), action, "s", ag_admin_user_get_account (user));
}

static void
kick_clicked_cb (AgConsoleMonitorUsers *self)
{
  activate_on_selected (self, "monitor.kick");
}

static void
details_clicked_cb (AgConsoleMonitorUsers *self)
{
  activate_on_selected (self, "monitor.show-user");
}

static void
message_clicked_cb (AgConsoleMonitorUsers *self)
{
  activate_on_selected (self, "monitor.message");
}

/* The window places the call from one of the operator's sessions. */
static void
call_clicked_cb (AgConsoleMonitorUsers *self)
{
  activate_on_selected (self, "win.call-account");
}

static void
search_changed_cb (AgConsoleMonitorUsers *self)
{
  ag_console_monitor_users_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
ag_console_monitor_users_dispose (GObject *object)
{
  AgConsoleMonitorUsers *self = AG_CONSOLE_MONITOR_USERS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_MONITOR_USERS);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (ag_console_monitor_users_parent_class)->dispose (object);
}

static void
ag_console_monitor_users_class_init (AgConsoleMonitorUsersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_monitor_users_dispose;

  /* The template's expressions name the item type. */
  g_type_ensure (AG_TYPE_ADMIN_USER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-monitor-users.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, count_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, details_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, message_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, call_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, kick_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorUsers, view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, kick_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, call_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, details_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, ag_console_monitor_format_time_ms);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ag_console_monitor_users_init (AgConsoleMonitorUsers *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* users -> search -> the column the operator sorts by -> one selected row */
  self->filter = gtk_string_filter_new (gtk_property_expression_new (AG_TYPE_ADMIN_USER, NULL,
                                                                     "account"));
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                          g_object_ref (gtk_column_view_get_sorter (self->view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  update_count (self);
}

GtkWidget *
ag_console_monitor_users_new (void)
{
  return g_object_new (AG_CONSOLE_TYPE_MONITOR_USERS, NULL);
}

void
ag_console_monitor_users_set_model (AgConsoleMonitorUsers *self,
                                    GListModel            *users)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_USERS (self));

  gtk_filter_list_model_set_model (self->filtered, users);
  update_count (self);
}

GListModel *
ag_console_monitor_users_get_shown (AgConsoleMonitorUsers *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_USERS (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

void
ag_console_monitor_users_set_search (AgConsoleMonitorUsers *self,
                                     const char            *text)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_USERS (self));

  gtk_string_filter_set_search (self->filter, text != NULL && *text != '\0' ? text : NULL);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  update_count (self);
}

gboolean
ag_console_monitor_users_select (AgConsoleMonitorUsers *self,
                                 const char            *account)
{
  GListModel *shown;

  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_USERS (self), FALSE);

  shown = G_LIST_MODEL (self->sorted);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++) {
    g_autoptr(AgAdminUser) user = g_list_model_get_item (shown, i);

    if (g_strcmp0 (ag_admin_user_get_account (user), account) == 0) {
      gtk_single_selection_set_selected (self->selection, i);
      return TRUE;
    }
  }

  return FALSE;
}
