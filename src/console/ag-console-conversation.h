/* ag-console-conversation.h: the peer messages exchanged with one account
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ag-console-message-item.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CONVERSATION (ag_console_conversation_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleConversation, ag_console_conversation, AG_CONSOLE, CONVERSATION, GObject)

AgConsoleConversation *ag_console_conversation_new          (const char            *peer);

const char            *ag_console_conversation_get_peer     (AgConsoleConversation *self);
/* AgConsoleMessageItem, oldest first. */
GListModel            *ag_console_conversation_get_messages (AgConsoleConversation *self);
void                   ag_console_conversation_add          (AgConsoleConversation *self,
                                                             AgConsoleMessageItem  *item);
guint                  ag_console_conversation_get_unread   (AgConsoleConversation *self);
void                   ag_console_conversation_mark_read    (AgConsoleConversation *self);
/* The newest message's text, for the sidebar, or NULL. */
const char            *ag_console_conversation_get_preview  (AgConsoleConversation *self);

G_END_DECLS
