/* ag-bench.c: a load program for agsignald that stays out of the way.
 *
 * Plain epoll over non-blocking sockets with a minimal WebSocket client, many connections
 * per thread, no main loop on the hot path. It only ever connects to loopback addresses and
 * every run ends by itself at its deadline.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-conn.h"
#include "bench-scenarios.h"

typedef struct {
  const char *name;
  int       (*run) (Bench *bench);
  const char *help;
} BenchScenario;

static const BenchScenario scenarios[] = {
  { "fanout", bench_fanout, "one channel, --members members; saturation, then fixed-rate latency" },
  { "peer",   bench_peer,   "--pairs pairs exchanging peer messages (msg_send)" },
  { "idle",   bench_idle,   "--sessions idle logged-in sessions: connect time, server RSS" },
  { "logins", bench_logins, "connect, log in, log out, --logins times" },
  { "durable", bench_durable, "--writers sessions: user_set_attr, then msg_send to offline peers" },
};

/* Load goes to this machine only: 127.0.0.0/8 or ::1, given as numbers. */
static gboolean
set_loopback_address (Bench      *bench,
                      const char *host,
                      guint16     port)
{
  struct sockaddr_in *in4 = (struct sockaddr_in *) &bench->address;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &bench->address;

  memset (&bench->address, 0, sizeof bench->address);

  if (inet_pton (AF_INET, host, &in4->sin_addr) == 1) {
    if ((ntohl (in4->sin_addr.s_addr) >> 24) != 127)
      return FALSE;
    in4->sin_family = AF_INET;
    in4->sin_port = htons (port);
    bench->address_len = sizeof *in4;
    return TRUE;
  }

  memset (&bench->address, 0, sizeof bench->address);
  if (inet_pton (AF_INET6, host, &in6->sin6_addr) == 1 &&
      IN6_IS_ADDR_LOOPBACK (&in6->sin6_addr)) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons (port);
    bench->address_len = sizeof *in6;
    return TRUE;
  }

  return FALSE;
}

static gboolean
parse_server (Bench       *bench,
              const char  *url,
              GError     **error)
{
  g_autofree char *hostport = NULL;
  g_autofree char *host = NULL;
  const char *rest;
  const char *path;
  const char *port_text;
  guint64 port;

  if (!g_str_has_prefix (url, "ws://")) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--server must be a ws:// URL, not '%s'", url);
    return FALSE;
  }

  rest = url + strlen ("ws://");
  path = strchr (rest, '/');
  hostport = path != NULL ? g_strndup (rest, path - rest) : g_strdup (rest);
  bench->path = g_strdup (path != NULL ? path : "/v1");

  if (hostport[0] == '[') {
    const char *close = strchr (hostport, ']');

    if (close == NULL || close[1] != ':') {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--server needs [ADDRESS]:PORT, not '%s'", hostport);
      return FALSE;
    }
    host = g_strndup (hostport + 1, close - hostport - 1);
    port_text = close + 2;
  } else {
    const char *colon = strrchr (hostport, ':');

    if (colon == NULL) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--server needs an explicit port, not '%s'", hostport);
      return FALSE;
    }
    host = g_strndup (hostport, colon - hostport);
    port_text = colon + 1;
  }

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--server has a bad port '%s'", port_text);
    return FALSE;
  }

  /* localhost is not looked up: the name could resolve anywhere. */
  if (g_ascii_strcasecmp (host, "localhost") == 0) {
    g_free (host);
    host = g_strdup ("127.0.0.1");
  }

  if (!set_loopback_address (bench, host, port)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "refusing --server host '%s': only loopback (127.0.0.0/8, ::1, localhost) "
                 "may be loaded", host);
    return FALSE;
  }

  bench->host_header = g_steal_pointer (&hostport);
  return TRUE;
}

/* Thousands of connections need as many descriptors. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit (RLIMIT_NOFILE, &limit) < 0)
      g_printerr ("ag-bench: cannot raise the descriptor limit to %lu\n",
                  (unsigned long) limit.rlim_max);
  }
}

static char *
json_escaped (const char *text)
{
  GString *str = g_string_new (NULL);

  bench_json_escape (str, text);
  return g_string_free (str, FALSE);
}

/* Fills in the defaults and returns the parser for the command line. */
static GOptionContext *
new_option_context (BenchOptions *o)
{
  g_autoptr(GString) summary = g_string_new ("Scenarios:");
  GOptionContext *context;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &o->server,
      "agsignald URL, loopback only (ws://127.0.0.1:PORT/v1)", "URL" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &o->server_pid,
      "Read the server's CPU time and RSS from /proc/PID", "PID" },
    { "app", 0, 0, G_OPTION_ARG_STRING, &o->app_id, "App id (bench)", "ID" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &o->token, "Login token (_no_need_token)", "TOKEN" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, "Worker threads (1)", "N" },
    { "deadline", 0, 0, G_OPTION_ARG_DOUBLE, &o->deadline,
      "Stop everything after this many seconds (60)", "S" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &o->concurrency,
      "Connections set up at the same time (200; logins: 50)", "N" },
    { "msg-size", 0, 0, G_OPTION_ARG_INT, &o->msg_size, "Bytes per message text (100)", "B" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &o->messages,
      "fanout: saturation publishes (5000); peer: messages in all (100000)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o->seconds,
      "Time cap of the saturation, exchange or login phase (10)", "S" },
    { "drain-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->drain_timeout,
      "How long to wait for deliveries after the last send (10)", "S" },
    { "sources", 0, 0, G_OPTION_ARG_INT, &o->sources,
      "Spread the connections over this many source addresses, 127.0.0.1 and up, for more "
      "than the ~28,000 one address can open to one port (1: the kernel's choice)", "N" },
    { "window", 0, 0, G_OPTION_ARG_INT, &o->window,
      "Messages in flight per sender (16)", "N" },
    { "members", 0, 0, G_OPTION_ARG_INT, &o->members, "fanout: channel members (1000)", "N" },
    { "publishers", 0, 0, G_OPTION_ARG_INT, &o->publishers,
      "fanout: members that publish (4)", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &o->rate,
      "fanout: publishes per second in the latency phase (50)", "R" },
    { "latency-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o->latency_seconds,
      "fanout: length of the latency phase, 0 to skip it (10)", "S" },
    { "pairs", 0, 0, G_OPTION_ARG_INT, &o->pairs, "peer: pairs of sessions (500)", "N" },
    { "sessions", 0, 0, G_OPTION_ARG_INT, &o->sessions, "idle: sessions (10000)", "N" },
    { "hold", 0, 0, G_OPTION_ARG_DOUBLE, &o->hold,
      "idle: seconds to hold the sessions idle (3)", "S" },
    { "logins", 0, 0, G_OPTION_ARG_INT, &o->logins, "logins: login cycles (20000)", "N" },
    { "writers", 0, 0, G_OPTION_ARG_INT, &o->writers, "durable: writing sessions (50)", "N" },
    { "ttl", 0, 0, G_OPTION_ARG_INT, &o->ttl,
      "durable: ttl of the offline messages in seconds (300)", "S" },
    { "state-file", 0, 0, G_OPTION_ARG_FILENAME, &o->state_file,
      "durable: the server's state file, to report its size", "PATH" },
    { "state-sync", 0, 0, G_OPTION_ARG_STRING, &o->state_sync,
      "durable: the server's --state-sync, for the report", "MODE" },
    { "engine", 0, 0, G_OPTION_ARG_STRING, &o->engine,
      "durable: the server's --engine, for the report", "URI" },
    { "expire-wait", 0, 0, G_OPTION_ARG_DOUBLE, &o->expire_wait,
      "durable: wait for the messages to expire, at most this many seconds past the ttl, "
      "and report the file size again (0: do not wait)", "S" },
    G_OPTION_ENTRY_NULL
  };

  *o = (BenchOptions) {
    .threads = 1,
    .deadline = 60,
    .concurrency = -1,
    .msg_size = 100,
    .messages = -1,
    .seconds = 10,
    .drain_timeout = 10,
    .window = 16,
    .sources = 1,
    .members = 1000,
    .publishers = 4,
    .rate = 50,
    .latency_seconds = 10,
    .pairs = 500,
    .sessions = 10000,
    .hold = 3,
    .logins = 20000,
    .writers = 50,
    .ttl = 300,
  };

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    g_string_append_printf (summary, "\n  %-8s %s", scenarios[i].name, scenarios[i].help);
  g_string_append (summary, "\n\nExit status: 0 when every message arrived and nothing "
                   "failed, 1 otherwise, 2 for bad usage.");

  context = g_option_context_new ("SCENARIO - load agsignald over loopback");
  g_option_context_set_summary (context, summary->str);
  g_option_context_add_main_entries (context, entries, NULL);

  return context;
}

static int
run (Bench  *bench,
     int     argc,
     char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const BenchScenario *scenario = NULL;
  BenchOptions *o = &bench->options;

  context = new_option_context (o);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("ag-bench: %s\n", error->message);
    return 2;
  }

  if (argc == 2) {
    for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
      if (strcmp (argv[1], scenarios[i].name) == 0)
        scenario = &scenarios[i];
  }

  if (scenario == NULL) {
    g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

    g_printerr ("%s", help);
    return 2;
  }

  if (o->server == NULL) {
    g_printerr ("ag-bench: --server is required\n");
    return 2;
  }

  if (!parse_server (bench, o->server, &error)) {
    g_printerr ("ag-bench: %s\n", error->message);
    return 2;
  }

  if (o->threads < 1 || o->threads > 64 || o->deadline <= 0 || o->msg_size < 1 ||
      o->msg_size > 8192 || o->window < 1 || o->window > BENCH_PENDING_MAX / 2 ||
      o->members < 1 || o->members > 100000 || o->publishers < 1 || o->pairs < 1 ||
      o->sessions < 1 || o->logins < 1 || o->rate <= 0 || o->seconds <= 0 ||
      o->latency_seconds < 0 || o->hold < 0 || o->drain_timeout < 0 || o->sources < 1 ||
      o->sources > 250) {
    g_printerr ("ag-bench: an option is out of range\n");
    return 2;
  }

  if (o->sources > 1 && bench->address.ss_family != AF_INET) {
    g_printerr ("ag-bench: --sources needs an IPv4 server address\n");
    return 2;
  }

  if (o->server_pid > 0) {
    g_autofree char *proc = g_strdup_printf ("/proc/%d/stat", o->server_pid);

    if (!g_file_test (proc, G_FILE_TEST_EXISTS)) {
      g_printerr ("ag-bench: no process %d\n", o->server_pid);
      return 2;
    }
  }

  if (o->concurrency < 0)
    o->concurrency = strcmp (scenario->name, "logins") == 0 ? 50 : 200;
  o->concurrency = MAX (o->concurrency, 1);

  bench->app_id_json = json_escaped (o->app_id != NULL ? o->app_id : "bench");
  bench->token_json = json_escaped (o->token != NULL ? o->token : "_no_need_token");
  g_snprintf (bench->tag, sizeof bench->tag, "b%x", (guint) (getpid () ^ (g_get_real_time () / 1000)));

  raise_fd_limit ();
  signal (SIGPIPE, SIG_IGN);

  bench->start_ns = bench_now_ns ();
  bench->deadline_ns = bench->start_ns + (gint64) (o->deadline * 1e9);

  bench->n_workers = o->threads;
  bench->workers = g_new0 (BenchWorker *, bench->n_workers);
  for (guint i = 0; i < bench->n_workers; i++)
    bench->workers[i] = bench_worker_new (bench, i);

  return scenario->run (bench);
}

static void
bench_clear (Bench *bench)
{
  for (guint i = 0; i < bench->n_workers; i++)
    bench_worker_free (bench->workers[i]);
  g_free (bench->workers);
  g_free (bench->host_header);
  g_free (bench->path);
  g_free (bench->app_id_json);
  g_free (bench->token_json);
  g_free (bench->options.server);
  g_free (bench->options.app_id);
  g_free (bench->options.token);
  g_free (bench->options.state_file);
  g_free (bench->options.state_sync);
  g_free (bench->options.engine);
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { 0 };
  int status = run (&bench, argc, argv);

  bench_clear (&bench);

  return status;
}
