/* ag-console-message-item.h: one message of a channel or a peer conversation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * AgConsoleMessageState:
 * @AG_CONSOLE_MESSAGE_RECEIVED: from someone else
 * @AG_CONSOLE_MESSAGE_SENDING: ours, waiting for the server's answer
 * @AG_CONSOLE_MESSAGE_SENT: ours, accepted by the server
 * @AG_CONSOLE_MESSAGE_STORED: ours, stored for offline delivery
 * @AG_CONSOLE_MESSAGE_FAILED: ours, refused or lost: not delivered
 */
typedef enum {
  AG_CONSOLE_MESSAGE_RECEIVED,
  AG_CONSOLE_MESSAGE_SENDING,
  AG_CONSOLE_MESSAGE_SENT,
  AG_CONSOLE_MESSAGE_STORED,
  AG_CONSOLE_MESSAGE_FAILED,
} AgConsoleMessageState;

#define AG_CONSOLE_TYPE_MESSAGE_ITEM (ag_console_message_item_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleMessageItem, ag_console_message_item, AG_CONSOLE, MESSAGE_ITEM, GObject)

/* time_us: microseconds since the Unix epoch. */
AgConsoleMessageItem  *ag_console_message_item_new          (const char            *account,
                                                             guint                  uid,
                                                             gint64                 time_us,
                                                             const char            *text,
                                                             AgConsoleMessageState  state);

const char            *ag_console_message_item_get_account  (AgConsoleMessageItem  *self);
guint                  ag_console_message_item_get_uid      (AgConsoleMessageItem  *self);
void                   ag_console_message_item_set_uid      (AgConsoleMessageItem  *self,
                                                             guint                  uid);
gint64                 ag_console_message_item_get_time     (AgConsoleMessageItem  *self);
const char            *ag_console_message_item_get_text     (AgConsoleMessageItem  *self);
AgConsoleMessageState  ag_console_message_item_get_state    (AgConsoleMessageItem  *self);
void                   ag_console_message_item_set_state    (AgConsoleMessageItem  *self,
                                                             AgConsoleMessageState  state);
/* The AG_ERROR code of a FAILED message, else 0. */
int                    ag_console_message_item_get_error_code (AgConsoleMessageItem *self);
/* Marks the message FAILED with an error (AG_ERROR or another domain). */
void                   ag_console_message_item_fail         (AgConsoleMessageItem  *self,
                                                             const GError          *error);
/* The line shown under a failed message: "Not delivered: 1005 GENERAL_E_LARGE_PARAM ...". */
const char            *ag_console_message_item_get_error_text (AgConsoleMessageItem *self);

G_END_DECLS
