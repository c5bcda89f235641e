/* ag-server-transport.h: what agsignald's main needs from a transport carrying AgHub
 *
 * AgEpollServer (one epoll set, wslay framing, coalesced writes) implements it; a SoupServer
 * transport did too until it was removed (docs/server.md, "Why there is no SoupServer
 * transport any more"). It serves "/v1" (WebSocket, subprotocol agsignal.v1), "/healthz",
 * "/metrics" and "/v1/admin". See docs/server.md.
 */
#pragma once

#include <gio/gio.h>

#include "ag-hub.h"

G_BEGIN_DECLS

#define AG_TYPE_SERVER_TRANSPORT (ag_server_transport_get_type ())

G_DECLARE_INTERFACE (AgServerTransport, ag_server_transport, AG, SERVER_TRANSPORT, GObject)

struct _AgServerTransportInterface {
  GTypeInterface parent_iface;

  AgHub      *(*get_hub)           (AgServerTransport    *self);
  gboolean    (*listen)            (AgServerTransport    *self,
                                    const char           *host,
                                    guint16               port,
                                    GError              **error);
  const char *(*get_uri)           (AgServerTransport    *self);
  guint16     (*get_port)          (AgServerTransport    *self);
  guint       (*get_n_connections) (AgServerTransport    *self);
  char       *(*render_metrics)    (AgServerTransport    *self);
  void        (*shutdown_async)    (AgServerTransport    *self,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
  gboolean    (*shutdown_finish)   (AgServerTransport    *self,
                                    GAsyncResult         *result,
                                    GError              **error);
};

/* The hub the transport feeds; apps are added through it. */
AgHub        *ag_server_transport_get_hub           (AgServerTransport    *self);

/* Binds host (an IP address literal) and port (0: any free port) with a listen backlog of
 * 1024 and starts serving. Can be called more than once to listen on several addresses. */
gboolean      ag_server_transport_listen            (AgServerTransport    *self,
                                                     const char           *host,
                                                     guint16               port,
                                                     GError              **error);

/* The WebSocket URI of the first address listened on, or NULL before listening. */
const char   *ag_server_transport_get_uri           (AgServerTransport    *self);
/* The port actually bound by the first listen, or 0. */
guint16       ag_server_transport_get_port          (AgServerTransport    *self);
/* Open WebSocket connections. */
guint         ag_server_transport_get_n_connections (AgServerTransport    *self);
/* The /metrics document (Prometheus text format 0.0.4). */
char         *ag_server_transport_render_metrics    (AgServerTransport    *self);

/* Stops listening, closes every connection with WebSocket status 1001 and completes once
 * they are closed, or after a few seconds for peers that do not answer. */
void          ag_server_transport_shutdown_async    (AgServerTransport    *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean      ag_server_transport_shutdown_finish   (AgServerTransport    *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
