/* test-epoll-http.c: the HTTP/1.1 front of agsignald's epoll transport
 *
 * The epoll transport reads requests itself (with libsoup's header parser and the checks of
 * src/server/ag-http-request.c), so their edges are tested here against a real agsignald.
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

/* A WebSocket opening handshake with some lines changed: each case refuses what RFC 6455
 * (section 4.2.1) or RFC 9112 says a server must, with the status it names. */
#define UPGRADE_LINES \
  "Upgrade: websocket\r\n" \
  "Connection: Upgrade\r\n" \
  "Sec-WebSocket-Protocol: agsignal.v1\r\n"
#define GOOD_KEY     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define GOOD_VERSION "Sec-WebSocket-Version: 13\r\n"
#define GOOD_HOST    "Host: 127.0.0.1\r\n"

static const struct {
  const char *name;
  const char *request;
  gsize       length;    /* 0: strlen */
  const char *status;
} strict_cases[] = {
  { "empty key", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION
    "Sec-WebSocket-Key: \r\n\r\n", 0, "400" },
  { "key not base64", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION
    "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n\r\n", 0, "400" },
  { "key of 8 bytes", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION
    "Sec-WebSocket-Key: AAAAAAAAAAA=\r\n\r\n", 0, "400" },
  { "two keys", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION GOOD_KEY
    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n", 0, "400" },
  { "HTTP/1.0", "GET /v1 HTTP/1.0\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION GOOD_KEY "\r\n",
    0, "400" },
  { "HTTP/2.0", "GET /v1 HTTP/2.0\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION GOOD_KEY "\r\n",
    0, "505" },
  { "no Host", "GET /v1 HTTP/1.1\r\n" UPGRADE_LINES GOOD_VERSION GOOD_KEY "\r\n", 0, "400" },
  { "two Hosts", "GET /v1 HTTP/1.1\r\n" GOOD_HOST "Host: example.com\r\n" UPGRADE_LINES
    GOOD_VERSION GOOD_KEY "\r\n", 0, "400" },
  { "NUL in a header", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_VERSION GOOD_KEY
    "X-Note: a\0b\r\n\r\n", sizeof ("GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES
    GOOD_VERSION GOOD_KEY "X-Note: a\0b\r\n\r\n") - 1, "400" },
  { "space before a colon", "GET /v1 HTTP/1.1\r\n" GOOD_HOST "X-Note : a\r\n" UPGRADE_LINES
    GOOD_VERSION GOOD_KEY "\r\n", 0, "400" },
  { "line without a colon", "GET /v1 HTTP/1.1\r\n" GOOD_HOST "X-Note\r\n" UPGRADE_LINES
    GOOD_VERSION GOOD_KEY "\r\n", 0, "400" },
  { "version 8", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_KEY
    "Sec-WebSocket-Version: 8\r\n\r\n", 0, "426" },
  { "two versions", "GET /v1 HTTP/1.1\r\n" GOOD_HOST UPGRADE_LINES GOOD_KEY GOOD_VERSION
    GOOD_VERSION "\r\n", 0, "400" },
  { "two Content-Lengths", "GET /metrics HTTP/1.1\r\n" GOOD_HOST "Content-Length: 0\r\n"
    "Content-Length: 0\r\n\r\n", 0, "400" },
  { "Content-Length not a number", "POST /v1/admin HTTP/1.1\r\n" GOOD_HOST
    "Content-Length: +2\r\n\r\n{}", 0, "400" },
  { "Transfer-Encoding", "POST /v1/admin HTTP/1.1\r\n" GOOD_HOST
    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, "501" },
};

static void
test_strict_request (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr(GSocket) socket = connect_socket ();
  g_autoptr(GString) response = NULL;
  g_autofree char *status = g_strdup_printf (" %s ", strict_cases[i].status);
  gsize length = strict_cases[i].length != 0 ? strict_cases[i].length
                                              : strlen (strict_cases[i].request);

  send_all (socket, (const guint8 *) strict_cases[i].request, length);
  response = read_until (socket, "\r\n\r\n");
  if (!g_str_has_prefix (response->str, "HTTP/1.") || strncmp (response->str + 8, status,
                                                                strlen (status)) != 0)
    g_error ("%s: expected%s, got: %s", strict_cases[i].name, status, response->str);

  /* RFC 6455, section 4.4: the versions the server speaks. */
  if (g_str_equal (strict_cases[i].status, "426"))
    g_assert_nonnull (strstr (response->str, "\r\nSec-WebSocket-Version: 13\r\n"));
}

/* The same handshake with every line right is accepted, headers in any case and order. */
static void
test_strict_request_accepts (void)
{
  static const char request[] = "GET /v1?x=1 HTTP/1.1\r\n"
                                "sec-websocket-version: 13\r\n"
                                "connection: keep-alive, upgrade\r\n"
                                "HOST: [::1]:7070\r\n"
                                "upgrade: WebSocket\r\n"
                                "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
                                "sec-websocket-protocol: agsignal.v1\r\n\r\n";
  g_autoptr(GSocket) socket = connect_socket ();
  g_autoptr(GString) response = NULL;

  send_all (socket, (const guint8 *) request, sizeof request - 1);
  response = read_until (socket, "\r\n\r\n");

  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 101 Switching Protocols\r\n"));
}

/* Slowloris: a request that never completes is dropped (10 s, checked every 5 s), and other
 * clients are served meanwhile. */
static void
test_incomplete_request_dropped (void)
{
  g_autoptr(GSocket) slow = connect_socket ();
  g_autoptr(GString) served = NULL;
  g_autoptr(GString) rest = NULL;
  static const char partial[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Trickle: a";

  send_all (slow, (const guint8 *) partial, sizeof partial - 1);
  served = exchange ("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  g_assert_true (g_str_has_prefix (served->str, "HTTP/1.1 200 OK\r\n"));

  /* The server closes it without an answer; the wait is bounded by the socket timeout. */
  g_socket_set_timeout (slow, 30);
  rest = read_until (slow, NULL);
  g_assert_cmpuint (rest->len, ==, 0);
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
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = ag_test_server_new (NULL, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ag/epoll-http/healthz-head", test_healthz_head);
  g_test_add_func ("/ag/epoll-http/method-not-allowed", test_method_not_allowed);
  g_test_add_func ("/ag/epoll-http/not-found", test_not_found);
  g_test_add_func ("/ag/epoll-http/malformed-request-line", test_malformed_request_line);
  g_test_add_func ("/ag/epoll-http/not-an-upgrade", test_not_an_upgrade);
  g_test_add_func ("/ag/epoll-http/header-too-large", test_header_too_large);
  g_test_add_func ("/ag/epoll-http/frame-behind-upgrade", test_frame_behind_upgrade);
  g_test_add_func ("/ag/epoll-http/incomplete-request-dropped", test_incomplete_request_dropped);
  g_test_add_func ("/ag/epoll-http/strict/accepts", test_strict_request_accepts);
  for (guint i = 0; i < G_N_ELEMENTS (strict_cases); i++) {
    g_autofree char *slug = g_ascii_strdown (strict_cases[i].name, -1);
    g_autofree char *path = g_strconcat ("/ag/epoll-http/strict/",
                                         g_strdelimit (slug, " /", '-'), NULL);

    g_test_add_data_func (path, GUINT_TO_POINTER (i), test_strict_request);
  }

  status = g_test_run ();

  g_clear_pointer (&server, ag_test_server_free);

  return status;
}
