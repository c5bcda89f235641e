/* ag-hub.h: the sans-IO core of agsignald.
 *
 * The hub owns every semantic of the spec (apps, sessions, channels, attributes, calls,
 * offline queues, rate limits) and does no I/O: the transport feeds it connection events,
 * raw text frames and the current time, and the hub answers through an AgHubSink. Timers are
 * polled: after any call, ag_hub_next_deadline() says when ag_hub_tick() is next due.
 */
#pragma once

#include <glib-object.h>

#include "ag-engine.h"

G_BEGIN_DECLS

#define AG_TYPE_HUB (ag_hub_get_type ())

G_DECLARE_FINAL_TYPE (AgHub, ag_hub, AG, HUB, GObject)

typedef struct {
  /* Queue one encoded frame for a connection. The same GBytes is shared by every recipient
   * of a fan-out; the sink takes its own reference if it keeps it. */
  void (*send)  (gpointer    user_data,
                 guint64     conn_id,
                 GBytes     *frame);
  /* Close a connection after its queued frames (logout, kicked, token expired). The hub has
   * already forgotten the connection when this is called; it must not call back into the hub
   * synchronously with ag_hub_connection_closed for it. */
  void (*close) (gpointer    user_data,
                 guint64     conn_id,
                 int         code);
  /* Optional: the bytes queued for a connection and not yet written (0 when NULL). The
   * admin API shows it and paces snapshots by it. */
  gsize (*queued) (gpointer  user_data,
                   guint64   conn_id);
  /* Optional: the bytes queued for all connections and not yet written (for the memory
   * budget; an estimate is fine, it is asked at most every 100 ms). */
  guint64 (*queued_total) (gpointer user_data);
  /* Optional: send for a connection the transport gave a pointer of its own for with
   * ag_hub_connection_set_sink_data(); it gets that pointer instead of the id, so a fan-out
   * costs no lookup per recipient. */
  void (*send_to) (gpointer    user_data,
                   gpointer    conn_data,
                   GBytes     *frame);
} AgHubSink;

typedef struct {
  char     *app_id;
  char     *certificate;          /* NULL: only _no_need_token can log in */
  gboolean  allow_no_token;
  guint     user_msg_rate;        /* 0: AG_DEFAULT_USER_MSG_RATE */
  guint     channel_msg_rate;     /* 0: AG_DEFAULT_CHANNEL_MSG_RATE */
  guint     user_request_rate;    /* 0: AG_DEFAULT_USER_REQUEST_RATE */
  guint     max_channels;         /* 0: AG_DEFAULT_MAX_CHANNELS */
  guint     max_user_attrs;       /* 0: AG_LIMIT_USER_ATTRS */
  guint     max_user_attr_bytes;  /* 0: AG_LIMIT_USER_ATTR_BYTES */
  char     *admin_key;            /* NULL: only the server-wide key opens the admin API */
} AgAppConfig;

typedef struct {
  guint64 connections;            /* open connections */
  guint64 sessions;               /* logged-in connections */
  guint64 accounts;               /* accounts held in memory: logged in, lately logged out,
                                   * in a call (see ag_hub_get_stats) */
  guint64 channels;               /* live channels (special ones included once joined) */
  guint64 frames_in;
  guint64 frames_out;             /* frames handed to the sink (a fan-out counts each copy) */
  guint64 messages_in;            /* accepted msg_send + channel_send + call_msg */
  guint64 messages_out;           /* msg + channel_msg + call_msg events delivered */
  guint64 logins;
  guint64 admin_connections;      /* logged-in admin connections */
  guint64 admin_auth_failures;    /* refused admin logins (wrong, missing key, throttled) */
} AgHubStats;

AgHub        *ag_hub_new                (AgEngine          *engine,
                                         const AgHubSink   *sink,
                                         gpointer           sink_data);

/* Adds or replaces an app. The config is copied. */
void          ag_hub_add_app            (AgHub             *hub,
                                         const AgAppConfig *config);
gboolean      ag_hub_has_app            (AgHub             *hub,
                                         const char        *app_id);

/* Loads what the engine kept of every app added so far (uids, channels) and schedules the
 * deadlines it holds; channels whose deadline passed by now_us are deleted. Called at
 * start-up, before any connection, and again after apps were added to a running hub (a
 * reloaded configuration): apps loaded before are left as they are. */
gboolean      ag_hub_restore            (AgHub             *hub,
                                         gint64             now_us,
                                         GError           **error);
/* Makes every change of durable state the hub made so far durable (ag_engine_commit()).
 * Transports call it before any frame the hub gave them leaves the process; when it fails,
 * the frames given since the last successful commit must not be sent. */
gboolean      ag_hub_commit             (AgHub             *hub,
                                         GError           **error);

/* now_us is a g_get_real_time() style clock; tests pass a fake one. */
void          ag_hub_connection_opened  (AgHub             *hub,
                                         guint64            conn_id,
                                         gint64             now_us);
/* The peer's address ("127.0.0.1:40312") for the admin API; copied. */
void          ag_hub_connection_set_address (AgHub         *hub,
                                             guint64        conn_id,
                                             const char    *address);
/* The transport's own pointer for the connection, handed to sink.send_to instead of the id.
 * It must stay valid until the transport reports the connection closed. */
void          ag_hub_connection_set_sink_data (AgHub       *hub,
                                               guint64      conn_id,
                                               gpointer     conn_data);
/* One text frame from a client. Bad input is answered with an error frame, never fatal. */
void          ag_hub_connection_frame   (AgHub             *hub,
                                         guint64            conn_id,
                                         const char        *data,
                                         gsize              length,
                                         gint64             now_us);
/* The transport lost the connection (or finished closing it). Idempotent. */
void          ag_hub_connection_closed  (AgHub             *hub,
                                         guint64            conn_id,
                                         gint64             now_us);

/* Runs every timer due at now_us (offline-message expiry, invite timeouts, channel TTL,
 * _auto_update_num, token expiry). */
void          ag_hub_tick               (AgHub             *hub,
                                         gint64             now_us);
/* The earliest pending deadline in now_us units, or G_MAXINT64 when none. */
gint64        ag_hub_next_deadline      (AgHub             *hub);

/* The server-wide admin key (docs/admin-api.md), or NULL for none; copied. */
void          ag_hub_set_admin_key      (AgHub             *hub,
                                         const char        *key);
/* One admin request over HTTP (POST /v1/admin): the bearer key from the Authorization header
 * (or NULL), the body, the peer's address. Returns the reply frame and sets *out_status to
 * the HTTP status of docs/admin-api.md. */
GBytes       *ag_hub_admin_http         (AgHub             *hub,
                                         const char        *address,
                                         const char        *bearer_key,
                                         const char        *body,
                                         gsize              length,
                                         gint64             now_us,
                                         guint             *out_status);

/* The bound on what all offline queues hold together (ag_offline_message_size()); 0 is
 * AG_DEFAULT_OFFLINE_BYTES. Past it, peer messages to offline accounts get 1112. */
void          ag_hub_set_max_offline_bytes (AgHub          *hub,
                                            guint64         max_bytes);
/* What the offline queues hold now, and the bound. */
guint64       ag_hub_get_offline_bytes  (AgHub             *hub,
                                         guint64           *out_max_bytes);

/* The memory budget: past it, requests that would make the server hold more (messages,
 * attribute changes, invitations) get 1113. 0 is AG_DEFAULT_MEMORY_BUDGET. */
void          ag_hub_set_memory_budget  (AgHub             *hub,
                                         guint64            budget);

typedef struct {
  guint64 budget;
  guint64 output;   /* queued for connections, not yet written (the sink's queued_total) */
  guint64 state;    /* attributes and offline messages held in memory */
} AgHubMemory;

void          ag_hub_get_memory         (AgHub             *hub,
                                         AgHubMemory       *out_memory);

const AgHubStats *ag_hub_get_stats      (AgHub             *hub);
/* Calls func for every error code the hub has replied with, with its count. */
void          ag_hub_foreach_error_count (AgHub            *hub,
                                          void (*func) (int code, guint64 count, gpointer data),
                                          gpointer          data);

G_END_DECLS
