#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Where a connected evc's memory goes, from /proc/PID/smaps, for one or more
# builds on the namespace rig (tests/lib/netns.sh). A benchmark that prints
# figures; not a ctest test. Needs root and iperf3.
#
# usage: tests/bench/memory.sh [-t SECONDS] [BUILD_DIR...]
#   BUILD_DIR   builds to compare (default build-bench, or EVC_BUILD), each
#               with its own evs: its client/evc and server/evs
#   -t SECONDS  iperf3 through the tunnel after the first reading (default 3),
#               to show whether traffic moves the peak
#
# Per build: evc connects (--natt force) and pings corp through the tunnel;
# then VmRSS and VmHWM (/proc/PID/status), the split into file pages
# (libraries, the binary) and anonymous ones, PSS (shared pages divided among
# the processes that map them), private dirty memory, the secret pages (those
# marked wipe-on-fork and dont-dump), the number of shared objects mapped and
# the largest mappings by RSS. After the iperf3 run, VmHWM again, and evs's.

set -u

usage() {
	echo "usage: $0 [-t SECONDS] [BUILD_DIR...]" >&2
	exit 2
}

secs=3
while getopts 't:h' opt; do
	case $opt in
	t) secs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage
builds=("$@")
# the header names the first build
((${#builds[@]})) && EVC_BUILD=$(cd -- "${builds[0]}" 2>/dev/null && pwd)
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-lib.sh"
((${#builds[@]})) || builds=("$BENCH_BUILD")
for b in "${builds[@]}"; do
	if [[ ! -x $b/client/evc || ! -x $b/server/evs ]]; then
		echo "error: $b has no client/evc or server/evs; build them there first" >&2
		exit 2
	fi
done

bench_init memory
rig_require_cmd iperf3

_tcp_listening() {
	[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null) ]]
}

# status_kb PID FIELD: a kB field of /proc/PID/status
status_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# breakdown PID: the figures of the header from /proc/PID/smaps
breakdown() {
	awk '
	/^[0-9a-f]+-[0-9a-f]+ / {
		name = ($6 == "") ? "[anon]" : $6
		if ($6 ~ /\.so/ && !(name in so)) { so[name] = 1; nso++ }
		next
	}
	/^Rss:/ { rss[name] += $2; cur = $2 }
	/^Pss:/ { pss += $2 }
	/^Private_Dirty:/ { pd += $2 }
	/^VmFlags:/ { if ($0 ~ / wf/ && $0 ~ / dd/) secret += cur }
	END {
		printf "  PSS %d kB, private dirty %d kB, secret pages %d kB, %d shared objects mapped\n", pss, pd, secret, nso
		for (n in rss) if (rss[n] > 0) printf "%d %s\n", rss[n], n
	}' "/proc/$1/smaps" | {
		IFS= read -r line
		printf '%s\n' "$line"
		sort -rn | head -n 15 | awk '{ printf "  %6d kB  %s\n", $1, $2 }'
	}
}

bench_header "memory of a connected evc"
rig_spawn iperf3-server corp iperf3 -s -B "$RIG_CORP_ADDR"
wait_for -p "$RIG_LAST_PID" "iperf3 server listening" 10 _tcp_listening "$(rig_ns corp)" 5201

n=0
for b in "${builds[@]}"; do
	n=$((n + 1))
	bench_evs_start "evs-$n" "$b/server/evs"
	# shellcheck disable=SC2034 # read by bench_evc_start (bench-lib.sh)
	BENCH_EVC_BIN=$b/client/evc
	bench_evc_start "evc-$n" -v --natt force
	pid=$BENCH_EVC_PID
	wait_for_log -p "$pid" "$BENCH_EVC_LOG" '^connected: ' 20
	ping_ok client "$RIG_CORP_ADDR" 3 || fail "$b: no echo reply through the tunnel"
	[[ $(<"/proc/$pid/comm") == evc ]] || fail "internal: pid $pid is not evc"
	echo
	echo "== $b: evc $("$b/client/evc" version 2>&1 | head -n 1), connected"
	printf '  VmRSS %s kB, VmHWM %s kB (file %s kB, anonymous %s kB)\n' "$(status_kb "$pid" VmRSS)" \
		"$(status_kb "$pid" VmHWM)" "$(status_kb "$pid" RssFile)" "$(status_kb "$pid" RssAnon)"
	breakdown "$pid"
	rig_exec client iperf3 -c "$RIG_CORP_ADDR" -t "$secs" >/dev/null 2>&1 ||
		fail "$b: iperf3 through the tunnel failed"
	printf '  after %s s of iperf3: VmRSS %s kB, VmHWM %s kB; evs VmRSS %s kB, VmHWM %s kB\n' "$secs" \
		"$(status_kb "$pid" VmRSS)" "$(status_kb "$pid" VmHWM)" \
		"$(status_kb "$BENCH_EVS_PID" VmRSS)" "$(status_kb "$BENCH_EVS_PID" VmHWM)"
	rig_kill "$pid" 10
	bench_evs_wait_idle
	bench_evs_stop
done
