/* ag-metrics.c: the Prometheus /metrics document shared by agsignald's transports */

#include "ag-metrics.h"

#include <string.h>

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-limits.h"

typedef struct {
  int     code;
  guint64 count;
} ErrorCount;

void
ag_transport_counters_init (AgTransportCounters *counters)
{
  memset (counters, 0, sizeof *counters);
  counters->errors = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  counters->start_time_us = g_get_real_time ();
  counters->start_monotonic_us = g_get_monotonic_time ();
}

void
ag_transport_counters_clear (AgTransportCounters *counters)
{
  g_clear_pointer (&counters->errors, g_hash_table_unref);
}

GBytes *
ag_transport_counters_error_frame (AgTransportCounters *counters,
                                   gint64               id,
                                   int                  code,
                                   const char          *reason)
{
  g_autoptr(AgFrame) frame = ag_frame_new_error (id, code, reason);
  guint64 *count = g_hash_table_lookup (counters->errors, GINT_TO_POINTER (code));

  if (count == NULL) {
    count = g_new0 (guint64, 1);
    g_hash_table_insert (counters->errors, GINT_TO_POINTER (code), count);
  }

  (*count)++;
  counters->transport_frames_out++;

  return ag_frame_encode (frame);
}

GBytes *
ag_transport_counters_slow_consumer (AgTransportCounters *counters,
                                     guint64              conn_id,
                                     const char          *peer)
{
  g_message ("connection %" G_GUINT64_FORMAT " (%s): more than %d bytes not yet written, "
             "disconnecting", conn_id, peer, AG_LIMIT_OUTBOUND_BYTES);

  counters->slow_consumer_disconnects++;

  return ag_transport_counters_error_frame (counters, 0, AG_ERROR_LIMIT_E_SLOW_CONSUMER,
                                            "the connection did not read fast enough");
}

static void
add_metric (GString    *out,
            const char *name,
            const char *type,
            const char *help,
            guint64     value)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n%s %" G_GUINT64_FORMAT "\n",
                          name, help, name, type, name, value);
}

static void
collect_error_cb (int      code,
                  guint64  count,
                  gpointer data)
{
  GArray *errors = data;

  for (guint i = 0; i < errors->len; i++) {
    ErrorCount *entry = &g_array_index (errors, ErrorCount, i);

    if (entry->code == code) {
      entry->count += count;
      return;
    }
  }

  g_array_append_vals (errors, &(ErrorCount) { code, count }, 1);
}

static int
compare_error_counts (gconstpointer a,
                      gconstpointer b)
{
  const ErrorCount *ea = a;
  const ErrorCount *eb = b;

  return (ea->code > eb->code) - (ea->code < eb->code);
}

char *
ag_metrics_render (AgHub                     *hub,
                   guint                      n_connections,
                   const AgTransportCounters *counters)
{
  const AgHubStats *stats;
  g_autoptr(GArray) errors = g_array_new (FALSE, FALSE, sizeof (ErrorCount));
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  guint64 offline_bytes, offline_max;
  AgHubMemory memory;

  g_return_val_if_fail (AG_IS_HUB (hub), NULL);
  g_return_val_if_fail (counters != NULL, NULL);

  stats = ag_hub_get_stats (hub);

  add_metric (out, "agsignal_connections", "gauge", "Open WebSocket connections.",
              n_connections);
  add_metric (out, "agsignal_sessions", "gauge", "Logged-in connections.", stats->sessions);
  add_metric (out, "agsignal_accounts", "gauge",
              "Accounts held in memory: logged in, logged out in the last 60 s, or in a call.",
              stats->accounts);
  add_metric (out, "agsignal_channels", "gauge", "Live channels.", stats->channels);
  add_metric (out, "agsignal_frames_in_total", "counter",
              "WebSocket frames received from clients.",
              stats->frames_in + counters->binary_frames_in);
  add_metric (out, "agsignal_frames_out_total", "counter",
              "Frames queued to clients (a fan-out counts each copy).",
              stats->frames_out + counters->transport_frames_out);
  add_metric (out, "agsignal_messages_in_total", "counter",
              "Accepted peer, channel and call messages.", stats->messages_in);
  add_metric (out, "agsignal_messages_out_total", "counter",
              "Peer, channel and call messages delivered.", stats->messages_out);
  add_metric (out, "agsignal_logins_total", "counter", "Successful logins.", stats->logins);
  add_metric (out, "agsignal_admin_connections", "gauge", "Logged-in admin connections.",
              stats->admin_connections);
  add_metric (out, "agsignal_admin_auth_failures_total", "counter",
              "Refused admin logins (missing or wrong key, throttled).",
              stats->admin_auth_failures);

  ag_hub_foreach_error_count (hub, collect_error_cb, errors);
  g_hash_table_iter_init (&iter, counters->errors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    collect_error_cb (GPOINTER_TO_INT (key), *(guint64 *) value, errors);
  g_array_sort (errors, compare_error_counts);

  g_string_append (out, "# HELP agsignal_errors_total Error replies and error events sent, "
                        "by code.\n# TYPE agsignal_errors_total counter\n");
  for (guint i = 0; i < errors->len; i++) {
    const ErrorCount *entry = &g_array_index (errors, ErrorCount, i);

    g_string_append_printf (out, "agsignal_errors_total{code=\"%d\"} %" G_GUINT64_FORMAT "\n",
                            entry->code, entry->count);
  }

  add_metric (out, "agsignal_accept_errors_total", "counter",
              "Failed accepts for want of file descriptors or memory (each pauses accepting "
              "for 100 ms).", counters->accept_errors);
  add_metric (out, "agsignal_accepts_refused_total", "counter",
              "Connections closed at once because the server was out of file descriptors.",
              counters->accepts_refused);

  offline_bytes = ag_hub_get_offline_bytes (hub, &offline_max);
  add_metric (out, "agsignal_offline_bytes", "gauge",
              "Bytes of text held in the offline queues of all accounts.", offline_bytes);
  add_metric (out, "agsignal_offline_bytes_limit", "gauge",
              "The bound on agsignal_offline_bytes (max_offline_bytes).", offline_max);

  ag_hub_get_memory (hub, &memory);
  add_metric (out, "agsignal_memory_budget_bytes", "gauge",
              "The memory budget: past it, messages, attribute changes and invitations get 1113.",
              memory.budget);
  g_string_append_printf (out, "# HELP agsignal_memory_bytes What counts against the memory "
                               "budget: output queued for connections, attributes and offline "
                               "messages held in memory.\n"
                               "# TYPE agsignal_memory_bytes gauge\n"
                               "agsignal_memory_bytes{part=\"output\"} %" G_GUINT64_FORMAT "\n"
                               "agsignal_memory_bytes{part=\"state\"} %" G_GUINT64_FORMAT "\n",
                          memory.output, memory.state);

  add_metric (out, "agsignal_slow_consumer_disconnects_total", "counter",
              "Connections closed for having more than the outbound limit not yet written.",
              counters->slow_consumer_disconnects);

  g_ascii_formatd (number, sizeof number, "%.3f",
                   counters->start_time_us / (double) G_USEC_PER_SEC);
  g_string_append_printf (out, "# HELP process_start_time_seconds Start time of the process "
                               "since the Unix epoch in seconds.\n"
                               "# TYPE process_start_time_seconds gauge\n"
                               "process_start_time_seconds %s\n", number);
  g_ascii_formatd (number, sizeof number, "%.3f",
                   (g_get_monotonic_time () - counters->start_monotonic_us) /
                   (double) G_USEC_PER_SEC);
  g_string_append_printf (out, "# HELP agsignal_uptime_seconds Seconds since the server "
                               "started.\n"
                               "# TYPE agsignal_uptime_seconds gauge\n"
                               "agsignal_uptime_seconds %s\n", number);
  g_string_append (out, "# HELP agsignal_build_info The running version.\n"
                        "# TYPE agsignal_build_info gauge\n"
                        "agsignal_build_info{version=\"" AG_VERSION "\"} 1\n");

  return g_string_free (out, FALSE);
}
