#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Connect time of evc and vpnc against evs and strongSwan charon, side by side
# on one namespace rig (client -- gw -- corp, tests/lib/netns.sh). A benchmark
# that prints figures; not a ctest test. Needs root.
#
# usage: tests/bench/connect-time.sh [-n RUNS] [--no-charon]
#   -n RUNS      connects per client/server pair (default 5)
#   --no-charon  only evc -> evs and vpnc -> evs
#
# Per run, counted from the moment the client process is spawned (the harness
# has written its config and secrets by then):
#   up     evc: its "connected:" line appears; vpnc: its connect script
#          (vpnc-script: address, routes) has finished (mtime of the
#          wrapper's connect.done); for vpnc, [IKE + script] splits it at
#          the moment vpnc called the script (mtime of env.connect)
#   ping   the first echo reply from the corporate host 10.99.0.10 through
#          the tunnel; a ping started (stopped) before the client is let
#          go at "up" and sends every 10 ms; "sent" is how many requests it
#          took (more than 1: the tunnel was not usable at "up")
# "ping floor" is what the harness itself adds to ping: waking the armed ping
# and one reply from the gateway over the plain link.
# Runs alternate between the clients; every run is a fresh process and a full
# aggressive mode + XAUTH + mode config + quick mode exchange, and the next
# starts only after the server has forgotten the previous client.
# EVC_BUILD=DIR picks the build (default build-bench, Release).

set -u
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-lib.sh"

runs=5
with_charon=1
while [[ $# -gt 0 ]]; do
	case $1 in
	-n)
		runs=${2:-}
		shift 2 || { echo "usage: $0 [-n RUNS] [--no-charon]" >&2 && exit 2; }
		;;
	--no-charon) with_charon=0 && shift ;;
	-h | --help)
		sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) echo "usage: $0 [-n RUNS] [--no-charon]" >&2 && exit 2 ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "error: -n needs a positive number" >&2 && exit 2; }

bench_init connect-time

declare -A up_us=() ping_us=()
pairs=()

# record PAIR T0 RUN [NOTE]: one result line from BENCH_T_US (up) and the
# first ping
record() {
	local pair=$1 t0=$2 run=$3 note=${4:-} up ping
	up=$((BENCH_T_US - t0))
	ping=$((BENCH_PING_T_US - t0))
	up_us[$pair]+="$up "
	ping_us[$pair]+="$ping "
	printf '%-14s run %d: up %7s ms  ping %7s ms (%s sent)%s\n' "$pair" "$run" \
		"$(bench_ms "$up")" "$(bench_ms "$ping")" "$BENCH_PING_SENT" "$note"
}

# run_evc PAIR RUN [EVC ARGS...]
run_evc() {
	local pair=$1 run=$2
	shift 2
	bench_ping_arm "ping-${pair%%->*}-${pair#*->}-$run" client "$RIG_CORP_ADDR" 10
	bench_evc_start "evc-${pair#*->}-$run" -v "$@"
	bench_wait_line "$BENCH_EVC_LOG" '^connected: ' 30 "$BENCH_EVC_PID"
	bench_ping_fire || fail "$pair: no echo reply through the tunnel"
	record "$pair" "$BENCH_SPAWN_US" "$run"
	rig_kill "$BENCH_EVC_PID" 10
}

# run_vpnc PAIR RUN
run_vpnc() {
	local pair=$1 run=$2 script
	bench_ping_arm "ping-${pair%%->*}-${pair#*->}-$run" client "$RIG_CORP_ADDR" 10
	vpnc_start name="vpnc-${pair#*->}-$run" natt=force-natt
	bench_wait_file "$VPNC_DIR/connect.done" 30 "$VPNC_PID"
	bench_ping_fire || fail "$pair: no echo reply through the tunnel"
	# the wrapper writes env.connect when vpnc calls its script
	bench_mtime "$VPNC_DIR/env.connect"
	script=$BENCH_T_US
	bench_mtime "$VPNC_DIR/connect.done"
	record "$pair" "$BENCH_SPAWN_US" "$run" \
		"  [IKE $(bench_ms $((script - BENCH_SPAWN_US))) ms + script $(bench_ms $((BENCH_T_US - script))) ms]"
	# checks what the connect script did (returns at once by now)
	vpnc_wait_up 5
	vpnc_stop 10
}

bench_header "connect time: $runs run(s) per pair"
echo "up = 'connected:' line (evc) / connect script done (vpnc); ping = first echo reply from $RIG_CORP_ADDR"
echo "modes: evc --natt auto (raw ESP to evs, UDP 4500 to charon, which asks for it); vpnc natt=force-natt"

floor=()
for ((i = 0; i < 5; i++)); do
	bench_ping_arm "ping-floor-$i" client "$RIG_GW_ADDR" 5
	bench_now
	t0=$BENCH_NOW
	bench_ping_fire || fail "no echo reply from the gateway over the plain link"
	floor+=($((BENCH_PING_T_US - t0)))
done
echo "ping floor: $(bench_ms "$(bench_median "${floor[@]}")") ms (median of 5: waking an armed ping, one reply from the gateway over the plain link)"

bench_evs_start
pairs+=("evc->evs" "vpnc->evs")
for ((i = 1; i <= runs; i++)); do
	run_evc "evc->evs" "$i"
	bench_evs_wait_idle
	run_vpnc "vpnc->evs" "$i"
	bench_evs_wait_idle
done
bench_evs_stop

if ((with_charon)); then
	charon_start loglevel=1
	pairs+=("evc->charon" "vpnc->charon")
	for ((i = 1; i <= runs; i++)); do
		run_evc "evc->charon" "$i"
		charon_wait_no_ike 10
		run_vpnc "vpnc->charon" "$i"
		charon_wait_no_ike 10
	done
	charon_stop
fi

echo
echo "median over $runs run(s):"
for p in "${pairs[@]}"; do
	# shellcheck disable=SC2086 # the lists are space-separated on purpose
	printf '%-14s up %7s ms  ping %7s ms\n' "$p" \
		"$(bench_ms "$(bench_median ${up_us[$p]})")" "$(bench_ms "$(bench_median ${ping_us[$p]})")"
done
