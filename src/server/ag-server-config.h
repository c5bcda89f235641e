/* ag-server-config.h: agsignald's configuration file (docs/server.md)
 *
 * A GKeyFile with one [app:ID] group per app and an optional [server] group:
 *
 *   [server]
 *   listen=127.0.0.1:7070
 *   state=/var/lib/agsignald/state.db
 *   state_sync=normal
 *   engine=redis://127.0.0.1:6379/0   (instead of state: the Redis engine)
 *   max_offline_bytes=268435456
 *   memory_budget=1073741824
 *
 *   [app:demo]
 *   certificate=0123456789abcdef
 *   allow_no_token=true
 *   user_msg_rate=60
 *   channel_msg_rate=200
 *   user_request_rate=50
 *   max_channels=100000
 *   admin_key=...            (docs/admin-api.md; [server] may have one for every app)
 */
#pragma once

#include <glib.h>

#include "ag-engine-sqlite.h"
#include "ag-hub.h"

G_BEGIN_DECLS

#define AG_SERVER_CONFIG_ERROR (ag_server_config_error_quark ())

typedef enum {
  AG_SERVER_CONFIG_ERROR_PARSE,    /* not a key file */
  AG_SERVER_CONFIG_ERROR_INVALID,  /* a key file, but a group, key or value is not accepted */
} AgServerConfigError;

#define AG_SERVER_DEFAULT_LISTEN "127.0.0.1:7070"

/* The state path that keeps agsignald's state in memory only, as with no state path. */
#define AG_SERVER_STATE_MEMORY ":memory:"

typedef struct {
  char               *listen_host;   /* NULL until a [server] listen= or a call sets it */
  guint16             listen_port;
  GPtrArray          *apps;          /* of AgAppConfig*, in file order, app ids unique */
  char               *state_path;    /* NULL: no state file (the memory engine) */
  AgEngineSqliteSync  state_sync;
  char               *engine_uri;    /* redis://...: the Redis engine; excludes state_path */
  char               *admin_key;     /* [server] admin_key: opens every app; NULL when unset */
  guint64             max_offline_bytes; /* 0: AG_DEFAULT_OFFLINE_BYTES */
  guint64             memory_budget; /* 0: AG_DEFAULT_MEMORY_BUDGET */
} AgServerConfig;

GQuark          ag_server_config_error_quark (void);

AgServerConfig *ag_server_config_new         (void);
void            ag_server_config_free        (AgServerConfig    *config);

/* Reads a configuration file. Apps are added to (or replace those of the same id in) config;
 * a listen= in the file replaces config's address. Errors name the file and line. */
gboolean        ag_server_config_load_file   (AgServerConfig    *config,
                                              const char        *path,
                                              GError           **error);
/* The same for text in memory; display_name stands for the file name in errors. */
gboolean        ag_server_config_load_data   (AgServerConfig    *config,
                                              const char        *data,
                                              gssize             length,
                                              const char        *display_name,
                                              GError           **error);

/* Adds an app, or replaces the app of the same id. The config is copied. */
void            ag_server_config_add_app     (AgServerConfig    *config,
                                              const AgAppConfig *app);
const AgAppConfig *ag_server_config_find_app (AgServerConfig    *config,
                                              const char        *app_id);

/* Parses "HOST:PORT" ("127.0.0.1:7070", "[::1]:7070"; port 0 asks for any free port).
 * HOST must be an IP address literal. */
gboolean        ag_server_parse_listen       (const char        *text,
                                              char             **out_host,
                                              guint16           *out_port,
                                              GError           **error);

/* Parses a state_sync value: "normal" or "full". */
gboolean        ag_server_parse_state_sync   (const char        *text,
                                              AgEngineSqliteSync *out_sync,
                                              GError           **error);

/* An app id is 1-128 characters without whitespace, control characters or ':' (the
 * separator of SignalingTokens). */
gboolean        ag_server_check_app_id       (const char        *app_id,
                                              GError           **error);

/* An admin key is 16-1024 characters without spaces or control characters. */
gboolean        ag_server_check_admin_key    (const char        *key,
                                              GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgServerConfig, ag_server_config_free)

G_END_DECLS
