/* ag-call-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-call.h"
#include "ag-frame.h"

G_BEGIN_DECLS

AgCall   *_ag_call_new          (AgSession       *session,
                                 AgCallDirection  direction,
                                 const char      *channel,
                                 const char      *peer,
                                 guint            peer_uid,
                                 const char      *extra);

void      _ag_call_handle_event (AgCall          *self,
                                 const AgFrame   *event);
/* The invitation request itself failed, or the connection carrying the call is gone. */
void      _ag_call_fail         (AgCall          *self,
                                 int              code);

G_END_DECLS
