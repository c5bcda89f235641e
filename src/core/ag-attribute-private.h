/* ag-attribute-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-attribute.h"

G_BEGIN_DECLS

AgAttribute *_ag_attribute_new       (const char  *name,
                                      const char  *value);
/* Returns TRUE when the value changed. */
gboolean     _ag_attribute_set_value (AgAttribute *self,
                                      const char  *value);

G_END_DECLS
