#!/usr/bin/env python3
"""Checks that every language in po/LINGUAS translates every current string.

msgfmt's statistics alone would pass a .po file that was never updated after new strings
were written, so the template is extracted afresh from po/POTFILES.in (with the keywords of
meson's 'glib' gettext preset, as po/meson.build uses) and msgcmp checks each language
against it. Prints TAP.

usage: check-translations.py SOURCE_ROOT
"""

import os
import re
import subprocess
import sys
import tempfile

XGETTEXT_ARGS = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
]

results = []


def check(ok, description, detail=''):
    results.append((bool(ok), description, detail.strip()))


def main():
    top = sys.argv[1]
    po_dir = os.path.join(top, 'po')
    with open(os.path.join(po_dir, 'LINGUAS'), encoding='utf-8') as f:
        languages = [w for line in f if not line.startswith('#') for w in line.split()]
    check({'de', 'zh_CN'} <= set(languages), 'LINGUAS lists German and Simplified Chinese',
          repr(languages))

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'agsignal.pot')
        run = subprocess.run(['xgettext', '--package-name=agsignal', '-D', top,
                              '--files-from=' + os.path.join(po_dir, 'POTFILES.in'),
                              '-o', pot] + XGETTEXT_ARGS,
                             capture_output=True, text=True)
        check(run.returncode == 0 and os.path.isfile(pot),
              'xgettext extracts the strings of po/POTFILES.in', run.stderr)
        if run.returncode != 0:
            languages = []

        for lang in languages:
            po = os.path.join(po_dir, lang + '.po')
            run = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                                 capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'))
            stats = run.stderr
            translated = re.search(r'(\d+) translated message', stats)
            clean = (run.returncode == 0 and translated is not None and
                     'fuzzy' not in stats and 'untranslated' not in stats)
            check(clean, '%s.po compiles with 0 fuzzy and 0 untranslated messages' % lang, stats)

            run = subprocess.run(['msgcmp', po, pot], capture_output=True, text=True,
                                 env=dict(os.environ, LC_ALL='C'))
            check(run.returncode == 0,
                  '%s.po translates every string of the current sources' % lang,
                  '\n'.join(run.stderr.splitlines()[:40]))

            with open(po, encoding='utf-8') as f:
                header = f.read(4000)
            check(re.search(r'"Language: %s\\n"' % re.escape(lang), header) and
                  'Plural-Forms:' in header and 'charset=UTF-8' in header,
                  '%s.po declares its language, plural forms and UTF-8' % lang)

    print('1..%d' % len(results))
    for number, (ok, description, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, description))
        if not ok:
            for line in detail.splitlines():
                print('# ' + line)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
