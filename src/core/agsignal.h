/* agsignal.h: the single public include of libagsignal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define AGSIGNAL_INSIDE

#include <glib-object.h>
#include <gio/gio.h>

#include "ag-error.h"
#include "ag-protocol-enums.h"
#include "ag-signal.h"
#include "ag-session.h"
#include "ag-channel.h"
#include "ag-call.h"
#include "ag-frame-tap.h"
#include "ag-member.h"
#include "ag-attribute.h"
#include "ag-admin-user.h"
#include "ag-admin-channel.h"
#include "ag-admin.h"
#include "ag-enums.h"

#undef AGSIGNAL_INSIDE
