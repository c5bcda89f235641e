/* ag-console-event-log.h: a filterable, exportable view of an AgConsoleLogModel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ag-console-log-model.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_EVENT_LOG (ag_console_event_log_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleEventLog, ag_console_event_log, AG_CONSOLE, EVENT_LOG, GtkWidget)

GtkWidget         *ag_console_event_log_new            (AgConsoleLogModel *model);

AgConsoleLogModel *ag_console_event_log_get_model      (AgConsoleEventLog *self);
/* The entries shown after filtering (the view catches up with the log every 50 ms; this
 * brings it up to date first). */
GListModel        *ag_console_event_log_get_filtered   (AgConsoleEventLog *self);
/* Shows entries whose kind or summary contains text (ASCII case-insensitive). */
void               ag_console_event_log_set_search     (AgConsoleEventLog *self,
                                                        const char        *text);
/* Shows only entries of one kind; NULL for all. */
void               ag_console_event_log_set_kind       (AgConsoleEventLog *self,
                                                        const char        *kind);
/* The entry selected ("selected-entry"), or NULL; selecting by position in the filtered list. */
AgConsoleLogEntry *ag_console_event_log_get_selected   (AgConsoleEventLog *self);
void               ag_console_event_log_select         (AgConsoleEventLog *self,
                                                        guint              position);
/* The title of the kind column ("Signal" by default). */
void               ag_console_event_log_set_kind_title (AgConsoleEventLog *self,
                                                        const char        *title);
/* JSON indented for reading (the details pane), or the text itself when it does not parse. */
char              *ag_console_event_log_pretty_json    (const char        *json);
/* Writes the whole log to file as JSON lines. */
gboolean           ag_console_event_log_export         (AgConsoleEventLog *self,
                                                        GFile             *file,
                                                        GError           **error);

G_END_DECLS
