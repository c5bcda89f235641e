/* main.c: agsignal-console's entry point: the locale, then the application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ag-console-application.h"

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
  g_autoptr(AgConsoleApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = ag_console_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
