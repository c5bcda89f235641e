/* console-fixture.h: the console's window against a real agsignald, plus peers driven
 * through libagsignal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-test-server.h"
#include "ag-console-application.h"
#include "ag-console-channel-view.h"
#include "ag-console-conversations-view.h"
#include "ag-console-event-log.h"
#include "ag-console-login-dialog.h"
#include "ag-console-session-page.h"
#include "ag-console-window.h"

G_BEGIN_DECLS

#define CONSOLE_TEST_TIMEOUT_MS 15000

#define CONSOLE_TEST_SKIP_NO_DISPLAY "1..0 # SKIP no display\n"

typedef struct
{
  AgTestServer    *server;
  AgConsoleWindow *window;
  GPtrArray       *peers;   /* AgSession, logged out and dropped at teardown */
} ConsoleFixture;

/* g_test_init() and GTK; FALSE when there is no display (then print CONSOLE_TEST_SKIP_NO_DISPLAY
 * and return 0). Call first in main. */
gboolean              console_test_init          (int               *argc,
                                                  char            ***argv);
/* The application every test shares (registered, started up, never activated). */
AgConsoleApplication *console_test_application   (void);

/* Starts agsignald (config_text: an extra configuration file, or NULL) and opens a window. */
void                  console_fixture_setup_full (ConsoleFixture    *fixture,
                                                  const char        *config_text);
void                  console_fixture_setup      (ConsoleFixture    *fixture,
                                                  gconstpointer      data);
void                  console_fixture_teardown   (ConsoleFixture    *fixture,
                                                  gconstpointer      data);

/* Logs account in through the New Session dialog and returns the tab's page. */
AgConsoleSessionPage *console_fixture_login      (ConsoleFixture    *fixture,
                                                  const char        *account);

/* A second session driven from the test (transfer none: the fixture keeps it), logged in. */
AgSession            *console_fixture_peer       (ConsoleFixture    *fixture,
                                                  const char        *account);
/* Joins channel with a peer session and waits for the join. Returns the channel
 * (transfer none: the session holds it). */
AgChannel            *console_fixture_peer_join  (ConsoleFixture    *fixture,
                                                  AgSession         *peer,
                                                  const char        *channel);

/* Iterates the main context until condition is TRUE or CONSOLE_TEST_TIMEOUT_MS passed. */
typedef gboolean (*ConsoleCondition) (gpointer data);
gboolean              console_wait              (ConsoleCondition   condition,
                                                 gpointer           data);

/* The same for an expression, asserting it became true. */
#define CONSOLE_WAIT_UNTIL(expr) \
  G_STMT_START { \
    gint64 console_deadline_ = g_get_monotonic_time () + CONSOLE_TEST_TIMEOUT_MS * (gint64) 1000; \
    guint console_tick_ = g_timeout_add (10, console_tick_cb, NULL); \
    while (!(expr) && g_get_monotonic_time () < console_deadline_) \
      g_main_context_iteration (NULL, TRUE); \
    g_source_remove (console_tick_); \
    if (!(expr)) \
      g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #expr); \
  } G_STMT_END

gboolean              console_tick_cb           (gpointer           data);

/* The first button under root (root included) whose label, or else whose icon name, is
 * label_or_icon; NULL when none is. */
GtkWidget            *console_find_button       (GtkWidget         *root,
                                                 const char        *label_or_icon);

/* Iterates the main context for about ms milliseconds (to let events that must NOT happen
 * show up), bounded. */
void                  console_spin_for          (guint              ms);

G_END_DECLS
