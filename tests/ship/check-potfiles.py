#!/usr/bin/env python3
"""Checks that po/POTFILES.in lists exactly the files with translatable strings.

A file with strings that is missing from the list keeps its strings out of the template, so
they are never translated, and no other check notices. Prints TAP.

usage: check-potfiles.py SOURCE_ROOT
"""

import os
import re
import sys

MARKERS = re.compile(r'''(?x)
    \b(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dpgettext2|g_dcgettext)\s*\(
  | translatable="yes"
''')
SCANNED = (
    ('src', ('.c', '.h')),
    ('ui', ('.ui',)),
    ('data', ('.desktop.in', '.metainfo.xml.in', '.gschema.xml')),
)


def strip_c_comments(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', '', text, flags=re.S)


def has_strings(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if path.endswith(('.c', '.h')):
        return MARKERS.search(strip_c_comments(text)) is not None
    if path.endswith('.desktop.in'):
        return re.search(r'^(Name|GenericName|Comment|Keywords)=', text, re.M) is not None
    if path.endswith('.metainfo.xml.in'):
        return '<summary>' in text
    if path.endswith('.gschema.xml'):
        return '<summary>' in text or '<description>' in text
    return MARKERS.search(text) is not None


def main():
    top = sys.argv[1]
    with open(os.path.join(top, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        listed = [line.strip() for line in f
                  if line.strip() and not line.lstrip().startswith('#')]

    wanted = set()
    for folder, suffixes in SCANNED:
        for root, _dirs, files in os.walk(os.path.join(top, folder)):
            for name in files:
                path = os.path.join(root, name)
                if name.endswith(suffixes) and has_strings(path):
                    wanted.add(os.path.relpath(path, top))

    tests = [
        ('every listed file exists',
         [p for p in listed if not os.path.isfile(os.path.join(top, p))]),
        ('no file is listed twice',
         sorted({p for p in listed if listed.count(p) > 1})),
        ('every file with translatable strings is listed', sorted(wanted - set(listed))),
        ('every listed file has translatable strings',
         sorted(p for p in set(listed) - wanted if os.path.isfile(os.path.join(top, p)))),
    ]

    print('1..%d' % len(tests))
    failed = 0
    for number, (description, offenders) in enumerate(tests, 1):
        print('%s %d - %s' % ('not ok' if offenders else 'ok', number, description))
        for path in offenders:
            print('# %s' % path)
        failed += bool(offenders)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
