/* test-hub-admin.c: the admin snapshot converges, with a fake clock
 *
 * The snapshot walks the live tables a frame per tick instead of copying them, so the state
 * changes between its frames. An operator that applies the snapshot, then every event after
 * its sequence number in order, must end with exactly the hub's state: this drives random
 * logins, logouts, joins, leaves, channel attribute changes and channel destructions between
 * the frames and compares the rebuilt view with the hub's own listings.
 */

#include <string.h>

#include <json-glib/json-glib.h>

#include "ag-engine-memory.h"
#include "ag-hub.h"

#define ADMIN_KEY  "hub-admin-key-0123456789"
#define ADMIN_CONN G_GUINT64_CONSTANT (1000000)
#define N_USERS    400
#define N_CHANNELS 60

typedef struct {
  GPtrArray *admin_frames;   /* of JsonNode*, what the operator received, in order */
  gint64     now;
} Fixture;

static void
sink_send (gpointer  user_data,
           guint64   conn_id,
           GBytes   *frame)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;
  gsize length;
  const char *data = g_bytes_get_data (frame, &length);

  if (conn_id != ADMIN_CONN)
    return;

  text = g_strndup (data, length);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_ptr_array_add (fx->admin_frames, node);
}

static void
sink_close (gpointer user_data,
            guint64  conn_id,
            int      code)
{
}

static void
send_text (AgHub   *hub,
           Fixture *fx,
           guint64  conn,
           const char *format,
           ...) G_GNUC_PRINTF (4, 5);

static void
send_text (AgHub      *hub,
           Fixture    *fx,
           guint64     conn,
           const char *format,
           ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  ag_hub_connection_frame (hub, conn, text, strlen (text), fx->now);
}

/* The operator's view: account -> channel ("" for none), channel -> "members|a=1,b=2". */
typedef struct {
  GHashTable *users;
  GHashTable *channels;   /* name -> GHashTable of attrs, with "#members" */
} View;

static GHashTable *
attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
view_init (View *view)
{
  view->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  view->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_hash_table_unref);
}

static void
view_clear (View *view)
{
  g_clear_pointer (&view->users, g_hash_table_unref);
  g_clear_pointer (&view->channels, g_hash_table_unref);
}

static const char *
string_or_empty (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : "";
}

static void
put_user (View       *view,
          JsonObject *record)
{
  g_hash_table_replace (view->users, g_strdup (string_or_empty (record, "account")),
                        g_strdup (string_or_empty (record, "channel")));
}

static void
put_channel (View       *view,
             JsonObject *record)
{
  GHashTable *attrs = attrs_new ();
  JsonObject *object = json_object_get_object_member (record, "attrs");
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    g_hash_table_insert (attrs, g_strdup (l->data),
                         g_strdup (json_object_get_string_member (object, l->data)));
  g_hash_table_insert (attrs, g_strdup ("#members"),
                       g_strdup_printf ("%" G_GINT64_FORMAT,
                                        json_object_get_int_member (record, "members")));
  g_hash_table_replace (view->channels, g_strdup (string_or_empty (record, "name")), attrs);
}

static void
apply_event (View       *view,
             JsonObject *event)
{
  const char *type = json_object_get_string_member (event, "type");
  const char *name = string_or_empty (event, "name");
  GHashTable *channel = g_hash_table_lookup (view->channels, name);

  if (g_str_equal (type, "online")) {
    put_user (view, json_object_get_object_member (event, "user"));
  } else if (g_str_equal (type, "offline")) {
    g_hash_table_remove (view->users, string_or_empty (event, "account"));
  } else if (g_str_equal (type, "channel")) {
    put_channel (view, json_object_get_object_member (event, "channel"));
  } else if (g_str_equal (type, "channel_gone")) {
    g_hash_table_remove (view->channels, name);
  } else if (g_str_equal (type, "join") || g_str_equal (type, "leave")) {
    const char *account = string_or_empty (event, "account");

    if (channel != NULL)
      g_hash_table_replace (channel, g_strdup ("#members"),
                            g_strdup_printf ("%" G_GINT64_FORMAT,
                                             json_object_get_int_member (event, "members")));
    if (g_str_equal (type, "join"))
      g_hash_table_replace (view->users, g_strdup (account), g_strdup (name));
    else if (g_strcmp0 (g_hash_table_lookup (view->users, account), name) == 0)
      g_hash_table_replace (view->users, g_strdup (account), g_strdup (""));
  } else if (g_str_equal (type, "attr") && channel != NULL) {
    const char *change = json_object_get_string_member (event, "change");
    const char *attr = string_or_empty (event, "attr");

    if (g_str_equal (change, "update")) {
      g_hash_table_replace (channel, g_strdup (attr), g_strdup (string_or_empty (event, "value")));
    } else if (g_str_equal (change, "del")) {
      g_hash_table_remove (channel, attr);
    } else {
      g_autofree char *members = g_strdup (g_hash_table_lookup (channel, "#members"));

      g_hash_table_remove_all (channel);
      g_hash_table_insert (channel, g_strdup ("#members"), g_steal_pointer (&members));
    }
  }
}

/* Rebuilds the view from the operator's frames: the snapshot, then the events after it. */
static void
rebuild (Fixture *fx,
         View    *view)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  gboolean ended = FALSE;

  for (guint i = 0; i < fx->admin_frames->len; i++) {
    JsonObject *frame = json_node_get_object (g_ptr_array_index (fx->admin_frames, i));
    const char *op = json_object_get_string_member (frame, "op");

    if (g_str_equal (op, "admin_snapshot")) {
      JsonArray *users = json_object_get_array_member (frame, "users");
      JsonArray *channels = json_object_get_array_member (frame, "channels");

      g_assert_false (ended);
      for (guint j = 0; j < json_array_get_length (users); j++)
        put_user (view, json_array_get_object_element (users, j));
      for (guint j = 0; j < json_array_get_length (channels); j++)
        put_channel (view, json_array_get_object_element (channels, j));
    } else if (g_str_equal (op, "admin_snapshot_end")) {
      ended = TRUE;
      for (guint j = 0; j < pending->len; j++)
        apply_event (view, pending->pdata[j]);
      g_ptr_array_set_size (pending, 0);
    } else if (g_str_equal (op, "admin_event") && json_object_has_member (frame, "seq")) {
      if (ended)
        apply_event (view, frame);
      else
        g_ptr_array_add (pending, frame);
    }
  }

  g_assert_true (ended);
}

/* The truth, from the hub's own listings (they read the tables, not the stream). */
static void
hub_state (AgHub   *hub,
           Fixture *fx,
           View    *view)
{
  JsonObject *reply;
  JsonArray *list;
  guint mark = fx->admin_frames->len;

  send_text (hub, fx, ADMIN_CONN, "{\"op\":\"admin_users\",\"id\":900,\"limit\":1000}");
  send_text (hub, fx, ADMIN_CONN, "{\"op\":\"admin_channels\",\"id\":901,\"limit\":1000}");
  g_assert_cmpuint (fx->admin_frames->len, ==, mark + 2);

  reply = json_node_get_object (g_ptr_array_index (fx->admin_frames, mark));
  list = json_object_get_array_member (reply, "users");
  g_assert_cmpint (json_object_get_int_member (reply, "total"), ==, json_array_get_length (list));
  for (guint i = 0; i < json_array_get_length (list); i++)
    put_user (view, json_array_get_object_element (list, i));

  reply = json_node_get_object (g_ptr_array_index (fx->admin_frames, mark + 1));
  list = json_object_get_array_member (reply, "channels");
  for (guint i = 0; i < json_array_get_length (list); i++)
    put_channel (view, json_array_get_object_element (list, i));

  g_ptr_array_set_size (fx->admin_frames, mark);
}

static void
assert_views_equal (View *a,
                    View *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a->users), ==, g_hash_table_size (b->users));
  g_hash_table_iter_init (&iter, a->users);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (b->users, key), ==, value);

  g_assert_cmpuint (g_hash_table_size (a->channels), ==, g_hash_table_size (b->channels));
  g_hash_table_iter_init (&iter, a->channels);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GHashTable *other = g_hash_table_lookup (b->channels, key);
    GHashTableIter attr_iter;
    gpointer name, attr;

    g_assert_nonnull (other);
    g_assert_cmpuint (g_hash_table_size (value), ==, g_hash_table_size (other));
    g_hash_table_iter_init (&attr_iter, value);
    while (g_hash_table_iter_next (&attr_iter, &name, &attr))
      g_assert_cmpstr (g_hash_table_lookup (other, name), ==, attr);
  }
}

/* One random change of the state. */
static void
random_change (AgHub   *hub,
               Fixture *fx,
               GRand   *rand,
               gboolean *online)
{
  guint user = (guint) g_rand_int_range (rand, 0, N_USERS);
  guint64 conn = user + 1;
  guint channel = (guint) g_rand_int_range (rand, 0, N_CHANNELS);

  if (!online[user]) {
    ag_hub_connection_opened (hub, conn, fx->now);
    send_text (hub, fx, conn, "{\"op\":\"login\",\"id\":1,\"app_id\":\"demo\","
               "\"account\":\"u%03u\",\"token\":\"_no_need_token\"}", user);
    online[user] = TRUE;
    return;
  }

  switch (g_rand_int_range (rand, 0, 6)) {
  case 0:
    send_text (hub, fx, conn, "{\"op\":\"logout\",\"id\":2}");
    online[user] = FALSE;
    break;
  case 1:
  case 2:
    send_text (hub, fx, conn, "{\"op\":\"channel_join\",\"id\":3,\"channel\":\"c%02u\"}", channel);
    break;
  case 3:
    send_text (hub, fx, conn, "{\"op\":\"channel_leave\",\"id\":4}");
    break;
  case 4:
    send_text (hub, fx, conn, "{\"op\":\"channel_set_attr\",\"id\":5,\"name\":\"k%u\","
               "\"value\":\"v%u\"}", g_rand_int_range (rand, 0, 3), g_rand_int (rand));
    break;
  default:
    /* Channels whose last member leaves go away at once. */
    send_text (hub, fx, conn, "{\"op\":\"channel_set_attr\",\"id\":6,\"name\":\"_channel_ttl\","
               "\"value\":\"0\"}");
    break;
  }
}

static void
test_snapshot_converges (void)
{
  static const AgHubSink sink = { sink_send, sink_close, NULL };
  g_autoptr(AgEngine) engine = ag_engine_memory_new ();
  g_autoptr(AgHub) hub = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261202);
  AgAppConfig app = { .app_id = (char *) "demo", .allow_no_token = TRUE,
                      .admin_key = (char *) ADMIN_KEY };
  gboolean online[N_USERS] = { FALSE, };
  Fixture fx = { g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref),
                 G_GINT64_CONSTANT (1764099000000000) };
  View rebuilt, truth;
  guint ticks = 0;

  hub = ag_hub_new (engine, &sink, &fx);
  ag_hub_add_app (hub, &app);

  /* Enough state for several frames of 100. */
  for (guint i = 0; i < 3000; i++)
    random_change (hub, &fx, rand, online);

  ag_hub_connection_opened (hub, ADMIN_CONN, fx.now);
  send_text (hub, &fx, ADMIN_CONN, "{\"op\":\"admin_login\",\"id\":1,\"app_id\":\"demo\","
             "\"key\":\"" ADMIN_KEY "\"}");
  send_text (hub, &fx, ADMIN_CONN, "{\"op\":\"admin_subscribe\",\"id\":2}");

  /* Changes between every two frames, until the snapshot ended, then some more. */
  for (;;) {
    gboolean ended = FALSE;

    for (guint i = 0; i < 40; i++)
      random_change (hub, &fx, rand, online);
    fx.now += 1000;
    ag_hub_tick (hub, fx.now);
    ticks++;

    for (guint i = 0; i < fx.admin_frames->len; i++) {
      JsonObject *frame = json_node_get_object (g_ptr_array_index (fx.admin_frames, i));

      ended |= g_str_equal (json_object_get_string_member (frame, "op"), "admin_snapshot_end");
    }
    if (ended || ticks > 1000)
      break;
  }
  g_assert_cmpuint (ticks, >, 3);
  g_assert_cmpuint (ticks, <, 1000);
  for (guint i = 0; i < 500; i++)
    random_change (hub, &fx, rand, online);

  view_init (&rebuilt);
  view_init (&truth);
  rebuild (&fx, &rebuilt);
  hub_state (hub, &fx, &truth);
  g_assert_cmpuint (g_hash_table_size (truth.users), >, 100);
  g_assert_cmpuint (g_hash_table_size (truth.channels), >, 10);
  assert_views_equal (&rebuilt, &truth);
  view_clear (&rebuilt);
  view_clear (&truth);

  g_ptr_array_unref (fx.admin_frames);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hub-admin/snapshot-converges", test_snapshot_converges);

  return g_test_run ();
}
