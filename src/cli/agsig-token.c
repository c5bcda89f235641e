/* agsig-token.c: `agsig token`, a SignalingToken made locally, without a server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-token.h"

int
agsig_token_main (AgsigOptions  *options,
                  int            argc,
                  char         **argv)
{
  g_autofree char *token = NULL;
  gint64 expire_ts = -1;
  const GOptionEntry entries[] = {
    { "expire-ts", 0, 0, G_OPTION_ARG_INT64, &expire_ts,
      N_("Unix time (seconds) from which the token is no longer valid"), N_("UNIX_SECONDS") },
    { NULL }
  };
  GOptionGroup *group;
  int status;

  group = g_option_group_new (NULL, NULL, NULL, NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  status = agsig_parse_subcommand (options, "token", NULL,
                                   _("Print a SignalingToken (version 1) for --account, made "
                                     "from --app-id and --certificate."),
                                   group, TRUE, 0, 0, &argc, &argv);
  if (status >= 0)
    return status;

  status = agsig_options_require (options, "token", TRUE);
  if (status >= 0)
    return status;
  if (options->certificate == NULL)
    return agsig_usage_error ("token", _("--certificate is required"));
  if (expire_ts < 0)
    return agsig_usage_error ("token", _("--expire-ts is required (Unix seconds, >= 0)"));
  if (strchr (options->app_id, ':') != NULL)
    return agsig_usage_error ("token", _("an app id cannot contain “:”"));

  token = ag_token_make (options->account, options->app_id, options->certificate, expire_ts);
  g_print ("%s\n", token);

  return AGSIG_EXIT_OK;
}
