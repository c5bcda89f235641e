/* ag-console-calls-view.c: a session's calls: history, placing, answering
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-console-call-dialog.h"
#include "ag-console-calls-view.h"
#include "ag-console-dtmf-keypad.h"

/* One state the call went through, in milliseconds since it was listed. */
typedef struct {
  AgCallState state;
  gint64      ms;
} StateStep;

/* What the list shows beyond the call's own properties (how it ended, what the peer said)
 * and the call's history (its states and when). The history owns every CallInfo of the
 * session, so that clearing the list keeps what the export writes. */
typedef struct {
  AgCall    *call;
  guint      id;
  int        failed_code;
  gboolean   was_active;
  gboolean   ended_by_peer;
  gboolean   ended_by_me;
  char      *peer_extra;
  GDateTime *started;      /* wall clock, for the export */
  gint64     started_us;   /* monotonic */
  GArray    *steps;        /* StateStep */
} CallInfo;

struct _AgConsoleCallsView
{
  AdwBin               parent_instance;

  AgSession           *session;
  GListStore          *calls;
  GHashTable          *infos;     /* AgCall -> CallInfo (owned by history) */
  GPtrArray           *history;   /* CallInfo, oldest first */
  guint                history_limit;
  guint                last_id;

  /* The last call placed, for Call Again. */
  char                *last_peer;
  char                *last_channel;
  char                *last_extra;
  GtkWidget           *call_dialog;  /* weak */

  GtkStack            *stack;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *direction_column;
  GtkColumnViewColumn *peer_column;
  GtkColumnViewColumn *channel_column;
  GtkColumnViewColumn *stage_column;
  GtkColumnViewColumn *extra_column;
  GtkColumnViewColumn *reply_column;
  GtkColumnViewColumn *actions_column;
  GtkNoSelection      *selection;
};

G_DEFINE_FINAL_TYPE (AgConsoleCallsView, ag_console_calls_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_HISTORY_LIMIT,
  N_PROPS
};

enum {
  SIGNAL_ANSWER_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void
call_info_free (CallInfo *info)
{
  g_clear_object (&info->call);
  g_clear_pointer (&info->started, g_date_time_unref);
  g_clear_pointer (&info->steps, g_array_unref);
  g_free (info->peer_extra);
  g_free (info);
}

static void
record_state (CallInfo *info)
{
  AgCallState state = ag_call_get_state (info->call);
  StateStep step = { state, (g_get_monotonic_time () - info->started_us) / 1000 };

  if (info->steps->len > 0 && g_array_index (info->steps, StateStep, info->steps->len - 1).state == state)
    return;

  g_array_append_val (info->steps, step);
}

static CallInfo *
get_info (AgConsoleCallsView *self,
          AgCall             *call)
{
  return g_hash_table_lookup (self->infos, call);
}

static gboolean
is_final (AgCallState state)
{
  return state == AG_CALL_STATE_REFUSED || state == AG_CALL_STATE_FAILED ||
         state == AG_CALL_STATE_ENDED;
}

static char *
stage_text (AgCall   *call,
            CallInfo *info)
{
  gboolean outgoing = ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING;

  switch (ag_call_get_state (call)) {
  case AG_CALL_STATE_INVITING:
    return g_strdup (_("Calling…"));

  case AG_CALL_STATE_RINGING:
    return g_strdup (outgoing ? _("Ringing (received by peer)") : _("Ringing (incoming)"));

  case AG_CALL_STATE_ACTIVE:
    return g_strdup (outgoing ? _("Accepted") : _("Active"));

  case AG_CALL_STATE_REFUSED:
    return g_strdup (outgoing ? _("Refused by peer") : _("Refused by you"));

  case AG_CALL_STATE_FAILED: {
    const char *name = ag_error_code_name (info->failed_code);

    /* Translators: a failed call: the error code and its name, e.g. 703 INVITE_E_PEEROFFLINE */
    return g_strdup_printf (_("Failed: %d %s"), info->failed_code, name != NULL ? name : "");
  }

  case AG_CALL_STATE_ENDED:
  default:
    if (!info->was_active && info->ended_by_peer)
      return g_strdup (_("Withdrawn by caller"));
    if (!info->was_active && info->ended_by_me && outgoing)
      return g_strdup (_("Withdrawn"));
    if (info->ended_by_peer)
      return g_strdup (_("Ended by peer"));
    if (info->ended_by_me)
      return g_strdup (_("Ended by you"));
    return g_strdup (_("Ended"));
  }
}

/* Makes the list show the call again: GTK 4.8 rebinds a row only when its item is
 * replaced. */
static void
refresh_call (AgConsoleCallsView *self,
              AgCall             *call)
{
  g_autoptr (AgCall) keep = g_object_ref (call);
  guint position;

  if (g_list_store_find (self->calls, call, &position))
    g_list_store_splice (self->calls, position, 1, (gpointer *) &keep, 1);
}

static void
update_empty (AgConsoleCallsView *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->calls)) > 0;
  gboolean any_final = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->calls)); i++) {
    g_autoptr (AgCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls), i);

    if (is_final (ag_call_get_state (call))) {
      any_final = TRUE;
      break;
    }
  }

  gtk_stack_set_visible_child_name (self->stack, any ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calls.clear-finished", any_final);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calls.export-history", self->history->len > 0);
}

static void
update_session_state (AgConsoleCallsView *self)
{
  gboolean logged_in = ag_session_get_status (self->session) == AG_STATUS_LOGGED_IN;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calls.place", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "calls.call-again",
                                 logged_in && self->last_peer != NULL);
}

/* Call signals */

static void
call_state_cb (AgCall             *call,
               GParamSpec         *pspec,
               AgConsoleCallsView *self)
{
  CallInfo *info = get_info (self, call);

  if (info != NULL && ag_call_get_state (call) == AG_CALL_STATE_ACTIVE)
    info->was_active = TRUE;
  if (info != NULL)
    record_state (info);

  refresh_call (self, call);
  update_empty (self);
}

static void
call_failed_cb (AgCall             *call,
                int                 ecode,
                AgConsoleCallsView *self)
{
  CallInfo *info = get_info (self, call);

  if (info != NULL)
    info->failed_code = ecode;
  refresh_call (self, call);
}

static void
call_peer_extra_cb (AgCall             *call,
                    const char         *extra,
                    AgConsoleCallsView *self)
{
  CallInfo *info = get_info (self, call);

  if (info == NULL)
    return;

  g_free (info->peer_extra);
  info->peer_extra = g_strdup (extra);
  refresh_call (self, call);
}

static void
call_end_by_peer_cb (AgCall             *call,
                     const char         *extra,
                     AgConsoleCallsView *self)
{
  CallInfo *info = get_info (self, call);

  if (info != NULL)
    info->ended_by_peer = TRUE;
  call_peer_extra_cb (call, extra, self);
}

static void
call_end_by_myself_cb (AgCall             *call,
                       const char         *extra,
                       AgConsoleCallsView *self)
{
  CallInfo *info = get_info (self, call);

  if (info != NULL)
    info->ended_by_me = TRUE;
  refresh_call (self, call);
}

static void
forget_call (AgConsoleCallsView *self,
             AgCall             *call)
{
  /* Gone from the list, kept in the history. */
  g_signal_handlers_disconnect_by_data (call, self);
  g_hash_table_remove (self->infos, call);
}

/* A session that places calls for hours keeps the last history_limit of them: the oldest
 * finished ones go, from the list and from the history. Calls still going on always stay. */
static void
trim_history (AgConsoleCallsView *self)
{
  guint i = 0;

  while (self->history->len > self->history_limit && i < self->history->len) {
    CallInfo *info = g_ptr_array_index (self->history, i);
    guint position;

    if (!is_final (ag_call_get_state (info->call))) {
      i++;
      continue;
    }

    if (g_list_store_find (self->calls, info->call, &position))
      g_list_store_remove (self->calls, position);
    if (g_hash_table_contains (self->infos, info->call))
      forget_call (self, info->call);
    g_ptr_array_remove_index (self->history, i);
  }
}

static void
add_call (AgConsoleCallsView *self,
          AgCall             *call)
{
  CallInfo *info = g_new0 (CallInfo, 1);

  info->call = g_object_ref (call);
  info->id = ++self->last_id;
  info->was_active = ag_call_get_state (call) == AG_CALL_STATE_ACTIVE;
  info->started = g_date_time_new_now_utc ();
  info->started_us = g_get_monotonic_time ();
  info->steps = g_array_new (FALSE, FALSE, sizeof (StateStep));
  record_state (info);
  g_ptr_array_add (self->history, info);
  g_hash_table_insert (self->infos, call, info);

  g_signal_connect_object (call, "notify::state", G_CALLBACK (call_state_cb), self, 0);
  g_signal_connect_object (call, "invite-failed", G_CALLBACK (call_failed_cb), self, 0);
  g_signal_connect_object (call, "invite-accepted-by-peer",
                           G_CALLBACK (call_peer_extra_cb), self, 0);
  g_signal_connect_object (call, "invite-refused-by-peer",
                           G_CALLBACK (call_peer_extra_cb), self, 0);
  g_signal_connect_object (call, "invite-end-by-peer",
                           G_CALLBACK (call_end_by_peer_cb), self, 0);
  g_signal_connect_object (call, "invite-end-by-myself",
                           G_CALLBACK (call_end_by_myself_cb), self, 0);

  g_list_store_insert (self->calls, 0, call);
  trim_history (self);
  update_empty (self);
}

static AgCall *
find_call (AgConsoleCallsView *self,
           guint               id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->infos);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((CallInfo *) value)->id == id)
      return key;

  return NULL;
}

static void
invite_received_cb (AgConsoleCallsView *self,
                    AgCall             *call)
{
  /* The session page answers it in a banner of the tab. */
  add_call (self, call);
}

static void
status_cb (AgConsoleCallsView *self)
{
  update_session_state (self);
}

/* Actions */

static void
place_call_cb (AgConsoleCallsView *self,
               const char         *channel,
               const char         *peer,
               const char         *extra)
{
  g_autoptr (AgCall) call = NULL;

  g_free (self->last_peer);
  g_free (self->last_channel);
  g_free (self->last_extra);
  self->last_peer = g_strdup (peer);
  self->last_channel = g_strdup (channel);
  self->last_extra = g_strdup (extra);
  update_session_state (self);

  call = ag_session_channel_invite_user2 (self->session, channel, peer, extra);
  if (call != NULL)
    add_call (self, call);
}

static void
call_again_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (widget);
  g_autofree char *channel = g_strdup (self->last_channel);
  g_autofree char *peer = g_strdup (self->last_peer);
  g_autofree char *extra = g_strdup (self->last_extra);

  if (peer == NULL || ag_session_get_status (self->session) != AG_STATUS_LOGGED_IN)
    return;

  place_call_cb (self, channel, peer, extra);
}

static void
place_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ag_console_calls_view_place_call (AG_CONSOLE_CALLS_VIEW (widget), NULL, NULL);
}

static void
end_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (widget);
  AgCall *call = find_call (self, g_variant_get_uint32 (parameter));
  AgCallState state;

  if (call == NULL)
    return;

  state = ag_call_get_state (call);
  if (state == AG_CALL_STATE_ACTIVE ||
      (ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING && !is_final (state)))
    ag_call_channel_invite_end (call, NULL);
  else if (state == AG_CALL_STATE_RINGING)
    ag_call_channel_invite_refuse (call, NULL);
}

static void
answer_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (widget);
  AgCall *call = find_call (self, g_variant_get_uint32 (parameter));

  if (call != NULL && !is_final (ag_call_get_state (call)))
    g_signal_emit (self, signals[SIGNAL_ANSWER_REQUESTED], 0, call);
}

static void
clear_finished_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (widget);
  guint i = 0;

  while (i < g_list_model_get_n_items (G_LIST_MODEL (self->calls))) {
    g_autoptr (AgCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls), i);

    if (is_final (ag_call_get_state (call))) {
      forget_call (self, call);
      g_list_store_remove (self->calls, i);
    } else {
      i++;
    }
  }

  update_empty (self);
}

/* History */

/* How the call ended, as a word a script can match (the list's stage text, untranslated). */
static const char *
end_reason (AgCall   *call,
            CallInfo *info)
{
  gboolean outgoing = ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING;

  switch (ag_call_get_state (call)) {
  case AG_CALL_STATE_REFUSED:
    return outgoing ? "refused-by-peer" : "refused-by-me";

  case AG_CALL_STATE_FAILED:
    return "failed";

  case AG_CALL_STATE_ENDED:
    if (!info->was_active && info->ended_by_peer)
      return "withdrawn-by-peer";
    if (!info->was_active && info->ended_by_me)
      return outgoing ? "withdrawn-by-me" : "ended-by-me";
    if (info->ended_by_peer)
      return "ended-by-peer";
    if (info->ended_by_me)
      return "ended-by-me";
    return "ended";

  case AG_CALL_STATE_INVITING:
  case AG_CALL_STATE_RINGING:
  case AG_CALL_STATE_ACTIVE:
  default:
    return NULL;
  }
}

static gint64
step_ms (CallInfo    *info,
         AgCallState  state)
{
  for (guint i = 0; i < info->steps->len; i++)
    if (g_array_index (info->steps, StateStep, i).state == state)
      return g_array_index (info->steps, StateStep, i).ms;

  return -1;
}

static void
add_ms_member (JsonBuilder *builder,
               const char  *name,
               gint64       ms)
{
  json_builder_set_member_name (builder, name);
  if (ms >= 0)
    json_builder_add_int_value (builder, ms);
  else
    json_builder_add_null_value (builder);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* One call as one line of JSON: who, where, the states it went through with their times
 * (milliseconds since it was placed or received), and how it ended. */
static char *
call_to_json_line (AgConsoleCallsView *self,
                   CallInfo           *info)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GEnumClass) states = g_type_class_ref (AG_TYPE_CALL_STATE);
  g_autofree char *started = g_date_time_format_iso8601 (info->started);
  AgCall *call = info->call;
  AgCallState state = ag_call_get_state (call);
  gint64 ringing = step_ms (info, AG_CALL_STATE_RINGING);
  gint64 active = step_ms (info, AG_CALL_STATE_ACTIVE);
  gint64 end = info->steps->len > 0 && is_final (state)
                 ? g_array_index (info->steps, StateStep, info->steps->len - 1).ms : -1;

  json_builder_begin_object (builder);
  add_string_member (builder, "session", ag_session_get_account (self->session));
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, info->id);
  add_string_member (builder, "direction",
                     ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING ? "outgoing" : "incoming");
  add_string_member (builder, "peer", ag_call_get_peer (call));
  add_string_member (builder, "channel", ag_call_get_channel (call));
  add_string_member (builder, "extra", ag_call_get_extra (call));
  add_string_member (builder, "started", started);

  json_builder_set_member_name (builder, "states");
  json_builder_begin_array (builder);
  for (guint i = 0; i < info->steps->len; i++) {
    StateStep *step = &g_array_index (info->steps, StateStep, i);
    GEnumValue *value = g_enum_get_value (states, step->state);

    json_builder_begin_object (builder);
    add_string_member (builder, "state", value != NULL ? value->value_nick : "unknown");
    json_builder_set_member_name (builder, "ms");
    json_builder_add_int_value (builder, step->ms);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);

  /* ring: until the callee had it; answer: until it was accepted; talk: accepted to end. */
  add_ms_member (builder, "ring_ms", ringing);
  add_ms_member (builder, "answer_ms", active);
  add_ms_member (builder, "talk_ms", active >= 0 && end >= 0 ? end - active : -1);
  add_ms_member (builder, "end_ms", end);
  add_string_member (builder, "end", end_reason (call, info));
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, state == AG_CALL_STATE_FAILED ? info->failed_code : 0);
  add_string_member (builder, "peer_extra", info->peer_extra);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (AgConsoleCallsView) self = user_data;
  g_autoptr (GError) error = NULL;
  GtkWidget *overlay;

  if (g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    return;

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL) {
    g_autofree char *text = g_strdup_printf (_("Could not export the call history: %s"), error->message);

    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  } else {
    g_warning ("Could not export the call history: %s", error->message);
  }
}

static void
export_response_cb (GtkNativeDialog    *dialog,
                    int                 response,
                    AgConsoleCallsView *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  if (file != NULL) {
    char *text = ag_console_calls_view_dup_history_jsonl (self);
    g_autoptr (GBytes) bytes = g_bytes_new_take (text, strlen (text));

    g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                         NULL, export_done_cb, g_object_ref (self));
  }

  g_object_unref (dialog);
}

static void
export_history_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  chooser = gtk_file_chooser_native_new (_("Export Call History"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  /* Translators: a file name: "calls-alice.jsonl". */
  name = g_strdup_printf (_("calls-%s.jsonl"), ag_session_get_account (self->session));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Cells */

static GtkWidget *
new_cell_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);

  return label;
}

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                AgConsoleCallsView       *self)
{
  gtk_list_item_set_child (item, new_cell_label ());
}

static void
setup_direction_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    AgConsoleCallsView       *self)
{
  gtk_list_item_set_child (item, gtk_image_new ());
}

static void
bind_direction_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);
  GtkWidget *image = gtk_list_item_get_child (item);
  gboolean outgoing = ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING;
  const char *text = outgoing ? _("Outgoing") : _("Incoming");

  gtk_image_set_from_icon_name (GTK_IMAGE (image),
                                outgoing ? "call-outgoing-symbolic" : "call-incoming-symbolic");
  gtk_widget_set_tooltip_text (image, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
bind_peer_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), ag_call_get_peer (call));
}

static void
bind_channel_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), ag_call_get_channel (call));
}

static void
bind_stage_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  CallInfo *info = get_info (self, call);
  g_autofree char *text = NULL;

  if (info == NULL)
    return;

  text = stage_text (call, info);
  gtk_label_set_label (GTK_LABEL (label), text);

  if (ag_call_get_state (call) == AG_CALL_STATE_FAILED) {
    gtk_widget_set_tooltip_text (label, ag_error_code_describe (info->failed_code));
    gtk_widget_add_css_class (label, "error");
  } else {
    gtk_widget_set_tooltip_text (label, NULL);
    gtk_widget_remove_css_class (label, "error");
  }

  if (ag_call_get_state (call) == AG_CALL_STATE_ACTIVE)
    gtk_widget_add_css_class (label, "success");
  else
    gtk_widget_remove_css_class (label, "success");
}

static void
set_extra_label (GtkWidget  *label,
                 const char *extra)
{
  gboolean empty = extra == NULL || extra[0] == '\0';

  gtk_label_set_label (GTK_LABEL (label), empty ? "—" : extra);
  gtk_widget_set_tooltip_text (label, empty ? NULL : extra);
}

static void
bind_extra_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);

  set_extra_label (gtk_list_item_get_child (item), ag_call_get_extra (call));
}

static void
bind_reply_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);
  CallInfo *info = get_info (self, call);

  set_extra_label (gtk_list_item_get_child (item), info != NULL ? info->peer_extra : NULL);
}

static GtkWidget *
new_row_button (const char *icon_name,
                const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_add_css_class (button, "flat");

  return button;
}

static void
setup_actions_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AgConsoleCallsView       *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *keypad_button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *end;

  gtk_widget_set_halign (box, GTK_ALIGN_END);

  gtk_box_append (GTK_BOX (box), new_row_button ("call-start-symbolic", _("Answer…")));

  gtk_popover_set_child (GTK_POPOVER (popover), ag_console_dtmf_keypad_new ());
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (keypad_button), popover);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (keypad_button), "input-dialpad-symbolic");
  gtk_widget_set_tooltip_text (keypad_button, _("DTMF Keypad"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (keypad_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("DTMF Keypad"), -1);
  gtk_widget_add_css_class (keypad_button, "flat");
  gtk_box_append (GTK_BOX (box), keypad_button);

  end = new_row_button ("call-stop-symbolic", _("End Call"));
  gtk_widget_add_css_class (end, "error");
  gtk_box_append (GTK_BOX (box), end);

  gtk_list_item_set_child (item, box);
}

static void
bind_actions_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 AgConsoleCallsView       *self)
{
  AgCall *call = gtk_list_item_get_item (item);
  CallInfo *info = get_info (self, call);
  GtkWidget *answer = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *keypad_button = gtk_widget_get_next_sibling (answer);
  GtkWidget *end = gtk_widget_get_next_sibling (keypad_button);
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (keypad_button));
  AgCallState state = ag_call_get_state (call);
  gboolean outgoing = ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING;
  const char *end_label;

  if (info == NULL)
    return;

  gtk_actionable_set_action_target (GTK_ACTIONABLE (answer), "u", info->id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (end), "u", info->id);
  /* Named after the target is set: an action name without its target warns. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (answer), "calls.answer");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (end), "calls.end");
  ag_console_dtmf_keypad_set_call (AG_CONSOLE_DTMF_KEYPAD (gtk_popover_get_child (popover)), call);

  gtk_widget_set_visible (answer, !outgoing && state == AG_CALL_STATE_RINGING);
  gtk_widget_set_visible (keypad_button, state == AG_CALL_STATE_ACTIVE);
  gtk_widget_set_visible (end, !is_final (state));

  /* The same button refuses an incoming call that still rings. */
  end_label = !outgoing && state == AG_CALL_STATE_RINGING ? _("Refuse Call") : _("End Call");
  gtk_widget_set_tooltip_text (end, end_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (end),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, end_label, -1);
}

static void
unbind_actions_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   AgConsoleCallsView       *self)
{
  GtkWidget *answer = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *keypad_button = gtk_widget_get_next_sibling (answer);
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (keypad_button));

  ag_console_dtmf_keypad_set_call (AG_CONSOLE_DTMF_KEYPAD (gtk_popover_get_child (popover)), NULL);
}

static void
set_factory (AgConsoleCallsView  *self,
             GtkColumnViewColumn *column,
             GCallback            setup,
             GCallback            bind,
             GCallback            unbind)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", setup, self);
  g_signal_connect (factory, "bind", bind, self);
  if (unbind != NULL)
    g_signal_connect (factory, "unbind", unbind, self);
  gtk_column_view_column_set_factory (column, factory);
}

static void
ag_console_calls_view_constructed (GObject *object)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (object);

  G_OBJECT_CLASS (ag_console_calls_view_parent_class)->constructed (object);

  g_signal_connect_object (self->session, "invite-received",
                           G_CALLBACK (invite_received_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::status",
                           G_CALLBACK (status_cb), self, G_CONNECT_SWAPPED);
  update_session_state (self);
  update_empty (self);
}

static void
ag_console_calls_view_dispose (GObject *object)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (object);
  GHashTableIter iter;
  gpointer key, value;

  if (self->call_dialog != NULL) {
    g_object_remove_weak_pointer (G_OBJECT (self->call_dialog), (gpointer *) &self->call_dialog);
    gtk_window_destroy (GTK_WINDOW (self->call_dialog));
    self->call_dialog = NULL;
  }

  if (self->infos != NULL) {
    g_hash_table_iter_init (&iter, self->infos);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_signal_handlers_disconnect_by_data (key, self);
  }

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_CALLS_VIEW);

  g_clear_pointer (&self->infos, g_hash_table_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_object (&self->calls);
  g_clear_pointer (&self->last_peer, g_free);
  g_clear_pointer (&self->last_channel, g_free);
  g_clear_pointer (&self->last_extra, g_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_console_calls_view_parent_class)->dispose (object);
}

static void
ag_console_calls_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;

  case PROP_HISTORY_LIMIT:
    g_value_set_uint (value, self->history_limit);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_calls_view_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  AgConsoleCallsView *self = AG_CONSOLE_CALLS_VIEW (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;

  case PROP_HISTORY_LIMIT:
    if (self->history_limit != g_value_get_uint (value)) {
      self->history_limit = g_value_get_uint (value);
      trim_history (self);
      update_empty (self);
      g_object_notify_by_pspec (object, pspec);
    }
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_calls_view_class_init (AgConsoleCallsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_console_calls_view_constructed;
  object_class->dispose = ag_console_calls_view_dispose;
  object_class->get_property = ag_console_calls_view_get_property;
  object_class->set_property = ag_console_calls_view_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         AG_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* How many calls the list and the history keep: the oldest finished ones go past it. */
  properties[PROP_HISTORY_LIMIT] =
    g_param_spec_uint ("history-limit", NULL, NULL,
                       1, G_MAXUINT, AG_CONSOLE_CALLS_VIEW_HISTORY_LIMIT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgConsoleCallsView::answer-requested:
   * @call: an incoming call that still rings or is active
   *
   * The user asked to answer @call (its Answer button): whoever shows the call's banner
   * brings it up.
   */
  signals[SIGNAL_ANSWER_REQUESTED] =
    g_signal_new ("answer-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, AG_TYPE_CALL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-calls-view.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, stack);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, direction_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, peer_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, channel_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, stage_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, extra_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, reply_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, actions_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleCallsView, selection);

  gtk_widget_class_install_action (widget_class, "calls.place", NULL, place_action_cb);
  gtk_widget_class_install_action (widget_class, "calls.end", "u", end_action_cb);
  gtk_widget_class_install_action (widget_class, "calls.answer", "u", answer_action_cb);
  gtk_widget_class_install_action (widget_class, "calls.clear-finished", NULL,
                                   clear_finished_action_cb);
  gtk_widget_class_install_action (widget_class, "calls.call-again", NULL, call_again_action_cb);
  gtk_widget_class_install_action (widget_class, "calls.export-history", NULL,
                                   export_history_action_cb);
}

static void
ag_console_calls_view_init (AgConsoleCallsView *self)
{
  self->calls = g_list_store_new (AG_TYPE_CALL);
  self->infos = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) call_info_free);
  self->history_limit = AG_CONSOLE_CALLS_VIEW_HISTORY_LIMIT;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->calls));

  set_factory (self, self->direction_column, G_CALLBACK (setup_direction_cb),
               G_CALLBACK (bind_direction_cb), NULL);
  set_factory (self, self->peer_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_peer_cb), NULL);
  set_factory (self, self->channel_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_channel_cb), NULL);
  set_factory (self, self->stage_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_stage_cb), NULL);
  set_factory (self, self->extra_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_extra_cb), NULL);
  set_factory (self, self->reply_column, G_CALLBACK (setup_label_cb),
               G_CALLBACK (bind_reply_cb), NULL);
  set_factory (self, self->actions_column, G_CALLBACK (setup_actions_cb),
               G_CALLBACK (bind_actions_cb), G_CALLBACK (unbind_actions_cb));
}

GtkWidget *
ag_console_calls_view_new (AgSession *session)
{
  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  return g_object_new (AG_CONSOLE_TYPE_CALLS_VIEW,
                       "session", session,
                       NULL);
}

AgSession *
ag_console_calls_view_get_session (AgConsoleCallsView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self), NULL);

  return self->session;
}

void
ag_console_calls_view_place_call (AgConsoleCallsView *self,
                                  const char         *peer,
                                  const char         *channel)
{
  GtkRoot *root;
  AgChannel *current;

  g_return_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self));

  if (self->call_dialog == NULL) {
    root = gtk_widget_get_root (GTK_WIDGET (self));
    self->call_dialog = ag_console_call_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                    ag_session_get_account (self->session));
    g_object_add_weak_pointer (G_OBJECT (self->call_dialog), (gpointer *) &self->call_dialog);
    g_signal_connect_object (self->call_dialog, "place-call",
                             G_CALLBACK (place_call_cb), self, G_CONNECT_SWAPPED);
  }

  /* A new call starts from the last one (peer, channel, extra) unless told otherwise. */
  if (peer == NULL && channel == NULL && self->last_peer != NULL) {
    peer = self->last_peer;
    channel = self->last_channel;
    if (self->last_extra != NULL)
      ag_console_call_dialog_set_extra (AG_CONSOLE_CALL_DIALOG (self->call_dialog), self->last_extra);
  }

  current = ag_session_get_channel (self->session);
  if (channel == NULL && current != NULL)
    channel = ag_channel_get_name (current);

  if (peer != NULL)
    ag_console_call_dialog_set_peer (AG_CONSOLE_CALL_DIALOG (self->call_dialog), peer);
  if (channel != NULL)
    ag_console_call_dialog_set_channel (AG_CONSOLE_CALL_DIALOG (self->call_dialog), channel);

  gtk_window_present (GTK_WINDOW (self->call_dialog));
}

GListModel *
ag_console_calls_view_get_calls (AgConsoleCallsView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self), NULL);

  return G_LIST_MODEL (self->calls);
}

char *
ag_console_calls_view_dup_stage_text (AgConsoleCallsView *self,
                                      AgCall             *call)
{
  CallInfo *info;

  g_return_val_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self), NULL);
  g_return_val_if_fail (AG_IS_CALL (call), NULL);

  info = get_info (self, call);

  return info != NULL ? stage_text (call, info) : NULL;
}

guint
ag_console_calls_view_get_call_id (AgConsoleCallsView *self,
                                   AgCall             *call)
{
  CallInfo *info;

  g_return_val_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self), 0);

  info = get_info (self, call);

  return info != NULL ? info->id : 0;
}

GtkWidget *
ag_console_calls_view_get_call_dialog (AgConsoleCallsView *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self), NULL);

  return self->call_dialog;
}

char *
ag_console_calls_view_dup_history_jsonl (AgConsoleCallsView *self)
{
  GString *lines = g_string_new (NULL);

  g_return_val_if_fail (AG_CONSOLE_IS_CALLS_VIEW (self), NULL);

  for (guint i = 0; i < self->history->len; i++) {
    g_autofree char *line = call_to_json_line (self, g_ptr_array_index (self->history, i));

    g_string_append (lines, line);
    g_string_append_c (lines, '\n');
  }

  return g_string_free (lines, FALSE);
}
