/* agsig-client.c: one logged-in session for a subcommand, and the bounded waits that let a
 * subcommand read as a sequence of steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ag-token.h"

/* How long a token minted from --certificate stays valid. */
#define MINTED_TOKEN_LIFETIME_S (60 * 60)

/* The library enforces each request's timeout itself and then fails the request with the
 * spec's code; this extra margin only bounds the wait should that answer never come. */
#define GRACE_MS 2000

static void
pending_clear (gpointer data)
{
  AgsigPending *pending = data;

  g_clear_object (&pending->result);
}

AgsigPending *
agsig_pending_new (void)
{
  return g_rc_box_new0 (AgsigPending);
}

AgsigPending *
agsig_pending_ref (AgsigPending *pending)
{
  return g_rc_box_acquire (pending);
}

void
agsig_pending_unref (AgsigPending *pending)
{
  g_rc_box_release_full (pending, pending_clear);
}

/* The GAsyncReadyCallback of every _async call; user_data is a reference to an AgsigPending,
 * which this callback consumes. */
void
agsig_pending_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AgsigPending *pending = user_data;

  g_set_object (&pending->result, result);
  agsig_pending_unref (pending);
}

int
agsig_options_require (AgsigOptions *options,
                       const char   *name,
                       gboolean      need_account)
{
  if (options->app_id == NULL)
    return agsig_usage_error (name, _("no app id: pass --app-id or set AGSIG_APP_ID"));
  if (need_account && options->account == NULL)
    return agsig_usage_error (name, _("no account: pass --account or set AGSIG_ACCOUNT"));

  return -1;
}

/* Commands that only read from the server still need a login; without --account they log
 * in as an account of their own, which leaves no trace once they log out. */
void
agsig_options_default_account (AgsigOptions *options)
{
  if (options->account == NULL)
    options->account = g_strdup_printf ("agsig-%08x", g_random_int ());
}

static gboolean
interrupt_cb (gpointer user_data)
{
  AgsigClient *self = user_data;

  self->interrupted = TRUE;
  return G_SOURCE_CONTINUE;
}

AgsigClient *
agsig_client_new (AgsigOptions *options)
{
  AgsigClient *self = g_new0 (AgsigClient, 1);

  self->options = options;
  self->login_ecode = -1;
  self->logout_ecode = -1;
  self->sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, self);

  return self;
}

void
agsig_client_free (AgsigClient *self)
{
  self->printer.enabled = FALSE;

  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->signal);

  g_free (self);
}

guint
agsig_client_request_timeout_ms (AgsigClient *self)
{
  return self->options->timeout_s * 1000;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until done () holds, timeout_ms passed (0: no time limit) or
 * SIGINT/SIGTERM came. */
AgsigWait
agsig_client_spin (AgsigClient   *self,
                   AgsigDoneFunc  done,
                   gpointer       user_data,
                   guint          timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timer_id = 0;

  if (timeout_ms > 0)
    timer_id = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  while (!done (user_data) && !timed_out && !self->interrupted)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_clear_handle_id (&timer_id, g_source_remove);

  if (done (user_data))
    return AGSIG_WAIT_DONE;
  if (self->interrupted)
    return AGSIG_WAIT_INTERRUPTED;
  return AGSIG_WAIT_TIMED_OUT;
}

static gboolean
wait_to_error (AgsigClient  *self,
               AgsigWait     wait,
               guint         timeout_ms,
               GError      **error)
{
  switch (wait)
    {
    case AGSIG_WAIT_DONE:
      return TRUE;
    case AGSIG_WAIT_INTERRUPTED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("interrupted"));
      return FALSE;
    case AGSIG_WAIT_TIMED_OUT:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   _("no answer from the server within %u s"), (timeout_ms + 999) / 1000);
      return FALSE;
    }
}

static gboolean
pending_done (gpointer user_data)
{
  AgsigPending *pending = user_data;

  return pending->result != NULL;
}

/* Waits for the callback of an _async call made with agsig_pending_cb. */
gboolean
agsig_client_await (AgsigClient   *self,
                    AgsigPending  *pending,
                    GError       **error)
{
  guint timeout_ms = agsig_client_request_timeout_ms (self) + GRACE_MS;

  return wait_to_error (self, agsig_client_spin (self, pending_done, pending, timeout_ms),
                        timeout_ms, error);
}

static void
login_success_cb (AgSession   *session,
                  guint        uid,
                  AgsigClient *self)
{
  self->login_ecode = 0;
}

static void
login_failed_cb (AgSession   *session,
                 int          ecode,
                 AgsigClient *self)
{
  self->login_ecode = ecode > 0 ? ecode : AG_ERROR_LOGIN_E_FAILED;
}

static void
logout_cb (AgSession   *session,
           int          ecode,
           AgsigClient *self)
{
  self->logout_ecode = ecode;
  if (self->login_ecode < 0)
    self->login_ecode = ecode > 0 ? ecode : AG_ERROR_LOGIN_E_FAILED;
}

static gboolean
login_done (gpointer user_data)
{
  AgsigClient *self = user_data;

  return self->login_ecode >= 0;
}

/* Starts logging in as the options say, printing the session events named in
 * session_events. The handlers are connected before the main context runs again, so no event
 * after the login (offline messages come right after it) can be missed; callers connect their
 * own handlers to client->session before agsig_client_wait_login () for the same reason. */
void
agsig_client_begin_login (AgsigClient         *self,
                          const char * const  *session_events)
{
  AgsigOptions *options = self->options;
  g_autofree char *minted_token = NULL;

  g_assert (self->signal == NULL);
  g_assert (options->app_id != NULL);
  g_assert (options->account != NULL);

  if (options->certificate != NULL) {
    gint64 expire_ts = g_get_real_time () / G_USEC_PER_SEC + MINTED_TOKEN_LIFETIME_S;

    minted_token = ag_token_make (options->account, options->app_id, options->certificate,
                                  expire_ts);
  }

  self->signal = ag_signal_new (options->app_id);
  ag_signal_set_server_uri (self->signal, options->server_uri);
  ag_signal_set_do_log (self->signal, options->verbose);
  ag_signal_set_request_timeout (self->signal, agsig_client_request_timeout_ms (self));
  /* A command is one attempt: a lost connection is reported, not retried behind its back. */
  ag_signal_set_auto_reconnect (self->signal, FALSE);

  self->session = ag_signal_login (self->signal, options->account,
                                   minted_token != NULL ? minted_token : options->token);
  g_assert (self->session != NULL);

  g_signal_connect (self->session, "login-success", G_CALLBACK (login_success_cb), self);
  g_signal_connect (self->session, "login-failed", G_CALLBACK (login_failed_cb), self);
  g_signal_connect (self->session, "logout", G_CALLBACK (logout_cb), self);
  if (session_events != NULL)
    agsig_event_printer_watch (&self->printer, self->session, session_events);
}

gboolean
agsig_client_wait_login (AgsigClient  *self,
                         GError      **error)
{
  guint timeout_ms = agsig_client_request_timeout_ms (self) + GRACE_MS;
  AgsigWait wait;

  wait = agsig_client_spin (self, login_done, self, timeout_ms);
  if (!wait_to_error (self, wait, timeout_ms, error))
    return FALSE;

  if (self->login_ecode != 0) {
    g_set_error_literal (error, AG_ERROR, self->login_ecode,
                         ag_error_code_describe (self->login_ecode));
    return FALSE;
  }

  return TRUE;
}

gboolean
agsig_client_login (AgsigClient  *self,
                    GError      **error)
{
  agsig_client_begin_login (self, NULL);
  return agsig_client_wait_login (self, error);
}

typedef struct {
  gboolean joined;
  int      ecode;
} JoinState;

static void
channel_joined_cb (AgChannel *channel,
                   JoinState *state)
{
  state->joined = TRUE;
}

static void
channel_join_failed_cb (AgChannel *channel,
                        int        ecode,
                        JoinState *state)
{
  state->ecode = ecode > 0 ? ecode : AG_ERROR_JOINCHANNEL_E_OTHER;
}

static gboolean
join_done (gpointer user_data)
{
  JoinState *state = user_data;

  return state->joined || state->ecode != 0;
}

/* Joins name, printing the channel events named in channel_events from the first one on. */
gboolean
agsig_client_join (AgsigClient         *self,
                   const char          *name,
                   const char * const  *channel_events,
                   AgChannel          **out_channel,
                   GError             **error)
{
  g_autoptr(AgChannel) channel = NULL;
  JoinState state = { FALSE, 0 };
  guint timeout_ms = agsig_client_request_timeout_ms (self) + GRACE_MS;
  gulong joined_id, failed_id;
  AgsigWait wait;

  channel = ag_session_channel_join (self->session, name);
  if (channel == NULL) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_JOINCHANNEL_E_OTHER,
                         ag_error_code_describe (AG_ERROR_JOINCHANNEL_E_OTHER));
    return FALSE;
  }

  joined_id = g_signal_connect (channel, "channel-joined", G_CALLBACK (channel_joined_cb),
                                &state);
  failed_id = g_signal_connect (channel, "channel-join-failed",
                                G_CALLBACK (channel_join_failed_cb), &state);
  if (channel_events != NULL)
    agsig_event_printer_watch (&self->printer, channel, channel_events);

  wait = agsig_client_spin (self, join_done, &state, timeout_ms);
  g_signal_handler_disconnect (channel, joined_id);
  g_signal_handler_disconnect (channel, failed_id);

  if (!wait_to_error (self, wait, timeout_ms, error))
    return FALSE;

  if (!state.joined) {
    g_set_error_literal (error, AG_ERROR, state.ecode, ag_error_code_describe (state.ecode));
    return FALSE;
  }

  if (out_channel != NULL)
    *out_channel = g_steal_pointer (&channel);
  return TRUE;
}

/* Logs out if the session is still logged in, waiting (bounded) for the server's answer so
 * the server sees a logout rather than a lost connection. Events are no longer printed. */
void
agsig_client_logout (AgsigClient *self)
{
  g_autoptr(AgsigPending) pending = NULL;

  self->printer.enabled = FALSE;
  /* SIGINT and SIGTERM end a command through its logout; only a second one cuts that short. */
  self->interrupted = FALSE;

  if (self->session == NULL || self->login_ecode != 0 || self->logout_ecode >= 0)
    return;

  pending = agsig_pending_new ();
  ag_session_logout_async (self->session, NULL, agsig_pending_cb, agsig_pending_ref (pending));
  if (agsig_client_await (self, pending, NULL))
    ag_session_logout_finish (self->session, pending->result, NULL);
}
