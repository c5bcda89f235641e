/* ag-hub-private.h: the hub's tables, shared by ag-hub.c, ag-hub-channel.c and ag-hub-call.c
 *
 * Ownership: the hub owns its connections (conns) and its apps; an app owns its users, its
 * channels and its calls. Connections, users, channels and calls point at each other without
 * references; whoever removes one of them first unlinks it from the others.
 *
 * Ordering rule kept by every request handler: the reply is sent first, then the events the
 * request causes. A client therefore sees, for example, the roster of its channel_join reply
 * before any channel_user_joined of a later joiner, and the ok of its channel_send before its
 * own channel_msg.
 */
#pragma once

#include "ag-hub.h"

#include "ag-admin-frame.h"
#include "ag-error.h"
#include "ag-frame.h"
#include "ag-limits.h"

G_BEGIN_DECLS

typedef struct _AgHubApp     AgHubApp;
typedef struct _AgHubUser    AgHubUser;
typedef struct _AgHubConn    AgHubConn;
typedef struct _AgHubChannel AgHubChannel;
typedef struct _AgHubCall    AgHubCall;
typedef struct _AgHubAdminApp  AgHubAdminApp;   /* ag-hub-admin.c */
typedef struct _AgHubAdminConn AgHubAdminConn;  /* ag-hub-admin.c */

typedef void (*AgHubTimerFunc) (AgHub   *hub,
                                gpointer data);

/* A deadline embedded in the object it belongs to; all of them sit in one ordered
 * sequence of the hub, so the next deadline is its first element. */
typedef struct {
  GSequenceIter  *iter;     /* NULL while not scheduled */
  gint64          due_us;
  guint64         seq;      /* ties are run in scheduling order */
  AgHubTimerFunc  func;
  gpointer        data;
} AgHubTimer;

/* A token bucket holding up to `rate` tokens, refilled continuously at `rate` per second.
 * Tokens are counted in millionths so refills are exact integer arithmetic. */
typedef struct {
  gint64 micro_tokens;
  gint64 last_us;
  guint  rate;              /* 0: not configured yet */
} AgHubBucket;

struct _AgHub {
  GObject      parent_instance;

  AgEngine    *engine;
  AgHubSink    sink;
  gpointer     sink_data;

  GHashTable  *apps;         /* app_id -> AgHubApp* */
  GHashTable  *conns;        /* &conn->id -> AgHubConn* */
  GHashTable  *error_counts; /* GINT_TO_POINTER (code) -> guint64* */

  GSequence   *timers;       /* of AgHubTimer*, by (due_us, seq) */
  guint64      timer_seq;
  AgHubTimer   offline_timer;
  guint64      max_offline_bytes; /* for all offline queues together */
  guint64      memory_budget;     /* queued output + attributes and messages in memory */
  guint64      channel_attr_bytes; /* names and values of every channel's attributes */
  guint64      output_bytes;      /* the sink's queued_total, as last asked */
  gint64       output_checked_us;
  gboolean     output_checked;    /* output_bytes was asked for at least once */

  guint64      call_seq;
  gint64       now_us;       /* the time of the call into the hub being served */
  AgHubStats   stats;

  char        *admin_key;    /* the server-wide admin key, or NULL */
  char        *admin_epoch;  /* names this hub's sequence numbers (docs/admin-api.md) */
  GHashTable  *admin_failures; /* remote address -> AgHubAdminFailures* (ag-hub-admin.c) */
};

/* What an app carried: totals since start, and the current second for the admin stream. */
typedef struct {
  guint64 channel_msgs;
  guint64 peer_msgs;
  guint64 call_msgs;
  guint64 presence;          /* logins, logouts, joins and leaves */
} AgHubCounts;

struct _AgHubApp {
  AgHub       *hub;
  AgAppConfig  config;
  GHashTable  *users;        /* account -> AgHubUser* */
  GHashTable  *channels;     /* name -> AgHubChannel* */
  GHashTable  *created;      /* account -> GUINT_TO_POINTER (live channels it created) */
  GSequence   *channel_order; /* of AgHubChannel*, by name (admin listings and snapshots) */
  GHashTable  *calls;        /* call key -> AgHubCall* */
  guint32      last_uid;
  GSequence   *online;       /* of AgHubUser*, the logged-in users by account */
  GQueue       lingering;    /* of AgHubUser*, logged out, oldest logout first */
  AgHubTimer   linger_timer; /* forgets the head of lingering */
  AgHubCounts  totals;
  AgHubCounts  second;
  AgHubAdminApp *admin;      /* NULL until an operator first logs in to the app */
  gboolean     restored;     /* what the engine kept of it was loaded (ag_hub_restore) */
};

struct _AgHubUser {
  AgHubApp    *app;
  char        *account;
  guint32      uid;          /* 0 until the account first logs in */
  AgHubConn   *conn;         /* the logged-in connection, or NULL */
  AgHubBucket  bucket;       /* msg_send, channel_send and call_msg */
  AgHubBucket  request_bucket; /* channel_join, user_set_attr and call_invite */
  guint        calls_made;   /* calls in app->calls where the user is the caller */
  GHashTable  *calls;        /* set of AgHubCall* where the user is caller or callee */
  GSequenceIter *online_iter; /* in app->online while logged in */
  GList       *linger_link;  /* in app->lingering for a while after a logout */
  gint64       logout_us;
};

struct _AgHubConn {
  guint64       id;
  AgHubUser    *user;        /* NULL until login */
  AgHubChannel *channel;     /* NULL when in no channel */
  GList        *member_link; /* this connection's link in channel->members */
  AgHubTimer    token_timer;
  AgHubTimer    login_timer;  /* the deadline to log in, while not logged in */
  AgHubTimer    backlog_timer; /* the next batch of queued offline messages */
  gint64        login_us;
  char         *address;     /* the peer's address as the transport gave it, or NULL */
  gpointer      sink_data;   /* the transport's pointer for sink.send_to, or NULL */
  AgHubAdminConn *admin;     /* set once an admin connection logged in */
  GPtrArray    *capture;     /* of GBytes: replies of an HTTP admin request, not sent */
  int           capture_code; /* the code of a captured error reply, 0 while there is none */
};

typedef enum {
  AG_HUB_CHANNEL_ORDINARY,
  AG_HUB_CHANNEL_USER_ONLINE,   /* _agora_user_online */
  AG_HUB_CHANNEL_EVENTS,        /* _agora_channel_event */
} AgHubChannelKind;

struct _AgHubChannel {
  AgHubApp         *app;
  char             *name;
  AgHubChannelKind  kind;
  char             *creator;     /* the account whose join created it, or NULL (restored) */
  GQueue            members;     /* of AgHubConn*, in join order (newest at the tail) */
  GHashTable       *attrs;       /* name -> value */
  guint64           total_joins;

  /* The built-in attributes as numbers, kept in step with attrs. */
  gboolean          user_notification;
  guint             ttl_s;
  guint             auto_update_num_s;
  guint             auto_update_total_s; /* 0 unless _auto_update_num is set too */
  guint             sendmsg_limit;       /* 0: the app's or the default rate */
  guint             setattr_limit;       /* 0: unlimited */

  GSequenceIter    *order_iter;  /* in app->channel_order */
  AgHubBucket       msg_bucket;
  AgHubBucket       attr_bucket;
  AgHubTimer        destroy_timer;
  AgHubTimer        member_num_timer;
  AgHubTimer        total_num_timer;
};

typedef enum {
  AG_HUB_CALL_WAITING,   /* the callee is offline and has not seen the invitation */
  AG_HUB_CALL_RINGING,   /* call_incoming was delivered */
  AG_HUB_CALL_ACTIVE,    /* accepted */
} AgHubCallState;

struct _AgHubCall {
  AgHubApp       *app;
  char           *key;
  char           *channel;
  AgHubUser      *caller;
  AgHubUser      *callee;
  char           *extra;
  AgHubCallState  state;
  guint64         seq;
  AgHubTimer      wait_timer;     /* the 20 s an offline callee has to log in */
  AgHubTimer      timeout_timer;  /* extra's _timeout */
};

/* ag-hub.c */
void        _ag_hub_timer_init        (AgHubTimer     *timer,
                                       AgHubTimerFunc  func,
                                       gpointer        data);
void        _ag_hub_timer_schedule    (AgHub          *hub,
                                       AgHubTimer     *timer,
                                       gint64          due_us);
void        _ag_hub_timer_cancel      (AgHub          *hub,
                                       AgHubTimer     *timer);
gint64      _ag_hub_after_seconds     (AgHub          *hub,
                                       guint64         seconds);

void        _ag_hub_bucket_configure  (AgHubBucket    *bucket,
                                       guint           rate,
                                       gint64          now_us);
gboolean    _ag_hub_bucket_can_take   (AgHubBucket    *bucket,
                                       gint64          now_us);
void        _ag_hub_bucket_take       (AgHubBucket    *bucket);
guint       _ag_hub_user_rate         (AgHubUser      *user);
/* Charges a request that may leave state behind (a join, an attribute, an invitation) to
 * the user's request rate; FALSE after replying 1110. */
gboolean    _ag_hub_user_admit_request
                                      (AgHub          *hub,
                                       AgHubConn      *conn,
                                       const AgFrame  *frame);

void        _ag_hub_send              (AgHub          *hub,
                                       AgHubConn      *conn,
                                       GBytes         *bytes);
void        _ag_hub_send_frame        (AgHub          *hub,
                                       AgHubConn      *conn,
                                       const AgFrame  *frame);
void        _ag_hub_reply_ok          (AgHub          *hub,
                                       AgHubConn      *conn,
                                       gint64          id);
void        _ag_hub_reply_error       (AgHub          *hub,
                                       AgHubConn      *conn,
                                       gint64          id,
                                       int             code,
                                       const char     *reason);

AgHubUser  *_ag_hub_user_ensure       (AgHubApp       *app,
                                       const char     *account);
void        _ag_hub_user_forget_if_unused
                                      (AgHubApp       *app,
                                       AgHubUser      *user);

AgHubConn  *_ag_hub_conn_new          (guint64         conn_id);
void        _ag_hub_conn_free         (AgHubConn      *conn);
void        _ag_hub_session_kick      (AgHub          *hub,
                                       AgHubConn      *conn,
                                       int             code);
/* A peer message from from_account (the system account for operators): delivered at once,
 * or stored for ttl seconds when the peer is offline. Returns 0 (*out_stored set), 1104, 1112,
 * 1204, or 1001 with error set when the engine failed. */
int         _ag_hub_deliver_message   (AgHub          *hub,
                                       AgHubApp       *app,
                                       const char     *from_account,
                                       guint32         from_uid,
                                       const char     *peer,
                                       const char     *msg,
                                       gint64          ttl,
                                       gboolean       *out_stored,
                                       GError        **error);

/* ag-hub-channel.c */
void        _ag_hub_channel_free      (AgHubChannel   *channel);
int         _ag_hub_channel_compare   (gconstpointer   a,
                                       gconstpointer   b,
                                       gpointer        user_data);
const char *_ag_hub_channel_kind_name (AgHubChannelKind kind);
/* Checks an attribute change against the built-in rules and the channel's _setattr_limit,
 * charging the limit: 0, 1004 or 1102. name and value are NULL for a clear. */
int         _ag_hub_channel_admit_attr_change
                                      (AgHub          *hub,
                                       AgHubChannel   *channel,
                                       const char     *name,
                                       const char     *value);
/* Applies an admitted change ("update", "del" or "clear") and tells the members. */
void        _ag_hub_channel_change_attr
                                      (AgHub          *hub,
                                       AgHubChannel   *channel,
                                       const char     *type,
                                       const char     *name,
                                       const char     *value);
/* A channel message from the system account; 0 (*out_num: recipients), 1101 or 1205. */
int         _ag_hub_channel_publish   (AgHub          *hub,
                                       AgHubChannel   *channel,
                                       const char     *msg,
                                       guint          *out_num);
void        _ag_hub_channel_restore   (AgHub                 *hub,
                                       AgHubApp              *app,
                                       const AgEngineChannel *saved);
void        _ag_hub_channel_leave     (AgHub          *hub,
                                       AgHubConn      *conn,
                                       int             code);
void        _ag_hub_announce_presence (AgHub          *hub,
                                       AgHubUser      *user,
                                       gboolean        online,
                                       int             code);

/* ag-hub-call.c */
void        _ag_hub_call_free         (AgHubCall      *call);
void        _ag_hub_calls_user_online (AgHub          *hub,
                                       AgHubUser      *user);
void        _ag_hub_calls_user_offline
                                      (AgHub          *hub,
                                       AgHubUser      *user);

/* Request handlers (channels in ag-hub-channel.c, calls in ag-hub-call.c). Each gets a
 * logged-in connection and a decoded request; it sends the reply, then the events. */
#define AG_HUB_DECLARE_HANDLER(name)                     \
  void name (AgHub         *hub,                         \
             AgHubConn     *conn,                        \
             const AgFrame *frame)

AG_HUB_DECLARE_HANDLER (_ag_hub_channel_join);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_leave_request);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_send);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_set_attr);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_del_attr);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_clear_attr);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_query_num);
AG_HUB_DECLARE_HANDLER (_ag_hub_channel_is_in);
AG_HUB_DECLARE_HANDLER (_ag_hub_call_invite);
AG_HUB_DECLARE_HANDLER (_ag_hub_call_accept);
AG_HUB_DECLARE_HANDLER (_ag_hub_call_refuse);
AG_HUB_DECLARE_HANDLER (_ag_hub_call_end);
AG_HUB_DECLARE_HANDLER (_ag_hub_call_msg);

#undef AG_HUB_DECLARE_HANDLER

/* ag-hub-admin.c: admin requests and the live stream. The hooks below are called by the
 * rest of the hub after each change; they cost a pointer test for apps nobody watches. */
void        _ag_hub_admin_dispatch    (AgHub          *hub,
                                       AgHubConn      *conn,
                                       const AgAdminRequest *request);
void        _ag_hub_admin_conn_closed (AgHub          *hub,
                                       AgHubConn      *conn);
/* Frees an admin connection's own memory only (a finalizing hub, whose tables are going). */
void        _ag_hub_admin_conn_free   (AgHubAdminConn *admin);
void        _ag_hub_admin_app_free    (AgHubAdminApp  *admin);
void        _ag_hub_admin_failures_free (gpointer      data);

void        _ag_hub_admin_online      (AgHub          *hub,
                                       AgHubConn      *conn);
void        _ag_hub_admin_offline     (AgHub          *hub,
                                       AgHubUser      *user,
                                       int             code);
void        _ag_hub_admin_channel_added (AgHub        *hub,
                                         AgHubChannel *channel);
void        _ag_hub_admin_channel_gone  (AgHub        *hub,
                                         AgHubChannel *channel);
void        _ag_hub_admin_joined      (AgHub          *hub,
                                       AgHubChannel   *channel,
                                       AgHubUser      *user);
void        _ag_hub_admin_left        (AgHub          *hub,
                                       AgHubChannel   *channel,
                                       AgHubUser      *user,
                                       int             code);
void        _ag_hub_admin_attr        (AgHub          *hub,
                                       AgHubChannel   *channel,
                                       const char     *type,
                                       const char     *name,
                                       const char     *value);

G_END_DECLS
