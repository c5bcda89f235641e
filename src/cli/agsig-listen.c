/* agsig-listen.c: `agsig listen`, every event of a session (and its channel) as JSON lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <glib/gi18n.h>

typedef enum {
  ANSWER_NONE,
  ANSWER_ACCEPT,
  ANSWER_REFUSE,
} Answer;

typedef struct {
  AgsigClient *client;
  GPtrArray   *calls;   /* incoming AgCall, kept while we listen */
  Answer       answer;
  guint        count;
} Listener;

static const char * const session_events[] = {
  "login-success",
  "logout",
  "error",
  "message-instant-receive",
  "invite-received",
  NULL
};

static const char * const channel_events[] = {
  "channel-joined",
  "channel-user-list",
  "channel-user-joined",
  "channel-user-leaved",
  "channel-attr-updated",
  "message-channel-receive",
  "channel-leaved",
  NULL
};

static const char * const incoming_call_events[] = {
  "invite-end-by-peer",
  "invite-failed",
  "invite-msg",
  NULL
};

/* user_data is the name of the answer, for the error message. The callback may come while
 * the listener is being torn down, so it needs nothing else. */
static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  const char *what = user_data;
  g_autoptr(GError) error = NULL;
  gboolean answered;

  if (g_str_equal (what, "accept"))
    answered = ag_call_channel_invite_accept_finish (AG_CALL (source), result, &error);
  else
    answered = ag_call_channel_invite_refuse_finish (AG_CALL (source), result, &error);

  if (!answered && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    agsig_print_error (what, error);
}

/* Connected after the printer, so the invite-received line comes before the answer. */
static void
invite_received_cb (AgSession *session,
                    AgCall    *call,
                    Listener  *self)
{
  g_ptr_array_add (self->calls, g_object_ref (call));
  agsig_event_printer_watch (&self->client->printer, call, incoming_call_events);

  switch (self->answer)
    {
    case ANSWER_ACCEPT:
      ag_call_channel_invite_accept_async (call, NULL, NULL, answer_cb, (gpointer) "accept");
      break;
    case ANSWER_REFUSE:
      ag_call_channel_invite_refuse_async (call, NULL, NULL, answer_cb, (gpointer) "refuse");
      break;
    case ANSWER_NONE:
    default:
      break;
    }
}

static gboolean
listen_done (gpointer user_data)
{
  Listener *self = user_data;

  if (self->client->logout_ecode >= 0)
    return TRUE;

  return self->count > 0 && self->client->printer.printed >= self->count;
}

static gboolean
parse_answer (const char  *option_name,
              const char  *value,
              gpointer     user_data,
              GError     **error)
{
  Answer *answer = user_data;

  if (g_str_equal (value, "accept")) {
    *answer = ANSWER_ACCEPT;
  } else if (g_str_equal (value, "refuse")) {
    *answer = ANSWER_REFUSE;
  } else {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("--answer takes “accept” or “refuse”, not “%s”"), value);
    return FALSE;
  }

  return TRUE;
}

int
agsig_listen_main (AgsigOptions  *options,
                   int            argc,
                   char         **argv)
{
  g_autoptr(AgsigClient) client = NULL;
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(AgChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *channel_name = NULL;
  Listener self = { NULL, };
  int count = 0;
  int timeout_s = 0;
  gint64 deadline = 0;
  guint remaining_ms = 0;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel_name,
      N_("Join this channel and print its events too"), N_("NAME") },
    { "count", 0, 0, G_OPTION_ARG_INT, &count,
      N_("Stop after N events (login-success not counted; default: 0, no limit)"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
      N_("Stop after SECONDS (default: 0, no limit)"), N_("SECONDS") },
    { "answer", 0, 0, G_OPTION_ARG_CALLBACK, parse_answer,
      N_("Answer every incoming call: accept or refuse"), N_("accept|refuse") },
    { NULL }
  };
  GOptionGroup *group;
  int status;

  group = g_option_group_new (NULL, NULL, NULL, &self.answer, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  status = agsig_parse_subcommand (options, "listen", NULL,
                                   _("Log in and print every event as one JSON object per "
                                     "line, until --count events, --timeout, SIGINT or "
                                     "SIGTERM."),
                                   group, FALSE, 0, 0, &argc, &argv);
  if (status >= 0)
    return status;
  status = agsig_options_require (options, "listen", TRUE);
  if (status >= 0)
    return status;
  if (count < 0)
    return agsig_usage_error ("listen", _("--count cannot be negative"));
  if (timeout_s < 0)
    return agsig_usage_error ("listen", _("--timeout cannot be negative"));

  if (timeout_s > 0)
    deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  client = agsig_client_new (options);
  client->printer.enabled = TRUE;
  client->printer.limit = (guint) count;
  self.client = client;
  self.calls = calls;
  self.count = (guint) count;

  agsig_client_begin_login (client, session_events);
  g_signal_connect (client->session, "invite-received", G_CALLBACK (invite_received_cb), &self);

  if (!agsig_client_wait_login (client, &error)) {
    agsig_print_error ("login", error);
    status = AGSIG_EXIT_ERROR;
  } else if (channel_name != NULL &&
             !agsig_client_join (client, channel_name, channel_events, &channel, &error)) {
    agsig_print_error ("join", error);
    status = AGSIG_EXIT_ERROR;
  } else {
    if (deadline > 0)
      remaining_ms = (guint) MAX (1, (deadline - g_get_monotonic_time ()) / 1000);

    agsig_client_spin (client, listen_done, &self, remaining_ms);

    if (client->logout_ecode > 0 && client->logout_ecode != AG_ERROR_LOGOUT_E_USER) {
      agsig_print_code ("listen", client->logout_ecode);
      status = AGSIG_EXIT_ERROR;
    } else {
      status = AGSIG_EXIT_OK;
    }
  }

  g_signal_handlers_disconnect_by_data (client->session, &self);
  agsig_client_logout (client);
  return status;
}
