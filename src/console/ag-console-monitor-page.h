/* ag-console-monitor-page.h: an operator's live view of an app through the admin API: who is
 * online and where, every channel with its members and attributes, the server's numbers and
 * every change as it happens, with actions on users and channels
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-event-chart.h"
#include "ag-console-log-model.h"
#include "ag-console-monitor-channels.h"
#include "ag-console-monitor-users.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_MONITOR_PAGE (ag_console_monitor_page_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleMonitorPage, ag_console_monitor_page, AG_CONSOLE, MONITOR_PAGE, AdwBin)

/* The page follows one app with an AgAdmin (docs/admin-api.md): it starts from the server's
 * snapshot, so every number on it is the server's, and re-syncs after every reconnect.
 * admin_key_or_null is the embedded server's key; without one the page asks for it.
 * Monitoring starts the first time the page is shown, or with ag_console_monitor_page_start ().
 *
 * The chart plots, per second, the channel messages, peer messages and presence events
 * (logins, logouts, joins, leaves) the server counted for the app. */
GtkWidget         *ag_console_monitor_page_new              (const char           *server_uri,
                                                             const char           *app_id,
                                                             const char           *admin_key_or_null);
void               ag_console_monitor_page_start            (AgConsoleMonitorPage *self);
void               ag_console_monitor_page_stop             (AgConsoleMonitorPage *self);
gboolean           ag_console_monitor_page_get_running      (AgConsoleMonitorPage *self);
/* TRUE while the view is live (the AgAdmin's state is LIVE). */
gboolean           ag_console_monitor_page_get_watching     (AgConsoleMonitorPage *self);
/* Gives the page a key (what the key entry does) and starts monitoring with it. */
void               ag_console_monitor_page_set_admin_key    (AgConsoleMonitorPage *self,
                                                             const char           *key);
AgAdmin           *ag_console_monitor_page_get_admin        (AgConsoleMonitorPage *self);
/* A peer message to an account from the system, as the Message… row action sends it. */
void               ag_console_monitor_page_send_message     (AgConsoleMonitorPage *self,
                                                             const char           *account,
                                                             const char           *text);
/* The status line ("Live: 20 online, 2 channels") and the server's numbers as shown. */
const char        *ag_console_monitor_page_get_status_text  (AgConsoleMonitorPage *self);
const char        *ag_console_monitor_page_get_stats_text   (AgConsoleMonitorPage *self);
AgConsoleMonitorUsers    *ag_console_monitor_page_get_users_panel    (AgConsoleMonitorPage *self);
AgConsoleMonitorChannels *ag_console_monitor_page_get_channels_panel (AgConsoleMonitorPage *self);
AgConsoleLogModel *ag_console_monitor_page_get_log          (AgConsoleMonitorPage *self);
AgConsoleEventChart *ag_console_monitor_page_get_chart      (AgConsoleMonitorPage *self);

G_END_DECLS
