// smoke.js: libagsignal from JavaScript (gjs), against a real agsignald.
//
// Two sessions log in, exchange a peer message, meet in a channel (the roster as plain arrays),
// an async request fails with an error of the Ag.Error domain, and both log out.
//
//   GI_TYPELIB_PATH=build/src/core LD_LIBRARY_PATH=build/src/core \
//     gjs tests/examples/smoke.js ws://127.0.0.1:7070/v1
//
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.Ag = '1';
const {Ag, GLib} = imports.gi;

const uri = ARGV.length > 0 ? ARGV[0] : Ag.DEFAULT_SERVER_URI;
const loop = new GLib.MainLoop(null, false);
const problems = [];

function check(ok, what) {
    if (!ok) {
        problems.push(what);
        print(`unexpected: ${what}`);
        loop.quit();
    }
    return ok;
}

const sig = Ag.Signal.new('demo');
sig.server_uri = uri;
const alice = sig.login('alice', '_no_need_token');
const bob = sig.login('bob', '_no_need_token');
let loggedIn = 0;
const logouts = [];

function onLoginSuccess(session, uid) {
    print(`${session.account} logged in with uid ${uid}`);
    if (++loggedIn === 2)
        alice.message_instant_send('bob', 'hello from gjs');
}

bob.connect('message-instant-receive', (session, account, uid, msg) => {
    print(`bob got "${msg}" from ${account}`);
    check(account === 'alice' && uid === alice.uid && msg === 'hello from gjs', 'message');
    const channel = alice.channel_join('lobby');
    channel.connect('channel-joined', () => {
        const bobChannel = bob.channel_join('lobby');
        bobChannel.connect('channel-user-list', (_channel, accounts, uids) => {
            print(`bob found ${JSON.stringify(accounts)} with uids ${JSON.stringify(uids)}`);
            check(JSON.stringify(accounts) === '["alice"]' &&
                  JSON.stringify(uids) === JSON.stringify([alice.uid]), 'roster');
            alice.message_instant_send_async('nobody', 'anyone?', 0, null, onSent);
        });
    });
});

function onSent(session, result) {
    try {
        session.message_instant_send_finish(result);
        check(false, 'a message to an offline account without ttl was accepted');
    } catch (error) {
        print(`refused: ${error.message} (${error.code})`);
        check(error.matches(Ag.Error, Ag.Error.PROTO_E_PEER_OFFLINE), 'error domain');
        alice.logout();
        bob.logout();
    }
}

for (const session of [alice, bob]) {
    session.connect('login-success', onLoginSuccess);
    session.connect('logout', (_session, ecode) => {
        logouts.push(ecode);
        if (logouts.length === 2)
            loop.quit();
    });
}

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 10, () => {
    check(false, 'timed out');
    return GLib.SOURCE_REMOVE;
});
loop.run();

check(JSON.stringify(logouts) === '[101,101]', `logouts ${JSON.stringify(logouts)}`);
if (problems.length > 0)
    imports.system.exit(1);
print('done');
