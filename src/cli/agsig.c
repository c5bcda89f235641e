/* agsig.c: the command-line client of agsignald: global options, subcommand dispatch,
 * usage and error reporting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include "ag-limits.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

/* Timeouts longer than a day are typing mistakes, and keep every wait meaningfully bounded. */
#define MAX_TIMEOUT_S (24 * 60 * 60)

typedef struct {
  const char *name;
  int       (*main) (AgsigOptions *options,
                     int           argc,
                     char        **argv);
} Subcommand;

static const Subcommand subcommands[] = {
  { "token", agsig_token_main },
  { "send", agsig_send_main },
  { "listen", agsig_listen_main },
  { "channel", agsig_channel_main },
  { "call", agsig_call_main },
  { "attr", agsig_attr_main },
  { "query", agsig_query_main },
  { "admin", agsig_admin_main },
};

void
agsig_options_clear (AgsigOptions *options)
{
  g_clear_pointer (&options->server_uri, g_free);
  g_clear_pointer (&options->app_id, g_free);
  g_clear_pointer (&options->account, g_free);
  g_clear_pointer (&options->token, g_free);
  g_clear_pointer (&options->certificate, g_free);
}

static gboolean
global_option_cb (const char  *option_name,
                  const char  *value,
                  gpointer     user_data,
                  GError     **error)
{
  AgsigOptions *options = user_data;
  char **target = NULL;

  if (g_str_equal (option_name, "--server"))
    target = &options->server_uri;
  else if (g_str_equal (option_name, "--app-id"))
    target = &options->app_id;
  else if (g_str_equal (option_name, "--account"))
    target = &options->account;
  else if (g_str_equal (option_name, "--token"))
    target = &options->token;
  else if (g_str_equal (option_name, "--certificate"))
    target = &options->certificate;

  if (target != NULL) {
    g_free (*target);
    *target = g_strdup (value);
    return TRUE;
  }

  if (g_str_equal (option_name, "-v") || g_str_equal (option_name, "--verbose")) {
    options->verbose = TRUE;
    return TRUE;
  }

  if (g_str_equal (option_name, "--timeout")) {
    guint64 seconds;

    if (!g_ascii_string_to_unsigned (value, 10, 1, MAX_TIMEOUT_S, &seconds, NULL)) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--timeout takes a number of seconds between 1 and %d, not “%s”"),
                   MAX_TIMEOUT_S, value);
      return FALSE;
    }
    options->timeout_s = (guint) seconds;
    return TRUE;
  }

  g_assert_not_reached ();
}

GOptionGroup *
agsig_options_group_new (AgsigOptions *options,
                         gboolean      with_timeout)
{
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("Server to talk to (default: $AGSIG_SERVER, else ws://127.0.0.1:7070/v1)"), N_("URI") },
    { "app-id", 0, 0, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("App id (default: $AGSIG_APP_ID)"), N_("ID") },
    { "account", 0, 0, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("Account to log in as (default: $AGSIG_ACCOUNT)"), N_("ACCOUNT") },
    { "token", 0, 0, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("SignalingToken to log in with (default: _no_need_token)"), N_("TOKEN") },
    { "certificate", 0, 0, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("App certificate: log in with a token made from it, valid for one hour"), N_("CERT") },
    { "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("Log the protocol frames to stderr"), NULL },
    { NULL }
  };
  const GOptionEntry timeout_entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_CALLBACK, global_option_cb,
      N_("Seconds to wait for each reply of the server (default: 10)"), N_("SECONDS") },
    { NULL }
  };
  GOptionGroup *group;

  group = g_option_group_new ("global", _("Global options:"), _("Show the global options"),
                              options, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  if (with_timeout)
    g_option_group_add_entries (group, timeout_entries);

  return group;
}

void
agsig_options_apply_environment (AgsigOptions *options)
{
  const struct {
    char       **target;
    const char  *variable;
  } from_environment[] = {
    { &options->server_uri, "AGSIG_SERVER" },
    { &options->app_id, "AGSIG_APP_ID" },
    { &options->account, "AGSIG_ACCOUNT" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (from_environment); i++) {
    const char *value = g_getenv (from_environment[i].variable);

    if (*from_environment[i].target == NULL && value != NULL && *value != '\0')
      *from_environment[i].target = g_strdup (value);
  }

  if (options->server_uri == NULL)
    options->server_uri = g_strdup (AG_DEFAULT_SERVER_URI);
  if (options->token == NULL)
    options->token = g_strdup (AG_NO_NEED_TOKEN);
  if (options->timeout_s == 0)
    options->timeout_s = AGSIG_DEFAULT_TIMEOUT_S;
}

int
agsig_usage_error (const char *name,
                   const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (name != NULL) {
    g_printerr ("agsig %s: %s\n", name, message);
    g_printerr (_("Try “agsig %s --help” for more information.\n"), name);
  } else {
    g_printerr ("agsig: %s\n", message);
    g_printerr (_("Try “agsig --help” for more information.\n"));
  }

  return AGSIG_EXIT_USAGE;
}

int
agsig_parse_subcommand (AgsigOptions   *options,
                        const char     *name,
                        const char     *parameter_string,
                        const char     *summary,
                        GOptionGroup   *main_group,
                        gboolean        global_timeout,
                        int             min_args,
                        int             max_args,
                        int            *argc,
                        char         ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *usage = NULL;
  int n_args;

  /* GOptionContext prints the program name before this, so the usage line reads
   * "agsig [OPTION…] send PEER MESSAGE": global options may come on either side. */
  usage = g_strconcat (name, parameter_string != NULL ? " " : "", parameter_string, NULL);
  context = g_option_context_new (usage);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (main_group != NULL)
    g_option_context_set_main_group (context, main_group);
  g_option_context_add_group (context, agsig_options_group_new (options, global_timeout));

  if (!g_option_context_parse (context, argc, argv, &error))
    return agsig_usage_error (name, "%s", error->message);

  n_args = *argc - 1;
  if (n_args < min_args)
    return agsig_usage_error (name, _("missing arguments: expected %s"), parameter_string);
  if (max_args >= 0 && n_args > max_args)
    return agsig_usage_error (name, _("unexpected argument “%s”"), (*argv)[max_args + 1]);

  agsig_options_apply_environment (options);
  return -1;
}

void
agsig_print_code (const char *what,
                  int         code)
{
  const char *name = ag_error_code_name (code);

  g_printerr (_("agsig: %s failed: %d %s (%s)\n"), what, code,
              name != NULL ? name : "UNKNOWN", ag_error_code_describe (code));
}

void
agsig_print_error (const char   *what,
                   const GError *error)
{
  if (error->domain == AG_ERROR)
    agsig_print_code (what, error->code);
  else
    g_printerr (_("agsig: %s failed: %s\n"), what, error->message);
}

static gboolean
is_own_domain (const char *domain)
{
  return domain != NULL && g_str_has_prefix (domain, "Ag");
}

/* Everything goes to stderr: stdout carries only results and JSON lines, which scripts parse.
 * With -v the library's debug messages (its frame traces) are shown too. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  AgsigOptions *options = user_data;
  const char *domain = NULL;
  g_autofree char *line = NULL;

  for (gsize i = 0; i < n_fields; i++) {
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN")) {
      domain = fields[i].value;
      break;
    }
  }

  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 &&
      !(options->verbose && is_own_domain (domain)) &&
      g_log_writer_default_would_drop (log_level, domain))
    return G_LOG_WRITER_HANDLED;

  line = g_log_writer_format_fields (log_level, fields, n_fields,
                                     g_log_writer_supports_color (fileno (stderr)));
  fprintf (stderr, "%s\n", line);
  fflush (stderr);

  return G_LOG_WRITER_HANDLED;
}

static char *
commands_description (void)
{
  GString *text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');
  g_string_append_printf (text, "  token    %s\n",
                          _("Print a SignalingToken for --account made with --certificate"));
  g_string_append_printf (text, "  send     %s\n", _("Send a peer message"));
  g_string_append_printf (text, "  listen   %s\n",
                          _("Log in and print every event as one JSON object per line"));
  g_string_append_printf (text, "  channel  %s\n",
                          _("Join a channel, send messages and change attributes, leave"));
  g_string_append_printf (text, "  call     %s\n",
                          _("Invite a peer to a channel and follow the call"));
  g_string_append_printf (text, "  attr     %s\n", _("Set and read user attributes"));
  g_string_append_printf (text, "  query    %s\n",
                          _("Ask for a channel's member count, or whether an account is online "
                            "or in a channel"));
  g_string_append_printf (text, "  admin    %s\n",
                          _("Operator requests with an admin key: users, channels, members, "
                            "kick, remove, publish, send, stats"));
  g_string_append_c (text, '\n');
  g_string_append (text, _("Run “agsig COMMAND --help” for the options of a command.\n"
                           "Exit status: 0 ok, 1 error, 2 call refused, 3 call failed, "
                           "64 usage error."));

  return g_string_free (text, FALSE);
}

/* An uninstalled run (`meson devenv`) points at the build tree's catalogs. */
static const char *
localedir (void)
{
  const char *dir = g_getenv ("AGSIGNAL_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  AgsigOptions options = { 0, };
  gboolean version = FALSE;
  GOptionGroup *group;
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  int status = -1;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_log_set_writer_func (log_writer, &options, NULL);

  description = commands_description ();
  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Talk to an agsignald server."));
  g_option_context_set_description (context, description);
  /* Stop at the command: what follows belongs to it. */
  g_option_context_set_strict_posix (context, TRUE);
  group = agsig_options_group_new (&options, TRUE);
  g_option_group_add_entries (group, version_entries);
  g_option_context_set_main_group (context, group);

  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    status = agsig_usage_error (NULL, "%s", error->message);
  } else if (version) {
    g_print ("agsig %s\n", AG_VERSION);
    status = AGSIG_EXIT_OK;
  } else if (argc < 2) {
    g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

    g_printerr ("%s", help);
    status = AGSIG_EXIT_USAGE;
  } else {
    for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++) {
      if (g_str_equal (argv[1], subcommands[i].name)) {
        status = subcommands[i].main (&options, argc - 1, argv + 1);
        break;
      }
    }

    if (status < 0)
      status = agsig_usage_error (NULL, _("unknown command “%s”"), argv[1]);
  }

  agsig_options_clear (&options);
  return status;
}
