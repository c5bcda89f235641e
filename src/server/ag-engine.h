/* ag-engine.h: where the hub keeps state that outlives sessions.
 *
 * User attributes and queued offline messages belong to accounts, not to connections, so
 * they sit behind this small interface: the memory engine keeps them in this process, a
 * shared engine (Redis) could keep them for several nodes.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AG_TYPE_ENGINE (ag_engine_get_type ())

G_DECLARE_INTERFACE (AgEngine, ag_engine, AG, ENGINE, GObject)

typedef struct {
  char    *from_account;
  guint32  from_uid;
  char    *msg;
  gint64   sent_us;      /* when the server accepted it */
  gint64   expires_us;   /* sent_us + ttl */
} AgOfflineMessage;

void ag_offline_message_free (AgOfflineMessage *message);

struct _AgEngineInterface {
  GTypeInterface parent_iface;

  /* Empty or NULL value deletes the attribute. */
  void         (*user_attr_set)     (AgEngine   *engine,
                                     const char *app_id,
                                     const char *account,
                                     const char *name,
                                     const char *value);
  /* Returns a newly allocated value or NULL when unset. */
  char        *(*user_attr_get)     (AgEngine   *engine,
                                     const char *app_id,
                                     const char *account,
                                     const char *name);
  /* Returns a new GHashTable (char* -> char*), empty when none. */
  GHashTable  *(*user_attr_get_all) (AgEngine   *engine,
                                     const char *app_id,
                                     const char *account);

  /* Takes ownership of message. FALSE (message freed) when the account's queue is full. */
  gboolean     (*offline_push)      (AgEngine         *engine,
                                     const char       *app_id,
                                     const char       *account,
                                     AgOfflineMessage *message);
  /* Removes and returns the account's unexpired messages, oldest first (GPtrArray with a
   * free func), or NULL when none. */
  GPtrArray   *(*offline_take)      (AgEngine   *engine,
                                     const char *app_id,
                                     const char *account,
                                     gint64      now_us);
  /* Drops expired messages; returns the next expiry or G_MAXINT64. */
  gint64       (*offline_expire)    (AgEngine   *engine,
                                     gint64      now_us);
  /* Optional: copies of the account's unexpired messages, oldest first, left queued (for
   * the admin API), or NULL when none. */
  GPtrArray   *(*offline_peek)      (AgEngine   *engine,
                                     const char *app_id,
                                     const char *account,
                                     gint64      now_us);
};

void        ag_engine_user_attr_set     (AgEngine *engine, const char *app_id, const char *account,
                                         const char *name, const char *value);
char       *ag_engine_user_attr_get     (AgEngine *engine, const char *app_id, const char *account,
                                         const char *name);
GHashTable *ag_engine_user_attr_get_all (AgEngine *engine, const char *app_id, const char *account);
gboolean    ag_engine_offline_push      (AgEngine *engine, const char *app_id, const char *account,
                                         AgOfflineMessage *message);
GPtrArray  *ag_engine_offline_take      (AgEngine *engine, const char *app_id, const char *account,
                                         gint64 now_us);
gint64      ag_engine_offline_expire    (AgEngine *engine, gint64 now_us);
/* NULL as well when the engine cannot list without taking; *out_supported tells which. */
GPtrArray  *ag_engine_offline_peek      (AgEngine *engine, const char *app_id, const char *account,
                                         gint64 now_us, gboolean *out_supported);

G_END_DECLS
