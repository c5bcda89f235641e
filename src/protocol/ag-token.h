/* ag-token.h: make and verify SignalingTokens (../shared/reference/signaling-token.md) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "1:APPID:EXPIREDTS:md5hex(account + appId + appCertificate + decimal(expiredTs))" */
char     *ag_token_make   (const char *account,
                           const char *app_id,
                           const char *app_certificate,
                           gint64      expired_ts);

/* "2:APPID:EXPIREDTS:hex(HMAC-SHA256(key = appCertificate, account + ":" + appId + ":" + expiredTs))" */
char     *ag_token_make_v2 (const char *account,
                            const char *app_id,
                            const char *app_certificate,
                            gint64      expired_ts);

typedef enum {
  AG_TOKEN_VALID,
  AG_TOKEN_WRONG,    /* malformed, other app, other account, bad digest: login 206 */
  AG_TOKEN_EXPIRED,  /* right digest, expiredTs <= now: login 204 */
} AgTokenVerdict;

/* Verifies version 1 and version 2 tokens. The digest compare is constant-time.
 * On AG_TOKEN_VALID, *out_expired_ts (if not NULL) receives the token's expiry. */
AgTokenVerdict ag_token_verify (const char *token,
                                const char *account,
                                const char *app_id,
                                const char *app_certificate,
                                gint64      now_seconds,
                                gint64     *out_expired_ts);

G_END_DECLS
