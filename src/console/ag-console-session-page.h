/* ag-console-session-page.h: everything about one logged-in session, shown in a tab
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-log-model.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_SESSION_PAGE (ag_console_session_page_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleSessionPage, ag_console_session_page, AG_CONSOLE, SESSION_PAGE, GtkWidget)

/* log: what the session received so far; the page records everything after it too. */
GtkWidget         *ag_console_session_page_new              (AgSession            *session,
                                                             AgConsoleLogModel    *log);

AgSession         *ag_console_session_page_get_session      (AgConsoleSessionPage *self);
AgConsoleLogModel *ag_console_session_page_get_log          (AgConsoleSessionPage *self);
/* The status line ("Logged in", "Reconnecting (attempt 2)", ...). */
const char        *ag_console_session_page_get_status_text  (AgConsoleSessionPage *self);

/* Shows one of "channel", "messages", "attributes", "calls", "log". */
void               ag_console_session_page_show_page        (AgConsoleSessionPage *self,
                                                             const char           *name);
/* The widget of a page, for tests. */
GtkWidget         *ag_console_session_page_get_page_widget  (AgConsoleSessionPage *self,
                                                             const char           *name);

/* How many incoming calls ring in this session's banners. */
guint              ag_console_session_page_get_ringing      (AgConsoleSessionPage *self);
/* The banner answering an incoming call (an AgConsoleIncomingCallBanner), or NULL once the
 * call is over. */
GtkWidget         *ag_console_session_page_get_incoming_banner (AgConsoleSessionPage *self,
                                                                AgCall               *call);

/* Logs out unless already logged out. */
void               ag_console_session_page_logout           (AgConsoleSessionPage *self);
void               ag_console_session_page_call             (AgConsoleSessionPage *self,
                                                             const char           *peer,
                                                             const char           *channel);

G_END_DECLS
