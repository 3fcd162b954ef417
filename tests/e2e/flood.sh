#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A sender floods evs with first aggressive-mode messages that it never follows up (vpnc's
# real AM1 from the recorded vectors, each with a fresh initiator cookie). evs must rate-limit
# them per source with one rate-limited warning, keep at most 8 half-open SAs for the sender
# (a new one ends its oldest), stay responsive, and a real client from another address must
# still connect and reach the corporate host.
#
# Usage: tests/e2e/flood.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-flood" "${1:-}"
rig_require_cmd python3
rig_topology_std
rig_add_std_client client2 198.51.100.3
evs_start

am1=$(awk '$1 == 1 && $2 == "I2R" { print $7 }' "$here/../vectors/s1-vpnc-aggressive-psk-xauth/messages.txt")
[[ -n $am1 ]] || fail "internal: no first message in the s1 vectors"
# 200 first messages, each a new initiator cookie, from the standard client's address
rig_exec client python3 - "$am1" "$RIG_GW_ADDR" <<'PY' || fail "the flood could not be sent"
import os, socket, sys
msg = bytearray(bytes.fromhex(sys.argv[1]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 500))
for _ in range(200):
    msg[0:8] = os.urandom(8)
    s.sendto(msg, (sys.argv[2], 500))
PY
# 16 get in at once, then 4 a second: the rest are dropped with one rate-limited warning, and
# the sender's at most 8 half-open SAs make room for each other instead of refusing
wait_for_log -p "$EVS_PID" "${RIG_LOGS[evs]}" \
	"rate-limiting first messages from $RIG_CLIENT_ADDR" 20 \
	"evs to rate-limit the flood's first messages"
wait_for_log -p "$EVS_PID" "${RIG_LOGS[evs]}" \
	"8 half-open SAs from $RIG_CLIENT_ADDR, 8 in all .*ending the oldest of that sender" 20 \
	"evs to end the sender's oldest half-open SA beyond 8"
[[ $(grep -c 'rate-limiting first messages' "${RIG_LOGS[evs]}") -le 2 ]] ||
	fail "evs logged the rate limit more than twice: the warning is not rate-limited"
[[ $(grep -c 'half-open SAs from' "${RIG_LOGS[evs]}") -le 2 ]] ||
	fail "evs logged the evictions more than twice: the warning is not rate-limited"
! grep -q 'refusing new connections' "${RIG_LOGS[evs]}" ||
	fail "evs refused new connections instead of ending the sender's oldest half-open SA"
evs_expect_summary " Group $EVC_GROUP has 0 connections"

# a real client from another address gets through at once
key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state"
evc_wait_connected evc 20
ping_ok client2 "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel during the flood"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
