/* test-fault.c: libagsignal against an agsignald process that freezes or restarts
 *
 * /ag/fault/sigstop stops the server with SIGSTOP for 70 s (longer than a keepalive interval
 * and a request timeout together, so the sessions find the server dead and retry against
 * a process that accepts TCP connections in its backlog but answers nothing), then
 * continues it: both sessions must be logged in again, their channel working, and the
 * server must hold exactly their two sessions, the stale ones gone.
 *
 * /ag/fault/restart-herd logs in AG_TEST_HERD_CLIENTS sessions (500 by default, 500 per
 * child process of this program), stops the server and starts a new one on the same port:
 * every session must reconnect, and the test reports how long that took (bench-reconnect-herd
 * runs it with 10,000).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core-fixture.h"
#include "ag-test-client.h"

#define STOP_S              70
#define RECOVER_TIMEOUT_MS  60000
#define HERD_CLIENTS        500
#define HERD_PER_PROCESS    500
#define HERD_TIMEOUT_MS     120000

typedef struct {
  guint   logged_in;
  guint   failed;
  guint   reconnecting;      /* emissions, all sessions together */
  guint   reconnected;
  GArray *reconnect_us;      /* per reconnection: when (monotonic clock) */
} Counts;

static void
login_success_cb (AgSession *session,
                  guint      uid,
                  gpointer   data)
{
  ((Counts *) data)->logged_in++;
}

static void
login_failed_cb (AgSession *session,
                 int        code,
                 gpointer   data)
{
  ((Counts *) data)->failed++;
}

static void
reconnecting_cb (AgSession *session,
                 guint      attempt,
                 gpointer   data)
{
  ((Counts *) data)->reconnecting++;
}

static void
reconnected_cb (AgSession *session,
                gpointer   data)
{
  Counts *counts = data;
  gint64 now = g_get_monotonic_time ();

  counts->reconnected++;
  g_array_append_val (counts->reconnect_us, now);
}

typedef struct {
  const guint *value;
  guint        target;
} AtLeast;

static gboolean
at_least (gpointer data)
{
  const AtLeast *wait = data;

  return *wait->value >= wait->target;
}

static gboolean
wait_count (const guint *value,
            guint        target,
            guint        timeout_ms)
{
  AtLeast wait = { value, target };

  return ag_test_spin_until (at_least, &wait, timeout_ms);
}

static double
metric (AgTestServer *server,
        const char   *name)
{
  g_autofree char *uri = ag_test_server_get_http_uri (server, "/metrics");
  g_autofree char *name_space = g_strconcat ("\n", name, " ", NULL);
  g_autofree char *body = ag_test_http_get (uri, NULL, NULL);
  const char *at = body != NULL ? strstr (body, name_space) : NULL;

  g_assert_nonnull (at);

  return g_ascii_strtod (at + strlen (name_space), NULL);
}

typedef struct {
  AgTestServer *server;
  guint         sessions;
} SessionsWait;

static gboolean
sessions_are (gpointer data)
{
  SessionsWait *wait = data;

  if (metric (wait->server, "agsignal_sessions") == wait->sessions &&
      metric (wait->server, "agsignal_connections") == wait->sessions)
    return TRUE;

  /* Not a busy loop of requests against the server being measured. */
  g_usleep (50 * 1000);
  return FALSE;
}

static void
test_sigstop (CoreFixture   *fixture,
              gconstpointer  data)
{
  g_autoptr(CoreRecorder) a_reconnecting = NULL;
  g_autoptr(CoreRecorder) a_reconnected = NULL;
  g_autoptr(CoreRecorder) b_reconnected = NULL;
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(CoreRecorder) a_logout = NULL;
  AgSession *alice = core_login (fixture, "alice");
  AgSession *bob = core_login (fixture, "bob");
  AgChannel *a_channel = core_join (alice, "lobby");
  AgChannel *b_channel = core_join (bob, "lobby");
  GPid pid = ag_test_server_get_pid (fixture->server);
  SessionsWait two = { fixture->server, 2 };

  a_reconnecting = core_recorder_new (alice, "reconnecting");
  a_reconnected = core_recorder_new (alice, "reconnected");
  b_reconnected = core_recorder_new (bob, "reconnected");
  received = core_recorder_new (b_channel, "message-channel-receive");
  a_logout = core_recorder_new (alice, "logout");

  /* The defaults: a ping every 20 s, 10 s for its pong. */
  g_assert_cmpuint (ag_signal_get_keepalive_interval (fixture->signal), ==, 20000);
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  core_spin_for (STOP_S * 1000);

  /* The sessions noticed, and kept trying; nobody logged them out. */
  g_assert_cmpuint (core_recorder_count (a_reconnecting), >=, 1);
  g_assert_cmpuint (core_recorder_count (a_reconnected), ==, 0);
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_CONNECTING);
  g_test_message ("alice: %u reconnection attempts while the server was stopped",
                  core_recorder_count (a_reconnecting));

  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  g_assert_true (core_recorder_wait_ms (a_reconnected, 1, RECOVER_TIMEOUT_MS));
  g_assert_true (core_recorder_wait_ms (b_reconnected, 1, RECOVER_TIMEOUT_MS));
  g_assert_cmpint (ag_session_get_status (alice), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpint (ag_session_get_status (bob), ==, AG_STATUS_LOGGED_IN);
  g_assert_cmpuint (core_recorder_count (a_logout), ==, 0);

  /* The channel works again, and the server holds the two sessions and nothing stale (the
   * connections the clients gave up on while it was stopped, answered late or not). */
  ag_channel_message_channel_send (a_channel, "after the stop");
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "after the stop");
  g_assert_true (ag_test_spin_until (sessions_are, &two, RECOVER_TIMEOUT_MS));
  g_assert_true (ag_test_server_is_running (fixture->server));

  g_clear_pointer (&a_reconnecting, core_recorder_free);
  g_clear_pointer (&a_reconnected, core_recorder_free);
  g_clear_pointer (&b_reconnected, core_recorder_free);
  g_clear_pointer (&received, core_recorder_free);
  g_clear_pointer (&a_logout, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (a_channel);
  core_assert_finalized (b_channel);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *sorted,
            guint   p)
{
  return g_array_index (sorted, gint64, MIN (sorted->len - 1, (sorted->len * p) / 100));
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     data)
{
  char buffer[64];

  if ((condition & G_IO_IN) != 0 && read (fd, buffer, sizeof buffer) > 0)
    return G_SOURCE_CONTINUE;

  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A herd member: a process with count sessions (accounts herd-FIRST...), so that no one
 * GLib main loop polls thousands of sockets (its cost per iteration grows with them). It
 * prints "ready" once all are logged in, then, once all reconnected after the restart, one
 * "t US" line per reconnection (monotonic clock, shared by every process) and "done
 * ATTEMPTS MISSING" (MISSING: sessions not back within HERD_TIMEOUT_MS); it logs out and exits when its standard input closes. */
static int
herd_child (guint16 port,
            guint   first,
            guint   count)
{
  g_autoptr(AgSignal) signal = ag_signal_new ("demo");
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/v1", port);
  g_autoptr(GPtrArray) sessions = g_ptr_array_new ();
  Counts counts = { .reconnect_us = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  gboolean input_closed = FALSE;

  ag_signal_set_server_uri (signal, uri);
  for (guint i = 0; i < count; i++) {
    g_autofree char *account = g_strdup_printf ("herd-%u", first + i);
    AgSession *session = ag_signal_login (signal, account, "_no_need_token");

    g_signal_connect (session, "login-success", G_CALLBACK (login_success_cb), &counts);
    g_signal_connect (session, "login-failed", G_CALLBACK (login_failed_cb), &counts);
    g_signal_connect (session, "reconnecting", G_CALLBACK (reconnecting_cb), &counts);
    g_signal_connect (session, "reconnected", G_CALLBACK (reconnected_cb), &counts);
    g_ptr_array_add (sessions, session);
  }
  if (!wait_count (&counts.logged_in, count, HERD_TIMEOUT_MS) || counts.failed > 0)
    return 1;
  printf ("ready\n");
  fflush (stdout);

  /* Those still missing at the deadline are reported, not waited for. */
  wait_count (&counts.reconnected, count, HERD_TIMEOUT_MS);
  for (guint i = 0; i < counts.reconnect_us->len; i++)
    printf ("t %" G_GINT64_FORMAT "\n", g_array_index (counts.reconnect_us, gint64, i));
  printf ("done %u %u\n", counts.reconnecting, count - MIN (counts.reconnected, count));
  fflush (stdout);

  /* The sessions must be served (pongs, keepalives) until then: the main loop runs on. */
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &input_closed);
  if (!ag_test_spin_until_flag (&input_closed, HERD_TIMEOUT_MS))
    return 1;
  for (guint i = 0; i < sessions->len; i++) {
    AgSession *session = g_ptr_array_index (sessions, i);

    g_signal_handlers_disconnect_by_data (session, &counts);
    core_logout_and_free (session);
  }
  g_array_unref (counts.reconnect_us);

  return 0;
}

/* Reads the child's lines up to one starting with prefix (returned); "t" lines on the way
 * are added to times. NULL at the end of its output. */
static char *
herd_read_until (GDataInputStream *out,
                 const char       *prefix,
                 GArray           *times)
{
  for (;;) {
    g_autoptr(GError) error = NULL;
    char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

    g_assert_no_error (error);
    if (line == NULL || g_str_has_prefix (line, prefix))
      return line;
    if (times != NULL && g_str_has_prefix (line, "t ")) {
      gint64 at = g_ascii_strtoll (line + 2, NULL, 10);

      g_array_append_val (times, at);
    }
    g_free (line);
  }
}

static const char *self_path;

static void
test_restart_herd (CoreFixture   *fixture,
                   gconstpointer  data)
{
  const char *clients_text = g_getenv ("AG_TEST_HERD_CLIENTS");
  guint clients = clients_text != NULL ? (guint) g_ascii_strtoull (clients_text, NULL, 10)
                                       : HERD_CLIENTS;
  guint n_children = (clients + HERD_PER_PROCESS - 1) / HERD_PER_PROCESS;
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *port = NULL;
  SessionsWait all = { NULL, clients };
  guint attempts = 0;
  guint missing = 0;
  gint64 start_us, down_us, stopped_us, up_us;

  g_assert_cmpuint (clients, >, 0);
  g_assert_cmpuint (clients, <=, 10000);

  port = g_strdup_printf ("%u", ag_test_server_get_port (fixture->server));
  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < n_children; i++) {
    guint first = i * HERD_PER_PROCESS;
    g_autofree char *first_text = g_strdup_printf ("%u", first);
    g_autofree char *count_text = g_strdup_printf ("%u", MIN (HERD_PER_PROCESS, clients - first));
    GSubprocess *child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                           G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                           self_path, "--herd-child", port, first_text,
                                           count_text, NULL);

    g_autofree char *ready = NULL;

    g_assert_no_error (error);
    g_ptr_array_add (children, child);
    g_ptr_array_add (outputs, g_data_input_stream_new (g_subprocess_get_stdout_pipe (child)));

    /* One process after the other: the herd to measure is the one after the restart. */
    ready = herd_read_until (g_ptr_array_index (outputs, i), "ready", NULL);
    g_assert_nonnull (ready);
  }
  g_test_message ("%u sessions in %u processes logged in in %.2f s", clients, n_children,
                  (g_get_monotonic_time () - start_us) / 1e6);

  /* The server goes away, and a new one comes up on the same port a moment later. */
  listen = g_strdup_printf ("127.0.0.1:%s", port);
  down_us = g_get_monotonic_time ();
  /* A graceful stop closes every connection with 1001 first: with thousands it takes longer
   * than the fixture's usual bound. */
  g_assert_true (ag_test_server_stop (fixture->server, HERD_TIMEOUT_MS, NULL));
  stopped_us = g_get_monotonic_time ();
  g_clear_pointer (&fixture->server, ag_test_server_free);
  fixture->server = ag_test_server_new (NULL, (const char *[]) { "--listen", listen, NULL },
                                        &error);
  g_assert_no_error (error);
  up_us = g_get_monotonic_time ();

  for (guint i = 0; i < n_children; i++) {
    g_autofree char *done = herd_read_until (g_ptr_array_index (outputs, i), "done ", times);

    char *end = NULL;

    g_assert_nonnull (done);
    attempts += (guint) g_ascii_strtoull (done + 5, &end, 10);
    missing += (guint) g_ascii_strtoull (end, NULL, 10);
  }
  if (missing > 0)
    g_test_message ("%u of %u sessions were not back within %u s; %u attempts in all", missing,
                    clients, HERD_TIMEOUT_MS / 1000, attempts);
  g_assert_cmpuint (missing, ==, 0);
  g_assert_cmpuint (times->len, ==, clients);
  for (guint i = 0; i < times->len; i++)
    g_array_index (times, gint64, i) -= up_us;
  g_array_sort (times, compare_gint64);
  /* The new server did nothing but take the herd back: its CPU time is that work's cost. */
  g_test_message ("%u sessions: the old server stopped in %.2f s, the new one was up %.2f s "
                  "later; after that, reconnected "
                  "p50 %.3f s, p90 %.3f s, p99 %.3f s, all %.3f s; %u reconnection attempts "
                  "in all; the new server's CPU time %.2f s", clients,
                  (stopped_us - down_us) / 1e6, (up_us - stopped_us) / 1e6,
                  percentile (times, 50) / 1e6, percentile (times, 90) / 1e6,
                  percentile (times, 99) / 1e6, percentile (times, 100) / 1e6, attempts,
                  (double) ag_test_server_get_cpu_ticks (fixture->server) /
                  sysconf (_SC_CLK_TCK));

  /* Every session is logged in once on the new server, nothing left over. */
  all.server = fixture->server;
  g_assert_true (ag_test_spin_until (sessions_are, &all, HERD_TIMEOUT_MS));

  for (guint i = 0; i < n_children; i++) {
    GSubprocess *child = g_ptr_array_index (children, i);

    g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (child, NULL, &error));
    g_assert_no_error (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 5 && g_str_equal (argv[1], "--herd-child"))
    return herd_child ((guint16) g_ascii_strtoull (argv[2], NULL, 10),
                       (guint) g_ascii_strtoull (argv[3], NULL, 10),
                       (guint) g_ascii_strtoull (argv[4], NULL, 10));

  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ag/fault/sigstop", CoreFixture, NULL, core_fixture_setup, test_sigstop,
              core_fixture_teardown);
  g_test_add ("/ag/fault/restart-herd", CoreFixture, NULL, core_fixture_setup,
              test_restart_herd, core_fixture_teardown);

  return g_test_run ();
}
