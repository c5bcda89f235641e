/* bench-scenarios.h: the scenarios of ag-bench. Each runs to the end (or the deadline),
 * prints a human summary and one JSON line, and returns the exit status: 0 when every
 * message arrived and no error happened, 1 otherwise. */
#pragma once

#include "bench.h"

G_BEGIN_DECLS

int bench_fanout (Bench *bench);
int bench_peer   (Bench *bench);
int bench_idle   (Bench *bench);
int bench_logins (Bench *bench);
int bench_durable (Bench *bench);

G_END_DECLS
