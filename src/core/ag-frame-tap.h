/* ag-frame-tap.h: every frame a session sends and receives, for debugging tools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <gio/gio.h>

#include "ag-session.h"

G_BEGIN_DECLS

#define AG_TYPE_FRAME_TAP (ag_frame_tap_get_type ())

G_DECLARE_FINAL_TYPE (AgFrameTap, ag_frame_tap, AG, FRAME_TAP, GObject)

AgFrameTap *ag_frame_tap_new          (AgSession            *session);
AgSession  *ag_frame_tap_get_session  (AgFrameTap           *self);

void        ag_frame_tap_send_async   (AgFrameTap           *self,
                                       const char           *request,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
char       *ag_frame_tap_send_finish  (AgFrameTap           *self,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
