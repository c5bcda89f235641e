/* test-channel-view.c: joining, the live roster and channel messages in the console
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "ag-test-client.h"
#include "console-fixture.h"
#include "ag-console-message-item.h"

static AgConsoleChannelView *
channel_view (AgConsoleSessionPage *page)
{
  return AG_CONSOLE_CHANNEL_VIEW (ag_console_session_page_get_page_widget (page, "channel"));
}

/* The roster's accounts in display order, joined by spaces. */
static char *
roster_accounts (AgConsoleChannelView *view)
{
  GListModel *roster = ag_console_channel_view_get_roster_model (view);
  GString *accounts = g_string_new (NULL);
  guint n = g_list_model_get_n_items (roster);

  for (guint i = 0; i < n; i++) {
    g_autoptr(AgMember) member = g_list_model_get_item (roster, i);

    if (i > 0)
      g_string_append_c (accounts, ' ');
    g_string_append (accounts, ag_member_get_account (member));
  }

  return g_string_free (accounts, FALSE);
}

static gboolean
roster_is (AgConsoleChannelView *view,
           const char           *expected)
{
  g_autofree char *accounts = roster_accounts (view);

  return g_strcmp0 (accounts, expected) == 0;
}

static gboolean
count_is (AgConsoleChannelView *view,
          const char           *expected)
{
  return g_strcmp0 (ag_console_channel_view_get_count_text (view), expected) == 0;
}

static AgConsoleMessageItem *
message_at (AgConsoleChannelView *view,
            guint                 position)
{
  g_autoptr(AgConsoleMessageItem) item = g_list_model_get_item (ag_console_channel_view_get_messages (view),
                                                                position);

  /* The store keeps the item. */
  return item;
}

static guint
n_messages (AgConsoleChannelView *view)
{
  GListModel *messages = ag_console_channel_view_get_messages (view);

  return messages != NULL ? g_list_model_get_n_items (messages) : 0;
}

static AgConsoleChannelView *
join_lobby (ConsoleFixture        *fixture,
            AgConsoleSessionPage **out_page)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgConsoleChannelView *view = channel_view (page);

  ag_console_channel_view_join (view, "lobby");
  CONSOLE_WAIT_UNTIL (roster_is (view, "alice"));
  g_assert_true (count_is (view, "1 member"));

  if (out_page != NULL)
    *out_page = page;

  return view;
}

static void
test_channel_view_roster (ConsoleFixture *fixture,
                          gconstpointer   data)
{
  AgConsoleChannelView *view = join_lobby (fixture, NULL);
  AgSession *carol = console_fixture_peer (fixture, "carol");
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgChannel *bob_channel;

  /* Others join: the roster follows, sorted by account. */
  console_fixture_peer_join (fixture, carol, "lobby");
  CONSOLE_WAIT_UNTIL (roster_is (view, "alice carol"));
  g_assert_true (count_is (view, "2 members"));

  bob_channel = console_fixture_peer_join (fixture, bob, "lobby");
  CONSOLE_WAIT_UNTIL (roster_is (view, "alice bob carol"));
  g_assert_true (count_is (view, "3 members"));

  /* The search filters the list and says how many are shown. */
  ag_console_channel_view_set_search (view, "CAR");
  g_assert_true (roster_is (view, "carol"));
  g_assert_true (count_is (view, "1 of 3 members"));
  ag_console_channel_view_set_search (view, NULL);
  g_assert_true (roster_is (view, "alice bob carol"));

  /* Someone leaves. */
  ag_channel_channel_leave (bob_channel);
  CONSOLE_WAIT_UNTIL (roster_is (view, "alice carol"));
  g_assert_true (count_is (view, "2 members"));

  /* Someone's session ends. */
  ag_session_logout (carol);
  CONSOLE_WAIT_UNTIL (roster_is (view, "alice"));
  g_assert_true (count_is (view, "1 member"));

  /* And we leave: no roster any more. */
  ag_console_channel_view_leave (view);
  CONSOLE_WAIT_UNTIL (count_is (view, ""));
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_channel_view_get_roster_model (view)), ==, 0);
}

typedef struct
{
  guint  received;
  char  *last_account;
  char  *last_msg;
} Received;

static void
channel_receive_cb (AgChannel  *channel,
                    const char *account,
                    guint       uid,
                    const char *msg,
                    Received   *received)
{
  received->received++;
  g_free (received->last_account);
  received->last_account = g_strdup (account);
  g_free (received->last_msg);
  received->last_msg = g_strdup (msg);
}

static void
test_channel_view_messages (ConsoleFixture *fixture,
                            gconstpointer   data)
{
  AgConsoleChannelView *view = join_lobby (fixture, NULL);
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgChannel *bob_channel = console_fixture_peer_join (fixture, bob, "lobby");
  Received received = { 0 };
  AgConsoleMessageItem *item;

  g_signal_connect (bob_channel, "message-channel-receive", G_CALLBACK (channel_receive_cb), &received);

  /* Ours: shown at once, delivered once the server has it, seen by bob. */
  ag_console_channel_view_send (view, "hello from alice");
  g_assert_cmpuint (n_messages (view), ==, 1);
  item = message_at (view, 0);
  g_assert_cmpstr (ag_console_message_item_get_account (item), ==, "alice");
  g_assert_cmpstr (ag_console_message_item_get_text (item), ==, "hello from alice");

  CONSOLE_WAIT_UNTIL (received.received == 1);
  g_assert_cmpstr (received.last_account, ==, "alice");
  g_assert_cmpstr (received.last_msg, ==, "hello from alice");
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_SENT);

  /* The server's echo of our own message is not shown twice. */
  console_spin_for (100);
  g_assert_cmpuint (n_messages (view), ==, 1);
  g_assert_cmpuint (ag_console_message_item_get_uid (item), ==,
                    ag_session_get_uid (ag_console_session_page_get_session (
                      AG_CONSOLE_SESSION_PAGE (gtk_widget_get_ancestor (GTK_WIDGET (view),
                                                                        AG_CONSOLE_TYPE_SESSION_PAGE)))));

  /* Theirs: newest at the bottom, with sender and uid. */
  ag_channel_message_channel_send (bob_channel, "hi alice");
  CONSOLE_WAIT_UNTIL (n_messages (view) == 2);
  item = message_at (view, 1);
  g_assert_cmpstr (ag_console_message_item_get_account (item), ==, "bob");
  g_assert_cmpuint (ag_console_message_item_get_uid (item), ==, ag_session_get_uid (bob));
  g_assert_cmpstr (ag_console_message_item_get_text (item), ==, "hi alice");
  g_assert_cmpint (ag_console_message_item_get_state (item), ==, AG_CONSOLE_MESSAGE_RECEIVED);
  g_assert_cmpint (ag_console_message_item_get_time (item), >, 0);

  g_free (received.last_account);
  g_free (received.last_msg);
}

static void
test_channel_view_refused (ConsoleFixture *fixture,
                           gconstpointer   data)
{
  AgConsoleChannelView *view = join_lobby (fixture, NULL);
  g_autofree char *too_long = g_strnfill (8193, 'x');
  AgConsoleMessageItem *item;

  ag_console_channel_view_send (view, too_long);
  ag_console_channel_view_send (view, "short and fine");

  /* The refused message stays, marked as not delivered, with the spec's code and name. */
  g_assert_cmpuint (n_messages (view), ==, 2);
  item = message_at (view, 0);
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_FAILED);
  g_assert_cmpint (ag_console_message_item_get_error_code (item), ==, AG_ERROR_GENERAL_E_LARGE_PARAM);
  g_assert_true (g_str_has_prefix (ag_console_message_item_get_error_text (item),
                                   "Not delivered: 1005 GENERAL_E_LARGE_PARAM"));
  g_assert_cmpuint (strlen (ag_console_message_item_get_text (item)), ==, 8193);

  /* The next one is unaffected. */
  item = message_at (view, 1);
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_SENT);
  g_assert_cmpuint (n_messages (view), ==, 2);
}

static void
test_channel_view_read_only (ConsoleFixture *fixture,
                             gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgConsoleChannelView *view = channel_view (page);
  AgConsoleMessageItem *item;

  ag_console_channel_view_join (view, "_agora_user_online");
  CONSOLE_WAIT_UNTIL (count_is (view, "1 member"));

  ag_console_channel_view_send (view, "can anyone hear me");
  item = message_at (view, 0);
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_FAILED);
  g_assert_cmpint (ag_console_message_item_get_error_code (item), ==, AG_ERROR_PROTO_E_READ_ONLY_CHANNEL);
  g_assert_true (g_str_has_prefix (ag_console_message_item_get_error_text (item),
                                   "Not delivered: 1205 PROTO_E_READ_ONLY_CHANNEL"));
}

static void
test_channel_view_count_query (ConsoleFixture *fixture,
                               gconstpointer   data)
{
  AgConsoleChannelView *view = join_lobby (fixture, NULL);
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgSession *carol = console_fixture_peer (fixture, "carol");

  console_fixture_peer_join (fixture, bob, "kitchen");
  console_fixture_peer_join (fixture, carol, "kitchen");

  /* Any channel, not only the one we are in. */
  ag_console_channel_view_query_count (view, "kitchen");
  CONSOLE_WAIT_UNTIL (g_strcmp0 (ag_console_channel_view_get_query_text (view), "kitchen: 2 members") == 0);

  ag_console_channel_view_query_count (view, "lobby");
  CONSOLE_WAIT_UNTIL (g_strcmp0 (ag_console_channel_view_get_query_text (view), "lobby: 1 member") == 0);

  ag_console_channel_view_query_count (view, "empty-room");
  CONSOLE_WAIT_UNTIL (g_strcmp0 (ag_console_channel_view_get_query_text (view), "empty-room: 0 members") == 0);
}

typedef struct
{
  char *peer;
  char *channel;
} CallRequest;

static void
call_requested_cb (AgConsoleChannelView *view,
                   const char           *peer,
                   const char           *channel,
                   CallRequest          *request)
{
  g_free (request->peer);
  g_free (request->channel);
  request->peer = g_strdup (peer);
  request->channel = g_strdup (channel);
}

static void
test_channel_view_call_member (ConsoleFixture *fixture,
                               gconstpointer   data)
{
  AgConsoleChannelView *view = join_lobby (fixture, NULL);
  AgSession *bob = console_fixture_peer (fixture, "bob");
  CallRequest request = { NULL, NULL };

  console_fixture_peer_join (fixture, bob, "lobby");
  CONSOLE_WAIT_UNTIL (roster_is (view, "alice bob"));

  /* The roster row's "Call…" asks for a call with that member about this channel. */
  g_signal_connect (view, "call-requested", G_CALLBACK (call_requested_cb), &request);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "channel.call-member", "s", "bob"));
  g_assert_cmpstr (request.peer, ==, "bob");
  g_assert_cmpstr (request.channel, ==, "lobby");

  g_free (request.peer);
  g_free (request.channel);
}

/* A channel bigger than a join's roster of 200: the view says it lists only some, and the
 * server answers for anyone else. */
static void
test_channel_view_partial_roster (ConsoleFixture *fixture,
                                  gconstpointer   data)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_client_free);
  AgConsoleSessionPage *page;
  AgConsoleChannelView *view;

  for (guint i = 0; i < 205; i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *account = g_strdup_printf ("m%03u", i);
    AgTestClient *client = ag_test_client_new (ag_test_server_get_uri (fixture->server), &error);
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) joined = NULL;

    g_assert_no_error (error);
    g_ptr_array_add (clients, client);
    reply = ag_test_client_login (client, "demo", account, "_no_need_token");
    g_assert_cmpint (ag_test_reply_code (reply), ==, 0);
    joined = ag_test_client_request (client, "{\"op\":\"channel_join\",\"channel\":\"big\"}");
    g_assert_cmpint (ag_test_reply_code (joined), ==, 0);
  }

  page = console_fixture_login (fixture, "alice");
  view = channel_view (page);
  ag_console_channel_view_join (view, "big");
  /* The newest 200 and alice herself. */
  CONSOLE_WAIT_UNTIL (count_is (view, "201 of 206 members listed"));

  /* m000 joined first: not listed, but a member. */
  ag_console_channel_view_set_search (view, "m000");
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_channel_view_get_roster_model (view)), ==, 0);
  ag_console_channel_view_look_up (view, "m000");
  CONSOLE_WAIT_UNTIL (g_strcmp0 (ag_console_channel_view_get_lookup_text (view), "m000 is a member") == 0);
  ag_console_channel_view_look_up (view, "nobody");
  CONSOLE_WAIT_UNTIL (g_strcmp0 (ag_console_channel_view_get_lookup_text (view), "nobody is not a member") == 0);
}

int
main (int   argc,
      char *argv[])
{
  if (!console_test_init (&argc, &argv)) {
    g_print (CONSOLE_TEST_SKIP_NO_DISPLAY);
    return 0;
  }

  g_test_add ("/ag/console-channel-view/roster", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_roster, console_fixture_teardown);
  g_test_add ("/ag/console-channel-view/partial-roster", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_partial_roster, console_fixture_teardown);
  g_test_add ("/ag/console-channel-view/messages", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_messages, console_fixture_teardown);
  g_test_add ("/ag/console-channel-view/refused", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_refused, console_fixture_teardown);
  g_test_add ("/ag/console-channel-view/read-only", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_read_only, console_fixture_teardown);
  g_test_add ("/ag/console-channel-view/count-query", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_count_query, console_fixture_teardown);
  g_test_add ("/ag/console-channel-view/call-member", ConsoleFixture, NULL,
              console_fixture_setup, test_channel_view_call_member, console_fixture_teardown);

  return g_test_run ();
}
