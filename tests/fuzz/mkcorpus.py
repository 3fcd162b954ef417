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
  pcf        Cisco VPN Client profiles: every key, in UTF-16LE with BOM and CRLF (as the Cisco
             client wrote them), UTF-16BE, UTF-8 and Windows-1252, and broken ones
  vpnc       vpnc configuration files with every directive, and broken ones
  profile    evc profiles with every key, and broken ones
  ctlproto   lines of evc's control protocol (docs/control-protocol.md): every command, reply
             and event, and broken ones
  keyed      fuzz_engine_keyed's input: every decrypted message's payloads (behind its HASH
             payload, which the harness recomputes) for each stage of the handshake
  radius     RADIUS replies (Accept with Framed-IP and Cisco AV pairs, Reject, Challenge) for
             fuzz_radius, unsigned: the target signs them

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
    "fuzz_engine_keyed": ["keyed"],
    "fuzz_pcf": ["pcf"],
    "fuzz_vpnc_conf": ["vpnc"],
    "fuzz_profile": ["profile"],
    "fuzz_ctlproto": ["ctlproto"],
    "fuzz_radius": ["radius"],
}
# kinds that are written once, not once per scenario
STATIC_KINDS = ("limits", "pcf", "vpnc", "profile", "ctlproto", "radius")
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


# enc_GroupPwd of "p@ss w0rd!#;=" (a known answer of tests/unit/test_profile_cisco.c)
ENC_PASS = ("E180CA93100A3E7EB93A25C83767A2D674D8705ABFFAE80E9F6F7EA98AF02089C9163B365CBC71D752"
            "D1A780D0F173E8F220155BA8E0CC94")

PCF_FULL = [
    "[main]", "!Description=Quizware office", "!Host=vpn.quizware.example", "AuthType=1",
    "!GroupName=quizware", "GroupPwd=", "enc_GroupPwd=" + ENC_PASS, "EnableISPConnect=0",
    "ISPConnectType=0", "ISPConnect=", "ISPCommand=", "ISPPhonebook=", "Username=alice",
    "SaveUserPassword=1", "UserPassword=pw", "enc_UserPassword=", "NTDomain=QUIZ",
    "EnableBackup=1", "BackupServer=vpn2.quizware.example,198.51.100.7", "EnableMSLogon=1",
    "MSLogonType=0", "EnableNat=1", "TunnelingMode=0", "TcpTunnelingPort=10000", "CertStore=0",
    "CertName=", "CertPath=", "CertSubjectName=", "CertSerialHash=00000000000000000000000000000000",
    "SendCertChain=0", "VerifyCertDN=", "PeerTimeout=90", "EnableLocalLAN=0", "DHGroup=2",
    "ForceKeepAlives=0", "EnableSplitDNS=1", "RadiusSDI=0", "SDIUseHardwareToken=0",
    "UseLegacyIKEPort=1", "SingleDES=0",
]
PCF_OTHER = [
    "[main]", "Description=Lab", "HOST=lab.example", "authtype=3", "GroupName=", "CertStore=1",
    "CertName=alice.pem", "CertPath=/etc/evc/certs", "CertSubjectName=CN=alice",
    "CertSerialHash=0123456789ABCDEF", "SendCertChain=1", "VerifyCertDN=CN=vpn",
    "EnableISPConnect=1", "ISPConnect=MyISP", "TunnelingMode=1", "TcpTunnelingPort=443",
    "DHGroup=1", "X-NM-Routes=10.0.0.0/8", "X-NM-Use-NAT-T=1", "X-NM-Force-NAT-T=1",
    "SPPhonebook=x", "FooBar=1", "[other]", "Host=x",
]
PCF_BROKEN = {
    "pcf-nomain": "Host=a.example\n[other]\nGroupName=g\n",
    "pcf-badvalues": "[main]\r\nHost=bad host!\r\nAuthType=7\r\nDHGroup=3\r\nEnableNat=2\r\n"
                     "PeerTimeout=ninety\r\nGroupName=g\r\nGroupName=h\r\n",
    "pcf-badenc": "[main]\nHost=a.example\nGroupName=g\nenc_GroupPwd=" + ENC_PASS[:-1] + "\n",
    "pcf-header": "[main\nHost=a\n",
}


def pcf():
    full = "\r\n".join(PCF_FULL) + "\r\n"
    yield "pcf-full-utf16le", b"\xff\xfe" + full.encode("utf-16-le")
    yield "pcf-full-utf16be", b"\xfe\xff" + full.encode("utf-16-be")
    yield "pcf-full-utf16le-nobom", full.encode("utf-16-le")
    yield "pcf-full-utf8", "\n".join(PCF_FULL).encode()
    yield "pcf-full-utf8-bom", b"\xef\xbb\xbf" + full.encode()
    yield "pcf-cp1252", "[main]\r\nDescription=B\u00fcro\r\nHost=a.example\r\nGroupName=g\r\n".encode("cp1252")
    yield "pcf-other", "\n".join(PCF_OTHER).encode()
    truncated = (b"\xff\xfe" + full.encode("utf-16-le"))[:-3]
    yield "pcf-truncated-utf16", truncated
    for name, text in PCF_BROKEN.items():
        yield name, text.encode()


VPNC_FULL = [
    "# vpnc", "IPSec gateway vpn.quizware.example", "IPSec ID quizware",
    "IPSec obfuscated secret " + ENC_PASS, "Xauth username alice", "Xauth password pw",
    "Xauth obfuscated password " + ENC_PASS, "IPSec secret clear", "IKE DH Group dh5",
    "Perfect Forward Secrecy nopfs", "NAT Traversal Mode force-natt", "Local Port 10500",
    "DPD idle timeout (our side) 120", "Interface name vpn0", "Interface MTU 1300",
    "Interface mode tun", "Script /usr/share/vpnc-scripts/vpnc-script",
    "Application version Cisco Systems VPN Client 5.0.07:Linux", "Domain QUIZ", "Vendor cisco",
    "Enable Single DES", "Enable weak encryption", "Enable no encryption",
    "Enable weak authentication", "Xauth interactive", "IKE Authmode psk", "Debug 1", "No Detach",
    "Pidfile /run/vpnc.pid", "Local Addr 0.0.0.0", "Cisco UDP Encapsulation Port 10000",
    "Noninteractive", "CA-File /etc/ssl/ca.pem", "CA-Dir /etc/ssl/certs",
    "IPSEC target network 10.0.0.0/8", "Password helper /usr/bin/askpass",
]
VPNC_BROKEN = {
    "vpnc-dup": "IPSec gateway a.example\nIPSec ID a\nIPSec ID b\n",
    "vpnc-badvalues": "IPSec gateway a.example\nIPSec ID a\nNAT Traversal Mode bogus\n"
                      "IKE DH Group dh17\nLocal Port 0\nInterface mode tap\nVendor netscreen\n"
                      "IKE Authmode hybrid\nScript vpnc-script --args\nFrobnicate 1\n",
    "vpnc-novalue": "IPSec gateway\nXauth username\n",
}


def vpnc():
    yield "vpnc-full", ("\n".join(VPNC_FULL) + "\n").encode()
    yield "vpnc-full-crlf", ("\r\n".join(VPNC_FULL) + "\r\n").encode()
    for name, text in VPNC_BROKEN.items():
        yield name, text.encode()


PROFILE_FULL = """# evc profile 'full'
description = Quizware office
gateway = vpn.example.com
backup_gateways = b1.example.com, 203.0.113.7
group = quizware
username = alice
auth = psk
group_key = secret:libsecret
password = file:/etc/evc/secrets/full.password
ike = aes256-sha1, aes128-sha256, 3des-md5
esp = aes256-sha1, 3des-md5
dh = 14
pfs = server
natt = auto
mode = network-extension
lan = 10.1.0.0/16, 192.168.7.0/24
local_lan = yes
dns = replace-symlink
resolv_conf = /etc/resolv.conf
state_file = /run/evc/full.state
mtu = 1400
dpd = 30
local_port = 500
ifname = evc%d
app_version = evc 0.1
"""
PROFILE_OTHER = """gateway = 198.51.100.1
auth = cert
cert = /etc/evc/alice.pem
cert_key = /etc/evc/alice.key
ca_cert = /etc/evc/ca.pem
script = /usr/share/vpnc-scripts/vpnc-script
natt = force
pfs = off
"""
PROFILE_BROKEN = {
    "profile-errors": "gateway = vpn.example.com\nGateway = x\ngatway = x\ngroup = a\ngroup = b\n"
                      "words\n= v\nmtu =\ndh = 3\ngroup_key = hunter2\nlan = 10.1.0.1/16\n",
    "profile-latin1": "gateway = a.example\ndescription = B\xfcro\n",
}


def profile():
    yield "profile-full", PROFILE_FULL.encode()
    yield "profile-full-crlf", PROFILE_FULL.replace("\n", "\r\n").encode()
    yield "profile-other", PROFILE_OTHER.encode()
    for name, text in PROFILE_BROKEN.items():
        yield name, text.encode("latin-1")


CTLPROTO = [
    '{"cmd":"hello","version":1}',
    '{"cmd":"subscribe"}',
    '{"cmd":"status"}',
    '{"cmd":"connect","profile":"office","gateway":"198.51.100.1","group":"quizware",'
    '"user":"richard","password":"p\\u00e4ss\\"w","group_key":"k"}',
    '{"cmd":"answer","prompt":"password","user":"richard","password":"secret"}',
    '{"cmd":"answer","prompt":"banner","accept":false}',
    '{"cmd":"disconnect"}',
    '{"reply":"status","ok":true,"state":"connected","step":8,"gateway":"198.51.100.1",'
    '"address":"10.98.0.10","sas":1,"bytes_in":123456789012,"uptime_s":7,'
    '"networks":["10.99.0.0/24","10.100.0.0/16"],"dns":["10.99.0.53"],"save_password":true}',
    '{"event":"step","step":3,"of":7,"name":"phase1","text":"phase 1 established"}',
    '{"event":"banner","text":"Welcome\\nto \\"quizware\\"\\t\\u2603"}',
    '{"event":"error","text":"step 4 (XAUTH): the gateway rejected the password","final":true}',
    '{"event":"counters","bytes_in":0,"bytes_out":-9223372036854775808,"sas":null}',
    '{"reply":"refused","ok":false,"error":"uid 65534 is not allowed"}',
    '{}', ' { "a" : [ ] } \r\n', '{"a":01}', '{"a":1.5}', '{"a":{"b":1}}', '{"a":"\\ud800"}',
    '{"a":1,"a":2}', '{"A":1}', '{"a":"x"} trailing', '{"a":"unterminated', '[1]',
    '{"a":99999999999999999999}', '{"a":"\\u0000"}', '{"a":tru}',
    # version 2: the caller's language, attach, a user's own profile; the text commands
    '{"cmd":"hello","version":2,"lang":"de_DE.UTF-8"}', '{"cmd":"attach"}',
    '{"cmd":"connect","profile":"mine","profile_lines":["gateway = 198.51.100.1","dh = 2"],'
    '"group_key":"k","lang":"fr:es"}',
    'status lang=de', 'disconnect lang=../x', 'status json lang=sr@latin',
]


def ctlproto():
    for i, line in enumerate(CTLPROTO):
        yield f"ctlproto-{i:02d}", (line + "\n").encode()


def radius():
    """RADIUS replies for fuzz_radius, unsigned (the target signs them)."""
    def attr(t, v):
        return bytes([t, len(v) + 2]) + v

    def avpair(s):
        return attr(26, struct.pack(">I", 9) + attr(1, s.encode()))
    ma = attr(80, bytes(16))
    replies = [
        (2, ma + attr(8, bytes([10, 98, 0, 77])) + attr(9, bytes([255, 255, 255, 0]))
         + avpair("ipsec:dns-servers=10.1.1.1 10.1.1.2") + avpair("ipsec:inacl=150")
         + avpair("ipsec:addr-pool=vip") + attr(27, struct.pack(">I", 3600))),
        (2, ma + avpair("ipsec:split-dns=a.example,b.example") + attr(25, b"\0class")
         + attr(18, b"welcome") + avpair("shell:priv-lvl=15")),
        (2, attr(8, bytes([10, 0, 0, 15]))),
        (3, ma + attr(18, b"no")),
        (11, ma + attr(24, b"state")),
    ]
    for i, (code, attrs) in enumerate(replies):
        yield f"radius-{i:02d}", struct.pack(">BBH", code, i, 20 + len(attrs)) + bytes(16) + attrs


STATIC = {"limits": limits, "pcf": pcf, "vpnc": vpnc, "profile": profile,
          "ctlproto": ctlproto, "radius": radius}


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
    elif kind == "keyed":
        # fuzz_engine_keyed.c: stage, exchange index, hash mode, message ID, first payload,
        # payloads. The recorded HASH payload is dropped: the harness writes a valid one.
        exch_index = {4: 0, 6: 1, 32: 2, 5: 3}
        msgs = load_messages(scen)
        for f in data_lines(os.path.join(scen, "decrypted.txt")):
            num = int(f[0])
            h = inner_header(msgs, num)
            body = bytes.fromhex(f[5])
            np, exch = h[16], h[18]
            if exch not in exch_index:
                continue
            mode = 1  # keep
            if np == 8 and len(body) >= 4:  # HASH first: replace it
                length = struct.unpack(">H", body[2:4])[0]
                np, body, mode = body[0], body[length:], 0
            for stage in range(5):
                head = bytes([stage, exch_index[exch], mode]) + h[20:24] + bytes([np])
                yield f"{tag}-keyed{num:02d}-s{stage}", head + body
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
        found = (STATIC[kind]() if kind in STATIC_KINDS else
                 (s for c in scens for s in seeds(c, kind)))
        for name, blob in found:
            with open(os.path.join(a.out, name), "wb") as f:
                f.write(blob)
            n += 1
    if n == 0:
        sys.exit(f"mkcorpus: no seeds for {a.target}")
    print(f"mkcorpus: {n} seeds for {a.target} in {a.out}")


if __name__ == "__main__":
    main()
