/* hello.c: libagsignal from C. bob answers every peer message; alice says hello, reads the
 * answer through the async form, and both log out.
 *
 *   cc hello.c $(pkg-config --cflags --libs agsignal-1) -o hello
 *   ./hello [ws://127.0.0.1:7070/v1]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <agsignal.h>

typedef struct {
  GMainLoop *loop;
  AgSession *alice;
  AgSession *bob;
  guint      logged_in;
  guint      logged_out;
  guint      timeout;
  int        status;
} Hello;

static void
fail (Hello      *hello,
      const char *what)
{
  g_printerr ("unexpected: %s\n", what);
  hello->status = 1;
  g_main_loop_quit (hello->loop);
}

static void
login_success_cb (AgSession *session,
                  guint      uid,
                  Hello     *hello)
{
  g_print ("%s logged in with uid %u\n", ag_session_get_account (session), uid);

  /* The spec's messageInstantSend (account, msg): bob must be online. */
  if (++hello->logged_in == 2)
    ag_session_message_instant_send (hello->alice, "bob", "hello bob");
}

static void
login_failed_cb (AgSession *session,
                 int        ecode,
                 Hello     *hello)
{
  fail (hello, "login failed");
}

static void
answer_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Hello *hello = user_data;
  g_autoptr(GError) error = NULL;
  gboolean stored;

  /* A _finish function returns the result; FALSE is a failure only when error is set. */
  stored = ag_session_message_instant_send_finish (AG_SESSION (object), result, &error);
  if (error != NULL) {
    fail (hello, error->message);
    return;
  }

  g_print ("bob's answer was %s\n", stored ? "stored" : "delivered");
}

static void
message_cb (AgSession  *session,
            const char *account,
            guint       uid,
            const char *msg,
            Hello      *hello)
{
  g_print ("%s got \"%s\" from %s\n", ag_session_get_account (session), msg, account);

  if (session == hello->bob) {
    g_autofree char *answer = g_strdup_printf ("you said: %s", msg);

    /* The async form takes the ttl (0: the peer must be online) and reports to its callback
     * instead of emitting message-send-success. */
    ag_session_message_instant_send_async (hello->bob, account, answer, 0, NULL,
                                           answer_sent_cb, hello);
  } else {
    ag_session_logout (hello->alice);
    ag_session_logout (hello->bob);
  }
}

static void
send_error_cb (AgSession *session,
               int        ecode,
               Hello     *hello)
{
  g_printerr ("%s: %s\n", ag_error_code_name (ecode), ag_error_code_describe (ecode));
  fail (hello, "a message was refused");
}

static void
logout_cb (AgSession *session,
           int        ecode,
           Hello     *hello)
{
  g_print ("%s logged out (%d)\n", ag_session_get_account (session), ecode);

  if (ecode != AG_ERROR_LOGOUT_E_USER)
    hello->status = 1;
  if (++hello->logged_out == 2)
    g_main_loop_quit (hello->loop);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Hello *hello = user_data;

  hello->timeout = 0;
  fail (hello, "timed out");

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AgSignal) sig = ag_signal_new ("demo");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(AgSession) alice = NULL;
  g_autoptr(AgSession) bob = NULL;
  Hello hello = { .loop = loop };

  if (argc > 1)
    ag_signal_set_server_uri (sig, argv[1]);

  hello.alice = alice = ag_signal_login (sig, "alice", "_no_need_token");
  hello.bob = bob = ag_signal_login (sig, "bob", "_no_need_token");

  /* The session's signals are emitted from the main loop: connecting after the login is in
   * time. */
  for (guint i = 0; i < 2; i++) {
    AgSession *session = i == 0 ? alice : bob;

    g_signal_connect (session, "login-success", G_CALLBACK (login_success_cb), &hello);
    g_signal_connect (session, "login-failed", G_CALLBACK (login_failed_cb), &hello);
    g_signal_connect (session, "message-instant-receive", G_CALLBACK (message_cb), &hello);
    g_signal_connect (session, "message-send-error", G_CALLBACK (send_error_cb), &hello);
    g_signal_connect (session, "logout", G_CALLBACK (logout_cb), &hello);
  }

  hello.timeout = g_timeout_add_seconds (10, timeout_cb, &hello);
  g_main_loop_run (loop);
  g_clear_handle_id (&hello.timeout, g_source_remove);

  if (hello.status == 0)
    g_print ("done\n");

  return hello.status;
}
