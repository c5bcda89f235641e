/* bench-decode.c: the time to decode one client frame, direct against through a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Decodes the same client frames with ag_frame_decode() (the direct decoder the server
 * uses) and with the json-glib tree decoder it replaced, in one process, alternating the
 * two in rounds so that both see the same machine, and prints the median time per frame
 * of each with their ratio (docs/performance.md, "Decoding requests"). --smoke runs a few
 * rounds and only checks that both decoders agree on every input.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ag-frame-private.h"

#define ROUNDS        3
#define TARGET_NS     (200 * G_GINT64_CONSTANT (1000000))   /* per decoder, round and input */

typedef AgFrame *(*DecodeFunc) (const char     *data,
                                gsize           length,
                                AgFrameOrigin   origin,
                                gint64         *out_id,
                                GError        **error);

typedef struct {
  const char *name;
  char       *text;
} Input;

static gint64
now_ns (void)
{
  return g_get_monotonic_time () * 1000;
}

/* Nanoseconds per decode of input over n decodes. */
static double
time_decoder (DecodeFunc   decode,
              const Input *input,
              guint        n)
{
  gsize length = strlen (input->text);
  gint64 start = now_ns ();

  for (guint i = 0; i < n; i++) {
    GError *error = NULL;
    AgFrame *frame = decode (input->text, length, AG_FRAME_FROM_CLIENT, NULL, &error);

    if (frame == NULL)
      g_error ("%s: %s", input->name, error->message);
    ag_frame_free (frame);
  }

  return (double) (now_ns () - start) / n;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static void
check_agree (const Input *input)
{
  gsize length = strlen (input->text);
  g_autoptr(AgFrame) direct = ag_frame_decode (input->text, length, AG_FRAME_FROM_CLIENT,
                                               NULL, NULL);
  g_autoptr(AgFrame) tree = _ag_frame_decode_tree (input->text, length, AG_FRAME_FROM_CLIENT,
                                                   NULL, NULL);

  if (direct == NULL || !ag_frame_equal (direct, tree))
    g_error ("%s: the decoders disagree", input->name);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *msg_8k = g_strnfill (8000, 'x');
  g_autofree char *escaped = NULL;
  gboolean smoke = argc > 1 && g_str_equal (argv[1], "--smoke");
  Input inputs[] = {
    { "msg_send (the peer scenario's)", g_strdup ("{\"op\":\"msg_send\",\"id\":18342,"
      "\"peer\":\"b1a2-p317b\",\"msg\":\"a317.18342.1764759123456789.\"}") },
    { "channel_send, 64-byte msg", g_strdup_printf ("{\"op\":\"channel_send\",\"id\":77,"
      "\"msg\":\"%s\"}", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") },
    { "ping", g_strdup ("{\"op\":\"ping\",\"id\":5}") },
    { "login", g_strdup ("{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\",\"account\":"
      "\"alice\",\"token\":\"alice:demo:1764759123:0123456789abcdef0123456789abcdef\"}") },
    { "call_invite with extra", g_strdup ("{\"op\":\"call_invite\",\"id\":9,\"channel\":"
      "\"room-42\",\"peer\":\"bob\","
      "\"extra\":\"{\\\"video\\\":true,\\\"codec\\\":\\\"vp8\\\"}\"}") },
    { "msg_send, escaped text", NULL },
    { "channel_send, 8,000-byte msg", g_strdup_printf ("{\"op\":\"channel_send\",\"id\":78,"
      "\"msg\":\"%s\"}", msg_8k) },
  };
  guint rounds = smoke ? 1 : ROUNDS;

  escaped = g_strdup ("{\"op\":\"msg_send\",\"id\":3,\"peer\":\"bob\",\"msg\":\"line 1\\n"
                      "\\\"quoted\\\" caf\\u00e9 \\ud83d\\ude00 tab\\tend\"}");
  inputs[5].text = g_strdup (escaped);

  if (!smoke) {
    printf ("| Frame | bytes | tree decoder | direct decoder | tree / direct |\n");
    printf ("|---|---|---|---|---|\n");
  }

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++) {
    double tree_ns[ROUNDS];
    double direct_ns[ROUNDS];
    guint n;

    check_agree (&inputs[i]);

    /* Enough decodes for about TARGET_NS each, from a first short measure. */
    n = (guint) CLAMP (TARGET_NS / MAX (time_decoder (_ag_frame_decode_tree, &inputs[i], 1000),
                                       1.0), 1000, 20000000);
    if (smoke)
      n = 100;

    for (guint round = 0; round < rounds; round++) {
      tree_ns[round] = time_decoder (_ag_frame_decode_tree, &inputs[i], n);
      direct_ns[round] = time_decoder (ag_frame_decode, &inputs[i], n * 3);
    }

    if (!smoke) {
      double tree = median (tree_ns, rounds);
      double direct = median (direct_ns, rounds);

      printf ("| %s | %zu | %.0f ns | %.0f ns | %.1fx |\n", inputs[i].name,
              strlen (inputs[i].text), tree, direct, tree / direct);
    }
  }

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    g_free (inputs[i].text);

  if (smoke)
    printf ("bench-decode: both decoders agree on %zu frames\n", G_N_ELEMENTS (inputs));

  return EXIT_SUCCESS;
}
