/* ag-extra.h: reading the keys the server acts on from a call's `extra` JSON object text */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads an integer member of extra_json (a JSON object text such as
 * {"_require_peer_online": 1, "_timeout": 30}). A JSON integer, a JSON number with an
 * integral value, a boolean (0 or 1) and a string holding a decimal integer ("30") are
 * accepted, since clients of the Signaling 1.x generation sent all of these.
 * Returns FALSE, leaving *out untouched, when extra_json is NULL, not a JSON object, lacks
 * the key or holds another kind of value there. Never aborts on any input. */
gboolean ag_extra_get_int (const char *extra_json,
                           const char *key,
                           gint64     *out);

typedef enum {
  AG_EXTRA_ABSENT,    /* no such member (or extra_json is not a JSON object) */
  AG_EXTRA_INT,       /* *out is set */
  AG_EXTRA_NOT_INT,   /* the member is there, holding something ag_extra_get_int() refuses */
} AgExtraLookup;

/* ag_extra_get_int() that also tells a member that is absent from one that is unreadable. */
AgExtraLookup ag_extra_lookup_int (const char *extra_json,
                                   const char *key,
                                   gint64     *out);

G_END_DECLS
