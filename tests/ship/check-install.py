#!/usr/bin/env python3
"""Installs the build into a temporary directory and runs what was installed.

`meson install --destdir` puts the whole installation under a temporary root, exactly as a
package build does. The installed agsignald serves the installed example configuration, the
installed agsig talks to it through the installed libagsignal, the console prints its version,
the systemd unit verifies against the installed binary and manual page, and the installed
catalogs translate. Prints TAP.
"""

import argparse
import gzip
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

results = []


def check(ok, description, detail=''):
    results.append((bool(ok), description, str(detail).strip()))
    return bool(ok)


def run(argv, env=None, timeout=60):
    try:
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(argv, -1, '', str(error))


def read_line(process, timeout):
    """One line of the process's stdout within timeout seconds, or None."""
    deadline = time.monotonic() + timeout
    line = b''
    fd = process.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 1)
        if not chunk:
            break
        if chunk == b'\n':
            return line.decode('utf-8', 'replace')
        line += chunk
    return None


def check_server(root, paths, env, version):
    agsignald = root + paths.bindir + '/agsignald'
    agsig = root + paths.bindir + '/agsig'
    example = root + paths.exampledir + '/agsignald.conf'

    server = subprocess.Popen([agsignald, '--config', example, '--listen', '127.0.0.1:0'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line = read_line(server, 10)
        match = re.match(r'agsignald listening on (ws://127\.0\.0\.1:(\d+)/v1)$', line or '')
        if not check(match, 'the installed agsignald serves the installed example configuration',
                     line):
            return
        uri, port = match.group(1), match.group(2)

        try:
            with urllib.request.urlopen('http://127.0.0.1:%s/healthz' % port, timeout=10) as r:
                body = r.read().decode()
        except OSError as error:
            body = str(error)
        check(body == 'ok\n', 'the installed agsignald answers /healthz', repr(body))

        # The example's app "playground" accepts _no_need_token, so agsig can log in.
        result = run([agsig, '--server', uri, '--app-id', 'playground', 'query', 'num', 'lobby'],
                     env=env)
        check(result.returncode == 0 and result.stdout == '0\n',
              'the installed agsig queries it through the installed libagsignal',
              'status %d, stdout %r, stderr %r' % (result.returncode, result.stdout,
                                                   result.stderr))

        result = run([agsig, '--server', uri, '--app-id', 'example', '--account', 'alice',
                      'send', 'bob', 'hi'], env=env)
        check(result.returncode == 1 and '206' in result.stderr,
              'the example app refuses logins without a signed token (206)',
              'status %d, stderr %r' % (result.returncode, result.stderr))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            status = server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            status = server.wait()
        server.stdout.close()
        server.stderr.close()
    check(status == 0, 'the installed agsignald stops cleanly on SIGTERM', 'status %d' % status)


def check_compose(root, paths, tmp):
    """The catalog step of a Flatpak build or a distribution's archive: from the installed
    tree, appstream-compose builds the software centre's entry and renders the icon."""
    if run(['appstreamcli', 'compose', '--help']).returncode != 0:
        results.append((True, 'appstream catalog # SKIP appstream-compose is missing', ''))
        return
    out = os.path.join(tmp, 'compose')
    result = run(['appstreamcli', 'compose', '--no-net', '--print-report=full',
                  '--prefix=' + paths.prefix, '--origin=flatpak', '--result-root=' + out,
                  '--components=org.agsignal.Console', root])
    catalog_dir = out + paths.prefix + '/share/swcatalog'
    catalog = os.path.join(catalog_dir, 'xml', 'flatpak.xml.gz')
    text = ''
    if os.path.isfile(catalog):
        with gzip.open(catalog, 'rt', encoding='utf-8') as f:
            text = f.read()
    check(result.returncode == 0 and '<id>org.agsignal.Console</id>' in text and
          '<name xml:lang="de">' in text and '<name xml:lang="zh_CN">' in text,
          'appstream-compose builds the catalog entry of the console, translated',
          result.stdout + result.stderr)
    icon = os.path.join(catalog_dir, 'icons', 'flatpak', '128x128', 'org.agsignal.Console.png')
    check(os.path.isfile(icon), 'appstream-compose renders the app icon', icon)


def check_unit(root, paths, env):
    unit = root + paths.unitdir + '/agsignald.service'
    if not check(os.path.isfile(unit), 'the systemd unit is installed', unit):
        return
    with open(unit, encoding='utf-8') as f:
        text = f.read()
    for setting in ('DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict'):
        check(re.search(r'^%s$' % re.escape(setting), text, re.M),
              'the systemd unit sets ' + setting)
    check('ExecStart=%s/agsignald ' % paths.bindir in text,
          'the systemd unit starts the agsignald of the prefix')

    analyze = shutil.which('systemd-analyze')
    if analyze is None:
        results.append((True, 'systemd unit verification # SKIP systemd-analyze is missing', ''))
        return
    # systemd-analyze checks that ExecStart names an executable and that the man: page of
    # Documentation= exists, so the copy points into the temporary root.
    staged = os.path.join(os.path.dirname(root), 'agsignald.service')
    with open(staged, 'w', encoding='utf-8') as f:
        f.write(text.replace('ExecStart=' + paths.bindir, 'ExecStart=' + root + paths.bindir))
    verify_env = dict(env, MANPATH=root + paths.mandir, SYSTEMD_LOG_LEVEL='notice')
    result = run([analyze, 'verify', staged], env=verify_env)
    check(result.returncode == 0 and result.stderr.strip() == '',
          'systemd-analyze verify accepts the unit, its binary and its manual page',
          result.stderr)
    result = run([analyze, 'security', '--offline=true', '--threshold=20', staged],
                 env=verify_env)
    exposure = re.search(r'Overall exposure level for \S+: ([\d.]+)', result.stdout)
    check(result.returncode == 0 and exposure,
          'systemd-analyze security rates the unit at most 2.0 (OK)',
          exposure.group(0) if exposure else result.stderr)


def main():
    parser = argparse.ArgumentParser()
    for name in ('meson', 'builddir', 'prefix', 'bindir', 'libdir', 'datadir', 'includedir',
                 'mandir', 'localedir', 'exampledir', 'unitdir', 'version'):
        parser.add_argument('--' + name, required=True)
    for name in ('console', 'gir', 'docs'):
        parser.add_argument('--' + name, choices=('yes', 'no'), required=True)
    paths = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='agsignal-install-') as tmp:
        destdir = os.path.join(tmp, 'root')
        result = run([paths.meson, 'install', '-C', paths.builddir, '--destdir', destdir,
                      '--no-rebuild', '--quiet'], timeout=300)
        if not check(result.returncode == 0, 'meson install into a temporary root',
                     result.stdout + result.stderr):
            return finish()
        root = destdir

        expected = [
            paths.bindir + '/agsignald',
            paths.bindir + '/agsig',
            paths.includedir + '/agsignal-1/agsignal.h',
            paths.libdir + '/pkgconfig/agsignal-1.pc',
            paths.mandir + '/man1/agsignald.1',
            paths.mandir + '/man1/agsig.1',
            paths.exampledir + '/agsignald.conf',
            paths.localedir + '/de/LC_MESSAGES/agsignal.mo',
            paths.localedir + '/zh_CN/LC_MESSAGES/agsignal.mo',
        ]
        if paths.console == 'yes':
            expected += [
                paths.bindir + '/agsignal-console',
                paths.datadir + '/applications/org.agsignal.Console.desktop',
                paths.datadir + '/metainfo/org.agsignal.Console.metainfo.xml',
                paths.datadir + '/icons/hicolor/scalable/apps/org.agsignal.Console.svg',
                paths.datadir + '/icons/hicolor/symbolic/apps/org.agsignal.Console-symbolic.svg',
                paths.datadir + '/glib-2.0/schemas/org.agsignal.Console.gschema.xml',
            ]
        if paths.gir == 'yes':
            expected += [paths.datadir + '/gir-1.0/Ag-1.gir',
                         paths.libdir + '/girepository-1.0/Ag-1.typelib']
        if paths.docs == 'yes':
            expected += [paths.datadir + '/doc/agsignal-1/index.html',
                         paths.datadir + '/doc/agsignal-1/agsignal-1.devhelp2']
        missing = [p for p in expected if not os.path.exists(root + p)]
        check(not missing, 'the installation holds the programs, library, data and docs',
              'missing: %s' % missing)
        libraries = [n for n in os.listdir(root + paths.libdir) if n.startswith('libagsignal-1.so')]
        check('libagsignal-1.so.0' in libraries, 'libagsignal-1.so.0 is installed', libraries)

        env = dict(os.environ, LD_LIBRARY_PATH=root + paths.libdir, LC_ALL='C.UTF-8',
                   LANGUAGE='')
        env.pop('G_DEBUG', None)

        # Installed programs must find the installed library, never the build tree's.
        for program in ('agsignald', 'agsig') + (('agsignal-console',)
                                                 if paths.console == 'yes' else ()):
            result = run(['readelf', '-d', root + paths.bindir + '/' + program])
            check(result.returncode == 0 and os.path.abspath(paths.builddir) not in result.stdout,
                  'the installed %s has no run path into the build directory' % program,
                  result.stderr)

        for program in ('agsignald', 'agsig') + (('agsignal-console',)
                                                 if paths.console == 'yes' else ()):
            result = run([root + paths.bindir + '/' + program, '--version'], env=env)
            check(result.returncode == 0 and
                  result.stdout == '%s %s\n' % (program, paths.version),
                  'the installed %s --version prints "%s %s"' % (program, program, paths.version),
                  'status %d, stdout %r, stderr %r' % (result.returncode, result.stdout,
                                                       result.stderr))

        if paths.console == 'yes':
            schemas = root + paths.datadir + '/glib-2.0/schemas'
            result = run(['glib-compile-schemas', '--strict', schemas])
            check(result.returncode == 0, 'the installed GSettings schema compiles',
                  result.stderr)
            result = run(['desktop-file-validate',
                          root + paths.datadir + '/applications/org.agsignal.Console.desktop'])
            check(result.returncode == 0 and result.stdout.strip() == '',
                  'the installed desktop file validates', result.stdout)
            # Checks the installed metainfo together with the desktop file it launches.
            result = run(['appstreamcli', 'validate-tree', '--no-net', '--strict',
                          root + paths.prefix])
            check(result.returncode == 0,
                  'appstreamcli validates the installed tree (metainfo with its desktop file)',
                  result.stdout + result.stderr)
            check_compose(root, paths, tmp)

        check_server(root, paths, env, paths.version)
        check_unit(root, paths, env)

        # The installed catalogs translate: gettext finds them below the prefix, as the
        # programs do, and returns a translation for a message of the catalog.
        for lang in ('de', 'zh_CN'):
            catalog = root + paths.localedir + '/' + lang + '/LC_MESSAGES/agsignal.mo'
            result = run(['msgunfmt', catalog])
            pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', result.stdout, re.M)
            pairs = [(m, t) for m, t in pairs
                     if m != t and not m.startswith('-') and '\\' not in m and '%' not in m]
            if not check(pairs, 'the installed %s catalog has translations' % lang,
                         result.stderr):
                continue
            msgid, msgstr = pairs[0]
            result = run(['gettext', '-d', 'agsignal', msgid],
                         env=dict(env, TEXTDOMAINDIR=root + paths.localedir, LANGUAGE=lang))
            check(result.stdout == msgstr,
                  'gettext finds the installed %s catalog below the prefix' % lang,
                  '%r -> %r' % (msgid, result.stdout))

    return finish()


def finish():
    print('1..%d' % len(results))
    for number, (ok, description, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, description))
        if not ok:
            for line in detail.splitlines()[:30]:
                print('# ' + line)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
