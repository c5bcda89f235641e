/* bench-msg.c: the text of measured messages */
#include "bench-msg.h"

#include <string.h>

gsize
bench_msg_format (char           *buffer,
                  const BenchMsg *msg,
                  int             size)
{
  int length = g_snprintf (buffer, BENCH_MSG_MAX + 1, "%c%u.%" G_GUINT64_FORMAT ".%" G_GINT64_FORMAT ".",
                           msg->kind, msg->sender, msg->seq, msg->sent_ns);

  size = CLAMP (size, length, BENCH_MSG_MAX);
  memset (buffer + length, 'x', size - length);
  buffer[size] = '\0';

  return size;
}

static gboolean
parse_number (const char  **p,
              const char   *end,
              guint64      *value)
{
  const char *q = *p;
  guint64 v = 0;

  if (q >= end || !g_ascii_isdigit (*q))
    return FALSE;

  while (q < end && g_ascii_isdigit (*q))
    v = v * 10 + (guint64) (*q++ - '0');

  if (q >= end || *q != '.')
    return FALSE;

  *p = q + 1;
  *value = v;
  return TRUE;
}

gboolean
bench_msg_parse (const char *text,
                 gsize       length,
                 BenchMsg   *msg)
{
  const char *end = text + length;
  const char *p = text + 1;
  guint64 sender;
  guint64 sent_ns;

  if (length < 2 || !g_ascii_isupper (text[0]))
    return FALSE;

  if (!parse_number (&p, end, &sender) ||
      !parse_number (&p, end, &msg->seq) ||
      !parse_number (&p, end, &sent_ns) ||
      sender > G_MAXUINT || sent_ns > G_MAXINT64)
    return FALSE;

  msg->kind = text[0];
  msg->sender = sender;
  msg->sent_ns = sent_ns;

  return TRUE;
}
