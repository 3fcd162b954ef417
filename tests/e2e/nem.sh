#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc as a hardware client in network-extension mode: a LAN host (namespace
# lan, 10.30.0.10) sits behind the evc router (client, lan0 10.30.0.1), and
# evs's group allows network extension (`nem enable`). evc proposes the LAN
# as its quick-mode identity; the corporate host and the LAN host reach each
# other by their own addresses, both ways; evs routes the LAN into its tunnel
# (reverse route, tagged with evc's routing protocol 0xEC = 236) while the SA
# is up and not after. The same router carries a second LAN (namespace lanb,
# 10.32.0.10 behind lan1 10.32.0.1): one SA pair per LAN, both LANs reached by
# their own addresses, both reverse routes on evs while connected, none after.
# Without `nem enable` the same evc is refused in mode-config (it asks for
# network extension there), with the reason in evs's log and on evc's stderr,
# and stops by itself leaving nothing behind; a LAN that overlaps what the gateway pushes, or
# that holds the router's own address towards the gateway (the gateway's path), is refused by
# evc. A second hardware client with another LAN
# works at the same time, and its route goes when it leaves; a third whose LAN
# lies inside the first router's is refused in its quick mode and leaves nothing, and so is
# one whose LAN holds the first router's own address.
#
# Usage: tests/e2e/nem.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-nem" "${1:-}"
rig_topology_std
lan_net=10.30.0.0/24
lan_host=10.30.0.10
rig_ns_add lan
rig_veth client lan0 lan lan0
rig_addr client lan0 10.30.0.1/24
rig_addr lan lan0 "$lan_host/24"
rig_default_route lan 10.30.0.1
rig_forwarding client
rig_note "LAN: $lan_host -- 10.30.0.1 client (the evc router)"
lanb_net=10.32.0.0/24
lanb_host=10.32.0.10
rig_ns_add lanb
rig_veth client lan1 lanb lan0
rig_addr client lan1 10.32.0.1/24
rig_addr lanb lan0 "$lanb_host/24"
rig_default_route lanb 10.32.0.1
rig_note "LAN B: $lanb_host -- 10.32.0.1 client (the same router)"
ping_fails lan "$RIG_CORP_ADDR" || fail "the LAN host reaches $RIG_CORP_ADDR without a tunnel: the rig leaks"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --mode network-extension --lan "$lan_net" --no-reconnect)

# gw's route to the LAN through evs's tunnel, with evc's protocol tag
lan_route() {
	ip -n "$(rig_ns gw)" route show "$lan_net" proto 236
}

no_route() {
	[[ -z $(ip -n "$(rig_ns gw)" route show "$1" proto 236) ]]
}
no_lan_route() {
	no_route "$lan_net"
}

# ---- a group without `nem enable`: refused in mode-config (evc asks for network
# extension there), with the reason on both sides; evc stops by itself, nothing routed
evs_start
evc_start evc-refused client "${evc_args[@]}" --state-file "$RIG_DIR/evc-refused.state"
refused_pid=$RIG_LAST_PID
wait_for_log "${RIG_LOGS[evs]}" "asked for network extension: refused, the group does not allow network extension .'nem enable'." 20 \
	"evs refusing network extension: the group does not allow it"
wait_for_log "${RIG_LOGS[evc-refused-stderr]}" "the gateway refuses network extension for group $EVC_GROUP" 20 \
	"evc saying that the gateway refuses network extension"
wait_for_exit "$refused_pid" 10
[[ ${RIG_LAST_STATUS:-x} != 0 ]] || fail "evc exited with status 0 after the gateway refused network extension"
[[ -z $(lan_route) ]] || fail "evs routes $lan_net although the group does not allow network extension"
evc_tun_gone client
[[ -z $(compgen -G "$RIG_DIR/evc-refused.state*" || true) ]] || fail "evc left a state file after the refusal"

# ---- a LAN that overlaps what the gateway routes through the tunnel (10.99.0.0/24)
evc_start evc-overlap client "${evc_args[@]:0:10}" --mode network-extension --lan 10.99.0.0/16 \
	--no-reconnect --state-file "$RIG_DIR/evc-overlap.state"
overlap_pid=$RIG_LAST_PID
wait_for_log "${RIG_LOGS[evc-overlap-stderr]}" "LAN 10\.99\.0\.0/16 overlaps 10\.99\.0\.0/24" 20 \
	"evc refusing a LAN that overlaps the pushed network"
wait_for_exit "$overlap_pid" 10
evc_tun_gone client
[[ -z $(compgen -G "$RIG_DIR/evc-overlap.state*" || true) ]] || fail "evc left a state file after refusing its LAN"
evs_stop

# ---- a group with `nem enable`
conf=$(evs_conf_variant evs-nem.conf 's/^ acl 101$/ acl 101\n nem enable/')
grep -q '^ nem enable$' "$conf" || fail "internal: no 'nem enable' in $conf"
rig_counter_add corp from_lan ip saddr "$lan_host" icmp type echo-request
rig_counter_add lan from_corp ip saddr "$RIG_CORP_ADDR" icmp type echo-request
rig_counter_add corp from_lanb ip saddr "$lanb_host" icmp type echo-request
rig_counter_add lanb from_corp ip saddr "$RIG_CORP_ADDR" icmp type echo-request
evs_start "$conf"

# ---- a LAN that holds the router's own address towards the gateway: the gateway would route
# its packets for the router (the tunnel's own) into the tunnel. Refused before anything is
# sent or set up, against a group that would take the LAN.
evc_start evc-path client "${evc_args[@]:0:10}" --mode network-extension --lan "$RIG_CLIENT_ADDR/32" \
	--no-reconnect --state-file "$RIG_DIR/evc-path.state"
path_pid=$RIG_LAST_PID
wait_for_log "${RIG_LOGS[evc-path-stderr]}" \
	"LAN ${RIG_CLIENT_ADDR//./\\.}/32 holds ${RIG_CLIENT_ADDR//./\\.}, this host's own address towards the gateway" 20 \
	"evc refusing a LAN that holds its own address towards the gateway"
wait_for_exit "$path_pid" 10
[[ ${RIG_LAST_STATUS:-x} != 0 ]] || fail "evc exited with status 0 after refusing its LAN"
! grep -q '^\[1/7\]' "${RIG_LOGS[evc-path]}" || fail "evc started IKE with a LAN that holds its own address"
evc_tun_gone client
[[ -z $(compgen -G "$RIG_DIR/evc-path.state*" || true) ]] || fail "evc left a state file after refusing its LAN"
no_route "$RIG_CLIENT_ADDR/32" || fail "evs routes $RIG_CLIENT_ADDR into a tunnel"
evs_wait_connections 0

evc_start evc client "${evc_args[@]}" --lan "$lanb_net" --state-file "$RIG_DIR/evc.state" \
	--control "$RIG_DIR/evc.sock"
evc_wait_connected evc 20
# one pair per LAN: the second is set up after the first
has_route() {
	[[ -n $(ip -n "$(rig_ns gw)" route show "$1" proto 236) ]]
}
wait_for "evs's reverse route to the second LAN $lanb_net" 10 has_route "$lanb_net"
status=$("$EVC_BIN" status --control "$RIG_DIR/evc.sock") || fail "evc status failed: $status"
grep -q -x "mode: network-extension" <<<"$status" || fail "evc status does not say 'mode: network-extension': $status"
grep -q -E "^evs: \\[6/7\\] reverse route 10\\.30\\.0\\.0/24 via " "${RIG_LOGS[evs]}" ||
	fail "evs did not log the reverse route to $lan_net"
[[ -n $(lan_route) ]] || fail "no route $lan_net proto 236 in gw: $(ip -n "$(rig_ns gw)" route show)"
rig_note "gw: $(lan_route)"

ping_ok lan "$RIG_CORP_ADDR" 3 || fail "no ping from the LAN host to $RIG_CORP_ADDR through the tunnel"
seen=$(rig_counter_packets corp from_lan)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from $lan_host, expected 3"
ping_ok corp "$lan_host" 3 || fail "no ping from the corporate host to the LAN host $lan_host"
seen=$(rig_counter_packets lan from_corp)
[[ ${seen:-0} -ge 3 ]] || fail "the LAN host saw ${seen:-0} echo requests from $RIG_CORP_ADDR, expected 3"

# ---- the second LAN of the same router, over its own SA pair
pairs=$("$EVC_BIN" status --control "$RIG_DIR/evc.sock" | grep -c '^sa: ') || true
[[ ${pairs:-0} -ge 2 ]] || fail "evc status lists ${pairs:-0} SA pairs for two LANs, expected 2"
grep -q -E "^evs: \\[6/7\\] reverse route 10\\.32\\.0\\.0/24 via " "${RIG_LOGS[evs]}" ||
	fail "evs did not log the reverse route to $lanb_net"
rig_note "gw: $(ip -n "$(rig_ns gw)" route show "$lanb_net" proto 236)"
ping_ok lanb "$RIG_CORP_ADDR" 3 || fail "no ping from the second LAN's host to $RIG_CORP_ADDR through the tunnel"
seen=$(rig_counter_packets corp from_lanb)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from $lanb_host, expected 3"
ping_ok corp "$lanb_host" 3 || fail "no ping from the corporate host to the second LAN's host $lanb_host"
seen=$(rig_counter_packets lanb from_corp)
[[ ${seen:-0} -ge 3 ]] || fail "the second LAN's host saw ${seen:-0} echo requests from $RIG_CORP_ADDR, expected 3"
ping_ok lan "$RIG_CORP_ADDR" 1 || fail "the first LAN stopped reaching $RIG_CORP_ADDR once the second was up"

# ---- a second hardware client (natalie) with its own LAN, at the same time
rig_add_std_client client2 198.51.100.3
rig_ns_add lan2
rig_veth client2 lan0 lan2 lan0
rig_addr client2 lan0 10.31.0.1/24
rig_addr lan2 lan0 10.31.0.10/24
rig_default_route lan2 10.31.0.1
rig_forwarding client2
rig_counter_add corp from_lan2 ip saddr 10.31.0.10 icmp type echo-request
key2=$(evc_secret group-key2 "$EVC_GROUP_KEY")
pw2=$(evc_secret password2 "$EVC_PASSWORD2")
evc_start evc2 client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER2" \
	--group-key-file "$key2" --password-file "$pw2" --mode network-extension --lan 10.31.0.0/24 \
	--no-reconnect --state-file "$RIG_DIR/evc2.state"
evc_wait_connected evc2 20
[[ -n $(ip -n "$(rig_ns gw)" route show 10.31.0.0/24 proto 236) ]] ||
	fail "no route 10.31.0.0/24 proto 236 in gw for the second client"
ping_ok lan2 "$RIG_CORP_ADDR" 3 || fail "no ping from the second LAN host to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_lan2)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from 10.31.0.10, expected 3"
ping_ok corp 10.31.0.10 3 || fail "no ping from the corporate host to the second LAN host"
ping_ok corp "$lan_host" 2 || fail "the first LAN stopped answering when the second client connected"
rig_kill evc2 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the second evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client2
wait_for "the reverse route to 10.31.0.0/24 to go" 10 no_route 10.31.0.0/24
ping_ok corp "$lan_host" 2 || fail "the first LAN stopped answering when the second client left"

# ---- a LAN evs will not carry (inside the first router's): refused in its quick mode,
# the router ends with the reason and leaves nothing, the first router goes on
evc_start evc3 client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER2" \
	--group-key-file "$key2" --password-file "$pw2" --mode network-extension --lan 10.30.0.0/25 \
	--no-reconnect --state-file "$RIG_DIR/evc3.state"
evc3_pid=$RIG_LAST_PID
wait_for_log "${RIG_LOGS[evc3-stderr]}" "the gateway refused the quick mode for 10\.30\.0\.0/25 \(INVALID-ID-INFORMATION\)" 20 \
	"evc saying that the gateway refused its LAN"
wait_for_exit "$evc3_pid" 10
[[ ${RIG_LAST_STATUS:-x} != 0 ]] || fail "evc exited with status 0 after the gateway refused its LAN"
grep -q "overlaps the traffic selector of another client's IPsec SA" "${RIG_LOGS[evs]}" ||
	fail "evs did not log why it refused 10.30.0.0/25"
evc_tun_gone client2
no_route 10.30.0.0/25 || fail "evs routes 10.30.0.0/25 after refusing it"
[[ -n $(lan_route) ]] || fail "the first router's route to $lan_net went when another router was refused"
ping_ok corp "$lan_host" 2 || fail "the first LAN stopped answering when another router was refused"

# ---- another router's LAN holding the first router's own address (198.51.100.2): refused
# in its quick mode, else the first router's tunnel would be routed into the second's
evc_start evc4 client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER2" \
	--group-key-file "$key2" --password-file "$pw2" --mode network-extension --lan "$RIG_CLIENT_ADDR/32" \
	--no-reconnect --state-file "$RIG_DIR/evc4.state"
evc4_pid=$RIG_LAST_PID
wait_for_log "${RIG_LOGS[evc4-stderr]}" "the gateway refused the quick mode for ${RIG_CLIENT_ADDR//./\\.}/32 \(INVALID-ID-INFORMATION\)" 20 \
	"evc saying that the gateway refused a LAN holding another router's address"
wait_for_exit "$evc4_pid" 10
[[ ${RIG_LAST_STATUS:-x} != 0 ]] || fail "evc exited with status 0 after the gateway refused its LAN"
grep -q "the network holds the address another client's packets come from" "${RIG_LOGS[evs]}" ||
	fail "evs did not log why it refused $RIG_CLIENT_ADDR/32"
evc_tun_gone client2
no_route "$RIG_CLIENT_ADDR/32" || fail "evs routes the first router's address $RIG_CLIENT_ADDR into a tunnel"
ping_ok corp "$lan_host" 2 || fail "the first LAN stopped answering when another router proposed its address"

# ---- disconnect: the route goes with the SA
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
wait_for "the reverse route to $lan_net to go" 10 no_lan_route
wait_for "the reverse route to $lanb_net to go" 10 no_route "$lanb_net"
ping_fails corp "$lan_host" || fail "the corporate host still reaches $lan_host after the disconnect"
ping_fails corp "$lanb_host" || fail "the corporate host still reaches $lanb_host after the disconnect"
evs_stop
sanitizer_check
rig_note "PASS"
