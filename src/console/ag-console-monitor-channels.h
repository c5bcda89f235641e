/* ag-console-monitor-channels.h: the Monitor's panel of channels, and one channel opened
 * without joining it: every member and the attributes, editable as an operator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <agsignal.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_MONITOR_CHANNELS (ag_console_monitor_channels_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleMonitorChannels, ag_console_monitor_channels, AG_CONSOLE, MONITOR_CHANNELS, GtkWidget)

/* The panel shows the channels of admin's live view, the busiest first, and reports what it
 * did or failed to do with the "report" signal (a sentence for the log). */
GtkWidget  *ag_console_monitor_channels_new              (void);
void        ag_console_monitor_channels_set_admin        (AgConsoleMonitorChannels *self,
                                                          AgAdmin                  *admin);
/* The channels shown after the search, in the order shown. */
GListModel *ag_console_monitor_channels_get_shown        (AgConsoleMonitorChannels *self);
void        ag_console_monitor_channels_set_search       (AgConsoleMonitorChannels *self,
                                                          const char               *text);

/* Opens a channel's details (what activating its row does): all its members, loaded a page
 * at a time, and its attributes. NULL closes them. */
void        ag_console_monitor_channels_open             (AgConsoleMonitorChannels *self,
                                                          const char               *name);
const char *ag_console_monitor_channels_get_open         (AgConsoleMonitorChannels *self);
/* The opened channel's members loaded so far (AgMember, oldest join first), and whether
 * every page is in. */
GListModel *ag_console_monitor_channels_get_members      (AgConsoleMonitorChannels *self);
gboolean    ag_console_monitor_channels_get_members_done (AgConsoleMonitorChannels *self);
/* The title of the details: "lobby: 200 of 5001 members" while loading. */
const char *ag_console_monitor_channels_get_details_title (AgConsoleMonitorChannels *self);
/* Sets (value non-NULL) or deletes an attribute of the opened channel through the admin API. */
void        ag_console_monitor_channels_change_attr      (AgConsoleMonitorChannels *self,
                                                          const char               *name,
                                                          const char               *value);

G_END_DECLS
