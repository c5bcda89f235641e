/* agsig.h: the pieces the subcommands of agsig share: options, the logged-in client that
 * waits for results with bounded main-loop spins, the JSON event printer and error reporting.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <agsignal.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Exit codes. 2 and 3 are the outcomes of `agsig call`; 64 is sysexits' EX_USAGE. */
#define AGSIG_EXIT_OK             0
#define AGSIG_EXIT_ERROR          1
#define AGSIG_EXIT_CALL_REFUSED   2
#define AGSIG_EXIT_CALL_FAILED    3
#define AGSIG_EXIT_USAGE          64

#define AGSIG_DEFAULT_TIMEOUT_S   10

/* The options every subcommand takes, before or after its name. */
typedef struct {
  char     *server_uri;
  char     *app_id;
  char     *account;
  char     *token;
  char     *certificate;
  gboolean  verbose;
  guint     timeout_s;   /* bound of every request, seconds */
} AgsigOptions;

void          agsig_options_clear             (AgsigOptions        *options);
GOptionGroup *agsig_options_group_new         (AgsigOptions        *options,
                                               gboolean             with_timeout);
void          agsig_options_apply_environment (AgsigOptions        *options);
/* Returns the usage exit status when the app id (or, with need_account, the account) is
 * missing, else -1. */
int           agsig_options_require           (AgsigOptions        *options,
                                               const char          *name,
                                               gboolean             need_account);
void          agsig_options_default_account   (AgsigOptions        *options);

/* Parses the subcommand's own command line (argv[0] being its name) with entries plus the
 * global options. Returns the exit status to leave with when parsing failed or the positional
 * arguments are not between min_args and max_args (max_args < 0: no upper bound), else -1. */
int           agsig_parse_subcommand          (AgsigOptions        *options,
                                               const char          *name,
                                               const char          *parameter_string,
                                               const char          *summary,
                                               GOptionGroup        *main_group,
                                               gboolean             global_timeout,
                                               int                  min_args,
                                               int                  max_args,
                                               int                 *argc,
                                               char              ***argv);
int           agsig_usage_error               (const char          *name,
                                               const char          *format,
                                               ...) G_GNUC_PRINTF (2, 3);

/* Prints "agsig: WHAT failed: CODE NAME (description)" for AG_ERROR errors, else the
 * message, on stderr. */
void          agsig_print_error               (const char          *what,
                                               const GError        *error);
void          agsig_print_code                (const char          *what,
                                               int                  code);

/* One line of JSON per library event, on stdout, flushed at once. */
typedef struct {
  gboolean enabled;
  guint    printed;   /* lines printed, login-success not counted */
  guint    limit;     /* stop printing after this many counted lines; 0: no limit */
} AgsigEventPrinter;

void          agsig_event_printer_watch       (AgsigEventPrinter   *printer,
                                               gpointer             instance,
                                               const char * const  *signal_names);
void          agsig_print_json                (JsonNode            *node);

/* The result of one _async call, shared between the caller waiting for it and the callback
 * (which may come after the caller gave up). */
typedef struct {
  GAsyncResult *result;
} AgsigPending;

AgsigPending *agsig_pending_new               (void);
AgsigPending *agsig_pending_ref               (AgsigPending        *pending);
void          agsig_pending_unref             (AgsigPending        *pending);
void          agsig_pending_cb                (GObject             *source,
                                               GAsyncResult        *result,
                                               gpointer             user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgsigPending, agsig_pending_unref)

typedef enum {
  AGSIG_WAIT_DONE,
  AGSIG_WAIT_TIMED_OUT,
  AGSIG_WAIT_INTERRUPTED,
} AgsigWait;

typedef gboolean (*AgsigDoneFunc) (gpointer user_data);

typedef struct {
  AgsigOptions      *options;
  AgsigEventPrinter  printer;
  AgSignal          *signal;
  AgSession         *session;
  gboolean           interrupted;
  int                login_ecode;   /* -1 while logging in, 0 once logged in */
  int                logout_ecode;  /* -1 while the session lives */
  guint              sigint_id;
  guint              sigterm_id;
} AgsigClient;

AgsigClient  *agsig_client_new                (AgsigOptions        *options);
void          agsig_client_free               (AgsigClient         *self);
void          agsig_client_begin_login        (AgsigClient         *self,
                                               const char * const  *session_events);
gboolean      agsig_client_wait_login         (AgsigClient         *self,
                                               GError             **error);
gboolean      agsig_client_login              (AgsigClient         *self,
                                               GError             **error);
AgsigWait     agsig_client_spin               (AgsigClient         *self,
                                               AgsigDoneFunc        done,
                                               gpointer             user_data,
                                               guint                timeout_ms);
gboolean      agsig_client_await              (AgsigClient         *self,
                                               AgsigPending        *pending,
                                               GError             **error);
gboolean      agsig_client_join               (AgsigClient         *self,
                                               const char          *name,
                                               const char * const  *channel_events,
                                               AgChannel          **out_channel,
                                               GError             **error);
void          agsig_client_logout             (AgsigClient         *self);
guint         agsig_client_request_timeout_ms (AgsigClient         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgsigClient, agsig_client_free)

/* The subcommands: argv[0] is the subcommand's name. */
int agsig_token_main   (AgsigOptions *options, int argc, char **argv);
int agsig_send_main    (AgsigOptions *options, int argc, char **argv);
int agsig_listen_main  (AgsigOptions *options, int argc, char **argv);
int agsig_channel_main (AgsigOptions *options, int argc, char **argv);
int agsig_call_main    (AgsigOptions *options, int argc, char **argv);
int agsig_attr_main    (AgsigOptions *options, int argc, char **argv);
int agsig_query_main   (AgsigOptions *options, int argc, char **argv);
int agsig_admin_main   (AgsigOptions *options, int argc, char **argv);

G_END_DECLS
