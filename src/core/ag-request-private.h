/* ag-request-private.h: what the channel's and the call's requests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a request made without _async was, for the error signal that reports its failure:
 * the spec's method name (static) and its argument (the attribute's name, the message, the
 * extra), copied. */
typedef struct _AgRequestContext AgRequestContext;

AgRequestContext *_ag_request_context_new      (const char   *request,
                                                const char   *argument);

/* The GAsyncReadyCallback of the channel's and the call's requests made without _async; takes
 * the AgRequestContext as user_data. A failure is emitted as `error (request, argument, ecode,
 * reason)` on the object the request concerns (an AgChannel or an AgCall), then as the
 * session's `error (ecode, reason)`, the spec's onError. Cancellation is not reported. */
void              _ag_request_report_failure_cb (GObject      *object,
                                                 GAsyncResult *result,
                                                 gpointer      user_data);

G_END_DECLS
