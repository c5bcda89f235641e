/* agsig-attr.c: `agsig attr set|get|all`, user attributes, printed as the spec's result
 * objects ({"result":"ok",...})
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "agsig.h"

#include "ag-frame.h"

#include <glib/gi18n.h>

static JsonBuilder *
begin_ok_result (void)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, "ok");

  return builder;
}

static void
end_and_print (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  agsig_print_json (root);
}

static gboolean
set_attr (AgsigClient  *client,
          const char   *name,
          const char   *value,
          GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  g_autoptr(JsonBuilder) builder = NULL;

  ag_session_user_set_attr_async (client->session, name, value, NULL, agsig_pending_cb,
                                  agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, error) ||
      !ag_session_user_set_attr_finish (client->session, pending->result, error))
    return FALSE;

  builder = begin_ok_result ();
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, "");
  end_and_print (builder);

  return TRUE;
}

static gboolean
get_attr (AgsigClient  *client,
          const char   *account,
          const char   *name,
          GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  ag_session_user_get_attr_async (client->session, account, name, NULL, agsig_pending_cb,
                                  agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, error))
    return FALSE;

  /* NULL is a valid value (unset), so only the error tells failure. */
  value = ag_session_user_get_attr_finish (client->session, pending->result, &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }

  builder = begin_ok_result ();
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, account);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "value");
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
  end_and_print (builder);

  return TRUE;
}

static gboolean
get_attr_all (AgsigClient  *client,
              const char   *account,
              GError      **error)
{
  g_autoptr(AgsigPending) pending = agsig_pending_new ();
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  g_autofree const char **names = NULL;
  guint n_names = 0;

  ag_session_user_get_attr_all_async (client->session, account, NULL, agsig_pending_cb,
                                      agsig_pending_ref (pending));
  if (!agsig_client_await (client, pending, error))
    return FALSE;

  attrs = ag_session_user_get_attr_all_finish (client->session, pending->result, error);
  if (attrs == NULL)
    return FALSE;

  builder = begin_ok_result ();
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, account);
  json_builder_set_member_name (builder, "json");
  json_builder_begin_object (builder);

  /* Sorted, so the same attributes always print the same line. */
  names = ag_sorted_keys (attrs, &n_names);
  for (guint i = 0; i < n_names; i++) {
    json_builder_set_member_name (builder, names[i]);
    json_builder_add_string_value (builder, g_hash_table_lookup (attrs, names[i]));
  }

  json_builder_end_object (builder);
  end_and_print (builder);

  return TRUE;
}

int
agsig_attr_main (AgsigOptions  *options,
                 int            argc,
                 char         **argv)
{
  g_autoptr(AgsigClient) client = NULL;
  g_autoptr(GError) error = NULL;
  const char *action;
  gboolean done;
  int n_args;
  int status;

  status = agsig_parse_subcommand (options, "attr",
                                   _("set NAME VALUE | get ACCOUNT NAME | all ACCOUNT"),
                                   _("Set an attribute of --account, or read the attributes "
                                     "of any account. Prints the spec’s result object."),
                                   NULL, TRUE, 2, 3, &argc, &argv);
  if (status >= 0)
    return status;

  action = argv[1];
  n_args = argc - 2;
  if (g_str_equal (action, "set")) {
    if (n_args != 2)
      return agsig_usage_error ("attr", _("usage: attr set NAME VALUE"));
    status = agsig_options_require (options, "attr", TRUE);
  } else if (g_str_equal (action, "get")) {
    if (n_args != 2)
      return agsig_usage_error ("attr", _("usage: attr get ACCOUNT NAME"));
    agsig_options_default_account (options);
    status = agsig_options_require (options, "attr", TRUE);
  } else if (g_str_equal (action, "all")) {
    if (n_args != 1)
      return agsig_usage_error ("attr", _("usage: attr all ACCOUNT"));
    agsig_options_default_account (options);
    status = agsig_options_require (options, "attr", TRUE);
  } else {
    return agsig_usage_error ("attr", _("unknown action “%s”: expected set, get or all"),
                              action);
  }
  if (status >= 0)
    return status;

  client = agsig_client_new (options);
  if (!agsig_client_login (client, &error)) {
    agsig_print_error ("login", error);
    return AGSIG_EXIT_ERROR;
  }

  if (g_str_equal (action, "set"))
    done = set_attr (client, argv[2], argv[3], &error);
  else if (g_str_equal (action, "get"))
    done = get_attr (client, argv[2], argv[3], &error);
  else
    done = get_attr_all (client, argv[2], &error);

  if (!done) {
    g_autofree char *what = g_strconcat ("attr ", action, NULL);

    agsig_print_error (what, error);
    status = AGSIG_EXIT_ERROR;
  } else {
    status = AGSIG_EXIT_OK;
  }

  agsig_client_logout (client);
  return status;
}
