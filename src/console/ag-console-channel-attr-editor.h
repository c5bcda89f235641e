/* ag-console-channel-attr-editor.h: view and edit the attributes of a session's channel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CHANNEL_ATTR_EDITOR (ag_console_channel_attr_editor_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleChannelAttrEditor, ag_console_channel_attr_editor,
                      AG_CONSOLE, CHANNEL_ATTR_EDITOR, AdwBin)

/* Follows the session's current channel (its "channel" property). */
GtkWidget  *ag_console_channel_attr_editor_new         (AgSession                  *session);

AgSession  *ag_console_channel_attr_editor_get_session (AgConsoleChannelAttrEditor *self);

/* Checks a name/value pair against the protocol's limits and, for the built-in attributes
 * the server acts on, their value syntax. Returns FALSE with a translated reason in
 * out_reason when the server would refuse it. */
gboolean    ag_console_channel_attr_validate            (const char                 *name,
                                                         const char                 *value,
                                                         char                      **out_reason);

/* The meaning of a built-in attribute (translated), or NULL for any other name. */
const char *ag_console_channel_attr_describe_builtin    (const char                 *name);

G_END_DECLS
