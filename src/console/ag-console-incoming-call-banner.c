/* ag-console-incoming-call-banner.c: one incoming call in the callee's tab, answered there
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-console-incoming-call-banner.h"

#define EXTRA_MAX_BYTES 8192

struct _AgConsoleIncomingCallBanner
{
  GtkWidget            parent_instance;

  AgCall              *call;
  char                *callee;
  GCancellable        *cancellable;
  char                *notification_id;
  char                *title;
  char                *stage_text;
  gboolean             finished;
  gboolean             accepting;

  GtkLabel            *title_label;
  GtkLabel            *channel_label;
  GtkLabel            *extra_label;
  GtkLabel            *stage_label;
  GtkEntry            *reply_entry;
  GtkLabel            *reply_error_label;
  GtkWidget           *refuse_button;
  GtkWidget           *accept_button;
  GtkWidget           *keypad_button;
  GtkWidget           *end_button;
  GtkWidget           *hide_button;
  AgConsoleDtmfKeypad *keypad;
};

G_DEFINE_FINAL_TYPE (AgConsoleIncomingCallBanner, ag_console_incoming_call_banner, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CALL,
  PROP_CALLEE,
  N_PROPS
};

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

/* Notifications name their banner by id: the application actions their buttons activate
 * look the banner up here. */
static GHashTable *banners_by_notification;
static guint       notification_serial;

#define ACTION_ACCEPT "incoming-call-accept"
#define ACTION_REFUSE "incoming-call-refuse"
#define ACTION_SHOW   "incoming-call-show"

static gboolean
is_ringing (AgConsoleIncomingCallBanner *self)
{
  AgCallState state = ag_call_get_state (self->call);

  return state == AG_CALL_STATE_RINGING || state == AG_CALL_STATE_INVITING;
}

static gboolean
is_over (AgCallState state)
{
  return state == AG_CALL_STATE_REFUSED || state == AG_CALL_STATE_FAILED ||
         state == AG_CALL_STATE_ENDED;
}

static void
set_stage (AgConsoleIncomingCallBanner *self,
           const char                  *text)
{
  g_free (self->stage_text);
  self->stage_text = g_strdup (text);
  gtk_label_set_label (self->stage_label, text);
}

static void
withdraw_notification (AgConsoleIncomingCallBanner *self)
{
  GApplication *app = g_application_get_default ();

  if (self->notification_id == NULL)
    return;

  if (banners_by_notification != NULL)
    g_hash_table_remove (banners_by_notification, self->notification_id);
  if (app != NULL)
    g_application_withdraw_notification (app, self->notification_id);
  g_clear_pointer (&self->notification_id, g_free);
}

/* The reply extra: NULL when blank (the spec's overload without extra). Returns FALSE when
 * the text is not a JSON object that fits. */
static gboolean
get_reply_extra (AgConsoleIncomingCallBanner  *self,
                 const char                  **out_extra)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->reply_entry));
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  *out_extra = NULL;
  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return TRUE;

  if (strlen (text) > EXTRA_MAX_BYTES)
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  *out_extra = text;

  return TRUE;
}

static void
update_buttons (AgConsoleIncomingCallBanner *self)
{
  AgCallState state = ag_call_get_state (self->call);
  gboolean ringing = is_ringing (self) && !self->accepting;
  gboolean active = state == AG_CALL_STATE_ACTIVE;
  const char *extra;
  gboolean reply_ok = get_reply_extra (self, &extra);

  gtk_widget_set_visible (GTK_WIDGET (self->reply_error_label), !reply_ok);

  gtk_widget_set_visible (self->refuse_button, ringing);
  gtk_widget_set_visible (self->accept_button, ringing);
  gtk_widget_set_visible (self->keypad_button, active);
  gtk_widget_set_visible (self->end_button, active);
  gtk_widget_set_visible (self->hide_button, active);
  gtk_widget_set_visible (GTK_WIDGET (self->reply_entry), ringing || active);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.accept", ringing && reply_ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.refuse", ringing && reply_ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.end", active && reply_ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.hide", active);
}

static void
update_stage (AgConsoleIncomingCallBanner *self)
{
  switch (ag_call_get_state (self->call)) {
  case AG_CALL_STATE_INVITING:
  case AG_CALL_STATE_RINGING:
    if (!self->accepting)
      set_stage (self, _("Ringing"));
    break;

  case AG_CALL_STATE_ACTIVE:
    set_stage (self, _("Active"));
    break;

  case AG_CALL_STATE_REFUSED:
    set_stage (self, _("Refused"));
    break;

  case AG_CALL_STATE_FAILED:
    set_stage (self, _("Failed"));
    break;

  case AG_CALL_STATE_ENDED:
  default:
    set_stage (self, _("Ended"));
    break;
  }

  update_buttons (self);
}

static void
finish (AgConsoleIncomingCallBanner *self)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  withdraw_notification (self);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
call_state_cb (AgConsoleIncomingCallBanner *self)
{
  AgCallState state = ag_call_get_state (self->call);

  if (state != AG_CALL_STATE_INVITING && state != AG_CALL_STATE_RINGING) {
    self->accepting = FALSE;
    withdraw_notification (self);
  }

  update_stage (self);

  /* Over, whoever ended it (the caller withdrew, hung up, or went offline): nothing is left
   * to answer. */
  if (is_over (state))
    finish (self);
}

static void
reply_changed_cb (AgConsoleIncomingCallBanner *self)
{
  update_buttons (self);
}

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (AgConsoleIncomingCallBanner) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (ag_call_channel_invite_accept_finish (AG_CALL (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->finished)
    return;

  self->accepting = FALSE;
  if (error->domain == AG_ERROR)
    text = g_strdup_printf (_("Refused by the server: %d %s — %s"), error->code,
                            ag_error_code_name (error->code) != NULL ?
                              ag_error_code_name (error->code) : "",
                            ag_error_code_describe (error->code));
  else
    text = g_strdup_printf (_("Failed: %s"), error->message);

  set_stage (self, text);
  update_buttons (self);
}

/* Actions */

static void
accept_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (widget);
  const char *extra;

  if (!is_ringing (self) || self->accepting || !get_reply_extra (self, &extra))
    return;

  withdraw_notification (self);
  self->accepting = TRUE;
  set_stage (self, _("Accepting…"));
  update_buttons (self);
  ag_call_channel_invite_accept_async (self->call, extra, self->cancellable,
                                       accept_cb, g_object_ref (self));
}

static void
refuse_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (widget);
  const char *extra;

  if (!is_ringing (self) || self->accepting || !get_reply_extra (self, &extra))
    return;

  /* The refusal needs no answer to be shown: the call is over for this side, and the
   * state change finishes the banner. */
  ag_call_channel_invite_refuse (self->call, extra);
}

static void
end_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (widget);
  const char *extra;

  if (ag_call_get_state (self->call) != AG_CALL_STATE_ACTIVE || !get_reply_extra (self, &extra))
    return;

  ag_call_channel_invite_end (self->call, extra);
}

static void
hide_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  /* The call stays; the calls page lists it, with its own keypad and End button. */
  gtk_widget_set_visible (widget, FALSE);
}

/* Desktop notifications */

static void
show_banner (AgConsoleIncomingCallBanner *self)
{
  GtkWidget *tab_view = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TAB_VIEW);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* The tab holding the banner comes to the front with its window. */
  if (tab_view != NULL) {
    GListModel *pages = G_LIST_MODEL (adw_tab_view_get_pages (ADW_TAB_VIEW (tab_view)));

    for (guint i = 0; i < g_list_model_get_n_items (pages); i++) {
      g_autoptr (AdwTabPage) page = g_list_model_get_item (pages, i);

      if (gtk_widget_is_ancestor (GTK_WIDGET (self), adw_tab_page_get_child (page))) {
        adw_tab_view_set_selected_page (ADW_TAB_VIEW (tab_view), page);
        break;
      }
    }
    g_object_unref (pages);
  }

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_present (GTK_WINDOW (root));
}

static void
notification_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  const char *name = g_action_get_name (G_ACTION (action));
  AgConsoleIncomingCallBanner *self;

  if (banners_by_notification == NULL)
    return;

  self = g_hash_table_lookup (banners_by_notification, g_variant_get_string (parameter, NULL));
  if (self == NULL)
    return;

  show_banner (self);

  if (g_strcmp0 (name, ACTION_ACCEPT) == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "call.accept", NULL);
  else if (g_strcmp0 (name, ACTION_REFUSE) == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "call.refuse", NULL);
}

static void
ensure_app_actions (GApplication *app)
{
  static const char *names[] = { ACTION_ACCEPT, ACTION_REFUSE, ACTION_SHOW };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr (GSimpleAction) action = NULL;

    if (g_action_map_lookup_action (G_ACTION_MAP (app), names[i]) != NULL)
      continue;

    action = g_simple_action_new (names[i], G_VARIANT_TYPE_STRING);
    g_signal_connect (action, "activate", G_CALLBACK (notification_action_cb), NULL);
    g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (action));
  }
}

static void
send_notification (AgConsoleIncomingCallBanner *self,
                   GApplication                *app)
{
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *body = NULL;

  /* The call may have been answered while the bus was asked. */
  if (!is_ringing (self) || self->notification_id != NULL)
    return;

  ensure_app_actions (app);

  if (banners_by_notification == NULL)
    banners_by_notification = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->notification_id = g_strdup_printf ("incoming-call-%u", ++notification_serial);
  g_hash_table_insert (banners_by_notification, g_strdup (self->notification_id), self);

  body = g_strdup_printf (_("Channel “%s”"), ag_call_get_channel (self->call));

  notification = g_notification_new (self->title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_default_action_and_target (notification, "app." ACTION_SHOW,
                                                "s", self->notification_id);
  g_notification_add_button_with_target (notification, _("Accept"), "app." ACTION_ACCEPT,
                                         "s", self->notification_id);
  g_notification_add_button_with_target (notification, _("Refuse"), "app." ACTION_REFUSE,
                                         "s", self->notification_id);
  g_application_send_notification (app, self->notification_id, notification);
}

static gboolean
names_contain_notification_service (GVariant *names)
{
  g_autoptr (GVariantIter) iter = NULL;
  const char *name;

  g_variant_get (names, "(as)", &iter);
  while (g_variant_iter_next (iter, "&s", &name))
    if (g_str_equal (name, "org.freedesktop.Notifications") ||
        g_str_equal (name, "org.gtk.Notifications"))
      return TRUE;

  return FALSE;
}

static void
list_names_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (AgConsoleIncomingCallBanner) self = user_data;
  g_autoptr (GVariant) names = NULL;
  GApplication *app = g_application_get_default ();

  names = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  if (names == NULL || app == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (names_contain_notification_service (names))
    send_notification (self, app);
}

/* GApplication warns when a notification cannot be delivered, and a session without a
 * notification server (a test bus, a bare X session) is common for this tool: so the
 * notification goes out only when a server is on the bus, or through the portal when
 * sandboxed. */
static void
maybe_notify (AgConsoleIncomingCallBanner *self)
{
  GApplication *app = g_application_get_default ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GDBusConnection *bus;

  if (!GTK_IS_WINDOW (root) || gtk_window_is_active (GTK_WINDOW (root)) || app == NULL ||
      !g_application_get_is_registered (app) || g_application_get_is_remote (app))
    return;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS)) {
    send_notification (self, app);
    return;
  }

  bus = g_application_get_dbus_connection (app);
  if (bus == NULL)
    return;

  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ListNames", NULL,
                          G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, list_names_cb, g_object_ref (self));
}

/* GObject */

static void
ag_console_incoming_call_banner_root (GtkWidget *widget)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (widget);

  GTK_WIDGET_CLASS (ag_console_incoming_call_banner_parent_class)->root (widget);

  /* Only once in a window can the banner tell whether the user would see it. */
  if (is_ringing (self))
    maybe_notify (self);
}

static void
ag_console_incoming_call_banner_constructed (GObject *object)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (object);
  g_autofree char *channel = NULL;
  g_autofree char *description = NULL;
  const char *extra;

  G_OBJECT_CLASS (ag_console_incoming_call_banner_parent_class)->constructed (object);

  g_assert (AG_IS_CALL (self->call));

  /* Translators: "bob is calling alice": the caller, then the console's session called. */
  self->title = g_strdup_printf (_("%s is calling %s"), ag_call_get_peer (self->call),
                                 self->callee != NULL ? self->callee : "");
  gtk_label_set_label (self->title_label, self->title);

  channel = g_strdup_printf (_("About channel “%s”"), ag_call_get_channel (self->call));
  gtk_label_set_label (self->channel_label, channel);

  extra = ag_call_get_extra (self->call);
  gtk_label_set_label (self->extra_label, extra != NULL && extra[0] != '\0' ? extra : "{}");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->extra_label),
                               extra != NULL && extra[0] != '\0' ? extra : NULL);

  /* Translators: the accessible description of a ringing call's bar. */
  description = g_strdup_printf (_("Incoming call: %s"), self->title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  ag_console_dtmf_keypad_set_call (self->keypad, self->call);

  g_signal_connect_object (self->call, "notify::state",
                           G_CALLBACK (call_state_cb), self, G_CONNECT_SWAPPED);
  update_stage (self);
}

static void
ag_console_incoming_call_banner_dispose (GObject *object)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  withdraw_notification (self);

  if (self->keypad != NULL)
    ag_console_dtmf_keypad_set_call (self->keypad, NULL);
  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_INCOMING_CALL_BANNER);
  /* dispose_template only unparents the children it binds; the layout box goes here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->call);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_console_incoming_call_banner_parent_class)->dispose (object);
}

static void
ag_console_incoming_call_banner_finalize (GObject *object)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (object);

  g_free (self->callee);
  g_free (self->title);
  g_free (self->stage_text);

  G_OBJECT_CLASS (ag_console_incoming_call_banner_parent_class)->finalize (object);
}

static void
ag_console_incoming_call_banner_get_property (GObject    *object,
                                              guint       prop_id,
                                              GValue     *value,
                                              GParamSpec *pspec)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (object);

  switch (prop_id) {
  case PROP_CALL:
    g_value_set_object (value, self->call);
    break;

  case PROP_CALLEE:
    g_value_set_string (value, self->callee);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_incoming_call_banner_set_property (GObject      *object,
                                              guint         prop_id,
                                              const GValue *value,
                                              GParamSpec   *pspec)
{
  AgConsoleIncomingCallBanner *self = AG_CONSOLE_INCOMING_CALL_BANNER (object);

  switch (prop_id) {
  case PROP_CALL:
    self->call = g_value_dup_object (value);
    break;

  case PROP_CALLEE:
    self->callee = g_value_dup_string (value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_incoming_call_banner_class_init (AgConsoleIncomingCallBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_console_incoming_call_banner_constructed;
  object_class->dispose = ag_console_incoming_call_banner_dispose;
  object_class->finalize = ag_console_incoming_call_banner_finalize;
  object_class->get_property = ag_console_incoming_call_banner_get_property;
  object_class->set_property = ag_console_incoming_call_banner_set_property;

  widget_class->root = ag_console_incoming_call_banner_root;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL,
                         AG_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CALLEE] =
    g_param_spec_string ("callee", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgConsoleIncomingCallBanner::finished:
   *
   * The call is over (refused, ended or failed): the banner has nothing left to answer.
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (AG_CONSOLE_TYPE_DTMF_KEYPAD);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-incoming-call-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, title_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, channel_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, extra_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, stage_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, reply_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, reply_error_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, refuse_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, accept_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, keypad_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, end_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, hide_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallBanner, keypad);
  gtk_widget_class_bind_template_callback (widget_class, reply_changed_cb);

  gtk_widget_class_install_action (widget_class, "call.accept", NULL, accept_action_cb);
  gtk_widget_class_install_action (widget_class, "call.refuse", NULL, refuse_action_cb);
  gtk_widget_class_install_action (widget_class, "call.end", NULL, end_action_cb);
  gtk_widget_class_install_action (widget_class, "call.hide", NULL, hide_action_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "incoming-call");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ag_console_incoming_call_banner_init (AgConsoleIncomingCallBanner *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_console_incoming_call_banner_new (AgCall     *call,
                                     const char *callee)
{
  g_return_val_if_fail (AG_IS_CALL (call), NULL);

  return g_object_new (AG_CONSOLE_TYPE_INCOMING_CALL_BANNER,
                       "call", call,
                       "callee", callee,
                       NULL);
}

AgCall *
ag_console_incoming_call_banner_get_call (AgConsoleIncomingCallBanner *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_BANNER (self), NULL);

  return self->call;
}

const char *
ag_console_incoming_call_banner_get_callee (AgConsoleIncomingCallBanner *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_BANNER (self), NULL);

  return self->callee;
}

AgConsoleDtmfKeypad *
ag_console_incoming_call_banner_get_keypad (AgConsoleIncomingCallBanner *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_BANNER (self), NULL);

  return self->keypad;
}

const char *
ag_console_incoming_call_banner_get_title (AgConsoleIncomingCallBanner *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_BANNER (self), NULL);

  return self->title;
}

void
ag_console_incoming_call_banner_set_reply_extra (AgConsoleIncomingCallBanner *self,
                                                 const char                  *extra)
{
  g_return_if_fail (AG_CONSOLE_IS_INCOMING_CALL_BANNER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->reply_entry), extra != NULL ? extra : "");
}

const char *
ag_console_incoming_call_banner_get_stage_text (AgConsoleIncomingCallBanner *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_BANNER (self), NULL);

  return self->stage_text;
}
