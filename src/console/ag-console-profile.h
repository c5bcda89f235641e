/* ag-console-profile.h: a named set of connection settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_PROFILE (ag_console_profile_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleProfile, ag_console_profile, AG_CONSOLE, PROFILE, GObject)

AgConsoleProfile *ag_console_profile_new            (const char       *name,
                                                     const char       *server_uri,
                                                     const char       *app_id,
                                                     const char       *account);
/* From one a{sv} of the "profiles" setting; NULL when it has no name. */
AgConsoleProfile *ag_console_profile_new_from_variant (GVariant       *dict);
/* A floating a{sv}. */
GVariant         *ag_console_profile_to_variant     (AgConsoleProfile *self);

const char       *ag_console_profile_get_name       (AgConsoleProfile *self);
const char       *ag_console_profile_get_server_uri (AgConsoleProfile *self);
void              ag_console_profile_set_server_uri (AgConsoleProfile *self,
                                                     const char       *server_uri);
const char       *ag_console_profile_get_app_id     (AgConsoleProfile *self);
void              ag_console_profile_set_app_id     (AgConsoleProfile *self,
                                                     const char       *app_id);
const char       *ag_console_profile_get_account    (AgConsoleProfile *self);
void              ag_console_profile_set_account    (AgConsoleProfile *self,
                                                     const char       *account);

G_END_DECLS
