/* ag-hub-driver.h: how agsignald's transports call into the sans-IO AgHub
 *
 * The hub must not be re-entered from its own sink callbacks: a connection a transport gives
 * up on while a hub call is running is reported once the outermost call returns. After every
 * outermost call the single hub timer is re-armed at ag_hub_next_deadline(), so the hub's
 * deadlines (TTLs, invite timeouts) fire without the transport knowing about them.
 *
 * Acknowledged means durable: a transport calls ag_hub_driver_commit() before anything the
 * hub queued leaves the process, so the engine commits once per turn of the main loop and
 * before the first reply of the turn is written. Changes that queue no output (timers,
 * closes) are committed by an idle callback at the end of the turn.
 */
#pragma once

#include <glib.h>

#include "ag-hub.h"

G_BEGIN_DECLS

/* Called after each timer tick of the hub, outside any hub call. */
typedef void (*AgHubDriverTicked) (gpointer user_data);
/* Called when a commit failed: nothing the hub queued since the last commit may be sent. */
typedef void (*AgHubDriverCommitFailed) (gpointer user_data);

typedef struct {
  AgHub             *hub;
  guint              depth;            /* hub calls in progress */
  GArray            *pending_closes;   /* of guint64, reported when depth drops to 0 */

  GSource           *timer;
  gint64             timer_deadline;

  AgHubDriverTicked  ticked;
  gpointer           user_data;

  AgHubDriverCommitFailed commit_failed;  /* set by the transport, may be NULL */
  GSource           *commit_idle;
} AgHubDriver;

/* Takes ownership of hub. ticked may be NULL. */
void ag_hub_driver_init              (AgHubDriver       *driver,
                                      AgHub             *hub,
                                      AgHubDriverTicked  ticked,
                                      gpointer           user_data);
/* Stops the timer and drops the hub; a zero-filled driver may be cleared too. */
void ag_hub_driver_clear             (AgHubDriver       *driver);

/* ag_hub_connection_opened() and ag_hub_connection_frame() at the current wall-clock time. */
void ag_hub_driver_connection_opened (AgHubDriver       *driver,
                                      guint64            conn_id);
void ag_hub_driver_connection_frame  (AgHubDriver       *driver,
                                      guint64            conn_id,
                                      const char        *data,
                                      gsize              length);
void ag_hub_driver_connection_set_address (AgHubDriver  *driver,
                                           guint64       conn_id,
                                           const char   *address);
/* One POST /v1/admin request (ag_hub_admin_http()). */
GBytes *ag_hub_driver_admin_http       (AgHubDriver       *driver,
                                        const char        *address,
                                        const char        *bearer_key,
                                        const char        *body,
                                        gsize              length,
                                        guint             *out_status);
/* The key of an "Authorization: Bearer KEY" header value, or NULL. */
const char *ag_hub_driver_bearer_key   (const char        *authorization);

#define AG_ADMIN_HTTP_PATH      "/v1/admin"
#define AG_ADMIN_HTTP_MAX_BODY  (64 * 1024)

/* ag_hub_connection_closed() now, or once the hub call in progress returns. */
void ag_hub_driver_connection_closed (AgHubDriver       *driver,
                                      guint64            conn_id);

/* Commits what the hub changed. On failure logs why, calls commit_failed and returns FALSE;
 * the transport must then drop what the hub queued since the last commit. */
gboolean ag_hub_driver_commit        (AgHubDriver       *driver);

G_END_DECLS
