/* ag-request.c: failures of the requests made without _async, reported where they belong
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-call.h"
#include "ag-channel.h"
#include "ag-error.h"
#include "ag-request-private.h"
#include "ag-session-private.h"

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
  g_autoptr(GError) error = NULL;
  AgSession *session;

  if (g_task_propagate_boolean (G_TASK (result), &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_signal_emit_by_name (object, "error", context->request, context->argument,
                         _ag_error_get_code (error, AG_ERROR_GENERAL_E_FAILED), error->message);

  if (AG_IS_CHANNEL (object))
    session = ag_channel_get_session (AG_CHANNEL (object));
  else
    session = ag_call_get_session (AG_CALL (object));

  if (session != NULL)
    _ag_session_emit_error (session, error);
}
