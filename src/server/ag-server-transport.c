/* ag-server-transport.c: the interface between agsignald's main and its transports */

#include "ag-server-transport.h"
#include "ag-server-transport-private.h"

#include <string.h>

#include "ag-error.h"
#include "ag-limits.h"

G_DEFINE_INTERFACE (AgServerTransport, ag_server_transport, G_TYPE_OBJECT)

static void
ag_server_transport_default_init (AgServerTransportInterface *iface)
{
}

AgHub *
ag_server_transport_get_hub (AgServerTransport *self)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), NULL);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->get_hub (self);
}

gboolean
ag_server_transport_listen (AgServerTransport  *self,
                            const char         *host,
                            guint16             port,
                            GError            **error)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->listen (self, host, port, error);
}

const char *
ag_server_transport_get_uri (AgServerTransport *self)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), NULL);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->get_uri (self);
}

guint16
ag_server_transport_get_port (AgServerTransport *self)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), 0);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->get_port (self);
}

guint
ag_server_transport_get_n_connections (AgServerTransport *self)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), 0);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->get_n_connections (self);
}

char *
ag_server_transport_render_metrics (AgServerTransport *self)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), NULL);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->render_metrics (self);
}

void
ag_server_transport_shutdown_async (AgServerTransport   *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (AG_IS_SERVER_TRANSPORT (self));

  AG_SERVER_TRANSPORT_GET_IFACE (self)->shutdown_async (self, cancellable, callback, user_data);
}

gboolean
ag_server_transport_shutdown_finish (AgServerTransport  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (AG_IS_SERVER_TRANSPORT (self), FALSE);

  return AG_SERVER_TRANSPORT_GET_IFACE (self)->shutdown_finish (self, result, error);
}

char *
_ag_server_transport_close_reason (int code)
{
  const char *name = ag_error_code_name (code);

  if (name == NULL)
    return g_strdup_printf ("%d", code);

  return g_strdup_printf ("%d %s", code, name);
}

char *
_ag_server_transport_describe_address (GSocketAddress *address)
{
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  host = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));

  return g_strdup_printf (strchr (host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

GInetAddress *
_ag_server_transport_parse_host (const char  *host,
                                 GError     **error)
{
  GInetAddress *address = g_inet_address_new_from_string (host);

  if (address == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "'%s' is not an IP address", host);

  return address;
}

char *
_ag_server_transport_uri (GSocketAddress *address)
{
  g_autofree char *authority = _ag_server_transport_describe_address (address);

  return g_strdup_printf ("ws://%s%s", authority, AG_WEBSOCKET_PATH);
}
