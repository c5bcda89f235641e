#!/usr/bin/python3
# test-dogtail-login.py: a user logs in with the real agsignal-console, over AT-SPI
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dogtail_console  # noqa: E402  (skips the test when the tools are missing)


def main():
    test = dogtail_console.ConsoleTest(4)
    test.start_server()
    test.start_console()

    test.ok(test.find('combo box', 'Profile') is not None,
            'the console opens the New Session dialog at start')
    test.ok(test.log_in('alice'), 'alice logs in: the status says "Logged in"')
    test.ok(test.find('label', 'alice') is not None and test.find('label', 'uid 1') is not None,
            'the session tab shows the account and its uid')

    # The server sees alice online: a peer asks.
    bob = test.peer('bob')
    answer = {}

    def status_cb(source, result):
        try:
            answer['online'] = source.query_user_status_finish(result)
        except dogtail_console.GLib.Error:
            answer['online'] = False

    bob.query_user_status_async('alice', None, status_cb)
    test.spin_until(lambda: 'online' in answer)
    test.ok(answer.get('online') is True, 'the server reports alice online')

    return test.finish()


if __name__ == '__main__':
    sys.exit(main())
