/* ag-signal-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-signal.h"

G_BEGIN_DECLS

/* The status the current session reports for the signal. */
void _ag_signal_session_status_changed (AgSignal  *self,
                                        AgSession *session);

G_END_DECLS
