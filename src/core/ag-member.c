/* ag-member.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-member-private.h"

/**
 * AgMember:
 *
 * One account in a channel's roster, an item of [method@Channel.get_members].
 *
 * The spec gives a channel's members as parallel lists of accounts and uids
 * (`onChannelUserList`); here each member is an object so the roster can be a
 * [iface@Gio.ListModel].
 */
struct _AgMember {
  GObject  parent_instance;

  char    *account;
  guint    uid;
};

G_DEFINE_FINAL_TYPE (AgMember, ag_member, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_UID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_member_finalize (GObject *object)
{
  AgMember *self = AG_MEMBER (object);

  g_free (self->account);

  G_OBJECT_CLASS (ag_member_parent_class)->finalize (object);
}

static void
ag_member_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  AgMember *self = AG_MEMBER (object);

  switch (prop_id) {
  case PROP_ACCOUNT:
    g_value_set_string (value, self->account);
    break;

  case PROP_UID:
    g_value_set_uint (value, self->uid);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_member_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  AgMember *self = AG_MEMBER (object);

  switch (prop_id) {
  case PROP_ACCOUNT:
    self->account = g_value_dup_string (value);
    break;

  case PROP_UID:
    _ag_member_set_uid (self, g_value_get_uint (value));
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
ag_member_class_init (AgMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_member_finalize;
  object_class->get_property = ag_member_get_property;
  object_class->set_property = ag_member_set_property;

  /**
   * AgMember:account:
   *
   * The member's account.
   */
  properties[PROP_ACCOUNT] =
    g_param_spec_string ("account", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AgMember:uid:
   *
   * The uid the server gave the account.
   */
  properties[PROP_UID] =
    g_param_spec_uint ("uid", NULL, NULL,
                       0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_member_init (AgMember *self)
{
}

AgMember *
_ag_member_new (const char *account,
                guint       uid)
{
  return g_object_new (AG_TYPE_MEMBER,
                       "account", account,
                       "uid", uid,
                       NULL);
}

void
_ag_member_set_uid (AgMember *self,
                    guint     uid)
{
  g_return_if_fail (AG_IS_MEMBER (self));

  if (self->uid == uid)
    return;

  self->uid = uid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UID]);
}

/**
 * ag_member_get_account:
 * @self: a member
 *
 * Gets the member's account.
 *
 * Returns: the account
 */
const char *
ag_member_get_account (AgMember *self)
{
  g_return_val_if_fail (AG_IS_MEMBER (self), NULL);

  return self->account;
}

/**
 * ag_member_get_uid:
 * @self: a member
 *
 * Gets the uid the server gave the member's account.
 *
 * Returns: the uid
 */
guint
ag_member_get_uid (AgMember *self)
{
  g_return_val_if_fail (AG_IS_MEMBER (self), 0);

  return self->uid;
}
