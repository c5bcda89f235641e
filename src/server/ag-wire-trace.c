/* ag-wire-trace.c: one debug line per WebSocket frame, tokens redacted */

#include "ag-wire-trace.h"

#include <string.h>

#include <json-glib/json-glib.h>

#define TRACE_MAX_BYTES 1024

/* Names whose values are secrets: a login's token, an admin login's key. */
static gboolean
is_secret (const char *name)
{
  return g_str_equal (name, "token") || g_str_equal (name, "key");
}

static void
redact_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_node_get_object (node);
    g_autoptr(GList) names = json_object_get_members (object);

    for (GList *l = names; l != NULL; l = l->next) {
      JsonNode *member = json_object_get_member (object, l->data);

      if (is_secret (l->data) && JSON_NODE_HOLDS_VALUE (member))
        json_object_set_string_member (object, l->data, "[redacted]");
      else
        redact_node (member);
    }
  } else if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);

    for (guint i = 0; i < json_array_get_length (array); i++)
      redact_node (json_array_get_element (array, i));
  }
}

/* The redaction works on the parsed frame, so a key written with escapes ("tok\u0065n") is
 * the same key; what does not parse is not shown at all. */
GString *
ag_wire_redact (const char *data,
                gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  JsonNode *root = NULL;

  if (length == 0 || length > G_MAXSSIZE ||
      !g_utf8_validate_len (data, length, NULL) ||
      !json_parser_load_from_data (parser, data, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
  {
    GString *out = g_string_new (NULL);

    g_string_printf (out, "[not JSON, %" G_GSIZE_FORMAT " bytes]", length);
    return out;
  }

  redact_node (root);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_string_new (text);
}

/* 0 before the decision, then 1 (off) or 2 (on). */
static gsize trace_state;

/* g_log_writer_default_would_drop() reads G_MESSAGES_DEBUG from the environment each time
 * (a getenv() per frame and recipient was 5 % of a fan-out's server time), and agsignald
 * never changes it after start-up. */
gboolean
ag_wire_trace_enabled (void)
{
  if (g_once_init_enter (&trace_state)) {
    gboolean drop = g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);

    g_once_init_leave (&trace_state, drop ? 1 : 2);
  }

  return trace_state == 2;
}

void
ag_wire_trace_init (void)
{
  ag_wire_trace_enabled ();
}

void
ag_wire_trace (guint64     conn_id,
               const char *direction,
               const char *data,
               gsize       length)
{
  g_autoptr(GString) text = ag_wire_redact (data, length);
  const char *valid_end;

  /* Cut long frames at a character boundary. */
  g_utf8_validate_len (text->str, MIN (text->len, TRACE_MAX_BYTES), &valid_end);

  g_debug ("%s %" G_GUINT64_FORMAT " %.*s%s", direction, conn_id, (int) (valid_end - text->str),
           text->str, (gsize) (valid_end - text->str) < text->len ? " [truncated]" : "");
}
