/* ag-json-writer.c: JSON text written straight into a string
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No stack of containers is needed for the commas: a value (or a member's name) needs one
 * exactly when something was written before it at its level, and after a container closes
 * the next thing at the outer level always does.
 */

#include "ag-json-writer.h"

#include "ag-frame.h"

struct _AgJsonWriter {
  GString  *out;
  guint     depth;
  gboolean  need_comma;
};

AgJsonWriter *
ag_json_writer_new (void)
{
  AgJsonWriter *writer = g_new0 (AgJsonWriter, 1);

  writer->out = g_string_sized_new (256);

  return writer;
}

void
ag_json_writer_free (AgJsonWriter *writer)
{
  if (writer == NULL)
    return;

  g_string_free (writer->out, TRUE);
  g_free (writer);
}

GBytes *
ag_json_writer_free_to_bytes (AgJsonWriter *writer)
{
  GString *out = writer->out;

  g_warn_if_fail (writer->depth == 0);
  g_free (writer);

  return g_string_free_to_bytes (out);
}

char *
ag_json_writer_free_to_string (AgJsonWriter *writer)
{
  GString *out = writer->out;

  g_warn_if_fail (writer->depth == 0);
  g_free (writer);

  return g_string_free (out, FALSE);
}

static void
separate (AgJsonWriter *writer)
{
  if (writer->need_comma)
    g_string_append_c (writer->out, ',');
}

static void
open_container (AgJsonWriter *writer,
                char          bracket)
{
  separate (writer);
  g_string_append_c (writer->out, bracket);
  writer->depth++;
  writer->need_comma = FALSE;
}

static void
close_container (AgJsonWriter *writer,
                 char          bracket)
{
  g_return_if_fail (writer->depth > 0);

  g_string_append_c (writer->out, bracket);
  writer->depth--;
  writer->need_comma = TRUE;
}

void
ag_json_writer_begin_object (AgJsonWriter *writer)
{
  open_container (writer, '{');
}

void
ag_json_writer_end_object (AgJsonWriter *writer)
{
  close_container (writer, '}');
}

void
ag_json_writer_begin_array (AgJsonWriter *writer)
{
  open_container (writer, '[');
}

void
ag_json_writer_end_array (AgJsonWriter *writer)
{
  close_container (writer, ']');
}

void
ag_json_writer_set_member_name (AgJsonWriter *writer,
                                const char   *name)
{
  separate (writer);
  ag_json_append_string (writer->out, name);
  g_string_append_c (writer->out, ':');
  writer->need_comma = FALSE;
}

void
ag_json_writer_add_string_value (AgJsonWriter *writer,
                                 const char   *value)
{
  separate (writer);
  ag_json_append_string (writer->out, value);
  writer->need_comma = TRUE;
}

void
ag_json_writer_add_int_value (AgJsonWriter *writer,
                              gint64        value)
{
  separate (writer);
  ag_json_append_int (writer->out, value);
  writer->need_comma = TRUE;
}

void
ag_json_writer_add_boolean_value (AgJsonWriter *writer,
                                  gboolean      value)
{
  separate (writer);
  g_string_append (writer->out, value ? "true" : "false");
  writer->need_comma = TRUE;
}

void
ag_json_writer_add_null_value (AgJsonWriter *writer)
{
  separate (writer);
  g_string_append (writer->out, "null");
  writer->need_comma = TRUE;
}
