#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of one fuzz target from the recorded exchanges in tests/vectors.

Seed kinds:
  messages   every ISAKMP datagram of messages.txt, as recorded
  decrypted  every plaintext of decrypted.txt (payloads + padding) behind a synthetic 28-byte
             header without the E flag, whose next payload is the message's first payload (for
             a fragmented message: the reassembled message's)
  esp        every ESP-in-UDP packet of esp.txt
  limits     hand-made ISAKMP messages at the codec's caps (48 payloads, 32 proposals, 128
             transforms) and one past each, which random mutation of real traffic rarely builds

TARGETS maps a target name to its kinds; a target not listed gets all of them, so a new
fuzz_<name>.c works without touching this file and can be given a narrower list later.

usage: mkcorpus.py --vectors DIR --target NAME --out DIR
"""
import argparse
import os
import shutil
import struct
import sys

TARGETS = {
    "fuzz_isakmp": ["messages", "decrypted", "limits"],
    "fuzz_esp": ["esp"],
    "fuzz_engine": ["engine"],
}
ALL_KINDS = ["messages", "decrypted", "esp"]

HDR_LEN = 28
PL_FRAG = 132
PL_SA, PL_P, PL_T, PL_VID = 1, 2, 3, 13


def data_lines(path):
    if not os.path.exists(path):
        return
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line.split()


def load_messages(scen):
    msgs = {}
    for f in data_lines(os.path.join(scen, "messages.txt")):
        msgs[int(f[0])] = (f[4], bytes.fromhex(f[6]))
    return msgs


def frag_body(msg):
    """(id, number, flags, data) of a message that carries one fragment payload."""
    np = msg[16]
    if np != PL_FRAG:
        raise ValueError("not a fragment")
    _, _, plen = struct.unpack(">BBH", msg[HDR_LEN:HDR_LEN + 4])
    body = msg[HDR_LEN + 4:HDR_LEN + plen]
    fid, num, flags = struct.unpack(">HBB", body[:4])
    return fid, num, flags, body[4:]


def inner_header(msgs, num):
    """Header of message num, or of the reassembled message when num is its last fragment."""
    exch, raw = msgs[num]
    if not exch.endswith("/FRAG"):
        return raw[:HDR_LEN]
    _, count, flags, _ = frag_body(raw)
    if not flags & 1:
        raise ValueError(f"message {num} is not the last fragment")
    whole = b"".join(frag_body(msgs[num - count + 1 + k][1])[3] for k in range(count))
    return whole[:HDR_LEN]


def gen(np, body):
    return struct.pack(">BBH", np, 0, 4 + len(body)) + body


def message(first_np, body):
    hdr = bytes(range(1, 9)) + bytes(8) + struct.pack(">BBBBII", first_np, 0x10, 4, 0, 0,
                                                      HDR_LEN + len(body))
    return hdr + body


def sa_body(props):
    """props: list of transform counts, one per proposal (ESP, 4-byte SPI, TV attributes)."""
    out = struct.pack(">II", 1, 1)
    for i, nt in enumerate(props):
        ts = b""
        for k in range(nt):
            attrs = struct.pack(">HHHH", 0x8004, 3, 0x8005, 2)
            ts += gen(PL_T if k + 1 < nt else 0, struct.pack(">BBH", k, 12, 0) + attrs)
        body = struct.pack(">BBBB", i, 3, 4, nt) + b"\x11\x22\x33\x44" + ts
        out += gen(PL_P if i + 1 < len(props) else 0, body)
    return out


def limits():
    for n in (48, 49):
        body = b"".join(gen(PL_VID if i + 1 < n else 0, struct.pack(">I", i)) for i in range(n))
        yield f"limit-vid{n}", message(PL_VID, body)
    for name, props in (("prop32", [1] * 32), ("prop33", [1] * 33), ("trans128", [64, 64]),
                        ("trans129", [64, 65])):
        yield f"limit-{name}", message(PL_SA, gen(0, sa_body(props)))


def seeds(scen, kind):
    tag = os.path.basename(scen).split("-")[0]
    if kind == "messages":
        for num, (_, raw) in sorted(load_messages(scen).items()):
            yield f"{tag}-msg{num:02d}", raw
    elif kind == "decrypted":
        msgs = load_messages(scen)
        for f in data_lines(os.path.join(scen, "decrypted.txt")):
            num = int(f[0])
            body = bytes.fromhex(f[5]) + (b"" if f[6] == "-" else bytes.fromhex(f[6]))
            h = bytearray(inner_header(msgs, num))
            h[19] &= 0xFE  # the body is plaintext now
            h[24:28] = struct.pack(">I", HDR_LEN + len(body))
            yield f"{tag}-dec{num:02d}", bytes(h) + body
    elif kind == "engine":
        # fuzz_engine: the first byte picks the path (see fuzz_engine.c): 0 mode-config
        # attributes, 1 an SA body, 2 a datagram for a new responder, 3 for an initiator
        for num, (_, raw) in sorted(load_messages(scen).items()):
            yield f"{tag}-resp{num:02d}", b"\x02" + raw
            yield f"{tag}-init{num:02d}", b"\x03" + raw
        for f in data_lines(os.path.join(scen, "decrypted.txt")):
            num = int(f[0])
            body = bytes.fromhex(f[5])
            # every payload body, as mode-config attributes (after the 4-byte ATTR header)
            # and as an SA body
            off = 0
            while off + 4 <= len(body):
                length = struct.unpack(">H", body[off + 2:off + 4])[0]
                if length < 4 or off + length > len(body):
                    break
                inner = body[off + 4:off + length]
                if len(inner) > 4:
                    yield f"{tag}-dec{num:02d}-{off}-cfg", b"\x00" + inner[4:]
                    yield f"{tag}-dec{num:02d}-{off}-sa", b"\x01" + inner
                off += length
    elif kind == "esp":
        for f in data_lines(os.path.join(scen, "esp.txt")):
            yield f"{tag}-esp{int(f[0]):03d}", bytes.fromhex(f[4])
    else:
        raise ValueError(f"unknown seed kind {kind}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    scens = sorted(d.path for d in os.scandir(a.vectors)
                   if d.is_dir() and os.path.exists(os.path.join(d.path, "messages.txt")))
    if not scens:
        sys.exit(f"mkcorpus: no scenarios with messages.txt under {a.vectors}")
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    n = 0
    for kind in TARGETS.get(a.target, ALL_KINDS):
        # limits do not depend on a scenario; everything else is one set per scenario
        found = limits() if kind == "limits" else (s for c in scens for s in seeds(c, kind))
        for name, blob in found:
            with open(os.path.join(a.out, name), "wb") as f:
                f.write(blob)
            n += 1
    if n == 0:
        sys.exit(f"mkcorpus: no seeds for {a.target}")
    print(f"mkcorpus: {n} seeds for {a.target} in {a.out}")


if __name__ == "__main__":
    main()
