/* ag-engine.h: where the hub keeps state that outlives sessions.
 *
 * User attributes, queued offline messages, the account -> uid table and the channels'
 * attributes belong to accounts and channels, not to connections, so they sit behind this
 * small interface: the memory engine keeps what only it holds in this process, the SQLite
 * engine keeps everything in a state file, a shared engine (Redis) could keep it for
 * several nodes.
 *
 * Writes are not durable when they return: they are durable once ag_engine_commit() has
 * returned TRUE. The transports call the commit (through ag_hub_commit()) before any frame
 * the hub produced leaves the process, so an ok never reaches a client before the change it
 * acknowledges is committed, and every change made in one turn of the main loop shares one
 * commit. Nothing in the interface waits for a round trip except the reads and the commit:
 * a networked engine can pipeline its writes and make the commit the one place that waits
 * (see docs/server.md, "State file").
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AG_TYPE_ENGINE (ag_engine_get_type ())

G_DECLARE_INTERFACE (AgEngine, ag_engine, AG, ENGINE, GObject)

#define AG_ENGINE_ERROR (ag_engine_error_quark ())

typedef enum {
  AG_ENGINE_ERROR_STORAGE,     /* the store failed (full disk, I/O error, corruption) */
  AG_ENGINE_ERROR_QUEUE_FULL,  /* the account's offline queue holds AG_LIMIT_OFFLINE_QUEUE */
  AG_ENGINE_ERROR_OPEN,        /* the store cannot be used at all (start-up) */
} AgEngineError;

GQuark ag_engine_error_quark (void);

typedef struct {
  char    *from_account;
  guint32  from_uid;
  char    *msg;
  gint64   sent_us;      /* when the server accepted it */
  gint64   expires_us;   /* sent_us + ttl */
} AgOfflineMessage;

void  ag_offline_message_free (AgOfflineMessage       *message);
/* What a queued message counts against the server's offline storage: the bytes of its text
 * and of its sender's account. */
gsize ag_offline_message_size (const AgOfflineMessage *message);

/* What survives of an ordinary channel: its attributes (built-ins included), how many joins
 * it has seen and, while it is empty, when it goes away. */
typedef struct {
  char       *name;
  GHashTable *attrs;        /* char* name -> char* value, owned */
  guint64     total_joins;
  gint64      destroy_us;   /* 0 while the channel has members */
} AgEngineChannel;

AgEngineChannel *ag_engine_channel_new  (const char      *name,
                                         GHashTable      *attrs,
                                         guint64          total_joins,
                                         gint64           destroy_us);
void             ag_engine_channel_free (AgEngineChannel *channel);

/* The channel writes a batching engine keeps until its commit, "app:name" ->
 * AgEnginePendingChannel*: the last save or delete of a channel wins. */
typedef struct {
  char            *app_id;
  char            *name;
  AgEngineChannel *channel;   /* NULL: delete the channel */
} AgEnginePendingChannel;

GHashTable      *ag_engine_pending_channels_new    (void);
/* Keeps a copy of channel. */
void             ag_engine_pending_channels_save   (GHashTable            *pending,
                                                    const char            *app_id,
                                                    const AgEngineChannel *channel);
void             ag_engine_pending_channels_delete (GHashTable            *pending,
                                                    const char            *app_id,
                                                    const char            *name);

struct _AgEngineInterface {
  GTypeInterface parent_iface;

  /* Empty or NULL value deletes the attribute. */
  gboolean     (*user_attr_set)     (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     const char  *name,
                                     const char  *value,
                                     GError     **error);
  /* Returns a newly allocated value, or NULL when unset (error unset) or on failure. */
  char        *(*user_attr_get)     (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     const char  *name,
                                     GError     **error);
  /* Returns a new GHashTable (char* -> char*), empty when none, or NULL on failure. */
  GHashTable  *(*user_attr_get_all) (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     GError     **error);

  /* Takes ownership of message. FALSE (message freed) when the account's queue is full
   * (AG_ENGINE_ERROR_QUEUE_FULL) or the store failed. */
  gboolean     (*offline_push)      (AgEngine          *engine,
                                     const char        *app_id,
                                     const char        *account,
                                     AgOfflineMessage  *message,
                                     GError           **error);
  /* Removes and returns the account's oldest unexpired messages, oldest first (GPtrArray
   * with a free func), as many as fit in max_bytes of text (at least one), or NULL when none
   * (error unset) or on failure. *out_more says whether messages are left. */
  GPtrArray   *(*offline_take)      (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     gint64       now_us,
                                     gsize        max_bytes,
                                     gboolean    *out_more,
                                     GError     **error);
  /* Drops expired messages; returns the next expiry or G_MAXINT64. An engine that cannot
   * expire now logs why and returns when to try again. */
  gint64       (*offline_expire)    (AgEngine    *engine,
                                     gint64       now_us);
  /* Optional: copies of the account's unexpired messages, oldest first, left queued (for
   * the admin API), or NULL when none or on failure. */
  GPtrArray   *(*offline_peek)      (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     gint64       now_us,
                                     GError     **error);

  /* Optional: the ag_offline_message_size() of every queued message, all accounts of all
   * apps, expired ones not yet dropped included (0 when not provided). */
  guint64      (*offline_bytes)     (AgEngine    *engine);
  /* Optional: the bytes of text (attributes, offline messages) the engine holds in this
   * process's memory; 0 for an engine that keeps them elsewhere (a file, another server). */
  guint64      (*memory_bytes)      (AgEngine    *engine);

  /* The uid an account got at its first login. */
  gboolean     (*uid_set)           (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     guint32      uid,
                                     GError     **error);
  /* Optional: the uid the account got at its first login, while the engine still holds it
   * (*out_uid 0: it holds none, the account may get a new one). An engine that provides it
   * lets the hub forget logged-out accounts (docs/server.md, Memory). */
  gboolean     (*uid_lookup)        (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     guint32     *out_uid,
                                     GError     **error);
  /* Optional, for a store several nodes share: the account's uid, handed out now when it
   * has none (above floor and above every uid the store handed out, so never one another
   * node gave), in one atomic step; 0 on failure. The hub then calls this instead of
   * picking the next uid itself and calling uid_set. */
  guint32      (*uid_claim)         (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *account,
                                     guint32      floor,
                                     GError     **error);
  /* Replaces what is kept of a channel; the engine copies it. Failures surface at commit. */
  void         (*channel_save)      (AgEngine              *engine,
                                     const char            *app_id,
                                     const AgEngineChannel *channel);
  void         (*channel_delete)    (AgEngine    *engine,
                                     const char  *app_id,
                                     const char  *name);

  /* At start-up: the app's uids (char* account -> GUINT_TO_POINTER (uid)) and channels
   * (GPtrArray of AgEngineChannel*). */
  gboolean     (*load_app)          (AgEngine    *engine,
                                     const char  *app_id,
                                     GHashTable **out_uids,
                                     GPtrArray  **out_channels,
                                     GError     **error);

  /* Makes every write since the last commit durable. On failure those writes are lost (the
   * engine is left as it was at the last successful commit, but for channels, which are
   * written again at the next commit) and whatever acknowledged them must not be sent. */
  gboolean     (*commit)            (AgEngine    *engine,
                                     GError     **error);
};

gboolean    ag_engine_user_attr_set     (AgEngine *engine, const char *app_id, const char *account,
                                         const char *name, const char *value, GError **error);
char       *ag_engine_user_attr_get     (AgEngine *engine, const char *app_id, const char *account,
                                         const char *name, GError **error);
GHashTable *ag_engine_user_attr_get_all (AgEngine *engine, const char *app_id, const char *account,
                                         GError **error);
gboolean    ag_engine_offline_push      (AgEngine *engine, const char *app_id, const char *account,
                                         AgOfflineMessage *message, GError **error);
/* All of the account's messages. */
GPtrArray  *ag_engine_offline_take      (AgEngine *engine, const char *app_id, const char *account,
                                         gint64 now_us, GError **error);
/* The oldest ones, up to max_bytes of text (at least one); *out_more (optional) says whether
 * some are left. */
GPtrArray  *ag_engine_offline_take_some (AgEngine *engine, const char *app_id, const char *account,
                                         gint64 now_us, gsize max_bytes, gboolean *out_more,
                                         GError **error);
gint64      ag_engine_offline_expire    (AgEngine *engine, gint64 now_us);
/* NULL as well when the engine cannot list without taking; *out_supported tells which. */
GPtrArray  *ag_engine_offline_peek      (AgEngine *engine, const char *app_id, const char *account,
                                         gint64 now_us, gboolean *out_supported, GError **error);
guint64     ag_engine_offline_bytes     (AgEngine *engine);
guint64     ag_engine_memory_bytes      (AgEngine *engine);
gboolean    ag_engine_uid_set           (AgEngine *engine, const char *app_id, const char *account,
                                         guint32 uid, GError **error);
gboolean    ag_engine_can_lookup_uids   (AgEngine *engine);
gboolean    ag_engine_uid_lookup        (AgEngine *engine, const char *app_id, const char *account,
                                         guint32 *out_uid, GError **error);
/* Whether the engine hands out uids itself (uid_claim). */
gboolean    ag_engine_claims_uids       (AgEngine *engine);
guint32     ag_engine_uid_claim         (AgEngine *engine, const char *app_id, const char *account,
                                         guint32 floor, GError **error);
void        ag_engine_channel_save      (AgEngine *engine, const char *app_id,
                                         const AgEngineChannel *channel);
void        ag_engine_channel_delete    (AgEngine *engine, const char *app_id, const char *name);
gboolean    ag_engine_load_app          (AgEngine *engine, const char *app_id,
                                         GHashTable **out_uids, GPtrArray **out_channels,
                                         GError **error);
gboolean    ag_engine_commit            (AgEngine *engine, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgEngineChannel, ag_engine_channel_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgOfflineMessage, ag_offline_message_free)

G_END_DECLS
