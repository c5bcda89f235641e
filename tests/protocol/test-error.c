/* test-error.c: the AG_ERROR domain, code names and the AgError GType
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib-object.h>

#include "ag-error.h"
#include "ag-protocol-enums.h"

/* Every code of ag-error.h with the name the spec's tables give it. */
static const struct {
  int         code;
  const char *name;
} known_codes[] = {
  { 0, "SUCCESS" },
  { 100, "LOGOUT_E_OTHER" },
  { 101, "LOGOUT_E_USER" },
  { 102, "LOGOUT_E_NET" },
  { 103, "LOGOUT_E_KICKED" },
  { 104, "LOGOUT_E_PACKET" },
  { 105, "LOGOUT_E_TOKENEXPIRED" },
  { 106, "LOGOUT_E_OLDVERSION" },
  { 107, "LOGOUT_E_TOKENWRONG" },
  { 108, "LOGOUT_E_ALREADY_LOGOUT" },
  { 200, "LOGIN_E_OTHER" },
  { 201, "LOGIN_E_NET" },
  { 202, "LOGIN_E_FAILED" },
  { 203, "LOGIN_E_CANCEL" },
  { 204, "LOGIN_E_TOKENEXPIRED" },
  { 205, "LOGIN_E_OLDVERSION" },
  { 206, "LOGIN_E_TOKENWRONG" },
  { 207, "LOGIN_E_TOKEN_KICKED" },
  { 208, "LOGIN_E_ALREADY_LOGIN" },
  { 209, "LOGIN_E_INVALID_USER" },
  { 300, "JOINCHANNEL_E_OTHER" },
  { 400, "SENDMESSAGE_E_OTHER" },
  { 401, "SENDMESSAGE_E_TIMEOUT" },
  { 500, "QUERYUSERNUM_E_OTHER" },
  { 501, "QUERYUSERNUM_E_TIMEOUT" },
  { 502, "QUERYUSERNUM_E_BYUSER" },
  { 600, "LEAVECHANNEL_E_OTHER" },
  { 601, "LEAVECHANNEL_E_KICKED" },
  { 602, "LEAVECHANNEL_E_BYUSER" },
  { 603, "LEAVECHANNEL_E_LOGOUT" },
  { 604, "LEAVECHANNEL_E_DISCONN" },
  { 700, "INVITE_E_OTHER" },
  { 701, "INVITE_E_REINVITE" },
  { 702, "INVITE_E_NET" },
  { 703, "INVITE_E_PEEROFFLINE" },
  { 704, "INVITE_E_TIMEOUT" },
  { 705, "INVITE_E_CANTRECV" },
  { 1000, "GENERAL_E" },
  { 1001, "GENERAL_E_FAILED" },
  { 1002, "GENERAL_E_UNKNOWN" },
  { 1003, "GENERAL_E_NOT_LOGIN" },
  { 1004, "GENERAL_E_WRONG_PARAM" },
  { 1005, "GENERAL_E_LARGE_PARAM" },
  { 1100, "LIMIT_E_USER_RATE" },
  { 1101, "LIMIT_E_CHANNEL_RATE" },
  { 1102, "LIMIT_E_ATTR_RATE" },
  { 1103, "LIMIT_E_CHANNEL_FULL" },
  { 1104, "LIMIT_E_OFFLINE_QUEUE_FULL" },
  { 1105, "LIMIT_E_SLOW_CONSUMER" },
  { 1106, "LIMIT_E_LOGIN_TIMEOUT" },
  { 1107, "LIMIT_E_TOO_MANY_ATTRS" },
  { 1108, "LIMIT_E_TOO_MANY_USER_ATTRS" },
  { 1109, "LIMIT_E_TOO_MANY_CHANNELS" },
  { 1110, "LIMIT_E_REQUEST_RATE" },
  { 1111, "LIMIT_E_TOO_MANY_CALLS" },
  { 1112, "LIMIT_E_OFFLINE_STORAGE_FULL" },
  { 1113, "LIMIT_E_MEMORY_BUDGET" },
  { 1200, "PROTO_E_MALFORMED" },
  { 1201, "PROTO_E_UNKNOWN_OP" },
  { 1202, "PROTO_E_NOT_IN_CHANNEL" },
  { 1203, "PROTO_E_NO_SUCH_CALL" },
  { 1204, "PROTO_E_PEER_OFFLINE" },
  { 1205, "PROTO_E_READ_ONLY_CHANNEL" },
  { 1300, "ADMIN_E_UNAUTHORIZED" },
  { 1301, "ADMIN_E_NO_SUCH_USER" },
  { 1302, "ADMIN_E_NO_SUCH_CHANNEL" },
  { 1303, "ADMIN_E_WRONG_MODE" },
  { 1310, "LOGOUT_E_ADMIN_KICKED" },
};

static void
test_error_names (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_codes); i++) {
    const char *description = ag_error_code_describe (known_codes[i].code);

    g_assert_cmpstr (ag_error_code_name (known_codes[i].code), ==, known_codes[i].name);
    g_assert_nonnull (description);
    g_assert_cmpstr (description, !=, "");
    g_assert_cmpstr (description, !=, ag_error_code_describe (-1));
  }
}

static void
test_error_unknown (void)
{
  static const int unknown[] = { -1, 1, 99, 109, 210, 301, 706, 999, 1006, 1114, 1206, 1304,
                                 G_MAXINT, G_MININT };

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++) {
    g_assert_null (ag_error_code_name (unknown[i]));
    g_assert_cmpstr (ag_error_code_describe (unknown[i]), ==, "Unknown error code");
  }
}

static void
test_error_quark (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (AG_ERROR, !=, 0);
  g_assert_cmpuint (AG_ERROR, ==, ag_error_quark ());
  g_assert_cmpstr (g_quark_to_string (AG_ERROR), ==, "ag-error-quark");

  error = g_error_new_literal (AG_ERROR, AG_ERROR_LOGIN_E_TOKENWRONG, "token wrong");
  g_assert_error (error, AG_ERROR, 206);
}

static void
test_error_gtype (void)
{
  g_autoptr(GEnumClass) klass = NULL;
  GType type = AG_TYPE_ERROR;

  g_assert_true (G_TYPE_IS_ENUM (type));
  g_assert_cmpstr (g_type_name (type), ==, "AgError");

  klass = g_type_class_ref (type);
  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (known_codes));

  for (guint i = 0; i < G_N_ELEMENTS (known_codes); i++) {
    GEnumValue *value = g_enum_get_value (klass, known_codes[i].code);
    g_autofree char *expected_name = g_strconcat ("AG_ERROR_", known_codes[i].name, NULL);

    g_assert_nonnull (value);
    g_assert_cmpstr (value->value_name, ==, expected_name);
  }

  g_assert_cmpint (g_enum_get_value_by_nick (klass, "login-e-tokenwrong")->value, ==, 206);
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "proto-e-unknown-op")->value, ==, 1201);
  g_assert_null (g_enum_get_value (klass, 1206));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/error/names", test_error_names);
  g_test_add_func ("/ag/error/unknown", test_error_unknown);
  g_test_add_func ("/ag/error/quark", test_error_quark);
  g_test_add_func ("/ag/error/gtype", test_error_gtype);

  return g_test_run ();
}
