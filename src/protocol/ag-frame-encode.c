/* ag-frame-encode.c: frames and system events written as JSON text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Encoding writes JSON text directly, because a channel message is encoded once and its
 * bytes fanned out to every member.
 */

#include "ag-frame-private.h"

#include <stdlib.h>
#include <string.h>

#include "ag-error.h"

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
           AgField  field)
{
  g_string_append_len (out, _ag_field_infos[field].key, _ag_field_infos[field].key_len);
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

void
ag_json_append_int (GString *out,
                    gint64   value)
{
  write_int (out, value);
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
              AgField        field)
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
    return _ag_frame_string (frame, field) != NULL;
  default:
    return FALSE;
  }
}

static void
write_field (GString       *out,
             const AgFrame *frame,
             AgField        field)
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
    const char *text = _ag_frame_string (frame, field);

    if (text == NULL)
      text = _ag_field_default (frame->op, field);
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

  for (AgField field = FIELD_APP_ID; field <= FIELD_REASON; field++) {
    const char *text = _ag_frame_string (frame, field);

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
GBytes *
ag_frame_encode (const AgFrame *frame)
{
  GString *out;
  gboolean write_all;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (_ag_op_is_valid (frame->op), NULL);

  write_all = ag_op_is_event (frame->op) || frame->op == AG_OP_ERROR;

  out = g_string_sized_new (estimate_size (frame));

  g_string_append (out, "{\"op\":\"");
  g_string_append (out, _ag_op_infos[frame->op].name);
  g_string_append_c (out, '"');

  if (!ag_op_is_event (frame->op)) {
    g_string_append (out, ",\"id\":");
    write_int (out, frame->id);
  }

  for (const AgField *field = _ag_op_infos[frame->op].fields; *field != FIELD_END; field++) {
    if (write_all || field_is_set (frame, *field))
      write_field (out, frame, *field);
  }

  g_string_append_c (out, '}');

  return g_string_free_to_bytes (out);
}
