/* ag-console-log-snapshot.h: a copy of an AgConsoleLogModel that list views can afford
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ag-console-log-model.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_LOG_SNAPSHOT (ag_console_log_snapshot_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleLogSnapshot, ag_console_log_snapshot, AG_CONSOLE, LOG_SNAPSHOT, GObject)

/* A GListModel of the same AgConsoleLogEntry items as source, brought up to date at most
 * every interval_ms (with at most one removal at the front and one insertion at the end).
 * GTK 4.8's list views cost O(rows) per items-changed once rows arrive one by one, so a log
 * that grows by thousands of entries a second is shown through this instead of directly. */
AgConsoleLogSnapshot *ag_console_log_snapshot_new        (AgConsoleLogModel    *source,
                                                          guint                 interval_ms);

AgConsoleLogModel    *ag_console_log_snapshot_get_source (AgConsoleLogSnapshot *self);

/* Applies what changed in the source now. */
void                  ag_console_log_snapshot_flush      (AgConsoleLogSnapshot *self);

G_END_DECLS
