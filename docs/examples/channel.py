#!/usr/bin/python3
# channel.py: the spec's Channel class from Python.
#
# alice and bob join a channel, see each other in the roster (plain lists, and a live list
# model), set an attribute, exchange a channel message, get a refused request reported on the
# channel, and leave.
#
# Against an agsignald with the demo app (`agsignald --demo`), from a build tree:
#   GI_TYPELIB_PATH=build/src/core LD_LIBRARY_PATH=build/src/core \
#     /usr/bin/python3 docs/examples/channel.py [ws://127.0.0.1:7070/v1]
#
# SPDX-License-Identifier: LGPL-2.1-or-later

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
alice = sig.login('alice', '_no_need_token')
bob = sig.login('bob', '_no_need_token')
channels = {}


def join(session):
    # channel_join returns the channel at once; channel-joined follows.
    channel = session.channel_join('lobby')
    channels[session.props.account] = channel
    channel.connect('channel-joined', on_joined)
    channel.connect('channel-user-list', on_user_list)
    channel.connect('channel-user-joined', on_user_joined)
    channel.connect('channel-user-leaved', on_user_leaved)
    channel.connect('channel-attr-updated', on_attr_updated)
    channel.connect('message-channel-receive', on_message)
    channel.connect('request-failed', on_request_failed)
    channel.connect('channel-leaved', on_leaved)


def members_of(channel):
    """The live roster, a Gio.ListModel of Ag.Member."""
    return [(member.props.account, member.props.uid) for member in channel.props.members]


def on_joined(channel):
    print('%s joined %s' % (channel.props.session.props.account, channel.props.name))
    # bob joins once alice is in, so that he finds her there.
    if channel.props.session == alice and bob.props.status == Ag.Status.LOGGED_IN:
        join(bob)


def on_login_success(session, uid):
    if session == alice:
        join(alice)
    elif 'alice' in channels and channels['alice'].props.joined:
        join(bob)


def on_user_list(channel, accounts, uids):
    # The spec's onChannelUserList (accounts, uids): two plain lists, newest first.
    me = channel.props.session.props.account
    print('%s: already here: %r, uids %r' % (me, accounts, uids))
    if me == 'bob':
        check(accounts == ['alice'] and uids == [alice.props.uid], 'roster %r %r'
              % (accounts, uids))


def on_user_joined(channel, account, uid):
    print('%s: %s (%d) joined; members %r' % (channel.props.session.props.account, account, uid,
                                               members_of(channel)))
    if account == 'bob':
        channel.channel_set_attr('topic', 'weekly sync')


updates = []


def on_attr_updated(channel, name, value, kind):
    me = channel.props.session.props.account
    print('%s: attribute %s = %r (%s)' % (me, name, value, kind))
    updates.append(me)
    if sorted(updates) == ['alice', 'bob']:
        attrs = [(a.props.name, a.props.value) for a in channels['bob'].props.attributes]
        check(attrs == [('topic', 'weekly sync')], 'attributes %r' % attrs)
        channels['bob'].message_channel_send('hello everyone')


received = []


def on_message(channel, account, uid, msg):
    me = channel.props.session.props.account
    print('%s: %s says %r' % (me, account, msg))
    received.append(me)
    if sorted(received) == ['alice', 'bob']:
        # A refused request made without _async reaches the channel, with what it was.
        channels['alice'].channel_set_attr('_channel_ttl', 'soon')


def on_request_failed(channel, request, argument, ecode, reason):
    print('%s: %s (%s) refused: %d %s' % (channel.props.session.props.account, request,
                                          argument, ecode, reason))
    if check(request == 'channelSetAttr' and argument == '_channel_ttl'
             and ecode == Ag.Error.GENERAL_E_WRONG_PARAM, 'error %s %d' % (request, ecode)):
        channels['bob'].channel_leave()


def on_user_leaved(channel, account, uid):
    print('%s: %s left' % (channel.props.session.props.account, account))
    channel.channel_leave()


leaves = []


def on_leaved(channel, ecode):
    print('%s left %s (%d)' % (channel.props.session.props.account, channel.props.name, ecode))
    leaves.append(ecode)
    if len(leaves) == 2:
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

GLib.timeout_add_seconds(10, lambda: check(False, 'timed out') and False)
loop.run()

if not check(leaves == [602, 602] and logouts == [101, 101],
             'leaves %r, logouts %r' % (leaves, logouts)) or problems:
    sys.exit(1)
print('done')
