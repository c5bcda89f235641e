/* ag-console-channel-attr-editor.c: the current channel's attributes and built-ins
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>

#include "ag-console-channel-attr-editor.h"

/* Limits of docs/protocol.md, checked here so a typo is caught before it is sent. */
#define NAME_MAX_CHARS  128
#define VALUE_MAX_CHARS 8096

typedef enum {
  VALUE_COUNT,    /* a decimal integer >= 0 */
  VALUE_FLAG,     /* 0 or 1 */
} ValueKind;

/* The built-in attributes the server acts on. The last two are maintained by the server
 * itself, so they are explained in the list but not offered in the form's menu. */
static const struct {
  const char *name;
  const char *meaning;
  ValueKind   kind;
  gboolean    offered;
} builtins[] = {
  { "_userNotification",
    N_("1 (default): members are told of joins and leaves; 0: they are not"),
    VALUE_FLAG, TRUE },
  { "_channel_ttl",
    N_("Seconds the channel and its attributes outlive its last member (default 7200)"),
    VALUE_COUNT, TRUE },
  { "_auto_update_num",
    N_("Every n seconds the server sets _member_num to the member count; 0: off"),
    VALUE_COUNT, TRUE },
  { "_auto_update_total_num",
    N_("Every n seconds the server sets _total_member_num (with _auto_update_num); 0: off"),
    VALUE_COUNT, TRUE },
  { "_sendmsg_limit",
    N_("Channel messages per second for the whole channel (default 200)"),
    VALUE_COUNT, TRUE },
  { "_setattr_limit",
    N_("Attribute updates per second for the whole channel (unlimited when unset)"),
    VALUE_COUNT, TRUE },
  { "_member_num",
    N_("The member count, kept up to date by the server while _auto_update_num is set"),
    VALUE_COUNT, FALSE },
  { "_total_member_num",
    N_("Joins counted since the channel was created, kept by the server"),
    VALUE_COUNT, FALSE },
};

struct _AgConsoleChannelAttrEditor
{
  AdwBin             parent_instance;

  AgSession         *session;
  AgChannel         *channel;
  GCancellable      *cancellable;
  gboolean           syncing_builtin;

  GtkStack          *stack;
  AdwStatusPage     *no_channel_page;
  GtkLabel          *channel_label;
  GtkDropDown       *builtin_dropdown;
  GtkEntry          *name_entry;
  GtkEntry          *value_entry;
  GtkLabel          *name_counter;
  GtkLabel          *value_counter;
  GtkLabel          *hint_label;
  GtkLabel          *error_label;
  GtkStack          *list_stack;
  GtkColumnView     *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *value_column;
  GtkColumnViewColumn *actions_column;
  GtkSortListModel  *sort_model;
};

G_DEFINE_FINAL_TYPE (AgConsoleChannelAttrEditor, ag_console_channel_attr_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
find_builtin (const char *name)
{
  if (name == NULL)
    return -1;

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_strcmp0 (builtins[i].name, name) == 0)
      return i;

  return -1;
}

const char *
ag_console_channel_attr_describe_builtin (const char *name)
{
  int i = find_builtin (name);

  return i >= 0 ? _(builtins[i].meaning) : NULL;
}

static gboolean
is_decimal_count (const char *value)
{
  guint64 n;

  /* Digits only: g_ascii_string_to_unsigned alone would accept "+5" and "-0". */
  if (value == NULL || value[0] == '\0')
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &n, NULL);
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

gboolean
ag_console_channel_attr_validate (const char  *name,
                                  const char  *value,
                                  char       **out_reason)
{
  int builtin;

  g_return_val_if_fail (out_reason == NULL || *out_reason == NULL, FALSE);

#define REFUSE(...) G_STMT_START { \
    if (out_reason != NULL) \
      *out_reason = g_strdup_printf (__VA_ARGS__); \
    return FALSE; \
  } G_STMT_END

  if (name == NULL || name[0] == '\0')
    REFUSE ("%s", _("Enter the attribute’s name"));
  if (!g_utf8_validate (name, -1, NULL) || has_control_chars (name))
    REFUSE ("%s", _("The name must not contain control characters"));
  if (g_utf8_strlen (name, -1) > NAME_MAX_CHARS)
    REFUSE (_("The name is longer than %d characters"), NAME_MAX_CHARS);

  if (value == NULL)
    value = "";
  if (!g_utf8_validate (value, -1, NULL))
    REFUSE ("%s", _("The value is not valid UTF-8"));
  if (g_utf8_strlen (value, -1) > VALUE_MAX_CHARS)
    REFUSE (_("The value is longer than %d characters"), VALUE_MAX_CHARS);

  builtin = find_builtin (name);
  if (builtin >= 0) {
    if (builtins[builtin].kind == VALUE_COUNT && !is_decimal_count (value))
      REFUSE (_("“%s” takes a whole number of 0 or more"), name);
    if (builtins[builtin].kind == VALUE_FLAG &&
        g_strcmp0 (value, "0") != 0 && g_strcmp0 (value, "1") != 0)
      REFUSE (_("“%s” takes 0 or 1"), name);
  }

#undef REFUSE

  return TRUE;
}

static gboolean
in_channel (AgConsoleChannelAttrEditor *self)
{
  return self->channel != NULL && ag_channel_get_joined (self->channel);
}

static void
set_error (AgConsoleChannelAttrEditor *self,
           const GError               *error)
{
  g_autofree char *text = NULL;

  if (error == NULL) {
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
    gtk_label_set_label (self->error_label, "");
    return;
  }

  if (error->domain == AG_ERROR) {
    const char *name = ag_error_code_name (error->code);

    /* Translators: the server refused a request: the error code, its name and meaning. */
    text = g_strdup_printf (_("Refused by the server: %d %s — %s"),
                            error->code, name != NULL ? name : "",
                            ag_error_code_describe (error->code));
  } else {
    text = g_strdup_printf (_("Failed: %s"), error->message);
  }

  gtk_label_set_label (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
update_counter (GtkLabel   *counter,
                const char *text,
                int         limit)
{
  glong n = g_utf8_strlen (text, -1);
  g_autofree char *label = g_strdup_printf ("%ld/%d", n, limit);

  gtk_label_set_label (counter, label);
  if (n > limit)
    gtk_widget_add_css_class (GTK_WIDGET (counter), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (counter), "error");
}

/* Brings the counters, the hint and the enabled actions in line with the form and the
 * channel. */
static void
update_form (AgConsoleChannelAttrEditor *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));
  g_autofree char *reason = NULL;
  const char *meaning;
  gboolean valid;

  update_counter (self->name_counter, name, NAME_MAX_CHARS);
  update_counter (self->value_counter, value, VALUE_MAX_CHARS);

  valid = ag_console_channel_attr_validate (name, value, &reason);
  meaning = ag_console_channel_attr_describe_builtin (name);

  /* A built-in picked with no value yet gets its meaning, not a complaint. */
  if (!valid && name[0] != '\0' && !(meaning != NULL && value[0] == '\0')) {
    gtk_label_set_label (self->hint_label, reason);
    gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "error");
    gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "dim-label");
  } else {
    gtk_label_set_label (self->hint_label,
                         meaning != NULL ? meaning
                                         : _("Every member is told of each change."));
    gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "error");
    gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "dim-label");
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attrs.set", valid && in_channel (self));
}

static void
update_list_page (AgConsoleChannelAttrEditor *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attrs.clear", in_channel (self) && n > 0);
}

static void
update_state (AgConsoleChannelAttrEditor *self)
{
  gboolean joined = in_channel (self);

  gtk_stack_set_visible_child_name (self->stack, joined ? "attrs" : "no-channel");

  if (joined) {
    g_autofree char *title = g_strdup_printf (_("Attributes of “%s”"),
                                              ag_channel_get_name (self->channel));

    gtk_label_set_label (self->channel_label, title);
  } else {
    gtk_label_set_label (self->channel_label, _("Channel Attributes"));
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attrs.delete", joined);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attrs.edit", joined);
  update_form (self);
  update_list_page (self);
}

static void
attributes_changed_cb (AgConsoleChannelAttrEditor *self)
{
  update_list_page (self);
}

static void
channel_joined_cb (AgConsoleChannelAttrEditor *self)
{
  update_state (self);
}

static void
set_channel (AgConsoleChannelAttrEditor *self,
             AgChannel                  *channel)
{
  if (self->channel == channel)
    return;

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);

  g_set_object (&self->channel, channel);
  gtk_sort_list_model_set_model (self->sort_model,
                                 channel != NULL ? ag_channel_get_attributes (channel) : NULL);
  set_error (self, NULL);

  if (channel != NULL)
    g_signal_connect_object (channel, "notify::joined",
                             G_CALLBACK (channel_joined_cb), self, G_CONNECT_SWAPPED);

  update_state (self);
}

static void
session_channel_cb (AgConsoleChannelAttrEditor *self)
{
  set_channel (self, ag_session_get_channel (self->session));
}

static void
name_changed_cb (AgConsoleChannelAttrEditor *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  guint position = 0;
  int builtin;

  if (!self->syncing_builtin) {
    GListModel *model = gtk_drop_down_get_model (self->builtin_dropdown);

    /* Position 0 of the menu is "Custom"; the offered built-ins follow in table order. */
    builtin = find_builtin (name);
    if (builtin >= 0 && builtins[builtin].offered) {
      for (guint i = 1; i < g_list_model_get_n_items (model); i++) {
        const char *item = gtk_string_list_get_string (GTK_STRING_LIST (model), i);

        if (g_strcmp0 (item, name) == 0) {
          position = i;
          break;
        }
      }
    }

    self->syncing_builtin = TRUE;
    gtk_drop_down_set_selected (self->builtin_dropdown, position);
    self->syncing_builtin = FALSE;
  }

  update_form (self);
}

static void
value_changed_cb (AgConsoleChannelAttrEditor *self)
{
  update_form (self);
}

static void
entry_activate_cb (AgConsoleChannelAttrEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "attrs.set", NULL);
}

static void
builtin_selected_cb (AgConsoleChannelAttrEditor *self)
{
  guint position = gtk_drop_down_get_selected (self->builtin_dropdown);
  GListModel *model = gtk_drop_down_get_model (self->builtin_dropdown);

  if (self->syncing_builtin || position == 0 || position == GTK_INVALID_LIST_POSITION)
    return;

  self->syncing_builtin = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry),
                         gtk_string_list_get_string (GTK_STRING_LIST (model), position));
  self->syncing_builtin = FALSE;

  gtk_widget_grab_focus (GTK_WIDGET (self->value_entry));
}

/* Server replies. Each callback holds a reference to the editor, so it may touch it even
 * when the editor left the window meanwhile; a cancelled request says nothing. */

static void
report_result (AgConsoleChannelAttrEditor *self,
               GError                     *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_error (self, error);
}

static void
set_attr_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (AgConsoleChannelAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  ag_channel_channel_set_attr_finish (AG_CHANNEL (source), result, &error);
  report_result (self, error);
}

static void
del_attr_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (AgConsoleChannelAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  ag_channel_channel_del_attr_finish (AG_CHANNEL (source), result, &error);
  report_result (self, error);
}

static void
clear_attr_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (AgConsoleChannelAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  ag_channel_channel_clear_attr_finish (AG_CHANNEL (source), result, &error);
  report_result (self, error);
}

static void
set_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));

  if (!in_channel (self) || !ag_console_channel_attr_validate (name, value, NULL))
    return;

  set_error (self, NULL);
  ag_channel_channel_set_attr_async (self->channel, name, value, self->cancellable,
                                     set_attr_cb, g_object_ref (self));
}

static void
delete_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (!in_channel (self))
    return;

  set_error (self, NULL);
  ag_channel_channel_del_attr_async (self->channel, name, self->cancellable,
                                     del_attr_cb, g_object_ref (self));
}

static void
edit_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const char *value;

  if (!in_channel (self))
    return;

  value = ag_channel_get_attr (self->channel, name);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), value != NULL ? value : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->value_entry));
}

static void
clear_response_cb (AgConsoleChannelAttrEditor *self,
                   const char                 *response)
{
  if (g_strcmp0 (response, "clear") != 0 || !in_channel (self))
    return;

  set_error (self, NULL);
  ag_channel_channel_clear_attr_async (self->channel, self->cancellable,
                                       clear_attr_cb, g_object_ref (self));
}

static void
clear_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (!in_channel (self))
    return;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Clear All Attributes?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Every attribute of “%s” is removed, for all of its members."),
                                  ag_channel_get_name (self->channel));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "clear", _("C_lear All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (clear_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Column cells */

static void
setup_name_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *meaning = gtk_label_new (NULL);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (meaning), 0);
  gtk_label_set_wrap (GTK_LABEL (meaning), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (meaning), 40);
  gtk_widget_add_css_class (meaning, "dim-label");
  gtk_widget_add_css_class (meaning, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), meaning);
  gtk_list_item_set_child (item, box);
}

static void
bind_name_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item)
{
  AgAttribute *attr = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *meaning = gtk_widget_get_next_sibling (name);
  const char *text = ag_console_channel_attr_describe_builtin (ag_attribute_get_name (attr));

  gtk_label_set_label (GTK_LABEL (name), ag_attribute_get_name (attr));
  gtk_label_set_label (GTK_LABEL (meaning), text != NULL ? text : "");
  gtk_widget_set_visible (meaning, text != NULL);
}

static void
setup_value_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_list_item_set_child (item, label);
}

static void
bind_value_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  AgAttribute *attr = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *value = ag_attribute_get_value (attr);

  gtk_label_set_label (GTK_LABEL (label), value != NULL ? value : "");
  gtk_widget_set_tooltip_text (label, value);
}

static GtkWidget *
make_row_button (const char *icon_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");

  return button;
}

static void
setup_actions_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), make_row_button ("document-edit-symbolic"));
  gtk_box_append (GTK_BOX (box), make_row_button ("user-trash-symbolic"));
  gtk_list_item_set_child (item, box);
}

static void
bind_actions_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  AgAttribute *attr = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *edit = gtk_widget_get_first_child (box);
  GtkWidget *delete = gtk_widget_get_next_sibling (edit);
  const char *name = ag_attribute_get_name (attr);
  g_autofree char *edit_label = g_strdup_printf (_("Edit “%s”"), name);
  g_autofree char *delete_label = g_strdup_printf (_("Delete “%s”"), name);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "s", name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete), "s", name);
  /* Named after the target is set: an action name without its target warns. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "attrs.edit");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "attrs.delete");
  gtk_widget_set_tooltip_text (edit, edit_label);
  gtk_widget_set_tooltip_text (delete, delete_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (edit),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, edit_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, delete_label, -1);
}

static GtkListItemFactory *
make_factory (GCallback setup,
              GCallback bind)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", setup, NULL);
  g_signal_connect (factory, "bind", bind, NULL);

  return factory;
}

/* The built-in menu: the button shows the name, the popup its meaning too. */

static void
setup_builtin_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  with_meaning)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_box_append (GTK_BOX (box), name);

  if (with_meaning) {
    GtkWidget *meaning = gtk_label_new (NULL);

    gtk_label_set_xalign (GTK_LABEL (meaning), 0);
    gtk_label_set_wrap (GTK_LABEL (meaning), TRUE);
    gtk_label_set_max_width_chars (GTK_LABEL (meaning), 36);
    gtk_widget_add_css_class (meaning, "dim-label");
    gtk_widget_add_css_class (meaning, "caption");
    gtk_box_append (GTK_BOX (box), meaning);
  }

  gtk_list_item_set_child (item, box);
}

static void
bind_builtin_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  with_meaning)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *name = gtk_widget_get_first_child (box);
  GtkWidget *meaning = gtk_widget_get_next_sibling (name);
  gboolean custom = gtk_list_item_get_position (item) == 0;

  gtk_label_set_label (GTK_LABEL (name),
                       custom ? _("Custom") : gtk_string_object_get_string (string));

  if (meaning != NULL) {
    const char *text = custom ? _("Any other name, with any text as its value")
                              : ag_console_channel_attr_describe_builtin (
                                  gtk_string_object_get_string (string));

    gtk_label_set_label (GTK_LABEL (meaning), text);
  }
}

static void
setup_builtin_dropdown (AgConsoleChannelAttrEditor *self)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkListItemFactory) list_factory = gtk_signal_list_item_factory_new ();

  gtk_string_list_append (names, "");
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (builtins[i].offered)
      gtk_string_list_append (names, builtins[i].name);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_builtin_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_builtin_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (list_factory, "setup", G_CALLBACK (setup_builtin_cb), GINT_TO_POINTER (TRUE));
  g_signal_connect (list_factory, "bind", G_CALLBACK (bind_builtin_cb), GINT_TO_POINTER (TRUE));

  gtk_drop_down_set_model (self->builtin_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_factory (self->builtin_dropdown, factory);
  gtk_drop_down_set_list_factory (self->builtin_dropdown, list_factory);
}

static void
setup_columns (AgConsoleChannelAttrEditor *self)
{
  g_autoptr (GtkListItemFactory) name_factory = NULL;
  g_autoptr (GtkListItemFactory) value_factory = NULL;
  g_autoptr (GtkListItemFactory) actions_factory = NULL;
  g_autoptr (GtkSorter) name_sorter = NULL;
  g_autoptr (GtkSorter) value_sorter = NULL;

  name_factory = make_factory (G_CALLBACK (setup_name_cb), G_CALLBACK (bind_name_cb));
  value_factory = make_factory (G_CALLBACK (setup_value_cb), G_CALLBACK (bind_value_cb));
  actions_factory = make_factory (G_CALLBACK (setup_actions_cb), G_CALLBACK (bind_actions_cb));

  gtk_column_view_column_set_factory (self->name_column, name_factory);
  gtk_column_view_column_set_factory (self->value_column, value_factory);
  gtk_column_view_column_set_factory (self->actions_column, actions_factory);

  name_sorter = GTK_SORTER (gtk_string_sorter_new (
    gtk_property_expression_new (AG_TYPE_ATTRIBUTE, NULL, "name")));
  value_sorter = GTK_SORTER (gtk_string_sorter_new (
    gtk_property_expression_new (AG_TYPE_ATTRIBUTE, NULL, "value")));
  gtk_column_view_column_set_sorter (self->name_column, name_sorter);
  gtk_column_view_column_set_sorter (self->value_column, value_sorter);

  gtk_sort_list_model_set_sorter (self->sort_model, gtk_column_view_get_sorter (self->column_view));
  gtk_column_view_sort_by_column (self->column_view, self->name_column, GTK_SORT_ASCENDING);
}

static void
ag_console_channel_attr_editor_constructed (GObject *object)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (object);

  G_OBJECT_CLASS (ag_console_channel_attr_editor_parent_class)->constructed (object);

  g_signal_connect_object (self->session, "notify::channel",
                           G_CALLBACK (session_channel_cb), self, G_CONNECT_SWAPPED);
  set_channel (self, ag_session_get_channel (self->session));
  update_state (self);
}

static void
ag_console_channel_attr_editor_dispose (GObject *object)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);
  g_clear_object (&self->channel);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_CHANNEL_ATTR_EDITOR);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_console_channel_attr_editor_parent_class)->dispose (object);
}

static void
ag_console_channel_attr_editor_get_property (GObject    *object,
                                             guint       prop_id,
                                             GValue     *value,
                                             GParamSpec *pspec)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_channel_attr_editor_set_property (GObject      *object,
                                             guint         prop_id,
                                             const GValue *value,
                                             GParamSpec   *pspec)
{
  AgConsoleChannelAttrEditor *self = AG_CONSOLE_CHANNEL_ATTR_EDITOR (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_channel_attr_editor_class_init (AgConsoleChannelAttrEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_console_channel_attr_editor_constructed;
  object_class->dispose = ag_console_channel_attr_editor_dispose;
  object_class->get_property = ag_console_channel_attr_editor_get_property;
  object_class->set_property = ag_console_channel_attr_editor_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         AG_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-channel-attr-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, no_channel_page);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, channel_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, builtin_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, name_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, value_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, name_counter);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, value_counter);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, hint_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, list_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, column_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, name_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, value_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, actions_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleChannelAttrEditor, sort_model);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, builtin_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, attributes_changed_cb);

  gtk_widget_class_install_action (widget_class, "attrs.set", NULL, set_action_cb);
  gtk_widget_class_install_action (widget_class, "attrs.delete", "s", delete_action_cb);
  gtk_widget_class_install_action (widget_class, "attrs.edit", "s", edit_action_cb);
  gtk_widget_class_install_action (widget_class, "attrs.clear", NULL, clear_action_cb);
}

static void
ag_console_channel_attr_editor_init (AgConsoleChannelAttrEditor *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  setup_builtin_dropdown (self);
  setup_columns (self);
}

GtkWidget *
ag_console_channel_attr_editor_new (AgSession *session)
{
  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  return g_object_new (AG_CONSOLE_TYPE_CHANNEL_ATTR_EDITOR,
                       "session", session,
                       NULL);
}

AgSession *
ag_console_channel_attr_editor_get_session (AgConsoleChannelAttrEditor *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CHANNEL_ATTR_EDITOR (self), NULL);

  return self->session;
}
