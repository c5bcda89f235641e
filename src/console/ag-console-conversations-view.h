/* ag-console-conversations-view.h: peer messages, one conversation per peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <agsignal.h>

#include "ag-console-conversation.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CONVERSATIONS_VIEW (ag_console_conversations_view_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleConversationsView, ag_console_conversations_view, AG_CONSOLE, CONVERSATIONS_VIEW, GtkWidget)

GtkWidget             *ag_console_conversations_view_new       (AgSession                  *session);

/* AgConsoleConversation items, in the order peers appeared. */
GListModel            *ag_console_conversations_view_get_conversations (AgConsoleConversationsView *self);
/* Opens (creating if needed) and selects the conversation with peer. */
AgConsoleConversation *ag_console_conversations_view_open      (AgConsoleConversationsView *self,
                                                                const char                 *peer);
/* Sends text to the selected conversation's peer with ttl seconds (0: online only). */
void                   ag_console_conversations_view_send      (AgConsoleConversationsView *self,
                                                                const char                 *text,
                                                                guint                       ttl);
/* Messages not yet seen, over all conversations. */
guint                  ag_console_conversations_view_get_unread (AgConsoleConversationsView *self);

G_END_DECLS
