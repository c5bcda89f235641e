/* test-profile-store.c: connection profiles in GSettings, their secrets in the keyring
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-test-server.h"
#include "ag-console-profile-store.h"

typedef struct
{
  GSettings             *settings;
  AgConsoleProfileStore *store;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  /* GSETTINGS_BACKEND=memory: every test starts from the defaults. */
  fixture->settings = g_settings_new ("org.agsignal.Console");
  g_settings_reset (fixture->settings, "profiles");
  fixture->store = ag_console_profile_store_new (fixture->settings);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->store);
  g_assert_finalize_object (fixture->settings);
}

static guint
n_stored (Fixture *fixture)
{
  g_autoptr(GVariant) profiles = g_settings_get_value (fixture->settings, "profiles");

  return g_variant_n_children (profiles);
}

static char *
stored_field (Fixture    *fixture,
              guint       index,
              const char *key)
{
  g_autoptr(GVariant) profiles = g_settings_get_value (fixture->settings, "profiles");
  g_autoptr(GVariant) dict = g_variant_get_child_value (profiles, index);
  g_autoptr(GVariantDict) values = g_variant_dict_new (dict);
  char *value = NULL;

  g_variant_dict_lookup (values, key, "s", &value);

  return value;
}

static void
test_profile_store_add_edit_remove (Fixture       *fixture,
                                    gconstpointer  data)
{
  GListModel *profiles = ag_console_profile_store_get_profiles (fixture->store);
  g_autoptr(AgConsoleProfile) staging = ag_console_profile_new ("staging", "wss://staging.example/v1",
                                                                "qa", "tester");
  g_autoptr(AgConsoleProfile) again = ag_console_profile_new ("staging", "ws://other/v1", "x", "y");
  g_autofree char *uri = NULL;
  g_autofree char *account = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (profiles), ==, 0);
  g_assert_null (ag_console_profile_store_lookup (fixture->store, "staging"));

  g_assert_true (ag_console_profile_store_add (fixture->store, staging));
  g_assert_false (ag_console_profile_store_add (fixture->store, again));
  g_assert_cmpuint (g_list_model_get_n_items (profiles), ==, 1);
  g_assert_true (ag_console_profile_store_lookup (fixture->store, "staging") == staging);

  /* Saved as aa{sv}. */
  g_assert_cmpuint (n_stored (fixture), ==, 1);
  uri = stored_field (fixture, 0, "server-uri");
  g_assert_cmpstr (uri, ==, "wss://staging.example/v1");

  /* Edits are saved as they happen. */
  ag_console_profile_set_account (staging, "operator");
  account = stored_field (fixture, 0, "account");
  g_assert_cmpstr (account, ==, "operator");

  ag_console_profile_store_remove (fixture->store, "staging");
  g_assert_cmpuint (g_list_model_get_n_items (profiles), ==, 0);
  g_assert_cmpuint (n_stored (fixture), ==, 0);
}

static void
test_profile_store_reload (Fixture       *fixture,
                           gconstpointer  data)
{
  GListModel *profiles = ag_console_profile_store_get_profiles (fixture->store);
  g_autoptr(AgConsoleProfileStore) second = NULL;
  GVariantBuilder builder;
  AgConsoleProfile *profile;

  /* Written by someone else (another console, dconf-editor): the store follows, ignores
   * nameless entries and keeps the first of two with the same name. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_builder_add_parsed (&builder, "{'name': <'prod'>, 'server-uri': <'wss://prod/v1'>, 'app-id': <'app'>, 'account': <'ops'>}");
  g_variant_builder_add_parsed (&builder, "{'server-uri': <'ws://nameless/v1'>}");
  g_variant_builder_add_parsed (&builder, "{'name': <'prod'>, 'server-uri': <'ws://duplicate/v1'>}");
  g_variant_builder_add_parsed (&builder, "{'name': <'lab'>}");
  g_settings_set_value (fixture->settings, "profiles", g_variant_builder_end (&builder));

  g_assert_cmpuint (g_list_model_get_n_items (profiles), ==, 2);
  profile = ag_console_profile_store_lookup (fixture->store, "prod");
  g_assert_nonnull (profile);
  g_assert_cmpstr (ag_console_profile_get_server_uri (profile), ==, "wss://prod/v1");
  g_assert_cmpstr (ag_console_profile_get_app_id (profile), ==, "app");
  g_assert_cmpstr (ag_console_profile_get_account (profile), ==, "ops");
  g_assert_nonnull (ag_console_profile_store_lookup (fixture->store, "lab"));

  /* A second store on the same settings sees the same profiles. */
  second = ag_console_profile_store_new (fixture->settings);
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_profile_store_get_profiles (second)), ==, 2);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  char     *secret;
  GError   *error;
} SecretResult;

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SecretResult *outcome = user_data;

  outcome->ok = ag_console_profile_store_save_secret_finish (AG_CONSOLE_PROFILE_STORE (object), result,
                                                             &outcome->error);
  outcome->done = TRUE;
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SecretResult *outcome = user_data;

  outcome->secret = ag_console_profile_store_lookup_secret_finish (AG_CONSOLE_PROFILE_STORE (object),
                                                                   result, &outcome->error);
  outcome->done = TRUE;
}

static void
test_profile_store_secrets (Fixture       *fixture,
                            gconstpointer  data)
{
  SecretResult save = { 0 };
  SecretResult lookup = { 0 };
  SecretResult clear = { 0 };
  SecretResult gone = { 0 };

  ag_console_profile_store_save_secret_async (fixture->store, "ag-console-test-profile",
                                              AG_CONSOLE_SECRET_CERTIFICATE, "0123abcd", NULL,
                                              saved_cb, &save);
  g_assert_true (ag_test_spin_until_flag (&save.done, 30000));

  ag_console_profile_store_lookup_secret_async (fixture->store, "ag-console-test-profile",
                                                AG_CONSOLE_SECRET_CERTIFICATE, NULL,
                                                looked_up_cb, &lookup);
  g_assert_true (ag_test_spin_until_flag (&lookup.done, 30000));

  if (!save.ok) {
    /* No secret service (the usual case in a test session): a clear error, not a crash,
     * and the lookup fails the same way instead of pretending nothing is stored. */
    g_assert_nonnull (save.error);
    g_assert_nonnull (lookup.error);
    g_assert_null (lookup.secret);
    g_test_message ("no secret service: %s", save.error->message);
    g_clear_error (&save.error);
    g_clear_error (&lookup.error);
    return;
  }

  /* A keyring is there: what was stored comes back, and an empty secret removes it. */
  g_assert_no_error (lookup.error);
  g_assert_cmpstr (lookup.secret, ==, "0123abcd");
  g_free (lookup.secret);

  ag_console_profile_store_save_secret_async (fixture->store, "ag-console-test-profile",
                                              AG_CONSOLE_SECRET_CERTIFICATE, "", NULL,
                                              saved_cb, &clear);
  g_assert_true (ag_test_spin_until_flag (&clear.done, 30000));
  g_assert_no_error (clear.error);
  g_assert_true (clear.ok);

  ag_console_profile_store_lookup_secret_async (fixture->store, "ag-console-test-profile",
                                                AG_CONSOLE_SECRET_CERTIFICATE, NULL,
                                                looked_up_cb, &gone);
  g_assert_true (ag_test_spin_until_flag (&gone.done, 30000));
  g_assert_no_error (gone.error);
  g_assert_null (gone.secret);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ag/console-profile-store/add-edit-remove", Fixture, NULL,
              fixture_setup, test_profile_store_add_edit_remove, fixture_teardown);
  g_test_add ("/ag/console-profile-store/reload", Fixture, NULL,
              fixture_setup, test_profile_store_reload, fixture_teardown);
  g_test_add ("/ag/console-profile-store/secrets", Fixture, NULL,
              fixture_setup, test_profile_store_secrets, fixture_teardown);

  return g_test_run ();
}
