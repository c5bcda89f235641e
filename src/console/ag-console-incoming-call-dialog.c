/* ag-console-incoming-call-dialog.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-console-incoming-call-dialog.h"

#define EXTRA_MAX_BYTES 8192

/* AdwMessageDialog closes itself on every response (it asks the window to close, then
 * emits the response). This dialog must stay open when the call is accepted, to show the
 * keypad, so it refuses every close request and decides in its response handler whether to
 * destroy itself. */
struct _AgConsoleIncomingCallDialog
{
  AdwMessageDialog     parent_instance;

  AgCall              *call;
  GCancellable        *cancellable;
  char                *notification_id;
  char                *stage_text;
  gboolean             closing;

  GtkLabel            *extra_label;
  GtkEntry            *reply_entry;
  GtkLabel            *reply_error_label;
  GtkLabel            *stage_label;
  GtkRevealer         *keypad_revealer;
  AgConsoleDtmfKeypad *keypad;
};

G_DEFINE_FINAL_TYPE (AgConsoleIncomingCallDialog, ag_console_incoming_call_dialog,
                     ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Notifications name their dialog by id: the application actions their buttons activate
 * look the dialog up here. */
static GHashTable *dialogs_by_notification;
static guint       notification_serial;

#define ACTION_ACCEPT "incoming-call-accept"
#define ACTION_REFUSE "incoming-call-refuse"
#define ACTION_SHOW   "incoming-call-show"

static void
set_stage (AgConsoleIncomingCallDialog *self,
           const char                  *text)
{
  g_free (self->stage_text);
  self->stage_text = g_strdup (text);
  gtk_label_set_label (self->stage_label, text);
}

static void
close_dialog (AgConsoleIncomingCallDialog *self)
{
  if (self->closing)
    return;

  self->closing = TRUE;
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
withdraw_notification (AgConsoleIncomingCallDialog *self)
{
  GApplication *app = g_application_get_default ();

  if (self->notification_id == NULL)
    return;

  if (dialogs_by_notification != NULL)
    g_hash_table_remove (dialogs_by_notification, self->notification_id);
  if (app != NULL)
    g_application_withdraw_notification (app, self->notification_id);
  g_clear_pointer (&self->notification_id, g_free);
}

/* The reply extra: NULL when blank (the spec's overload without extra). Returns FALSE when
 * the text is not a JSON object that fits. */
static gboolean
get_reply_extra (AgConsoleIncomingCallDialog  *self,
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
update_responses (AgConsoleIncomingCallDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  AgCallState state = ag_call_get_state (self->call);
  const char *extra;
  gboolean reply_ok = get_reply_extra (self, &extra);

  gtk_widget_set_visible (GTK_WIDGET (self->reply_error_label), !reply_ok);

  switch (state) {
  case AG_CALL_STATE_INVITING:
  case AG_CALL_STATE_RINGING:
    adw_message_dialog_set_response_label (dialog, "refuse", _("_Refuse"));
    adw_message_dialog_set_response_label (dialog, "accept", _("_Accept"));
    adw_message_dialog_set_response_enabled (dialog, "refuse", reply_ok);
    adw_message_dialog_set_response_enabled (dialog, "accept", reply_ok);
    break;

  case AG_CALL_STATE_ACTIVE:
    adw_message_dialog_set_response_label (dialog, "refuse", _("_End Call"));
    adw_message_dialog_set_response_label (dialog, "accept", _("_Hide"));
    adw_message_dialog_set_response_enabled (dialog, "refuse", reply_ok);
    adw_message_dialog_set_response_enabled (dialog, "accept", TRUE);
    adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_DEFAULT);
    break;

  case AG_CALL_STATE_REFUSED:
  case AG_CALL_STATE_FAILED:
  case AG_CALL_STATE_ENDED:
  default:
    adw_message_dialog_set_response_enabled (dialog, "refuse", FALSE);
    adw_message_dialog_set_response_enabled (dialog, "accept", FALSE);
    break;
  }
}

static void
update_stage (AgConsoleIncomingCallDialog *self)
{
  AgCallState state = ag_call_get_state (self->call);

  switch (state) {
  case AG_CALL_STATE_INVITING:
  case AG_CALL_STATE_RINGING:
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

  gtk_revealer_set_reveal_child (self->keypad_revealer, state == AG_CALL_STATE_ACTIVE);
  update_responses (self);
}

static void
call_state_cb (AgConsoleIncomingCallDialog *self)
{
  AgCallState state = ag_call_get_state (self->call);

  update_stage (self);

  if (state != AG_CALL_STATE_INVITING && state != AG_CALL_STATE_RINGING)
    withdraw_notification (self);

  /* Over, whoever ended it (the peer withdrew, hung up, or went offline): nothing is left
   * to answer. */
  if (state == AG_CALL_STATE_REFUSED || state == AG_CALL_STATE_FAILED ||
      state == AG_CALL_STATE_ENDED)
    close_dialog (self);
}

static void
reply_changed_cb (AgConsoleIncomingCallDialog *self)
{
  update_responses (self);
}

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (AgConsoleIncomingCallDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (ag_call_channel_invite_accept_finish (AG_CALL (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->closing)
    return;

  if (error->domain == AG_ERROR)
    text = g_strdup_printf (_("Refused by the server: %d %s — %s"), error->code,
                            ag_error_code_name (error->code) != NULL ?
                              ag_error_code_name (error->code) : "",
                            ag_error_code_describe (error->code));
  else
    text = g_strdup_printf (_("Failed: %s"), error->message);

  set_stage (self, text);
}

static void
ag_console_incoming_call_dialog_response (AdwMessageDialog *dialog,
                                          const char       *response)
{
  AgConsoleIncomingCallDialog *self = AG_CONSOLE_INCOMING_CALL_DIALOG (dialog);
  AgCallState state;
  gboolean ringing;
  const char *extra = NULL;

  if (self->closing || self->call == NULL)
    return;

  state = ag_call_get_state (self->call);
  ringing = state == AG_CALL_STATE_RINGING || state == AG_CALL_STATE_INVITING;

  if (!get_reply_extra (self, &extra) && g_strcmp0 (response, "accept") == 0 && ringing)
    return;

  if (g_strcmp0 (response, "accept") == 0 && ringing) {
    withdraw_notification (self);
    set_stage (self, _("Accepting…"));
    ag_call_channel_invite_accept_async (self->call, extra, self->cancellable,
                                         accept_cb, g_object_ref (self));
    return;
  }

  if (g_strcmp0 (response, "refuse") == 0 && ringing) {
    /* The refusal needs no answer to be shown: the call is over for this side. */
    ag_call_channel_invite_refuse (self->call, extra);
  } else if (g_strcmp0 (response, "refuse") == 0 && state == AG_CALL_STATE_ACTIVE) {
    ag_call_channel_invite_end (self->call, extra);
  }

  close_dialog (self);
}

static gboolean
ag_console_incoming_call_dialog_close_request (GtkWindow *window)
{
  /* Lets AdwMessageDialog emit the close response (Escape), which decides; the window
   * itself never closes by this route. */
  GTK_WINDOW_CLASS (ag_console_incoming_call_dialog_parent_class)->close_request (window);

  return TRUE;
}

/* Desktop notifications */

static void
notification_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  const char *name = g_action_get_name (G_ACTION (action));
  AgConsoleIncomingCallDialog *self;
  GtkWindow *parent;

  if (dialogs_by_notification == NULL)
    return;

  self = g_hash_table_lookup (dialogs_by_notification, g_variant_get_string (parameter, NULL));
  if (self == NULL)
    return;

  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (parent != NULL)
    gtk_window_present (parent);
  gtk_window_present (GTK_WINDOW (self));

  if (g_strcmp0 (name, ACTION_ACCEPT) == 0)
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "accept");
  else if (g_strcmp0 (name, ACTION_REFUSE) == 0)
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "refuse");
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
send_notification (AgConsoleIncomingCallDialog *self,
                   GApplication                *app)
{
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  /* The call may have been answered while the bus was asked. */
  if (ag_call_get_state (self->call) != AG_CALL_STATE_RINGING &&
      ag_call_get_state (self->call) != AG_CALL_STATE_INVITING)
    return;

  ensure_app_actions (app);

  if (dialogs_by_notification == NULL)
    dialogs_by_notification = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->notification_id = g_strdup_printf ("incoming-call-%u", ++notification_serial);
  g_hash_table_insert (dialogs_by_notification, g_strdup (self->notification_id), self);

  title = g_strdup_printf (_("Incoming call from %s"), ag_call_get_peer (self->call));
  body = g_strdup_printf (_("Channel “%s”"), ag_call_get_channel (self->call));

  notification = g_notification_new (title);
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
  g_autoptr (AgConsoleIncomingCallDialog) self = user_data;
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
maybe_notify (AgConsoleIncomingCallDialog *self,
              GtkWindow                   *parent)
{
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus;

  if (parent == NULL || gtk_window_is_active (parent) || app == NULL ||
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

static void
ag_console_incoming_call_dialog_constructed (GObject *object)
{
  AgConsoleIncomingCallDialog *self = AG_CONSOLE_INCOMING_CALL_DIALOG (object);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  const char *extra;

  G_OBJECT_CLASS (ag_console_incoming_call_dialog_parent_class)->constructed (object);

  g_assert (AG_IS_CALL (self->call));

  heading = g_strdup_printf (_("Incoming Call from %s"), ag_call_get_peer (self->call));
  body = g_strdup_printf (_("About channel “%s”"), ag_call_get_channel (self->call));
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);

  extra = ag_call_get_extra (self->call);
  gtk_label_set_label (self->extra_label, extra != NULL && extra[0] != '\0' ? extra : "{}");

  ag_console_dtmf_keypad_set_call (self->keypad, self->call);

  g_signal_connect_object (self->call, "notify::state",
                           G_CALLBACK (call_state_cb), self, G_CONNECT_SWAPPED);
  update_stage (self);

  maybe_notify (self, gtk_window_get_transient_for (GTK_WINDOW (self)));
}

static void
ag_console_incoming_call_dialog_dispose (GObject *object)
{
  AgConsoleIncomingCallDialog *self = AG_CONSOLE_INCOMING_CALL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  withdraw_notification (self);

  if (self->keypad != NULL)
    ag_console_dtmf_keypad_set_call (self->keypad, NULL);
  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_INCOMING_CALL_DIALOG);

  g_clear_object (&self->call);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_console_incoming_call_dialog_parent_class)->dispose (object);
}

static void
ag_console_incoming_call_dialog_finalize (GObject *object)
{
  AgConsoleIncomingCallDialog *self = AG_CONSOLE_INCOMING_CALL_DIALOG (object);

  g_free (self->stage_text);

  G_OBJECT_CLASS (ag_console_incoming_call_dialog_parent_class)->finalize (object);
}

static void
ag_console_incoming_call_dialog_get_property (GObject    *object,
                                              guint       prop_id,
                                              GValue     *value,
                                              GParamSpec *pspec)
{
  AgConsoleIncomingCallDialog *self = AG_CONSOLE_INCOMING_CALL_DIALOG (object);

  switch (prop_id) {
  case PROP_CALL:
    g_value_set_object (value, self->call);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_incoming_call_dialog_set_property (GObject      *object,
                                              guint         prop_id,
                                              const GValue *value,
                                              GParamSpec   *pspec)
{
  AgConsoleIncomingCallDialog *self = AG_CONSOLE_INCOMING_CALL_DIALOG (object);

  switch (prop_id) {
  case PROP_CALL:
    self->call = g_value_dup_object (value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_incoming_call_dialog_class_init (AgConsoleIncomingCallDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->constructed = ag_console_incoming_call_dialog_constructed;
  object_class->dispose = ag_console_incoming_call_dialog_dispose;
  object_class->finalize = ag_console_incoming_call_dialog_finalize;
  object_class->get_property = ag_console_incoming_call_dialog_get_property;
  object_class->set_property = ag_console_incoming_call_dialog_set_property;

  window_class->close_request = ag_console_incoming_call_dialog_close_request;

  dialog_class->response = ag_console_incoming_call_dialog_response;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL,
                         AG_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (AG_CONSOLE_TYPE_DTMF_KEYPAD);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-incoming-call-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallDialog, extra_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallDialog, reply_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallDialog, reply_error_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallDialog, stage_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallDialog, keypad_revealer);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleIncomingCallDialog, keypad);
  gtk_widget_class_bind_template_callback (widget_class, reply_changed_cb);
}

static void
ag_console_incoming_call_dialog_init (AgConsoleIncomingCallDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_console_incoming_call_dialog_new (GtkWindow *parent,
                                     AgCall    *call)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AG_IS_CALL (call), NULL);

  return g_object_new (AG_CONSOLE_TYPE_INCOMING_CALL_DIALOG,
                       "transient-for", parent,
                       "call", call,
                       NULL);
}

AgCall *
ag_console_incoming_call_dialog_get_call (AgConsoleIncomingCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_DIALOG (self), NULL);

  return self->call;
}

AgConsoleDtmfKeypad *
ag_console_incoming_call_dialog_get_keypad (AgConsoleIncomingCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_DIALOG (self), NULL);

  return self->keypad;
}

void
ag_console_incoming_call_dialog_set_reply_extra (AgConsoleIncomingCallDialog *self,
                                                 const char                  *extra)
{
  g_return_if_fail (AG_CONSOLE_IS_INCOMING_CALL_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->reply_entry), extra != NULL ? extra : "");
}

const char *
ag_console_incoming_call_dialog_get_stage_text (AgConsoleIncomingCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_INCOMING_CALL_DIALOG (self), NULL);

  return self->stage_text;
}
