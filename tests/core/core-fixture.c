/* core-fixture.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "core-fixture.h"

void
core_fixture_setup (CoreFixture   *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* data: the text of a configuration file, or NULL. */
  fixture->server = ag_test_server_new (data, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->server);

  fixture->signal = ag_signal_new ("demo");
  ag_signal_set_server_uri (fixture->signal, ag_test_server_get_uri (fixture->server));
}

void
core_fixture_teardown (CoreFixture   *fixture,
                       gconstpointer  data)
{
  core_assert_finalized (g_steal_pointer (&fixture->signal));
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

AgSession *
core_login_on (AgSignal   *signal,
               const char *account)
{
  g_autoptr(CoreRecorder) success = NULL;
  g_autoptr(CoreRecorder) failed = NULL;
  AgSession *session;

  session = ag_signal_login (signal, account, "_no_need_token");
  success = core_recorder_new (session, "login-success");
  failed = core_recorder_new (session, "login-failed");

  g_assert_true (core_recorder_wait (success, 1) || core_recorder_count (failed) > 0);
  g_assert_cmpuint (core_recorder_count (failed), ==, 0);
  g_assert_cmpuint (core_recorder_count (success), ==, 1);
  g_assert_cmpuint (core_recorder_uint (success, 0, 0), ==, ag_session_get_uid (session));
  g_assert_cmpuint (ag_session_get_uid (session), >, 0);
  g_assert_cmpint (ag_session_get_status (session), ==, AG_STATUS_LOGGED_IN);

  return session;
}

AgSession *
core_login (CoreFixture *fixture,
            const char  *account)
{
  return core_login_on (fixture->signal, account);
}

AgChannel *
core_join (AgSession  *session,
           const char *name)
{
  g_autoptr(CoreRecorder) joined = NULL;
  g_autoptr(CoreRecorder) failed = NULL;
  AgChannel *channel;

  channel = ag_session_channel_join (session, name);
  joined = core_recorder_new (channel, "channel-joined");
  failed = core_recorder_new (channel, "channel-join-failed");

  g_assert_true (core_recorder_wait (joined, 1));
  g_assert_cmpuint (core_recorder_count (failed), ==, 0);
  g_assert_true (ag_channel_get_joined (channel));
  g_assert_true (ag_session_get_channel (session) == channel);

  return channel;
}

void
core_logout_and_free (AgSession *session)
{
  g_autoptr(CoreRecorder) logout = core_recorder_new (session, "logout");

  ag_session_logout (session);
  g_assert_true (core_recorder_wait (logout, 1));
  g_assert_cmpint (core_recorder_int (logout, 0, 0), ==, AG_ERROR_LOGOUT_E_USER);
  g_clear_pointer (&logout, core_recorder_free);
  core_assert_finalized (session);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
core_assert_finalized (gpointer object)
{
  GObject *weak = object;

  g_assert_true (G_IS_OBJECT (object));
  g_object_add_weak_pointer (weak, (gpointer *) &weak);
  g_object_unref (object);

  g_assert_true (ag_test_spin_until (pointer_cleared, &weak, CORE_TIMEOUT_MS));
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

void
core_spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct {
  AgSession *session;
  AgStatus   status;
} StatusWait;

static gboolean
status_reached (gpointer data)
{
  StatusWait *wait = data;

  return ag_session_get_status (wait->session) == wait->status;
}

gboolean
core_wait_status (AgSession *session,
                  AgStatus   status)
{
  StatusWait wait = { session, status };

  return ag_test_spin_until (status_reached, &wait, CORE_TIMEOUT_MS);
}

void
core_store_result_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static gboolean
slot_filled (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

GAsyncResult *
core_wait_result (GAsyncResult **slot)
{
  g_assert_true (ag_test_spin_until (slot_filled, slot, CORE_TIMEOUT_MS));

  return g_steal_pointer (slot);
}

struct _CoreRecorder {
  GWeakRef   instance;
  gulong     handler;
  GPtrArray *emissions;  /* of GArray of GValue, the arguments without the instance */
};

static void
clear_value (gpointer data)
{
  g_value_unset (data);
}

static void
recorder_marshal (GClosure     *closure,
                  GValue       *return_value,
                  guint         n_param_values,
                  const GValue *param_values,
                  gpointer      invocation_hint,
                  gpointer      marshal_data)
{
  CoreRecorder *recorder = closure->data;
  GArray *args = g_array_sized_new (FALSE, TRUE, sizeof (GValue), n_param_values);

  g_array_set_clear_func (args, clear_value);
  for (guint i = 1; i < n_param_values; i++) {
    GValue value = G_VALUE_INIT;

    g_value_init (&value, G_VALUE_TYPE (&param_values[i]));
    g_value_copy (&param_values[i], &value);
    g_array_append_val (args, value);
  }

  g_ptr_array_add (recorder->emissions, args);
}

CoreRecorder *
core_recorder_new (gpointer    instance,
                   const char *signal_name)
{
  CoreRecorder *recorder = g_new0 (CoreRecorder, 1);
  GClosure *closure;

  recorder->emissions = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_weak_ref_init (&recorder->instance, instance);

  closure = g_closure_new_simple (sizeof (GClosure), recorder);
  g_closure_set_marshal (closure, recorder_marshal);
  recorder->handler = g_signal_connect_closure (instance, signal_name, closure, FALSE);
  g_assert_cmpuint (recorder->handler, !=, 0);

  return recorder;
}

void
core_recorder_free (CoreRecorder *recorder)
{
  g_autoptr(GObject) instance = g_weak_ref_get (&recorder->instance);

  if (instance != NULL)
    g_signal_handler_disconnect (instance, recorder->handler);
  g_weak_ref_clear (&recorder->instance);
  g_ptr_array_unref (recorder->emissions);
  g_free (recorder);
}

guint
core_recorder_count (CoreRecorder *recorder)
{
  return recorder->emissions->len;
}

typedef struct {
  CoreRecorder *recorder;
  guint         count;
} RecorderWait;

static gboolean
recorder_reached (gpointer data)
{
  RecorderWait *wait = data;

  return wait->recorder->emissions->len >= wait->count;
}

gboolean
core_recorder_wait_ms (CoreRecorder *recorder,
                       guint         count,
                       guint         timeout_ms)
{
  RecorderWait wait = { recorder, count };

  return ag_test_spin_until (recorder_reached, &wait, timeout_ms);
}

gboolean
core_recorder_wait (CoreRecorder *recorder,
                    guint         count)
{
  return core_recorder_wait_ms (recorder, count, CORE_TIMEOUT_MS);
}

const GValue *
core_recorder_arg (CoreRecorder *recorder,
                   guint         index,
                   guint         arg)
{
  GArray *args;

  g_assert_cmpuint (index, <, recorder->emissions->len);
  args = g_ptr_array_index (recorder->emissions, index);
  g_assert_cmpuint (arg, <, args->len);

  return &g_array_index (args, GValue, arg);
}

const char *
core_recorder_string (CoreRecorder *recorder,
                      guint         index,
                      guint         arg)
{
  return g_value_get_string (core_recorder_arg (recorder, index, arg));
}

int
core_recorder_int (CoreRecorder *recorder,
                   guint         index,
                   guint         arg)
{
  return g_value_get_int (core_recorder_arg (recorder, index, arg));
}

guint
core_recorder_uint (CoreRecorder *recorder,
                    guint         index,
                    guint         arg)
{
  return g_value_get_uint (core_recorder_arg (recorder, index, arg));
}

gboolean
core_recorder_boolean (CoreRecorder *recorder,
                       guint         index,
                       guint         arg)
{
  return g_value_get_boolean (core_recorder_arg (recorder, index, arg));
}

gpointer
core_recorder_object (CoreRecorder *recorder,
                      guint         index,
                      guint         arg)
{
  return g_value_get_object (core_recorder_arg (recorder, index, arg));
}
