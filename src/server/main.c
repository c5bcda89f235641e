/* main.c: agsignald, the agsignal server (docs/server.md) */

#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ag-engine-memory.h"
#include "ag-engine-redis.h"
#include "ag-engine-sqlite.h"
#include "ag-limits.h"
#include "ag-epoll-server.h"
#include "ag-server-config.h"
#include "ag-wire-trace.h"

#define DEMO_APP_ID          "demo"
#define DEMO_CERTIFICATE     "demo-certificate"
#define DRAIN_TIMEOUT_US     (500 * 1000)

typedef struct {
  GMainLoop         *loop;
  AgServerTransport *server;
  gboolean           stopping;

  /* What the configuration is made of, read again on SIGHUP. */
  const char        *config_path;
  const char        *admin_key_file;
  gboolean           demo;
} Daemon;

/* Each WebSocket is a file descriptor: the soft limit (often 1024) would cap the number of
 * clients long before the hard limit does. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0) {
    g_warning ("Cannot read the open file limit: %s", g_strerror (errno));
    return;
  }

  if (limit.rlim_cur == limit.rlim_max)
    return;

  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_message ("Cannot raise the open file limit: %s", g_strerror (errno));
  else
    g_debug ("open file limit raised to %llu", (unsigned long long) limit.rlim_cur);
}

static void
enable_debug_output (void)
{
  const char *domains = g_getenv ("G_MESSAGES_DEBUG");
  g_autofree char *value = NULL;

  if (domains != NULL && (g_str_equal (domains, "all") ||
                          strstr (domains, "AgServer") != NULL))
    return;

  value = domains != NULL && *domains != '\0'
    ? g_strdup_printf ("%s AgServer AgProtocol", domains)
    : g_strdup ("AgServer AgProtocol");
  g_setenv ("G_MESSAGES_DEBUG", value, TRUE);
}

/* The Redis engine with a URI; otherwise the memory engine without a state path (or with
 * :memory:), the SQLite engine with one. */
static AgEngine *
open_engine (const char          *engine_uri,
             const char          *state_path,
             AgEngineSqliteSync   sync,
             GError             **error)
{
  if (engine_uri != NULL) {
    g_debug ("state: Redis at %s", engine_uri);
    return ag_engine_redis_new (engine_uri, error);
  }

  if (state_path == NULL || g_str_equal (state_path, AG_SERVER_STATE_MEMORY)) {
    g_debug ("state: in memory only");
    return ag_engine_memory_new ();
  }

  g_debug ("state: %s (synchronous=%s)", state_path,
           sync == AG_ENGINE_SQLITE_SYNC_FULL ? "full" : "normal");
  return ag_engine_sqlite_new (state_path, sync, error);
}

/* The configuration file, then --demo and --admin-key-file over it. Errors are ready for a
 * "agsignald: " prefix. */
static AgServerConfig *
read_config (const Daemon  *daemon,
             GError       **error)
{
  g_autoptr(AgServerConfig) config = ag_server_config_new ();

  if (daemon->config_path != NULL &&
      !ag_server_config_load_file (config, daemon->config_path, error))
    return NULL;

  if (daemon->demo) {
    const AgAppConfig *configured = ag_server_config_find_app (config, DEMO_APP_ID);
    g_autofree char *admin_key = configured != NULL ? g_strdup (configured->admin_key) : NULL;
    AgAppConfig app = {
      .app_id = (char *) DEMO_APP_ID,
      .certificate = (char *) DEMO_CERTIFICATE,
      .allow_no_token = TRUE,
      .admin_key = admin_key,   /* an [app:demo] admin_key of the file stays */
    };

    ag_server_config_add_app (config, &app);
  }

  if (daemon->admin_key_file != NULL) {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *key = NULL;

    if (!g_file_get_contents (daemon->admin_key_file, &key, NULL, &local_error)) {
      g_set_error (error, G_FILE_ERROR, local_error->code, "--admin-key-file: %s",
                   local_error->message);
      return NULL;
    }
    g_strchomp (key);
    if (!ag_server_check_admin_key (key, &local_error)) {
      g_set_error (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                   "--admin-key-file %s: %s", daemon->admin_key_file, local_error->message);
      return NULL;
    }
    g_free (config->admin_key);
    config->admin_key = g_steal_pointer (&key);
  }

  if (config->apps->len == 0) {
    g_set_error_literal (error, AG_SERVER_CONFIG_ERROR, AG_SERVER_CONFIG_ERROR_INVALID,
                         "no app is configured: pass --config FILE with an [app:ID] group, "
                         "or --demo");
    return NULL;
  }

  return g_steal_pointer (&config);
}

static void
log_apps (const AgServerConfig *config)
{
  for (guint i = 0; i < config->apps->len; i++) {
    const AgAppConfig *app = g_ptr_array_index (config->apps, i);

    g_debug ("app %s: certificate %s, admin key %s, %s, %u user msg/s, %u channel msg/s, "
             "%u requests/s, %u channels, %u user attributes of %u bytes",
             app->app_id, app->certificate != NULL ? "set" : "unset",
             app->admin_key != NULL ? "set" : "unset",
             app->allow_no_token ? AG_NO_NEED_TOKEN " accepted" : "tokens required",
             app->user_msg_rate != 0 ? app->user_msg_rate : AG_DEFAULT_USER_MSG_RATE,
             app->channel_msg_rate != 0 ? app->channel_msg_rate : AG_DEFAULT_CHANNEL_MSG_RATE,
             app->user_request_rate != 0 ? app->user_request_rate : AG_DEFAULT_USER_REQUEST_RATE,
             app->max_channels != 0 ? app->max_channels : AG_DEFAULT_MAX_CHANNELS,
             app->max_user_attrs != 0 ? app->max_user_attrs : AG_LIMIT_USER_ATTRS,
             app->max_user_attr_bytes != 0 ? app->max_user_attr_bytes : AG_LIMIT_USER_ATTR_BYTES);
  }
}

/* The apps and limits of config, on a hub that may be running. */
static void
apply_config (AgHub                *hub,
              const AgServerConfig *config)
{
  for (guint i = 0; i < config->apps->len; i++)
    ag_hub_add_app (hub, g_ptr_array_index (config->apps, i));
  ag_hub_set_admin_key (hub, config->admin_key);
  ag_hub_set_max_offline_bytes (hub, config->max_offline_bytes);
  ag_hub_set_memory_budget (hub, config->memory_budget);
}

/* SIGHUP: the configuration is read again. Apps and limits change at once, sessions and
 * state stay; an app no longer configured is kept until the next start (its sessions and
 * channels are live). A configuration with a mistake changes nothing. */
static gboolean
reload_signal_cb (gpointer user_data)
{
  Daemon *daemon = user_data;
  AgHub *hub = ag_server_transport_get_hub (daemon->server);
  g_autoptr(AgServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  if (daemon->stopping)
    return G_SOURCE_CONTINUE;

  config = read_config (daemon, &error);
  if (config == NULL) {
    g_message ("SIGHUP: the configuration was not reloaded: %s", error->message);
    return G_SOURCE_CONTINUE;
  }

  apply_config (hub, config);
  /* Apps new in the file get what the state file kept of them. */
  if (!ag_hub_restore (hub, g_get_real_time (), &error) || !ag_hub_commit (hub, &error))
    g_message ("SIGHUP: %s", error->message);

  g_message ("SIGHUP: configuration reloaded (%u apps); listen, state, state_sync and engine "
             "take effect at the next start", config->apps->len);
  log_apps (config);

  return G_SOURCE_CONTINUE;
}

/* SIGUSR1 and SIGUSR2: one line of what the server holds, instead of the default of ending
 * the process. */
static gboolean
status_signal_cb (gpointer user_data)
{
  Daemon *daemon = user_data;
  AgHub *hub = ag_server_transport_get_hub (daemon->server);
  const AgHubStats *stats = ag_hub_get_stats (hub);
  guint64 offline_max = 0;
  guint64 offline = ag_hub_get_offline_bytes (hub, &offline_max);

  g_message ("status: %" G_GUINT64_FORMAT " connections, %" G_GUINT64_FORMAT " sessions, %"
             G_GUINT64_FORMAT " channels, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
             " offline bytes", stats->connections, stats->sessions, stats->channels,
             offline, offline_max);

  return G_SOURCE_CONTINUE;
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;

  if (!ag_server_transport_shutdown_finish (AG_SERVER_TRANSPORT (object), result, &error))
    g_message ("Shutdown: %s", error->message);

  g_main_loop_quit (daemon->loop);
}

static gboolean
stop_signal_cb (gpointer user_data)
{
  Daemon *daemon = user_data;

  if (daemon->stopping) {
    g_message ("Second stop signal, exiting now");
    g_main_loop_quit (daemon->loop);
    return G_SOURCE_CONTINUE;
  }

  g_message ("Shutting down");
  daemon->stopping = TRUE;
  ag_server_transport_shutdown_async (daemon->server, NULL, shutdown_cb, daemon);

  return G_SOURCE_CONTINUE;
}

static void
remove_signal_sources (const guint *ids,
                       guint        n_ids)
{
  for (guint i = 0; i < n_ids; i++)
    g_source_remove (ids[i]);
}

/* Lets the sockets closed during shutdown finish closing, for a bounded time. */
static void
drain_main_context (void)
{
  gint64 until = g_get_monotonic_time () + DRAIN_TIMEOUT_US;

  while (g_main_context_pending (NULL) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(AgServerConfig) config = NULL;
  g_autoptr(AgEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *host = NULL;
  g_autofree char *admin_key_file = NULL;
  g_autofree char *state_path = NULL;
  g_autofree char *state_sync = NULL;
  g_autofree char *engine_uri = NULL;
  AgEngineSqliteSync sync;
  gboolean demo = FALSE;
  gboolean version = FALSE;
  gboolean verbose = FALSE;
  guint16 port;
  guint signal_ids[5];
  Daemon daemon = { 0, };
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address and port to listen on (default " AG_SERVER_DEFAULT_LISTEN "; port 0 picks a "
      "free port)", "ADDR:PORT" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Configuration file with [app:ID] groups", "FILE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo,
      "Add the app '" DEMO_APP_ID "', which accepts the token " AG_NO_NEED_TOKEN, NULL },
    { "admin-key-file", 0, 0, G_OPTION_ARG_FILENAME, &admin_key_file,
      "Read a server-wide admin key (docs/admin-api.md) from FILE", "FILE" },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state_path,
      "Keep attributes, offline messages, channels and uids in this SQLite file "
      "(" AG_SERVER_STATE_MEMORY ": in memory only, the default)", "PATH" },
    { "state-sync", 0, 0, G_OPTION_ARG_STRING, &state_sync,
      "How commits reach the disk: normal (survives a crash, the default) or full "
      "(survives a power loss)", "MODE" },
    { "engine", 0, 0, G_OPTION_ARG_STRING, &engine_uri,
      "Keep that state in a Redis server that several agsignald may share, instead of a "
      "state file", "redis://HOST:PORT[/DB]" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "Log debug messages and every frame (tokens and admin keys redacted) to stderr", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  /* A client that goes away must not kill the server through a write to its socket, nor a
   * closed stdout through the startup lines. */
  signal (SIGPIPE, SIG_IGN);
  /* A state file that reaches the file size limit is a write error, not a kill. */
  signal (SIGXFSZ, SIG_IGN);
  setlocale (LC_ALL, "");

  /* GLib writes debug and info messages to stdout by default; stdout carries only the
   * startup lines that scripts read. */
  g_log_writer_default_set_use_stderr (TRUE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "The agsignal signaling server.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("agsignald: %s\n", error->message);
    return EXIT_FAILURE;
  }

  if (version) {
    g_print ("agsignald %s\n", AG_VERSION);
    return EXIT_SUCCESS;
  }

  if (argc > 1) {
    g_printerr ("agsignald: unexpected argument '%s'\n", argv[1]);
    return EXIT_FAILURE;
  }

  if (verbose)
    enable_debug_output ();
  ag_wire_trace_init ();

  raise_file_limit ();

  daemon.config_path = config_path;
  daemon.admin_key_file = admin_key_file;
  daemon.demo = demo;
  config = read_config (&daemon, &error);
  if (config == NULL) {
    g_printerr ("agsignald: %s\n", error->message);
    return EXIT_FAILURE;
  }

  if (state_path != NULL && *state_path == '\0') {
    g_printerr ("agsignald: --state: the path is empty (use " AG_SERVER_STATE_MEMORY
                " for no state file)\n");
    return EXIT_FAILURE;
  }

  if (state_path != NULL && engine_uri != NULL) {
    g_printerr ("agsignald: --state and --engine exclude each other (a state file or a "
                "Redis server)\n");
    return EXIT_FAILURE;
  }
  if (engine_uri != NULL && !ag_engine_redis_parse_uri (engine_uri, NULL, NULL, NULL, &error)) {
    g_printerr ("agsignald: --engine: %s\n", error->message);
    return EXIT_FAILURE;
  }

  sync = config->state_sync;
  if (state_sync != NULL && !ag_server_parse_state_sync (state_sync, &sync, &error)) {
    g_printerr ("agsignald: --state-sync: %s\n", error->message);
    return EXIT_FAILURE;
  }

  if (listen != NULL) {
    if (!ag_server_parse_listen (listen, &host, &port, &error)) {
      g_printerr ("agsignald: --listen: %s\n", error->message);
      return EXIT_FAILURE;
    }
  } else if (config->listen_host != NULL) {
    host = g_strdup (config->listen_host);
    port = config->listen_port;
  } else {
    gboolean parsed = ag_server_parse_listen (AG_SERVER_DEFAULT_LISTEN, &host, &port, NULL);

    g_assert (parsed);
  }

  /* Before the address is printed: whoever reads it may send a signal right away. */
  loop = g_main_loop_new (NULL, FALSE);
  daemon.loop = loop;
  signal_ids[0] = g_unix_signal_add (SIGINT, stop_signal_cb, &daemon);
  signal_ids[1] = g_unix_signal_add (SIGTERM, stop_signal_cb, &daemon);
  /* Their default is to end the process, and with it every session; until the server runs
   * they are blocked-and-pending GLib sources, dispatched once the loop runs. */
  signal_ids[2] = g_unix_signal_add (SIGHUP, reload_signal_cb, &daemon);
  signal_ids[3] = g_unix_signal_add (SIGUSR1, status_signal_cb, &daemon);
  signal_ids[4] = g_unix_signal_add (SIGUSR2, status_signal_cb, &daemon);

  /* An option names the store whatever the file says. */
  if (state_path != NULL || engine_uri != NULL)
    engine = open_engine (engine_uri, state_path, sync, &error);
  else
    engine = open_engine (config->engine_uri, config->state_path, sync, &error);
  if (engine == NULL) {
    g_printerr ("agsignald: %s\n", error->message);
    remove_signal_sources (signal_ids, G_N_ELEMENTS (signal_ids));
    return EXIT_FAILURE;
  }

  daemon.server = AG_SERVER_TRANSPORT (ag_epoll_server_new (engine, &error));
  if (daemon.server == NULL) {
    g_printerr ("agsignald: %s\n", error->message);
    remove_signal_sources (signal_ids, G_N_ELEMENTS (signal_ids));
    return EXIT_FAILURE;
  }

  apply_config (ag_server_transport_get_hub (daemon.server), config);

  /* Before listening: a state file that cannot be read or written stops the start. */
  if (!ag_hub_restore (ag_server_transport_get_hub (daemon.server), g_get_real_time (), &error) ||
      !ag_hub_commit (ag_server_transport_get_hub (daemon.server), &error)) {
    g_printerr ("agsignald: %s\n", error->message);
    remove_signal_sources (signal_ids, G_N_ELEMENTS (signal_ids));
    g_clear_object (&daemon.server);
    return EXIT_FAILURE;
  }

  if (!ag_server_transport_listen (daemon.server, host, port, &error)) {
    g_printerr ("agsignald: cannot listen on %s: %s\n", listen != NULL ? listen : host,
                error->message);
    remove_signal_sources (signal_ids, G_N_ELEMENTS (signal_ids));
    g_clear_object (&daemon.server);
    return EXIT_FAILURE;
  }

  /* Scripts and the test fixture read the address from this line. */
  printf ("agsignald listening on %s\n", ag_server_transport_get_uri (daemon.server));
  if (demo)
    printf ("demo app: %s (token %s accepted)\n", DEMO_APP_ID, AG_NO_NEED_TOKEN);
  fflush (stdout);

  log_apps (config);

  g_main_loop_run (loop);

  remove_signal_sources (signal_ids, G_N_ELEMENTS (signal_ids));
  g_clear_object (&daemon.server);
  drain_main_context ();

  return EXIT_SUCCESS;
}
