/* agsig-admin.c: `agsig admin users|channels|channel|user|kick|remove|publish|send|stats`, the
 * admin API (docs/admin-api.md) through libagsignal's AgAdmin, one JSON object per line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include <string.h>

#include <glib/gi18n.h>

#define PAGE 1000

typedef struct {
  AgsigClient *client;   /* for its bounded, interruptible waits; never logged in */
  AgAdmin     *admin;
} Admin;

static gboolean
await (Admin         *admin,
       AgsigPending  *pending,
       GError       **error)
{
  return agsig_client_await (admin->client, pending, error);
}

static void
print_object (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  agsig_print_json (root);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_attributes (JsonBuilder *builder,
                GListModel  *attributes)
{
  json_builder_set_member_name (builder, "attrs");
  json_builder_begin_object (builder);
  for (guint i = 0; i < g_list_model_get_n_items (attributes); i++) {
    g_autoptr(AgAttribute) attribute = g_list_model_get_item (attributes, i);

    add_string (builder, ag_attribute_get_name (attribute), ag_attribute_get_value (attribute));
  }
  json_builder_end_object (builder);
}

static void
print_user (AgAdminUser *user,
            gboolean     details)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "account", ag_admin_user_get_account (user));
  add_int (builder, "uid", ag_admin_user_get_uid (user));
  json_builder_set_member_name (builder, "online");
  json_builder_add_boolean_value (builder, ag_admin_user_get_online (user));
  if (ag_admin_user_get_online (user)) {
    add_int (builder, "since", ag_admin_user_get_since (user));
    add_string (builder, "address", ag_admin_user_get_address (user));
    add_string (builder, "channel", ag_admin_user_get_channel (user));
    add_int (builder, "queue", (gint64) ag_admin_user_get_queue (user));
  }
  if (details)
    add_attributes (builder, ag_admin_user_get_attributes (user));
  print_object (builder);
}

static void
print_channel (AgAdminChannel *channel)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "name", ag_admin_channel_get_name (channel));
  add_string (builder, "kind", ag_admin_channel_get_kind (channel));
  add_int (builder, "members", ag_admin_channel_get_members (channel));
  add_int (builder, "total_joins", (gint64) ag_admin_channel_get_total_joins (channel));
  add_attributes (builder, ag_admin_channel_get_attributes (channel));
  print_object (builder);
}

/* Commands */

static gboolean
list_users (Admin       *admin,
            const char  *search,
            gboolean     prefix,
            GError     **error)
{
  g_autofree char *after = NULL;

  /* Every page, until the server says there is no next one. */
  do {
    g_autoptr(AgsigPending) pending = agsig_pending_new ();
    g_autoptr(GListModel) page = NULL;
    char *next = NULL;

    ag_admin_list_users_async (admin->admin, search,
                               prefix ? AG_ADMIN_MATCH_PREFIX : AG_ADMIN_MATCH_SUBSTRING, after,
                               PAGE, NULL, agsig_pending_cb, agsig_pending_ref (pending));
    if (!await (admin, pending, error))
      return FALSE;
    page = ag_admin_list_users_finish (admin->admin, pending->result, NULL, &next, error);
    if (page == NULL)
      return FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (page); i++) {
      g_autoptr(AgAdminUser) user = g_list_model_get_item (page, i);

      print_user (user, FALSE);
    }

    g_free (after);
    after = next;
  } while (after != NULL);

  return TRUE;
}

static gboolean
list_channels (Admin       *admin,
               const char  *search,
               gboolean     by_members,
               GError     **error)
{
  gint64 offset = 0;

  do {
    g_autoptr(AgsigPending) pending = agsig_pending_new ();
    g_autoptr(GListModel) page = NULL;

    ag_admin_list_channels_async (admin->admin, search,
                                  by_members ? AG_ADMIN_SORT_MEMBERS : AG_ADMIN_SORT_NAME,
                                  (guint) offset, PAGE, NULL, agsig_pending_cb,
                                  agsig_pending_ref (pending));
    if (!await (admin, pending, error))
      return FALSE;
    page = ag_admin_list_channels_finish (admin->admin, pending->result, NULL, &offset, error);
    if (page == NULL)
      return FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (page); i++) {
      g_autoptr(AgAdminChannel) channel = g_list_model_get_item (page, i);

      print_channel (channel);
    }
  } while (offset > 0);

  return TRUE;
}

static gboolean
list_members (Admin       *admin,
              const char  *channel,
              GError     **error)
{
  gint64 offset = 0;

  do {
    g_autoptr(AgsigPending) pending = agsig_pending_new ();
    g_autoptr(GListModel) page = NULL;

    ag_admin_list_members_async (admin->admin, channel, (guint) offset, PAGE, NULL,
                                 agsig_pending_cb, agsig_pending_ref (pending));
    if (!await (admin, pending, error))
      return FALSE;
    page = ag_admin_list_members_finish (admin->admin, pending->result, NULL, &offset, error);
    if (page == NULL)
      return FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (page); i++) {
      g_autoptr(AgMember) member = g_list_model_get_item (page, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      add_string (builder, "account", ag_member_get_account (member));
      add_int (builder, "uid", ag_member_get_uid (member));
      print_object (builder);
    }
  } while (offset > 0);

  return TRUE;
}

static gboolean
show_user (Admin       *admin,
           const char  *account,
           GError     **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  g_autoptr(AgAdminUser) user = NULL;

  ag_admin_get_user_async (admin->admin, account, NULL, agsig_pending_cb,
                           agsig_pending_ref (pending));
  if (!await (admin, pending, error))
    return FALSE;
  user = ag_admin_get_user_finish (admin->admin, pending->result, error);
  if (user == NULL)
    return FALSE;

  print_user (user, TRUE);
  return TRUE;
}

static gboolean
show_stats (Admin   *admin,
            GError **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  g_autoptr(GVariant) stats = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GVariantIter iter;
  const char *name;
  gint64 value;

  ag_admin_get_stats_async (admin->admin, NULL, agsig_pending_cb, agsig_pending_ref (pending));
  if (!await (admin, pending, error))
    return FALSE;
  stats = ag_admin_get_stats_finish (admin->admin, pending->result, error);
  if (stats == NULL)
    return FALSE;

  json_builder_begin_object (builder);
  g_variant_iter_init (&iter, stats);
  while (g_variant_iter_next (&iter, "{&sx}", &name, &value))
    add_int (builder, name, value);
  print_object (builder);

  return TRUE;
}

static gboolean
act (Admin       *admin,
     const char  *command,
     char       **args,
     GError     **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  gboolean stored;
  gint64 num;

  if (g_str_equal (command, "kick"))
    ag_admin_kick_async (admin->admin, args[0], NULL, agsig_pending_cb,
                         agsig_pending_ref (pending));
  else if (g_str_equal (command, "remove"))
    ag_admin_remove_member_async (admin->admin, args[0], args[1], NULL, agsig_pending_cb,
                                  agsig_pending_ref (pending));
  else if (g_str_equal (command, "publish"))
    ag_admin_publish_async (admin->admin, args[0], args[1], NULL, agsig_pending_cb,
                            agsig_pending_ref (pending));
  else
    ag_admin_send_message_async (admin->admin, args[0], args[1],
                                 args[2] != NULL ? (guint) g_ascii_strtoull (args[2], NULL, 10) : 0,
                                 NULL, agsig_pending_cb, agsig_pending_ref (pending));

  if (!await (admin, pending, error))
    return FALSE;

  if (g_str_equal (command, "kick")) {
    if (!ag_admin_kick_finish (admin->admin, pending->result, error))
      return FALSE;
    g_print ("kicked\n");
  } else if (g_str_equal (command, "remove")) {
    if (!ag_admin_remove_member_finish (admin->admin, pending->result, error))
      return FALSE;
    g_print ("removed\n");
  } else if (g_str_equal (command, "publish")) {
    num = ag_admin_publish_finish (admin->admin, pending->result, error);
    if (num < 0)
      return FALSE;
    g_print ("%" G_GINT64_FORMAT "\n", num);
  } else {
    GError *local_error = NULL;

    stored = ag_admin_send_message_finish (admin->admin, pending->result, &local_error);
    if (local_error != NULL) {
      g_propagate_error (error, local_error);
      return FALSE;
    }
    g_print ("%s\n", stored ? "stored" : "sent");
  }

  return TRUE;
}

/* Where the key comes from: a file (not visible to other users in the process list), else
 * the environment. */
static char *
read_key (const char  *key_file,
          GError     **error)
{
  char *key = NULL;

  if (key_file != NULL) {
    if (!g_file_get_contents (key_file, &key, NULL, error))
      return NULL;
    return g_strchomp (key);
  }

  if (g_getenv ("AGSIG_ADMIN_KEY") != NULL && *g_getenv ("AGSIG_ADMIN_KEY") != '\0')
    return g_strdup (g_getenv ("AGSIG_ADMIN_KEY"));

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("no admin key: pass --key-file FILE or set AGSIG_ADMIN_KEY"));
  return NULL;
}

static const struct {
  const char *name;
  int         min_args;
  int         max_args;
  const char *usage;
} commands[] = {
  { "users", 0, 0, "users [--search TEXT] [--prefix]" },
  { "channels", 0, 0, "channels [--search TEXT] [--sort-members]" },
  { "channel", 1, 1, "channel NAME" },
  { "user", 1, 1, "user ACCOUNT" },
  { "kick", 1, 1, "kick ACCOUNT" },
  { "remove", 2, 2, "remove CHANNEL ACCOUNT" },
  { "publish", 2, 2, "publish CHANNEL MESSAGE" },
  { "send", 2, 3, "send ACCOUNT MESSAGE [TTL]" },
  { "stats", 0, 0, "stats" },
};

int
agsig_admin_main (AgsigOptions  *options,
                  int            argc,
                  char         **argv)
{
  g_autofree char *key_file = NULL;
  g_autofree char *search = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  gboolean prefix = FALSE, sort_members = FALSE;
  const GOptionEntry entries[] = {
    { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Read the admin key from FILE (else $AGSIG_ADMIN_KEY)"), "FILE" },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      N_("users, channels: only those whose name contains TEXT"), "TEXT" },
    { "prefix", 0, 0, G_OPTION_ARG_NONE, &prefix,
      N_("users: accounts that start with the search text"), NULL },
    { "sort-members", 0, 0, G_OPTION_ARG_NONE, &sort_members,
      N_("channels: the busiest first"), NULL },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("admin", NULL, NULL, NULL, NULL);
  Admin admin = { NULL, NULL };
  const char *command;
  int index = -1;
  int status;
  gboolean done;

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  status = agsig_parse_subcommand (options, "admin",
                                   _("users | channels | channel NAME | user ACCOUNT | "
                                     "kick ACCOUNT | remove CHANNEL ACCOUNT | "
                                     "publish CHANNEL MESSAGE | send ACCOUNT MESSAGE [TTL] | stats"),
                                   _("Operator requests of the admin API (docs/admin-api.md), "
                                     "with an app or server admin key. Lists print one JSON "
                                     "object per line."),
                                   group, TRUE, 1, 4, &argc, &argv);
  if (status >= 0)
    return status;

  command = argv[1];
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (command, commands[i].name))
      index = (int) i;
  if (index < 0)
    return agsig_usage_error ("admin", _("unknown request “%s”"), command);
  if (argc - 2 < commands[index].min_args || argc - 2 > commands[index].max_args)
    return agsig_usage_error ("admin", _("usage: admin %s"), commands[index].usage);

  status = agsig_options_require (options, "admin", FALSE);
  if (status >= 0)
    return status;

  key = read_key (key_file, &error);
  if (key == NULL) {
    agsig_print_error ("admin", error);
    return AGSIG_EXIT_USAGE;
  }

  admin.client = agsig_client_new (options);
  admin.admin = g_object_new (AG_TYPE_ADMIN,
                              "server-uri", options->server_uri,
                              "app-id", options->app_id,
                              "live-view", FALSE,
                              NULL);

  ag_admin_connect_async (admin.admin, key, NULL, agsig_pending_cb, agsig_pending_ref (pending));
  if (!await (&admin, pending, &error) ||
      !ag_admin_connect_finish (admin.admin, pending->result, &error)) {
    agsig_print_error ("admin login", error);
    status = AGSIG_EXIT_ERROR;
    goto out;
  }

  if (g_str_equal (command, "users"))
    done = list_users (&admin, search, prefix, &error);
  else if (g_str_equal (command, "channels"))
    done = list_channels (&admin, search, sort_members, &error);
  else if (g_str_equal (command, "channel"))
    done = list_members (&admin, argv[2], &error);
  else if (g_str_equal (command, "user"))
    done = show_user (&admin, argv[2], &error);
  else if (g_str_equal (command, "stats"))
    done = show_stats (&admin, &error);
  else
    done = act (&admin, command, argv + 2, &error);

  if (!done) {
    g_autofree char *what = g_strconcat ("admin ", command, NULL);

    agsig_print_error (what, error);
    status = AGSIG_EXIT_ERROR;
  } else {
    status = AGSIG_EXIT_OK;
  }

out:
  if (key != NULL)
    memset (key, 0, strlen (key));
  ag_admin_disconnect (admin.admin);
  g_clear_object (&admin.admin);
  g_clear_pointer (&admin.client, agsig_client_free);

  return status;
}
