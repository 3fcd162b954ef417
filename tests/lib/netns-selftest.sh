#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks the helpers of tests/lib/netns.sh themselves, without VPN software:
# each case runs as its own rig in a child bash and must pass, or fail with
# the expected message, and leave no namespace or process behind.
# Exit: 0 pass, 1 fail, 77 skipped (not root).

set -u
lib=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/netns.sh

if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: needs root" >&2
	exit 77
fi

passed=0
failed=0

# run_case NAME EXPECTED_RC EXPECTED_REGEX SCRIPT
run_case() {
	local name=$1 want_rc=$2 want_re=$3 script=$4 out rc id left t0=$SECONDS
	out=$(bash -c "source '$lib'; set -eu; $script" 2>&1)
	rc=$?
	id=$(sed -n 's/.*rig \(evc[0-9x]*\) .*/\1/p' <<<"$out" | head -n 1)
	left=
	if [[ -n $id ]]; then
		left=$(compgen -G "/run/netns/$id-*" || true)
	fi
	if [[ $rc -eq $want_rc ]] && grep -E -q -- "$want_re" <<<"$out" && [[ -z $left ]]; then
		echo "ok   $name ($((SECONDS - t0))s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name: rc $rc (want $want_rc), /$want_re/ $(grep -E -q -- "$want_re" <<<"$out" && echo found || echo missing), leftovers: ${left:-none}"
		sed 's/^/     /' <<<"$out"
		failed=$((failed + 1))
	fi
	# a failing case keeps its work dir for inspection; these are expected
	if [[ $rc -ne 0 && -n $id ]]; then
		rm -rf -- "${TMPDIR:-/tmp}/$id"-*
	fi
}

run_case "standard topology" 0 'corp ok' '
	rig_init t-std; rig_topology_std
	ping_ok client 198.51.100.1 1 && ping_ok corp 10.99.0.1 1
	ping_fails client 10.99.0.10
	rig_counter_add corp c ip saddr 10.99.0.1 icmp type echo-request
	ping_ok gw 10.99.0.10 2
	[[ $(rig_counter_packets corp c) == 2 ]]
	echo corp ok'

run_case "NAT topology masquerades" 0 'nat ok' '
	rig_init t-nat; rig_topology_nat
	rig_counter_add gw c ip saddr 203.0.113.2 icmp type echo-request
	ping_ok client 203.0.113.1 2
	[[ $(rig_counter_packets gw c) == 2 ]]
	echo nat ok'

run_case "wait_for times out with its description" 1 'FAIL: timed out after 0.3s waiting for: the impossible' '
	rig_init t-timeout; wait_for "the impossible" 0.3 false'

run_case "wait_for -p fails fast when the process dies" 1 'FAIL: shorty \(pid [0-9]+\) exited with status 3 while waiting for: godot' '
	rig_init t-guard; rig_ns_add a
	rig_spawn shorty a sh -c "echo bye; exit 3"
	wait_for -p "$RIG_LAST_PID" godot 10 false'

run_case "fail shows registered logs" 1 'last 30 lines of chatter.*' '
	rig_init t-logs; rig_ns_add a
	rig_spawn chatter a sh -c "echo hello-from-chatter; exec sleep 100"
	wait_for_log "$(rig_log chatter)" hello-from-chatter 5
	fail "on purpose"'

run_case "wait_for_log, wait_for_exit, status" 0 'status 7' '
	rig_init t-exit; rig_ns_add a
	mkfifo "$RIG_DIR/go"
	# the worker exits only when told to, so the wait below never races its exit
	rig_spawn worker a sh -c "echo ready; read x <\"$RIG_DIR/go\"; exit 7"
	wait_for_log -p "$RIG_LAST_PID" "$(rig_log worker)" "^ready$" 5
	echo go >"$RIG_DIR/go"
	wait_for_exit worker 5
	echo "status $RIG_LAST_STATUS"'

run_case "TERM-ignoring process is killed, namespace stragglers too" 0 'clean' '
	rig_init t-kill; rig_ns_add a
	rig_spawn stubborn a sh -c "trap \"\" TERM; while :; do sleep 0.2; done"
	RIG_STOP_TIMEOUT=0.3
	rig_teardown
	[[ -z $(rig_leftovers) ]] && echo clean'

run_case "link, address and route waits" 0 'waits ok' '
	rig_init t-waits; rig_ns_add a
	rig_exec a ip tuntap add dev tun7 mode tun
	rig_exec a ip addr add 10.98.0.7/32 dev tun7
	rig_exec a ip link set tun7 up
	rig_exec a ip route add 10.99.0.0/24 dev tun7
	wait_for_link a tun7 2
	wait_for_addr a tun7 "10.98.0.*" 2
	wait_for_route a 2 10.99.0.0/24 dev tun7
	[[ $(rig_addr4 a tun7) == 10.98.0.7 ]] && echo waits ok'

run_case "isolated process: private /run and resolv.conf" 0 'isolated ok' '
	rig_init t-iso; rig_ns_add a
	host_resolv=$(cat /etc/resolv.conf)
	rig_exec_isolated dnsuser a sh -c "echo nameserver 10.99.0.53 >>/etc/resolv.conf; touch /run/rig-marker"
	grep -q "^nameserver 10.99.0.53$" "$(rig_resolv_conf dnsuser)"
	[[ ! -e /run/rig-marker ]]
	[[ $(cat /etc/resolv.conf) == "$host_resolv" ]] && echo isolated ok'

run_case "cleanup hooks run before processes are killed" 0 'hook ran' '
	rig_init t-hook; rig_ns_add a
	rig_on_cleanup "echo hook ran >&2"
	rig_teardown'

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
