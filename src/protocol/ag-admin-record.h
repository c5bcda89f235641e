/* ag-admin-record.h: the User and Channel records of docs/admin-api.md, decoded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Snapshot frames, list replies and events carry the same records. Both decoders produce
 * these structs (the tree decoder from a JsonObject, the snapshot decoder from spans of the
 * text), so the items built from them cannot tell which decoder read them, and tests and
 * the fuzzer compare the two field by field.
 *
 * A field that is absent, null or of another type gets its default: NULL for strings, 0
 * for integers (a number with a fraction or an exponent is not an integer), TRUE for
 * online. attrs holds the names and values of an "attrs" object (a value that is not a
 * string becomes ""), sorted by name, one pair per name (the last one in the text).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char      *account;
  char      *address;
  char      *channel;
  gint64     uid;
  gint64     since;
  gint64     queue;
  gboolean   online;
  GPtrArray *attrs;     /* name, value, name, value, ...; NULL without an attrs object */
} AgAdminUserRecord;

typedef struct {
  char      *name;
  char      *kind;
  gint64     members;
  gint64     total_joins;
  GPtrArray *attrs;
} AgAdminChannelRecord;

void      _ag_admin_user_record_init       (AgAdminUserRecord          *record);
void      _ag_admin_user_record_clear      (AgAdminUserRecord          *record);
void      _ag_admin_channel_record_init    (AgAdminChannelRecord       *record);
void      _ag_admin_channel_record_clear   (AgAdminChannelRecord       *record);

/* The tree decoder of one record. */
void      _ag_admin_user_record_from_json    (AgAdminUserRecord        *record,
                                              JsonObject               *object);
void      _ag_admin_channel_record_from_json (AgAdminChannelRecord     *record,
                                              JsonObject               *object);

gboolean  _ag_admin_user_record_equal      (const AgAdminUserRecord    *a,
                                            const AgAdminUserRecord    *b);
gboolean  _ag_admin_channel_record_equal   (const AgAdminChannelRecord *a,
                                            const AgAdminChannelRecord *b);

/* Sorts pairs (name, value, ...) by name and keeps the last pair of each name, as a JSON
 * object of duplicate keys holds the last value. */
void      _ag_admin_attrs_normalize        (GPtrArray                  *attrs);

G_END_DECLS
