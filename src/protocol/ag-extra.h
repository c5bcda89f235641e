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

/* Whether extra_json is a JSON object with a member key at its top level, of any kind. */
gboolean ag_extra_has_key (const char *extra_json,
                           const char *key);

G_END_DECLS
