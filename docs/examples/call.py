#!/usr/bin/python3
# call.py: the spec's Call class from Python.
#
# alice invites bob with an `extra`, bob accepts, they exchange DTMF digits and a message about
# the call, and alice ends it.
#
# Against an agsignald with the demo app (`agsignald --demo`), from a build tree:
#   GI_TYPELIB_PATH=build/src/core LD_LIBRARY_PATH=build/src/core \
#     /usr/bin/python3 docs/examples/call.py [ws://127.0.0.1:7070/v1]
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import sys

import gi

gi.require_version('Ag', '1')
from gi.repository import Ag, GLib, GObject  # noqa: E402

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

# A call has no constructor, but its signals can be listed as soon as a signal object exists.
print('Ag.Call signals:', ', '.join(sorted(GObject.signal_list_names(Ag.Call))))

alice = sig.login('alice', '_no_need_token')
bob = sig.login('bob', '_no_need_token')
logged_in = []
calls = {}


def on_login_success(session, uid):
    logged_in.append(session)
    if len(logged_in) == 2:
        # The spec's channelInviteUser2 (channel, peer, extra): the call object comes back at
        # once, its signals report what follows.
        call = alice.channel_invite_user2('room-42', 'bob', json.dumps({'kind': 'voice'}))
        calls['alice'] = call
        call.connect('invite-received-by-peer', lambda call: print('alice: bob is ringing'))
        call.connect('invite-accepted-by-peer', on_accepted)
        call.connect('invite-failed', lambda call, ecode: check(False, 'invite failed %d' % ecode))
        call.connect('invite-msg', on_msg)
        call.connect('invite-end-by-myself', on_end_by_myself)


def on_invite_received(session, call):
    # The spec's onInviteReceived (session, call): the call is ringing.
    print('bob: %s calls about %s with %s' % (call.props.peer, call.props.channel,
                                              call.props.extra))
    check(call.props.state == Ag.CallState.RINGING
          and json.loads(call.props.extra) == {'kind': 'voice'}, 'incoming %r' % call.props.extra)
    calls['bob'] = call
    call.connect('invite-msg', on_msg)
    call.connect('invite-end-by-peer', on_end_by_peer)
    call.connect('request-failed', lambda call, request, argument, ecode, reason:
                 check(False, '%s failed: %d' % (request, ecode)))
    call.channel_invite_accept(json.dumps({'camera': False}))


def on_accepted(call, extra):
    print('alice: bob accepted with %s; the call is %s' % (extra, call.props.state.value_nick))
    # Digits go as a DTMF message; the other side gets invite-msg with the type "DTMF".
    call.channel_invite_dtmf('12#')


def on_msg(call, msg_type, msg):
    # The spec's onInviteMsg has one `extra` string; here it comes as the message's type
    # (DTMF, or a word the sender chose) and its text.
    me = call.props.session.props.account
    print('%s: %s message %r' % (me, msg_type, msg))
    if me == 'bob':
        check(msg_type == 'DTMF' and msg == '12#', 'dtmf %r %r' % (msg_type, msg))
        call.send_message('chat', 'one moment')
    else:
        check(msg_type == 'chat', 'message %r' % msg_type)
        call.channel_invite_end(None)


ended = []


def on_end_by_myself(call, extra):
    print('alice: call ended (%s)' % call.props.state.value_nick)
    ended.append('alice')
    finish()


def on_end_by_peer(call, extra):
    print('bob: alice hung up (%s)' % call.props.state.value_nick)
    ended.append('bob')
    finish()


def finish():
    if len(ended) == 2:
        for session in (alice, bob):
            session.logout()


logouts = []


def on_logout(session, ecode):
    logouts.append(ecode)
    if len(logouts) == 2:
        loop.quit()


for session in (alice, bob):
    session.connect('login-success', on_login_success)
    session.connect('logout', on_logout)
bob.connect('invite-received', on_invite_received)

GLib.timeout_add_seconds(10, lambda: check(False, 'timed out') and False)
loop.run()

if not check(sorted(ended) == ['alice', 'bob'] and logouts == [101, 101],
             'ended %r, logouts %r' % (ended, logouts)) or problems:
    sys.exit(1)
print('done')
