/* ag-frame-private.h: what the parts of the frame code share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The frame code is split by role, as the hub is:
 * - ag-frame.c: the frame model, the op and field tables and the field checks;
 * - ag-frame-syntax.c: the strict RFC 8259 scanner every decoder starts with;
 * - ag-frame-decode.c: client frames, decoded by the scanner into the typed frame directly;
 * - ag-frame-decode-tree.c: frames decoded through a json-glib tree (server frames, which
 *   clients read, and the client decoder the direct one replaced, kept as its reference);
 * - ag-frame-encode.c: frames and system events written as JSON text.
 */
#pragma once

#include "ag-frame.h"

G_BEGIN_DECLS

/* Protocol frames nest three levels at most (reply, roster, member). The margin is for
 * forward-compatible fields we ignore, the bound for JsonParser's recursion. */
#define AG_FRAME_MAX_JSON_DEPTH  32
#define AG_FRAME_DEFAULT_EXTRA    "{}"
#define AG_FRAME_DEFAULT_CALL_MSG_TYPE "DTMF"

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
} AgField;

typedef struct {
  const char *name;     /* the wire key */
  gsize       name_len;
  const char *key;      /* the key as the encoder writes it, after a previous member */
  gsize       key_len;
} AgFieldInfo;

#define AG_OP_MAX_FIELDS 13

typedef struct {
  const char *name;
  AgField     fields[AG_OP_MAX_FIELDS];   /* wire order, ends at FIELD_END */
} AgOpInfo;

extern const AgFieldInfo _ag_field_infos[N_FIELDS];
extern const AgOpInfo    _ag_op_infos[AG_OP_LAST];

static inline gboolean
_ag_op_is_valid (AgOp op)
{
  return op > AG_OP_INVALID && op < AG_OP_LAST;
}

static inline gboolean
_ag_op_is_reply (AgOp op)
{
  return op == AG_OP_OK || op == AG_OP_ERROR;
}

const char *_ag_field_default          (AgOp           op,
                                        AgField        field);
char      **_ag_frame_string_slot      (AgFrame       *frame,
                                        AgField        field);
void        _ag_frame_member_free      (gpointer       data);

static inline const char *
_ag_frame_string (const AgFrame *frame,
                  AgField        field)
{
  return *_ag_frame_string_slot ((AgFrame *) frame, field);
}

/* The field check of a string field of a client frame: AG_ERROR_SUCCESS or the code to
 * answer with, and in *problem the text of the error. A call_msg's msg is checked against
 * its type, so the type must be decoded first (it comes first in the op's fields). */
int         _ag_frame_check_client_string (const AgFrame  *frame,
                                           AgField         field,
                                           const char     *value,
                                           const char    **problem);

/* g_utf8_validate_len() (NUL bytes refused) with runs of ASCII checked 8 bytes at a time:
 * message text is mostly ASCII. */
gboolean    _ag_utf8_validate_len      (const char    *text,
                                        gsize          length);

gboolean    _ag_frame_set_field_error  (GError        **error,
                                        int             code,
                                        AgField         field,
                                        const char     *problem);

/* The strict JSON scanner */

typedef enum {
  AG_JSON_STRING,
  AG_JSON_INTEGER,   /* no fraction, no exponent; always fits in gint64 */
  AG_JSON_NUMBER,    /* any other number */
  AG_JSON_TRUE,
  AG_JSON_FALSE,
  AG_JSON_NULL,
  AG_JSON_OBJECT,
  AG_JSON_ARRAY,
} AgJsonKind;

/* A key or a value as found in the text. A string's span is its contents between the
 * quotes, still escaped; a container's span is its opening bracket only. */
typedef struct {
  gsize       start;
  gsize       length;
  gint64      integer;        /* AG_JSON_INTEGER */
  AgJsonKind  kind;
  guint       escaped : 1;    /* a string with at least one backslash */
  guint       bad_escape : 1; /* a string with \u0000 or an unpaired surrogate */
} AgJsonSpan;

typedef void (*AgJsonMemberFunc) (const char       *text,
                                  const AgJsonSpan *key,
                                  const AgJsonSpan *value,
                                  gpointer          user_data);

/* Every value at every depth, in text order: depth is the number of containers around it (0
 * for the text itself), key its key in an object (NULL in an array or at depth 0). A
 * container is reported at its opening bracket, then its values, then close_func with the
 * container's own depth. */
typedef void (*AgJsonValueFunc)  (const char       *text,
                                  guint             depth,
                                  const AgJsonSpan *key,
                                  const AgJsonSpan *value,
                                  gpointer          user_data);
typedef void (*AgJsonCloseFunc)  (guint             depth,
                                  gpointer          user_data);

/* Options of one scan. Without them (or with allow_bad_escapes FALSE) \u0000 and unpaired
 * surrogates are syntax errors; with it they are flagged on their string (bad_escape) and
 * the offsets of their backslashes are added to bad_escapes when it is set. member_func is
 * called for each member of a top-level object, in text order, with the member's value;
 * value_func and close_func walk the whole text. The callbacks see a prefix of the text that
 * is valid so far: the scan may still fail after them. */
typedef struct {
  gboolean          allow_bad_escapes;
  GArray           *bad_escapes;
  AgJsonMemberFunc  member_func;
  AgJsonValueFunc   value_func;
  AgJsonCloseFunc   close_func;
  gpointer          user_data;
} AgJsonScan;

/* Accepts exactly one RFC 8259 JSON text (valid UTF-8 is checked by the caller) nested at
 * most max_depth (<= 64) levels; on failure *problem says why. */
gboolean    _ag_json_scan              (const char    *text,
                                        gsize          length,
                                        guint          max_depth,
                                        AgJsonScan    *scan,
                                        const char   **problem);

/* The text of a string span without its escapes, into out, which holds at least
 * span->length + 1 bytes (unescaping never lengthens). The span must not hold a bad escape.
 * Returns the length written before the terminating NUL. */
gsize       _ag_json_unescape          (const char       *text,
                                        const AgJsonSpan *span,
                                        char             *out);

/* The framing checks every decoder starts with (length, UTF-8): FALSE with 1200 set. */
gboolean    _ag_frame_check_framing    (const char    *data,
                                        gsize          length,
                                        GError       **error);

/* Decoders */

AgFrame    *_ag_frame_decode_client    (const char    *data,
                                        gsize          length,
                                        gint64        *out_id,
                                        GError       **error);

/* ag_frame_decode() of the tree decoder: the same contract, through a json-glib tree. */
AgFrame    *_ag_frame_decode_tree      (const char    *data,
                                        gsize          length,
                                        AgFrameOrigin  origin,
                                        gint64        *out_id,
                                        GError       **error);

G_END_DECLS
