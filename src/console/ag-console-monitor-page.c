/* ag-console-monitor-page.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <agsignal.h>

#include "ag-limits.h"

#include "ag-console-monitor-page.h"

typedef struct {
  guint  uid;
  gint64 since_us;
} OnlineUser;

typedef struct {
  int      num;
  guint    joins;
  guint    leaves;
  gint64   last_us;
  gboolean watched;   /* added by hand: stays listed with no members */
} ChannelStat;

/* What the log filters and columns need from an entry, read once from its JSON and kept on
 * the entry. */
typedef struct {
  char *kind;
  char *account;
  char *channel;
} EntryFields;

struct _AgConsoleMonitorPage
{
  AdwBin               parent_instance;

  char                *server_uri;
  char                *app_id;
  char                *token;
  char                *online_account;
  char                *events_account;

  AgSignal            *signal;
  AgSession           *online_session;
  AgSession           *events_session;
  AgChannel           *online_channel;
  AgChannel           *events_channel;
  GCancellable        *cancellable;
  gboolean             running;
  gboolean             started_once;
  gboolean             was_watching;
  char                *failure;

  GHashTable          *online;     /* account -> OnlineUser */
  GHashTable          *channels;   /* name -> ChannelStat */
  AgConsoleLogModel   *log;
  GtkCustomFilter     *log_filter;
  char                *filter_kind;
  char                *filter_account;
  char                *filter_channel;
  gboolean             follow_log;
  guint                scroll_idle_id;

  GtkLabel            *status_label;
  GtkSwitch           *monitor_switch;
  AgConsoleEventChart *chart;
  GtkLabel            *online_count_label;
  GtkStringList       *online_names;
  GtkSortListModel    *online_sorted;
  GtkColumnViewColumn *online_account_column;
  GtkColumnViewColumn *online_uid_column;
  GtkColumnViewColumn *online_since_column;
  GtkLabel            *channels_count_label;
  GtkLabel            *online_empty_label;
  GtkLabel            *channels_empty_label;
  GtkStringList       *channel_names;
  GtkSortListModel    *channels_sorted;
  GtkColumnView       *channels_view;
  GtkColumnViewColumn *channel_name_column;
  GtkColumnViewColumn *channel_members_column;
  GtkColumnViewColumn *channel_joins_column;
  GtkColumnViewColumn *channel_leaves_column;
  GtkColumnViewColumn *channel_last_column;
  GtkEntry            *watch_entry;
  GtkDropDown         *kind_dropdown;
  GtkSearchEntry      *account_filter_entry;
  GtkSearchEntry      *channel_filter_entry;
  GtkToggleButton     *pause_button;
  GtkLabel            *log_count_label;
  GtkFilterListModel  *log_filtered;
  GtkScrolledWindow   *log_scroller;
  GtkColumnViewColumn *log_time_column;
  GtkColumnViewColumn *log_kind_column;
  GtkColumnViewColumn *log_account_column;
  GtkColumnViewColumn *log_channel_column;
  GtkColumnViewColumn *log_summary_column;
};

G_DEFINE_FINAL_TYPE (AgConsoleMonitorPage, ag_console_monitor_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SERVER_URI,
  PROP_APP_ID,
  PROP_TOKEN,
  PROP_RUNNING,
  PROP_WATCHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The kinds of the type filter, in the order of its menu (0 is every kind). */
static const char * const filter_kinds[] = { NULL, "online", "offline", "join", "leave", "other" };
/* How the log shows each kind: the words of the type filter's menu. */
static const char * const kind_labels[] = { NULL, N_("Online"), N_("Offline"), N_("Join"),
                                            N_("Leave"), N_("Other") };
G_STATIC_ASSERT (G_N_ELEMENTS (kind_labels) == G_N_ELEMENTS (filter_kinds));

static guint page_serial;

static GQuark
entry_fields_quark (void)
{
  return g_quark_from_static_string ("ag-console-monitor-entry-fields");
}

static void watch_changed_cb (AgConsoleMonitorPage *self);

static void
entry_fields_free (EntryFields *fields)
{
  g_free (fields->kind);
  g_free (fields->account);
  g_free (fields->channel);
  g_free (fields);
}

static char *
dup_member_string (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

static gint64
get_member_int (JsonObject *object,
                const char *name,
                gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return json_node_get_int (node);
}

static EntryFields *
get_entry_fields (AgConsoleLogEntry *entry)
{
  EntryFields *fields = g_object_get_qdata (G_OBJECT (entry), entry_fields_quark ());
  g_autoptr (JsonParser) parser = NULL;
  const char *json;

  if (fields != NULL)
    return fields;

  fields = g_new0 (EntryFields, 1);
  json = ag_console_log_entry_get_json (entry);
  parser = json_parser_new_immutable ();

  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    JsonObject *object = json_node_get_object (json_parser_get_root (parser));

    fields->account = dup_member_string (object, "account");
    fields->channel = dup_member_string (object, "channel");
  }
  fields->kind = g_strdup (ag_console_log_entry_get_kind (entry));

  g_object_set_qdata_full (G_OBJECT (entry), entry_fields_quark (), fields,
                           (GDestroyNotify) entry_fields_free);

  return fields;
}

static gboolean
is_known_kind (const char *kind)
{
  for (guint i = 1; i < G_N_ELEMENTS (filter_kinds) - 1; i++)
    if (g_strcmp0 (kind, filter_kinds[i]) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (needle == NULL || needle[0] == '\0')
    return TRUE;
  if (haystack == NULL)
    return FALSE;

  h = g_utf8_casefold (haystack, -1);
  n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

static gboolean
log_filter_func (gpointer item,
                 gpointer user_data)
{
  AgConsoleMonitorPage *self = user_data;
  EntryFields *fields = get_entry_fields (item);

  if (self->filter_kind != NULL) {
    if (g_str_equal (self->filter_kind, "other")) {
      if (is_known_kind (fields->kind))
        return FALSE;
    } else if (g_strcmp0 (fields->kind, self->filter_kind) != 0) {
      return FALSE;
    }
  }

  return contains_casefold (fields->account, self->filter_account) &&
         contains_casefold (fields->channel, self->filter_channel);
}

static char *
format_time_us (gint64 time_us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%H:%M:%S") : g_strdup ("");
}

/* Status line */

static gboolean
is_watching (AgConsoleMonitorPage *self)
{
  return self->running &&
         self->online_channel != NULL && ag_channel_get_joined (self->online_channel) &&
         self->events_channel != NULL && ag_channel_get_joined (self->events_channel);
}

static void
update_status (AgConsoleMonitorPage *self)
{
  g_autofree char *text = NULL;

  if (!self->running)
    text = g_strdup (_("Stopped"));
  else if (self->failure != NULL)
    text = g_strdup (self->failure);
  else if (is_watching (self))
    text = g_strdup_printf (_("Watching app “%s” on %s"), self->app_id, self->server_uri);
  else
    text = g_strdup_printf (_("Connecting to %s…"), self->server_uri);

  gtk_label_set_label (self->status_label, text);
  if (self->running && self->failure != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  watch_changed_cb (self);

  if (self->was_watching != is_watching (self)) {
    self->was_watching = is_watching (self);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING]);
  }
}

static void
set_failure (AgConsoleMonitorPage *self,
             const char           *what,
             int                   code)
{
  const char *name = ag_error_code_name (code);

  g_free (self->failure);
  /* Translators: what failed ("Login", "Joining _agora_user_online"), then the error code
   * and its name. */
  self->failure = g_strdup_printf (_("%s failed: %d %s"), what, code, name != NULL ? name : "");
  update_status (self);
}

/* Lists */

/* Rebinds the row of name in names (GTK 4.8 shows a changed item only when it is
 * replaced), or adds it. */
static void
touch_name (GtkStringList *names,
            const char    *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (names));
  const char *additions[] = { name, NULL };

  for (guint i = 0; i < n; i++) {
    if (g_strcmp0 (gtk_string_list_get_string (names, i), name) == 0) {
      gtk_string_list_splice (names, i, 1, additions);
      return;
    }
  }

  gtk_string_list_append (names, name);
}

static void
remove_name (GtkStringList *names,
             const char    *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (names));

  for (guint i = 0; i < n; i++) {
    if (g_strcmp0 (gtk_string_list_get_string (names, i), name) == 0) {
      gtk_string_list_remove (names, i);
      return;
    }
  }
}

static void
update_counts (AgConsoleMonitorPage *self)
{
  guint online, channels, shown, total;
  g_autofree char *online_text = NULL;
  g_autofree char *channels_text = NULL;
  g_autofree char *log_text = NULL;

  if (self->log_filter == NULL)
    return;

  online = g_hash_table_size (self->online);
  channels = g_hash_table_size (self->channels);
  shown = g_list_model_get_n_items (G_LIST_MODEL (self->log_filtered));
  total = g_list_model_get_n_items (G_LIST_MODEL (self->log));

  online_text = g_strdup_printf (ngettext ("%u online", "%u online", online), online);
  channels_text = g_strdup_printf (ngettext ("%u channel", "%u channels", channels), channels);
  if (shown == total)
    log_text = g_strdup_printf (ngettext ("%u event", "%u events", total), total);
  else
    /* Translators: events shown by the filters, of all events logged. */
    log_text = g_strdup_printf (ngettext ("%u of %u event", "%u of %u events", total),
                                shown, total);

  gtk_label_set_label (self->online_count_label, online_text);
  gtk_label_set_label (self->channels_count_label, channels_text);
  gtk_widget_set_visible (GTK_WIDGET (self->online_empty_label), online == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->channels_empty_label), channels == 0);
  gtk_label_set_label (self->log_count_label, log_text);
}

static gboolean
is_own_account (AgConsoleMonitorPage *self,
                const char           *account)
{
  return g_strcmp0 (account, self->online_account) == 0 ||
         g_strcmp0 (account, self->events_account) == 0;
}

static void
set_online (AgConsoleMonitorPage *self,
            const char           *account,
            guint                 uid,
            gboolean              online)
{
  if (account == NULL || is_own_account (self, account))
    return;

  if (online) {
    OnlineUser *user = g_new0 (OnlineUser, 1);

    user->uid = uid;
    user->since_us = g_get_real_time ();
    g_hash_table_replace (self->online, g_strdup (account), user);
    touch_name (self->online_names, account);
  } else if (g_hash_table_remove (self->online, account)) {
    remove_name (self->online_names, account);
  }
}

static ChannelStat *
ensure_channel (AgConsoleMonitorPage *self,
                const char           *channel)
{
  ChannelStat *stat = g_hash_table_lookup (self->channels, channel);

  if (stat == NULL) {
    stat = g_new0 (ChannelStat, 1);
    g_hash_table_insert (self->channels, g_strdup (channel), stat);
  }

  return stat;
}

static void
channel_event (AgConsoleMonitorPage *self,
               const char           *channel,
               gint64                num,
               gboolean              joined)
{
  ChannelStat *stat;

  if (channel == NULL)
    return;

  stat = ensure_channel (self, channel);
  if (num >= 0)
    stat->num = (int) MIN (num, G_MAXINT);
  else
    stat->num = MAX (0, stat->num + (joined ? 1 : -1));
  if (joined)
    stat->joins++;
  else
    stat->leaves++;
  stat->last_us = g_get_real_time ();

  /* An emptied channel is no longer active, unless the operator asked to watch it. */
  if (stat->num == 0 && !stat->watched) {
    g_hash_table_remove (self->channels, channel);
    remove_name (self->channel_names, channel);
  } else {
    touch_name (self->channel_names, channel);
  }
}

/* Events */

static void
log_event (AgConsoleMonitorPage *self,
           const char           *kind,
           const char           *summary,
           JsonObject           *object)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;
  gint64 now = g_get_real_time ();

  /* Each exported line is the event as received, with the time it arrived. */
  json_object_set_int_member (object, "received_us", now);
  json_node_set_object (root, object);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  ag_console_log_model_append (self->log, now, kind, summary, json);
}

static void
handle_system_event (AgConsoleMonitorPage *self,
                     JsonObject           *object)
{
  g_autofree char *type = dup_member_string (object, "type");
  g_autofree char *account = dup_member_string (object, "account");
  g_autofree char *channel = dup_member_string (object, "channel");
  gint64 uid = get_member_int (object, "uid", 0);
  gint64 num = get_member_int (object, "num", -1);
  gint64 code = get_member_int (object, "code", 0);
  g_autofree char *summary = NULL;
  const char *kind = type;

  if (g_strcmp0 (type, "online") == 0) {
    set_online (self, account, (guint) uid, TRUE);
    summary = g_strdup_printf (_("%s came online (uid %u)"), account, (guint) uid);
  } else if (g_strcmp0 (type, "offline") == 0) {
    const char *name = ag_error_code_name ((int) code);

    set_online (self, account, (guint) uid, FALSE);
    summary = g_strdup_printf (_("%s went offline (%d %s)"), account, (int) code,
                               name != NULL ? name : "");
  } else if (g_strcmp0 (type, "join") == 0) {
    channel_event (self, channel, num, TRUE);
    summary = g_strdup_printf (ngettext ("%s joined %s (%d member)",
                                         "%s joined %s (%d members)", (gulong) MAX (num, 0)),
                               account, channel, (int) num);
  } else if (g_strcmp0 (type, "leave") == 0) {
    channel_event (self, channel, num, FALSE);
    summary = g_strdup_printf (ngettext ("%s left %s (%d member)",
                                         "%s left %s (%d members)", (gulong) MAX (num, 0)),
                               account, channel, (int) num);
  } else {
    kind = "other";
    summary = g_strdup_printf (_("Unknown event type “%s”"), type != NULL ? type : "");
  }

  if (account == NULL && is_known_kind (kind)) {
    kind = "other";
    g_free (summary);
    summary = g_strdup (_("Event without an account"));
  }

  if (is_known_kind (kind))
    ag_console_event_chart_add (self->chart, AG_CONSOLE_EVENT_CHART_EVENTS, 1);

  log_event (self, kind, summary, object);
  update_counts (self);
}

static void
channel_message_cb (AgChannel            *channel,
                    const char           *account,
                    guint                 uid,
                    const char           *msg,
                    AgConsoleMonitorPage *self)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  ag_console_event_chart_add (self->chart, AG_CONSOLE_EVENT_CHART_MESSAGES, 1);

  if (g_strcmp0 (account, AG_SYSTEM_ACCOUNT) == 0 && msg != NULL &&
      json_parser_load_from_data (parser, msg, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root)) {
    handle_system_event (self, json_node_get_object (root));
  } else {
    /* Not an event of the server's: logged as it came. */
    JsonObject *object = json_object_new ();
    g_autofree char *summary = g_strdup_printf (_("Message from %s: %s"), account, msg);

    json_object_set_string_member (object, "type", "other");
    json_object_set_string_member (object, "channel", ag_channel_get_name (channel));
    json_object_set_string_member (object, "account", account);
    json_object_set_int_member (object, "uid", uid);
    json_object_set_string_member (object, "msg", msg);
    log_event (self, "other", summary, object);
    json_object_unref (object);
    update_counts (self);
  }
}

/* Sessions */

static void
log_monitor (AgConsoleMonitorPage *self,
             const char           *summary)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", "monitor");
  json_object_set_string_member (object, "summary", summary);
  log_event (self, "monitor", summary, object);
  json_object_unref (object);
  update_counts (self);
}

static void
channel_joined_cb (AgChannel            *channel,
                   AgConsoleMonitorPage *self)
{
  g_autofree char *summary = g_strdup_printf (_("Watching %s"), ag_channel_get_name (channel));

  log_monitor (self, summary);
  update_status (self);
}

static void
channel_join_failed_cb (AgChannel            *channel,
                        int                   ecode,
                        AgConsoleMonitorPage *self)
{
  g_autofree char *what = g_strdup_printf (_("Joining %s"), ag_channel_get_name (channel));

  set_failure (self, what, ecode);
}

static void
channel_notify_joined_cb (AgConsoleMonitorPage *self)
{
  update_status (self);
}

static AgChannel *
join_special (AgConsoleMonitorPage *self,
              AgSession            *session,
              const char           *name)
{
  AgChannel *channel = ag_session_channel_join (session, name);

  g_signal_connect_object (channel, "channel-joined",
                           G_CALLBACK (channel_joined_cb), self, 0);
  g_signal_connect_object (channel, "channel-join-failed",
                           G_CALLBACK (channel_join_failed_cb), self, 0);
  g_signal_connect_object (channel, "message-channel-receive",
                           G_CALLBACK (channel_message_cb), self, 0);
  g_signal_connect_object (channel, "notify::joined",
                           G_CALLBACK (channel_notify_joined_cb), self, G_CONNECT_SWAPPED);

  return channel;
}

static void
login_success_cb (AgSession            *session,
                  guint                 uid,
                  AgConsoleMonitorPage *self)
{
  g_clear_pointer (&self->failure, g_free);

  /* A login after a lost connection re-joins by itself; only the first joins. */
  if (session == self->online_session && self->online_channel == NULL)
    self->online_channel = join_special (self, session, AG_SPECIAL_CHANNEL_USER_ONLINE);
  else if (session == self->events_session && self->events_channel == NULL)
    self->events_channel = join_special (self, session, AG_SPECIAL_CHANNEL_EVENTS);

  update_status (self);
}

static void
login_failed_cb (AgSession            *session,
                 int                   ecode,
                 AgConsoleMonitorPage *self)
{
  g_autofree char *what = g_strdup_printf (_("Login of %s"), ag_session_get_account (session));

  set_failure (self, what, ecode);
}

static void
logout_cb (AgSession            *session,
           int                   ecode,
           AgConsoleMonitorPage *self)
{
  g_autofree char *what = NULL;

  if (!self->running)
    return;

  what = g_strdup_printf (_("Session %s"), ag_session_get_account (session));
  set_failure (self, what, ecode);
}

static void
reconnecting_cb (AgSession            *session,
                 guint                 attempt,
                 AgConsoleMonitorPage *self)
{
  g_autofree char *summary = g_strdup_printf (_("Connection of %s lost, reconnecting (attempt %u)"),
                                              ag_session_get_account (session), attempt);

  log_monitor (self, summary);
  update_status (self);
}

static AgSession *
login (AgConsoleMonitorPage *self,
       const char           *account)
{
  AgSession *session = ag_signal_login (self->signal, account,
                                        self->token != NULL ? self->token : AG_NO_NEED_TOKEN);

  g_signal_connect_object (session, "login-success", G_CALLBACK (login_success_cb), self, 0);
  g_signal_connect_object (session, "login-failed", G_CALLBACK (login_failed_cb), self, 0);
  g_signal_connect_object (session, "logout", G_CALLBACK (logout_cb), self, 0);
  g_signal_connect_object (session, "reconnecting", G_CALLBACK (reconnecting_cb), self, 0);

  return session;
}

static void
drop_session (AgConsoleMonitorPage  *self,
              AgSession            **session,
              AgChannel            **channel)
{
  if (*channel != NULL) {
    g_signal_handlers_disconnect_by_data (*channel, self);
    g_clear_object (channel);
  }

  if (*session != NULL) {
    g_signal_handlers_disconnect_by_data (*session, self);
    if (ag_session_get_status (*session) == AG_STATUS_LOGGED_IN ||
        ag_session_get_status (*session) == AG_STATUS_CONNECTING)
      ag_session_logout (*session);
    g_clear_object (session);
  }
}

void
ag_console_monitor_page_start (AgConsoleMonitorPage *self)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));

  self->started_once = TRUE;
  if (self->running)
    return;

  self->running = TRUE;
  g_clear_pointer (&self->failure, g_free);

  if (self->signal == NULL) {
    self->signal = ag_signal_new (self->app_id);
    ag_signal_set_server_uri (self->signal, self->server_uri);
  }

  self->online_session = login (self, self->online_account);
  self->events_session = login (self, self->events_account);
  log_monitor (self, _("Monitoring started"));

  gtk_switch_set_active (self->monitor_switch, TRUE);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
ag_console_monitor_page_stop (AgConsoleMonitorPage *self)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));

  if (!self->running)
    return;

  self->running = FALSE;
  drop_session (self, &self->online_session, &self->online_channel);
  drop_session (self, &self->events_session, &self->events_channel);

  /* What was seen is kept, but nobody can say it is still true. */
  g_hash_table_remove_all (self->online);
  gtk_string_list_splice (self->online_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->online_names)), NULL);
  log_monitor (self, _("Monitoring stopped"));

  gtk_switch_set_active (self->monitor_switch, FALSE);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
monitor_switch_cb (AgConsoleMonitorPage *self)
{
  if (gtk_switch_get_active (self->monitor_switch))
    ag_console_monitor_page_start (self);
  else
    ag_console_monitor_page_stop (self);
}

/* Watching a channel by hand */

typedef struct {
  AgConsoleMonitorPage *self;
  char                 *channel;
} WatchRequest;

static void
watch_request_free (WatchRequest *request)
{
  g_object_unref (request->self);
  g_free (request->channel);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WatchRequest, watch_request_free)

static void
query_num_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (WatchRequest) request = user_data;
  AgConsoleMonitorPage *self = request->self;
  g_autoptr (GError) error = NULL;
  ChannelStat *stat;
  guint num = 0;

  if (!ag_signal_channel_query_user_num_finish (AG_SIGNAL (source), result, &num, &error)) {
    g_autofree char *summary = NULL;

    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;

    summary = g_strdup_printf (_("Counting the members of %s failed: %s"),
                               request->channel, error->message);
    log_monitor (self, summary);
    return;
  }

  stat = ensure_channel (self, request->channel);
  stat->num = (int) MIN (num, G_MAXINT);
  stat->watched = TRUE;
  stat->last_us = g_get_real_time ();
  touch_name (self->channel_names, request->channel);
  update_counts (self);
}

static void
watch_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);
  const char *channel = gtk_editable_get_text (GTK_EDITABLE (self->watch_entry));
  WatchRequest *request;

  if (!is_watching (self) || channel[0] == '\0')
    return;

  request = g_new0 (WatchRequest, 1);
  request->self = g_object_ref (self);
  request->channel = g_strdup (channel);

  /* The signal's current session is the last one logged in: one of the page's own. */
  ag_signal_channel_query_user_num_async (self->signal, channel, self->cancellable,
                                          query_num_cb, request);
  gtk_editable_set_text (GTK_EDITABLE (self->watch_entry), "");
}

static void
watch_activate_cb (AgConsoleMonitorPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "monitor.watch", NULL);
}

static void
watch_changed_cb (AgConsoleMonitorPage *self)
{
  const char *channel = gtk_editable_get_text (GTK_EDITABLE (self->watch_entry));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "monitor.watch",
                                 is_watching (self) && channel[0] != '\0' &&
                                 g_utf8_strlen (channel, -1) <= AG_LIMIT_NAME_CHARS);
}

/* Log filters, pause, export */

static void
refilter (AgConsoleMonitorPage *self)
{
  /* The template's widgets report their first values before the filter exists. */
  if (self->log_filter == NULL)
    return;

  gtk_filter_changed (GTK_FILTER (self->log_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_counts (self);
}

static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

void
ag_console_monitor_page_set_filter (AgConsoleMonitorPage *self,
                                    const char           *kind,
                                    const char           *account,
                                    const char           *channel)
{
  g_return_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self));

  set_string (&self->filter_kind, kind);
  set_string (&self->filter_account, account);
  set_string (&self->filter_channel, channel);
  refilter (self);
}

static void
filter_changed_cb (AgConsoleMonitorPage *self)
{
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);

  if (kind >= G_N_ELEMENTS (filter_kinds))
    kind = 0;

  ag_console_monitor_page_set_filter (self, filter_kinds[kind],
                                      gtk_editable_get_text (GTK_EDITABLE (self->account_filter_entry)),
                                      gtk_editable_get_text (GTK_EDITABLE (self->channel_filter_entry)));
}

static void
pause_toggled_cb (AgConsoleMonitorPage *self)
{
  gboolean paused = gtk_toggle_button_get_active (self->pause_button);

  ag_console_log_model_set_paused (self->log, paused);
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic"
                                   : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _("Resume the log") : _("Pause the log"));
  update_counts (self);
}

static void
export_response_cb (GtkNativeDialog      *chooser,
                    int                   response,
                    AgConsoleMonitorPage *self)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileOutputStream) stream = NULL;
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (file == NULL)
    return;

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, &error);
  if (stream == NULL ||
      !ag_console_log_model_export_to (self->log, G_OUTPUT_STREAM (stream), &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error)) {
    g_autofree char *summary = g_strdup_printf (_("Export failed: %s"), error->message);

    log_monitor (self, summary);
    return;
  }

  {
    g_autofree char *path = g_file_get_parse_name (file);
    g_autofree char *summary = g_strdup_printf (_("Log exported to %s"), path);

    log_monitor (self, summary);
  }
}

static void
export_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "agsignal-monitor-%Y%m%d-%H%M%S.jsonl");
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export Monitor Log"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
clear_log_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);

  ag_console_log_model_clear (self->log);
  update_counts (self);
}

/* The log follows new entries while it is scrolled to the bottom. The list view settles
 * its size after the items change, so the scrolling waits for an idle moment. */

static void
log_value_changed_cb (GtkAdjustment        *adjustment,
                      AgConsoleMonitorPage *self)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (self->scroll_idle_id == 0)
    self->follow_log = gtk_adjustment_get_value (adjustment) >= bottom - 2;
}

static gboolean
scroll_to_end_cb (gpointer user_data)
{
  AgConsoleMonitorPage *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->log_scroller);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
  self->scroll_idle_id = 0;

  return G_SOURCE_REMOVE;
}

static void
log_items_changed_cb (AgConsoleMonitorPage *self,
                      guint                 position,
                      guint                 removed,
                      guint                 added)
{
  update_counts (self);

  if (added > 0 && self->follow_log && self->scroll_idle_id == 0)
    self->scroll_idle_id = g_idle_add_full (G_PRIORITY_LOW, scroll_to_end_cb, self, NULL);
}

/* Cells */

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
set_cell (GtkListItem *item,
          const char  *text)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text != NULL ? text : "");
}

static const char *
item_string (GtkListItem *item)
{
  return gtk_string_object_get_string (gtk_list_item_get_item (item));
}

static void
bind_string_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                AgConsoleMonitorPage     *self)
{
  set_cell (item, item_string (item));
}

static void
bind_online_uid_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    AgConsoleMonitorPage     *self)
{
  OnlineUser *user = g_hash_table_lookup (self->online, item_string (item));
  g_autofree char *text = user != NULL ? g_strdup_printf ("%u", user->uid) : NULL;

  set_cell (item, text);
}

static void
bind_online_since_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      AgConsoleMonitorPage     *self)
{
  OnlineUser *user = g_hash_table_lookup (self->online, item_string (item));
  g_autofree char *text = user != NULL ? format_time_us (user->since_us) : NULL;

  set_cell (item, text);
}

static void
bind_channel_number_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        AgConsoleMonitorPage     *self)
{
  ChannelStat *stat = g_hash_table_lookup (self->channels, item_string (item));
  GtkColumnViewColumn *column = g_object_get_data (G_OBJECT (factory), "ag-console-column");
  g_autofree char *text = NULL;

  if (stat == NULL)
    return;

  if (column == self->channel_members_column)
    text = g_strdup_printf ("%d", stat->num);
  else if (column == self->channel_joins_column)
    text = g_strdup_printf ("%u", stat->joins);
  else
    text = g_strdup_printf ("%u", stat->leaves);

  set_cell (item, text);
}

static void
bind_channel_last_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      AgConsoleMonitorPage     *self)
{
  ChannelStat *stat = g_hash_table_lookup (self->channels, item_string (item));
  g_autofree char *text = stat != NULL ? format_time_us (stat->last_us) : NULL;

  set_cell (item, text);
}

static void
bind_log_time_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AgConsoleMonitorPage     *self)
{
  g_autofree char *text = ag_console_log_entry_format_time (gtk_list_item_get_item (item));

  set_cell (item, text);
}

static void
bind_log_kind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AgConsoleMonitorPage     *self)
{
  const char *kind = ag_console_log_entry_get_kind (gtk_list_item_get_item (item));

  for (guint i = 1; i < G_N_ELEMENTS (filter_kinds); i++) {
    if (g_strcmp0 (kind, filter_kinds[i]) == 0) {
      kind = _(kind_labels[i]);
      break;
    }
  }

  set_cell (item, kind);
}

static void
bind_log_account_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     AgConsoleMonitorPage     *self)
{
  set_cell (item, get_entry_fields (gtk_list_item_get_item (item))->account);
}

static void
bind_log_channel_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     AgConsoleMonitorPage     *self)
{
  set_cell (item, get_entry_fields (gtk_list_item_get_item (item))->channel);
}

static void
bind_log_summary_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     AgConsoleMonitorPage     *self)
{
  const char *summary = ag_console_log_entry_get_summary (gtk_list_item_get_item (item));

  set_cell (item, summary);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), summary);
}

static void
set_factory (AgConsoleMonitorPage *self,
             GtkColumnViewColumn  *column,
             gboolean              numeric,
             GCallback             bind)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "ag-console-column", column);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label_cb), GINT_TO_POINTER (numeric));
  g_signal_connect (factory, "bind", bind, self);
  gtk_column_view_column_set_factory (column, factory);
}

/* Sort keys of the channel list: members, then name. */

static int
channel_members (GtkStringObject      *item,
                 AgConsoleMonitorPage *self)
{
  ChannelStat *stat = g_hash_table_lookup (self->channels, gtk_string_object_get_string (item));

  return stat != NULL ? stat->num : 0;
}

static void
setup_sorters (AgConsoleMonitorPage *self)
{
  g_autoptr (GtkSorter) online_sorter = NULL;
  g_autoptr (GtkSorter) name_sorter = NULL;
  g_autoptr (GtkSorter) members_sorter = NULL;
  GtkExpression *members;

  online_sorter = GTK_SORTER (gtk_string_sorter_new (
    gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string")));
  gtk_sort_list_model_set_sorter (self->online_sorted, online_sorter);

  name_sorter = GTK_SORTER (gtk_string_sorter_new (
    gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string")));
  members = gtk_cclosure_expression_new (G_TYPE_INT, NULL, 0, NULL,
                                         G_CALLBACK (channel_members), self, NULL);
  members_sorter = GTK_SORTER (gtk_numeric_sorter_new (members));
  gtk_column_view_column_set_sorter (self->channel_name_column, name_sorter);
  gtk_column_view_column_set_sorter (self->channel_members_column, members_sorter);
  gtk_sort_list_model_set_sorter (self->channels_sorted,
                                  gtk_column_view_get_sorter (self->channels_view));
  gtk_column_view_sort_by_column (self->channels_view, self->channel_members_column,
                                  GTK_SORT_DESCENDING);
}

/* Lifecycle */

static void
ag_console_monitor_page_map (GtkWidget *widget)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (widget);

  GTK_WIDGET_CLASS (ag_console_monitor_page_parent_class)->map (widget);

  if (!self->started_once)
    ag_console_monitor_page_start (self);
}

static void
ag_console_monitor_page_constructed (GObject *object)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);
  int pid = (int) getpid ();

  G_OBJECT_CLASS (ag_console_monitor_page_parent_class)->constructed (object);

  /* Two pages of one process must not log in the same accounts: the server would log the
   * first out (103). */
  if (++page_serial == 1) {
    self->online_account = g_strdup_printf ("_monitor-%d-online", pid);
    self->events_account = g_strdup_printf ("_monitor-%d-events", pid);
  } else {
    self->online_account = g_strdup_printf ("_monitor-%d-%u-online", pid, page_serial);
    self->events_account = g_strdup_printf ("_monitor-%d-%u-events", pid, page_serial);
  }

  update_status (self);
  update_counts (self);
}

static void
ag_console_monitor_page_dispose (GObject *object)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->scroll_idle_id, g_source_remove);
  self->running = FALSE;
  drop_session (self, &self->online_session, &self->online_channel);
  drop_session (self, &self->events_session, &self->events_channel);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_CONSOLE_TYPE_MONITOR_PAGE);

  g_clear_object (&self->signal);
  g_clear_object (&self->log);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_console_monitor_page_parent_class)->dispose (object);
}

static void
ag_console_monitor_page_finalize (GObject *object)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  g_hash_table_unref (self->online);
  g_hash_table_unref (self->channels);
  g_free (self->server_uri);
  g_free (self->app_id);
  g_free (self->token);
  g_free (self->online_account);
  g_free (self->events_account);
  g_free (self->failure);
  g_free (self->filter_kind);
  g_free (self->filter_account);
  g_free (self->filter_channel);

  G_OBJECT_CLASS (ag_console_monitor_page_parent_class)->finalize (object);
}

static void
ag_console_monitor_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  switch (prop_id) {
  case PROP_SERVER_URI:
    g_value_set_string (value, self->server_uri);
    break;

  case PROP_APP_ID:
    g_value_set_string (value, self->app_id);
    break;

  case PROP_TOKEN:
    g_value_set_string (value, self->token);
    break;

  case PROP_RUNNING:
    g_value_set_boolean (value, self->running);
    break;

  case PROP_WATCHING:
    g_value_set_boolean (value, is_watching (self));
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_monitor_page_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  AgConsoleMonitorPage *self = AG_CONSOLE_MONITOR_PAGE (object);

  switch (prop_id) {
  case PROP_SERVER_URI:
    self->server_uri = g_value_dup_string (value);
    break;

  case PROP_APP_ID:
    self->app_id = g_value_dup_string (value);
    break;

  case PROP_TOKEN:
    self->token = g_value_dup_string (value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_monitor_page_class_init (AgConsoleMonitorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_console_monitor_page_constructed;
  object_class->dispose = ag_console_monitor_page_dispose;
  object_class->finalize = ag_console_monitor_page_finalize;
  object_class->get_property = ag_console_monitor_page_get_property;
  object_class->set_property = ag_console_monitor_page_set_property;

  widget_class->map = ag_console_monitor_page_map;

  properties[PROP_SERVER_URI] =
    g_param_spec_string ("server-uri", NULL, NULL,
                         AG_DEFAULT_SERVER_URI,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WATCHING] =
    g_param_spec_boolean ("watching", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (AG_CONSOLE_TYPE_EVENT_CHART);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agsignal/Console/ag-console-monitor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, monitor_switch);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, chart);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_count_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_names);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_sorted);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_account_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_uid_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_since_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channels_count_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, online_empty_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channels_empty_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_names);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channels_sorted);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channels_view);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_name_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_members_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_joins_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_leaves_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_last_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, watch_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, account_filter_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, channel_filter_entry);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_count_label);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_filtered);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_scroller);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_time_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_kind_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_account_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_channel_column);
  gtk_widget_class_bind_template_child (widget_class, AgConsoleMonitorPage, log_summary_column);
  gtk_widget_class_bind_template_callback (widget_class, monitor_switch_cb);
  gtk_widget_class_bind_template_callback (widget_class, watch_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, watch_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, pause_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, log_items_changed_cb);

  gtk_widget_class_install_action (widget_class, "monitor.watch", NULL, watch_action_cb);
  gtk_widget_class_install_action (widget_class, "monitor.export", NULL, export_action_cb);
  gtk_widget_class_install_action (widget_class, "monitor.clear-log", NULL, clear_log_action_cb);
}

static void
ag_console_monitor_page_init (AgConsoleMonitorPage *self)
{
  GtkAdjustment *vadjustment;

  self->cancellable = g_cancellable_new ();
  self->online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->log = ag_console_log_model_new (AG_CONSOLE_LOG_MODEL_DEFAULT_CAPACITY);
  self->follow_log = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->log_filter = gtk_custom_filter_new (log_filter_func, self, NULL);
  gtk_filter_list_model_set_filter (self->log_filtered, GTK_FILTER (self->log_filter));
  g_object_unref (self->log_filter);
  gtk_filter_list_model_set_model (self->log_filtered, G_LIST_MODEL (self->log));

  setup_sorters (self);

  set_factory (self, self->online_account_column, FALSE, G_CALLBACK (bind_string_cb));
  set_factory (self, self->online_uid_column, TRUE, G_CALLBACK (bind_online_uid_cb));
  set_factory (self, self->online_since_column, FALSE, G_CALLBACK (bind_online_since_cb));
  set_factory (self, self->channel_name_column, FALSE, G_CALLBACK (bind_string_cb));
  set_factory (self, self->channel_members_column, TRUE, G_CALLBACK (bind_channel_number_cb));
  set_factory (self, self->channel_joins_column, TRUE, G_CALLBACK (bind_channel_number_cb));
  set_factory (self, self->channel_leaves_column, TRUE, G_CALLBACK (bind_channel_number_cb));
  set_factory (self, self->channel_last_column, FALSE, G_CALLBACK (bind_channel_last_cb));
  set_factory (self, self->log_time_column, FALSE, G_CALLBACK (bind_log_time_cb));
  set_factory (self, self->log_kind_column, FALSE, G_CALLBACK (bind_log_kind_cb));
  set_factory (self, self->log_account_column, FALSE, G_CALLBACK (bind_log_account_cb));
  set_factory (self, self->log_channel_column, FALSE, G_CALLBACK (bind_log_channel_cb));
  set_factory (self, self->log_summary_column, FALSE, G_CALLBACK (bind_log_summary_cb));

  vadjustment = gtk_scrolled_window_get_vadjustment (self->log_scroller);
  g_signal_connect_object (vadjustment, "value-changed",
                           G_CALLBACK (log_value_changed_cb), self, 0);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "monitor.watch", FALSE);
}

GtkWidget *
ag_console_monitor_page_new (const char *server_uri,
                             const char *app_id,
                             const char *token_or_null)
{
  g_return_val_if_fail (server_uri != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);

  return g_object_new (AG_CONSOLE_TYPE_MONITOR_PAGE,
                       "server-uri", server_uri,
                       "app-id", app_id,
                       "token", token_or_null,
                       NULL);
}

gboolean
ag_console_monitor_page_get_running (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), FALSE);

  return self->running;
}

gboolean
ag_console_monitor_page_get_watching (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), FALSE);

  return is_watching (self);
}

const char *
ag_console_monitor_page_get_online_account (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->online_account;
}

const char *
ag_console_monitor_page_get_events_account (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->events_account;
}

GListModel *
ag_console_monitor_page_get_online_users (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return G_LIST_MODEL (self->online_sorted);
}

GListModel *
ag_console_monitor_page_get_channels (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return G_LIST_MODEL (self->channels_sorted);
}

int
ag_console_monitor_page_get_member_count (AgConsoleMonitorPage *self,
                                          const char           *channel)
{
  ChannelStat *stat;

  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), -1);
  g_return_val_if_fail (channel != NULL, -1);

  stat = g_hash_table_lookup (self->channels, channel);

  return stat != NULL ? stat->num : -1;
}

AgConsoleLogModel *
ag_console_monitor_page_get_log (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->log;
}

GListModel *
ag_console_monitor_page_get_filtered_log (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return G_LIST_MODEL (self->log_filtered);
}

AgConsoleEventChart *
ag_console_monitor_page_get_chart (AgConsoleMonitorPage *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MONITOR_PAGE (self), NULL);

  return self->chart;
}
