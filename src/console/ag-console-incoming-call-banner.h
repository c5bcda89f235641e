/* ag-console-incoming-call-banner.h: answer a call invitation inside the callee's tab, then
 * end it or send DTMF
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-dtmf-keypad.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_INCOMING_CALL_BANNER (ag_console_incoming_call_banner_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleIncomingCallBanner, ag_console_incoming_call_banner,
                      AG_CONSOLE, INCOMING_CALL_BANNER, GtkWidget)

/* A bar naming the caller, the callee (callee: the account of the session being called),
 * the channel and the extra, with Accept and Refuse while the call rings ("call.accept",
 * "call.refuse"), End Call, a DTMF keypad and Hide once it is active ("call.end",
 * "call.hide"). Nothing in it is modal: every other tab and every other banner stays usable.
 * It emits "finished" once the call is over, whoever ended it; its owner removes it then.
 * When its window is not the active one, a desktop notification with Accept and Refuse is
 * sent too (when a notification server is there). */
GtkWidget           *ag_console_incoming_call_banner_new             (AgCall                      *call,
                                                                      const char                  *callee);

AgCall              *ag_console_incoming_call_banner_get_call        (AgConsoleIncomingCallBanner *self);
const char          *ag_console_incoming_call_banner_get_callee      (AgConsoleIncomingCallBanner *self);
AgConsoleDtmfKeypad *ag_console_incoming_call_banner_get_keypad      (AgConsoleIncomingCallBanner *self);

/* The heading ("bob is calling alice"). */
const char          *ag_console_incoming_call_banner_get_title       (AgConsoleIncomingCallBanner *self);

/* The optional extra sent with the answer (JSON object text). */
void                 ag_console_incoming_call_banner_set_reply_extra (AgConsoleIncomingCallBanner *self,
                                                                      const char                  *extra);

/* A human-readable line on where the call stands ("Ringing", "Active", ...). */
const char          *ag_console_incoming_call_banner_get_stage_text  (AgConsoleIncomingCallBanner *self);

G_END_DECLS
