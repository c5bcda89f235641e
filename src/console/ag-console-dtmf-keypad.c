/* ag-console-dtmf-keypad.c: DTMF digits sent into an active call, and those received
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n.h>

#include "ag-console-dtmf-keypad.h"

/* The keypad of an active call: each key sends its digit with ag_call_channel_invite_dtmf ()
 * and the digits the peer sends back (invite-msg of type "DTMF") are shown below. The keys
 * are only enabled while the call is active, since the server refuses call messages
 * otherwise. */
struct _AgConsoleDtmfKeypad
{
  AdwBin     parent_instance;

  AgCall    *call;
  GString   *sent;
  GString   *received;

  GtkLabel  *sent_label;
  GtkLabel  *received_label;
};

G_DEFINE_FINAL_TYPE (AgConsoleDtmfKeypad, ag_console_dtmf_keypad, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char dtmf_keys[] = "0123456789*#";

static void
update_labels (AgConsoleDtmfKeypad *self)
{
  gtk_label_set_label (self->sent_label, self->sent->len > 0 ? self->sent->str : "—");
  gtk_label_set_label (self->received_label,
                       self->received->len > 0 ? self->received->str : "—");
}

static void
update_enabled (AgConsoleDtmfKeypad *self)
{
  gboolean active = self->call != NULL && ag_call_get_state (self->call) == AG_CALL_STATE_ACTIVE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dtmf.press", active);
}

static void
call_state_cb (AgConsoleDtmfKeypad *self)
{
  update_enabled (self);
}

static void
call_msg_cb (AgConsoleDtmfKeypad *self,
             const char          *msg_type,
             const char          *msg)
{
  if (g_ascii_strcasecmp (msg_type, "DTMF") != 0 || msg == NULL)
    return;

  g_string_append (self->received, msg);
  update_labels (self);
}

static void
press_cb (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  AgConsoleDtmfKeypad *self = AG_CONSOLE_DTMF_KEYPAD (widget);
  const char *digit = g_variant_get_string (parameter, NULL);

  /* Only single known keys: the server refuses anything else with 1004. */
  if (self->call == NULL || strlen (digit) != 1 || strchr (dtmf_keys, digit[0]) == NULL)
    return;

  ag_call_channel_invite_dtmf (self->call, digit);
  g_string_append (self->sent, digit);
  update_labels (self);
}

static void
ag_console_dtmf_keypad_dispose (GObject *object)
{
  AgConsoleDtmfKeypad *self = AG_CONSOLE_DTMF_KEYPAD (object);

  ag_console_dtmf_keypad_set_call (self, NULL);

  G_OBJECT_CLASS (ag_console_dtmf_keypad_parent_class)->dispose (object);
}

static void
ag_console_dtmf_keypad_finalize (GObject *object)
{
  AgConsoleDtmfKeypad *self = AG_CONSOLE_DTMF_KEYPAD (object);

  g_string_free (self->sent, TRUE);
  g_string_free (self->received, TRUE);

  G_OBJECT_CLASS (ag_console_dtmf_keypad_parent_class)->finalize (object);
}

static void
ag_console_dtmf_keypad_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AgConsoleDtmfKeypad *self = AG_CONSOLE_DTMF_KEYPAD (object);

  switch (prop_id) {
  case PROP_CALL:
    g_value_set_object (value, self->call);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_dtmf_keypad_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  AgConsoleDtmfKeypad *self = AG_CONSOLE_DTMF_KEYPAD (object);

  switch (prop_id) {
  case PROP_CALL:
    ag_console_dtmf_keypad_set_call (self, g_value_get_object (value));
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
add_key_bindings (GtkWidgetClass *widget_class)
{
  static const struct {
    guint keyval;
    guint keypad_keyval;
    const char *digit;
  } keys[] = {
    { GDK_KEY_0, GDK_KEY_KP_0, "0" }, { GDK_KEY_1, GDK_KEY_KP_1, "1" },
    { GDK_KEY_2, GDK_KEY_KP_2, "2" }, { GDK_KEY_3, GDK_KEY_KP_3, "3" },
    { GDK_KEY_4, GDK_KEY_KP_4, "4" }, { GDK_KEY_5, GDK_KEY_KP_5, "5" },
    { GDK_KEY_6, GDK_KEY_KP_6, "6" }, { GDK_KEY_7, GDK_KEY_KP_7, "7" },
    { GDK_KEY_8, GDK_KEY_KP_8, "8" }, { GDK_KEY_9, GDK_KEY_KP_9, "9" },
    { GDK_KEY_asterisk, GDK_KEY_KP_Multiply, "*" },
    { GDK_KEY_numbersign, 0, "#" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++) {
    gtk_widget_class_add_binding_action (widget_class, keys[i].keyval, 0,
                                         "dtmf.press", "s", keys[i].digit);
    if (keys[i].keypad_keyval != 0)
      gtk_widget_class_add_binding_action (widget_class, keys[i].keypad_keyval, 0,
                                           "dtmf.press", "s", keys[i].digit);
  }
}

static void
ag_console_dtmf_keypad_class_init (AgConsoleDtmfKeypadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_dtmf_keypad_dispose;
  object_class->finalize = ag_console_dtmf_keypad_finalize;
  object_class->get_property = ag_console_dtmf_keypad_get_property;
  object_class->set_property = ag_console_dtmf_keypad_set_property;

  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL,
                         AG_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-dtmf-keypad.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleDtmfKeypad, sent_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleDtmfKeypad, received_label);

  gtk_widget_class_install_action (widget_class, "dtmf.press", "s", press_cb);
  add_key_bindings (widget_class);
}

static void
ag_console_dtmf_keypad_init (AgConsoleDtmfKeypad *self)
{
  self->sent = g_string_new (NULL);
  self->received = g_string_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  update_labels (self);
  update_enabled (self);
}

GtkWidget *
ag_console_dtmf_keypad_new (void)
{
  return g_object_new (AG_CONSOLE_TYPE_DTMF_KEYPAD, NULL);
}

AgCall *
ag_console_dtmf_keypad_get_call (AgConsoleDtmfKeypad *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_DTMF_KEYPAD (self), NULL);

  return self->call;
}

void
ag_console_dtmf_keypad_set_call (AgConsoleDtmfKeypad *self,
                                 AgCall              *call)
{
  g_return_if_fail (AG_CONSOLE_IS_DTMF_KEYPAD (self));
  g_return_if_fail (call == NULL || AG_IS_CALL (call));

  if (self->call == call)
    return;

  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);

  g_set_object (&self->call, call);
  g_string_truncate (self->sent, 0);
  g_string_truncate (self->received, 0);

  if (call != NULL) {
    g_signal_connect_object (call, "notify::state",
                             G_CALLBACK (call_state_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (call, "invite-msg",
                             G_CALLBACK (call_msg_cb), self, G_CONNECT_SWAPPED);
  }

  update_labels (self);
  update_enabled (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

const char *
ag_console_dtmf_keypad_get_sent (AgConsoleDtmfKeypad *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_DTMF_KEYPAD (self), NULL);

  return self->sent->str;
}

const char *
ag_console_dtmf_keypad_get_received (AgConsoleDtmfKeypad *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_DTMF_KEYPAD (self), NULL);

  return self->received->str;
}
