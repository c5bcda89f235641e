/* ag-console-login-dialog.h: the New Session dialog
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <agsignal.h>

#include "ag-console-log-model.h"

G_BEGIN_DECLS

#define AG_CONSOLE_TYPE_LOGIN_DIALOG (ag_console_login_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleLoginDialog, ag_console_login_dialog, AG_CONSOLE, LOGIN_DIALOG, AdwWindow)

/* Emits "logged-in" (AgSession *session, AgConsoleLogModel *log) once a login succeeded, then
 * closes. log already holds the signals the session received while logging in. */
AgConsoleLoginDialog *ag_console_login_dialog_new          (GtkWindow            *parent);

void                  ag_console_login_dialog_set_server   (AgConsoleLoginDialog *self,
                                                            const char           *server_uri,
                                                            const char           *app_id);
void                  ag_console_login_dialog_set_account  (AgConsoleLoginDialog *self,
                                                            const char           *account);
void                  ag_console_login_dialog_set_token    (AgConsoleLoginDialog *self,
                                                            const char           *token);
void                  ag_console_login_dialog_set_certificate (AgConsoleLoginDialog *self,
                                                               const char           *certificate);
/* Starts logging in, as the Log In button does. */
void                  ag_console_login_dialog_submit       (AgConsoleLoginDialog *self);

gboolean              ag_console_login_dialog_get_busy     (AgConsoleLoginDialog *self);
/* The failure shown, e.g. "Login failed: 206 LOGIN_E_TOKENWRONG", or NULL. */
const char           *ag_console_login_dialog_get_error_text (AgConsoleLoginDialog *self);

/* The sessions already open (AgSession), to warn when the account typed is one of them on
 * the same server and app: the server keeps one session per account, so logging in again
 * logs the other out (103). */
void                  ag_console_login_dialog_set_open_sessions   (AgConsoleLoginDialog *self,
                                                                   GPtrArray            *sessions);
/* That warning, or NULL. */
const char           *ag_console_login_dialog_get_account_warning (AgConsoleLoginDialog *self);

/* Why the account typed would be refused ("An account cannot contain spaces: …"), shown
 * under the field before anything is sent; NULL when it is fine or empty. */
const char           *ag_console_login_dialog_get_account_problem (AgConsoleLoginDialog *self);

G_END_DECLS
