/* ag-console-channel-view.h: join/leave, the live roster and the channel's messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <agsignal.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CHANNEL_VIEW (ag_console_channel_view_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleChannelView, ag_console_channel_view, AG_CONSOLE, CHANNEL_VIEW, GtkWidget)

/* Emits "call-requested" (const char *peer, const char *channel) from a roster row's "Call…"
 * and "error" (const char *message) for transient failures. */
GtkWidget  *ag_console_channel_view_new              (AgSession            *session);

/* Joins a channel, as the Join button does. */
void        ag_console_channel_view_join             (AgConsoleChannelView *self,
                                                      const char           *channel);
void        ag_console_channel_view_leave            (AgConsoleChannelView *self);
/* Sends a message to the joined channel, as the Send button does. */
void        ag_console_channel_view_send             (AgConsoleChannelView *self,
                                                      const char           *text);
/* Asks the server for a channel's member count, as the Count button does. */
void        ag_console_channel_view_query_count      (AgConsoleChannelView *self,
                                                      const char           *channel);
/* Filters the roster by account, as the search entry does. */
void        ag_console_channel_view_set_search       (AgConsoleChannelView *self,
                                                      const char           *text);

/* The roster as shown (filtered and sorted, AgMember items). */
GListModel *ag_console_channel_view_get_roster_model (AgConsoleChannelView *self);
/* The message pane's items (AgConsoleMessageItem), oldest first. */
GListModel *ag_console_channel_view_get_messages     (AgConsoleChannelView *self);
/* "3 members" */
const char *ag_console_channel_view_get_count_text   (AgConsoleChannelView *self);
/* The member-count query's result, e.g. "lobby: 3 members". */
const char *ag_console_channel_view_get_query_text   (AgConsoleChannelView *self);
/* Asks the server whether account is a member of the joined channel, as the roster's "Look Up
 * on the Server" does (the roster lists the newest 200 only); the answer, "bob is a member",
 * is then the lookup text. */
void        ag_console_channel_view_look_up          (AgConsoleChannelView *self,
                                                      const char           *account);
const char *ag_console_channel_view_get_lookup_text  (AgConsoleChannelView *self);

/* TRUE while the roster shown is the one of a lost connection (the session reconnects). */
gboolean    ag_console_channel_view_get_roster_stale (AgConsoleChannelView *self);

G_END_DECLS
