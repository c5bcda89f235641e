/* ag-console-call-dialog.c: the form that places a call, checked as it is typed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-extra.h"

#include "ag-console-call-dialog.h"

/* Limits of docs/protocol.md. */
#define NAME_MAX_CHARS  128
#define EXTRA_MAX_BYTES 8192

#define KEY_REQUIRE_ONLINE "_require_peer_online"
#define KEY_TIMEOUT        "_timeout"
/* The longest _timeout agsignald takes (docs/protocol.md). */
#define MAX_TIMEOUT_S      86400

/* The extra JSON is the source of truth: the switch and the spin button edit it (member
 * set, or removed when off/0) and are set from it whenever it is edited by hand. The
 * `syncing` flag stops the two directions from feeding each other. */
struct _AgConsoleCallDialog
{
  AdwWindow       parent_instance;

  gboolean        syncing;

  AdwWindowTitle *window_title;
  AdwEntryRow    *peer_row;
  AdwEntryRow    *channel_row;
  GtkSwitch      *require_switch;
  GtkSpinButton  *timeout_spin;
  GtkTextView    *extra_view;
  GtkLabel       *error_label;
};

G_DEFINE_FINAL_TYPE (AgConsoleCallDialog, ag_console_call_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_PLACE_CALL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkTextBuffer *
extra_buffer (AgConsoleCallDialog *self)
{
  return gtk_text_view_get_buffer (self->extra_view);
}

static char *
dup_extra_text (AgConsoleCallDialog *self)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (extra_buffer (self), &start, &end);

  return gtk_text_buffer_get_text (extra_buffer (self), &start, &end, FALSE);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/* Parses the extra text; blank text stands for the empty object. */
static JsonNode *
parse_extra (const char  *text,
             GError     **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (is_blank (text))
    return json_node_init_object (json_node_alloc (), json_object_new ());

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                         _("Extra must be a JSON object, like {\"key\": \"value\"}"));
    return NULL;
  }

  /* The parser is immutable: copy so members can be edited. */
  return json_node_copy (root);
}

/* Reads an integer the way the server does: a number, a boolean or a decimal string. */
static gboolean
member_as_int (JsonObject *object,
               const char *key,
               gint64     *out)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node)) {
  case G_TYPE_INT64:
    *out = json_node_get_int (node);
    return TRUE;

  case G_TYPE_DOUBLE: {
    double d = json_node_get_double (node);

    if (d != (double) (gint64) d)
      return FALSE;
    *out = (gint64) d;
    return TRUE;
  }

  case G_TYPE_BOOLEAN:
    *out = json_node_get_boolean (node) ? 1 : 0;
    return TRUE;

  case G_TYPE_STRING:
    return g_ascii_string_to_signed (json_node_get_string (node), 10,
                                     G_MININT64, G_MAXINT64, out, NULL);

  default:
    return FALSE;
  }
}

static char *
format_extra (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = NULL;

  if (json_object_get_size (json_node_get_object (root)) == 0)
    return g_strdup ("{}");

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static gboolean
check_name (const char  *text,
            gboolean     is_account,
            const char  *what,
            char       **out_reason)
{
  if (text[0] == '\0') {
    *out_reason = g_strdup_printf (_("Enter the %s"), what);
    return FALSE;
  }
  if (g_utf8_strlen (text, -1) > NAME_MAX_CHARS) {
    *out_reason = g_strdup_printf (_("The %s is longer than %d characters"), what, NAME_MAX_CHARS);
    return FALSE;
  }
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (g_unichar_iscntrl (c) || (is_account && g_unichar_isspace (c))) {
      *out_reason = g_strdup_printf (is_account ? _("The %s must not contain spaces") :
                                                  _("The %s must not contain control characters"),
                                     what);
      return FALSE;
    }
  }

  return TRUE;
}

/* The members the server acts on, read as the server reads them (ag_extra_get_int()): the
 * server refuses a call whose values it cannot act on (1004), so they are refused here
 * first, with the reason, before the call is placed. */
static char *
describe_member_problem (const char *extra)
{
  AgExtraLookup lookup;
  gint64 value;

  lookup = ag_extra_lookup_int (extra, KEY_TIMEOUT, &value);
  if (lookup == AG_EXTRA_NOT_INT ||
      (lookup == AG_EXTRA_INT && (value < 1 || value > MAX_TIMEOUT_S)))
    return g_strdup (_("_timeout must be a whole number of seconds from 1 to 86400: the "
                       "server refuses any other value"));

  lookup = ag_extra_lookup_int (extra, KEY_REQUIRE_ONLINE, &value);
  if (lookup == AG_EXTRA_NOT_INT || (lookup == AG_EXTRA_INT && value != 0 && value != 1))
    return g_strdup (_("_require_peer_online must be 0 or 1: the server refuses any other "
                       "value"));

  return NULL;
}

gboolean
ag_console_call_dialog_is_valid (AgConsoleCallDialog  *self,
                                 char                **out_reason)
{
  g_autofree char *reason = NULL;
  g_autofree char *extra = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  gboolean valid = FALSE;

  g_return_val_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self), FALSE);

  extra = dup_extra_text (self);

  if (!check_name (ag_console_call_dialog_get_peer (self), TRUE, _("peer’s account"), &reason))
    goto out;
  if (!check_name (ag_console_call_dialog_get_channel (self), FALSE, _("channel"), &reason))
    goto out;

  if (strlen (extra) > EXTRA_MAX_BYTES) {
    reason = g_strdup_printf (_("Extra is longer than %d bytes"), EXTRA_MAX_BYTES);
    goto out;
  }

  root = parse_extra (extra, &error);
  if (root == NULL) {
    reason = g_strdup_printf (_("Extra is not a valid JSON object: %s"), error->message);
    goto out;
  }

  reason = describe_member_problem (is_blank (extra) ? "{}" : extra);
  if (reason != NULL)
    goto out;

  valid = TRUE;

out:
  if (out_reason != NULL)
    *out_reason = g_steal_pointer (&reason);

  return valid;
}

/* Shows what is wrong with the extra text only: empty peer or channel fields are an obvious
 * reason for a disabled Call button, an unbalanced brace is not. */
static void
update_validity (AgConsoleCallDialog *self)
{
  g_autofree char *reason = NULL;
  g_autofree char *member_problem = NULL;
  g_autofree char *extra = dup_extra_text (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  gboolean valid;

  valid = ag_console_call_dialog_is_valid (self, &reason);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call-dialog.place", valid);

  root = parse_extra (extra, &error);
  gtk_widget_set_sensitive (GTK_WIDGET (self->require_switch), root != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->timeout_spin), root != NULL);
  if (root != NULL)
    member_problem = describe_member_problem (is_blank (extra) ? "{}" : extra);

  if (root == NULL || strlen (extra) > EXTRA_MAX_BYTES || member_problem != NULL) {
    gtk_label_set_label (self->error_label, member_problem != NULL ? member_problem : reason);
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  } else {
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  }
}

static void
extra_changed_cb (AgConsoleCallDialog *self)
{
  g_autofree char *extra = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  gint64 value;

  update_validity (self);

  if (self->syncing)
    return;

  extra = dup_extra_text (self);
  root = parse_extra (extra, NULL);
  if (root == NULL)
    return;

  object = json_node_get_object (root);

  self->syncing = TRUE;
  gtk_switch_set_active (self->require_switch,
                         member_as_int (object, KEY_REQUIRE_ONLINE, &value) && value == 1);
  if (!member_as_int (object, KEY_TIMEOUT, &value) || value < 0)
    value = 0;
  gtk_spin_button_set_value (self->timeout_spin, (double) value);
  self->syncing = FALSE;
}

/* Writes one member into the extra JSON (or removes it when remove is TRUE). */
static void
edit_extra_member (AgConsoleCallDialog *self,
                   const char          *key,
                   gint64               value,
                   gboolean             remove)
{
  g_autofree char *extra = NULL;
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;

  if (self->syncing)
    return;

  extra = dup_extra_text (self);
  root = parse_extra (extra, NULL);
  if (root == NULL)
    return;

  object = json_node_get_object (root);
  if (remove)
    json_object_remove_member (object, key);
  else
    json_object_set_int_member (object, key, value);

  text = format_extra (root);

  self->syncing = TRUE;
  gtk_text_buffer_set_text (extra_buffer (self), text, -1);
  self->syncing = FALSE;
}

static void
require_changed_cb (AgConsoleCallDialog *self)
{
  gboolean active = gtk_switch_get_active (self->require_switch);

  edit_extra_member (self, KEY_REQUIRE_ONLINE, 1, !active);
}

static void
timeout_changed_cb (AgConsoleCallDialog *self)
{
  gint64 seconds = gtk_spin_button_get_value_as_int (self->timeout_spin);

  edit_extra_member (self, KEY_TIMEOUT, seconds, seconds == 0);
}

static void
field_changed_cb (AgConsoleCallDialog *self)
{
  update_validity (self);
}

static void
place_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AgConsoleCallDialog *self = AG_CONSOLE_CALL_DIALOG (widget);
  g_autofree char *extra = NULL;
  g_autofree char *compact = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  if (!ag_console_call_dialog_is_valid (self, NULL))
    return;

  /* Sent compact: the server counts bytes, and the peer does not need the indentation. */
  extra = dup_extra_text (self);
  root = parse_extra (extra, NULL);
  json_generator_set_root (generator, root);
  compact = json_generator_to_data (generator, NULL);

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_PLACE_CALL], 0,
                 ag_console_call_dialog_get_channel (self),
                 ag_console_call_dialog_get_peer (self),
                 compact);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
ag_console_call_dialog_class_init (AgConsoleCallDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[SIGNAL_PLACE_CALL] =
    g_signal_new ("place-call",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-call-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, peer_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, channel_row);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, require_switch);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, extra_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, require_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, timeout_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);

  gtk_widget_class_install_action (widget_class, "call-dialog.place", NULL, place_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ag_console_call_dialog_init (AgConsoleCallDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (extra_buffer (self), "changed",
                           G_CALLBACK (extra_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_text_buffer_set_text (extra_buffer (self), "{}", -1);
  update_validity (self);
}

GtkWidget *
ag_console_call_dialog_new (GtkWindow  *parent,
                            const char *account)
{
  AgConsoleCallDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_CALL_DIALOG,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);

  if (account != NULL) {
    g_autofree char *subtitle = g_strdup_printf (_("as %s"), account);

    adw_window_title_set_subtitle (self->window_title, subtitle);
  }

  return GTK_WIDGET (self);
}

const char *
ag_console_call_dialog_get_peer (AgConsoleCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->peer_row));
}

void
ag_console_call_dialog_set_peer (AgConsoleCallDialog *self,
                                 const char          *peer)
{
  g_return_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->peer_row), peer != NULL ? peer : "");
}

const char *
ag_console_call_dialog_get_channel (AgConsoleCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->channel_row));
}

void
ag_console_call_dialog_set_channel (AgConsoleCallDialog *self,
                                    const char          *channel)
{
  g_return_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->channel_row), channel != NULL ? channel : "");
}

char *
ag_console_call_dialog_get_extra (AgConsoleCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self), NULL);

  return dup_extra_text (self);
}

void
ag_console_call_dialog_set_extra (AgConsoleCallDialog *self,
                                  const char          *extra)
{
  g_return_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self));

  /* Replacing the text deletes it first; the options must not follow that empty moment. */
  self->syncing = TRUE;
  gtk_text_buffer_set_text (extra_buffer (self), extra != NULL ? extra : "", -1);
  self->syncing = FALSE;
  extra_changed_cb (self);
}

gboolean
ag_console_call_dialog_get_require_peer_online (AgConsoleCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self), FALSE);

  return gtk_switch_get_active (self->require_switch);
}

void
ag_console_call_dialog_set_require_peer_online (AgConsoleCallDialog *self,
                                                gboolean             require)
{
  g_return_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self));

  gtk_switch_set_active (self->require_switch, require);
}

guint
ag_console_call_dialog_get_timeout (AgConsoleCallDialog *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self), 0);

  return (guint) gtk_spin_button_get_value_as_int (self->timeout_spin);
}

void
ag_console_call_dialog_set_timeout (AgConsoleCallDialog *self,
                                    guint                seconds)
{
  g_return_if_fail (AG_CONSOLE_IS_CALL_DIALOG (self));

  gtk_spin_button_set_value (self->timeout_spin, seconds);
}
