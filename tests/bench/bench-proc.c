/* bench-proc.c: CPU time and memory of the server process, read from /proc */
#include "bench-proc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

static gboolean
read_cpu_us (int     pid,
             gint64 *cpu_us)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;
  long ticks_per_second = sysconf (_SC_CLK_TCK);
  guint64 utime;
  guint64 stime;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  /* The command name (field 2) may hold spaces and parentheses: the fields that follow
   * start after its last ')'. Field 3 is then fields[0], utime (14) fields[11], stime (15)
   * fields[12]. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL || ticks_per_second <= 0)
    return FALSE;

  fields = g_strsplit (after_name + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return FALSE;

  utime = g_ascii_strtoull (fields[11], NULL, 10);
  stime = g_ascii_strtoull (fields[12], NULL, 10);
  *cpu_us = (gint64) ((utime + stime) * G_USEC_PER_SEC / (guint64) ticks_per_second);

  return TRUE;
}

static gboolean
read_rss_kb (int     pid,
             gint64 *rss_kb)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  line = strstr (contents, "\nVmRSS:");
  if (line == NULL)
    return FALSE;

  *rss_kb = g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10);

  return TRUE;
}

void
bench_proc_sample (int              pid,
                   BenchProcSample *sample)
{
  memset (sample, 0, sizeof *sample);
  sample->wall_ns = bench_now_ns ();

  if (pid <= 0)
    return;

  sample->valid = read_cpu_us (pid, &sample->cpu_us) && read_rss_kb (pid, &sample->rss_kb);
}

gint64
bench_proc_cpu_us (const BenchProcSample *before,
                   const BenchProcSample *after)
{
  if (!before->valid || !after->valid)
    return -1;

  return after->cpu_us - before->cpu_us;
}

/* Busy time of all cores: everything in the "cpu" line of /proc/stat but idle and iowait. */
static gint64
machine_busy_us (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  long ticks_per_second = sysconf (_SC_CLK_TCK);
  guint64 busy = 0;
  char *end;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL) ||
      !g_str_has_prefix (contents, "cpu ") || ticks_per_second <= 0)
    return -1;

  end = strchr (contents, '\n');
  if (end != NULL)
    *end = '\0';

  /* user nice system idle iowait irq softirq steal; guest time is already in user. */
  fields = g_strsplit_set (contents + strlen ("cpu "), " ", -1);
  for (guint i = 0, column = 0; fields[i] != NULL && column < 8; i++) {
    if (fields[i][0] == '\0')
      continue;
    if (column != 3 && column != 4)
      busy += g_ascii_strtoull (fields[i], NULL, 10);
    column++;
  }

  return (gint64) (busy * G_USEC_PER_SEC / (guint64) ticks_per_second);
}

gint64
bench_self_cpu_us (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) < 0)
    return 0;

  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

void
bench_window_begin (BenchWindow *window,
                    int          pid)
{
  memset (window, 0, sizeof *window);
  window->machine_before_us = machine_busy_us ();
  window->self_before_us = bench_self_cpu_us ();
  bench_proc_sample (pid, &window->server_before);
}

void
bench_window_end (BenchWindow *window,
                  int          pid)
{
  bench_proc_sample (pid, &window->server_after);
  window->self_after_us = bench_self_cpu_us ();
  window->machine_after_us = machine_busy_us ();
}

double
bench_window_seconds (const BenchWindow *window)
{
  return (window->server_after.wall_ns - window->server_before.wall_ns) / 1e9;
}

gint64
bench_window_server_cpu_us (const BenchWindow *window)
{
  return bench_proc_cpu_us (&window->server_before, &window->server_after);
}

gint64
bench_window_self_cpu_us (const BenchWindow *window)
{
  return window->self_after_us - window->self_before_us;
}

gint64
bench_window_other_cpu_us (const BenchWindow *window)
{
  gint64 server_us = MAX (bench_window_server_cpu_us (window), 0);
  gint64 other_us;

  if (window->machine_before_us < 0 || window->machine_after_us < 0)
    return -1;

  other_us = window->machine_after_us - window->machine_before_us -
             server_us - bench_window_self_cpu_us (window);

  return MAX (other_us, 0);
}
