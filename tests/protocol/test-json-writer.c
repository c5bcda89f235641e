/* test-json-writer.c: AgJsonWriter writes what json-glib would, for any nesting and text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <json-glib/json-glib.h>

#include "ag-json-writer.h"

/* The same calls on a JsonBuilder and on an AgJsonWriter. */
typedef struct {
  JsonBuilder  *builder;
  AgJsonWriter *writer;
} Pair;

static void
pair_init (Pair *pair)
{
  pair->builder = json_builder_new ();
  pair->writer = ag_json_writer_new ();
}

static void
begin_object (Pair *pair)
{
  json_builder_begin_object (pair->builder);
  ag_json_writer_begin_object (pair->writer);
}

static void
end_object (Pair *pair)
{
  json_builder_end_object (pair->builder);
  ag_json_writer_end_object (pair->writer);
}

static void
begin_array (Pair *pair)
{
  json_builder_begin_array (pair->builder);
  ag_json_writer_begin_array (pair->writer);
}

static void
end_array (Pair *pair)
{
  json_builder_end_array (pair->builder);
  ag_json_writer_end_array (pair->writer);
}

static void
member (Pair       *pair,
        const char *name)
{
  json_builder_set_member_name (pair->builder, name);
  ag_json_writer_set_member_name (pair->writer, name);
}

static void
string (Pair       *pair,
        const char *value)
{
  if (value != NULL)
    json_builder_add_string_value (pair->builder, value);
  else
    json_builder_add_null_value (pair->builder);
  ag_json_writer_add_string_value (pair->writer, value);
}

static void
integer (Pair   *pair,
         gint64  value)
{
  json_builder_add_int_value (pair->builder, value);
  ag_json_writer_add_int_value (pair->writer, value);
}

static void
boolean (Pair     *pair,
         gboolean  value)
{
  json_builder_add_boolean_value (pair->builder, value);
  ag_json_writer_add_boolean_value (pair->writer, value);
}

/* Compares the two texts as parsed values (json-glib and the writer may escape the same
 * character differently) and returns the writer's text. */
static char *
pair_finish (Pair *pair)
{
  g_autoptr(JsonNode) expected = json_builder_get_root (pair->builder);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  char *text = ag_json_writer_free_to_string (pair->writer);

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (expected, json_parser_get_root (parser)));
  g_object_unref (pair->builder);

  return text;
}

static void
test_scalars (void)
{
  static const gint64 numbers[] = { 0, 1, -1, 42, G_MAXINT64, G_MININT64, 1700000000000 };

  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++) {
    g_autofree char *text = NULL;
    Pair pair;

    pair_init (&pair);
    begin_array (&pair);
    integer (&pair, numbers[i]);
    end_array (&pair);
    text = pair_finish (&pair);
  }

  {
    g_autofree char *text = NULL;
    Pair pair;

    pair_init (&pair);
    begin_array (&pair);
    boolean (&pair, TRUE);
    boolean (&pair, FALSE);
    string (&pair, NULL);
    string (&pair, "");
    end_array (&pair);
    text = pair_finish (&pair);
    g_assert_cmpstr (text, ==, "[true,false,null,\"\"]");
  }
}

static void
test_nesting (void)
{
  g_autofree char *text = NULL;
  Pair pair;

  pair_init (&pair);
  begin_object (&pair);
  member (&pair, "op");
  string (&pair, "admin_snapshot");
  member (&pair, "users");
  begin_array (&pair);
  for (int i = 0; i < 3; i++) {
    begin_object (&pair);
    member (&pair, "account");
    string (&pair, i == 1 ? NULL : "alice");
    member (&pair, "uid");
    integer (&pair, i);
    end_object (&pair);
  }
  end_array (&pair);
  member (&pair, "empty");
  begin_object (&pair);
  end_object (&pair);
  member (&pair, "nested");
  begin_array (&pair);
  begin_array (&pair);
  end_array (&pair);
  begin_array (&pair);
  integer (&pair, 7);
  end_array (&pair);
  end_array (&pair);
  end_object (&pair);

  text = pair_finish (&pair);
  g_assert_cmpstr (text, ==,
                   "{\"op\":\"admin_snapshot\",\"users\":["
                   "{\"account\":\"alice\",\"uid\":0},{\"account\":null,\"uid\":1},"
                   "{\"account\":\"alice\",\"uid\":2}],\"empty\":{},\"nested\":[[],[7]]}");
}

static void
test_escapes (void)
{
  static const char *texts[] = {
    "plain", "quote \" and backslash \\", "control \x01\x1f\n\t\r\b\f", "slash /",
    "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80", "\x7f del",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++) {
    g_autofree char *text = NULL;
    Pair pair;

    pair_init (&pair);
    begin_object (&pair);
    member (&pair, texts[i]);
    string (&pair, texts[i]);
    end_object (&pair);
    text = pair_finish (&pair);
  }
}

/* Invalid UTF-8 is repaired rather than written as it is: the text stays valid JSON. */
static void
test_invalid_utf8 (void)
{
  AgJsonWriter *writer = ag_json_writer_new ();
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *data;

  ag_json_writer_begin_array (writer);
  ag_json_writer_add_string_value (writer, "bad \xff\xfe end");
  ag_json_writer_end_array (writer);
  bytes = ag_json_writer_free_to_bytes (writer);
  data = g_bytes_get_data (bytes, &length);
  g_assert_true (g_utf8_validate (data, (gssize) length, NULL));
  g_assert_true (g_str_has_prefix (data, "[\"bad "));
  g_assert_true (g_str_has_suffix (data, " end\"]"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/json-writer/scalars", test_scalars);
  g_test_add_func ("/ag/json-writer/nesting", test_nesting);
  g_test_add_func ("/ag/json-writer/escapes", test_escapes);
  g_test_add_func ("/ag/json-writer/invalid-utf8", test_invalid_utf8);

  return g_test_run ();
}
