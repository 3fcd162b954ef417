#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc connects to evs in the standard topology (evs in gw, evc in client, the
# corporate host behind gw), traffic flows through the tunnel, and SIGTERM
# takes everything back.
#
# Connected, it checks: the steps [1/7]..[7/7] and the group banner on evc's
# output ([6/7], reverse route injection, is the server's and is checked in
# evs's log); the pushed address on evc's TUN and the split route through
# it; nameserver and search domain in evc's private resolv.conf; no secret on
# any command line; a ping to the corporate host, which sees the pool address
# as source; ESP as raw IP protocol 50 (or ESP in UDP 4500 with --natt
# force) at the gateway; `evs show crypto session summary` exactly as in
# Example 20-3. After SIGTERM: exit status 0, "disconnected", no TUN device
# or route left, resolv.conf back byte for byte, no state file, evs at 0
# connections, evs exits 0, and no sanitizer report in any log.
#
# Usage: tests/e2e/connect.sh [BUILD_DIR] [--natt force] [--second-client] [--push]
#   BUILD_DIR        where client/evc and server/evs are (else $EVC_BUILD_DIR)
#   --natt force     ESP in UDP 4500 although there is no NAT
#   --second-client  natalie connects as well, from a second client namespace,
#                    while richard is connected; the summary lists both
#   --push           evs pushes the policy (client configuration address initiate)
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

build=
natt=auto
second=no
push=no
while [[ $# -gt 0 ]]; do
	case $1 in
	--natt)
		natt=${2:?--natt needs a mode}
		shift
		;;
	--second-client) second=yes ;;
	--push) push=yes ;;
	-*)
		echo "usage: $0 [BUILD_DIR] [--natt force] [--second-client] [--push]" >&2
		exit 2
		;;
	*) build=$1 ;;
	esac
	shift
done

evcs_init "e2e-connect" "$build"
rig_topology_std
ping_fails client "$RIG_CORP_ADDR" || fail "client reaches $RIG_CORP_ADDR without a tunnel: the rig leaks"

banner_text="Welcome to quizware, authorised users only."
push_sed='s/^crypto map VPNMAP client configuration address respond$/&/'
[[ $push == no ]] ||
	push_sed='s/^crypto map VPNMAP client configuration address respond$/crypto map VPNMAP client configuration address initiate/'
conf=$(evs_conf_variant evs-banner.conf "s/^ acl 101\$/ acl 101\n banner #\n$banner_text\n#/" "$push_sed")
if [[ $push == yes ]]; then
	grep -q 'client configuration address initiate$' "$conf" || fail "internal: no initiate in $conf"
	! grep -q 'client configuration address respond$' "$conf" || fail "internal: respond left in $conf"
fi
grep -q -F "$banner_text" "$conf" || fail "internal: the banner did not make it into $conf"

rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
rig_counter_add gw esp_raw meta l4proto esp
rig_counter_add gw esp_udp udp dport 4500
evs_start "$conf"

# a resolv.conf worth restoring: evc must give back exactly this
resolv=$(rig_resolv_conf evc)
printf '# the host resolver (rig)\nnameserver 198.51.100.53\nsearch example.test\noptions edns0\n' >"$resolv"
cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
state=$RIG_DIR/evc.state
natt_args=()
[[ $natt == auto ]] || natt_args=(--natt "$natt")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$state" "${natt_args[@]}" \
	--control "$RIG_DIR/evc.sock"
EVC_PID=$RIG_LAST_PID
evc_wait_connected evc 20
evc_log=${RIG_LOGS[evc]}
rig_note "evc connected: $(grep '^connected: ' "$evc_log")"

# ---- what evc printed
for step in 1 2 3 4 5 7; do
	grep -q "^\[$step/7\] " "$evc_log" || fail "evc did not print step [$step/7]"
done
grep -q -F -x "connected: address $EVC_POOL_FIRST on evc0; routes: $RIG_CORP_NET; DNS: $EVC_DNS" "$evc_log" ||
	fail "evc's 'connected:' line is not 'connected: address $EVC_POOL_FIRST on evc0; routes: $RIG_CORP_NET; DNS: $EVC_DNS'"
grep -q -F -x -- "---- message from the gateway ----" "$evc_log" || fail "evc did not show the gateway's banner"
grep -q -F -x -- "$banner_text" "$evc_log" || fail "evc did not print the banner text '$banner_text'"
grep -q -E '^evs: \[6/7\] reverse route 10\.98\.0\.10/32 via ' "${RIG_LOGS[evs]}" ||
	fail "evs did not log step [6/7] (reverse route for $EVC_POOL_FIRST)"

# ---- the host configuration evc made in the client namespace
[[ $(rig_addr4 client evc0) == "$EVC_POOL_FIRST" ]] ||
	fail "evc0 has address '$(rig_addr4 client evc0)', expected $EVC_POOL_FIRST"
ip -n "$(rig_ns client)" -o link show dev evc0 type tun | grep -q ',UP' || fail "evc0 is not an UP TUN device"
[[ -n $(ip -n "$(rig_ns client)" route show "$RIG_CORP_NET" dev evc0) ]] ||
	fail "no route $RIG_CORP_NET dev evc0 in the client"
grep -q -x "nameserver $EVC_DNS" "$resolv" || fail "evc's resolv.conf has no 'nameserver $EVC_DNS': $(cat "$resolv")"
grep -q -x "search $EVC_DOMAIN" "$resolv" || fail "evc's resolv.conf has no 'search $EVC_DOMAIN': $(cat "$resolv")"
[[ -s $state ]] || fail "evc keeps no state file at $state while connected"

# ---- secrets never on a command line
evc_argv=$(ps -ww -o args= -p "$EVC_PID") || fail "evc (pid $EVC_PID) is not running"
[[ $evc_argv == *" connect "* ]] || fail "internal: pid $EVC_PID is not evc: $evc_argv"
# every process in the client namespace (not the whole host: other people's
# processes are none of this test's business)
pids=$(ip netns pids "$(rig_ns client)" | tr '\n' ',')
all=$(ps -ww -o pid=,args= -p "${pids%,}") || fail "ps of the client namespace's processes failed"
# matched in bash: a grep for the secret would carry it on its own argv
for secret in "$EVC_GROUP_KEY" "$EVC_PASSWORD"; do
	[[ $evc_argv != *"$secret"* ]] || fail "a secret appears on evc's command line: $evc_argv"
	[[ $all != *"$secret"* ]] || fail "a secret appears on a command line in the client namespace"
done

# ---- traffic
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel from the client to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] ||
	fail "the corporate host saw ${seen:-0} echo requests from $RIG_POOL_NET, expected 3"
raw=$(rig_counter_packets gw esp_raw)
udp=$(rig_counter_packets gw esp_udp)
if [[ $natt == force ]]; then
	[[ ${raw:-0} -eq 0 && ${udp:-0} -ge 3 ]] ||
		fail "with --natt force the gateway got ${raw:-0} raw ESP and ${udp:-0} UDP 4500 packets; expected none and at least 3"
	grep -q '^\[up\] .*ESP in UDP 4500' "$evc_log" || fail "evc does not report ESP in UDP 4500"
else
	[[ ${raw:-0} -ge 3 && ${udp:-0} -eq 0 ]] ||
		fail "without NAT the gateway got ${raw:-0} raw ESP and ${udp:-0} UDP 4500 packets; expected at least 3 and none"
	grep -q '^\[up\] .*ESP (IP protocol 50)' "$evc_log" || fail "evc does not report raw ESP (IP protocol 50)"
fi
rig_note "corporate host saw $seen echo requests from the pool; gateway got $raw raw ESP, $udp UDP 4500 packets"

if [[ $push == yes ]]; then
	# evc asked as well; the gateway ignored the request and pushed
	grep -q 'ignored a mode-config request: this gateway pushes the policy' "${RIG_LOGS[evs]}" ||
		fail "evs did not push the policy (client configuration address initiate)"
fi
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"

# ---- evc status on the control socket
status=$("$EVC_BIN" status --control "$RIG_DIR/evc.sock") || fail "evc status failed: $status"
for want in "state: connected" "gateway: $RIG_GW_ADDR" "group: $EVC_GROUP" "user: $EVC_USER" \
	"interface: evc0" "address: $EVC_POOL_FIRST"; do
	grep -q -x -F "$want" <<<"$status" || fail "evc status lacks '$want': $status"
done
grep -q -x "esp: $([[ $natt == force ]] && echo udp-4500 || echo ip-50)" <<<"$status" ||
	fail "evc status reports the wrong ESP transport: $status"
pkts=$(sed -n 's/^packets-in: //p' <<<"$status")
[[ ${pkts:-0} -ge 3 ]] || fail "evc status counts ${pkts:-0} packets in, expected the 3 ping replies"

# ---- a second user from a second client namespace
if [[ $second == yes ]]; then
	rig_add_std_client client2 198.51.100.3
	rig_counter_add corp from_second ip saddr 10.98.0.11 icmp type echo-request
	key2=$(evc_secret group-key2 "$EVC_GROUP_KEY")
	pw2=$(evc_secret password2 "$EVC_PASSWORD2")
	resolv2=$(rig_resolv_conf evc2)
	cp -p -- "$resolv2" "$RIG_DIR/resolv2.conf.before"
	evc_start evc2 client2 --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER2" \
		--group-key-file "$key2" --password-file "$pw2" --state-file "$RIG_DIR/evc2.state" \
		"${natt_args[@]}"
	evc_wait_connected evc2 20
	[[ $(rig_addr4 client2 evc0) == 10.98.0.11 ]] ||
		fail "natalie's evc0 has address '$(rig_addr4 client2 evc0)', expected the next pool address 10.98.0.11"
	ping_ok client2 "$RIG_CORP_ADDR" 3 || fail "no ping through natalie's tunnel"
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "richard's tunnel stopped working when natalie connected"
	seen=$(rig_counter_packets corp from_second)
	[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from 10.98.0.11, expected 3"
	evs_expect_summary " Group $EVC_GROUP has 2 connections
  User (Logins)
  $EVC_USER (1)
  $EVC_USER2 (1)"
	rig_kill evc2 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "natalie's evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
	evc_tun_gone client2
	cmp -s "$resolv2" "$RIG_DIR/resolv2.conf.before" || fail "natalie's resolv.conf was not restored"
	evs_wait_connections 1
	evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "richard's tunnel stopped working when natalie disconnected"
fi

# ---- disconnect
rig_kill evc 10
status=${RIG_LAST_STATUS:-}
sanitizer_check
[[ ${status:-x} == 0 ]] || fail "evc exited with status ${status:-unknown} on SIGTERM (expected 0)"
grep -q '^disconnected' "$evc_log" || fail "evc did not print 'disconnected'"
evc_tun_gone client
ping_fails client "$RIG_CORP_ADDR" || fail "the client still reaches $RIG_CORP_ADDR after the disconnect"
if ! cmp -s "$resolv" "$RIG_DIR/resolv.conf.before"; then
	fail "resolv.conf not restored byte for byte: $(diff "$RIG_DIR/resolv.conf.before" "$resolv")"
fi
left=$(compgen -G "$state*" || true)
[[ -z $left ]] || fail "evc left its state file(s) behind: $left"
[[ ! -s ${RIG_LOGS[evc-stderr]} ]] || fail "evc wrote to stderr in a clean run: $(head -n 5 "${RIG_LOGS[evc-stderr]}")"
evs_wait_connections 0
evs_expect_summary " Group $EVC_GROUP has 0 connections"

evs_stop
sanitizer_check
rig_note "PASS"
