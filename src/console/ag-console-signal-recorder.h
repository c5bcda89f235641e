/* ag-console-signal-recorder.h: writes every signal a session receives into a log model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <agsignal.h>

#include "ag-console-log-model.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_SIGNAL_RECORDER (ag_console_signal_recorder_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleSignalRecorder, ag_console_signal_recorder, AG_CONSOLE, SIGNAL_RECORDER, GObject)

/* Records the signals of session, of its AgSignal, of its channels and of its calls (all
 * signals those classes define) into log, until the recorder is disposed. */
AgConsoleSignalRecorder *ag_console_signal_recorder_new         (AgSession               *session,
                                                                 AgConsoleLogModel       *log);

AgConsoleLogModel       *ag_console_signal_recorder_get_log     (AgConsoleSignalRecorder *self);

G_END_DECLS
