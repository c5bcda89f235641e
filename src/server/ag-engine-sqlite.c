/* ag-engine-sqlite.c: the AgEngine that keeps everything in a SQLite state file
 *
 * One connection in WAL mode with an exclusive lock held for the life of the process, so a
 * second agsignald on the same file fails at start-up instead of sharing it. Writes go into
 * a transaction that is opened by the first write after a commit and closed by the next
 * ag_engine_commit(): the transports commit once per turn of the main loop, before any reply
 * leaves, so one fsync-free WAL append (synchronous=NORMAL) or one fsync (FULL) covers every
 * request of the turn. Reads run on the same connection and see the open transaction.
 *
 * Channels are saved whole and often (every join counts), so a save only records the latest
 * snapshot in memory; the snapshots are written when the transaction commits. When a commit
 * fails, SQLite rolls back everything else, but the snapshots stay pending and are written
 * again: the hub keeps its channels in memory and the file catches up with it.
 *
 * The schema version is PRAGMA user_version; application_id marks the file as ours. See
 * docs/server.md, "State file".
 */

#include "ag-engine-sqlite.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "ag-limits.h"

#define APPLICATION_ID         0x41475347  /* "AGSG" */
#define CACHE_KIB              8192
#define JOURNAL_SIZE_LIMIT     (64 * 1024 * 1024)
#define VACUUM_PAGES           1024
#define RETRY_INTERVAL_US      G_USEC_PER_SEC
#define EXPIRE_RETRY_US        (10 * G_USEC_PER_SEC)
#define MAX_CACHED_QUEUES      65536

typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_ATTR_UPSERT,
  STMT_ATTR_DELETE,
  STMT_ATTR_GET,
  STMT_ATTR_GET_ALL,
  STMT_OFFLINE_COUNT,
  STMT_OFFLINE_PRUNE,
  STMT_OFFLINE_INSERT,
  STMT_OFFLINE_SELECT,
  STMT_OFFLINE_DELETE_UP_TO,
  STMT_OFFLINE_EXPIRE,
  STMT_OFFLINE_NEXT,
  STMT_OFFLINE_BYTES,
  STMT_UID_SET,
  STMT_UID_LOAD,
  STMT_UID_GET,
  STMT_CHANNEL_UPSERT,
  STMT_CHANNEL_DELETE,
  STMT_CHANNEL_ATTRS_DELETE,
  STMT_CHANNEL_ATTR_INSERT,
  STMT_CHANNEL_LOAD,
  STMT_CHANNEL_ATTRS_LOAD,
  N_STMTS
} Stmt;

static const char * const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_ATTR_UPSERT] =
    "INSERT INTO user_attrs (app, account, name, value) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (app, account, name) DO UPDATE SET value = excluded.value",
  [STMT_ATTR_DELETE] = "DELETE FROM user_attrs WHERE app = ?1 AND account = ?2 AND name = ?3",
  [STMT_ATTR_GET] =
    "SELECT value FROM user_attrs WHERE app = ?1 AND account = ?2 AND name = ?3",
  [STMT_ATTR_GET_ALL] = "SELECT name, value FROM user_attrs WHERE app = ?1 AND account = ?2",
  [STMT_OFFLINE_COUNT] = "SELECT count(*) FROM offline WHERE app = ?1 AND account = ?2",
  [STMT_OFFLINE_PRUNE] =
    "DELETE FROM offline WHERE app = ?1 AND account = ?2 AND expires_us <= ?3",
  [STMT_OFFLINE_INSERT] =
    "INSERT INTO offline (app, account, from_account, from_uid, msg, sent_us, expires_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_OFFLINE_SELECT] =
    "SELECT from_account, from_uid, msg, sent_us, expires_us, seq FROM offline "
    "WHERE app = ?1 AND account = ?2 ORDER BY seq",
  [STMT_OFFLINE_DELETE_UP_TO] =
    "DELETE FROM offline WHERE app = ?1 AND account = ?2 AND seq <= ?3",
  [STMT_OFFLINE_EXPIRE] = "DELETE FROM offline WHERE expires_us <= ?1",
  [STMT_OFFLINE_NEXT] = "SELECT min(expires_us) FROM offline",
  [STMT_OFFLINE_BYTES] =
    "SELECT coalesce (sum (length (CAST (msg AS BLOB)) + length (CAST (from_account AS BLOB))), 0) "
    "FROM offline",
  [STMT_UID_SET] = "INSERT OR REPLACE INTO uids (app, account, uid) VALUES (?1, ?2, ?3)",
  [STMT_UID_LOAD] = "SELECT account, uid FROM uids WHERE app = ?1",
  [STMT_UID_GET] = "SELECT uid FROM uids WHERE app = ?1 AND account = ?2",
  [STMT_CHANNEL_UPSERT] =
    "INSERT OR REPLACE INTO channels (app, name, total_joins, destroy_us) "
    "VALUES (?1, ?2, ?3, ?4)",
  [STMT_CHANNEL_DELETE] = "DELETE FROM channels WHERE app = ?1 AND name = ?2",
  [STMT_CHANNEL_ATTRS_DELETE] = "DELETE FROM channel_attrs WHERE app = ?1 AND channel = ?2",
  [STMT_CHANNEL_ATTR_INSERT] =
    "INSERT INTO channel_attrs (app, channel, name, value) VALUES (?1, ?2, ?3, ?4)",
  [STMT_CHANNEL_LOAD] = "SELECT name, total_joins, destroy_us FROM channels WHERE app = ?1",
  [STMT_CHANNEL_ATTRS_LOAD] = "SELECT channel, name, value FROM channel_attrs WHERE app = ?1",
};

/* Each step takes the file from version i to i + 1, inside the start-up transaction. A new
 * file starts at version 0. */
static const char * const migrations[AG_ENGINE_SQLITE_SCHEMA_VERSION] = {
  /* 0 -> 1 */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
  "CREATE TABLE user_attrs (app TEXT NOT NULL, account TEXT NOT NULL, name TEXT NOT NULL,"
  "  value TEXT NOT NULL, PRIMARY KEY (app, account, name)) WITHOUT ROWID;"
  "CREATE TABLE offline (seq INTEGER PRIMARY KEY, app TEXT NOT NULL, account TEXT NOT NULL,"
  "  from_account TEXT NOT NULL, from_uid INTEGER NOT NULL, msg TEXT NOT NULL,"
  "  sent_us INTEGER NOT NULL, expires_us INTEGER NOT NULL);"
  "CREATE INDEX offline_by_account ON offline (app, account, seq);"
  "CREATE INDEX offline_by_expiry ON offline (expires_us);"
  "CREATE TABLE uids (app TEXT NOT NULL, account TEXT NOT NULL, uid INTEGER NOT NULL,"
  "  PRIMARY KEY (app, account)) WITHOUT ROWID;"
  "CREATE TABLE channels (app TEXT NOT NULL, name TEXT NOT NULL,"
  "  total_joins INTEGER NOT NULL, destroy_us INTEGER NOT NULL,"
  "  PRIMARY KEY (app, name)) WITHOUT ROWID;"
  "CREATE TABLE channel_attrs (app TEXT NOT NULL, channel TEXT NOT NULL,"
  "  name TEXT NOT NULL, value TEXT NOT NULL,"
  "  PRIMARY KEY (app, channel, name)) WITHOUT ROWID;",
};

struct _AgEngineSqlite {
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];

  gboolean      in_transaction;
  gboolean      batch_failed;     /* SQLite rolled back the open transaction on an error */
  gboolean      batch_has_writes; /* writes since the last commit other than retried channels */
  GHashTable   *pending_channels; /* "app:name" -> AgEnginePendingChannel* */
  gint64        retry_after_us;   /* monotonic; retried channels only */

  /* Queue lengths looked up since the last expiry or rollback: "app:account" -> count. */
  GHashTable   *queue_lengths;
  /* ag_offline_message_size() of all queued messages, or -1 until counted again (after an
   * expiry or a rollback). */
  gint64        offline_bytes;
};

static void ag_engine_sqlite_engine_init (AgEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgEngineSqlite, ag_engine_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_ENGINE,
                                                      ag_engine_sqlite_engine_init))

/* App ids never contain ':' (ag_server_check_app_id), so this key is unambiguous. */
static char *
app_key (const char *app_id,
         const char *name)
{
  return g_strconcat (app_id, ":", name, NULL);
}

/* Errors */

static void
set_storage_error (AgEngineSqlite  *self,
                   GError         **error,
                   int              code,
                   const char      *doing)
{
  g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE,
               "state file %s: %s: %s", self->path, doing,
               self->db != NULL && sqlite3_errcode (self->db) == code ? sqlite3_errmsg (self->db)
                                                                    : sqlite3_errstr (code));
}

/* After a failed statement: SQLite may have rolled the whole transaction back (full disk,
 * I/O errors), and then the acknowledgements of every earlier write of the batch must not
 * be sent. */
static void
note_failure (AgEngineSqlite *self)
{
  if (self->in_transaction && sqlite3_get_autocommit (self->db)) {
    self->in_transaction = FALSE;
    self->batch_failed = TRUE;
    g_hash_table_remove_all (self->queue_lengths);
    self->offline_bytes = -1;
  }
}

/* Statements */

static sqlite3_stmt *
stmt (AgEngineSqlite *self,
      Stmt            which)
{
  sqlite3_stmt *statement = self->stmts[which];

  sqlite3_reset (statement);
  sqlite3_clear_bindings (statement);

  return statement;
}

static void
bind_text (sqlite3_stmt *statement,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (statement, index, text, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows. */
static gboolean
run (AgEngineSqlite  *self,
     sqlite3_stmt    *statement,
     const char      *doing,
     GError         **error)
{
  int rc = sqlite3_step (statement);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
    sqlite3_reset (statement);
    return TRUE;
  }

  set_storage_error (self, error, rc, doing);
  sqlite3_reset (statement);
  note_failure (self);
  return FALSE;
}

static gboolean
begin_write (AgEngineSqlite  *self,
             GError         **error)
{
  if (self->in_transaction)
    return TRUE;

  if (!run (self, stmt (self, STMT_BEGIN), "begin", error))
    return FALSE;

  self->in_transaction = TRUE;
  return TRUE;
}

/* Every write of a request starts here. */
static gboolean
prepare_write (AgEngineSqlite  *self,
               GError         **error)
{
  self->batch_has_writes = TRUE;

  return begin_write (self, error);
}

/* User attributes */

static gboolean
ag_engine_sqlite_user_attr_set (AgEngine    *engine,
                                const char  *app_id,
                                const char  *account,
                                const char  *name,
                                const char  *value,
                                GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  sqlite3_stmt *statement;

  if (!prepare_write (self, error))
    return FALSE;

  if (value == NULL || *value == '\0') {
    statement = stmt (self, STMT_ATTR_DELETE);
  } else {
    statement = stmt (self, STMT_ATTR_UPSERT);
    bind_text (statement, 4, value);
  }
  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  bind_text (statement, 3, name);

  return run (self, statement, "setting a user attribute", error);
}

static char *
ag_engine_sqlite_user_attr_get (AgEngine    *engine,
                                const char  *app_id,
                                const char  *account,
                                const char  *name,
                                GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  sqlite3_stmt *statement = stmt (self, STMT_ATTR_GET);
  char *value = NULL;
  int rc;

  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  bind_text (statement, 3, name);

  rc = sqlite3_step (statement);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  else if (rc != SQLITE_DONE)
    set_storage_error (self, error, rc, "reading a user attribute");
  sqlite3_reset (statement);

  return value;
}

static GHashTable *
ag_engine_sqlite_user_attr_get_all (AgEngine    *engine,
                                    const char  *app_id,
                                    const char  *account,
                                    GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  sqlite3_stmt *statement = stmt (self, STMT_ATTR_GET_ALL);
  g_autoptr(GHashTable) attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int rc;

  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);

  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    g_hash_table_insert (attrs, g_strdup ((const char *) sqlite3_column_text (statement, 0)),
                         g_strdup ((const char *) sqlite3_column_text (statement, 1)));
  sqlite3_reset (statement);

  if (rc != SQLITE_DONE) {
    set_storage_error (self, error, rc, "reading user attributes");
    return NULL;
  }

  return g_steal_pointer (&attrs);
}

/* Offline messages */

/* Remembers an account's queue length (taking key). The cache only saves counting: it is
 * dropped whole when it grows large. */
static void
cache_queue_length (AgEngineSqlite *self,
                    char           *key,
                    gint64          length)
{
  if (g_hash_table_size (self->queue_lengths) >= MAX_CACHED_QUEUES &&
      !g_hash_table_contains (self->queue_lengths, key))
    g_hash_table_remove_all (self->queue_lengths);

  g_hash_table_insert (self->queue_lengths, key, GSIZE_TO_POINTER ((gsize) length));
}

/* The number of messages queued for an account, or -1 on failure. */
static gint64
queue_length (AgEngineSqlite  *self,
              const char      *key,
              const char      *app_id,
              const char      *account,
              GError         **error)
{
  sqlite3_stmt *statement;
  gpointer cached;
  gint64 count;
  int rc;

  if (g_hash_table_lookup_extended (self->queue_lengths, key, NULL, &cached))
    return GPOINTER_TO_SIZE (cached);

  statement = stmt (self, STMT_OFFLINE_COUNT);
  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  rc = sqlite3_step (statement);
  count = rc == SQLITE_ROW ? sqlite3_column_int64 (statement, 0) : -1;
  sqlite3_reset (statement);

  if (count < 0) {
    set_storage_error (self, error, rc, "counting offline messages");
    return -1;
  }

  cache_queue_length (self, g_strdup (key), count);
  return count;
}

static gboolean
ag_engine_sqlite_offline_push (AgEngine          *engine,
                               const char        *app_id,
                               const char        *account,
                               AgOfflineMessage  *message,
                               GError           **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  g_autoptr(AgOfflineMessage) owned = message;
  g_autofree char *key = app_key (app_id, account);
  sqlite3_stmt *statement;
  gint64 length;

  if (!prepare_write (self, error))
    return FALSE;

  length = queue_length (self, key, app_id, account, error);
  if (length < 0)
    return FALSE;

  if (length >= AG_LIMIT_OFFLINE_QUEUE) {
    /* Messages that expired by now do not count against the limit; the expiry timer may
     * simply not have run yet. */
    statement = stmt (self, STMT_OFFLINE_PRUNE);
    bind_text (statement, 1, app_id);
    bind_text (statement, 2, account);
    sqlite3_bind_int64 (statement, 3, message->sent_us);
    self->offline_bytes = -1;
    if (!run (self, statement, "dropping expired offline messages", error))
      return FALSE;

    g_hash_table_remove (self->queue_lengths, key);
    length = queue_length (self, key, app_id, account, error);
    if (length < 0)
      return FALSE;

    if (length >= AG_LIMIT_OFFLINE_QUEUE) {
      g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_QUEUE_FULL,
                   "the offline queue of %s is full", account);
      return FALSE;
    }
  }

  statement = stmt (self, STMT_OFFLINE_INSERT);
  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  bind_text (statement, 3, message->from_account);
  sqlite3_bind_int64 (statement, 4, message->from_uid);
  bind_text (statement, 5, message->msg);
  sqlite3_bind_int64 (statement, 6, message->sent_us);
  sqlite3_bind_int64 (statement, 7, message->expires_us);
  if (!run (self, statement, "storing an offline message", error))
    return FALSE;

  if (self->offline_bytes >= 0)
    self->offline_bytes += ag_offline_message_size (message);

  /* A failure above may have rolled the cache away with the transaction. */
  if (g_hash_table_contains (self->queue_lengths, key))
    cache_queue_length (self, g_steal_pointer (&key), length + 1);

  return TRUE;
}

/* One row of STMT_OFFLINE_SELECT. */
static AgOfflineMessage *
message_from_row (sqlite3_stmt *statement)
{
  AgOfflineMessage *message = g_new0 (AgOfflineMessage, 1);

  message->from_account = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  message->from_uid = (guint32) sqlite3_column_int64 (statement, 1);
  message->msg = g_strdup ((const char *) sqlite3_column_text (statement, 2));
  message->sent_us = sqlite3_column_int64 (statement, 3);
  message->expires_us = sqlite3_column_int64 (statement, 4);

  return message;
}

/* The admin API's view of a queue: the same rows, left in place. */
static GPtrArray *
ag_engine_sqlite_offline_peek (AgEngine    *engine,
                               const char  *app_id,
                               const char  *account,
                               gint64       now_us,
                               GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  g_autoptr(GPtrArray) messages =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ag_offline_message_free);
  sqlite3_stmt *statement = stmt (self, STMT_OFFLINE_SELECT);
  int rc;

  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
    if (sqlite3_column_int64 (statement, 4) <= now_us)
      continue;

    g_ptr_array_add (messages, message_from_row (statement));
  }
  sqlite3_reset (statement);

  if (rc != SQLITE_DONE) {
    set_storage_error (self, error, rc, "reading offline messages");
    return NULL;
  }

  return messages->len > 0 ? g_steal_pointer (&messages) : NULL;
}

static GPtrArray *
ag_engine_sqlite_offline_take (AgEngine    *engine,
                               const char  *app_id,
                               const char  *account,
                               gint64       now_us,
                               gsize        max_bytes,
                               gboolean    *out_more,
                               GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  g_autoptr(GPtrArray) messages =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ag_offline_message_free);
  g_autofree char *key = app_key (app_id, account);
  sqlite3_stmt *statement;
  gboolean any = FALSE;
  gint64 last_seq = -1;
  gsize bytes = 0;
  gint64 deleted_bytes = 0;
  int rc;

  *out_more = FALSE;

  /* Most logins find nothing: that costs one read and no transaction. */
  if (g_hash_table_lookup_extended (self->queue_lengths, key, NULL, NULL) &&
      GPOINTER_TO_SIZE (g_hash_table_lookup (self->queue_lengths, key)) == 0)
    return NULL;

  statement = stmt (self, STMT_OFFLINE_SELECT);
  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
    gsize length = (gsize) sqlite3_column_bytes (statement, 2);

    any = TRUE;
    if (sqlite3_column_int64 (statement, 4) > now_us) {
      if (messages->len > 0 && bytes + length > max_bytes) {
        *out_more = TRUE;
        break;
      }
      g_ptr_array_add (messages, message_from_row (statement));
      bytes += length;
    }
    last_seq = sqlite3_column_int64 (statement, 5);
    deleted_bytes += sqlite3_column_bytes (statement, 0) + sqlite3_column_bytes (statement, 2);
  }
  if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;
  sqlite3_reset (statement);

  if (rc != SQLITE_DONE) {
    set_storage_error (self, error, rc, "reading offline messages");
    return NULL;
  }

  if (!any) {
    cache_queue_length (self, g_steal_pointer (&key), 0);
    return NULL;
  }

  if (!prepare_write (self, error))
    return NULL;

  /* Up to the last row read: the taken messages and the expired ones before them. */
  statement = stmt (self, STMT_OFFLINE_DELETE_UP_TO);
  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  sqlite3_bind_int64 (statement, 3, last_seq);
  if (!run (self, statement, "deleting delivered offline messages", error))
    return NULL;

  if (self->offline_bytes >= 0)
    self->offline_bytes -= deleted_bytes;

  if (*out_more)
    g_hash_table_remove (self->queue_lengths, key);
  else
    cache_queue_length (self, g_steal_pointer (&key), 0);

  if (messages->len == 0)
    return NULL;

  return g_steal_pointer (&messages);
}

/* Counted once, then kept up to date by every push and take; an expiry or a rollback has it
 * counted again. A failure counts as nothing stored: the writes fail on their own. */
static guint64
ag_engine_sqlite_offline_bytes (AgEngine *engine)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  sqlite3_stmt *statement;

  if (self->offline_bytes < 0) {
    statement = stmt (self, STMT_OFFLINE_BYTES);
    if (sqlite3_step (statement) == SQLITE_ROW)
      self->offline_bytes = sqlite3_column_int64 (statement, 0);
    else
      note_failure (self);
    sqlite3_reset (statement);
  }

  return (guint64) MAX (self->offline_bytes, 0);
}

static gint64
ag_engine_sqlite_offline_expire (AgEngine *engine,
                                 gint64    now_us)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *statement;
  gint64 next = G_MAXINT64;
  int rc;

  statement = stmt (self, STMT_OFFLINE_NEXT);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_ROW && sqlite3_column_type (statement, 0) != SQLITE_NULL)
    next = sqlite3_column_int64 (statement, 0);
  sqlite3_reset (statement);
  if (rc != SQLITE_ROW) {
    set_storage_error (self, &error, rc, "finding expired offline messages");
    goto failed;
  }

  if (next > now_us)
    return next;

  /* Expiring changes no reply: it needs no acknowledgement withheld if it fails. */
  if (!begin_write (self, &error))
    goto failed;

  statement = stmt (self, STMT_OFFLINE_EXPIRE);
  sqlite3_bind_int64 (statement, 1, now_us);
  self->offline_bytes = -1;
  if (!run (self, statement, "deleting expired offline messages", &error))
    goto failed;

  g_hash_table_remove_all (self->queue_lengths);

  /* The freed pages go back to the file system a batch at a time. */
  if (sqlite3_exec (self->db, "PRAGMA incremental_vacuum(" G_STRINGIFY (VACUUM_PAGES) ")",
                    NULL, NULL, NULL) != SQLITE_OK)
    note_failure (self);

  next = G_MAXINT64;
  statement = stmt (self, STMT_OFFLINE_NEXT);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_ROW && sqlite3_column_type (statement, 0) != SQLITE_NULL)
    next = sqlite3_column_int64 (statement, 0);
  sqlite3_reset (statement);

  return next;

failed:
  g_message ("%s; trying again in %d s", error->message,
             (int) (EXPIRE_RETRY_US / G_USEC_PER_SEC));
  return now_us + EXPIRE_RETRY_US;
}

/* Uids and channels */

static gboolean
ag_engine_sqlite_uid_set (AgEngine    *engine,
                          const char  *app_id,
                          const char  *account,
                          guint32      uid,
                          GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  sqlite3_stmt *statement;

  if (!prepare_write (self, error))
    return FALSE;

  statement = stmt (self, STMT_UID_SET);
  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  sqlite3_bind_int64 (statement, 3, uid);

  return run (self, statement, "storing a uid", error);
}

/* The uids live in the file for good: the hub need not keep them in memory. */
static gboolean
ag_engine_sqlite_uid_lookup (AgEngine    *engine,
                             const char  *app_id,
                             const char  *account,
                             guint32     *out_uid,
                             GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  sqlite3_stmt *statement = stmt (self, STMT_UID_GET);
  int rc;

  bind_text (statement, 1, app_id);
  bind_text (statement, 2, account);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_ROW) {
    gint64 uid = sqlite3_column_int64 (statement, 0);

    *out_uid = uid > 0 && uid <= G_MAXUINT32 ? (guint32) uid : 0;
  }
  sqlite3_reset (statement);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    set_storage_error (self, error, rc, "looking up a uid");
    return FALSE;
  }

  return TRUE;
}

static void
ag_engine_sqlite_channel_save (AgEngine              *engine,
                               const char            *app_id,
                               const AgEngineChannel *channel)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);

  ag_engine_pending_channels_save (self->pending_channels, app_id, channel);
  self->batch_has_writes = TRUE;
}

static void
ag_engine_sqlite_channel_delete (AgEngine   *engine,
                                 const char *app_id,
                                 const char *name)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);

  ag_engine_pending_channels_delete (self->pending_channels, app_id, name);
  self->batch_has_writes = TRUE;
}

static gboolean
write_channel (AgEngineSqlite         *self,
               AgEnginePendingChannel *pending,
               GError                **error)
{
  sqlite3_stmt *statement;
  GHashTableIter iter;
  gpointer name, value;

  statement = stmt (self, STMT_CHANNEL_ATTRS_DELETE);
  bind_text (statement, 1, pending->app_id);
  bind_text (statement, 2, pending->name);
  if (!run (self, statement, "writing a channel", error))
    return FALSE;

  if (pending->channel == NULL) {
    statement = stmt (self, STMT_CHANNEL_DELETE);
    bind_text (statement, 1, pending->app_id);
    bind_text (statement, 2, pending->name);
    return run (self, statement, "deleting a channel", error);
  }

  statement = stmt (self, STMT_CHANNEL_UPSERT);
  bind_text (statement, 1, pending->app_id);
  bind_text (statement, 2, pending->name);
  sqlite3_bind_int64 (statement, 3, (sqlite3_int64) MIN (pending->channel->total_joins,
                                                         (guint64) G_MAXINT64));
  sqlite3_bind_int64 (statement, 4, pending->channel->destroy_us);
  if (!run (self, statement, "writing a channel", error))
    return FALSE;

  g_hash_table_iter_init (&iter, pending->channel->attrs);
  while (g_hash_table_iter_next (&iter, &name, &value)) {
    statement = stmt (self, STMT_CHANNEL_ATTR_INSERT);
    bind_text (statement, 1, pending->app_id);
    bind_text (statement, 2, pending->name);
    bind_text (statement, 3, name);
    bind_text (statement, 4, value);
    if (!run (self, statement, "writing a channel attribute", error))
      return FALSE;
  }

  return TRUE;
}

static void
rollback (AgEngineSqlite *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_step (stmt (self, STMT_ROLLBACK));
  sqlite3_reset (self->stmts[STMT_ROLLBACK]);
  self->in_transaction = FALSE;
  g_hash_table_remove_all (self->queue_lengths);
  self->offline_bytes = -1;
}

static gboolean
ag_engine_sqlite_commit (AgEngine  *engine,
                         GError   **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  g_autoptr(GError) local_error = NULL;
  gboolean new_writes = self->batch_has_writes;
  GHashTableIter iter;
  gpointer value;

  if (self->batch_failed) {
    /* SQLite already rolled this batch back; the next one starts afresh. */
    self->batch_failed = FALSE;
    self->batch_has_writes = FALSE;
    rollback (self);
    g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE,
                 "state file %s: a write of this batch failed and was rolled back",
                 self->path);
    return FALSE;
  }

  if (!self->in_transaction && g_hash_table_size (self->pending_channels) == 0)
    return TRUE;

  /* Channels left over from a failed commit are retried at a bounded rate. */
  if (!new_writes && !self->in_transaction &&
      g_get_monotonic_time () < self->retry_after_us)
    return TRUE;

  self->batch_has_writes = FALSE;

  if (!begin_write (self, &local_error))
    goto failed;

  g_hash_table_iter_init (&iter, self->pending_channels);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    if (!write_channel (self, value, &local_error))
      goto failed;
  }

  if (!run (self, stmt (self, STMT_COMMIT), "commit", &local_error))
    goto failed;

  self->in_transaction = FALSE;
  g_hash_table_remove_all (self->pending_channels);

  return TRUE;

failed:
  rollback (self);
  self->batch_failed = FALSE;
  self->retry_after_us = g_get_monotonic_time () + RETRY_INTERVAL_US;

  if (!new_writes) {
    /* Only channels whose acknowledgements were withheld before are in this batch. */
    g_message ("%s (channels are written again later)", local_error->message);
    return TRUE;
  }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Loading */

static gboolean
ag_engine_sqlite_load_app (AgEngine    *engine,
                           const char  *app_id,
                           GHashTable **out_uids,
                           GPtrArray  **out_channels,
                           GError     **error)
{
  AgEngineSqlite *self = AG_ENGINE_SQLITE (engine);
  g_autoptr(GHashTable) uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) channels =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ag_engine_channel_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *statement;
  int rc;

  statement = stmt (self, STMT_UID_LOAD);
  bind_text (statement, 1, app_id);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
    gint64 uid = sqlite3_column_int64 (statement, 1);

    if (uid > 0 && uid <= G_MAXUINT32)
      g_hash_table_insert (uids, g_strdup ((const char *) sqlite3_column_text (statement, 0)),
                           GUINT_TO_POINTER ((guint32) uid));
  }
  sqlite3_reset (statement);
  if (rc != SQLITE_DONE)
    goto failed;

  statement = stmt (self, STMT_CHANNEL_LOAD);
  bind_text (statement, 1, app_id);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
    AgEngineChannel *channel =
      ag_engine_channel_new ((const char *) sqlite3_column_text (statement, 0), NULL,
                             (guint64) MAX (sqlite3_column_int64 (statement, 1), 0),
                             sqlite3_column_int64 (statement, 2));

    g_ptr_array_add (channels, channel);
    g_hash_table_insert (by_name, channel->name, channel);
  }
  sqlite3_reset (statement);
  if (rc != SQLITE_DONE)
    goto failed;

  statement = stmt (self, STMT_CHANNEL_ATTRS_LOAD);
  bind_text (statement, 1, app_id);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
    AgEngineChannel *channel =
      g_hash_table_lookup (by_name, (const char *) sqlite3_column_text (statement, 0));

    if (channel != NULL)
      g_hash_table_insert (channel->attrs,
                           g_strdup ((const char *) sqlite3_column_text (statement, 1)),
                           g_strdup ((const char *) sqlite3_column_text (statement, 2)));
  }
  sqlite3_reset (statement);
  if (rc != SQLITE_DONE)
    goto failed;

  *out_uids = g_steal_pointer (&uids);
  *out_channels = g_steal_pointer (&channels);
  return TRUE;

failed:
  set_storage_error (self, error, rc, "loading the app's state");
  return FALSE;
}

/* Opening */

G_GNUC_PRINTF (3, 4)
static gboolean
open_failed (AgEngineSqlite  *self,
             GError         **error,
             const char      *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN, "state file %s: %s", self->path,
               message);
  return FALSE;
}

/* What an SQLite error at start-up means for the operator. */
static gboolean
open_failed_sqlite (AgEngineSqlite  *self,
                    GError         **error,
                    int              rc,
                    const char      *doing)
{
  const char *detail = sqlite3_errcode (self->db) == rc ? sqlite3_errmsg (self->db)
                                                         : sqlite3_errstr (rc);

  switch (rc & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return open_failed (self, error,
                        "in use by another process (is another agsignald running on it?)");
  case SQLITE_NOTADB:
    return open_failed (self, error, "not an agsignald state file (%s)", detail);
  case SQLITE_CORRUPT:
    return open_failed (self, error, "corrupt (%s); restore a backup or move it away",
                        detail);
  case SQLITE_READONLY:
  case SQLITE_PERM:
  case SQLITE_CANTOPEN:
    return open_failed (self, error, "cannot be written (%s)", detail);
  case SQLITE_FULL:
    return open_failed (self, error, "no room to write (%s)", detail);
  case SQLITE_IOERR:
    return open_failed (self, error, "I/O error (%s); is the disk full?", detail);
  default:
    return open_failed (self, error, "%s: %s", doing, detail);
  }
}

static gboolean
exec (AgEngineSqlite  *self,
      const char      *sql,
      GError         **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return open_failed_sqlite (self, error, rc, sql);

  return TRUE;
}

/* Runs a pragma or query returning one value, as text (NULL on failure, with error set). */
static char *
query_text (AgEngineSqlite  *self,
            const char      *sql,
            GError         **error)
{
  sqlite3_stmt *statement = NULL;
  char *text = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL);

  if (rc == SQLITE_OK) {
    rc = sqlite3_step (statement);
    if (rc == SQLITE_ROW) {
      const char *column = (const char *) sqlite3_column_text (statement, 0);

      text = g_strdup (column != NULL ? column : "");
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize (statement);

  if (text == NULL)
    open_failed_sqlite (self, error, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql);

  return text;
}

static gboolean
query_int (AgEngineSqlite  *self,
           const char      *sql,
           gint64          *out_value,
           GError         **error)
{
  g_autofree char *text = query_text (self, sql, error);

  if (text == NULL)
    return FALSE;

  *out_value = g_ascii_strtoll (text, NULL, 10);
  return TRUE;
}

/* Brings the schema to AG_ENGINE_SQLITE_SCHEMA_VERSION in one write transaction, which every
 * start runs: a file that cannot be written fails here, not at the first request. */
static gboolean
migrate (AgEngineSqlite  *self,
         GError         **error)
{
  g_autofree char *set_version = NULL;
  g_autofree char *stamp = NULL;
  gint64 version, application_id, tables;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "PRAGMA application_id", &application_id, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_schema", &tables, error))
    goto failed;

  if ((application_id != 0 && application_id != APPLICATION_ID) ||
      (application_id == 0 && tables > 0)) {
    open_failed (self, error, "not an agsignald state file (another program's database)");
    goto failed;
  }

  if (version > AG_ENGINE_SQLITE_SCHEMA_VERSION) {
    open_failed (self, error,
                 "written by a newer agsignald (schema version %" G_GINT64_FORMAT
                 ", this one knows up to %d)", version, AG_ENGINE_SQLITE_SCHEMA_VERSION);
    goto failed;
  }

  for (gint64 step = version; step < AG_ENGINE_SQLITE_SCHEMA_VERSION; step++) {
    if (tables == 0)
      g_debug ("state file %s: new, schema version %d", self->path,
               AG_ENGINE_SQLITE_SCHEMA_VERSION);
    else
      g_message ("state file %s: migrating schema version %" G_GINT64_FORMAT " to %"
                 G_GINT64_FORMAT, self->path, step, step + 1);
    if (!exec (self, migrations[step], error))
      goto failed;
  }

  set_version = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d",
                                 AG_ENGINE_SQLITE_SCHEMA_VERSION, APPLICATION_ID);
  stamp = g_strdup_printf ("INSERT OR REPLACE INTO meta (key, value) "
                           "VALUES ('last_start_us', %" G_GINT64_FORMAT ")",
                           g_get_real_time ());
  if (!exec (self, set_version, error) || !exec (self, stamp, error) ||
      !exec (self, "COMMIT", error))
    goto failed;

  return TRUE;

failed:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
open_database (AgEngineSqlite      *self,
               AgEngineSqliteSync   sync,
               GError             **error)
{
  g_autofree char *journal_mode = NULL;
  g_autofree char *check = NULL;
  g_autofree char *pragmas = NULL;
  GStatBuf info;
  gint64 tables;
  int rc;

  if (g_stat (self->path, &info) == 0) {
    if (!S_ISREG (info.st_mode))
      return open_failed (self, error, "not a regular file");
    /* Even root must not write a file the operator marked read-only. */
    if ((info.st_mode & 0222) == 0)
      return open_failed (self, error, "cannot be written (the file is read-only)");
  } else if (errno != ENOENT) {
    return open_failed (self, error, "%s", g_strerror (errno));
  }

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    return open_failed_sqlite (self, error, rc, "open");

  sqlite3_extended_result_codes (self->db, 1);

  if (sqlite3_db_readonly (self->db, "main") == 1)
    return open_failed (self, error, "cannot be written (opened read-only)");

  /* Exclusive before WAL: the lock is held until the process ends, and the WAL index lives
   * in this process instead of a -shm file. */
  pragmas = g_strdup_printf ("PRAGMA locking_mode = EXCLUSIVE;"
                             "PRAGMA cache_size = -%d;"
                             "PRAGMA journal_size_limit = %d;",
                             CACHE_KIB, JOURNAL_SIZE_LIMIT);
  if (!exec (self, pragmas, error))
    return FALSE;

  /* The first read of the file: garbage and locks show up here. */
  if (!query_int (self, "SELECT count(*) FROM sqlite_schema", &tables, error))
    return FALSE;

  /* Must precede the first table of a new file. */
  if (tables == 0 && !exec (self, "PRAGMA auto_vacuum = INCREMENTAL", error))
    return FALSE;

  journal_mode = query_text (self, "PRAGMA journal_mode = WAL", error);
  if (journal_mode == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (journal_mode, "wal") != 0)
    return open_failed (self, error, "cannot use write-ahead logging (journal mode %s)",
                        journal_mode);

  if (!exec (self, sync == AG_ENGINE_SQLITE_SYNC_FULL ? "PRAGMA synchronous = FULL"
                                                      : "PRAGMA synchronous = NORMAL",
             error))
    return FALSE;

  if (!migrate (self, error))
    return FALSE;

  check = query_text (self, "PRAGMA quick_check(1)", error);
  if (check == NULL)
    return FALSE;
  if (!g_str_equal (check, "ok"))
    return open_failed (self, error, "corrupt (%s); restore a backup or move it away", check);

  for (guint i = 0; i < N_STMTS; i++) {
    rc = sqlite3_prepare_v3 (self->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                             &self->stmts[i], NULL);
    if (rc != SQLITE_OK)
      return open_failed_sqlite (self, error, rc, stmt_sql[i]);
  }

  return TRUE;
}

/* GObject */

static void
ag_engine_sqlite_engine_init (AgEngineInterface *iface)
{
  iface->user_attr_set = ag_engine_sqlite_user_attr_set;
  iface->user_attr_get = ag_engine_sqlite_user_attr_get;
  iface->user_attr_get_all = ag_engine_sqlite_user_attr_get_all;
  iface->offline_push = ag_engine_sqlite_offline_push;
  iface->offline_take = ag_engine_sqlite_offline_take;
  iface->offline_peek = ag_engine_sqlite_offline_peek;
  iface->offline_expire = ag_engine_sqlite_offline_expire;
  iface->offline_bytes = ag_engine_sqlite_offline_bytes;
  iface->uid_set = ag_engine_sqlite_uid_set;
  iface->uid_lookup = ag_engine_sqlite_uid_lookup;
  iface->channel_save = ag_engine_sqlite_channel_save;
  iface->channel_delete = ag_engine_sqlite_channel_delete;
  iface->load_app = ag_engine_sqlite_load_app;
  iface->commit = ag_engine_sqlite_commit;
}

static void
ag_engine_sqlite_finalize (GObject *object)
{
  AgEngineSqlite *self = (AgEngineSqlite *) object;

  /* What the last turn of the main loop wrote is kept; nothing waits for it any more. */
  if (self->stmts[STMT_COMMIT] != NULL) {
    g_autoptr(GError) error = NULL;

    if (!ag_engine_commit (AG_ENGINE (self), &error))
      g_message ("%s", error->message);
  }

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  /* Closing the last connection checkpoints the WAL into the file and removes it. */
  g_clear_pointer (&self->db, sqlite3_close);

  g_clear_pointer (&self->pending_channels, g_hash_table_unref);
  g_clear_pointer (&self->queue_lengths, g_hash_table_unref);
  g_free (self->path);

  G_OBJECT_CLASS (ag_engine_sqlite_parent_class)->finalize (object);
}

static void
ag_engine_sqlite_class_init (AgEngineSqliteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_engine_sqlite_finalize;
}

static void
ag_engine_sqlite_init (AgEngineSqlite *self)
{
  self->pending_channels = ag_engine_pending_channels_new ();
  self->queue_lengths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->offline_bytes = -1;
}

/**
 * ag_engine_sqlite_new:
 * @path: the state file, created when missing
 * @sync: how commits reach the disk
 * @error: return location for an %AG_ENGINE_ERROR_OPEN error
 *
 * Opens the state file, migrates its schema forward and locks it for this process.
 *
 * Returns: (transfer full) (nullable): a new #AgEngine, or %NULL with @error set
 */
AgEngine *
ag_engine_sqlite_new (const char          *path,
                      AgEngineSqliteSync   sync,
                      GError             **error)
{
  g_autoptr(AgEngineSqlite) self = NULL;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AG_TYPE_ENGINE_SQLITE, NULL);
  self->path = g_strdup (path);

  if (!open_database (self, sync, error))
    return NULL;

  return AG_ENGINE (g_steal_pointer (&self));
}

const char *
ag_engine_sqlite_get_path (AgEngineSqlite *self)
{
  g_return_val_if_fail (AG_IS_ENGINE_SQLITE (self), NULL);

  return self->path;
}
