/* ag-console-call-dialog.h: the form that places a call: peer, channel and its extra JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CALL_DIALOG (ag_console_call_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleCallDialog, ag_console_call_dialog, AG_CONSOLE, CALL_DIALOG, AdwWindow)

/* Signals:
 *   "place-call" (const char *channel, const char *peer, const char *extra): the user pressed
 *   Call with a valid form; the dialog closes itself right after. */

GtkWidget  *ag_console_call_dialog_new                      (GtkWindow           *parent,
                                                             const char          *account);

const char *ag_console_call_dialog_get_peer                 (AgConsoleCallDialog *self);
void        ag_console_call_dialog_set_peer                 (AgConsoleCallDialog *self,
                                                             const char          *peer);
const char *ag_console_call_dialog_get_channel              (AgConsoleCallDialog *self);
void        ag_console_call_dialog_set_channel              (AgConsoleCallDialog *self,
                                                             const char          *channel);

/* The extra JSON text as typed. */
char       *ag_console_call_dialog_get_extra                (AgConsoleCallDialog *self);
void        ag_console_call_dialog_set_extra                (AgConsoleCallDialog *self,
                                                             const char          *extra);

/* The "Require peer online" switch and "Timeout" spin button, which edit the extra JSON
 * (`_require_peer_online`, `_timeout`) and follow it. */
gboolean    ag_console_call_dialog_get_require_peer_online  (AgConsoleCallDialog *self);
void        ag_console_call_dialog_set_require_peer_online  (AgConsoleCallDialog *self,
                                                             gboolean             require);
guint       ag_console_call_dialog_get_timeout              (AgConsoleCallDialog *self);
void        ag_console_call_dialog_set_timeout              (AgConsoleCallDialog *self,
                                                             guint                seconds);

/* TRUE when the form can be sent; otherwise FALSE and, when out_reason is not NULL, what is
 * wrong (translated). */
gboolean    ag_console_call_dialog_is_valid                 (AgConsoleCallDialog *self,
                                                             char               **out_reason);

G_END_DECLS
