/* ag-console-preferences-window.c: the style, server profiles and defaults
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include <agsignal.h>

#include "ag-console-preferences-window.h"

struct _AgConsolePreferencesWindow
{
  AdwPreferencesWindow   parent_instance;

  AgConsoleApplication  *application;
  GSettings             *settings;
  AgConsoleProfileStore *store;
  GtkStringList         *profile_names;
  GPtrArray             *profile_rows;
  GCancellable          *cancellable;
  gboolean               keyring_warned;
  gboolean               updating;

  AdwComboRow           *style_row;
  AdwComboRow           *default_profile_row;
  AdwEntryRow           *default_account_row;
  AdwPreferencesGroup   *profiles_group;
  AdwEntryRow           *new_profile_row;
};

G_DEFINE_FINAL_TYPE (AgConsolePreferencesWindow, ag_console_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char * const color_schemes[] = { "follow-system", "prefer-dark", "light", "dark" };

static void
warn_keyring (AgConsolePreferencesWindow *self,
              const GError               *error)
{
  g_autofree char *message = NULL;

  if (self->keyring_warned)
    return;

  self->keyring_warned = TRUE;
  message = g_strdup_printf (_("Keyring not available: %s"), error->message);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static void
style_selected_cb (AgConsolePreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->style_row);

  if (self->updating || selected >= G_N_ELEMENTS (color_schemes))
    return;

  g_settings_set_string (self->settings, "color-scheme", color_schemes[selected]);
}

static void
default_profile_selected_cb (AgConsolePreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->default_profile_row);

  if (self->updating || selected == GTK_INVALID_LIST_POSITION)
    return;

  g_settings_set_string (self->settings, "last-profile",
                         selected == 0 ? "" : gtk_string_list_get_string (self->profile_names, selected));
}

static void
default_account_changed_cb (AgConsolePreferencesWindow *self)
{
  if (self->updating)
    return;

  g_settings_set_string (self->settings, "default-account",
                         gtk_editable_get_text (GTK_EDITABLE (self->default_account_row)));
}

typedef struct
{
  AgConsolePreferencesWindow *self;
  AdwEntryRow                *row;
} SecretRequest;

static void
secret_request_free (SecretRequest *request)
{
  g_object_unref (request->self);
  g_object_unref (request->row);
  g_free (request);
}

static void
save_secret_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SecretRequest *request = user_data;
  g_autoptr(GError) error = NULL;

  if (!ag_console_profile_store_save_secret_finish (AG_CONSOLE_PROFILE_STORE (object), result, &error)) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      request->self->keyring_warned = FALSE;
      warn_keyring (request->self, error);
    }
  } else {
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (request->self),
                                      adw_toast_new (_("Saved in the keyring")));
  }

  secret_request_free (request);
}

static void
secret_row_apply_cb (AdwEntryRow                *row,
                     AgConsolePreferencesWindow *self)
{
  const char *profile = g_object_get_data (G_OBJECT (row), "ag-console-profile");
  AgConsoleSecretKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "ag-console-kind"));
  SecretRequest *request = g_new0 (SecretRequest, 1);

  request->self = g_object_ref (self);
  request->row = g_object_ref (row);
  ag_console_profile_store_save_secret_async (self->store, profile, kind,
                                              gtk_editable_get_text (GTK_EDITABLE (row)),
                                              self->cancellable, save_secret_cb, request);
}

static void
lookup_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  secret = ag_console_profile_store_lookup_secret_finish (AG_CONSOLE_PROFILE_STORE (object), result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    warn_keyring (request->self, error);
  else if (secret != NULL)
    gtk_editable_set_text (GTK_EDITABLE (request->row), secret);

  secret_request_free (request);
}

static GtkWidget *
secret_row (AgConsolePreferencesWindow *self,
            const char                 *profile,
            AgConsoleSecretKind         kind)
{
  GtkWidget *row = adw_password_entry_row_new ();
  SecretRequest *request = g_new0 (SecretRequest, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 kind == AG_CONSOLE_SECRET_CERTIFICATE ? _("App Certificate") : _("Token"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "ag-console-profile", g_strdup (profile), g_free);
  g_object_set_data (G_OBJECT (row), "ag-console-kind", GINT_TO_POINTER (kind));
  g_signal_connect_object (row, "apply", G_CALLBACK (secret_row_apply_cb), self, 0);

  request->self = g_object_ref (self);
  request->row = g_object_ref_sink (ADW_ENTRY_ROW (row));
  ag_console_profile_store_lookup_secret_async (self->store, profile, kind, self->cancellable,
                                                lookup_secret_cb, request);

  return row;
}

static void
remove_profile_cb (GtkButton                  *button,
                   AgConsolePreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "ag-console-profile");
  g_autofree char *last = g_settings_get_string (self->settings, "last-profile");

  if (g_strcmp0 (last, name) == 0)
    g_settings_set_string (self->settings, "last-profile", "");

  ag_console_profile_store_remove (self->store, name);
}

static GtkWidget *
text_row (const char *title,
          GObject    *profile,
          const char *property)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_bind_property (profile, property, row, "text",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  return row;
}

static GtkWidget *
profile_row (AgConsolePreferencesWindow *self,
             AgConsoleProfile           *profile)
{
  const char *name = ag_console_profile_get_name (profile);
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *remove_row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_with_mnemonic (_("_Remove Profile"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), name);
  g_object_bind_property (profile, "server-uri", expander, "subtitle", G_BINDING_SYNC_CREATE);

  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), text_row (_("Server URI"), G_OBJECT (profile), "server-uri"));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), text_row (_("App ID"), G_OBJECT (profile), "app-id"));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), text_row (_("Account"), G_OBJECT (profile), "account"));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), secret_row (self, name, AG_CONSOLE_SECRET_CERTIFICATE));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), secret_row (self, name, AG_CONSOLE_SECRET_TOKEN));

  gtk_widget_add_css_class (remove, "destructive-action");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (remove), "ag-console-profile", g_strdup (name), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_profile_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (remove_row), remove);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), remove_row);

  return expander;
}

static void
rebuild_profiles (AgConsolePreferencesWindow *self)
{
  GListModel *profiles = ag_console_profile_store_get_profiles (self->store);
  g_autofree char *last = g_settings_get_string (self->settings, "last-profile");
  guint n = g_list_model_get_n_items (profiles);
  guint selected = 0;

  self->updating = TRUE;

  for (guint i = 0; i < self->profile_rows->len; i++)
    adw_preferences_group_remove (self->profiles_group, g_ptr_array_index (self->profile_rows, i));
  g_ptr_array_set_size (self->profile_rows, 0);

  gtk_string_list_splice (self->profile_names, 1,
                          g_list_model_get_n_items (G_LIST_MODEL (self->profile_names)) - 1, NULL);

  for (guint i = 0; i < n; i++) {
    g_autoptr(AgConsoleProfile) profile = g_list_model_get_item (profiles, i);
    GtkWidget *row = profile_row (self, profile);

    adw_preferences_group_add (self->profiles_group, row);
    g_ptr_array_add (self->profile_rows, row);
    gtk_string_list_append (self->profile_names, ag_console_profile_get_name (profile));
    if (g_strcmp0 (last, ag_console_profile_get_name (profile)) == 0)
      selected = i + 1;
  }

  adw_combo_row_set_selected (self->default_profile_row, selected);

  self->updating = FALSE;
}

static void
new_profile_apply_cb (AgConsolePreferencesWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_profile_row))));
  g_autoptr(AgConsoleProfile) profile = NULL;

  if (*name == '\0')
    return;

  profile = ag_console_profile_new (name, AG_DEFAULT_SERVER_URI, AG_CONSOLE_EMBEDDED_SERVER_APP_ID, "");
  if (!ag_console_profile_store_add (self->store, profile)) {
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (_("A profile with this name already exists")));
    return;
  }

  gtk_editable_set_text (GTK_EDITABLE (self->new_profile_row), "");
}

static void
load_settings (AgConsolePreferencesWindow *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  g_autofree char *account = g_settings_get_string (self->settings, "default-account");

  self->updating = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    if (g_strcmp0 (scheme, color_schemes[i]) == 0)
      adw_combo_row_set_selected (self->style_row, i);
  gtk_editable_set_text (GTK_EDITABLE (self->default_account_row), account);
  self->updating = FALSE;
}

static void
ag_console_preferences_window_dispose (GObject *object)
{
  AgConsolePreferencesWindow *self = (AgConsolePreferencesWindow *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (ag_console_profile_store_get_profiles (self->store), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_PREFERENCES_WINDOW);

  g_clear_pointer (&self->profile_rows, g_ptr_array_unref);
  g_clear_object (&self->profile_names);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (ag_console_preferences_window_parent_class)->dispose (object);
}

static void
ag_console_preferences_window_finalize (GObject *object)
{
  AgConsolePreferencesWindow *self = (AgConsolePreferencesWindow *) object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_console_preferences_window_parent_class)->finalize (object);
}

static void
ag_console_preferences_window_class_init (AgConsolePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_preferences_window_dispose;
  object_class->finalize = ag_console_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsolePreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsolePreferencesWindow, default_profile_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsolePreferencesWindow, default_account_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsolePreferencesWindow, profiles_group);
  gtk_widget_class_bind_template_child (widget_class, AgConsolePreferencesWindow, new_profile_row);
  gtk_widget_class_bind_template_callback (widget_class, style_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_profile_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_account_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_profile_apply_cb);
}

static void
ag_console_preferences_window_init (AgConsolePreferencesWindow *self)
{
  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->updating = FALSE;

  self->cancellable = g_cancellable_new ();
  self->profile_rows = g_ptr_array_new ();
  self->profile_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->profile_names, _("Embedded Local Server"));
}

GtkWindow *
ag_console_preferences_window_new (AgConsoleApplication *application,
                                   GtkWindow            *parent)
{
  AgConsolePreferencesWindow *self;

  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (application), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       "transient-for", parent,
                       NULL);
  self->application = g_object_ref (application);
  self->settings = g_object_ref (ag_console_application_get_settings (application));
  self->store = g_object_ref (ag_console_application_get_profile_store (application));

  self->updating = TRUE;
  adw_combo_row_set_model (self->default_profile_row, G_LIST_MODEL (self->profile_names));
  self->updating = FALSE;

  g_signal_connect_swapped (ag_console_profile_store_get_profiles (self->store), "items-changed",
                            G_CALLBACK (rebuild_profiles), self);

  load_settings (self);
  rebuild_profiles (self);

  return GTK_WINDOW (self);
}
