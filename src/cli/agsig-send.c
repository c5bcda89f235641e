/* agsig-send.c: `agsig send PEER MESSAGE [--ttl SECONDS]`, one peer message
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <glib/gi18n.h>

int
agsig_send_main (AgsigOptions  *options,
                 int            argc,
                 char         **argv)
{
  g_autoptr(AgsigClient) client = NULL;
  g_autoptr(AgsigPending) pending = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stored = FALSE;
  int ttl = 0;
  const GOptionEntry entries[] = {
    { "ttl", 0, 0, G_OPTION_ARG_INT, &ttl,
      N_("Keep the message up to SECONDS for an offline peer (default: 0, fail if offline)"),
      N_("SECONDS") },
    { NULL }
  };
  GOptionGroup *group;
  int status;

  group = g_option_group_new (NULL, NULL, NULL, NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  status = agsig_parse_subcommand (options, "send", _("PEER MESSAGE"),
                                   _("Send a peer message. Prints “sent”, or “stored” when the "
                                     "peer is offline and --ttl keeps the message for it."),
                                   group, TRUE, 2, 2, &argc, &argv);
  if (status >= 0)
    return status;
  status = agsig_options_require (options, "send", TRUE);
  if (status >= 0)
    return status;
  if (ttl < 0)
    return agsig_usage_error ("send", _("--ttl cannot be negative"));

  client = agsig_client_new (options);
  if (!agsig_client_login (client, &error)) {
    agsig_print_error ("login", error);
    return AGSIG_EXIT_ERROR;
  }

  pending = agsig_pending_new ();
  ag_session_message_instant_send_async (client->session, argv[1], argv[2], (guint) ttl, NULL,
                                         agsig_pending_cb, agsig_pending_ref (pending));
  if (agsig_client_await (client, pending, &error))
    stored = ag_session_message_instant_send_finish (client->session, pending->result, &error);
  if (error == NULL) {
    /* Results for scripts: never translated. */
    g_print ("%s\n", stored ? "stored" : "sent");
    status = AGSIG_EXIT_OK;
  } else {
    agsig_print_error ("send", error);
    status = AGSIG_EXIT_ERROR;
  }

  agsig_client_logout (client);
  return status;
}
