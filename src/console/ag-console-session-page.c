/* ag-console-session-page.c: one logged-in session's tab: status, pages, call banners
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-channel-view.h"
#include "ag-console-conversations-view.h"
#include "ag-console-event-log.h"
#include "ag-console-session-page.h"
#include "ag-console-frame-inspector.h"
#include "ag-console-signal-recorder.h"
#include "ag-console-calls-view.h"
#include "ag-console-channel-attr-editor.h"
#include "ag-console-incoming-call-banner.h"
#include "ag-console-user-attr-editor.h"

struct _AgConsoleSessionPage
{
  GtkWidget                parent_instance;

  AgSession               *session;
  AgConsoleLogModel       *log;
  AgConsoleSignalRecorder *recorder;
  char                    *status_text;
  guint                    reconnect_attempt;
  guint                    ringing;

  GtkWidget               *channel_view;
  GtkWidget               *conversations_view;
  GtkWidget               *attributes_page;
  GtkWidget               *calls_page;
  GtkWidget               *event_log;
  AdwViewStackPage        *messages_page;

  GtkImage                *status_icon;
  GtkLabel                *account_label;
  GtkLabel                *uid_label;
  GtkLabel                *status_label;
  GtkWidget               *calls_scroller;
  GtkBox                  *calls_box;
  AdwViewStack            *view_stack;
  AdwSqueezer             *switcher_squeezer;
  AdwViewSwitcherBar      *switcher_bar;
};

G_DEFINE_FINAL_TYPE (AgConsoleSessionPage, ag_console_session_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_STATUS_TEXT,
  PROP_UNREAD,
  PROP_RINGING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_toast (AgConsoleSessionPage *self,
            const char           *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
  else
    g_message ("%s", title);
}

static const char *
status_name (AgStatus status)
{
  switch (status) {
  case AG_STATUS_NOT_LOGGED_IN:
    return _("Not logged in");
  case AG_STATUS_CONNECTING:
    return _("Connecting");
  case AG_STATUS_LOGGED_IN:
    return _("Logged in");
  case AG_STATUS_LOGIN_FAILED:
    return _("Login failed");
  case AG_STATUS_INITIAL:
    return _("Initial");
  default:
    return _("Unknown");
  }
}

static const char *
status_icon_name (AgStatus status,
                  guint    reconnect_attempt)
{
  if (reconnect_attempt > 0 || status == AG_STATUS_CONNECTING)
    return "emblem-synchronizing-symbolic";
  if (status == AG_STATUS_LOGGED_IN)
    return "network-wired-symbolic";

  return "network-offline-symbolic";
}

static void
update_status (AgConsoleSessionPage *self)
{
  AgStatus status = ag_session_get_status (self->session);
  g_autofree char *uid = NULL;
  g_autofree char *tooltip = NULL;

  g_free (self->status_text);
  if (self->reconnect_attempt > 0)
    /* Translators: the session lost its connection and tries again. */
    self->status_text = g_strdup_printf (_("Reconnecting (attempt %u)"), self->reconnect_attempt);
  else
    self->status_text = g_strdup (status_name (status));

  gtk_label_set_label (self->status_label, self->status_text);
  /* The spec's number stays at hand for QA, out of the way. */
  tooltip = g_strdup_printf (_("Status %d in the Signaling SDK’s numbering"), (int) status);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), tooltip);
  gtk_image_set_from_icon_name (self->status_icon,
                                status_icon_name (status, self->reconnect_attempt));

  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  if (self->reconnect_attempt > 0 || status == AG_STATUS_CONNECTING)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  else if (status == AG_STATUS_LOGGED_IN)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "success");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");

  if (ag_session_get_uid (self->session) != 0)
    uid = g_strdup_printf (_("uid %u"), ag_session_get_uid (self->session));
  gtk_label_set_label (self->uid_label, uid != NULL ? uid : "");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "session.logout",
                                 status == AG_STATUS_LOGGED_IN || status == AG_STATUS_CONNECTING);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
}

static void
reconnecting_cb (AgConsoleSessionPage *self,
                 guint                 attempt)
{
  self->reconnect_attempt = MAX (attempt, 1);
  update_status (self);
}

static void
reconnected_cb (AgConsoleSessionPage *self)
{
  self->reconnect_attempt = 0;
  update_status (self);
  show_toast (self, _("Reconnected"));
}

static void
logout_cb (AgConsoleSessionPage *self,
           int                   ecode)
{
  const char *name = ag_error_code_name (ecode);
  g_autofree char *message = NULL;

  self->reconnect_attempt = 0;
  update_status (self);

  if (ecode == AG_ERROR_LOGOUT_E_USER)
    return;

  if (ecode == AG_ERROR_LOGOUT_E_KICKED)
    /* Translators: %s is the account; the same account logged in again, in another tab or
     * another program, and the server allows one session per account. */
    message = g_strdup_printf (_("%s was logged out: the account logged in again elsewhere (103)"),
                               ag_session_get_account (self->session));
  else
    /* Translators: "alice was logged out: 103 LOGOUT_E_KICKED". */
    message = g_strdup_printf (_("%s was logged out: %d %s"),
                               ag_session_get_account (self->session), ecode,
                               name != NULL ? name : "UNKNOWN");
  show_toast (self, message);
}

static void
error_cb (AgConsoleSessionPage *self,
          int                   ecode,
          const char           *reason)
{
  const char *name = ag_error_code_name (ecode);
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("Error %d %s: %s"), ecode, name != NULL ? name : "UNKNOWN",
                             reason != NULL ? reason : "");
  show_toast (self, message);
}

static void
channel_view_error_cb (AgConsoleSessionPage *self,
                       const char           *message)
{
  show_toast (self, message);
}

static void
call_requested_cb (AgConsoleSessionPage *self,
                   const char           *peer,
                   const char           *channel)
{
  ag_console_session_page_call (self, peer, channel);
}

/* Incoming calls: one banner each, above the pages, whichever page is shown. */

static void
update_ringing (AgConsoleSessionPage *self)
{
  GtkWidget *first;
  guint ringing = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->calls_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    AgCall *call = ag_console_incoming_call_banner_get_call (AG_CONSOLE_INCOMING_CALL_BANNER (child));

    if (ag_call_get_state (call) == AG_CALL_STATE_RINGING ||
        ag_call_get_state (call) == AG_CALL_STATE_INVITING)
      ringing++;
  }

  first = gtk_widget_get_first_child (GTK_WIDGET (self->calls_box));
  gtk_widget_set_visible (self->calls_scroller, first != NULL);
  /* One banner is always shown whole; more scroll rather than grow the window. */
  if (first != NULL) {
    int height = 0;

    gtk_widget_measure (first, GTK_ORIENTATION_VERTICAL, -1, NULL, &height, NULL, NULL);
    gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->calls_scroller), height);
  }

  if (ringing == self->ringing)
    return;

  self->ringing = ringing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RINGING]);
}

static void
banner_finished_cb (AgConsoleSessionPage *self,
                    GtkWidget            *banner)
{
  AgCall *call = ag_console_incoming_call_banner_get_call (AG_CONSOLE_INCOMING_CALL_BANNER (banner));

  g_signal_handlers_disconnect_by_data (call, self);
  gtk_box_remove (self->calls_box, banner);
  update_ringing (self);
}

static void
invite_received_cb (AgConsoleSessionPage *self,
                    AgCall               *call)
{
  GtkWidget *banner = ag_console_incoming_call_banner_new (call, ag_session_get_account (self->session));

  g_signal_connect_object (banner, "finished", G_CALLBACK (banner_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (call, "notify::state", G_CALLBACK (update_ringing), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (self->calls_box, banner);
  update_ringing (self);
}

static void
answer_requested_cb (AgConsoleSessionPage *self,
                     AgCall               *call)
{
  GtkWidget *banner = ag_console_session_page_get_incoming_banner (self, call);

  if (banner == NULL)
    return;

  gtk_widget_set_visible (banner, TRUE);
  gtk_widget_child_focus (banner, GTK_DIR_TAB_FORWARD);
}

static void
message_requested_cb (AgConsoleSessionPage *self,
                      const char           *peer)
{
  ag_console_conversations_view_open (AG_CONSOLE_CONVERSATIONS_VIEW (self->conversations_view), peer);
  ag_console_session_page_show_page (self, "messages");
}

static void
unread_changed_cb (AgConsoleSessionPage *self)
{
  guint unread = ag_console_conversations_view_get_unread (AG_CONSOLE_CONVERSATIONS_VIEW (self->conversations_view));

  adw_view_stack_page_set_badge_number (self->messages_page, unread);
  adw_view_stack_page_set_needs_attention (self->messages_page, unread > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

static void
logout_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ag_console_session_page_logout (AG_CONSOLE_SESSION_PAGE (widget));
}

static void
show_page_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ag_console_session_page_show_page (AG_CONSOLE_SESSION_PAGE (widget),
                                     g_variant_get_string (parameter, NULL));
}

static GtkWidget *
create_attributes_page (AgSession *session)
{
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);

  gtk_paned_set_start_child (GTK_PANED (paned), ag_console_channel_attr_editor_new (session));
  gtk_paned_set_end_child (GTK_PANED (paned), ag_console_user_attr_editor_new (session));
  gtk_paned_set_resize_start_child (GTK_PANED (paned), TRUE);
  gtk_paned_set_resize_end_child (GTK_PANED (paned), TRUE);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (paned), FALSE);

  return paned;
}

static GtkWidget *
create_calls_page (AgSession *session)
{
  return ag_console_calls_view_new (session);
}

static void
ag_console_session_page_dispose (GObject *object)
{
  AgConsoleSessionPage *self = (AgConsoleSessionPage *) object;
  GtkWidget *child;

  if (self->calls_box != NULL)
    for (child = gtk_widget_get_first_child (GTK_WIDGET (self->calls_box));
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      g_signal_handlers_disconnect_by_data (ag_console_incoming_call_banner_get_call (AG_CONSOLE_INCOMING_CALL_BANNER (child)),
                                            self);

  g_clear_object (&self->recorder);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_SESSION_PAGE);
  /* dispose_template only unparents the children it binds; the layout boxes go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->log);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_console_session_page_parent_class)->dispose (object);
}

static void
ag_console_session_page_finalize (GObject *object)
{
  AgConsoleSessionPage *self = (AgConsoleSessionPage *) object;

  g_free (self->status_text);

  G_OBJECT_CLASS (ag_console_session_page_parent_class)->finalize (object);
}

static void
ag_console_session_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AgConsoleSessionPage *self = AG_CONSOLE_SESSION_PAGE (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  case PROP_STATUS_TEXT:
    g_value_set_string (value, self->status_text);
    break;
  case PROP_UNREAD:
    g_value_set_uint (value,
                      self->conversations_view != NULL
                        ? ag_console_conversations_view_get_unread (AG_CONSOLE_CONVERSATIONS_VIEW (self->conversations_view))
                        : 0);
    break;
  case PROP_RINGING:
    g_value_set_uint (value, self->ringing);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

/* No switcher fits beside the account: the pages are switched from a bar at the bottom. */
static void
switcher_squeezed_cb (AgConsoleSessionPage *self)
{
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    adw_squeezer_get_visible_child (self->switcher_squeezer) == NULL);
}

static void
ag_console_session_page_class_init (AgConsoleSessionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const struct {
    guint       key;
    const char *page;
  } page_keys[] = {
    { GDK_KEY_1, "channel" },
    { GDK_KEY_2, "messages" },
    { GDK_KEY_3, "attributes" },
    { GDK_KEY_4, "calls" },
    { GDK_KEY_5, "log" },
    { GDK_KEY_6, "frames" },
  };

  object_class->dispose = ag_console_session_page_dispose;
  object_class->finalize = ag_console_session_page_finalize;
  object_class->get_property = ag_console_session_page_get_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, AG_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* The incoming calls that still ring, each in a banner of the page. */
  properties[PROP_RINGING] =
    g_param_spec_uint ("ringing", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-session-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, account_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, uid_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, calls_scroller);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, calls_box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, switcher_squeezer);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleSessionPage, switcher_bar);
  gtk_widget_class_bind_template_callback (widget_class, switcher_squeezed_cb);

  gtk_widget_class_install_action (widget_class, "session.logout", NULL, logout_action_cb);
  gtk_widget_class_install_action (widget_class, "session.show-page", "s", show_page_action_cb);

  for (guint i = 0; i < G_N_ELEMENTS (page_keys); i++)
    gtk_widget_class_add_binding_action (widget_class, page_keys[i].key, GDK_ALT_MASK,
                                         "session.show-page", "s", page_keys[i].page);
}

static void
ag_console_session_page_init (AgConsoleSessionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_console_session_page_new (AgSession         *session,
                             AgConsoleLogModel *log)
{
  AgConsoleSessionPage *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);
  g_return_val_if_fail (log == NULL || AG_CONSOLE_IS_LOG_MODEL (log), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_SESSION_PAGE, NULL);
  self->session = g_object_ref (session);
  self->log = log != NULL ? g_object_ref (log) : ag_console_log_model_new (0);
  self->recorder = ag_console_signal_recorder_new (session, self->log);

  gtk_label_set_label (self->account_label, ag_session_get_account (session));

  self->channel_view = ag_console_channel_view_new (session);
  g_signal_connect_object (self->channel_view, "call-requested", G_CALLBACK (call_requested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->channel_view, "message-requested", G_CALLBACK (message_requested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->channel_view, "error", G_CALLBACK (channel_view_error_cb), self,
                           G_CONNECT_SWAPPED);
  adw_view_stack_add_titled_with_icon (self->view_stack, self->channel_view, "channel",
                                       _("Channel"), "system-users-symbolic");

  self->conversations_view = ag_console_conversations_view_new (session);
  g_signal_connect_object (self->conversations_view, "notify::unread", G_CALLBACK (unread_changed_cb), self,
                           G_CONNECT_SWAPPED);
  self->messages_page = adw_view_stack_add_titled_with_icon (self->view_stack, self->conversations_view,
                                                             "messages", _("Messages"),
                                                             "mail-send-symbolic");

  self->attributes_page = create_attributes_page (session);
  adw_view_stack_add_titled_with_icon (self->view_stack, self->attributes_page, "attributes",
                                       _("Attributes"), "document-properties-symbolic");

  self->calls_page = create_calls_page (session);
  g_signal_connect_object (self->calls_page, "answer-requested", G_CALLBACK (answer_requested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "invite-received", G_CALLBACK (invite_received_cb), self,
                           G_CONNECT_SWAPPED);
  adw_view_stack_add_titled_with_icon (self->view_stack, self->calls_page, "calls",
                                       _("Calls"), "call-start-symbolic");

  self->event_log = ag_console_event_log_new (self->log);
  adw_view_stack_add_titled_with_icon (self->view_stack, self->event_log, "log",
                                       _("Log"), "utilities-terminal-symbolic");

  adw_view_stack_add_titled_with_icon (self->view_stack, ag_console_frame_inspector_new (session),
                                       "frames", _("Frames"), "network-transmit-receive-symbolic");

  g_signal_connect_object (session, "notify::status", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::uid", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "reconnecting", G_CALLBACK (reconnecting_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "reconnected", G_CALLBACK (reconnected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "logout", G_CALLBACK (logout_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "error", G_CALLBACK (error_cb), self,
                           G_CONNECT_SWAPPED);

  update_status (self);

  return GTK_WIDGET (self);
}

AgSession *
ag_console_session_page_get_session (AgConsoleSessionPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self), NULL);

  return self->session;
}

AgConsoleLogModel *
ag_console_session_page_get_log (AgConsoleSessionPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self), NULL);

  return self->log;
}

const char *
ag_console_session_page_get_status_text (AgConsoleSessionPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self), NULL);

  return self->status_text;
}

void
ag_console_session_page_show_page (AgConsoleSessionPage *self,
                                   const char           *name)
{
  g_return_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

GtkWidget *
ag_console_session_page_get_page_widget (AgConsoleSessionPage *self,
                                         const char           *name)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return adw_view_stack_get_child_by_name (self->view_stack, name);
}

static void
logout_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GApplication) application = user_data;

  /* 108 (already logged out) and 203 (a login cancelled) are fine here too. */
  ag_session_logout_finish (AG_SESSION (object), result, NULL);

  if (application != NULL)
    g_application_release (application);
}

void
ag_console_session_page_logout (AgConsoleSessionPage *self)
{
  GApplication *application;
  AgStatus status;

  g_return_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self));

  status = ag_session_get_status (self->session);
  if (status != AG_STATUS_LOGGED_IN && status != AG_STATUS_CONNECTING)
    return;

  /* The page may go away at once (a closed tab, a closed window): the operation keeps the
   * session alive until the server confirmed, and the application waits for it. */
  application = g_application_get_default ();
  if (application != NULL)
    g_application_hold (g_object_ref (application));

  ag_session_logout_async (self->session, NULL, logout_done_cb, application);
}

guint
ag_console_session_page_get_ringing (AgConsoleSessionPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self), 0);

  return self->ringing;
}

GtkWidget *
ag_console_session_page_get_incoming_banner (AgConsoleSessionPage *self,
                                             AgCall               *call)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self), NULL);
  g_return_val_if_fail (AG_IS_CALL (call), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->calls_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ag_console_incoming_call_banner_get_call (AG_CONSOLE_INCOMING_CALL_BANNER (child)) == call)
      return child;

  return NULL;
}

/* Shows the Calls page and places a call to @peer (through @channel, or none). */
void
ag_console_session_page_call (AgConsoleSessionPage *self,
                              const char           *peer,
                              const char           *channel)
{
  g_return_if_fail (AG_CONSOLE_IS_SESSION_PAGE (self));
  g_return_if_fail (peer != NULL);

  ag_console_session_page_show_page (self, "calls");
  ag_console_calls_view_place_call (AG_CONSOLE_CALLS_VIEW (self->calls_page), peer, channel);
}
