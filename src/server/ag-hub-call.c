/* ag-hub-call.c: calls (the spec's invitations) between two accounts of an app.
 *
 * A call is named by (channel, caller, callee) and lives in its app's table and in the call
 * sets of both users, so either party going offline finds its calls without a scan. A callee
 * that is offline when invited gets AG_DEFAULT_INVITE_OFFLINE_WAIT seconds to log in; until
 * then it exists as a user without a uid.
 */

#include "ag-hub-private.h"

#include "ag-extra.h"

#define EXTRA_REQUIRE_PEER_ONLINE "_require_peer_online"
#define EXTRA_TIMEOUT             "_timeout"
#define EMPTY_EXTRA               "{}"
/* A day: longer than any call is left ringing, short enough for any clock arithmetic. */
#define MAX_TIMEOUT_S             86400

/* Accounts and channel names hold no control characters, so U+001F cannot be part of
 * either and the key is unambiguous. */
static char *
make_key (const char *channel,
          const char *caller,
          const char *callee)
{
  return g_strconcat (channel, "\x1f", caller, "\x1f", callee, NULL);
}

static AgHubCall *
lookup_call (AgHubApp   *app,
             const char *channel,
             const char *caller,
             const char *callee)
{
  g_autofree char *key = make_key (channel, caller, callee);

  return g_hash_table_lookup (app->calls, key);
}

static AgHubUser *
other_party (AgHubCall *call,
             AgHubUser *user)
{
  return call->caller == user ? call->callee : call->caller;
}

/* Events */

static AgFrame *
new_call_event (AgOp       op,
                AgHubCall *call,
                AgHubUser *peer)
{
  AgFrame *event = ag_frame_new (op);

  event->channel = g_strdup (call->channel);
  event->peer = g_strdup (peer->account);

  return event;
}

static void
send_to_user (AgHub         *hub,
              AgHubUser     *user,
              const AgFrame *frame)
{
  if (user->conn != NULL)
    _ag_hub_send_frame (hub, user->conn, frame);
}

static void
send_with_extra (AgHub      *hub,
                 AgOp        op,
                 AgHubCall  *call,
                 AgHubUser  *from,
                 const char *extra)
{
  g_autoptr(AgFrame) event = new_call_event (op, call, from);

  event->extra = g_strdup (extra != NULL ? extra : EMPTY_EXTRA);
  send_to_user (hub, other_party (call, from), event);
}

static void
send_failed (AgHub     *hub,
             AgHubCall *call,
             int        code)
{
  g_autoptr(AgFrame) event = new_call_event (AG_OP_EV_CALL_FAILED, call, call->callee);

  event->code = code;
  send_to_user (hub, call->caller, event);
}

/* Rings the callee (who is online) and tells the caller it rang. */
static void
deliver (AgHub     *hub,
         AgHubCall *call)
{
  g_autoptr(AgFrame) incoming = new_call_event (AG_OP_EV_CALL_INCOMING, call, call->caller);
  g_autoptr(AgFrame) received = new_call_event (AG_OP_EV_CALL_RECEIVED, call, call->callee);

  call->state = AG_HUB_CALL_RINGING;
  _ag_hub_timer_cancel (hub, &call->wait_timer);

  incoming->uid = call->caller->uid;
  incoming->has_uid = TRUE;
  incoming->extra = g_strdup (call->extra);
  send_to_user (hub, call->callee, incoming);

  send_to_user (hub, call->caller, received);
}

/* Lifecycle */

void
_ag_hub_call_free (AgHubCall *call)
{
  AgHub *hub = call->app->hub;

  _ag_hub_timer_cancel (hub, &call->wait_timer);
  _ag_hub_timer_cancel (hub, &call->timeout_timer);
  g_free (call->key);
  g_free (call->channel);
  g_free (call->extra);
  g_free (call);
}

static void
call_destroy (AgHubCall *call)
{
  AgHubApp *app = call->app;
  AgHubUser *caller = call->caller;
  AgHubUser *callee = call->callee;

  g_assert (caller->calls_made > 0);
  caller->calls_made--;
  g_hash_table_remove (caller->calls, call);
  g_hash_table_remove (callee->calls, call);
  g_hash_table_remove (app->calls, call->key);

  _ag_hub_user_forget_if_unused (app, callee);
}

static void
wait_timer_cb (AgHub    *hub,
               gpointer  data)
{
  AgHubCall *call = data;

  g_assert (call->state == AG_HUB_CALL_WAITING);

  send_failed (hub, call, AG_ERROR_INVITE_E_PEEROFFLINE);
  call_destroy (call);
}

static void
timeout_timer_cb (AgHub    *hub,
                  gpointer  data)
{
  AgHubCall *call = data;

  g_assert (call->state != AG_HUB_CALL_ACTIVE);

  send_failed (hub, call, AG_ERROR_INVITE_E_TIMEOUT);
  if (call->state == AG_HUB_CALL_RINGING)
    send_with_extra (hub, AG_OP_EV_CALL_ENDED, call, call->caller, NULL);
  call_destroy (call);
}

static int
compare_call_seq (gconstpointer a,
                  gconstpointer b)
{
  const AgHubCall *ca = *(AgHubCall * const *) a;
  const AgHubCall *cb = *(AgHubCall * const *) b;

  return (ca->seq > cb->seq) - (ca->seq < cb->seq);
}

void
_ag_hub_calls_user_online (AgHub     *hub,
                           AgHubUser *user)
{
  g_autoptr(GPtrArray) waiting = NULL;
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (user->calls) == 0)
    return;

  waiting = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, user->calls);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    AgHubCall *call = key;

    if (call->callee == user && call->state == AG_HUB_CALL_WAITING)
      g_ptr_array_add (waiting, call);
  }

  /* Invitations ring in the order they were made. */
  g_ptr_array_sort (waiting, compare_call_seq);
  for (guint i = 0; i < waiting->len; i++)
    deliver (hub, g_ptr_array_index (waiting, i));
}

/* The user has just gone offline (user->conn is NULL): its calls end for the other
 * parties. As caller: call_ended to a callee that knew of the call. As callee: a ringing
 * call fails with 703, an active one ends. */
void
_ag_hub_calls_user_offline (AgHub     *hub,
                            AgHubUser *user)
{
  while (g_hash_table_size (user->calls) > 0) {
    GHashTableIter iter;
    gpointer key;
    AgHubCall *call;

    g_hash_table_iter_init (&iter, user->calls);
    g_hash_table_iter_next (&iter, &key, NULL);
    call = key;

    if (call->caller == user) {
      if (call->state != AG_HUB_CALL_WAITING)
        send_with_extra (hub, AG_OP_EV_CALL_ENDED, call, call->caller, NULL);
    } else if (call->state == AG_HUB_CALL_RINGING) {
      send_failed (hub, call, AG_ERROR_INVITE_E_PEEROFFLINE);
    } else if (call->state == AG_HUB_CALL_ACTIVE) {
      send_with_extra (hub, AG_OP_EV_CALL_ENDED, call, call->callee, NULL);
    }

    call_destroy (call);
  }
}

/* Requests */

void
_ag_hub_call_invite (AgHub         *hub,
                     AgHubConn     *conn,
                     const AgFrame *frame)
{
  AgHubUser *caller = conn->user;
  AgHubApp *app = caller->app;
  const char *extra = frame->extra != NULL ? frame->extra : EMPTY_EXTRA;
  gboolean require_online = FALSE;
  guint64 timeout_s = 0;
  AgHubUser *callee;
  AgHubCall *call;
  AgExtraLookup lookup;
  gint64 value;

  if (!_ag_hub_user_admit_request (hub, conn, frame))
    return;

  if (lookup_call (app, frame->channel, caller->account, frame->peer) != NULL) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_INVITE_E_REINVITE, NULL);
    return;
  }

  /* Each invitation holds a call (and, for an offline callee, a user) until it is answered
   * or times out: one caller has a bounded number going. */
  if (caller->calls_made >= AG_LIMIT_CALLS_PER_CALLER) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_TOO_MANY_CALLS, NULL);
    return;
  }

  /* The keys the server acts on are read as they are written or refused: a timeout the
   * server could not read would otherwise ring for ever without a word. */
  lookup = ag_extra_lookup_int (extra, EXTRA_REQUIRE_PEER_ONLINE, &value);
  if (lookup == AG_EXTRA_NOT_INT || (lookup == AG_EXTRA_INT && value != 0 && value != 1)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "extra._require_peer_online must be 0 or 1");
    return;
  }
  require_online = lookup == AG_EXTRA_INT && value == 1;

  /* 0 is no timeout, as clients of the 1.x generation meant it. */
  lookup = ag_extra_lookup_int (extra, EXTRA_TIMEOUT, &value);
  if (lookup == AG_EXTRA_NOT_INT ||
      (lookup == AG_EXTRA_INT && (value < 0 || value > MAX_TIMEOUT_S))) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_GENERAL_E_WRONG_PARAM,
                         "extra._timeout must be a whole number of seconds from 0 to 86400");
    return;
  }
  if (lookup == AG_EXTRA_INT)
    timeout_s = (guint64) value;

  callee = _ag_hub_user_ensure (app, frame->peer);

  call = g_new0 (AgHubCall, 1);
  call->app = app;
  call->key = make_key (frame->channel, caller->account, frame->peer);
  call->channel = g_strdup (frame->channel);
  call->caller = caller;
  call->callee = callee;
  call->extra = g_strdup (extra);
  call->state = AG_HUB_CALL_WAITING;
  call->seq = hub->call_seq++;
  _ag_hub_timer_init (&call->wait_timer, wait_timer_cb, call);
  _ag_hub_timer_init (&call->timeout_timer, timeout_timer_cb, call);

  g_hash_table_insert (app->calls, call->key, call);
  g_hash_table_add (caller->calls, call);
  g_hash_table_add (callee->calls, call);
  caller->calls_made++;

  /* The invitation itself is accepted; that the callee cannot be reached is the call's
   * outcome, reported as the spec's onInviteFailed (call_failed), not as a request error. */
  _ag_hub_reply_ok (hub, conn, frame->id);

  if (callee->conn != NULL) {
    deliver (hub, call);
  } else if (require_online) {
    send_failed (hub, call, AG_ERROR_INVITE_E_PEEROFFLINE);
    call_destroy (call);
    return;
  } else {
    _ag_hub_timer_schedule (hub, &call->wait_timer,
                            _ag_hub_after_seconds (hub, AG_DEFAULT_INVITE_OFFLINE_WAIT));
  }

  if (timeout_s > 0)
    _ag_hub_timer_schedule (hub, &call->timeout_timer, _ag_hub_after_seconds (hub, timeout_s));
}

/* The ringing call from peer to the requester, or NULL after replying 1203. */
static AgHubCall *
ringing_call_to_me (AgHub         *hub,
                    AgHubConn     *conn,
                    const AgFrame *frame)
{
  AgHubCall *call = lookup_call (conn->user->app, frame->channel, frame->peer,
                                 conn->user->account);

  if (call == NULL || call->state != AG_HUB_CALL_RINGING) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_NO_SUCH_CALL, NULL);
    return NULL;
  }

  return call;
}

/* The call between the requester and peer in the channel, or NULL after replying 1203.
 * Should both have invited each other there, the requester's own invitation is meant. */
static AgHubCall *
call_with_peer (AgHub         *hub,
                AgHubConn     *conn,
                const AgFrame *frame)
{
  AgHubApp *app = conn->user->app;
  AgHubCall *call = lookup_call (app, frame->channel, conn->user->account, frame->peer);

  if (call == NULL)
    call = lookup_call (app, frame->channel, frame->peer, conn->user->account);

  if (call == NULL)
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_NO_SUCH_CALL, NULL);

  return call;
}

void
_ag_hub_call_accept (AgHub         *hub,
                     AgHubConn     *conn,
                     const AgFrame *frame)
{
  AgHubCall *call = ringing_call_to_me (hub, conn, frame);

  if (call == NULL)
    return;

  _ag_hub_reply_ok (hub, conn, frame->id);

  call->state = AG_HUB_CALL_ACTIVE;
  _ag_hub_timer_cancel (hub, &call->timeout_timer);
  send_with_extra (hub, AG_OP_EV_CALL_ACCEPTED, call, call->callee, frame->extra);
}

void
_ag_hub_call_refuse (AgHub         *hub,
                     AgHubConn     *conn,
                     const AgFrame *frame)
{
  AgHubCall *call = ringing_call_to_me (hub, conn, frame);

  if (call == NULL)
    return;

  _ag_hub_reply_ok (hub, conn, frame->id);

  send_with_extra (hub, AG_OP_EV_CALL_REFUSED, call, call->callee, frame->extra);
  call_destroy (call);
}

void
_ag_hub_call_end (AgHub         *hub,
                  AgHubConn     *conn,
                  const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  AgHubCall *call = call_with_peer (hub, conn, frame);

  if (call == NULL)
    return;

  _ag_hub_reply_ok (hub, conn, frame->id);

  /* A callee still waiting to log in never heard of the call: withdrawing it is silent. */
  if (call->caller != user || call->state != AG_HUB_CALL_WAITING)
    send_with_extra (hub, AG_OP_EV_CALL_ENDED, call, user, frame->extra);
  call_destroy (call);
}

void
_ag_hub_call_msg (AgHub         *hub,
                  AgHubConn     *conn,
                  const AgFrame *frame)
{
  AgHubUser *user = conn->user;
  AgHubCall *call = call_with_peer (hub, conn, frame);
  g_autoptr(AgFrame) event = NULL;
  AgHubUser *peer;

  if (call == NULL)
    return;

  peer = other_party (call, user);
  if (peer->conn == NULL) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_PROTO_E_PEER_OFFLINE, NULL);
    return;
  }

  _ag_hub_bucket_configure (&user->bucket, _ag_hub_user_rate (user), hub->now_us);
  if (!_ag_hub_bucket_can_take (&user->bucket, hub->now_us)) {
    _ag_hub_reply_error (hub, conn, frame->id, AG_ERROR_LIMIT_E_USER_RATE, NULL);
    return;
  }
  _ag_hub_bucket_take (&user->bucket);
  hub->stats.messages_in++;
  user->app->second.call_msgs++;
  user->app->totals.call_msgs++;

  _ag_hub_reply_ok (hub, conn, frame->id);

  event = new_call_event (AG_OP_EV_CALL_MSG, call, user);
  event->type = g_strdup (frame->type);
  event->msg = g_strdup (frame->msg);
  _ag_hub_send_frame (hub, peer->conn, event);
  hub->stats.messages_out++;
}
