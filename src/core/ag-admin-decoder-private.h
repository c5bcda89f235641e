/* ag-admin-decoder-private.h: an admin connection's frames, decoded off the caller's thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _AgAdminDecoder AgAdminDecoder;

/* One frame, in the order it arrived: root is NULL with error set for a frame that is not
 * valid, and also NULL (with no error) for the end of the connection. A snapshot frame
 * comes with its records already made into items: users of AgAdminUser, channels of
 * AgAdminChannel (both NULL for other frames). */
typedef void (*AgAdminDecodedFunc) (JsonNode  *root,
                                    GPtrArray *users,
                                    GPtrArray *channels,
                                    GError    *error,
                                    gpointer   user_data);

AgAdminDecoder *_ag_admin_decoder_new         (AgAdminDecodedFunc  func,
                                               gpointer            user_data);
void            _ag_admin_decoder_free        (AgAdminDecoder     *self);

/* A text frame as received. */
void            _ag_admin_decoder_push        (AgAdminDecoder     *self,
                                               GBytes             *frame);
/* The connection ended: reported after the frames pushed before. */
void            _ag_admin_decoder_push_end    (AgAdminDecoder     *self);
/* Forgets what was pushed and not yet reported (a new connection starts). */
void            _ag_admin_decoder_reset       (AgAdminDecoder     *self);

G_END_DECLS
