/* test-admin-snapshot.c: the direct decoder of admin_snapshot frames against the tree decoder
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "ag-admin-frame.h"
#include "ag-admin-snapshot.h"
#include "ag-error.h"

/* Both decoders of one frame: the same records, or the same error. */
static void
assert_decoders_agree (const char *text,
                       gsize       length)
{
  g_autoptr(AgAdminSnapshot) direct = NULL;
  g_autoptr(AgAdminSnapshot) tree = NULL;
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean ok;

  ok = _ag_admin_snapshot_decode (text, length, &direct, &direct_error);
  root = ag_admin_parse_server_frame (text, length, &tree_error);

  if (root == NULL) {
    g_assert_false (ok);
    g_assert_null (direct);
    g_assert_error (direct_error, AG_ERROR, tree_error->code);
    g_assert_cmpstr (direct_error->message, ==, tree_error->message);
    return;
  }

  g_assert_no_error (direct_error);
  g_assert_true (ok);

  tree = _ag_admin_snapshot_from_json (json_node_get_object (root));
  if (tree == NULL) {
    g_assert_null (direct);
    return;
  }

  g_assert_nonnull (direct);
  g_assert_cmpuint (direct->users->len, ==, tree->users->len);
  g_assert_cmpuint (direct->channels->len, ==, tree->channels->len);

  for (guint i = 0; i < tree->users->len; i++) {
    AgAdminUserRecord *a = &g_array_index (direct->users, AgAdminUserRecord, i);
    AgAdminUserRecord *b = &g_array_index (tree->users, AgAdminUserRecord, i);

    g_assert_cmpstr (a->account, ==, b->account);
    g_assert_cmpstr (a->address, ==, b->address);
    g_assert_cmpstr (a->channel, ==, b->channel);
    g_assert_cmpint (a->uid, ==, b->uid);
    g_assert_cmpint (a->since, ==, b->since);
    g_assert_cmpint (a->queue, ==, b->queue);
    g_assert_cmpint (a->online, ==, b->online);
    g_assert_true (_ag_admin_user_record_equal (a, b));
  }

  for (guint i = 0; i < tree->channels->len; i++) {
    AgAdminChannelRecord *a = &g_array_index (direct->channels, AgAdminChannelRecord, i);
    AgAdminChannelRecord *b = &g_array_index (tree->channels, AgAdminChannelRecord, i);

    g_assert_cmpstr (a->name, ==, b->name);
    g_assert_cmpstr (a->kind, ==, b->kind);
    g_assert_true (_ag_admin_channel_record_equal (a, b));
  }
}

static void
test_agsignald_frame (void)
{
  const char *text =
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"alice\",\"uid\":1,"
    "\"since\":1764099000123,\"address\":\"127.0.0.1:40312\",\"channel\":\"lobby\","
    "\"queue\":12},{\"account\":\"bob\",\"uid\":2,\"since\":1764099000200,\"address\":null,"
    "\"channel\":null,\"queue\":0}],\"channels\":[{\"name\":\"lobby\",\"kind\":\"ordinary\","
    "\"members\":3,\"total_joins\":17,\"attrs\":{\"topic\":\"news\",\"a\":\"1\"}}]}";
  g_autoptr(AgAdminSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  AgAdminUserRecord *user;
  AgAdminChannelRecord *channel;

  g_assert_true (_ag_admin_snapshot_decode (text, strlen (text), &snapshot, &error));
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  g_assert_cmpuint (snapshot->users->len, ==, 2);
  g_assert_cmpuint (snapshot->channels->len, ==, 1);

  user = &g_array_index (snapshot->users, AgAdminUserRecord, 0);
  g_assert_cmpstr (user->account, ==, "alice");
  g_assert_cmpint (user->uid, ==, 1);
  g_assert_cmpint (user->since, ==, G_GINT64_CONSTANT (1764099000123));
  g_assert_cmpstr (user->address, ==, "127.0.0.1:40312");
  g_assert_cmpstr (user->channel, ==, "lobby");
  g_assert_cmpint (user->queue, ==, 12);
  g_assert_true (user->online);
  g_assert_null (user->attrs);

  user = &g_array_index (snapshot->users, AgAdminUserRecord, 1);
  g_assert_cmpstr (user->account, ==, "bob");
  g_assert_null (user->address);
  g_assert_null (user->channel);

  channel = &g_array_index (snapshot->channels, AgAdminChannelRecord, 0);
  g_assert_cmpstr (channel->name, ==, "lobby");
  g_assert_cmpstr (channel->kind, ==, "ordinary");
  g_assert_cmpint (channel->members, ==, 3);
  g_assert_cmpint (channel->total_joins, ==, 17);
  /* Sorted by name. */
  g_assert_cmpuint (channel->attrs->len, ==, 4);
  g_assert_cmpstr (channel->attrs->pdata[0], ==, "a");
  g_assert_cmpstr (channel->attrs->pdata[1], ==, "1");
  g_assert_cmpstr (channel->attrs->pdata[2], ==, "topic");
  g_assert_cmpstr (channel->attrs->pdata[3], ==, "news");

  assert_decoders_agree (text, strlen (text));
}

/* Escapes, unicode, duplicates, wrong types: what the direct decoder must read as the tree
 * decoder does. */
static void
test_cases (void)
{
  static const char * const frames[] = {
    /* Escaped strings and keys, unicode raw and escaped, a surrogate pair. */
    "{\"op\":\"admin_snapshot\",\"users\":[{\"acc\\u006funt\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\","
    "\"channel\":\"\\u00e9\\u4e2d\\ud83d\\ude00 \xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"}],"
    "\"channels\":[]}",
    /* op escaped, op after the lists, op twice (the last one counts). */
    "{\"users\":[{\"account\":\"a\"}],\"op\":\"admin\\u005fsnapshot\"}",
    "{\"op\":\"admin_event\",\"users\":[{\"account\":\"a\"}],\"op\":\"admin_snapshot\"}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\"}],\"op\":\"ok\"}",
    /* Lists twice, or not arrays. */
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\"}],\"users\":[{\"account\":\"b\"}]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\"}],\"users\":null}",
    "{\"op\":\"admin_snapshot\",\"users\":{\"account\":\"a\"},\"channels\":\"x\"}",
    /* Records that are not objects, or without their key, are dropped. */
    "{\"op\":\"admin_snapshot\",\"users\":[1,\"a\",null,[{\"account\":\"x\"}],{},"
    "{\"account\":null},{\"account\":7},{\"account\":\"ok\"}],"
    "\"channels\":[{\"kind\":\"ordinary\"},{\"name\":[\"n\"]},{\"name\":\"c\"}]}",
    /* Fields of the wrong type get their defaults; the last of duplicate fields counts. */
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\",\"uid\":\"1\",\"since\":1.5,"
    "\"queue\":1e3,\"online\":1,\"address\":{\"x\":1},\"channel\":[\"c\"]},"
    "{\"account\":\"b\",\"uid\":true,\"online\":false,\"online\":null,\"account\":\"c\"},"
    "{\"account\":\"d\",\"online\":false,\"uid\":9223372036854775807,"
    "\"since\":-9223372036854775808,\"queue\":-1}]}",
    /* attrs: values of other types become "", duplicates keep the last, the last attrs
     * object counts, attrs that are not objects are none. */
    "{\"op\":\"admin_snapshot\",\"channels\":[{\"name\":\"c\",\"attrs\":{\"z\":\"1\",\"a\":2,"
    "\"m\":null,\"n\":{\"deep\":[1,{\"x\":\"y\"}]},\"z\":\"last\",\"\\u0062\":\"b\"}},"
    "{\"name\":\"d\",\"attrs\":{\"x\":\"1\"},\"attrs\":{\"y\":\"2\"}},"
    "{\"name\":\"e\",\"attrs\":[\"x\",\"1\"]},{\"name\":\"f\",\"attrs\":{}}],"
    "\"users\":[{\"account\":\"u\",\"attrs\":{\"b\":\"2\",\"a\":\"1\",\"b\":\"3\"}}]}",
    /* A "users" key in another object or deeper is not the frame's. */
    "{\"op\":\"admin_snapshot\",\"other\":{\"users\":[{\"account\":\"no\"}]},"
    "\"channels\":[{\"name\":\"c\",\"users\":[{\"account\":\"no\"}]}]}",
    /* Other frames: no snapshot. */
    "{\"op\":\"ok\",\"id\":4,\"total\":1,\"users\":[{\"account\":\"a\"}],\"next\":null}",
    "{\"op\":\"admin_event\",\"seq\":1,\"type\":\"online\",\"user\":{\"account\":\"a\"}}",
    "{\"op\":7}",
    "{}",
    /* Malformed or not an object: the same error. */
    "[]",
    "\"admin_snapshot\"",
    "",
    "{",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\"},]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\\u0000b\"}]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"\\ud800\"}]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\x01\"}]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"\xff\"}]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"uid\":99999999999999999999}]}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":'a'}]}",
    "{\"op\":\"admin_snapshot\"} {}",
    "{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\",\"attrs\":{\"x\":\"1\"]}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (frames); i++) {
    /* Escaped: some frames are not UTF-8, which TAP output must be. */
    g_autofree char *shown = g_strescape (frames[i], NULL);

    g_test_message ("frame %u: %s", i, shown);
    assert_decoders_agree (frames[i], strlen (frames[i]));
  }
}

static void
test_nested_too_deeply (void)
{
  g_autoptr(GString) text = g_string_new ("{\"op\":\"admin_snapshot\",\"users\":[{\"account\":\"a\","
                                          "\"attrs\":{\"x\":");
  g_autoptr(AgAdminSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 40; i++)
    g_string_append_c (text, '[');
  for (int i = 0; i < 40; i++)
    g_string_append_c (text, ']');
  g_string_append (text, "}}]}");

  g_assert_false (_ag_admin_snapshot_decode (text->str, text->len, &snapshot, &error));
  g_assert_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED);
  g_assert_null (snapshot);
  assert_decoders_agree (text->str, text->len);
}

/* Random records */

static const char * const string_pieces[] = {
  "alice", "b", "user0042", "127.0.0.1:40312", " ", "\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87",
  "\xf0\x9f\x98\x80", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9",
  "\\u4e2d", "\\ud83d\\ude00", "\\u0041", "\\u007f", "0123456789abcdef",
};

static void
append_string (GString *out,
               GRand   *rand)
{
  int n = g_rand_int_range (rand, 0, 5);

  g_string_append_c (out, '"');
  for (int i = 0; i < n; i++)
    g_string_append (out, string_pieces[g_rand_int_range (rand, 0,
                                                          G_N_ELEMENTS (string_pieces))]);
  g_string_append_c (out, '"');
}

/* A value of the field's type most of the time, else null or another type. */
static void
append_value (GString  *out,
              GRand    *rand,
              gboolean  want_string)
{
  static const char * const others[] = {
    "null", "true", "false", "0", "-1", "1.5", "1e3", "{}", "[]", "{\"a\":\"b\"}", "[1,\"x\"]",
    "9223372036854775807", "-9223372036854775808",
  };

  if (g_rand_int_range (rand, 0, 4) > 0) {
    if (want_string)
      append_string (out, rand);
    else
      g_string_append_printf (out, "%" G_GINT64_FORMAT,
                              (gint64) g_rand_int (rand) * g_rand_int_range (rand, -3, 100000));
  } else {
    g_string_append (out, others[g_rand_int_range (rand, 0, G_N_ELEMENTS (others))]);
  }
}

/* A key, sometimes written with an escape. */
static void
append_key (GString    *out,
            GRand      *rand,
            const char *key)
{
  if (g_rand_int_range (rand, 0, 8) == 0)
    g_string_append_printf (out, "\"\\u%04x%s\":", (guint) key[0], key + 1);
  else
    g_string_append_printf (out, "\"%s\":", key);
}

static void
append_attrs (GString *out,
              GRand   *rand)
{
  static const char * const names[] = { "topic", "a", "z", "mood", "\\u00e9t\\u00e9", "" };
  int n = g_rand_int_range (rand, 0, 5);

  g_string_append_c (out, '{');
  for (int i = 0; i < n; i++) {
    g_string_append_printf (out, "%s\"%s\":", i > 0 ? "," : "",
                            names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))]);
    append_value (out, rand, TRUE);
  }
  g_string_append_c (out, '}');
}

static void
append_record (GString            *out,
               GRand              *rand,
               const char * const *fields,
               guint               n_fields,
               const char         *string_fields)
{
  gboolean first = TRUE;

  if (g_rand_int_range (rand, 0, 30) == 0) {
    g_string_append (out, g_rand_boolean (rand) ? "null" : "[]");
    return;
  }

  g_string_append_c (out, '{');
  for (guint f = 0; f < n_fields; f++) {
    /* Fields go missing, and some come twice. */
    int times = g_rand_int_range (rand, 0, 12) == 0 ? 0 : g_rand_int_range (rand, 0, 10) == 0 ? 2 : 1;

    /* The key field is there most of the time. */
    if (f == 0 && times == 0 && g_rand_boolean (rand))
      times = 1;

    for (int t = 0; t < times; t++) {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      append_key (out, rand, fields[f]);
      if (g_str_equal (fields[f], "attrs"))
        append_attrs (out, rand);
      else if (g_str_equal (fields[f], "online"))
        g_string_append (out, g_rand_boolean (rand) ? "true" : g_rand_boolean (rand) ? "false" : "1");
      else
        append_value (out, rand, string_fields[f] == 's');
    }
  }

  if (g_rand_int_range (rand, 0, 10) == 0)
    g_string_append_printf (out, "%s\"future\":{\"x\":[1,2,{\"y\":null}]}", first ? "" : ",");
  g_string_append_c (out, '}');
}

static void
test_random_records (void)
{
  static const char * const user_fields[] = {
    "account", "uid", "since", "address", "channel", "queue", "online", "attrs",
  };
  static const char * const channel_fields[] = {
    "name", "kind", "members", "total_joins", "attrs",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261203);
  guint n_users = 0;

  for (int frame = 0; frame < 300; frame++) {
    g_autoptr(GString) text = g_string_new ("{\"op\":\"admin_snapshot\",");
    int users = g_rand_int_range (rand, 0, 100);
    int channels = g_rand_int_range (rand, 0, 100);

    g_string_append (text, "\"users\":[");
    for (int i = 0; i < users; i++) {
      if (i > 0)
        g_string_append_c (text, ',');
      append_record (text, rand, user_fields, G_N_ELEMENTS (user_fields), "siississ");
    }
    g_string_append (text, "],\"channels\":[");
    for (int i = 0; i < channels; i++) {
      if (i > 0)
        g_string_append_c (text, ',');
      append_record (text, rand, channel_fields, G_N_ELEMENTS (channel_fields), "ssiis");
    }
    g_string_append (text, "]}");

    assert_decoders_agree (text->str, text->len);

    {
      g_autoptr(AgAdminSnapshot) snapshot = NULL;

      g_assert_true (_ag_admin_snapshot_decode (text->str, text->len, &snapshot, NULL));
      n_users += snapshot->users->len;
    }

    /* Cut short, the frame is malformed for both. */
    assert_decoders_agree (text->str, g_rand_int_range (rand, 1, (int) text->len));
  }

  /* The generator is not so wrong that few records are left. */
  g_assert_cmpuint (n_users, >, 300 * 30);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/admin-snapshot/agsignald-frame", test_agsignald_frame);
  g_test_add_func ("/ag/admin-snapshot/cases", test_cases);
  g_test_add_func ("/ag/admin-snapshot/nested-too-deeply", test_nested_too_deeply);
  g_test_add_func ("/ag/admin-snapshot/random-records", test_random_records);

  return g_test_run ();
}
