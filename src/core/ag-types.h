/* ag-types.h: forward declarations of the library's classes, so headers can name each other
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _AgSignal    AgSignal;
typedef struct _AgSession   AgSession;
typedef struct _AgChannel   AgChannel;
typedef struct _AgCall      AgCall;

G_END_DECLS
