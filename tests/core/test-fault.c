/* test-fault.c: libagsignal against an agsignald process that freezes or restarts
 *
 * /ag/fault/sigstop stops the server with SIGSTOP for 70 s (longer than a keepalive interval
 * and a request timeout together, so the sessions find the server dead and retry against
 * a process that accepts TCP connections in its backlog but answers nothing), then
 * continues it: both sessions must be logged in again, their channel working, and the
 * server must hold exactly their two sessions, the stale ones gone.
 *
 * /ag/fault/restart-herd logs in AG_TEST_HERD_CLIENTS sessions (500 by default), stops the
 * server and starts a new one on the same port: every session must reconnect, and the test
 * reports how long that took (tests/bench runs it with 10,000).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>

#include "core-fixture.h"
#include "ag-test-client.h"

#define STOP_S              70
#define RECOVER_TIMEOUT_MS  60000
#define HERD_CLIENTS        500

typedef struct {
  guint   logged_in;
  guint   failed;
  guint   reconnecting;      /* emissions, all sessions together */
  guint   reconnected;
  gint64  since_us;          /* monotonic: when the new server was up */
  GArray *reconnect_us;      /* per reconnection: its time after since_us */
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
  gint64 elapsed = g_get_monotonic_time () - counts->since_us;

  counts->reconnected++;
  g_array_append_val (counts->reconnect_us, elapsed);
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

  return metric (wait->server, "agsignal_sessions") == wait->sessions &&
         metric (wait->server, "agsignal_connections") == wait->sessions;
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

static void
test_restart_herd (CoreFixture   *fixture,
                   gconstpointer  data)
{
  const char *clients_text = g_getenv ("AG_TEST_HERD_CLIENTS");
  guint clients = clients_text != NULL ? (guint) g_ascii_strtoull (clients_text, NULL, 10)
                                       : HERD_CLIENTS;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  Counts counts = { .reconnect_us = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  SessionsWait all = { NULL, clients };
  gint64 start_us, down_us;

  g_assert_cmpuint (clients, >, 0);
  g_assert_cmpuint (clients, <=, 10000);

  /* All logins at once; each session has its own connection. */
  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < clients; i++) {
    g_autofree char *account = g_strdup_printf ("herd-%u", i);
    AgSession *session = ag_signal_login (fixture->signal, account, "_no_need_token");

    g_signal_connect (session, "login-success", G_CALLBACK (login_success_cb), &counts);
    g_signal_connect (session, "login-failed", G_CALLBACK (login_failed_cb), &counts);
    g_signal_connect (session, "reconnecting", G_CALLBACK (reconnecting_cb), &counts);
    g_signal_connect (session, "reconnected", G_CALLBACK (reconnected_cb), &counts);
    g_ptr_array_add (sessions, session);
  }
  g_assert_true (wait_count (&counts.logged_in, clients, RECOVER_TIMEOUT_MS));
  g_assert_cmpuint (counts.failed, ==, 0);
  g_test_message ("%u sessions logged in in %.2f s", clients,
                  (g_get_monotonic_time () - start_us) / 1e6);

  /* The server goes away, and a new one comes up on the same port a moment later. */
  listen = g_strdup_printf ("127.0.0.1:%u", ag_test_server_get_port (fixture->server));
  down_us = g_get_monotonic_time ();
  g_assert_true (ag_test_server_stop (fixture->server, AG_TEST_SERVER_STOP_TIMEOUT_MS, NULL));
  g_clear_pointer (&fixture->server, ag_test_server_free);
  g_assert_true (wait_count (&counts.reconnecting, clients, RECOVER_TIMEOUT_MS));

  fixture->server = ag_test_server_new (NULL, (const char *[]) { "--listen", listen, NULL },
                                        &error);
  g_assert_no_error (error);
  counts.since_us = g_get_monotonic_time ();

  g_assert_true (wait_count (&counts.reconnected, clients, RECOVER_TIMEOUT_MS));
  g_array_sort (counts.reconnect_us, compare_gint64);
  g_test_message ("%u sessions: server down for %.2f s; after it was up again, reconnected "
                  "p50 %.3f s, p90 %.3f s, all %.3f s; %u reconnection attempts in all",
                  clients, (counts.since_us - down_us) / 1e6,
                  percentile (counts.reconnect_us, 50) / 1e6,
                  percentile (counts.reconnect_us, 90) / 1e6,
                  percentile (counts.reconnect_us, 100) / 1e6, counts.reconnecting);

  /* Every session is logged in once on the new server, nothing left over. */
  for (guint i = 0; i < sessions->len; i++)
    g_assert_cmpint (ag_session_get_status (g_ptr_array_index (sessions, i)), ==,
                     AG_STATUS_LOGGED_IN);
  all.server = fixture->server;
  g_assert_true (ag_test_spin_until (sessions_are, &all, RECOVER_TIMEOUT_MS));

  for (guint i = 0; i < sessions->len; i++) {
    AgSession *session = g_ptr_array_index (sessions, i);

    g_signal_handlers_disconnect_by_data (session, &counts);
    core_logout_and_free (session);
  }
  g_array_unref (counts.reconnect_us);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ag/fault/sigstop", CoreFixture, NULL, core_fixture_setup, test_sigstop,
              core_fixture_teardown);
  g_test_add ("/ag/fault/restart-herd", CoreFixture, NULL, core_fixture_setup,
              test_restart_herd, core_fixture_teardown);

  return g_test_run ();
}
