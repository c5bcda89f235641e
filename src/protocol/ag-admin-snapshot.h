/* ag-admin-snapshot.h: admin_snapshot frames decoded without a tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-admin-record.h"

G_BEGIN_DECLS

/* The records of one admin_snapshot frame: the users with an account and the channels with a
 * name, in frame order (other records are dropped, as a client cannot key them). */
typedef struct {
  GArray *users;     /* of AgAdminUserRecord */
  GArray *channels;  /* of AgAdminChannelRecord */
} AgAdminSnapshot;

AgAdminSnapshot *_ag_admin_snapshot_new       (void);
void             _ag_admin_snapshot_free      (AgAdminSnapshot  *snapshot);

/* Checks one server frame of an admin connection exactly as ag_admin_parse_server_frame()
 * does (the same errors: 1200 with the same messages) and, when its op is admin_snapshot,
 * decodes its records straight from the text into *out_snapshot. For any other op
 * *out_snapshot is NULL and the caller reads the frame with _ag_admin_parse_checked_frame(). */
gboolean         _ag_admin_snapshot_decode    (const char       *data,
                                               gsize             length,
                                               AgAdminSnapshot **out_snapshot,
                                               GError          **error);

/* The tree decoder of the same frame (the reference of tests and of the fuzzer): NULL when
 * the op is not admin_snapshot. */
AgAdminSnapshot *_ag_admin_snapshot_from_json (JsonObject       *frame);

/* A frame that _ag_admin_snapshot_decode() accepted, parsed into a node holding its object,
 * without checking it again. */
JsonNode        *_ag_admin_parse_checked_frame (const char      *data,
                                                gsize            length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgAdminSnapshot, _ag_admin_snapshot_free)

G_END_DECLS
