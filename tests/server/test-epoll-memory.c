/* test-epoll-memory.c: what an idle logged-in session costs the epoll transport
 *
 * Opens a few thousand hand-framed WebSocket sessions against a real agsignald, logs each
 * in, and reads the server's RSS before and after: an idle session must cost at most 4 kB
 * (docs/performance.md). A session that keeps a wslay context while idle costs over 9 kB.
 * Under AddressSanitizer the allocator's redzones and quarantine make RSS meaningless, so
 * the test is skipped there.
 */

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ag-test-raw-websocket.h"
#include "ag-test-server.h"

#define WARM_SESSIONS     100
#define SESSIONS          2000
#define MAX_BYTES_EACH    4096

static gint64
server_rss_bytes (AgTestServer *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/statm", (int) ag_test_server_get_pid (server));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  fields = g_strsplit (text, " ", 0);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);

  return g_ascii_strtoll (fields[1], NULL, 10) * sysconf (_SC_PAGESIZE);
}

static void
open_sessions (AgTestServer *server,
               GPtrArray    *sessions,
               guint         n)
{
  for (guint i = 0; i < n; i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) payload = NULL;
    g_autofree char *login = NULL;
    AgTestRawWebsocket *ws;
    guint8 opcode = 0;

    ws = ag_test_raw_websocket_connect (ag_test_server_get_port (server), 0, &error);
    g_assert_no_error (error);
    g_ptr_array_add (sessions, ws);

    login = g_strdup_printf ("{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\","
                             "\"account\":\"idle-%u\",\"token\":\"_no_need_token\"}",
                             sessions->len);
    g_assert_true (ag_test_raw_websocket_send_text (ws, login, -1, &error));
    g_assert_no_error (error);
    g_assert_true (ag_test_raw_websocket_read_frame (ws, &opcode, &payload, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (opcode, ==, AG_TEST_WS_TEXT);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                                    "\"op\":\"ok\""));
  }
}

static void
test_idle_sessions (void)
{
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  AgTestServer *server;
  struct rlimit limit;
  gint64 before;
  gint64 after;

#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("RSS means nothing under AddressSanitizer");
  return;
#endif

  /* Two descriptors per session on this machine; the server inherits the limit. */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < 2 * (WARM_SESSIONS + SESSIONS) + 64) {
    g_test_skip ("the file descriptor limit is too low");
    return;
  }
  limit.rlim_cur = limit.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);

  server = ag_test_server_new (NULL, NULL, &error);
  g_assert_no_error (error);
  sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_raw_websocket_free);

  /* The first sessions grow the allocator's arenas and the server's tables. */
  open_sessions (server, sessions, WARM_SESSIONS);
  before = server_rss_bytes (server);
  open_sessions (server, sessions, SESSIONS);
  after = server_rss_bytes (server);

  g_test_message ("%u sessions: %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT " bytes = %.0f each",
                  SESSIONS, before, after, (after - before) / (double) SESSIONS);
  g_assert_cmpint (after - before, <=, (gint64) SESSIONS * MAX_BYTES_EACH);

  g_clear_pointer (&sessions, g_ptr_array_unref);
  ag_test_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/epoll-memory/idle-sessions", test_idle_sessions);

  return g_test_run ();
}
