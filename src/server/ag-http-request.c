/* ag-http-request.c: the head of an HTTP/1.x request, parsed by libsoup and checked as
 * RFC 9112 and RFC 6455 ask */

#include "ag-http-request.h"

#include <string.h>

/* Fields a request may carry once: two of them are ambiguous, and RFC 9112 (section 3.2 for
 * Host, 6.3 for Content-Length) and RFC 6455 (section 11.3.1 for the key) say so. */
static const char * const single_fields[] = {
  "Host", "Content-Length", "Authorization", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
};

typedef struct {
  guint fields;
  guint counts[G_N_ELEMENTS (single_fields)];
} FieldCount;

static void
count_field_cb (const char *name,
                const char *value,
                gpointer    user_data)
{
  FieldCount *count = user_data;

  count->fields++;
  for (guint i = 0; i < G_N_ELEMENTS (single_fields); i++) {
    if (g_ascii_strcasecmp (name, single_fields[i]) == 0)
      count->counts[i]++;
  }
}

/* The field lines of head, continuation lines (obsolete line folding) not counted: libsoup
 * folds those into the field before them, but drops a line without a colon or with
 * whitespace before it, which RFC 9112 (section 5.1) requires a server to refuse. */
static guint
count_field_lines (const char *head,
                   gsize       length)
{
  const char *end = head + length;
  const char *line = memchr (head, '\n', length);
  guint lines = 0;

  while (line != NULL && ++line < end) {
    if (*line == '\r' || *line == '\n')
      break;
    if (*line != ' ' && *line != '\t')
      lines++;
    line = memchr (line, '\n', end - line);
  }

  return lines;
}

static gboolean
is_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;

  for (; *text != '\0'; text++) {
    if (!g_ascii_isdigit (*text))
      return FALSE;
  }

  return TRUE;
}

guint
ag_http_request_parse (const char     *head,
                       gsize           length,
                       AgHttpRequest  *request,
                       const char    **out_reason)
{
  FieldCount count = { 0, };
  char *query;
  guint status;

  g_return_val_if_fail (head != NULL, 400);
  g_return_val_if_fail (request != NULL, 400);
  g_return_val_if_fail (out_reason != NULL, 400);

  memset (request, 0, sizeof *request);
  *out_reason = "bad request";

  if (length > G_MAXINT)
    return SOUP_STATUS_BAD_REQUEST;

  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  status = soup_headers_parse_request (head, (int) length, request->headers, &request->method,
                                       &request->path, &request->version);
  if (status != SOUP_STATUS_OK) {
    if (status == SOUP_STATUS_HTTP_VERSION_NOT_SUPPORTED)
      *out_reason = "only HTTP/1.0 and HTTP/1.1 are supported";
    return status;
  }

  query = strchr (request->path, '?');
  if (query != NULL)
    *query = '\0';

  soup_message_headers_foreach (request->headers, count_field_cb, &count);
  if (count.fields != count_field_lines (head, length)) {
    *out_reason = "malformed header line";
    return SOUP_STATUS_BAD_REQUEST;
  }

  /* Bodies are read by Content-Length only (RFC 9112, section 6.1). */
  if (soup_message_headers_get_list (request->headers, "Transfer-Encoding") != NULL) {
    *out_reason = "Transfer-Encoding is not supported";
    return SOUP_STATUS_NOT_IMPLEMENTED;
  }

  return ag_http_request_check_fields (request, out_reason);
}

guint
ag_http_request_check_fields (const AgHttpRequest  *request,
                              const char          **out_reason)
{
  FieldCount count = { 0, };
  const char *host;
  const char *content_length;

  g_return_val_if_fail (request != NULL && request->headers != NULL, 400);
  g_return_val_if_fail (out_reason != NULL, 400);

  soup_message_headers_foreach (request->headers, count_field_cb, &count);

  for (guint i = 0; i < G_N_ELEMENTS (single_fields); i++) {
    if (count.counts[i] > 1) {
      *out_reason = "a header that may appear once appears twice";
      return SOUP_STATUS_BAD_REQUEST;
    }
  }

  host = soup_message_headers_get_one (request->headers, "Host");
  if (host == NULL && request->version >= SOUP_HTTP_1_1) {
    *out_reason = "Host is required";
    return SOUP_STATUS_BAD_REQUEST;
  }
  if (host != NULL && strpbrk (host, " \t,/@") != NULL) {
    *out_reason = "Host is not a host";
    return SOUP_STATUS_BAD_REQUEST;
  }

  content_length = soup_message_headers_get_one (request->headers, "Content-Length");
  if (content_length != NULL && !is_digits (content_length)) {
    *out_reason = "Content-Length is not a number";
    return SOUP_STATUS_BAD_REQUEST;
  }

  *out_reason = NULL;
  return 0;
}

void
ag_http_request_clear (AgHttpRequest *request)
{
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
}

/* 16 bytes in base64: 22 characters of the alphabet and "==" (RFC 6455, section 4.1). */
static gboolean
is_websocket_key (const char *key)
{
  if (strlen (key) != 24 || !g_str_has_suffix (key, "=="))
    return FALSE;

  for (guint i = 0; i < 22; i++) {
    if (!g_ascii_isalnum (key[i]) && key[i] != '+' && key[i] != '/')
      return FALSE;
  }

  return TRUE;
}

gboolean
ag_http_request_lists (const AgHttpRequest *request,
                       const char          *name,
                       const char          *token)
{
  const char *list = soup_message_headers_get_list (request->headers, name);

  return list != NULL && soup_header_contains (list, token);
}

guint
ag_http_request_check_upgrade (const AgHttpRequest  *request,
                               const char          **out_key,
                               const char          **out_reason)
{
  SoupMessageHeaders *headers;
  const char *version;
  const char *key;

  g_return_val_if_fail (request != NULL && request->headers != NULL, 400);
  g_return_val_if_fail (out_key != NULL, 400);
  g_return_val_if_fail (out_reason != NULL, 400);

  headers = request->headers;
  *out_key = NULL;
  *out_reason = "a WebSocket upgrade is required";

  if (request->version < SOUP_HTTP_1_1) {
    *out_reason = "a WebSocket upgrade needs HTTP/1.1";
    return SOUP_STATUS_BAD_REQUEST;
  }

  if (!g_str_equal (request->method, "GET") ||
      !ag_http_request_lists (request, "Upgrade", "websocket") ||
      !ag_http_request_lists (request, "Connection", "upgrade"))
    return SOUP_STATUS_BAD_REQUEST;

  version = soup_message_headers_get_one (headers, "Sec-WebSocket-Version");
  if (version == NULL)
    return SOUP_STATUS_BAD_REQUEST;
  if (!g_str_equal (version, "13")) {
    *out_reason = "only WebSocket version 13 is supported";
    return 426;
  }

  key = soup_message_headers_get_one (headers, "Sec-WebSocket-Key");
  if (key == NULL || !is_websocket_key (key)) {
    *out_reason = "Sec-WebSocket-Key must be 16 bytes in base64";
    return SOUP_STATUS_BAD_REQUEST;
  }

  *out_key = key;
  *out_reason = NULL;
  return 0;
}

const char *
ag_http_status_phrase (guint status)
{
  /* Those libsoup 3.2 does not name, or names as RFC 9110 no longer does. */
  switch (status) {
  case 413: return "Content Too Large";
  case 426: return "Upgrade Required";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  default:  return soup_status_get_phrase (status);
  }
}
