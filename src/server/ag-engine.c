/* ag-engine.c: the AgEngine interface and its wrappers */

#include "ag-engine.h"

#include <string.h>

G_DEFINE_INTERFACE (AgEngine, ag_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (ag-engine-error-quark, ag_engine_error)

static void
ag_engine_default_init (AgEngineInterface *iface)
{
}

void
ag_offline_message_free (AgOfflineMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->from_account);
  g_free (message->msg);
  g_free (message);
}

gsize
ag_offline_message_size (const AgOfflineMessage *message)
{
  return strlen (message->msg) + strlen (message->from_account);
}

/* Copies attrs (which may be NULL). */
AgEngineChannel *
ag_engine_channel_new (const char *name,
                       GHashTable *attrs,
                       guint64     total_joins,
                       gint64      destroy_us)
{
  AgEngineChannel *channel = g_new0 (AgEngineChannel, 1);

  channel->name = g_strdup (name);
  channel->attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  channel->total_joins = total_joins;
  channel->destroy_us = destroy_us;

  if (attrs != NULL) {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, attrs);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_insert (channel->attrs, g_strdup (key), g_strdup (value));
  }

  return channel;
}

void
ag_engine_channel_free (AgEngineChannel *channel)
{
  if (channel == NULL)
    return;

  g_clear_pointer (&channel->attrs, g_hash_table_unref);
  g_free (channel->name);
  g_free (channel);
}

static void
pending_channel_free (AgEnginePendingChannel *pending)
{
  g_free (pending->app_id);
  g_free (pending->name);
  ag_engine_channel_free (pending->channel);
  g_free (pending);
}

GHashTable *
ag_engine_pending_channels_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) pending_channel_free);
}

static void
pending_channels_set (GHashTable      *pending,
                      const char      *app_id,
                      const char      *name,
                      AgEngineChannel *channel)
{
  AgEnginePendingChannel *entry = g_new0 (AgEnginePendingChannel, 1);

  entry->app_id = g_strdup (app_id);
  entry->name = g_strdup (name);
  entry->channel = channel;
  /* App ids never contain ':' (ag_server_check_app_id), so the key is unambiguous. */
  g_hash_table_replace (pending, g_strconcat (app_id, ":", name, NULL), entry);
}

void
ag_engine_pending_channels_save (GHashTable            *pending,
                                 const char            *app_id,
                                 const AgEngineChannel *channel)
{
  pending_channels_set (pending, app_id, channel->name,
                        ag_engine_channel_new (channel->name, channel->attrs,
                                               channel->total_joins, channel->destroy_us));
}

void
ag_engine_pending_channels_delete (GHashTable *pending,
                                   const char *app_id,
                                   const char *name)
{
  pending_channels_set (pending, app_id, name, NULL);
}

gboolean
ag_engine_user_attr_set (AgEngine    *engine,
                         const char  *app_id,
                         const char  *account,
                         const char  *name,
                         const char  *value,
                         GError     **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (app_id != NULL, FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_ENGINE_GET_IFACE (engine)->user_attr_set (engine, app_id, account, name, value,
                                                      error);
}

char *
ag_engine_user_attr_get (AgEngine    *engine,
                         const char  *app_id,
                         const char  *account,
                         const char  *name,
                         GError     **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return AG_ENGINE_GET_IFACE (engine)->user_attr_get (engine, app_id, account, name, error);
}

GHashTable *
ag_engine_user_attr_get_all (AgEngine    *engine,
                             const char  *app_id,
                             const char  *account,
                             GError     **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return AG_ENGINE_GET_IFACE (engine)->user_attr_get_all (engine, app_id, account, error);
}

gboolean
ag_engine_offline_push (AgEngine          *engine,
                        const char        *app_id,
                        const char        *account,
                        AgOfflineMessage  *message,
                        GError           **error)
{
  if (!AG_IS_ENGINE (engine) || app_id == NULL || account == NULL) {
    /* The message is owned by the callee whatever happens. */
    ag_offline_message_free (message);
    g_return_val_if_reached (FALSE);
  }
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_ENGINE_GET_IFACE (engine)->offline_push (engine, app_id, account, message, error);
}

GPtrArray *
ag_engine_offline_take (AgEngine    *engine,
                        const char  *app_id,
                        const char  *account,
                        gint64       now_us,
                        GError     **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return ag_engine_offline_take_some (engine, app_id, account, now_us, G_MAXSIZE, NULL, error);
}

GPtrArray *
ag_engine_offline_take_some (AgEngine    *engine,
                             const char  *app_id,
                             const char  *account,
                             gint64       now_us,
                             gsize        max_bytes,
                             gboolean    *out_more,
                             GError     **error)
{
  gboolean more = FALSE;
  GPtrArray *messages;

  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  messages = AG_ENGINE_GET_IFACE (engine)->offline_take (engine, app_id, account, now_us,
                                                         max_bytes, &more, error);
  if (out_more != NULL)
    *out_more = more;

  return messages;
}

gint64
ag_engine_offline_expire (AgEngine *engine,
                          gint64    now_us)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), G_MAXINT64);

  return AG_ENGINE_GET_IFACE (engine)->offline_expire (engine, now_us);
}

GPtrArray *
ag_engine_offline_peek (AgEngine   *engine,
                        const char *app_id,
                        const char *account,
                        gint64      now_us,
                        gboolean   *out_supported,
                        GError    **error)
{
  AgEngineInterface *iface;

  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);

  iface = AG_ENGINE_GET_IFACE (engine);
  if (out_supported != NULL)
    *out_supported = iface->offline_peek != NULL;
  if (iface->offline_peek == NULL)
    return NULL;

  return iface->offline_peek (engine, app_id, account, now_us, error);
}

guint64
ag_engine_offline_bytes (AgEngine *engine)
{
  AgEngineInterface *iface;

  g_return_val_if_fail (AG_IS_ENGINE (engine), 0);

  iface = AG_ENGINE_GET_IFACE (engine);
  return iface->offline_bytes != NULL ? iface->offline_bytes (engine) : 0;
}

guint64
ag_engine_memory_bytes (AgEngine *engine)
{
  AgEngineInterface *iface;

  g_return_val_if_fail (AG_IS_ENGINE (engine), 0);

  iface = AG_ENGINE_GET_IFACE (engine);
  return iface->memory_bytes != NULL ? iface->memory_bytes (engine) : 0;
}

gboolean
ag_engine_uid_set (AgEngine    *engine,
                   const char  *app_id,
                   const char  *account,
                   guint32      uid,
                   GError     **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (app_id != NULL, FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_ENGINE_GET_IFACE (engine)->uid_set (engine, app_id, account, uid, error);
}

gboolean
ag_engine_can_lookup_uids (AgEngine *engine)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);

  return AG_ENGINE_GET_IFACE (engine)->uid_lookup != NULL;
}

gboolean
ag_engine_uid_lookup (AgEngine    *engine,
                      const char  *app_id,
                      const char  *account,
                      guint32     *out_uid,
                      GError     **error)
{
  AgEngineInterface *iface;

  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (app_id != NULL, FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (out_uid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_uid = 0;
  iface = AG_ENGINE_GET_IFACE (engine);

  return iface->uid_lookup == NULL || iface->uid_lookup (engine, app_id, account, out_uid, error);
}

gboolean
ag_engine_claims_uids (AgEngine *engine)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);

  return AG_ENGINE_GET_IFACE (engine)->uid_claim != NULL;
}

guint32
ag_engine_uid_claim (AgEngine    *engine,
                     const char  *app_id,
                     const char  *account,
                     guint32      floor,
                     GError     **error)
{
  AgEngineInterface *iface;

  g_return_val_if_fail (AG_IS_ENGINE (engine), 0);
  g_return_val_if_fail (app_id != NULL, 0);
  g_return_val_if_fail (account != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  iface = AG_ENGINE_GET_IFACE (engine);
  g_return_val_if_fail (iface->uid_claim != NULL, 0);

  return iface->uid_claim (engine, app_id, account, floor, error);
}

void
ag_engine_channel_save (AgEngine              *engine,
                        const char            *app_id,
                        const AgEngineChannel *channel)
{
  g_return_if_fail (AG_IS_ENGINE (engine));
  g_return_if_fail (app_id != NULL);
  g_return_if_fail (channel != NULL && channel->name != NULL);

  AG_ENGINE_GET_IFACE (engine)->channel_save (engine, app_id, channel);
}

void
ag_engine_channel_delete (AgEngine   *engine,
                          const char *app_id,
                          const char *name)
{
  g_return_if_fail (AG_IS_ENGINE (engine));
  g_return_if_fail (app_id != NULL);
  g_return_if_fail (name != NULL);

  AG_ENGINE_GET_IFACE (engine)->channel_delete (engine, app_id, name);
}

gboolean
ag_engine_load_app (AgEngine    *engine,
                    const char  *app_id,
                    GHashTable **out_uids,
                    GPtrArray  **out_channels,
                    GError     **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (app_id != NULL, FALSE);
  g_return_val_if_fail (out_uids != NULL && out_channels != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_ENGINE_GET_IFACE (engine)->load_app (engine, app_id, out_uids, out_channels, error);
}

gboolean
ag_engine_commit (AgEngine  *engine,
                  GError   **error)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_ENGINE_GET_IFACE (engine)->commit (engine, error);
}
