#!/usr/bin/env python3
"""Checks the manual pages: they format without warnings, carry the project version, and
document every option and command the programs' --help lists, so a new option cannot ship
undocumented. Prints TAP.

usage: check-manpages.py VERSION PAGE PROGRAM [PAGE PROGRAM]...
"""

import os
import re
import subprocess
import sys

results = []


def check(ok, description, detail=''):
    results.append((bool(ok), description, detail.strip()))


def help_text(argv):
    run = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                         env=dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE=''))
    return run.stdout + run.stderr


def options_of(text):
    """The long options of a GOption --help text (the first column of its option lines)."""
    options = set(re.findall(r'^\s+(?:-\w, )?--([a-z][a-z0-9-]*)', text, re.M))
    return {o for o in options if not o.startswith('help-')}


def commands_of(text):
    match = re.search(r'^Commands:\n((?:  \S.*\n)+)', text, re.M)
    return [line.split()[0] for line in match.group(1).splitlines()] if match else []


def roff_text(page):
    with open(page, encoding='utf-8') as f:
        return f.read().replace('\\-', '-')


def main():
    version = sys.argv[1]
    pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))

    for page, program in pairs:
        name = os.path.basename(page)
        run = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', page],
                             capture_output=True, text=True,
                             env=dict(os.environ, LC_ALL='C.UTF-8', MANROFFSEQ='',
                                      MANWIDTH='80'))
        check(run.returncode == 0 and run.stderr.strip() == '',
              '%s formats without warnings' % name, run.stderr)

        source = roff_text(page)
        check(re.search(r'^\.TH \S+ 1 "[^"]*" "agsignal %s"' % re.escape(version), source, re.M),
              '%s names version %s' % (name, version))

        top_help = help_text([program, '--help'])
        documented = set(re.findall(r'--([a-z][a-z0-9-]*)', source))
        missing = sorted(options_of(top_help) - documented)
        check(options_of(top_help) and not missing,
              '%s documents every option of %s --help' % (name, os.path.basename(program)),
              'undocumented: %s' % missing)

        for command in commands_of(top_help):
            check(re.search(r'^\.SS %s\b' % re.escape(command), source, re.M),
                  '%s has a section for the command %s' % (name, command))
            command_help = help_text([program, command, '--help'])
            missing = sorted(options_of(command_help) - documented)
            check(not missing, '%s documents every option of the command %s' % (name, command),
                  'undocumented: %s' % missing)

    print('1..%d' % len(results))
    for number, (ok, description, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, description))
        if not ok:
            for line in detail.splitlines():
                print('# ' + line)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
