/* ag-member.h: one member of a channel's roster
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(AGSIGNAL_INSIDE) && !defined(AGSIGNAL_COMPILATION)
# error "Only <agsignal.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define AG_TYPE_MEMBER (ag_member_get_type ())

G_DECLARE_FINAL_TYPE (AgMember, ag_member, AG, MEMBER, GObject)

const char *ag_member_get_account (AgMember *self);
guint       ag_member_get_uid     (AgMember *self);

G_END_DECLS
