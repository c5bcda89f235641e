/* ag-console-embedded-server.h: an agsignald child process on 127.0.0.1 with the demo app
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * AgConsoleEmbeddedServerState:
 * @AG_CONSOLE_EMBEDDED_SERVER_STOPPED: not started, stopped, or exited
 * @AG_CONSOLE_EMBEDDED_SERVER_STARTING: spawned, waiting for its address
 * @AG_CONSOLE_EMBEDDED_SERVER_RUNNING: listening, see the "uri" property
 * @AG_CONSOLE_EMBEDDED_SERVER_FAILED: could not be started, see the "error" property
 */
typedef enum {
  AG_CONSOLE_EMBEDDED_SERVER_STOPPED,
  AG_CONSOLE_EMBEDDED_SERVER_STARTING,
  AG_CONSOLE_EMBEDDED_SERVER_RUNNING,
  AG_CONSOLE_EMBEDDED_SERVER_FAILED,
} AgConsoleEmbeddedServerState;

#define AG_CONSOLE_EMBEDDED_SERVER_APP_ID "demo"

#define AG_CONSOLE_TYPE_EMBEDDED_SERVER (ag_console_embedded_server_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleEmbeddedServer, ag_console_embedded_server, AG_CONSOLE, EMBEDDED_SERVER, GObject)

/* program: the agsignald to run, or NULL to look for it (env AGSIGNALD, then the installed
 * one, then PATH). */
AgConsoleEmbeddedServer      *ag_console_embedded_server_new          (const char               *program);

/* The agsignald the server would run when created with program NULL, or NULL if none is
 * found. */
char                         *ag_console_embedded_server_find_program (void);

const char                   *ag_console_embedded_server_get_program  (AgConsoleEmbeddedServer  *self);
/* The state file the server keeps the demo app's durable state in (agsignald --state), or
 * NULL for none (memory only). Used by the next start. */
const char                   *ag_console_embedded_server_get_state_path (AgConsoleEmbeddedServer *self);
void                          ag_console_embedded_server_set_state_path (AgConsoleEmbeddedServer *self,
                                                                         const char              *state_path);
AgConsoleEmbeddedServerState  ag_console_embedded_server_get_state    (AgConsoleEmbeddedServer  *self);
/* "ws://127.0.0.1:PORT/v1" while running, else NULL. */
const char                   *ag_console_embedded_server_get_uri      (AgConsoleEmbeddedServer  *self);
/* The server-wide admin key the server was started with (a fresh random one per start, never
 * written anywhere but to a 0600 file the server reads and that is removed once it listens),
 * while running, else NULL. */
const char                   *ag_console_embedded_server_get_admin_key (AgConsoleEmbeddedServer *self);
/* Why the server is FAILED or exited, else NULL. */
const GError                 *ag_console_embedded_server_get_error    (AgConsoleEmbeddedServer  *self);

/* Spawns agsignald with --listen 127.0.0.1:0 --demo --admin-key-file (and --state) and completes with its URI once it
 * prints it, or with G_IO_ERROR_TIMED_OUT after timeout_ms (the child is then killed). */
void                          ag_console_embedded_server_start_async  (AgConsoleEmbeddedServer  *self,
                                                                       guint                     timeout_ms,
                                                                       GCancellable             *cancellable,
                                                                       GAsyncReadyCallback       callback,
                                                                       gpointer                  user_data);
char                         *ag_console_embedded_server_start_finish (AgConsoleEmbeddedServer  *self,
                                                                       GAsyncResult             *result,
                                                                       GError                  **error);

/* Sends SIGTERM and waits (iterating the thread-default main context) at most timeout_ms
 * for the process to exit, then kills it. */
void                          ag_console_embedded_server_stop         (AgConsoleEmbeddedServer  *self,
                                                                       guint                     timeout_ms);

G_END_DECLS
