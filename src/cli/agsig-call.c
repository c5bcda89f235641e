/* agsig-call.c: `agsig call PEER --channel NAME`, one invitation followed to its outcome
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-extra.h"

/* How long the peer may ring when neither --timeout nor the extra's _timeout says. */
#define DEFAULT_RING_TIMEOUT_S 60

typedef enum {
  OUTCOME_PENDING,
  OUTCOME_ACCEPTED,
  OUTCOME_REFUSED,
  OUTCOME_FAILED,
  OUTCOME_ENDED,
} Outcome;

typedef struct {
  AgsigClient *client;
  Outcome      outcome;
  int          ecode;
  gboolean     ended_by_peer;
} CallState;

static const char * const session_events[] = {
  "logout",
  NULL
};

static const char * const call_events[] = {
  "invite-received-by-peer",
  "invite-accepted-by-peer",
  "invite-refused-by-peer",
  "invite-failed",
  "invite-end-by-peer",
  "invite-end-by-myself",
  "invite-msg",
  NULL
};

static void
accepted_cb (AgCall     *call,
             const char *extra,
             CallState  *state)
{
  if (state->outcome == OUTCOME_PENDING)
    state->outcome = OUTCOME_ACCEPTED;
}

static void
refused_cb (AgCall     *call,
            const char *extra,
            CallState  *state)
{
  if (state->outcome == OUTCOME_PENDING)
    state->outcome = OUTCOME_REFUSED;
}

static void
failed_cb (AgCall    *call,
           int        ecode,
           CallState *state)
{
  if (state->outcome == OUTCOME_PENDING) {
    state->outcome = OUTCOME_FAILED;
    state->ecode = ecode > 0 ? ecode : AG_ERROR_INVITE_E_OTHER;
  }
}

static void
end_by_peer_cb (AgCall     *call,
                const char *extra,
                CallState  *state)
{
  state->ended_by_peer = TRUE;
  if (state->outcome == OUTCOME_PENDING)
    state->outcome = OUTCOME_ENDED;
}

static gboolean
answered (gpointer user_data)
{
  CallState *state = user_data;

  return state->outcome != OUTCOME_PENDING || state->client->logout_ecode >= 0;
}

static gboolean
ended (gpointer user_data)
{
  CallState *state = user_data;

  return state->ended_by_peer || state->client->logout_ecode >= 0;
}

/* The extra sent with the invitation: --extra, plus the keys the server acts on that the
 * options ask for. Returns NULL (and a usage error) when --extra is not a JSON object. */
static char *
build_extra (const char  *extra_option,
             gboolean     require_peer_online,
             int          timeout_s,
             guint       *out_ring_timeout_s,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonObject *object;
  JsonNode *root;
  gint64 extra_timeout;

  if (!json_parser_load_from_data (parser, extra_option != NULL ? extra_option : "{}", -1,
                                   error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("--extra must be a JSON object"));
    return NULL;
  }
  object = json_node_get_object (root);

  if (require_peer_online)
    json_object_set_int_member (object, "_require_peer_online", 1);

  /* The server fails an unanswered call after _timeout seconds (704) for both sides, so the
   * ring time always goes there; the wait here only backs it up. */
  if (timeout_s > 0) {
    json_object_set_int_member (object, "_timeout", timeout_s);
    *out_ring_timeout_s = (guint) timeout_s;
  } else if (ag_extra_get_int (extra_option, "_timeout", &extra_timeout) &&
             extra_timeout >= 1 && extra_timeout <= G_MAXINT / 1000) {
    *out_ring_timeout_s = (guint) extra_timeout;
  } else {
    json_object_set_int_member (object, "_timeout", DEFAULT_RING_TIMEOUT_S);
    *out_ring_timeout_s = DEFAULT_RING_TIMEOUT_S;
  }

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
valid_dtmf (const char *digits)
{
  return *digits != '\0' && strspn (digits, "0123456789*#") == strlen (digits);
}

static void
end_call (AgsigClient *client,
          AgCall      *call,
          const char  *what,
          int         *status)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  g_autoptr(GError) error = NULL;

  ag_call_channel_invite_end_async (call, NULL, NULL, agsig_pending_cb,
                                    agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, &error) ||
      !ag_call_channel_invite_end_finish (call, pending->result, &error)) {
    agsig_print_error (what, error);
    *status = AGSIG_EXIT_ERROR;
  }
}

static int
follow_accepted_call (AgsigClient *client,
                      AgCall      *call,
                      CallState   *state,
                      const char  *dtmf,
                      int          end_after_s)
{
  g_autoptr(GError) error = NULL;
  int status = AGSIG_EXIT_OK;

  if (dtmf != NULL) {
    g_autoptr(AgsigPending) pending = agsig_pending_new ();

    ag_call_send_message_async (call, "DTMF", dtmf, NULL, agsig_pending_cb,
                                agsig_pending_ref (pending));
    if (!agsig_client_await (client, pending, &error) ||
        !ag_call_send_message_finish (call, pending->result, &error)) {
      agsig_print_error ("dtmf", error);
      status = AGSIG_EXIT_ERROR;
    }
  }

  if (status == AGSIG_EXIT_OK && end_after_s > 0) {
    AgsigWait wait = agsig_client_spin (client, ended, state, (guint) end_after_s * 1000);

    if (wait == AGSIG_WAIT_INTERRUPTED)
      client->interrupted = FALSE;
    if (client->logout_ecode >= 0) {
      agsig_print_code ("call", client->logout_ecode);
      return AGSIG_EXIT_ERROR;
    }
    if (!state->ended_by_peer)
      end_call (client, call, "end", &status);
  }

  return status;
}

int
agsig_call_main (AgsigOptions  *options,
                 int            argc,
                 char         **argv)
{
  g_autoptr(AgsigClient) client = NULL;
  g_autoptr(AgCall) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *channel_name = NULL;
  g_autofree char *extra_option = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *dtmf = NULL;
  gboolean require_peer_online = FALSE;
  int timeout_s = 0;
  int end_after_s = 0;
  guint ring_timeout_s = 0;
  CallState state = { NULL, OUTCOME_PENDING, 0, FALSE };
  AgsigWait wait;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel_name,
      N_("The channel the peer is invited to (required)"), N_("NAME") },
    { "extra", 0, 0, G_OPTION_ARG_STRING, &extra_option,
      N_("Extra information for the peer, a JSON object"), N_("JSON") },
    { "require-peer-online", 0, 0, G_OPTION_ARG_NONE, &require_peer_online,
      N_("Fail at once (703) when the peer is offline"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
      N_("Fail (704) when the peer has not answered after SECONDS (default: the extra’s "
         "_timeout, else 60)"), N_("SECONDS") },
    { "dtmf", 0, 0, G_OPTION_ARG_STRING, &dtmf,
      N_("Once accepted, send these DTMF digits (0-9, *, #)"), N_("DIGITS") },
    { "end-after", 0, 0, G_OPTION_ARG_INT, &end_after_s,
      N_("Once accepted, end the call after SECONDS"), N_("SECONDS") },
    { NULL }
  };
  GOptionGroup *group;
  int status;

  group = g_option_group_new (NULL, NULL, NULL, NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  status = agsig_parse_subcommand (options, "call", _("PEER"),
                                   _("Invite PEER to a channel and print each stage of the "
                                     "call as a JSON line. Exit status: 0 accepted, 2 refused, "
                                     "3 failed, 1 error."),
                                   group, FALSE, 1, 1, &argc, &argv);
  if (status >= 0)
    return status;
  status = agsig_options_require (options, "call", TRUE);
  if (status >= 0)
    return status;
  if (channel_name == NULL)
    return agsig_usage_error ("call", _("--channel is required"));
  if (timeout_s < 0 || timeout_s > G_MAXINT / 1000)
    return agsig_usage_error ("call", _("--timeout is out of range"));
  if (end_after_s < 0 || end_after_s > G_MAXINT / 1000)
    return agsig_usage_error ("call", _("--end-after is out of range"));
  if (dtmf != NULL && !valid_dtmf (dtmf))
    return agsig_usage_error ("call", _("--dtmf takes the digits 0-9, * and #, not “%s”"), dtmf);

  extra = build_extra (extra_option, require_peer_online, timeout_s, &ring_timeout_s, &error);
  if (extra == NULL)
    return agsig_usage_error ("call", _("--extra: %s"), error->message);

  client = agsig_client_new (options);
  client->printer.enabled = TRUE;
  state.client = client;

  agsig_client_begin_login (client, session_events);
  if (!agsig_client_wait_login (client, &error)) {
    agsig_print_error ("login", error);
    return AGSIG_EXIT_ERROR;
  }

  call = ag_session_channel_invite_user2 (client->session, channel_name, argv[1], extra);
  agsig_event_printer_watch (&client->printer, call, call_events);
  g_signal_connect (call, "invite-accepted-by-peer", G_CALLBACK (accepted_cb), &state);
  g_signal_connect (call, "invite-refused-by-peer", G_CALLBACK (refused_cb), &state);
  g_signal_connect (call, "invite-failed", G_CALLBACK (failed_cb), &state);
  g_signal_connect (call, "invite-end-by-peer", G_CALLBACK (end_by_peer_cb), &state);

  wait = agsig_client_spin (client, answered, &state,
                            ring_timeout_s * 1000 + agsig_client_request_timeout_ms (client));

  if (wait == AGSIG_WAIT_INTERRUPTED) {
    client->interrupted = FALSE;
    g_printerr (_("agsig: call failed: %s\n"), _("interrupted"));
    end_call (client, call, "end", &status);
    status = AGSIG_EXIT_ERROR;
  } else if (wait == AGSIG_WAIT_TIMED_OUT) {
    agsig_print_code ("call", AG_ERROR_INVITE_E_TIMEOUT);
    end_call (client, call, "end", &status);
    status = AGSIG_EXIT_CALL_FAILED;
  } else if (state.outcome == OUTCOME_PENDING) {
    /* The session ended under the call. */
    agsig_print_code ("call", client->logout_ecode);
    status = AGSIG_EXIT_ERROR;
  } else if (state.outcome == OUTCOME_ACCEPTED) {
    status = follow_accepted_call (client, call, &state, dtmf, end_after_s);
  } else if (state.outcome == OUTCOME_FAILED) {
    agsig_print_code ("call", state.ecode);
    status = AGSIG_EXIT_CALL_FAILED;
  } else {
    /* Refused, or ended by the peer before it answered. */
    status = AGSIG_EXIT_CALL_REFUSED;
  }

  g_signal_handlers_disconnect_by_data (call, &state);
  agsig_client_logout (client);
  return status;
}
