/* test-frame-decode.c: the direct client decoder against the tree decoder it replaced
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For every input both decoders must agree: the same frame (ag_frame_equal()), or the same
 * error (code and message) and the same request id. The inputs are the fuzz corpus, cases
 * written for the rules the two decoders implement differently (repeated keys, escaped
 * keys, bad escapes), every escaped BMP character, and seeded mutations of all of them.
 */

#include <string.h>

#include "ag-error.h"
#include "ag-frame-private.h"
#include "ag-limits.h"

#define MUTATIONS_PER_INPUT 200

static guint n_compared;

static void
assert_same_decode (const char *data,
                    gsize       length)
{
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(AgFrame) direct = NULL;
  g_autoptr(AgFrame) tree = NULL;
  gint64 direct_id = -1;
  gint64 tree_id = -1;

  direct = ag_frame_decode (data, length, AG_FRAME_FROM_CLIENT, &direct_id, &direct_error);
  tree = _ag_frame_decode_tree (data, length, AG_FRAME_FROM_CLIENT, &tree_id, &tree_error);
  n_compared++;

  if (ag_frame_equal (direct, tree) && direct_id == tree_id &&
      (direct_error == NULL) == (tree_error == NULL) &&
      (direct_error == NULL ||
       (direct_error->domain == tree_error->domain && direct_error->code == tree_error->code &&
        g_strcmp0 (direct_error->message, tree_error->message) == 0)))
    return;

  g_test_message ("input (%" G_GSIZE_FORMAT " bytes): %.*s", length,
                  (int) MIN (length, 400), data != NULL ? data : "");
  g_test_message ("direct: %s id %" G_GINT64_FORMAT " %d %s", direct != NULL ? "frame" : "error",
                  direct_id, direct_error != NULL ? direct_error->code : 0,
                  direct_error != NULL ? direct_error->message : "");
  g_test_message ("tree:   %s id %" G_GINT64_FORMAT " %d %s", tree != NULL ? "frame" : "error",
                  tree_id, tree_error != NULL ? tree_error->code : 0,
                  tree_error != NULL ? tree_error->message : "");
  g_assert_not_reached ();
}

static void
assert_same_decode_string (const char *text)
{
  assert_same_decode (text, strlen (text));
}

/* Inputs */

static const char * const edge_cases[] = {
  "{\"op\":\"ping\",\"id\":1}",
  " \t\r\n{\"op\":\"ping\",\"id\":1} \n",
  "{\"id\":1,\"op\":\"ping\"}",
  "[{\"op\":\"ping\",\"id\":1}]",
  "\"ping\"",
  "7",
  "null",
  "{}",
  "{\"op\":\"ping\"}",
  "{\"op\":\"ping\",\"id\":0}",
  "{\"op\":\"ping\",\"id\":-1}",
  "{\"op\":\"ping\",\"id\":-0}",
  "{\"op\":\"ping\",\"id\":1.0}",
  "{\"op\":\"ping\",\"id\":1e3}",
  "{\"op\":\"ping\",\"id\":9223372036854775807}",
  "{\"op\":\"ping\",\"id\":-9223372036854775808}",
  "{\"op\":\"ping\",\"id\":true}",
  "{\"op\":\"ping\",\"id\":null}",
  "{\"op\":\"ping\",\"id\":\"1\"}",
  "{\"op\":null,\"id\":1}",
  "{\"op\":7,\"id\":1}",
  "{\"op\":{},\"id\":1}",
  "{\"op\":\"PING\",\"id\":1}",
  "{\"op\":\"ok\",\"id\":1}",
  "{\"op\":\"channel_msg\",\"id\":1}",
  "{\"op\":\"p\\u0069ng\",\"id\":1}",
  "{\"\\u006fp\":\"ping\",\"\\u0069d\":3}",
  "{\"op\":\"ping\\u0000\",\"id\":1}",
  "{\"op\":\"ping\",\"id\":1,\"op\":\"logout\"}",
  "{\"op\":\"ping\",\"id\":1,\"id\":2}",
  "{\"op\":\"ping\",\"id\":1,\"id\":\"x\"}",
  "{\"op\":\"ping\",\"id\":\"x\",\"id\":4}",
  "{\"op\":\"ping\",\"id\":1,\"extra\":{\"a\":[1,2,{\"b\":null}]}}",
  "{\"op\":\"ping\",\"id\":1,\"token\":\"\\u0000\"}",
  "{\"op\":\"ping\",\"id\":1,\"t\\u006fken\":\"\\u0000\"}",
  "{\"op\":\"ping\",\"id\":1,\"\\u0000\":\"\\u0000\"}",
  "{\"op\":\"ping\",\"id\":1,\"nested\":{\"msg\":\"\\u0000\"}}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"account\":\"alice\",\"token\":\"t\"}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"account\":\"al\\u0000ice\",\"token\":\"t\"}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"account\":\"a b\",\"token\":\"t\"}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"account\":\"\\u200b\",\"token\":\"t\"}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"acc\\u006funt\":\"\\ud800\",\"token\":\"t\"}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"account\":\"alice\"}",
  "{\"op\":\"login\",\"id\":2,\"app_id\":\"demo\",\"account\":\"alice\",\"token\":null}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":60}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":0}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":604801}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":-1}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":1.5}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":\"60\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"hi\",\"ttl\":\"\\u0000\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\u0000\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\ud83d\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\udc00\\ud800\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\ud83d\\ude00\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\ud83d\\ud83d\\ude00\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\u00e9\\u20AC\\uFFFD\\uFFFF\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\u0000\",\"msg\":\"ok\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"ok\",\"msg\":\"\\u0000\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\u0000\",\"msg\":7}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"m\\u0073g\":\"\\u0000\",\"msg\":\"ok\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\u0000\",\"m\\u0073g\":\"ok\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"b\\u006fb\",\"msg\":\"hi\"}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":null}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":[\"hi\"]}",
  "{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"\\u0001\"}",
  "{\"op\":\"user_set_attr\",\"id\":4,\"name\":\"n\",\"value\":\"v\"}",
  "{\"op\":\"user_set_attr\",\"id\":4,\"name\":\"n\\u0007\",\"value\":\"v\"}",
  "{\"op\":\"user_set_attr\",\"id\":4,\"name\":\"n\"}",
  "{\"op\":\"user_set_attr\",\"id\":4,\"name\":\"n\",\"value\":null}",
  "{\"op\":\"user_set_attr\",\"id\":4,\"name\":\"n\",\"value\":\"\"}",
  "{\"op\":\"channel_join\",\"id\":5,\"channel\":\"\"}",
  "{\"op\":\"channel_join\",\"id\":5,\"channel\":\"a\\tb\"}",
  "{\"op\":\"channel_join\",\"id\":5,\"channel\":\"a b\"}",
  "{\"op\":\"call_invite\",\"id\":6,\"channel\":\"c\",\"peer\":\"p\"}",
  "{\"op\":\"call_invite\",\"id\":6,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"{\\\"a\\\":1}\"}",
  "{\"op\":\"call_invite\",\"id\":6,\"channel\":\"c\",\"peer\":\"p\",\"extra\":\"[1]\"}",
  "{\"op\":\"call_invite\",\"id\":6,\"channel\":\"c\",\"peer\":\"p\",\"extra\":{}}",
  "{\"op\":\"call_invite\",\"id\":6,\"channel\":\"c\",\"peer\":\"p\","
  "\"extra\":\"{\\\"a\\\":\\\"\\\\u0000\\\"}\"}",
  "{\"op\":\"call_msg\",\"id\":7,\"channel\":\"c\",\"peer\":\"p\",\"msg\":\"12#*\"}",
  "{\"op\":\"call_msg\",\"id\":7,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"text\","
  "\"msg\":\"hi\"}",
  "{\"op\":\"call_msg\",\"id\":7,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"DTMF\","
  "\"msg\":\"x\"}",
  "{\"op\":\"call_msg\",\"id\":7,\"channel\":\"c\",\"peer\":\"p\",\"type\":\"DT\\u004dF\","
  "\"msg\":\"1\"}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"\"}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"\\u0041\\u0042\",\"\\ud800\":1}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"x\"",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"x\"}}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"x\"} {}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"x\\q\"}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"x\\u12\"}",
  "{\"op\":\"channel_send\",\"id\":8,\"msg\":\"x\\",
};

static void
add_corpus (GPtrArray  *inputs,
            const char *dir_path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *entry;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (dir_path, entry, NULL);
    char *data = NULL;
    gsize length = 0;

    if (entry[0] == '.')
      continue;

    g_file_get_contents (path, &data, &length, &error);
    g_assert_no_error (error);
    g_ptr_array_add (inputs, g_bytes_new_take (data, length));
  }
}

/* The tokens of the fuzzer's dictionary (lines name="text", with \\ and \" and \xNN). */
static GPtrArray *
load_dictionary (const char *path)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *start = strchr (lines[i], '"');
    const char *end = strrchr (lines[i], '"');
    GByteArray *token;

    if (lines[i][0] == '#' || start == NULL || end == start)
      continue;

    token = g_byte_array_new ();
    for (const char *p = start + 1; p < end; p++) {
      guint8 byte = (guint8) *p;

      if (*p == '\\' && p + 1 < end && p[1] == 'x' && p + 3 < end &&
          g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3])) {
        byte = (guint8) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3]));
        p += 3;
      } else if (*p == '\\' && p + 1 < end) {
        byte = (guint8) *++p;
      }
      g_byte_array_append (token, &byte, 1);
    }
    g_ptr_array_add (tokens, g_byte_array_free_to_bytes (token));
  }

  g_assert_cmpuint (tokens->len, >, 10);
  return g_steal_pointer (&tokens);
}

/* One seeded edit of input: a byte replaced, removed or repeated, a dictionary token put in
 * or over it, a cut, or a part of the input copied elsewhere (repeated keys). */
static GByteArray *
mutate (GBytes    *input,
        GPtrArray *tokens,
        GRand     *rand)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (input, &length);
  GByteArray *out = g_byte_array_sized_new ((guint) length + 64);
  guint n_edits = (guint) g_rand_int_range (rand, 1, 4);

  g_byte_array_append (out, data, (guint) length);

  for (guint edit = 0; edit < n_edits; edit++) {
    guint pos = out->len > 0 ? (guint) g_rand_int_range (rand, 0, (gint32) out->len) : 0;
    GBytes *token = g_ptr_array_index (tokens, g_rand_int_range (rand, 0, (gint32) tokens->len));
    gsize token_len = 0;
    const guint8 *token_data = g_bytes_get_data (token, &token_len);

    switch (g_rand_int_range (rand, 0, 7)) {
    case 0:
      if (out->len > 0)
        out->data[pos] = (guint8) g_rand_int_range (rand, 0, 256);
      break;
    case 1:
      if (out->len > 0)
        g_byte_array_remove_index (out, pos);
      break;
    case 2:
      if (out->len > 0)
        g_array_insert_vals ((GArray *) out, pos, out->data + pos, 1);
      break;
    case 3:
      /* A GByteArray is a GArray of bytes. */
      g_array_insert_vals ((GArray *) out, pos, token_data, (guint) token_len);
      break;
    case 4:
      for (gsize i = 0; i < token_len && pos + i < out->len; i++)
        out->data[pos + i] = token_data[i];
      break;
    case 5:
      g_byte_array_set_size (out, pos);
      break;
    default:
      if (out->len > 2) {
        guint from = (guint) g_rand_int_range (rand, 0, (gint32) out->len);
        guint span = (guint) g_rand_int_range (rand, 1, (gint32) MIN (out->len - from, 40) + 1);
        g_autofree guint8 *copy = g_memdup2 (out->data + from, span);

        g_array_insert_vals ((GArray *) out, pos, copy, span);
      }
      break;
    }
  }

  return out;
}

/* Tests */

static void
test_decode_edge_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (edge_cases); i++)
    assert_same_decode_string (edge_cases[i]);

  assert_same_decode (NULL, 0);
  assert_same_decode ("{\"op\":\"ping\",\"id\":1}", 0);
  assert_same_decode ("{\"op\":\"ping\",\"id\":1}\0", 21);
  assert_same_decode ("{\"op\":\"channel_send\",\"id\":1,\"msg\":\"\xff\"}", 37);
}

static void
test_decode_corpus (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  add_corpus (inputs, AG_TEST_FUZZ_DIR "/corpus");
  add_corpus (inputs, AG_TEST_FUZZ_DIR "/corpus-hub");
  g_assert_cmpuint (inputs->len, >=, 80);

  for (guint i = 0; i < inputs->len; i++) {
    gsize length = 0;
    const char *data = g_bytes_get_data (g_ptr_array_index (inputs, i), &length);

    assert_same_decode (data, length);
  }
}

/* Every BMP character escaped, in a value (unescaped into the frame) and in a key (matched
 * after unescaping), with a repeated key in the same frame. */
static void
test_decode_every_escape (void)
{
  for (guint c = 1; c <= 0xFFFF; c++) {
    g_autofree char *value = g_strdup_printf ("{\"op\":\"channel_send\",\"id\":%u,"
                                              "\"msg\":\"a\\u%04X\\u%04xb\"}", c, c, c);
    g_autofree char *key = NULL;

    assert_same_decode_string (value);

    if (c < 0x80 || c % 64 == 0) {
      key = g_strdup_printf ("{\"op\":\"user_get_attr\",\"id\":1,\"name\":\"n\","
                             "\"\\u%04xccount\":\"x\",\"account\":\"y\"}", c);
      assert_same_decode_string (key);
    }
  }

  for (guint high = 0xD800; high <= 0xDBFF; high += 0x3F) {
    for (guint low = 0xDC00; low <= 0xDFFF; low += 0x7F) {
      g_autofree char *pair = g_strdup_printf ("{\"op\":\"channel_send\",\"id\":1,"
                                               "\"msg\":\"\\u%04x\\u%04x\"}", high, low);

      assert_same_decode_string (pair);
    }
  }
}

static void
test_decode_mutations (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) tokens = load_dictionary (AG_TEST_FUZZ_DIR "/frame.dict");
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  guint before = n_compared;

  add_corpus (inputs, AG_TEST_FUZZ_DIR "/corpus");
  for (guint i = 0; i < G_N_ELEMENTS (edge_cases); i++)
    g_ptr_array_add (inputs, g_bytes_new_static (edge_cases[i], strlen (edge_cases[i])));

  for (guint i = 0; i < inputs->len; i++) {
    GBytes *input = g_ptr_array_index (inputs, i);

    for (guint n = 0; n < MUTATIONS_PER_INPUT; n++) {
      g_autoptr(GByteArray) mutated = mutate (input, tokens, rand);

      assert_same_decode ((const char *) mutated->data, mutated->len);
    }
  }

  g_test_message ("%u mutated inputs compared", n_compared - before);
}

/* The ASCII fast path of the UTF-8 check gives GLib's answer, wherever the first byte that
 * is not plain ASCII falls in a word. */
static void
test_decode_utf8_check (void)
{
  static const char * const pieces[] = {
    "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80",
    "\xc0\xaf", "", "\x7f",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);

  for (guint n = 0; n < 20000; n++) {
    g_autoptr(GString) text = g_string_new (NULL);
    guint ascii = (guint) g_rand_int_range (rand, 0, 40);

    for (guint i = 0; i < ascii; i++)
      g_string_append_c (text, (char) g_rand_int_range (rand, 0x20, 0x7f));
    g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
    if (g_rand_boolean (rand))
      g_string_append_len (text, "\0", 1);
    for (guint i = (guint) g_rand_int_range (rand, 0, 12); i > 0; i--)
      g_string_append_c (text, (char) g_rand_int_range (rand, 0x20, 0x7f));

    g_assert_cmpint (_ag_utf8_validate_len (text->str, text->len), ==,
                     g_utf8_validate_len (text->str, text->len, NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/frame-decode/edge-cases", test_decode_edge_cases);
  g_test_add_func ("/ag/frame-decode/corpus", test_decode_corpus);
  g_test_add_func ("/ag/frame-decode/every-escape", test_decode_every_escape);
  g_test_add_func ("/ag/frame-decode/mutations", test_decode_mutations);
  g_test_add_func ("/ag/frame-decode/utf8-check", test_decode_utf8_check);

  return g_test_run ();
}
