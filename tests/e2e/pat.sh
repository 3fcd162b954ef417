#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc as a hardware client in client mode (PAT): a LAN host (namespace lan,
# 10.30.0.10) behind the evc router (client) reaches the corporate host
# through the tunnel translated to the one pool address, so the corporate host
# sees only that address; the corporate host cannot open anything towards the
# LAN. evs routes the pool address back with a host route tagged 236 while the SA is up and
# not after. The rules are in evc's own nftables table (evc_evc0) while connected,
# and gone after SIGTERM, and after a crash (SIGKILL) once the next evc has
# recovered the journal.
#
# Usage: tests/e2e/pat.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-pat" "${1:-}"
rig_topology_std
lan_host=10.30.0.10
rig_ns_add lan
rig_veth client lan0 lan lan0
rig_addr client lan0 10.30.0.1/24
rig_addr lan lan0 "$lan_host/24"
rig_default_route lan 10.30.0.1
rig_forwarding client
rig_note "LAN: $lan_host -- 10.30.0.1 client (the evc router)"
ping_fails lan "$RIG_CORP_ADDR" || fail "the LAN host reaches $RIG_CORP_ADDR without a tunnel: the rig leaks"

rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
rig_counter_add corp from_lan ip saddr 10.30.0.0/24
evs_start
key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
state=$RIG_DIR/evc.state
evc_args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --lan 10.30.0.0/24 --no-reconnect --state-file "$state")

pat_table() {
	rig_exec client nft list table ip evc_evc0 2>/dev/null
}
no_pat_table() {
	! pat_table >/dev/null
}

evc_start evc client "${evc_args[@]}"
evc_wait_connected evc 20
pat_table >/dev/null || fail "no nftables table evc_evc0 in the client while connected"
grep -q "^nft " "$state" || fail "the state file does not journal the nftables table: $(cat "$state")"
rig_note "client: $(pat_table | grep -E 'snat|drop' | tr -s ' \t\n' ' ')"
# evs's reverse route in client mode: a host route for the assigned address, with evc's
# protocol tag (236), while the SA is up and not after
host_route() {
	ip -n "$(rig_ns gw)" route show "$EVC_POOL_FIRST/32" proto 236
}
no_host_route() {
	[[ -z $(host_route) ]]
}
[[ -n $(host_route) ]] || fail "no route $EVC_POOL_FIRST proto 236 in gw: $(ip -n "$(rig_ns gw)" route show)"
rig_note "gw: $(host_route)"

ping_ok lan "$RIG_CORP_ADDR" 3 || fail "no ping from the LAN host to $RIG_CORP_ADDR through the tunnel"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
seen=$(rig_counter_packets corp from_lan)
[[ ${seen:-0} -eq 0 ]] || fail "the corporate host saw ${seen} packets from the LAN's own addresses"
rig_note "corporate host saw $(rig_counter_packets corp from_pool) echo requests from the pool, ${seen:-0} packets from the LAN"
ping_fails corp "$lan_host" || fail "the corporate host reaches the LAN host $lan_host"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "the router itself no longer reaches $RIG_CORP_ADDR"

rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
no_pat_table || fail "the table evc_evc0 is still there after the disconnect"
wait_for "evs's reverse route to $EVC_POOL_FIRST to go" 10 no_host_route
ping_fails lan "$RIG_CORP_ADDR" || fail "the LAN host still reaches $RIG_CORP_ADDR after the disconnect"

# ---- a crash: the journal lists the table, and the next evc takes it away
evs_wait_connections 0
evc_start evc-crash client "${evc_args[@]}"
crash_pid=$RIG_LAST_PID
evc_wait_connected evc-crash 20
pat_table >/dev/null || fail "no table evc_evc0 in the second run"
kill -KILL "$crash_pid"
wait_for_exit evc-crash 10
pat_table >/dev/null || fail "internal: the killed evc's table is already gone"
grep -q "^nft " "$state" || fail "the killed evc left no journal of its table"
# the next evc, without a LAN, recovers the journal before it connects
evc_start evc-next client "${evc_args[@]:0:10}" --no-reconnect --state-file "$state"
evc_wait_connected evc-next 20
no_pat_table || fail "the crashed evc's table evc_evc0 survived the next evc's recovery"
rig_kill evc-next 10
evc_tun_gone client
evs_stop
sanitizer_check
rig_note "PASS"
