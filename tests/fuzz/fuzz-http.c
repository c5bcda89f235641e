/* fuzz-http.c: libFuzzer entry point for the HTTP request checks of agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds the input to ag_http_request_parse() as the head of a request, as the epoll
 * transport does once it has read up to the blank line, and checks what must hold for every
 * input: the answer is an accepted request or one of the documented statuses; an accepted
 * request has a method, a path without its query and the headers; the WebSocket checks of
 * an accepted request answer 0 with a key of 24 characters, 400 or 426; and every status has
 * a reason phrase.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "ag-http-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  AgHttpRequest request;
  const char *reason = NULL;
  const char *key = NULL;
  guint status;

  status = ag_http_request_parse ((const char *) data, size, &request, &reason);

  if (status != 0) {
    if (status != 400 && status != 501 && status != 505)
      g_error ("parse answered %u", status);
    if (reason == NULL || *reason == '\0')
      g_error ("status %u without a reason", status);
  } else {
    if (request.method == NULL || request.path == NULL || request.headers == NULL)
      g_error ("an accepted request without a method, path or headers");
    if (strchr (request.path, '?') != NULL)
      g_error ("the path kept its query");
    if (reason != NULL)
      g_error ("an accepted request with a reason");
    if (ag_http_request_check_fields (&request, &reason) != 0)
      g_error ("the field checks disagree with the parse");

    status = ag_http_request_check_upgrade (&request, &key, &reason);
    if (status == 0 && (key == NULL || strlen (key) != 24))
      g_error ("an accepted upgrade without a key of 24 characters");
    if (status != 0 && status != 400 && status != 426)
      g_error ("the upgrade check answered %u", status);
  }

  if (status != 0 && ag_http_status_phrase (status) == NULL)
    g_error ("no phrase for %u", status);

  ag_http_request_clear (&request);
  return 0;
}
