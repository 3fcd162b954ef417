#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc keeps the tunnel up without a person (issue 9):
#   gateway-restart  evs dies by SIGKILL and is started again: evc finds the gateway dead
#                    by dead peer detection (--dpd 2) within its time, restores the host,
#                    says that it reconnects, waits 1 s, then 2 s (a fifth less at most, at
#                    random) while the gateway stays dead, and the tunnel comes back with
#                    no action; `evc status`
#                    counts the reconnection. With --no-reconnect evc ends instead.
#   route-change     the client has two uplinks to the gateway; its default route moves from
#                    the first to the second under a running tunnel: evc sees the path change
#                    (netlink), tears the tunnel down, sets it up again over the new path, and
#                    traffic flows with the first uplink down.
#
# Usage: tests/e2e/reconnect.sh BUILD_DIR gateway-restart|route-change
# Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

mode=${2:-gateway-restart}
evcs_init "e2e-reconnect-$mode" "${1:-}"
rig_require_cmd python3

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --state-file "$RIG_DIR/evc.state" --control "$RIG_DIR/evc.sock")

connected_lines() {
	grep -c '^connected: ' "${RIG_LOGS[$1]}" || true
}

# wait_connected_again NAME N: the N-th "connected:" line
_has_lines() {
	[[ $(connected_lines "$1") -ge $2 ]]
}
wait_connected_again() {
	wait_for -p "$(rig_pid "$1")" "$1 to print 'connected:' $2 times" "${3:-30}" _has_lines "$1" "$2"
}

evc_status() {
	rig_exec client "$EVC_BIN" status --control "$RIG_DIR/evc.sock" 2>&1
}

kill_evs() {
	kill -KILL "$EVS_PID"
	wait_for_exit "$EVS_PID" 10
	EVS_PID=
}

case $mode in
gateway-restart)
	rig_topology_std
	evs_start
	evc_start evc client "${args[@]}" --dpd 2
	evc_wait_connected evc 20
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the first tunnel"

	killed_at=$(date +%s%N)
	kill_evs
	# the tunnel is dead: 2 s idle, then 5 probes a second apart, then back-off from 1 s
	wait_for_log -p "$(rig_pid evc)" "${RIG_LOGS[evc-stderr]}" \
		'^evc: reconnecting to 198\.51\.100\.1 in [0-9.]+ s \(attempt 1\)$' 20 \
		"evc to say that it reconnects"
	# within the dead peer detection time (2 s + 5 probes), not by some later timeout
	noticed_ms=$((($(date +%s%N) - killed_at) / 1000000))
	rig_note "evc noticed the dead gateway after $noticed_ms ms (--dpd 2)"
	[[ $noticed_ms -le 12000 ]] || fail "evc took $noticed_ms ms to notice the dead gateway; --dpd 2 allows about 7 s"
	grep -q 'stopped answering dead peer detection' "${RIG_LOGS[evc-stderr]}" ||
		fail "evc did not say why it reconnects: $(cat "${RIG_LOGS[evc-stderr]}")"
	# torn down cleanly while it waits: the host is as before the tunnel
	evc_tun_gone client
	st=$(evc_status) || fail "evc status between two attempts: $st"
	grep -q -x -E 'state: (reconnecting|connecting)' <<<"$st" || fail "evc status while the gateway is dead: $st"
	js=$(rig_exec client "$EVC_BIN" status --json --control "$RIG_DIR/evc.sock" 2>&1) ||
		fail "evc status --json between two attempts: $js"
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "dead peer detection" in d["last_error"], d' "$js" ||
		fail "evc status --json does not give the last error while the gateway is dead: $js"

	# the back-off while the gateway stays dead: 1 s doubling, up to a fifth less at random
	# (each attempt at a dead gateway takes 31 s of retransmissions: two attempts are seen)
	wait_for_log -p "$(rig_pid evc)" "${RIG_LOGS[evc-stderr]}" \
		'^evc: reconnecting to 198\.51\.100\.1 in [0-9.]+ s \(attempt 2\)$' 45 \
		"evc's second attempt"
	for k in 1 2; do
		d=$(sed -n -E "s/^evc: reconnecting to 198\.51\.100\.1 in ([0-9]+)\.([0-9]) s \(attempt $k\)$/\1\2/p" \
			"${RIG_LOGS[evc-stderr]}" | head -n 1)
		full=$((10 << (k - 1))) # tenths of a second
		if [[ -z $d ]] || ((10#$d > full || 10#$d * 5 < full * 4 - 5)); then
			fail "attempt $k waits '${d:-none}' tenths of a second, not $((full * 4 / 5))..$full: $(grep reconnecting "${RIG_LOGS[evc-stderr]}")"
		fi
	done
	rig_note "back-off: $(grep -o 'in [0-9.]* s (attempt [0-9])' "${RIG_LOGS[evc-stderr]}" | tr '\n' ' ')"

	rm -f -- "$EVS_CONTROL"
	evs_start
	wait_connected_again evc 2 60
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel after the gateway came back"
	evs_wait_connections 1
	st=$(evc_status) || fail "evc status: $st"
	grep -q -x 'state: connected' <<<"$st" || fail "evc status after reconnecting: $st"
	grep -q -x 'reconnects: 1' <<<"$st" || fail "evc status does not count the reconnection: $st"
	rig_kill evc 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
	evc_tun_gone client
	evs_wait_connections 0

	# --no-reconnect: the same death ends evc, with the reason
	evc_start evc-once client "${args[@]}" --dpd 2 --no-reconnect --control "$RIG_DIR/evc-once.sock"
	evc_wait_connected evc-once 20
	kill_evs
	wait_for_exit evc-once 20
	[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "evc --no-reconnect exited with ${RIG_LAST_STATUS:-?} when the gateway died"
	grep -q 'stopped answering dead peer detection' "${RIG_LOGS[evc-once-stderr]}" ||
		fail "evc --no-reconnect did not say why it ended: $(cat "${RIG_LOGS[evc-once-stderr]}")"
	! grep -q 'reconnecting' "${RIG_LOGS[evc-once-stderr]}" || fail "evc --no-reconnect reconnected"
	evc_tun_gone client
	;;
route-change)
	# client upa 203.0.113.2/28 -- 203.0.113.1 gw, client upb 203.0.113.18/28 -- 203.0.113.17 gw;
	# the gateway's address 198.51.100.1 is on its loopback, reached by the default route
	rig_ns_add client
	rig_ns_add gw
	rig_ns_add corp
	rig_veth client upa gw upa
	rig_veth client upb gw upb
	rig_veth gw in0 corp in0
	rig_addr client upa 203.0.113.2/28
	rig_addr client upb 203.0.113.18/28
	rig_addr gw upa 203.0.113.1/28
	rig_addr gw upb 203.0.113.17/28
	rig_addr gw lo "$RIG_GW_ADDR/32"
	rig_addr gw in0 "$RIG_GW_INSIDE_ADDR/24"
	rig_addr corp in0 "$RIG_CORP_ADDR/24"
	rig_default_route client 203.0.113.1
	rig_default_route corp "$RIG_GW_INSIDE_ADDR"
	rig_forwarding gw
	evs_start
	evc_start evc client "${args[@]}"
	evc_wait_connected evc 20
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the first tunnel"
	grep -q 'peer 203\.0\.113\.2\b\|203\.0\.113\.2:500' "${RIG_LOGS[evs]}" ||
		rig_note "(evs does not log the client's address as expected; not checked)"

	ip -n "$(rig_ns client)" route replace default via 203.0.113.17 dev upb ||
		fail "cannot move the default route"
	wait_for_log -p "$(rig_pid evc)" "${RIG_LOGS[evc-stderr]}" \
		"path to the gateway changed \\(was from 203\\.0\\.113\\.2 dev upa via 203\\.0\\.113\\.1.*now from 203\\.0\\.113\\.18 dev upb via 203\\.0\\.113\\.17" 10 \
		"evc to notice the new default route"
	wait_connected_again evc 2 30
	# the old uplink is gone: only the new path carries the tunnel
	ip -n "$(rig_ns client)" link set upa down || fail "cannot take upa down"
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel over the new uplink"
	st=$(evc_status) || fail "evc status: $st"
	grep -q -x 'reconnects: 1' <<<"$st" || fail "evc status does not count the reconnection: $st"
	rig_kill evc 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
	evc_tun_gone client
	;;
*)
	fail "unknown mode '$mode' (gateway-restart or route-change)"
	;;
esac

evs_stop
sanitizer_check
rig_note "PASS"
