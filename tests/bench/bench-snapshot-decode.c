/* bench-snapshot-decode.c: decoding admin_snapshot frames, direct against through a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Decodes the same snapshot frames (100 users and 100 channels, as agsignald sends them)
 * with _ag_admin_snapshot_decode() and through json-glib, alternating in rounds so that all
 * see the same machine, and prints the median time per frame and MB/s of each
 * (docs/performance.md, "The Monitor on a big app"). "tree" is what AgAdmin did before:
 * ag_admin_parse_server_frame(); "tree + records" adds the reading of the records from the
 * tree. --smoke decodes each frame once and checks that the decoders agree.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag-admin-frame.h"
#include "ag-admin-snapshot.h"

#define ROUNDS     5
#define TARGET_NS  (200 * G_GINT64_CONSTANT (1000000))   /* per decoder, round and input */
#define RECORDS    100

typedef enum {
  DECODE_TREE,
  DECODE_TREE_RECORDS,
  DECODE_DIRECT,
  N_DECODERS
} Decoder;

static const char * const decoder_names[N_DECODERS] = { "tree", "tree + records", "direct" };

typedef struct {
  const char *name;
  GString    *text;
} Input;

static void
decode_once (Decoder      decoder,
             const Input *input)
{
  g_autoptr(AgAdminSnapshot) snapshot = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  if (decoder == DECODE_DIRECT) {
    if (!_ag_admin_snapshot_decode (input->text->str, input->text->len, &snapshot, &error) ||
        snapshot == NULL)
      g_error ("%s: %s", input->name, error != NULL ? error->message : "not a snapshot");
    return;
  }

  root = ag_admin_parse_server_frame (input->text->str, input->text->len, &error);
  if (root == NULL)
    g_error ("%s: %s", input->name, error->message);
  if (decoder == DECODE_TREE_RECORDS) {
    snapshot = _ag_admin_snapshot_from_json (json_node_get_object (root));
    if (snapshot == NULL)
      g_error ("%s: not a snapshot", input->name);
  }
}

static double
time_decoder (Decoder      decoder,
              const Input *input,
              guint        n)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    decode_once (decoder, input);

  return (double) (g_get_monotonic_time () - start) * 1000 / n;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
check_agree (const Input *input)
{
  g_autoptr(AgAdminSnapshot) direct = NULL;
  g_autoptr(AgAdminSnapshot) tree = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!_ag_admin_snapshot_decode (input->text->str, input->text->len, &direct, NULL) ||
      direct == NULL)
    g_error ("%s: the direct decoder refused it", input->name);
  root = ag_admin_parse_server_frame (input->text->str, input->text->len, NULL);
  tree = _ag_admin_snapshot_from_json (json_node_get_object (root));

  if (direct->users->len != RECORDS || tree->users->len != RECORDS ||
      direct->channels->len != RECORDS || tree->channels->len != RECORDS)
    g_error ("%s: not %d records each", input->name, RECORDS);
  for (guint i = 0; i < RECORDS; i++)
    if (!_ag_admin_user_record_equal (&g_array_index (direct->users, AgAdminUserRecord, i),
                                      &g_array_index (tree->users, AgAdminUserRecord, i)) ||
        !_ag_admin_channel_record_equal (&g_array_index (direct->channels,
                                                         AgAdminChannelRecord, i),
                                         &g_array_index (tree->channels,
                                                         AgAdminChannelRecord, i)))
      g_error ("%s: the decoders disagree on record %u", input->name, i);
}

/* One frame as bench-monitor and agsignald write them; escaped adds escapes and non-ASCII
 * text to every string a user could choose. */
static GString *
snapshot_frame (gboolean escaped)
{
  GString *text = g_string_new ("{\"op\":\"admin_snapshot\",\"users\":[");
  const char *suffix = escaped ? "-caf\\u00e9 \\\"\xe4\xb8\xad\\\" \\ud83d\\ude00" : "";

  for (int i = 0; i < RECORDS; i++)
    g_string_append_printf (text, "%s{\"account\":\"user%06d\",\"uid\":%d,"
                            "\"since\":1764099000000,\"address\":\"127.0.0.1:40000\","
                            "\"channel\":\"c%05d%s\",\"queue\":0}",
                            i > 0 ? "," : "", 4200 + i, 4201 + i, i, suffix);
  g_string_append (text, "],\"channels\":[");
  for (int i = 0; i < RECORDS; i++)
    g_string_append_printf (text, "%s{\"name\":\"c%05d%s\",\"kind\":\"ordinary\","
                            "\"members\":10,\"total_joins\":10,\"attrs\":{\"topic\":\"news%s\"}}",
                            i > 0 ? "," : "", i, suffix, suffix);
  g_string_append (text, "]}");

  return text;
}

int
main (int   argc,
      char *argv[])
{
  gboolean smoke = argc > 1 && g_str_equal (argv[1], "--smoke");
  Input inputs[] = {
    { "100 users + 100 channels (bench-monitor's)", snapshot_frame (FALSE) },
    { "the same, escaped and non-ASCII names", snapshot_frame (TRUE) },
  };

  if (!smoke) {
    printf ("| Frame | bytes | tree | tree + records | direct | tree / direct |\n");
    printf ("|---|---|---|---|---|---|\n");
  }

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++) {
    double ns[N_DECODERS][ROUNDS];
    double medians[N_DECODERS];
    double bytes = inputs[i].text->len;
    guint n;

    check_agree (&inputs[i]);
    if (smoke)
      continue;

    /* Enough decodes for about TARGET_NS each, from a first short measure. */
    n = (guint) CLAMP (TARGET_NS / MAX (time_decoder (DECODE_TREE, &inputs[i], 20), 1.0),
                       20, 1000000);

    for (guint round = 0; round < ROUNDS; round++)
      for (Decoder d = 0; d < N_DECODERS; d++)
        ns[d][round] = time_decoder (d, &inputs[i], d == DECODE_DIRECT ? n * 4 : n);

    for (Decoder d = 0; d < N_DECODERS; d++) {
      qsort (ns[d], ROUNDS, sizeof (double), compare_doubles);
      medians[d] = ns[d][ROUNDS / 2];
    }

    printf ("| %s | %.0f |", inputs[i].name, bytes);
    for (Decoder d = 0; d < N_DECODERS; d++)
      printf (" %.0f us (%.0f MB/s) |", medians[d] / 1000, bytes / medians[d] * 1000);
    printf (" %.1fx |\n", medians[DECODE_TREE] / medians[DECODE_DIRECT]);
  }

  if (smoke)
    printf ("bench-snapshot-decode: the decoders agree on %zu frames (%s)\n",
            G_N_ELEMENTS (inputs), decoder_names[DECODE_DIRECT]);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    g_string_free (inputs[i].text, TRUE);

  return EXIT_SUCCESS;
}
