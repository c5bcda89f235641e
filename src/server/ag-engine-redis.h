/* ag-engine-redis.h: the AgEngine that keeps everything in a Redis server */
#pragma once

#include <glib-object.h>

#include "ag-engine.h"

G_BEGIN_DECLS

#define AG_TYPE_ENGINE_REDIS (ag_engine_redis_get_type ())

G_DECLARE_FINAL_TYPE (AgEngineRedis, ag_engine_redis, AG, ENGINE_REDIS, GObject)

/* How long one connect or one reply may take before the connection counts as lost. */
#define AG_ENGINE_REDIS_TIMEOUT_MS    1000
/* How long after a failed connect the next one is tried; requests fail at once meanwhile. */
#define AG_ENGINE_REDIS_RECONNECT_MS  1000

/* Checks a redis://HOST:PORT[/DB] URI; the parts are optional outputs. */
gboolean    ag_engine_redis_parse_uri (const char  *uri,
                                       char       **out_host,
                                       int         *out_port,
                                       int         *out_db,
                                       GError     **error);

/* Connects to the Redis server at uri. NULL with AG_ENGINE_ERROR_OPEN when the URI is not
 * valid or the server cannot be reached at start-up; later outages are storage errors and
 * the engine reconnects by itself. */
AgEngine   *ag_engine_redis_new       (const char  *uri,
                                       GError     **error);

const char *ag_engine_redis_get_uri   (AgEngineRedis *self);

G_END_DECLS
