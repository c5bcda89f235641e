/* ag-frame-tap.c: every frame a session sends and receives, for debugging tools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-frame-tap.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-error.h"
#include "ag-frame.h"
#include "ag-marshal.h"
#include "ag-request-private.h"
#include "ag-session-private.h"
#include "ag-transport.h"

/**
 * AgFrameTap:
 *
 * A debugging hook on one [class@Session]: [signal@FrameTap::frame] reports every frame
 * the session sends or receives from the moment the tap exists, as the JSON text on the
 * wire, with the token of a login frame replaced by `"<redacted>"`; and
 * [method@FrameTap.send_async] sends a request written by hand (an edited copy of one the
 * tap reported, say) and returns the server's reply.
 *
 * Frames are only encoded for the tap while one is connected to the session, so a session
 * without a tap pays nothing for it. The console's frame inspector is built on it.
 *
 * Since: 0.2
 */
struct _AgFrameTap {
  GObject      parent_instance;

  AgSession   *session;
  AgTransport *transport;
  gulong       frame_handler;
};

G_DEFINE_FINAL_TYPE (AgFrameTap, ag_frame_tap, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

enum {
  SIGNAL_FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
transport_frame_cb (AgTransport *transport,
                    gboolean     outgoing,
                    const char  *text,
                    AgFrameTap  *self)
{
  g_signal_emit (self, signals[SIGNAL_FRAME], 0, outgoing, text);
}

static void
ag_frame_tap_constructed (GObject *object)
{
  AgFrameTap *self = AG_FRAME_TAP (object);

  G_OBJECT_CLASS (ag_frame_tap_parent_class)->constructed (object);

  self->transport = _ag_session_get_transport (self->session);
  if (self->transport != NULL) {
    g_object_ref (self->transport);
    self->frame_handler = g_signal_connect (self->transport, "frame",
                                            G_CALLBACK (transport_frame_cb), self);
  }
}

static void
ag_frame_tap_dispose (GObject *object)
{
  AgFrameTap *self = AG_FRAME_TAP (object);

  g_clear_signal_handler (&self->frame_handler, self->transport);
  g_clear_object (&self->transport);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_frame_tap_parent_class)->dispose (object);
}

static void
ag_frame_tap_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AgFrameTap *self = AG_FRAME_TAP (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_frame_tap_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  AgFrameTap *self = AG_FRAME_TAP (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_frame_tap_class_init (AgFrameTapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ag_frame_tap_constructed;
  object_class->dispose = ag_frame_tap_dispose;
  object_class->get_property = ag_frame_tap_get_property;
  object_class->set_property = ag_frame_tap_set_property;

  /**
   * AgFrameTap:session:
   *
   * The session whose frames the tap reports.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, AG_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgFrameTap::frame:
   * @self: the tap
   * @outgoing: %TRUE for a frame the session sent, %FALSE for one it received
   * @text: the frame's JSON text (a login's token replaced by `"<redacted>"`)
   *
   * A frame went out or came in, in the order the session saw them.
   */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  _ag_marshal_VOID__BOOLEAN_STRING,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_FRAME], G_TYPE_FROM_CLASS (klass),
                              _ag_marshal_VOID__BOOLEAN_STRINGv);
}

static void
ag_frame_tap_init (AgFrameTap *self)
{
}

/**
 * ag_frame_tap_new:
 * @session: a session that was started (as [method@Signal.login] returns it)
 *
 * Taps a session's frames.
 *
 * Returns: (transfer full): a new tap
 */
AgFrameTap *
ag_frame_tap_new (AgSession *session)
{
  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  return g_object_new (AG_TYPE_FRAME_TAP, "session", session, NULL);
}

/**
 * ag_frame_tap_get_session:
 * @self: a tap
 *
 * Gets the session.
 *
 * Returns: (transfer none): the session whose frames the tap reports
 */
AgSession *
ag_frame_tap_get_session (AgFrameTap *self)
{
  g_return_val_if_fail (AG_IS_FRAME_TAP (self), NULL);

  return self->session;
}

/* Requests that make or change what the session tracks (its login, its channel, its calls)
 * go through their own API: sent by hand, the session's objects would not know of them. */
static gboolean
may_send_by_hand (AgOp op)
{
  switch (op) {
  case AG_OP_LOGIN:
  case AG_OP_LOGOUT:
  case AG_OP_CHANNEL_JOIN:
  case AG_OP_CHANNEL_LEAVE:
  case AG_OP_CALL_INVITE:
  case AG_OP_CALL_ACCEPT:
  case AG_OP_CALL_REFUSE:
  case AG_OP_CALL_END:
    return FALSE;
  default:
    return ag_op_is_request (op);
  }
}

/* The request with an id (the transport gives it its own), decoded as the server would. */
static AgFrame *
decode_request (const char  *request,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, request, -1, &local_error)) {
    g_set_error (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED, "Not JSON: %s",
                 local_error->message);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, AG_ERROR, AG_ERROR_PROTO_E_MALFORMED,
                         "A request is a JSON object");
    return NULL;
  }

  json_object_set_int_member (json_node_get_object (root), "id", 1);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return ag_frame_decode (text, strlen (text), AG_FRAME_FROM_CLIENT, NULL, error);
}

/**
 * ag_frame_tap_send_async:
 * @self: a tap
 * @request: a request frame's JSON text, as the tap reports them (its `id` is replaced)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the reply
 * @user_data: data for @callback
 *
 * Sends a request written by hand through the session, once it is logged in. It is decoded
 * and checked as the server would; requests that make or change what the session tracks
 * (`login`, `logout`, `channel_join`, `channel_leave`, and the call requests but `call_msg`)
 * are refused with 1004, because the session's objects would not know of them.
 */
void
ag_frame_tap_send_async (AgFrameTap          *self,
                         const char          *request,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GError *refusal = NULL;
  AgFrame *frame;

  g_return_if_fail (AG_IS_FRAME_TAP (self));
  g_return_if_fail (request != NULL);

  frame = decode_request (request, &refusal);
  if (frame != NULL && !may_send_by_hand (frame->op))
    refusal = g_error_new (AG_ERROR, AG_ERROR_GENERAL_E_WRONG_PARAM,
                           "%s changes what the session tracks: use its own API",
                           ag_op_to_string (frame->op));
  /* Refused requests take the same way back (from the main loop, to the same _finish),
   * which drops the frame it is given. */
  if (frame == NULL)
    frame = ag_frame_new (AG_OP_PING);

  _ag_request_send (self, self->session, frame, refusal, ag_frame_tap_send_async, NULL, NULL, NULL,
                    cancellable, callback, user_data);
}

/**
 * ag_frame_tap_send_finish:
 * @self: a tap
 * @result: the result
 * @error: the request's failure: the server's code, or the session's
 *
 * Finishes [method@FrameTap.send_async].
 *
 * Returns: (transfer full): the server's reply frame as JSON text
 */
char *
ag_frame_tap_send_finish (AgFrameTap    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(AgFrame) reply = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (AG_IS_FRAME_TAP (self), NULL);

  reply = _ag_request_finish (self, result, ag_frame_tap_send_async, error);
  if (reply == NULL)
    return NULL;

  bytes = ag_frame_encode (reply);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}
