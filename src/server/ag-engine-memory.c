/* ag-engine-memory.c: the AgEngine that keeps everything in this process
 *
 * User attributes are nested tables app -> account -> name -> value. Offline messages sit in
 * one queue per account (oldest first, at most AG_LIMIT_OFFLINE_QUEUE); the queues are also
 * kept in a sequence ordered by their earliest expiry, so expiring messages costs work only
 * for the queues that actually hold expired messages.
 *
 * Channels are not kept here: the hub holds them itself, and a second copy in the same
 * process would survive nothing the first does not. Of the uids only those a queued message
 * still carries (its sender's) are kept, counted per sender: the hub forgets logged-out
 * accounts, and a sender that logs in again must get the uid its queued messages show. Nothing
 * can fail, and a commit has nothing to do.
 */

#include "ag-engine-memory.h"

#include "ag-limits.h"

#include <string.h>

typedef struct {
  char          *app_id;
  char          *account;
  GQueue         messages;     /* of AgOfflineMessage*, oldest first */
  gint64         next_expiry;  /* smallest expires_us in messages */
  GSequenceIter *iter;         /* in AgEngineMemory.expiries */
} OfflineQueue;

typedef struct {
  guint32 uid;
  guint   messages;      /* queued messages of all accounts sent by this one */
} Sender;

struct _AgEngineMemory {
  GObject     parent_instance;

  GHashTable *senders;    /* app_id -> (from_account -> Sender*) */
  GHashTable *attrs;      /* app_id -> (account -> (name -> value)) */
  GHashTable *offline;    /* app_id -> (account -> OfflineQueue*) */
  GSequence  *expiries;   /* of OfflineQueue*, by next_expiry */
  guint64     offline_bytes; /* ag_offline_message_size() of every queued message */
  guint64     attr_bytes;    /* names and values of every user attribute */
};

static void ag_engine_memory_engine_init (AgEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgEngineMemory, ag_engine_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_ENGINE,
                                                      ag_engine_memory_engine_init))

static void
offline_queue_free (OfflineQueue *queue)
{
  g_clear_pointer (&queue->iter, g_sequence_remove);
  g_queue_clear_full (&queue->messages, (GDestroyNotify) ag_offline_message_free);
  g_free (queue->app_id);
  g_free (queue->account);
  g_free (queue);
}

static int
offline_queue_compare (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  const OfflineQueue *qa = a;
  const OfflineQueue *qb = b;

  return (qa->next_expiry > qb->next_expiry) - (qa->next_expiry < qb->next_expiry);
}

static GHashTable *
new_string_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static GHashTable *
new_table_of_tables (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
}

static void
sender_ref (AgEngineMemory         *self,
            const char             *app_id,
            const AgOfflineMessage *message)
{
  GHashTable *accounts = g_hash_table_lookup (self->senders, app_id);
  Sender *sender;

  if (accounts == NULL) {
    accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_insert (self->senders, g_strdup (app_id), accounts);
  }

  sender = g_hash_table_lookup (accounts, message->from_account);
  if (sender == NULL) {
    sender = g_new0 (Sender, 1);
    g_hash_table_insert (accounts, g_strdup (message->from_account), sender);
  }
  sender->uid = message->from_uid;
  sender->messages++;
}

/* The message leaves the engine (delivered or expired). */
static void
sender_unref (AgEngineMemory         *self,
              const char             *app_id,
              const AgOfflineMessage *message)
{
  GHashTable *accounts = g_hash_table_lookup (self->senders, app_id);
  Sender *sender = accounts != NULL ? g_hash_table_lookup (accounts, message->from_account)
                                    : NULL;

  g_assert (sender != NULL && sender->messages > 0);
  if (--sender->messages == 0) {
    g_hash_table_remove (accounts, message->from_account);
    if (g_hash_table_size (accounts) == 0)
      g_hash_table_remove (self->senders, app_id);
  }
}

static OfflineQueue *
lookup_queue (AgEngineMemory *self,
              const char     *app_id,
              const char     *account)
{
  GHashTable *accounts = g_hash_table_lookup (self->offline, app_id);

  return accounts != NULL ? g_hash_table_lookup (accounts, account) : NULL;
}

/* Frees the queue (which also takes it out of the expiry order) and drops the app's table
 * once it holds no queue, so an engine with nothing queued holds no memory for it. */
static void
remove_queue (AgEngineMemory *self,
              OfflineQueue   *queue)
{
  g_autofree char *app_id = g_strdup (queue->app_id);
  GHashTable *accounts = g_hash_table_lookup (self->offline, app_id);

  g_assert (accounts != NULL);
  g_hash_table_remove (accounts, queue->account);

  if (g_hash_table_size (accounts) == 0)
    g_hash_table_remove (self->offline, app_id);
}

static void
update_next_expiry (OfflineQueue *queue)
{
  gint64 next = G_MAXINT64;

  for (GList *l = queue->messages.head; l != NULL; l = l->next) {
    AgOfflineMessage *message = l->data;

    next = MIN (next, message->expires_us);
  }

  queue->next_expiry = next;
  g_sequence_sort_changed (queue->iter, offline_queue_compare, NULL);
}

/* Drops the messages that expired at now_us; returns whether any was dropped. */
static gboolean
prune_expired (AgEngineMemory *self,
               OfflineQueue   *queue,
               gint64          now_us)
{
  gboolean pruned = FALSE;
  GList *l = queue->messages.head;

  while (l != NULL) {
    GList *next = l->next;
    AgOfflineMessage *message = l->data;

    if (message->expires_us <= now_us) {
      self->offline_bytes -= ag_offline_message_size (message);
      sender_unref (self, queue->app_id, message);
      ag_offline_message_free (message);
      g_queue_delete_link (&queue->messages, l);
      pruned = TRUE;
    }

    l = next;
  }

  return pruned;
}

static gboolean
ag_engine_memory_user_attr_set (AgEngine    *engine,
                                const char  *app_id,
                                const char  *account,
                                const char  *name,
                                const char  *value,
                                GError     **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  GHashTable *accounts = g_hash_table_lookup (self->attrs, app_id);
  GHashTable *attrs = accounts != NULL ? g_hash_table_lookup (accounts, account) : NULL;

  if (value == NULL || *value == '\0') {
    const char *old;

    if (attrs == NULL)
      return TRUE;

    old = g_hash_table_lookup (attrs, name);
    if (old != NULL)
      self->attr_bytes -= strlen (name) + strlen (old);
    g_hash_table_remove (attrs, name);

    /* Keep no empty tables around: accounts come and go. */
    if (g_hash_table_size (attrs) == 0) {
      g_hash_table_remove (accounts, account);
      if (g_hash_table_size (accounts) == 0)
        g_hash_table_remove (self->attrs, app_id);
    }
    return TRUE;
  }

  if (accounts == NULL) {
    accounts = new_table_of_tables ();
    g_hash_table_insert (self->attrs, g_strdup (app_id), accounts);
  }

  if (attrs == NULL) {
    attrs = new_string_table ();
    g_hash_table_insert (accounts, g_strdup (account), attrs);
  }

  {
    const char *old = g_hash_table_lookup (attrs, name);

    if (old != NULL)
      self->attr_bytes -= strlen (name) + strlen (old);
  }
  g_hash_table_insert (attrs, g_strdup (name), g_strdup (value));
  self->attr_bytes += strlen (name) + strlen (value);

  return TRUE;
}

static char *
ag_engine_memory_user_attr_get (AgEngine    *engine,
                                const char  *app_id,
                                const char  *account,
                                const char  *name,
                                GError     **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  GHashTable *accounts = g_hash_table_lookup (self->attrs, app_id);
  GHashTable *attrs = accounts != NULL ? g_hash_table_lookup (accounts, account) : NULL;

  return attrs != NULL ? g_strdup (g_hash_table_lookup (attrs, name)) : NULL;
}

static GHashTable *
ag_engine_memory_user_attr_get_all (AgEngine    *engine,
                                    const char  *app_id,
                                    const char  *account,
                                    GError     **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  GHashTable *accounts = g_hash_table_lookup (self->attrs, app_id);
  GHashTable *attrs = accounts != NULL ? g_hash_table_lookup (accounts, account) : NULL;
  GHashTable *copy = new_string_table ();

  if (attrs != NULL) {
    GHashTableIter iter;
    gpointer name, value;

    g_hash_table_iter_init (&iter, attrs);
    while (g_hash_table_iter_next (&iter, &name, &value))
      g_hash_table_insert (copy, g_strdup (name), g_strdup (value));
  }

  return copy;
}

static gboolean
ag_engine_memory_offline_push (AgEngine          *engine,
                               const char        *app_id,
                               const char        *account,
                               AgOfflineMessage  *message,
                               GError           **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  OfflineQueue *queue = lookup_queue (self, app_id, account);

  if (queue != NULL && queue->messages.length >= AG_LIMIT_OFFLINE_QUEUE) {
    /* Messages that expired by now do not count against the limit; the expiry timer may
     * simply not have run yet. */
    if (prune_expired (self, queue, message->sent_us)) {
      if (queue->messages.length == 0) {
        remove_queue (self, queue);
        queue = NULL;
      } else {
        update_next_expiry (queue);
      }
    }

    if (queue != NULL && queue->messages.length >= AG_LIMIT_OFFLINE_QUEUE) {
      ag_offline_message_free (message);
      g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_QUEUE_FULL,
                   "the offline queue of %s is full", account);
      return FALSE;
    }
  }

  if (queue == NULL) {
    GHashTable *accounts = g_hash_table_lookup (self->offline, app_id);

    if (accounts == NULL) {
      accounts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) offline_queue_free);
      g_hash_table_insert (self->offline, g_strdup (app_id), accounts);
    }

    queue = g_new0 (OfflineQueue, 1);
    queue->app_id = g_strdup (app_id);
    queue->account = g_strdup (account);
    queue->next_expiry = message->expires_us;
    /* The queue owns the key string: it lives exactly as long as the entry. */
    g_hash_table_insert (accounts, queue->account, queue);
    queue->iter = g_sequence_insert_sorted (self->expiries, queue, offline_queue_compare, NULL);
  } else if (message->expires_us < queue->next_expiry) {
    queue->next_expiry = message->expires_us;
    g_sequence_sort_changed (queue->iter, offline_queue_compare, NULL);
  }

  g_queue_push_tail (&queue->messages, message);
  self->offline_bytes += ag_offline_message_size (message);
  sender_ref (self, app_id, message);

  return TRUE;
}

static GPtrArray *
ag_engine_memory_offline_take (AgEngine    *engine,
                               const char  *app_id,
                               const char  *account,
                               gint64       now_us,
                               gsize        max_bytes,
                               gboolean    *out_more,
                               GError     **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  OfflineQueue *queue = lookup_queue (self, app_id, account);
  g_autoptr(GPtrArray) messages = NULL;
  AgOfflineMessage *message;
  gsize bytes = 0;

  *out_more = FALSE;
  if (queue == NULL)
    return NULL;

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_offline_message_free);

  while ((message = g_queue_peek_head (&queue->messages)) != NULL) {
    gsize length = strlen (message->msg);

    if (message->expires_us > now_us && messages->len > 0 && bytes + length > max_bytes)
      break;

    g_queue_pop_head (&queue->messages);
    self->offline_bytes -= ag_offline_message_size (message);
    sender_unref (self, queue->app_id, message);
    if (message->expires_us > now_us) {
      g_ptr_array_add (messages, message);
      bytes += length;
    } else {
      ag_offline_message_free (message);
    }
  }

  if (g_queue_is_empty (&queue->messages)) {
    remove_queue (self, queue);
  } else {
    *out_more = TRUE;
    update_next_expiry (queue);
  }

  if (messages->len == 0)
    return NULL;

  return g_steal_pointer (&messages);
}

static GPtrArray *
ag_engine_memory_offline_peek (AgEngine    *engine,
                               const char  *app_id,
                               const char  *account,
                               gint64       now_us,
                               GError     **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  OfflineQueue *queue = lookup_queue (self, app_id, account);
  GPtrArray *messages;

  if (queue == NULL)
    return NULL;

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_offline_message_free);

  for (GList *l = queue->messages.head; l != NULL; l = l->next) {
    const AgOfflineMessage *message = l->data;
    AgOfflineMessage *copy;

    if (message->expires_us <= now_us)
      continue;

    copy = g_new0 (AgOfflineMessage, 1);
    copy->from_account = g_strdup (message->from_account);
    copy->from_uid = message->from_uid;
    copy->msg = g_strdup (message->msg);
    copy->sent_us = message->sent_us;
    copy->expires_us = message->expires_us;
    g_ptr_array_add (messages, copy);
  }

  if (messages->len == 0)
    g_clear_pointer (&messages, g_ptr_array_unref);

  return messages;
}

static gint64
ag_engine_memory_offline_expire (AgEngine *engine,
                                 gint64    now_us)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);

  for (;;) {
    GSequenceIter *first = g_sequence_get_begin_iter (self->expiries);
    OfflineQueue *queue;

    if (g_sequence_iter_is_end (first))
      return G_MAXINT64;

    queue = g_sequence_get (first);
    if (queue->next_expiry > now_us)
      return queue->next_expiry;

    prune_expired (self, queue, now_us);

    if (queue->messages.length == 0)
      remove_queue (self, queue);
    else
      update_next_expiry (queue);
  }
}

static guint64
ag_engine_memory_offline_bytes (AgEngine *engine)
{
  return AG_ENGINE_MEMORY (engine)->offline_bytes;
}

static guint64
ag_engine_memory_memory_bytes (AgEngine *engine)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);

  return self->offline_bytes + self->attr_bytes;
}

static gboolean
ag_engine_memory_uid_set (AgEngine    *engine,
                          const char  *app_id,
                          const char  *account,
                          guint32      uid,
                          GError     **error)
{
  return TRUE;
}

static gboolean
ag_engine_memory_uid_lookup (AgEngine    *engine,
                             const char  *app_id,
                             const char  *account,
                             guint32     *out_uid,
                             GError     **error)
{
  AgEngineMemory *self = AG_ENGINE_MEMORY (engine);
  GHashTable *accounts = g_hash_table_lookup (self->senders, app_id);
  Sender *sender = accounts != NULL ? g_hash_table_lookup (accounts, account) : NULL;

  *out_uid = sender != NULL ? sender->uid : 0;

  return TRUE;
}

static void
ag_engine_memory_channel_save (AgEngine              *engine,
                               const char            *app_id,
                               const AgEngineChannel *channel)
{
}

static void
ag_engine_memory_channel_delete (AgEngine   *engine,
                                 const char *app_id,
                                 const char *name)
{
}

static gboolean
ag_engine_memory_load_app (AgEngine    *engine,
                           const char  *app_id,
                           GHashTable **out_uids,
                           GPtrArray  **out_channels,
                           GError     **error)
{
  *out_uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  *out_channels = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_engine_channel_free);

  return TRUE;
}

static gboolean
ag_engine_memory_commit (AgEngine  *engine,
                         GError   **error)
{
  return TRUE;
}

static void
ag_engine_memory_engine_init (AgEngineInterface *iface)
{
  iface->user_attr_set = ag_engine_memory_user_attr_set;
  iface->user_attr_get = ag_engine_memory_user_attr_get;
  iface->user_attr_get_all = ag_engine_memory_user_attr_get_all;
  iface->offline_push = ag_engine_memory_offline_push;
  iface->offline_take = ag_engine_memory_offline_take;
  iface->offline_expire = ag_engine_memory_offline_expire;
  iface->offline_bytes = ag_engine_memory_offline_bytes;
  iface->memory_bytes = ag_engine_memory_memory_bytes;
  iface->offline_peek = ag_engine_memory_offline_peek;
  iface->uid_set = ag_engine_memory_uid_set;
  iface->uid_lookup = ag_engine_memory_uid_lookup;
  iface->channel_save = ag_engine_memory_channel_save;
  iface->channel_delete = ag_engine_memory_channel_delete;
  iface->load_app = ag_engine_memory_load_app;
  iface->commit = ag_engine_memory_commit;
}

static void
ag_engine_memory_finalize (GObject *object)
{
  AgEngineMemory *self = (AgEngineMemory *) object;

  /* The queues take themselves out of the expiry order as they are freed. */
  g_clear_pointer (&self->offline, g_hash_table_unref);
  g_clear_pointer (&self->expiries, g_sequence_free);
  g_clear_pointer (&self->attrs, g_hash_table_unref);
  g_clear_pointer (&self->senders, g_hash_table_unref);

  G_OBJECT_CLASS (ag_engine_memory_parent_class)->finalize (object);
}

static void
ag_engine_memory_class_init (AgEngineMemoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_engine_memory_finalize;
}

static void
ag_engine_memory_init (AgEngineMemory *self)
{
  self->attrs = new_table_of_tables ();
  self->offline = new_table_of_tables ();
  self->expiries = g_sequence_new (NULL);
  self->senders = new_table_of_tables ();
}

/**
 * ag_engine_memory_new:
 *
 * Creates an engine that keeps user attributes and offline messages in this process.
 *
 * Returns: (transfer full): a new #AgEngine
 */
AgEngine *
ag_engine_memory_new (void)
{
  return g_object_new (AG_TYPE_ENGINE_MEMORY, NULL);
}
