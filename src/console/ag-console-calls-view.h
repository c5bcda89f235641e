/* ag-console-calls-view.h: a session's calls, placing new ones and answering incoming ones
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CALLS_VIEW (ag_console_calls_view_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleCallsView, ag_console_calls_view, AG_CONSOLE, CALLS_VIEW, AdwBin)

/* The calls a view keeps by default ("history-limit"). */
#define AG_CONSOLE_CALLS_VIEW_HISTORY_LIMIT 1000

/* Lists the session's calls, newest first, with where each one stands. Incoming calls
 * (invite-received) are listed too; they are answered in the session page's banners, which
 * the list's Answer button brings up ("answer-requested"). */
GtkWidget  *ag_console_calls_view_new                  (AgSession          *session);

AgSession  *ag_console_calls_view_get_session          (AgConsoleCallsView *self);

/* Opens the Call dialog prefilled with peer and channel (either may be NULL; the channel
 * defaults to the session's current one). */
void        ag_console_calls_view_place_call           (AgConsoleCallsView *self,
                                                        const char         *peer,
                                                        const char         *channel);

/* The calls shown (a GListModel of AgCall), newest first. */
GListModel *ag_console_calls_view_get_calls            (AgConsoleCallsView *self);

/* The stage of a call as the list shows it ("Ringing (received by peer)", "Failed: 703
 * INVITE_E_PEEROFFLINE", ...). */
char       *ag_console_calls_view_dup_stage_text       (AgConsoleCallsView *self,
                                                        AgCall             *call);

/* The number naming a call in the view's actions ("calls.end", "calls.answer"), 0 for a
 * call the view does not list. */
guint       ag_console_calls_view_get_call_id          (AgConsoleCallsView *self,
                                                        AgCall             *call);

/* Every call of the session, including those cleared from the list, oldest first, one JSON
 * object per line: session, id, direction, peer, channel, extra, started (ISO 8601), states
 * ([{"state": "inviting", "ms": 0}, ...], milliseconds since the call was listed), ring_ms
 * (until it rang at the callee), answer_ms (until accepted), talk_ms (accepted to end),
 * end_ms, end ("refused-by-peer", "ended-by-me", "failed", ... or null while going on),
 * code (the failure's error code, else 0) and peer_extra. What "Export History…" writes. */
char       *ag_console_calls_view_dup_history_jsonl    (AgConsoleCallsView *self);

/* The open Call dialog, or NULL. */
GtkWidget  *ag_console_calls_view_get_call_dialog      (AgConsoleCallsView *self);

G_END_DECLS
