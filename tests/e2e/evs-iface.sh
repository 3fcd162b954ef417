#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Task 5 of the chapter as written: `interface out0` with `crypto map VPNMAP` and no `ip
# address`. evs listens on the address the gateway's out0 has (198.51.100.1), says so, and
# evc connects through it and pings the corporate host. When out0 moves to 198.51.100.9, evs
# follows (the log says so) and evc connects to the new address. An interface the host does
# not have stops evs at start with a message naming it.
# Usage: tests/e2e/evs-iface.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-evs-iface" "${1:-}"
rig_topology_std

# ---- an interface the host does not have
bad=$(evs_conf_variant evs-nosuch.conf '/^ ip address 198.51.100.1 255.255.255.0$/d' \
	's/^interface eth0$/interface evsnosuch9/')
rig_spawn_isolated evs-bad gw "$EVS_BIN" --config "$bad" --control "$RIG_DIR/evs-bad.sock" \
	--state-file "$RIG_DIR/evs-bad.state"
wait_for_exit evs-bad 10
[[ ${RIG_LAST_STATUS:-0} != 0 ]] || fail "evs started with a crypto map on a missing interface"
grep -q "this host has no interface named evsnosuch9" "${RIG_LOGS[evs-bad]}" ||
	fail "evs did not name the missing interface: $(cat "${RIG_LOGS[evs-bad]}")"

# ---- the gateway's own interface, without `ip address`
conf=$(evs_conf_variant evs-task5.conf '/^ ip address 198.51.100.1 255.255.255.0$/d' \
	's/^interface eth0$/interface out0/')
! grep -q '^ ip address' "$conf" || fail "internal: $conf still has an ip address"
evs_start "$conf"
grep -q -F "interface out0 has no 'ip address' in the configuration: listening on the address(es) the host gives it: $RIG_GW_ADDR" \
	"${RIG_LOGS[evs]}" || fail "evs did not say which addresses it took: $(head -n 5 "${RIG_LOGS[evs]}")"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state" \
	--control "$RIG_DIR/evc.sock"
evc_wait_connected evc 20
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel"
out=$("$EVS_BIN" show crypto session --control "$EVS_CONTROL") || fail "evs show: $out"
grep -q -x "Interface: out0" <<<"$out" || fail "show crypto session does not name out0: $out"
rig_kill evc 10
evs_wait_connections 0

# ---- the interface moves to another address: evs follows it
new_addr=198.51.100.9
ip -n "$(rig_ns gw)" addr del "$RIG_GW_ADDR/24" dev out0 || fail "cannot remove $RIG_GW_ADDR from out0"
ip -n "$(rig_ns gw)" addr add "$new_addr/24" dev out0 || fail "cannot add $new_addr to out0"
wait_for_log -p "$EVS_PID" "${RIG_LOGS[evs]}" "listening on $new_addr \\(was $RIG_GW_ADDR\\)" 10 \
	"evs to follow out0 to $new_addr"
wait_for_udp -p "$EVS_PID" gw 500 10
evc_start evc2 client --gateway "$new_addr" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc2.state" \
	--control "$RIG_DIR/evc2.sock"
evc_wait_connected evc2 20
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel to the new address"
rig_kill evc2 10
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
