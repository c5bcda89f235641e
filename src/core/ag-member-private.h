/* ag-member-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-member.h"

G_BEGIN_DECLS

AgMember *_ag_member_new     (const char *account,
                              guint       uid);
void      _ag_member_set_uid (AgMember   *self,
                              guint       uid);

G_END_DECLS
