/* bench.c: shared state of ag-bench */
#include "bench.h"

#include <stdio.h>
#include <time.h>

/* Only the first errors are printed; the rest are counted. */
#define ERRORS_PRINTED 20

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);

  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bench_error (Bench      *bench,
             const char *format,
             ...)
{
  int count = g_atomic_int_add (&bench->errors, 1) + 1;

  if (count <= ERRORS_PRINTED) {
    g_autofree char *message = NULL;
    va_list args;

    va_start (args, format);
    message = g_strdup_vprintf (format, args);
    va_end (args);

    g_printerr ("ag-bench: error: %s\n", message);
    if (count == ERRORS_PRINTED)
      g_printerr ("ag-bench: further errors are only counted\n");
  }
}

int
bench_errors (Bench *bench)
{
  return g_atomic_int_get (&bench->errors);
}

gboolean
bench_stopped (Bench *bench)
{
  return g_atomic_int_get (&bench->stop) != 0;
}

void
bench_json_escape (GString    *str,
                   const char *text)
{
  for (const char *p = text; *p != '\0'; p++) {
    guchar c = *p;

    if (c == '"' || c == '\\') {
      g_string_append_c (str, '\\');
      g_string_append_c (str, c);
    } else if (c < 0x20) {
      g_string_append_printf (str, "\\u%04x", c);
    } else {
      g_string_append_c (str, c);
    }
  }
}
