/* ag-server.h: agsignald's SoupServer transport carrying AgHub over WebSockets
 *
 * Routes: "/v1" (WebSocket, subprotocol agsignal.v1), "/healthz" and "/metrics"
 * (Prometheus text). Implements AgServerTransport. See docs/server.md.
 */
#pragma once

#include <gio/gio.h>

#include "ag-engine.h"
#include "ag-hub.h"
#include "ag-server-transport.h"

G_BEGIN_DECLS

#define AG_TYPE_SERVER (ag_server_get_type ())

G_DECLARE_FINAL_TYPE (AgServer, ag_server, AG, SERVER, GObject)

/* The server creates its hub on engine (it is the hub's sink). */
AgServer     *ag_server_new                 (AgEngine             *engine);

AgHub        *ag_server_get_hub             (AgServer             *self);

/* Binds host (an IP address literal) and port (0: any free port) with a listen backlog of
 * 1024 and starts serving. Can be called more than once to listen on several addresses. */
gboolean      ag_server_listen              (AgServer             *self,
                                             const char           *host,
                                             guint16               port,
                                             GError              **error);

/* The WebSocket URI of the first address listened on ("ws://127.0.0.1:7070/v1"), or NULL
 * before ag_server_listen(). */
const char   *ag_server_get_uri             (AgServer             *self);
/* The port actually bound by the first ag_server_listen(), or 0. */
guint16       ag_server_get_port            (AgServer             *self);

/* Open WebSocket connections. */
guint         ag_server_get_n_connections   (AgServer             *self);

/* The /metrics document (Prometheus text format 0.0.4). */
char         *ag_server_render_metrics      (AgServer             *self);

/* Stops listening, closes every connection with WebSocket status 1001 and completes once
 * they are closed (and the hub has seen them closed), or after a few seconds for peers that
 * do not answer the closing handshake. */
void          ag_server_shutdown_async      (AgServer             *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean      ag_server_shutdown_finish     (AgServer             *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
