/* ag-frame-syntax.c: the strict RFC 8259 scanner every frame decoder starts with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib 1.6 accepts comments, single quotes, hex numbers and trailing documents, wraps
 * integers that do not fit in 64 bits, and truncates or mangles strings at \u0000 and
 * unpaired surrogates, so no text reaches it, or any other decoder, before this scanner
 * accepted it. The scanner allocates nothing; it reports the members of a top-level object
 * to a callback as spans of the text, which is all the client decoder needs to build a
 * frame without a tree, and, for decoders of nested records (admin snapshots), every value
 * at every depth and the end of every container.
 */

#include "ag-frame-private.h"

#include <string.h>

#include "ag-error.h"

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

#define BYTES_ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define BYTES_HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Non-zero when one of the 8 bytes of word ends or escapes a string or is a control
 * character: '"', '\\' or a byte < 0x20 (bytes >= 0x80 are UTF-8, checked by the caller). */
static inline guint64
word_stops_string (guint64 word)
{
  guint64 quote = word ^ (BYTES_ONES * '"');
  guint64 backslash = word ^ (BYTES_ONES * '\\');

  return (((word - BYTES_ONES * 0x20) & ~word) |
          ((quote - BYTES_ONES) & ~quote) |
          ((backslash - BYTES_ONES) & ~backslash)) & BYTES_HIGHS;
}

/* Scans a string starting at its opening quote; *pos ends after the closing quote and span
 * gets its contents. Rejects raw control characters and unknown escapes. \u0000 and
 * unpaired surrogates are refused too, unless the scan allows them. */
static gboolean
scan_string (const char  *text,
             gsize        length,
             gsize       *pos,
             AgJsonScan  *scan,
             AgJsonSpan  *span,
             const char **problem)
{
  gsize i = *pos + 1;

  span->kind = AG_JSON_STRING;
  span->start = i;
  span->escaped = FALSE;
  span->bad_escape = FALSE;

  while (i < length) {
    guchar c;
    guint unit;
    guint low;

    /* Message text is mostly plain: skip it 8 bytes at a time. */
    if (length - i >= 8) {
      guint64 word;
      guint64 stops;

      memcpy (&word, text + i, sizeof word);
      stops = word_stops_string (word);
      if (stops == 0) {
        i += 8;
        continue;
      }
#if defined(__GNUC__) && G_BYTE_ORDER == G_LITTLE_ENDIAN
      /* Straight to the first byte that stops: the lowest flag is always right (a borrow
       * can only flag bytes above it), and keys and records are mostly short strings. */
      i += (gsize) __builtin_ctzll (stops) / 8;
#endif
    }

    c = (guchar) text[i];

    if (c == '"') {
      span->length = i - span->start;
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

    span->escaped = TRUE;

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
        if (scan == NULL || !scan->allow_bad_escapes) {
          *problem = unit == 0 ? "NUL character in a string" : "unpaired surrogate in a string";
          return FALSE;
        }

        span->bad_escape = TRUE;
        if (scan->bad_escapes != NULL)
          g_array_append_val (scan->bad_escapes, i);
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
 * because JsonParser wraps the ones that do not; span gets their value. */
static gboolean
scan_number (const char  *text,
             gsize        length,
             gsize       *pos,
             AgJsonSpan  *span,
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

  span->kind = integer ? AG_JSON_INTEGER : AG_JSON_NUMBER;
  span->start = *pos;
  span->length = i - *pos;
  /* Two's complement: the negation of 2^63 as an unsigned value is G_MININT64. */
  span->integer = integer ? (gint64) (negative ? (guint64) 0 - value : value) : 0;

  *pos = i;
  return TRUE;
}

static gboolean
scan_literal (const char  *text,
              gsize        length,
              gsize       *pos,
              AgJsonSpan  *span,
              const char **problem)
{
  static const struct {
    const char *text;
    gsize       length;
    AgJsonKind  kind;
  } literals[] = {
    { "true", 4, AG_JSON_TRUE },
    { "false", 5, AG_JSON_FALSE },
    { "null", 4, AG_JSON_NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++) {
    gsize n = literals[i].length;

    if (length - *pos >= n && memcmp (text + *pos, literals[i].text, n) == 0) {
      span->kind = literals[i].kind;
      span->start = *pos;
      span->length = n;
      *pos += n;
      return TRUE;
    }
  }

  *problem = "unexpected character";
  return FALSE;
}

/* Whether a value at depth is a member of an object (else an array element or the text). */
static inline gboolean
is_member (guint64 objects,
           guint   depth)
{
  return depth > 0 && ((objects >> (depth - 1)) & 1);
}

gboolean
_ag_json_scan (const char  *text,
               gsize        length,
               guint        max_depth,
               AgJsonScan  *scan,
               const char **problem)
{
  /* Bit n is set when the container at depth n is an object. */
  guint64 objects = 0;
  guint depth = 0;
  SyntaxState state = WANT_VALUE;
  gsize pos = 0;
  AgJsonSpan key = { 0, };
  AgJsonSpan value = { 0, };
  gboolean report_members = scan != NULL && scan->member_func != NULL;
  AgJsonValueFunc value_func = scan != NULL ? scan->value_func : NULL;
  AgJsonCloseFunc close_func = scan != NULL ? scan->close_func : NULL;

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
        if (close_func != NULL)
          close_func (depth, scan->user_data);
        state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
        break;
      }

      if (c == '{' || c == '[') {
        if (depth >= max_depth) {
          *problem = "nested too deeply";
          return FALSE;
        }

        if (report_members && depth == 1 && (objects & 1)) {
          value.kind = c == '{' ? AG_JSON_OBJECT : AG_JSON_ARRAY;
          value.start = pos;
          value.length = 1;
          scan->member_func (text, &key, &value, scan->user_data);
        }

        if (value_func != NULL) {
          value.kind = c == '{' ? AG_JSON_OBJECT : AG_JSON_ARRAY;
          value.start = pos;
          value.length = 1;
          value_func (text, depth, is_member (objects, depth) ? &key : NULL, &value,
                      scan->user_data);
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
        if (!scan_string (text, length, &pos, scan, &value, problem))
          return FALSE;
      } else if (c == '-' || g_ascii_isdigit (c)) {
        if (!scan_number (text, length, &pos, &value, problem))
          return FALSE;
      } else if (!scan_literal (text, length, &pos, &value, problem)) {
        return FALSE;
      }

      if (report_members && depth == 1 && (objects & 1))
        scan->member_func (text, &key, &value, scan->user_data);
      if (value_func != NULL)
        value_func (text, depth, is_member (objects, depth) ? &key : NULL, &value,
                    scan->user_data);

      state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
      break;

    case WANT_KEY_OR_CLOSE:
    case WANT_KEY:
      if (c == '}' && state == WANT_KEY_OR_CLOSE) {
        pos++;
        depth--;
        if (close_func != NULL)
          close_func (depth, scan->user_data);
        state = depth == 0 ? WANT_END : WANT_COMMA_OR_CLOSE;
        break;
      }

      if (c != '"') {
        *problem = "expected an object key";
        return FALSE;
      }

      if (!scan_string (text, length, &pos, scan, &key, problem))
        return FALSE;

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
        if (close_func != NULL)
          close_func (depth, scan->user_data);
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

/* Appends the UTF-8 of c to out; returns the new end. */
static inline char *
put_unichar (char     *out,
             gunichar  c)
{
  return out + g_unichar_to_utf8 (c, out);
}

gsize
_ag_json_unescape (const char       *text,
                   const AgJsonSpan *span,
                   char             *out)
{
  const char *p = text + span->start;
  const char *end = p + span->length;
  char *o = out;

  g_assert (span->kind == AG_JSON_STRING && !span->bad_escape);

  while (p < end) {
    const char *backslash = memchr (p, '\\', (gsize) (end - p));
    guint unit = 0;
    guint low = 0;

    if (backslash == NULL) {
      memcpy (o, p, (gsize) (end - p));
      o += end - p;
      break;
    }

    memcpy (o, p, (gsize) (backslash - p));
    o += backslash - p;
    p = backslash;

    /* The scanner accepted the string, so every escape is complete and known. */
    switch (p[1]) {
    case 'b': *o++ = '\b'; p += 2; break;
    case 'f': *o++ = '\f'; p += 2; break;
    case 'n': *o++ = '\n'; p += 2; break;
    case 'r': *o++ = '\r'; p += 2; break;
    case 't': *o++ = '\t'; p += 2; break;
    case 'u':
      scan_hex4 (p, 6, 2, &unit);
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        /* No bad escape: a low surrogate follows. */
        scan_hex4 (p, 12, 8, &low);
        o = put_unichar (o, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        p += 12;
      } else {
        o = put_unichar (o, unit);
        p += 6;
      }
      break;
    default:   /* '"', '\\', '/' */
      *o++ = p[1];
      p += 2;
      break;
    }
  }

  *o = '\0';
  return (gsize) (o - out);
}

gboolean
_ag_frame_check_framing (const char  *data,
                         gsize        length,
                         GError     **error)
{
  if (data == NULL || length == 0 || length > G_MAXSSIZE) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "empty frame");
    return FALSE;
  }

  /* Also rejects NUL bytes, which JsonParser would stop at. */
  if (!_ag_utf8_validate_len (data, length)) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not valid UTF-8 text");
    return FALSE;
  }

  return TRUE;
}

gboolean
ag_frame_check_text (const char  *data,
                     gsize        length,
                     GError     **error)
{
  const char *problem = NULL;

  if (!_ag_frame_check_framing (data, length, error))
    return FALSE;

  /* Without a scan that allows them, an escaped NUL or an unpaired surrogate is malformed. */
  if (!_ag_json_scan (data, length, AG_FRAME_MAX_JSON_DEPTH, NULL, &problem)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "frame is not JSON: %s",
                 problem);
    return FALSE;
  }

  return TRUE;
}
