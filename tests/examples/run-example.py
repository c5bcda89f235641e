#!/usr/bin/python3
# run-example.py: runs an example program against a real agsignald.
#
# Starts $AGSIGNALD with the demo app on 127.0.0.1 and a free port, runs the program with the
# server's URI as its last argument, and exits with the program's status (77, skipped, when
# the program cannot be started).
#
# usage: run-example.py PROGRAM [ARGUMENT...]
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess
import sys

TIMEOUT_S = 60


def main():
    server = subprocess.Popen([os.environ['AGSIGNALD'], '--listen', '127.0.0.1:0', '--demo'],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r'agsignald listening on (ws://\S+)', line)
        if match is None:
            print('agsignald did not start: %r' % line)
            return 1
        try:
            return subprocess.run(sys.argv[1:] + [match.group(1)], timeout=TIMEOUT_S).returncode
        except FileNotFoundError as error:
            print(error)
            return 77
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


if __name__ == '__main__':
    sys.exit(main())
