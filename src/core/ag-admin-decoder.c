/* ag-admin-decoder.c: an admin connection's frames, decoded off the caller's thread
 *
 * A snapshot of a big app is megabytes of JSON (12.8 MB for 100,000 users): parsed on the
 * thread that draws the Monitor, it would hold the window for the better part of a second.
 * Workers (two where there are two cores) parse the frames and make a snapshot's records
 * into items; the caller's context puts the results back in arrival order and hands them
 * over, a few milliseconds' worth per dispatch so that it keeps drawing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-admin-decoder-private.h"

#include "ag-admin-frame.h"
#include "ag-admin-private.h"

/* How long one dispatch on the caller's context hands results over before it yields. */
#define DISPATCH_BUDGET_US 8000
#define MAX_WORKERS        2

struct _AgAdminDecoder {
  gint                ref_count;   /* the caller's thread only */
  gboolean            freed;
  GThreadPool        *pool;
  GAsyncQueue        *decoded;     /* of Decoded*, in the order they were decoded */
  GSource            *source;
  gint                generation;  /* atomic: bumped by a reset */
  /* The caller's thread only: the number of the next frame pushed, of the next one to hand
   * over, and the results that came before their turn. */
  guint64             next_pushed;
  guint64             next_reported;
  GHashTable         *early;       /* number -> Decoded* */
  AgAdminDecodedFunc  func;
  gpointer            user_data;
};

typedef struct {
  gint     generation;
  guint64  number;
  GBytes  *frame;                  /* NULL: the end of the connection */
} Job;

typedef struct {
  gint       generation;
  guint64    number;
  gboolean   end;
  JsonNode  *root;
  GPtrArray *users;
  GPtrArray *channels;
  GError    *error;
} Decoded;

typedef struct {
  GSource         source;
  AgAdminDecoder *decoder;
} DecoderSource;

static void
decoded_free (Decoded *decoded)
{
  g_clear_pointer (&decoded->root, json_node_unref);
  g_clear_pointer (&decoded->users, g_ptr_array_unref);
  g_clear_pointer (&decoded->channels, g_ptr_array_unref);
  g_clear_error (&decoded->error);
  g_free (decoded);
}

static void
drain (AgAdminDecoder *self)
{
  Decoded *decoded;

  while ((decoded = g_async_queue_try_pop (self->decoded)) != NULL)
    decoded_free (decoded);
  g_hash_table_remove_all (self->early);
  self->next_reported = self->next_pushed;
}

/* The next result in arrival order, if it is decoded. */
static Decoded *
next_in_order (AgAdminDecoder *self)
{
  Decoded *decoded;

  while ((decoded = g_async_queue_try_pop (self->decoded)) != NULL) {
    if (decoded->generation != g_atomic_int_get (&self->generation))
      decoded_free (decoded);
    else
      g_hash_table_insert (self->early, &decoded->number, decoded);
  }

  if (g_hash_table_steal_extended (self->early, &self->next_reported, NULL,
                                   (gpointer *) &decoded)) {
    self->next_reported++;
    return decoded;
  }

  return NULL;
}

static GPtrArray *
make_items (JsonObject *frame,
            const char *member,
            const char *key,
            gpointer  (*item_new) (JsonObject *record))
{
  JsonArray *records = _ag_admin_json_array (frame, member);
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++) {
    JsonObject *record = json_array_get_object_element (records, i);

    if (record != NULL && _ag_admin_json_string (record, key) != NULL)
      g_ptr_array_add (items, item_new (record));
  }

  return items;
}

/* In the worker. */
static void
decode_job (gpointer data,
            gpointer user_data)
{
  Job *job = data;
  AgAdminDecoder *self = user_data;
  Decoded *decoded;

  if (job->generation != g_atomic_int_get (&self->generation)) {
    g_clear_pointer (&job->frame, g_bytes_unref);
    g_free (job);
    return;
  }

  decoded = g_new0 (Decoded, 1);
  decoded->generation = job->generation;
  decoded->number = job->number;

  if (job->frame == NULL) {
    decoded->end = TRUE;
  } else {
    gsize length;
    const char *text = g_bytes_get_data (job->frame, &length);

    decoded->root = ag_admin_parse_server_frame (text, length, &decoded->error);
    if (decoded->root != NULL) {
      JsonObject *frame = json_node_get_object (decoded->root);

      if (g_strcmp0 (_ag_admin_json_string (frame, "op"), "admin_snapshot") == 0) {
        decoded->users = make_items (frame, "users", "account",
                                     (gpointer (*) (JsonObject *)) _ag_admin_user_new_from_json);
        decoded->channels = make_items (frame, "channels", "name",
                                        (gpointer (*) (JsonObject *)) _ag_admin_channel_new_from_json);
      }
    }
    g_bytes_unref (job->frame);
  }
  g_free (job);

  g_async_queue_push (self->decoded, decoded);
  g_source_set_ready_time (self->source, 0);
}

static void
decoder_release (AgAdminDecoder *self)
{
  if (--self->ref_count > 0)
    return;

  drain (self);
  g_async_queue_unref (self->decoded);
  g_hash_table_unref (self->early);
  g_free (self);
}

/* On the caller's context: the results in order, within the budget. */
static gboolean
dispatch (GSource     *source,
          GSourceFunc  callback,
          gpointer     user_data)
{
  AgAdminDecoder *self = ((DecoderSource *) source)->decoder;
  gint64 deadline = g_get_monotonic_time () + DISPATCH_BUDGET_US;
  Decoded *decoded;

  g_source_set_ready_time (source, -1);
  self->ref_count++;

  while (!self->freed && (decoded = next_in_order (self)) != NULL) {
    if (decoded->end)
      self->func (NULL, NULL, NULL, NULL, self->user_data);
    else
      self->func (decoded->root, decoded->users, decoded->channels, decoded->error,
                  self->user_data);
    decoded_free (decoded);

    if (g_get_monotonic_time () >= deadline) {
      if (!self->freed)
        g_source_set_ready_time (source, 0);
      break;
    }
  }

  decoder_release (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs decoder_source_funcs = {
  .dispatch = dispatch,
};

AgAdminDecoder *
_ag_admin_decoder_new (AgAdminDecodedFunc func,
                       gpointer           user_data)
{
  AgAdminDecoder *self = g_new0 (AgAdminDecoder, 1);
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  self->ref_count = 1;
  self->func = func;
  self->user_data = user_data;
  self->decoded = g_async_queue_new ();
  self->early = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) decoded_free);
  self->source = g_source_new (&decoder_source_funcs, sizeof (DecoderSource));
  ((DecoderSource *) self->source)->decoder = self;
  g_source_set_static_name (self->source, "[agsignal] admin frames");
  g_source_attach (self->source, context);
  self->pool = g_thread_pool_new (decode_job, self, MIN (MAX_WORKERS, g_get_num_processors ()),
                                  FALSE, NULL);

  return self;
}

void
_ag_admin_decoder_free (AgAdminDecoder *self)
{
  /* The frames still queued are of an old generation now: the worker only frees them. */
  g_atomic_int_inc (&self->generation);
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_source_destroy (self->source);
  g_source_unref (self->source);
  self->freed = TRUE;
  decoder_release (self);
}

static void
push_job (AgAdminDecoder *self,
          GBytes         *frame)
{
  Job *job = g_new0 (Job, 1);

  job->generation = g_atomic_int_get (&self->generation);
  job->number = self->next_pushed++;
  job->frame = frame != NULL ? g_bytes_ref (frame) : NULL;
  g_thread_pool_push (self->pool, job, NULL);
}

void
_ag_admin_decoder_push (AgAdminDecoder *self,
                        GBytes         *frame)
{
  g_return_if_fail (frame != NULL);
  push_job (self, frame);
}

void
_ag_admin_decoder_push_end (AgAdminDecoder *self)
{
  push_job (self, NULL);
}

void
_ag_admin_decoder_reset (AgAdminDecoder *self)
{
  g_atomic_int_inc (&self->generation);
  drain (self);
}
