/* ag-console-conversation.c: the peer messages with one account, and the unread count
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "ag-console-conversation.h"

/* The newest messages kept for display; the event log has them all. */
#define MESSAGES_KEPT 5000

struct _AgConsoleConversation
{
  GObject     parent_instance;

  char       *peer;
  GListStore *messages;
  guint       unread;
};

G_DEFINE_FINAL_TYPE (AgConsoleConversation, ag_console_conversation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PEER,
  PROP_UNREAD,
  PROP_PREVIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_console_conversation_dispose (GObject *object)
{
  AgConsoleConversation *self = (AgConsoleConversation *) object;

  g_clear_object (&self->messages);

  G_OBJECT_CLASS (ag_console_conversation_parent_class)->dispose (object);
}

static void
ag_console_conversation_finalize (GObject *object)
{
  AgConsoleConversation *self = (AgConsoleConversation *) object;

  g_free (self->peer);

  G_OBJECT_CLASS (ag_console_conversation_parent_class)->finalize (object);
}

static void
ag_console_conversation_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AgConsoleConversation *self = AG_CONSOLE_CONVERSATION (object);

  switch (prop_id) {
  case PROP_PEER:
    g_value_set_string (value, self->peer);
    break;
  case PROP_UNREAD:
    g_value_set_uint (value, self->unread);
    break;
  case PROP_PREVIEW:
    g_value_set_string (value, ag_console_conversation_get_preview (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_conversation_class_init (AgConsoleConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_console_conversation_dispose;
  object_class->finalize = ag_console_conversation_finalize;
  object_class->get_property = ag_console_conversation_get_property;

  properties[PROP_PEER] =
    g_param_spec_string ("peer", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNREAD] =
    g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREVIEW] =
    g_param_spec_string ("preview", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_conversation_init (AgConsoleConversation *self)
{
  self->messages = g_list_store_new (AG_CONSOLE_TYPE_MESSAGE_ITEM);
}

AgConsoleConversation *
ag_console_conversation_new (const char *peer)
{
  AgConsoleConversation *self;

  g_return_val_if_fail (peer != NULL, NULL);

  self = g_object_new (AG_CONSOLE_TYPE_CONVERSATION, NULL);
  self->peer = g_strdup (peer);

  return self;
}

const char *
ag_console_conversation_get_peer (AgConsoleConversation *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATION (self), NULL);

  return self->peer;
}

GListModel *
ag_console_conversation_get_messages (AgConsoleConversation *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATION (self), NULL);

  return G_LIST_MODEL (self->messages);
}

void
ag_console_conversation_add (AgConsoleConversation *self,
                             AgConsoleMessageItem  *item)
{
  g_return_if_fail (AG_CONSOLE_IS_CONVERSATION (self));
  g_return_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (item));

  g_list_store_append (self->messages, item);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > MESSAGES_KEPT)
    g_list_store_remove (self->messages, 0);

  if (ag_console_message_item_get_state (item) == AG_CONSOLE_MESSAGE_RECEIVED) {
    self->unread++;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
  }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
}

guint
ag_console_conversation_get_unread (AgConsoleConversation *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATION (self), 0);

  return self->unread;
}

void
ag_console_conversation_mark_read (AgConsoleConversation *self)
{
  g_return_if_fail (AG_CONSOLE_IS_CONVERSATION (self));

  if (self->unread == 0)
    return;

  self->unread = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

const char *
ag_console_conversation_get_preview (AgConsoleConversation *self)
{
  g_autoptr(AgConsoleMessageItem) last = NULL;
  guint n;

  g_return_val_if_fail (AG_CONSOLE_IS_CONVERSATION (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  if (n == 0)
    return NULL;

  last = g_list_model_get_item (G_LIST_MODEL (self->messages), n - 1);

  /* The store holds the item, so its text outlives this reference. */
  return ag_console_message_item_get_text (last);
}
