/* ag-hub-driver.c: hub calls, deferred closes and the hub timer for agsignald's transports */

#include "ag-hub-driver.h"

#define TIMER_MAX_DELAY_MS (60 * 1000)

static void timer_rearm (AgHubDriver *driver);
static void commit_soon (AgHubDriver *driver);

static void
enter (AgHubDriver *driver)
{
  driver->depth++;
}

/* Every hub call is bracketed by enter() and leave(). */
static void
leave (AgHubDriver *driver)
{
  g_assert (driver->depth > 0);

  if (driver->depth == 1) {
    /* Reporting a close can make the hub close or drop further connections: the queue is
     * drained until it stays empty. */
    for (guint i = 0; i < driver->pending_closes->len; i++) {
      guint64 id = g_array_index (driver->pending_closes, guint64, i);

      ag_hub_connection_closed (driver->hub, id, g_get_real_time ());
    }
    g_array_set_size (driver->pending_closes, 0);

    timer_rearm (driver);
    commit_soon (driver);
  }

  driver->depth--;
}

static gboolean
timer_cb (gpointer user_data)
{
  AgHubDriver *driver = user_data;

  g_clear_pointer (&driver->timer, g_source_unref);
  driver->timer_deadline = G_MAXINT64;

  enter (driver);
  ag_hub_tick (driver->hub, g_get_real_time ());
  leave (driver);

  if (driver->ticked != NULL)
    driver->ticked (driver->user_data);

  return G_SOURCE_REMOVE;
}

/* Durability */

gboolean
ag_hub_driver_commit (AgHubDriver *driver)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (driver != NULL, FALSE);

  if (driver->hub == NULL || ag_hub_commit (driver->hub, &error))
    return TRUE;

  g_message ("%s; the replies waiting for it are withheld and their connections closed",
             error->message);
  if (driver->commit_failed != NULL)
    driver->commit_failed (driver->user_data);

  return FALSE;
}

static gboolean
commit_idle_cb (gpointer user_data)
{
  AgHubDriver *driver = user_data;

  g_clear_pointer (&driver->commit_idle, g_source_unref);
  ag_hub_driver_commit (driver);

  return G_SOURCE_REMOVE;
}

/* At the end of this turn of the main loop, after the transports have written (and so
 * committed) what they could. */
static void
commit_soon (AgHubDriver *driver)
{
  if (driver->commit_idle != NULL)
    return;

  driver->commit_idle = g_idle_source_new ();
  g_source_set_priority (driver->commit_idle, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_static_name (driver->commit_idle, "[agsignald] state commit");
  g_source_set_callback (driver->commit_idle, commit_idle_cb, driver, NULL);
  g_source_attach (driver->commit_idle, NULL);
}

static void
timer_stop (AgHubDriver *driver)
{
  if (driver->timer == NULL)
    return;

  g_source_destroy (driver->timer);
  g_clear_pointer (&driver->timer, g_source_unref);
}

static void
timer_rearm (AgHubDriver *driver)
{
  gint64 deadline = ag_hub_next_deadline (driver->hub);
  gint64 delay_us;
  guint delay_ms;

  if (driver->timer != NULL && deadline == driver->timer_deadline)
    return;

  timer_stop (driver);

  driver->timer_deadline = deadline;
  if (deadline == G_MAXINT64)
    return;

  /* The hub counts in wall-clock time and GLib timeouts in monotonic time: long waits are
   * cut short so that a wall clock that jumps is noticed within a minute. */
  delay_us = deadline - g_get_real_time ();
  if (delay_us <= 0)
    delay_ms = 0;
  else
    delay_ms = (guint) MIN ((delay_us + 999) / 1000, TIMER_MAX_DELAY_MS);

  driver->timer = g_timeout_source_new (delay_ms);
  g_source_set_static_name (driver->timer, "[agsignald] hub timer");
  g_source_set_callback (driver->timer, timer_cb, driver, NULL);
  g_source_attach (driver->timer, NULL);
}

void
ag_hub_driver_init (AgHubDriver       *driver,
                    AgHub             *hub,
                    AgHubDriverTicked  ticked,
                    gpointer           user_data)
{
  g_return_if_fail (driver != NULL);
  g_return_if_fail (AG_IS_HUB (hub));

  driver->hub = hub;
  driver->depth = 0;
  driver->pending_closes = g_array_new (FALSE, FALSE, sizeof (guint64));
  driver->timer = NULL;
  driver->timer_deadline = G_MAXINT64;
  driver->ticked = ticked;
  driver->user_data = user_data;
  driver->commit_failed = NULL;
  driver->commit_idle = NULL;
}

void
ag_hub_driver_clear (AgHubDriver *driver)
{
  g_return_if_fail (driver != NULL);

  timer_stop (driver);
  if (driver->commit_idle != NULL) {
    g_source_destroy (driver->commit_idle);
    g_clear_pointer (&driver->commit_idle, g_source_unref);
  }
  /* What the last turn changed is committed now; nothing waits for it any more, and the
   * transport being disposed is not told. */
  driver->commit_failed = NULL;
  if (driver->hub != NULL)
    ag_hub_driver_commit (driver);
  g_clear_pointer (&driver->pending_closes, g_array_unref);
  g_clear_object (&driver->hub);
}

void
ag_hub_driver_connection_opened (AgHubDriver *driver,
                                 guint64      conn_id)
{
  enter (driver);
  ag_hub_connection_opened (driver->hub, conn_id, g_get_real_time ());
  leave (driver);
}

void
ag_hub_driver_connection_frame (AgHubDriver *driver,
                                guint64      conn_id,
                                const char  *data,
                                gsize        length)
{
  enter (driver);
  ag_hub_connection_frame (driver->hub, conn_id, data, length, g_get_real_time ());
  leave (driver);
}

void
ag_hub_driver_connection_set_address (AgHubDriver *driver,
                                      guint64      conn_id,
                                      const char  *address)
{
  ag_hub_connection_set_address (driver->hub, conn_id, address);
}

GBytes *
ag_hub_driver_admin_http (AgHubDriver *driver,
                          const char  *address,
                          const char  *bearer_key,
                          const char  *body,
                          gsize        length,
                          guint       *out_status)
{
  GBytes *reply;

  enter (driver);
  reply = ag_hub_admin_http (driver->hub, address, bearer_key, body, length,
                             g_get_real_time (), out_status);
  leave (driver);

  return reply;
}

/* "Bearer KEY" -> KEY, or NULL. */
const char *
ag_hub_driver_bearer_key (const char *authorization)
{
  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return NULL;

  authorization += 7;
  while (*authorization == ' ')
    authorization++;

  return *authorization != '\0' ? authorization : NULL;
}

void
ag_hub_driver_connection_closed (AgHubDriver *driver,
                                 guint64      conn_id)
{
  /* Once cleared there is no hub left to tell. */
  if (driver->hub == NULL)
    return;

  g_array_append_val (driver->pending_closes, conn_id);

  if (driver->depth == 0) {
    enter (driver);
    leave (driver);
  }
}
