/* agsig-events.c: library signals as JSON lines, {"event": SIGNAL-NAME, ARGUMENT: VALUE, ...}
 *
 * One generic closure serves every signal: it reads the emitted GValues and names them after
 * the table below, which follows the signal arguments documented in docs/library.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <stdio.h>

#define MAX_EVENT_ARGS 3

typedef struct {
  const char *signal_name;
  gboolean    counted;   /* whether it counts towards `listen --count` */
  const char *args[MAX_EVENT_ARGS + 1];
} EventSpec;

static const EventSpec event_specs[] = {
  /* AgSession */
  { "login-success", FALSE, { "uid" } },
  { "login-failed", TRUE, { "ecode" } },
  { "logout", TRUE, { "ecode" } },
  { "error", TRUE, { "ecode", "reason" } },
  { "message-instant-receive", TRUE, { "account", "uid", "msg" } },
  { "invite-received", TRUE, { "call" } },
  /* AgChannel */
  { "channel-joined", TRUE, { NULL } },
  { "channel-join-failed", TRUE, { "ecode" } },
  { "channel-leaved", TRUE, { "ecode" } },
  { "channel-user-joined", TRUE, { "account", "uid" } },
  { "channel-user-leaved", TRUE, { "account", "uid" } },
  { "channel-user-list", TRUE, { "accounts", "uids" } },
  { "channel-attr-updated", TRUE, { "name", "value", "type" } },
  { "message-channel-receive", TRUE, { "account", "uid", "msg" } },
  /* AgCall */
  { "invite-received-by-peer", TRUE, { NULL } },
  { "invite-accepted-by-peer", TRUE, { "extra" } },
  { "invite-refused-by-peer", TRUE, { "extra" } },
  { "invite-failed", TRUE, { "ecode" } },
  { "invite-end-by-peer", TRUE, { "extra" } },
  { "invite-end-by-myself", TRUE, { "extra" } },
  { "invite-msg", TRUE, { "msg_type", "msg" } },
};

typedef struct {
  AgsigEventPrinter *printer;
  const EventSpec   *spec;
} EventWatch;

void
agsig_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* The call's own fields: the object a script needs to answer or follow it. */
static void
add_call_members (JsonBuilder *builder,
                  AgCall      *call)
{
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, ag_call_get_channel (call));
  json_builder_set_member_name (builder, "peer");
  json_builder_add_string_value (builder, ag_call_get_peer (call));
  json_builder_set_member_name (builder, "uid");
  json_builder_add_int_value (builder, ag_call_get_peer_uid (call));
  json_builder_set_member_name (builder, "extra");
  json_builder_add_string_value (builder, ag_call_get_extra (call));
}

/* The spec's callbacks also pass the channel or call; the emitter stands for it here. */
static void
add_emitter_members (JsonBuilder *builder,
                     GObject     *instance)
{
  if (AG_IS_CHANNEL (instance)) {
    json_builder_set_member_name (builder, "channel");
    json_builder_add_string_value (builder, ag_channel_get_name (AG_CHANNEL (instance)));
  } else if (AG_IS_CALL (instance)) {
    json_builder_set_member_name (builder, "channel");
    json_builder_add_string_value (builder, ag_call_get_channel (AG_CALL (instance)));
    json_builder_set_member_name (builder, "peer");
    json_builder_add_string_value (builder, ag_call_get_peer (AG_CALL (instance)));
  }
}

static void
add_value_member (JsonBuilder  *builder,
                  const char   *name,
                  const GValue *value)
{
  GType type = G_VALUE_TYPE (value);

  if (g_type_is_a (type, AG_TYPE_CALL)) {
    AgCall *call = g_value_get_object (value);

    if (call != NULL)
      add_call_members (builder, call);
    return;
  }

  json_builder_set_member_name (builder, name);

  if (type == G_TYPE_STRING) {
    const char *text = g_value_get_string (value);

    if (text != NULL)
      json_builder_add_string_value (builder, text);
    else
      json_builder_add_null_value (builder);
  } else if (type == G_TYPE_INT) {
    json_builder_add_int_value (builder, g_value_get_int (value));
  } else if (type == G_TYPE_UINT) {
    json_builder_add_int_value (builder, g_value_get_uint (value));
  } else if (type == G_TYPE_INT64) {
    json_builder_add_int_value (builder, g_value_get_int64 (value));
  } else if (type == G_TYPE_BOOLEAN) {
    json_builder_add_boolean_value (builder, g_value_get_boolean (value));
  } else if (G_TYPE_IS_ENUM (type)) {
    json_builder_add_int_value (builder, g_value_get_enum (value));
  } else if (type == G_TYPE_STRV) {
    const char * const *strings = g_value_get_boxed (value);

    json_builder_begin_array (builder);
    for (gsize i = 0; strings != NULL && strings[i] != NULL; i++)
      json_builder_add_string_value (builder, strings[i]);
    json_builder_end_array (builder);
  } else if (type == G_TYPE_ARRAY) {
    /* The uids of channel-user-list, a GArray of guint. */
    GArray *uids = g_value_get_boxed (value);

    json_builder_begin_array (builder);
    for (guint i = 0; uids != NULL && i < uids->len; i++)
      json_builder_add_int_value (builder, g_array_index (uids, guint, i));
    json_builder_end_array (builder);
  } else if (type == G_TYPE_VARIANT && g_value_get_variant (value) != NULL) {
    json_builder_add_value (builder, json_gvariant_serialize (g_value_get_variant (value)));
  } else {
    json_builder_add_null_value (builder);
  }
}

static void
event_marshal (GClosure     *closure,
               GValue       *return_value,
               guint         n_param_values,
               const GValue *param_values,
               gpointer      invocation_hint,
               gpointer      marshal_data)
{
  EventWatch *watch = closure->data;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  /* Several events can come in one main-loop iteration, before the caller sees the count
   * reached: the limit is kept here, so `listen --count N` prints exactly N lines. */
  if (!watch->printer->enabled ||
      (watch->printer->limit > 0 && watch->spec->counted &&
       watch->printer->printed >= watch->printer->limit))
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, watch->spec->signal_name);

  add_emitter_members (builder, g_value_get_object (&param_values[0]));
  for (guint i = 1; i < n_param_values && watch->spec->args[i - 1] != NULL; i++)
    add_value_member (builder, watch->spec->args[i - 1], &param_values[i]);

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  agsig_print_json (root);

  if (watch->spec->counted)
    watch->printer->printed++;
}

static void
event_watch_free (gpointer  data,
                  GClosure *closure)
{
  g_free (data);
}

static const EventSpec *
find_spec (const char *signal_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (event_specs); i++) {
    if (g_str_equal (event_specs[i].signal_name, signal_name))
      return &event_specs[i];
  }

  return NULL;
}

/* Prints a JSON line whenever instance emits one of signal_names, while the printer is
 * enabled. The printer must outlive instance's emissions (the client owns both). */
void
agsig_event_printer_watch (AgsigEventPrinter  *printer,
                           gpointer            instance,
                           const char * const *signal_names)
{
  for (gsize i = 0; signal_names[i] != NULL; i++) {
    const EventSpec *spec = find_spec (signal_names[i]);
    EventWatch *watch;
    GClosure *closure;

    g_assert (spec != NULL);

    watch = g_new0 (EventWatch, 1);
    watch->printer = printer;
    watch->spec = spec;

    closure = g_closure_new_simple (sizeof (GClosure), watch);
    g_closure_add_finalize_notifier (closure, watch, event_watch_free);
    g_closure_set_marshal (closure, event_marshal);
    g_signal_connect_closure (instance, signal_names[i], closure, FALSE);
  }
}
