/* ag-console-preferences-window.h: style, server profiles and defaults
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "ag-console-application.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_PREFERENCES_WINDOW (ag_console_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (AgConsolePreferencesWindow, ag_console_preferences_window, AG_CONSOLE, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWindow *ag_console_preferences_window_new (AgConsoleApplication *application,
                                              GtkWindow            *parent);

G_END_DECLS
