/* ag-metrics.h: the Prometheus /metrics document shared by agsignald's transports
 *
 * The hub counts what it sees; a transport counts what never reaches the hub (binary
 * frames, its own error replies, slow-consumer disconnects) in an AgTransportCounters.
 */
#pragma once

#include <glib.h>

#include "ag-hub.h"

G_BEGIN_DECLS

typedef struct {
  guint64     binary_frames_in;
  guint64     transport_frames_out;
  guint64     slow_consumer_disconnects;
  guint64     accept_errors;       /* accept() failed: no descriptor or memory */
  guint64     accepts_refused;     /* connections accepted and closed at once meanwhile */
  GHashTable *errors;              /* GINT_TO_POINTER (code) -> guint64* */

  gint64      start_time_us;
  gint64      start_monotonic_us;
} AgTransportCounters;

void   ag_transport_counters_init        (AgTransportCounters       *counters);
void   ag_transport_counters_clear       (AgTransportCounters       *counters);
/* Encodes an error frame the transport answers with on its own, and counts it. */
GBytes *ag_transport_counters_error_frame (AgTransportCounters     *counters,
                                           gint64                   id,
                                           int                      code,
                                           const char              *reason);
/* Logs and counts a connection dropped for not reading its output, and encodes the 1105
 * error frame it is sent before the close. */
GBytes *ag_transport_counters_slow_consumer (AgTransportCounters   *counters,
                                             guint64                conn_id,
                                             const char            *peer);

/* The /metrics document (Prometheus text format 0.0.4). */
char  *ag_metrics_render                 (AgHub                     *hub,
                                          guint                      n_connections,
                                          const AgTransportCounters *counters);

G_END_DECLS
