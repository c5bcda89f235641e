/* bench-admin-snapshot.c: what an operator's snapshot costs the hub (docs/performance.md)
 *
 * The hub in-process with a recording sink: N logged-in users in C channels (one attribute
 * each), then one operator subscribes. Measured: the subscribe call (the copy of the state and
 * the first chunk), every later chunk (each runs in its own loop turn, so the longest one is
 * what other clients can wait behind), the bytes of the whole snapshot, and, as the baseline
 * of the same run, one channel_send to a 200-member channel.
 *
 * usage: bench-admin-snapshot [--users N] [--channels C] [--smoke]
 */

#include <stdio.h>
#include <string.h>

#include "ag-engine-memory.h"
#include "ag-hub.h"

#define ADMIN_KEY "bench-admin-key-0123456789"
#define ADMIN_CONN G_GUINT64_CONSTANT (1) << 40

typedef struct {
  guint64  bytes;
  guint64  admin_frames;
  gboolean snapshot_done;
} Sink;

static void
sink_send (gpointer  user_data,
           guint64   conn_id,
           GBytes   *frame)
{
  Sink *sink = user_data;
  gsize length = g_bytes_get_size (frame);

  if (conn_id != ADMIN_CONN)
    return;

  sink->bytes += length;
  sink->admin_frames++;
  if (length < 64 && memmem (g_bytes_get_data (frame, NULL), length,
                             "admin_snapshot_end", 18) != NULL)
    sink->snapshot_done = TRUE;
}

static void
sink_close (gpointer user_data,
            guint64  conn_id,
            int      code)
{
}

static void
frame (AgHub      *hub,
       guint64     conn,
       gint64      now,
       const char *text)
{
  ag_hub_connection_frame (hub, conn, text, strlen (text), now);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  static const AgHubSink sink_funcs = { sink_send, sink_close, NULL };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(AgEngine) engine = ag_engine_memory_new ();
  g_autoptr(AgHub) hub = NULL;
  g_autoptr(GError) error = NULL;
  gint users = 100000, channels = 10000;
  gboolean smoke = FALSE;
  const GOptionEntry entries[] = {
    { "users", 0, 0, G_OPTION_ARG_INT, &users, "Online users (default 100000)", "N" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &channels, "Channels (default 10000)", "C" },
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "A tiny run that checks the program works", NULL },
    { NULL }
  };
  AgAppConfig app = { .app_id = (char *) "demo", .allow_no_token = TRUE,
                      .admin_key = (char *) ADMIN_KEY };
  Sink sink = { 0, };
  gint64 now = G_GINT64_CONSTANT (1764099000000000);
  gint64 start, fanout_us;
  double subscribe_ms, longest_chunk_ms = 0, total_ms;
  g_autoptr(GArray) chunk_times = g_array_new (FALSE, FALSE, sizeof (double));
  guint chunks = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("bench-admin-snapshot: %s\n", error->message);
    return 1;
  }
  if (smoke) {
    users = 2000;
    channels = 200;
  }
  if (users < 200 || channels < 1 || channels > users) {
    g_printerr ("bench-admin-snapshot: needs --users >= 200 and 1 <= --channels <= users\n");
    return 1;
  }

  hub = ag_hub_new (engine, &sink_funcs, &sink);
  ag_hub_add_app (hub, &app);

  /* The state: users 0-199 share the channel "big" (the baseline's fan-out), the others are
   * spread over the remaining channels. */
  for (gint i = 0; i < users; i++) {
    char text[256];
    guint64 conn = (guint64) i + 1;

    ag_hub_connection_opened (hub, conn, now);
    ag_hub_connection_set_address (hub, conn, "127.0.0.1:40000");
    g_snprintf (text, sizeof text, "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\","
                "\"account\":\"user%07d\",\"token\":\"_no_need_token\"}", i);
    frame (hub, conn, now, text);
    if (i < 200)
      g_snprintf (text, sizeof text, "{\"op\":\"channel_join\",\"id\":2,\"channel\":\"big\"}");
    else
      g_snprintf (text, sizeof text, "{\"op\":\"channel_join\",\"id\":2,\"channel\":\"c%05d\"}",
                  channels > 1 ? i % (channels - 1) : 0);
    frame (hub, conn, now, text);
    if (i < channels)
      frame (hub, conn, now, "{\"op\":\"channel_set_attr\",\"id\":3,\"name\":\"topic\","
                             "\"value\":\"news of the day\"}");
  }

  /* The baseline: one message to 200 members. */
  now += G_USEC_PER_SEC;
  start = g_get_monotonic_time ();
  frame (hub, 1, now, "{\"op\":\"channel_send\",\"id\":4,\"msg\":\"hello everyone\"}");
  fanout_us = g_get_monotonic_time () - start;

  ag_hub_connection_opened (hub, ADMIN_CONN, now);
  frame (hub, ADMIN_CONN, now, "{\"op\":\"admin_login\",\"id\":1,\"app_id\":\"demo\","
                               "\"key\":\"" ADMIN_KEY "\"}");

  start = g_get_monotonic_time ();
  frame (hub, ADMIN_CONN, now, "{\"op\":\"admin_subscribe\",\"id\":2}");
  subscribe_ms = ms_since (start);
  total_ms = subscribe_ms;

  /* Each later chunk in its own tick, as the transports run them; bounded. */
  for (guint turn = 0; !sink.snapshot_done && turn < 100000; turn++) {
    gint64 deadline = ag_hub_next_deadline (hub);
    double chunk_ms;

    now = MAX (now + 1, deadline);
    start = g_get_monotonic_time ();
    ag_hub_tick (hub, now);
    chunk_ms = ms_since (start);
    total_ms += chunk_ms;
    longest_chunk_ms = MAX (longest_chunk_ms, chunk_ms);
    g_array_append_val (chunk_times, chunk_ms);
    chunks++;
  }

  if (!sink.snapshot_done) {
    g_printerr ("bench-admin-snapshot: the snapshot did not end\n");
    return 1;
  }

  printf ("users %d channels %d\n", users, channels);
  printf ("subscribe call (copy + first chunk): %.2f ms\n", subscribe_ms);
  g_array_sort (chunk_times, compare_doubles);
  printf ("later chunks: %u, median %.3f ms, p99 %.3f ms, longest %.2f ms\n", chunks,
          chunks > 0 ? g_array_index (chunk_times, double, chunks / 2) : 0.0,
          chunks > 0 ? g_array_index (chunk_times, double, (chunks * 99) / 100) : 0.0,
          longest_chunk_ms);
  printf ("snapshot total hub time: %.2f ms, %" G_GUINT64_FORMAT " frames, %.1f MB\n",
          total_ms, sink.admin_frames, sink.bytes / 1e6);
  printf ("baseline: one channel_send to 200 members: %.3f ms\n", fanout_us / 1000.0);
  printf ("longest chunk / baseline: %.1fx\n",
          fanout_us > 0 ? longest_chunk_ms * 1000.0 / fanout_us : 0.0);

  return 0;
}
