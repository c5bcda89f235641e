/* ag-console-application.h: the agsignal-console application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "ag-console-embedded-server.h"
#include "ag-console-profile-store.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_APPLICATION (ag_console_application_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleApplication, ag_console_application, AG_CONSOLE, APPLICATION, AdwApplication)

AgConsoleApplication     *ag_console_application_new                 (void);

GSettings                *ag_console_application_get_settings        (AgConsoleApplication *self);
AgConsoleProfileStore    *ag_console_application_get_profile_store   (AgConsoleApplication *self);

/* The server given with --server, or NULL. */
const char               *ag_console_application_get_server_override (AgConsoleApplication *self);
/* The app id given with --app-id, or NULL. */
const char               *ag_console_application_get_app_id_override (AgConsoleApplication *self);

/* The embedded agsignald, or NULL while none was needed. */
AgConsoleEmbeddedServer  *ag_console_application_get_embedded_server (AgConsoleApplication *self);
/* Starts the embedded agsignald unless it runs or is starting, and returns it. */
AgConsoleEmbeddedServer  *ag_console_application_ensure_embedded_server (AgConsoleApplication *self);

G_END_DECLS
