/* test-epoll-http.c: the HTTP/1.1 front of agsignald's epoll transport
 *
 * The epoll transport parses requests itself (libsoup does it for the soup transport), so its
 * edges are tested here against a real agsignald started with --transport epoll.
 */

#define _GNU_SOURCE

#include <gio/gio.h>
#include <string.h>

#include "ag-test-server.h"

#define IO_TIMEOUT_S 10

static AgTestServer *server;

static GSocket *
connect_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address =
    g_inet_socket_address_new (loopback, ag_test_server_get_port (server));
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, IO_TIMEOUT_S);
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_assert_no_error (error);

  return socket;
}

static void
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         length)
{
  while (length > 0) {
    g_autoptr(GError) error = NULL;
    gssize sent = g_socket_send (socket, (const char *) data, length, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (sent, >, 0);
    data += sent;
    length -= sent;
  }
}

/* Reads until the peer ends the stream, or until stop_at appears when it is not NULL. */
static GString *
read_until (GSocket    *socket,
            const char *stop_at)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 1000; i++) {
    g_autoptr(GError) error = NULL;
    char buffer[4096];
    gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

    g_assert_no_error (error);
    if (n == 0)
      break;
    g_string_append_len (text, buffer, n);
    if (stop_at != NULL && memmem (text->str, text->len, stop_at, strlen (stop_at)) != NULL)
      break;
  }

  return text;
}

static GString *
exchange (const char *request)
{
  g_autoptr(GSocket) socket = connect_socket ();

  send_all (socket, (const guint8 *) request, strlen (request));

  return read_until (socket, NULL);
}

static void
test_healthz_head (void)
{
  g_autoptr(GString) response = exchange ("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (strstr (response->str, "Content-Length: 3\r\n"));
  /* No body after a HEAD. */
  g_assert_true (g_str_has_suffix (response->str, "\r\n\r\n"));
}

static void
test_method_not_allowed (void)
{
  g_autoptr(GString) response =
    exchange ("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 405 "));
  g_assert_nonnull (strstr (response->str, "Allow: GET, HEAD\r\n"));
}

static void
test_not_found (void)
{
  g_autoptr(GString) response = exchange ("GET /v2 HTTP/1.1\r\nHost: x\r\n\r\n");

  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 404 "));
}

static void
test_malformed_request_line (void)
{
  g_autoptr(GString) response = exchange ("HELLO\r\n\r\n");

  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 400 "));
}

static void
test_not_an_upgrade (void)
{
  g_autoptr(GString) response =
    exchange ("GET /v1 HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Protocol: agsignal.v1\r\n\r\n");

  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 400 "));
}

static void
test_header_too_large (void)
{
  g_autoptr(GSocket) socket = connect_socket ();
  g_autoptr(GString) request = g_string_new ("GET /healthz HTTP/1.1\r\nX-Padding: ");
  g_autoptr(GString) response = NULL;

  while (request->len < 9000)
    g_string_append_c (request, 'p');
  send_all (socket, (const guint8 *) request->str, request->len);

  response = read_until (socket, NULL);
  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 431 "));
}

/* A client may send its first frame right behind the upgrade request, before the 101. */
static void
test_frame_behind_upgrade (void)
{
  static const char request[] =
    "GET /v1 HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: chat, agsignal.v1\r\n\r\n";
  static const char ping[] = "{\"op\":\"ping\",\"id\":7}";
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr(GSocket) socket = connect_socket ();
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GString) response = NULL;
  guint8 header[2] = { 0x81, 0x80 | (sizeof ping - 1) };

  g_byte_array_append (bytes, (const guint8 *) request, sizeof request - 1);
  g_byte_array_append (bytes, header, sizeof header);
  g_byte_array_append (bytes, mask, sizeof mask);
  for (gsize i = 0; i < sizeof ping - 1; i++) {
    guint8 masked = ping[i] ^ mask[i % 4];

    g_byte_array_append (bytes, &masked, 1);
  }
  send_all (socket, bytes->data, bytes->len);

  response = read_until (socket, "\"id\":7");
  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 101 Switching Protocols\r\n"));
  /* RFC 6455's own example key. */
  g_assert_nonnull (strstr (response->str,
                            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
  g_assert_nonnull (strstr (response->str, "Sec-WebSocket-Protocol: agsignal.v1\r\n"));
  g_assert_nonnull (memmem (response->str, response->len, "\"id\":7", 6));
}

int
main (int   argc,
      char *argv[])
{
  static const char * const args[] = { "--transport", "epoll", NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = ag_test_server_new (NULL, args, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ag/epoll-http/healthz-head", test_healthz_head);
  g_test_add_func ("/ag/epoll-http/method-not-allowed", test_method_not_allowed);
  g_test_add_func ("/ag/epoll-http/not-found", test_not_found);
  g_test_add_func ("/ag/epoll-http/malformed-request-line", test_malformed_request_line);
  g_test_add_func ("/ag/epoll-http/not-an-upgrade", test_not_an_upgrade);
  g_test_add_func ("/ag/epoll-http/header-too-large", test_header_too_large);
  g_test_add_func ("/ag/epoll-http/frame-behind-upgrade", test_frame_behind_upgrade);

  status = g_test_run ();

  g_clear_pointer (&server, ag_test_server_free);

  return status;
}
