#!/usr/bin/python3
# test-gi.py: libagsignal through GObject Introspection, against a real agsignald.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import re
import subprocess
import sys
import tempfile

import gi

gi.require_version('Ag', '1')
from gi.repository import Ag, GLib, GObject  # noqa: E402

TIMEOUT_MS = 10000


class Server:
    """agsignald on 127.0.0.1 and a free port, with the demo app."""

    ADMIN_KEY = 'gi-admin-key-0123456789'

    def __init__(self):
        self.key_file = tempfile.NamedTemporaryFile('w', prefix='agsignald-key-')
        self.key_file.write(self.ADMIN_KEY + '\n')
        self.key_file.flush()
        self.process = subprocess.Popen(
            [os.environ['AGSIGNALD'], '--listen', '127.0.0.1:0', '--demo',
             '--admin-key-file', self.key_file.name],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        match = re.search(r'agsignald listening on (ws://\S+)', line)
        if match is None:
            self.process.kill()
            raise RuntimeError('agsignald did not start: %r' % line)
        self.uri = match.group(1)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self.key_file.close()


def spin_until(condition):
    """Iterates the main context until condition() holds, for at most TIMEOUT_MS."""
    context = GLib.MainContext.default()
    timed_out = []
    source = GLib.timeout_add(TIMEOUT_MS, lambda: timed_out.append(True) or False)
    while not condition() and not timed_out:
        context.iteration(True)
    if not timed_out:
        GLib.source_remove(source)
    return condition()


class Test:
    def __init__(self):
        self.results = []

    def check(self, name, ok, detail=''):
        self.results.append((name, ok, detail))

    def report(self):
        print('1..%d' % len(self.results))
        failed = 0
        for number, (name, ok, detail) in enumerate(self.results, 1):
            print('%s %d %s%s' % ('ok' if ok else 'not ok', number, name,
                                  '' if ok else ' # ' + detail))
            failed += not ok
        return 1 if failed else 0


def main():
    test = Test()
    server = Server()
    try:
        signal = Ag.Signal.new('demo')
        test.check('/ag/gi/defaults',
                   signal.get_status() == Ag.Status.INITIAL and int(Ag.Status.INITIAL) == 4
                   and signal.props.server_uri == 'ws://127.0.0.1:7070/v1',
                   'status %r, uri %r' % (signal.get_status(), signal.props.server_uri))
        signal.props.server_uri = server.uri

        # Every class's signals can be listed once a signal object exists, before any call:
        # from the typelib, and from the GType.
        from_typelib = sorted(info.get_name() for info in Ag.Call.__info__.get_signals())
        from_gtype = sorted(GObject.signal_list_names(Ag.Call))
        test.check('/ag/gi/call-signals-listed',
                   'invite-msg' in from_gtype and 'request-failed' in from_gtype
                   and from_typelib == from_gtype
                   and 'channel-user-list' in GObject.signal_list_names(Ag.Channel)
                   and 'invite-received' in GObject.signal_list_names(Ag.Session),
                   'typelib %r, gtype %r' % (from_typelib, from_gtype))

        logins = {}

        def on_login_success(session, uid):
            logins[session.props.account] = uid

        alice = signal.login('alice', '_no_need_token')
        bob = signal.login('bob', '_no_need_token')
        for session in (alice, bob):
            session.connect('login-success', on_login_success)

        spin_until(lambda: len(logins) == 2)
        test.check('/ag/gi/login',
                   len(logins) == 2 and logins['alice'] == alice.props.uid > 0
                   and logins['bob'] == bob.props.uid > 0
                   and alice.get_status() == Ag.Status.LOGGED_IN,
                   'logins %r' % logins)

        received = []
        sent = []
        bob.connect('message-instant-receive',
                    lambda session, account, uid, msg: received.append((account, uid, msg)))
        alice.connect('message-send-success', lambda session: sent.append(True))
        alice.message_instant_send('bob', 'hello from python')
        spin_until(lambda: received and sent)
        test.check('/ag/gi/message',
                   received == [('alice', alice.props.uid, 'hello from python')] and sent,
                   'received %r' % received)

        # An async call with a typed result, and an AG_ERROR carrying the spec's code.
        outcome = []
        alice.message_instant_send_async(
            'nobody', 'anyone?', 0, None,
            lambda session, result: outcome.append(_finish_send(session, result)))
        spin_until(lambda: outcome)
        test.check('/ag/gi/error-code',
                   outcome and outcome[0] == ('error', int(Ag.Error.PROTO_E_PEER_OFFLINE),
                                               Ag.error_quark(), True),
                   'outcome %r' % outcome)

        # The channel roster is a live list model of Ag.Member.
        joined = []
        users = []
        channel = bob.channel_join('lobby')
        channel.connect('channel-joined', lambda channel: joined.append(True))
        spin_until(lambda: joined)
        alice_channel = alice.channel_join('lobby')
        alice_channel.connect('channel-user-list',
                              lambda channel, accounts, uids: users.append((accounts, uids)))
        spin_until(lambda: users and channel.props.member_count == 2)
        members = [(m.props.account, m.props.uid) for m in channel.props.members]
        test.check('/ag/gi/channel',
                   users == [(['bob'], [bob.props.uid])]
                   and members == [('bob', bob.props.uid), ('alice', alice.props.uid)],
                   'users %r, members %r' % (users, members))

        # _finish functions return their value (a failure raises), no (True, value) tuples.
        values = {}
        alice.channel_query_user_num_async(
            'lobby', None, lambda session, result: values.__setitem__(
                'num', session.channel_query_user_num_finish(result)))
        alice.query_user_status_async(
            'bob', None, lambda session, result: values.__setitem__(
                'online', session.query_user_status_finish(result)))
        alice.channel_query_user_is_in_async(
            'lobby', 'bob', None, lambda session, result: values.__setitem__(
                'is_in', session.channel_query_user_is_in_finish(result)))
        signal.channel_query_user_num_async(
            'lobby', None, lambda sig, result: values.__setitem__(
                'signal_num', sig.channel_query_user_num_finish(result)))
        spin_until(lambda: len(values) == 4)
        test.check('/ag/gi/finish-values',
                   values == {'num': 2, 'online': True, 'is_in': True, 'signal_num': 2},
                   'values %r' % values)

        # The attribute results: the spec's (err, ret) with err "" on success, and typed
        # results from the _finish functions.
        attr_signals = []
        alice.connect('user-set-attr', lambda session, err, ret: attr_signals.append((err, ret)))
        bob.connect('user-get-attr', lambda session, err, ret: attr_signals.append((err, ret)))
        alice.user_set_attr('color', 'blue')
        spin_until(lambda: len(attr_signals) == 1)
        bob.user_get_attr('alice', 'color')
        spin_until(lambda: len(attr_signals) == 2)
        typed = {}
        bob.user_get_attr_async('alice', 'color', None, lambda session, result: typed.__setitem__(
            'value', session.user_get_attr_finish(result)))
        bob.user_get_attr_all_async('alice', None, lambda session, result: typed.__setitem__(
            'all', session.user_get_attr_all_finish(result)))
        spin_until(lambda: len(typed) == 2)
        test.check('/ag/gi/user-attr',
                   len(attr_signals) == 2 and attr_signals[0][0] == ''
                   and json.loads(attr_signals[0][1]) == {'result': 'ok', 'reason': ''}
                   and attr_signals[1][0] == ''
                   and json.loads(attr_signals[1][1]) == {'result': 'ok', 'account': 'alice',
                                                          'name': 'color', 'value': 'blue'}
                   and typed == {'value': 'blue', 'all': {'color': 'blue'}},
                   'signals %r, typed %r' % (attr_signals, typed))

        # An operator's live view through GI: the models, a typed request and a dict of stats.
        admin = Ag.Admin.new(server.uri, 'demo')
        connected = []
        admin.connect_async(Server.ADMIN_KEY, None,
                            lambda admin, result: connected.append(admin.connect_finish(result)))
        spin_until(lambda: connected)
        accounts = [user.props.account for user in admin.get_users()]
        stats = []
        admin.get_stats_async(None, lambda admin, result: stats.append(
            admin.get_stats_finish(result).unpack()))
        spin_until(lambda: stats)
        pages = []
        admin.list_members_async('lobby', 0, 1, None, lambda admin, result: pages.append(
            admin.list_members_finish(result)))
        spin_until(lambda: pages)
        page_members, page_total, page_next = pages[0] if pages else (None, 0, 0)
        test.check('/ag/gi/admin',
                   connected == [True] and admin.props.state == Ag.AdminState.LIVE
                   and accounts == ['alice', 'bob'] and admin.props.n_channels == 1
                   and admin.lookup_channel('lobby').props.members == 2
                   and stats and stats[0]['users_online'] == 2
                   and stats[0]['server.sessions'] == 2
                   and [m.props.account for m in page_members] == ['bob']
                   and page_total == 2 and page_next == 1,
                   'connected %r, accounts %r, stats %r, page %r' % (connected, accounts,
                                                                     stats, pages))
        admin.disconnect()

        logouts = []
        for session in (alice, bob):
            session.connect('logout', lambda session, code: logouts.append(code))
            session.logout()
        spin_until(lambda: len(logouts) == 2)
        test.check('/ag/gi/logout', logouts == [101, 101] and
                   signal.props.status == Ag.Status.NOT_LOGGED_IN, 'logouts %r' % logouts)
    finally:
        server.stop()

    return test.report()


def _finish_send(session, result):
    try:
        stored = session.message_instant_send_finish(result)
        return ('ok', stored)
    except GLib.Error as error:
        # The enum is paired with the quark as an error domain, so the enum names the domain.
        return ('error', error.code, GLib.quark_from_string(error.domain),
                error.matches(Ag.Error.quark(), Ag.Error.PROTO_E_PEER_OFFLINE))


if __name__ == '__main__':
    sys.exit(main())
