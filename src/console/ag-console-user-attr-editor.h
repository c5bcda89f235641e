/* ag-console-user-attr-editor.h: the session's own user attributes, and those of any account
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_USER_ATTR_EDITOR (ag_console_user_attr_editor_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleUserAttrEditor, ag_console_user_attr_editor,
                      AG_CONSOLE, USER_ATTR_EDITOR, AdwBin)

GtkWidget  *ag_console_user_attr_editor_new           (AgSession               *session);

AgSession  *ag_console_user_attr_editor_get_session   (AgConsoleUserAttrEditor *self);

/* What the editor shows, for tests: the session's own attributes as last read from the
 * server, and the result of the last look-up (name -> value; one entry when a single
 * attribute was asked for, with a NULL value when it is not set). */
GHashTable *ag_console_user_attr_editor_get_own       (AgConsoleUserAttrEditor *self);
GHashTable *ag_console_user_attr_editor_get_looked_up (AgConsoleUserAttrEditor *self);

G_END_DECLS
