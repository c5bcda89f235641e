/* agsig-query.c: `agsig query num|status|in`, questions about channels and accounts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <glib/gi18n.h>

/* The _finish functions return their answer and set an error on failure: TRUE when
 * local_error is unset, else FALSE with local_error moved to error. */
static gboolean
answered (GError  *local_error,
          GError **error)
{
  if (local_error == NULL)
    return TRUE;

  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
query_num (AgsigClient  *client,
           const char   *channel,
           GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  GError *local_error = NULL;
  guint num;

  ag_session_channel_query_user_num_async (client->session, channel, NULL, agsig_pending_cb,
                                           agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, error))
    return FALSE;

  num = ag_session_channel_query_user_num_finish (client->session, pending->result,
                                                  &local_error);
  if (!answered (local_error, error))
    return FALSE;

  g_print ("%u\n", num);
  return TRUE;
}

static gboolean
query_status (AgsigClient  *client,
              const char   *account,
              GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  GError *local_error = NULL;
  gboolean online;

  ag_session_query_user_status_async (client->session, account, NULL, agsig_pending_cb,
                                      agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, error))
    return FALSE;

  online = ag_session_query_user_status_finish (client->session, pending->result, &local_error);
  if (!answered (local_error, error))
    return FALSE;

  g_print ("%s\n", online ? "true" : "false");
  return TRUE;
}

static gboolean
query_is_in (AgsigClient  *client,
             const char   *channel,
             const char   *account,
             GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  GError *local_error = NULL;
  gboolean is_in;

  ag_session_channel_query_user_is_in_async (client->session, channel, account, NULL,
                                             agsig_pending_cb, agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, error))
    return FALSE;

  is_in = ag_session_channel_query_user_is_in_finish (client->session, pending->result,
                                                      &local_error);
  if (!answered (local_error, error))
    return FALSE;

  g_print ("%s\n", is_in ? "true" : "false");
  return TRUE;
}

int
agsig_query_main (AgsigOptions  *options,
                  int            argc,
                  char         **argv)
{
  g_autoptr(AgsigClient) client = NULL;
  g_autoptr(GError) error = NULL;
  const char *question;
  gboolean done;
  int n_args;
  int status;

  status = agsig_parse_subcommand (options, "query",
                                   _("num CHANNEL | status ACCOUNT | in CHANNEL ACCOUNT"),
                                   _("Print a channel’s member count, or “true”/“false”: "
                                     "whether an account is online, or in a channel. Logs in "
                                     "as --account, else as a throwaway account."),
                                   NULL, TRUE, 2, 3, &argc, &argv);
  if (status >= 0)
    return status;

  question = argv[1];
  n_args = argc - 2;
  if (g_str_equal (question, "num") || g_str_equal (question, "status")) {
    if (n_args != 1)
      return agsig_usage_error ("query", _("usage: query %s %s"), question,
                                g_str_equal (question, "num") ? "CHANNEL" : "ACCOUNT");
  } else if (g_str_equal (question, "in")) {
    if (n_args != 2)
      return agsig_usage_error ("query", _("usage: query in CHANNEL ACCOUNT"));
  } else {
    return agsig_usage_error ("query", _("unknown question “%s”: expected num, status or in"),
                              question);
  }

  agsig_options_default_account (options);
  status = agsig_options_require (options, "query", TRUE);
  if (status >= 0)
    return status;

  client = agsig_client_new (options);
  if (!agsig_client_login (client, &error)) {
    agsig_print_error ("login", error);
    return AGSIG_EXIT_ERROR;
  }

  if (g_str_equal (question, "num"))
    done = query_num (client, argv[2], &error);
  else if (g_str_equal (question, "status"))
    done = query_status (client, argv[2], &error);
  else
    done = query_is_in (client, argv[2], argv[3], &error);

  if (!done) {
    g_autofree char *what = g_strconcat ("query ", question, NULL);

    agsig_print_error (what, error);
    status = AGSIG_EXIT_ERROR;
  } else {
    status = AGSIG_EXIT_OK;
  }

  agsig_client_logout (client);
  return status;
}
