/* ag-console-log-model.h: a bounded GListModel of log entries
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ag-console-log-entry.h"

G_BEGIN_DECLS

#define AG_CONSOLE_LOG_MODEL_DEFAULT_CAPACITY 100000

#define AG_CONSOLE_TYPE_LOG_MODEL (ag_console_log_model_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleLogModel, ag_console_log_model, AG_CONSOLE, LOG_MODEL, GObject)

/* A GListModel of AgConsoleLogEntry (item type AG_CONSOLE_TYPE_LOG_ENTRY), oldest first.
 *
 * When it holds `capacity` entries, appending drops the oldest one and emits
 * items-changed (0, 1, 0) then items-changed (n - 1, 0, 1).
 *
 * While paused, the model does not change: appended entries wait in a queue (itself bounded
 * by `capacity`, oldest dropped first) and are added in one batch when it is resumed.
 * "dropped" counts every entry that fell out of the model or the queue. */

AgConsoleLogModel *ag_console_log_model_new          (guint              capacity);

guint              ag_console_log_model_get_capacity (AgConsoleLogModel *self);

void               ag_console_log_model_append       (AgConsoleLogModel *self,
                                                      gint64             time_us,
                                                      const char        *kind,
                                                      const char        *summary,
                                                      const char        *json_line);

void               ag_console_log_model_clear        (AgConsoleLogModel *self);

gboolean           ag_console_log_model_get_paused   (AgConsoleLogModel *self);
void               ag_console_log_model_set_paused   (AgConsoleLogModel *self,
                                                      gboolean           paused);

guint64            ag_console_log_model_get_dropped  (AgConsoleLogModel *self);
/* How many entries ever entered the model (entries still waiting while paused are not
 * counted yet). The first item is entry number n_added - n_items: views that copy the model
 * use this to tell which entries they already have. */
guint64            ag_console_log_model_get_n_added  (AgConsoleLogModel *self);

gboolean           ag_console_log_model_export_to    (AgConsoleLogModel *self,
                                                      GOutputStream     *stream,
                                                      GError           **error);

G_END_DECLS
