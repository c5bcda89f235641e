/* ag-admin-snapshot.c: admin_snapshot frames decoded without a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A snapshot of a big app is thousands of frames of 100 users and 100 channels, 12.8 MB at
 * 100,000 users, read while an operator waits for the first screen. Parsed by json-glib,
 * every record is a hash table and a node per value, thrown away once the items are built.
 * Here the strict scanner walks the frame once and reports each value with its depth; the
 * records are filled from those spans as they pass, each string unescaped straight into its
 * own copy, which the items then keep. The scanner accepts exactly what the check before
 * json-glib accepts, so a frame refused here is refused there, with the same message.
 */

#include "ag-admin-snapshot.h"

#include <string.h>

#include "ag-error.h"
#include "ag-frame-private.h"

typedef enum {
  LIST_NONE,
  LIST_USERS,
  LIST_CHANNELS,
} List;

/* Depths of the values of a snapshot frame. */
enum {
  DEPTH_FRAME = 0,
  DEPTH_MEMBER = 1,   /* "op", "users", "channels" */
  DEPTH_RECORD = 2,   /* a record in users or channels */
  DEPTH_FIELD = 3,    /* a field of a record */
  DEPTH_ATTR = 4,     /* an attribute in a record's attrs */
};

typedef struct {
  AgAdminSnapshot      *snapshot;
  gboolean              object;
  char                 *op;
  List                  list;
  gboolean              in_record;
  gboolean              in_attrs;
  AgAdminUserRecord     user;
  AgAdminChannelRecord  channel;
} Decoder;

static void
clear_user_record (gpointer data)
{
  _ag_admin_user_record_clear (data);
}

static void
clear_channel_record (gpointer data)
{
  _ag_admin_channel_record_clear (data);
}

AgAdminSnapshot *
_ag_admin_snapshot_new (void)
{
  AgAdminSnapshot *snapshot = g_new0 (AgAdminSnapshot, 1);

  snapshot->users = g_array_sized_new (FALSE, FALSE, sizeof (AgAdminUserRecord), 100);
  g_array_set_clear_func (snapshot->users, clear_user_record);
  snapshot->channels = g_array_sized_new (FALSE, FALSE, sizeof (AgAdminChannelRecord), 100);
  g_array_set_clear_func (snapshot->channels, clear_channel_record);

  return snapshot;
}

void
_ag_admin_snapshot_free (AgAdminSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_array_unref (snapshot->users);
  g_array_unref (snapshot->channels);
  g_free (snapshot);
}

static char *
copy_string (const char       *text,
             const AgJsonSpan *span)
{
  char *copy = g_malloc (span->length + 1);

  if (span->escaped) {
    _ag_json_unescape (text, span, copy);
  } else {
    memcpy (copy, text + span->start, span->length);
    copy[span->length] = '\0';
  }

  return copy;
}

static char *
copy_if_string (const char       *text,
                const AgJsonSpan *span)
{
  return span->kind == AG_JSON_STRING ? copy_string (text, span) : NULL;
}

/* Whether a key is name (of n bytes); a key may be written with escapes ("n\u0061me"). */
static gboolean
key_is_escaped (const char       *text,
                const AgJsonSpan *key,
                const char       *name,
                gsize             n)
{
  g_autofree char *unescaped = NULL;

  /* Unescaping never lengthens, so a key of fewer bytes cannot match. */
  if (key->length < n)
    return FALSE;
  unescaped = copy_string (text, key);
  return strlen (unescaped) == n && memcmp (unescaped, name, n) == 0;
}

static inline gboolean
key_is_n (const char       *text,
          const AgJsonSpan *key,
          const char       *name,
          gsize             n)
{
  if (G_UNLIKELY (key->escaped))
    return key_is_escaped (text, key, name, n);

  return key->length == n && memcmp (text + key->start, name, n) == 0;
}

/* Every record field is tested in turn, so the length of the name is a constant. */
#define key_is(text, key, name) key_is_n ((text), (key), "" name "", sizeof (name) - 1)

static gint64
integer_or_zero (const AgJsonSpan *value)
{
  return value->kind == AG_JSON_INTEGER ? value->integer : 0;
}

static void
replace (char **slot,
         char  *value)
{
  g_free (*slot);
  *slot = value;
}

/* A record's "attrs" member: the last one counts. */
static void
start_attrs (Decoder          *decoder,
             GPtrArray       **attrs,
             const AgJsonSpan *value)
{
  g_clear_pointer (attrs, g_ptr_array_unref);
  if (value->kind == AG_JSON_OBJECT) {
    *attrs = g_ptr_array_new_with_free_func (g_free);
    decoder->in_attrs = TRUE;
  }
}

static void
user_field (Decoder          *decoder,
            const char       *text,
            const AgJsonSpan *key,
            const AgJsonSpan *value)
{
  AgAdminUserRecord *user = &decoder->user;

  if (key_is (text, key, "account"))
    replace (&user->account, copy_if_string (text, value));
  else if (key_is (text, key, "uid"))
    user->uid = integer_or_zero (value);
  else if (key_is (text, key, "since"))
    user->since = integer_or_zero (value);
  else if (key_is (text, key, "address"))
    replace (&user->address, copy_if_string (text, value));
  else if (key_is (text, key, "channel"))
    replace (&user->channel, copy_if_string (text, value));
  else if (key_is (text, key, "queue"))
    user->queue = integer_or_zero (value);
  else if (key_is (text, key, "online"))
    user->online = value->kind == AG_JSON_TRUE || value->kind == AG_JSON_FALSE ?
                   value->kind == AG_JSON_TRUE : TRUE;
  else if (key_is (text, key, "attrs"))
    start_attrs (decoder, &user->attrs, value);
}

static void
channel_field (Decoder          *decoder,
               const char       *text,
               const AgJsonSpan *key,
               const AgJsonSpan *value)
{
  AgAdminChannelRecord *channel = &decoder->channel;

  if (key_is (text, key, "name"))
    replace (&channel->name, copy_if_string (text, value));
  else if (key_is (text, key, "kind"))
    replace (&channel->kind, copy_if_string (text, value));
  else if (key_is (text, key, "members"))
    channel->members = integer_or_zero (value);
  else if (key_is (text, key, "total_joins"))
    channel->total_joins = integer_or_zero (value);
  else if (key_is (text, key, "attrs"))
    start_attrs (decoder, &channel->attrs, value);
}

static void
top_member (Decoder          *decoder,
            const char       *text,
            const AgJsonSpan *key,
            const AgJsonSpan *value)
{
  gboolean array = value->kind == AG_JSON_ARRAY;

  /* Of duplicate members the last one counts, as in a JsonObject. */
  if (key_is (text, key, "op")) {
    replace (&decoder->op, copy_if_string (text, value));
  } else if (key_is (text, key, "users")) {
    g_array_set_size (decoder->snapshot->users, 0);
    decoder->list = array ? LIST_USERS : LIST_NONE;
  } else if (key_is (text, key, "channels")) {
    g_array_set_size (decoder->snapshot->channels, 0);
    decoder->list = array ? LIST_CHANNELS : LIST_NONE;
  }
}

static void
value_cb (const char       *text,
          guint             depth,
          const AgJsonSpan *key,
          const AgJsonSpan *value,
          gpointer          user_data)
{
  Decoder *decoder = user_data;

  switch (depth) {
  case DEPTH_FRAME:
    decoder->object = value->kind == AG_JSON_OBJECT;
    break;

  case DEPTH_MEMBER:
    if (decoder->object)
      top_member (decoder, text, key, value);
    break;

  case DEPTH_RECORD:
    /* Elements that are not objects are no records. */
    if (decoder->list != LIST_NONE && value->kind == AG_JSON_OBJECT) {
      decoder->in_record = TRUE;
      if (decoder->list == LIST_USERS)
        _ag_admin_user_record_init (&decoder->user);
      else
        _ag_admin_channel_record_init (&decoder->channel);
    }
    break;

  case DEPTH_FIELD:
    if (!decoder->in_record)
      break;
    if (decoder->list == LIST_USERS)
      user_field (decoder, text, key, value);
    else
      channel_field (decoder, text, key, value);
    break;

  case DEPTH_ATTR:
    if (decoder->in_attrs) {
      GPtrArray *attrs = decoder->list == LIST_USERS ? decoder->user.attrs
                                                     : decoder->channel.attrs;
      char *attr_value = copy_if_string (text, value);

      g_ptr_array_add (attrs, copy_string (text, key));
      g_ptr_array_add (attrs, attr_value != NULL ? attr_value : g_strdup (""));
    }
    break;

  default:
    break;
  }
}

static void
finish_record (Decoder *decoder)
{
  if (decoder->list == LIST_USERS) {
    AgAdminUserRecord *user = &decoder->user;

    if (user->account == NULL) {
      _ag_admin_user_record_clear (user);
      return;
    }
    if (user->attrs != NULL)
      _ag_admin_attrs_normalize (user->attrs);
    /* The array takes the record's strings. */
    g_array_append_val (decoder->snapshot->users, *user);
    _ag_admin_user_record_init (user);
  } else {
    AgAdminChannelRecord *channel = &decoder->channel;

    if (channel->name == NULL) {
      _ag_admin_channel_record_clear (channel);
      return;
    }
    if (channel->attrs != NULL)
      _ag_admin_attrs_normalize (channel->attrs);
    g_array_append_val (decoder->snapshot->channels, *channel);
    _ag_admin_channel_record_init (channel);
  }
}

static void
close_cb (guint    depth,
          gpointer user_data)
{
  Decoder *decoder = user_data;

  switch (depth) {
  case DEPTH_MEMBER:
    decoder->list = LIST_NONE;
    break;
  case DEPTH_RECORD:
    if (decoder->in_record) {
      finish_record (decoder);
      decoder->in_record = FALSE;
    }
    break;
  case DEPTH_FIELD:
    decoder->in_attrs = FALSE;
    break;
  default:
    break;
  }
}

gboolean
_ag_admin_snapshot_decode (const char       *data,
                           gsize             length,
                           AgAdminSnapshot **out_snapshot,
                           GError          **error)
{
  g_autoptr(AgAdminSnapshot) snapshot = NULL;
  Decoder decoder = { NULL, };
  AgJsonScan scan = { 0, };
  const char *problem = NULL;
  gboolean ok;

  g_return_val_if_fail (out_snapshot != NULL, FALSE);

  *out_snapshot = NULL;
  if (!_ag_frame_check_framing (data, length, error))
    return FALSE;

  snapshot = _ag_admin_snapshot_new ();
  decoder.snapshot = snapshot;
  _ag_admin_user_record_init (&decoder.user);
  _ag_admin_channel_record_init (&decoder.channel);
  scan.value_func = value_cb;
  scan.close_func = close_cb;
  scan.user_data = &decoder;

  ok = _ag_json_scan (data, length, AG_FRAME_MAX_JSON_DEPTH, &scan, &problem);

  /* A record cut short by a syntax error is still in the decoder. */
  _ag_admin_user_record_clear (&decoder.user);
  _ag_admin_channel_record_clear (&decoder.channel);

  if (!ok) {
    g_free (decoder.op);
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "frame is not JSON: %s",
                 problem);
    return FALSE;
  }

  if (!decoder.object) {
    g_free (decoder.op);
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not a JSON object");
    return FALSE;
  }

  if (g_strcmp0 (decoder.op, "admin_snapshot") == 0)
    *out_snapshot = g_steal_pointer (&snapshot);
  g_free (decoder.op);

  return TRUE;
}

AgAdminSnapshot *
_ag_admin_snapshot_from_json (JsonObject *frame)
{
  static const char * const lists[] = { "users", "channels" };
  AgAdminSnapshot *snapshot;
  JsonNode *op;

  g_return_val_if_fail (frame != NULL, NULL);

  op = json_object_get_member (frame, "op");
  if (op == NULL || !JSON_NODE_HOLDS_VALUE (op) ||
      json_node_get_value_type (op) != G_TYPE_STRING ||
      !g_str_equal (json_node_get_string (op), "admin_snapshot"))
    return NULL;

  snapshot = _ag_admin_snapshot_new ();

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++) {
    JsonNode *node = json_object_get_member (frame, lists[l]);
    JsonArray *array;

    if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
      continue;

    array = json_node_get_array (node);
    for (guint i = 0; i < json_array_get_length (array); i++) {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      if (l == 0) {
        AgAdminUserRecord record;

        _ag_admin_user_record_from_json (&record, json_node_get_object (element));
        if (record.account != NULL)
          g_array_append_val (snapshot->users, record);
        else
          _ag_admin_user_record_clear (&record);
      } else {
        AgAdminChannelRecord record;

        _ag_admin_channel_record_from_json (&record, json_node_get_object (element));
        if (record.name != NULL)
          g_array_append_val (snapshot->channels, record);
        else
          _ag_admin_channel_record_clear (&record);
      }
    }
  }

  return snapshot;
}

JsonNode *
_ag_admin_parse_checked_frame (const char *data,
                               gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  /* The scanner accepted the text, and JsonParser accepts all it accepts (the fuzzer checks
   * that), so a failure here is a bug, not bad input. */
  if (!json_parser_load_from_data (parser, data, (gssize) length, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_node_ref (root);
}
