/* ag-console-user-attr-editor.c: the session's own user attributes, and any account's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>

#include "ag-console-user-attr-editor.h"

#define NAME_MAX_CHARS  128
#define VALUE_MAX_CHARS 8096

/* User attributes are not pushed by the server: the editor reads them (get_attr_all of
 * the own account) when the session logs in, after each change it makes, and on Refresh.
 * Both lists are a GtkStringList of names, sorted, with the values in a hash table the
 * cells read; each read replaces the whole list, so every cell is bound again. */
struct _AgConsoleUserAttrEditor
{
  AdwBin          parent_instance;

  AgSession      *session;
  GCancellable   *cancellable;
  GCancellable   *lookup_cancellable;

  GHashTable     *own_values;
  GHashTable     *lookup_values;
  char           *lookup_account;
  char           *lookup_name;     /* the one attribute asked for, or NULL for all */

  GtkStack       *stack;
  GtkLabel       *account_label;
  GtkEntry       *name_entry;
  GtkEntry       *value_entry;
  GtkLabel       *value_counter;
  GtkLabel       *own_error_label;
  GtkStack       *own_stack;
  GtkStringList  *own_names;
  GtkColumnViewColumn *own_name_column;
  GtkColumnViewColumn *own_value_column;
  GtkColumnViewColumn *own_actions_column;
  GtkEntry       *lookup_account_entry;
  GtkEntry       *lookup_name_entry;
  GtkLabel       *lookup_error_label;
  GtkLabel       *lookup_empty_label;
  GtkLabel       *lookup_title_label;
  GtkStack       *lookup_stack;
  GtkStringList  *lookup_names;
  GtkColumnViewColumn *lookup_name_column;
  GtkColumnViewColumn *lookup_value_column;
};

G_DEFINE_FINAL_TYPE (AgConsoleUserAttrEditor, ag_console_user_attr_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
logged_in (AgConsoleUserAttrEditor *self)
{
  return ag_session_get_status (self->session) == AG_STATUS_LOGGED_IN;
}

static gboolean
valid_name (const char *name)
{
  if (name == NULL || name[0] == '\0' || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  if (g_utf8_strlen (name, -1) > NAME_MAX_CHARS)
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static gboolean
valid_account (const char *account)
{
  if (!valid_name (account))
    return FALSE;
  for (const char *p = account; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static void
show_error (GtkLabel     *label,
            const GError *error)
{
  g_autofree char *text = NULL;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    gtk_widget_set_visible (GTK_WIDGET (label), FALSE);
    return;
  }

  if (error->domain == AG_ERROR) {
    const char *name = ag_error_code_name (error->code);

    text = g_strdup_printf (_("Refused by the server: %d %s — %s"),
                            error->code, name != NULL ? name : "",
                            ag_error_code_describe (error->code));
  } else {
    text = g_strdup_printf (_("Failed: %s"), error->message);
  }

  gtk_label_set_label (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

/* Replaces names with the sorted keys of values. */
static void
fill_names (GtkStringList *names,
            GHashTable    *values)
{
  g_autofree const char **keys = NULL;
  guint n_keys;

  keys = (const char **) g_hash_table_get_keys_as_array (values, &n_keys);
  g_qsort_with_data (keys, n_keys, sizeof (char *), compare_names, NULL);
  gtk_string_list_splice (names, 0, g_list_model_get_n_items (G_LIST_MODEL (names)), keys);
}

static void
update_form (AgConsoleUserAttrEditor *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));
  const char *account = gtk_editable_get_text (GTK_EDITABLE (self->lookup_account_entry));
  const char *lookup_name = gtk_editable_get_text (GTK_EDITABLE (self->lookup_name_entry));
  glong value_chars = g_utf8_strlen (value, -1);
  g_autofree char *counter = g_strdup_printf ("%ld/%d", value_chars, VALUE_MAX_CHARS);
  gboolean ok = logged_in (self);

  gtk_label_set_label (self->value_counter, counter);
  if (value_chars > VALUE_MAX_CHARS)
    gtk_widget_add_css_class (GTK_WIDGET (self->value_counter), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->value_counter), "error");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user-attrs.set",
                                 ok && valid_name (name) && value_chars <= VALUE_MAX_CHARS);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user-attrs.look-up",
                                 ok && valid_account (account) &&
                                 (lookup_name[0] == '\0' || valid_name (lookup_name)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user-attrs.refresh", ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user-attrs.delete", ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "user-attrs.edit", ok);
}

static void
form_changed_cb (AgConsoleUserAttrEditor *self)
{
  update_form (self);
}

static void
set_activate_cb (AgConsoleUserAttrEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "user-attrs.set", NULL);
}

static void
look_up_activate_cb (AgConsoleUserAttrEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "user-attrs.look-up", NULL);
}

static void
show_own (AgConsoleUserAttrEditor *self)
{
  fill_names (self->own_names, self->own_values);
  gtk_stack_set_visible_child_name (self->own_stack,
                                    g_hash_table_size (self->own_values) > 0 ? "list" : "empty");
}

static void
own_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (AgConsoleUserAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) attrs = NULL;
  GHashTableIter iter;
  gpointer key, value;

  attrs = ag_session_user_get_attr_all_finish (AG_SESSION (source), result, &error);
  show_error (self->own_error_label, error);
  if (attrs == NULL)
    return;

  g_hash_table_remove_all (self->own_values);
  g_hash_table_iter_init (&iter, attrs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (self->own_values, g_strdup (key), g_strdup (value));

  show_own (self);
}

static void
read_own (AgConsoleUserAttrEditor *self)
{
  if (!logged_in (self))
    return;

  ag_session_user_get_attr_all_async (self->session, ag_session_get_account (self->session),
                                      self->cancellable, own_read_cb, g_object_ref (self));
}

static void
set_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr (AgConsoleUserAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;

  ag_session_user_set_attr_finish (AG_SESSION (source), result, &error);
  show_error (self->own_error_label, error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  read_own (self);
}

static void
set_attr (AgConsoleUserAttrEditor *self,
          const char              *name,
          const char              *value)
{
  show_error (self->own_error_label, NULL);
  ag_session_user_set_attr_async (self->session, name, value, self->cancellable,
                                  set_cb, g_object_ref (self));
}

static void
set_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *value = gtk_editable_get_text (GTK_EDITABLE (self->value_entry));

  if (!logged_in (self) || !valid_name (name) || g_utf8_strlen (value, -1) > VALUE_MAX_CHARS)
    return;

  set_attr (self, name, value);
}

static void
delete_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (widget);

  if (!logged_in (self))
    return;

  /* The protocol has no delete: an empty value removes the attribute. */
  set_attr (self, g_variant_get_string (parameter, NULL), "");
}

static void
edit_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const char *value = g_hash_table_lookup (self->own_values, name);

  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), value != NULL ? value : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->value_entry));
}

static void
refresh_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  read_own (AG_CONSOLE_USER_ATTR_EDITOR (widget));
}

static void
show_lookup (AgConsoleUserAttrEditor *self,
             const char              *single_name)
{
  g_autofree char *title = NULL;

  fill_names (self->lookup_names, self->lookup_values);

  if (single_name != NULL)
    title = g_strdup_printf (_("“%s” of %s"), single_name, self->lookup_account);
  else
    title = g_strdup_printf (_("Attributes of %s"), self->lookup_account);
  gtk_label_set_label (self->lookup_title_label, title);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_title_label), TRUE);

  if (g_hash_table_size (self->lookup_values) > 0) {
    gtk_stack_set_visible_child_name (self->lookup_stack, "list");
  } else {
    g_autofree char *empty = g_strdup_printf (_("%s has no attributes."), self->lookup_account);

    gtk_label_set_label (self->lookup_empty_label, empty);
    gtk_stack_set_visible_child_name (self->lookup_stack, "empty");
  }
}

static void
lookup_all_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (AgConsoleUserAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) attrs = NULL;
  GHashTableIter iter;
  gpointer key, value;

  attrs = ag_session_user_get_attr_all_finish (AG_SESSION (source), result, &error);
  show_error (self->lookup_error_label, error);
  if (attrs == NULL)
    return;

  g_hash_table_remove_all (self->lookup_values);
  g_hash_table_iter_init (&iter, attrs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (self->lookup_values, g_strdup (key), g_strdup (value));

  show_lookup (self, NULL);
}

static void
lookup_one_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (AgConsoleUserAttrEditor) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *value = NULL;

  value = ag_session_user_get_attr_finish (AG_SESSION (source), result, &error);
  show_error (self->lookup_error_label, error);
  if (error != NULL)
    return;

  /* The name asked for is the only key; an unset attribute keeps a NULL value so the list
   * can say so. */
  g_hash_table_remove_all (self->lookup_values);
  g_hash_table_insert (self->lookup_values, g_strdup (self->lookup_name),
                       g_steal_pointer (&value));
  show_lookup (self, self->lookup_name);
}

static void
look_up_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (widget);
  const char *account = gtk_editable_get_text (GTK_EDITABLE (self->lookup_account_entry));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->lookup_name_entry));

  if (!logged_in (self) || !valid_account (account))
    return;

  /* A new look-up replaces the one still waiting, so answers never arrive out of order. */
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  self->lookup_cancellable = g_cancellable_new ();

  g_free (self->lookup_account);
  self->lookup_account = g_strdup (account);
  g_free (self->lookup_name);
  self->lookup_name = name[0] != '\0' ? g_strdup (name) : NULL;
  show_error (self->lookup_error_label, NULL);

  if (self->lookup_name != NULL) {
    ag_session_user_get_attr_async (self->session, account, name, self->lookup_cancellable,
                                    lookup_one_cb, g_object_ref (self));
  } else {
    ag_session_user_get_attr_all_async (self->session, account, self->lookup_cancellable,
                                        lookup_all_cb, g_object_ref (self));
  }
}

static void
update_status (AgConsoleUserAttrEditor *self)
{
  gboolean ok = logged_in (self);
  g_autofree char *account = g_strdup_printf (_("Account %s"),
                                              ag_session_get_account (self->session));

  gtk_label_set_label (self->account_label, account);
  gtk_stack_set_visible_child_name (self->stack, ok ? "attrs" : "logged-out");
  update_form (self);
}

static void
status_cb (AgConsoleUserAttrEditor *self)
{
  update_status (self);
  read_own (self);
}

/* Cells: the item is a GtkStringObject holding the name; the value comes from the hash
 * table given as the factory's data. */

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_list_item_set_child (item, label);
}

static void
bind_name_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (string));
}

static void
bind_value_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               GHashTable               *values)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *value = g_hash_table_lookup (values, gtk_string_object_get_string (string));

  if (value == NULL) {
    gtk_label_set_label (GTK_LABEL (label), _("Not set"));
    gtk_widget_add_css_class (label, "dim-label");
  } else {
    gtk_label_set_label (GTK_LABEL (label), value);
    gtk_widget_remove_css_class (label, "dim-label");
  }
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
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), make_row_button ("document-edit-symbolic"));
  gtk_box_append (GTK_BOX (box), make_row_button ("user-trash-symbolic"));
  gtk_list_item_set_child (item, box);
}

static void
bind_actions_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *edit = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *delete = gtk_widget_get_next_sibling (edit);
  const char *name = gtk_string_object_get_string (string);
  g_autofree char *edit_label = g_strdup_printf (_("Edit “%s”"), name);
  g_autofree char *delete_label = g_strdup_printf (_("Delete “%s”"), name);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "s", name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete), "s", name);
  /* Named after the target is set: an action name without its target warns. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "user-attrs.edit");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "user-attrs.delete");
  gtk_widget_set_tooltip_text (edit, edit_label);
  gtk_widget_set_tooltip_text (delete, delete_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (edit),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, edit_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, delete_label, -1);
}

static void
set_factory (GtkColumnViewColumn *column,
             GCallback            setup,
             GCallback            bind,
             gpointer             data)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", setup, data);
  g_signal_connect (factory, "bind", bind, data);
  gtk_column_view_column_set_factory (column, factory);
}

static void
ag_console_user_attr_editor_constructed (GObject *object)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (object);

  G_OBJECT_CLASS (ag_console_user_attr_editor_parent_class)->constructed (object);

  g_signal_connect_object (self->session, "notify::status",
                           G_CALLBACK (status_cb), self, G_CONNECT_SWAPPED);
  update_status (self);
  read_own (self);
}

static void
ag_console_user_attr_editor_dispose (GObject *object)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->lookup_cancellable);

  /* The stack is both the bin's child and a template child: the bin lets go of it first so
   * that only the template unparents it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_USER_ATTR_EDITOR);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->lookup_cancellable);

  G_OBJECT_CLASS (ag_console_user_attr_editor_parent_class)->dispose (object);
}

static void
ag_console_user_attr_editor_finalize (GObject *object)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (object);

  g_hash_table_unref (self->own_values);
  g_hash_table_unref (self->lookup_values);
  g_free (self->lookup_account);
  g_free (self->lookup_name);

  G_OBJECT_CLASS (ag_console_user_attr_editor_parent_class)->finalize (object);
}

static void
ag_console_user_attr_editor_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_user_attr_editor_set_property (GObject      *object,
                                          guint         prop_id,
                                          const GValue *value,
                                          GParamSpec   *pspec)
{
  AgConsoleUserAttrEditor *self = AG_CONSOLE_USER_ATTR_EDITOR (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_user_attr_editor_class_init (AgConsoleUserAttrEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_console_user_attr_editor_constructed;
  object_class->dispose = ag_console_user_attr_editor_dispose;
  object_class->finalize = ag_console_user_attr_editor_finalize;
  object_class->get_property = ag_console_user_attr_editor_get_property;
  object_class->set_property = ag_console_user_attr_editor_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         AG_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-user-attr-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, account_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, name_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, value_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, value_counter);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, own_error_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, own_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, own_names);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, own_name_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, own_value_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, own_actions_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_account_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_name_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_error_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_empty_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_title_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_names);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_name_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleUserAttrEditor, lookup_value_column);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, set_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, look_up_activate_cb);

  gtk_widget_class_install_action (widget_class, "user-attrs.set", NULL, set_action_cb);
  gtk_widget_class_install_action (widget_class, "user-attrs.delete", "s", delete_action_cb);
  gtk_widget_class_install_action (widget_class, "user-attrs.edit", "s", edit_action_cb);
  gtk_widget_class_install_action (widget_class, "user-attrs.refresh", NULL, refresh_action_cb);
  gtk_widget_class_install_action (widget_class, "user-attrs.look-up", NULL, look_up_action_cb);
}

static void
ag_console_user_attr_editor_init (AgConsoleUserAttrEditor *self)
{
  self->cancellable = g_cancellable_new ();
  self->lookup_cancellable = g_cancellable_new ();
  self->own_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->lookup_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  set_factory (self->own_name_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_name_cb), NULL);
  set_factory (self->own_value_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_value_cb), self->own_values);
  set_factory (self->own_actions_column, G_CALLBACK (setup_actions_cb),
               G_CALLBACK (bind_actions_cb), NULL);
  set_factory (self->lookup_name_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_name_cb), NULL);
  set_factory (self->lookup_value_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_value_cb), self->lookup_values);
}

GtkWidget *
ag_console_user_attr_editor_new (AgSession *session)
{
  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  return g_object_new (AG_CONSOLE_TYPE_USER_ATTR_EDITOR,
                       "session", session,
                       NULL);
}

AgSession *
ag_console_user_attr_editor_get_session (AgConsoleUserAttrEditor *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_USER_ATTR_EDITOR (self), NULL);

  return self->session;
}

GHashTable *
ag_console_user_attr_editor_get_own (AgConsoleUserAttrEditor *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_USER_ATTR_EDITOR (self), NULL);

  return self->own_values;
}

GHashTable *
ag_console_user_attr_editor_get_looked_up (AgConsoleUserAttrEditor *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_USER_ATTR_EDITOR (self), NULL);

  return self->lookup_values;
}
