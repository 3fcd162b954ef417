#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Garbage lockout (security issue, item 7): a burst of 2,000 datagrams from the client's own
# address, none of which is ever followed up, must not lock that client out. Half of them are
# first aggressive-mode messages that look real (vpnc's recorded AM1, each with a fresh
# initiator cookie), half carry a valid ISAKMP header for a first message and random bytes
# after it. Then:
#  - evs has created no IKE SA for the random ones (it logs nothing about their payloads: they
#    are dropped before an SA exists);
#  - evs rate-limits the real-looking ones and evicts the sender's oldest half-open SAs rather
#    than refusing;
#  - evc connects from that same address with one `evc connect`, well before the flood's
#    half-open SAs would have timed out (about 30 s), and reaches the corporate host.
#
# Usage: tests/e2e/garbage.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-garbage" "${1:-}"
rig_require_cmd python3
rig_topology_std
evs_start

am1=$(awk '$1 == 1 && $2 == "I2R" { print $7 }' "$here/../vectors/s1-vpnc-aggressive-psk-xauth/messages.txt")
[[ -n $am1 ]] || fail "internal: no first message in the s1 vectors"
rig_exec client python3 - "$am1" "$RIG_GW_ADDR" <<'PY' || fail "the burst could not be sent"
import os, random, socket, struct, sys, time
am1 = bytearray(bytes.fromhex(sys.argv[1]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 500))
for i in range(2000):
    if i % 2:
        msg = am1
        msg[0:8] = os.urandom(8)
    else:
        # header of a first message (SA payload next, aggressive mode, responder cookie 0),
        # random body
        body = os.urandom(random.randrange(0, 400))
        msg = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 1, 0x10, 4, 0, 0, 28 + len(body)) + body
    s.sendto(msg, (sys.argv[2], 500))
    if i % 16 == 15:
        time.sleep(0.002)  # about 1 s in all: a burst, but not one the socket buffer drops
PY
rig_note "sent 2000 datagrams from $RIG_CLIENT_ADDR"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state"
# evc retransmits its first message after 1, 2, 4 and 8 s; the flood's SAs would hold their
# slots for about 30 s: 10 s is only enough when evs let evc in at once or nearly so
evc_wait_connected evc 10
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel after the burst"
if grep -q 'malformed first message\|lacks SA, KE, nonce or ID\|malformed proposals' "${RIG_LOGS[evs]}"; then
	fail "evs created IKE SAs for datagrams that are not first messages: $(grep -m1 'malformed\|lacks SA' "${RIG_LOGS[evs]}")"
fi
if grep -q "refusing new connections from $RIG_CLIENT_ADDR" "${RIG_LOGS[evs]}"; then
	fail "evs refused new connections from the client's address after the burst"
fi
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
