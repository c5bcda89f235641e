#!/usr/bin/env python3
"""Checks that the console's app id and names agree everywhere they are written down.

The Flatpak manifest, the desktop entry, the AppStream metainfo, the GSettings schema, the
icons and the application itself must use the same id, or software centres show the app
without its metadata, the shell cannot match windows to the launcher, and settings are lost.
Prints TAP.

usage: check-ids.py SOURCE_ROOT BUILT_DESKTOP_FILE BUILT_METAINFO_FILE
"""

import configparser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

APP_ID = 'org.agsignal.Console'
COMMAND = 'agsignal-console'
GETTEXT_DOMAIN = 'agsignal'
# Exactly the permissions flatpak/README.md justifies.
FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}

results = []


def check(ok, description, detail=''):
    results.append((bool(ok), description, detail))


def png_size(path):
    """Width and height from a PNG file's IHDR chunk, (0, 0) when it is no PNG."""
    with open(path, 'rb') as f:
        header = f.read(24)
    if header[:8] != b'\x89PNG\r\n\x1a\n' or header[12:16] != b'IHDR':
        return (0, 0)
    return (int.from_bytes(header[16:20], 'big'), int.from_bytes(header[20:24], 'big'))


MIN_GNOME_RUNTIME = 49


def main():
    top, desktop_path, metainfo_path = sys.argv[1:4]

    with open(os.path.join(top, 'flatpak', APP_ID + '.json'), encoding='utf-8') as f:
        manifest = json.load(f)
    check(manifest.get('id') == APP_ID, 'the Flatpak manifest has the app id',
          repr(manifest.get('id')))
    check(manifest.get('command') == COMMAND, 'the Flatpak runs ' + COMMAND,
          repr(manifest.get('command')))
    # GNOME runtimes are supported for about a year; 49 is the oldest one accepted (43,
    # the first with GTK 4.8 and libadwaita 1.2, reached its end of life). The code still
    # builds against Debian 12's GTK 4.8 and libadwaita 1.2: the version macros in
    # src/console/meson.build keep newer API out, and silence deprecations newer than 4.8.
    version = manifest.get('runtime-version', '')
    check(manifest.get('runtime') == 'org.gnome.Platform' and
          manifest.get('sdk') == 'org.gnome.Sdk' and
          version.isdigit() and int(version) >= MIN_GNOME_RUNTIME,
          'the Flatpak uses a supported GNOME runtime (%d or newer)' % MIN_GNOME_RUNTIME,
          repr(version))
    names = [m.get('name') if isinstance(m, dict) else m for m in manifest.get('modules', [])]
    check('meson' not in names,
          'the Flatpak builds with the SDK\'s own meson (GNOME 49 ships one newer than 1.0)', repr(names))
    finish_args = set(manifest.get('finish-args', []))
    check(finish_args == FINISH_ARGS, 'the Flatpak asks for exactly the documented permissions',
          'extra: %s, missing: %s' % (sorted(finish_args - FINISH_ARGS),
                                      sorted(FINISH_ARGS - finish_args)))

    with open(os.path.join(top, 'meson_options.txt'), encoding='utf-8') as f:
        options = set(re.findall(r"option\s*\(\s*'([^']+)'", f.read()))
    module = next((m for m in manifest['modules'] if m.get('name') == 'agsignal'), {})
    used = [o[2:].split('=')[0] for o in module.get('config-opts', [])]
    check(used and all(o in options for o in used),
          'the Flatpak sets only options meson_options.txt declares',
          'unknown: %s' % [o for o in used if o not in options])
    sources = module.get('sources', [])
    check(any(s.get('type') == 'dir' and s.get('path') == '..' for s in sources),
          'the Flatpak builds this checkout')

    check(os.path.basename(desktop_path) == APP_ID + '.desktop',
          'the desktop file is named after the app id', desktop_path)
    desktop = configparser.ConfigParser(interpolation=None, strict=False)
    desktop.optionxform = str
    desktop.read(desktop_path, encoding='utf-8')
    entry = desktop['Desktop Entry']
    check(entry.get('Icon') == APP_ID, 'the desktop file names the app icon',
          repr(entry.get('Icon')))
    check(entry.get('Exec', '').split()[0:1] == [COMMAND], 'the desktop file runs ' + COMMAND,
          repr(entry.get('Exec')))
    check(entry.get('Name[de]') and entry.get('Name[zh_CN]') and
          entry.get('Comment[de]') and entry.get('Comment[zh_CN]'),
          'the built desktop file carries the German and Chinese translations')

    metainfo = ET.parse(metainfo_path).getroot()
    check(metainfo.findtext('id') == APP_ID, 'the metainfo has the app id',
          repr(metainfo.findtext('id')))
    check(os.path.basename(metainfo_path) == APP_ID + '.metainfo.xml',
          'the metainfo file is named after the app id', metainfo_path)
    launchable = metainfo.find("launchable[@type='desktop-id']")
    check(launchable is not None and launchable.text == APP_ID + '.desktop',
          'the metainfo launches the desktop file')
    binaries = {b.text for b in metainfo.findall('provides/binary')}
    check({COMMAND, 'agsignald', 'agsig'} <= binaries,
          'the metainfo provides the console, agsignald and agsig', sorted(binaries))
    translation = metainfo.find("translation[@type='gettext']")
    check(translation is not None and translation.text == GETTEXT_DOMAIN,
          'the metainfo names the gettext domain')
    lang = '{http://www.w3.org/XML/1998/namespace}lang'
    check({'de', 'zh_CN'} <= {e.get(lang) for e in metainfo.findall('summary')},
          'the built metainfo carries the German and Chinese summaries')
    screenshots = metainfo.findall('screenshots/screenshot/image')
    shot_dir = os.path.join(top, 'docs', 'screenshots')
    missing, wrong_size = [], []
    for img in screenshots:
        path = os.path.join(shot_dir, img.text.rsplit('/', 1)[-1])
        if not os.path.isfile(path):
            missing.append(img.text)
        elif png_size(path) != (int(img.get('width', 0)), int(img.get('height', 0))):
            wrong_size.append('%s is %dx%d' % ((img.text,) + png_size(path)))
    check(screenshots and not missing, 'every metainfo screenshot is in docs/screenshots/',
          'missing: %s' % missing)
    check(not wrong_size, 'the metainfo gives the real size of every screenshot',
          '; '.join(wrong_size))
    release = metainfo.find('releases/release')
    with open(os.path.join(top, 'meson.build'), encoding='utf-8') as f:
        version = re.search(r"version:\s*'([^']+)'", f.read()).group(1)
    check(release is not None and release.get('version') == version,
          'the newest metainfo release is the project version ' + version,
          release.get('version') if release is not None else 'no release')

    schema = ET.parse(os.path.join(top, 'data', APP_ID + '.gschema.xml')).getroot()
    ids = [s.get('id') for s in schema.findall('schema')]
    check(APP_ID in ids, 'the GSettings schema has the app id', ids)
    main_schema = next((s for s in schema.findall('schema') if s.get('id') == APP_ID), None)
    check(main_schema is not None and
          main_schema.get('path') == '/' + APP_ID.replace('.', '/') + '/',
          'the GSettings schema path follows the app id')
    check(schema.get('gettext-domain') == GETTEXT_DOMAIN, 'the schema names the gettext domain')

    for kind, name in (('scalable', APP_ID + '.svg'), ('symbolic', APP_ID + '-symbolic.svg')):
        path = os.path.join(top, 'data', 'icons', 'hicolor', kind, 'apps', name)
        check(os.path.isfile(path) and ET.parse(path).getroot().tag.endswith('svg'),
              'the %s icon %s is an SVG file' % (kind, name))

    with open(os.path.join(top, 'src', 'console', 'meson.build'), encoding='utf-8') as f:
        console_build = f.read()
    check("set_quoted('APPLICATION_ID', '%s')" % APP_ID in console_build,
          'the console registers itself with the app id')
    check(re.search(r"executable\(\s*'%s'" % COMMAND, console_build),
          'the console executable is ' + COMMAND)

    print('1..%d' % len(results))
    for number, (ok, description, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, description))
        if not ok and detail:
            print('# %s' % detail)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
