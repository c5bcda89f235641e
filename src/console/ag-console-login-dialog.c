/* ag-console-login-dialog.c: the New Session dialog, from a profile or by hand, and the login
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ag-frame.h"
#include "ag-limits.h"
#include "ag-token.h"

#include "ag-console-application.h"
#include "ag-console-login-dialog.h"
#include "ag-console-signal-recorder.h"

/* Tokens minted from a certificate are for testing: a day is long enough. */
#define MINTED_TOKEN_SECONDS (24 * 60 * 60)

struct _AgConsoleLoginDialog
{
  AdwWindow                parent_instance;

  AgConsoleApplication    *application;
  GtkStringList           *profile_names;
  GCancellable            *cancellable;

  AgSession               *session;
  AgConsoleLogModel       *log;
  AgConsoleSignalRecorder *recorder;
  char                    *error_text;
  char                    *account_problem;
  char                    *account_warning;
  GPtrArray               *open_sessions;
  gboolean                 busy;
  gboolean                 focused_once;

  AdwToastOverlay         *toast_overlay;
  AdwComboRow             *profile_row;
  AdwEntryRow             *server_row;
  AdwEntryRow             *app_id_row;
  AdwEntryRow             *account_row;
  AdwEntryRow             *token_row;
  AdwEntryRow             *certificate_row;
  GtkImage                *busy_image;
  GtkLabel                *status_label;
  GtkLabel                *error_label;
  GtkLabel                *account_problem_label;
  GtkLabel                *account_warning_label;
};

G_DEFINE_FINAL_TYPE (AgConsoleLoginDialog, ag_console_login_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_LOGGED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
row_filled (AdwEntryRow *row)
{
  const char *text = row_text (row);

  return text != NULL && *text != '\0';
}

/* Why the server would refuse the account (as typed, less the spaces around it that are
 * never sent), or NULL when it would not or the field is still empty. */
static char *
describe_account_problem (const char *text)
{
  g_autofree char *account = g_strstrip (g_strdup (text != NULL ? text : ""));
  gunichar c;
  glong position;

  switch (ag_account_find_problem (account, &c, &position)) {
  case AG_ACCOUNT_PROBLEM_NONE:
  case AG_ACCOUNT_PROBLEM_EMPTY:
    return NULL;

  case AG_ACCOUNT_PROBLEM_TOO_LONG:
    /* Translators: the first number is the limit (128), the second the account's length. */
    return g_strdup_printf (ngettext ("An account has at most %d characters; this one has %ld.",
                                      "An account has at most %d characters; this one has %ld.",
                                      position),
                            AG_LIMIT_NAME_CHARS, position);

  case AG_ACCOUNT_PROBLEM_SPACE:
    if (c == ' ')
      /* Translators: %ld is the position of the space in the account, from 1. */
      return g_strdup_printf (_("An account cannot contain spaces: character %ld is a space."),
                              position);
    /* Translators: %ld is a position from 1, U+%04X the character (a tab, a no-break space…). */
    return g_strdup_printf (_("An account cannot contain spaces: character %ld is whitespace (U+%04X)."),
                            position, (guint) c);

  case AG_ACCOUNT_PROBLEM_INVISIBLE:
    /* Translators: %ld is a position from 1, U+%04X the character (a zero width space…). */
    return g_strdup_printf (_("An account cannot contain invisible or control characters: "
                              "character %ld is U+%04X."),
                            position, (guint) c);

  case AG_ACCOUNT_PROBLEM_NOT_UTF8:
  default:
    return g_strdup (_("The account is not valid text."));
  }
}

/* The same account on the same server and app, already logged in (or logging in). */
static AgSession *
find_open_session (AgConsoleLoginDialog *self,
                   const char           *account)
{
  if (self->open_sessions == NULL || *account == '\0')
    return NULL;

  for (guint i = 0; i < self->open_sessions->len; i++) {
    AgSession *session = g_ptr_array_index (self->open_sessions, i);
    AgSignal *signal = ag_session_get_signal (session);
    AgStatus status = ag_session_get_status (session);

    if ((status == AG_STATUS_LOGGED_IN || status == AG_STATUS_CONNECTING) &&
        g_strcmp0 (ag_session_get_account (session), account) == 0 &&
        g_strcmp0 (ag_signal_get_server_uri (signal), row_text (self->server_row)) == 0 &&
        g_strcmp0 (ag_signal_get_app_id (signal), row_text (self->app_id_row)) == 0)
      return session;
  }

  return NULL;
}

static void
update_account_warning (AgConsoleLoginDialog *self)
{
  g_autofree char *account = g_strstrip (g_strdup (row_text (self->account_row)));

  g_clear_pointer (&self->account_warning, g_free);
  if (self->account_problem == NULL && find_open_session (self, account) != NULL)
    /* Translators: %s is the account. */
    self->account_warning = g_strdup_printf (_("%s is already logged in on this server in another tab: "
                                               "the server keeps one session per account, so logging "
                                               "in again logs that tab out."),
                                             account);

  gtk_label_set_label (self->account_warning_label,
                       self->account_warning != NULL ? self->account_warning : "");
  gtk_widget_set_visible (GTK_WIDGET (self->account_warning_label), self->account_warning != NULL);
}

static void
update_account_problem (AgConsoleLoginDialog *self)
{
  g_free (self->account_problem);
  self->account_problem = describe_account_problem (row_text (self->account_row));

  gtk_label_set_label (self->account_problem_label,
                       self->account_problem != NULL ? self->account_problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->account_problem_label), self->account_problem != NULL);
  if (self->account_problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->account_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->account_row), "error");
  update_account_warning (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->account_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->account_problem != NULL ? self->account_problem :
                                  self->account_warning != NULL ? self->account_warning : "",
                                  -1);
}

static void
update_actions (AgConsoleLoginDialog *self)
{
  gboolean ready;

  update_account_problem (self);
  ready = !self->busy &&
          row_filled (self->server_row) &&
          row_filled (self->app_id_row) &&
          row_filled (self->account_row) &&
          self->account_problem == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.submit", ready);
  gtk_widget_set_sensitive (GTK_WIDGET (self->profile_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->app_id_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->account_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->certificate_row), !self->busy);
}

static void
set_status (AgConsoleLoginDialog *self,
            const char           *status)
{
  gtk_label_set_label (self->status_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
}

static void
set_error (AgConsoleLoginDialog *self,
           const char           *error_text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (error_text);
  gtk_label_set_label (self->error_label, error_text != NULL ? error_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error_text != NULL);
}

static void
set_busy (AgConsoleLoginDialog *self,
          gboolean              busy)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

  /* The fields go insensitive while logging in: move the focus out first, so the focused
   * entry gets its focus-out (GTK 4.8 otherwise keeps its cursor blinking, and warns). */
  if (busy && focus != NULL && gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW) != NULL)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);

  self->busy = busy;
  /* A static icon: an animated spinner costs a lot drawn in software, and starved the
   * main loop's idle work while it turned. */
  gtk_widget_set_visible (GTK_WIDGET (self->busy_image), busy);
  update_actions (self);
}

static AgConsoleEmbeddedServer *
embedded_server (AgConsoleLoginDialog *self)
{
  if (self->application == NULL)
    return NULL;

  return ag_console_application_get_embedded_server (self->application);
}

/* The first entry of the profile list: the server the console starts with. */
static void
fill_default_server (AgConsoleLoginDialog *self)
{
  AgConsoleEmbeddedServer *embedded;
  const char *server = NULL;
  const char *app_id = NULL;

  if (self->application != NULL) {
    server = ag_console_application_get_server_override (self->application);
    app_id = ag_console_application_get_app_id_override (self->application);
  }

  embedded = embedded_server (self);
  if (server == NULL && embedded != NULL) {
    server = ag_console_embedded_server_get_uri (embedded);
    if (server == NULL)
      set_status (self, _("Waiting for the embedded local server…"));
    else
      set_status (self, NULL);
  }

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server != NULL ? server : "");
  gtk_editable_set_text (GTK_EDITABLE (self->app_id_row),
                         app_id != NULL ? app_id : AG_CONSOLE_EMBEDDED_SERVER_APP_ID);
}

static void
embedded_uri_changed_cb (AgConsoleLoginDialog *self)
{
  if (adw_combo_row_get_selected (self->profile_row) == 0 && !self->busy)
    fill_default_server (self);
}

typedef struct
{
  AgConsoleLoginDialog *self;
  AgConsoleSecretKind   kind;
} SecretLookup;

static void
lookup_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretLookup *lookup = user_data;
  g_autoptr(AgConsoleLoginDialog) self = lookup->self;
  AgConsoleSecretKind kind = lookup->kind;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  g_free (lookup);

  secret = ag_console_profile_store_lookup_secret_finish (AG_CONSOLE_PROFILE_STORE (object), result,
                                                          &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL) {
    /* Both lookups fail the same way; one toast is enough. */
    if (kind == AG_CONSOLE_SECRET_CERTIFICATE) {
      g_autofree char *message = g_strdup_printf (_("Keyring not available: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }
    return;
  }

  if (secret != NULL)
    gtk_editable_set_text (GTK_EDITABLE (kind == AG_CONSOLE_SECRET_CERTIFICATE ? self->certificate_row
                                                                               : self->token_row),
                           secret);
}

static void
lookup_secret (AgConsoleLoginDialog *self,
               const char           *profile,
               AgConsoleSecretKind   kind)
{
  AgConsoleProfileStore *store = ag_console_application_get_profile_store (self->application);
  SecretLookup *lookup = g_new0 (SecretLookup, 1);

  lookup->self = g_object_ref (self);
  lookup->kind = kind;
  ag_console_profile_store_lookup_secret_async (store, profile, kind, self->cancellable,
                                                lookup_secret_cb, lookup);
}

static void
profile_selected_cb (AgConsoleLoginDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->profile_row);
  AgConsoleProfileStore *store;
  AgConsoleProfile *profile;
  const char *name;

  if (self->application == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->certificate_row), "");

  if (selected == 0) {
    fill_default_server (self);
    return;
  }

  set_status (self, NULL);
  store = ag_console_application_get_profile_store (self->application);
  name = gtk_string_list_get_string (self->profile_names, selected);
  profile = ag_console_profile_store_lookup (store, name);
  if (profile == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->server_row),
                         ag_console_profile_get_server_uri (profile) ? ag_console_profile_get_server_uri (profile) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->app_id_row),
                         ag_console_profile_get_app_id (profile) ? ag_console_profile_get_app_id (profile) : "");
  if (ag_console_profile_get_account (profile) != NULL && *ag_console_profile_get_account (profile) != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->account_row), ag_console_profile_get_account (profile));

  lookup_secret (self, name, AG_CONSOLE_SECRET_CERTIFICATE);
  lookup_secret (self, name, AG_CONSOLE_SECRET_TOKEN);
}

static void
fields_changed_cb (AgConsoleLoginDialog *self)
{
  update_actions (self);
}

static void
entry_activated_cb (AgConsoleLoginDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "login.submit", NULL);
}

static void
release_session (AgConsoleLoginDialog *self)
{
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);

  g_clear_object (&self->recorder);
  g_clear_object (&self->session);
  g_clear_object (&self->log);
}

static void
remember_choice (AgConsoleLoginDialog *self)
{
  GSettings *settings;
  guint selected = adw_combo_row_get_selected (self->profile_row);

  if (self->application == NULL)
    return;

  settings = ag_console_application_get_settings (self->application);
  g_settings_set_string (settings, "last-profile",
                         selected > 0 && selected != GTK_INVALID_LIST_POSITION
                           ? gtk_string_list_get_string (self->profile_names, selected) : "");
  g_settings_set_string (settings, "default-account", row_text (self->account_row));
}

static void
login_success_cb (AgConsoleLoginDialog *self,
                  guint                 uid)
{
  g_autoptr(AgSession) session = g_object_ref (self->session);
  g_autoptr(AgConsoleLogModel) log = g_object_ref (self->log);

  /* The page takes over recording; drop ours first so nothing is logged twice. */
  release_session (self);
  set_busy (self, FALSE);
  remember_choice (self);

  g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, session, log);

  /* Move the focus out first, so the focused entry gets its focus-out before it goes. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
login_failed_cb (AgConsoleLoginDialog *self,
                 int                   ecode)
{
  const char *name = ag_error_code_name (ecode);
  g_autofree char *text = NULL;

  release_session (self);
  set_busy (self, FALSE);
  set_status (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->account_row));

  /* Translators: "Login failed: 206 LOGIN_E_TOKENWRONG", then the code's description. */
  text = g_strdup_printf (_("Login failed: %d %s\n%s"), ecode, name != NULL ? name : "UNKNOWN",
                          ag_error_code_describe (ecode));
  set_error (self, text);
}

void
ag_console_login_dialog_submit (AgConsoleLoginDialog *self)
{
  g_autoptr(AgSignal) signal = NULL;
  g_autofree char *account = NULL;
  g_autofree char *token = NULL;
  g_autofree char *status = NULL;
  const char *server;
  const char *app_id;
  const char *certificate;

  g_return_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self));

  if (self->busy || !row_filled (self->server_row) || !row_filled (self->app_id_row) ||
      !row_filled (self->account_row) || self->account_problem != NULL)
    return;

  server = row_text (self->server_row);
  app_id = row_text (self->app_id_row);
  account = g_strstrip (g_strdup (row_text (self->account_row)));
  certificate = row_text (self->certificate_row);

  if (certificate != NULL && *certificate != '\0')
    token = ag_token_make (account, app_id, certificate,
                           g_get_real_time () / G_USEC_PER_SEC + MINTED_TOKEN_SECONDS);
  else if (row_filled (self->token_row))
    token = g_strdup (row_text (self->token_row));
  else
    token = g_strdup (AG_NO_NEED_TOKEN);

  set_error (self, NULL);
  /* Translators: shown while logging in, e.g. "Logging in as alice…". */
  status = g_strdup_printf (_("Logging in as %s…"), account);
  set_status (self, status);
  set_busy (self, TRUE);

  signal = ag_signal_new (app_id);
  ag_signal_set_server_uri (signal, server);

  self->session = ag_signal_login (signal, account, token);
  self->log = ag_console_log_model_new (0);
  self->recorder = ag_console_signal_recorder_new (self->session, self->log);
  g_signal_connect_object (self->session, "login-success", G_CALLBACK (login_success_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "login-failed", G_CALLBACK (login_failed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
submit_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ag_console_login_dialog_submit (AG_CONSOLE_LOGIN_DIALOG (widget));
}

static void
cancel_login (AgConsoleLoginDialog *self)
{
  g_autoptr(AgSession) session = NULL;

  if (self->session == NULL)
    return;

  /* Logging out cancels the login (login-failed 203), which nobody needs to see now. */
  session = g_object_ref (self->session);
  release_session (self);
  ag_session_logout (session);
  set_busy (self, FALSE);
}

static void
cancel_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static gboolean
ag_console_login_dialog_close_request (GtkWindow *window)
{
  cancel_login (AG_CONSOLE_LOGIN_DIALOG (window));

  /* GTK 4.8 keeps no reference to the parent: a dialog that outlives it (it is closed while
   * the application quits) must let go now, while the parent is still there. */
  gtk_window_set_transient_for (window, NULL);

  return GTK_WINDOW_CLASS (ag_console_login_dialog_parent_class)->close_request (window);
}

static void
ag_console_login_dialog_map (GtkWidget *widget)
{
  AgConsoleLoginDialog *self = AG_CONSOLE_LOGIN_DIALOG (widget);

  GTK_WIDGET_CLASS (ag_console_login_dialog_parent_class)->map (widget);

  /* The account is what changes from one session to the next: typing starts there. Once
   * mapped, so that the entry gets its focus-in (and later its focus-out) as usual. */
  if (!self->focused_once) {
    self->focused_once = TRUE;
    gtk_widget_grab_focus (GTK_WIDGET (self->account_row));
  }
}

static void
ag_console_login_dialog_dispose (GObject *object)
{
  AgConsoleLoginDialog *self = (AgConsoleLoginDialog *) object;

  g_cancellable_cancel (self->cancellable);
  cancel_login (self);

  if (self->application != NULL) {
    AgConsoleEmbeddedServer *embedded = ag_console_application_get_embedded_server (self->application);

    if (embedded != NULL)
      g_signal_handlers_disconnect_by_data (embedded, self);
  }

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_LOGIN_DIALOG);

  g_clear_object (&self->profile_names);
  g_clear_object (&self->application);
  g_clear_pointer (&self->open_sessions, g_ptr_array_unref);

  G_OBJECT_CLASS (ag_console_login_dialog_parent_class)->dispose (object);
}

static void
ag_console_login_dialog_finalize (GObject *object)
{
  AgConsoleLoginDialog *self = (AgConsoleLoginDialog *) object;

  g_clear_object (&self->cancellable);
  g_free (self->error_text);
  g_free (self->account_problem);
  g_free (self->account_warning);

  G_OBJECT_CLASS (ag_console_login_dialog_parent_class)->finalize (object);
}

static void
ag_console_login_dialog_class_init (AgConsoleLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ag_console_login_dialog_dispose;
  object_class->finalize = ag_console_login_dialog_finalize;
  window_class->close_request = ag_console_login_dialog_close_request;
  widget_class->map = ag_console_login_dialog_map;

  /**
   * AgConsoleLoginDialog::logged-in:
   * @session: the logged-in session
   * @log: (type AgConsoleLogModel): what the session received while logging in
   */
  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, AG_TYPE_SESSION, AG_CONSOLE_TYPE_LOG_MODEL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, profile_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, app_id_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, account_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, certificate_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, busy_image);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, account_problem_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleLoginDialog, account_warning_label);
  gtk_widget_class_bind_template_callback (widget_class, profile_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "login.submit", NULL, submit_action_cb);
  gtk_widget_class_install_action (widget_class, "login.cancel", NULL, cancel_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "login.cancel", NULL);
}

static void
ag_console_login_dialog_init (AgConsoleLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->profile_names = gtk_string_list_new (NULL);
  set_busy (self, FALSE);
  set_status (self, NULL);
}

AgConsoleLoginDialog *
ag_console_login_dialog_new (GtkWindow *parent)
{
  AgConsoleLoginDialog *self;
  GtkApplication *application = NULL;
  guint selected = 0;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_LOGIN_DIALOG,
                       "transient-for", parent,
                       NULL);

  if (parent != NULL)
    application = gtk_window_get_application (parent);

  if (AG_CONSOLE_IS_APPLICATION (application)) {
    AgConsoleEmbeddedServer *embedded;
    GListModel *profiles;
    GSettings *settings;
    g_autofree char *last_profile = NULL;
    g_autofree char *account = NULL;
    guint n;

    self->application = g_object_ref (AG_CONSOLE_APPLICATION (application));
    /* The application's shortcuts (Ctrl+Q, ...) work in the dialog too. */
    gtk_window_set_application (GTK_WINDOW (self), application);
    settings = ag_console_application_get_settings (self->application);
    last_profile = g_settings_get_string (settings, "last-profile");
    account = g_settings_get_string (settings, "default-account");

    if (ag_console_application_get_server_override (self->application) != NULL)
      gtk_string_list_append (self->profile_names, _("Server from the command line"));
    else
      gtk_string_list_append (self->profile_names, _("Embedded local server"));

    profiles = ag_console_profile_store_get_profiles (ag_console_application_get_profile_store (self->application));
    n = g_list_model_get_n_items (profiles);
    for (guint i = 0; i < n; i++) {
      g_autoptr(AgConsoleProfile) profile = g_list_model_get_item (profiles, i);

      gtk_string_list_append (self->profile_names, ag_console_profile_get_name (profile));
      if (g_strcmp0 (ag_console_profile_get_name (profile), last_profile) == 0)
        selected = i + 1;
    }

    embedded = ag_console_application_get_embedded_server (self->application);
    if (embedded != NULL)
      g_signal_connect_object (embedded, "notify::uri", G_CALLBACK (embedded_uri_changed_cb), self,
                               G_CONNECT_SWAPPED);

    gtk_editable_set_text (GTK_EDITABLE (self->account_row), account);
  } else {
    gtk_string_list_append (self->profile_names, _("Default server"));
  }

  adw_combo_row_set_model (self->profile_row, G_LIST_MODEL (self->profile_names));
  adw_combo_row_set_selected (self->profile_row, selected);
  profile_selected_cb (self);
  update_actions (self);

  return self;
}

void
ag_console_login_dialog_set_server (AgConsoleLoginDialog *self,
                                    const char           *server_uri,
                                    const char           *app_id)
{
  g_return_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self));

  set_status (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_uri != NULL ? server_uri : "");
  gtk_editable_set_text (GTK_EDITABLE (self->app_id_row), app_id != NULL ? app_id : "");
}

void
ag_console_login_dialog_set_account (AgConsoleLoginDialog *self,
                                     const char           *account)
{
  g_return_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->account_row), account != NULL ? account : "");
}

void
ag_console_login_dialog_set_token (AgConsoleLoginDialog *self,
                                   const char           *token)
{
  g_return_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->token_row), token != NULL ? token : "");
}

void
ag_console_login_dialog_set_certificate (AgConsoleLoginDialog *self,
                                         const char           *certificate)
{
  g_return_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->certificate_row), certificate != NULL ? certificate : "");
}

gboolean
ag_console_login_dialog_get_busy (AgConsoleLoginDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self), FALSE);

  return self->busy;
}

const char *
ag_console_login_dialog_get_error_text (AgConsoleLoginDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self), NULL);

  return self->error_text;
}

const char *
ag_console_login_dialog_get_account_problem (AgConsoleLoginDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self), NULL);

  return self->account_problem;
}

void
ag_console_login_dialog_set_open_sessions (AgConsoleLoginDialog *self,
                                           GPtrArray            *sessions)
{
  g_return_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self));

  g_clear_pointer (&self->open_sessions, g_ptr_array_unref);
  if (sessions != NULL)
    self->open_sessions = g_ptr_array_ref (sessions);
  update_actions (self);
}

const char *
ag_console_login_dialog_get_account_warning (AgConsoleLoginDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOGIN_DIALOG (self), NULL);

  return self->account_warning;
}
