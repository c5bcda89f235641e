/* ag-console-embedded-server.c: an agsignald child process on 127.0.0.1 with the demo app
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib/gstdio.h>
#ifdef __linux__
# include <sys/prctl.h>
#endif

#include <glib/gi18n.h>

#include "ag-console-embedded-server.h"

#define LISTENING_PREFIX "agsignald listening on "

struct _AgConsoleEmbeddedServer
{
  GObject                       parent_instance;

  char                         *program;
  char                         *state_path;
  GSubprocess                  *process;
  GDataInputStream             *output;
  GCancellable                 *cancellable;
  GTask                        *start_task;
  guint                         timeout_id;

  char                         *uri;
  char                         *admin_key;
  char                         *admin_key_path; /* while the child has not read it */
  guint16                       last_port;
  GError                       *error;
  AgConsoleEmbeddedServerState  state;
  guint                         stopping : 1;
};

G_DEFINE_FINAL_TYPE (AgConsoleEmbeddedServer, ag_console_embedded_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROGRAM,
  PROP_STATE_PATH,
  PROP_STATE,
  PROP_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (AgConsoleEmbeddedServer      *self,
           AgConsoleEmbeddedServerState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_uri (AgConsoleEmbeddedServer *self,
         const char              *uri)
{
  if (g_strcmp0 (self->uri, uri) == 0)
    return;

  g_free (self->uri);
  self->uri = g_strdup (uri);
  if (uri != NULL) {
    g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

    if (parsed != NULL && g_uri_get_port (parsed) > 0)
      self->last_port = g_uri_get_port (parsed);
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
}

/* The key file is read by agsignald before it prints its address; it is gone once the
 * start ends either way, so the key lives only in the two processes' memory. */
static void
remove_admin_key_file (AgConsoleEmbeddedServer *self)
{
  if (self->admin_key_path != NULL)
    g_unlink (self->admin_key_path);
  g_clear_pointer (&self->admin_key_path, g_free);
}

static void
forget_admin_key (AgConsoleEmbeddedServer *self)
{
  if (self->admin_key != NULL)
    memset (self->admin_key, 0, strlen (self->admin_key));
  g_clear_pointer (&self->admin_key, g_free);
}

/* A fresh admin key of 256 random bits, written to a file only this user can read. */
static gboolean
write_admin_key (AgConsoleEmbeddedServer  *self,
                 GError                  **error)
{
  guint8 bytes[32];
  GString *key = g_string_sized_new (2 * sizeof bytes + 1);
  int fd;

  if (getrandom (bytes, sizeof bytes, 0) != (ssize_t) sizeof bytes) {
    g_string_free (key, TRUE);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("No random bytes for the admin key"));
    return FALSE;
  }

  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (key, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);

  forget_admin_key (self);
  self->admin_key = g_string_free (key, FALSE);

  remove_admin_key_file (self);
  /* g_file_open_tmp creates the file with mode 0600. */
  fd = g_file_open_tmp ("agsignal-console-XXXXXX.key", &self->admin_key_path, error);
  if (fd < 0)
    return FALSE;
  if (write (fd, self->admin_key, strlen (self->admin_key)) != (ssize_t) strlen (self->admin_key)) {
    close (fd);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write the admin key file"));
    return FALSE;
  }
  close (fd);

  return TRUE;
}

/* Ends the start operation, with the URI or with error (taken). */
static void
finish_start (AgConsoleEmbeddedServer *self,
              GError                  *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  remove_admin_key_file (self);

  if (error != NULL) {
    g_clear_error (&self->error);
    self->error = g_error_copy (error);
    set_state (self, AG_CONSOLE_EMBEDDED_SERVER_FAILED);
    if (task != NULL)
      g_task_return_error (task, error);
    else
      g_error_free (error);
    return;
  }

  set_state (self, AG_CONSOLE_EMBEDDED_SERVER_RUNNING);
  if (task != NULL)
    g_task_return_pointer (task, g_strdup (self->uri), g_free);
}

/* "agsignald listening on ws://127.0.0.1:40123/v1" -> "ws://127.0.0.1:40123/v1" */
static char *
parse_listening_line (const char *line)
{
  const char *start;
  const char *end;

  if (!g_str_has_prefix (line, LISTENING_PREFIX))
    return NULL;

  start = line + strlen (LISTENING_PREFIX);
  end = start;
  while (*end != '\0' && !g_ascii_isspace (*end))
    end++;

  if (end == start || !(g_str_has_prefix (start, "ws://") || g_str_has_prefix (start, "wss://")))
    return NULL;

  return g_strndup (start, end - start);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AgConsoleEmbeddedServer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL) {
    /* End of output: the process is exiting, which wait_cb reports. */
    if (error != NULL)
      g_debug ("Reading agsignald output: %s", error->message);
    return;
  }

  g_debug ("agsignald: %s", line);

  if (self->state == AG_CONSOLE_EMBEDDED_SERVER_STARTING) {
    g_autofree char *uri = parse_listening_line (line);

    if (uri != NULL) {
      set_uri (self, uri);
      finish_start (self, NULL);
    }
  }

  /* Keep reading so the pipe never fills up and blocks the server. */
  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, self->cancellable,
                                       read_line_cb, g_object_ref (self));
}

/* Whether agsignald could listen on 127.0.0.1:port now (0 is always free). */
static gboolean
port_is_free (guint16 port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  if (port == 0)
    return TRUE;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  if (socket == NULL)
    return FALSE;

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);

  return g_socket_bind (socket, address, TRUE, NULL);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(AgConsoleEmbeddedServer) self = user_data;
  GSubprocess *process = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *how = NULL;

  if (!g_subprocess_wait_finish (process, result, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    how = g_strdup (error->message);
  } else if (g_subprocess_get_if_signaled (process)) {
    how = g_strdup_printf (_("killed by signal %d"), g_subprocess_get_term_sig (process));
  } else {
    how = g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process));
  }

  if (self->process != process)
    return;

  g_clear_object (&self->process);
  set_uri (self, NULL);

  if (self->state == AG_CONSOLE_EMBEDDED_SERVER_STARTING) {
    if (self->stopping)
      finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _("agsignald was stopped")));
    else
      finish_start (self, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                       _("agsignald exited before listening (%s)"), how));
  } else if (self->state == AG_CONSOLE_EMBEDDED_SERVER_RUNNING) {
    if (self->stopping) {
      set_state (self, AG_CONSOLE_EMBEDDED_SERVER_STOPPED);
    } else {
      g_clear_error (&self->error);
      self->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("agsignald exited unexpectedly (%s)"), how);
      set_state (self, AG_CONSOLE_EMBEDDED_SERVER_FAILED);
    }
  }
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  AgConsoleEmbeddedServer *self = user_data;

  self->timeout_id = 0;

  if (self->process != NULL) {
    self->stopping = TRUE;
    g_subprocess_force_exit (self->process);
  }

  finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                           _("agsignald did not report its address in time")));

  return G_SOURCE_REMOVE;
}

static void
ag_console_embedded_server_dispose (GObject *object)
{
  AgConsoleEmbeddedServer *self = (AgConsoleEmbeddedServer *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  /* Never leave a server running behind the console. */
  if (self->process != NULL)
    g_subprocess_send_signal (self->process, SIGTERM);

  g_clear_object (&self->process);
  g_clear_object (&self->output);
  g_clear_object (&self->start_task);

  G_OBJECT_CLASS (ag_console_embedded_server_parent_class)->dispose (object);
}

static void
ag_console_embedded_server_finalize (GObject *object)
{
  AgConsoleEmbeddedServer *self = (AgConsoleEmbeddedServer *) object;

  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_free (self->program);
  g_free (self->state_path);
  g_free (self->uri);
  remove_admin_key_file (self);
  forget_admin_key (self);

  G_OBJECT_CLASS (ag_console_embedded_server_parent_class)->finalize (object);
}

static void
ag_console_embedded_server_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  AgConsoleEmbeddedServer *self = AG_CONSOLE_EMBEDDED_SERVER (object);

  switch (prop_id) {
  case PROP_PROGRAM:
    g_value_set_string (value, self->program);
    break;
  case PROP_STATE_PATH:
    g_value_set_string (value, self->state_path);
    break;
  case PROP_STATE:
    g_value_set_int (value, self->state);
    break;
  case PROP_URI:
    g_value_set_string (value, self->uri);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_embedded_server_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  AgConsoleEmbeddedServer *self = AG_CONSOLE_EMBEDDED_SERVER (object);

  switch (prop_id) {
  case PROP_STATE_PATH:
    ag_console_embedded_server_set_state_path (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_embedded_server_class_init (AgConsoleEmbeddedServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_console_embedded_server_dispose;
  object_class->finalize = ag_console_embedded_server_finalize;
  object_class->get_property = ag_console_embedded_server_get_property;
  object_class->set_property = ag_console_embedded_server_set_property;

  properties[PROP_PROGRAM] =
    g_param_spec_string ("program", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_PATH] =
    g_param_spec_string ("state-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      AG_CONSOLE_EMBEDDED_SERVER_STOPPED, AG_CONSOLE_EMBEDDED_SERVER_FAILED,
                      AG_CONSOLE_EMBEDDED_SERVER_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_embedded_server_init (AgConsoleEmbeddedServer *self)
{
  self->cancellable = g_cancellable_new ();
}

char *
ag_console_embedded_server_find_program (void)
{
  const char *env = g_getenv ("AGSIGNALD");
  g_autofree char *installed = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  installed = g_build_filename (BINDIR, "agsignald", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);

  return g_find_program_in_path ("agsignald");
}

AgConsoleEmbeddedServer *
ag_console_embedded_server_new (const char *program)
{
  AgConsoleEmbeddedServer *self = g_object_new (AG_CONSOLE_TYPE_EMBEDDED_SERVER, NULL);

  self->program = program != NULL ? g_strdup (program) : ag_console_embedded_server_find_program ();

  return self;
}

const char *
ag_console_embedded_server_get_state_path (AgConsoleEmbeddedServer *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self), NULL);

  return self->state_path;
}

void
ag_console_embedded_server_set_state_path (AgConsoleEmbeddedServer *self,
                                           const char              *state_path)
{
  g_return_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self));

  if (g_strcmp0 (self->state_path, state_path) == 0)
    return;

  g_free (self->state_path);
  self->state_path = g_strdup (state_path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_PATH]);
}

const char *
ag_console_embedded_server_get_program (AgConsoleEmbeddedServer *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self), NULL);

  return self->program;
}

AgConsoleEmbeddedServerState
ag_console_embedded_server_get_state (AgConsoleEmbeddedServer *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self), AG_CONSOLE_EMBEDDED_SERVER_STOPPED);

  return self->state;
}

const char *
ag_console_embedded_server_get_uri (AgConsoleEmbeddedServer *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self), NULL);

  return self->uri;
}

const GError *
ag_console_embedded_server_get_error (AgConsoleEmbeddedServer *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self), NULL);

  return self->error;
}

#ifdef __linux__
/* Runs in the child between fork and exec: the server gets SIGTERM if the console dies
 * without stopping it, so no orphan keeps the port. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

void
ag_console_embedded_server_start_async (AgConsoleEmbeddedServer *self,
                                        guint                    timeout_ms,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  GInputStream *stdout_pipe;

  g_return_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self));
  g_return_if_fail (timeout_ms > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_console_embedded_server_start_async);

  if (self->state == AG_CONSOLE_EMBEDDED_SERVER_RUNNING) {
    g_task_return_pointer (task, g_strdup (self->uri), g_free);
    return;
  }

  if (self->state == AG_CONSOLE_EMBEDDED_SERVER_STARTING) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                             _("agsignald is already starting"));
    return;
  }

  if (self->program == NULL) {
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                 _("agsignald was not found (install it, or set AGSIGNALD)"));
    g_clear_error (&self->error);
    self->error = g_error_copy (error);
    set_state (self, AG_CONSOLE_EMBEDDED_SERVER_FAILED);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  if (!write_admin_key (self, &error)) {
    remove_admin_key_file (self);
    g_clear_error (&self->error);
    self->error = g_error_copy (error);
    set_state (self, AG_CONSOLE_EMBEDDED_SERVER_FAILED);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif

  /* A restart listens where the last run did, so that the sessions on it re-attach by
   * themselves; should the port be taken meanwhile, any free port will do. */
  listen = g_strdup_printf ("127.0.0.1:%u", port_is_free (self->last_port) ? self->last_port : 0);
  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (self->program));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup (listen));
  g_ptr_array_add (argv, g_strdup ("--demo"));
  g_ptr_array_add (argv, g_strdup ("--admin-key-file"));
  g_ptr_array_add (argv, g_strdup (self->admin_key_path));
  if (self->state_path != NULL) {
    g_autofree char *dir = g_path_get_dirname (self->state_path);

    /* agsignald creates the file, not the directories above it. */
    if (g_mkdir_with_parents (dir, 0700) != 0)
      g_debug ("Cannot create %s for the embedded server's state", dir);
    g_ptr_array_add (argv, g_strdup ("--state"));
    g_ptr_array_add (argv, g_strdup (self->state_path));
  }
  g_ptr_array_add (argv, NULL);

  g_clear_object (&self->process);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                &error);
  if (self->process == NULL) {
    remove_admin_key_file (self);
    g_clear_error (&self->error);
    self->error = g_error_copy (error);
    set_state (self, AG_CONSOLE_EMBEDDED_SERVER_FAILED);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  g_clear_error (&self->error);
  self->stopping = FALSE;
  self->start_task = g_steal_pointer (&task);
  set_state (self, AG_CONSOLE_EMBEDDED_SERVER_STARTING);

  stdout_pipe = g_subprocess_get_stdout_pipe (self->process);
  g_clear_object (&self->output);
  self->output = g_data_input_stream_new (stdout_pipe);
  g_data_input_stream_set_newline_type (self->output, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, self->cancellable,
                                       read_line_cb, g_object_ref (self));
  g_subprocess_wait_async (self->process, self->cancellable, wait_cb, g_object_ref (self));
  self->timeout_id = g_timeout_add (timeout_ms, start_timeout_cb, self);
}

char *
ag_console_embedded_server_start_finish (AgConsoleEmbeddedServer  *self,
                                         GAsyncResult             *result,
                                         GError                  **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

void
ag_console_embedded_server_stop (AgConsoleEmbeddedServer *self,
                                 guint                    timeout_ms)
{
  g_autoptr(GSubprocess) process = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;

  g_return_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self));

  if (self->process == NULL)
    return;

  process = g_object_ref (self->process);
  self->stopping = TRUE;
  g_subprocess_send_signal (process, SIGTERM);

  /* wait_cb clears self->process once the child is reaped. */
  timeout_id = g_timeout_add (timeout_ms, stop_timeout_cb, &timed_out);
  while (self->process == process && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);

  if (self->process == process) {
    g_subprocess_force_exit (process);
    while (self->process == process)
      g_main_context_iteration (NULL, TRUE);
  }

  if (self->start_task != NULL)
    finish_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("agsignald was stopped")));

  set_state (self, AG_CONSOLE_EMBEDDED_SERVER_STOPPED);
}

const char *
ag_console_embedded_server_get_admin_key (AgConsoleEmbeddedServer *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EMBEDDED_SERVER (self), NULL);

  return self->state == AG_CONSOLE_EMBEDDED_SERVER_RUNNING ? self->admin_key : NULL;
}
