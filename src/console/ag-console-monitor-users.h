/* ag-console-monitor-users.h: the Monitor's panel of online users
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_MONITOR_USERS (ag_console_monitor_users_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleMonitorUsers, ag_console_monitor_users, AG_CONSOLE, MONITOR_USERS, GtkWidget)

/* Shows users, a GListModel of AgAdminUser (the AgAdmin's live view). Its row actions
 * activate "monitor.kick" and "monitor.show-user" with the selected account. */
GtkWidget  *ag_console_monitor_users_new        (void);
void        ag_console_monitor_users_set_model  (AgConsoleMonitorUsers *self,
                                                 GListModel            *users);
/* The users shown after the search (a substring of the account, any case). */
GListModel *ag_console_monitor_users_get_shown  (AgConsoleMonitorUsers *self);
void        ag_console_monitor_users_set_search (AgConsoleMonitorUsers *self,
                                                 const char            *text);
/* Selects the row of account, if it is shown; FALSE when it is not. */
gboolean    ag_console_monitor_users_select     (AgConsoleMonitorUsers *self,
                                                 const char            *account);

/* "12:03:04" for a time in Unix milliseconds, "" for 0; the Since columns' closure. */
char       *ag_console_monitor_format_time_ms   (gpointer               this_object,
                                                 gint64                 ms);

G_END_DECLS
