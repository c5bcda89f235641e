# dogtail_console.py: what the console's end-to-end tests share
#
# Each test starts a real agsignald on 127.0.0.1, the real agsignal-console against it (with
# GTK_A11Y=atspi), and drives the console as a user would, over AT-SPI with dogtail, while
# peers ("bob") are driven through libagsignal with GObject Introspection. Tests print TAP and
# skip when there is no display, no session bus, no dogtail or no Ag typelib
# (tests/console/README.md has the rules for GTK 4.8).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import contextlib
import os
import signal
import subprocess
import sys
import time

TIMEOUT_S = 30


def skip_all(reason):
    print('1..0 # SKIP ' + reason)
    sys.stdout.flush()
    sys.exit(0)


if not os.environ.get('DISPLAY'):
    skip_all('no display')
if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
    skip_all('no session bus for AT-SPI')
if 'AGSIGNALD' not in os.environ or 'AG_BUILD_ROOT' not in os.environ:
    skip_all('AGSIGNALD and AG_BUILD_ROOT must be set')

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
except Exception as error:  # a missing module or typelib: an environment without the tools
    skip_all('dogtail or the Ag typelib is not available: %s' % error)


class ConsoleTest:
    """One console against one server, and the TAP lines of a test."""

    def __init__(self, n_steps):
        self.n_steps = n_steps
        self.results = []
        self.processes = []
        self.peers = []
        self.uri = None
        self.app = None
        print('1..%d' % n_steps)
        sys.stdout.flush()

    # TAP

    def ok(self, passed, description):
        self.results.append(bool(passed))
        print('%s %d - %s' % ('ok' if passed else 'not ok', len(self.results), description))
        sys.stdout.flush()
        return passed

    def bail(self, message):
        print('Bail out! ' + message)
        sys.stdout.flush()
        self.cleanup()
        sys.exit(1)

    def finish(self):
        for peer in self.peers:
            if peer.props.status == Ag.Status.LOGGED_IN:
                peer.logout()
        self.cleanup()
        return 0 if all(self.results) and len(self.results) == self.n_steps else 1

    def cleanup(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                self.signal_group(process, signal.SIGTERM)
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    self.signal_group(process, signal.SIGKILL)
                    process.wait()
        self.processes = []

    # Processes

    @staticmethod
    def signal_group(process, signum):
        try:
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signum)
                return
        except ProcessLookupError:
            return
        process.send_signal(signum)

    def start_server(self):
        server = subprocess.Popen([os.environ['AGSIGNALD'], '--listen', '127.0.0.1:0', '--demo'],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.processes.append(server)
        prefix = 'agsignald listening on '
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            if line.startswith(prefix):
                self.uri = line[len(prefix):].strip()
                return self.uri
        self.bail('agsignald did not start')

    @staticmethod
    def uninstalled_env(extra=None):
        """The environment of a user's shell: nothing of the build tree. What the console needs
        uninstalled (schema, catalogs, agsignald) must come from `meson devenv`, as for
        tools/run."""
        env = {key: value for key, value in os.environ.items()
               if key not in ('GSETTINGS_SCHEMA_DIR', 'GI_TYPELIB_PATH', 'LD_LIBRARY_PATH',
                              'AGSIGNALD', 'AGSIGNAL_LOCALEDIR', 'AGSIGNAL_CONSOLE')}
        env['GTK_A11Y'] = 'atspi'
        env.update(extra or {})
        return env

    def launch(self, argv, env):
        # A session of its own, so cleanup reaches meson devenv's child too.
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def wait_for_app(self):
        deadline = time.monotonic() + TIMEOUT_S
        while self.app is None and time.monotonic() < deadline:
            try:
                self.app = tree.root.application('agsignal-console')
            except Exception:
                time.sleep(0.2)
        if self.app is None:
            self.bail('agsignal-console did not appear on the accessibility bus')
        return self.app

    def start_console(self, *args):
        """Runs the console uninstalled through `meson devenv`, as tools/run does."""
        argv = [os.environ.get('MESON', 'meson'), 'devenv', '-C', os.environ['AG_BUILD_ROOT'],
                'agsignal-console', '--server', self.uri, '--app-id', 'demo'] + list(args)
        self.launch(argv, self.uninstalled_env())
        return self.wait_for_app()

    # Waiting and finding

    def spin_until(self, condition, timeout=TIMEOUT_S):
        """Iterates this process's GLib main context (the peers' library) until condition()."""
        context = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            while context.pending():
                context.iteration(False)
            time.sleep(0.02)
        return condition()

    @staticmethod
    def named(node, role, name):
        # GTK 4.8 names a button with a mnemonic "_Label Label": the label is the last part.
        return node.roleName == role and (node.name == name or node.name.endswith(' ' + name))

    def find(self, role, name, root=None, timeout=TIMEOUT_S):
        """Finds a node by role and exact name, waiting for it while serving the peers."""
        root = root if root is not None else self.app
        found = []

        def look():
            try:
                node = root.findChild(lambda n: self.named(n, role, name), retry=False,
                                      requireResult=False, showingOnly=False)
            except Exception:
                node = None
            if node is not None:
                found.append(node)
            return node is not None

        self.spin_until(look, timeout)
        return found[0] if found else None

    def find_label_containing(self, text, timeout=TIMEOUT_S):
        found = []

        def look():
            try:
                node = self.app.findChild(lambda n: n.roleName == 'label' and text in (n.name or ''),
                                          retry=False, requireResult=False, showingOnly=False)
            except Exception:
                node = None
            if node is not None:
                found.append(node)
            return node is not None

        self.spin_until(look, timeout)
        return found[0] if found else None

    def click(self, role, name, root=None):
        node = self.find(role, name, root=root)
        if node is None:
            self.bail('no %s named %r' % (role, name))
        if not self.spin_until(lambda: node.sensitive, 10):
            self.bail('%s %r stayed insensitive' % (role, name))
        node.doActionNamed('click')
        return node

    def set_text(self, name, text, role='text', root=None):
        """Types into the entry with this accessible name (AT-SPI EditableText)."""
        entry = self.find(role, name, root=root)
        if entry is None:
            self.bail('no entry named %r' % name)
        entry.text = text
        return entry

    # Flows

    def log_in(self, account):
        """Logs account in through the New Session dialog the console opens at start."""
        if self.find('text', 'Account') is None:
            self.bail('no Account entry in the New Session dialog')
        # GTK 4.8 cannot focus a widget over AT-SPI: a user reaches the row by its mnemonic.
        rawinput.keyCombo('<Alt>o')
        rawinput.typeText(account)
        self.click('push button', 'Log In')
        return self.find('label', 'Logged in') is not None

    def peer(self, account, handlers=None):
        """A session driven through libagsignal, logged in. handlers ({signal: callback}) are
        connected before the login completes, so nothing sent at login is missed."""
        signal_object = Ag.Signal.new('demo')
        signal_object.props.server_uri = self.uri
        session = signal_object.login(account, '_no_need_token')
        for name, callback in (handlers or {}).items():
            session.connect(name, callback)
        self.peers.append(session)
        if not self.spin_until(lambda: session.props.status == Ag.Status.LOGGED_IN):
            self.bail('%s could not log in' % account)
        return session
