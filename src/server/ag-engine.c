/* ag-engine.c: the AgEngine interface and its wrappers */

#include "ag-engine.h"

G_DEFINE_INTERFACE (AgEngine, ag_engine, G_TYPE_OBJECT)

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

void
ag_engine_user_attr_set (AgEngine   *engine,
                         const char *app_id,
                         const char *account,
                         const char *name,
                         const char *value)
{
  g_return_if_fail (AG_IS_ENGINE (engine));
  g_return_if_fail (app_id != NULL);
  g_return_if_fail (account != NULL);
  g_return_if_fail (name != NULL);

  AG_ENGINE_GET_IFACE (engine)->user_attr_set (engine, app_id, account, name, value);
}

char *
ag_engine_user_attr_get (AgEngine   *engine,
                         const char *app_id,
                         const char *account,
                         const char *name)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return AG_ENGINE_GET_IFACE (engine)->user_attr_get (engine, app_id, account, name);
}

GHashTable *
ag_engine_user_attr_get_all (AgEngine   *engine,
                             const char *app_id,
                             const char *account)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);

  return AG_ENGINE_GET_IFACE (engine)->user_attr_get_all (engine, app_id, account);
}

gboolean
ag_engine_offline_push (AgEngine         *engine,
                        const char       *app_id,
                        const char       *account,
                        AgOfflineMessage *message)
{
  if (!AG_IS_ENGINE (engine) || app_id == NULL || account == NULL) {
    /* The message is owned by the callee whatever happens. */
    ag_offline_message_free (message);
    g_return_val_if_reached (FALSE);
  }
  g_return_val_if_fail (message != NULL, FALSE);

  return AG_ENGINE_GET_IFACE (engine)->offline_push (engine, app_id, account, message);
}

GPtrArray *
ag_engine_offline_take (AgEngine   *engine,
                        const char *app_id,
                        const char *account,
                        gint64      now_us)
{
  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);

  return AG_ENGINE_GET_IFACE (engine)->offline_take (engine, app_id, account, now_us);
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
                        gboolean   *out_supported)
{
  AgEngineInterface *iface;

  g_return_val_if_fail (AG_IS_ENGINE (engine), NULL);

  iface = AG_ENGINE_GET_IFACE (engine);
  if (out_supported != NULL)
    *out_supported = iface->offline_peek != NULL;
  if (iface->offline_peek == NULL)
    return NULL;

  return iface->offline_peek (engine, app_id, account, now_us);
}
