#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How many clients one evs holds, and at what cost: N clients (default 5,000, the max-users
# ceiling) from one load generator (evs_load: real client engines, each its own UDP port, the
# whole aggressive mode + XAUTH + mode-config + quick mode) against a real evs over veth in
# the namespace rig, then client N+1, which must be refused with max-users while the others
# stay. Prints handshakes per second, the time to connect all N, evs's resident memory per
# session (VmRSS before and after, /proc/PID/status), and the cost of finding a datagram's SA
# as the table fills (conntab_bench).
#
# Usage: tests/bench/evs-scale.sh [BUILD_DIR [N]]   (root; a build without sanitizers)
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=scale-lib.sh
source "$here/scale-lib.sh"

n=${2:-5000}
evcs_init "bench-scale" "${1:-}"
scale_init
ulimit -n $((n + 1024)) 2>/dev/null || fail "cannot raise the descriptor limit to $((n + 1024))"
scale_rig "$n"
conf=$(scale_conf evs.conf "$n" "$n")
evs_start "$conf"
rss0=$(scale_rss "$EVS_PID")
cpu0=$(scale_cpu_ms "$EVS_PID")

t0=$(date +%s.%N)
scale_load load "$((n + 1))" --per-source 4 --inflight 256 --timeout-s $((n / 10 + 120)) --replace
scale_wait_result load $((n / 10 + 180))
t1=$(date +%s.%N)
up=$(scale_field load up)
[[ $up == "$n" ]] || fail "$up clients connected, not $n"
[[ $(scale_field load refused) == 1 ]] || fail "client $((n + 1)) was not refused"
evs_wait_connections "$n" 60
rss1=$(scale_rss "$EVS_PID")
cpu1=$(scale_cpu_ms "$EVS_PID")
grep -E '^(connected|told) ' "${RIG_LOGS[load]}"

# client N+1: refused with the reason, nobody else dropped
extra=$(scale_field load refused)
replaced=$(scale_field load replaced)

echo
echo "== evs with $n clients (evs_load from $(scale_sources "$n") addresses) =="
grep -E '^(connected|load generator) ' "${RIG_LOGS[load]}" | sed 's/^/  /'
printf '  evs CPU for them: %.1f s, %.2f ms per handshake (%.0f handshakes/s per core)\n' \
	"$(echo "($cpu1 - $cpu0) / 1000" | bc -l)" "$(echo "($cpu1 - $cpu0) / ($n + 2)" | bc -l)" \
	"$(echo "($n + 2) * 1000 / ($cpu1 - $cpu0 + 1)" | bc -l)"
printf '  wall time from start to result: %.1f s\n' "$(echo "$t1 - $t0" | bc)"
printf '  evs VmRSS: %d KiB idle, %d KiB with %d sessions: %.1f KiB per session\n' \
	"$rss0" "$rss1" "$n" "$(echo "($rss1 - $rss0) / $n" | bc -l)"
echo "  client $((n + 1)): refused=$extra (evs: $(grep -o 'has reached its max-users[^;]*' "${RIG_LOGS[load]}" | head -n 1))"
echo "  after one of the $n left, a new client: $replaced"
echo "  evs summary: $(evs_show summary | head -n 1)"
echo
echo "== finding a datagram's SA (conntab lookups) =="
"$(dirname -- "$SCALE_LOAD_BIN")/conntab_bench" | sed 's/^/  /'

rig_kill load 60
evs_wait_connections 0 60
evs_stop
