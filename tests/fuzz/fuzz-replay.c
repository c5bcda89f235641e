/* fuzz-replay.c: runs every file of the fuzz corpus through the fuzzer's checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This is how builds without libFuzzer (gcc) exercise the corpus. Each file is one test.
 * Files named ok-client-* must decode as client frames, ok-server-* as server frames, and
 * bad-NNNN-* must be refused from a client with error code NNNN; any other file only has to
 * pass the fuzzer's checks.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ag-error.h"
#include "ag-frame.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_expectation (const char *name,
                   const char *data,
                   gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgFrame) frame = NULL;

  if (g_str_has_prefix (name, "ok-client-")) {
    frame = ag_frame_decode (data, length, AG_FRAME_FROM_CLIENT, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (frame);
  } else if (g_str_has_prefix (name, "ok-server-")) {
    frame = ag_frame_decode (data, length, AG_FRAME_FROM_SERVER, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (frame);
  } else if (g_str_has_prefix (name, "bad-")) {
    char *end = NULL;
    gint64 code = g_ascii_strtoll (name + strlen ("bad-"), &end, 10);

    g_assert_true (end != NULL && *end == '-');
    frame = ag_frame_decode (data, length, AG_FRAME_FROM_CLIENT, NULL, &error);
    g_assert_null (frame);
    g_assert_error (error, AG_ERROR, (int) code);
  }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
replay_file (gconstpointer user_data)
{
  const char *path = user_data;
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);

  LLVMFuzzerTestOneInput ((const uint8_t *) data, length);
  check_expectation (name, data, length);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *corpus;
  const char *entry;

  g_test_init (&argc, &argv, NULL);

  if (argc != 2) {
    g_printerr ("usage: %s [GTEST-OPTION...] CORPUS-DIRECTORY\n", argv[0]);
    return EXIT_FAILURE;
  }
  corpus = argv[1];

  dir = g_dir_open (corpus, 0, &error);
  if (dir == NULL) {
    g_printerr ("%s\n", error->message);
    return EXIT_FAILURE;
  }

  while ((entry = g_dir_read_name (dir)) != NULL) {
    if (entry[0] != '.')
      g_ptr_array_add (paths, g_build_filename (corpus, entry, NULL));
  }

  if (paths->len == 0) {
    g_printerr ("%s holds no corpus files\n", corpus);
    return EXIT_FAILURE;
  }

  /* Sorted, so the test numbers of a TAP log stay put between runs. */
  g_ptr_array_sort (paths, compare_paths);
  for (guint i = 0; i < paths->len; i++) {
    const char *path = g_ptr_array_index (paths, i);
    g_autofree char *name = g_path_get_basename (path);
    g_autofree char *test_path = g_strdup_printf ("/ag/fuzz/replay/%s", name);

    g_test_add_data_func (test_path, path, replay_file);
  }

  return g_test_run ();
}
