/* ag-console-window.h: the main window, one tab per logged-in session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-application.h"
#include "ag-console-log-model.h"
#include "ag-console-session-page.h"

#include "ag-console-call-matrix.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_WINDOW (ag_console_window_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleWindow, ag_console_window, AG_CONSOLE, WINDOW, AdwApplicationWindow)

AgConsoleWindow      *ag_console_window_new              (AgConsoleApplication *application);

AdwTabView           *ag_console_window_get_tab_view     (AgConsoleWindow      *self);

/* Adds a tab for a logged-in session and selects it. log holds what the session received so
 * far (NULL: a new log). */
AgConsoleSessionPage *ag_console_window_add_session      (AgConsoleWindow      *self,
                                                          AgSession            *session,
                                                          AgConsoleLogModel    *log);

/* Opens the New Session dialog and returns it (an AgConsoleLoginDialog). */
GtkWindow            *ag_console_window_open_login_dialog (AgConsoleWindow     *self);

void                  ag_console_window_add_toast        (AgConsoleWindow      *self,
                                                          const char           *title);

/* The text of the server line under the header bar ("Embedded local server at ..."). */
const char           *ag_console_window_get_server_text  (AgConsoleWindow      *self);

/* The call matrix of the header bar (shown once two sessions are open). */
AgConsoleCallMatrix  *ag_console_window_get_call_matrix  (AgConsoleWindow      *self);

G_END_DECLS
