/* ag-console-signal-recorder.c: writes every signal a session receives into a log model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-console-signal-recorder.h"

/* The recorder uses emission hooks rather than handlers: channels and calls are created by
 * the library (a join, an incoming invitation, a call placed by another widget), and a hook
 * sees the signals of every instance without racing their creation. Each hook keeps only
 * the emissions that belong to this recorder's session. */

typedef struct
{
  guint  signal_id;
  gulong hook_id;
} Hook;

struct _AgConsoleSignalRecorder
{
  GObject            parent_instance;

  AgSession         *session;
  AgSignal          *signal;
  AgConsoleLogModel *log;
  GArray            *hooks;
  GPtrArray         *classes;
};

G_DEFINE_FINAL_TYPE (AgConsoleSignalRecorder, ag_console_signal_recorder, G_TYPE_OBJECT)

/* Argument names of the library's signals (docs/library.md), so the log says "uid=2"
 * rather than "arg1=2". Signals missing here still get logged with positional names. */
static const struct {
  const char *signal;
  const char *args[4];
} signal_args[] = {
  { "login-success", { "uid" } },
  { "login-failed", { "ecode" } },
  { "logout", { "ecode" } },
  { "message-instant-receive", { "account", "uid", "msg" } },
  { "invite-received", { "call" } },
  { "error", { "ecode", "reason" } },
  { "message-send-error", { "ecode" } },
  { "user-set-attr", { "err", "ret" } },
  { "user-get-attr", { "err", "ret" } },
  { "user-get-attr-all", { "err", "ret" } },
  { "channel-query-user-num", { "err", "num" } },
  { "query-user-status-result", { "account", "online" } },
  { "channel-query-user-is-in-result", { "channel", "account", "is_in" } },
  { "reconnecting", { "attempt" } },
  { "channel-join-failed", { "ecode" } },
  { "channel-leaved", { "ecode" } },
  { "channel-user-joined", { "account", "uid" } },
  { "channel-user-leaved", { "account", "uid" } },
  { "channel-user-list", { "accounts", "uids" } },
  { "channel-attr-updated", { "name", "value", "type" } },
  { "message-channel-receive", { "account", "uid", "msg" } },
  { "invite-accepted-by-peer", { "extra" } },
  { "invite-refused-by-peer", { "extra" } },
  { "invite-failed", { "ecode" } },
  { "invite-end-by-peer", { "extra" } },
  { "invite-end-by-myself", { "extra" } },
  { "invite-msg", { "msg_type", "msg" } },
  { "request-failed", { "request", "argument", "ecode", "reason" } },
};

#define SUMMARY_STRING_CHARS 160
#define SUMMARY_LIST_ITEMS   5

static const char *
arg_name (const char *signal,
          guint       index,
          char       *buffer,
          gsize       buffer_size)
{
  for (guint i = 0; i < G_N_ELEMENTS (signal_args); i++) {
    if (strcmp (signal_args[i].signal, signal) == 0) {
      if (index < G_N_ELEMENTS (signal_args[i].args) && signal_args[i].args[index] != NULL)
        return signal_args[i].args[index];
      break;
    }
  }

  g_snprintf (buffer, buffer_size, "arg%u", index + 1);

  return buffer;
}

static gboolean
is_code_arg (const char *name)
{
  return strcmp (name, "ecode") == 0 || strcmp (name, "code") == 0;
}

static void
append_summary_string (GString    *summary,
                       const char *value)
{
  if (value == NULL) {
    g_string_append (summary, "null");
    return;
  }

  g_string_append_c (summary, '"');
  if (g_utf8_strlen (value, SUMMARY_STRING_CHARS + 1) > SUMMARY_STRING_CHARS) {
    const char *cut = g_utf8_offset_to_pointer (value, SUMMARY_STRING_CHARS);

    g_string_append_len (summary, value, cut - value);
    g_string_append (summary, "…");
  } else {
    g_string_append (summary, value);
  }
  g_string_append_c (summary, '"');
}

/* Adds one argument to the summary ("name=value") and to the JSON "args" object. */
static void
record_arg (GString      *summary,
            JsonBuilder  *args,
            const char   *name,
            const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  if (summary->len > 0)
    g_string_append (summary, ", ");
  g_string_append_printf (summary, "%s=", name);
  json_builder_set_member_name (args, name);

  if (type == G_TYPE_STRING) {
    const char *text = g_value_get_string (value);

    append_summary_string (summary, text);
    if (text != NULL)
      json_builder_add_string_value (args, text);
    else
      json_builder_add_null_value (args);
  } else if (type == G_TYPE_INT) {
    int number = g_value_get_int (value);

    g_string_append_printf (summary, "%d", number);
    if (is_code_arg (name) && ag_error_code_name (number) != NULL)
      g_string_append_printf (summary, " %s", ag_error_code_name (number));
    json_builder_add_int_value (args, number);
  } else if (type == G_TYPE_UINT) {
    g_string_append_printf (summary, "%u", g_value_get_uint (value));
    json_builder_add_int_value (args, g_value_get_uint (value));
  } else if (type == G_TYPE_BOOLEAN) {
    g_string_append (summary, g_value_get_boolean (value) ? "true" : "false");
    json_builder_add_boolean_value (args, g_value_get_boolean (value));
  } else if (type == G_TYPE_STRV) {
    const char * const *strv = g_value_get_boxed (value);
    guint n = strv != NULL ? g_strv_length ((char **) strv) : 0;

    g_string_append_c (summary, '[');
    json_builder_begin_array (args);
    for (guint i = 0; i < n; i++) {
      if (i < SUMMARY_LIST_ITEMS)
        g_string_append_printf (summary, "%s%s", i > 0 ? " " : "", strv[i]);
      json_builder_add_string_value (args, strv[i]);
    }
    json_builder_end_array (args);
    if (n > SUMMARY_LIST_ITEMS)
      g_string_append_printf (summary, " …%u more", n - SUMMARY_LIST_ITEMS);
    g_string_append_c (summary, ']');
  } else if (type == G_TYPE_ARRAY) {
    /* The uids of channel-user-list, a GArray of guint. */
    GArray *uids = g_value_get_boxed (value);
    guint n = uids != NULL ? uids->len : 0;

    g_string_append_printf (summary, "(%u uids)", n);
    json_builder_begin_array (args);
    for (guint i = 0; i < n; i++)
      json_builder_add_int_value (args, g_array_index (uids, guint, i));
    json_builder_end_array (args);
  } else if (type == G_TYPE_VARIANT) {
    GVariant *variant = g_value_get_variant (value);

    if (variant != NULL) {
      gsize n = g_variant_is_container (variant) ? g_variant_n_children (variant) : 1;

      g_string_append_printf (summary, "(%" G_GSIZE_FORMAT " %s)", n,
                              g_variant_get_type_string (variant));
      json_builder_add_value (args, json_gvariant_serialize (variant));
    } else {
      g_string_append (summary, "null");
      json_builder_add_null_value (args);
    }
  } else if (g_type_is_a (type, AG_TYPE_CALL)) {
    AgCall *call = g_value_get_object (value);

    g_string_append_printf (summary, "call with %s in %s",
                            ag_call_get_peer (call), ag_call_get_channel (call));
    json_builder_begin_object (args);
    json_builder_set_member_name (args, "peer");
    json_builder_add_string_value (args, ag_call_get_peer (call));
    json_builder_set_member_name (args, "channel");
    json_builder_add_string_value (args, ag_call_get_channel (call));
    json_builder_set_member_name (args, "extra");
    json_builder_add_string_value (args, ag_call_get_extra (call));
    json_builder_end_object (args);
  } else {
    g_autofree char *contents = g_strdup_value_contents (value);

    g_string_append (summary, contents);
    json_builder_add_string_value (args, contents);
  }
}

static void
record (AgConsoleSignalRecorder *self,
        const char              *signal_name,
        const char              *object_kind,
        GObject                 *instance,
        guint                    n_param_values,
        const GValue            *param_values)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonBuilder) args = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) args_root = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *json = NULL;
  g_autofree char *full_summary = NULL;
  gint64 time_us = g_get_real_time ();

  json_builder_begin_object (args);
  for (guint i = 1; i < n_param_values; i++) {
    char buffer[16];

    record_arg (summary, args, arg_name (signal_name, i - 1, buffer, sizeof buffer),
                &param_values[i]);
  }
  json_builder_end_object (args);
  args_root = json_builder_get_root (args);

  now = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  if (now != NULL) {
    g_autoptr(GDateTime) precise = g_date_time_add (now, time_us % G_USEC_PER_SEC);

    iso = g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%fZ");
  }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, iso != NULL ? iso : "");
  json_builder_set_member_name (builder, "time_us");
  json_builder_add_int_value (builder, time_us);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, ag_session_get_account (self->session));
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, object_kind);

  if (AG_IS_CHANNEL (instance)) {
    const char *channel = ag_channel_get_name (AG_CHANNEL (instance));

    json_builder_set_member_name (builder, "channel");
    json_builder_add_string_value (builder, channel);
    g_string_append_printf (prefix, "[%s] ", channel);
  } else if (AG_IS_CALL (instance)) {
    AgCall *call = AG_CALL (instance);

    json_builder_set_member_name (builder, "channel");
    json_builder_add_string_value (builder, ag_call_get_channel (call));
    json_builder_set_member_name (builder, "peer");
    json_builder_add_string_value (builder, ag_call_get_peer (call));
    g_string_append_printf (prefix, "[call %s %s in %s] ",
                            ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING ? "to" : "from",
                            ag_call_get_peer (call), ag_call_get_channel (call));
  } else if (AG_IS_SIGNAL (instance)) {
    g_string_append (prefix, "[signal] ");
  }

  json_builder_set_member_name (builder, "signal");
  json_builder_add_string_value (builder, signal_name);
  json_builder_set_member_name (builder, "args");
  json_builder_add_value (builder, g_steal_pointer (&args_root));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  full_summary = g_strconcat (prefix->str, summary->str, NULL);
  ag_console_log_model_append (self->log, time_us, signal_name, full_summary, json);
}

static gboolean
emission_hook (GSignalInvocationHint *ihint,
               guint                  n_param_values,
               const GValue          *param_values,
               gpointer               user_data)
{
  AgConsoleSignalRecorder *self = user_data;
  GObject *instance;
  const char *object_kind;

  if (n_param_values == 0 || !G_VALUE_HOLDS_OBJECT (&param_values[0]))
    return TRUE;

  instance = g_value_get_object (&param_values[0]);

  if (AG_IS_SESSION (instance)) {
    if ((AgSession *) instance != self->session)
      return TRUE;
    object_kind = "session";
  } else if (AG_IS_CHANNEL (instance)) {
    if (ag_channel_get_session (AG_CHANNEL (instance)) != self->session)
      return TRUE;
    object_kind = "channel";
  } else if (AG_IS_CALL (instance)) {
    if (ag_call_get_session (AG_CALL (instance)) != self->session)
      return TRUE;
    object_kind = "call";
  } else if (AG_IS_SIGNAL (instance)) {
    if ((AgSignal *) instance != self->signal)
      return TRUE;
    object_kind = "signal";
  } else {
    return TRUE;
  }

  record (self, g_signal_name (ihint->signal_id), object_kind, instance,
          n_param_values, param_values);

  return TRUE;
}

static void
hook_type (AgConsoleSignalRecorder *self,
           GType                    type)
{
  g_autofree guint *ids = NULL;
  guint n_ids = 0;

  /* Signals exist once the class is initialized; keep it so the ids stay valid. */
  g_ptr_array_add (self->classes, g_type_class_ref (type));

  ids = g_signal_list_ids (type, &n_ids);
  for (guint i = 0; i < n_ids; i++) {
    GSignalQuery query;
    Hook hook;

    g_signal_query (ids[i], &query);
    if (query.signal_flags & G_SIGNAL_NO_HOOKS)
      continue;

    hook.signal_id = ids[i];
    hook.hook_id = g_signal_add_emission_hook (ids[i], 0, emission_hook, self, NULL);
    g_array_append_val (self->hooks, hook);
  }
}

static void
ag_console_signal_recorder_dispose (GObject *object)
{
  AgConsoleSignalRecorder *self = (AgConsoleSignalRecorder *) object;

  if (self->hooks != NULL) {
    for (guint i = 0; i < self->hooks->len; i++) {
      Hook *hook = &g_array_index (self->hooks, Hook, i);

      g_signal_remove_emission_hook (hook->signal_id, hook->hook_id);
    }
    g_clear_pointer (&self->hooks, g_array_unref);
  }

  g_clear_pointer (&self->classes, g_ptr_array_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->signal);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (ag_console_signal_recorder_parent_class)->dispose (object);
}

static void
ag_console_signal_recorder_class_init (AgConsoleSignalRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_console_signal_recorder_dispose;
}

static void
ag_console_signal_recorder_init (AgConsoleSignalRecorder *self)
{
  self->hooks = g_array_new (FALSE, FALSE, sizeof (Hook));
  self->classes = g_ptr_array_new_with_free_func (g_type_class_unref);
}

AgConsoleSignalRecorder *
ag_console_signal_recorder_new (AgSession         *session,
                                AgConsoleLogModel *log)
{
  AgConsoleSignalRecorder *self;
  AgSignal *signal;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (log), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_SIGNAL_RECORDER, NULL);
  self->session = g_object_ref (session);
  self->log = g_object_ref (log);

  signal = ag_session_get_signal (session);
  if (signal != NULL)
    self->signal = g_object_ref (signal);

  hook_type (self, AG_TYPE_SIGNAL);
  hook_type (self, AG_TYPE_SESSION);
  hook_type (self, AG_TYPE_CHANNEL);
  hook_type (self, AG_TYPE_CALL);

  return self;
}

AgConsoleLogModel *
ag_console_signal_recorder_get_log (AgConsoleSignalRecorder *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_SIGNAL_RECORDER (self), NULL);

  return self->log;
}
