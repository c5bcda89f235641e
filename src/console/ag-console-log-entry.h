/* ag-console-log-entry.h: one entry of an AgConsoleLogModel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_LOG_ENTRY (ag_console_log_entry_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleLogEntry, ag_console_log_entry, AG_CONSOLE, LOG_ENTRY, GObject)

/* Properties (all read-only, set at construction):
 *   "time"    gint64, microseconds since the Unix epoch (g_get_real_time ())
 *   "kind"    string, the signal name or event kind ("channel-user-joined")
 *   "summary" string, one human-readable line
 *   "json"    string, the entry as one JSON object without a trailing newline
 *             (may be NULL: export then builds one from time, kind and summary) */

AgConsoleLogEntry *ag_console_log_entry_new         (gint64             time_us,
                                                     const char        *kind,
                                                     const char        *summary,
                                                     const char        *json_line);

gint64             ag_console_log_entry_get_time    (AgConsoleLogEntry *self);
const char        *ag_console_log_entry_get_kind    (AgConsoleLogEntry *self);
const char        *ag_console_log_entry_get_summary (AgConsoleLogEntry *self);
const char        *ag_console_log_entry_get_json    (AgConsoleLogEntry *self);

/* A newly allocated "HH:MM:SS.mmm" in local time, for display. */
char              *ag_console_log_entry_format_time (AgConsoleLogEntry *self);

G_END_DECLS
