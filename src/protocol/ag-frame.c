/* ag-frame.c: typed frames of the agsignal.v1 protocol and their JSON encoding
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Decoding checks the text against RFC 8259 before JsonParser builds the tree, because
 * json-glib 1.6 accepts comments, single quotes, hex numbers and trailing documents, wraps
 * integers that do not fit in 64 bits, and truncates or mangles strings at \u0000 and unpaired
 * surrogates. The per-op field rules of docs/protocol.md come last. Encoding writes JSON text
 * directly, because a channel message is encoded once and its bytes fanned out to every
 * member.
 */

#include "ag-frame.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-error.h"
#include "ag-limits.h"

/* Protocol frames nest three levels at most (reply, roster, member). The margin is for
 * forward-compatible fields we ignore, the bound for JsonParser's recursion. */
#define MAX_JSON_DEPTH   32
#define MAX_DTMF_DIGITS  128
#define DEFAULT_EXTRA    "{}"
#define DEFAULT_CALL_MSG_TYPE "DTMF"

typedef enum {
  FIELD_END = 0,
  FIELD_APP_ID,
  FIELD_ACCOUNT,
  FIELD_TOKEN,
  FIELD_PEER,
  FIELD_CHANNEL,
  FIELD_NAME,
  FIELD_VALUE,
  FIELD_MSG,
  FIELD_EXTRA,
  FIELD_TYPE,
  FIELD_REASON,
  FIELD_UID,
  FIELD_CODE,
  FIELD_TTL,
  FIELD_NUM,
  FIELD_TS,
  FIELD_STORED,
  FIELD_ONLINE,
  FIELD_IN,
  FIELD_MEMBERS,
  FIELD_ATTRS,
  N_FIELDS
} Field;

typedef struct {
  const char *name;     /* the wire key */
  const char *key;      /* the key as the encoder writes it, after a previous member */
  gsize       key_len;
} FieldInfo;

#define FIELD_INFO(field, wire) \
  [field] = { wire, ",\"" wire "\":", sizeof (",\"" wire "\":") - 1 }

static const FieldInfo field_infos[N_FIELDS] = {
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

#define MAX_OP_FIELDS 13

typedef struct {
  const char *name;
  Field       fields[MAX_OP_FIELDS];   /* wire order, ends at FIELD_END */
} OpInfo;

/* Every op with the fields docs/protocol.md gives it. For requests and events the fields are
 * the op's; for "ok" they are every result field any reply can carry. */
static const OpInfo op_infos[AG_OP_LAST] = {
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

static inline gboolean
op_is_valid (AgOp op)
{
  return op > AG_OP_INVALID && op < AG_OP_LAST;
}

/* The default of an optional string field, or NULL when it has none. */
static const char *
field_default (AgOp  op,
               Field field)
{
  if (field == FIELD_EXTRA)
    return DEFAULT_EXTRA;

  if (field == FIELD_TYPE && (op == AG_OP_CALL_MSG || op == AG_OP_EV_CALL_MSG))
    return DEFAULT_CALL_MSG_TYPE;

  return NULL;
}

static char **
frame_string_slot (AgFrame *frame,
                   Field    field)
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

static inline const char *
frame_string (const AgFrame *frame,
              Field          field)
{
  return *frame_string_slot ((AgFrame *) frame, field);
}

/* Frames and their contents */

static void
member_free (gpointer data)
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
    frame->members = g_ptr_array_new_with_free_func (member_free);

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

  for (Field field = FIELD_APP_ID; field <= FIELD_REASON; field++) {
    if (g_strcmp0 (frame_string (a, field), frame_string (b, field)) != 0)
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
  if (!op_is_valid (op))
    return NULL;

  return op_infos[op].name;
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

static gboolean
op_is_reply (AgOp op)
{
  return op == AG_OP_OK || op == AG_OP_ERROR;
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

    if (strcmp (op_infos[op].name, name) == 0)
      return op;
  }

  return AG_OP_INVALID;
}

/* Checks */

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

  if (!g_utf8_validate_len (msg, length, NULL))
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

  if (!g_utf8_validate_len (value, length, NULL))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  if (length > AG_LIMIT_ATTR_VALUE_CHARS &&
      g_utf8_strlen (value, (gssize) length) > AG_LIMIT_ATTR_VALUE_CHARS)
    return AG_ERROR_GENERAL_E_LARGE_PARAM;

  return AG_ERROR_SUCCESS;
}

/* Strict JSON syntax */

typedef enum {
  WANT_VALUE,
  WANT_VALUE_OR_CLOSE,
  WANT_KEY,
  WANT_KEY_OR_CLOSE,
  WANT_COLON,
  WANT_COMMA_OR_CLOSE,
  WANT_END,
} SyntaxState;

static inline gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
scan_hex4 (const char *text,
           gsize       length,
           gsize       pos,
           guint      *out_value)
{
  guint value = 0;

  if (length - pos < 4)
    return FALSE;

  for (gsize i = 0; i < 4; i++) {
    int digit = hex_value (text[pos + i]);

    if (digit < 0)
      return FALSE;
    value = value * 16 + (guint) digit;
  }

  *out_value = value;
  return TRUE;
}

/* What the syntax check found that JsonParser must not see as is. JSON allows \u0000 and
 * unpaired surrogates in strings, but JsonParser truncates a string at \u0000 and, on an
 * unpaired surrogate, swallows the next character (the closing quote included), so that it
 * would read a different structure than the one checked. Such escapes are rewritten to
 * \ufffd (also six bytes) before parsing, and the top-level members whose value held one are
 * remembered so that the field, not the frame, is refused. */
typedef struct {
  GArray   *bad_escapes;      /* gsize offsets of the backslashes of the escapes */
  GArray   *poisoned_keys;    /* KeySpan, raw keys of top-level members */
  gboolean  poisoned_escaped_key;  /* such a member's key holds escapes itself */
} SyntaxReport;

typedef struct {
  gsize start;
  gsize length;
} KeySpan;

static void
syntax_report_clear (SyntaxReport *report)
{
  g_clear_pointer (&report->bad_escapes, g_array_unref);
  g_clear_pointer (&report->poisoned_keys, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SyntaxReport, syntax_report_clear)

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
    const KeySpan *span = &g_array_index (report->poisoned_keys, KeySpan, i);

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

/* Scans a string starting at its opening quote; *pos ends after the closing quote. Rejects
 * raw control characters and unknown escapes. \u0000 and unpaired surrogates are refused
 * too, unless report is given: then their offsets are added to report->bad_escapes. */
static gboolean
scan_string (const char    *text,
             gsize          length,
             gsize         *pos,
             SyntaxReport  *report,
             const char   **problem)
{
  gsize i = *pos + 1;

  while (i < length) {
    guchar c = (guchar) text[i];
    guint unit;
    guint low;

    if (c == '"') {
      *pos = i + 1;
      return TRUE;
    }

    if (c < 0x20) {
      *problem = "control character in a string";
      return FALSE;
    }

    if (c != '\\') {
      i++;
      continue;
    }

    if (i + 1 >= length)
      break;

    switch (text[i + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      i += 2;
      break;

    case 'u':
      if (!scan_hex4 (text, length, i + 2, &unit)) {
        *problem = "bad \\u escape";
        return FALSE;
      }

      /* A high surrogate followed by a low one is one character. */
      if (unit >= 0xD800 && unit <= 0xDBFF && length - i >= 12 &&
          text[i + 6] == '\\' && text[i + 7] == 'u' &&
          scan_hex4 (text, length, i + 8, &low) && low >= 0xDC00 && low <= 0xDFFF) {
        i += 12;
        break;
      }

      if (unit == 0 || (unit >= 0xD800 && unit <= 0xDFFF)) {
        if (report == NULL) {
          *problem = unit == 0 ? "NUL character in a string" : "unpaired surrogate in a string";
          return FALSE;
        }

        if (report->bad_escapes == NULL)
          report->bad_escapes = g_array_new (FALSE, FALSE, sizeof (gsize));
        g_array_append_val (report->bad_escapes, i);
      }

      i += 6;
      break;

    default:
      *problem = "unknown escape in a string";
      return FALSE;
    }
  }

  *problem = "unterminated string";
  return FALSE;
}

/* Scans a number per RFC 8259. Integers (no fraction, no exponent) must fit in gint64,
 * because JsonParser wraps the ones that do not. */
static gboolean
scan_number (const char  *text,
             gsize        length,
             gsize       *pos,
             const char **problem)
{
  gsize i = *pos;
  gboolean negative = FALSE;
  gboolean overflow = FALSE;
  gboolean integer = TRUE;
  guint64 value = 0;

  if (text[i] == '-') {
    negative = TRUE;
    i++;
  }

  if (i >= length || !g_ascii_isdigit (text[i])) {
    *problem = "bad number";
    return FALSE;
  }

  if (text[i] == '0') {
    i++;
  } else {
    while (i < length && g_ascii_isdigit (text[i])) {
      guint digit = (guint) (text[i] - '0');

      if (value > (G_MAXUINT64 - digit) / 10)
        overflow = TRUE;
      else
        value = value * 10 + digit;
      i++;
    }
  }

  if (i < length && text[i] == '.') {
    integer = FALSE;
    i++;
    if (i >= length || !g_ascii_isdigit (text[i])) {
      *problem = "bad number";
      return FALSE;
    }
    while (i < length && g_ascii_isdigit (text[i]))
      i++;
  }

  if (i < length && (text[i] == 'e' || text[i] == 'E')) {
    integer = FALSE;
    i++;
    if (i < length && (text[i] == '+' || text[i] == '-'))
      i++;
    if (i >= length || !g_ascii_isdigit (text[i])) {
      *problem = "bad number";
      return FALSE;
    }
    while (i < length && g_ascii_isdigit (text[i]))
      i++;
  }

  if (integer &&
      (overflow || value > (negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64))) {
    *problem = "integer out of range";
    return FALSE;
  }

  *pos = i;
  return TRUE;
}

static gboolean
scan_literal (const char  *text,
              gsize        length,
              gsize       *pos,
              const char **problem)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++) {
    gsize n = strlen (literals[i]);

    if (length - *pos >= n && memcmp (text + *pos, literals[i], n) == 0) {
      *pos += n;
      return TRUE;
    }
  }

  *problem = "unexpected character";
  return FALSE;
}

static guint
bad_escape_count (SyntaxReport *report)
{
  return report != NULL && report->bad_escapes != NULL ? report->bad_escapes->len : 0;
}

/* Accepts exactly one RFC 8259 JSON text (valid UTF-8 is checked by the caller) nested at
 * most max_depth levels. See SyntaxReport for report. */
static gboolean
json_syntax_check (const char    *text,
                   gsize          length,
                   guint          max_depth,
                   SyntaxReport  *report,
                   const char   **problem)
{
  /* Bit n is set when the container at depth n is an object. */
  guint64 objects = 0;
  guint depth = 0;
  SyntaxState state = WANT_VALUE;
  gsize pos = 0;
  KeySpan key = { 0, 0 };
  gboolean key_escaped = FALSE;

  g_assert (max_depth <= 64);

  for (;;) {
    char c;

    while (pos < length && is_json_space (text[pos]))
      pos++;

    if (pos >= length)
      break;

    c = text[pos];

    switch (state) {
    case WANT_VALUE_OR_CLOSE:
    case WANT_VALUE:
      if (c == ']' && state == WANT_VALUE_OR_CLOSE) {
        pos++;
        depth--;
        state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
        break;
      }

      if (c == '{' || c == '[') {
        if (depth >= max_depth) {
          *problem = "nested too deeply";
          return FALSE;
        }
        if (c == '{')
          objects |= G_GUINT64_CONSTANT (1) << depth;
        else
          objects &= ~(G_GUINT64_CONSTANT (1) << depth);
        depth++;
        pos++;
        state = c == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
        break;
      }

      if (c == '"') {
        guint bad_before = bad_escape_count (report);

        if (!scan_string (text, length, &pos, report, problem))
          return FALSE;

        /* The value of a top-level member held an escape that will be rewritten. */
        if (depth == 1 && (objects & 1) && bad_escape_count (report) != bad_before) {
          if (key_escaped) {
            report->poisoned_escaped_key = TRUE;
          } else {
            if (report->poisoned_keys == NULL)
              report->poisoned_keys = g_array_new (FALSE, FALSE, sizeof (KeySpan));
            g_array_append_val (report->poisoned_keys, key);
          }
        }
      } else if (c == '-' || g_ascii_isdigit (c)) {
        if (!scan_number (text, length, &pos, problem))
          return FALSE;
      } else if (!scan_literal (text, length, &pos, problem)) {
        return FALSE;
      }

      state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
      break;

    case WANT_KEY_OR_CLOSE:
    case WANT_KEY:
      if (c == '}' && state == WANT_KEY_OR_CLOSE) {
        pos++;
        depth--;
        state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
        break;
      }

      if (c != '"') {
        *problem = "expected an object key";
        return FALSE;
      }

      key.start = pos + 1;
      if (!scan_string (text, length, &pos, report, problem))
        return FALSE;
      key.length = pos - 1 - key.start;
      key_escaped = memchr (text + key.start, '\\', key.length) != NULL;

      state = WANT_COLON;
      break;

    case WANT_COLON:
      if (c != ':') {
        *problem = "expected ':'";
        return FALSE;
      }
      pos++;
      state = WANT_VALUE;
      break;

    case WANT_COMMA_OR_CLOSE: {
      gboolean in_object = (objects >> (depth - 1)) & 1;

      if (c == ',') {
        pos++;
        state = in_object ? WANT_KEY : WANT_VALUE;
      } else if ((c == '}' && in_object) || (c == ']' && !in_object)) {
        pos++;
        depth--;
        state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
      } else {
        *problem = "expected ',' or the end of a container";
        return FALSE;
      }
      break;
    }

    default:
      *problem = "data after the JSON value";
      return FALSE;
    }
  }

  if (state != WANT_END) {
    *problem = "unexpected end of data";
    return FALSE;
  }

  return TRUE;
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

  if (!g_utf8_validate_len (extra, length, NULL) ||
      !json_syntax_check (extra, length, MAX_JSON_DEPTH, NULL, &problem))
    return AG_ERROR_GENERAL_E_WRONG_PARAM;

  /* The syntax check accepted exactly one value; it is an object when it starts with '{'. */
  while (start < length && is_json_space (extra[start]))
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

/* Decoding */

static gboolean
node_holds (JsonNode *node,
            GType     type)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == type;
}

static gboolean
set_field_error (GError     **error,
                 int          code,
                 Field        field,
                 const char  *problem)
{
  g_set_error (error, AG_ERROR, code, "%s %s", field_infos[field].name, problem);
  return FALSE;
}

static JsonNode *
get_member (JsonObject *object,
            Field       field)
{
  return json_object_get_member (object, field_infos[field].name);
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

static int
check_client_string (AgFrame     *frame,
                     Field        field,
                     const char  *value,
                     const char **problem)
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
    if (frame->op == AG_OP_CALL_MSG && g_strcmp0 (frame->type, DEFAULT_CALL_MSG_TYPE) == 0) {
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

static gboolean
decode_client_field (AgFrame     *frame,
                     JsonObject  *object,
                     Field        field,
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
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                              "must be an integer");

    ttl = json_node_get_int (node);
    if (ttl < 0 || ttl > AG_LIMIT_TTL_SECONDS)
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                              "must be 0-604800 seconds");

    frame->ttl = ttl;
    frame->has_ttl = TRUE;
    return TRUE;
  }

  g_assert (frame_string_slot (frame, field) != NULL);

  if (node == NULL) {
    const char *fallback = field_default (frame->op, field);

    if (fallback == NULL)
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field, "is missing");

    value = fallback;
  } else if (node_holds (node, G_TYPE_STRING)) {
    value = json_node_get_string (node);
  } else {
    return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field, "must be a string");
  }

  if (poisoned) {
    code = frame->op == AG_OP_LOGIN && field == FIELD_ACCOUNT ?
      AG_ERROR_LOGIN_E_INVALID_USER : AG_ERROR_GENERAL_E_WRONG_PARAM;
    return set_field_error (error, code, field,
                            "holds a NUL character or an unpaired surrogate");
  }

  code = check_client_string (frame, field, value, &problem);
  if (code != AG_ERROR_SUCCESS)
    return set_field_error (error, code, field, problem);

  *frame_string_slot (frame, field) = g_strdup (value);

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

  for (const Field *field = op_infos[op].fields; *field != FIELD_END; field++) {
    gboolean poisoned = syntax_report_is_poisoned (report, text, field_infos[*field].name);

    if (!decode_client_field (frame, object, *field, poisoned, error))
      return NULL;
  }

  return g_steal_pointer (&frame);
}

static gboolean
decode_server_int (AgFrame     *frame,
                   Field        field,
                   JsonNode    *node,
                   GError     **error)
{
  gint64 value;

  if (!node_holds (node, G_TYPE_INT64))
    return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                            "must be an integer");

  value = json_node_get_int (node);

  switch (field) {
  case FIELD_UID:
    if (value < 0 || value > G_MAXUINT32)
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                              "is out of range");
    frame->uid = (guint32) value;
    frame->has_uid = TRUE;
    break;

  case FIELD_CODE:
    if (value < G_MININT || value > G_MAXINT)
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
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
decode_server_bool (AgFrame     *frame,
                    Field        field,
                    JsonNode    *node,
                    GError     **error)
{
  gboolean value;

  if (!node_holds (node, G_TYPE_BOOLEAN))
    return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
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
decode_server_members (AgFrame     *frame,
                       JsonNode    *node,
                       GError     **error)
{
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                            "must be an array");

  array = json_node_get_array (node);
  n = json_array_get_length (array);

  frame->members = g_ptr_array_new_full (n, member_free);

  for (guint i = 0; i < n; i++) {
    JsonNode *element = json_array_get_element (array, i);
    JsonObject *object;
    JsonNode *account;
    JsonNode *uid;
    gint64 uid_value = 0;

    if (!JSON_NODE_HOLDS_OBJECT (element))
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                              "must hold objects");

    object = json_node_get_object (element);
    account = get_member (object, FIELD_ACCOUNT);
    uid = get_member (object, FIELD_UID);

    if (!node_holds (account, G_TYPE_STRING))
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                              "entry has no account");

    if (uid != NULL && !JSON_NODE_HOLDS_NULL (uid)) {
      if (!node_holds (uid, G_TYPE_INT64))
        return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                "entry uid must be an integer");

      uid_value = json_node_get_int (uid);
      if (uid_value < 0 || uid_value > G_MAXUINT32)
        return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_MEMBERS,
                                "entry uid is out of range");
    }

    ag_frame_add_member (frame, json_node_get_string (account), (guint32) uid_value);
  }

  return TRUE;
}

static gboolean
decode_server_attrs (AgFrame     *frame,
                     JsonNode    *node,
                     GError     **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_ATTRS,
                            "must be an object");

  frame->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value)) {
    if (JSON_NODE_HOLDS_NULL (value))
      continue;

    if (!node_holds (value, G_TYPE_STRING))
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, FIELD_ATTRS,
                              "values must be strings");

    ag_frame_set_attr (frame, name, json_node_get_string (value));
  }

  return TRUE;
}

static gboolean
decode_server_field (AgFrame     *frame,
                     JsonObject  *object,
                     Field        field,
                     GError     **error)
{
  JsonNode *node = get_member (object, field);

  /* "value": null is how a reply says an attribute is unset; elsewhere null is absent. */
  if (node != NULL && JSON_NODE_HOLDS_NULL (node) && field == FIELD_VALUE) {
    frame->has_value = TRUE;
    return TRUE;
  }

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    const char *fallback = field_default (frame->op, field);

    if (fallback != NULL)
      *frame_string_slot (frame, field) = g_strdup (fallback);

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
      return set_field_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, field,
                              "must be a string");
    *frame_string_slot (frame, field) = g_strdup (json_node_get_string (node));
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
  if (op_is_reply (op)) {
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

  for (const Field *field = op_infos[op].fields; *field != FIELD_END; field++) {
    if (!decode_server_field (frame, object, *field, error))
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
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(SyntaxReport) report = { NULL, };
  g_autofree char *rewritten = NULL;
  const char *problem = NULL;
  const char *text = data;
  gint64 id = 0;
  AgFrame *frame;
  JsonNode *root;

  if (out_id != NULL)
    *out_id = 0;

  if (data == NULL || length == 0 || length > G_MAXSSIZE) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "empty frame");
    return NULL;
  }

  /* Also rejects NUL bytes, which JsonParser would stop at. */
  if (!g_utf8_validate_len (data, length, NULL)) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not valid UTF-8 text");
    return NULL;
  }

  /* Our server never escapes a NUL or a surrogate, so only client frames get the
   * field-level treatment; in a server frame they are malformed. */
  if (!json_syntax_check (data, length, MAX_JSON_DEPTH,
                          origin == AG_FRAME_FROM_CLIENT ? &report : NULL, &problem)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "frame is not JSON: %s",
                 problem);
    return NULL;
  }

  if (report.bad_escapes != NULL) {
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

/* Encoding */

/* The length of the well-formed UTF-8 sequence starting at a byte >= 0x80, or 0 (overlong
 * forms, surrogates and code points past U+10FFFF are not well-formed). Stops reading at the
 * first byte that is not a continuation byte, so it never reads past the terminating NUL. */
static inline gsize
utf8_sequence_length (const guchar *p)
{
  guchar lead = p[0];

  if (lead >= 0xC2 && lead <= 0xDF)
    return (p[1] & 0xC0) == 0x80 ? 2 : 0;

  if (lead >= 0xE0 && lead <= 0xEF) {
    guchar lo = lead == 0xE0 ? 0xA0 : 0x80;
    guchar hi = lead == 0xED ? 0x9F : 0xBF;

    return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
  }

  if (lead >= 0xF0 && lead <= 0xF4) {
    guchar lo = lead == 0xF0 ? 0x90 : 0x80;
    guchar hi = lead == 0xF4 ? 0x8F : 0xBF;

    return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
  }

  return 0;
}

#define BYTES_ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define BYTES_HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Zero when none of the 8 bytes of word needs more than a copy: no control character, no
 * '"', no '\\', no byte of a multi-byte UTF-8 sequence. (The usual "has a zero byte" trick,
 * x - 0x01.. & ~x & 0x80.., applied to word < 0x20 and to word ^ '"' and word ^ '\\'.) */
static inline guint64
word_needs_escaping (guint64 word)
{
  guint64 quote = word ^ (BYTES_ONES * '"');
  guint64 backslash = word ^ (BYTES_ONES * '\\');

  return (((word - BYTES_ONES * 0x20) & ~word) |
          ((quote - BYTES_ONES) & ~quote) |
          ((backslash - BYTES_ONES) & ~backslash) |
          word) & BYTES_HIGHS;
}

/* Appends text as a JSON string in one pass: '"' and '\\' escaped, control characters as
 * \u00XX, everything else (UTF-8 included) as is. Plain runs are skipped 8 bytes at a time,
 * since message text is mostly plain. Returns FALSE, having appended a part of the string,
 * when text is not valid UTF-8. */
static gboolean
write_escaped (GString    *out,
               const char *text)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *run = (const guchar *) text;
  const guchar *p = run;
  const guchar *end = p + strlen (text);

  g_string_append_c (out, '"');

  while (p < end) {
    guchar c;

    if (end - p >= 8) {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (word_needs_escaping (word) == 0) {
        p += 8;
        continue;
      }
    }

    c = *p;

    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      p++;
      continue;
    }

    if (c >= 0x80) {
      gsize n = utf8_sequence_length (p);

      if (G_UNLIKELY (n == 0))
        return FALSE;
      p += n;
      continue;
    }

    g_string_append_len (out, (const char *) run, p - run);

    if (c == '"') {
      g_string_append_len (out, "\\\"", 2);
    } else if (c == '\\') {
      g_string_append_len (out, "\\\\", 2);
    } else {
      char escape[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

      g_string_append_len (out, escape, sizeof escape);
    }

    run = ++p;
  }

  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
  return TRUE;
}

/* Writes a JSON string. Frames built from decoded input are valid UTF-8 already; anything
 * else is repaired rather than sent, since a peer's JSON parser would reject the frame. */
static void
write_string (GString    *out,
              const char *text)
{
  g_autofree char *valid = NULL;
  gsize start = out->len;

  if (G_LIKELY (write_escaped (out, text)))
    return;

  g_string_truncate (out, start);
  valid = g_utf8_make_valid (text, -1);
  write_escaped (out, valid);
}

static void
write_int (GString *out,
           gint64   value)
{
  char buf[24];
  char *end = buf + sizeof buf;
  char *p = end;
  guint64 magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do {
    *--p = (char) ('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);

  if (value < 0)
    *--p = '-';

  g_string_append_len (out, p, end - p);
}

static void
write_key (GString *out,
           Field    field)
{
  g_string_append_len (out, field_infos[field].key, field_infos[field].key_len);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

const char **
ag_sorted_keys (GHashTable *table,
                guint      *n_keys)
{
  const char **keys;
  guint n = 0;

  if (table == NULL) {
    if (n_keys != NULL)
      *n_keys = 0;
    return g_new0 (const char *, 1);
  }

  keys = (const char **) g_hash_table_get_keys_as_array (table, &n);
  qsort (keys, n, sizeof (char *), compare_strings);
  if (n_keys != NULL)
    *n_keys = n;

  return keys;
}

void
ag_json_append_string (GString    *out,
                       const char *text)
{
  if (text == NULL)
    g_string_append (out, "null");
  else
    write_string (out, text);
}

static void
write_attrs (GString    *out,
             GHashTable *attrs)
{
  g_autofree gpointer *names = NULL;
  guint n = 0;

  /* Sorted, so that equal frames encode to equal bytes. */
  names = (gpointer *) ag_sorted_keys (attrs, &n);

  g_string_append_c (out, '{');
  for (guint i = 0; i < n; i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    write_string (out, names[i]);
    g_string_append_c (out, ':');
    write_string (out, g_hash_table_lookup (attrs, names[i]));
  }
  g_string_append_c (out, '}');
}

static void
write_members (GString   *out,
               GPtrArray *members)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < members->len; i++) {
    const AgFrameMember *member = g_ptr_array_index (members, i);

    if (i > 0)
      g_string_append_c (out, ',');
    g_string_append (out, "{\"account\":");
    write_string (out, member->account != NULL ? member->account : "");
    g_string_append (out, ",\"uid\":");
    write_int (out, member->uid);
    g_string_append_c (out, '}');
  }
  g_string_append_c (out, ']');
}

/* Whether an optional field of a request or of an "ok" reply is written. */
static gboolean
field_is_set (const AgFrame *frame,
              Field          field)
{
  switch (field) {
  case FIELD_VALUE: return frame->value != NULL || frame->has_value;
  case FIELD_UID: return frame->uid != 0 || frame->has_uid;
  case FIELD_CODE: return frame->code != 0;
  case FIELD_TTL: return frame->ttl != 0 || frame->has_ttl;
  case FIELD_NUM: return frame->num != 0 || frame->has_num;
  case FIELD_TS: return frame->ts != 0 || frame->has_ts;
  case FIELD_STORED: return frame->stored || frame->has_stored;
  case FIELD_ONLINE: return frame->online || frame->has_online;
  case FIELD_IN: return frame->in || frame->has_in;
  case FIELD_MEMBERS: return frame->members != NULL;
  case FIELD_ATTRS: return frame->attrs != NULL;
  case FIELD_APP_ID:
  case FIELD_ACCOUNT:
  case FIELD_TOKEN:
  case FIELD_PEER:
  case FIELD_CHANNEL:
  case FIELD_NAME:
  case FIELD_MSG:
  case FIELD_EXTRA:
  case FIELD_TYPE:
  case FIELD_REASON:
    return frame_string (frame, field) != NULL;
  default:
    return FALSE;
  }
}

static void
write_field (GString       *out,
             const AgFrame *frame,
             Field          field)
{
  write_key (out, field);

  switch (field) {
  case FIELD_APP_ID:
  case FIELD_ACCOUNT:
  case FIELD_TOKEN:
  case FIELD_PEER:
  case FIELD_CHANNEL:
  case FIELD_NAME:
  case FIELD_MSG:
  case FIELD_EXTRA:
  case FIELD_TYPE: {
    const char *text = frame_string (frame, field);

    if (text == NULL)
      text = field_default (frame->op, field);
    write_string (out, text != NULL ? text : "");
    break;
  }

  case FIELD_REASON:
    write_string (out, frame->reason != NULL ? frame->reason
                                             : ag_error_code_describe (frame->code));
    break;

  case FIELD_VALUE:
    if (frame->value != NULL)
      write_string (out, frame->value);
    else if (frame->op == AG_OP_OK)
      g_string_append_len (out, "null", 4);
    else
      write_string (out, "");
    break;

  case FIELD_UID: write_int (out, frame->uid); break;
  case FIELD_CODE: write_int (out, frame->code); break;
  case FIELD_TTL: write_int (out, frame->ttl); break;
  case FIELD_NUM: write_int (out, frame->num); break;
  case FIELD_TS: write_int (out, frame->ts); break;

  case FIELD_STORED:
  case FIELD_ONLINE:
  case FIELD_IN: {
    gboolean value = field == FIELD_STORED ? frame->stored :
                     field == FIELD_ONLINE ? frame->online : frame->in;

    g_string_append (out, value ? "true" : "false");
    break;
  }

  case FIELD_MEMBERS:
    write_members (out, frame->members);
    break;

  case FIELD_ATTRS:
    write_attrs (out, frame->attrs);
    break;

  default:
    g_assert_not_reached ();
  }
}

/* A generous guess of the encoded size, so that the common frame needs one allocation. */
static gsize
estimate_size (const AgFrame *frame)
{
  gsize size = 64;

  for (Field field = FIELD_APP_ID; field <= FIELD_REASON; field++) {
    const char *text = frame_string (frame, field);

    if (text != NULL)
      size += strlen (text) + 16;
  }

  if (frame->members != NULL)
    size += (gsize) frame->members->len * 48;

  if (frame->attrs != NULL)
    size += (gsize) g_hash_table_size (frame->attrs) * 64;

  return size;
}

/**
 * ag_frame_encode:
 * @frame: a frame
 *
 * Serializes @frame to compact JSON with the fields docs/protocol.md gives its op. Requests
 * and "ok" replies carry the fields that are set (see the has_ bits of #AgFrame); events
 * and "error" replies always carry all of theirs, NULL strings written as "" (and a NULL
 * extra as "{}").
 *
 * Returns: (transfer full): the JSON text, not NUL-terminated
 */
/**
 * ag_system_event_to_json:
 * @event: a special-channel event
 *
 * Returns: (transfer full): @event as JSON object text, such as
 *   `{"type":"offline","account":"bob","uid":2,"code":101,"ts":1764099000456}`
 */
char *
ag_system_event_to_json (const AgSystemEvent *event)
{
  static const char * const type_names[] = {
    [AG_SYSTEM_EVENT_ONLINE] = "online",
    [AG_SYSTEM_EVENT_OFFLINE] = "offline",
    [AG_SYSTEM_EVENT_JOIN] = "join",
    [AG_SYSTEM_EVENT_LEAVE] = "leave",
  };
  gboolean membership;
  gboolean ended;
  GString *out;

  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail ((guint) event->type < G_N_ELEMENTS (type_names), NULL);
  g_return_val_if_fail (event->account != NULL, NULL);

  membership = event->type == AG_SYSTEM_EVENT_JOIN || event->type == AG_SYSTEM_EVENT_LEAVE;
  ended = event->type == AG_SYSTEM_EVENT_OFFLINE || event->type == AG_SYSTEM_EVENT_LEAVE;
  g_return_val_if_fail (!membership || event->channel != NULL, NULL);

  out = g_string_sized_new (128);

  g_string_append (out, "{\"type\":\"");
  g_string_append (out, type_names[event->type]);
  g_string_append_c (out, '"');
  if (membership) {
    g_string_append (out, ",\"channel\":");
    write_string (out, event->channel);
  }
  g_string_append (out, ",\"account\":");
  write_string (out, event->account);
  g_string_append (out, ",\"uid\":");
  write_int (out, event->uid);
  if (membership) {
    g_string_append (out, ",\"num\":");
    write_int (out, event->num);
  }
  if (ended) {
    g_string_append (out, ",\"code\":");
    write_int (out, event->code);
  }
  g_string_append (out, ",\"ts\":");
  write_int (out, event->ts);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

GBytes *
ag_frame_encode (const AgFrame *frame)
{
  GString *out;
  gboolean write_all;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (op_is_valid (frame->op), NULL);

  write_all = ag_op_is_event (frame->op) || frame->op == AG_OP_ERROR;

  out = g_string_sized_new (estimate_size (frame));

  g_string_append (out, "{\"op\":\"");
  g_string_append (out, op_infos[frame->op].name);
  g_string_append_c (out, '"');

  if (!ag_op_is_event (frame->op)) {
    g_string_append (out, ",\"id\":");
    write_int (out, frame->id);
  }

  for (const Field *field = op_infos[frame->op].fields; *field != FIELD_END; field++) {
    if (write_all || field_is_set (frame, *field))
      write_field (out, frame, *field);
  }

  g_string_append_c (out, '}');

  return g_string_free_to_bytes (out);
}

gboolean
ag_frame_check_text (const char  *data,
                     gsize        length,
                     GError     **error)
{
  const char *problem = NULL;

  if (data == NULL || length == 0 || length > G_MAXSSIZE) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "empty frame");
    return FALSE;
  }

  if (!g_utf8_validate_len (data, length, NULL)) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not valid UTF-8 text");
    return FALSE;
  }

  /* Without a report, an escaped NUL or an unpaired surrogate is malformed too. */
  if (!json_syntax_check (data, length, MAX_JSON_DEPTH, NULL, &problem)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "frame is not JSON: %s",
                 problem);
    return FALSE;
  }

  return TRUE;
}
