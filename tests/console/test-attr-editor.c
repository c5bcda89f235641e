/* test-attr-editor.c: the channel and user attribute editors against a real agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-channel-attr-editor.h"
#include "ag-console-user-attr-editor.h"
#include "ag-test-server.h"

#define WAIT_MS 10000

typedef struct {
  char *name;
  char *value;
  char *type;
} AttrEvent;

typedef struct {
  AgTestServer *server;
  AgSignal     *signal;
  AgSession    *alice;     /* the editor's session */
  AgSession    *bob;       /* the other member, driven through the library */
  AgChannel    *bob_channel;
  GPtrArray    *bob_events;
  GtkWidget    *window;
  GtkWidget    *editor;
} Fixture;

static void
attr_event_free (AttrEvent *event)
{
  g_free (event->name);
  g_free (event->value);
  g_free (event->type);
  g_free (event);
}

static gboolean
session_logged_in (gpointer data)
{
  return ag_session_get_status (AG_SESSION (data)) == AG_STATUS_LOGGED_IN;
}

static gboolean
channel_joined (gpointer data)
{
  return ag_channel_get_joined (AG_CHANNEL (data));
}

static AgSession *
login (Fixture    *fixture,
       const char *account)
{
  AgSession *session = ag_signal_login (fixture->signal, account, "_no_need_token");

  g_assert_true (ag_test_spin_until (session_logged_in, session, WAIT_MS));

  return session;
}

static AgChannel *
join (AgSession  *session,
      const char *name)
{
  AgChannel *channel = ag_session_channel_join (session, name);

  g_assert_true (ag_test_spin_until (channel_joined, channel, WAIT_MS));

  return channel;
}

static void
bob_attr_cb (AgChannel  *channel,
             const char *name,
             const char *value,
             const char *type,
             Fixture    *fixture)
{
  AttrEvent *event = g_new0 (AttrEvent, 1);

  event->name = g_strdup (name);
  event->value = g_strdup (value);
  event->type = g_strdup (type);
  g_ptr_array_add (fixture->bob_events, event);
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
show_in_window (Fixture   *fixture,
                GtkWidget *widget)
{
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (fixture->window), widget);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (ag_test_spin_until (widget_mapped, widget, WAIT_MS));
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
  fixture->bob_events = g_ptr_array_new_with_free_func ((GDestroyNotify) attr_event_free);
}

static gboolean
window_gone (gpointer data)
{
  return *(GtkWidget **) data == NULL;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL) {
    g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
    gtk_window_destroy (GTK_WINDOW (fixture->window));
    g_assert_true (ag_test_spin_until (window_gone, &fixture->window, WAIT_MS));
  }

  if (fixture->bob_channel != NULL)
    g_signal_handlers_disconnect_by_data (fixture->bob_channel, fixture);
  g_clear_object (&fixture->bob_channel);
  ag_session_logout (fixture->alice);
  ag_session_logout (fixture->bob);
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);
  g_clear_object (&fixture->signal);
  g_clear_pointer (&fixture->bob_events, g_ptr_array_unref);
  g_clear_pointer (&fixture->server, ag_test_server_free);
}

static GObject *
child (Fixture    *fixture,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (fixture->editor,
                                                   G_OBJECT_TYPE (fixture->editor), name);

  g_assert_nonnull (object);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (object, type));

  return object;
}

static void
set_text (Fixture    *fixture,
          GType       type,
          const char *name,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, type, name)), text);
}

typedef struct {
  Fixture    *fixture;
  guint       index;
} EventWait;

static gboolean
has_event (gpointer data)
{
  EventWait *wait = data;

  return wait->fixture->bob_events->len > wait->index;
}

/* Waits for bob's event number index (from 0) and checks it. */
static void
assert_bob_event (Fixture    *fixture,
                  guint       index,
                  const char *name,
                  const char *value,
                  const char *type)
{
  EventWait wait = { fixture, index };
  AttrEvent *event;

  g_assert_true (ag_test_spin_until (has_event, &wait, WAIT_MS));
  event = g_ptr_array_index (fixture->bob_events, index);
  g_assert_cmpstr (event->name, ==, name);
  g_assert_cmpstr (event->value, ==, value);
  g_assert_cmpstr (event->type, ==, type);
}

static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)) {
    const char *label = NULL;

    if (GTK_IS_LABEL (root))
      label = gtk_label_get_label (GTK_LABEL (root));
    else if (GTK_IS_BUTTON (root))
      label = gtk_button_get_label (GTK_BUTTON (root));

    if (g_strcmp0 (label, text) == 0)
      return root;
  }

  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c)) {
    GtkWidget *found = find_widget (c, type, text);

    if (found != NULL)
      return found;
  }

  return NULL;
}

typedef struct {
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;
  GtkWidget *label = find_widget (wait->root, GTK_TYPE_LABEL, wait->text);

  return label != NULL && gtk_widget_is_drawable (label);
}

static gboolean
label_absent (gpointer data)
{
  LabelWait *wait = data;

  return find_widget (wait->root, GTK_TYPE_LABEL, wait->text) == NULL;
}

static const char *
stack_page (Fixture    *fixture,
            const char *name)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (child (fixture, GTK_TYPE_STACK, name)));
}

static gboolean
action_enabled (GtkWidget  *widget,
                const char *button_label)
{
  GtkWidget *button = find_widget (widget, GTK_TYPE_BUTTON, button_label);

  g_assert_nonnull (button);

  return gtk_widget_get_sensitive (button);
}

static void
open_editor (Fixture *fixture)
{
  fixture->editor = ag_console_channel_attr_editor_new (fixture->alice);
  show_in_window (fixture, fixture->editor);
}

static void
join_both (Fixture *fixture)
{
  g_autoptr (AgChannel) alice_channel = join (fixture->alice, "lobby");

  fixture->bob_channel = join (fixture->bob, "lobby");
  g_signal_connect (fixture->bob_channel, "channel-attr-updated",
                    G_CALLBACK (bob_attr_cb), fixture);
}

static void
test_channel_edit (Fixture       *fixture,
                   gconstpointer  data)
{
  GObject *sort_model;
  LabelWait wait;
  AdwMessageDialog *dialog = NULL;
  GListModel *toplevels;
  GtkWidget *clear_button;

  open_editor (fixture);
  join_both (fixture);

  g_assert_cmpstr (stack_page (fixture, "stack"), ==, "attrs");
  g_assert_cmpstr (stack_page (fixture, "list_stack"), ==, "empty");
  g_assert_false (action_enabled (fixture->editor, "C_lear All…"));

  /* Set: the other member sees the update, the list shows it. */
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "topic");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "news");
  g_assert_true (action_enabled (fixture->editor, "_Set"));
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  assert_bob_event (fixture, 0, "topic", "news", "update");

  wait = (LabelWait) { fixture->editor, "news" };
  g_assert_true (ag_test_spin_until (label_shown, &wait, WAIT_MS));
  sort_model = child (fixture, GTK_TYPE_SORT_LIST_MODEL, "sort_model");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sort_model)), ==, 1);
  g_assert_cmpstr (stack_page (fixture, "list_stack"), ==, "list");

  /* Edit: the row's edit action fills the form; the new value replaces the old one. */
  gtk_widget_activate_action (fixture->editor, "attrs.edit", "s", "topic");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (fixture, GTK_TYPE_ENTRY, "name_entry"))),
                   ==, "topic");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (fixture, GTK_TYPE_ENTRY, "value_entry"))),
                   ==, "news");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "sports");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  assert_bob_event (fixture, 1, "topic", "sports", "update");
  wait = (LabelWait) { fixture->editor, "sports" };
  g_assert_true (ag_test_spin_until (label_shown, &wait, WAIT_MS));

  /* Delete, from the row. */
  gtk_widget_activate_action (fixture->editor, "attrs.delete", "s", "topic");
  assert_bob_event (fixture, 2, "topic", "", "del");
  g_assert_true (ag_test_spin_until (label_absent, &wait, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sort_model)), ==, 0);

  /* Clear all, confirmed in the dialog. */
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "a");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "1");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  assert_bob_event (fixture, 3, "a", "1", "update");
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "b");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "2");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  assert_bob_event (fixture, 4, "b", "2", "update");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sort_model)), ==, 2);
  g_assert_true (action_enabled (fixture->editor, "C_lear All…"));

  gtk_widget_activate_action (fixture->editor, "attrs.clear", NULL);
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

    if (ADW_IS_MESSAGE_DIALOG (window))
      dialog = ADW_MESSAGE_DIALOG (window);
  }
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (fixture->window));
  g_assert_true (adw_message_dialog_has_response (dialog, "clear"));

  /* Nothing is cleared until the user confirms. */
  g_assert_cmpuint (fixture->bob_events->len, ==, 5);
  clear_button = find_widget (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "C_lear All");
  g_assert_nonnull (clear_button);
  g_signal_emit_by_name (clear_button, "clicked");

  assert_bob_event (fixture, 5, "", "", "clear");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sort_model)), ==, 0);
  g_assert_cmpstr (stack_page (fixture, "list_stack"), ==, "empty");
}

static void
test_channel_builtin_validation (Fixture       *fixture,
                                 gconstpointer  data)
{
  GObject *hint;
  GObject *counter;
  g_autofree char *long_value = NULL;
  g_autofree char *reason = NULL;

  open_editor (fixture);
  join_both (fixture);
  hint = child (fixture, GTK_TYPE_LABEL, "hint_label");

  /* The menu fills the name and the hint explains it. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (fixture, GTK_TYPE_DROP_DOWN, "builtin_dropdown")), 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (fixture, GTK_TYPE_ENTRY, "name_entry"))),
                   ==, "_channel_ttl");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (hint)), ==,
                   ag_console_channel_attr_describe_builtin ("_channel_ttl"));

  /* A bad _channel_ttl is refused before sending: Set stays disabled and says why, and
   * activating it anyway sends nothing (the next event bob sees is the valid value). */
  for (guint i = 0; i < 3; i++) {
    static const char *bad[] = { "abc", "-5", "+60" };

    set_text (fixture, GTK_TYPE_ENTRY, "value_entry", bad[i]);
    g_assert_false (action_enabled (fixture->editor, "_Set"));
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (hint), "error"));
    g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (hint)), "_channel_ttl"));
    gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  }

  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "60");
  g_assert_true (action_enabled (fixture->editor, "_Set"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (hint), "error"));
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  assert_bob_event (fixture, 0, "_channel_ttl", "60", "update");

  /* _userNotification takes 0 or 1 only. */
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "_userNotification");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (child (fixture, GTK_TYPE_DROP_DOWN, "builtin_dropdown"))),
                    ==, 1);
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "2");
  g_assert_false (action_enabled (fixture->editor, "_Set"));
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "1");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  assert_bob_event (fixture, 1, "_userNotification", "1", "update");
  g_assert_cmpuint (fixture->bob_events->len, ==, 2);

  /* Length limits, with the counters showing the overflow. */
  counter = child (fixture, GTK_TYPE_LABEL, "value_counter");
  long_value = g_strnfill (8097, 'x');
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "big");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", long_value);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "8097/8096");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (counter), "error"));
  g_assert_false (action_enabled (fixture->editor, "_Set"));
  long_value[8096] = '\0';
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", long_value);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (counter)), ==, "8096/8096");
  g_assert_true (action_enabled (fixture->editor, "_Set"));

  g_assert_false (ag_console_channel_attr_validate ("_sendmsg_limit", "1.5", &reason));
  g_assert_nonnull (reason);
  g_clear_pointer (&reason, g_free);
  g_assert_true (ag_console_channel_attr_validate ("_sendmsg_limit", "0", NULL));
  g_assert_false (ag_console_channel_attr_validate ("bad\tname", "x", NULL));
  g_assert_false (ag_console_channel_attr_validate ("", "x", NULL));
  long_value[129] = '\0';
  g_assert_false (ag_console_channel_attr_validate (long_value, "x", NULL));
  long_value[128] = '\0';
  g_assert_true (ag_console_channel_attr_validate (long_value, "", NULL));
}

static gboolean
label_visible (gpointer data)
{
  return gtk_widget_get_visible (GTK_WIDGET (data));
}

static gboolean
label_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static void
test_channel_server_refusal (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr (AgChannel) special = NULL;
  GObject *error_label;

  open_editor (fixture);
  error_label = child (fixture, GTK_TYPE_LABEL, "error_label");

  /* Special channels are read-only: the server refuses with 1205, shown inline. */
  special = join (fixture->alice, "_agora_channel_event");
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "x");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "1");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  g_assert_true (ag_test_spin_until (label_visible, error_label, WAIT_MS));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "1205"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)),
                            "PROTO_E_READ_ONLY_CHANNEL"));

  /* Over the channel's _setattr_limit: the second of two quick updates is refused (1102). */
  g_clear_object (&special);
  join_both (fixture);
  g_assert_true (ag_test_spin_until (label_hidden, error_label, WAIT_MS));
  ag_channel_channel_set_attr (fixture->bob_channel, "_setattr_limit", "1");
  assert_bob_event (fixture, 0, "_setattr_limit", "1", "update");
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "a");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "b");
  gtk_widget_activate_action (fixture->editor, "attrs.set", NULL);
  g_assert_true (ag_test_spin_until (label_visible, error_label, WAIT_MS));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "1102"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "LIMIT_E_ATTR_RATE"));
}

static gboolean
editor_disabled (gpointer data)
{
  return g_strcmp0 (stack_page (data, "stack"), "no-channel") == 0;
}

static void
test_channel_follows_session (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr (AgChannel) first = NULL;
  g_autoptr (AgChannel) second = NULL;
  GObject *title;

  open_editor (fixture);
  title = child (fixture, GTK_TYPE_LABEL, "channel_label");

  /* Not in a channel: disabled, with an explanation. */
  g_assert_cmpstr (stack_page (fixture, "stack"), ==, "no-channel");
  g_assert_false (action_enabled (fixture->editor, "C_lear All…"));
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "topic");
  g_assert_false (action_enabled (fixture->editor, "_Set"));

  first = join (fixture->alice, "first");
  g_assert_cmpstr (stack_page (fixture, "stack"), ==, "attrs");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (title)), "first"));
  g_assert_true (action_enabled (fixture->editor, "_Set"));

  /* Joining another channel leaves the first: the editor follows. */
  second = join (fixture->alice, "second");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (title)), "second"));

  ag_channel_channel_leave (second);
  g_assert_true (ag_test_spin_until (editor_disabled, fixture, WAIT_MS));
  g_assert_false (action_enabled (fixture->editor, "_Set"));
}

/* User attributes */

typedef struct {
  GHashTable *table;
  const char *name;
  const char *value;   /* NULL: the name must be absent */
} TableWait;

static gboolean
table_matches (gpointer data)
{
  TableWait *wait = data;

  if (wait->value == NULL)
    return !g_hash_table_contains (wait->table, wait->name);

  return g_strcmp0 (g_hash_table_lookup (wait->table, wait->name), wait->value) == 0;
}

static void
set_user_attr_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  ag_session_user_set_attr_finish (AG_SESSION (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_user_attrs (Fixture       *fixture,
                 gconstpointer  data)
{
  GHashTable *own, *looked_up;
  TableWait wait;
  LabelWait label_wait;
  gboolean done = FALSE;

  fixture->editor = ag_console_user_attr_editor_new (fixture->alice);
  show_in_window (fixture, fixture->editor);
  own = ag_console_user_attr_editor_get_own (AG_CONSOLE_USER_ATTR_EDITOR (fixture->editor));
  looked_up = ag_console_user_attr_editor_get_looked_up (AG_CONSOLE_USER_ATTR_EDITOR (fixture->editor));
  g_assert_cmpstr (stack_page (fixture, "stack"), ==, "attrs");

  /* Set one of the session's own attributes: the list is read back from the server. */
  set_text (fixture, GTK_TYPE_ENTRY, "name_entry", "color");
  set_text (fixture, GTK_TYPE_ENTRY, "value_entry", "blue");
  gtk_widget_activate_action (fixture->editor, "user-attrs.set", NULL);
  wait = (TableWait) { own, "color", "blue" };
  g_assert_true (ag_test_spin_until (table_matches, &wait, WAIT_MS));
  label_wait = (LabelWait) { fixture->editor, "blue" };
  g_assert_true (ag_test_spin_until (label_shown, &label_wait, WAIT_MS));

  /* Another account's attributes: all of them, then one by name, then an unset one. */
  ag_session_user_set_attr_async (fixture->bob, "mood", "happy", NULL, set_user_attr_cb, &done);
  g_assert_true (ag_test_spin_until_flag (&done, WAIT_MS));
  set_text (fixture, GTK_TYPE_ENTRY, "lookup_account_entry", "bob");
  gtk_widget_activate_action (fixture->editor, "user-attrs.look-up", NULL);
  wait = (TableWait) { looked_up, "mood", "happy" };
  g_assert_true (ag_test_spin_until (table_matches, &wait, WAIT_MS));
  g_assert_cmpuint (g_hash_table_size (looked_up), ==, 1);
  g_assert_cmpstr (stack_page (fixture, "lookup_stack"), ==, "list");

  set_text (fixture, GTK_TYPE_ENTRY, "lookup_name_entry", "nothing");
  gtk_widget_activate_action (fixture->editor, "user-attrs.look-up", NULL);
  wait = (TableWait) { looked_up, "mood", NULL };
  g_assert_true (ag_test_spin_until (table_matches, &wait, WAIT_MS));
  g_assert_true (g_hash_table_contains (looked_up, "nothing"));
  g_assert_null (g_hash_table_lookup (looked_up, "nothing"));
  label_wait = (LabelWait) { fixture->editor, "Not set" };
  g_assert_true (ag_test_spin_until (label_shown, &label_wait, WAIT_MS));

  set_text (fixture, GTK_TYPE_ENTRY, "lookup_account_entry", "alice");
  set_text (fixture, GTK_TYPE_ENTRY, "lookup_name_entry", "color");
  gtk_widget_activate_action (fixture->editor, "user-attrs.look-up", NULL);
  wait = (TableWait) { looked_up, "color", "blue" };
  g_assert_true (ag_test_spin_until (table_matches, &wait, WAIT_MS));

  /* Deleting sets the value empty; the list follows. */
  gtk_widget_activate_action (fixture->editor, "user-attrs.delete", "s", "color");
  wait = (TableWait) { own, "color", NULL };
  g_assert_true (ag_test_spin_until (table_matches, &wait, WAIT_MS));
  g_assert_cmpuint (g_hash_table_size (own), ==, 0);
  g_assert_cmpstr (stack_page (fixture, "own_stack"), ==, "empty");

  /* An account with spaces cannot be looked up. */
  set_text (fixture, GTK_TYPE_ENTRY, "lookup_account_entry", "not valid");
  g_assert_false (action_enabled (fixture->editor, "_Look Up"));
}

static gboolean
session_logged_out (gpointer data)
{
  return ag_session_get_status (AG_SESSION (data)) != AG_STATUS_LOGGED_IN;
}

static void
test_user_attrs_logged_out (Fixture       *fixture,
                            gconstpointer  data)
{
  fixture->editor = ag_console_user_attr_editor_new (fixture->alice);
  show_in_window (fixture, fixture->editor);
  g_assert_cmpstr (stack_page (fixture, "stack"), ==, "attrs");

  ag_session_logout (fixture->alice);
  g_assert_true (ag_test_spin_until (session_logged_out, fixture->alice, WAIT_MS));
  g_assert_cmpstr (stack_page (fixture, "stack"), ==, "logged-out");
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

  g_test_add ("/ag/attr-editor/channel-edit", Fixture, NULL,
              fixture_set_up, test_channel_edit, fixture_tear_down);
  g_test_add ("/ag/attr-editor/channel-builtin-validation", Fixture, NULL,
              fixture_set_up, test_channel_builtin_validation, fixture_tear_down);
  g_test_add ("/ag/attr-editor/channel-server-refusal", Fixture, NULL,
              fixture_set_up, test_channel_server_refusal, fixture_tear_down);
  g_test_add ("/ag/attr-editor/channel-follows-session", Fixture, NULL,
              fixture_set_up, test_channel_follows_session, fixture_tear_down);
  g_test_add ("/ag/attr-editor/user-attrs", Fixture, NULL,
              fixture_set_up, test_user_attrs, fixture_tear_down);
  g_test_add ("/ag/attr-editor/user-attrs-logged-out", Fixture, NULL,
              fixture_set_up, test_user_attrs_logged_out, fixture_tear_down);

  return g_test_run ();
}
