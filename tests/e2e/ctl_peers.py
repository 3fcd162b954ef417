#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Control clients of several users on one evc daemon socket, for tests/e2e/control-owner.sh.

Runs as root: each peer is connected by a child that drops to its uid and gid (no other
groups) before connect(), so SO_PEERCRED names that user, and hands the socket back over a
socketpair; the scenario then drives all of them from here, in order, every wait bounded.

usage: ctl_peers.py owner SOCKET PROFILE PASSWORD_FILE UID_A UID_B GID
  A (UID_A) connects PROFILE (no password stored) and is asked alone; B (UID_B, the same
  group) is subscribed all along: it sees the state, never the prompt nor the banner, and its
  answers, attach and disconnect are refused; then A leaves and C (UID_A again) attaches
  and disconnects.
usage: ctl_peers.py orphan SOCKET PROFILE PASSWORD_FILE UID GID
  A (UID) connects PROFILE and leaves while asked for the password: root's session is not
  asked and its answer is refused until it attaches; attached, it is asked, answers and
  accepts the banner, and the tunnel comes up. Then A2 (UID) connects and leaves while asked, and nobody attaches:
  within 60 s (and some) the prompt is given up and the attempt fails, no hang.

usage: ctl_peers.py lang SOCKET
  the caller's language (version 2): a session that says "lang":"es" in its hello is answered
  in Spanish, a command with its own "lang" in German, a version-1 hello without one in the
  daemon's English (and told version 1); a version it does not speak and a "lang" that is no
  language are refused with the reason.
usage: ctl_peers.py uprof SOCKET UID GID NAME LINES_FILE KEY_FILE PW_FILE EXPECT
  as UID, connect NAME with the user's own profile (LINES_FILE, `evc profile export`'s lines,
  comments left out) and both secrets in the command. EXPECT "connected": print the status
  (interface, its MTU from /sys, the steps) and disconnect; "refused:TEXT": the connect is
  refused with TEXT in its error.
Exit: 0 pass, 1 fail (the reason on stderr).
"""
import json
import os
import select
import socket
import sys
import time


class Fail(Exception):
    pass


class Peer:
    def __init__(self, name, path, uid, gid):
        self.name, self.buf, self.seen = name, b"", []
        a, b = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                a.close()
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                socket.send_fds(b, [b"x"], [s.fileno()])
                os._exit(0)
            except Exception as e:  # the parent reports it
                os.write(2, f"ctl_peers: {name} cannot connect as {uid}: {e}\n".encode())
                os._exit(1)
        b.close()
        _, fds, _, _ = socket.recv_fds(a, 1, 1)
        os.waitpid(pid, 0)
        if not fds:
            raise Fail(f"{name}: no socket from the child")
        self.s = socket.socket(fileno=fds[0])
        self.s.setblocking(False)

    def send(self, **msg):
        self.s.sendall((json.dumps(msg) + "\n").encode())

    def _lines(self):
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            self.seen.append(msg)
            yield msg

    def expect(self, what, pred, timeout=20.0):
        """The first message (from now on) for which pred holds, within timeout seconds."""
        end = time.monotonic() + timeout
        while True:
            for msg in self._lines():
                if pred(msg):
                    return msg
            left = end - time.monotonic()
            if left <= 0:
                raise Fail(f"{self.name}: no {what} within {timeout} s; got {self.seen}")
            r, _, _ = select.select([self.s], [], [], left)
            if r:
                data = self.s.recv(65536)
                if not data:
                    raise Fail(f"{self.name}: the daemon closed the connection waiting for "
                               f"{what}; got {self.seen}")
                self.buf += data

    def reply(self, cmd, timeout=20.0):
        return self.expect(f"a reply to {cmd}", lambda m: m.get("reply") == cmd, timeout)

    def event(self, name, pred=lambda m: True, timeout=20.0):
        return self.expect(f"a {name} event",
                           lambda m: m.get("event") == name and pred(m), timeout)

    def session(self):
        self.send(cmd="hello", version=1)
        self.reply("hello")
        self.send(cmd="subscribe")
        self.reply("subscribe")


def refused(peer, cmd, want, **fields):
    peer.send(cmd=cmd, **fields)
    r = peer.reply(cmd)
    if r.get("ok") is not False or want not in r.get("error", ""):
        raise Fail(f"{peer.name}: {cmd} {fields.get('prompt', '')} was not refused with "
                   f"'{want}': {r}")
    print(f"{peer.name}: {cmd} refused: {r['error']}")


def owner(path, profile, pwfile, uid_a, uid_b, gid):
    with open(pwfile) as f:
        password = f.read().strip()
    b = Peer("B", path, uid_b, gid)
    b.session()
    a = Peer("A", path, uid_a, gid)
    a.session()
    a.send(cmd="connect", profile=profile)
    r = a.reply("connect")
    if not r.get("ok"):
        raise Fail(f"A: connect refused: {r}")
    a.event("prompt")
    print("A: asked for the password")
    # B is another user of the socket's group: the right password from B must not count
    refused(b, "answer", f"belongs to uid {uid_a}", prompt="password", password=password)
    refused(b, "attach", f"belongs to uid {uid_a}")
    refused(b, "disconnect", f"belongs to uid {uid_a}")
    a.send(cmd="answer", prompt="password", password=password)
    if not a.reply("answer").get("ok"):
        raise Fail(f"A: its answer was refused: {a.seen[-1]}")
    a.event("banner")
    print("A: shown the banner")
    refused(b, "answer", f"belongs to uid {uid_a}", prompt="banner", accept=True)
    a.send(cmd="answer", prompt="banner", accept=True)
    if not a.reply("answer").get("ok"):
        raise Fail(f"A: its banner answer was refused: {a.seen[-1]}")
    a.event("state", lambda m: m.get("state") == "connected", 30)
    # B follows the connection, so it was listening while A was asked
    b.event("state", lambda m: m.get("state") == "connected", 30)
    print("B: saw the state connected")
    asked = [m for m in b.seen if m.get("event") in ("prompt", "banner")]
    if asked:
        raise Fail(f"B, another user, was shown the owner's questions: {asked}")
    # A's window closes: the tunnel stays; the same user attaches from a new one
    a.s.close()
    c = Peer("C", path, uid_a, gid)
    c.session()
    c.send(cmd="attach")
    r = c.reply("attach")
    if not r.get("ok"):
        raise Fail(f"C (the owner's uid) could not attach: {r}")
    print("C: attached")
    refused(b, "attach", f"belongs to uid {uid_a}")
    c.send(cmd="disconnect")
    if not c.reply("disconnect").get("ok"):
        raise Fail(f"C could not disconnect: {c.seen[-1]}")
    c.event("state", lambda m: m.get("state") in ("disconnected", "idle"), 30)
    print("C: disconnected")


def orphan(path, profile, pwfile, uid, gid):
    with open(pwfile) as f:
        password = f.read().strip()
    a = Peer("A", path, uid, gid)
    a.session()
    a.send(cmd="connect", profile=profile)
    if not a.reply("connect").get("ok"):
        raise Fail(f"A: connect refused: {a.seen[-1]}")
    a.event("prompt")
    a.s.close()
    print("A: asked, and left")
    r = Peer("root", path, 0, 0)
    r.session()
    refused(r, "answer", "attach", prompt="password", password=password)
    r.send(cmd="attach")
    if not r.reply("attach").get("ok"):
        raise Fail(f"root: attach refused: {r.seen[-1]}")
    r.event("prompt", timeout=5)
    print("root: attached, and asked")
    r.send(cmd="answer", prompt="password", password=password)
    if not r.reply("answer").get("ok"):
        raise Fail(f"root: its answer was refused: {r.seen[-1]}")
    r.event("banner")
    r.send(cmd="answer", prompt="banner", accept=True)
    if not r.reply("answer").get("ok"):
        raise Fail(f"root: its banner answer was refused: {r.seen[-1]}")
    r.event("state", lambda m: m.get("state") == "connected", 30)
    print("root: connected")
    r.send(cmd="disconnect")
    r.reply("disconnect")
    r.event("state", lambda m: m.get("state") in ("disconnected", "idle"), 30)
    a2 = Peer("A2", path, uid, gid)
    a2.session()
    a2.send(cmd="connect", profile=profile)
    if not a2.reply("connect").get("ok"):
        raise Fail(f"A2: connect refused: {a2.seen[-1]}")
    a2.event("prompt")
    a2.s.close()
    print("A2: asked, and left; nobody attaches")
    t0 = time.monotonic()
    st = r.event("state", lambda m: m.get("state") in ("failed", "disconnected", "idle"), 80)
    print(f"root: the attempt ended ({st.get('state')}) after {time.monotonic() - t0:.0f} s: "
          f"{st.get('last_error', '')}")


def said(peer, cmd, want, **fields):
    peer.send(cmd=cmd, **fields)
    r = peer.reply(cmd)
    if r.get("ok") is not False or r.get("error") != want:
        raise Fail(f"{peer.name}: {cmd} {fields} answered {r}, not the error '{want}'")
    print(f"{peer.name}: {r['error']}")


def lang(path):
    es = Peer("es", path, 0, 0)
    es.send(cmd="hello", version=2, lang="es")
    r = es.reply("hello")
    if not r.get("ok") or r.get("version") != 2:
        raise Fail(f"es: hello version 2 answered {r}")
    said(es, "connect", "connect necesita un nombre de perfil")
    # a command's own language wins over the session's, for that answer only
    said(es, "connect", "connect braucht einen Profilnamen", lang="de")
    said(es, "connect", "connect necesita un nombre de perfil")
    old = Peer("v1", path, 0, 0)
    old.send(cmd="hello", version=1)
    r = old.reply("hello")
    if not r.get("ok") or r.get("version") != 1:
        raise Fail(f"v1: a version-1 hello answered {r}")
    said(old, "connect", "connect needs a profile name")
    said(old, "disconnect", "not connected")
    three = Peer("v3", path, 0, 0)
    three.send(cmd="hello", version=3)
    r = three.reply("hello")
    if r.get("ok") is not False or "versions 1 to 2" not in r.get("error", ""):
        raise Fail(f"v3: a version-3 hello answered {r}")
    bad = Peer("bad", path, 0, 0)
    bad.send(cmd="status", lang="../../tmp/x")
    r = bad.reply("error")
    if r.get("ok") is not False or "names a language" not in r.get("error", ""):
        raise Fail(f"bad: a lang that is no language answered {r}")
    print(f"bad: {r['error']}")


def uprof(path, uid, gid, name, lines_file, key_file, pw_file, expect):
    def first_line(f):
        with open(f) as fh:
            return fh.read().strip()
    with open(lines_file) as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]
    u = Peer("user", path, uid, gid)
    u.session()
    u.send(cmd="connect", profile=name, profile_lines=lines,
           group_key=first_line(key_file), password=first_line(pw_file))
    r = u.reply("connect")
    if expect.startswith("refused:"):
        want = expect[len("refused:"):]
        if r.get("ok") is not False or want not in r.get("error", ""):
            raise Fail(f"user: the connect was not refused with '{want}': {r}")
        print(f"refused: {r['error']}")
        return
    if not r.get("ok"):
        raise Fail(f"user: connect refused: {r}")
    st = u.event("state", lambda m: m.get("state") in ("connected", "failed"), 40)
    if st.get("state") != "connected":
        raise Fail(f"user: the connection failed: {st}")
    ifname = st.get("interface", "")
    with open(f"/sys/class/net/{ifname}/mtu") as f:
        mtu = f.read().strip()
    print(f"interface: {ifname}")
    print(f"mtu: {mtu}")
    for m in u.seen:
        if m.get("event") == "step":
            print(f"step {m.get('step')}: {m.get('text')}")
    u.send(cmd="disconnect")
    if not u.reply("disconnect").get("ok"):
        raise Fail(f"user: disconnect refused: {u.seen[-1]}")
    u.event("state", lambda m: m.get("state") in ("disconnected", "idle"), 30)


def main(argv):
    try:
        if len(argv) == 7 and argv[1] == "orphan":
            orphan(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]))
        elif len(argv) == 10 and argv[1] == "uprof":
            uprof(argv[2], int(argv[3]), int(argv[4]), *argv[5:10])
        elif len(argv) == 3 and argv[1] == "lang":
            lang(argv[2])
        elif len(argv) == 8 and argv[1] == "owner":
            owner(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), int(argv[7]))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Fail as e:
        print(f"ctl_peers: {e}", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
