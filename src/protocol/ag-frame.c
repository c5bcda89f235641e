/* ag-frame.c: the frame model of the agsignal.v1 protocol, its op and field tables, and the
 * checks of field values
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Decoding and encoding live beside this file (see ag-frame-private.h for which does what);
 * everything here is shared by them and by callers that validate before sending.
 */

#include "ag-frame-private.h"

#include <string.h>

#include "ag-error.h"
#include "ag-limits.h"

#define MAX_DTMF_DIGITS  128

#define FIELD_INFO(field, wire) \
  [field] = { wire, sizeof (wire) - 1, ",\"" wire "\":", sizeof (",\"" wire "\":") - 1 }

const AgFieldInfo _ag_field_infos[N_FIELDS] = {
  FIELD_INFO (FIELD_APP_ID, "app_id"),
  FIELD_INFO (FIELD_ACCOUNT, "account"),
  FIELD_INFO (FIELD_TOKEN, "token"),
  FIELD_INFO (FIELD_PEER, "peer"),
  FIELD_INFO (FIELD_CHANNEL, "channel"),
  FIELD_INFO (FIELD_NAME, "name"),
  FIELD_INFO (FIELD_VALUE, "value"),
  FIELD_INFO (FIELD_MSG, "msg"),
  FIELD_INFO (FIELD_EXTRA, "extra"),
  FIELD_INFO (FIELD_TYPE, "type"),
  FIELD_INFO (FIELD_REASON, "reason"),
  FIELD_INFO (FIELD_UID, "uid"),
  FIELD_INFO (FIELD_CODE, "code"),
  FIELD_INFO (FIELD_TTL, "ttl"),
  FIELD_INFO (FIELD_NUM, "num"),
  FIELD_INFO (FIELD_TS, "ts"),
  FIELD_INFO (FIELD_STORED, "stored"),
  FIELD_INFO (FIELD_ONLINE, "online"),
  FIELD_INFO (FIELD_IN, "in"),
  FIELD_INFO (FIELD_MEMBERS, "members"),
  FIELD_INFO (FIELD_ATTRS, "attrs"),
};

#undef FIELD_INFO

/* Every op with the fields docs/protocol.md gives it. For requests and events the fields are
 * the op's; for "ok" they are every result field any reply can carry. */
const AgOpInfo _ag_op_infos[AG_OP_LAST] = {
  [AG_OP_INVALID] = { NULL, { FIELD_END } },

  [AG_OP_LOGIN] = { "login", { FIELD_APP_ID, FIELD_ACCOUNT, FIELD_TOKEN } },
  [AG_OP_LOGOUT] = { "logout", { FIELD_END } },
  [AG_OP_PING] = { "ping", { FIELD_END } },
  [AG_OP_MSG_SEND] = { "msg_send", { FIELD_PEER, FIELD_MSG, FIELD_TTL } },
  [AG_OP_USER_SET_ATTR] = { "user_set_attr", { FIELD_NAME, FIELD_VALUE } },
  [AG_OP_USER_GET_ATTR] = { "user_get_attr", { FIELD_ACCOUNT, FIELD_NAME } },
  [AG_OP_USER_GET_ATTR_ALL] = { "user_get_attr_all", { FIELD_ACCOUNT } },
  [AG_OP_CHANNEL_QUERY_NUM] = { "channel_query_num", { FIELD_CHANNEL } },
  [AG_OP_USER_STATUS] = { "user_status", { FIELD_ACCOUNT } },
  [AG_OP_CHANNEL_IS_IN] = { "channel_is_in", { FIELD_CHANNEL, FIELD_ACCOUNT } },
  [AG_OP_CHANNEL_JOIN] = { "channel_join", { FIELD_CHANNEL } },
  [AG_OP_CHANNEL_LEAVE] = { "channel_leave", { FIELD_END } },
  [AG_OP_CHANNEL_SEND] = { "channel_send", { FIELD_MSG } },
  [AG_OP_CHANNEL_SET_ATTR] = { "channel_set_attr", { FIELD_NAME, FIELD_VALUE } },
  [AG_OP_CHANNEL_DEL_ATTR] = { "channel_del_attr", { FIELD_NAME } },
  [AG_OP_CHANNEL_CLEAR_ATTR] = { "channel_clear_attr", { FIELD_END } },
  [AG_OP_CALL_INVITE] = { "call_invite", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_CALL_ACCEPT] = { "call_accept", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_CALL_REFUSE] = { "call_refuse", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_CALL_END] = { "call_end", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_CALL_MSG] = { "call_msg", { FIELD_CHANNEL, FIELD_PEER, FIELD_TYPE, FIELD_MSG } },

  [AG_OP_OK] = { "ok", { FIELD_CHANNEL, FIELD_ACCOUNT, FIELD_UID, FIELD_NAME, FIELD_VALUE,
                         FIELD_NUM, FIELD_MEMBERS, FIELD_ATTRS, FIELD_TS, FIELD_STORED,
                         FIELD_ONLINE, FIELD_IN } },
  [AG_OP_ERROR] = { "error", { FIELD_CODE, FIELD_REASON } },

  [AG_OP_EV_LOGOUT] = { "logout", { FIELD_CODE } },
  [AG_OP_EV_MSG] = { "msg", { FIELD_ACCOUNT, FIELD_UID, FIELD_MSG, FIELD_TS } },
  [AG_OP_EV_CHANNEL_USER_JOINED] = { "channel_user_joined",
                                     { FIELD_CHANNEL, FIELD_ACCOUNT, FIELD_UID } },
  [AG_OP_EV_CHANNEL_USER_LEFT] = { "channel_user_left",
                                   { FIELD_CHANNEL, FIELD_ACCOUNT, FIELD_UID, FIELD_CODE } },
  [AG_OP_EV_CHANNEL_MSG] = { "channel_msg",
                             { FIELD_CHANNEL, FIELD_ACCOUNT, FIELD_UID, FIELD_MSG, FIELD_TS } },
  [AG_OP_EV_CHANNEL_ATTR] = { "channel_attr",
                              { FIELD_CHANNEL, FIELD_NAME, FIELD_VALUE, FIELD_TYPE } },
  [AG_OP_EV_CHANNEL_LEFT] = { "channel_left", { FIELD_CHANNEL, FIELD_CODE } },
  [AG_OP_EV_CALL_INCOMING] = { "call_incoming",
                               { FIELD_CHANNEL, FIELD_PEER, FIELD_UID, FIELD_EXTRA } },
  [AG_OP_EV_CALL_RECEIVED] = { "call_received", { FIELD_CHANNEL, FIELD_PEER } },
  [AG_OP_EV_CALL_ACCEPTED] = { "call_accepted", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_EV_CALL_REFUSED] = { "call_refused", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_EV_CALL_FAILED] = { "call_failed", { FIELD_CHANNEL, FIELD_PEER, FIELD_CODE } },
  [AG_OP_EV_CALL_ENDED] = { "call_ended", { FIELD_CHANNEL, FIELD_PEER, FIELD_EXTRA } },
  [AG_OP_EV_CALL_MSG] = { "call_msg", { FIELD_CHANNEL, FIELD_PEER, FIELD_TYPE, FIELD_MSG } },
};

/* The default of an optional string field, or NULL when it has none. */
const char *
_ag_field_default (AgOp    op,
                   AgField field)
{
  if (field == FIELD_EXTRA)
    return AG_FRAME_DEFAULT_EXTRA;

  if (field == FIELD_TYPE && (op == AG_OP_CALL_MSG || op == AG_OP_EV_CALL_MSG))
    return AG_FRAME_DEFAULT_CALL_MSG_TYPE;

  return NULL;
}

char **
_ag_frame_string_slot (AgFrame *frame,
                       AgField  field)
{
  switch (field) {
  case FIELD_APP_ID: return &frame->app_id;
  case FIELD_ACCOUNT: return &frame->account;
  case FIELD_TOKEN: return &frame->token;
  case FIELD_PEER: return &frame->peer;
  case FIELD_CHANNEL: return &frame->channel;
  case FIELD_NAME: return &frame->name;
  case FIELD_VALUE: return &frame->value;
  case FIELD_MSG: return &frame->msg;
  case FIELD_EXTRA: return &frame->extra;
  case FIELD_TYPE: return &frame->type;
  case FIELD_REASON: return &frame->reason;
  default:
    return NULL;
  }
}

/* Frames and their contents */

void
_ag_frame_member_free (gpointer data)
{
  AgFrameMember *member = data;

  g_free (member->account);
  g_free (member);
}

/**
 * ag_frame_new:
 * @op: the op
 *
 * Returns: (transfer full): an empty frame of @op
 */
AgFrame *
ag_frame_new (AgOp op)
{
  AgFrame *frame = g_new0 (AgFrame, 1);

  frame->op = op;

  return frame;
}

/**
 * ag_frame_new_ok:
 * @id: the id of the request answered
 *
 * Returns: (transfer full): an "ok" reply without result fields
 */
AgFrame *
ag_frame_new_ok (gint64 id)
{
  AgFrame *frame = ag_frame_new (AG_OP_OK);

  frame->id = id;

  return frame;
}

/**
 * ag_frame_new_error:
 * @id: the id of the request answered, 0 when it could not be read
 * @code: an #AgError
 * @reason: (nullable): English text for logs; %NULL for the code's description
 *
 * Returns: (transfer full): an "error" reply
 */
AgFrame *
ag_frame_new_error (gint64      id,
                    int         code,
                    const char *reason)
{
  AgFrame *frame = ag_frame_new (AG_OP_ERROR);

  frame->id = id;
  frame->code = code;
  frame->reason = g_strdup (reason != NULL ? reason : ag_error_code_describe (code));

  return frame;
}

void
ag_frame_free (AgFrame *frame)
{
  if (frame == NULL)
    return;

  g_free (frame->app_id);
  g_free (frame->account);
  g_free (frame->token);
  g_free (frame->peer);
  g_free (frame->channel);
  g_free (frame->name);
  g_free (frame->value);
  g_free (frame->msg);
  g_free (frame->extra);
  g_free (frame->type);
  g_free (frame->reason);
  g_clear_pointer (&frame->members, g_ptr_array_unref);
  g_clear_pointer (&frame->attrs, g_hash_table_unref);
  g_free (frame);
}

void
ag_frame_add_member (AgFrame    *frame,
                     const char *account,
                     guint32     uid)
{
  AgFrameMember *member;

  g_return_if_fail (frame != NULL);
  g_return_if_fail (account != NULL);

  if (frame->members == NULL)
    frame->members = g_ptr_array_new_with_free_func (_ag_frame_member_free);

  member = g_new0 (AgFrameMember, 1);
  member->account = g_strdup (account);
  member->uid = uid;
  g_ptr_array_add (frame->members, member);
}

/* A NULL value removes the attribute (the table still exists afterwards, so an empty
 * attribute set is written as {}). */
void
ag_frame_set_attr (AgFrame    *frame,
                   const char *name,
                   const char *value)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (name != NULL);

  if (frame->attrs == NULL)
    frame->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (value == NULL)
    g_hash_table_remove (frame->attrs, name);
  else
    g_hash_table_replace (frame->attrs, g_strdup (name), g_strdup (value));
}

static gboolean
members_equal (GPtrArray *a,
               GPtrArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++) {
    const AgFrameMember *ma = g_ptr_array_index (a, i);
    const AgFrameMember *mb = g_ptr_array_index (b, i);

    if (ma->uid != mb->uid || g_strcmp0 (ma->account, mb->account) != 0)
      return FALSE;
  }

  return TRUE;
}

static gboolean
attrs_equal (GHashTable *a,
             GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (a == NULL || b == NULL)
    return a == b;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    const char *other = g_hash_table_lookup (b, key);

    if (other == NULL || strcmp (other, value) != 0)
      return FALSE;
  }

  return TRUE;
}

gboolean
ag_frame_equal (const AgFrame *a,
                const AgFrame *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  if (a->op != b->op || a->id != b->id)
    return FALSE;

  for (AgField field = FIELD_APP_ID; field <= FIELD_REASON; field++) {
    if (g_strcmp0 (_ag_frame_string (a, field), _ag_frame_string (b, field)) != 0)
      return FALSE;
  }

  return a->uid == b->uid &&
         a->code == b->code &&
         a->ttl == b->ttl &&
         a->num == b->num &&
         a->ts == b->ts &&
         !a->stored == !b->stored &&
         !a->online == !b->online &&
         !a->in == !b->in &&
         a->has_ttl == b->has_ttl &&
         a->has_value == b->has_value &&
         a->has_uid == b->has_uid &&
         a->has_num == b->has_num &&
         a->has_ts == b->has_ts &&
         a->has_stored == b->has_stored &&
         a->has_online == b->has_online &&
         a->has_in == b->has_in &&
         members_equal (a->members, b->members) &&
         attrs_equal (a->attrs, b->attrs);
}

/* Ops */

const char *
ag_op_to_string (AgOp op)
{
  if (!_ag_op_is_valid (op))
    return NULL;

  return _ag_op_infos[op].name;
}

gboolean
ag_op_is_request (AgOp op)
{
  return op >= AG_OP_LOGIN && op <= AG_OP_CALL_MSG;
}

gboolean
ag_op_is_event (AgOp op)
{
  return op >= AG_OP_EV_LOGOUT && op <= AG_OP_EV_CALL_MSG;
}

AgOp
ag_op_from_string (const char    *name,
                   AgFrameOrigin  origin)
{
  if (name == NULL)
    return AG_OP_INVALID;

  for (AgOp op = AG_OP_LOGIN; op < AG_OP_LAST; op++) {
    gboolean from_client = ag_op_is_request (op);

    if (from_client != (origin == AG_FRAME_FROM_CLIENT))
      continue;

    if (strcmp (_ag_op_infos[op].name, name) == 0)
      return op;
  }

  return AG_OP_INVALID;
}

/* Checks */

#define BYTES_ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define BYTES_HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

gboolean
_ag_utf8_validate_len (const char *text,
                       gsize       length)
{
  gsize i = 0;

  /* A word of ASCII without a NUL byte is valid; the first other word, at a character
   * boundary since everything before it was ASCII, is left to GLib with the rest. */
  while (length - i >= 8) {
    guint64 word;

    memcpy (&word, text + i, sizeof word);
    if (((word | ((word - BYTES_ONES) & ~word)) & BYTES_HIGHS) != 0)
      break;
    i += 8;
  }

  return g_utf8_validate_len (text + i, length - i, NULL);
}

/* Characters that render as nothing (or as blank) without being whitespace or format
 * characters by their Unicode category, and so would let two accounts look the same. */
static gboolean
unichar_is_invisible (gunichar c)
{
  return c == 0x034F ||                      /* COMBINING GRAPHEME JOINER */
         c == 0x115F || c == 0x1160 ||       /* HANGUL CHOSEONG / JUNGSEONG FILLER */
         c == 0x17B4 || c == 0x17B5 ||       /* KHMER VOWEL INHERENT AQ / AA */
         (c >= 0x180B && c <= 0x180F) ||     /* MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEP. */
         (c >= 0x200B && c <= 0x200F) ||     /* ZERO WIDTH SPACE ... RIGHT-TO-LEFT MARK */
         (c >= 0x2060 && c <= 0x206F) ||     /* WORD JOINER ... NOMINAL DIGIT SHAPES */
         c == 0x2800 ||                      /* BRAILLE PATTERN BLANK */
         c == 0x3164 ||                      /* HANGUL FILLER */
         (c >= 0xFE00 && c <= 0xFE0F) ||     /* VARIATION SELECTORS */
         c == 0xFEFF ||                      /* ZERO WIDTH NO-BREAK SPACE */
         c == 0xFFA0 ||                      /* HALFWIDTH HANGUL FILLER */
         (c >= 0xE0000 && c <= 0xE0FFF);     /* TAGS, VARIATION SELECTORS SUPPLEMENT */
}

static gboolean
unichar_allowed_in_account (gunichar c)
{
  if (g_unichar_isspace (c) || unichar_is_invisible (c))
    return FALSE;

  switch (g_unichar_type (c)) {
  case G_UNICODE_CONTROL:
  case G_UNICODE_FORMAT:
  case G_UNICODE_UNASSIGNED:
  case G_UNICODE_SURROGATE:
  case G_UNICODE_LINE_SEPARATOR:
  case G_UNICODE_PARAGRAPH_SEPARATOR:
  case G_UNICODE_SPACE_SEPARATOR:
    return FALSE;
  default:
    return TRUE;
  }
}

/**
 * ag_account_find_problem:
 * @account: (nullable): an account name
 * @out_char: (out) (optional): the offending character (space and invisible problems)
 * @out_position: (out) (optional): its 1-based character position, or the number of
 *   characters for %AG_ACCOUNT_PROBLEM_TOO_LONG
 *
 * Says why ag_check_account() would refuse @account, so that a user interface can tell
 * before sending. The first problem found from the start is reported.
 *
 * Returns: %AG_ACCOUNT_PROBLEM_NONE for an account the server accepts
 */
AgAccountProblem
ag_account_find_problem (const char *account,
                         gunichar   *out_char,
                         glong      *out_position)
{
  glong n_chars = 0;
  AgAccountProblem problem = AG_ACCOUNT_PROBLEM_NONE;
  gunichar bad = 0;
  glong bad_position = 0;

  if (out_char != NULL)
    *out_char = 0;
  if (out_position != NULL)
    *out_position = 0;

  if (account == NULL || account[0] == '\0')
    return AG_ACCOUNT_PROBLEM_EMPTY;
  if (!g_utf8_validate (account, -1, NULL))
    return AG_ACCOUNT_PROBLEM_NOT_UTF8;

  for (const char *p = account; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    n_chars++;
    if (problem == AG_ACCOUNT_PROBLEM_NONE && !unichar_allowed_in_account (c)) {
      problem = g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR
                  ? AG_ACCOUNT_PROBLEM_SPACE : AG_ACCOUNT_PROBLEM_INVISIBLE;
      bad = c;
      bad_position = n_chars;
    }
  }

  /* Too long first: removing one bad character would not make such an account valid. */
  if (n_chars > AG_LIMIT_NAME_CHARS) {
    if (out_position != NULL)
      *out_position = n_chars;
    return AG_ACCOUNT_PROBLEM_TOO_LONG;
  }

  if (out_char != NULL)
    *out_char = bad;
  if (out_position != NULL)
    *out_position = bad_position;

  return problem;
}

/**
 * ag_check_account:
 * @account: (nullable): an account name
 *
 * An account is 1-128 characters of valid UTF-8 with no whitespace and no control, format,
 * unassigned or otherwise invisible characters.
 *
 * Returns: %AG_ERROR_SUCCESS or %AG_ERROR_LOGIN_E_INVALID_USER
 */
int
ag_check_account (const char *account)
{
  return ag_account_find_problem (account, NULL, NULL) == AG_ACCOUNT_PROBLEM_NONE
           ? AG_ERROR_SUCCESS : AG_ERROR_LOGIN_E_INVALID_USER;
}

/**
 * ag_check_name:
 * @name: (nullable): a channel or attribute name
 *
 * Names are 1-128 characters of valid UTF-8 without control characters; spaces are allowed.
 *
 * Returns: %AG_ERROR_SUCCESS, %AG_ERROR_GENERAL_E_WRONG_PARAM (empty or bad) or
 *   %AG_ERROR_GENERAL_E_LARGE_PARAM (too long)
 */
int
ag_check_name (const char *name)
{
  glong n_chars = 0;

  if (name == NULL || name[0] == '\0' || !g_utf8_validate (name, -1, NULL))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
    if (g_unichar_type (g_utf8_get_char (p)) == G_UNICODE_CONTROL)
      return AG_ERROR_GENERAL_E_WRONG_PARAM;
    n_chars++;
  }

  if (n_chars > AG_LIMIT_NAME_CHARS)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  return AG_ERROR_SUCCESS;
}

/**
 * ag_check_msg:
 * @msg: (nullable): a peer, channel or call message
 *
 * Returns: %AG_ERROR_SUCCESS, %AG_ERROR_GENERAL_E_LARGE_PARAM over 8,192 bytes, or
 *   %AG_ERROR_GENERAL_E_WRONG_PARAM for %NULL or invalid UTF-8
 */
int
ag_check_msg (const char *msg)
{
  gsize length;

  if (msg == NULL)
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  length = strnlen (msg, AG_LIMIT_MSG_BYTES + 1);
  if (length > AG_LIMIT_MSG_BYTES)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  if (!_ag_utf8_validate_len (msg, length))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  return AG_ERROR_SUCCESS;
}

/**
 * ag_check_attr_value:
 * @value: (nullable): a user or channel attribute value
 *
 * Returns: %AG_ERROR_SUCCESS, %AG_ERROR_GENERAL_E_LARGE_PARAM over 8,096 characters, or
 *   %AG_ERROR_GENERAL_E_WRONG_PARAM for %NULL or invalid UTF-8
 */
int
ag_check_attr_value (const char *value)
{
  /* A character takes at most 4 bytes of UTF-8, so longer text is too long for sure. */
  const gsize max_bytes = (gsize) AG_LIMIT_ATTR_VALUE_CHARS * 4;
  gsize length;

  if (value == NULL)
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  length = strnlen (value, max_bytes + 1);
  if (length > max_bytes)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  if (!_ag_utf8_validate_len (value, length))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  if (length > AG_LIMIT_ATTR_VALUE_CHARS &&
      g_utf8_strlen (value, (gssize) length) > AG_LIMIT_ATTR_VALUE_CHARS)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  return AG_ERROR_SUCCESS;
}

/**
 * ag_check_extra:
 * @extra: (nullable): the extra of a call, JSON object text
 *
 * Returns: %AG_ERROR_SUCCESS, %AG_ERROR_GENERAL_E_LARGE_PARAM over 8,192 bytes, or
 *   %AG_ERROR_GENERAL_E_WRONG_PARAM when @extra is not one JSON object
 */
int
ag_check_extra (const char *extra)
{
  const char *problem = NULL;
  gsize length;
  gsize start = 0;

  if (extra == NULL)
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  length = strnlen (extra, AG_LIMIT_EXTRA_BYTES + 1);
  if (length > AG_LIMIT_EXTRA_BYTES)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  if (!_ag_utf8_validate_len (extra, length) ||
      !_ag_json_scan (extra, length, AG_FRAME_MAX_JSON_DEPTH, NULL, &problem))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  /* The syntax check accepted exactly one value; it is an object when it starts with '{'. */
  while (start < length && (extra[start] == ' ' || extra[start] == '\t' ||
                            extra[start] == '\n' || extra[start] == '\r'))
    start++;

  if (extra[start] != '{')
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  return AG_ERROR_SUCCESS;
}

/**
 * ag_check_dtmf:
 * @digits: (nullable): DTMF digits of a call message
 *
 * Returns: %AG_ERROR_SUCCESS for 1-128 of the characters 0-9, * and #, else
 *   %AG_ERROR_GENERAL_E_WRONG_PARAM
 */
int
ag_check_dtmf (const char *digits)
{
  gsize n = 0;

  if (digits == NULL || digits[0] == '\0')
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  for (const char *p = digits; *p != '\0'; p++) {
    if (!g_ascii_isdigit (*p) && *p != '*' && *p != '#')
      return AG_ERROR_GENERAL_E_WRONG_PARAM;

    if (++n > MAX_DTMF_DIGITS)
      return AG_ERROR_GENERAL_E_WRONG_PARAM;
  }

  return AG_ERROR_SUCCESS;
}

/* Field checks of client frames */

gboolean
_ag_frame_set_field_error (GError     **error,
                           int          code,
                           AgField      field,
                           const char  *problem)
{
  g_set_error (error, AG_ERROR, code, "%s %s", _ag_field_infos[field].name, problem);
  return FALSE;
}

/* The account of a request other than login: too long is 1005, anything else wrong 1004. */
static int
check_request_account (const char *account)
{
  if (ag_check_account (account) == AG_ERROR_SUCCESS)
    return AG_ERROR_SUCCESS;

  if (g_utf8_strlen (account, -1) > AG_LIMIT_NAME_CHARS)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  return AG_ERROR_GENERAL_E_WRONG_PARAM;
}

int
_ag_frame_check_client_string (const AgFrame  *frame,
                               AgField         field,
                               const char     *value,
                               const char    **problem)
{
  int code = AG_ERROR_SUCCESS;

  switch (field) {
  case FIELD_ACCOUNT:
  case FIELD_PEER:
    if (frame->op == AG_OP_LOGIN)
      code = ag_check_account (value);
    else
      code = check_request_account (value);
    *problem = "is not a valid account";
    break;

  case FIELD_APP_ID:
  case FIELD_CHANNEL:
  case FIELD_NAME:
  case FIELD_TYPE:
    code = ag_check_name (value);
    *problem = code == AG_ERROR_GENERAL_E_LARGE_PARAM ?
      "is longer than 128 characters" : "is empty or has control characters";
    break;

  case FIELD_VALUE:
    code = ag_check_attr_value (value);
    *problem = "is longer than 8096 characters";
    break;

  case FIELD_MSG:
    if (frame->op == AG_OP_CALL_MSG &&
        g_strcmp0 (frame->type, AG_FRAME_DEFAULT_CALL_MSG_TYPE) == 0) {
      code = ag_check_dtmf (value);
      *problem = "is not 1-128 DTMF digits (0-9, *, #)";
    } else {
      code = ag_check_msg (value);
      *problem = "is larger than 8192 bytes";
    }
    break;

  case FIELD_EXTRA:
    code = ag_check_extra (value);
    *problem = code == AG_ERROR_GENERAL_E_LARGE_PARAM ?
      "is larger than 8192 bytes" : "is not JSON object text";
    break;

  default:
    break;
  }

  return code;
}
