/* ag-admin-frame.c: decoding admin requests and writing admin replies and events */

#include "ag-admin-frame.h"

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-limits.h"

typedef enum {
  ARG_END = 0,
  ARG_APP_ID,
  ARG_KEY,
  ARG_SEARCH,
  ARG_MATCH,
  ARG_AFTER,
  ARG_SORT,
  ARG_SINCE,
  ARG_OFFSET,
  ARG_LIMIT,
  ARG_CHANNEL,
  ARG_ACCOUNT,
  ARG_NAME,
  ARG_VALUE,
  ARG_MSG,
  ARG_TTL,
  ARG_EPOCH,
} Arg;

/* An argument of an op; optional ones may be left out. */
typedef struct {
  Arg      arg;
  gboolean required;
} ArgSpec;

#define MAX_ARGS 6

typedef struct {
  const char *name;
  ArgSpec     args[MAX_ARGS];
} AdminOpInfo;

#define REQ(a) { a, TRUE }
#define OPT(a) { a, FALSE }

static const AdminOpInfo op_infos[AG_ADMIN_OP_LAST] = {
  [AG_ADMIN_OP_INVALID] = { NULL, { { ARG_END, FALSE } } },
  [AG_ADMIN_OP_LOGIN] = { "admin_login", { REQ (ARG_APP_ID), REQ (ARG_KEY) } },
  [AG_ADMIN_OP_SUBSCRIBE] = { "admin_subscribe", { OPT (ARG_SINCE), OPT (ARG_EPOCH) } },
  [AG_ADMIN_OP_UNSUBSCRIBE] = { "admin_unsubscribe", { { ARG_END, FALSE } } },
  [AG_ADMIN_OP_USERS] = { "admin_users", { OPT (ARG_SEARCH), OPT (ARG_MATCH), OPT (ARG_AFTER),
                                           OPT (ARG_LIMIT) } },
  [AG_ADMIN_OP_CHANNELS] = { "admin_channels", { OPT (ARG_SEARCH), OPT (ARG_SORT),
                                                 OPT (ARG_OFFSET), OPT (ARG_LIMIT) } },
  [AG_ADMIN_OP_CHANNEL] = { "admin_channel", { REQ (ARG_CHANNEL), OPT (ARG_OFFSET),
                                               OPT (ARG_LIMIT) } },
  [AG_ADMIN_OP_USER] = { "admin_user", { REQ (ARG_ACCOUNT) } },
  [AG_ADMIN_OP_KICK] = { "admin_kick", { REQ (ARG_ACCOUNT) } },
  [AG_ADMIN_OP_REMOVE] = { "admin_remove", { REQ (ARG_CHANNEL), REQ (ARG_ACCOUNT) } },
  [AG_ADMIN_OP_PUBLISH] = { "admin_publish", { REQ (ARG_CHANNEL), REQ (ARG_MSG) } },
  [AG_ADMIN_OP_SEND] = { "admin_send", { REQ (ARG_ACCOUNT), REQ (ARG_MSG), OPT (ARG_TTL) } },
  [AG_ADMIN_OP_CHANNEL_SET_ATTR] = { "admin_channel_set_attr",
                                     { REQ (ARG_CHANNEL), REQ (ARG_NAME), REQ (ARG_VALUE) } },
  [AG_ADMIN_OP_CHANNEL_DEL_ATTR] = { "admin_channel_del_attr",
                                     { REQ (ARG_CHANNEL), REQ (ARG_NAME) } },
  [AG_ADMIN_OP_CHANNEL_CLEAR_ATTR] = { "admin_channel_clear_attr", { REQ (ARG_CHANNEL) } },
  [AG_ADMIN_OP_STATS] = { "admin_stats", { { ARG_END, FALSE } } },
};

#undef REQ
#undef OPT

static const char * const arg_names[] = {
  [ARG_END] = NULL,
  [ARG_APP_ID] = "app_id",
  [ARG_KEY] = "key",
  [ARG_SEARCH] = "search",
  [ARG_MATCH] = "match",
  [ARG_AFTER] = "after",
  [ARG_SORT] = "sort",
  [ARG_SINCE] = "since",
  [ARG_OFFSET] = "offset",
  [ARG_LIMIT] = "limit",
  [ARG_CHANNEL] = "channel",
  [ARG_ACCOUNT] = "account",
  [ARG_NAME] = "name",
  [ARG_VALUE] = "value",
  [ARG_MSG] = "msg",
  [ARG_TTL] = "ttl",
  [ARG_EPOCH] = "epoch",
};

const char *
ag_admin_op_to_string (AgAdminOp op)
{
  if (op <= AG_ADMIN_OP_INVALID || op >= AG_ADMIN_OP_LAST)
    return NULL;

  return op_infos[op].name;
}

AgAdminOp
ag_admin_op_from_string (const char *name)
{
  if (name == NULL || !g_str_has_prefix (name, "admin_"))
    return AG_ADMIN_OP_INVALID;

  for (AgAdminOp op = AG_ADMIN_OP_LOGIN; op < AG_ADMIN_OP_LAST; op++)
    if (g_str_equal (op_infos[op].name, name))
      return op;

  return AG_ADMIN_OP_INVALID;
}

AgAdminRequest *
ag_admin_request_new (AgAdminOp op)
{
  AgAdminRequest *request = g_new0 (AgAdminRequest, 1);

  request->op = op;
  request->limit = AG_ADMIN_DEFAULT_LIMIT;

  return request;
}

void
ag_admin_request_free (AgAdminRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->app_id);
  g_free (request->key);
  g_free (request->search);
  g_free (request->after);
  g_free (request->channel);
  g_free (request->account);
  g_free (request->name);
  g_free (request->value);
  g_free (request->msg);
  g_free (request->epoch);
  g_free (request);
}

static gboolean
arg_error (GError    **error,
           int         code,
           Arg         arg,
           const char *problem)
{
  g_set_error (error, AG_ERROR, code, "%s %s", arg_names[arg], problem);
  return FALSE;
}

static char **
string_slot (AgAdminRequest *request,
             Arg             arg)
{
  switch (arg) {
  case ARG_APP_ID: return &request->app_id;
  case ARG_KEY: return &request->key;
  case ARG_SEARCH: return &request->search;
  case ARG_AFTER: return &request->after;
  case ARG_CHANNEL: return &request->channel;
  case ARG_ACCOUNT: return &request->account;
  case ARG_NAME: return &request->name;
  case ARG_VALUE: return &request->value;
  case ARG_MSG: return &request->msg;
  case ARG_EPOCH: return &request->epoch;
  case ARG_END:
  case ARG_MATCH:
  case ARG_SORT:
  case ARG_SINCE:
  case ARG_OFFSET:
  case ARG_LIMIT:
  case ARG_TTL:
  default:
    return NULL;
  }
}

static gboolean
decode_int (AgAdminRequest  *request,
            Arg              arg,
            JsonNode        *node,
            GError         **error)
{
  gint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, arg, "must be an integer");

  value = json_node_get_int (node);

  switch (arg) {
  case ARG_LIMIT:
    if (value < 1 || value > AG_ADMIN_MAX_LIMIT)
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, arg, "must be 1-1000");
    request->limit = value;
    break;
  case ARG_OFFSET:
    if (value < 0)
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, arg, "must not be negative");
    request->offset = value;
    break;
  case ARG_SINCE:
    if (value < 0)
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, arg, "must not be negative");
    request->since = value;
    request->has_since = TRUE;
    break;
  case ARG_TTL:
    if (value < 0 || value > AG_LIMIT_TTL_SECONDS)
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, arg, "must be 0-604800 seconds");
    request->ttl = value;
    break;
  default:
    g_assert_not_reached ();
  }

  return TRUE;
}

/* The checks of the client protocol for the same kind of value, so that an operator cannot
 * create what a client could not. */
static int
check_string (Arg          arg,
              const char  *value,
              const char **problem)
{
  int code = AG_ERROR_SUCCESS;

  switch (arg) {
  case ARG_APP_ID:
  case ARG_SEARCH:
  case ARG_AFTER:
  case ARG_EPOCH:
    if (g_utf8_strlen (value, -1) > AG_LIMIT_NAME_CHARS) {
      *problem = "is longer than 128 characters";
      return AG_ERROR_GENERAL_E_LARGE_PARAM;
    }
    if (arg == ARG_APP_ID && *value == '\0') {
      *problem = "is empty";
      return AG_ERROR_GENERAL_E_WRONG_PARAM;
    }
    return AG_ERROR_SUCCESS;
  case ARG_KEY:
    if (strlen (value) > AG_ADMIN_MAX_KEY) {
      *problem = "is longer than 1024 bytes";
      return AG_ERROR_GENERAL_E_LARGE_PARAM;
    }
    return AG_ERROR_SUCCESS;
  case ARG_CHANNEL:
  case ARG_NAME:
    code = ag_check_name (value);
    *problem = code == AG_ERROR_GENERAL_E_LARGE_PARAM ? "is longer than 128 characters"
                                                      : "is empty or not a valid name";
    return code;
  case ARG_ACCOUNT:
    if (ag_check_account (value) != AG_ERROR_SUCCESS) {
      *problem = "is not a valid account";
      return AG_ERROR_GENERAL_E_WRONG_PARAM;
    }
    return AG_ERROR_SUCCESS;
  case ARG_VALUE:
    code = ag_check_attr_value (value);
    *problem = "is longer than 8096 characters";
    return code;
  case ARG_MSG:
    code = ag_check_msg (value);
    *problem = "is larger than 8192 bytes";
    return code;
  case ARG_END:
  case ARG_MATCH:
  case ARG_SORT:
  case ARG_SINCE:
  case ARG_OFFSET:
  case ARG_LIMIT:
  case ARG_TTL:
  default:
    return AG_ERROR_SUCCESS;
  }
}

static gboolean
decode_arg (AgAdminRequest  *request,
            JsonObject      *object,
            const ArgSpec   *spec,
            GError         **error)
{
  JsonNode *node = json_object_get_member (object, arg_names[spec->arg]);
  const char *problem = NULL;
  const char *value;
  int code;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    if (spec->required)
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, spec->arg, "is missing");
    return TRUE;
  }

  if (spec->arg == ARG_SINCE || spec->arg == ARG_OFFSET || spec->arg == ARG_LIMIT ||
      spec->arg == ARG_TTL)
    return decode_int (request, spec->arg, node, error);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, spec->arg, "must be a string");

  value = json_node_get_string (node);

  if (spec->arg == ARG_MATCH) {
    if (g_str_equal (value, "prefix"))
      request->prefix = TRUE;
    else if (!g_str_equal (value, "substring"))
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, spec->arg,
                        "must be \"prefix\" or \"substring\"");
    return TRUE;
  }

  if (spec->arg == ARG_SORT) {
    if (g_str_equal (value, "members"))
      request->by_members = TRUE;
    else if (!g_str_equal (value, "name"))
      return arg_error (error, AG_ERROR_GENERAL_E_WRONG_PARAM, spec->arg,
                        "must be \"name\" or \"members\"");
    return TRUE;
  }

  code = check_string (spec->arg, value, &problem);
  if (code != AG_ERROR_SUCCESS)
    return arg_error (error, code, spec->arg, problem);

  *string_slot (request, spec->arg) = g_strdup (value);
  return TRUE;
}

AgAdminRequest *
ag_admin_request_decode (const char  *data,
                         gsize        length,
                         gboolean     require_id,
                         gint64      *out_id,
                         GError     **error)
{
  g_autoptr(AgAdminRequest) request = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *node;
  AgAdminOp op = AG_ADMIN_OP_INVALID;
  gint64 id = 0;

  if (out_id != NULL)
    *out_id = 0;

  /* Requests and server frames share the framing checks. */
  root = ag_admin_parse_server_frame (data, length, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  node = json_object_get_member (object, "id");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) > 0) {
    id = json_node_get_int (node);
    if (out_id != NULL)
      *out_id = id;
  }

  node = json_object_get_member (object, "op");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    op = ag_admin_op_from_string (json_node_get_string (node));

  if (op == AG_ADMIN_OP_INVALID) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_UNKNOWN_OP,
                         node == NULL ? "op is missing" : "op is unknown");
    return NULL;
  }

  if (id == 0 && require_id) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "id must be a positive integer");
    return NULL;
  }

  request = ag_admin_request_new (op);
  request->id = id;

  for (const ArgSpec *spec = op_infos[op].args; spec->arg != ARG_END; spec++)
    if (!decode_arg (request, object, spec, error))
      return NULL;

  /* Over HTTP every request names its app (there is no login before it). */
  if (!require_id && op != AG_ADMIN_OP_LOGIN &&
      !decode_arg (request, object, &(ArgSpec) { ARG_APP_ID, FALSE }, error))
    return NULL;

  return g_steal_pointer (&request);
}

char *
ag_admin_request_encode (const AgAdminRequest *request)
{
  AgJsonWriter *writer;
  AgAdminRequest *mutable = (AgAdminRequest *) request;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (ag_admin_op_to_string (request->op) != NULL, NULL);

  writer = ag_admin_writer_begin (ag_admin_op_to_string (request->op), request->id);

  for (const ArgSpec *spec = op_infos[request->op].args; spec->arg != ARG_END; spec++) {
    char **slot = string_slot (mutable, spec->arg);

    switch (spec->arg) {
    case ARG_MATCH:
      ag_admin_writer_add_string (writer, "match", request->prefix ? "prefix" : "substring");
      break;
    case ARG_SORT:
      ag_admin_writer_add_string (writer, "sort", request->by_members ? "members" : "name");
      break;
    case ARG_SINCE:
      if (request->has_since)
        ag_admin_writer_add_int (writer, "since", request->since);
      break;
    case ARG_OFFSET:
      ag_admin_writer_add_int (writer, "offset", request->offset);
      break;
    case ARG_LIMIT:
      ag_admin_writer_add_int (writer, "limit", request->limit);
      break;
    case ARG_TTL:
      ag_admin_writer_add_int (writer, "ttl", request->ttl);
      break;
    default:
      if (slot != NULL && *slot != NULL)
        ag_admin_writer_add_string (writer, arg_names[spec->arg], *slot);
      break;
    }
  }

  ag_json_writer_end_object (writer);

  return ag_json_writer_free_to_string (writer);
}

AgJsonWriter *
ag_admin_writer_begin (const char *op,
                       gint64      id)
{
  AgJsonWriter *writer = ag_json_writer_new ();

  ag_json_writer_begin_object (writer);
  ag_admin_writer_add_string (writer, "op", op);
  if (id > 0)
    ag_admin_writer_add_int (writer, "id", id);

  return writer;
}

GBytes *
ag_admin_writer_end (AgJsonWriter *writer)
{
  ag_json_writer_end_object (writer);

  return ag_json_writer_free_to_bytes (writer);
}

void
ag_admin_writer_add_string (AgJsonWriter *writer,
                            const char   *name,
                            const char   *value)
{
  ag_json_writer_set_member_name (writer, name);
  ag_json_writer_add_string_value (writer, value);
}

void
ag_admin_writer_add_int (AgJsonWriter *writer,
                         const char   *name,
                         gint64        value)
{
  ag_json_writer_set_member_name (writer, name);
  ag_json_writer_add_int_value (writer, value);
}

void
ag_admin_writer_add_attrs (AgJsonWriter *writer,
                           const char   *name,
                           GHashTable   *attrs)
{
  g_autofree const char **names = NULL;
  guint n = 0;

  names = ag_sorted_keys (attrs, &n);

  ag_json_writer_set_member_name (writer, name);
  ag_json_writer_begin_object (writer);
  for (guint i = 0; i < n; i++)
    ag_admin_writer_add_string (writer, names[i], g_hash_table_lookup (attrs, names[i]));
  ag_json_writer_end_object (writer);
}

JsonNode *
ag_admin_parse_server_frame (const char  *data,
                             gsize        length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!ag_frame_check_text (data, length, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                 "JSON parser refused the frame: %s", local_error->message);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "frame is not a JSON object");
    return NULL;
  }

  return json_node_ref (root);
}
