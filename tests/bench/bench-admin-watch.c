/* bench-admin-watch.c: an operator who keeps taking the app's snapshot, as load
 *
 * Connects to agsignald's admin API, logs in, subscribes, reads the snapshot to its
 * admin_snapshot_end, disconnects and starts over, for --seconds. run-admin-load runs it
 * beside a fan-out to see what snapshots cost the other clients. It reads the frames without
 * parsing them (the console's AgAdmin parses them in worker threads, which on a small machine
 * would take the CPU from the server being measured). Prints one JSON line: snapshots taken
 * and the bytes of the last one.
 *
 * usage: bench-admin-watch --server ws://127.0.0.1:PORT/v1 --app ID --key-file FILE
 *                          [--seconds S] [--pause MS]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <libsoup/soup.h>

typedef struct {
  GMainLoop               *loop;
  SoupSession             *soup;
  SoupWebsocketConnection *ws;
  char                    *server;
  char                    *app;
  char                    *key;
  gint64                   until_us;
  guint                    pause_ms;
  guint                    snapshots;
  guint64                  bytes;
  guint64                  last_bytes;
  int                      status;
} Watch;

static void take_snapshot (Watch *watch);

static void
fail (Watch      *watch,
      const char *message)
{
  g_printerr ("bench-admin-watch: %s\n", message);
  watch->status = 1;
  g_main_loop_quit (watch->loop);
}

static void
next_snapshot_cb (gpointer data)
{
  take_snapshot (data);
}

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            Watch                   *watch)
{
  gsize length;
  const char *text = g_bytes_get_data (message, &length);

  watch->bytes += length;
  if (length < 200 && memmem (text, length, "\"op\":\"error\"", 12) != NULL) {
    g_autofree char *copy = g_strndup (text, length);

    fail (watch, copy);
    return;
  }
  if (length > 64 || memmem (text, length, "admin_snapshot_end", 18) == NULL)
    return;

  /* A whole snapshot: again, until the time is up. */
  watch->snapshots++;
  watch->last_bytes = watch->bytes;
  g_signal_handlers_disconnect_by_data (ws, watch);
  soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&watch->ws);

  if (g_get_monotonic_time () >= watch->until_us)
    g_main_loop_quit (watch->loop);
  else if (watch->pause_ms > 0)
    g_timeout_add_once (watch->pause_ms, next_snapshot_cb, watch);
  else
    take_snapshot (watch);
}

static void
closed_cb (SoupWebsocketConnection *ws,
           Watch                   *watch)
{
  fail (watch, "the server closed the connection");
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *login = NULL;

  watch->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (watch->ws == NULL) {
    fail (watch, error->message);
    return;
  }

  soup_websocket_connection_set_max_incoming_payload_size (watch->ws, 16 * 1024 * 1024);
  g_signal_connect (watch->ws, "message", G_CALLBACK (message_cb), watch);
  g_signal_connect (watch->ws, "closed", G_CALLBACK (closed_cb), watch);
  watch->bytes = 0;
  login = g_strdup_printf ("{\"op\":\"admin_login\",\"id\":1,\"app_id\":\"%s\",\"key\":\"%s\"}",
                           watch->app, watch->key);
  soup_websocket_connection_send_text (watch->ws, login);
  soup_websocket_connection_send_text (watch->ws, "{\"op\":\"admin_subscribe\",\"id\":2}");
}

static void
take_snapshot (Watch *watch)
{
  static const char *protocols[] = { "agsignal.v1", NULL };
  g_autoptr(SoupMessage) message = soup_message_new ("GET", watch->server);

  soup_session_websocket_connect_async (watch->soup, message, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, NULL, connected_cb, watch);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *server = NULL;
  g_autofree char *app = NULL;
  g_autofree char *key_file = NULL;
  double seconds = 10;
  int pause_ms = 0;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "agsignald's ws:// URL on 127.0.0.1", "URL" },
    { "app", 0, 0, G_OPTION_ARG_STRING, &app, "The app to watch", "ID" },
    { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "A file holding the admin key", "FILE" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "How long to keep taking snapshots (10)", "S" },
    { "pause", 0, 0, G_OPTION_ARG_INT, &pause_ms, "Milliseconds between the end of a snapshot and the next (0)", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  Watch watch = { NULL, };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("bench-admin-watch: %s\n", error->message);
    return 2;
  }
  if (server == NULL || app == NULL || key_file == NULL || seconds <= 0 || seconds > 3600 ||
      pause_ms < 0 || pause_ms > 60000) {
    g_printerr ("bench-admin-watch: --server, --app and --key-file are needed; "
                "--seconds is at most 3600\n");
    return 2;
  }
  if (!g_str_has_prefix (server, "ws://127.") && !g_str_has_prefix (server, "ws://[::1]")) {
    g_printerr ("bench-admin-watch: only a server on loopback is a target\n");
    return 2;
  }
  if (!g_file_get_contents (key_file, &key, NULL, &error)) {
    g_printerr ("bench-admin-watch: %s\n", error->message);
    return 2;
  }
  g_strstrip (key);

  watch.loop = g_main_loop_new (NULL, FALSE);
  watch.soup = soup_session_new ();
  watch.server = server;
  watch.app = app;
  watch.key = key;
  watch.pause_ms = (guint) pause_ms;
  watch.until_us = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  take_snapshot (&watch);
  g_main_loop_run (watch.loop);

  if (watch.ws != NULL)
    g_signal_handlers_disconnect_by_data (watch.ws, &watch);
  g_clear_object (&watch.ws);
  g_clear_object (&watch.soup);
  g_main_loop_unref (watch.loop);
  g_print ("{\"scenario\":\"admin-watch\",\"snapshots\":%u,\"snapshot_bytes\":%" G_GUINT64_FORMAT
           ",\"seconds\":%.1f}\n", watch.snapshots, watch.last_bytes, seconds);
  return watch.status;
}
