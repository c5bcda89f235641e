/* ag-admin-frame.h: the admin requests, replies and events of docs/admin-api.md.
 *
 * Admin frames share the client protocol's framing (one JSON object per WebSocket text
 * message, "op" and "id") but carry records and pages that AgFrame has no fields for, so
 * they have their own typed request and JSON writers here. Replies and events are built
 * with a JsonBuilder: they are written once per request or event, never per recipient.
 * Clients read admin_snapshot frames, most of a big app's first bytes, without a tree
 * (ag-admin-snapshot.h) and every other server frame with ag_admin_parse_server_frame().
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ag-json-writer.h"

G_BEGIN_DECLS

typedef enum {
  AG_ADMIN_OP_INVALID = 0,
  AG_ADMIN_OP_LOGIN,
  AG_ADMIN_OP_SUBSCRIBE,
  AG_ADMIN_OP_UNSUBSCRIBE,
  AG_ADMIN_OP_USERS,
  AG_ADMIN_OP_CHANNELS,
  AG_ADMIN_OP_CHANNEL,
  AG_ADMIN_OP_USER,
  AG_ADMIN_OP_KICK,
  AG_ADMIN_OP_REMOVE,
  AG_ADMIN_OP_PUBLISH,
  AG_ADMIN_OP_SEND,
  AG_ADMIN_OP_CHANNEL_SET_ATTR,
  AG_ADMIN_OP_CHANNEL_DEL_ATTR,
  AG_ADMIN_OP_CHANNEL_CLEAR_ATTR,
  AG_ADMIN_OP_STATS,
  AG_ADMIN_OP_LAST
} AgAdminOp;

#define AG_ADMIN_DEFAULT_LIMIT 100
#define AG_ADMIN_MAX_LIMIT     1000
#define AG_ADMIN_MIN_KEY       16
#define AG_ADMIN_MAX_KEY       1024

/* One decoded admin request; only the fields docs/admin-api.md lists for the op are set. */
typedef struct {
  AgAdminOp  op;
  gint64     id;

  char      *app_id;
  char      *key;
  char      *search;
  char      *after;
  char      *channel;
  char      *account;
  char      *name;
  char      *value;
  char      *msg;
  char      *epoch;       /* admin_subscribe: the epoch of since */

  gboolean   prefix;      /* admin_users: match "prefix" (else "substring") */
  gboolean   by_members;  /* admin_channels: sort "members" (else "name") */
  gboolean   has_since;
  gint64     since;       /* admin_subscribe: resume after this sequence number */
  gint64     offset;
  gint64     limit;       /* AG_ADMIN_DEFAULT_LIMIT when absent */
  gint64     ttl;
} AgAdminRequest;

const char     *ag_admin_op_to_string     (AgAdminOp             op);
AgAdminOp       ag_admin_op_from_string   (const char           *name);

AgAdminRequest *ag_admin_request_new      (AgAdminOp             op);
void            ag_admin_request_free     (AgAdminRequest       *request);

/* Parses and validates one admin request. HTTP bodies (require_id FALSE) need no id and
 * carry an app_id in every request.
 * Returns NULL with an AG_ERROR: 1201 when the op is
 * not an admin op (the caller may then try the client protocol), 1200 malformed, 1004 a
 * wrong or missing field, 1005 a too large one; *out_id gets the id when it was found. */
AgAdminRequest *ag_admin_request_decode   (const char           *data,
                                           gsize                 length,
                                           gboolean              require_id,
                                           gint64               *out_id,
                                           GError              **error);
/* The request as compact JSON text (what AgAdmin and agsig send). */
char           *ag_admin_request_encode   (const AgAdminRequest *request);

/* Reply and event writers. ag_admin_writer_begin() opens the object and writes "op" (and
 * "id" when id > 0); ag_admin_writer_end() closes it, frees the writer and returns the
 * encoded frame. */
AgJsonWriter   *ag_admin_writer_begin     (const char           *op,
                                           gint64                id);
GBytes         *ag_admin_writer_end       (AgJsonWriter         *writer);

/* A string member, or null when value is NULL. */
void            ag_admin_writer_add_string (AgJsonWriter        *writer,
                                            const char          *name,
                                            const char          *value);
void            ag_admin_writer_add_int    (AgJsonWriter        *writer,
                                            const char          *name,
                                            gint64               value);
/* An object of string members, in name order so that output is stable. */
void            ag_admin_writer_add_attrs  (AgJsonWriter        *writer,
                                            const char          *name,
                                            GHashTable          *attrs);

/* One frame parsed with the framing checks of ag_frame_check_text(): a node holding a JSON
 * object, or NULL with 1200. Admin clients read server frames with it. */
JsonNode       *ag_admin_parse_server_frame (const char         *data,
                                             gsize               length,
                                             GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgAdminRequest, ag_admin_request_free)

G_END_DECLS
