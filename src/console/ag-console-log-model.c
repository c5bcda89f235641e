/* ag-console-log-model.c: a bounded ring of log entries as a GListModel, pausable
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-console-log-model.h"

/* A ring of entry pointers. The array grows (doubling) until it reaches the capacity and
 * then wraps, so a short log costs little memory and a full one costs no copying. */
struct _AgConsoleLogModel
{
  GObject             parent_instance;

  AgConsoleLogEntry **ring;
  guint               allocated;
  guint               capacity;
  guint               head;
  guint               n_items;

  GQueue              pending;
  guint64             dropped;
  guint64             n_added;
  guint               paused : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgConsoleLogModel, ag_console_log_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CAPACITY,
  PROP_PAUSED,
  PROP_DROPPED,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline AgConsoleLogEntry *
entry_at (AgConsoleLogModel *self,
          guint              position)
{
  return self->ring[(self->head + position) % self->allocated];
}

static GType
ag_console_log_model_get_item_type (GListModel *model)
{
  return AG_CONSOLE_TYPE_LOG_ENTRY;
}

static guint
ag_console_log_model_get_n_items (GListModel *model)
{
  return AG_CONSOLE_LOG_MODEL (model)->n_items;
}

static gpointer
ag_console_log_model_get_item (GListModel *model,
                               guint       position)
{
  AgConsoleLogModel *self = AG_CONSOLE_LOG_MODEL (model);

  if (position >= self->n_items)
    return NULL;

  return g_object_ref (entry_at (self, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ag_console_log_model_get_item_type;
  iface->get_n_items = ag_console_log_model_get_n_items;
  iface->get_item = ag_console_log_model_get_item;
}

static void
drop_oldest (AgConsoleLogModel *self)
{
  g_assert (self->n_items > 0);

  g_clear_object (&self->ring[self->head]);
  self->head = (self->head + 1) % self->allocated;
  self->n_items--;
  self->dropped++;
}

/* Places entry after the last item without emitting anything; the caller makes room. */
static void
push_back (AgConsoleLogModel *self,
           AgConsoleLogEntry *entry)
{
  g_assert (self->n_items < self->capacity);

  if (self->n_items == self->allocated) {
    AgConsoleLogEntry **grown;
    guint new_size;

    new_size = MAX (64, self->allocated * 2);
    new_size = MIN (new_size, self->capacity);

    /* Unwrap while copying so the ring starts at 0 again. */
    grown = g_new0 (AgConsoleLogEntry *, new_size);
    for (guint i = 0; i < self->n_items; i++)
      grown[i] = entry_at (self, i);

    g_free (self->ring);
    self->ring = grown;
    self->allocated = new_size;
    self->head = 0;
  }

  self->ring[(self->head + self->n_items) % self->allocated] = entry;
  self->n_items++;
  self->n_added++;
}

static void
ag_console_log_model_dispose (GObject *object)
{
  AgConsoleLogModel *self = (AgConsoleLogModel *) object;

  for (guint i = 0; i < self->n_items; i++)
    g_object_unref (entry_at (self, i));
  self->n_items = 0;
  self->head = 0;
  g_queue_clear_full (&self->pending, g_object_unref);

  G_OBJECT_CLASS (ag_console_log_model_parent_class)->dispose (object);
}

static void
ag_console_log_model_finalize (GObject *object)
{
  AgConsoleLogModel *self = (AgConsoleLogModel *) object;

  g_free (self->ring);

  G_OBJECT_CLASS (ag_console_log_model_parent_class)->finalize (object);
}

static void
ag_console_log_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AgConsoleLogModel *self = AG_CONSOLE_LOG_MODEL (object);

  switch (prop_id) {
  case PROP_CAPACITY:
    g_value_set_uint (value, self->capacity);
    break;
  case PROP_PAUSED:
    g_value_set_boolean (value, self->paused);
    break;
  case PROP_DROPPED:
    g_value_set_uint64 (value, self->dropped);
    break;
  case PROP_N_ITEMS:
    g_value_set_uint (value, self->n_items);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_log_model_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  AgConsoleLogModel *self = AG_CONSOLE_LOG_MODEL (object);

  switch (prop_id) {
  case PROP_CAPACITY:
    self->capacity = MAX (1, g_value_get_uint (value));
    break;
  case PROP_PAUSED:
    ag_console_log_model_set_paused (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_log_model_class_init (AgConsoleLogModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_console_log_model_dispose;
  object_class->finalize = ag_console_log_model_finalize;
  object_class->get_property = ag_console_log_model_get_property;
  object_class->set_property = ag_console_log_model_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL,
                       1, G_MAXUINT, AG_CONSOLE_LOG_MODEL_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DROPPED] =
    g_param_spec_uint64 ("dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_log_model_init (AgConsoleLogModel *self)
{
  self->capacity = AG_CONSOLE_LOG_MODEL_DEFAULT_CAPACITY;
  g_queue_init (&self->pending);
}

/**
 * ag_console_log_model_new:
 * @capacity: the most entries the model holds (0: the default, 100,000)
 *
 * Returns: (transfer full): a new empty model
 */
AgConsoleLogModel *
ag_console_log_model_new (guint capacity)
{
  if (capacity == 0)
    capacity = AG_CONSOLE_LOG_MODEL_DEFAULT_CAPACITY;

  return g_object_new (AG_CONSOLE_TYPE_LOG_MODEL,
                       "capacity", capacity,
                       NULL);
}

guint
ag_console_log_model_get_capacity (AgConsoleLogModel *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (self), 0);

  return self->capacity;
}

guint64
ag_console_log_model_get_dropped (AgConsoleLogModel *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (self), 0);

  return self->dropped;
}

guint64
ag_console_log_model_get_n_added (AgConsoleLogModel *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (self), 0);

  return self->n_added;
}

gboolean
ag_console_log_model_get_paused (AgConsoleLogModel *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (self), FALSE);

  return self->paused;
}

/* Adds the pending entries in one go: at most one removal at the front and one insertion at
 * the end, whatever their number. */
static void
flush_pending (AgConsoleLogModel *self)
{
  guint n_pending = self->pending.length;
  guint removed = 0;
  guint old_n_items = self->n_items;
  AgConsoleLogEntry *entry;

  if (n_pending == 0)
    return;

  g_assert (n_pending <= self->capacity);

  while (self->n_items + n_pending > self->capacity) {
    drop_oldest (self);
    removed++;
  }

  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);

  while ((entry = g_queue_pop_head (&self->pending)) != NULL)
    push_back (self, entry);

  g_list_model_items_changed (G_LIST_MODEL (self), self->n_items - n_pending, 0, n_pending);

  if (removed > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
  if (self->n_items != old_n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
ag_console_log_model_set_paused (AgConsoleLogModel *self,
                                 gboolean           paused)
{
  g_return_if_fail (AG_CONSOLE_IS_LOG_MODEL (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (!paused)
    flush_pending (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * ag_console_log_model_append:
 * @self: a model
 * @time_us: when the event happened, microseconds since the Unix epoch
 * @kind: a short machine name ("login-success")
 * @summary: one human-readable line
 * @json_line: (nullable): the event as one JSON object, no newline
 *
 * Adds an entry at the end, dropping the oldest one when the model is full.
 */
void
ag_console_log_model_append (AgConsoleLogModel *self,
                             gint64             time_us,
                             const char        *kind,
                             const char        *summary,
                             const char        *json_line)
{
  AgConsoleLogEntry *entry;
  gboolean was_full;

  g_return_if_fail (AG_CONSOLE_IS_LOG_MODEL (self));
  g_return_if_fail (kind != NULL);

  entry = ag_console_log_entry_new (time_us, kind, summary, json_line);

  if (self->paused) {
    g_queue_push_tail (&self->pending, entry);
    if (self->pending.length > self->capacity) {
      g_object_unref (g_queue_pop_head (&self->pending));
      self->dropped++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
    }
    return;
  }

  was_full = self->n_items == self->capacity;
  if (was_full) {
    drop_oldest (self);
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 1, 0);
  }

  push_back (self, entry);
  g_list_model_items_changed (G_LIST_MODEL (self), self->n_items - 1, 0, 1);

  if (was_full)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
ag_console_log_model_clear (AgConsoleLogModel *self)
{
  guint n_items;

  g_return_if_fail (AG_CONSOLE_IS_LOG_MODEL (self));

  g_queue_clear_full (&self->pending, g_object_unref);

  n_items = self->n_items;
  if (n_items == 0)
    return;

  for (guint i = 0; i < n_items; i++)
    g_object_unref (entry_at (self, i));
  memset (self->ring, 0, self->allocated * sizeof (AgConsoleLogEntry *));
  self->head = 0;
  self->n_items = 0;

  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_items, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static char *
entry_to_json (AgConsoleLogEntry *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;

  when = g_date_time_new_from_unix_utc (ag_console_log_entry_get_time (entry) / G_USEC_PER_SEC);
  if (when != NULL) {
    g_autoptr(GDateTime) precise =
      g_date_time_add (when, ag_console_log_entry_get_time (entry) % G_USEC_PER_SEC);

    iso = g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%fZ");
  }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, iso != NULL ? iso : "");
  json_builder_set_member_name (builder, "time_us");
  json_builder_add_int_value (builder, ag_console_log_entry_get_time (entry));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, ag_console_log_entry_get_kind (entry));
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, ag_console_log_entry_get_summary (entry));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/**
 * ag_console_log_model_export_to:
 * @self: a model
 * @stream: where to write
 * @error: return location for an error
 *
 * Writes every entry of the model, oldest first, as JSON lines: the entry's JSON when it has
 * one, else an object with "time", "time_us", "kind" and "summary". Entries waiting while the
 * model is paused are not written. The stream is not closed.
 *
 * Returns: %TRUE when everything was written
 */
gboolean
ag_console_log_model_export_to (AgConsoleLogModel  *self,
                                GOutputStream      *stream,
                                GError            **error)
{
  g_autoptr(GString) chunk = NULL;

  g_return_val_if_fail (AG_CONSOLE_IS_LOG_MODEL (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Writing in chunks keeps a 100,000 entry export at a few dozen write calls. */
  chunk = g_string_sized_new (64 * 1024);

  for (guint i = 0; i < self->n_items; i++) {
    AgConsoleLogEntry *entry = entry_at (self, i);
    const char *json = ag_console_log_entry_get_json (entry);

    if (json != NULL) {
      g_string_append (chunk, json);
    } else {
      g_autofree char *built = entry_to_json (entry);

      g_string_append (chunk, built);
    }
    g_string_append_c (chunk, '\n');

    if (chunk->len >= 60 * 1024 || i + 1 == self->n_items) {
      if (!g_output_stream_write_all (stream, chunk->str, chunk->len, NULL, NULL, error))
        return FALSE;
      g_string_truncate (chunk, 0);
    }
  }

  return TRUE;
}
