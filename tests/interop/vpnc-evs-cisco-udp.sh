#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: Debian's vpnc with `NAT Traversal Mode cisco-udp` (client namespace) against evs
# whose group has `ipsec-udp` (port 10000). vpnc asks for the port in its mode-config request,
# evs answers it, and vpnc's tunnel carries ESP in UDP from its own port 10000 (its default
# `Cisco UDP Encapsulation Port`) to evs's: a ping crosses the tunnel, the gateway counts at
# least 3 datagrams on UDP 10000 from port 10000, none on 4500 and no raw ESP (IP protocol
# 50). SIGTERM to vpnc: its DELETEs end the session.
#
# Usage: tests/interop/vpnc-evs-cisco-udp.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, vpnc missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=vpnc-client.sh
source "$here/vpnc-client.sh"

evcs_init "vpnc-evs-cisco-udp" "${1:-}"
rig_require_cmd "$VPNC_BIN" "$VPNC_SCRIPT"
rig_topology_std
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
rig_counter_add gw esp_raw meta l4proto esp
rig_counter_add gw udp10000 udp sport 10000 udp dport 10000
rig_counter_add gw udp4500 udp dport 4500
conf=$(evs_conf_variant evs.conf '/^ acl 101$/a\ ipsec-udp')
evs_start "$conf"

vpnc_start natt=cisco-udp
vpnc_wait_up 20
[[ $VPNC_ADDR == "$EVC_POOL_FIRST" ]] || fail "vpnc got address $VPNC_ADDR, expected $EVC_POOL_FIRST"
grep -q 'IPsec over UDP, ESP in UDP port 10000' "${RIG_LOGS[evs]}" ||
	fail "evs did not give vpnc the ipsec-udp port"
grep -q 'tunnel up: .*ESP in UDP 10000' "${RIG_LOGS[evs]}" || fail "evs does not report ESP in UDP 10000"

ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through vpnc's tunnel over UDP 10000"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] ||
	fail "the corporate host saw ${seen:-0} echo requests from $RIG_POOL_NET, expected 3"
udp=$(rig_counter_packets gw udp10000)
raw=$(rig_counter_packets gw esp_raw)
natt=$(rig_counter_packets gw udp4500)
[[ ${udp:-0} -ge 3 ]] || fail "the gateway got ${udp:-0} datagrams on UDP 10000 from port 10000, expected at least 3"
[[ ${raw:-0} -eq 0 ]] || fail "the gateway got $raw raw ESP packets from vpnc in cisco-udp mode"
[[ ${natt:-0} -eq 0 ]] || fail "the gateway got $natt datagrams on UDP 4500 from vpnc in cisco-udp mode"
rig_note "vpnc cisco-udp: $udp datagrams on UDP 10000, $raw raw ESP, $natt on 4500"

vpnc_stop
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "vpnc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
