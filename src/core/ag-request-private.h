/* ag-request-private.h: the one way the library's objects send a request
 *
 * A session, a channel and a call each turn their public _async calls into a request frame
 * for the session's connection. _ag_request_send () does that for all of them: a GTask of the
 * object with the call's source tag, the frame sent once the session is logged in (or a
 * refusal reported without sending it), an optional hook that acts on the outcome before the
 * task completes, and _ag_request_finish () for the _finish functions. The calls made without
 * _async report their failures with _ag_request_report_failure_cb.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ag-frame.h"
#include "ag-types.h"

G_BEGIN_DECLS

/* Runs when a request is answered (reply set) or failed (error set), before its task
 * completes; not on cancellation. data is the request's data given to _ag_request_send (). */
typedef void (*AgRequestDone) (GObject       *source_object,
                               const AgFrame *reply,
                               const GError  *error,
                               gpointer       data);

/* Sends frame (taken) through session in a task of source_object, which completes with the
 * reply for _ag_request_finish (). The task fails without sending when refusal (taken) is set,
 * when session is NULL (1003, the session is gone) or when the session is not logged in nor
 * logging in (1003); every outcome reaches callback from the main loop. */
void      _ag_request_send                (gpointer             source_object,
                                           AgSession           *session,
                                           AgFrame             *frame,
                                           GError              *refusal,
                                           gpointer             source_tag,
                                           AgRequestDone        done,
                                           gpointer             data,
                                           GDestroyNotify       data_free,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* The reply (transfer full), or NULL with error. */
AgFrame  *_ag_request_finish              (gpointer             source_object,
                                           GAsyncResult        *result,
                                           gpointer             source_tag,
                                           GError             **error);
/* The data given to _ag_request_send (). */
gpointer  _ag_request_get_data            (GAsyncResult        *result);

/* What a request made without _async was, for the error signal that reports its failure:
 * the spec's method name (static) and its argument (the attribute's name, the message, the
 * extra), copied. */
typedef struct _AgRequestContext AgRequestContext;

AgRequestContext *_ag_request_context_new (const char          *request,
                                           const char          *argument);

/* Makes the `request-failed (request, argument, ecode, reason)` signal of AgChannel and AgCall,
 * which each document in their own class. */
guint     _ag_request_error_signal_new    (GType                type);

/* The GAsyncReadyCallback of the channel's and the call's requests made without _async; takes
 * the AgRequestContext as user_data. A failure is emitted as `request-failed (request, argument,
 * ecode, reason)` on the object the request concerns (an AgChannel or an AgCall), then as the
 * session's `error (ecode, reason)`, the spec's onError. Cancellation is not reported. */
void      _ag_request_report_failure_cb   (GObject             *object,
                                           GAsyncResult        *result,
                                           gpointer             user_data);

G_END_DECLS
