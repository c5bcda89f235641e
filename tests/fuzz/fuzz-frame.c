/* fuzz-frame.c: libFuzzer entry point for ag_frame_decode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds the input to the decoder as a frame from a client and as a frame from the server,
 * and checks what must hold for every input: the decoder either fails with one of its
 * documented codes (and never because JsonParser disagreed with the syntax check) or returns
 * a frame that encodes to text it decodes again, to the same frame for client frames and to
 * the same bytes for both. The direct client decoder must also agree with the json-glib tree
 * decoder it replaced: the same frame, or the same error and id; so must the direct decoder
 * of admin snapshot frames with the tree decoder of the same records.
 */

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "ag-admin-frame.h"
#include "ag-admin-snapshot.h"
#include "ag-error.h"
#include "ag-frame-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
code_is_documented (int code)
{
  return code == AG_ERROR_PROTO_E_MALFORMED ||
         code == AG_ERROR_PROTO_E_UNKNOWN_OP ||
         code == AG_ERROR_GENERAL_E_WRONG_PARAM ||
         code == AG_ERROR_GENERAL_E_LARGE_PARAM ||
         code == AG_ERROR_LOGIN_E_INVALID_USER;
}

static void
check_origin (const uint8_t *data,
              size_t         size,
              AgFrameOrigin  origin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AgFrame) frame = NULL;
  g_autoptr(AgFrame) again = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GBytes) reencoded = NULL;
  const char *text;
  gsize length = 0;
  gint64 id = -1;

  frame = ag_frame_decode ((const char *) data, size, origin, &id, &error);

  if (frame == NULL) {
    if (error == NULL || error->domain != AG_ERROR || !code_is_documented (error->code))
      g_error ("decode failed without a documented AG_ERROR");
    if (id < 0)
      g_error ("decode failed with a negative id %" G_GINT64_FORMAT, id);
    /* The syntax check and JsonParser must agree on what is JSON. */
    if (g_str_has_prefix (error->message, "JSON parser refused"))
      g_error ("%s", error->message);
    return;
  }

  if (error != NULL)
    g_error ("decode returned a frame and an error");

  if (origin == AG_FRAME_FROM_CLIENT && (!ag_op_is_request (frame->op) || frame->id <= 0))
    g_error ("a client frame decoded to op %d id %" G_GINT64_FORMAT, frame->op, frame->id);

  encoded = ag_frame_encode (frame);
  text = g_bytes_get_data (encoded, &length);

  if (!g_utf8_validate_len (text, length, NULL))
    g_error ("encode wrote invalid UTF-8");

  again = ag_frame_decode (text, length, origin, NULL, &error);
  if (again == NULL)
    g_error ("re-decoding %.*s failed: %s", (int) MIN (length, 500), text, error->message);

  if (origin == AG_FRAME_FROM_CLIENT && !ag_frame_equal (frame, again))
    g_error ("decode (encode (frame)) != frame for %.*s", (int) MIN (length, 500), text);

  reencoded = ag_frame_encode (again);
  if (!g_bytes_equal (encoded, reencoded))
    g_error ("encoding is not stable for %.*s", (int) MIN (length, 500), text);
}

/* The direct client decoder and the tree decoder it replaced agree on every input: the
 * same frame, or the same error and id. */
static void
check_decoders_agree (const uint8_t *data,
                      size_t         size)
{
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(AgFrame) direct = NULL;
  g_autoptr(AgFrame) tree = NULL;
  gint64 direct_id = -1;
  gint64 tree_id = -1;

  direct = ag_frame_decode ((const char *) data, size, AG_FRAME_FROM_CLIENT, &direct_id,
                            &direct_error);
  tree = _ag_frame_decode_tree ((const char *) data, size, AG_FRAME_FROM_CLIENT, &tree_id,
                                &tree_error);

  if (!ag_frame_equal (direct, tree) || direct_id != tree_id)
    g_error ("the direct and tree decoders return different frames or ids");

  if ((direct_error == NULL) != (tree_error == NULL) ||
      (direct_error != NULL && (direct_error->code != tree_error->code ||
                                g_strcmp0 (direct_error->message, tree_error->message) != 0)))
    g_error ("the direct and tree decoders fail differently: %s / %s",
             direct_error != NULL ? direct_error->message : "no error",
             tree_error != NULL ? tree_error->message : "no error");
}

/* The admin snapshot decoder and the tree decoder of its records: the same records in the
 * same order, or the same error. */
static void
check_snapshot_decoders_agree (const uint8_t *data,
                               size_t         size)
{
  g_autoptr(AgAdminSnapshot) direct = NULL;
  g_autoptr(AgAdminSnapshot) tree = NULL;
  g_autoptr(GError) direct_error = NULL;
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean ok;

  ok = _ag_admin_snapshot_decode ((const char *) data, size, &direct, &direct_error);
  root = ag_admin_parse_server_frame ((const char *) data, size, &tree_error);

  if (root == NULL) {
    if (ok || direct_error == NULL || direct_error->code != tree_error->code ||
        g_strcmp0 (direct_error->message, tree_error->message) != 0)
      g_error ("the snapshot decoders fail differently: %s / %s",
               direct_error != NULL ? direct_error->message : "no error", tree_error->message);
    return;
  }

  if (!ok)
    g_error ("the direct snapshot decoder refused a frame: %s", direct_error->message);

  tree = _ag_admin_snapshot_from_json (json_node_get_object (root));
  if ((direct == NULL) != (tree == NULL))
    g_error ("the snapshot decoders disagree on the op");
  if (tree == NULL)
    return;

  if (direct->users->len != tree->users->len || direct->channels->len != tree->channels->len)
    g_error ("the snapshot decoders return %u/%u and %u/%u records", direct->users->len,
             direct->channels->len, tree->users->len, tree->channels->len);

  for (guint i = 0; i < tree->users->len; i++)
    if (!_ag_admin_user_record_equal (&g_array_index (direct->users, AgAdminUserRecord, i),
                                      &g_array_index (tree->users, AgAdminUserRecord, i)))
      g_error ("the snapshot decoders disagree on user %u", i);

  for (guint i = 0; i < tree->channels->len; i++)
    if (!_ag_admin_channel_record_equal (&g_array_index (direct->channels,
                                                         AgAdminChannelRecord, i),
                                         &g_array_index (tree->channels, AgAdminChannelRecord,
                                                         i)))
      g_error ("the snapshot decoders disagree on channel %u", i);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  check_decoders_agree (data, size);
  check_snapshot_decoders_agree (data, size);
  check_origin (data, size, AG_FRAME_FROM_CLIENT);
  check_origin (data, size, AG_FRAME_FROM_SERVER);

  return 0;
}
