/* ag-frame.h: typed frames of the agsignal.v1 protocol and their JSON encoding.
 *
 * The protocol layer is the only place that touches json-glib (and client frames are
 * decoded without it, see ag-frame-private.h): everything above (hub, server, client
 * library) sees AgFrame structs. docs/protocol.md is the reference for every op and field.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AG_OP_INVALID = 0,

  /* Requests (client -> server); each carries an id. */
  AG_OP_LOGIN,
  AG_OP_LOGOUT,
  AG_OP_PING,
  AG_OP_MSG_SEND,
  AG_OP_USER_SET_ATTR,
  AG_OP_USER_GET_ATTR,
  AG_OP_USER_GET_ATTR_ALL,
  AG_OP_CHANNEL_QUERY_NUM,
  AG_OP_USER_STATUS,
  AG_OP_CHANNEL_IS_IN,
  AG_OP_CHANNEL_JOIN,
  AG_OP_CHANNEL_LEAVE,
  AG_OP_CHANNEL_SEND,
  AG_OP_CHANNEL_SET_ATTR,
  AG_OP_CHANNEL_DEL_ATTR,
  AG_OP_CHANNEL_CLEAR_ATTR,
  AG_OP_CALL_INVITE,
  AG_OP_CALL_ACCEPT,
  AG_OP_CALL_REFUSE,
  AG_OP_CALL_END,
  AG_OP_CALL_MSG,

  /* Replies (server -> client); each carries the request's id. */
  AG_OP_OK,
  AG_OP_ERROR,

  /* Events (server -> client); no id. */
  AG_OP_EV_LOGOUT,
  AG_OP_EV_MSG,
  AG_OP_EV_CHANNEL_USER_JOINED,
  AG_OP_EV_CHANNEL_USER_LEFT,
  AG_OP_EV_CHANNEL_MSG,
  AG_OP_EV_CHANNEL_ATTR,
  AG_OP_EV_CHANNEL_LEFT,        /* an operator removed the session from its channel */
  AG_OP_EV_CALL_INCOMING,
  AG_OP_EV_CALL_RECEIVED,
  AG_OP_EV_CALL_ACCEPTED,
  AG_OP_EV_CALL_REFUSED,
  AG_OP_EV_CALL_FAILED,
  AG_OP_EV_CALL_ENDED,
  AG_OP_EV_CALL_MSG,

  AG_OP_LAST
} AgOp;

/* Which side sent the frame being decoded: the same wire name ("logout", "call_msg") is a
 * request from a client and an event from the server. */
typedef enum {
  AG_FRAME_FROM_CLIENT,
  AG_FRAME_FROM_SERVER,
} AgFrameOrigin;

typedef struct {
  char    *account;
  guint32  uid;
} AgFrameMember;

/* One frame. Only the fields that docs/protocol.md lists for the op are meaningful; the
 * others stay NULL / 0 / FALSE. Strings are owned by the frame. */
typedef struct {
  AgOp        op;
  gint64      id;        /* request id; 0 for events */

  char       *app_id;
  char       *account;
  char       *token;
  char       *peer;
  char       *channel;
  char       *name;
  char       *value;     /* NULL: unset (user_get_attr reply "value": null) */
  char       *msg;
  char       *extra;     /* JSON object text */
  char       *type;      /* channel_attr: update/del/clear; call_msg: DTMF or free */
  char       *reason;

  guint32     uid;
  int         code;
  gint64      ttl;
  gint64      num;
  gint64      ts;        /* Unix milliseconds */

  gboolean    stored;    /* msg_send reply */
  gboolean    online;    /* user_status reply */
  gboolean    in;        /* channel_is_in reply */

  GPtrArray  *members;   /* of AgFrameMember*, channel_join reply; NULL when absent */
  GHashTable *attrs;     /* char* -> char*, channel_join and user_get_attr_all replies */

  /* Which optional keys the decoder saw (a reply's fields depend on the request). */
  guint       has_ttl : 1;
  guint       has_value : 1;
  guint       has_uid : 1;

  /* The same for the other result fields of "ok" replies. The encoder writes a result field
   * of an "ok" reply when it is non-zero / TRUE / non-NULL or when its has_ bit is set, so a
   * reply whose num is 0 or whose stored / online / in is FALSE sets the bit (has_value with
   * value NULL writes "value": null). Requests and events always carry their fields. */
  guint       has_num : 1;
  guint       has_ts : 1;
  guint       has_stored : 1;
  guint       has_online : 1;
  guint       has_in : 1;
} AgFrame;

AgFrame    *ag_frame_new            (AgOp           op);
AgFrame    *ag_frame_new_ok         (gint64         id);
AgFrame    *ag_frame_new_error      (gint64         id,
                                     int            code,
                                     const char    *reason);
void        ag_frame_free           (AgFrame       *frame);

/* TRUE when both frames hold the same op, id, fields, has_ bits, roster (in order) and
 * attributes. Either may be NULL. */
gboolean    ag_frame_equal          (const AgFrame *a,
                                     const AgFrame *b);

/* Adds a roster entry, creating frame->members on first use. */
void        ag_frame_add_member     (AgFrame       *frame,
                                     const char    *account,
                                     guint32        uid);
/* Sets an attribute, creating frame->attrs on first use. */
void        ag_frame_set_attr       (AgFrame       *frame,
                                     const char    *name,
                                     const char    *value);

/* The op's wire name ("channel_join"), or NULL for AG_OP_INVALID / AG_OP_LAST. */
const char *ag_op_to_string         (AgOp           op);
/* The op for a wire name as sent by origin, or AG_OP_INVALID. */
AgOp        ag_op_from_string       (const char    *name,
                                     AgFrameOrigin  origin);
gboolean    ag_op_is_request        (AgOp           op);
gboolean    ag_op_is_event          (AgOp           op);

/* Parses and validates one text frame (types, required keys, limits of docs/protocol.md).
 * On failure returns NULL with an AG_ERROR (1200 malformed, 1201 unknown op, 1004 wrong
 * parameter, 1005 too large, 209 bad login account) and, when the frame was parsed far enough
 * to find it, the request id in *out_id (else 0). Never aborts on any input. */
AgFrame    *ag_frame_decode         (const char    *data,
                                     gsize          length,
                                     AgFrameOrigin  origin,
                                     gint64        *out_id,
                                     GError       **error);

/* The framing checks of ag_frame_decode() alone (UTF-8, JSON syntax and depth, no escaped
 * NUL or unpaired surrogate), for the admin decoder; 1200 on failure. */
gboolean    ag_frame_check_text     (const char    *data,
                                     gsize          length,
                                     GError       **error);

/* Serializes a frame to compact JSON text (not NUL-terminated in the GBytes). */
GBytes     *ag_frame_encode         (const AgFrame *frame);

/* The events of the special channels (docs/protocol.md, "Special channels"), carried as the
 * msg text of channel_msg events from AG_SYSTEM_ACCOUNT. */
typedef enum {
  AG_SYSTEM_EVENT_ONLINE,      /* in AG_SPECIAL_CHANNEL_USER_ONLINE */
  AG_SYSTEM_EVENT_OFFLINE,
  AG_SYSTEM_EVENT_JOIN,        /* in AG_SPECIAL_CHANNEL_EVENTS */
  AG_SYSTEM_EVENT_LEAVE,
} AgSystemEventType;

typedef struct {
  AgSystemEventType  type;
  const char        *channel;  /* join and leave only */
  const char        *account;
  guint32            uid;
  guint              num;      /* join and leave only: members after the change */
  int                code;     /* offline and leave only */
  gint64             ts;       /* milliseconds since the Unix epoch */
} AgSystemEvent;

/* The event as compact JSON object text, keys in the order of docs/protocol.md. */
char       *ag_system_event_to_json (const AgSystemEvent *event);

/* Why an account is refused (ag_account_find_problem()). */
typedef enum {
  AG_ACCOUNT_PROBLEM_NONE,
  AG_ACCOUNT_PROBLEM_EMPTY,
  AG_ACCOUNT_PROBLEM_NOT_UTF8,
  AG_ACCOUNT_PROBLEM_TOO_LONG,     /* more than AG_LIMIT_NAME_CHARS characters */
  AG_ACCOUNT_PROBLEM_SPACE,        /* a space, tab, newline or other whitespace */
  AG_ACCOUNT_PROBLEM_INVISIBLE,    /* a control, format, unassigned or invisible character */
} AgAccountProblem;

AgAccountProblem ag_account_find_problem (const char *account,
                                          gunichar   *out_char,
                                          glong      *out_position);

/* Checks shared by the decoder and by callers that validate before sending: each returns
 * AG_ERROR_SUCCESS or the code the server would answer with. */
int         ag_check_account        (const char    *account);  /* 209 */
int         ag_check_name           (const char    *name);     /* 1004 empty/bad, 1005 long */
int         ag_check_msg            (const char    *msg);      /* 1005 */
int         ag_check_attr_value     (const char    *value);    /* 1005 */
int         ag_check_extra          (const char    *extra);    /* 1004 not object, 1005 */
int         ag_check_dtmf           (const char    *digits);   /* 1004 */

/* The keys of a table with string keys, sorted by strcmp (), in a NULL-terminated array the
 * caller frees with g_free () (the strings stay the table's). A NULL table has none. */
const char **ag_sorted_keys         (GHashTable    *table,
                                     guint         *n_keys);

/* Appends text as a JSON string (RFC 8259 escapes; invalid UTF-8 repaired), or null. */
void         ag_json_append_string  (GString       *out,
                                     const char    *text);
void         ag_json_append_int     (GString       *out,
                                     gint64         value);

/* Milliseconds since the Unix epoch for a g_get_real_time()-style microsecond clock. */
static inline gint64
ag_ts_from_us (gint64 us)
{
  return us / 1000;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgFrame, ag_frame_free)

G_END_DECLS
