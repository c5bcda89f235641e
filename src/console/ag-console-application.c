/* ag-console-application.c: options, app actions, the embedded server, the profiles
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-application.h"
#include "ag-console-preferences-window.h"
#include "ag-console-window.h"

#define SCHEMA_ID                    "org.agsignal.Console"
#define EMBEDDED_START_TIMEOUT_MS    15000
#define EMBEDDED_STOP_TIMEOUT_MS     3000

struct _AgConsoleApplication
{
  AdwApplication           parent_instance;

  GSettings               *settings;
  AgConsoleProfileStore   *profile_store;
  AgConsoleEmbeddedServer *embedded_server;
  char                    *server_override;
  char                    *app_id_override;
};

G_DEFINE_FINAL_TYPE (AgConsoleApplication, ag_console_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_EMBEDDED_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "version", 'v', 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
    N_("Connect to this server instead of starting an embedded one"), N_("URI") },
  { "app-id", 'a', 0, G_OPTION_ARG_STRING, NULL,
    N_("App id to log in to (default: demo)"), N_("APP_ID") },
  { NULL }
};

static void
apply_color_scheme (AgConsoleApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme color_scheme = ADW_COLOR_SCHEME_PREFER_LIGHT;

  /* PREFER_LIGHT is what "follow the system" means for AdwStyleManager: light unless the
   * system asks for dark. */
  if (g_strcmp0 (scheme, "prefer-dark") == 0)
    color_scheme = ADW_COLOR_SCHEME_PREFER_DARK;
  else if (g_strcmp0 (scheme, "light") == 0)
    color_scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (scheme, "dark") == 0)
    color_scheme = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), color_scheme);
}

static GtkWindow *
active_window (AgConsoleApplication *self)
{
  return gtk_application_get_active_window (GTK_APPLICATION (self));
}

static AgConsoleWindow *
ensure_window (AgConsoleApplication *self)
{
  GtkWindow *window = active_window (self);

  if (AG_CONSOLE_IS_WINDOW (window))
    return AG_CONSOLE_WINDOW (window);

  return ag_console_window_new (self);
}

/* Closes the application's windows that are (transient = TRUE) or are not dialogs. */
static void
close_windows (AgConsoleApplication *self,
               gboolean              transient)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));
  g_autoptr(GPtrArray) to_close = g_ptr_array_new_with_free_func (g_object_unref);

  /* Closing a window changes the list (and can destroy its dialogs): hold references. */
  for (GList *l = windows; l != NULL; l = l->next)
    if ((gtk_window_get_transient_for (l->data) != NULL) == transient)
      g_ptr_array_add (to_close, g_object_ref (l->data));

  for (guint i = 0; i < to_close->len; i++)
    gtk_window_close (g_ptr_array_index (to_close, i));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AgConsoleApplication *self = user_data;

  /* Dialogs first, while their parents still exist. Closing the main windows logs their
   * sessions out; the application ends once the last window is gone and the logouts are
   * confirmed (each bounded by the request timeout). */
  close_windows (self, TRUE);
  close_windows (self, FALSE);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  AgConsoleApplication *self = user_data;
  static const char *developers[] = { "The agsignal developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", active_window (self),
                        "application-name", _("agsignal Console"),
                        "application-icon", APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The agsignal developers"),
                        "developers", developers,
                        "comments", _("Watch channels live and exercise logins, messages, attributes "
                                      "and call invitations of an agsignal server by hand."),
                        "license-type", GTK_LICENSE_LGPL_2_1,
                        "copyright", "© The agsignal developers",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AgConsoleApplication *self = user_data;

  gtk_window_present (ag_console_preferences_window_new (self, active_window (self)));
}

static void
shortcuts_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AgConsoleApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *window;

  builder = gtk_builder_new_from_resource ("/org/agsignal/Console/ag-console-shortcuts-window.ui");
  window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (window, active_window (self));
  gtk_window_set_application (window, GTK_APPLICATION (self));
  gtk_window_present (window);
}

static void
new_session_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AgConsoleApplication *self = user_data;
  AgConsoleWindow *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  ag_console_window_open_login_dialog (window);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action_cb },
  { "about", about_action_cb },
  { "preferences", preferences_action_cb },
  { "shortcuts", shortcuts_action_cb },
  { "new-session", new_session_action_cb },
};

static int
ag_console_application_handle_local_options (GApplication *application,
                                             GVariantDict *options)
{
  AgConsoleApplication *self = AG_CONSOLE_APPLICATION (application);
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source;

  if (g_variant_dict_contains (options, "version")) {
    g_print ("agsignal-console %s\n", PACKAGE_VERSION);
    return 0;
  }

  g_variant_dict_lookup (options, "server", "s", &self->server_override);
  g_variant_dict_lookup (options, "app-id", "s", &self->app_id_override);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL) {
    g_printerr (_("The GSettings schema %s is not installed (or set GSETTINGS_SCHEMA_DIR)\n"),
                SCHEMA_ID);
    return 1;
  }

  return G_APPLICATION_CLASS (ag_console_application_parent_class)->handle_local_options (application, options);
}

static void
ag_console_application_startup (GApplication *application)
{
  AgConsoleApplication *self = AG_CONSOLE_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.new-session", { "<Control>n", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.shortcuts", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (ag_console_application_parent_class)->startup (application);

  self->settings = g_settings_new (SCHEMA_ID);
  self->profile_store = ag_console_profile_store_new (self->settings);

  g_signal_connect_object (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme),
                           self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
}

static void
embedded_started_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(AgConsoleApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  uri = ag_console_embedded_server_start_finish (AG_CONSOLE_EMBEDDED_SERVER (object), result, &error);
  if (uri == NULL)
    g_warning ("The embedded agsignald did not start: %s", error->message);
}

/* The embedded server keeps the demo app's attributes, offline messages, channels and uids
 * in the user's data directory, so they survive the console. AG_CONSOLE_EMBEDDED_STATE
 * names another file, or ":memory:" for none (the tests use that). */
static char *
embedded_state_path (void)
{
  const char *env = g_getenv ("AG_CONSOLE_EMBEDDED_STATE");

  if (env != NULL && *env != '\0')
    return g_str_equal (env, ":memory:") ? NULL : g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "agsignal-console", "embedded-server.db",
                           NULL);
}

AgConsoleEmbeddedServer *
ag_console_application_ensure_embedded_server (AgConsoleApplication *self)
{
  AgConsoleEmbeddedServerState state;

  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (self), NULL);

  if (self->embedded_server == NULL) {
    g_autofree char *state_path = embedded_state_path ();

    self->embedded_server = ag_console_embedded_server_new (NULL);
    ag_console_embedded_server_set_state_path (self->embedded_server, state_path);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMBEDDED_SERVER]);
  }

  state = ag_console_embedded_server_get_state (self->embedded_server);
  if (state != AG_CONSOLE_EMBEDDED_SERVER_RUNNING && state != AG_CONSOLE_EMBEDDED_SERVER_STARTING)
    ag_console_embedded_server_start_async (self->embedded_server, EMBEDDED_START_TIMEOUT_MS, NULL,
                                            embedded_started_cb, g_object_ref (self));

  return self->embedded_server;
}

static void
ag_console_application_activate (GApplication *application)
{
  AgConsoleApplication *self = AG_CONSOLE_APPLICATION (application);
  g_autofree char *last_profile = g_settings_get_string (self->settings, "last-profile");
  AgConsoleWindow *window;

  /* No server configured: start one, so the console is useful at once. */
  if (self->server_override == NULL && *last_profile == '\0')
    ag_console_application_ensure_embedded_server (self);

  window = ensure_window (self);
  gtk_window_present (GTK_WINDOW (window));

  /* Nothing to see before a login: ask for one at once. */
  if (adw_tab_view_get_n_pages (ag_console_window_get_tab_view (window)) == 0)
    ag_console_window_open_login_dialog (window);
}

static void
ag_console_application_shutdown (GApplication *application)
{
  AgConsoleApplication *self = AG_CONSOLE_APPLICATION (application);

  if (self->embedded_server != NULL)
    ag_console_embedded_server_stop (self->embedded_server, EMBEDDED_STOP_TIMEOUT_MS);

  G_APPLICATION_CLASS (ag_console_application_parent_class)->shutdown (application);
}

static void
ag_console_application_dispose (GObject *object)
{
  AgConsoleApplication *self = (AgConsoleApplication *) object;

  g_clear_object (&self->embedded_server);
  g_clear_object (&self->profile_store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ag_console_application_parent_class)->dispose (object);
}

static void
ag_console_application_finalize (GObject *object)
{
  AgConsoleApplication *self = (AgConsoleApplication *) object;

  g_free (self->server_override);
  g_free (self->app_id_override);

  G_OBJECT_CLASS (ag_console_application_parent_class)->finalize (object);
}

static void
ag_console_application_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AgConsoleApplication *self = AG_CONSOLE_APPLICATION (object);

  switch (prop_id) {
  case PROP_EMBEDDED_SERVER:
    g_value_set_object (value, self->embedded_server);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_application_class_init (AgConsoleApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ag_console_application_dispose;
  object_class->finalize = ag_console_application_finalize;
  object_class->get_property = ag_console_application_get_property;

  application_class->handle_local_options = ag_console_application_handle_local_options;
  application_class->startup = ag_console_application_startup;
  application_class->activate = ag_console_application_activate;
  application_class->shutdown = ag_console_application_shutdown;

  properties[PROP_EMBEDDED_SERVER] =
    g_param_spec_object ("embedded-server", NULL, NULL, AG_CONSOLE_TYPE_EMBEDDED_SERVER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_application_init (AgConsoleApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Watch and exercise an agsignal server."));
}

/* Each console is its own instance (NON_UNIQUE): it may own an embedded server, and a second
 * console started with --server must not hand its options to the first one. */
AgConsoleApplication *
ag_console_application_new (void)
{
  return g_object_new (AG_CONSOLE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/agsignal/Console",
                       NULL);
}

GSettings *
ag_console_application_get_settings (AgConsoleApplication *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (self), NULL);

  return self->settings;
}

AgConsoleProfileStore *
ag_console_application_get_profile_store (AgConsoleApplication *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (self), NULL);

  return self->profile_store;
}

const char *
ag_console_application_get_server_override (AgConsoleApplication *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (self), NULL);

  return self->server_override;
}

const char *
ag_console_application_get_app_id_override (AgConsoleApplication *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (self), NULL);

  return self->app_id_override;
}

AgConsoleEmbeddedServer *
ag_console_application_get_embedded_server (AgConsoleApplication *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (self), NULL);

  return self->embedded_server;
}
