/* ag-engine-redis.c: the AgEngine that keeps everything in a Redis server
 *
 * One blocking hiredis connection with short timeouts: the AgEngine interface is
 * synchronous, and every call that has to wait is a round trip on loopback or a LAN. Plain
 * writes (attributes, uids, channels) are appended to the connection's output buffer inside
 * MULTI and sent with the next round trip or the commit, which sends EXEC and reads every
 * reply owed: a turn of the main loop costs one round trip for all its writes, and what a
 * segment wrote is applied whole or not at all. A read closes the open segment first, so it
 * sees the writes before it (the commit then only confirms them).
 *
 * What needs an answer or has to be atomic across nodes runs as a Lua script: pushing an
 * offline message (the per-account cap), taking messages (removes exactly what it returns),
 * expiring them, and claiming a uid (one counter per app, so two nodes never hand out the
 * same uid). Scripts go by EVALSHA and fall back to EVAL when the server lost its script
 * cache (a restart).
 *
 * A lost connection fails what is in flight with AG_ENGINE_ERROR_STORAGE; the next call
 * reconnects, and after a failed connect calls fail at once for
 * AG_ENGINE_REDIS_RECONNECT_MS. The key layout is in docs/cluster.md.
 */

#include "ag-engine-redis.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <string.h>

#include "ag-limits.h"

#define RETRY_INTERVAL_US  G_USEC_PER_SEC
#define EXPIRE_RETRY_US    (10 * G_USEC_PER_SEC)
#define EXPIRE_BATCH       1000   /* due messages one expiry script handles */

#define KEY_EPOCH          "ag:epoch"
#define KEY_OFFLINE_EXPIRY "ag:offline-expiry"
#define KEY_OFFLINE_SEQ    "ag:offline-seq"
#define KEY_OFFLINE_BYTES  "ag:offline-bytes"

/* A queued message is one list element: "seq:expires_us:sent_us:from_uid:from_len:" then
 * the sender's account and the text. parse () returns its seq, expiry, the bytes it counts
 * against the offline storage and the bytes of its text. */
#define LUA_PARSE \
  "local function parse (e)\n" \
  "  local seq, exp, flen, body = string.match (e, '^(%d+):(%-?%d+):%-?%d+:%d+:(%d+):()')\n" \
  "  local size = #e - body + 1\n" \
  "  return seq, tonumber (exp), size, size - tonumber (flen)\n" \
  "end\n"

typedef enum {
  SCRIPT_CLAIM,
  SCRIPT_UID_SET,
  SCRIPT_PUSH,
  SCRIPT_TAKE,
  SCRIPT_EXPIRE,
  N_SCRIPTS
} Script;

static const char * const script_text[N_SCRIPTS] = {
  /* KEYS: uids, last uid; ARGV: account, floor */
  [SCRIPT_CLAIM] =
    "local uid = redis.call ('HGET', KEYS[1], ARGV[1])\n"
    "if uid then return tonumber (uid) end\n"
    "local last = tonumber (redis.call ('GET', KEYS[2]) or '0')\n"
    "if last < tonumber (ARGV[2]) then last = tonumber (ARGV[2]) end\n"
    "last = last + 1\n"
    "if last > 4294967295 then return redis.error_reply ('no uid left in this app') end\n"
    "redis.call ('SET', KEYS[2], last)\n"
    "redis.call ('HSET', KEYS[1], ARGV[1], last)\n"
    "return last\n",
  /* KEYS: uids, last uid; ARGV: account, uid */
  [SCRIPT_UID_SET] =
    "redis.call ('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
    "if tonumber (redis.call ('GET', KEYS[2]) or '0') < tonumber (ARGV[2]) then\n"
    "  redis.call ('SET', KEYS[2], ARGV[2])\n"
    "end\n"
    "return 1\n",
  /* KEYS: queue, expiry index, seq, bytes; ARGV: now, cap, expires_us, rest of the element,
   * size. Returns {stored, bytes of all queues}. */
  [SCRIPT_PUSH] =
    LUA_PARSE
    "local now = tonumber (ARGV[1])\n"
    "local n = redis.call ('LLEN', KEYS[1])\n"
    "if n >= tonumber (ARGV[2]) then\n"
    "  local freed = 0\n"
    "  for _, e in ipairs (redis.call ('LRANGE', KEYS[1], 0, -1)) do\n"
    "    local seq, exp, size = parse (e)\n"
    "    if exp <= now then\n"
    "      redis.call ('LREM', KEYS[1], 1, e)\n"
    "      redis.call ('ZREM', KEYS[2], seq .. ':' .. KEYS[1])\n"
    "      freed = freed + size\n"
    "      n = n - 1\n"
    "    end\n"
    "  end\n"
    "  if freed > 0 then redis.call ('DECRBY', KEYS[4], freed) end\n"
    "  if n >= tonumber (ARGV[2]) then\n"
    "    return {0, tonumber (redis.call ('GET', KEYS[4]) or '0')}\n"
    "  end\n"
    "end\n"
    "local seq = redis.call ('INCR', KEYS[3])\n"
    "redis.call ('RPUSH', KEYS[1], seq .. ':' .. ARGV[3] .. ':' .. ARGV[4])\n"
    "redis.call ('ZADD', KEYS[2], ARGV[3], seq .. ':' .. KEYS[1])\n"
    "return {1, redis.call ('INCRBY', KEYS[4], ARGV[5])}\n",
  /* KEYS: queue, expiry index, bytes; ARGV: now, max bytes of text. Returns {more, bytes
   * of all queues, element...}: the oldest unexpired ones that fit, removed with the
   * expired ones before them. */
  [SCRIPT_TAKE] =
    LUA_PARSE
    "local now, max = tonumber (ARGV[1]), tonumber (ARGV[2])\n"
    "local out, removed, freed, text, more = {}, 0, 0, 0, 0\n"
    "for i, e in ipairs (redis.call ('LRANGE', KEYS[1], 0, -1)) do\n"
    "  local seq, exp, size, length = parse (e)\n"
    "  if exp > now then\n"
    "    if #out > 0 and text + length > max then more = 1; break end\n"
    "    out[#out + 1] = e\n"
    "    text = text + length\n"
    "  end\n"
    "  removed = i\n"
    "  freed = freed + size\n"
    "  redis.call ('ZREM', KEYS[2], seq .. ':' .. KEYS[1])\n"
    "end\n"
    "local bytes = 0\n"
    "if removed > 0 then\n"
    "  redis.call ('LTRIM', KEYS[1], removed, -1)\n"
    "  bytes = redis.call ('DECRBY', KEYS[3], freed)\n"
    "else\n"
    "  bytes = tonumber (redis.call ('GET', KEYS[3]) or '0')\n"
    "end\n"
    "local reply = {more, bytes}\n"
    "for _, e in ipairs (out) do reply[#reply + 1] = e end\n"
    "return reply\n",
  /* KEYS: expiry index, bytes; ARGV: now, batch. Returns {next expiry or -1, bytes}. The
   * queues are named by the index, not in KEYS: this engine needs a single Redis server,
   * not a Redis Cluster. */
  [SCRIPT_EXPIRE] =
    LUA_PARSE
    "local now = tonumber (ARGV[1])\n"
    "local due = redis.call ('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])\n"
    "local queues, freed = {}, 0\n"
    "for _, m in ipairs (due) do\n"
    "  queues[string.match (m, '^%d+:(.*)$')] = true\n"
    "  redis.call ('ZREM', KEYS[1], m)\n"
    "end\n"
    "for q in pairs (queues) do\n"
    "  for _, e in ipairs (redis.call ('LRANGE', q, 0, -1)) do\n"
    "    local seq, exp, size = parse (e)\n"
    "    if exp <= now then\n"
    "      redis.call ('LREM', q, 1, e)\n"
    "      redis.call ('ZREM', KEYS[1], seq .. ':' .. q)\n"
    "      freed = freed + size\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local bytes = 0\n"
    "if freed > 0 then bytes = redis.call ('DECRBY', KEYS[2], freed)\n"
    "else bytes = tonumber (redis.call ('GET', KEYS[2]) or '0') end\n"
    "local first = redis.call ('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
    "if #first == 0 then return {-1, bytes} end\n"
    "return {tonumber (first[2]), bytes}\n",
};

/* The arguments of one command; the strings are owned. */
typedef struct {
  GPtrArray *argv;
  GArray    *lengths;
} Command;

struct _AgEngineRedis {
  GObject       parent_instance;

  char         *uri;
  char         *host;
  int           port;
  int           db;

  redisContext *context;
  gint64        connect_after_us;  /* monotonic: no connect before this */
  gboolean      epoch_seen_before; /* connected once: a new connect is a reconnect */
  char         *epoch;             /* the server's ag:epoch when first seen */
  char         *shas[N_SCRIPTS];

  guint         owed;              /* replies owed for pipelined commands */
  gboolean      in_multi;
  gboolean      batch_failed;
  char         *batch_error;
  gboolean      batch_has_writes;
  GHashTable   *pending_channels;  /* "app:name" -> AgEnginePendingChannel* */
  gint64        retry_after_us;

  guint64       offline_bytes;     /* the cluster's total, as last seen */
};

static void ag_engine_redis_engine_init (AgEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgEngineRedis, ag_engine_redis, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_ENGINE,
                                                      ag_engine_redis_engine_init))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisReply, freeReplyObject)

/* Keys. App ids never contain ':' (ag_server_check_app_id): what follows the app's part is
 * the account or channel name as it is. */
static char *
app_key (const char *app_id,
         const char *kind,
         const char *name)
{
  return name != NULL ? g_strconcat ("ag:", app_id, ":", kind, ":", name, NULL)
                      : g_strconcat ("ag:", app_id, ":", kind, NULL);
}

/* Commands */

static Command *
command_new (const char *name)
{
  Command *command = g_new0 (Command, 1);

  command->argv = g_ptr_array_new_with_free_func (g_free);
  command->lengths = g_array_new (FALSE, FALSE, sizeof (size_t));
  if (name != NULL) {
    size_t length = strlen (name);

    g_ptr_array_add (command->argv, g_strdup (name));
    g_array_append_val (command->lengths, length);
  }

  return command;
}

static void
command_free (Command *command)
{
  g_ptr_array_unref (command->argv);
  g_array_unref (command->lengths);
  g_free (command);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Command, command_free)

/* Takes text. */
static void
command_take (Command *command,
              char    *text)
{
  size_t length = strlen (text);

  g_ptr_array_add (command->argv, text);
  g_array_append_val (command->lengths, length);
}

static void
command_add (Command    *command,
             const char *text)
{
  command_take (command, g_strdup (text));
}

G_GNUC_PRINTF (2, 3)
static void
command_addf (Command    *command,
              const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  command_take (command, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Connection */

/* What went wrong with the connection, for the log: a timeout says so. */
static const char *
context_error (redisContext *context)
{
  if (context->err == REDIS_ERR_IO &&
      (g_str_equal (context->errstr, g_strerror (EAGAIN)) ||
       g_str_equal (context->errstr, g_strerror (EWOULDBLOCK))))
    return "no reply within " G_STRINGIFY (AG_ENGINE_REDIS_TIMEOUT_MS) " ms";

  return context->errstr;
}

static void
set_storage_error (AgEngineRedis  *self,
                   GError        **error,
                   const char     *doing,
                   const char     *why)
{
  g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_STORAGE, "Redis at %s: %s: %s",
               self->uri, doing, why);
}

static void
fail_batch (AgEngineRedis *self,
            const char    *why)
{
  if (!self->batch_failed)
    self->batch_error = g_strdup (why);
  self->batch_failed = TRUE;
}

/* What was sent and not answered may or may not have been applied: the batch failed. */
static void
drop_connection (AgEngineRedis *self,
                 const char    *why)
{
  if (self->context == NULL)
    return;

  if (self->owed > 0 || self->in_multi)
    fail_batch (self, why);
  g_message ("Redis at %s: connection lost: %s", self->uri, why);
  g_clear_pointer (&self->context, redisFree);
  self->owed = 0;
  self->in_multi = FALSE;
}

/* A command on a new connection, before anything is pipelined on it. */
static redisReply *
setup_command (AgEngineRedis  *self,
               Command        *command,
               GError        **error)
{
  redisReply *reply = redisCommandArgv (self->context, command->argv->len,
                                        (const char **) command->argv->pdata,
                                        (const size_t *) command->lengths->data);

  if (reply == NULL) {
    set_storage_error (self, error, "connecting", context_error (self->context));
    return NULL;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    set_storage_error (self, error, "connecting", reply->str);
    freeReplyObject (reply);
    return NULL;
  }

  return reply;
}

/* Selects the database, loads the scripts and checks ag:epoch, which a server that lost
 * its data (a restart without persistence) no longer has. */
static gboolean
setup_connection (AgEngineRedis  *self,
                  GError        **error)
{
  g_autoptr(redisReply) reply = NULL;
  g_autoptr(Command) select = command_new ("SELECT");
  g_autoptr(Command) set_epoch = command_new ("SET");
  g_autoptr(Command) get_epoch = command_new ("GET");
  const char *epoch;

  if (self->db != 0) {
    command_addf (select, "%d", self->db);
    reply = setup_command (self, select, error);
    if (reply == NULL)
      return FALSE;
    g_clear_pointer (&reply, freeReplyObject);
  }

  for (guint i = 0; i < N_SCRIPTS; i++) {
    g_autoptr(Command) load = command_new ("SCRIPT");

    command_add (load, "LOAD");
    command_add (load, script_text[i]);
    reply = setup_command (self, load, error);
    if (reply == NULL)
      return FALSE;
    if (reply->type != REDIS_REPLY_STRING) {
      set_storage_error (self, error, "loading scripts", "unexpected reply");
      return FALSE;
    }
    g_free (self->shas[i]);
    self->shas[i] = g_strdup (reply->str);
    g_clear_pointer (&reply, freeReplyObject);
  }

  command_add (set_epoch, KEY_EPOCH);
  command_take (set_epoch, g_uuid_string_random ());
  command_add (set_epoch, "NX");
  reply = setup_command (self, set_epoch, error);
  if (reply == NULL)
    return FALSE;
  g_clear_pointer (&reply, freeReplyObject);

  command_add (get_epoch, KEY_EPOCH);
  reply = setup_command (self, get_epoch, error);
  if (reply == NULL)
    return FALSE;
  epoch = reply->type == REDIS_REPLY_STRING ? reply->str : "";
  if (self->epoch == NULL) {
    self->epoch = g_strdup (epoch);
  } else if (!g_str_equal (self->epoch, epoch)) {
    g_message ("Redis at %s: the server lost its data since this process first connected "
               "(epoch %s, now %s): what was stored before is gone", self->uri, self->epoch,
               epoch);
    g_free (self->epoch);
    self->epoch = g_strdup (epoch);
  }

  return TRUE;
}

static gboolean
ensure_connected (AgEngineRedis  *self,
                  GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  struct timeval timeout = {
    AG_ENGINE_REDIS_TIMEOUT_MS / 1000, (AG_ENGINE_REDIS_TIMEOUT_MS % 1000) * 1000
  };
  gint64 now = g_get_monotonic_time ();

  if (self->context != NULL)
    return TRUE;

  if (now < self->connect_after_us) {
    set_storage_error (self, error, "unavailable", "reconnecting");
    return FALSE;
  }

  self->context = redisConnectWithTimeout (self->host, self->port, timeout);
  if (self->context == NULL) {
    set_storage_error (self, &local_error, "connecting", "out of memory");
  } else if (self->context->err != 0) {
    set_storage_error (self, &local_error, "connecting", self->context->errstr);
  } else if (redisSetTimeout (self->context, timeout) != REDIS_OK) {
    set_storage_error (self, &local_error, "connecting", self->context->errstr);
  } else {
    redisEnableKeepAlive (self->context);
    setup_connection (self, &local_error);
  }

  if (local_error != NULL) {
    g_clear_pointer (&self->context, redisFree);
    self->connect_after_us = now + AG_ENGINE_REDIS_RECONNECT_MS * 1000;
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }

  if (self->epoch_seen_before)
    g_message ("Redis at %s: connected again", self->uri);
  else
    g_debug ("Redis at %s: connected", self->uri);
  self->epoch_seen_before = TRUE;
  return TRUE;
}

/* Pipelining */

static gboolean
append (AgEngineRedis *self,
        Command       *command)
{
  if (redisAppendCommandArgv (self->context, command->argv->len,
                              (const char **) command->argv->pdata,
                              (const size_t *) command->lengths->data) != REDIS_OK) {
    drop_connection (self, context_error (self->context));
    return FALSE;
  }
  self->owed++;

  return TRUE;
}

/* A write: queued in the open MULTI segment, answered at the next flush. FALSE when there
 * is no connection to queue it on (the request fails at once); a connection lost later
 * fails the batch at the commit. */
static gboolean
pipeline (AgEngineRedis  *self,
          Command        *command,
          GError        **error)
{
  if (!ensure_connected (self, error))
    return FALSE;

  self->batch_has_writes = TRUE;

  if (!self->in_multi) {
    g_autoptr(Command) multi = command_new ("MULTI");

    if (!append (self, multi)) {
      fail_batch (self, "a write could not be queued");
      return TRUE;
    }
    self->in_multi = TRUE;
  }

  if (!append (self, command))
    fail_batch (self, "a write could not be queued");
  return TRUE;
}

/* Sends EXEC and reads every reply owed; any error fails the batch. */
static void
flush (AgEngineRedis *self)
{
  if (self->context == NULL)
    return;

  if (self->in_multi) {
    g_autoptr(Command) exec = command_new ("EXEC");

    self->in_multi = FALSE;
    if (!append (self, exec))
      return;
  }

  while (self->owed > 0) {
    redisReply *reply = NULL;

    if (redisGetReply (self->context, (void **) &reply) != REDIS_OK) {
      drop_connection (self, context_error (self->context));
      return;
    }
    self->owed--;

    if (reply->type == REDIS_REPLY_ERROR) {
      fail_batch (self, reply->str);
    } else if (reply->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < reply->elements; i++) {
        if (reply->element[i]->type == REDIS_REPLY_ERROR)
          fail_batch (self, reply->element[i]->str);
      }
    } else if (reply->type == REDIS_REPLY_NIL) {
      fail_batch (self, "the transaction was aborted");
    }
    freeReplyObject (reply);
  }
}

/* One command that waits for its reply, after the writes before it. An error reply is
 * returned as it is, for run_script () to see NOSCRIPT. */
static redisReply *
round_trip (AgEngineRedis  *self,
            Command        *command,
            const char     *doing,
            GError        **error)
{
  redisReply *reply = NULL;

  if (!ensure_connected (self, error))
    return NULL;

  flush (self);
  if (self->context == NULL || !append (self, command)) {
    set_storage_error (self, error, doing, "connection lost");
    return NULL;
  }
  /* Read here, not by a flush: losing it fails this request, not the batch. */
  self->owed--;

  if (redisGetReply (self->context, (void **) &reply) != REDIS_OK) {
    set_storage_error (self, error, doing, context_error (self->context));
    drop_connection (self, context_error (self->context));
    return NULL;
  }

  return reply;
}

/* round_trip () that turns an error reply into an error. */
static redisReply *
query (AgEngineRedis  *self,
       Command        *command,
       const char     *doing,
       GError        **error)
{
  redisReply *reply = round_trip (self, command, doing, error);

  if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
    set_storage_error (self, error, doing, reply->str);
    g_clear_pointer (&reply, freeReplyObject);
  }

  return reply;
}

/* A script with its keys and arguments (command holds them, without the script). */
static redisReply *
run_script (AgEngineRedis  *self,
            Script          script,
            guint           n_keys,
            Command        *args,
            const char     *doing,
            GError        **error)
{
  for (guint attempt = 0; attempt < 2; attempt++) {
    g_autoptr(Command) command = command_new (attempt == 0 ? "EVALSHA" : "EVAL");
    redisReply *reply;

    /* Before the first connect there is no sha yet: connecting loads them. */
    if (!ensure_connected (self, error))
      return NULL;

    command_add (command, attempt == 0 ? self->shas[script] : script_text[script]);
    command_addf (command, "%u", n_keys);
    for (guint i = 0; i < args->argv->len; i++) {
      const char *arg = g_ptr_array_index (args->argv, i);

      command_add (command, arg);
    }

    reply = round_trip (self, command, doing, error);
    if (reply == NULL)
      return NULL;

    if (reply->type == REDIS_REPLY_ERROR && attempt == 0 &&
        g_str_has_prefix (reply->str, "NOSCRIPT")) {
      freeReplyObject (reply);
      continue;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
      set_storage_error (self, error, doing, reply->str);
      freeReplyObject (reply);
      return NULL;
    }

    return reply;
  }

  g_assert_not_reached ();
}

static gboolean
reply_is_array (redisReply *reply,
                size_t      min_elements)
{
  return reply->type == REDIS_REPLY_ARRAY && reply->elements >= min_elements;
}

/* User attributes */

static gboolean
ag_engine_redis_user_attr_set (AgEngine    *engine,
                               const char  *app_id,
                               const char  *account,
                               const char  *name,
                               const char  *value,
                               GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) command = command_new (value == NULL || *value == '\0' ? "HDEL" : "HSET");

  command_take (command, app_key (app_id, "attrs", account));
  command_add (command, name);
  if (value != NULL && *value != '\0')
    command_add (command, value);

  return pipeline (self, command, error);
}

static char *
ag_engine_redis_user_attr_get (AgEngine    *engine,
                               const char  *app_id,
                               const char  *account,
                               const char  *name,
                               GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) command = command_new ("HGET");
  g_autoptr(redisReply) reply = NULL;

  command_take (command, app_key (app_id, "attrs", account));
  command_add (command, name);
  reply = query (self, command, "reading a user attribute", error);

  if (reply == NULL || reply->type != REDIS_REPLY_STRING)
    return NULL;

  return g_strndup (reply->str, reply->len);
}

/* A HGETALL reply as a table. */
static GHashTable *
table_from_reply (redisReply *reply)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2)
    g_hash_table_insert (table, g_strndup (reply->element[i]->str, reply->element[i]->len),
                         g_strndup (reply->element[i + 1]->str, reply->element[i + 1]->len));

  return table;
}

static GHashTable *
ag_engine_redis_user_attr_get_all (AgEngine    *engine,
                                   const char  *app_id,
                                   const char  *account,
                                   GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) command = command_new ("HGETALL");
  g_autoptr(redisReply) reply = NULL;

  command_take (command, app_key (app_id, "attrs", account));
  reply = query (self, command, "reading user attributes", error);
  if (reply == NULL)
    return NULL;

  return table_from_reply (reply);
}

/* Offline messages */

/* One queue element (see LUA_PARSE), or NULL when it is not one of ours. */
static AgOfflineMessage *
message_from_element (const char *element,
                      size_t      length)
{
  g_autoptr(AgOfflineMessage) message = g_new0 (AgOfflineMessage, 1);
  const char *end = element + length;
  const char *p = element;
  gint64 fields[5];
  char *next;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
    fields[i] = g_ascii_strtoll (p, &next, 10);
    if (next == p || next >= end || *next != ':')
      return NULL;
    p = next + 1;
  }

  if (fields[3] < 0 || fields[3] > G_MAXUINT32 || fields[4] < 0 || fields[4] > end - p)
    return NULL;

  message->expires_us = fields[1];
  message->sent_us = fields[2];
  message->from_uid = (guint32) fields[3];
  message->from_account = g_strndup (p, (gsize) fields[4]);
  message->msg = g_strndup (p + fields[4], (gsize) (end - p - fields[4]));

  return g_steal_pointer (&message);
}

static void
note_offline_bytes (AgEngineRedis *self,
                    redisReply    *reply)
{
  if (reply->type == REDIS_REPLY_INTEGER)
    self->offline_bytes = (guint64) MAX (reply->integer, 0);
}

static gboolean
ag_engine_redis_offline_push (AgEngine          *engine,
                              const char        *app_id,
                              const char        *account,
                              AgOfflineMessage  *message,
                              GError           **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(AgOfflineMessage) owned = message;
  g_autoptr(Command) args = command_new (NULL);
  g_autoptr(redisReply) reply = NULL;

  command_take (args, app_key (app_id, "offline", account));
  command_add (args, KEY_OFFLINE_EXPIRY);
  command_add (args, KEY_OFFLINE_SEQ);
  command_add (args, KEY_OFFLINE_BYTES);
  command_addf (args, "%" G_GINT64_FORMAT, message->sent_us);
  command_addf (args, "%d", AG_LIMIT_OFFLINE_QUEUE);
  command_addf (args, "%" G_GINT64_FORMAT, message->expires_us);
  command_addf (args, "%" G_GINT64_FORMAT ":%u:%zu:%s%s", message->sent_us, message->from_uid,
                strlen (message->from_account), message->from_account, message->msg);
  command_addf (args, "%zu", ag_offline_message_size (message));

  reply = run_script (self, SCRIPT_PUSH, 4, args, "storing an offline message", error);
  if (reply == NULL)
    return FALSE;
  if (!reply_is_array (reply, 2) || reply->element[0]->type != REDIS_REPLY_INTEGER) {
    set_storage_error (self, error, "storing an offline message", "unexpected reply");
    return FALSE;
  }

  note_offline_bytes (self, reply->element[1]);
  if (reply->element[0]->integer == 0) {
    g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_QUEUE_FULL,
                 "the offline queue of %s is full", account);
    return FALSE;
  }

  return TRUE;
}

/* Elements from first on as messages, skipping what is not ours. */
static GPtrArray *
messages_from_reply (redisReply *reply,
                     size_t      first)
{
  g_autoptr(GPtrArray) messages =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ag_offline_message_free);

  for (size_t i = first; i < reply->elements; i++) {
    redisReply *element = reply->element[i];
    AgOfflineMessage *message = element->type == REDIS_REPLY_STRING
      ? message_from_element (element->str, element->len) : NULL;

    if (message != NULL)
      g_ptr_array_add (messages, message);
  }

  return messages->len > 0 ? g_steal_pointer (&messages) : NULL;
}

static GPtrArray *
ag_engine_redis_offline_peek (AgEngine    *engine,
                              const char  *app_id,
                              const char  *account,
                              gint64       now_us,
                              GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) command = command_new ("LRANGE");
  g_autoptr(redisReply) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  command_take (command, app_key (app_id, "offline", account));
  command_add (command, "0");
  command_add (command, "-1");
  reply = query (self, command, "reading offline messages", error);
  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY)
    return NULL;

  messages = messages_from_reply (reply, 0);
  for (guint i = 0; messages != NULL && i < messages->len;) {
    AgOfflineMessage *message = g_ptr_array_index (messages, i);

    if (message->expires_us <= now_us)
      g_ptr_array_remove_index (messages, i);
    else
      i++;
  }

  return messages != NULL && messages->len > 0 ? g_steal_pointer (&messages) : NULL;
}

static GPtrArray *
ag_engine_redis_offline_take (AgEngine    *engine,
                              const char  *app_id,
                              const char  *account,
                              gint64       now_us,
                              gsize        max_bytes,
                              gboolean    *out_more,
                              GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) args = command_new (NULL);
  g_autoptr(redisReply) reply = NULL;

  *out_more = FALSE;

  command_take (args, app_key (app_id, "offline", account));
  command_add (args, KEY_OFFLINE_EXPIRY);
  command_add (args, KEY_OFFLINE_BYTES);
  command_addf (args, "%" G_GINT64_FORMAT, now_us);
  command_addf (args, "%" G_GSIZE_FORMAT, max_bytes);

  reply = run_script (self, SCRIPT_TAKE, 3, args, "taking offline messages", error);
  if (reply == NULL)
    return NULL;
  if (!reply_is_array (reply, 2) || reply->element[0]->type != REDIS_REPLY_INTEGER) {
    set_storage_error (self, error, "taking offline messages", "unexpected reply");
    return NULL;
  }

  note_offline_bytes (self, reply->element[1]);
  *out_more = reply->element[0]->integer != 0;

  return messages_from_reply (reply, 2);
}

static gint64
ag_engine_redis_offline_expire (AgEngine *engine,
                                gint64    now_us)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) args = command_new (NULL);
  g_autoptr(redisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 next;

  command_add (args, KEY_OFFLINE_EXPIRY);
  command_add (args, KEY_OFFLINE_BYTES);
  command_addf (args, "%" G_GINT64_FORMAT, now_us);
  command_addf (args, "%d", EXPIRE_BATCH);

  reply = run_script (self, SCRIPT_EXPIRE, 2, args, "expiring offline messages", &error);
  if (reply != NULL &&
      (!reply_is_array (reply, 2) || reply->element[0]->type != REDIS_REPLY_INTEGER))
    set_storage_error (self, &error, "expiring offline messages", "unexpected reply");

  if (error != NULL) {
    g_message ("%s; trying again in %d s", error->message,
               (int) (EXPIRE_RETRY_US / G_USEC_PER_SEC));
    return now_us + EXPIRE_RETRY_US;
  }

  note_offline_bytes (self, reply->element[1]);
  next = reply->element[0]->integer;
  if (next < 0)
    return G_MAXINT64;

  /* More than one batch was due: the rest goes at the next turn. */
  return MAX (next, now_us);
}

static guint64
ag_engine_redis_offline_bytes (AgEngine *engine)
{
  return AG_ENGINE_REDIS (engine)->offline_bytes;
}

/* Uids and channels */

static gboolean
ag_engine_redis_uid_set (AgEngine    *engine,
                         const char  *app_id,
                         const char  *account,
                         guint32      uid,
                         GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) command = command_new ("EVAL");

  /* The text, not the sha: a pipelined write cannot fall back on NOSCRIPT. */
  command_add (command, script_text[SCRIPT_UID_SET]);
  command_add (command, "2");
  command_take (command, app_key (app_id, "uids", NULL));
  command_take (command, app_key (app_id, "uid-last", NULL));
  command_add (command, account);
  command_addf (command, "%u", uid);

  return pipeline (self, command, error);
}

static guint32
ag_engine_redis_uid_claim (AgEngine    *engine,
                           const char  *app_id,
                           const char  *account,
                           guint32      floor,
                           GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(Command) args = command_new (NULL);
  g_autoptr(redisReply) reply = NULL;

  command_take (args, app_key (app_id, "uids", NULL));
  command_take (args, app_key (app_id, "uid-last", NULL));
  command_add (args, account);
  command_addf (args, "%u", floor);

  reply = run_script (self, SCRIPT_CLAIM, 2, args, "claiming a uid", error);
  if (reply == NULL)
    return 0;
  if (reply->type != REDIS_REPLY_INTEGER || reply->integer <= 0 ||
      reply->integer > G_MAXUINT32) {
    set_storage_error (self, error, "claiming a uid", "unexpected reply");
    return 0;
  }

  return (guint32) reply->integer;
}

static void
ag_engine_redis_channel_save (AgEngine              *engine,
                              const char            *app_id,
                              const AgEngineChannel *channel)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);

  ag_engine_pending_channels_save (self->pending_channels, app_id, channel);
  self->batch_has_writes = TRUE;
}

static void
ag_engine_redis_channel_delete (AgEngine   *engine,
                                const char *app_id,
                                const char *name)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);

  ag_engine_pending_channels_delete (self->pending_channels, app_id, name);
  self->batch_has_writes = TRUE;
}

/* A channel is its attributes' hash and its entry "total_joins:destroy_us" in the app's
 * channel table. */
static gboolean
write_channel (AgEngineRedis          *self,
               AgEnginePendingChannel *pending,
               GError                **error)
{
  g_autoptr(Command) del = command_new ("DEL");
  g_autoptr(Command) entry = NULL;
  GHashTableIter iter;
  gpointer name, value;

  command_take (del, app_key (pending->app_id, "channel-attrs", pending->name));
  if (!pipeline (self, del, error))
    return FALSE;

  if (pending->channel == NULL) {
    entry = command_new ("HDEL");
    command_take (entry, app_key (pending->app_id, "channels", NULL));
    command_add (entry, pending->name);
    return pipeline (self, entry, error);
  }

  if (g_hash_table_size (pending->channel->attrs) > 0) {
    g_autoptr(Command) attrs = command_new ("HSET");

    command_take (attrs, app_key (pending->app_id, "channel-attrs", pending->name));
    g_hash_table_iter_init (&iter, pending->channel->attrs);
    while (g_hash_table_iter_next (&iter, &name, &value)) {
      command_add (attrs, name);
      command_add (attrs, value);
    }
    if (!pipeline (self, attrs, error))
      return FALSE;
  }

  entry = command_new ("HSET");
  command_take (entry, app_key (pending->app_id, "channels", NULL));
  command_add (entry, pending->name);
  command_addf (entry, "%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT,
                pending->channel->total_joins, pending->channel->destroy_us);
  return pipeline (self, entry, error);
}

static gboolean
ag_engine_redis_commit (AgEngine  *engine,
                        GError   **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autofree char *why = NULL;
  gboolean new_writes = self->batch_has_writes;
  GHashTableIter iter;
  gpointer value;

  if (!new_writes && g_hash_table_size (self->pending_channels) == 0 && self->owed == 0 &&
      !self->in_multi && !self->batch_failed)
    return TRUE;

  /* Channels left over from a failed commit are retried at a bounded rate. */
  if (!new_writes && !self->batch_failed && self->owed == 0 && !self->in_multi &&
      g_get_monotonic_time () < self->retry_after_us)
    return TRUE;

  g_hash_table_iter_init (&iter, self->pending_channels);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    g_autoptr(GError) local_error = NULL;

    if (!write_channel (self, value, &local_error)) {
      fail_batch (self, local_error->message);
      break;
    }
  }
  flush (self);

  self->batch_has_writes = FALSE;
  if (!self->batch_failed) {
    g_hash_table_remove_all (self->pending_channels);
    return TRUE;
  }

  why = g_steal_pointer (&self->batch_error);
  self->batch_failed = FALSE;
  self->retry_after_us = g_get_monotonic_time () + RETRY_INTERVAL_US;

  if (!new_writes) {
    g_message ("Redis at %s: commit: %s (channels are written again later)", self->uri, why);
    return TRUE;
  }

  set_storage_error (self, error, "commit", why);
  return FALSE;
}

/* Loading */

static gboolean
ag_engine_redis_load_app (AgEngine    *engine,
                          const char  *app_id,
                          GHashTable **out_uids,
                          GPtrArray  **out_channels,
                          GError     **error)
{
  AgEngineRedis *self = AG_ENGINE_REDIS (engine);
  g_autoptr(GHashTable) uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) channels =
    g_ptr_array_new_with_free_func ((GDestroyNotify) ag_engine_channel_free);
  g_autoptr(Command) get_uids = command_new ("HGETALL");
  g_autoptr(Command) get_channels = command_new ("HGETALL");
  g_autoptr(redisReply) reply = NULL;

  command_take (get_uids, app_key (app_id, "uids", NULL));
  reply = query (self, get_uids, "loading the app's uids", error);
  if (reply == NULL)
    return FALSE;
  for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2) {
    gint64 uid = g_ascii_strtoll (reply->element[i + 1]->str, NULL, 10);

    if (uid > 0 && uid <= G_MAXUINT32)
      g_hash_table_insert (uids, g_strndup (reply->element[i]->str, reply->element[i]->len),
                           GUINT_TO_POINTER ((guint32) uid));
  }
  g_clear_pointer (&reply, freeReplyObject);

  command_take (get_channels, app_key (app_id, "channels", NULL));
  reply = query (self, get_channels, "loading the app's channels", error);
  if (reply == NULL)
    return FALSE;
  for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2) {
    const char *entry = reply->element[i + 1]->str;
    char *end = NULL;
    guint64 total_joins = g_ascii_strtoull (entry, &end, 10);
    gint64 destroy_us = *end == ':' ? g_ascii_strtoll (end + 1, NULL, 10) : 0;
    g_autofree char *name = g_strndup (reply->element[i]->str, reply->element[i]->len);

    g_ptr_array_add (channels, ag_engine_channel_new (name, NULL, total_joins, destroy_us));
  }

  /* The attributes of all channels in one pipelined round trip, not one per channel. */
  flush (self);
  for (guint i = 0; i < channels->len && self->context != NULL; i++) {
    AgEngineChannel *channel = g_ptr_array_index (channels, i);
    g_autoptr(Command) get_attrs = command_new ("HGETALL");

    command_take (get_attrs, app_key (app_id, "channel-attrs", channel->name));
    append (self, get_attrs);
  }
  for (guint i = 0; i < channels->len; i++) {
    AgEngineChannel *channel = g_ptr_array_index (channels, i);
    g_autoptr(redisReply) attrs_reply = NULL;

    if (self->context == NULL ||
        redisGetReply (self->context, (void **) &attrs_reply) != REDIS_OK) {
      set_storage_error (self, error, "loading the app's channels",
                         self->context != NULL ? context_error (self->context)
                                               : "connection lost");
      drop_connection (self, self->context != NULL ? context_error (self->context) : "");
      return FALSE;
    }
    self->owed--;
    if (attrs_reply->type == REDIS_REPLY_ERROR) {
      set_storage_error (self, error, "loading the app's channels", attrs_reply->str);
      /* The rest of the replies are read and dropped with the connection. */
      drop_connection (self, attrs_reply->str);
      return FALSE;
    }
    g_clear_pointer (&channel->attrs, g_hash_table_unref);
    channel->attrs = table_from_reply (attrs_reply);
  }

  *out_uids = g_steal_pointer (&uids);
  *out_channels = g_steal_pointer (&channels);
  return TRUE;
}

/* URIs */

gboolean
ag_engine_redis_parse_uri (const char  *uri,
                           char       **out_host,
                           int         *out_port,
                           int         *out_db,
                           GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shown = NULL;
  const char *path;
  gint64 db = 0;

  g_return_val_if_fail (uri != NULL, FALSE);

  /* A password in the URI is refused, and never repeated in a message. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD, &local_error);
  if (parsed == NULL) {
    g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN,
                 "not a URI (redis://HOST[:PORT][/DB])");
    return FALSE;
  }
  shown = g_uri_to_string_partial (parsed, G_URI_HIDE_USERINFO | G_URI_HIDE_PASSWORD);

  path = g_uri_get_path (parsed);
  if (g_strcmp0 (g_uri_get_scheme (parsed), "redis") != 0 || g_uri_get_host (parsed) == NULL ||
      *g_uri_get_host (parsed) == '\0' || g_uri_get_user (parsed) != NULL ||
      g_uri_get_query (parsed) != NULL || g_uri_get_fragment (parsed) != NULL ||
      (*path != '\0' && !g_str_equal (path, "/") &&
       !g_ascii_string_to_signed (path + 1, 10, 0, G_MAXINT, &db, NULL))) {
    g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN,
                 "%s: not a Redis URI (redis://HOST[:PORT][/DB]; no user or password)", shown);
    return FALSE;
  }

  if (out_host != NULL)
    *out_host = g_strdup (g_uri_get_host (parsed));
  if (out_port != NULL)
    *out_port = g_uri_get_port (parsed) > 0 ? g_uri_get_port (parsed) : 6379;
  if (out_db != NULL)
    *out_db = (int) db;

  return TRUE;
}

/* GObject */

static void
ag_engine_redis_engine_init (AgEngineInterface *iface)
{
  iface->user_attr_set = ag_engine_redis_user_attr_set;
  iface->user_attr_get = ag_engine_redis_user_attr_get;
  iface->user_attr_get_all = ag_engine_redis_user_attr_get_all;
  iface->offline_push = ag_engine_redis_offline_push;
  iface->offline_take = ag_engine_redis_offline_take;
  iface->offline_peek = ag_engine_redis_offline_peek;
  iface->offline_expire = ag_engine_redis_offline_expire;
  iface->offline_bytes = ag_engine_redis_offline_bytes;
  iface->uid_set = ag_engine_redis_uid_set;
  iface->uid_claim = ag_engine_redis_uid_claim;
  iface->channel_save = ag_engine_redis_channel_save;
  iface->channel_delete = ag_engine_redis_channel_delete;
  iface->load_app = ag_engine_redis_load_app;
  iface->commit = ag_engine_redis_commit;
}

static void
ag_engine_redis_finalize (GObject *object)
{
  AgEngineRedis *self = (AgEngineRedis *) object;

  /* What the last turn of the main loop wrote is sent; nothing waits for it any more. */
  if (self->context != NULL) {
    g_autoptr(GError) error = NULL;

    if (!ag_engine_commit (AG_ENGINE (self), &error))
      g_message ("%s", error->message);
  }

  g_clear_pointer (&self->context, redisFree);
  for (guint i = 0; i < N_SCRIPTS; i++)
    g_free (self->shas[i]);
  g_clear_pointer (&self->pending_channels, g_hash_table_unref);
  g_free (self->batch_error);
  g_free (self->epoch);
  g_free (self->host);
  g_free (self->uri);

  G_OBJECT_CLASS (ag_engine_redis_parent_class)->finalize (object);
}

static void
ag_engine_redis_class_init (AgEngineRedisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_engine_redis_finalize;
}

static void
ag_engine_redis_init (AgEngineRedis *self)
{
  self->pending_channels = ag_engine_pending_channels_new ();
}

/**
 * ag_engine_redis_new:
 * @uri: redis://HOST[:PORT][/DB]
 * @error: return location for an %AG_ENGINE_ERROR_OPEN error
 *
 * Connects to the Redis server and loads the engine's scripts into it.
 *
 * Returns: (transfer full) (nullable): a new #AgEngine, or %NULL with @error set
 */
AgEngine *
ag_engine_redis_new (const char  *uri,
                     GError     **error)
{
  g_autoptr(AgEngineRedis) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Command) bytes = command_new ("GET");
  g_autoptr(redisReply) reply = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AG_TYPE_ENGINE_REDIS, NULL);
  self->uri = g_strdup (uri);
  if (!ag_engine_redis_parse_uri (uri, &self->host, &self->port, &self->db, error))
    return NULL;

  command_add (bytes, KEY_OFFLINE_BYTES);
  reply = query (self, bytes, "reading the offline storage total", &local_error);
  if (reply == NULL) {
    g_set_error (error, AG_ENGINE_ERROR, AG_ENGINE_ERROR_OPEN, "%s", local_error->message);
    return NULL;
  }
  if (reply->type == REDIS_REPLY_STRING)
    self->offline_bytes = g_ascii_strtoull (reply->str, NULL, 10);

  return AG_ENGINE (g_steal_pointer (&self));
}

const char *
ag_engine_redis_get_uri (AgEngineRedis *self)
{
  g_return_val_if_fail (AG_IS_ENGINE_REDIS (self), NULL);

  return self->uri;
}
