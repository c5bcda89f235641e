/* ag-server-config.c: loading agsignald's configuration file */

#include "ag-server-config.h"

#include <gio/gio.h>
#include <string.h>

#include "ag-admin-frame.h"
#include "ag-engine-redis.h"
#include "ag-limits.h"

#define APP_GROUP_PREFIX     "app:"
#define SERVER_GROUP         "server"
#define MAX_MSG_RATE         1000000
#define MAX_CERTIFICATE_LEN  1024
#define MAX_CHANNELS         10000000
#define MAX_USER_ATTRS       1000000
#define MAX_USER_ATTR_BYTES  (1024 * 1024 * 1024)
#define MAX_OFFLINE_BYTES    G_GUINT64_CONSTANT (1099511627776)   /* 1 TiB */
#define MAX_MEMORY_BUDGET    G_GUINT64_CONSTANT (1099511627776)

G_DEFINE_QUARK (ag-server-config-error-quark, ag_server_config_error)

static void
app_config_free (gpointer data)
{
  AgAppConfig *app = data;

  g_free (app->app_id);
  g_free (app->certificate);
  g_free (app->admin_key);
  g_free (app);
}

static AgAppConfig *
app_config_copy (const AgAppConfig *app)
{
  AgAppConfig *copy = g_new0 (AgAppConfig, 1);

  copy->app_id = g_strdup (app->app_id);
  copy->certificate = g_strdup (app->certificate);
  copy->allow_no_token = app->allow_no_token;
  copy->user_msg_rate = app->user_msg_rate;
  copy->channel_msg_rate = app->channel_msg_rate;
  copy->user_request_rate = app->user_request_rate;
  copy->max_channels = app->max_channels;
  copy->max_user_attrs = app->max_user_attrs;
  copy->max_user_attr_bytes = app->max_user_attr_bytes;
  copy->admin_key = g_strdup (app->admin_key);

  return copy;
}

AgServerConfig *
ag_server_config_new (void)
{
  AgServerConfig *config = g_new0 (AgServerConfig, 1);

  config->apps = g_ptr_array_new_with_free_func (app_config_free);

  return config;
}

void
ag_server_config_free (AgServerConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->listen_host);
  g_free (config->admin_key);
  g_free (config->state_path);
  g_free (config->engine_uri);
  g_ptr_array_unref (config->apps);
  g_free (config);
}

const AgAppConfig *
ag_server_config_find_app (AgServerConfig *config,
                           const char     *app_id)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  for (guint i = 0; i < config->apps->len; i++) {
    const AgAppConfig *app = g_ptr_array_index (config->apps, i);

    if (g_str_equal (app->app_id, app_id))
      return app;
  }

  return NULL;
}

void
ag_server_config_add_app (AgServerConfig    *config,
                          const AgAppConfig *app)
{
  g_return_if_fail (config != NULL);
  g_return_if_fail (app != NULL && app->app_id != NULL);

  for (guint i = 0; i < config->apps->len; i++) {
    AgAppConfig *existing = g_ptr_array_index (config->apps, i);

    if (g_str_equal (existing->app_id, app->app_id)) {
      app_config_free (existing);
      config->apps->pdata[i] = app_config_copy (app);
      return;
    }
  }

  g_ptr_array_add (config->apps, app_config_copy (app));
}

static gboolean
has_space_or_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
      return TRUE;
  }

  return FALSE;
}

gboolean
ag_server_check_app_id (const char  *app_id,
                        GError     **error)
{
  g_return_val_if_fail (app_id != NULL, FALSE);

  if (*app_id == '\0' || !g_utf8_validate (app_id, -1, NULL) ||
      g_utf8_strlen (app_id, -1) > AG_LIMIT_NAME_CHARS ||
      has_space_or_control (app_id) || strchr (app_id, ':') != NULL) {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                 "app id '%s' is not 1-%d characters without spaces, control characters or ':'",
                 app_id, AG_LIMIT_NAME_CHARS);
    return FALSE;
  }

  return TRUE;
}

gboolean
ag_server_parse_listen (const char  *text,
                        char       **out_host,
                        guint16     *out_port,
                        GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *port_text;
  guint64 port;

  g_return_val_if_fail (text != NULL, FALSE);

  if (text[0] == '[') {
    const char *end = strchr (text, ']');

    if (end == NULL || end[1] != ':')
      goto bad;

    host = g_strndup (text + 1, end - text - 1);
    port_text = end + 2;
  } else {
    const char *colon = strrchr (text, ':');

    /* A bare IPv6 address has several colons: it needs the brackets. */
    if (colon == NULL || memchr (text, ':', colon - text) != NULL)
      goto bad;

    host = g_strndup (text, colon - text);
    port_text = colon + 1;
  }

  if (!g_ascii_string_to_unsigned (port_text, 10, 0, G_MAXUINT16, &port, NULL))
    goto bad;

  address = g_inet_address_new_from_string (host);
  if (address == NULL) {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                 "listen address '%s': '%s' is not an IP address", text, host);
    return FALSE;
  }

  if (out_host != NULL)
    *out_host = g_inet_address_to_string (address);
  if (out_port != NULL)
    *out_port = (guint16) port;

  return TRUE;

bad:
  g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
               "listen address '%s' is not ADDRESS:PORT (for example 127.0.0.1:7070 or [::1]:7070)",
               text);
  return FALSE;
}

gboolean
ag_server_parse_state_sync (const char          *text,
                            AgEngineSqliteSync  *out_sync,
                            GError             **error)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "normal")) {
    *out_sync = AG_ENGINE_SQLITE_SYNC_NORMAL;
  } else if (g_str_equal (text, "full")) {
    *out_sync = AG_ENGINE_SQLITE_SYNC_FULL;
  } else {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                 "state sync '%s' is neither normal nor full", text);
    return FALSE;
  }

  return TRUE;
}

/* GKeyFile keeps no line numbers, so errors find the group or key in the text again. Returns
 * the 1-based line of key in group (of the group header when key is NULL), or 0. */
static guint
find_line (const char *data,
           const char *group,
           const char *key)
{
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
  gboolean in_group = FALSE;

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autofree char *line = g_strstrip (g_strdup (lines[i]));

    if (line[0] == '[') {
      char *end = strrchr (line, ']');

      if (end != NULL)
        *end = '\0';
      in_group = g_str_equal (line + 1, group);
      if (in_group && key == NULL)
        return i + 1;
    } else if (in_group && key != NULL) {
      char *equals = strchr (line, '=');

      if (equals == NULL)
        continue;
      *equals = '\0';
      if (g_str_equal (g_strchomp (line), key))
        return i + 1;
    }
  }

  return 0;
}

typedef struct {
  const char *display_name;
  const char *data;
} Source;

G_GNUC_PRINTF (5, 6)
static void
set_invalid (GError     **error,
             Source      *source,
             const char  *group,
             const char  *key,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  guint line = find_line (source->data, group, key);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (line > 0)
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                 "%s:%u: [%s]%s%s: %s", source->display_name, line, group,
                 key != NULL ? " " : "", key != NULL ? key : "", message);
  else
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                 "%s: [%s]%s%s: %s", source->display_name, group,
                 key != NULL ? " " : "", key != NULL ? key : "", message);
}

/* A whole number from 1 to max; what names the unit in the error ("messages per second"). */
static gboolean
read_count (GKeyFile    *keyfile,
            Source      *source,
            const char  *group,
            const char  *key,
            const char  *what,
            guint64      max,
            guint64     *out_count,
            GError     **error)
{
  g_autofree char *value = g_key_file_get_value (keyfile, group, key, NULL);
  guint64 count;

  if (value == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (value, 10, 1, max, &count, NULL)) {
    set_invalid (error, source, group, key,
                 "'%s' is not a whole number of %s from 1 to %" G_GUINT64_FORMAT,
                 value, what, max);
    return FALSE;
  }

  *out_count = count;

  return TRUE;
}

static gboolean
read_rate (GKeyFile    *keyfile,
           Source      *source,
           const char  *group,
           const char  *key,
           const char  *what,
           guint       *out_rate,
           GError     **error)
{
  guint64 rate = *out_rate;

  if (!read_count (keyfile, source, group, key, what, MAX_MSG_RATE, &rate, error))
    return FALSE;

  *out_rate = (guint) rate;

  return TRUE;
}

gboolean
ag_server_check_admin_key (const char  *key,
                           GError     **error)
{
  gsize length = strlen (key);

  if (length < AG_ADMIN_MIN_KEY || length > AG_ADMIN_MAX_KEY ||
      !g_utf8_validate (key, -1, NULL) || has_space_or_control (key)) {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                 "an admin key is %d-%d characters without spaces or control characters",
                 AG_ADMIN_MIN_KEY, AG_ADMIN_MAX_KEY);
    return FALSE;
  }

  return TRUE;
}

/* The key itself never goes into an error message. */
static gboolean
read_admin_key (GKeyFile    *keyfile,
                Source      *source,
                const char  *group,
                char       **out_key,
                GError     **error)
{
  g_autofree char *key = g_key_file_get_value (keyfile, group, "admin_key", NULL);
  g_autoptr(GError) local_error = NULL;

  if (key == NULL)
    return TRUE;

  if (!ag_server_check_admin_key (key, &local_error)) {
    set_invalid (error, source, group, "admin_key", "%s", local_error->message);
    return FALSE;
  }

  *out_key = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
load_app (AgServerConfig  *config,
          GKeyFile        *keyfile,
          Source          *source,
          const char      *group,
          GError         **error)
{
  static const char * const known_keys[] = {
    "certificate", "allow_no_token", "user_msg_rate", "channel_msg_rate", "user_request_rate",
    "max_channels", "max_user_attrs", "max_user_attr_bytes", "admin_key", NULL
  };
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  g_autofree char *certificate = NULL;
  g_autofree char *admin_key = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *app_id = group + strlen (APP_GROUP_PREFIX);
  AgAppConfig app = { 0, };
  guint64 max_channels = 0;
  guint64 max_user_attrs = 0;
  guint64 max_user_attr_bytes = 0;

  if (!ag_server_check_app_id (app_id, &local_error)) {
    set_invalid (error, source, group, NULL, "%s", local_error->message);
    return FALSE;
  }

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
    if (!g_strv_contains (known_keys, keys[i])) {
      set_invalid (error, source, group, keys[i],
                   "unknown key (known: certificate, allow_no_token, user_msg_rate, "
                   "channel_msg_rate, user_request_rate, max_channels, max_user_attrs, "
                   "max_user_attr_bytes, admin_key)");
      return FALSE;
    }
  }

  certificate = g_key_file_get_value (keyfile, group, "certificate", NULL);
  if (certificate != NULL) {
    if (*certificate == '\0' || !g_utf8_validate (certificate, -1, NULL) ||
        strlen (certificate) > MAX_CERTIFICATE_LEN || has_space_or_control (certificate)) {
      set_invalid (error, source, group, "certificate",
                   "must be 1-%d characters without spaces or control characters",
                   MAX_CERTIFICATE_LEN);
      return FALSE;
    }
  }

  if (g_key_file_has_key (keyfile, group, "allow_no_token", NULL)) {
    app.allow_no_token = g_key_file_get_boolean (keyfile, group, "allow_no_token", &local_error);
    if (local_error != NULL) {
      g_autofree char *value = g_key_file_get_value (keyfile, group, "allow_no_token", NULL);

      set_invalid (error, source, group, "allow_no_token", "'%s' is not true or false",
                   value != NULL ? value : "");
      return FALSE;
    }
  }

  if (certificate == NULL && !app.allow_no_token) {
    set_invalid (error, source, group, NULL,
                 "nobody could log in: set certificate= or allow_no_token=true");
    return FALSE;
  }

  if (!read_rate (keyfile, source, group, "user_msg_rate", "messages per second",
                  &app.user_msg_rate, error) ||
      !read_rate (keyfile, source, group, "channel_msg_rate", "messages per second",
                  &app.channel_msg_rate, error) ||
      !read_rate (keyfile, source, group, "user_request_rate", "requests per second",
                  &app.user_request_rate, error) ||
      !read_count (keyfile, source, group, "max_channels", "channels", MAX_CHANNELS,
                   &max_channels, error) ||
      !read_count (keyfile, source, group, "max_user_attrs", "attributes", MAX_USER_ATTRS,
                   &max_user_attrs, error) ||
      !read_count (keyfile, source, group, "max_user_attr_bytes", "bytes",
                   MAX_USER_ATTR_BYTES, &max_user_attr_bytes, error) ||
      !read_admin_key (keyfile, source, group, &admin_key, error))
    return FALSE;

  app.max_channels = (guint) max_channels;
  app.max_user_attrs = (guint) max_user_attrs;
  app.max_user_attr_bytes = (guint) max_user_attr_bytes;

  app.app_id = (char *) app_id;
  app.certificate = certificate;
  app.admin_key = admin_key;
  ag_server_config_add_app (config, &app);

  return TRUE;
}

static gboolean
load_server (AgServerConfig  *config,
             GKeyFile        *keyfile,
             Source          *source,
             GError         **error)
{
  static const char * const known_keys[] = {
    "listen", "state", "state_sync", "engine", "admin_key", "max_offline_bytes",
    "memory_budget", NULL
  };
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, SERVER_GROUP, NULL, NULL);
  g_autofree char *listen = NULL;
  g_autofree char *host = NULL;
  g_autofree char *state = NULL;
  g_autofree char *state_sync = NULL;
  g_autofree char *engine = NULL;
  g_autoptr(GError) local_error = NULL;
  guint16 port;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
    if (!g_strv_contains (known_keys, keys[i])) {
      set_invalid (error, source, SERVER_GROUP, keys[i],
                   "unknown key (known: listen, state, state_sync, engine, admin_key, "
                   "max_offline_bytes, memory_budget)");
      return FALSE;
    }
  }

  if (!read_count (keyfile, source, SERVER_GROUP, "max_offline_bytes", "bytes",
                   MAX_OFFLINE_BYTES, &config->max_offline_bytes, error) ||
      !read_count (keyfile, source, SERVER_GROUP, "memory_budget", "bytes",
                   MAX_MEMORY_BUDGET, &config->memory_budget, error))
    return FALSE;

  if (!read_admin_key (keyfile, source, SERVER_GROUP, &config->admin_key, error))
    return FALSE;
  state = g_key_file_get_value (keyfile, SERVER_GROUP, "state", NULL);
  if (state != NULL) {
    if (*state == '\0') {
      set_invalid (error, source, SERVER_GROUP, "state",
                   "must be a file path (or " AG_SERVER_STATE_MEMORY ")");
      return FALSE;
    }
    g_free (config->state_path);
    config->state_path = g_steal_pointer (&state);
  }

  engine = g_key_file_get_value (keyfile, SERVER_GROUP, "engine", NULL);
  if (engine != NULL) {
    if (!ag_engine_redis_parse_uri (engine, NULL, NULL, NULL, &local_error)) {
      set_invalid (error, source, SERVER_GROUP, "engine", "%s", local_error->message);
      return FALSE;
    }
    if (config->state_path != NULL) {
      set_invalid (error, source, SERVER_GROUP, "engine",
                   "state and engine exclude each other (a state file or a Redis URI)");
      return FALSE;
    }
    g_free (config->engine_uri);
    config->engine_uri = g_steal_pointer (&engine);
  }

  state_sync = g_key_file_get_value (keyfile, SERVER_GROUP, "state_sync", NULL);
  if (state_sync != NULL &&
      !ag_server_parse_state_sync (state_sync, &config->state_sync, &local_error)) {
    set_invalid (error, source, SERVER_GROUP, "state_sync", "%s", local_error->message);
    return FALSE;
  }

  listen = g_key_file_get_value (keyfile, SERVER_GROUP, "listen", NULL);
  if (listen == NULL)
    return TRUE;

  if (!ag_server_parse_listen (listen, &host, &port, &local_error)) {
    set_invalid (error, source, SERVER_GROUP, "listen", "%s", local_error->message);
    return FALSE;
  }

  g_free (config->listen_host);
  config->listen_host = g_steal_pointer (&host);
  config->listen_port = port;

  return TRUE;
}

gboolean
ag_server_config_load_data (AgServerConfig  *config,
                            const char      *data,
                            gssize           length,
                            const char      *display_name,
                            GError         **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(AgServerConfig) loaded = ag_server_config_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) groups = NULL;
  Source source;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);

  text = length < 0 ? g_strdup (data) : g_strndup (data, length);
  source.display_name = display_name;
  source.data = text;

  if (!g_key_file_load_from_data (keyfile, text, -1, G_KEY_FILE_NONE, &local_error)) {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_PARSE,
                 "%s: %s", display_name, local_error->message);
    return FALSE;
  }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++) {
    if (g_str_has_prefix (groups[i], APP_GROUP_PREFIX)) {
      if (!load_app (loaded, keyfile, &source, groups[i], error))
        return FALSE;
    } else if (g_str_equal (groups[i], SERVER_GROUP)) {
      if (!load_server (loaded, keyfile, &source, error))
        return FALSE;
    } else {
      set_invalid (error, &source, groups[i], NULL,
                   "unknown group (known: [server] and [app:ID])");
      return FALSE;
    }
  }

  /* Only a file that loaded completely changes the configuration. */
  for (guint i = 0; i < loaded->apps->len; i++)
    ag_server_config_add_app (config, g_ptr_array_index (loaded->apps, i));

  if (loaded->admin_key != NULL) {
    g_free (config->admin_key);
    config->admin_key = g_steal_pointer (&loaded->admin_key);
  }

  if (loaded->listen_host != NULL) {
    g_free (config->listen_host);
    config->listen_host = g_steal_pointer (&loaded->listen_host);
    config->listen_port = loaded->listen_port;
  }

  /* One file names one of the two at most. */
  if (loaded->state_path != NULL) {
    g_free (config->state_path);
    config->state_path = g_steal_pointer (&loaded->state_path);
    g_clear_pointer (&config->engine_uri, g_free);
  }
  if (loaded->engine_uri != NULL) {
    g_free (config->engine_uri);
    config->engine_uri = g_steal_pointer (&loaded->engine_uri);
    g_clear_pointer (&config->state_path, g_free);
  }
  if (g_key_file_has_key (keyfile, SERVER_GROUP, "state_sync", NULL))
    config->state_sync = loaded->state_sync;
  if (loaded->max_offline_bytes != 0)
    config->max_offline_bytes = loaded->max_offline_bytes;
  if (loaded->memory_budget != 0)
    config->memory_budget = loaded->memory_budget;

  return TRUE;
}

gboolean
ag_server_config_load_file (AgServerConfig  *config,
                            const char      *path,
                            GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &data, &length, &local_error)) {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_PARSE,
                 "%s", local_error->message);
    return FALSE;
  }

  if (memchr (data, '\0', length) != NULL || !g_utf8_validate (data, length, NULL)) {
    g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_PARSE,
                 "%s: not a UTF-8 text file", path);
    return FALSE;
  }

  return ag_server_config_load_data (config, data, length, path, error);
}
