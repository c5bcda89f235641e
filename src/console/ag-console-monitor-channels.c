/* ag-console-monitor-channels.c: the Monitor's channels, and one opened without joining
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>

#include "ag-console-monitor-channels.h"

#define MEMBERS_PAGE 1000

struct _AgConsoleMonitorChannels
{
  GtkWidget           parent_instance;

  AgAdmin            *admin;
  GtkStringFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;

  /* The opened channel. */
  char               *open_name;
  GListStore         *members;        /* of AgMember */
  guint               members_total;
  gboolean            members_done;
  GCancellable       *members_cancellable;
  char               *details_title;

  GtkWidget           *box;
  GtkLabel            *count_label;
  GtkSearchEntry      *search_entry;
  GtkColumnView       *view;
  GtkColumnViewColumn *members_column;
  GtkWidget           *details_box;
  GtkLabel            *details_title_label;
  GtkListView         *members_view;
  GtkListView         *attrs_view;
  GtkEntry            *attr_name_entry;
  GtkEntry            *attr_value_entry;
};

G_DEFINE_FINAL_TYPE (AgConsoleMonitorChannels, ag_console_monitor_channels, GTK_TYPE_WIDGET)

enum {
  SIGNAL_REPORT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
report (AgConsoleMonitorChannels *self,
        const char               *text)
{
  g_signal_emit (self, signals[SIGNAL_REPORT], 0, text);
}

static void
update_count (AgConsoleMonitorChannels *self)
{
  GListModel *all = gtk_filter_list_model_get_model (self->filtered);
  guint total = all != NULL ? g_list_model_get_n_items (all) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (ngettext ("%u channel", "%u channels", total), total);
  else
    text = g_strdup_printf (ngettext ("%u of %u channel", "%u of %u channels", total), shown, total);
  gtk_label_set_label (self->count_label, text);
}

static void
update_details_title (AgConsoleMonitorChannels *self)
{
  guint loaded = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  g_free (self->details_title);
  if (self->open_name == NULL)
    self->details_title = NULL;
  else if (self->members_done && loaded == self->members_total)
    /* Translators: a channel's name and its member count */
    self->details_title = g_strdup_printf (ngettext ("%s: %u member", "%s: %u members",
                                                     self->members_total),
                                           self->open_name, self->members_total);
  else
    /* Translators: a channel's name, the members loaded so far and the member count */
    self->details_title = g_strdup_printf (ngettext ("%s: %u of %u member", "%s: %u of %u members",
                                                     self->members_total),
                                           self->open_name, loaded, self->members_total);

  gtk_label_set_label (self->details_title_label, self->details_title != NULL ? self->details_title : "");
}

static void load_members_page (AgConsoleMonitorChannels *self,
                               guint                     offset);

static void
members_page_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AgConsoleMonitorChannels *self = user_data;
  g_autoptr(GListModel) page = NULL;
  g_autoptr(GError) error = NULL;
  guint total = 0;
  gint64 next = -1;

  page = ag_admin_list_members_finish (AG_ADMIN (source), result, &total, &next, &error);
  if (page == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_autofree char *text = g_strdup_printf (_("Listing the members of %s failed: %s"),
                                               self->open_name, error->message);
      report (self, text);
    }
    g_object_unref (self);
    return;
  }

  {
    guint n = g_list_model_get_n_items (page);
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < n; i++)
      g_ptr_array_add (items, g_list_model_get_item (page, i));
    g_list_store_splice (self->members, g_list_model_get_n_items (G_LIST_MODEL (self->members)), 0,
                         items->pdata, items->len);
  }

  self->members_total = total;
  self->members_done = next < 0;
  update_details_title (self);

  if (next > 0)
    load_members_page (self, (guint) next);

  g_object_unref (self);
}

static void
load_members_page (AgConsoleMonitorChannels *self,
                   guint                     offset)
{
  ag_admin_list_members_async (self->admin, self->open_name, offset, MEMBERS_PAGE,
                               self->members_cancellable, members_page_cb, g_object_ref (self));
}

void
ag_console_monitor_channels_open (AgConsoleMonitorChannels *self,
                                  const char               *name)
{
  AgAdminChannel *channel = NULL;

  g_return_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self));

  g_cancellable_cancel (self->members_cancellable);
  g_clear_object (&self->members_cancellable);
  g_list_store_remove_all (self->members);
  g_clear_pointer (&self->open_name, g_free);
  self->members_done = FALSE;
  self->members_total = 0;

  if (name != NULL && self->admin != NULL)
    channel = ag_admin_lookup_channel (self->admin, name);

  if (channel == NULL) {
    gtk_list_view_set_model (self->attrs_view, NULL);
    gtk_widget_set_visible (self->details_box, FALSE);
    update_details_title (self);
    return;
  }

  self->open_name = g_strdup (name);
  self->members_total = ag_admin_channel_get_members (channel);
  {
    g_autoptr(GtkNoSelection) attrs = gtk_no_selection_new (g_object_ref (ag_admin_channel_get_attributes (channel)));

    gtk_list_view_set_model (self->attrs_view, GTK_SELECTION_MODEL (attrs));
  }
  gtk_widget_set_visible (self->details_box, TRUE);
  update_details_title (self);

  self->members_cancellable = g_cancellable_new ();
  load_members_page (self, 0);
}

/* The opened channel's member list follows joins and leaves once it is loaded. */
static void
user_joined_cb (AgConsoleMonitorChannels *self,
                AgAdminChannel           *channel,
                const char               *account,
                guint                     uid)
{
  g_autoptr(AgMember) member = NULL;

  if (g_strcmp0 (self->open_name, ag_admin_channel_get_name (channel)) != 0 || !self->members_done)
    return;

  member = g_object_new (AG_TYPE_MEMBER, "account", account, "uid", uid, NULL);
  g_list_store_append (self->members, member);
  self->members_total = ag_admin_channel_get_members (channel);
  update_details_title (self);
}

static void
user_left_cb (AgConsoleMonitorChannels *self,
              AgAdminChannel           *channel,
              const char               *account,
              guint                     uid,
              int                       code)
{
  guint n;

  if (g_strcmp0 (self->open_name, ag_admin_channel_get_name (channel)) != 0 || !self->members_done)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->members));
  for (guint i = 0; i < n; i++) {
    g_autoptr(AgMember) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);

    if (g_strcmp0 (ag_member_get_account (member), account) == 0) {
      g_list_store_remove (self->members, i);
      break;
    }
  }
  self->members_total = ag_admin_channel_get_members (channel);
  update_details_title (self);
}

static void
channel_removed_cb (AgConsoleMonitorChannels *self,
                    AgAdminChannel           *channel)
{
  if (g_strcmp0 (self->open_name, ag_admin_channel_get_name (channel)) == 0)
    ag_console_monitor_channels_open (self, NULL);
}

static void
synced_cb (AgConsoleMonitorChannels *self)
{
  g_autofree char *name = g_strdup (self->open_name);

  /* After a new snapshot the items are new objects: open the channel again. */
  if (name != NULL)
    ag_console_monitor_channels_open (self, name);
}

static void
row_activated_cb (AgConsoleMonitorChannels *self,
                  guint                     position)
{
  g_autoptr(AgAdminChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (channel != NULL)
    ag_console_monitor_channels_open (self, ag_admin_channel_get_name (channel));
}

static void
close_clicked_cb (AgConsoleMonitorChannels *self)
{
  ag_console_monitor_channels_open (self, NULL);
}

typedef struct {
  AgConsoleMonitorChannels *self;
  char                     *text;
} ChangeRequest;

static void
change_attr_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ChangeRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == ag_admin_set_channel_attr_async)
    ok = ag_admin_set_channel_attr_finish (AG_ADMIN (source), result, &error);
  else
    ok = ag_admin_delete_channel_attr_finish (AG_ADMIN (source), result, &error);

  if (ok) {
    report (request->self, request->text);
  } else {
    g_autofree char *text = g_strdup_printf (_("%s failed: %s"), request->text, error->message);

    report (request->self, text);
  }

  g_object_unref (request->self);
  g_free (request->text);
  g_free (request);
}

void
ag_console_monitor_channels_change_attr (AgConsoleMonitorChannels *self,
                                         const char               *name,
                                         const char               *value)
{
  ChangeRequest *request;

  g_return_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self));
  g_return_if_fail (name != NULL);

  if (self->admin == NULL || self->open_name == NULL || *name == '\0')
    return;

  request = g_new0 (ChangeRequest, 1);
  request->self = g_object_ref (self);

  if (value != NULL) {
    /* Translators: an operator's change of a channel attribute, for the log */
    request->text = g_strdup_printf (_("Set %s of %s"), name, self->open_name);
    ag_admin_set_channel_attr_async (self->admin, self->open_name, name, value, NULL,
                                     change_attr_cb, request);
  } else {
    request->text = g_strdup_printf (_("Deleted %s of %s"), name, self->open_name);
    ag_admin_delete_channel_attr_async (self->admin, self->open_name, name, NULL,
                                        change_attr_cb, request);
  }
}

static void
set_attr_clicked_cb (AgConsoleMonitorChannels *self)
{
  ag_console_monitor_channels_change_attr (self,
                                           gtk_editable_get_text (GTK_EDITABLE (self->attr_name_entry)),
                                           gtk_editable_get_text (GTK_EDITABLE (self->attr_value_entry)));
}

static void
delete_attr_clicked_cb (AgConsoleMonitorChannels *self)
{
  ag_console_monitor_channels_change_attr (self,
                                           gtk_editable_get_text (GTK_EDITABLE (self->attr_name_entry)),
                                           NULL);
}

static void
search_changed_cb (AgConsoleMonitorChannels *self)
{
  ag_console_monitor_channels_set_search (self,
                                          gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
ag_console_monitor_channels_dispose (GObject *object)
{
  AgConsoleMonitorChannels *self = AG_CONSOLE_MONITOR_CHANNELS (object);

  g_cancellable_cancel (self->members_cancellable);
  g_clear_object (&self->members_cancellable);
  if (self->admin != NULL)
    g_signal_handlers_disconnect_by_data (self->admin, self);
  g_clear_object (&self->admin);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_MONITOR_CHANNELS);
  g_clear_object (&self->selection);
  g_clear_object (&self->members);

  G_OBJECT_CLASS (ag_console_monitor_channels_parent_class)->dispose (object);
}

static void
ag_console_monitor_channels_finalize (GObject *object)
{
  AgConsoleMonitorChannels *self = AG_CONSOLE_MONITOR_CHANNELS (object);

  g_free (self->open_name);
  g_free (self->details_title);

  G_OBJECT_CLASS (ag_console_monitor_channels_parent_class)->finalize (object);
}

static void
ag_console_monitor_channels_class_init (AgConsoleMonitorChannelsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_monitor_channels_dispose;
  object_class->finalize = ag_console_monitor_channels_finalize;

  signals[SIGNAL_REPORT] =
    g_signal_new ("report", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (AG_TYPE_ADMIN_CHANNEL);
  g_type_ensure (AG_TYPE_MEMBER);
  g_type_ensure (AG_TYPE_ATTRIBUTE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-monitor-channels.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, count_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, members_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, details_box);
  gtk_widget_class_bind_template_child_full (widget_class, "details_title", FALSE,
                                             G_STRUCT_OFFSET (AgConsoleMonitorChannels,
                                                              details_title_label));
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, members_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, attrs_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, attr_name_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorChannels, attr_value_entry);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, set_attr_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, delete_attr_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ag_console_monitor_channels_init (AgConsoleMonitorChannels *self)
{
  g_autoptr(GtkNoSelection) members = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_string_filter_new (gtk_property_expression_new (AG_TYPE_ADMIN_CHANNEL, NULL,
                                                                     "name"));
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                          g_object_ref (gtk_column_view_get_sorter (self->view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));
  /* The busiest channels first. */
  gtk_column_view_sort_by_column (self->view, self->members_column, GTK_SORT_ASCENDING);

  self->members = g_list_store_new (AG_TYPE_MEMBER);
  members = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->members)));
  gtk_list_view_set_model (self->members_view, GTK_SELECTION_MODEL (members));

  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  update_count (self);
}

GtkWidget *
ag_console_monitor_channels_new (void)
{
  return g_object_new (AG_CONSOLE_TYPE_MONITOR_CHANNELS, NULL);
}

void
ag_console_monitor_channels_set_admin (AgConsoleMonitorChannels *self,
                                       AgAdmin                  *admin)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self));

  if (self->admin != NULL)
    g_signal_handlers_disconnect_by_data (self->admin, self);
  g_set_object (&self->admin, admin);

  gtk_filter_list_model_set_model (self->filtered,
                                   admin != NULL ? ag_admin_get_channels (admin) : NULL);
  if (admin != NULL) {
    g_signal_connect_object (admin, "channel-user-joined", G_CALLBACK (user_joined_cb), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (admin, "channel-user-left", G_CALLBACK (user_left_cb), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (admin, "channel-removed", G_CALLBACK (channel_removed_cb), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (admin, "synced", G_CALLBACK (synced_cb), self, G_CONNECT_SWAPPED);
  }
  update_count (self);
}

GListModel *
ag_console_monitor_channels_get_shown (AgConsoleMonitorChannels *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

void
ag_console_monitor_channels_set_search (AgConsoleMonitorChannels *self,
                                        const char               *text)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self));

  gtk_string_filter_set_search (self->filter, text != NULL && *text != '\0' ? text : NULL);
  update_count (self);
}

const char *
ag_console_monitor_channels_get_open (AgConsoleMonitorChannels *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self), NULL);

  return self->open_name;
}

GListModel *
ag_console_monitor_channels_get_members (AgConsoleMonitorChannels *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self), NULL);

  return G_LIST_MODEL (self->members);
}

gboolean
ag_console_monitor_channels_get_members_done (AgConsoleMonitorChannels *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self), FALSE);

  return self->members_done;
}

const char *
ag_console_monitor_channels_get_details_title (AgConsoleMonitorChannels *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_CHANNELS (self), NULL);

  return self->details_title;
}
