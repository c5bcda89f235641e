/* ag-attribute.h: one name/value pair of a channel's attributes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define AG_TYPE_ATTRIBUTE (ag_attribute_get_type ())

G_DECLARE_FINAL_TYPE (AgAttribute, ag_attribute, AG, ATTRIBUTE, GObject)

const char *ag_attribute_get_name  (AgAttribute *self);
const char *ag_attribute_get_value (AgAttribute *self);

G_END_DECLS
