#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cisco IPsec over UDP: evc --natt cisco-udp against evs whose group has `ipsec-udp` (port
# 10000). evc asks for the port in mode-config, evs answers it, and the tunnel's ESP goes in
# UDP between port 10000 on both ends: the gateway counts at least 3 datagrams to UDP 10000
# from the client's port 10000 while a ping crosses the tunnel, no raw ESP (IP protocol 50)
# and nothing to UDP 4500; `evc status` says esp: udp-10000. Then the same evs with a client
# that does not ask (--natt off): raw ESP, nothing to UDP 10000.
#
# Usage: tests/e2e/cisco-udp.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-cisco-udp" "${1:-}"
rig_topology_std
rig_counter_add gw esp_raw meta l4proto esp
rig_counter_add gw udp10000 udp sport 10000 udp dport 10000
rig_counter_add gw udp4500 udp dport 4500
conf=$(evs_conf_variant evs.conf '/^ acl 101$/a\ ipsec-udp')
evs_start "$conf"
grep -q 'ipsec-udp: ESP in UDP on port 10000' "${RIG_LOGS[evs]}" ||
	fail "evs does not say it carries ipsec-udp on port 10000"
rig_exec gw ss -ulnp | grep -q ':10000 ' || fail "evs has no socket on UDP 10000"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state" \
	--natt cisco-udp --control "$RIG_DIR/evc.sock"
evc_wait_connected evc 20
status=$("$EVC_BIN" status --control "$RIG_DIR/evc.sock") || fail "evc status failed: $status"
grep -q -x "esp: udp-10000" <<<"$status" || fail "evc status does not report esp: udp-10000: $status"
grep -q 'tunnel up: .*ESP in UDP 10000' "${RIG_LOGS[evc]}" || fail "evc does not report ESP in UDP 10000"
grep -q 'tunnel up: .*ESP in UDP 10000' "${RIG_LOGS[evs]}" || fail "evs does not report ESP in UDP 10000"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel over UDP 10000"
udp=$(rig_counter_packets gw udp10000)
raw=$(rig_counter_packets gw esp_raw)
natt=$(rig_counter_packets gw udp4500)
[[ ${udp:-0} -ge 3 ]] || fail "the gateway got ${udp:-0} datagrams on UDP 10000 from port 10000, expected at least 3"
[[ ${raw:-0} -eq 0 ]] || fail "the gateway got $raw raw ESP packets with IPsec over UDP"
[[ ${natt:-0} -eq 0 ]] || fail "the gateway got $natt datagrams on UDP 4500 with IPsec over UDP"
rig_note "ipsec-udp: $udp datagrams on UDP 10000, $raw raw ESP, $natt on 4500"
rig_kill evc 10
evs_wait_connections 0 10

# a client that does not ask keeps raw ESP, although its group has ipsec-udp
rig_exec gw nft reset counters table inet rig_count >/dev/null
evc_start evc2 client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc2.state" \
	--natt off
evc_wait_connected evc2 20
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the raw ESP tunnel"
udp=$(rig_counter_packets gw udp10000)
raw=$(rig_counter_packets gw esp_raw)
[[ ${raw:-0} -ge 3 && ${udp:-0} -eq 0 ]] ||
	fail "a client that did not ask: ${raw:-0} raw ESP and ${udp:-0} UDP 10000 datagrams; expected at least 3 and none"
rig_kill evc2 10
evs_wait_connections 0 10
evs_stop
sanitizer_check
rig_note "PASS: ESP in UDP 10000 for the client that asked, raw ESP for the one that did not"
