/* ag-console-monitor-page.c: an operator's live view of an app through the admin API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-console-event-log.h"
#include "ag-console-monitor-page.h"

#define STATS_INTERVAL_S 2

struct _AgConsoleMonitorPage
{
  AdwBin                    parent_instance;

  char                     *server_uri;
  char                     *app_id;
  char                     *admin_key;

  AgAdmin                  *admin;
  gboolean                  running;
  gboolean                  started_once;
  char                     *failure;
  char                     *status_text;
  char                     *stats_text;
  gint64                    lost_us;         /* when the view stopped being live, or 0 */
  guint                     stats_source;
  GCancellable             *cancellable;
  AgConsoleLogModel        *log;

  GtkImage                 *state_icon;
  GtkLabel                 *status_label;
  GtkLabel                 *stats_label;
  GtkSwitch                *monitor_switch;
  GtkWidget                *key_box;
  GtkPasswordEntry         *key_entry;
  GtkPaned                 *paned;
  AgConsoleEventChart      *chart;
  GtkDropDown              *window_dropdown;
  AgConsoleMonitorUsers    *users_panel;
  AgConsoleMonitorChannels *channels_panel;
  GtkWidget                *event_log;
};

G_DEFINE_FINAL_TYPE (AgConsoleMonitorPage, ag_console_monitor_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SERVER_URI,
  PROP_APP_ID,
  PROP_ADMIN_KEY,
  PROP_RUNNING,
  PROP_WATCHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const guint chart_windows[] = { 60, 600, 3600 };

/* The log */

static void
log_entry (AgConsoleMonitorPage *self,
           const char           *kind,
           const char           *summary,
           JsonBuilder          *fields)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonBuilder) builder = fields != NULL ? g_object_ref (fields) : json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  gint64 now = g_get_real_time ();

  if (fields == NULL)
    json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, summary);
  json_builder_set_member_name (builder, "received_us");
  json_builder_add_int_value (builder, now);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  ag_console_log_model_append (self->log, now, kind, summary, json);
}

static JsonBuilder *
fields_begin (const char *account,
              const char *channel)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (account != NULL) {
    json_builder_set_member_name (builder, "account");
    json_builder_add_string_value (builder, account);
  }
  if (channel != NULL) {
    json_builder_set_member_name (builder, "channel");
    json_builder_add_string_value (builder, channel);
  }

  return builder;
}

static void
log_monitor (AgConsoleMonitorPage *self,
             const char           *summary)
{
  log_entry (self, "monitor", summary, NULL);
}

/* The header */

static void
update_status (AgConsoleMonitorPage *self)
{
  AgAdminState state = self->admin != NULL ? ag_admin_get_state (self->admin)
                                           : AG_ADMIN_STATE_DISCONNECTED;
  guint users = self->admin != NULL ? ag_admin_get_n_users (self->admin) : 0;
  guint channels = self->admin != NULL ? ag_admin_get_n_channels (self->admin) : 0;
  gboolean stale = self->admin != NULL && ag_admin_get_stale (self->admin);
  g_autofree char *counts = NULL;
  g_autofree char *since = NULL;
  const char *icon;

  /* Translators: the totals of the app, as the server has them */
  counts = g_strdup_printf (_("%u online, %u channels"), users, channels);

  if (self->lost_us > 0) {
    g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (self->lost_us / G_USEC_PER_SEC);

    since = g_date_time_format (time, "%H:%M:%S");
  }

  g_free (self->status_text);
  switch (state) {
  case AG_ADMIN_STATE_LIVE:
    /* Translators: the view follows the server; then the totals */
    self->status_text = g_strdup_printf (_("Live: %s"), counts);
    icon = "network-transmit-receive-symbolic";
    break;
  case AG_ADMIN_STATE_CONNECTING:
    self->status_text = g_strdup_printf (_("Connecting to %s…"), self->server_uri);
    icon = "network-idle-symbolic";
    break;
  case AG_ADMIN_STATE_SYNCING:
    self->status_text = g_strdup (_("Loading the app’s state…"));
    icon = "network-idle-symbolic";
    break;
  case AG_ADMIN_STATE_RECONNECTING:
    /* Translators: the connection was lost at a time; the lists show the state then */
    self->status_text = g_strdup_printf (_("Reconnecting; out of date since %s: %s"),
                                         since != NULL ? since : "", counts);
    icon = "network-error-symbolic";
    break;
  case AG_ADMIN_STATE_DISCONNECTED:
  default:
    if (self->failure != NULL)
      self->status_text = g_strdup (self->failure);
    else if (self->admin_key == NULL)
      self->status_text = g_strdup (_("Enter the admin key to monitor this server"));
    else if (stale)
      self->status_text = g_strdup_printf (_("Stopped; out of date since %s: %s"),
                                           since != NULL ? since : "", counts);
    else
      self->status_text = g_strdup (_("Not monitoring"));
    icon = "network-offline-symbolic";
    break;
  }

  gtk_label_set_label (self->status_label, self->status_text);
  gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_widget_set_visible (self->key_box, self->admin_key == NULL);

  /* Data that may be out of date looks it. */
  if (stale || state == AG_ADMIN_STATE_DISCONNECTED) {
    gtk_widget_add_css_class (GTK_WIDGET (self->users_panel), "stale");
    gtk_widget_add_css_class (GTK_WIDGET (self->channels_panel), "stale");
  } else {
    gtk_widget_remove_css_class (GTK_WIDGET (self->users_panel), "stale");
    gtk_widget_remove_css_class (GTK_WIDGET (self->channels_panel), "stale");
  }
}

static gint64
stat_value (GVariant   *stats,
            const char *name)
{
  gint64 value = 0;

  if (stats != NULL)
    g_variant_lookup (stats, name, "x", &value);

  return value;
}

static void
set_stats_text (AgConsoleMonitorPage *self,
                GVariant             *stats)
{
  GString *text;

  if (stats == NULL) {
    g_free (self->stats_text);
    self->stats_text = g_strdup ("");
    gtk_label_set_label (self->stats_label, "");
    return;
  }

  text = g_string_new (NULL);
  {
    g_autofree char *channel_msgs = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "channel_msgs"));
    g_autofree char *peer_msgs = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "peer_msgs"));
    g_autofree char *call_msgs = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "call_msgs"));
    g_autofree char *presence = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "presence"));

    /* Translators: the app's totals since the server started */
    g_string_append_printf (text, _("Since start: %s channel messages, %s peer messages, "
                                    "%s call messages, %s presence events"),
                            channel_msgs, peer_msgs, call_msgs, presence);
  }

  if (g_variant_lookup (stats, "server.sessions", "x", NULL)) {
    g_autofree char *connections = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "server.connections"));
    g_autofree char *sessions = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "server.sessions"));
    g_autofree char *in = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "server.messages_in"));
    g_autofree char *out = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "server.messages_out"));
    g_autofree char *refused = g_strdup_printf ("%" G_GINT64_FORMAT, stat_value (stats, "server.admin_auth_failures"));

    g_string_append (text, " · ");
    /* Translators: the whole server's numbers (every app) */
    g_string_append_printf (text, _("Server: %s connections, %s sessions, %s messages in, %s out, "
                                    "%s refused admin logins"),
                            connections, sessions, in, out, refused);
  }

  g_free (self->stats_text);
  self->stats_text = g_string_free (text, FALSE);
  gtk_label_set_label (self->stats_label, self->stats_text);
}

static void
stats_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(AgConsoleMonitorPage) self = user_data;
  g_autoptr(GVariant) stats = NULL;
  g_autoptr(GError) error = NULL;

  stats = ag_admin_get_stats_finish (AG_ADMIN (source), result, &error);
  if (stats != NULL)
    set_stats_text (self, stats);
}

static gboolean
poll_stats_cb (gpointer user_data)
{
  AgConsoleMonitorPage *self = user_data;

  if (self->admin != NULL && ag_admin_get_state (self->admin) == AG_ADMIN_STATE_LIVE)
    ag_admin_get_stats_async (self->admin, self->cancellable, stats_cb, g_object_ref (self));

  return G_SOURCE_CONTINUE;
}

/* The stream */

static void
state_changed_cb (AgConsoleMonitorPage *self)
{
  AgAdminState state = ag_admin_get_state (self->admin);

  if (state == AG_ADMIN_STATE_LIVE) {
    self->lost_us = 0;
    g_clear_pointer (&self->failure, g_free);
    poll_stats_cb (self);
  } else if (self->lost_us == 0 && ag_admin_get_stale (self->admin)) {
    self->lost_us = g_get_real_time ();
  }

  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING]);
}

static void
synced_cb (AgConsoleMonitorPage *self,
           gboolean              resumed)
{
  g_autofree char *summary = NULL;

  if (resumed)
    summary = g_strdup (_("Back in step with the server: the missed events were replayed"));
  else
    summary = g_strdup_printf (_("Loaded the server’s state: %u online, %u channels"),
                               ag_admin_get_n_users (self->admin),
                               ag_admin_get_n_channels (self->admin));
  log_monitor (self, summary);
}

static void
user_online_cb (AgConsoleMonitorPage *self,
                AgAdminUser          *user)
{
  const char *account = ag_admin_user_get_account (user);
  g_autoptr(JsonBuilder) fields = fields_begin (account, NULL);
  g_autofree char *summary = g_strdup_printf (_("%s came online (uid %u)"), account,
                                              ag_admin_user_get_uid (user));

  log_entry (self, "online", summary, fields);
}

static void
user_offline_cb (AgConsoleMonitorPage *self,
                 AgAdminUser          *user,
                 int                   code)
{
  const char *account = ag_admin_user_get_account (user);
  g_autoptr(JsonBuilder) fields = fields_begin (account, NULL);
  g_autofree char *summary = g_strdup_printf (_("%s went offline (%d %s)"), account, code,
                                              ag_error_code_describe (code));

  log_entry (self, "offline", summary, fields);
}

static void
channel_added_cb (AgConsoleMonitorPage *self,
                  AgAdminChannel       *channel)
{
  const char *name = ag_admin_channel_get_name (channel);
  g_autoptr(JsonBuilder) fields = fields_begin (NULL, name);
  g_autofree char *summary = g_strdup_printf (_("Channel %s was created"), name);

  log_entry (self, "channel", summary, fields);
}

static void
channel_removed_cb (AgConsoleMonitorPage *self,
                    AgAdminChannel       *channel)
{
  const char *name = ag_admin_channel_get_name (channel);
  g_autoptr(JsonBuilder) fields = fields_begin (NULL, name);
  g_autofree char *summary = g_strdup_printf (_("Channel %s is gone"), name);

  log_entry (self, "channel", summary, fields);
}

static void
user_joined_cb (AgConsoleMonitorPage *self,
                AgAdminChannel       *channel,
                const char           *account,
                guint                 uid)
{
  const char *name = ag_admin_channel_get_name (channel);
  g_autoptr(JsonBuilder) fields = fields_begin (account, name);
  guint members = ag_admin_channel_get_members (channel);
  g_autofree char *summary = g_strdup_printf (ngettext ("%s joined %s (%u member)",
                                                        "%s joined %s (%u members)", members),
                                              account, name, members);

  log_entry (self, "join", summary, fields);
}

static void
user_left_cb (AgConsoleMonitorPage *self,
              AgAdminChannel       *channel,
              const char           *account,
              guint                 uid,
              int                   code)
{
  const char *name = ag_admin_channel_get_name (channel);
  g_autoptr(JsonBuilder) fields = fields_begin (account, name);
  guint members = ag_admin_channel_get_members (channel);
  g_autofree char *summary = g_strdup_printf (ngettext ("%s left %s (%d %s, %u member)",
                                                        "%s left %s (%d %s, %u members)", members),
                                              account, name, code, ag_error_code_describe (code),
                                              members);

  log_entry (self, "leave", summary, fields);
}

static void
counts_cb (AgConsoleMonitorPage *self,
           guint                 channel_msgs,
           guint                 peer_msgs,
           guint                 call_msgs,
           guint                 presence)
{
  ag_console_event_chart_add (self->chart, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS, channel_msgs);
  ag_console_event_chart_add (self->chart, AG_CONSOLE_EVENT_CHART_PEER_MSGS, peer_msgs);
  ag_console_event_chart_add (self->chart, AG_CONSOLE_EVENT_CHART_PRESENCE, presence);
}

static void
error_cb (AgConsoleMonitorPage *self,
          int                   code,
          const char           *reason)
{
  g_autofree char *summary = NULL;

  if (code == AG_ERROR_ADMIN_E_UNAUTHORIZED) {
    g_free (self->failure);
    self->failure = g_strdup (_("The server refused the admin key"));
    /* Another key may be typed in. */
    g_clear_pointer (&self->admin_key, g_free);
  }

  summary = g_strdup_printf (_("Admin connection: %d %s"), code, reason);
  log_monitor (self, summary);
  update_status (self);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(AgConsoleMonitorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ag_admin_connect_finish (AG_ADMIN (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->failure == NULL) {
    self->failure = g_strdup_printf (_("Cannot monitor %s: %s"), self->server_uri, error->message);
    update_status (self);
  }
}

static void
ensure_admin (AgConsoleMonitorPage *self)
{
  if (self->admin != NULL)
    return;

  self->admin = ag_admin_new (self->server_uri, self->app_id);
  g_signal_connect_object (self->admin, "notify::state", G_CALLBACK (state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "notify::n-users", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "notify::n-channels", G_CALLBACK (update_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "synced", G_CALLBACK (synced_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "user-online", G_CALLBACK (user_online_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "user-offline", G_CALLBACK (user_offline_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "channel-added", G_CALLBACK (channel_added_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "channel-removed", G_CALLBACK (channel_removed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "channel-user-joined", G_CALLBACK (user_joined_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "channel-user-left", G_CALLBACK (user_left_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "counts", G_CALLBACK (counts_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin, "error", G_CALLBACK (error_cb), self, G_CONNECT_SWAPPED);

  ag_console_monitor_users_set_model (self->users_panel, ag_admin_get_users (self->admin));
  ag_console_monitor_channels_set_admin (self->channels_panel, self->admin);
}

void
ag_console_monitor_page_start (AgConsoleMonitorPage *self)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));

  self->started_once = TRUE;
  if (self->running)
    return;

  self->running = TRUE;
  gtk_switch_set_active (self->monitor_switch, TRUE);

  if (self->admin_key != NULL) {
    ensure_admin (self);
    g_clear_pointer (&self->failure, g_free);
    g_clear_object (&self->cancellable);
    self->cancellable = g_cancellable_new ();
    ag_admin_connect_async (self->admin, self->admin_key, self->cancellable, connect_cb,
                            g_object_ref (self));
    log_monitor (self, _("Monitoring started"));
  }

  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
ag_console_monitor_page_stop (AgConsoleMonitorPage *self)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));

  if (!self->running)
    return;

  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  if (self->admin != NULL) {
    ag_admin_disconnect (self->admin);
    log_monitor (self, _("Monitoring stopped"));
  }

  gtk_switch_set_active (self->monitor_switch, FALSE);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
ag_console_monitor_page_set_admin_key (AgConsoleMonitorPage *self,
                                       const char           *key)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));

  if (key == NULL || *key == '\0')
    return;

  ag_console_monitor_page_stop (self);
  g_free (self->admin_key);
  self->admin_key = g_strdup (key);
  g_clear_pointer (&self->failure, g_free);
  ag_console_monitor_page_start (self);
}

static void
key_activate_cb (AgConsoleMonitorPage *self)
{
  ag_console_monitor_page_set_admin_key (self, gtk_editable_get_text (GTK_EDITABLE (self->key_entry)));
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), "");
}

static void
monitor_switch_cb (AgConsoleMonitorPage *self)
{
  if (gtk_switch_get_active (self->monitor_switch))
    ag_console_monitor_page_start (self);
  else
    ag_console_monitor_page_stop (self);
}

static void
window_selected_cb (AgConsoleMonitorPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->window_dropdown);

  if (selected < G_N_ELEMENTS (chart_windows))
    ag_console_event_chart_set_window (self->chart, chart_windows[selected]);
}

static void
panel_report_cb (AgConsoleMonitorPage *self,
                 const char           *text)
{
  log_entry (self, "action", text, NULL);
}

/* Row actions */

typedef struct {
  AgConsoleMonitorPage *self;
  char                 *account;
} ActionRequest;

static ActionRequest *
action_request_new (AgConsoleMonitorPage *self,
                    const char           *account)
{
  ActionRequest *request = g_new0 (ActionRequest, 1);

  request->self = g_object_ref (self);
  request->account = g_strdup (account);

  return request;
}

static void
action_request_free (ActionRequest *request)
{
  g_object_unref (request->self);
  g_free (request->account);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ActionRequest, action_request_free)

static void
kick_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ActionRequest) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(JsonBuilder) fields = fields_begin (request->account, NULL);

  if (ag_admin_kick_finish (AG_ADMIN (source), result, &error))
    summary = g_strdup_printf (_("Kicked %s"), request->account);
  else
    summary = g_strdup_printf (_("Kicking %s failed: %s"), request->account, error->message);

  log_entry (request->self, "action", summary, fields);
}

static void
kick_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);
  const char *account = g_variant_get_string (parameter, NULL);

  if (self->admin == NULL || ag_admin_get_state (self->admin) != AG_ADMIN_STATE_LIVE)
    return;

  ag_admin_kick_async (self->admin, account, NULL, kick_cb, action_request_new (self, account));
}

static void
message_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ActionRequest) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(JsonBuilder) fields = fields_begin (request->account, NULL);
  gboolean stored = ag_admin_send_message_finish (AG_ADMIN (source), result, &error);

  if (error == NULL)
    summary = stored ? g_strdup_printf (_("Sent a message to %s as the system (stored: the user is offline)"),
                                        request->account)
                     : g_strdup_printf (_("Sent a message to %s as the system"), request->account);
  else
    summary = g_strdup_printf (_("Sending a message to %s failed: %s"), request->account,
                               error->message);

  log_entry (request->self, "action", summary, fields);
}

static void
message_entry_changed_cb (GtkEditable      *entry,
                          AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "send",
                                           *gtk_editable_get_text (entry) != '\0');
}

static void
message_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     ActionRequest    *request)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "send"))
    ag_console_monitor_page_send_message (request->self, request->account,
                                          gtk_editable_get_text (entry));
}

static void
message_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);
  const char *account = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog, *entry;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Message from the System"), NULL);
  /* Translators: the account gets a peer message whose sender is the server itself */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s gets it as a peer message from _agora_system."), account);
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message text"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", _("_Send"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "send");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (entry, "changed", G_CALLBACK (message_entry_changed_cb), dialog, 0);
  g_signal_connect_data (dialog, "response", G_CALLBACK (message_response_cb),
                         action_request_new (self, account),
                         (GClosureNotify) (void (*) (void)) action_request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
user_details_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ActionRequest) request = user_data;
  AgConsoleMonitorPage *self = request->self;
  g_autoptr(AgAdminUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GListModel *attributes;
  GtkWidget *dialog;

  user = ag_admin_get_user_finish (AG_ADMIN (source), result, &error);
  if (user == NULL) {
    g_autofree char *summary = g_strdup_printf (_("Looking up %s failed: %s"), request->account,
                                                error->message);

    log_monitor (self, summary);
    return;
  }

  if (ag_admin_user_get_online (user)) {
    g_autofree char *since = ag_console_monitor_format_time_ms (NULL, ag_admin_user_get_since (user));

    g_string_append_printf (body, _("Online since %s from %s, uid %u"), since,
                            ag_admin_user_get_address (user) != NULL ? ag_admin_user_get_address (user) : "-",
                            ag_admin_user_get_uid (user));
    g_string_append_c (body, '\n');
    if (ag_admin_user_get_channel (user) != NULL)
      g_string_append_printf (body, _("In channel %s"), ag_admin_user_get_channel (user));
    else
      g_string_append (body, _("In no channel"));
  } else {
    g_string_append (body, _("Offline"));
  }

  attributes = ag_admin_user_get_attributes (user);
  g_string_append (body, "\n\n");
  if (g_list_model_get_n_items (attributes) == 0)
    g_string_append (body, _("No user attributes"));
  for (guint i = 0; i < g_list_model_get_n_items (attributes); i++) {
    g_autoptr(AgAttribute) attribute = g_list_model_get_item (attributes, i);

    g_string_append_printf (body, "%s%s = %s", i > 0 ? "\n" : "",
                            ag_attribute_get_name (attribute), ag_attribute_get_value (attribute));
  }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   ag_admin_user_get_account (user), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), FALSE);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_user_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);
  const char *account = g_variant_get_string (parameter, NULL);

  if (self->admin == NULL || ag_admin_get_state (self->admin) != AG_ADMIN_STATE_LIVE)
    return;

  ag_admin_get_user_async (self->admin, account, NULL, user_details_cb,
                           action_request_new (self, account));
}

static void
open_channel_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);

  ag_console_monitor_channels_open (self->channels_panel, g_variant_get_string (parameter, NULL));
}

/* GObject */

/* The first time the page has a size, the log gets a third of it: left to their natural
 * sizes the chart and the lists would take all but a sliver. The operator's divider
 * position is kept afterwards. */
static gboolean
place_divider_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);
  int height = gtk_widget_get_height (GTK_WIDGET (self->paned));
  gboolean position_set;

  if (height <= 0)
    return G_SOURCE_CONTINUE;

  g_object_get (self->paned, "position-set", &position_set, NULL);
  if (!position_set)
    gtk_paned_set_position (self->paned, height * 2 / 3);
  return G_SOURCE_REMOVE;
}

static void
ag_console_monitor_page_map (GtkWidget *widget)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);

  GTK_WIDGET_CLASS (ag_console_monitor_page_parent_class)->map (widget);

  if (!self->started_once)
    gtk_widget_add_tick_callback (widget, place_divider_cb, NULL, NULL);

  /* Monitoring starts the first time the page is shown. */
  if (!self->started_once)
    ag_console_monitor_page_start (self);
}

static void
ag_console_monitor_page_dispose (GObject *object)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  g_clear_handle_id (&self->stats_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->admin != NULL) {
    g_signal_handlers_disconnect_by_data (self->admin, self);
    ag_admin_disconnect (self->admin);
  }
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_MONITOR_PAGE);
  g_clear_object (&self->admin);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (ag_console_monitor_page_parent_class)->dispose (object);
}

static void
ag_console_monitor_page_finalize (GObject *object)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  g_free (self->server_uri);
  g_free (self->app_id);
  g_free (self->admin_key);
  g_free (self->failure);
  g_free (self->status_text);
  g_free (self->stats_text);

  G_OBJECT_CLASS (ag_console_monitor_page_parent_class)->finalize (object);
}

static void
ag_console_monitor_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  switch (prop_id) {
  case PROP_SERVER_URI:
    g_value_set_string (value, self->server_uri);
    break;
  case PROP_APP_ID:
    g_value_set_string (value, self->app_id);
    break;
  case PROP_RUNNING:
    g_value_set_boolean (value, self->running);
    break;
  case PROP_WATCHING:
    g_value_set_boolean (value, ag_console_monitor_page_get_watching (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_monitor_page_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  switch (prop_id) {
  case PROP_SERVER_URI:
    self->server_uri = g_value_dup_string (value);
    break;
  case PROP_APP_ID:
    self->app_id = g_value_dup_string (value);
    break;
  case PROP_ADMIN_KEY:
    self->admin_key = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_monitor_page_constructed (GObject *object)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  G_OBJECT_CLASS (ag_console_monitor_page_parent_class)->constructed (object);

  update_status (self);
  set_stats_text (self, NULL);
}

static void
ag_console_monitor_page_class_init (AgConsoleMonitorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_monitor_page_dispose;
  object_class->finalize = ag_console_monitor_page_finalize;
  object_class->get_property = ag_console_monitor_page_get_property;
  object_class->set_property = ag_console_monitor_page_set_property;
  object_class->constructed = ag_console_monitor_page_constructed;
  widget_class->map = ag_console_monitor_page_map;

  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADMIN_KEY] =
    g_param_spec_string ("admin-key", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WATCHING] =
    g_param_spec_boolean ("watching", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (AG_CONSOLE_TYPE_EVENT_CHART);
  g_type_ensure (AG_CONSOLE_TYPE_MONITOR_USERS);
  g_type_ensure (AG_CONSOLE_TYPE_MONITOR_CHANNELS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-monitor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, stats_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, monitor_switch);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, key_box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, key_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, paned);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, chart);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, window_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, users_panel);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channels_panel);
  gtk_widget_class_bind_template_callback (widget_class, monitor_switch_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, window_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, panel_report_cb);

  gtk_widget_class_install_action (widget_class, "monitor.kick", "s", kick_action_cb);
  gtk_widget_class_install_action (widget_class, "monitor.show-user", "s", show_user_action_cb);
  gtk_widget_class_install_action (widget_class, "monitor.message", "s", message_action_cb);
  gtk_widget_class_install_action (widget_class, "monitor.open-channel", "s",
                                   open_channel_action_cb);
}

static void
ag_console_monitor_page_init (AgConsoleMonitorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->log = ag_console_log_model_new (AG_CONSOLE_LOG_MODEL_DEFAULT_CAPACITY);
  self->event_log = ag_console_event_log_new (self->log);
  gtk_paned_set_end_child (self->paned, self->event_log);

  self->stats_source = g_timeout_add_seconds (STATS_INTERVAL_S, poll_stats_cb, self);
}

GtkWidget *
ag_console_monitor_page_new (const char *server_uri,
                             const char *app_id,
                             const char *admin_key_or_null)
{
  g_return_val_if_fail (server_uri != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  return g_object_new (AG_CONSOLE_TYPE_MONITOR_PAGE,
                       "server-uri", server_uri,
                       "app-id", app_id,
                       "admin-key", admin_key_or_null,
                       NULL);
}

gboolean
ag_console_monitor_page_get_running (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), FALSE);

  return self->running;
}

gboolean
ag_console_monitor_page_get_watching (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), FALSE);

  return self->admin != NULL && ag_admin_get_state (self->admin) == AG_ADMIN_STATE_LIVE;
}

AgAdmin *
ag_console_monitor_page_get_admin (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->admin;
}

const char *
ag_console_monitor_page_get_status_text (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->status_text;
}

const char *
ag_console_monitor_page_get_stats_text (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->stats_text;
}

AgConsoleMonitorUsers *
ag_console_monitor_page_get_users_panel (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->users_panel;
}

AgConsoleMonitorChannels *
ag_console_monitor_page_get_channels_panel (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->channels_panel;
}

AgConsoleLogModel *
ag_console_monitor_page_get_log (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->log;
}

AgConsoleEventChart *
ag_console_monitor_page_get_chart (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->chart;
}

/**
 * ag_console_monitor_page_send_message:
 * @self: a monitor page
 * @account: the account to send to
 * @text: the message
 *
 * Sends @account a peer message from the system (`_agora_system`) through the admin API,
 * and logs the outcome in the page's event log.
 */
void
ag_console_monitor_page_send_message (AgConsoleMonitorPage *self,
                                      const char           *account,
                                      const char           *text)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));
  g_return_if_fail (account != NULL && text != NULL);

  if (self->admin == NULL || ag_admin_get_state (self->admin) != AG_ADMIN_STATE_LIVE)
    return;

  ag_admin_send_message_async (self->admin, account, text, 0, NULL, message_sent_cb,
                               action_request_new (self, account));
}
