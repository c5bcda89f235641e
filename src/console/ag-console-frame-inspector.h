/* ag-console-frame-inspector.h: a session's frames, pretty-printed, copyable, sent again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <agsignal.h>

#include "ag-console-event-log.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_FRAME_INSPECTOR (ag_console_frame_inspector_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleFrameInspector, ag_console_frame_inspector, AG_CONSOLE,
                      FRAME_INSPECTOR, GtkWidget)

GtkWidget         *ag_console_frame_inspector_new        (AgSession               *session);

/* The frames as log entries: kind "sent" or "received", json the frame's text. */
AgConsoleEventLog *ag_console_frame_inspector_get_log    (AgConsoleFrameInspector *self);
/* Sends a request written by hand (what Edit and Send… does); the outcome is shown in the
 * status line ("status-text"). */
void               ag_console_frame_inspector_send       (AgConsoleFrameInspector *self,
                                                          const char              *request);
const char        *ag_console_frame_inspector_get_status_text (AgConsoleFrameInspector *self);

G_END_DECLS
