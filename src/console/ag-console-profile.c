/* ag-console-profile.c: a named set of connection settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ag-console-profile.h"

struct _AgConsoleProfile
{
  GObject  parent_instance;

  char    *name;
  char    *server_uri;
  char    *app_id;
  char    *account;
};

G_DEFINE_FINAL_TYPE (AgConsoleProfile, ag_console_profile, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_SERVER_URI,
  PROP_APP_ID,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);

  return TRUE;
}

static void
ag_console_profile_finalize (GObject *object)
{
  AgConsoleProfile *self = (AgConsoleProfile *) object;

  g_free (self->name);
  g_free (self->server_uri);
  g_free (self->app_id);
  g_free (self->account);

  G_OBJECT_CLASS (ag_console_profile_parent_class)->finalize (object);
}

static void
ag_console_profile_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AgConsoleProfile *self = AG_CONSOLE_PROFILE (object);

  switch (prop_id) {
  case PROP_NAME:
    g_value_set_string (value, self->name);
    break;
  case PROP_SERVER_URI:
    g_value_set_string (value, self->server_uri);
    break;
  case PROP_APP_ID:
    g_value_set_string (value, self->app_id);
    break;
  case PROP_ACCOUNT:
    g_value_set_string (value, self->account);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_profile_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AgConsoleProfile *self = AG_CONSOLE_PROFILE (object);

  switch (prop_id) {
  case PROP_NAME:
    self->name = g_value_dup_string (value);
    break;
  case PROP_SERVER_URI:
    ag_console_profile_set_server_uri (self, g_value_get_string (value));
    break;
  case PROP_APP_ID:
    ag_console_profile_set_app_id (self, g_value_get_string (value));
    break;
  case PROP_ACCOUNT:
    ag_console_profile_set_account (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_profile_class_init (AgConsoleProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_console_profile_finalize;
  object_class->get_property = ag_console_profile_get_property;
  object_class->set_property = ag_console_profile_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_string ("account", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_profile_init (AgConsoleProfile *self)
{
}

AgConsoleProfile *
ag_console_profile_new (const char *name,
                        const char *server_uri,
                        const char *app_id,
                        const char *account)
{
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  return g_object_new (AG_CONSOLE_TYPE_PROFILE,
                       "name", name,
                       "server-uri", server_uri,
                       "app-id", app_id,
                       "account", account,
                       NULL);
}

AgConsoleProfile *
ag_console_profile_new_from_variant (GVariant *dict)
{
  g_autoptr(GVariantDict) values = NULL;
  const char *name = NULL;
  const char *server_uri = NULL;
  const char *app_id = NULL;
  const char *account = NULL;

  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), NULL);

  values = g_variant_dict_new (dict);
  if (!g_variant_dict_lookup (values, "name", "&s", &name) || *name == '\0')
    return NULL;
  g_variant_dict_lookup (values, "server-uri", "&s", &server_uri);
  g_variant_dict_lookup (values, "app-id", "&s", &app_id);
  g_variant_dict_lookup (values, "account", "&s", &account);

  return ag_console_profile_new (name, server_uri, app_id, account);
}

GVariant *
ag_console_profile_to_variant (AgConsoleProfile *self)
{
  GVariantBuilder builder;

  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (self->name));
  g_variant_builder_add (&builder, "{sv}", "server-uri",
                         g_variant_new_string (self->server_uri ? self->server_uri : ""));
  g_variant_builder_add (&builder, "{sv}", "app-id",
                         g_variant_new_string (self->app_id ? self->app_id : ""));
  g_variant_builder_add (&builder, "{sv}", "account",
                         g_variant_new_string (self->account ? self->account : ""));

  return g_variant_builder_end (&builder);
}

const char *
ag_console_profile_get_name (AgConsoleProfile *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE (self), NULL);

  return self->name;
}

const char *
ag_console_profile_get_server_uri (AgConsoleProfile *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE (self), NULL);

  return self->server_uri;
}

void
ag_console_profile_set_server_uri (AgConsoleProfile *self,
                                   const char       *server_uri)
{
  g_return_if_fail (AG_CONSOLE_IS_PROFILE (self));

  if (replace_string (&self->server_uri, server_uri))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URI]);
}

const char *
ag_console_profile_get_app_id (AgConsoleProfile *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE (self), NULL);

  return self->app_id;
}

void
ag_console_profile_set_app_id (AgConsoleProfile *self,
                               const char       *app_id)
{
  g_return_if_fail (AG_CONSOLE_IS_PROFILE (self));

  if (replace_string (&self->app_id, app_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APP_ID]);
}

const char *
ag_console_profile_get_account (AgConsoleProfile *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_PROFILE (self), NULL);

  return self->account;
}

void
ag_console_profile_set_account (AgConsoleProfile *self,
                                const char       *account)
{
  g_return_if_fail (AG_CONSOLE_IS_PROFILE (self));

  if (replace_string (&self->account, account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}
