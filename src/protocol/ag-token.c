/* ag-token.c: SignalingTokens, version 1 (MD5, the spec's) and version 2 (HMAC-SHA256)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-token.h"

#include <string.h>

/* Upper bounds of the parts of a token we are willing to look at; anything longer is not a
 * token we could have made. Decimal G_MAXINT64 has 19 digits. */
#define TOKEN_MAX_BYTES    1024
#define TS_MAX_DIGITS      19
#define V1_DIGEST_HEX_LEN  32
#define V2_DIGEST_HEX_LEN  64

static char *
digest_v1 (const char *account,
           const char *app_id,
           const char *app_certificate,
           gint64      expired_ts)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  char ts[32];

  g_snprintf (ts, sizeof ts, "%" G_GINT64_FORMAT, expired_ts);

  g_checksum_update (checksum, (const guchar *) account, strlen (account));
  g_checksum_update (checksum, (const guchar *) app_id, strlen (app_id));
  g_checksum_update (checksum, (const guchar *) app_certificate, strlen (app_certificate));
  g_checksum_update (checksum, (const guchar *) ts, strlen (ts));

  /* GChecksum writes lowercase hex. */
  return g_strdup (g_checksum_get_string (checksum));
}

static char *
digest_v2 (const char *account,
           const char *app_id,
           const char *app_certificate,
           gint64      expired_ts)
{
  g_autoptr(GHmac) hmac = NULL;
  char ts[32];

  g_snprintf (ts, sizeof ts, "%" G_GINT64_FORMAT, expired_ts);

  hmac = g_hmac_new (G_CHECKSUM_SHA256,
                     (const guchar *) app_certificate, strlen (app_certificate));
  g_hmac_update (hmac, (const guchar *) account, strlen (account));
  g_hmac_update (hmac, (const guchar *) ":", 1);
  g_hmac_update (hmac, (const guchar *) app_id, strlen (app_id));
  g_hmac_update (hmac, (const guchar *) ":", 1);
  g_hmac_update (hmac, (const guchar *) ts, strlen (ts));

  return g_strdup (g_hmac_get_string (hmac));
}

/**
 * ag_token_make:
 * @account: the account that will log in
 * @app_id: the app id; it cannot contain ':'
 * @app_certificate: the app's certificate (the shared secret)
 * @expired_ts: Unix seconds from which the token is no longer valid
 *
 * Makes a version 1 SignalingToken, the format of the spec's SDKs:
 * `1:APPID:EXPIREDTS:md5hex(account + appId + appCertificate + decimal(expiredTs))`.
 *
 * Returns: (transfer full): the token
 */
char *
ag_token_make (const char *account,
               const char *app_id,
               const char *app_certificate,
               gint64      expired_ts)
{
  g_autofree char *digest = NULL;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (strchr (app_id, ':') == NULL, NULL);
  g_return_val_if_fail (app_certificate != NULL, NULL);
  g_return_val_if_fail (expired_ts >= 0, NULL);

  digest = digest_v1 (account, app_id, app_certificate, expired_ts);

  return g_strdup_printf ("1:%s:%" G_GINT64_FORMAT ":%s", app_id, expired_ts, digest);
}

/**
 * ag_token_make_v2:
 * @account: the account that will log in
 * @app_id: the app id; it cannot contain ':'
 * @app_certificate: the app's certificate, used as the HMAC key
 * @expired_ts: Unix seconds from which the token is no longer valid
 *
 * Makes a version 2 token: `2:APPID:EXPIREDTS:hex(HMAC-SHA256(appCertificate,
 * account + ":" + appId + ":" + expiredTs))`: a keyed MAC with separated fields, where
 * version 1 hashes the certificate together with public data and fields that can shift into
 * one another ("ab" + "c" and "a" + "bc").
 *
 * Returns: (transfer full): the token
 */
char *
ag_token_make_v2 (const char *account,
                  const char *app_id,
                  const char *app_certificate,
                  gint64      expired_ts)
{
  g_autofree char *digest = NULL;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (strchr (app_id, ':') == NULL, NULL);
  g_return_val_if_fail (app_certificate != NULL, NULL);
  g_return_val_if_fail (expired_ts >= 0, NULL);

  digest = digest_v2 (account, app_id, app_certificate, expired_ts);

  return g_strdup_printf ("2:%s:%" G_GINT64_FORMAT ":%s", app_id, expired_ts, digest);
}

/* Compares two strings of the same length without stopping at the first difference, so the
 * time taken does not tell an attacker how much of a guessed digest was right. */
static gboolean
digest_equal (const char *a,
              const char *b,
              gsize       length)
{
  volatile guchar diff = 0;

  for (gsize i = 0; i < length; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];

  return diff == 0;
}

/* Parses the canonical decimal form only (what ag_token_make writes): digits, no sign, no
 * leading zero, at most 19 digits and within gint64. */
static gboolean
parse_expired_ts (const char *start,
                  gsize       length,
                  gint64     *out_ts)
{
  guint64 value = 0;

  if (length == 0 || length > TS_MAX_DIGITS)
    return FALSE;

  if (start[0] == '0' && length > 1)
    return FALSE;

  for (gsize i = 0; i < length; i++) {
    if (start[i] < '0' || start[i] > '9')
      return FALSE;

    value = value * 10 + (guint64) (start[i] - '0');
  }

  if (value > G_MAXINT64)
    return FALSE;

  *out_ts = (gint64) value;
  return TRUE;
}

/**
 * ag_token_verify:
 * @token: (nullable): the token a client sent
 * @account: (nullable): the account logging in
 * @app_id: (nullable): the app the client logs in to
 * @app_certificate: (nullable): the app's certificate
 * @now_seconds: the current Unix time in seconds
 * @out_expired_ts: (out) (optional): the token's expiry, set when the token is valid
 *
 * Verifies a version 1 or version 2 token for @account in @app_id. Anything malformed
 * (missing or extra parts, a non-decimal or overlong expiry, a digest of the wrong length,
 * another app) is %AG_TOKEN_WRONG. The digest is compared in constant time, and the expiry
 * is only looked at once the digest is right.
 *
 * Returns: the verdict
 */
AgTokenVerdict
ag_token_verify (const char *token,
                 const char *account,
                 const char *app_id,
                 const char *app_certificate,
                 gint64      now_seconds,
                 gint64     *out_expired_ts)
{
  g_autofree char *expected = NULL;
  const char *claimed_app;
  const char *ts_start;
  const char *digest;
  const char *sep;
  gsize token_len;
  gsize digest_len;
  gint64 expired_ts = 0;
  int version;

  if (token == NULL || account == NULL || app_id == NULL || app_certificate == NULL)
    return AG_TOKEN_WRONG;

  token_len = strnlen (token, TOKEN_MAX_BYTES + 1);
  if (token_len > TOKEN_MAX_BYTES)
    return AG_TOKEN_WRONG;

  if (g_str_has_prefix (token, "1:"))
    version = 1;
  else if (g_str_has_prefix (token, "2:"))
    version = 2;
  else
    return AG_TOKEN_WRONG;

  /* App ids contain no ':', so the first ':' after the version ends the app id. */
  claimed_app = token + 2;
  sep = strchr (claimed_app, ':');
  if (sep == NULL || sep == claimed_app)
    return AG_TOKEN_WRONG;

  if ((gsize) (sep - claimed_app) != strlen (app_id) ||
      memcmp (claimed_app, app_id, (gsize) (sep - claimed_app)) != 0)
    return AG_TOKEN_WRONG;

  ts_start = sep + 1;
  sep = strchr (ts_start, ':');
  if (sep == NULL)
    return AG_TOKEN_WRONG;

  if (!parse_expired_ts (ts_start, (gsize) (sep - ts_start), &expired_ts))
    return AG_TOKEN_WRONG;

  digest = sep + 1;
  digest_len = strlen (digest);

  if (version == 1) {
    if (digest_len != V1_DIGEST_HEX_LEN)
      return AG_TOKEN_WRONG;
    expected = digest_v1 (account, app_id, app_certificate, expired_ts);
  } else {
    if (digest_len != V2_DIGEST_HEX_LEN)
      return AG_TOKEN_WRONG;
    expected = digest_v2 (account, app_id, app_certificate, expired_ts);
  }

  g_assert (strlen (expected) == digest_len);

  if (!digest_equal (digest, expected, digest_len))
    return AG_TOKEN_WRONG;

  if (expired_ts <= now_seconds)
    return AG_TOKEN_EXPIRED;

  if (out_expired_ts != NULL)
    *out_expired_ts = expired_ts;

  return AG_TOKEN_VALID;
}
