/* test-calls-view.c: placing, answering and ending calls in the console against a real
 * agsignald, with the other party driven through libagsignal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <adwaita.h>
#include <agsignal.h>
#include <json-glib/json-glib.h>

#include "ag-console-call-dialog.h"
#include "ag-console-calls-view.h"
#include "ag-console-dtmf-keypad.h"
#include "console-fixture.h"
#include "ag-console-incoming-call-banner.h"
#include "ag-console-session-page.h"
#include "ag-test-server.h"

#define WAIT_MS 10000

/* What the library side of a call saw. */
typedef struct {
  AgCall    *call;
  gboolean   received_by_peer;
  char      *accepted_extra;
  char      *refused_extra;
  char      *ended_extra;
  int        failed_code;
  GString   *dtmf;
} PeerCall;

typedef struct {
  AgTestServer *server;
  AgSignal     *signal;
  AgSession    *alice;    /* the console's session */
  AgSession    *bob;      /* the other party */
  GtkWidget    *window;
  GtkWidget    *page;     /* alice's session page: its banners answer incoming calls */
  GtkWidget    *view;
  PeerCall      bob_call;
} Fixture;

static gboolean
session_logged_in (gpointer data)
{
  return ag_session_get_status (AG_SESSION (data)) == AG_STATUS_LOGGED_IN;
}

static AgSession *
login (Fixture    *fixture,
       const char *account)
{
  AgSession *session = ag_signal_login (fixture->signal, account, "_no_need_token");

  g_assert_true (ag_test_spin_until (session_logged_in, session, WAIT_MS));

  return session;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  fixture->server = ag_test_server_new (NULL, NULL, &error);
  g_assert_no_error (error);

  fixture->signal = ag_signal_new ("demo");
  ag_signal_set_server_uri (fixture->signal, ag_test_server_get_uri (fixture->server));
  fixture->alice = login (fixture, "alice");
  fixture->bob = login (fixture, "bob");
  fixture->bob_call.dtmf = g_string_new (NULL);

  fixture->page = ag_console_session_page_new (fixture->alice, NULL);
  fixture->view = ag_console_session_page_get_page_widget (AG_CONSOLE_SESSION_PAGE (fixture->page), "calls");
  g_assert_true (AG_CONSOLE_IS_CALLS_VIEW (fixture->view));
  ag_console_session_page_show_page (AG_CONSOLE_SESSION_PAGE (fixture->page), "calls");
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1100, 600);
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->page);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (ag_test_spin_until (widget_mapped, fixture->view, WAIT_MS));
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_true (ag_test_spin_until (pointer_cleared, &fixture->window, WAIT_MS));

  if (fixture->bob_call.call != NULL)
    g_signal_handlers_disconnect_by_data (fixture->bob_call.call, &fixture->bob_call);
  g_clear_object (&fixture->bob_call.call);
  g_free (fixture->bob_call.accepted_extra);
  g_free (fixture->bob_call.refused_extra);
  g_free (fixture->bob_call.ended_extra);
  g_string_free (fixture->bob_call.dtmf, TRUE);

  ag_session_logout (fixture->alice);
  ag_session_logout (fixture->bob);
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);
  g_clear_object (&fixture->signal);
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

/* The library side */

static void
peer_received_cb (AgCall   *call,
                  PeerCall *peer)
{
  peer->received_by_peer = TRUE;
}

static void
peer_accepted_cb (AgCall     *call,
                  const char *extra,
                  PeerCall   *peer)
{
  peer->accepted_extra = g_strdup (extra);
}

static void
peer_refused_cb (AgCall     *call,
                 const char *extra,
                 PeerCall   *peer)
{
  peer->refused_extra = g_strdup (extra);
}

static void
peer_ended_cb (AgCall     *call,
               const char *extra,
               PeerCall   *peer)
{
  peer->ended_extra = g_strdup (extra);
}

static void
peer_failed_cb (AgCall   *call,
                int       ecode,
                PeerCall *peer)
{
  peer->failed_code = ecode;
}

static void
peer_msg_cb (AgCall     *call,
             const char *msg_type,
             const char *msg,
             PeerCall   *peer)
{
  g_assert_cmpstr (msg_type, ==, "DTMF");
  g_string_append (peer->dtmf, msg);
}

static void
watch_peer_call (PeerCall *peer,
                 AgCall   *call)
{
  peer->call = g_object_ref (call);
  g_signal_connect (call, "invite-received-by-peer", G_CALLBACK (peer_received_cb), peer);
  g_signal_connect (call, "invite-accepted-by-peer", G_CALLBACK (peer_accepted_cb), peer);
  g_signal_connect (call, "invite-refused-by-peer", G_CALLBACK (peer_refused_cb), peer);
  g_signal_connect (call, "invite-end-by-peer", G_CALLBACK (peer_ended_cb), peer);
  g_signal_connect (call, "invite-failed", G_CALLBACK (peer_failed_cb), peer);
  g_signal_connect (call, "invite-msg", G_CALLBACK (peer_msg_cb), peer);
}

static void
bob_invite_received_cb (AgSession *session,
                        AgCall    *call,
                        PeerCall  *peer)
{
  watch_peer_call (peer, call);
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Helpers on the console side */

static AgCall *
first_call (Fixture *fixture)
{
  GListModel *calls = ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (fixture->view));
  g_autoptr (AgCall) call = g_list_model_get_item (calls, 0);

  /* The view keeps the call alive. */
  return call;
}

static gboolean
has_call (gpointer data)
{
  Fixture *fixture = data;

  return g_list_model_get_n_items (ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (fixture->view))) > 0;
}

typedef struct {
  Fixture    *fixture;
  AgCall     *call;
  const char *stage;
} StageWait;

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return root;

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c)) {
    GtkWidget *found = find_label (c, text);

    if (found != NULL)
      return found;
  }

  return NULL;
}

/* The stage is reported by the view and shown in its list. */
static gboolean
stage_shown (gpointer data)
{
  StageWait *wait = data;
  g_autofree char *stage = NULL;
  GtkWidget *label;

  stage = ag_console_calls_view_dup_stage_text (AG_CONSOLE_CALLS_VIEW (wait->fixture->view),
                                                wait->call);
  if (g_strcmp0 (stage, wait->stage) != 0)
    return FALSE;

  label = find_label (wait->fixture->view, wait->stage);

  return label != NULL && gtk_widget_is_drawable (label);
}

static void
assert_stage (Fixture    *fixture,
              AgCall     *call,
              const char *stage)
{
  StageWait wait = { fixture, call, stage };

  if (!ag_test_spin_until (stage_shown, &wait, WAIT_MS)) {
    g_autofree char *current = ag_console_calls_view_dup_stage_text (AG_CONSOLE_CALLS_VIEW (fixture->view),
                                                                     call);

    g_error ("stage “%s” expected, “%s” shown", stage, current);
  }
}

static GtkWidget *
banner_of (Fixture *fixture,
           AgCall  *call)
{
  return ag_console_session_page_get_incoming_banner (AG_CONSOLE_SESSION_PAGE (fixture->page), call);
}

static gboolean
incoming_banner_shown (gpointer data)
{
  Fixture *fixture = data;
  GtkWidget *banner;

  if (!has_call (fixture))
    return FALSE;

  banner = banner_of (fixture, first_call (fixture));

  return banner != NULL && gtk_widget_get_mapped (banner);
}

/* Bob calls alice; returns the banner answering it in alice's page. */
static AgConsoleIncomingCallBanner *
bob_calls (Fixture    *fixture,
           const char *extra)
{
  static guint serial;
  g_autofree char *channel = g_strdup_printf ("room%u", ++serial);
  g_autoptr (AgCall) call = ag_session_channel_invite_user2 (fixture->bob, channel, "alice", extra);

  watch_peer_call (&fixture->bob_call, call);
  g_assert_true (ag_test_spin_until (incoming_banner_shown, fixture, WAIT_MS));
  g_assert_true (ag_test_spin_until (flag_set, &fixture->bob_call.received_by_peer, WAIT_MS));

  /* No window of its own: the banner is inside the page, which stays usable. */
  g_assert_true (gtk_widget_is_ancestor (banner_of (fixture, first_call (fixture)), fixture->page));
  g_assert_cmpuint (ag_console_session_page_get_ringing (AG_CONSOLE_SESSION_PAGE (fixture->page)), >, 0);

  return AG_CONSOLE_INCOMING_CALL_BANNER (banner_of (fixture, first_call (fixture)));
}

static void
click (GtkWidget  *root,
       const char *label)
{
  GtkWidget *button = console_find_button (root, label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
assert_json_member (const char *json,
                    const char *member,
                    const char *value)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, member));
  g_assert_cmpstr (json_object_get_string_member (object, member), ==, value);
}

typedef struct {
  AgConsoleDtmfKeypad *keypad;
  const char          *digits;
} KeypadWait;

static gboolean
keypad_received (gpointer data)
{
  KeypadWait *wait = data;

  return g_strcmp0 (ag_console_dtmf_keypad_get_received (wait->keypad), wait->digits) == 0;
}

typedef struct {
  GString    *string;
  const char *value;
} StringWait;

static gboolean
string_equals (gpointer data)
{
  StringWait *wait = data;

  return g_strcmp0 (wait->string->str, wait->value) == 0;
}

static void
reset_peer (PeerCall *peer)
{
  if (peer->call != NULL)
    g_signal_handlers_disconnect_by_data (peer->call, peer);
  g_clear_object (&peer->call);
  g_clear_pointer (&peer->accepted_extra, g_free);
  g_clear_pointer (&peer->refused_extra, g_free);
  g_clear_pointer (&peer->ended_extra, g_free);
  peer->received_by_peer = FALSE;
  peer->failed_code = 0;
  g_string_truncate (peer->dtmf, 0);
}

static void
test_incoming_accept_dtmf_end (Fixture       *fixture,
                               gconstpointer  data)
{
  AgConsoleIncomingCallBanner *banner;
  AgConsoleDtmfKeypad *keypad;
  KeypadWait keypad_wait;
  StringWait string_wait;
  GtkWidget *banner_widget;
  AgCall *call;

  banner = bob_calls (fixture, "{\"topic\":\"demo\"}");
  banner_widget = GTK_WIDGET (banner);
  call = first_call (fixture);

  /* The banner names the caller and the session called, the channel and the extra. */
  g_assert_cmpstr (ag_console_incoming_call_banner_get_title (banner), ==, "bob is calling alice");
  g_assert_cmpstr (ag_console_incoming_call_banner_get_callee (banner), ==, "alice");
  g_assert_nonnull (find_label (banner_widget, "bob is calling alice"));
  g_assert_nonnull (find_label (banner_widget, "About channel “room1”"));
  g_assert_nonnull (find_label (banner_widget, "{\"topic\":\"demo\"}"));
  g_assert_cmpstr (ag_console_incoming_call_banner_get_stage_text (banner), ==, "Ringing");
  assert_stage (fixture, call, "Ringing (incoming)");
  g_assert_true (gtk_widget_get_visible (console_find_button (banner_widget, "Accept")));
  g_assert_true (gtk_widget_get_visible (console_find_button (banner_widget, "Refuse")));
  g_assert_false (gtk_widget_get_visible (console_find_button (banner_widget, "End Call")));

  /* Accept with an extra: the caller gets it; the banner stays, now with End Call. */
  ag_console_incoming_call_banner_set_reply_extra (banner, "{\"answer\":\"yes\"}");
  g_object_add_weak_pointer (G_OBJECT (banner), (gpointer *) &banner_widget);
  click (banner_widget, "Accept");
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.accepted_extra, WAIT_MS));
  assert_json_member (fixture->bob_call.accepted_extra, "answer", "yes");
  assert_stage (fixture, call, "Active");
  g_assert_nonnull (banner_widget);
  g_assert_true (gtk_widget_get_visible (banner_widget));
  g_assert_true (gtk_widget_get_visible (console_find_button (banner_widget, "End Call")));
  g_assert_false (gtk_widget_get_visible (console_find_button (banner_widget, "Accept")));
  g_assert_cmpuint (ag_console_session_page_get_ringing (AG_CONSOLE_SESSION_PAGE (fixture->page)), ==, 0);

  /* DTMF both ways: the keypad's digits arrive as invite-msg, the peer's are shown. */
  keypad = ag_console_incoming_call_banner_get_keypad (banner);
  g_assert_true (ag_console_dtmf_keypad_get_call (keypad) == call);
  click (GTK_WIDGET (keypad), "1");
  gtk_widget_activate_action (GTK_WIDGET (keypad), "dtmf.press", "s", "2");
  gtk_widget_activate_action (GTK_WIDGET (keypad), "dtmf.press", "s", "#");
  gtk_widget_activate_action (GTK_WIDGET (keypad), "dtmf.press", "s", "x");
  string_wait = (StringWait) { fixture->bob_call.dtmf, "12#" };
  g_assert_true (ag_test_spin_until (string_equals, &string_wait, WAIT_MS));
  g_assert_cmpstr (ag_console_dtmf_keypad_get_sent (keypad), ==, "12#");

  ag_call_channel_invite_dtmf (fixture->bob_call.call, "9*");
  keypad_wait = (KeypadWait) { keypad, "9*" };
  g_assert_true (ag_test_spin_until (keypad_received, &keypad_wait, WAIT_MS));
  g_assert_nonnull (find_label (GTK_WIDGET (keypad), "9*"));

  /* End from the banner: the caller is told, with the extra; the banner goes. */
  ag_console_incoming_call_banner_set_reply_extra (banner, "{\"bye\":\"now\"}");
  click (banner_widget, "End Call");
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.ended_extra, WAIT_MS));
  assert_json_member (fixture->bob_call.ended_extra, "bye", "now");
  g_assert_true (ag_test_spin_until (pointer_cleared, &banner_widget, WAIT_MS));
  assert_stage (fixture, call, "Ended by you");
}

static void
test_incoming_refuse (Fixture       *fixture,
                      gconstpointer  data)
{
  AgConsoleIncomingCallBanner *banner;
  GtkWidget *banner_widget;

  banner = bob_calls (fixture, NULL);
  banner_widget = GTK_WIDGET (banner);
  g_object_add_weak_pointer (G_OBJECT (banner), (gpointer *) &banner_widget);

  /* A reply extra that is not an object keeps both answers disabled. */
  ag_console_incoming_call_banner_set_reply_extra (banner, "[1, 2]");
  g_assert_false (gtk_widget_is_sensitive (console_find_button (banner_widget, "Refuse")));
  g_assert_false (gtk_widget_is_sensitive (console_find_button (banner_widget, "Accept")));

  ag_console_incoming_call_banner_set_reply_extra (banner, "{\"reason\":\"busy\"}");
  click (banner_widget, "Refuse");
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.refused_extra, WAIT_MS));
  assert_json_member (fixture->bob_call.refused_extra, "reason", "busy");
  g_assert_true (ag_test_spin_until (pointer_cleared, &banner_widget, WAIT_MS));
  assert_stage (fixture, first_call (fixture), "Refused by you");
  g_assert_cmpuint (ag_console_session_page_get_ringing (AG_CONSOLE_SESSION_PAGE (fixture->page)), ==, 0);
}

static void
test_incoming_hide_and_answer_later (Fixture       *fixture,
                                     gconstpointer  data)
{
  AgConsoleCallsView *view = AG_CONSOLE_CALLS_VIEW (fixture->view);
  AgConsoleIncomingCallBanner *banner;
  GtkWidget *banner_widget;
  AgCall *call;
  guint id;

  /* Hide on an active call only hides the banner: the call goes on. */
  banner = bob_calls (fixture, NULL);
  banner_widget = GTK_WIDGET (banner);
  call = first_call (fixture);
  id = ag_console_calls_view_get_call_id (view, call);
  g_assert_cmpuint (id, >, 0);
  g_object_add_weak_pointer (G_OBJECT (banner), (gpointer *) &banner_widget);
  click (banner_widget, "Accept");
  assert_stage (fixture, call, "Active");
  click (banner_widget, "Hide");
  g_assert_false (gtk_widget_get_visible (banner_widget));
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_ACTIVE);

  /* The list's Answer button brings the banner back. */
  gtk_widget_activate_action (fixture->view, "calls.answer", "u", id);
  g_assert_true (gtk_widget_get_visible (banner_widget));

  /* The list's end button ends it; the banner goes with it. */
  gtk_widget_activate_action (fixture->view, "calls.end", "u", id);
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.ended_extra, WAIT_MS));
  g_assert_true (ag_test_spin_until (pointer_cleared, &banner_widget, WAIT_MS));
  assert_stage (fixture, call, "Ended by you");

  /* Refused from the list while it rings: the banner goes too. */
  reset_peer (&fixture->bob_call);
  banner_widget = GTK_WIDGET (bob_calls (fixture, NULL));
  call = first_call (fixture);
  g_object_add_weak_pointer (G_OBJECT (banner_widget), (gpointer *) &banner_widget);
  gtk_widget_activate_action (fixture->view, "calls.end", "u",
                              ag_console_calls_view_get_call_id (view, call));
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.refused_extra, WAIT_MS));
  g_assert_true (ag_test_spin_until (pointer_cleared, &banner_widget, WAIT_MS));
  assert_stage (fixture, call, "Refused by you");
}

static void
test_incoming_end_by_peer (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkWidget *banner_widget;
  AgCall *call;

  /* Withdrawn while ringing: the banner goes by itself. */
  banner_widget = GTK_WIDGET (bob_calls (fixture, NULL));
  call = first_call (fixture);
  g_object_add_weak_pointer (G_OBJECT (banner_widget), (gpointer *) &banner_widget);
  ag_call_channel_invite_end (fixture->bob_call.call, NULL);
  g_assert_true (ag_test_spin_until (pointer_cleared, &banner_widget, WAIT_MS));
  assert_stage (fixture, call, "Withdrawn by caller");

  /* Ended by the peer once active: it goes too, and the peer's extra is listed. */
  reset_peer (&fixture->bob_call);
  banner_widget = GTK_WIDGET (bob_calls (fixture, NULL));
  call = first_call (fixture);
  g_object_add_weak_pointer (G_OBJECT (banner_widget), (gpointer *) &banner_widget);
  click (banner_widget, "Accept");
  assert_stage (fixture, call, "Active");
  ag_call_channel_invite_end (fixture->bob_call.call, "{\"by\":\"bob\"}");
  g_assert_true (ag_test_spin_until (pointer_cleared, &banner_widget, WAIT_MS));
  assert_stage (fixture, call, "Ended by peer");
  g_assert_nonnull (find_label (fixture->view, "{\"by\":\"bob\"}"));
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (fixture->view))),
                    ==, 2);

  /* Finished calls can be cleared from the list. */
  gtk_widget_activate_action (fixture->view, "calls.clear-finished", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (fixture->view))),
                    ==, 0);
}

static gboolean
n_ringing_is_two (gpointer data)
{
  return ag_console_session_page_get_ringing (AG_CONSOLE_SESSION_PAGE (data)) == 2;
}

/* Two callers at once: both banners are shown and each can be answered on its own. */
static void
test_incoming_two_at_once (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr (AgSession) carol = login (fixture, "carol");
  PeerCall carol_call = { .dtmf = g_string_new (NULL) };
  g_autoptr (AgCall) from_bob = ag_session_channel_invite_user2 (fixture->bob, "one", "alice", NULL);
  g_autoptr (AgCall) from_carol = ag_session_channel_invite_user2 (carol, "two", "alice", NULL);
  GListModel *calls = ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (fixture->view));
  GtkWidget *bob_banner = NULL;
  GtkWidget *carol_banner = NULL;

  watch_peer_call (&fixture->bob_call, from_bob);
  watch_peer_call (&carol_call, from_carol);
  g_assert_true (ag_test_spin_until (n_ringing_is_two, fixture->page, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);

  for (guint i = 0; i < 2; i++) {
    g_autoptr (AgCall) call = g_list_model_get_item (calls, i);
    GtkWidget *banner = banner_of (fixture, call);

    g_assert_nonnull (banner);
    g_assert_true (gtk_widget_get_mapped (banner));
    if (g_strcmp0 (ag_call_get_peer (call), "bob") == 0)
      bob_banner = banner;
    else
      carol_banner = banner;
  }
  g_assert_nonnull (bob_banner);
  g_assert_nonnull (carol_banner);
  g_assert_cmpstr (ag_console_incoming_call_banner_get_title (AG_CONSOLE_INCOMING_CALL_BANNER (carol_banner)),
                   ==, "carol is calling alice");

  /* Carol's is answered first, then bob's refused: each answer goes to its own caller. */
  g_object_add_weak_pointer (G_OBJECT (bob_banner), (gpointer *) &bob_banner);
  g_object_add_weak_pointer (G_OBJECT (carol_banner), (gpointer *) &carol_banner);
  click (carol_banner, "Accept");
  g_assert_true (ag_test_spin_until (string_set, &carol_call.accepted_extra, WAIT_MS));
  g_assert_null (fixture->bob_call.accepted_extra);
  g_assert_cmpuint (ag_console_session_page_get_ringing (AG_CONSOLE_SESSION_PAGE (fixture->page)), ==, 1);
  click (bob_banner, "Refuse");
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.refused_extra, WAIT_MS));
  g_assert_true (ag_test_spin_until (pointer_cleared, &bob_banner, WAIT_MS));
  g_assert_nonnull (carol_banner);
  g_assert_cmpint (ag_call_get_state (ag_console_incoming_call_banner_get_call (AG_CONSOLE_INCOMING_CALL_BANNER (carol_banner))),
                   ==, AG_CALL_STATE_ACTIVE);
  g_assert_cmpuint (ag_console_session_page_get_ringing (AG_CONSOLE_SESSION_PAGE (fixture->page)), ==, 0);

  click (carol_banner, "End Call");
  g_assert_true (ag_test_spin_until (string_set, &carol_call.ended_extra, WAIT_MS));
  g_assert_true (ag_test_spin_until (pointer_cleared, &carol_banner, WAIT_MS));

  reset_peer (&carol_call);
  g_string_free (carol_call.dtmf, TRUE);
  ag_session_logout (carol);
}

/* Outgoing calls */

static AgConsoleCallDialog *
open_call_dialog (Fixture    *fixture,
                  const char *peer,
                  const char *channel)
{
  GtkWidget *dialog;

  ag_console_calls_view_place_call (AG_CONSOLE_CALLS_VIEW (fixture->view), peer, channel);
  dialog = ag_console_calls_view_get_call_dialog (AG_CONSOLE_CALLS_VIEW (fixture->view));
  g_assert_nonnull (dialog);
  g_assert_true (ag_test_spin_until (widget_mapped, dialog, WAIT_MS));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (fixture->window));

  return AG_CONSOLE_CALL_DIALOG (dialog);
}

static AgCall *
place (Fixture             *fixture,
       AgConsoleCallDialog *dialog)
{
  GtkWidget *dialog_widget = GTK_WIDGET (dialog);
  AgCall *call;
  g_autofree char *stage = NULL;

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog_widget);
  click (dialog_widget, "C_all");

  /* The dialog is gone and the call listed at once, still on its way. */
  g_assert_null (dialog_widget);
  g_assert_true (has_call (fixture));
  call = first_call (fixture);
  g_assert_cmpint (ag_call_get_direction (call), ==, AG_CALL_DIRECTION_OUTGOING);
  stage = ag_console_calls_view_dup_stage_text (AG_CONSOLE_CALLS_VIEW (fixture->view), call);
  g_assert_cmpstr (stage, ==, "Calling…");

  return call;
}

static gint64
json_int_member (const char *json,
                 const char *member)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, member));

  return json_object_get_int_member (object, member);
}

static gboolean
peer_has_call (gpointer data)
{
  return ((PeerCall *) data)->call != NULL;
}

static void
test_outgoing_stages (Fixture       *fixture,
                      gconstpointer  data)
{
  AgConsoleCallDialog *dialog;
  g_autofree char *extra = NULL;
  AgCall *call;

  g_signal_connect (fixture->bob, "invite-received",
                    G_CALLBACK (bob_invite_received_cb), &fixture->bob_call);

  dialog = open_call_dialog (fixture, "bob", "room");
  g_assert_cmpstr (ag_console_call_dialog_get_peer (dialog), ==, "bob");
  g_assert_cmpstr (ag_console_call_dialog_get_channel (dialog), ==, "room");
  ag_console_call_dialog_set_timeout (dialog, 30);
  extra = ag_console_call_dialog_get_extra (dialog);
  g_assert_cmpint (json_int_member (extra, "_timeout"), ==, 30);

  call = place (fixture, dialog);

  /* Received by peer: bob has it, with the extra as sent. */
  assert_stage (fixture, call, "Ringing (received by peer)");
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  g_assert_cmpint (json_int_member (ag_call_get_extra (fixture->bob_call.call), "_timeout"), ==, 30);

  /* Accepted, with the peer's extra shown. */
  ag_call_channel_invite_accept (fixture->bob_call.call, "{\"ok\":\"sure\"}");
  assert_stage (fixture, call, "Accepted");
  g_assert_nonnull (find_label (fixture->view, "{\"ok\":\"sure\"}"));

  /* Ended from the list. */
  gtk_widget_activate_action (fixture->view, "calls.end", "u",
                              ag_console_calls_view_get_call_id (AG_CONSOLE_CALLS_VIEW (fixture->view), call));
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.ended_extra, WAIT_MS));
  assert_stage (fixture, call, "Ended by you");
}

static void
test_outgoing_refused_and_withdrawn (Fixture       *fixture,
                                     gconstpointer  data)
{
  AgCall *call;

  g_signal_connect (fixture->bob, "invite-received",
                    G_CALLBACK (bob_invite_received_cb), &fixture->bob_call);

  call = place (fixture, open_call_dialog (fixture, "bob", "room"));
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  ag_call_channel_invite_refuse (fixture->bob_call.call, "{\"why\":\"busy\"}");
  assert_stage (fixture, call, "Refused by peer");
  g_assert_nonnull (find_label (fixture->view, "{\"why\":\"busy\"}"));

  /* Withdrawn while ringing, from the list. */
  reset_peer (&fixture->bob_call);
  call = place (fixture, open_call_dialog (fixture, "bob", "room"));
  assert_stage (fixture, call, "Ringing (received by peer)");
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  gtk_widget_activate_action (fixture->view, "calls.end", "u",
                              ag_console_calls_view_get_call_id (AG_CONSOLE_CALLS_VIEW (fixture->view), call));
  g_assert_true (ag_test_spin_until (string_set, &fixture->bob_call.ended_extra, WAIT_MS));
  assert_stage (fixture, call, "Withdrawn");
}

static void
test_outgoing_failed_offline (Fixture       *fixture,
                              gconstpointer  data)
{
  AgConsoleCallDialog *dialog;
  g_autofree char *extra = NULL;
  AgCall *call;

  dialog = open_call_dialog (fixture, "nobody", "room");
  ag_console_call_dialog_set_require_peer_online (dialog, TRUE);
  extra = ag_console_call_dialog_get_extra (dialog);
  g_assert_cmpint (json_int_member (extra, "_require_peer_online"), ==, 1);

  call = place (fixture, dialog);
  assert_stage (fixture, call, "Failed: 703 INVITE_E_PEEROFFLINE");
  g_assert_cmpint (ag_call_get_state (call), ==, AG_CALL_STATE_FAILED);
}

static gboolean
channel_joined (gpointer data)
{
  return ag_channel_get_joined (AG_CHANNEL (data));
}

static void
test_call_dialog_form (Fixture       *fixture,
                       gconstpointer  data)
{
  AgConsoleCallDialog *dialog;
  g_autofree char *extra = NULL;
  g_autofree char *reason = NULL;
  GtkWidget *call_button;

  /* The channel defaults to the session's current one. */
  {
    g_autoptr (AgChannel) channel = ag_session_channel_join (fixture->alice, "lobby");

    g_assert_true (ag_test_spin_until (channel_joined, channel, WAIT_MS));
  }
  dialog = open_call_dialog (fixture, NULL, NULL);
  g_assert_cmpstr (ag_console_call_dialog_get_channel (dialog), ==, "lobby");
  g_assert_cmpstr (ag_console_call_dialog_get_peer (dialog), ==, "");
  call_button = console_find_button (GTK_WIDGET (dialog), "C_all");
  g_assert_false (gtk_widget_is_sensitive (call_button));
  g_assert_false (ag_console_call_dialog_is_valid (dialog, NULL));

  ag_console_call_dialog_set_peer (dialog, "bob");
  g_assert_true (gtk_widget_is_sensitive (call_button));

  /* The switch and the spin button edit the JSON... */
  ag_console_call_dialog_set_require_peer_online (dialog, TRUE);
  ag_console_call_dialog_set_timeout (dialog, 12);
  extra = ag_console_call_dialog_get_extra (dialog);
  g_assert_cmpint (json_int_member (extra, "_require_peer_online"), ==, 1);
  g_assert_cmpint (json_int_member (extra, "_timeout"), ==, 12);
  ag_console_call_dialog_set_require_peer_online (dialog, FALSE);
  ag_console_call_dialog_set_timeout (dialog, 0);
  g_clear_pointer (&extra, g_free);
  extra = ag_console_call_dialog_get_extra (dialog);
  g_assert_cmpstr (extra, ==, "{}");

  /* ...and follow it when it is edited by hand. */
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": 5, \"_require_peer_online\": \"1\", \"k\": [1]}");
  g_assert_cmpuint (ag_console_call_dialog_get_timeout (dialog), ==, 5);
  g_assert_true (ag_console_call_dialog_get_require_peer_online (dialog));
  g_assert_true (gtk_widget_is_sensitive (call_button));

  /* Not an object, or not JSON: refused with a reason, Call disabled. */
  ag_console_call_dialog_set_extra (dialog, "[1, 2]");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, &reason));
  g_assert_nonnull (strstr (reason, "object"));
  g_assert_false (gtk_widget_is_sensitive (call_button));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), reason));
  g_clear_pointer (&reason, g_free);

  ag_console_call_dialog_set_extra (dialog, "{\"a\": ");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, &reason));
  g_assert_false (gtk_widget_is_sensitive (call_button));

  /* Blank stands for {}. */
  ag_console_call_dialog_set_extra (dialog, "  ");
  g_assert_true (ag_console_call_dialog_is_valid (dialog, NULL));

  /* Accounts have no spaces. */
  ag_console_call_dialog_set_peer (dialog, "b ob");
  g_assert_false (gtk_widget_is_sensitive (call_button));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_null (ag_console_calls_view_get_call_dialog (AG_CONSOLE_CALLS_VIEW (fixture->view)));
}

static void
test_call_dialog_timeout (Fixture       *fixture,
                          gconstpointer  data)
{
  AgConsoleCallDialog *dialog = open_call_dialog (fixture, "bob", "room");
  g_autofree char *reason = NULL;

  /* What the server would refuse is refused here, with the reason shown. */
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\":\"abc\"}");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, &reason));
  g_assert_nonnull (strstr (reason, "_timeout"));
  g_assert_false (gtk_widget_is_sensitive (console_find_button (GTK_WIDGET (dialog), "C_all")));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), reason));
  g_clear_pointer (&reason, g_free);

  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": 0}");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, NULL));
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": 2.5}");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, NULL));
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": 90000}");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, NULL));
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": 86400}");
  g_assert_true (ag_console_call_dialog_is_valid (dialog, NULL));
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": [30]}");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, NULL));
  ag_console_call_dialog_set_extra (dialog, "{\"_require_peer_online\": 2}");
  g_assert_false (ag_console_call_dialog_is_valid (dialog, &reason));
  g_assert_nonnull (strstr (reason, "_require_peer_online"));

  /* What the server reads is fine, as the server reads it ("30" is 30). */
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": \"30\", \"_require_peer_online\": true}");
  g_assert_true (ag_console_call_dialog_is_valid (dialog, NULL));
  g_assert_true (gtk_widget_is_sensitive (console_find_button (GTK_WIDGET (dialog), "C_all")));
  ag_console_call_dialog_set_extra (dialog, "{\"_timeout\": 30.0}");
  g_assert_true (ag_console_call_dialog_is_valid (dialog, NULL));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_call_again (Fixture       *fixture,
                 gconstpointer  data)
{
  AgConsoleCallsView *view = AG_CONSOLE_CALLS_VIEW (fixture->view);
  AgConsoleCallDialog *dialog;
  g_autofree char *extra = NULL;
  AgCall *first;
  AgCall *again;

  g_signal_connect (fixture->bob, "invite-received",
                    G_CALLBACK (bob_invite_received_cb), &fixture->bob_call);

  dialog = open_call_dialog (fixture, "bob", "room");
  ag_console_call_dialog_set_extra (dialog, "{\"case\":\"QA-12\",\"_timeout\":30}");
  first = place (fixture, dialog);
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  ag_call_channel_invite_refuse (fixture->bob_call.call, NULL);
  assert_stage (fixture, first, "Refused by peer");

  /* Call Again: one action, the same peer, channel and extra, no dialog. */
  reset_peer (&fixture->bob_call);
  gtk_widget_activate_action (fixture->view, "calls.call-again", NULL);
  g_assert_null (ag_console_calls_view_get_call_dialog (view));
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_calls_view_get_calls (view)), ==, 2);
  again = first_call (fixture);
  g_assert_true (again != first);
  g_assert_cmpstr (ag_call_get_peer (again), ==, "bob");
  g_assert_cmpstr (ag_call_get_channel (again), ==, "room");
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  assert_json_member (ag_call_get_extra (fixture->bob_call.call), "case", "QA-12");
  g_assert_cmpint (json_int_member (ag_call_get_extra (fixture->bob_call.call), "_timeout"), ==, 30);
  ag_call_channel_invite_refuse (fixture->bob_call.call, NULL);
  assert_stage (fixture, again, "Refused by peer");

  /* The Call dialog starts from the last call too. */
  dialog = open_call_dialog (fixture, NULL, NULL);
  g_assert_cmpstr (ag_console_call_dialog_get_peer (dialog), ==, "bob");
  g_assert_cmpstr (ag_console_call_dialog_get_channel (dialog), ==, "room");
  extra = ag_console_call_dialog_get_extra (dialog);
  assert_json_member (extra, "case", "QA-12");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The bob side refuses the call it has, and the next one is placed with Call Again. */
static AgCall *
refuse_and_call_again (Fixture *fixture,
                       AgCall  *call)
{
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  ag_call_channel_invite_refuse (fixture->bob_call.call, NULL);
  assert_stage (fixture, call, "Refused by peer");
  reset_peer (&fixture->bob_call);
  gtk_widget_activate_action (fixture->view, "calls.call-again", NULL);

  return first_call (fixture);
}

static guint
n_history_lines (Fixture *fixture)
{
  g_autofree char *history =
    ag_console_calls_view_dup_history_jsonl (AG_CONSOLE_CALLS_VIEW (fixture->view));
  g_auto (GStrv) lines = g_strsplit (history, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      n++;

  return n;
}

/* Past its limit the view lets go of the oldest finished calls, never of one going on. */
static void
test_history_limit (Fixture       *fixture,
                    gconstpointer  data)
{
  AgConsoleCallsView *view = AG_CONSOLE_CALLS_VIEW (fixture->view);
  GListModel *calls = ag_console_calls_view_get_calls (view);
  AgCall *first, *second, *third, *fourth;

  g_assert_cmpuint (AG_CONSOLE_CALLS_VIEW_HISTORY_LIMIT, >=, 100);
  g_object_set (view, "history-limit", 2, NULL);
  g_signal_connect (fixture->bob, "invite-received",
                    G_CALLBACK (bob_invite_received_cb), &fixture->bob_call);

  first = place (fixture, open_call_dialog (fixture, "bob", "room"));
  second = refuse_and_call_again (fixture, first);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);

  /* A third call: the first, finished, goes from the list and from the history. */
  third = refuse_and_call_again (fixture, second);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);
  g_assert_cmpuint (n_history_lines (fixture), ==, 2);
  g_assert_cmpuint (ag_console_calls_view_get_call_id (view, second), ==, 2);
  g_assert_cmpuint (ag_console_calls_view_get_call_id (view, third), ==, 3);

  /* The fourth stays ringing; a limit of one drops the finished third but not it. */
  fourth = refuse_and_call_again (fixture, third);
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  assert_stage (fixture, fourth, "Ringing (received by peer)");
  g_object_set (view, "history-limit", 1, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);
  g_assert_true (first_call (fixture) == fourth);
  g_assert_cmpuint (n_history_lines (fixture), ==, 1);

  ag_call_channel_invite_refuse (fixture->bob_call.call, NULL);
  assert_stage (fixture, fourth, "Refused by peer");
}

static JsonObject *
history_line (char       **lines,
              guint        index)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (lines[index]);
  json_parser_load_from_data (parser, lines[index], -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
state_sequence (JsonObject *line)
{
  JsonArray *states = json_object_get_array_member (line, "states");
  GString *sequence = g_string_new (NULL);
  gint64 last = -1;

  for (guint i = 0; i < json_array_get_length (states); i++) {
    JsonObject *step = json_array_get_object_element (states, i);

    /* Times never go backwards. */
    g_assert_cmpint (json_object_get_int_member (step, "ms"), >=, last);
    last = json_object_get_int_member (step, "ms");
    if (i > 0)
      g_string_append_c (sequence, ' ');
    g_string_append (sequence, json_object_get_string_member (step, "state"));
  }

  return g_string_free (sequence, FALSE);
}

static void
test_call_history (Fixture       *fixture,
                   gconstpointer  data)
{
  AgConsoleCallsView *view = AG_CONSOLE_CALLS_VIEW (fixture->view);
  g_autofree char *jsonl = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (JsonObject) outgoing = NULL;
  g_autoptr (JsonObject) incoming = NULL;
  g_autoptr (JsonObject) failed = NULL;
  g_autofree char *sequence = NULL;
  AgConsoleCallDialog *dialog;
  GtkWidget *banner;
  AgCall *call;

  g_signal_connect (fixture->bob, "invite-received",
                    G_CALLBACK (bob_invite_received_cb), &fixture->bob_call);

  /* Outgoing: accepted by bob, ended by alice. */
  call = place (fixture, open_call_dialog (fixture, "bob", "room"));
  g_assert_true (ag_test_spin_until (peer_has_call, &fixture->bob_call, WAIT_MS));
  assert_stage (fixture, call, "Ringing (received by peer)");
  ag_call_channel_invite_accept (fixture->bob_call.call, "{\"ok\":1}");
  assert_stage (fixture, call, "Accepted");
  gtk_widget_activate_action (fixture->view, "calls.end", "u", ag_console_calls_view_get_call_id (view, call));
  assert_stage (fixture, call, "Ended by you");
  g_signal_handlers_disconnect_by_func (fixture->bob, bob_invite_received_cb, &fixture->bob_call);
  reset_peer (&fixture->bob_call);

  /* Incoming: refused by alice. */
  banner = GTK_WIDGET (bob_calls (fixture, NULL));
  click (banner, "Refuse");
  assert_stage (fixture, first_call (fixture), "Refused by you");

  /* Failed: nobody is online. */
  dialog = open_call_dialog (fixture, "nobody", "room");
  ag_console_call_dialog_set_require_peer_online (dialog, TRUE);
  call = place (fixture, dialog);
  assert_stage (fixture, call, "Failed: 703 INVITE_E_PEEROFFLINE");

  /* Clearing the list keeps the history. */
  gtk_widget_activate_action (fixture->view, "calls.clear-finished", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_calls_view_get_calls (view)), ==, 0);

  jsonl = ag_console_calls_view_dup_history_jsonl (view);
  g_assert_true (g_str_has_suffix (jsonl, "\n"));
  lines = g_strsplit (jsonl, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* three lines and the empty rest */
  g_assert_cmpstr (lines[3], ==, "");

  outgoing = history_line (lines, 0);
  g_assert_cmpstr (json_object_get_string_member (outgoing, "session"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (outgoing, "direction"), ==, "outgoing");
  g_assert_cmpstr (json_object_get_string_member (outgoing, "peer"), ==, "bob");
  g_assert_cmpstr (json_object_get_string_member (outgoing, "channel"), ==, "room");
  sequence = state_sequence (outgoing);
  g_assert_cmpstr (sequence, ==, "inviting ringing active ended");
  g_assert_cmpint (json_object_get_int_member (outgoing, "ring_ms"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (outgoing, "answer_ms"), >=,
                   json_object_get_int_member (outgoing, "ring_ms"));
  g_assert_cmpint (json_object_get_int_member (outgoing, "end_ms"), ==,
                   json_object_get_int_member (outgoing, "answer_ms") +
                   json_object_get_int_member (outgoing, "talk_ms"));
  g_assert_cmpstr (json_object_get_string_member (outgoing, "end"), ==, "ended-by-me");
  g_assert_cmpint (json_object_get_int_member (outgoing, "code"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (outgoing, "peer_extra"), ==, "{\"ok\":1}");
  g_assert_nonnull (g_date_time_new_from_iso8601 (json_object_get_string_member (outgoing, "started"), NULL));

  incoming = history_line (lines, 1);
  g_assert_cmpstr (json_object_get_string_member (incoming, "direction"), ==, "incoming");
  g_clear_pointer (&sequence, g_free);
  sequence = state_sequence (incoming);
  g_assert_cmpstr (sequence, ==, "ringing refused");
  g_assert_true (json_object_get_null_member (incoming, "answer_ms"));
  g_assert_cmpstr (json_object_get_string_member (incoming, "end"), ==, "refused-by-me");

  failed = history_line (lines, 2);
  g_assert_cmpstr (json_object_get_string_member (failed, "peer"), ==, "nobody");
  g_assert_cmpstr (json_object_get_string_member (failed, "end"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (failed, "code"), ==, 703);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ()) {
    g_print ("1..0 # SKIP no display\n");
    return 0;
  }
  adw_init ();

  g_test_add ("/ag/calls-view/incoming-accept-dtmf-end", Fixture, NULL,
              fixture_set_up, test_incoming_accept_dtmf_end, fixture_tear_down);
  g_test_add ("/ag/calls-view/incoming-refuse", Fixture, NULL,
              fixture_set_up, test_incoming_refuse, fixture_tear_down);
  g_test_add ("/ag/calls-view/incoming-end-by-peer", Fixture, NULL,
              fixture_set_up, test_incoming_end_by_peer, fixture_tear_down);
  g_test_add ("/ag/calls-view/incoming-hide-and-answer-later", Fixture, NULL,
              fixture_set_up, test_incoming_hide_and_answer_later, fixture_tear_down);
  g_test_add ("/ag/calls-view/incoming-two-at-once", Fixture, NULL,
              fixture_set_up, test_incoming_two_at_once, fixture_tear_down);
  g_test_add ("/ag/calls-view/outgoing-stages", Fixture, NULL,
              fixture_set_up, test_outgoing_stages, fixture_tear_down);
  g_test_add ("/ag/calls-view/outgoing-refused-and-withdrawn", Fixture, NULL,
              fixture_set_up, test_outgoing_refused_and_withdrawn, fixture_tear_down);
  g_test_add ("/ag/calls-view/outgoing-failed-offline", Fixture, NULL,
              fixture_set_up, test_outgoing_failed_offline, fixture_tear_down);
  g_test_add ("/ag/calls-view/call-dialog-timeout", Fixture, NULL,
              fixture_set_up, test_call_dialog_timeout, fixture_tear_down);
  g_test_add ("/ag/calls-view/call-again", Fixture, NULL,
              fixture_set_up, test_call_again, fixture_tear_down);
  g_test_add ("/ag/calls-view/call-history", Fixture, NULL,
              fixture_set_up, test_call_history, fixture_tear_down);
  g_test_add ("/ag/calls-view/history-limit", Fixture, NULL,
              fixture_set_up, test_history_limit, fixture_tear_down);
  g_test_add ("/ag/calls-view/call-dialog-form", Fixture, NULL,
              fixture_set_up, test_call_dialog_form, fixture_tear_down);

  return g_test_run ();
}
