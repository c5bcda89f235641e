/* ag-frame-decode-tree.c: frames decoded through a json-glib tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Server frames are decoded here: clients read them (libagsignal, agsig, the console), not
 * the server, and their rosters and attribute tables are nested values that a tree walks
 * naturally. The client decoder of this file is the one ag-frame-decode.c replaced on the
 * server's hot path; it stays as the reference the direct decoder is tested against
 * (tests/protocol/test-frame-decode.c, the fuzzer) and measured against
 * (tests/bench/bench-decode.c).
 *
 * The text is scanned strictly first (ag-frame-syntax.c). JSON allows \u0000 and unpaired
 * surrogates in strings, but JsonParser truncates a string at \u0000 and, on an unpaired
 * surrogate, swallows the next character (the closing quote included), so that it would read
 * a different structure than the one checked. In client frames such escapes are rewritten
 * to \ufffd (also six bytes) before parsing, and the top-level members whose value held one
 * are remembered so that the field, not the frame, is refused.
 */

#include "ag-frame-private.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-error.h"
#include "ag-limits.h"

typedef struct {
  GArray   *bad_escapes;      /* gsize offsets of the backslashes of the escapes */
  GArray   *poisoned_keys;    /* AgJsonSpan, raw keys of top-level members */
  gboolean  poisoned_escaped_key;  /* such a member's key holds escapes itself */
} SyntaxReport;

static void
syntax_report_clear (SyntaxReport *report)
{
  g_clear_pointer (&report->bad_escapes, g_array_unref);
  g_clear_pointer (&report->poisoned_keys, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SyntaxReport, syntax_report_clear)

/* A top-level member whose string value held a bad escape poisons its key. */
static void
syntax_report_member_cb (const char       *text,
                         const AgJsonSpan *key,
                         const AgJsonSpan *value,
                         gpointer          user_data)
{
  SyntaxReport *report = user_data;

  if (value->kind != AG_JSON_STRING || !value->bad_escape)
    return;

  if (key->escaped) {
    report->poisoned_escaped_key = TRUE;
    return;
  }

  if (report->poisoned_keys == NULL)
    report->poisoned_keys = g_array_new (FALSE, FALSE, sizeof (AgJsonSpan));
  g_array_append_val (report->poisoned_keys, *key);
}

static gboolean
syntax_report_is_poisoned (const SyntaxReport *report,
                           const char         *text,
                           const char         *key)
{
  gsize key_len;

  if (report->poisoned_keys == NULL)
    return FALSE;

  key_len = strlen (key);

  for (guint i = 0; i < report->poisoned_keys->len; i++) {
    const AgJsonSpan *span = &g_array_index (report->poisoned_keys, AgJsonSpan, i);

    if (span->length == key_len && memcmp (text + span->start, key, key_len) == 0)
      return TRUE;
  }

  return FALSE;
}

/* A copy of text with every escape of report->bad_escapes replaced by \ufffd. */
static char *
syntax_report_rewrite (const SyntaxReport *report,
                       const char         *text,
                       gsize               length)
{
  char *copy = g_memdup2 (text, length);

  for (guint i = 0; i < report->bad_escapes->len; i++)
    memcpy (copy + g_array_index (report->bad_escapes, gsize, i), "\\ufffd", 6);

  return copy;
}

static gboolean
node_holds (JsonNode *node,
            GType     type)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == type;
}

static JsonNode *
get_member (JsonObject *object,
            AgField     field)
{
  return json_object_get_member (object, _ag_field_infos[field].name);
}

static gboolean
decode_client_field (AgFrame     *frame,
                     JsonObject  *object,
                     AgField      field,
                     gboolean     poisoned,
                     GError     **error)
{
  JsonNode *node = get_member (object, field);
  const char *problem = NULL;
  const char *value;
  int code;

  if (field == FIELD_TTL) {
    gint64 ttl;

    if (node == NULL)
      return TRUE;

    if (!node_holds (node, G_TYPE_INT64))
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "must be an integer");

    ttl = json_node_get_int (node);
    if (ttl < 0 || ttl > AG_LIMIT_TTL_SECONDS)
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "must be 0-604800 seconds");

    frame->ttl = ttl;
    frame->has_ttl = TRUE;
    return TRUE;
  }

  g_assert (_ag_frame_string_slot (frame, field) != NULL);

  if (node == NULL) {
    const char *fallback = _ag_field_default (frame->op, field);

    if (fallback == NULL)
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "is missing");

    value = fallback;
  } else if (node_holds (node, G_TYPE_STRING)) {
    value = json_node_get_string (node);
  } else {
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                      "must be a string");
  }

  if (poisoned) {
    code = frame->op == AG_OP_LOGIN && field == FIELD_ACCOUNT ?
      AG_ERROR_LOGIN_E_INVALID_USER : AG_ERROR_GENERAL_E_WRONG_PARAM;
    return _ag_frame_set_field_error (error, code, field,
                                      "holds a NUL character or an unpaired surrogate");
  }

  code = _ag_frame_check_client_string (frame, field, value, &problem);
  if (code != AG_ERROR_SUCCESS)
    return _ag_frame_set_field_error (error, code, field, problem);

  *_ag_frame_string_slot (frame, field) = g_strdup (value);

  if (field == FIELD_VALUE)
    frame->has_value = TRUE;

  return TRUE;
}

static AgFrame *
decode_client (JsonObject          *object,
               const SyntaxReport  *report,
               const char          *text,
               gint64              *out_id,
               GError             **error)
{
  g_autoptr(AgFrame) frame = NULL;
  JsonNode *id_node = json_object_get_member (object, "id");
  JsonNode *op_node = json_object_get_member (object, "op");
  gboolean id_valid = FALSE;
  gint64 id = 0;
  AgOp op = AG_OP_INVALID;

  if (node_holds (id_node, G_TYPE_INT64) && json_node_get_int (id_node) > 0) {
    id = json_node_get_int (id_node);
    id_valid = TRUE;
    *out_id = id;
  }

  if (node_holds (op_node, G_TYPE_STRING))
    op = ag_op_from_string (json_node_get_string (op_node), AG_FRAME_FROM_CLIENT);

  if (op == AG_OP_INVALID) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP,
                         op_node == NULL ? "op is missing" : "op is unknown");
    return NULL;
  }

  if (!id_valid) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "id must be a positive integer");
    return NULL;
  }

  if (report->poisoned_escaped_key) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "a string holds a NUL character or an unpaired surrogate");
    return NULL;
  }

  frame = ag_frame_new (op);
  frame->id = id;

  for (const AgField *field = _ag_op_infos[op].fields; *field != FIELD_END; field++) {
    gboolean poisoned = syntax_report_is_poisoned (report, text, _ag_field_infos[*field].name);

    if (!decode_client_field (frame, object, *field, poisoned, error))
      return NULL;
  }

  return g_steal_pointer (&frame);
}

static gboolean
decode_server_int (AgFrame   *frame,
                   AgField    field,
                   JsonNode  *node,
                   GError   **error)
{
  gint64 value;

  if (!node_holds (node, G_TYPE_INT64))
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                      "must be an integer");

  value = json_node_get_int (node);

  switch (field) {
  case FIELD_UID:
    if (value < 0 || value > G_MAXUINT32)
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "is out of range");
    frame->uid = (guint32) value;
    frame->has_uid = TRUE;
    break;

  case FIELD_CODE:
    if (value < G_MININT || value > G_MAXINT)
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "is out of range");
    frame->code = (int) value;
    break;

  case FIELD_TTL:
    frame->ttl = value;
    frame->has_ttl = TRUE;
    break;

  case FIELD_NUM:
    frame->num = value;
    frame->has_num = TRUE;
    break;

  case FIELD_TS:
    frame->ts = value;
    frame->has_ts = TRUE;
    break;

  default:
    g_assert_not_reached ();
  }

  return TRUE;
}

static gboolean
decode_server_bool (AgFrame   *frame,
                    AgField    field,
                    JsonNode  *node,
                    GError   **error)
{
  gboolean value;

  if (!node_holds (node, G_TYPE_BOOLEAN))
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                      "must be a boolean");

  value = json_node_get_boolean (node);

  if (field == FIELD_STORED) {
    frame->stored = value;
    frame->has_stored = TRUE;
  } else if (field == FIELD_ONLINE) {
    frame->online = value;
    frame->has_online = TRUE;
  } else {
    g_assert (field == FIELD_IN);
    frame->in = value;
    frame->has_in = TRUE;
  }

  return TRUE;
}

static gboolean
decode_server_members (AgFrame   *frame,
                       JsonNode  *node,
                       GError   **error)
{
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                      "must be an array");

  array = json_node_get_array (node);
  n = json_array_get_length (array);

  frame->members = g_ptr_array_new_full (n, _ag_frame_member_free);

  for (guint i = 0; i < n; i++) {
    JsonNode *element = json_array_get_element (array, i);
    JsonObject *object;
    JsonNode *account;
    JsonNode *uid;
    gint64 uid_value = 0;

    if (!JSON_NODE_HOLDS_OBJECT (element))
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                        "must hold objects");

    object = json_node_get_object (element);
    account = get_member (object, FIELD_ACCOUNT);
    uid = get_member (object, FIELD_UID);

    if (!node_holds (account, G_TYPE_STRING))
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                        "entry has no account");

    if (uid != NULL && !JSON_NODE_HOLDS_NULL (uid)) {
      if (!node_holds (uid, G_TYPE_INT64))
        return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                          "entry uid must be an integer");

      uid_value = json_node_get_int (uid);
      if (uid_value < 0 || uid_value > G_MAXUINT32)
        return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                          "entry uid is out of range");
    }

    ag_frame_add_member (frame, json_node_get_string (account), (guint32) uid_value);
  }

  return TRUE;
}

static gboolean
decode_server_attrs (AgFrame   *frame,
                     JsonNode  *node,
                     GError   **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_ATTRS,
                                      "must be an object");

  frame->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value)) {
    if (JSON_NODE_HOLDS_NULL (value))
      continue;

    if (!node_holds (value, G_TYPE_STRING))
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_ATTRS,
                                        "values must be strings");

    ag_frame_set_attr (frame, name, json_node_get_string (value));
  }

  return TRUE;
}

static gboolean
decode_server_field (AgFrame     *frame,
                     JsonObject  *object,
                     AgField      field,
                     GError     **error)
{
  JsonNode *node = get_member (object, field);

  /* "value": null is how a reply says an attribute is unset; elsewhere null is absent. */
  if (node != NULL && JSON_NODE_HOLDS_NULL (node) && field == FIELD_VALUE) {
    frame->has_value = TRUE;
    return TRUE;
  }

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    const char *fallback = _ag_field_default (frame->op, field);

    if (fallback != NULL)
      *_ag_frame_string_slot (frame, field) = g_strdup (fallback);

    return TRUE;
  }

  switch (field) {
  case FIELD_APP_ID:
  case FIELD_ACCOUNT:
  case FIELD_TOKEN:
  case FIELD_PEER:
  case FIELD_CHANNEL:
  case FIELD_NAME:
  case FIELD_VALUE:
  case FIELD_MSG:
  case FIELD_EXTRA:
  case FIELD_TYPE:
  case FIELD_REASON:
    if (!node_holds (node, G_TYPE_STRING))
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "must be a string");
    *_ag_frame_string_slot (frame, field) = g_strdup (json_node_get_string (node));
    if (field == FIELD_VALUE)
      frame->has_value = TRUE;
    return TRUE;

  case FIELD_UID:
  case FIELD_CODE:
  case FIELD_TTL:
  case FIELD_NUM:
  case FIELD_TS:
    return decode_server_int (frame, field, node, error);

  case FIELD_STORED:
  case FIELD_ONLINE:
  case FIELD_IN:
    return decode_server_bool (frame, field, node, error);

  case FIELD_MEMBERS:
    return decode_server_members (frame, node, error);

  case FIELD_ATTRS:
    return decode_server_attrs (frame, node, error);

  default:
    g_assert_not_reached ();
  }
}

static AgFrame *
decode_server (JsonObject  *object,
               gint64      *out_id,
               GError     **error)
{
  g_autoptr(AgFrame) frame = NULL;
  JsonNode *op_node = json_object_get_member (object, "op");
  AgOp op = AG_OP_INVALID;

  if (node_holds (op_node, G_TYPE_STRING))
    op = ag_op_from_string (json_node_get_string (op_node), AG_FRAME_FROM_SERVER);

  if (op == AG_OP_INVALID) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP,
                         op_node == NULL ? "op is missing" : "op is unknown");
    return NULL;
  }

  frame = ag_frame_new (op);

  /* Events carry no id; an error may answer a request whose id was unreadable (0). */
  if (_ag_op_is_reply (op)) {
    JsonNode *id_node = json_object_get_member (object, "id");

    if (id_node != NULL) {
      if (!node_holds (id_node, G_TYPE_INT64) || json_node_get_int (id_node) < 0) {
        g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                             "id must be an integer >= 0");
        return NULL;
      }
      frame->id = json_node_get_int (id_node);
      *out_id = frame->id;
    }
  }

  for (const AgField *field = _ag_op_infos[op].fields; *field != FIELD_END; field++) {
    if (!decode_server_field (frame, object, *field, error))
      return NULL;
  }

  return g_steal_pointer (&frame);
}

AgFrame *
_ag_frame_decode_tree (const char     *data,
                       gsize           length,
                       AgFrameOrigin   origin,
                       gint64         *out_id,
                       GError        **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(SyntaxReport) report = { NULL, };
  g_autofree char *rewritten = NULL;
  AgJsonScan scan = { 0, };
  const char *problem = NULL;
  const char *text = data;
  gint64 id = 0;
  AgFrame *frame;
  JsonNode *root;

  if (out_id != NULL)
    *out_id = 0;

  if (!_ag_frame_check_framing (data, length, error))
    return NULL;

  /* Our server never escapes a NUL or a surrogate, so only client frames get the
   * field-level treatment; in a server frame they are malformed. */
  if (origin == AG_FRAME_FROM_CLIENT) {
    report.bad_escapes = g_array_new (FALSE, FALSE, sizeof (gsize));
    scan.allow_bad_escapes = TRUE;
    scan.bad_escapes = report.bad_escapes;
    scan.member_func = syntax_report_member_cb;
    scan.user_data = &report;
  }

  if (!_ag_json_scan (data, length, AG_FRAME_MAX_JSON_DEPTH,
                      origin == AG_FRAME_FROM_CLIENT ? &scan : NULL, &problem)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "frame is not JSON: %s",
                 problem);
    return NULL;
  }

  if (report.bad_escapes != NULL && report.bad_escapes->len > 0) {
    rewritten = syntax_report_rewrite (&report, data, length);
    text = rewritten;
  }

  parser = json_parser_new_immutable ();
  /* Unreachable for text the syntax check accepted; the fuzzer checks that it stays so. */
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local_error)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                 "JSON parser refused the frame: %s", local_error->message);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not a JSON object");
    return NULL;
  }

  if (origin == AG_FRAME_FROM_CLIENT)
    frame = decode_client (json_node_get_object (root), &report, data, &id, error);
  else
    frame = decode_server (json_node_get_object (root), &id, error);

  if (out_id != NULL)
    *out_id = id;

  return frame;
}
