/* ag-console-message-item.c: one channel or peer message and its delivery state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <agsignal.h>

#include "ag-console-message-item.h"

struct _AgConsoleMessageItem
{
  GObject                parent_instance;

  char                  *account;
  char                  *text;
  char                  *error_text;
  gint64                 time_us;
  guint                  uid;
  int                    error_code;
  AgConsoleMessageState  state;
};

G_DEFINE_FINAL_TYPE (AgConsoleMessageItem, ag_console_message_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_UID,
  PROP_TIME,
  PROP_TEXT,
  PROP_STATE,
  PROP_ERROR_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_console_message_item_finalize (GObject *object)
{
  AgConsoleMessageItem *self = (AgConsoleMessageItem *) object;

  g_free (self->account);
  g_free (self->text);
  g_free (self->error_text);

  G_OBJECT_CLASS (ag_console_message_item_parent_class)->finalize (object);
}

static void
ag_console_message_item_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AgConsoleMessageItem *self = AG_CONSOLE_MESSAGE_ITEM (object);

  switch (prop_id) {
  case PROP_ACCOUNT:
    g_value_set_string (value, self->account);
    break;
  case PROP_UID:
    g_value_set_uint (value, self->uid);
    break;
  case PROP_TIME:
    g_value_set_int64 (value, self->time_us);
    break;
  case PROP_TEXT:
    g_value_set_string (value, self->text);
    break;
  case PROP_STATE:
    g_value_set_int (value, self->state);
    break;
  case PROP_ERROR_TEXT:
    g_value_set_string (value, self->error_text);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_console_message_item_class_init (AgConsoleMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_console_message_item_finalize;
  object_class->get_property = ag_console_message_item_get_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_string ("account", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UID] =
    g_param_spec_uint ("uid", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      AG_CONSOLE_MESSAGE_RECEIVED, AG_CONSOLE_MESSAGE_FAILED,
                      AG_CONSOLE_MESSAGE_RECEIVED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_TEXT] =
    g_param_spec_string ("error-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_console_message_item_init (AgConsoleMessageItem *self)
{
}

AgConsoleMessageItem *
ag_console_message_item_new (const char            *account,
                             guint                  uid,
                             gint64                 time_us,
                             const char            *text,
                             AgConsoleMessageState  state)
{
  AgConsoleMessageItem *self = g_object_new (AG_CONSOLE_TYPE_MESSAGE_ITEM, NULL);

  self->account = g_strdup (account);
  self->uid = uid;
  self->time_us = time_us;
  self->text = g_strdup (text);
  self->state = state;

  return self;
}

const char *
ag_console_message_item_get_account (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), NULL);

  return self->account;
}

guint
ag_console_message_item_get_uid (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), 0);

  return self->uid;
}

void
ag_console_message_item_set_uid (AgConsoleMessageItem *self,
                                 guint                 uid)
{
  g_return_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self));

  if (self->uid == uid)
    return;

  self->uid = uid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UID]);
}

gint64
ag_console_message_item_get_time (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), 0);

  return self->time_us;
}

const char *
ag_console_message_item_get_text (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), NULL);

  return self->text;
}

AgConsoleMessageState
ag_console_message_item_get_state (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), AG_CONSOLE_MESSAGE_RECEIVED);

  return self->state;
}

void
ag_console_message_item_set_state (AgConsoleMessageItem  *self,
                                   AgConsoleMessageState  state)
{
  g_return_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

int
ag_console_message_item_get_error_code (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), 0);

  return self->error_code;
}

const char *
ag_console_message_item_get_error_text (AgConsoleMessageItem *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self), NULL);

  return self->error_text;
}

void
ag_console_message_item_fail (AgConsoleMessageItem *self,
                              const GError         *error)
{
  g_return_if_fail (AG_CONSOLE_IS_MESSAGE_ITEM (self));
  g_return_if_fail (error != NULL);

  g_free (self->error_text);

  if (error->domain == AG_ERROR) {
    const char *name = ag_error_code_name (error->code);

    self->error_code = error->code;
    /* Translators: shown under a refused message: code, code name, description. */
    self->error_text = g_strdup_printf (_("Not delivered: %d %s (%s)"),
                                        error->code,
                                        name != NULL ? name : "UNKNOWN",
                                        ag_error_code_describe (error->code));
  } else {
    self->error_code = 0;
    self->error_text = g_strdup_printf (_("Not delivered: %s"), error->message);
  }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_TEXT]);
  ag_console_message_item_set_state (self, AG_CONSOLE_MESSAGE_FAILED);
}
