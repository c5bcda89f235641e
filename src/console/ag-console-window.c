/* ag-console-window.c: the main window: a tab per session, the Monitor, the call matrix
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-login-dialog.h"
#include "ag-console-window.h"
#include "ag-console-call-matrix.h"
#include "ag-console-monitor-page.h"

struct _AgConsoleWindow
{
  AdwApplicationWindow     parent_instance;

  AgConsoleApplication    *application;
  AgConsoleEmbeddedServer *embedded;
  GSettings               *settings;
  AdwTabPage              *monitor_tab;
  AdwTabPage              *last_session_tab; /* the session the operator used last */
  char                    *server_text;

  AdwToastOverlay         *toast_overlay;
  GtkRevealer             *server_revealer;
  GtkLabel                *server_label;
  GtkWidget               *restart_server_button;
  GtkStack                *main_stack;
  AdwTabView              *tab_view;
  GtkMenuButton           *matrix_button;
};

G_DEFINE_FINAL_TYPE (AgConsoleWindow, ag_console_window, ADW_TYPE_APPLICATION_WINDOW)

static void
set_server_text (AgConsoleWindow *self,
                 const char      *text)
{
  g_free (self->server_text);
  self->server_text = g_strdup (text);

  gtk_label_set_label (self->server_label, text != NULL ? text : "");
  gtk_revealer_set_reveal_child (self->server_revealer, text != NULL);
}

/* The embedded server went away (it exited, was killed, or could not start): offer to start
 * it again, rather than leave every session on it reconnecting forever. */
static void
update_restart (AgConsoleWindow *self)
{
  gboolean down = FALSE;

  if (self->embedded != NULL && ag_console_application_get_server_override (self->application) == NULL) {
    AgConsoleEmbeddedServerState state = ag_console_embedded_server_get_state (self->embedded);

    down = state == AG_CONSOLE_EMBEDDED_SERVER_FAILED || state == AG_CONSOLE_EMBEDDED_SERVER_STOPPED;
  }

  gtk_widget_set_visible (self->restart_server_button, down);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restart-server", down);
}

static void
update_server_text (AgConsoleWindow *self)
{
  const char *override = ag_console_application_get_server_override (self->application);
  g_autofree char *text = NULL;

  if (override != NULL) {
    /* Translators: the server given with --server. */
    text = g_strdup_printf (_("Server from the command line: %s"), override);
  } else if (self->embedded != NULL) {
    const GError *error = ag_console_embedded_server_get_error (self->embedded);

    switch (ag_console_embedded_server_get_state (self->embedded)) {
    case AG_CONSOLE_EMBEDDED_SERVER_STARTING:
      text = g_strdup (_("Starting the embedded local server…"));
      break;
    case AG_CONSOLE_EMBEDDED_SERVER_RUNNING:
      /* Translators: %s is "ws://127.0.0.1:PORT/v1". */
      text = g_strdup_printf (_("Embedded local server at %s (app id “%s”)"),
                              ag_console_embedded_server_get_uri (self->embedded),
                              AG_CONSOLE_EMBEDDED_SERVER_APP_ID);
      break;
    case AG_CONSOLE_EMBEDDED_SERVER_FAILED:
      text = g_strdup_printf (_("The embedded local server is not running: %s"),
                              error != NULL ? error->message : _("unknown error"));
      break;
    case AG_CONSOLE_EMBEDDED_SERVER_STOPPED:
    default:
      text = g_strdup (_("The embedded local server is stopped"));
      break;
    }
  }

  set_server_text (self, text);
  update_restart (self);
}

static void
embedded_state_changed_cb (AgConsoleWindow *self)
{
  update_server_text (self);
}

static void
watch_embedded_server (AgConsoleWindow *self)
{
  AgConsoleEmbeddedServer *embedded = ag_console_application_get_embedded_server (self->application);

  if (embedded == self->embedded)
    return;

  if (self->embedded != NULL)
    g_signal_handlers_disconnect_by_data (self->embedded, self);
  g_set_object (&self->embedded, embedded);
  if (embedded != NULL) {
    g_signal_connect_object (embedded, "notify::state", G_CALLBACK (embedded_state_changed_cb), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (embedded, "notify::uri", G_CALLBACK (embedded_state_changed_cb), self,
                             G_CONNECT_SWAPPED);
  }

  update_server_text (self);
}

void
ag_console_window_add_toast (AgConsoleWindow *self,
                             const char      *title)
{
  g_return_if_fail (AG_CONSOLE_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static void
update_tab (AdwTabPage *tab)
{
  AgConsoleSessionPage *page = AG_CONSOLE_SESSION_PAGE (adw_tab_page_get_child (tab));
  AgSession *session = ag_console_session_page_get_session (page);
  AgStatus status = ag_session_get_status (session);
  g_autofree char *tooltip = NULL;
  guint unread = 0;
  guint ringing = ag_console_session_page_get_ringing (page);

  g_object_get (page, "unread", &unread, NULL);

  /* A static indicator, never the tab's spinner: drawn in software, a spinner per
   * reconnecting tab cost most of a core. */
  adw_tab_page_set_loading (tab, FALSE);
  if (ringing > 0) {
    g_autoptr(GIcon) icon = g_themed_icon_new ("call-incoming-symbolic");
    g_autofree char *ringing_text = NULL;

    ringing_text = g_strdup_printf (ngettext ("%u incoming call rings", "%u incoming calls ring",
                                              ringing),
                                    ringing);
    adw_tab_page_set_indicator_icon (tab, icon);
    adw_tab_page_set_indicator_tooltip (tab, ringing_text);
  } else if (status == AG_STATUS_LOGGED_IN) {
    adw_tab_page_set_indicator_icon (tab, NULL);
  } else if (status == AG_STATUS_CONNECTING) {
    g_autoptr(GIcon) icon = g_themed_icon_new ("emblem-synchronizing-symbolic");

    adw_tab_page_set_indicator_icon (tab, icon);
    adw_tab_page_set_indicator_tooltip (tab, ag_console_session_page_get_status_text (page));
  } else {
    g_autoptr(GIcon) icon = g_themed_icon_new ("network-offline-symbolic");

    adw_tab_page_set_indicator_icon (tab, icon);
    adw_tab_page_set_indicator_tooltip (tab, ag_console_session_page_get_status_text (page));
  }

  /* A ringing call asks for attention even in the selected tab: it is waiting for an answer. */
  adw_tab_page_set_needs_attention (tab, ringing > 0 || (unread > 0 && !adw_tab_page_get_selected (tab)));

  /* Translators: the tooltip of a session tab: "alice: Logged in". */
  tooltip = g_strdup_printf (_("%s: %s"), ag_session_get_account (session),
                             ag_console_session_page_get_status_text (page));
  adw_tab_page_set_tooltip (tab, tooltip);
}

static void
n_pages_changed_cb (AgConsoleWindow *self)
{
  guint sessions = 0;

  gtk_stack_set_visible_child_name (self->main_stack,
                                    adw_tab_view_get_n_pages (self->tab_view) > 0 ? "tabs" : "empty");

  /* The call matrix is there once two sessions can call each other. */
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    if (AG_CONSOLE_IS_SESSION_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i))))
      sessions++;
  gtk_widget_set_visible (GTK_WIDGET (self->matrix_button), sessions >= 2);
}

static void
selected_page_changed_cb (AgConsoleWindow *self)
{
  AdwTabPage *tab = adw_tab_view_get_selected_page (self->tab_view);

  if (tab != NULL && AG_CONSOLE_IS_SESSION_PAGE (adw_tab_page_get_child (tab))) {
    self->last_session_tab = tab;
    update_tab (tab);
  }
}

static gboolean
close_page_cb (AgConsoleWindow *self,
               AdwTabPage      *tab)
{
  GtkWidget *child = adw_tab_page_get_child (tab);

  /* Closing a session's tab ends the session. */
  if (AG_CONSOLE_IS_SESSION_PAGE (child))
    ag_console_session_page_logout (AG_CONSOLE_SESSION_PAGE (child));

  if (tab == self->monitor_tab)
    self->monitor_tab = NULL;
  if (tab == self->last_session_tab)
    self->last_session_tab = NULL;

  adw_tab_view_close_page_finish (self->tab_view, tab, TRUE);

  return GDK_EVENT_STOP;
}

AgConsoleSessionPage *
ag_console_window_add_session (AgConsoleWindow   *self,
                               AgSession         *session,
                               AgConsoleLogModel *log)
{
  GtkWidget *page;
  AdwTabPage *tab;
  g_autoptr(GIcon) icon = NULL;

  g_return_val_if_fail (AG_CONSOLE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  page = ag_console_session_page_new (session, log);
  tab = adw_tab_view_append (self->tab_view, page);
  adw_tab_page_set_title (tab, ag_session_get_account (session));
  icon = g_themed_icon_new ("avatar-default-symbolic");
  adw_tab_page_set_icon (tab, icon);

  g_signal_connect_object (page, "notify::status-text", G_CALLBACK (update_tab), tab,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::unread", G_CALLBACK (update_tab), tab,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::ringing", G_CALLBACK (update_tab), tab,
                           G_CONNECT_SWAPPED);
  update_tab (tab);

  adw_tab_view_set_selected_page (self->tab_view, tab);

  /* Into the page, so that its shortcuts (Alt+1…5) work at once. */
  gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);

  return AG_CONSOLE_SESSION_PAGE (page);
}

static void
logged_in_cb (AgConsoleWindow   *self,
              AgSession         *session,
              AgConsoleLogModel *log)
{
  ag_console_window_add_session (self, session, log);
}

GtkWindow *
ag_console_window_open_login_dialog (AgConsoleWindow *self)
{
  AgConsoleLoginDialog *dialog;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (AG_CONSOLE_IS_WINDOW (self), NULL);

  /* So that the dialog can warn before an account is logged in twice. */
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++) {
    GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

    if (AG_CONSOLE_IS_SESSION_PAGE (child))
      g_ptr_array_add (sessions, g_object_ref (ag_console_session_page_get_session (AG_CONSOLE_SESSION_PAGE (child))));
  }

  dialog = ag_console_login_dialog_new (GTK_WINDOW (self));
  ag_console_login_dialog_set_open_sessions (dialog, sessions);
  g_signal_connect_object (dialog, "logged-in", G_CALLBACK (logged_in_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return GTK_WINDOW (dialog);
}

static void
new_session_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ag_console_window_open_login_dialog (AG_CONSOLE_WINDOW (widget));
}

static void
close_tab_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (widget);
  AdwTabPage *tab = adw_tab_view_get_selected_page (self->tab_view);

  if (tab != NULL)
    adw_tab_view_close_page (self->tab_view, tab);
}

/* The server the monitor watches: the one new sessions go to by default. */
static gboolean
default_server (AgConsoleWindow  *self,
                const char      **out_uri,
                const char      **out_app_id)
{
  const char *override = ag_console_application_get_server_override (self->application);
  g_autofree char *last_profile = g_settings_get_string (self->settings, "last-profile");
  AgConsoleProfile *profile = NULL;

  *out_app_id = ag_console_application_get_app_id_override (self->application);
  if (*out_app_id == NULL)
    *out_app_id = AG_CONSOLE_EMBEDDED_SERVER_APP_ID;

  if (override != NULL) {
    *out_uri = override;
    return TRUE;
  }

  if (*last_profile != '\0')
    profile = ag_console_profile_store_lookup (ag_console_application_get_profile_store (self->application),
                                               last_profile);
  if (profile != NULL) {
    *out_uri = ag_console_profile_get_server_uri (profile);
    *out_app_id = ag_console_profile_get_app_id (profile);
    return *out_uri != NULL && *out_app_id != NULL;
  }

  *out_uri = self->embedded != NULL ? ag_console_embedded_server_get_uri (self->embedded) : NULL;

  return *out_uri != NULL;
}

static void
open_monitor_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (widget);
  const char *uri = NULL;
  const char *app_id = NULL;
  g_autoptr(GIcon) icon = NULL;
  GtkWidget *page;

  if (self->monitor_tab != NULL) {
    adw_tab_view_set_selected_page (self->tab_view, self->monitor_tab);
    return;
  }

  if (!default_server (self, &uri, &app_id)) {
    ag_console_window_add_toast (self, _("No server to monitor yet"));
    return;
  }

  /* The embedded server's own key opens it; other servers ask for theirs. */
  page = ag_console_monitor_page_new (uri, app_id,
                                      self->embedded != NULL &&
                                      g_strcmp0 (uri, ag_console_embedded_server_get_uri (self->embedded)) == 0
                                        ? ag_console_embedded_server_get_admin_key (self->embedded)
                                        : NULL);
  self->monitor_tab = adw_tab_view_prepend_pinned (self->tab_view, page);
  adw_tab_page_set_title (self->monitor_tab, _("Monitor"));
  adw_tab_page_set_tooltip (self->monitor_tab, uri);
  icon = g_themed_icon_new ("view-reveal-symbolic");
  adw_tab_page_set_icon (self->monitor_tab, icon);
  adw_tab_view_set_selected_page (self->tab_view, self->monitor_tab);
}

/* The session a call to @account goes out from: the one used last, or else the first one
 * of another account. */
static AdwTabPage *
calling_tab (AgConsoleWindow *self,
             const char      *account)
{
  AdwTabPage *found = NULL;

  if (self->last_session_tab != NULL) {
    AgConsoleSessionPage *page = AG_CONSOLE_SESSION_PAGE (adw_tab_page_get_child (self->last_session_tab));

    if (g_strcmp0 (ag_session_get_account (ag_console_session_page_get_session (page)), account) != 0)
      return self->last_session_tab;
  }

  for (int i = 0; found == NULL && i < adw_tab_view_get_n_pages (self->tab_view); i++) {
    AdwTabPage *tab = adw_tab_view_get_nth_page (self->tab_view, i);
    GtkWidget *child = adw_tab_page_get_child (tab);

    if (AG_CONSOLE_IS_SESSION_PAGE (child) &&
        g_strcmp0 (ag_session_get_account (ag_console_session_page_get_session (AG_CONSOLE_SESSION_PAGE (child))),
                   account) != 0)
      found = tab;
  }

  return found;
}

static void
call_account_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (widget);
  const char *account = g_variant_get_string (parameter, NULL);
  AdwTabPage *tab = calling_tab (self, account);

  if (tab == NULL) {
    g_autofree char *text = g_strdup_printf (_("Calls go out from a session: log in an account other than %s first"),
                                             account);

    ag_console_window_add_toast (self, text);
    return;
  }

  adw_tab_view_set_selected_page (self->tab_view, tab);
  ag_console_session_page_call (AG_CONSOLE_SESSION_PAGE (adw_tab_page_get_child (tab)), account, NULL);
}

static void
restart_server_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (widget);

  ag_console_application_ensure_embedded_server (self->application);
}

static gboolean
ag_console_window_close_request (GtkWindow *window)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (window);
  int width;
  int height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  /* Log every session out on the way out. */
  for (int i = adw_tab_view_get_n_pages (self->tab_view) - 1; i >= 0; i--) {
    GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

    if (AG_CONSOLE_IS_SESSION_PAGE (child))
      ag_console_session_page_logout (AG_CONSOLE_SESSION_PAGE (child));
  }

  return GTK_WINDOW_CLASS (ag_console_window_parent_class)->close_request (window);
}

static void
ag_console_window_dispose (GObject *object)
{
  AgConsoleWindow *self = (AgConsoleWindow *) object;

  if (self->embedded != NULL)
    g_signal_handlers_disconnect_by_data (self->embedded, self);
  g_clear_object (&self->embedded);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (ag_console_window_parent_class)->dispose (object);
}

static void
ag_console_window_finalize (GObject *object)
{
  AgConsoleWindow *self = (AgConsoleWindow *) object;

  g_free (self->server_text);

  G_OBJECT_CLASS (ag_console_window_parent_class)->finalize (object);
}

static void
ag_console_window_class_init (AgConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ag_console_window_dispose;
  object_class->finalize = ag_console_window_finalize;
  window_class->close_request = ag_console_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, server_revealer);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, server_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, restart_server_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleWindow, matrix_button);
  gtk_widget_class_bind_template_callback (widget_class, close_page_cb);
  gtk_widget_class_bind_template_callback (widget_class, n_pages_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, selected_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.new-session", NULL, new_session_action_cb);
  gtk_widget_class_install_action (widget_class, "win.close-tab", NULL, close_tab_action_cb);
  gtk_widget_class_install_action (widget_class, "win.open-monitor", NULL, open_monitor_action_cb);
  gtk_widget_class_install_action (widget_class, "win.call-account", "s", call_account_action_cb);
  gtk_widget_class_install_action (widget_class, "win.restart-server", NULL,
                                   restart_server_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close-tab", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.open-monitor", NULL);
}

static void
ag_console_window_init (AgConsoleWindow *self)
{
  GtkWidget *popover;

  gtk_widget_init_template (GTK_WIDGET (self));

  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), ag_console_call_matrix_new (self->tab_view));
  gtk_menu_button_set_popover (self->matrix_button, popover);
}

AgConsoleWindow *
ag_console_window_new (AgConsoleApplication *application)
{
  AgConsoleWindow *self;

  g_return_val_if_fail (AG_CONSOLE_IS_APPLICATION (application), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_WINDOW,
                       "application", application,
                       NULL);
  self->application = g_object_ref (application);
  self->settings = g_object_ref (ag_console_application_get_settings (application));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (application, "notify::embedded-server", G_CALLBACK (watch_embedded_server), self,
                           G_CONNECT_SWAPPED);
  watch_embedded_server (self);
  n_pages_changed_cb (self);

  return self;
}

AdwTabView *
ag_console_window_get_tab_view (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_WINDOW (self), NULL);

  return self->tab_view;
}

const char *
ag_console_window_get_server_text (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_WINDOW (self), NULL);

  return self->server_text;
}

/* The call matrix of the header bar's popover. */
AgConsoleCallMatrix *
ag_console_window_get_call_matrix (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_WINDOW (self), NULL);

  return AG_CONSOLE_CALL_MATRIX (gtk_popover_get_child (gtk_menu_button_get_popover (self->matrix_button)));
}
