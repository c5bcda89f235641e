/* bench-report.c: latency percentiles and the one-line JSON result of a scenario */
#include "bench-report.h"

#include <math.h>

#include "bench-conn.h"

struct _BenchReport {
  GString *json;
};

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double
percentile_us (const gint64 *sorted,
               guint64       count,
               double        fraction)
{
  guint64 rank = (guint64) ceil (fraction * count);

  if (rank == 0)
    rank = 1;

  return sorted[rank - 1] / 1000.0;
}

void
bench_latency_collect (Bench        *bench,
                       BenchLatency *latency)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  const gint64 *values;
  double sum = 0;

  for (guint i = 0; i < bench->n_workers; i++) {
    GArray *own = bench->workers[i]->latencies;

    g_array_append_vals (all, own->data, own->len);
    g_array_set_size (own, 0);
  }

  latency->count = all->len;
  latency->p50_us = latency->p99_us = latency->max_us = latency->mean_us = NAN;
  if (all->len == 0)
    return;

  g_array_sort (all, compare_gint64);
  values = (const gint64 *) all->data;
  for (guint i = 0; i < all->len; i++)
    sum += values[i];

  latency->p50_us = percentile_us (values, all->len, 0.50);
  latency->p99_us = percentile_us (values, all->len, 0.99);
  latency->max_us = values[all->len - 1] / 1000.0;
  latency->mean_us = sum / all->len / 1000.0;
}

BenchReport *
bench_report_new (const char *scenario)
{
  BenchReport *report = g_new0 (BenchReport, 1);

  report->json = g_string_new ("{");
  bench_report_string (report, "scenario", scenario);

  return report;
}

static void
report_key (BenchReport *report,
            const char  *key)
{
  if (report->json->len > 1)
    g_string_append_c (report->json, ',');
  g_string_append_c (report->json, '"');
  bench_json_escape (report->json, key);
  g_string_append (report->json, "\":");
}

void
bench_report_int (BenchReport *report,
                  const char  *key,
                  gint64       value)
{
  report_key (report, key);
  g_string_append_printf (report->json, "%" G_GINT64_FORMAT, value);
}

void
bench_report_double (BenchReport *report,
                     const char  *key,
                     double       value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  report_key (report, key);
  if (isnan (value) || isinf (value))
    g_string_append (report->json, "null");
  else
    g_string_append (report->json, g_ascii_formatd (buffer, sizeof buffer, "%.3f", value));
}

void
bench_report_doubles (BenchReport  *report,
                      const char   *key,
                      const double *values,
                      guint         n_values)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  report_key (report, key);
  g_string_append_c (report->json, '[');
  for (guint i = 0; i < n_values; i++) {
    if (i > 0)
      g_string_append_c (report->json, ',');
    if (isnan (values[i]) || isinf (values[i]))
      g_string_append (report->json, "null");
    else
      g_string_append (report->json, g_ascii_formatd (buffer, sizeof buffer, "%.3f", values[i]));
  }
  g_string_append_c (report->json, ']');
}

void
bench_report_string (BenchReport *report,
                     const char  *key,
                     const char  *value)
{
  report_key (report, key);
  g_string_append_c (report->json, '"');
  bench_json_escape (report->json, value);
  g_string_append_c (report->json, '"');
}

void
bench_report_bool (BenchReport *report,
                   const char  *key,
                   gboolean     value)
{
  report_key (report, key);
  g_string_append (report->json, value ? "true" : "false");
}

void
bench_report_latency (BenchReport        *report,
                      const char         *prefix,
                      const BenchLatency *latency)
{
  g_autofree char *count = g_strconcat (prefix, "_samples", NULL);
  g_autofree char *p50 = g_strconcat (prefix, "_p50_us", NULL);
  g_autofree char *p99 = g_strconcat (prefix, "_p99_us", NULL);
  g_autofree char *max = g_strconcat (prefix, "_max_us", NULL);
  g_autofree char *mean = g_strconcat (prefix, "_mean_us", NULL);

  bench_report_int (report, count, latency->count);
  bench_report_double (report, p50, latency->p50_us);
  bench_report_double (report, p99, latency->p99_us);
  bench_report_double (report, max, latency->max_us);
  bench_report_double (report, mean, latency->mean_us);
}

void
bench_report_print (BenchReport *report)
{
  g_string_append_c (report->json, '}');
  g_print ("%s\n", report->json->str);
  g_string_free (report->json, TRUE);
  g_free (report);
}

double
bench_ratio (double amount,
             double count)
{
  if (amount < 0 || count <= 0)
    return NAN;

  return amount / count;
}
