/* ag-console-incoming-call-dialog.h: answer a call invitation, then end it or send DTMF
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-dtmf-keypad.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_INCOMING_CALL_DIALOG (ag_console_incoming_call_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleIncomingCallDialog, ag_console_incoming_call_dialog,
                      AG_CONSOLE, INCOMING_CALL_DIALOG, AdwMessageDialog)

/* Responses: "accept" and "refuse" while the call rings. Once it is active the same two
 * buttons read "Hide" ("accept": the dialog goes, the call stays; the calls view can show
 * it again) and "End Call" ("refuse"). Closing the dialog while it rings only hides it.
 * The dialog closes itself when the call is over, whoever ended it. When parent is not the
 * active window, a desktop notification with Accept and Refuse buttons is sent too. */
GtkWidget           *ag_console_incoming_call_dialog_new            (GtkWindow                   *parent,
                                                                     AgCall                      *call);

AgCall              *ag_console_incoming_call_dialog_get_call       (AgConsoleIncomingCallDialog *self);
AgConsoleDtmfKeypad *ag_console_incoming_call_dialog_get_keypad     (AgConsoleIncomingCallDialog *self);

/* The optional extra sent with the answer (JSON object text). */
void                 ag_console_incoming_call_dialog_set_reply_extra (AgConsoleIncomingCallDialog *self,
                                                                      const char                  *extra);

/* A human-readable line on where the call stands ("Ringing", "Active", ...). */
const char          *ag_console_incoming_call_dialog_get_stage_text (AgConsoleIncomingCallDialog *self);

G_END_DECLS
