/* ag-console-dtmf-keypad.h: a 0-9 * # keypad sending DTMF digits into an active call
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_DTMF_KEYPAD (ag_console_dtmf_keypad_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleDtmfKeypad, ag_console_dtmf_keypad, AG_CONSOLE, DTMF_KEYPAD, AdwBin)

GtkWidget  *ag_console_dtmf_keypad_new          (void);

AgCall     *ag_console_dtmf_keypad_get_call     (AgConsoleDtmfKeypad *self);
void        ag_console_dtmf_keypad_set_call     (AgConsoleDtmfKeypad *self,
                                                 AgCall              *call);

/* The digits sent and received (DTMF invite-msg of the peer) during this call, in order. */
const char *ag_console_dtmf_keypad_get_sent     (AgConsoleDtmfKeypad *self);
const char *ag_console_dtmf_keypad_get_received (AgConsoleDtmfKeypad *self);

G_END_DECLS
