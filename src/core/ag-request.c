/* ag-request.c: requests of sessions, channels and calls, and where their failures go
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-call.h"
#include "ag-channel.h"
#include "ag-error.h"
#include "ag-marshal.h"
#include "ag-request-private.h"
#include "ag-session-private.h"
#include "ag-transport.h"

typedef struct {
  AgRequestDone   done;
  gpointer        data;
  GDestroyNotify  data_free;
  GError         *refusal;
} Request;

static void
request_free (Request *request)
{
  if (request->data_free != NULL)
    request->data_free (request->data);
  g_clear_error (&request->refusal);
  g_free (request);
}

/* Completes a task with error, letting the request's hook see it first. */
static void
fail_task (GTask  *task,
           GError *error)
{
  Request *request = g_task_get_task_data (task);

  if (request->done != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    request->done (g_task_get_source_object (task), NULL, error, request->data);

  g_task_return_error (task, error);
}

static void
request_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  AgFrame *reply;

  reply = _ag_transport_request_finish (AG_TRANSPORT (object), result, &error);
  if (reply == NULL) {
    fail_task (task, error);
    return;
  }

  if (request->done != NULL)
    request->done (g_task_get_source_object (task), reply, NULL, request->data);

  g_task_return_pointer (task, reply, (GDestroyNotify) ag_frame_free);
}

/* A refusal is reported from the main loop, like an answer, so that the caller's handlers
 * are connected by then and nothing is emitted from inside the call. */
static gboolean
refuse_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);

  fail_task (task, g_steal_pointer (&request->refusal));

  return G_SOURCE_REMOVE;
}

void
_ag_request_send (gpointer             source_object,
                  AgSession           *session,
                  AgFrame             *frame,
                  GError              *refusal,
                  gpointer             source_tag,
                  AgRequestDone        done,
                  gpointer             data,
                  GDestroyNotify       data_free,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;
  AgTransport *transport = NULL;

  g_return_if_fail (G_IS_OBJECT (source_object));
  g_return_if_fail (frame != NULL);

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  request = g_new0 (Request, 1);
  request->done = done;
  request->data = data;
  request->data_free = data_free;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (refusal == NULL && session == NULL)
    refusal = g_error_new_literal (AG_ERROR, AG_ERROR_GENERAL_E_NOT_LOGIN,
                                   "The session is gone");
  if (refusal == NULL)
    transport = _ag_session_get_request_transport (session, &refusal);

  if (refusal != NULL) {
    ag_frame_free (frame);
    request->refusal = refusal;
    g_idle_add_full (G_PRIORITY_DEFAULT, refuse_cb, g_steal_pointer (&task), NULL);
    return;
  }

  _ag_transport_request_async (transport, frame, FALSE, cancellable, request_cb,
                               g_steal_pointer (&task));
}

AgFrame *
_ag_request_finish (gpointer       source_object,
                    GAsyncResult  *result,
                    gpointer       source_tag,
                    GError       **error)
{
  g_return_val_if_fail (G_IS_OBJECT (source_object), NULL);
  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
_ag_request_get_data (GAsyncResult *result)
{
  Request *request = g_task_get_task_data (G_TASK (result));

  return request->data;
}

guint
_ag_request_error_signal_new (GType type)
{
  guint signal_id;

  signal_id = g_signal_new ("request-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                            _ag_marshal_VOID__STRING_STRING_INT_STRING,
                            G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT,
                            G_TYPE_STRING);
  g_signal_set_va_marshaller (signal_id, type, _ag_marshal_VOID__STRING_STRING_INT_STRINGv);

  return signal_id;
}

struct _AgRequestContext {
  const char *request;
  char       *argument;
};

static void
request_context_free (AgRequestContext *context)
{
  g_free (context->argument);
  g_free (context);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgRequestContext, request_context_free)

AgRequestContext *
_ag_request_context_new (const char *request,
                         const char *argument)
{
  AgRequestContext *context = g_new0 (AgRequestContext, 1);

  context->request = request;
  context->argument = g_strdup (argument);

  return context;
}

void
_ag_request_report_failure_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(AgRequestContext) context = user_data;
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GError) error = NULL;
  AgSession *session;

  reply = g_task_propagate_pointer (G_TASK (result), &error);
  if (reply != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_signal_emit_by_name (object, "request-failed", context->request, context->argument,
                         _ag_error_get_code (error, AG_ERROR_GENERAL_E_FAILED), error->message);

  if (AG_IS_CHANNEL (object))
    session = ag_channel_get_session (AG_CHANNEL (object));
  else
    session = ag_call_get_session (AG_CALL (object));

  if (session != NULL)
    _ag_session_emit_error (session, error);
}
