/* test-token.c: SignalingToken make and verify
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib.h>
#include <string.h>

#include "ag-token.h"

#define ACCOUNT  "alice"
#define APP_ID   "APPID"
#define CERT     "CERT"
#define EXPIRY   G_GINT64_CONSTANT (1700000000)

/* printf '%s' 'aliceAPPIDCERT1700000000' | md5sum */
#define V1_DIGEST "3f9c3b98135bb02e340ccdac2ad358ad"
#define V1_PREFIX "1:APPID:1700000000:"
#define V1_TOKEN  V1_PREFIX V1_DIGEST

/* printf '%s' 'alice:APPID:1700000000' | openssl dgst -sha256 -hmac CERT */
#define V2_TOKEN \
  "2:APPID:1700000000:bd4b675f935059716a908f2f843d7936f7d6a0afe67cb0548ee7e525f0657746"

static void
test_token_known_vector (void)
{
  g_autofree char *token = ag_token_make (ACCOUNT, APP_ID, CERT, EXPIRY);
  g_autofree char *token_v2 = ag_token_make_v2 (ACCOUNT, APP_ID, CERT, EXPIRY);
  gint64 expired_ts = 0;

  g_assert_cmpstr (token, ==, V1_TOKEN);
  g_assert_cmpstr (token_v2, ==, V2_TOKEN);

  g_assert_cmpint (ag_token_verify (V1_TOKEN, ACCOUNT, APP_ID, CERT, EXPIRY - 1, &expired_ts),
                   ==, AG_TOKEN_VALID);
  g_assert_cmpint (expired_ts, ==, EXPIRY);

  expired_ts = 0;
  g_assert_cmpint (ag_token_verify (V2_TOKEN, ACCOUNT, APP_ID, CERT, EXPIRY - 1, &expired_ts),
                   ==, AG_TOKEN_VALID);
  g_assert_cmpint (expired_ts, ==, EXPIRY);
}

static void
test_token_expiry (void)
{
  g_autofree char *token_v2 = ag_token_make_v2 (ACCOUNT, APP_ID, CERT, EXPIRY);
  const char *tokens[] = { V1_TOKEN, token_v2 };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++) {
    gint64 expired_ts = -1;

    /* Valid up to the second before expiredTs; from expiredTs on it is expired. */
    g_assert_cmpint (ag_token_verify (tokens[i], ACCOUNT, APP_ID, CERT, 0, NULL),
                     ==, AG_TOKEN_VALID);
    g_assert_cmpint (ag_token_verify (tokens[i], ACCOUNT, APP_ID, CERT, EXPIRY - 1, NULL),
                     ==, AG_TOKEN_VALID);
    g_assert_cmpint (ag_token_verify (tokens[i], ACCOUNT, APP_ID, CERT, EXPIRY, &expired_ts),
                     ==, AG_TOKEN_EXPIRED);
    g_assert_cmpint (expired_ts, ==, -1);
    g_assert_cmpint (ag_token_verify (tokens[i], ACCOUNT, APP_ID, CERT, EXPIRY + 1, NULL),
                     ==, AG_TOKEN_EXPIRED);
    g_assert_cmpint (ag_token_verify (tokens[i], ACCOUNT, APP_ID, CERT, G_MAXINT64, NULL),
                     ==, AG_TOKEN_EXPIRED);
  }
}

static void
test_token_wrong_inputs (void)
{
  g_autofree char *token_v2 = ag_token_make_v2 (ACCOUNT, APP_ID, CERT, EXPIRY);
  const char *tokens[] = { V1_TOKEN, token_v2 };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++) {
    const char *token = tokens[i];

    g_assert_cmpint (ag_token_verify (token, "bob", APP_ID, CERT, 0, NULL), ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, "Alice", APP_ID, CERT, 0, NULL), ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, "", APP_ID, CERT, 0, NULL), ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, "APPID2", CERT, 0, NULL),
                     ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, "appid", CERT, 0, NULL),
                     ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, "APPI", CERT, 0, NULL), ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, APP_ID, "CERT2", 0, NULL),
                     ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, APP_ID, "", 0, NULL), ==, AG_TOKEN_WRONG);

    /* A wrong digest is wrong even when the token would also have expired. */
    g_assert_cmpint (ag_token_verify (token, "bob", APP_ID, CERT, EXPIRY + 1, NULL),
                     ==, AG_TOKEN_WRONG);

    g_assert_cmpint (ag_token_verify (token, NULL, APP_ID, CERT, 0, NULL), ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, NULL, CERT, 0, NULL), ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (token, ACCOUNT, APP_ID, NULL, 0, NULL), ==, AG_TOKEN_WRONG);
  }

  g_assert_cmpint (ag_token_verify (NULL, ACCOUNT, APP_ID, CERT, 0, NULL), ==, AG_TOKEN_WRONG);
}

static void
test_token_tampered (void)
{
  g_autofree char *later = ag_token_make (ACCOUNT, APP_ID, CERT, EXPIRY + 1000);
  g_autofree char *digest_v1 = NULL;
  g_autofree char *swapped = NULL;
  g_autofree char *flipped = NULL;

  /* A longer expiry with the old digest. */
  swapped = g_strdup_printf ("1:APPID:%" G_GINT64_FORMAT ":%s", EXPIRY + 1000, V1_DIGEST);
  g_assert_cmpint (ag_token_verify (swapped, ACCOUNT, APP_ID, CERT, 0, NULL),
                   ==, AG_TOKEN_WRONG);
  g_assert_cmpint (ag_token_verify (later, ACCOUNT, APP_ID, CERT, EXPIRY, NULL),
                   ==, AG_TOKEN_VALID);

  /* The v1 digest presented as a v2 token, and the reverse. */
  digest_v1 = g_strdup ("2:APPID:1700000000:" V1_DIGEST);
  g_assert_cmpint (ag_token_verify (digest_v1, ACCOUNT, APP_ID, CERT, 0, NULL),
                   ==, AG_TOKEN_WRONG);

  /* Every single flipped digest character is caught. */
  flipped = g_strdup (V1_TOKEN);
  for (gsize i = strlen (V1_PREFIX); flipped[i] != '\0'; i++) {
    char saved = flipped[i];

    flipped[i] = saved == '0' ? '1' : '0';
    g_assert_cmpint (ag_token_verify (flipped, ACCOUNT, APP_ID, CERT, 0, NULL),
                     ==, AG_TOKEN_WRONG);
    flipped[i] = saved;
  }
  g_assert_cmpint (ag_token_verify (flipped, ACCOUNT, APP_ID, CERT, 0, NULL),
                   ==, AG_TOKEN_VALID);
}

static void
test_token_malformed (void)
{
  g_autofree char *overlong = NULL;
  g_autofree char *long_ts = NULL;
  GString *huge = g_string_new ("1:APPID:1700000000:");
  static const char * const malformed[] = {
    "",
    ":",
    "1",
    "1:",
    "1::",
    "1:::",
    "1:APPID",
    "1:APPID:",
    "1:APPID:1700000000",
    "1:APPID:1700000000:",
    "1::1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID::3f9c3b98135bb02e340ccdac2ad358ad",
    "3:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "0:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "11:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    " 1:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad ",
    "1:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad:",
    "1:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358a",
    "1:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad0",
    "1:APPID:1700000000:3F9C3B98135BB02E340CCDAC2AD358AD",
    "1:APPID:1700000000:zf9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:+1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:-1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID: 1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:01700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:0x65:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:1.7e9:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:9223372036854775808:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:99999999999999999999:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APP:ID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
    "1:APPID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad\n",
    "_no_need_token",
  };

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    g_test_message ("token: %s", malformed[i]);
    g_assert_cmpint (ag_token_verify (malformed[i], ACCOUNT, APP_ID, CERT, 0, NULL),
                     ==, AG_TOKEN_WRONG);
  }

  /* An app id that holds ':' never matches, whatever the token says. */
  g_assert_cmpint (ag_token_verify ("1:AP:ID:1700000000:3f9c3b98135bb02e340ccdac2ad358ad",
                                    ACCOUNT, "AP:ID", CERT, 0, NULL), ==, AG_TOKEN_WRONG);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (huge, 'a');
  g_assert_cmpint (ag_token_verify (huge->str, ACCOUNT, APP_ID, CERT, 0, NULL),
                   ==, AG_TOKEN_WRONG);
  g_string_free (huge, TRUE);

  overlong = g_strnfill (5000, '1');
  long_ts = g_strdup_printf ("1:APPID:%s:3f9c3b98135bb02e340ccdac2ad358ad", overlong);
  g_assert_cmpint (ag_token_verify (long_ts, ACCOUNT, APP_ID, CERT, 0, NULL),
                   ==, AG_TOKEN_WRONG);
}

static void
test_token_v2_round_trip (void)
{
  static const struct {
    const char *account;
    const char *app_id;
    const char *cert;
    gint64      expiry;
  } cases[] = {
    { "alice", "demo", "secret", 1 },
    { "bob:with:colons", "0123456789abcdef0123456789abcdef", "c3rt",
      G_GINT64_CONSTANT (4102444800) },
    { "ünïcødé 🙂", "app", "k", G_MAXINT64 },
    { "x", "y", "", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *v1 = ag_token_make (cases[i].account, cases[i].app_id, cases[i].cert,
                                         cases[i].expiry);
    g_autofree char *v2 = ag_token_make_v2 (cases[i].account, cases[i].app_id, cases[i].cert,
                                            cases[i].expiry);
    g_autofree char *prefix = g_strdup_printf ("2:%s:%" G_GINT64_FORMAT ":",
                                               cases[i].app_id, cases[i].expiry);
    gint64 expired_ts = 0;
    AgTokenVerdict expected = cases[i].expiry > 0 ? AG_TOKEN_VALID : AG_TOKEN_EXPIRED;

    g_assert_true (g_str_has_prefix (v2, prefix));
    g_assert_cmpuint (strlen (v2), ==, strlen (prefix) + 64);
    g_assert_cmpstr (v1, !=, v2);

    g_assert_cmpint (ag_token_verify (v2, cases[i].account, cases[i].app_id, cases[i].cert,
                                      0, &expired_ts), ==, expected);
    if (expected == AG_TOKEN_VALID) {
      g_assert_cmpint (expired_ts, ==, cases[i].expiry);
      g_assert_cmpint (ag_token_verify (v1, cases[i].account, cases[i].app_id, cases[i].cert,
                                        0, NULL), ==, AG_TOKEN_VALID);
    }

    g_assert_cmpint (ag_token_verify (v2, "other", cases[i].app_id, cases[i].cert, 0, NULL),
                     ==, AG_TOKEN_WRONG);
    g_assert_cmpint (ag_token_verify (v2, cases[i].account, cases[i].app_id, "other", 0, NULL),
                     ==, AG_TOKEN_WRONG);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/token/known-vector", test_token_known_vector);
  g_test_add_func ("/ag/token/expiry", test_token_expiry);
  g_test_add_func ("/ag/token/wrong-inputs", test_token_wrong_inputs);
  g_test_add_func ("/ag/token/tampered", test_token_tampered);
  g_test_add_func ("/ag/token/malformed", test_token_malformed);
  g_test_add_func ("/ag/token/v2-round-trip", test_token_v2_round_trip);

  return g_test_run ();
}
