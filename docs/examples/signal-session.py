#!/usr/bin/python3
# signal-session.py: the spec's Signal and LoginSession classes from Python.
#
# Two accounts log in, exchange peer messages (with and without ttl), set and read user
# attributes, and log out. A second login of an account that is logged in is ignored (208).
#
# Against an agsignald with the demo app (`agsignald --demo`), from a build tree:
#   GI_TYPELIB_PATH=build/src/core LD_LIBRARY_PATH=build/src/core \
#     /usr/bin/python3 docs/examples/signal-session.py [ws://127.0.0.1:7070/v1]
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import sys

import gi

gi.require_version('Ag', '1')
from gi.repository import Ag, GLib  # noqa: E402

uri = sys.argv[1] if len(sys.argv) > 1 else Ag.DEFAULT_SERVER_URI
loop = GLib.MainLoop()
problems = []


def check(ok, what):
    """Notes what went wrong; the example exits 1 if anything did."""
    if not ok:
        problems.append(what)
        print('unexpected:', what)
        loop.quit()
    return ok


sig = Ag.Signal.new('demo')
sig.props.server_uri = uri
logged_in = set()


def on_login_success(session, uid):
    print('%s logged in with uid %d' % (session.props.account, uid))
    logged_in.add(session.props.account)
    if logged_in == {'alice', 'bob'}:
        # The spec's messageInstantSend (account, msg): the peer must be online.
        alice.message_instant_send('bob', 'hello bob')


def on_login_failed(session, ecode):
    check(False, '%s: login failed with %d' % (session.props.account, ecode))


alice = sig.login('alice', '_no_need_token')
bob = sig.login('bob', '_no_need_token')
for session in (alice, bob):
    session.connect('login-success', on_login_success)
    session.connect('login-failed', on_login_failed)


def on_bob_receives(session, account, uid, msg):
    print('bob got %r from %s' % (msg, account))
    # The async form: the callback gets what follows it in the call (here a note), after the
    # source object and the result. The ttl is explicit in the _async form.
    bob.message_instant_send_async('alice', 'hi alice', 0, None, on_reply_sent, 'bob → alice')


def on_reply_sent(session, result, note):
    try:
        stored = session.message_instant_send_finish(result)
    except GLib.Error as error:
        check(False, '%s failed: %s (%d)' % (note, error.message, error.code))
        return
    print('%s: %s' % (note, 'stored for later' if stored else 'delivered'))


def on_alice_receives(session, account, uid, msg):
    print('alice got %r from %s' % (msg, account))
    # Logging in again while logged in is ignored: the same session comes back and reports
    # 208 through its error signal.
    again = sig.login('alice', '_no_need_token')
    check(again == alice, 'a second login made a new session')


def on_alice_error(session, ecode, reason):
    if not check(ecode == Ag.Error.LOGIN_E_ALREADY_LOGIN, 'alice error %d %s' % (ecode, reason)):
        return
    print('second login ignored: %d %s' % (ecode, reason))
    # The spec's userSetAttr: the answer is onUserSetAttr (err, ret), err "" on success.
    alice.user_set_attr('mood', 'cheerful')


def on_user_set_attr(session, err, ret):
    if not check(err == '', 'user_set_attr: %r' % err):
        return
    print('user-set-attr: err %r, ret %s' % (err, ret))
    bob.user_get_attr('alice', 'mood')


def on_user_get_attr(session, err, ret):
    result = json.loads(ret)
    if not check(err == '' and result['value'] == 'cheerful', 'user_get_attr: %r' % ret):
        return
    print('user-get-attr: %s' % ret)
    # The typed form of userGetAttrAll: a dict, and a failure raises.
    bob.user_get_attr_all_async('alice', None, on_attrs)


def on_attrs(session, result):
    attrs = session.user_get_attr_all_finish(result)
    if not check(attrs == {'mood': 'cheerful'}, 'attributes %r' % attrs):
        return
    print('alice has %r' % attrs)
    # The spec's messageInstantSend (account, msg, ttl): carol is offline, the server keeps
    # the message for her for a minute.
    sent_to.append('carol')
    alice.message_instant_send_full('carol', 'see you later', 60)


sent_to = ['bob']


def on_send_success(session):
    peer = sent_to.pop(0)
    print('alice: message to %s accepted' % peer)
    if peer == 'carol':
        for s in (alice, bob):
            s.logout()


def on_send_error(session, ecode):
    check(False, '%s: message failed with %d' % (session.props.account, ecode))


logouts = []


def on_logout(session, ecode):
    print('%s logged out (%d)' % (session.props.account, ecode))
    logouts.append(ecode)
    if len(logouts) == 2:
        loop.quit()


alice.connect('message-instant-receive', on_alice_receives)
bob.connect('message-instant-receive', on_bob_receives)
alice.connect('error', on_alice_error)
alice.connect('user-set-attr', on_user_set_attr)
bob.connect('user-get-attr', on_user_get_attr)
alice.connect('message-send-success', on_send_success)
alice.connect('message-send-error', on_send_error)
for session in (alice, bob):
    session.connect('logout', on_logout)

GLib.timeout_add_seconds(10, lambda: check(False, 'timed out') and False)
loop.run()

if not check(logouts == [101, 101], 'logouts %r' % logouts) or problems:
    sys.exit(1)
print('done')
