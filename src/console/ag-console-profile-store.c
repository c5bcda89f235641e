/* ag-console-profile-store.c: profiles in GSettings, their secrets in the keyring
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#if HAVE_LIBSECRET
# include <libsecret/secret.h>
#endif

#include "ag-console-profile-store.h"

struct _AgConsoleProfileStore
{
  GObject     parent_instance;

  GSettings  *settings;
  GListStore *profiles;
  gulong      changed_id;
  guint       saving : 1;
};

G_DEFINE_FINAL_TYPE (AgConsoleProfileStore, ag_console_profile_store, G_TYPE_OBJECT)

#if HAVE_LIBSECRET
static const SecretSchema *
secret_schema (void)
{
  static const SecretSchema schema = {
    "org.agsignal.Console.Secret", SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}
#endif

#if HAVE_LIBSECRET
static const char *
secret_kind_name (AgConsoleSecretKind kind)
{
  return kind == AG_CONSOLE_SECRET_CERTIFICATE ? "certificate" : "token";
}
#endif

static void
save (AgConsoleProfileStore *self)
{
  GVariantBuilder builder;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->profiles));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n; i++) {
    g_autoptr(AgConsoleProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->profiles), i);

    g_variant_builder_add_value (&builder, ag_console_profile_to_variant (profile));
  }

  self->saving = TRUE;
  g_settings_set_value (self->settings, "profiles", g_variant_builder_end (&builder));
  self->saving = FALSE;
}

static void
profile_notify_cb (AgConsoleProfileStore *self)
{
  save (self);
}

static void
watch_profile (AgConsoleProfileStore *self,
               AgConsoleProfile      *profile)
{
  g_signal_connect_object (profile, "notify", G_CALLBACK (profile_notify_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
load (AgConsoleProfileStore *self)
{
  g_autoptr(GVariant) list = g_settings_get_value (self->settings, "profiles");
  g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantIter iter;
  GVariant *dict;

  g_variant_iter_init (&iter, list);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL) {
    AgConsoleProfile *profile = ag_console_profile_new_from_variant (dict);

    g_variant_unref (dict);

    /* A hand-edited setting may repeat a name; the first one wins. */
    if (profile == NULL || g_hash_table_contains (seen, ag_console_profile_get_name (profile))) {
      g_clear_object (&profile);
      continue;
    }

    g_hash_table_add (seen, (gpointer) ag_console_profile_get_name (profile));
    watch_profile (self, profile);
    g_ptr_array_add (profiles, profile);
  }

  g_list_store_splice (self->profiles, 0, g_list_model_get_n_items (G_LIST_MODEL (self->profiles)),
                       profiles->pdata, profiles->len);
}

static void
settings_changed_cb (AgConsoleProfileStore *self)
{
  if (!self->saving)
    load (self);
}

static void
ag_console_profile_store_dispose (GObject *object)
{
  AgConsoleProfileStore *self = (AgConsoleProfileStore *) object;

  g_clear_signal_handler (&self->changed_id, self->settings);
  g_clear_object (&self->settings);
  g_clear_object (&self->profiles);

  G_OBJECT_CLASS (ag_console_profile_store_parent_class)->dispose (object);
}

static void
ag_console_profile_store_class_init (AgConsoleProfileStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_console_profile_store_dispose;
}

static void
ag_console_profile_store_init (AgConsoleProfileStore *self)
{
  self->profiles = g_list_store_new (AG_CONSOLE_TYPE_PROFILE);
}

AgConsoleProfileStore *
ag_console_profile_store_new (GSettings *settings)
{
  AgConsoleProfileStore *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_PROFILE_STORE, NULL);
  self->settings = g_object_ref (settings);
  self->changed_id = g_signal_connect_swapped (settings, "changed::profiles",
                                               G_CALLBACK (settings_changed_cb), self);
  load (self);

  return self;
}

GListModel *
ag_console_profile_store_get_profiles (AgConsoleProfileStore *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE_STORE (self), NULL);

  return G_LIST_MODEL (self->profiles);
}

static gboolean
find_profile (AgConsoleProfileStore *self,
              const char            *name,
              guint                 *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->profiles));

  for (guint i = 0; i < n; i++) {
    g_autoptr(AgConsoleProfile) profile = g_list_model_get_item (G_LIST_MODEL (self->profiles), i);

    if (g_strcmp0 (ag_console_profile_get_name (profile), name) == 0) {
      *out_position = i;
      return TRUE;
    }
  }

  return FALSE;
}

AgConsoleProfile *
ag_console_profile_store_lookup (AgConsoleProfileStore *self,
                                 const char            *name)
{
  AgConsoleProfile *profile;
  guint position;

  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE_STORE (self), NULL);

  if (name == NULL || !find_profile (self, name, &position))
    return NULL;

  profile = g_list_model_get_item (G_LIST_MODEL (self->profiles), position);
  /* Transfer none: the store keeps its own reference. */
  g_object_unref (profile);

  return profile;
}

gboolean
ag_console_profile_store_add (AgConsoleProfileStore *self,
                              AgConsoleProfile      *profile)
{
  const char *name;
  guint position;

  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE (profile), FALSE);

  name = ag_console_profile_get_name (profile);
  if (name == NULL || *name == '\0' || find_profile (self, name, &position))
    return FALSE;

  watch_profile (self, profile);
  g_list_store_append (self->profiles, profile);
  save (self);

  return TRUE;
}

#if HAVE_LIBSECRET
static void
clear_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error))
    g_debug ("Could not remove a secret: %s", error->message);
}
#endif

void
ag_console_profile_store_remove (AgConsoleProfileStore *self,
                                 const char            *name)
{
  guint position;

  g_return_if_fail (AG_CONSOLE_IS_PROFILE_STORE (self));

  if (name == NULL || !find_profile (self, name, &position))
    return;

  g_list_store_remove (self->profiles, position);
  save (self);

#if HAVE_LIBSECRET
  /* Forgetting the profile forgets its certificate and token. */
  secret_password_clear (secret_schema (), NULL, clear_secret_cb, NULL,
                         "profile", name,
                         NULL);
#endif
}

#if HAVE_LIBSECRET
static void
store_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_one_secret_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error means there was nothing to remove. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}
#endif

void
ag_console_profile_store_save_secret_async (AgConsoleProfileStore *self,
                                            const char            *profile,
                                            AgConsoleSecretKind    kind,
                                            const char            *secret,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AG_CONSOLE_IS_PROFILE_STORE (self));
  g_return_if_fail (profile != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_console_profile_store_save_secret_async);

#if HAVE_LIBSECRET
  if (secret == NULL || *secret == '\0') {
    secret_password_clear (secret_schema (), cancellable, clear_one_secret_cb,
                           g_steal_pointer (&task),
                           "profile", profile,
                           "kind", secret_kind_name (kind),
                           NULL);
  } else {
    g_autofree char *label = NULL;

    /* Translators: the label of a keyring item; %s is the profile name. */
    label = g_strdup_printf (kind == AG_CONSOLE_SECRET_CERTIFICATE
                               ? _("agsignal app certificate for %s")
                               : _("agsignal token for %s"),
                             profile);
    secret_password_store (secret_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                           cancellable, store_secret_cb, g_steal_pointer (&task),
                           "profile", profile,
                           "kind", secret_kind_name (kind),
                           NULL);
  }
#else
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This build cannot use the keyring"));
#endif
}

gboolean
ag_console_profile_store_save_secret_finish (AgConsoleProfileStore  *self,
                                             GAsyncResult           *result,
                                             GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

#if HAVE_LIBSECRET
static void
lookup_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  /* Secrets are returned in memory libsecret clears on free; copy it into plain memory. */
  g_task_return_pointer (task, g_strdup (secret), g_free);
  secret_password_free (secret);
}
#endif

void
ag_console_profile_store_lookup_secret_async (AgConsoleProfileStore *self,
                                              const char            *profile,
                                              AgConsoleSecretKind    kind,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AG_CONSOLE_IS_PROFILE_STORE (self));
  g_return_if_fail (profile != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_console_profile_store_lookup_secret_async);

#if HAVE_LIBSECRET
  secret_password_lookup (secret_schema (), cancellable, lookup_secret_cb, g_steal_pointer (&task),
                          "profile", profile,
                          "kind", secret_kind_name (kind),
                          NULL);
#else
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This build cannot use the keyring"));
#endif
}

char *
ag_console_profile_store_lookup_secret_finish (AgConsoleProfileStore  *self,
                                               GAsyncResult           *result,
                                               GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
