/* ag-console-monitor-page.h: an operator's live view of an app: who is online, which channels
 * are busy, every presence and channel event, and their rate
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

#include "ag-console-event-chart.h"
#include "ag-console-log-model.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_MONITOR_PAGE (ag_console_monitor_page_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleMonitorPage, ag_console_monitor_page, AG_CONSOLE, MONITOR_PAGE, AdwBin)

/* The page has its own AgSignal with two sessions, `_monitor-<pid>-online` joined to
 * `_agora_user_online` and `_monitor-<pid>-events` joined to `_agora_channel_event` (a
 * second page in the same process adds a serial number). token_or_null is used for both
 * logins; NULL means "_no_need_token". Monitoring starts the first time the page is shown,
 * or with ag_console_monitor_page_start ().
 *
 * The chart plots, per second, "events": the presence and channel events the two sessions
 * understood (online, offline, join, leave), and "messages": every channel message the two
 * sessions received, understood or not. On a healthy server both lines match; a gap shows
 * payloads the page could not read. The online list and the channel list start empty and
 * fill from the events seen since monitoring started: the server has no list of either. */
GtkWidget         *ag_console_monitor_page_new                (const char           *server_uri,
                                                               const char           *app_id,
                                                               const char           *token_or_null);

void               ag_console_monitor_page_start              (AgConsoleMonitorPage *self);
void               ag_console_monitor_page_stop               (AgConsoleMonitorPage *self);
gboolean           ag_console_monitor_page_get_running        (AgConsoleMonitorPage *self);
/* TRUE once both sessions are logged in and joined to their special channels. */
gboolean           ag_console_monitor_page_get_watching       (AgConsoleMonitorPage *self);

/* The accounts of the two monitor sessions. */
const char        *ag_console_monitor_page_get_online_account (AgConsoleMonitorPage *self);
const char        *ag_console_monitor_page_get_events_account (AgConsoleMonitorPage *self);

/* The online accounts seen (a GListModel of GtkStringObject, sorted), without the page's own
 * two sessions. */
GListModel        *ag_console_monitor_page_get_online_users   (AgConsoleMonitorPage *self);
/* The channels with members (a GListModel of GtkStringObject naming each channel), and the
 * member count of one as last reported (-1 when the channel is not listed). */
GListModel        *ag_console_monitor_page_get_channels       (AgConsoleMonitorPage *self);
int                ag_console_monitor_page_get_member_count   (AgConsoleMonitorPage *self,
                                                               const char           *channel);

AgConsoleLogModel *ag_console_monitor_page_get_log            (AgConsoleMonitorPage *self);
/* The log as the filters leave it. */
GListModel        *ag_console_monitor_page_get_filtered_log   (AgConsoleMonitorPage *self);
AgConsoleEventChart *ag_console_monitor_page_get_chart        (AgConsoleMonitorPage *self);

/* Log filters: kind is NULL for all, or "online", "offline", "join", "leave", "other";
 * account and channel match when contained in the event's (case-insensitively), and are
 * ignored when NULL or empty. */
void               ag_console_monitor_page_set_filter         (AgConsoleMonitorPage *self,
                                                               const char           *kind,
                                                               const char           *account,
                                                               const char           *channel);

G_END_DECLS
