/* ag-console-log-entry.c: one log entry: its time, kind, summary and JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ag-console-log-entry.h"

struct _AgConsoleLogEntry
{
  GObject parent_instance;

  gint64  time_us;
  char   *kind;
  char   *summary;
  char   *json;
};

G_DEFINE_FINAL_TYPE (AgConsoleLogEntry, ag_console_log_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TIME,
  PROP_KIND,
  PROP_SUMMARY,
  PROP_JSON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_console_log_entry_finalize (GObject *object)
{
  AgConsoleLogEntry *self = (AgConsoleLogEntry *) object;

  g_free (self->kind);
  g_free (self->summary);
  g_free (self->json);

  G_OBJECT_CLASS (ag_console_log_entry_parent_class)->finalize (object);
}

static void
ag_console_log_entry_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AgConsoleLogEntry *self = AG_CONSOLE_LOG_ENTRY (object);

  switch (prop_id) {
  case PROP_TIME:
    g_value_set_int64 (value, self->time_us);
    break;
  case PROP_KIND:
    g_value_set_string (value, self->kind);
    break;
  case PROP_SUMMARY:
    g_value_set_string (value, self->summary);
    break;
  case PROP_JSON:
    g_value_set_string (value, self->json);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_log_entry_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  AgConsoleLogEntry *self = AG_CONSOLE_LOG_ENTRY (object);

  switch (prop_id) {
  case PROP_TIME:
    self->time_us = g_value_get_int64 (value);
    break;
  case PROP_KIND:
    self->kind = g_value_dup_string (value);
    break;
  case PROP_SUMMARY:
    self->summary = g_value_dup_string (value);
    break;
  case PROP_JSON:
    self->json = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_log_entry_class_init (AgConsoleLogEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_console_log_entry_finalize;
  object_class->get_property = ag_console_log_entry_get_property;
  object_class->set_property = ag_console_log_entry_set_property;

  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_JSON] =
    g_param_spec_string ("json", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_log_entry_init (AgConsoleLogEntry *self)
{
}

/* Entries are created at the rate signals arrive (the monitor sees every event of an app), so
 * this fills the fields directly instead of going through g_object_new's property machinery. */
AgConsoleLogEntry *
ag_console_log_entry_new (gint64      time_us,
                          const char *kind,
                          const char *summary,
                          const char *json_line)
{
  AgConsoleLogEntry *self = g_object_new (AG_CONSOLE_TYPE_LOG_ENTRY, NULL);

  self->time_us = time_us;
  self->kind = g_strdup (kind);
  self->summary = g_strdup (summary);
  self->json = g_strdup (json_line);

  return self;
}

gint64
ag_console_log_entry_get_time (AgConsoleLogEntry *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_ENTRY (self), 0);

  return self->time_us;
}

const char *
ag_console_log_entry_get_kind (AgConsoleLogEntry *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_ENTRY (self), NULL);

  return self->kind;
}

const char *
ag_console_log_entry_get_summary (AgConsoleLogEntry *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_ENTRY (self), NULL);

  return self->summary;
}

const char *
ag_console_log_entry_get_json (AgConsoleLogEntry *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_ENTRY (self), NULL);

  return self->json;
}

char *
ag_console_log_entry_format_time (AgConsoleLogEntry *self)
{
  g_autoptr(GDateTime) seconds = NULL;
  g_autofree char *hms = NULL;
  gint64 usec;

  g_return_val_if_fail (AG_CONSOLE_IS_LOG_ENTRY (self), NULL);

  seconds = g_date_time_new_from_unix_local (self->time_us / G_USEC_PER_SEC);
  if (seconds == NULL)
    return g_strdup ("--:--:--.---");

  usec = self->time_us % G_USEC_PER_SEC;
  if (usec < 0)
    usec = 0;

  hms = g_date_time_format (seconds, "%H:%M:%S");

  return g_strdup_printf ("%s.%03d", hms, (int) (usec / 1000));
}
