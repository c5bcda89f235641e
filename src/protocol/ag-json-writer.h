/* ag-json-writer.h: JSON text written straight into a string
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Calls in the order of JsonBuilder's (members named before their values), without the
 * tree: agsignald writes each admin frame once, some of them (snapshot chunks) a few hundred
 * records long, and a tree per frame cost more than the writing. */
typedef struct _AgJsonWriter AgJsonWriter;

AgJsonWriter *ag_json_writer_new              (void);
void          ag_json_writer_free             (AgJsonWriter *writer);
/* Frees the writer and returns the text, which must be a complete value. */
GBytes       *ag_json_writer_free_to_bytes    (AgJsonWriter *writer);
char         *ag_json_writer_free_to_string   (AgJsonWriter *writer);

void          ag_json_writer_begin_object     (AgJsonWriter *writer);
void          ag_json_writer_end_object       (AgJsonWriter *writer);
void          ag_json_writer_begin_array      (AgJsonWriter *writer);
void          ag_json_writer_end_array        (AgJsonWriter *writer);
void          ag_json_writer_set_member_name  (AgJsonWriter *writer,
                                               const char   *name);
/* A string, or null when value is NULL. */
void          ag_json_writer_add_string_value (AgJsonWriter *writer,
                                               const char   *value);
void          ag_json_writer_add_int_value    (AgJsonWriter *writer,
                                               gint64        value);
void          ag_json_writer_add_boolean_value (AgJsonWriter *writer,
                                                gboolean      value);
void          ag_json_writer_add_null_value   (AgJsonWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgJsonWriter, ag_json_writer_free)

G_END_DECLS
