/* ag-extra.c: reading the keys the server acts on from a call's `extra` JSON object text */

#include "ag-extra.h"

#include <json-glib/json-glib.h>

static gboolean
string_to_int (const char *text,
               gint64     *out)
{
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return FALSE;

  *out = value;
  return TRUE;
}

static gboolean
node_to_int (JsonNode *node,
             gint64   *out)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);

  if (type == G_TYPE_INT64) {
    *out = json_node_get_int (node);
    return TRUE;
  }

  if (type == G_TYPE_BOOLEAN) {
    *out = json_node_get_boolean (node) ? 1 : 0;
    return TRUE;
  }

  if (type == G_TYPE_DOUBLE) {
    double value = json_node_get_double (node);

    /* Only integral values that fit: 30.0 is 30, 30.5 is not an integer. The range test
     * comes first and also refuses NaN, so the cast below is defined. */
    if (!(value >= -9.0e18 && value <= 9.0e18) || (double) (gint64) value != value)
      return FALSE;

    *out = (gint64) value;
    return TRUE;
  }

  if (type == G_TYPE_STRING)
    return string_to_int (json_node_get_string (node), out);

  return FALSE;
}

/* The top-level member key of extra_json, or NULL; parser holds it. */
static JsonNode *
lookup_member (JsonParser *parser,
               const char *extra_json,
               const char *key)
{
  JsonNode *root;

  if (extra_json == NULL || *extra_json == '\0')
    return NULL;

  if (!json_parser_load_from_data (parser, extra_json, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_get_member (json_node_get_object (root), key);
}

AgExtraLookup
ag_extra_lookup_int (const char *extra_json,
                     const char *key,
                     gint64     *out)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *member;

  g_return_val_if_fail (key != NULL, AG_EXTRA_ABSENT);
  g_return_val_if_fail (out != NULL, AG_EXTRA_ABSENT);

  member = lookup_member (parser, extra_json, key);
  if (member == NULL)
    return AG_EXTRA_ABSENT;

  return node_to_int (member, out) ? AG_EXTRA_INT : AG_EXTRA_NOT_INT;
}

gboolean
ag_extra_get_int (const char *extra_json,
                  const char *key,
                  gint64     *out)
{
  return ag_extra_lookup_int (extra_json, key, out) == AG_EXTRA_INT;
}
