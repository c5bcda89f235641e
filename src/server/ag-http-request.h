/* ag-http-request.h: the head of an HTTP/1.x request, parsed and checked for the epoll
 * transport (docs/server.md, "HTTP requests").
 *
 * libsoup parses the request line and the header fields (it refuses NUL bytes and unknown
 * major versions); this adds what RFC 9112 and RFC 6455 ask of a server that libsoup's parser
 * leaves to its caller: lines it would silently drop, duplicated fields that must appear once,
 * a missing Host, and the checks of a WebSocket opening handshake. Pure functions, no I/O.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  char               *method;
  char               *path;       /* the request target without its query */
  SoupHTTPVersion     version;
  SoupMessageHeaders *headers;
} AgHttpRequest;

/* Parses head (the request up to and including its blank line). Returns 0 with request
 * filled, or the status to answer with (400, 501, 505) and a reason for the body. */
guint        ag_http_request_parse          (const char     *head,
                                             gsize           length,
                                             AgHttpRequest  *request,
                                             const char    **out_reason);
void         ag_http_request_clear          (AgHttpRequest  *request);

/* The checks of ag_http_request_parse() that need only the parsed fields (duplicates, Host,
 * Content-Length): 0, or the status to answer with and a reason. */
guint        ag_http_request_check_fields   (const AgHttpRequest *request,
                                             const char    **out_reason);

/* Checks a parsed request as a WebSocket opening handshake (RFC 6455, section 4.2.1).
 * Returns 0 with *out_key set to its Sec-WebSocket-Key, or the status to answer with (400,
 * or 426 for an unsupported Sec-WebSocket-Version: the response must then carry
 * "Sec-WebSocket-Version: 13") and a reason. */
guint        ag_http_request_check_upgrade  (const AgHttpRequest *request,
                                             const char    **out_key,
                                             const char    **out_reason);

/* Whether the field name lists token (a comma-separated list, case-insensitive). */
gboolean     ag_http_request_lists          (const AgHttpRequest *request,
                                             const char     *name,
                                             const char     *token);

/* The reason phrase of a status code. */
const char  *ag_http_status_phrase          (guint           status);

G_END_DECLS
