#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed scripts of corpus-hub/ in the format fuzz-hub.c reads.

Run from anywhere: python3 tests/fuzz/gen-hub-corpus.py [OUTPUT-DIRECTORY]
"""

import json
import os
import struct
import sys


# As in fuzz-hub.c.
APP_KEY = "fuzz-app-key-0123456789"
SERVER_KEY = "fuzz-server-key-0123456789"


class Script:
    def __init__(self):
        self.out = bytearray()
        self.next_id = 0

    def open(self, slot):
        self.out += b"O" + bytes([slot])
        return self

    def close(self, slot):
        self.out += b"C" + bytes([slot])
        return self

    def ms(self, n):
        self.out += b"A" + struct.pack(">H", n)
        return self

    def seconds(self, n):
        self.out += b"S" + struct.pack(">H", n)
        return self

    def tick(self):
        self.out += b"T"
        return self

    def raw(self, slot, text):
        data = text.encode() if isinstance(text, str) else text
        self.out += b"F" + bytes([slot]) + struct.pack(">H", len(data)) + data
        return self

    def req(self, slot, op, **fields):
        self.next_id += 1
        frame = {"op": op, "id": self.next_id}
        frame.update(fields)
        return self.raw(slot, json.dumps(frame, separators=(",", ":")))

    def admin(self, slot, key=None, app="demo"):
        self.open(slot)
        return self.req(slot, "admin_login", app_id=app, key=key or APP_KEY)

    def login(self, slot, account, app="demo"):
        self.open(slot)
        return self.req(slot, "login", app_id=app, account=account, token="_no_need_token")


def seeds():
    s = {}
    s["login-logout"] = Script().login(0, "alice").req(0, "ping").req(0, "logout")
    s["login-twice-same-account"] = Script().login(0, "alice").login(1, "alice").req(1, "ping")
    s["login-unknown-app"] = Script().login(0, "alice", app="nope").req(0, "ping")
    s["login-other-app"] = (Script().login(0, "alice").login(1, "alice", app="other")
                            .req(0, "user_status", account="alice"))
    s["msg-online"] = (Script().login(0, "alice").login(1, "bob")
                       .req(0, "msg_send", peer="bob", msg="hello").close(1).close(0))
    s["msg-ttl-offline-delivered"] = (Script().login(0, "alice")
                                      .req(0, "msg_send", peer="bob", msg="later", ttl=60)
                                      .seconds(30).tick().login(1, "bob"))
    s["msg-ttl-expires"] = (Script().login(0, "alice")
                            .req(0, "msg_send", peer="bob", msg="gone", ttl=5)
                            .seconds(10).tick().login(1, "bob"))
    s["user-attrs"] = (Script().login(0, "alice").login(1, "bob")
                       .req(0, "user_set_attr", name="color", value="blue")
                       .req(1, "user_get_attr", account="alice", name="color")
                       .req(1, "user_get_attr_all", account="alice"))
    s["channel-join-send"] = (Script().login(0, "alice").login(1, "bob")
                              .req(0, "channel_join", channel="lobby")
                              .req(1, "channel_join", channel="lobby")
                              .req(0, "channel_send", msg="hi all")
                              .req(1, "channel_query_num", channel="lobby")
                              .req(1, "channel_is_in", channel="lobby", account="alice")
                              .req(1, "channel_leave").close(0))
    s["channel-attrs"] = (Script().login(0, "alice").req(0, "channel_join", channel="lobby")
                          .req(0, "channel_set_attr", name="topic", value="news")
                          .req(0, "channel_del_attr", name="topic")
                          .req(0, "channel_set_attr", name="a", value="b")
                          .req(0, "channel_clear_attr"))
    s["channel-ttl"] = (Script().login(0, "alice").req(0, "channel_join", channel="lobby")
                        .req(0, "channel_set_attr", name="_channel_ttl", value="3")
                        .req(0, "channel_leave").seconds(5).tick()
                        .req(0, "channel_join", channel="lobby"))
    s["channel-auto-update-num"] = (Script().login(0, "alice").login(1, "bob")
                                    .req(0, "channel_join", channel="room")
                                    .req(0, "channel_set_attr", name="_auto_update_num", value="1")
                                    .req(0, "channel_set_attr", name="_auto_update_total_num",
                                         value="2")
                                    .req(1, "channel_join", channel="room")
                                    .seconds(3).tick().close(1).seconds(3).tick())
    s["channel-limits"] = (Script().login(0, "alice").req(0, "channel_join", channel="c")
                           .req(0, "channel_set_attr", name="_sendmsg_limit", value="1")
                           .req(0, "channel_set_attr", name="_setattr_limit", value="1")
                           .req(0, "channel_send", msg="a").req(0, "channel_send", msg="b")
                           .req(0, "channel_set_attr", name="x", value="y")
                           .req(0, "channel_set_attr", name="_userNotification", value="0"))
    s["special-channels"] = (Script().login(0, "watcher")
                             .req(0, "channel_join", channel="_agora_user_online")
                             .login(1, "spy").req(1, "channel_join", channel="_agora_channel_event")
                             .login(2, "bob").req(2, "channel_join", channel="lobby")
                             .req(0, "channel_send", msg="no")
                             .close(2).req(1, "channel_set_attr", name="a", value="b"))
    s["call-accept-msg-end"] = (Script().login(0, "alice").login(1, "bob")
                                .req(0, "call_invite", channel="room", peer="bob", extra="{}")
                                .req(1, "call_accept", channel="room", peer="alice")
                                .req(0, "call_msg", channel="room", peer="bob", type="DTMF",
                                     msg="12#")
                                .req(1, "call_end", channel="room", peer="alice"))
    s["call-refuse"] = (Script().login(0, "alice").login(1, "bob")
                        .req(0, "call_invite", channel="r2", peer="bob")
                        .req(1, "call_refuse", channel="r2", peer="alice"))
    s["call-timeout-and-disconnect"] = (Script().login(0, "alice").login(1, "bob")
                                        .req(0, "call_invite", channel="a", peer="bob")
                                        .seconds(120).tick()
                                        .req(0, "call_invite", channel="b", peer="bob")
                                        .close(0))
    s["call-offline-peer"] = (Script().login(0, "alice")
                              .req(0, "call_invite", channel="x", peer="nobody"))
    s["garbage-frames"] = (Script().open(0).raw(0, "{").raw(0, "").raw(0, b"\xff\xfe")
                           .raw(0, '{"op":"nope","id":1}').raw(0, '{"op":"ping"}')
                           .login(0, "alice").raw(0, '{"op":"msg_send","id":"x"}'))
    s["requests-before-login"] = (Script().open(0).req(0, "ping")
                                  .req(0, "channel_join", channel="lobby")
                                  .req(0, "msg_send", peer="bob", msg="x"))
    s["reopen-slots"] = (Script().login(0, "alice").close(0).login(0, "alice")
                         .login(7, "zed").ms(500).tick().close(7).close(7))
    s["admin-snapshot-and-stream"] = (Script().login(0, "alice").login(1, "bob")
                                      .req(0, "channel_join", channel="lobby")
                                      .req(0, "channel_set_attr", name="topic", value="news")
                                      .admin(2).req(2, "admin_subscribe")
                                      .tick().login(3, "carol").tick()
                                      .req(1, "channel_join", channel="lobby").tick().close(1)
                                      .tick().tick().req(0, "channel_send", msg="hi")
                                      .close(2).admin(2)
                                      .req(2, "admin_subscribe", since=1, epoch="nope").tick())
    s["admin-requests"] = (Script().login(0, "alice").login(1, "bob")
                           .req(0, "channel_join", channel="lobby")
                           .req(1, "channel_join", channel="lobby")
                           .req(1, "user_set_attr", name="color", value="blue")
                           .admin(2)
                           .req(2, "admin_users", search="a", match="prefix", limit=1)
                           .req(2, "admin_users", after="alice", limit=100000)
                           .req(2, "admin_channels", sort="members", offset=5, limit=0)
                           .req(2, "admin_channel", channel="lobby", offset=0, limit=1)
                           .req(2, "admin_channel", channel="nowhere")
                           .req(2, "admin_user", account="bob")
                           .req(2, "admin_stats"))
    s["admin-actions"] = (Script().login(0, "alice").login(1, "bob")
                          .req(0, "channel_join", channel="lobby")
                          .req(1, "channel_join", channel="lobby")
                          .admin(2, key=SERVER_KEY).req(2, "admin_subscribe")
                          .req(2, "admin_publish", channel="lobby", msg="maintenance")
                          .req(2, "admin_send", account="bob", msg="hello", ttl=60)
                          .req(2, "admin_send", account="zed", msg="later", ttl=60)
                          .req(2, "admin_channel_set_attr", channel="lobby", name="t", value="x")
                          .req(2, "admin_channel_del_attr", channel="lobby", name="t")
                          .req(2, "admin_channel_clear_attr", channel="lobby")
                          .req(2, "admin_remove", channel="lobby", account="bob")
                          .req(2, "admin_kick", account="alice").tick().tick())
    s["admin-refusals"] = (Script().admin(0, key="wrong-key-0123456789")
                           .admin(1, app="other").req(1, "admin_users")
                           .open(2).req(2, "admin_users")
                           .admin(3).req(3, "admin_login", app_id="demo", key=APP_KEY)
                           .raw(3, '{"op":"admin_users","id":9,"limit":"x"}')
                           .raw(3, '{"op":"admin_kick","id":10}')
                           .login(4, "alice").req(4, "admin_stats"))
    return s


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                                  "corpus-hub")
    os.makedirs(out_dir, exist_ok=True)
    for name, script in seeds().items():
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            f.write(bytes(script.out))


if __name__ == "__main__":
    main()
