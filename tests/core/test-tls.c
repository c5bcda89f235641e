/* test-tls.c: wss:// through GIO TLS
 *
 * A TLS-terminating relay (tests/core/tls: a test CA and a certificate for 127.0.0.1) stands
 * in front of agsignald. This is its own program because the TLS backend GIO loads keeps
 * LeakSanitizer from running (see tests/core/meson.build).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"
#include "core-relay.h"

static GTlsCertificate *
load_certificate (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("AG_TEST_TLS_DIR"), "server.pem", NULL);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certificate = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);

  return certificate;
}

static GTlsDatabase *
load_ca (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("AG_TEST_TLS_DIR"), "ca.pem", NULL);
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;

  database = g_tls_file_database_new (path, &error);
  g_assert_no_error (error);

  return database;
}

static void
test_wss (CoreFixture   *fixture,
          gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = load_certificate ();
  g_autoptr(GTlsDatabase) ca = load_ca ();
  g_autoptr(CoreRelay) tls = NULL;
  g_autoptr(AgSignal) secure = ag_signal_new ("demo");
  g_autoptr(AgSignal) untrusting = ag_signal_new ("demo");
  g_autoptr(CoreRecorder) received = NULL;
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *bob = core_login (fixture, "bob");
  AgSession *alice;
  AgSession *eve;

  tls = core_relay_new (ag_test_server_get_uri (fixture->server), certificate);
  g_assert_true (g_str_has_prefix (core_relay_get_uri (tls), "wss://"));

  ag_signal_set_server_uri (secure, core_relay_get_uri (tls));
  ag_signal_set_tls_database (secure, ca);
  g_assert_true (ag_signal_get_tls_database (secure) == ca);
  alice = core_login_on (secure, "alice");

  received = core_recorder_new (bob, "message-instant-receive");
  ag_session_message_instant_send (alice, "bob", "over tls");
  g_assert_true (core_recorder_wait (received, 1));
  g_assert_cmpstr (core_recorder_string (received, 0, 0), ==, "alice");
  g_assert_cmpstr (core_recorder_string (received, 0, 2), ==, "over tls");

  /* A certificate the system does not trust is refused. */
  ag_signal_set_server_uri (untrusting, core_relay_get_uri (tls));
  eve = ag_signal_login (untrusting, "eve", "_no_need_token");
  failed = core_recorder_new (eve, "login-failed");
  g_assert_true (core_recorder_wait (failed, 1));
  g_assert_cmpint (core_recorder_int (failed, 0, 0), ==, AG_ERROR_LOGIN_E_NET);

  g_clear_pointer (&received, core_recorder_free);
  g_clear_pointer (&failed, core_recorder_free);
  core_logout_and_free (alice);
  core_logout_and_free (bob);
  core_assert_finalized (eve);
  core_assert_finalized (g_steal_pointer (&secure));
  core_assert_finalized (g_steal_pointer (&untrusting));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ag/tls/wss", CoreFixture, NULL, core_fixture_setup, test_wss,
              core_fixture_teardown);

  return g_test_run ();
}
