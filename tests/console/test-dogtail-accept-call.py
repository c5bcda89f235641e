#!/usr/bin/python3
# test-dogtail-accept-call.py: a user answers a call in the real agsignal-console, over AT-SPI
#
# A real agsignald runs on 127.0.0.1; the console logs in "alice" through its New Session
# dialog; "bob", driven through libagsignal (GObject Introspection), calls alice; the user
# accepts in the banner inside alice's tab, sends a DTMF digit and ends the call. Bob must see each
# step. Prints TAP; skips when there is no display or no accessibility bus.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import contextlib
import os
import signal
import subprocess
import sys
import time

STEPS = 6
TIMEOUT_S = 30


def tap_plan_skip(reason):
    print('1..0 # SKIP ' + reason)
    sys.exit(0)


if not os.environ.get('DISPLAY'):
    tap_plan_skip('no display')
if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
    tap_plan_skip('no session bus for AT-SPI')

try:
    # dogtail announces its log file on stdout, which must carry TAP only.
    with contextlib.redirect_stdout(sys.stderr):
        from dogtail.config import config
        config.checkForA11y = False
        config.logDebugToStdOut = False
        config.logDebugToFile = False
        config.searchCutoffCount = 3
        config.searchBackoffDuration = 0.2
        from dogtail import tree, rawinput
    import gi
    gi.require_version('Ag', '1')
    from gi.repository import Ag, GLib
except Exception as error:  # a missing module or typelib is an environment without the tools
    tap_plan_skip('dogtail or the Ag typelib is not available: %s' % error)

results = []
processes = []


def ok(passed, description):
    results.append(passed)
    print('%s %d - %s' % ('ok' if passed else 'not ok', len(results), description))
    sys.stdout.flush()
    return passed


def bail(message):
    print('Bail out! ' + message)
    sys.stdout.flush()
    cleanup()
    sys.exit(1)


def signal_process(process, signum):
    # The console runs under meson devenv in a session of its own: signal the whole group.
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signum)
            return
    except ProcessLookupError:
        return
    process.send_signal(signum)


def cleanup():
    for process in processes:
        if process.poll() is None:
            signal_process(process, signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                signal_process(process, signal.SIGKILL)
                process.wait()


def spin_until(condition, timeout=TIMEOUT_S):
    """Iterates the GLib main context (bob's library) until condition() is true."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        context.iteration(False)
        time.sleep(0.01)
    return condition()


def named(node, role, name):
    # GTK 4.8 names a button with a mnemonic "_Label Label": the label is the last part.
    return node.roleName == role and (node.name == name or node.name.endswith(' ' + name))


def find(root, role, name, timeout=TIMEOUT_S):
    """Finds a node by role and name, waiting for it (bob keeps being served meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            node = root.findChild(lambda n: named(n, role, name),
                                  retry=False, requireResult=False, showingOnly=False)
            if node is not None:
                return node
        except Exception:
            pass
        spin_until(lambda: False, 0.2)
    return None


def start_server():
    server = subprocess.Popen([os.environ['AGSIGNALD'], '--listen', '127.0.0.1:0', '--demo'],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    processes.append(server)
    prefix = 'agsignald listening on '
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    bail('agsignald did not start')


def main():
    if 'AGSIGNALD' not in os.environ or 'AG_BUILD_ROOT' not in os.environ:
        tap_plan_skip('AGSIGNALD and AG_BUILD_ROOT must be set')

    print('1..%d' % STEPS)
    sys.stdout.flush()

    uri = start_server()
    # Uninstalled through meson devenv, as tools/run runs it: nothing of the build tree in env.
    env = {key: value for key, value in os.environ.items()
           if key not in ('GSETTINGS_SCHEMA_DIR', 'GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'AGSIGNALD')}
    env['GTK_A11Y'] = 'atspi'
    console = subprocess.Popen([os.environ.get('MESON', 'meson'), 'devenv', '-C',
                                os.environ['AG_BUILD_ROOT'], 'agsignal-console', '--server', uri,
                                '--app-id', 'demo'],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    processes.append(console)

    # The console opens its New Session dialog at once: the user logs in as alice.
    app = None
    deadline = time.monotonic() + TIMEOUT_S
    while app is None and time.monotonic() < deadline:
        try:
            app = tree.root.application('agsignal-console')
        except Exception:
            time.sleep(0.2)
    if app is None:
        bail('agsignal-console did not appear on the accessibility bus')

    # GTK 4.8 cannot focus a widget over AT-SPI: the user's way is the row's mnemonic.
    if find(app, 'text', 'Account') is None:
        bail('no Account entry in the New Session dialog')
    rawinput.keyCombo('<Alt>o')
    rawinput.typeText('alice')
    log_in = find(app, 'push button', 'Log In')
    if log_in is None:
        bail('no Log In button')
    if not spin_until(lambda: log_in.sensitive, 10):
        bail('Log In stayed disabled after typing the account')
    log_in.doActionNamed('click')

    # Bob, through the library, waits for alice to be online, then calls her.
    bob_signal = Ag.Signal.new('demo')
    bob_signal.props.server_uri = uri
    bob = bob_signal.login('bob', '_no_need_token')
    if not spin_until(lambda: bob.props.status == Ag.Status.LOGGED_IN):
        bail('bob could not log in')

    online = {'value': False}

    def status_cb(source, result):
        try:
            online['value'] = source.query_user_status_finish(result)
        except GLib.Error:
            online['value'] = False
        online['asked'] = False

    deadline = time.monotonic() + TIMEOUT_S
    while not online['value'] and time.monotonic() < deadline:
        online['asked'] = True
        bob.query_user_status_async('alice', None, status_cb)
        spin_until(lambda: not online.get('asked'), 5)
        spin_until(lambda: False, 0.2)
    ok(online['value'], 'alice logged in through the New Session dialog')

    seen = {'received': False, 'accepted': None, 'msgs': [], 'ended': None}
    call = bob.channel_invite_user2('support', 'alice', '{"topic":"e2e"}')
    call.connect('invite-received-by-peer', lambda c: seen.__setitem__('received', True))
    call.connect('invite-accepted-by-peer', lambda c, extra: seen.__setitem__('accepted', extra))
    call.connect('invite-msg', lambda c, kind, msg: seen['msgs'].append((kind, msg)))
    call.connect('invite-end-by-peer', lambda c, extra: seen.__setitem__('ended', extra))
    ok(spin_until(lambda: seen['received']), 'the invitation reached the console')

    # The user sees who calls whom, inside alice's tab (no dialog), and accepts.
    banner = find(app, 'panel', 'bob is calling alice')
    if not ok(banner is not None, "the incoming call's banner in alice's tab names caller and callee"):
        bail('no incoming-call banner')
    accept = find(banner, 'push button', 'Accept')
    if accept is None:
        bail('no Accept button')
    accept.doActionNamed('click')
    ok(spin_until(lambda: seen['accepted'] is not None), 'bob saw the call accepted')

    # A digit on the banner's keypad reaches bob as DTMF.
    # The keypad is a popover of the banner's DTMF button (the inner button clicks).
    keypad = None
    outer = find(banner, 'push button', 'DTMF Keypad')
    if outer is not None:
        keypad = next((c for c in outer.children if 'click' in c.actions), None)
    if keypad is None:
        bail('no keypad button in the active call')
    keypad.doActionNamed('click')
    key = find(app, 'push button', '5')
    if key is None:
        bail('no keypad in the active call')
    key.doActionNamed('click')
    ok(spin_until(lambda: ('DTMF', '5') in seen['msgs']), 'bob received the DTMF digit 5')
    rawinput.pressKey('Escape')

    end = find(banner, 'push button', 'End Call')
    if end is None:
        bail('no End Call button')
    end.doActionNamed('click')
    ok(spin_until(lambda: seen['ended'] is not None), 'bob saw the call ended by alice')

    bob.logout()
    cleanup()
    return 0 if all(results) and len(results) == STEPS else 1


if __name__ == '__main__':
    try:
        sys.exit(main())
    finally:
        cleanup()
