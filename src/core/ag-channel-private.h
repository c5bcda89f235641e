/* ag-channel-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "ag-channel.h"
#include "ag-frame.h"

G_BEGIN_DECLS

AgChannel *_ag_channel_new             (AgSession     *session,
                                        const char    *name);

/* The join reply came: fills the roster (with the session's own member) and attributes, then
 * emits channel-joined and channel-user-list. */
void       _ag_channel_joined          (AgChannel     *self,
                                        const AgFrame *reply,
                                        const char    *own_account,
                                        guint          own_uid);
/* A re-join after a reconnection: brings the models in line with the new reply and reports
 * the differences as member and attribute signals, without channel-joined. */
void       _ag_channel_rejoined        (AgChannel     *self,
                                        const AgFrame *reply,
                                        const char    *own_account,
                                        guint          own_uid);
void       _ag_channel_join_failed     (AgChannel     *self,
                                        int            code);
/* Emits channel-leaved (code) if the channel was joined. */
void       _ag_channel_left            (AgChannel     *self,
                                        int            code);
void       _ag_channel_handle_event    (AgChannel     *self,
                                        const AgFrame *event);

G_END_DECLS
