/* bench-report.h: latency percentiles and the one-line JSON result of a scenario */
#pragma once

#include "bench.h"

G_BEGIN_DECLS

typedef struct {
  guint64 count;
  double  p50_us;
  double  p99_us;
  double  max_us;
  double  mean_us;
} BenchLatency;

/* Summarizes the latencies every worker recorded, then empties their arrays. */
void         bench_latency_collect      (Bench        *bench,
                                         BenchLatency *latency);

typedef struct _BenchReport BenchReport;

BenchReport *bench_report_new           (const char   *scenario);
void         bench_report_int           (BenchReport  *report,
                                         const char   *key,
                                         gint64        value);
/* NaN is written as null. */
void         bench_report_double        (BenchReport  *report,
                                         const char   *key,
                                         double        value);
void         bench_report_string        (BenchReport  *report,
                                         const char   *key,
                                         const char   *value);
void         bench_report_bool          (BenchReport  *report,
                                         const char   *key,
                                         gboolean      value);
/* NaN values are written as null. */
void         bench_report_doubles       (BenchReport  *report,
                                         const char   *key,
                                         const double *values,
                                         guint         n_values);
void         bench_report_latency       (BenchReport  *report,
                                         const char   *prefix,
                                         const BenchLatency *latency);
/* Prints the JSON line on stdout and frees the report. */
void         bench_report_print         (BenchReport  *report);

/* amount / count, or NaN when either is unknown or zero. */
double       bench_ratio                (double        amount,
                                         double        count);

G_END_DECLS
