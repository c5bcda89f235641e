/* ag-console-message-row.h: how a message list shows one AgConsoleMessageItem
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ag-console-message-item.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_MESSAGE_ROW (ag_console_message_row_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleMessageRow, ag_console_message_row, AG_CONSOLE, MESSAGE_ROW, GtkWidget)

GtkWidget            *ag_console_message_row_new      (void);

AgConsoleMessageItem *ag_console_message_row_get_item (AgConsoleMessageRow  *self);
void                  ag_console_message_row_set_item (AgConsoleMessageRow  *self,
                                                       AgConsoleMessageItem *item);

/* A factory of AgConsoleMessageRow for list views of AgConsoleMessageItem. */
GtkListItemFactory   *ag_console_message_row_factory_new (void);

G_END_DECLS
