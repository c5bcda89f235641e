/* test-conversations-view.c: peer messages in the console
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "console-fixture.h"
#include "ag-console-message-item.h"

static AgConsoleConversationsView *
conversations_view (AgConsoleSessionPage *page)
{
  return AG_CONSOLE_CONVERSATIONS_VIEW (ag_console_session_page_get_page_widget (page, "messages"));
}

static guint
n_conversations (AgConsoleConversationsView *view)
{
  return g_list_model_get_n_items (ag_console_conversations_view_get_conversations (view));
}

static AgConsoleConversation *
conversation_at (AgConsoleConversationsView *view,
                 guint                       position)
{
  g_autoptr(AgConsoleConversation) conversation =
    g_list_model_get_item (ag_console_conversations_view_get_conversations (view), position);

  /* The view keeps it. */
  return conversation;
}

static AgConsoleMessageItem *
message_at (AgConsoleConversation *conversation,
            guint                  position)
{
  g_autoptr(AgConsoleMessageItem) item =
    g_list_model_get_item (ag_console_conversation_get_messages (conversation), position);

  return item;
}

static guint
n_messages (AgConsoleConversation *conversation)
{
  return g_list_model_get_n_items (ag_console_conversation_get_messages (conversation));
}

typedef struct
{
  guint  count;
  char  *account;
  char  *msg;
} Received;

static void
instant_receive_cb (AgSession  *session,
                    const char *account,
                    guint       uid,
                    const char *msg,
                    Received   *received)
{
  received->count++;
  g_free (received->account);
  received->account = g_strdup (account);
  g_free (received->msg);
  received->msg = g_strdup (msg);
}

static void
test_conversations_exchange (ConsoleFixture *fixture,
                             gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgConsoleConversationsView *view = conversations_view (page);
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgConsoleConversation *conversation;
  AgConsoleMessageItem *item;
  Received received = { 0 };

  g_assert_cmpuint (n_conversations (view), ==, 0);
  g_signal_connect (bob, "message-instant-receive", G_CALLBACK (instant_receive_cb), &received);

  /* A message from a new peer opens a conversation. */
  ag_session_message_instant_send (bob, "alice", "ping");
  CONSOLE_WAIT_UNTIL (n_conversations (view) == 1);
  conversation = conversation_at (view, 0);
  g_assert_cmpstr (ag_console_conversation_get_peer (conversation), ==, "bob");
  CONSOLE_WAIT_UNTIL (n_messages (conversation) == 1);
  item = message_at (conversation, 0);
  g_assert_cmpstr (ag_console_message_item_get_account (item), ==, "bob");
  g_assert_cmpuint (ag_console_message_item_get_uid (item), ==, ag_session_get_uid (bob));
  g_assert_cmpstr (ag_console_message_item_get_text (item), ==, "ping");
  g_assert_cmpint (ag_console_message_item_get_time (item), >, 0);

  /* The messages page is not shown: the message waits unread. */
  g_assert_cmpuint (ag_console_conversations_view_get_unread (view), ==, 1);
  ag_console_session_page_show_page (page, "messages");
  CONSOLE_WAIT_UNTIL (ag_console_conversations_view_get_unread (view) == 0);

  /* Answer. */
  ag_console_conversations_view_open (view, "bob");
  ag_console_conversations_view_send (view, "pong", 0);
  g_assert_cmpuint (n_messages (conversation), ==, 2);
  item = message_at (conversation, 1);
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_SENT);
  CONSOLE_WAIT_UNTIL (received.count == 1);
  g_assert_cmpstr (received.account, ==, "alice");
  g_assert_cmpstr (received.msg, ==, "pong");

  g_free (received.account);
  g_free (received.msg);
}

static void
test_conversations_offline (ConsoleFixture *fixture,
                            gconstpointer   data)
{
  AgConsoleSessionPage *page = console_fixture_login (fixture, "alice");
  AgConsoleConversationsView *view = conversations_view (page);
  AgConsoleConversation *conversation;
  AgConsoleMessageItem *stored;
  AgConsoleMessageItem *refused;
  AgSession *dave;
  Received received = { 0 };

  /* With a TTL, an offline peer gets it later: "stored for offline delivery". */
  conversation = ag_console_conversations_view_open (view, "dave");
  ag_console_conversations_view_send (view, "see you later", 600);
  stored = message_at (conversation, 0);
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (stored) == AG_CONSOLE_MESSAGE_STORED);

  /* Without one, the server refuses it, and it stays visible as not delivered. */
  conversation = ag_console_conversations_view_open (view, "erin");
  ag_console_conversations_view_send (view, "are you there", 0);
  refused = message_at (conversation, 0);
  CONSOLE_WAIT_UNTIL (ag_console_message_item_get_state (refused) == AG_CONSOLE_MESSAGE_FAILED);
  g_assert_cmpint (ag_console_message_item_get_error_code (refused), ==, AG_ERROR_PROTO_E_PEER_OFFLINE);
  g_assert_true (g_str_has_prefix (ag_console_message_item_get_error_text (refused),
                                   "Not delivered: 1204 PROTO_E_PEER_OFFLINE"));
  g_assert_cmpuint (n_conversations (view), ==, 2);

  /* dave logs in and gets the stored message. */
  {
    g_autoptr(AgSignal) signal = ag_signal_new ("demo");
    AgSession *session;

    ag_signal_set_server_uri (signal, ag_test_server_get_uri (fixture->server));
    session = ag_signal_login (signal, "dave", "_no_need_token");
    g_ptr_array_add (fixture->peers, session);
    g_signal_connect (session, "message-instant-receive", G_CALLBACK (instant_receive_cb), &received);
    dave = session;
  }
  CONSOLE_WAIT_UNTIL (received.count == 1);
  g_assert_cmpstr (received.account, ==, "alice");
  g_assert_cmpstr (received.msg, ==, "see you later");
  g_assert_cmpint (ag_session_get_status (dave), ==, AG_STATUS_LOGGED_IN);

  g_free (received.account);
  g_free (received.msg);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *stored = user_data;
  g_autoptr(GError) error = NULL;

  *stored = ag_session_message_instant_send_finish (AG_SESSION (object), result, &error);
  g_assert_no_error (error);
}

/* A message stored while alice was offline shows when bob sent it, not when it arrived. */
static void
test_conversations_offline_received_time (ConsoleFixture *fixture,
                                          gconstpointer   data)
{
  AgSession *bob = console_fixture_peer (fixture, "bob");
  AgConsoleConversationsView *view;
  AgConsoleConversation *conversation;
  AgConsoleMessageItem *item;
  AgConsoleSessionPage *page;
  gboolean stored = FALSE;
  gint64 before = g_get_real_time ();
  gint64 after;
  gint64 login;

  ag_session_message_instant_send_async (bob, "alice", "while you were out", 600, NULL,
                                         sent_cb, &stored);
  CONSOLE_WAIT_UNTIL (stored);
  after = g_get_real_time ();
  console_spin_for (1500);

  login = g_get_real_time ();
  page = console_fixture_login (fixture, "alice");
  view = conversations_view (page);
  CONSOLE_WAIT_UNTIL (n_conversations (view) == 1);
  conversation = conversation_at (view, 0);
  CONSOLE_WAIT_UNTIL (n_messages (conversation) == 1);
  item = message_at (conversation, 0);
  g_assert_cmpstr (ag_console_message_item_get_text (item), ==, "while you were out");

  /* Milliseconds on the wire: allow for the rounding. */
  g_assert_cmpint (ag_console_message_item_get_time (item), >=, before - 1000);
  g_assert_cmpint (ag_console_message_item_get_time (item), <=, after + 1000);
  g_assert_cmpint (ag_console_message_item_get_time (item), <, login);
}

int
main (int   argc,
      char *argv[])
{
  if (!console_test_init (&argc, &argv)) {
    g_print (CONSOLE_TEST_SKIP_NO_DISPLAY);
    return 0;
  }

  g_test_add ("/ag/console-conversations-view/exchange", ConsoleFixture, NULL,
              console_fixture_setup, test_conversations_exchange, console_fixture_teardown);
  g_test_add ("/ag/console-conversations-view/offline", ConsoleFixture, NULL,
              console_fixture_setup, test_conversations_offline, console_fixture_teardown);
  g_test_add ("/ag/console-conversations-view/offline-received-time", ConsoleFixture, NULL,
              console_fixture_setup, test_conversations_offline_received_time, console_fixture_teardown);

  return g_test_run ();
}
