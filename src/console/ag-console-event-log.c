/* ag-console-event-log.c: a searchable, filterable, exportable view of a log model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "ag-console-event-log.h"
#include "ag-console-log-snapshot.h"

/* How often the view catches up with the log while signals pour in. */
#define SNAPSHOT_INTERVAL_MS 50

struct _AgConsoleEventLog
{
  GtkWidget             parent_instance;

  AgConsoleLogModel    *model;
  AgConsoleLogSnapshot *snapshot;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkSingleSelection   *selection;
  GtkStringList        *kinds;
  GHashTable           *known_kinds;
  GtkNativeDialog      *export_dialog;

  char                 *search;   /* lower-case ASCII, NULL: no search */
  char                 *kind;     /* NULL: every kind */

  GtkSearchEntry       *search_entry;
  GtkDropDown          *kind_dropdown;
  GtkToggleButton      *follow_button;
  GtkToggleButton      *pause_button;
  GtkScrolledWindow    *scroller;
  GtkColumnView        *column_view;
  GtkLabel             *details_label;
  GtkLabel             *count_label;
  GtkColumnViewColumn  *kind_column;  /* the column view holds it */
};

G_DEFINE_FINAL_TYPE (AgConsoleEventLog, ag_console_event_log, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_ENTRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_toast (GtkWidget  *widget,
            const char *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
  else
    g_message ("%s", title);
}

/* needle is lower-case ASCII; the log's summaries are mostly ASCII, and a case-folding
 * search over 100,000 entries would allocate 100,000 strings per keystroke. */
static gboolean
contains_ascii_nocase (const char *haystack,
                       const char *needle)
{
  gsize needle_len = strlen (needle);

  if (haystack == NULL)
    return FALSE;

  for (const char *p = haystack; *p != '\0'; p++) {
    gsize i = 0;

    while (i < needle_len && p[i] != '\0' && g_ascii_tolower (p[i]) == needle[i])
      i++;
    if (i == needle_len)
      return TRUE;
    if (p[i] == '\0')
      return FALSE;
  }

  return needle_len == 0;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  AgConsoleEventLog *self = user_data;
  AgConsoleLogEntry *entry = item;

  if (self->kind != NULL && g_strcmp0 (ag_console_log_entry_get_kind (entry), self->kind) != 0)
    return FALSE;

  if (self->search != NULL &&
      !contains_ascii_nocase (ag_console_log_entry_get_kind (entry), self->search) &&
      !contains_ascii_nocase (ag_console_log_entry_get_summary (entry), self->search))
    return FALSE;

  return TRUE;
}

static void
update_count (AgConsoleEventLog *self)
{
  g_autofree char *text = NULL;
  guint total;
  guint shown;

  if (self->model == NULL || self->filtered == NULL)
    return;

  total = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  if (self->search != NULL || self->kind != NULL)
    text = g_strdup_printf (ngettext ("%u of %u entry", "%u of %u entries", total), shown, total);
  else
    text = g_strdup_printf (ngettext ("%u entry", "%u entries", total), total);

  if (ag_console_log_model_get_paused (self->model)) {
    g_autofree char *paused = g_strdup_printf (_("%s (paused)"), text);

    gtk_label_set_label (self->count_label, paused);
  } else {
    gtk_label_set_label (self->count_label, text);
  }
}

static void
scroll_to_bottom (AgConsoleEventLog *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
}

static void
upper_changed_cb (AgConsoleEventLog *self)
{
  if (gtk_toggle_button_get_active (self->follow_button))
    scroll_to_bottom (self);
}

static void
refilter (AgConsoleEventLog *self)
{
  /* The dropdown reports its first selection while the template is built, before the
   * model and its filter exist. */
  if (self->filter == NULL)
    return;

  ag_console_log_snapshot_flush (self->snapshot);

  /* Without a search the filter model passes items through. A filter that matches
   * everything would still keep a bitset of matches, and GTK 4.8 shifts that bitset on
   * every change: appending to a 100,000 entry log would cost O(n) each time. */
  if (self->search == NULL && self->kind == NULL) {
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  } else if (gtk_filter_list_model_get_filter (self->filtered) == NULL) {
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  } else {
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  }

  update_count (self);
}

static void
learn_kinds (AgConsoleEventLog *self,
             guint              position,
             guint              added)
{
  for (guint i = position; i < position + added; i++) {
    g_autoptr(AgConsoleLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->model), i);
    const char *kind = ag_console_log_entry_get_kind (entry);

    if (!g_hash_table_contains (self->known_kinds, kind)) {
      g_hash_table_add (self->known_kinds, g_strdup (kind));
      gtk_string_list_append (self->kinds, kind);
    }
  }
}

static void
model_items_changed_cb (AgConsoleEventLog *self,
                        guint              position,
                        guint              removed,
                        guint              added)
{
  learn_kinds (self, position, added);
  update_count (self);
}

static void
search_changed_cb (AgConsoleEventLog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_clear_pointer (&self->search, g_free);
  if (text != NULL && *text != '\0')
    self->search = g_ascii_strdown (text, -1);

  refilter (self);
}

static void
kind_selected_cb (AgConsoleEventLog *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);

  g_clear_pointer (&self->kind, g_free);
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    self->kind = g_strdup (gtk_string_list_get_string (self->kinds, selected));

  refilter (self);
}

static void
follow_toggled_cb (AgConsoleEventLog *self)
{
  if (gtk_toggle_button_get_active (self->follow_button))
    scroll_to_bottom (self);
}

static void
pause_toggled_cb (AgConsoleEventLog *self)
{
  ag_console_log_model_set_paused (self->model, gtk_toggle_button_get_active (self->pause_button));
  update_count (self);
}

/* JSON indented for reading, or the text as it is when it does not parse. */
char *
ag_console_event_log_pretty_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;

  if (!json_parser_load_from_data (parser, json, -1, NULL) || json_parser_get_root (parser) == NULL)
    return g_strdup (json);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

static void
selection_changed_cb (AgConsoleEventLog *self)
{
  AgConsoleLogEntry *entry = gtk_single_selection_get_selected_item (self->selection);
  const char *json = entry != NULL ? ag_console_log_entry_get_json (entry) : NULL;

  if (entry == NULL) {
    gtk_label_set_label (self->details_label, _("Select an entry to see all of its details"));
  } else if (json != NULL) {
    g_autofree char *pretty = ag_console_event_log_pretty_json (json);

    gtk_label_set_label (self->details_label, pretty);
  } else {
    gtk_label_set_label (self->details_label, ag_console_log_entry_get_summary (entry));
  }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ENTRY]);
}

static void
clear_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ag_console_log_model_clear (AG_CONSOLE_EVENT_LOG (widget)->model);
}

static void
export_response_cb (AgConsoleEventLog *self,
                    int                response,
                    GtkNativeDialog   *dialog)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  g_clear_object (&self->export_dialog);

  if (file == NULL)
    return;

  if (!ag_console_event_log_export (self, file, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not export the log: %s"), error->message);

    show_toast (GTK_WIDGET (self), message);
  } else {
    g_autofree char *name = g_file_get_basename (file);
    g_autofree char *message = g_strdup_printf (_("Log exported to %s"), name);

    show_toast (GTK_WIDGET (self), message);
  }
}

static void
export_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleEventLog *self = AG_CONSOLE_EVENT_LOG (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->export_dialog != NULL)
    return;

  /* GtkFileDialog needs GTK 4.10; this is 4.8's portal-aware chooser. */
  chooser = gtk_file_chooser_native_new (_("Export Log"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON Lines"));
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "agsignal-log.jsonl");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  self->export_dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->export_dialog);
}

static void
label_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  const char *style = user_data;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_list_item_set_child (list_item, label);
}

static void
time_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  g_autofree char *time = ag_console_log_entry_format_time (gtk_list_item_get_item (list_item));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), time);
}

static void
kind_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)),
                       ag_console_log_entry_get_kind (gtk_list_item_get_item (list_item)));
}

static void
summary_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)),
                       ag_console_log_entry_get_summary (gtk_list_item_get_item (list_item)));
}

static GtkColumnViewColumn *
add_column (AgConsoleEventLog *self,
            const char        *title,
            const char        *style,
            GCallback          bind,
            int                fixed_width,
            gboolean           expand)
{
  g_autoptr(GtkColumnViewColumn) column = NULL;
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (label_setup_cb), (gpointer) style);
  g_signal_connect (factory, "bind", bind, NULL);

  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  /* A width for every column, else the column view asks for its longest text: the summary
   * takes what is left, and is cut with an ellipsis in a narrow window. */
  gtk_column_view_column_set_fixed_width (column, fixed_width);
  gtk_column_view_column_set_expand (column, expand);

  gtk_column_view_append_column (self->column_view, column);
  return column;
}

static void
ag_console_event_log_dispose (GObject *object)
{
  AgConsoleEventLog *self = (AgConsoleEventLog *) object;
  GtkWidget *child;

  if (self->export_dialog != NULL)
    gtk_native_dialog_destroy (self->export_dialog);
  g_clear_object (&self->export_dialog);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_EVENT_LOG);
  /* dispose_template only unparents the children it binds; the layout boxes go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->snapshot);
  g_clear_object (&self->kinds);
  g_clear_object (&self->model);
  g_clear_pointer (&self->known_kinds, g_hash_table_unref);

  G_OBJECT_CLASS (ag_console_event_log_parent_class)->dispose (object);
}

static void
ag_console_event_log_finalize (GObject *object)
{
  AgConsoleEventLog *self = (AgConsoleEventLog *) object;

  g_free (self->search);
  g_free (self->kind);

  G_OBJECT_CLASS (ag_console_event_log_parent_class)->finalize (object);
}

static void
ag_console_event_log_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AgConsoleEventLog *self = AG_CONSOLE_EVENT_LOG (object);

  switch (prop_id) {
  case PROP_SELECTED_ENTRY:
    g_value_set_object (value, ag_console_event_log_get_selected (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_event_log_class_init (AgConsoleEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_event_log_dispose;
  object_class->finalize = ag_console_event_log_finalize;
  object_class->get_property = ag_console_event_log_get_property;

  /* The entry the user selected, or NULL. */
  properties[PROP_SELECTED_ENTRY] =
    g_param_spec_object ("selected-entry", NULL, NULL, AG_CONSOLE_TYPE_LOG_ENTRY,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-event-log.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, follow_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, pause_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, scroller);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, column_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, details_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleEventLog, count_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, follow_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, pause_toggled_cb);

  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_action_cb);
  gtk_widget_class_install_action (widget_class, "log.export", NULL, export_action_cb);
}

static void
ag_console_event_log_init (AgConsoleEventLog *self)
{
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->known_kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->kinds = gtk_string_list_new (NULL);
  gtk_string_list_append (self->kinds, _("All kinds"));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (self->kinds));

  /* Translators: column titles of the event log. */
  add_column (self, _("Time"), "numeric", G_CALLBACK (time_bind_cb), 110, FALSE);
  self->kind_column = add_column (self, _("Signal"), NULL, G_CALLBACK (kind_bind_cb), 180,
                                  FALSE);
  add_column (self, _("Summary"), NULL, G_CALLBACK (summary_bind_cb), 240, TRUE);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (upper_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
ag_console_event_log_new (AgConsoleLogModel *model)
{
  AgConsoleEventLog *self;

  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (model), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_EVENT_LOG, NULL);
  self->model = g_object_ref (model);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->snapshot = ag_console_log_snapshot_new (model, SNAPSHOT_INTERVAL_MS);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->snapshot)), NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_count), self);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (model_items_changed_cb), self);
  g_signal_connect_swapped (model, "notify::paused", G_CALLBACK (update_count), self);

  gtk_toggle_button_set_active (self->pause_button, ag_console_log_model_get_paused (model));
  learn_kinds (self, 0, g_list_model_get_n_items (G_LIST_MODEL (model)));
  selection_changed_cb (self);
  update_count (self);

  return GTK_WIDGET (self);
}

AgConsoleLogModel *
ag_console_event_log_get_model (AgConsoleEventLog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_LOG (self), NULL);

  return self->model;
}

GListModel *
ag_console_event_log_get_filtered (AgConsoleEventLog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_LOG (self), NULL);

  /* Callers look at it now: show them what the log holds now. */
  ag_console_log_snapshot_flush (self->snapshot);

  return G_LIST_MODEL (self->filtered);
}

void
ag_console_event_log_set_search (AgConsoleEventLog *self,
                                 const char        *text)
{
  g_return_if_fail (AG_CONSOLE_IS_EVENT_LOG (self));

  /* The entry's search-changed is delayed; apply at once so callers see the result. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  search_changed_cb (self);
}

void
ag_console_event_log_set_kind (AgConsoleEventLog *self,
                               const char        *kind)
{
  guint n;

  g_return_if_fail (AG_CONSOLE_IS_EVENT_LOG (self));

  if (kind == NULL) {
    gtk_drop_down_set_selected (self->kind_dropdown, 0);
    kind_selected_cb (self);
    return;
  }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->kinds));
  for (guint i = 1; i < n; i++) {
    if (g_strcmp0 (gtk_string_list_get_string (self->kinds, i), kind) == 0) {
      gtk_drop_down_set_selected (self->kind_dropdown, i);
      kind_selected_cb (self);
      return;
    }
  }

  /* A kind not seen yet: filter by it anyway, so entries appear once they arrive. */
  g_free (self->kind);
  self->kind = g_strdup (kind);
  refilter (self);
}

gboolean
ag_console_event_log_export (AgConsoleEventLog  *self,
                             GFile              *file,
                             GError            **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;

  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_LOG (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;

  if (!ag_console_log_model_export_to (self->model, G_OUTPUT_STREAM (stream), error))
    return FALSE;

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

AgConsoleLogEntry *
ag_console_event_log_get_selected (AgConsoleEventLog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_LOG (self), NULL);

  return gtk_single_selection_get_selected_item (self->selection);
}

void
ag_console_event_log_select (AgConsoleEventLog *self,
                             guint              position)
{
  g_return_if_fail (AG_CONSOLE_IS_EVENT_LOG (self));

  gtk_single_selection_set_selected (self->selection, position);
}

void
ag_console_event_log_set_kind_title (AgConsoleEventLog *self,
                                     const char        *title)
{
  g_return_if_fail (AG_CONSOLE_IS_EVENT_LOG (self));

  gtk_column_view_column_set_title (self->kind_column, title);
}
