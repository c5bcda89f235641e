/* ag-attribute.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-attribute-private.h"

/**
 * AgAttribute:
 *
 * One attribute of a channel, an item of [method@Channel.get_attributes].
 *
 * The value changes in place when the channel's attribute is updated; the model then also
 * reports the item as changed, so sorted and filtered views follow.
 */
struct _AgAttribute {
  GObject  parent_instance;

  char    *name;
  char    *value;
};

G_DEFINE_FINAL_TYPE (AgAttribute, ag_attribute, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_attribute_finalize (GObject *object)
{
  AgAttribute *self = AG_ATTRIBUTE (object);

  g_free (self->name);
  g_free (self->value);

  G_OBJECT_CLASS (ag_attribute_parent_class)->finalize (object);
}

static void
ag_attribute_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AgAttribute *self = AG_ATTRIBUTE (object);

  switch (prop_id) {
  case PROP_NAME:
    g_value_set_string (value, self->name);
    break;

  case PROP_VALUE:
    g_value_set_string (value, self->value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_attribute_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  AgAttribute *self = AG_ATTRIBUTE (object);

  switch (prop_id) {
  case PROP_NAME:
    self->name = g_value_dup_string (value);
    break;

  case PROP_VALUE:
    _ag_attribute_set_value (self, g_value_get_string (value));
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_attribute_class_init (AgAttributeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_attribute_finalize;
  object_class->get_property = ag_attribute_get_property;
  object_class->set_property = ag_attribute_set_property;

  /**
   * AgAttribute:name:
   *
   * The attribute's name.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgAttribute:value:
   *
   * The attribute's current value.
   */
  properties[PROP_VALUE] =
    g_param_spec_string ("value", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_attribute_init (AgAttribute *self)
{
}

AgAttribute *
_ag_attribute_new (const char *name,
                   const char *value)
{
  return g_object_new (AG_TYPE_ATTRIBUTE,
                       "name", name,
                       "value", value,
                       NULL);
}

gboolean
_ag_attribute_set_value (AgAttribute *self,
                         const char  *value)
{
  g_return_val_if_fail (AG_IS_ATTRIBUTE (self), FALSE);

  if (g_strcmp0 (self->value, value) == 0)
    return FALSE;

  g_free (self->value);
  self->value = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);

  return TRUE;
}

/**
 * ag_attribute_get_name:
 * @self: an attribute
 *
 * Gets the attribute's name.
 *
 * Returns: the name
 */
const char *
ag_attribute_get_name (AgAttribute *self)
{
  g_return_val_if_fail (AG_IS_ATTRIBUTE (self), NULL);

  return self->name;
}

/**
 * ag_attribute_get_value:
 * @self: an attribute
 *
 * Gets the attribute's current value.
 *
 * Returns: the value
 */
const char *
ag_attribute_get_value (AgAttribute *self)
{
  g_return_val_if_fail (AG_IS_ATTRIBUTE (self), NULL);

  return self->value;
}
