/* core-fixture.h: what the libagsignal tests share
 *
 * A real agsignald per test (tests/fixture), an AgSignal pointing at it, logins that wait for
 * their outcome, and a recorder that keeps every emission of a GSignal with its arguments so
 * tests can assert on them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <agsignal.h>

#include "ag-test-server.h"

G_BEGIN_DECLS

/* Every wait of these tests is bounded by this. */
#define CORE_TIMEOUT_MS 10000

typedef struct {
  AgTestServer *server;
  AgSignal     *signal;
} CoreFixture;

void          core_fixture_setup      (CoreFixture   *fixture,
                                       gconstpointer  data);
void          core_fixture_teardown   (CoreFixture   *fixture,
                                       gconstpointer  data);

/* Logs account in on fixture->signal and waits for login-success. */
AgSession    *core_login              (CoreFixture   *fixture,
                                       const char    *account);
/* Logs in on any signal object and waits for login-success. */
AgSession    *core_login_on           (AgSignal      *signal,
                                       const char    *account);
/* Joins a channel and waits for channel-joined. */
AgChannel    *core_join               (AgSession     *session,
                                       const char    *name);
/* Logs out, waits for the logout signal and drops the session (asserting it is freed). */
void          core_logout_and_free    (AgSession     *session);

/* Drops the caller's reference and waits (bounded) until the object is finalized: work the
 * object started may still hold it for a few main-loop iterations. */
void          core_assert_finalized   (gpointer       object);

/* Spins the main context for ms milliseconds, to show that something does not happen. */
void          core_spin_for           (guint          ms);

gboolean      core_wait_status        (AgSession     *session,
                                       AgStatus       status);

/* Completes a GAsyncResult into *out for the *_async tests. */
void          core_store_result_cb    (GObject       *object,
                                       GAsyncResult  *result,
                                       gpointer       user_data);
GAsyncResult *core_wait_result        (GAsyncResult **slot);

typedef struct _CoreRecorder CoreRecorder;

CoreRecorder *core_recorder_new        (gpointer      instance,
                                        const char   *signal_name);
void          core_recorder_free       (CoreRecorder *recorder);
guint         core_recorder_count      (CoreRecorder *recorder);
/* Waits until at least count emissions were recorded. */
gboolean      core_recorder_wait       (CoreRecorder *recorder,
                                        guint         count);
/* The same with a shorter bound, for what must happen promptly. */
gboolean      core_recorder_wait_ms    (CoreRecorder *recorder,
                                        guint         count,
                                        guint         timeout_ms);
/* The argument arg (0 = the first after the instance) of emission index. */
const GValue *core_recorder_arg        (CoreRecorder *recorder,
                                        guint         index,
                                        guint         arg);
const char   *core_recorder_string     (CoreRecorder *recorder,
                                        guint         index,
                                        guint         arg);
int           core_recorder_int        (CoreRecorder *recorder,
                                        guint         index,
                                        guint         arg);
guint         core_recorder_uint       (CoreRecorder *recorder,
                                        guint         index,
                                        guint         arg);
gboolean      core_recorder_boolean    (CoreRecorder *recorder,
                                        guint         index,
                                        guint         arg);
gpointer      core_recorder_object     (CoreRecorder *recorder,
                                        guint         index,
                                        guint         arg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoreRecorder, core_recorder_free)

G_END_DECLS
