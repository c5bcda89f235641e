/* ag-user-attr.c: the spec's UserAttrCallback requests (userSetAttr, userGetAttr,
 * userGetAttrAll, channelQueryUserNum) for AgSignal and AgSession: their frames, typed results,
 * answer signals and the JSON text of the spec's result objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-marshal.h"
#include "ag-request-private.h"
#include "ag-session-private.h"
#include "ag-user-attr-private.h"

void
_ag_user_attr_signals_new (GType type)
{
  static const char * const names[] = {
    "user-set-attr", "user-get-attr", "user-get-attr-all",
  };
  guint signal_id;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    signal_id = g_signal_new (names[i], type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                              _ag_marshal_VOID__STRING_STRING,
                              G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
    g_signal_set_va_marshaller (signal_id, type, _ag_marshal_VOID__STRING_STRINGv);
  }

  signal_id = g_signal_new ("channel-query-user-num", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                            _ag_marshal_VOID__STRING_INT,
                            G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  g_signal_set_va_marshaller (signal_id, type, _ag_marshal_VOID__STRING_INTv);
}

void
_ag_user_attr_send_async (gpointer             source,
                          AgSession           *session,
                          AgUserAttrRequest    request,
                          const char          *target,
                          const char          *name,
                          const char          *value,
                          gpointer             source_tag,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GError *refusal = NULL;
  AgFrame *frame;

  switch (request) {
  case AG_USER_ATTR_SET:
    frame = ag_frame_new (AG_OP_USER_SET_ATTR);
    frame->name = g_strdup (name);
    frame->value = g_strdup (value);
    frame->has_value = TRUE;
    break;

  case AG_USER_ATTR_GET:
    frame = ag_frame_new (AG_OP_USER_GET_ATTR);
    frame->account = g_strdup (target);
    frame->name = g_strdup (name);
    break;

  case AG_USER_ATTR_GET_ALL:
    frame = ag_frame_new (AG_OP_USER_GET_ATTR_ALL);
    frame->account = g_strdup (target);
    break;

  case AG_USER_ATTR_QUERY_NUM:
  default:
    frame = ag_frame_new (AG_OP_CHANNEL_QUERY_NUM);
    frame->channel = g_strdup (target);
    break;
  }

  /* An AgSignal without a current session. */
  if (session == NULL)
    refusal = g_error_new_literal (AG_ERROR, AG_ERROR_GENERAL_E_NOT_LOGIN, "Not logged in");

  _ag_request_send (source, session, frame, refusal, source_tag, NULL, NULL, NULL, cancellable,
                    callback, user_data);
}

gboolean
_ag_user_attr_set_finish (gpointer       source,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_autoptr(AgFrame) reply = _ag_request_finish (source, result, source_tag, error);

  return reply != NULL;
}

char *
_ag_user_attr_get_finish (gpointer       source,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_autoptr(AgFrame) reply = _ag_request_finish (source, result, source_tag, error);

  return reply != NULL ? g_steal_pointer (&reply->value) : NULL;
}

GHashTable *
_ag_user_attr_get_all_finish (gpointer       source,
                              GAsyncResult  *result,
                              gpointer       source_tag,
                              GError       **error)
{
  g_autoptr(AgFrame) reply = _ag_request_finish (source, result, source_tag, error);

  if (reply == NULL)
    return NULL;

  if (reply->attrs != NULL)
    return g_steal_pointer (&reply->attrs);

  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

guint
_ag_user_attr_query_num_finish (gpointer       source,
                                GAsyncResult  *result,
                                gpointer       source_tag,
                                GError       **error)
{
  g_autoptr(AgFrame) reply = _ag_request_finish (source, result, source_tag, error);

  return reply != NULL ? (guint) CLAMP (reply->num, 0, G_MAXUINT) : 0;
}

/* JSON text of the spec's result objects, written with the protocol layer's string writer
 * (the library's only JSON is the protocol's). */
static char *
format_failure (const GError *error)
{
  GString *out = g_string_new ("{\"result\":\"failed\",\"reason\":");

  ag_json_append_string (out, error->message);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static char *
format_set_attr_result (const GError *error)
{
  if (error != NULL)
    return format_failure (error);

  return g_strdup ("{\"result\":\"ok\",\"reason\":\"\"}");
}

static char *
format_get_attr_result (const char   *account,
                        const char   *name,
                        const char   *value,
                        const GError *error)
{
  GString *out;

  if (error != NULL)
    return format_failure (error);

  out = g_string_new ("{\"result\":\"ok\",\"account\":");
  ag_json_append_string (out, account);
  g_string_append (out, ",\"name\":");
  ag_json_append_string (out, name);
  g_string_append (out, ",\"value\":");
  ag_json_append_string (out, value);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static char *
format_get_attr_all_result (const char   *account,
                            GHashTable   *attrs,
                            const GError *error)
{
  g_autofree const char **names = NULL;
  guint n_names = 0;
  GString *out;

  if (error != NULL)
    return format_failure (error);

  out = g_string_new ("{\"result\":\"ok\",\"account\":");
  ag_json_append_string (out, account);
  g_string_append (out, ",\"json\":{");

  /* Sorted, so the text is the same for the same attributes. */
  names = ag_sorted_keys (attrs, &n_names);

  for (guint i = 0; i < n_names; i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    ag_json_append_string (out, names[i]);
    g_string_append_c (out, ':');
    ag_json_append_string (out, g_hash_table_lookup (attrs, names[i]));
  }
  g_string_append (out, "}}");

  return g_string_free (out, FALSE);
}

/* A request made without _async, waiting for its answer signal. */
typedef struct {
  AgUserAttrRequest  request;
  gpointer           source_tag;
  char              *target;
  char              *name;
} Pending;

static void
pending_free (Pending *pending)
{
  g_free (pending->target);
  g_free (pending->name);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  g_autofree char *value = NULL;
  g_autofree char *ret = NULL;
  const char *signal_name = NULL;
  guint num;

  switch (pending->request) {
  case AG_USER_ATTR_SET:
    _ag_user_attr_set_finish (source, result, pending->source_tag, &error);
    ret = format_set_attr_result (error);
    signal_name = "user-set-attr";
    break;

  case AG_USER_ATTR_GET:
    value = _ag_user_attr_get_finish (source, result, pending->source_tag, &error);
    ret = format_get_attr_result (pending->target, pending->name, value, error);
    signal_name = "user-get-attr";
    break;

  case AG_USER_ATTR_GET_ALL:
    attrs = _ag_user_attr_get_all_finish (source, result, pending->source_tag, &error);
    ret = format_get_attr_all_result (pending->target, attrs, error);
    signal_name = "user-get-attr-all";
    break;

  case AG_USER_ATTR_QUERY_NUM:
  default:
    num = _ag_user_attr_query_num_finish (source, result, pending->source_tag, &error);
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    /* The spec's err is "" on success. */
    g_signal_emit_by_name (source, "channel-query-user-num",
                           error != NULL ? error->message : "", (int) MIN (num, G_MAXINT));
    return;
  }

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit_by_name (source, signal_name, error != NULL ? error->message : "", ret);
}

void
_ag_user_attr_send (gpointer           source,
                    AgSession         *session,
                    AgUserAttrRequest  request,
                    const char        *target,
                    const char        *name,
                    const char        *value,
                    gpointer           source_tag)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->request = request;
  pending->source_tag = source_tag;
  pending->target = g_strdup (target);
  pending->name = g_strdup (name);
  _ag_user_attr_send_async (source, session, request, target, name, value, source_tag, NULL,
                            answer_cb, pending);
}
