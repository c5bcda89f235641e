/* core-relay.h: a WebSocket relay between a client and agsignald, for tests
 *
 * It stands where a proxy, a NAT or a TLS terminator would: the tests cut its connections to
 * play a network failure, stall it to play a black hole, and serve wss:// through it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CoreRelay CoreRelay;

/* Listens on 127.0.0.1 and a free port; with a certificate it serves wss://. */
CoreRelay  *core_relay_new            (const char      *upstream_uri,
                                       GTlsCertificate *certificate);
void        core_relay_free           (CoreRelay       *relay);

const char *core_relay_get_uri        (CoreRelay       *relay);
/* Where later connections go. */
void        core_relay_set_upstream   (CoreRelay       *relay,
                                       const char      *upstream_uri);
/* Closes every relayed connection on both sides, as a failing network would. */
void        core_relay_cut            (CoreRelay       *relay);
/* While stalled, frames are held in both directions (and released when it resumes). */
void        core_relay_set_stalled    (CoreRelay       *relay,
                                       gboolean         stalled);
/* Connections accepted from clients so far. */
guint       core_relay_get_n_accepted (CoreRelay       *relay);
/* Relayed connections open now. */
guint       core_relay_get_n_open     (CoreRelay       *relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoreRelay, core_relay_free)

G_END_DECLS
