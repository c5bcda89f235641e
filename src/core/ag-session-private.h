/* ag-session-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ag-frame.h"
#include "ag-session.h"
#include "ag-transport.h"

G_BEGIN_DECLS

AgSession *_ag_session_new              (AgSignal            *signal,
                                         SoupSession         *soup,
                                         const char          *account,
                                         const char          *token);
/* Starts connecting and logging in; every outcome is signalled from the main loop. */
void       _ag_session_start            (AgSession           *self);
/* The session's connection (NULL before the start), for AgFrameTap. */
struct _AgTransport *_ag_session_get_transport (AgSession   *self);

/* The transport requests go through (they wait in its queue while the session logs in or
 * reconnects), or NULL with 1003 when the session is not logged in nor logging in. For
 * _ag_request_send (). */
AgTransport *_ag_session_get_request_transport (AgSession    *self,
                                                GError      **error);

void       _ag_session_emit_error       (AgSession           *self,
                                         const GError        *error);

/* Logged in, logging in or reconnecting, and not logging out: a second login of the same
 * account on the same AgSignal is ignored while this holds. */
gboolean   _ag_session_is_active        (AgSession           *self);
/* Reports an ignored second login (208) through AgSession::error, from the main loop. */
void       _ag_session_report_already_logged_in (AgSession   *self);

/* For ag-session-requests.c: makes the signals that answer requests; routes a new outgoing
 * call's events to it; makes channel the session's channel after the server confirmed its
 * join (the previous one gets channel-leaved 602). */
void       _ag_session_requests_class_init (AgSessionClass *klass);
void       _ag_session_track_call       (AgSession           *self,
                                         AgCall              *call);
void       _ag_session_set_channel      (AgSession           *self,
                                         AgChannel           *channel);

/* The channel left (by request, or refused on re-join): the session forgets it. */
void       _ag_session_channel_left     (AgSession           *self,
                                         AgChannel           *channel);
/* The call reached a final state: the session stops routing events to it. */
void       _ag_session_call_finished    (AgSession           *self,
                                         AgCall              *call);

/* The AG_ERROR code of error, or the fallback for other domains (cancellation, I/O). */
int        _ag_error_get_code           (const GError        *error,
                                         int                  fallback);

G_END_DECLS
