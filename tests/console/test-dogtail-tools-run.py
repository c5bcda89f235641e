#!/usr/bin/python3
# test-dogtail-tools-run.py: the README's main command opens the console, in German
#
# Runs tools/run as a user on a machine with a display would, with nothing of the build tree in
# the environment: the console must open uninstalled (settings schema, catalogs and the
# embedded agsignald all come from `meson devenv`), show its windows translated, and log in
# against the embedded server it started. Prints TAP; skips without a display or AT-SPI.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dogtail_console  # noqa: E402  (skips the test when the tools are missing)


def main():
    test = dogtail_console.ConsoleTest(4)
    tools_run = os.path.join(os.environ['AG_SOURCE_ROOT'], 'tools', 'run')
    test.launch([tools_run], test.uninstalled_env({
        'AG_BUILD_DIR': os.environ['AG_BUILD_ROOT'],
        'LANGUAGE': 'de',
        'LC_ALL': 'C.UTF-8',
    }))
    test.wait_for_app()

    test.ok(test.find('combo box', 'Profil') is not None,
            'tools/run opens the console with its New Session dialog')
    log_in = test.find('push button', 'Anmelden')
    test.ok(log_in is not None, 'the dialog is in German: the catalogs of the build tree are used')

    entry = test.find('text', 'Konto')
    if entry is None:
        test.bail('no "Konto" (account) entry in the dialog')
    entry.text = 'erika'
    test.click('push button', 'Anmelden')
    test.ok(test.find_label_containing('Angemeldet') is not None,
            'erika logs in on the embedded server that tools/run started')
    test.ok(test.find('label', 'erika') is not None, 'the session tab names the account')

    return test.finish()


if __name__ == '__main__':
    sys.exit(main())
