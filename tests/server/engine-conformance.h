/* engine-conformance.h: what every AgEngine must do, run against each engine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-engine.h"

G_BEGIN_DECLS

typedef struct {
  /* A new, empty engine of the kind under test. */
  AgEngine *(*new_engine) (void);
} EngineFactory;

/* Adds the shared cases under prefix ("/ag/engine-memory/attr-set-get", ...); factory must
 * live as long as the tests (a static). */
void              engine_conformance_add_tests (const char          *prefix,
                                                const EngineFactory *factory);

/* An offline message from account "from" (uid) sent at sent_us, expiring ttl_us later. */
AgOfflineMessage *engine_test_message_new      (const char          *from,
                                                guint32              uid,
                                                const char          *text,
                                                gint64               sent_us,
                                                gint64               ttl_us);
void              engine_test_assert_message   (GPtrArray           *messages,
                                                guint                index,
                                                const char          *from,
                                                guint32              uid,
                                                const char          *text,
                                                gint64               sent_us);

G_END_DECLS
