/* bench-msg.h: the text of measured messages.
 *
 * "<kind><sender>.<seq>.<sent_ns>." padded with 'x' to the requested size: kind says which
 * phase sent it, sender and seq let receivers check order and count losses, sent_ns is the
 * CLOCK_MONOTONIC time of sending (sender and receivers live in this process).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_MSG_MAX 8192

typedef struct {
  char    kind;
  guint   sender;
  guint64 seq;
  gint64  sent_ns;
} BenchMsg;

/* Writes the text (NUL-terminated) into buffer, which holds BENCH_MSG_MAX + 1 bytes. */
gsize    bench_msg_format (char           *buffer,
                           const BenchMsg *msg,
                           int             size);
gboolean bench_msg_parse  (const char     *text,
                           gsize           length,
                           BenchMsg       *msg);

G_END_DECLS
