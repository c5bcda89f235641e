/* ag-console-call-matrix.h: who of the open sessions is calling whom, in which state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_CALL_MATRIX (ag_console_call_matrix_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleCallMatrix, ag_console_call_matrix, AG_CONSOLE, CALL_MATRIX, GtkWidget)

/* The sessions are the session pages of tab_view. */
GtkWidget *ag_console_call_matrix_new           (AdwTabView          *tab_view);
/* Reads every session's calls again (done four times a second while shown). */
void       ag_console_call_matrix_refresh       (AgConsoleCallMatrix *self);
/* What the cell of caller's row and callee's column says ("" when caller never called
 * callee), or NULL when either is not an open session. */
char      *ag_console_call_matrix_dup_cell_text (AgConsoleCallMatrix *self,
                                                 const char          *caller,
                                                 const char          *callee);

G_END_DECLS
