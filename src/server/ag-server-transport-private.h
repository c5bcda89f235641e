/* ag-server-transport-private.h: what agsignald's transports format the same way */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The WebSocket close reason for a hub error code: "1105 LIMIT_E_SLOW_CONSUMER", or the bare
 * number for a code without a name. */
char *_ag_server_transport_close_reason     (int             code);

/* "host:port", "[v6-host]:port", or "unknown" for an address that is not an inet address. */
char *_ag_server_transport_describe_address (GSocketAddress *address);

/* The address host (an IP address literal) names, or NULL with G_IO_ERROR_INVALID_ARGUMENT. */
GInetAddress *_ag_server_transport_parse_host (const char      *host,
                                               GError         **error);

/* The WebSocket URI served on a listening address: "ws://127.0.0.1:8080/v1". */
char *_ag_server_transport_uri              (GSocketAddress *address);

G_END_DECLS
