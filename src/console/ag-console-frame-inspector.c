/* ag-console-frame-inspector.c: a session's frames, pretty-printed, copyable, sent again
 *
 * Owns an AgFrameTap on the session and a log of its frames, shown by the console's event
 * log (search, kinds, pause, export, follow, indented details), and the two actions on a
 * selected frame: copy it, and edit a request and send it again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "ag-console-frame-inspector.h"
#include "ag-console-log-model.h"

/* Frames kept; older ones make room (the export then has the latest). */
#define CAPACITY 5000

struct _AgConsoleFrameInspector
{
  GtkWidget          parent_instance;

  AgFrameTap        *tap;
  AgConsoleLogModel *frames;
  GtkWidget         *event_log;
  char              *status_text;

  GtkWidget         *box;
  GtkLabel          *status_label;
  GtkButton         *copy_button;
  GtkButton         *resend_button;
};

G_DEFINE_FINAL_TYPE (AgConsoleFrameInspector, ag_console_frame_inspector, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STATUS_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_status (AgConsoleFrameInspector *self,
            const char              *text)
{
  g_free (self->status_text);
  self->status_text = g_strdup (text);
  gtk_label_set_label (self->status_label, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
}

/* "→ msg_send #12 · 54 bytes" */
static char *
summarize (gboolean    outgoing,
           const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *size = NULL;
  const char *op = NULL;
  gint64 id = 0;
  guint length = (guint) MIN (strlen (text), G_MAXUINT);

  if (json_parser_load_from_data (parser, text, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    JsonObject *object = json_node_get_object (json_parser_get_root (parser));

    op = json_object_get_string_member_with_default (object, "op", NULL);
    id = json_object_get_int_member_with_default (object, "id", 0);
  }

  size = g_strdup_printf (ngettext ("%u byte", "%u bytes", length), length);
  if (id > 0)
    return g_strdup_printf ("%s %s #%" G_GINT64_FORMAT " · %s", outgoing ? "→" : "←",
                            op != NULL ? op : "?", id, size);
  return g_strdup_printf ("%s %s · %s", outgoing ? "→" : "←", op != NULL ? op : "?", size);
}

/* The kind column shows the direction in the user's language; the exported line keeps the
 * English word. */
static const char *
direction_label (gboolean outgoing)
{
  return outgoing ? C_("frame direction", "sent") : C_("frame direction", "received");
}

static void
frame_cb (AgFrameTap              *tap,
          gboolean                 outgoing,
          const char              *text,
          AgConsoleFrameInspector *self)
{
  g_autofree char *summary = summarize (outgoing, text);
  gint64 now = g_get_real_time ();
  g_autofree char *line = NULL;

  /* The frame is JSON as it went over the wire; the line wraps it with when and which way,
   * for the details and the export. */
  line = g_strdup_printf ("{\"time_us\":%" G_GINT64_FORMAT ",\"kind\":\"%s\",\"frame\":%s}", now,
                          outgoing ? "sent" : "received", text);
  ag_console_log_model_append (self->frames, now, direction_label (outgoing), summary, line);
}

static AgConsoleLogEntry *
selected (AgConsoleFrameInspector *self)
{
  return ag_console_event_log_get_selected (AG_CONSOLE_EVENT_LOG (self->event_log));
}

/* The frame of an entry, indented; without_id drops its "id" (for a request to edit). */
static char *
entry_frame (AgConsoleLogEntry *entry,
             gboolean           without_id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonNode *root, *frame;

  if (!json_parser_load_from_data (parser, ag_console_log_entry_get_json (entry), -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser)) ||
      (frame = json_object_get_member (json_node_get_object (root), "frame")) == NULL)
    return g_strdup (ag_console_log_entry_get_json (entry));

  if (without_id && JSON_NODE_HOLDS_OBJECT (frame))
    json_object_remove_member (json_node_get_object (frame), "id");
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, frame);
  return json_generator_to_data (generator, NULL);
}

static void
selection_changed_cb (AgConsoleFrameInspector *self)
{
  AgConsoleLogEntry *entry = selected (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), entry != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button),
                            entry != NULL && g_strcmp0 (ag_console_log_entry_get_kind (entry), direction_label (TRUE)) == 0);
}

static void
copy_clicked_cb (AgConsoleFrameInspector *self)
{
  AgConsoleLogEntry *entry = selected (self);
  g_autofree char *pretty = NULL;

  if (entry == NULL)
    return;

  pretty = entry_frame (entry, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), pretty);
  set_status (self, _("Copied the frame"));
}

static void
resend_response_cb (AdwMessageDialog        *dialog,
                    const char              *response,
                    AgConsoleFrameInspector *self)
{
  GtkWidget *scroller = adw_message_dialog_get_extra_child (dialog);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller))));
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (!g_str_equal (response, "send"))
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  ag_console_frame_inspector_send (self, text);
}

static void
resend_clicked_cb (AgConsoleFrameInspector *self)
{
  AgConsoleLogEntry *entry = selected (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *request = NULL;
  GtkWidget *dialog, *scroller, *view;

  if (entry == NULL)
    return;

  request = entry_frame (entry, TRUE);
  view = gtk_text_view_new ();
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), request, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Request"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 160);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_widget_add_css_class (scroller, "card");

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Edit and Send"),
                                   _("The session sends the request with an id of its own."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", _("_Send"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (resend_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AgConsoleFrameInspector) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = ag_frame_tap_send_finish (AG_FRAME_TAP (source), result, &error);
  g_autofree char *text = NULL;

  if (reply != NULL) {
    text = g_strdup (_("Sent by hand; the server answered ok"));
  } else {
    const char *name = error->domain == AG_ERROR ? ag_error_code_name (error->code) : NULL;

    /* Translators: the code, its name and the reason of a refused request */
    text = g_strdup_printf (_("Refused: %d %s: %s"), error->domain == AG_ERROR ? error->code : 0,
                            name != NULL ? name : "", error->message);
  }

  set_status (self, text);
}

void
ag_console_frame_inspector_send (AgConsoleFrameInspector *self,
                                 const char              *request)
{
  g_return_if_fail (AG_CONSOLE_IS_FRAME_INSPECTOR (self));
  g_return_if_fail (request != NULL);

  set_status (self, _("Sending…"));
  ag_frame_tap_send_async (self->tap, request, NULL, sent_cb, g_object_ref (self));
}

const char *
ag_console_frame_inspector_get_status_text (AgConsoleFrameInspector *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_FRAME_INSPECTOR (self), NULL);

  return self->status_text;
}

AgConsoleEventLog *
ag_console_frame_inspector_get_log (AgConsoleFrameInspector *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_FRAME_INSPECTOR (self), NULL);

  return AG_CONSOLE_EVENT_LOG (self->event_log);
}

static void
ag_console_frame_inspector_dispose (GObject *object)
{
  AgConsoleFrameInspector *self = AG_CONSOLE_FRAME_INSPECTOR (object);

  if (self->tap != NULL)
    g_signal_handlers_disconnect_by_data (self->tap, self);
  g_clear_object (&self->tap);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_FRAME_INSPECTOR);
  g_clear_object (&self->frames);

  G_OBJECT_CLASS (ag_console_frame_inspector_parent_class)->dispose (object);
}

static void
ag_console_frame_inspector_finalize (GObject *object)
{
  AgConsoleFrameInspector *self = AG_CONSOLE_FRAME_INSPECTOR (object);

  g_free (self->status_text);

  G_OBJECT_CLASS (ag_console_frame_inspector_parent_class)->finalize (object);
}

static void
ag_console_frame_inspector_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  AgConsoleFrameInspector *self = AG_CONSOLE_FRAME_INSPECTOR (object);

  switch (prop_id) {
  case PROP_STATUS_TEXT:
    g_value_set_string (value, self->status_text);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_frame_inspector_class_init (AgConsoleFrameInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_frame_inspector_dispose;
  object_class->finalize = ag_console_frame_inspector_finalize;
  object_class->get_property = ag_console_frame_inspector_get_property;

  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-frame-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleFrameInspector, box);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleFrameInspector, status_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleFrameInspector, copy_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleFrameInspector, resend_button);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, resend_clicked_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ag_console_frame_inspector_init (AgConsoleFrameInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->frames = ag_console_log_model_new (CAPACITY);
  self->event_log = ag_console_event_log_new (self->frames);
  /* Translators: the column saying whether a frame was sent or received */
  ag_console_event_log_set_kind_title (AG_CONSOLE_EVENT_LOG (self->event_log), _("Direction"));
  gtk_widget_set_vexpand (self->event_log, TRUE);
  gtk_box_append (GTK_BOX (self->box), self->event_log);
  g_signal_connect_object (self->event_log, "notify::selected-entry",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
ag_console_frame_inspector_new (AgSession *session)
{
  AgConsoleFrameInspector *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_FRAME_INSPECTOR, NULL);
  self->tap = ag_frame_tap_new (session);
  g_signal_connect (self->tap, "frame", G_CALLBACK (frame_cb), self);

  return GTK_WIDGET (self);
}
