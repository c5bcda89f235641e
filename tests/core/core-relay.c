/* core-relay.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <libsoup/soup.h>

#include "core-relay.h"

struct _CoreRelay {
  SoupServer  *server;
  SoupSession *session;
  char        *uri;
  char        *upstream_uri;
  GPtrArray   *pairs;
  GPtrArray   *ended;      /* pairs freed from an idle: never inside their own emissions */
  guint        ended_idle;
  guint        n_accepted;
  gboolean     stalled;
};

typedef struct {
  CoreRelay               *relay;
  SoupWebsocketConnection *down;
  SoupWebsocketConnection *up;
  GCancellable            *cancellable;
  GQueue                   to_up;     /* GBytes held until up is open or the relay resumes */
  GQueue                   to_down;
} Pair;

static const char *protocols[] = { "agsignal.v1", NULL };

static void
pair_free (Pair *pair)
{
  g_cancellable_cancel (pair->cancellable);
  g_clear_object (&pair->cancellable);
  if (pair->down != NULL)
    g_signal_handlers_disconnect_by_data (pair->down, pair);
  if (pair->up != NULL)
    g_signal_handlers_disconnect_by_data (pair->up, pair);
  g_clear_object (&pair->down);
  g_clear_object (&pair->up);
  g_queue_clear_full (&pair->to_up, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&pair->to_down, (GDestroyNotify) g_bytes_unref);
  g_free (pair);
}

static gboolean
is_open (SoupWebsocketConnection *connection)
{
  return connection != NULL &&
         soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
close_if_open (SoupWebsocketConnection *connection,
               gushort                  code)
{
  if (is_open (connection))
    soup_websocket_connection_close (connection, code, NULL);
}

static gboolean
free_ended_cb (gpointer data)
{
  CoreRelay *relay = data;

  relay->ended_idle = 0;
  g_ptr_array_set_size (relay->ended, 0);

  return G_SOURCE_REMOVE;
}

/* Ends a pair: both sides are closed and the pair forgotten. */
static void
pair_end (Pair *pair)
{
  CoreRelay *relay = pair->relay;

  if (!g_ptr_array_remove_fast (relay->pairs, pair))
    return;

  g_cancellable_cancel (pair->cancellable);
  g_signal_handlers_disconnect_by_data (pair->down, pair);
  if (pair->up != NULL)
    g_signal_handlers_disconnect_by_data (pair->up, pair);
  close_if_open (pair->down, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  close_if_open (pair->up, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);

  g_ptr_array_add (relay->ended, pair);
  if (relay->ended_idle == 0)
    relay->ended_idle = g_idle_add (free_ended_cb, relay);
}

static void
flush (Pair *pair)
{
  if (pair->relay->stalled)
    return;

  while (is_open (pair->up) && !g_queue_is_empty (&pair->to_up)) {
    g_autoptr(GBytes) bytes = g_queue_pop_head (&pair->to_up);

    soup_websocket_connection_send_message (pair->up, SOUP_WEBSOCKET_DATA_TEXT, bytes);
  }

  while (is_open (pair->down) && !g_queue_is_empty (&pair->to_down)) {
    g_autoptr(GBytes) bytes = g_queue_pop_head (&pair->to_down);

    soup_websocket_connection_send_message (pair->down, SOUP_WEBSOCKET_DATA_TEXT, bytes);
  }
}

static void
down_message_cb (SoupWebsocketConnection *connection,
                 int                      type,
                 GBytes                  *message,
                 Pair                    *pair)
{
  g_queue_push_tail (&pair->to_up, g_bytes_ref (message));
  flush (pair);
}

static void
up_message_cb (SoupWebsocketConnection *connection,
               int                      type,
               GBytes                  *message,
               Pair                    *pair)
{
  g_queue_push_tail (&pair->to_down, g_bytes_ref (message));
  flush (pair);
}

static void
side_closed_cb (SoupWebsocketConnection *connection,
                Pair                    *pair)
{
  pair_end (pair);
}

static void
up_connected_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(SoupWebsocketConnection) up = NULL;
  g_autoptr(GError) error = NULL;

  up = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (up == NULL) {
    pair_end (pair);
    return;
  }

  pair->up = g_steal_pointer (&up);
  g_signal_connect (pair->up, "message", G_CALLBACK (up_message_cb), pair);
  g_signal_connect (pair->up, "closed", G_CALLBACK (side_closed_cb), pair);
  flush (pair);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *message,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  CoreRelay *relay = user_data;
  g_autoptr(SoupMessage) upstream = NULL;
  Pair *pair;

  relay->n_accepted++;

  pair = g_new0 (Pair, 1);
  pair->relay = relay;
  pair->down = g_object_ref (connection);
  pair->cancellable = g_cancellable_new ();
  g_queue_init (&pair->to_up);
  g_queue_init (&pair->to_down);
  g_ptr_array_add (relay->pairs, pair);

  g_signal_connect (pair->down, "message", G_CALLBACK (down_message_cb), pair);
  g_signal_connect (pair->down, "closed", G_CALLBACK (side_closed_cb), pair);

  upstream = soup_message_new (SOUP_METHOD_GET, relay->upstream_uri);
  soup_session_websocket_connect_async (relay->session, upstream, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, pair->cancellable,
                                        up_connected_cb, pair);
}

CoreRelay *
core_relay_new (const char      *upstream_uri,
                GTlsCertificate *certificate)
{
  CoreRelay *relay = g_new0 (CoreRelay, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint port;

  relay->pairs = g_ptr_array_new ();
  relay->ended = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);
  relay->upstream_uri = g_strdup (upstream_uri);
  relay->session = soup_session_new ();
  relay->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_websocket_handler (relay->server, "/v1", NULL, (char **) protocols,
                                     websocket_cb, relay, NULL);

  soup_server_listen_local (relay->server, 0,
                            SOUP_SERVER_LISTEN_IPV4_ONLY |
                            (certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0),
                            &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (relay->server);
  g_assert_nonnull (uris);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  relay->uri = g_strdup_printf ("%s://127.0.0.1:%u/v1", certificate != NULL ? "wss" : "ws", port);

  return relay;
}

void
core_relay_free (CoreRelay *relay)
{
  core_relay_cut (relay);
  /* Let the close frames go out before the connections are dropped. */
  for (guint i = 0; i < 10 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_handle_id (&relay->ended_idle, g_source_remove);
  g_ptr_array_unref (relay->ended);
  g_ptr_array_unref (relay->pairs);

  soup_server_disconnect (relay->server);
  g_clear_object (&relay->server);
  soup_session_abort (relay->session);
  g_clear_object (&relay->session);
  g_free (relay->uri);
  g_free (relay->upstream_uri);
  g_free (relay);
}

const char *
core_relay_get_uri (CoreRelay *relay)
{
  return relay->uri;
}

void
core_relay_set_upstream (CoreRelay  *relay,
                         const char *upstream_uri)
{
  g_free (relay->upstream_uri);
  relay->upstream_uri = g_strdup (upstream_uri);
}

void
core_relay_cut (CoreRelay *relay)
{
  while (relay->pairs->len > 0)
    pair_end (g_ptr_array_index (relay->pairs, 0));
}

void
core_relay_set_stalled (CoreRelay *relay,
                        gboolean   stalled)
{
  relay->stalled = stalled;

  if (!stalled)
    for (guint i = 0; i < relay->pairs->len; i++)
      flush (g_ptr_array_index (relay->pairs, i));
}

guint
core_relay_get_n_accepted (CoreRelay *relay)
{
  return relay->n_accepted;
}

guint
core_relay_get_n_open (CoreRelay *relay)
{
  return relay->pairs->len;
}
