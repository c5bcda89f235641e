#!/usr/bin/python3
# test-dogtail-channel-message.py: a user joins a channel and talks in it with the real
# agsignal-console, over AT-SPI
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dogtail_console  # noqa: E402  (skips the test when the tools are missing)


def main():
    test = dogtail_console.ConsoleTest(6)
    test.start_server()
    test.start_console()
    if not test.log_in('alice'):
        test.bail('alice could not log in')

    page = test.find('panel', 'Channel')
    if page is None:
        test.bail('no Channel page')
    test.set_text('Channel to join', 'lobby', root=page)
    test.click('push button', 'Join', root=page)
    test.ok(test.find('label', 'In channel “lobby”') is not None, 'alice joined lobby')
    test.ok(test.find('label', '1 member') is not None, 'the roster counts 1 member')

    bob = test.peer('bob')
    bob.channel_join('lobby')
    received = []
    test.spin_until(lambda: bob.props.channel is not None and bob.props.channel.props.joined)
    bob.props.channel.connect('message-channel-receive',
                              lambda channel, account, uid, msg: received.append((account, msg)))
    test.ok(test.find('label', '2 members') is not None, 'bob appears in the roster')

    test.set_text('Channel message', 'hello from the console', root=page)
    test.click('push button', 'Send', root=page)
    test.ok(test.spin_until(lambda: ('alice', 'hello from the console') in received),
            'bob received the message alice typed')
    test.ok(test.find('label', 'Sent') is not None, 'the console marks the message as sent')

    bob.props.channel.message_channel_send('hi alice')
    test.ok(test.find('label', 'hi alice') is not None, "bob's message shows in the console")

    return test.finish()


if __name__ == '__main__':
    sys.exit(main())
