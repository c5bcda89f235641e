/* bench-proc.h: CPU time and memory of the server process, read from /proc */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean valid;
  gint64   wall_ns;      /* CLOCK_MONOTONIC when read */
  gint64   cpu_us;       /* utime + stime of every thread */
  gint64   rss_kb;       /* VmRSS */
} BenchProcSample;

/* pid <= 0 leaves the sample invalid (wall_ns is still set). */
void   bench_proc_sample     (int                    pid,
                              BenchProcSample       *sample);
/* CPU microseconds between two valid samples, or -1. */
gint64 bench_proc_cpu_us     (const BenchProcSample *before,
                              const BenchProcSample *after);
/* The CPU time this process used so far. */
gint64 bench_self_cpu_us     (void);

/* A measured interval: wall time, server CPU and RSS, and this process's own CPU. */
typedef struct {
  BenchProcSample server_before;
  BenchProcSample server_after;
  gint64          self_before_us;
  gint64          self_after_us;
  gint64          machine_before_us;  /* busy CPU time of the whole machine, all cores */
  gint64          machine_after_us;
} BenchWindow;

void   bench_window_begin    (BenchWindow           *window,
                              int                    pid);
void   bench_window_end      (BenchWindow           *window,
                              int                    pid);
double bench_window_seconds  (const BenchWindow     *window);
/* -1 when no server pid was given. */
gint64 bench_window_server_cpu_us (const BenchWindow *window);
gint64 bench_window_self_cpu_us   (const BenchWindow *window);
/* CPU time that neither the server nor ag-bench used: other processes competing for the
 * cores, which makes a run noisy. -1 when /proc/stat cannot be read. */
gint64 bench_window_other_cpu_us  (const BenchWindow *window);

G_END_DECLS
