/* ag-epoll-server.h: agsignald's high-volume transport
 *
 * One epoll set behind one GSource, a small HTTP/1.1 parser for the upgrade, /healthz and
 * /metrics, WebSocket parsing by wslay, and all queued frames of a connection written with
 * one writev(). Implements AgServerTransport. See docs/server.md.
 */
#pragma once

#include <gio/gio.h>

#include "ag-engine.h"
#include "ag-hub.h"
#include "ag-server-transport.h"

G_BEGIN_DECLS

#define AG_TYPE_EPOLL_SERVER (ag_epoll_server_get_type ())

G_DECLARE_FINAL_TYPE (AgEpollServer, ag_epoll_server, AG, EPOLL_SERVER, GObject)

/* The server creates its hub on engine (it is the hub's sink). NULL with error when the
 * epoll set cannot be created. */
AgEpollServer *ag_epoll_server_new (AgEngine  *engine,
                                    GError   **error);

G_END_DECLS
