#!/usr/bin/python3
# test-dogtail-peer-message.py: a user exchanges peer messages with the real agsignal-console,
# over AT-SPI
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dogtail_console  # noqa: E402  (skips the test when the tools are missing)


def main():
    test = dogtail_console.ConsoleTest(5)
    test.start_server()
    test.start_console()
    if not test.log_in('alice'):
        test.bail('alice could not log in')

    bob = test.peer('bob')
    received = []
    bob.connect('message-instant-receive', lambda session, account, uid, msg: received.append((account, msg)))

    # A message from a new peer opens a conversation in the Messages page.
    bob.message_instant_send('alice', 'ping from bob')
    test.click('page tab', 'Messages')
    page = test.find('panel', 'Peer Messages')
    if page is None:
        test.bail('no Messages page')
    test.ok(test.find('label', 'ping from bob', root=page) is not None,
            "bob's message shows in the Messages page")
    test.ok(test.find('label', 'bob', root=page) is not None, 'the conversation is named after bob')

    test.set_text('Peer message', root=page, text='pong from alice')
    test.click('push button', 'Send', root=page)
    test.ok(test.spin_until(lambda: ('alice', 'pong from alice') in received),
            'bob received the answer alice typed')

    # An offline peer with a TTL: stored for offline delivery.
    test.set_text('Peer account', 'dave', root=page)
    test.click('push button', 'Start conversation', root=page)
    test.set_text('TTL (seconds)', '600', role='spin button', root=page)
    test.set_text('Peer message', root=page, text='see you later')
    test.click('push button', 'Send', root=page)
    test.ok(test.find('label', 'Stored for offline delivery', root=page) is not None,
            'a message to an offline peer with a TTL is stored for offline delivery')

    got = []
    test.peer('dave', {'message-instant-receive': lambda session, account, uid, msg: got.append(msg)})
    test.ok(test.spin_until(lambda: 'see you later' in got),
            'dave gets the stored message when he logs in')

    return test.finish()


if __name__ == '__main__':
    sys.exit(main())
