/* agsig-channel.c: `agsig channel NAME`, join, act in order, optionally stay, leave
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <string.h>

#include <glib/gi18n.h>

typedef enum {
  ACTION_SEND,
  ACTION_SET_ATTR,
  ACTION_DEL_ATTR,
  ACTION_CLEAR_ATTR,
} ActionKind;

typedef struct {
  ActionKind  kind;
  char       *name;    /* attribute name, or the message of ACTION_SEND */
  char       *value;
} Action;

static const char * const channel_events[] = {
  "channel-joined",
  "channel-user-list",
  "channel-user-joined",
  "channel-user-leaved",
  "channel-attr-updated",
  "message-channel-receive",
  "channel-leaved",
  NULL
};

static const char * const session_events[] = {
  "logout",
  NULL
};

static void
action_free (gpointer data)
{
  Action *action = data;

  g_free (action->name);
  g_free (action->value);
  g_free (action);
}

static void
add_action (GPtrArray  *actions,
            ActionKind  kind,
            const char *name,
            const char *value)
{
  Action *action = g_new0 (Action, 1);

  action->kind = kind;
  action->name = g_strdup (name);
  action->value = g_strdup (value);
  g_ptr_array_add (actions, action);
}

/* The actions run in command-line order, so every action option goes through here. */
static gboolean
action_option_cb (const char  *option_name,
                  const char  *value,
                  gpointer     user_data,
                  GError     **error)
{
  GPtrArray *actions = user_data;

  if (g_str_equal (option_name, "--send")) {
    add_action (actions, ACTION_SEND, value, NULL);
  } else if (g_str_equal (option_name, "--set-attr")) {
    const char *equals = strchr (value, '=');
    g_autofree char *name = NULL;

    if (equals == NULL || equals == value) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--set-attr takes NAME=VALUE, not “%s”"), value);
      return FALSE;
    }
    name = g_strndup (value, equals - value);
    add_action (actions, ACTION_SET_ATTR, name, equals + 1);
  } else if (g_str_equal (option_name, "--del-attr")) {
    add_action (actions, ACTION_DEL_ATTR, value, NULL);
  } else if (g_str_equal (option_name, "--clear-attr")) {
    add_action (actions, ACTION_CLEAR_ATTR, NULL, NULL);
  } else {
    g_assert_not_reached ();
  }

  return TRUE;
}

static gboolean
run_action (AgsigClient  *client,
            AgChannel    *channel,
            const Action *action,
            GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();

  switch (action->kind)
    {
    case ACTION_SEND:
      ag_channel_message_channel_send_async (channel, action->name, NULL, agsig_pending_cb,
                                             agsig_pending_ref (pending));
      return agsig_client_await (client, pending, error) &&
             ag_channel_message_channel_send_finish (channel, pending->result, error);
    case ACTION_SET_ATTR:
      ag_channel_channel_set_attr_async (channel, action->name, action->value, NULL,
                                         agsig_pending_cb, agsig_pending_ref (pending));
      return agsig_client_await (client, pending, error) &&
             ag_channel_channel_set_attr_finish (channel, pending->result, error);
    case ACTION_DEL_ATTR:
      ag_channel_channel_del_attr_async (channel, action->name, NULL, agsig_pending_cb,
                                         agsig_pending_ref (pending));
      return agsig_client_await (client, pending, error) &&
             ag_channel_channel_del_attr_finish (channel, pending->result, error);
    case ACTION_CLEAR_ATTR:
      ag_channel_channel_clear_attr_async (channel, NULL, agsig_pending_cb,
                                           agsig_pending_ref (pending));
      return agsig_client_await (client, pending, error) &&
             ag_channel_channel_clear_attr_finish (channel, pending->result, error);
    default:
      g_assert_not_reached ();
    }
}

static const char *
action_what (const Action *action)
{
  switch (action->kind)
    {
    case ACTION_SEND:
      return "send";
    case ACTION_SET_ATTR:
      return "set-attr";
    case ACTION_DEL_ATTR:
      return "del-attr";
    case ACTION_CLEAR_ATTR:
      return "clear-attr";
    default:
      g_assert_not_reached ();
    }
}

static gboolean
session_ended (gpointer user_data)
{
  AgsigClient *client = user_data;

  return client->logout_ecode >= 0;
}

int
agsig_channel_main (AgsigOptions  *options,
                    int            argc,
                    char         **argv)
{
  g_autoptr(AgsigClient) client = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (action_free);
  g_autoptr(AgChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  int stay_s = 0;
  const GOptionEntry entries[] = {
    { "send", 0, 0, G_OPTION_ARG_CALLBACK, action_option_cb,
      N_("Send a channel message"), N_("MSG") },
    { "set-attr", 0, 0, G_OPTION_ARG_CALLBACK, action_option_cb,
      N_("Set a channel attribute"), N_("NAME=VALUE") },
    { "del-attr", 0, 0, G_OPTION_ARG_CALLBACK, action_option_cb,
      N_("Delete a channel attribute"), N_("NAME") },
    { "clear-attr", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, action_option_cb,
      N_("Delete every channel attribute"), NULL },
    { "stay", 0, 0, G_OPTION_ARG_INT, &stay_s,
      N_("Stay in the channel SECONDS after the actions, printing its events as JSON lines"),
      N_("SECONDS") },
    { NULL }
  };
  GOptionGroup *group;
  int status;

  group = g_option_group_new (NULL, NULL, NULL, actions, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);

  status = agsig_parse_subcommand (options, "channel", _("NAME"),
                                   _("Join a channel, perform the actions in the order given "
                                     "(each acknowledged by the server before the next), "
                                     "optionally stay, then leave and log out."),
                                   group, TRUE, 1, 1, &argc, &argv);
  if (status >= 0)
    return status;
  status = agsig_options_require (options, "channel", TRUE);
  if (status >= 0)
    return status;
  if (stay_s < 0)
    return agsig_usage_error ("channel", _("--stay cannot be negative"));

  client = agsig_client_new (options);
  /* With --stay the events are the output, from the join on; without it the command is
   * silent on success, whatever the timing of the echoes of its own actions. */
  client->printer.enabled = stay_s > 0;

  agsig_client_begin_login (client, session_events);
  if (!agsig_client_wait_login (client, &error)) {
    agsig_print_error ("login", error);
    return AGSIG_EXIT_ERROR;
  }

  if (!agsig_client_join (client, argv[1], channel_events, &channel, &error)) {
    agsig_print_error ("join", error);
    agsig_client_logout (client);
    return AGSIG_EXIT_ERROR;
  }

  status = AGSIG_EXIT_OK;
  for (guint i = 0; i < actions->len; i++) {
    const Action *action = g_ptr_array_index (actions, i);

    if (!run_action (client, channel, action, &error)) {
      agsig_print_error (action_what (action), error);
      status = AGSIG_EXIT_ERROR;
      break;
    }
  }

  if (status == AGSIG_EXIT_OK && stay_s > 0) {
    agsig_client_spin (client, session_ended, client, (guint) stay_s * 1000);

    if (client->logout_ecode > 0 && client->logout_ecode != AG_ERROR_LOGOUT_E_USER) {
      agsig_print_code ("channel", client->logout_ecode);
      status = AGSIG_EXIT_ERROR;
    }
  }

  client->printer.enabled = FALSE;
  /* SIGINT and SIGTERM end --stay through the leave; only a second one cuts that short. */
  client->interrupted = FALSE;
  if (client->logout_ecode < 0 && ag_channel_get_joined (channel)) {
    g_autoptr(AgsigPending) pending = agsig_pending_new ();

    ag_channel_channel_leave_async (channel, NULL, agsig_pending_cb,
                                    agsig_pending_ref (pending));
    g_clear_error (&error);
    if (!agsig_client_await (client, pending, &error) ||
        !ag_channel_channel_leave_finish (channel, pending->result, &error)) {
      agsig_print_error ("leave", error);
      status = AGSIG_EXIT_ERROR;
    }
  }

  agsig_client_logout (client);
  return status;
}
