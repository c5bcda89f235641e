/* ag-frame-decode.c: client frames decoded into the typed frame without a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every request the server reads comes through here. The strict scanner (ag-frame-syntax.c)
 * checks the whole text and reports each member of the top-level object as spans of the
 * text; this file keeps, per known key, the last value (as JsonObject does with a repeated
 * key), then checks and copies only the fields the op has. Nothing is allocated but the
 * frame and its strings, and a string is unescaped straight into its own copy.
 *
 * The rules are those of the tree decoder this replaced (ag-frame-decode-tree.c), which
 * stays as the reference: keys are compared after unescaping, "op" and "id" are read before
 * anything else, and a top-level string holding \u0000 or an unpaired surrogate (which
 * JSON allows and no field accepts) fails its field, or the frame when its key is escaped.
 */

#include "ag-frame-private.h"

#include <string.h>

#include "ag-error.h"
#include "ag-limits.h"

/* Keys that are not fields of any op. */
enum {
  KEY_OP = N_FIELDS,
  KEY_ID,
  N_KEYS,
  KEY_UNKNOWN = N_KEYS,
};

/* The longest key and op name that can match: "channel_clear_attr" is 18 bytes. */
#define MAX_NAME_BYTES 24

typedef struct {
  AgJsonSpan  values[N_KEYS];   /* the last value of each key seen */
  guint64     seen;             /* bit per key */
  guint64     poisoned;         /* bit per field: one of its values held a bad escape */
  gboolean    poisoned_escaped_key;
} ClientScan;

G_STATIC_ASSERT (N_KEYS <= 64);

static inline guint64
key_bit (guint key)
{
  return G_GUINT64_CONSTANT (1) << key;
}

static guint
match_name (const char *name,
            gsize       length)
{
  switch (length) {
  case 2:
    if (memcmp (name, "op", 2) == 0)
      return KEY_OP;
    if (memcmp (name, "id", 2) == 0)
      return KEY_ID;
    break;
  default:
    break;
  }

  for (guint field = FIELD_APP_ID; field < N_FIELDS; field++) {
    if (_ag_field_infos[field].name_len == length &&
        memcmp (_ag_field_infos[field].name, name, length) == 0)
      return field;
  }

  return KEY_UNKNOWN;
}

/* Which key a member's key is, compared as JsonObject would: after unescaping. A key with a
 * bad escape holds U+FFFD after JsonParser's rewrite, which no key does. */
static guint
match_key (const char       *text,
           const AgJsonSpan *key)
{
  char name[MAX_NAME_BYTES + 1];
  gsize length;

  if (!key->escaped)
    return match_name (text + key->start, key->length);

  if (key->bad_escape || key->length > MAX_NAME_BYTES)
    return KEY_UNKNOWN;

  length = _ag_json_unescape (text, key, name);
  return match_name (name, length);
}

static void
client_member_cb (const char       *text,
                  const AgJsonSpan *key,
                  const AgJsonSpan *value,
                  gpointer          user_data)
{
  ClientScan *scan = user_data;
  guint which = match_key (text, key);

  if (value->kind == AG_JSON_STRING && value->bad_escape) {
    if (key->escaped)
      scan->poisoned_escaped_key = TRUE;
    else if (which < N_FIELDS)
      scan->poisoned |= key_bit (which);
  }

  if (which == KEY_UNKNOWN)
    return;

  scan->values[which] = *value;
  scan->seen |= key_bit (which);
}

/* A string value copied without its escapes. */
static char *
copy_string (const char       *text,
             const AgJsonSpan *span)
{
  char *copy;

  if (!span->escaped)
    return g_strndup (text + span->start, span->length);

  copy = g_malloc (span->length + 1);
  _ag_json_unescape (text, span, copy);
  return copy;
}

static AgOp
decode_op (const char       *text,
           const AgJsonSpan *span)
{
  char name[MAX_NAME_BYTES + 1];

  /* A bad escape would be U+FFFD, which no op name holds. */
  if (span->kind != AG_JSON_STRING || span->bad_escape || span->length > MAX_NAME_BYTES)
    return AG_OP_INVALID;

  if (span->escaped) {
    _ag_json_unescape (text, span, name);
  } else {
    memcpy (name, text + span->start, span->length);
    name[span->length] = '\0';
  }

  return ag_op_from_string (name, AG_FRAME_FROM_CLIENT);
}

static gboolean
decode_ttl (AgFrame           *frame,
            const ClientScan  *scan,
            GError           **error)
{
  const AgJsonSpan *span = &scan->values[FIELD_TTL];

  if (!(scan->seen & key_bit (FIELD_TTL)))
    return TRUE;

  if (span->kind != AG_JSON_INTEGER)
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_TTL,
                                      "must be an integer");

  if (span->integer < 0 || span->integer > AG_LIMIT_TTL_SECONDS)
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_TTL,
                                      "must be 0-604800 seconds");

  frame->ttl = span->integer;
  frame->has_ttl = TRUE;
  return TRUE;
}

static gboolean
decode_string_field (AgFrame           *frame,
                     const char        *text,
                     const ClientScan  *scan,
                     AgField            field,
                     GError           **error)
{
  const AgJsonSpan *span = &scan->values[field];
  g_autofree char *value = NULL;
  const char *problem = NULL;
  int code;

  g_assert (_ag_frame_string_slot (frame, field) != NULL);

  if (!(scan->seen & key_bit (field))) {
    const char *fallback = _ag_field_default (frame->op, field);

    if (fallback == NULL)
      return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                        "is missing");

    value = g_strdup (fallback);
  } else if (span->kind != AG_JSON_STRING) {
    return _ag_frame_set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                                      "must be a string");
  } else if (scan->poisoned & key_bit (field)) {
    code = frame->op == AG_OP_LOGIN && field == FIELD_ACCOUNT ?
      AG_ERROR_LOGIN_E_INVALID_USER : AG_ERROR_GENERAL_E_WRONG_PARAM;
    return _ag_frame_set_field_error (error, code, field,
                                      "holds a NUL character or an unpaired surrogate");
  } else {
    value = copy_string (text, span);
  }

  code = _ag_frame_check_client_string (frame, field, value, &problem);
  if (code != AG_ERROR_SUCCESS)
    return _ag_frame_set_field_error (error, code, field, problem);

  *_ag_frame_string_slot (frame, field) = g_steal_pointer (&value);

  if (field == FIELD_VALUE)
    frame->has_value = TRUE;

  return TRUE;
}

/* Decodes a client frame; see ag_frame_decode(). */
AgFrame *
_ag_frame_decode_client (const char  *data,
                         gsize        length,
                         gint64      *out_id,
                         GError     **error)
{
  g_autoptr(AgFrame) frame = NULL;
  ClientScan client = { .seen = 0 };
  AgJsonScan scan = { 0, };
  const AgJsonSpan *id_span = &client.values[KEY_ID];
  const char *problem = NULL;
  gboolean id_valid = FALSE;
  gsize start = 0;
  AgOp op = AG_OP_INVALID;

  *out_id = 0;

  if (!_ag_frame_check_framing (data, length, error))
    return NULL;

  scan.allow_bad_escapes = TRUE;
  scan.member_func = client_member_cb;
  scan.user_data = &client;

  if (!_ag_json_scan (data, length, AG_FRAME_MAX_JSON_DEPTH, &scan, &problem)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "frame is not JSON: %s",
                 problem);
    return NULL;
  }

  /* The scan accepted exactly one value; it is an object when it starts with '{'. */
  while (data[start] == ' ' || data[start] == '\t' || data[start] == '\n' ||
         data[start] == '\r')
    start++;

  if (data[start] != '{') {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not a JSON object");
    return NULL;
  }

  if ((client.seen & key_bit (KEY_ID)) && id_span->kind == AG_JSON_INTEGER &&
      id_span->integer > 0) {
    *out_id = id_span->integer;
    id_valid = TRUE;
  }

  if (client.seen & key_bit (KEY_OP))
    op = decode_op (data, &client.values[KEY_OP]);

  if (op == AG_OP_INVALID) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP,
                         client.seen & key_bit (KEY_OP) ? "op is unknown" : "op is missing");
    return NULL;
  }

  if (!id_valid) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "id must be a positive integer");
    return NULL;
  }

  if (client.poisoned_escaped_key) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "a string holds a NUL character or an unpaired surrogate");
    return NULL;
  }

  frame = ag_frame_new (op);
  frame->id = *out_id;

  for (const AgField *field = _ag_op_infos[op].fields; *field != FIELD_END; field++) {
    gboolean ok = *field == FIELD_TTL ? decode_ttl (frame, &client, error)
                                      : decode_string_field (frame, data, &client, *field, error);

    if (!ok)
      return NULL;
  }

  return g_steal_pointer (&frame);
}

/**
 * ag_frame_decode:
 * @data: (array length=length): the text of one frame
 * @length: the length of @data in bytes
 * @origin: who sent the frame
 * @out_id: (out) (optional): the request id, when the frame was parsed far enough to find
 *   one, else 0
 * @error: return location for an %AG_ERROR
 *
 * Frames from clients are validated strictly: types, required fields and the limits of
 * docs/protocol.md. Frames from the server are decoded leniently (missing fields stay
 * unset) but a field of the wrong type still fails.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL with @error set
 */
AgFrame *
ag_frame_decode (const char     *data,
                 gsize           length,
                 AgFrameOrigin   origin,
                 gint64         *out_id,
                 GError        **error)
{
  gint64 id = 0;
  AgFrame *frame;

  if (origin == AG_FRAME_FROM_SERVER)
    return _ag_frame_decode_tree (data, length, origin, out_id, error);

  frame = _ag_frame_decode_client (data, length, &id, error);

  if (out_id != NULL)
    *out_id = id;

  return frame;
}
