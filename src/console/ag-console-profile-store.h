/* ag-console-profile-store.h: connection profiles in GSettings, their secrets in the keyring
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ag-console-profile.h"

G_BEGIN_DECLS

/**
 * AgConsoleSecretKind:
 * @AG_CONSOLE_SECRET_CERTIFICATE: the app certificate, to mint tokens for testing
 * @AG_CONSOLE_SECRET_TOKEN: a token to log in with
 */
typedef enum {
  AG_CONSOLE_SECRET_CERTIFICATE,
  AG_CONSOLE_SECRET_TOKEN,
} AgConsoleSecretKind;

#define AG_CONSOLE_TYPE_PROFILE_STORE (ag_console_profile_store_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleProfileStore, ag_console_profile_store, AG_CONSOLE, PROFILE_STORE, GObject)

AgConsoleProfileStore *ag_console_profile_store_new            (GSettings              *settings);

/* A GListModel of AgConsoleProfile, in the order of the setting. */
GListModel            *ag_console_profile_store_get_profiles   (AgConsoleProfileStore  *self);
AgConsoleProfile      *ag_console_profile_store_lookup         (AgConsoleProfileStore  *self,
                                                                const char             *name);
/* Adds a profile (FALSE when the name is empty or taken) and saves the setting. */
gboolean               ag_console_profile_store_add            (AgConsoleProfileStore  *self,
                                                                AgConsoleProfile       *profile);
/* Removes the profile and its secrets. */
void                   ag_console_profile_store_remove         (AgConsoleProfileStore  *self,
                                                                const char             *name);

/* Secrets live in the keyring (schema "org.agsignal.Console.Secret", attributes "profile" and
 * "kind"). Without a secret service these fail with an error the caller shows. An empty or
 * NULL secret deletes the stored one. */
void                   ag_console_profile_store_save_secret_async   (AgConsoleProfileStore  *self,
                                                                     const char             *profile,
                                                                     AgConsoleSecretKind     kind,
                                                                     const char             *secret,
                                                                     GCancellable           *cancellable,
                                                                     GAsyncReadyCallback     callback,
                                                                     gpointer                user_data);
gboolean               ag_console_profile_store_save_secret_finish  (AgConsoleProfileStore  *self,
                                                                     GAsyncResult           *result,
                                                                     GError                **error);
/* Completes with the secret, or NULL and no error when none is stored. */
void                   ag_console_profile_store_lookup_secret_async (AgConsoleProfileStore  *self,
                                                                     const char             *profile,
                                                                     AgConsoleSecretKind     kind,
                                                                     GCancellable           *cancellable,
                                                                     GAsyncReadyCallback     callback,
                                                                     gpointer                user_data);
char                  *ag_console_profile_store_lookup_secret_finish (AgConsoleProfileStore *self,
                                                                      GAsyncResult          *result,
                                                                      GError               **error);

G_END_DECLS
