#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TCP throughput through the tunnel, evc and vpnc against evs, side by side on
# one namespace rig (client -- gw -- corp, tests/lib/netns.sh), with the plain
# routed path as a baseline. A benchmark that prints figures; not a ctest
# test. Needs root and iperf3.
#
# usage: tests/bench/throughput.sh [-t SECONDS] [-r REPEATS] [-R] [-B DIR] [-c LIST]
#   -t SECONDS  length of one iperf3 run (default 10)
#   -r REPEATS  runs per configuration, the configurations alternating
#               (default 3; the summary gives the median)
#   -R          reverse: corp sends to the client (iperf3 -R)
#   -c LIST     comma-separated configurations (default all):
#               plain     no VPN: route client -> 10.99.0.0/24 via gw, only
#                         for this run
#               evc-esp   evc --natt auto, no NAT on the rig: raw ESP
#               evc-udp   evc --natt force: ESP in UDP 4500
#               vpnc-udp  vpnc natt=force-natt: ESP in UDP 4500
#               vpnc-esp  vpnc natt=none: raw ESP
#               evc-esp-old, evc-udp-old  the same as evc-esp and evc-udp
#                         with the evc AND evs of the build named by -B
#                         (added to the default list when -B is given)
#   -B DIR      a second build (e.g. of an older commit) to compare with
#               in the same run: its client/evc and server/evs. evs is
#               restarted whenever the next run needs the other build's.
#
# iperf3 -c 10.99.0.10 runs in the client namespace against an iperf3
# server on the corporate host. Per run it prints the receiver's Mbit/s and
# the sender's TCP retransmissions; the CPU time of the client process (evc
# or vpnc) and of evs over the run (utime+stime from /proc/PID/stat, as % of
# one core); their peak RSS during the run (VmHWM, reset by clear_refs when
# the run starts); the tunnel interface's packet and drop counters; and the
# drop reasons evs and evc logged. Each run checks that the traffic took the
# intended path (nft counters: at corp, iperf3 packets from the pool address
# or from the client's outside address; at gw, ESP or UDP 4500 packets) and
# the script exits 1 if one did not.
# Every run is a fresh client connect; evs runs for the whole benchmark.
# EVC_BUILD=DIR picks the build (default build-bench, Release).

set -u
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-lib.sh"

usage() {
	echo "usage: $0 [-t SECONDS] [-r REPEATS] [-R] [-B DIR] [-c plain,evc-esp,evc-udp,vpnc-udp,vpnc-esp,evc-esp-old,evc-udp-old]" >&2
	exit 2
}

secs=10
reps=3
reverse=0
configs=
old_build=
while getopts 't:r:RB:c:h' opt; do
	case $opt in
	t) secs=$OPTARG ;;
	r) reps=$OPTARG ;;
	R) reverse=1 ;;
	B) old_build=$OPTARG ;;
	c) configs=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $secs =~ ^[1-9][0-9]*$ && $reps =~ ^[1-9][0-9]*$ ]] || usage
if [[ -n $old_build ]]; then
	old_build=$(cd -- "$old_build" 2>/dev/null && pwd) || {
		echo "error: -B: no directory '$old_build'" >&2
		exit 2
	}
	if [[ ! -x $old_build/client/evc || ! -x $old_build/server/evs ]]; then
		echo "error: -B: $old_build has no client/evc or server/evs; build them there first" >&2
		exit 2
	fi
	configs=${configs:-plain,evc-esp,evc-udp,evc-esp-old,evc-udp-old,vpnc-udp,vpnc-esp}
fi
configs=${configs:-plain,evc-esp,evc-udp,vpnc-udp,vpnc-esp}
IFS=, read -r -a cfgs <<<"$configs"
for c in "${cfgs[@]}"; do
	case $c in
	plain | evc-esp | evc-udp | vpnc-udp | vpnc-esp) ;;
	evc-esp-old | evc-udp-old)
		[[ -n $old_build ]] || {
			echo "error: configuration '$c' needs -B DIR (the other build)" >&2
			usage
		}
		;;
	*) echo "error: unknown configuration '$c'" >&2 && usage ;;
	esac
done

bench_init throughput
rig_require_cmd iperf3

checks_failed=0
declare -A mbit=() cpu_cl=() cpu_evs=() rss_cl=() rss_evs=() retr=() cpg_cl=()

_tcp_listening() {
	[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null) ]]
}

# counters on the path: what reaches corp (decrypted by evs, or routed), and
# what reaches gw (ESP, UDP 4500)
rig_counter_add corp tunnel_in ip saddr "$RIG_POOL_NET" tcp dport 5201
rig_counter_add corp plain_in ip saddr "$RIG_CLIENT_ADDR" tcp dport 5201
rig_counter_add gw esp_in ip protocol esp
rig_counter_add gw natt_in udp dport 4500

counters() {
	printf '%s %s %s %s' "$(rig_counter_packets corp tunnel_in)" "$(rig_counter_packets corp plain_in)" \
		"$(rig_counter_packets gw esp_in)" "$(rig_counter_packets gw natt_in)"
}

# link statistics of DEV in the client: tx_packets tx_dropped rx_packets rx_dropped
link_stats() {
	ip -n "$(rig_ns client)" -j -s link show dev "$1" |
		jq -r '.[0].stats64 | "\(.tx.packets) \(.tx.dropped) \(.rx.packets) \(.rx.dropped)"'
}

# drop reasons logged in FILE after byte OFFSET, e.g. "policy x1, send x3"
drops_since() {
	local s
	s=$(tail -c +"$(($2 + 1))" "$1" | grep -o -E '\[drop:[a-z_]+\]( \([0-9]+ earlier)?' |
		sed -E 's/\[drop:([a-z_]+)\]( \(([0-9]+) earlier)?/\1 \3/' |
		awk '{ n[$1] += 1 + $2 } END { for (k in n) printf "%s%s x%d", sep, k, n[k]; sep = ", " }')
	printf '%s' "${s:-none}"
}

# datagrams the kernel dropped at full receive buffers of every UDP and raw
# socket in ROLE (last column of /proc/net/udp and /proc/net/raw): drops that
# no datapath counter of evs or evc can see
sock_drops() {
	rig_exec "$1" cat /proc/net/udp /proc/net/raw | awk '$1 ~ /:$/ { n += $NF } END { print n + 0 }'
}

# "busy total" jiffies of the whole machine (all CPUs) from /proc/stat
machine_ticks() {
	local cpu user nice sys idle iow irq sirq steal rest
	read -r cpu user nice sys idle iow irq sirq steal rest </proc/stat
	printf '%s %s' "$((user + nice + sys + irq + sirq + steal))" \
		"$((user + nice + sys + idle + iow + irq + sirq + steal))"
}

pct() {
	# CPU ticks (1/100 s) over a wall time in microseconds, in % of one core
	local ticks=$1 wall=$2 hz
	hz=$(getconf CLK_TCK)
	printf '%d' "$((ticks * 1000000 * 100 / hz / wall))"
}

client_pid=
client_if=
client_name=
client_kind=

client_up() {
	local cfg=$1 rep=$2
	client_name=$cfg-$rep
	case $cfg in
	evc-*)
		client_kind=evc
		local natt=auto
		[[ $cfg == evc-udp* ]] && natt=force
		# shellcheck disable=SC2034 # read by bench_evc_start (bench-lib.sh)
		BENCH_EVC_BIN=
		[[ $cfg == *-old ]] && BENCH_EVC_BIN=$old_build/client/evc
		# -vv: evc logs its datapath drops only at debug level
		bench_evc_start "$client_name" -v -v --natt "$natt"
		client_pid=$BENCH_EVC_PID
		wait_for_log -p "$client_pid" "$BENCH_EVC_LOG" '^connected: ' 20
		client_if=$(sed -n 's/^connected: address [0-9.]* on \([^;]*\);.*/\1/p' "$BENCH_EVC_LOG")
		;;
	vpnc-*)
		client_kind=vpnc
		local natt=force-natt
		[[ $cfg == vpnc-esp ]] && natt=none
		vpnc_start name="$client_name" natt="$natt"
		vpnc_wait_up 20
		client_pid=$VPNC_PID
		client_if=$VPNC_IFNAME
		;;
	esac
	[[ $(<"/proc/$client_pid/comm") == "$client_kind" ]] ||
		fail "internal: pid $client_pid is $(<"/proc/$client_pid/comm"), not $client_kind"
	ping_ok client "$RIG_CORP_ADDR" 3 || fail "$cfg: no echo reply through the tunnel"
}

# evs_for CFG: the evs of CFG's build runs in gw (restarted if the last run
# used the other build's)
evs_for() {
	local name=evs bin=$BENCH_EVS
	# the plain path needs no evs: keep the one running
	[[ $1 == plain && -n $BENCH_EVS_PID ]] && return
	if [[ $1 == *-old ]]; then
		name=evs-old bin=$old_build/server/evs
	fi
	[[ $BENCH_EVS_NAME == "$name" && -n $BENCH_EVS_PID ]] && return
	bench_evs_stop
	bench_evs_start "$name" "$bin"
}

client_down() {
	case $client_kind in
	evc) rig_kill "$client_pid" 10 ;;
	vpnc) vpnc_stop 10 ;;
	esac
	bench_evs_wait_idle
}

# run_one CFG REP
run_one() {
	local cfg=$1 rep=$2 c0 c1 l0 l1 out bps ret t0 t1 wall mtu
	local cl0 cl1 ev0 ev1 evs_off cl_off=0 hw_cl=- hw_evs ok=ok mb0 mt0 mb1 mt1 busy low sd0 sd1
	local -a d
	client_pid='' client_if='' client_kind=''
	evs_for "$cfg"
	if [[ $cfg == plain ]]; then
		ip -n "$(rig_ns client)" route add "$RIG_CORP_NET" via "$RIG_GW_ADDR" ||
			fail "cannot add the baseline route"
		ping_ok client "$RIG_CORP_ADDR" 3 || fail "plain: no echo reply over the routed path"
	else
		client_up "$cfg" "$rep"
		l0=$(link_stats "$client_if")
		cl0=$(bench_cpu_ticks "$client_pid")
		bench_hwm_reset "$client_pid"
		cl_off=$(stat -c %s "$(rig_log "$client_name")")
	fi
	evs_off=$(stat -c %s "$(rig_log "$BENCH_EVS_NAME")")
	ev0=$(bench_cpu_ticks "$BENCH_EVS_PID")
	bench_hwm_reset "$BENCH_EVS_PID"
	c0=$(counters)
	read -r mb0 mt0 <<<"$(machine_ticks)"
	sd0="$(sock_drops gw) $(sock_drops client)"

	bench_now
	t0=$BENCH_NOW
	out=$(rig_exec client iperf3 -c "$RIG_CORP_ADDR" -t "$secs" -J "${iperf_dir[@]}" 2>&1)
	bench_now
	t1=$BENCH_NOW
	wall=$((t1 - t0))
	read -r mb1 mt1 <<<"$(machine_ticks)"
	sd1="$(sock_drops gw) $(sock_drops client)"

	c1=$(counters)
	ev1=$(bench_cpu_ticks "$BENCH_EVS_PID")
	hw_evs=$(bench_hwm_kb "$BENCH_EVS_PID")
	if [[ $cfg != plain ]]; then
		cl1=$(bench_cpu_ticks "$client_pid")
		hw_cl=$(bench_hwm_kb "$client_pid")
		l1=$(link_stats "$client_if")
		mtu=$(ip -n "$(rig_ns client)" -j link show dev "$client_if" | jq -r '.[0].mtu')
	fi

	bps=$(jq -r '.end.sum_received.bits_per_second // empty' <<<"$out" 2>/dev/null)
	ret=$(jq -r '.end.sum_sent.retransmits // empty' <<<"$out" 2>/dev/null)
	# slowest 1-second interval: a stall shows here, not in the average
	low=$(jq -r '[.intervals[].sum.bits_per_second] | min / 1e6 | floor' <<<"$out" 2>/dev/null)
	if [[ -z $bps ]]; then
		echo "$cfg run $rep: iperf3 failed: $(jq -r '.error // empty' <<<"$out" 2>/dev/null || echo "$out")"
		checks_failed=1
		[[ $cfg == plain ]] && ip -n "$(rig_ns client)" route del "$RIG_CORP_NET" via "$RIG_GW_ADDR"
		[[ $cfg == plain ]] || client_down
		return
	fi

	# path check: d = deltas of tunnel plain esp natt
	read -r -a a0 <<<"$c0"
	read -r -a a1 <<<"$c1"
	d=($((a1[0] - a0[0])) $((a1[1] - a0[1])) $((a1[2] - a0[2])) $((a1[3] - a0[3])))
	case $cfg in
	plain) ((d[0] == 0 && d[1] > 0 && d[2] == 0 && d[3] == 0)) || ok=FAILED ;;
	*-esp) ((d[0] > 0 && d[1] == 0 && d[2] >= d[0] && d[3] < 10)) || ok=FAILED ;;
	*-udp) ((d[0] > 0 && d[1] == 0 && d[3] >= d[0] && d[2] == 0)) || ok=FAILED ;;
	esac
	[[ $ok == ok ]] || checks_failed=1

	local m=$((${bps%.*} / 1000)) # kbit/s, printed as Mbit/s with one decimal
	mbit[$cfg]+="$m "
	retr[$cfg]+="$ret "
	rss_evs[$cfg]+="$hw_evs "
	cpu_evs[$cfg]+="$(pct $((ev1 - ev0)) "$wall") "
	printf '%-11s run %d: %6d.%d Mbit/s  retr %6s  evs cpu %3s%% rss %5s kB' "$cfg" "$rep" \
		$((m / 1000)) $((m % 1000 / 100)) "$ret" "$(pct $((ev1 - ev0)) "$wall")" "$hw_evs"
	if [[ $cfg != plain ]]; then
		local p
		p=$(pct $((cl1 - cl0)) "$wall")
		cpu_cl[$cfg]+="$p "
		# % of a core per Gbit/s: what a bit costs the client, which
		# (unlike Mbit/s) does not follow the share of the cores a run got
		((m > 0)) && cpg_cl[$cfg]+="$((p * 1000000 / m)) "
		rss_cl[$cfg]+="$hw_cl "
		printf '  %s cpu %3s%% rss %5s kB' "$client_kind" "$p" "$hw_cl"
	fi
	printf '\n'
	busy=$(((mb1 - mb0) * 100 / (mt1 - mt0 > 0 ? mt1 - mt0 : 1)))
	printf '         slowest second %s Mbit/s; all CPUs %d%% busy\n' "$low" "$busy"
	read -r -a a0 <<<"$sd0"
	read -r -a a1 <<<"$sd1"
	printf '         socket receive-buffer drops (kernel): gw %d, client %d\n' \
		$((a1[0] - a0[0])) $((a1[1] - a0[1]))
	printf '         path %s: corp got %d from pool, %d from outside; gw got %d ESP, %d UDP-4500\n' \
		"$ok" "${d[@]}"
	if [[ $cfg != plain ]]; then
		read -r -a s0 <<<"$l0"
		read -r -a s1 <<<"$l1"
		printf '         %s (mtu %s): tx %d pkts, tx dropped %d; rx %d pkts, rx dropped %d\n' \
			"$client_if" "$mtu" $((s1[0] - s0[0])) $((s1[1] - s0[1])) $((s1[2] - s0[2])) $((s1[3] - s0[3]))
		printf '         drops logged: evs %s; %s %s\n' "$(drops_since "$(rig_log "$BENCH_EVS_NAME")" "$evs_off")" \
			"$client_kind" "$(drops_since "$(rig_log "$client_name")" "$cl_off")"
		client_down
	else
		printf '         drops logged: evs %s\n' "$(drops_since "$(rig_log "$BENCH_EVS_NAME")" "$evs_off")"
		ip -n "$(rig_ns client)" route del "$RIG_CORP_NET" via "$RIG_GW_ADDR" ||
			fail "cannot remove the baseline route"
	fi
}

dir="client -> corp"
iperf_dir=()
if ((reverse)); then
	dir="corp -> client (iperf3 -R)"
	iperf_dir=(-R)
fi
bench_header "TCP throughput, $dir, iperf3 ${secs}s x $reps per configuration"
echo "configurations: ${cfgs[*]}; cpu = % of one core over the run (in the medians also per Gbit/s), rss = peak during the run"
if [[ -n $old_build ]]; then
	echo "-old:    $old_build (CMAKE_BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$old_build/CMakeCache.txt" 2>/dev/null)), evc $("$old_build/client/evc" version 2>&1 | head -n 1)"
fi

rig_spawn iperf3-server corp iperf3 -s -B "$RIG_CORP_ADDR"
wait_for -p "$RIG_LAST_PID" "iperf3 server listening" 10 _tcp_listening "$(rig_ns corp)" 5201

n=${#cfgs[@]}
for ((r = 1; r <= reps; r++)); do
	# rotate the order so no configuration always runs first
	for ((k = 0; k < n; k++)); do
		run_one "${cfgs[$(((k + r - 1) % n))]}" "$r"
	done
done

echo
echo "median over $reps run(s):"
for c in "${cfgs[@]}"; do
	# shellcheck disable=SC2086 # the lists are space-separated on purpose
	{
		[[ -n ${mbit[$c]:-} ]] || {
			printf '%-11s no result\n' "$c"
			continue
		}
		m=$(bench_median ${mbit[$c]})
		printf '%-11s %6d.%d Mbit/s  retr %6s  evs cpu %3s%% rss %5s kB' "$c" $((m / 1000)) $((m % 1000 / 100)) \
			"$(bench_median ${retr[$c]})" "$(bench_median ${cpu_evs[$c]})" "$(bench_median ${rss_evs[$c]})"
		if [[ $c != plain ]]; then
			printf '  %s cpu %3s%% (%s%% per Gbit/s) rss %5s kB' "${c%%-*}" "$(bench_median ${cpu_cl[$c]})" \
				"$(bench_median ${cpg_cl[$c]:-0})" "$(bench_median ${rss_cl[$c]})"
		fi
		printf '\n'
	}
done
if ((checks_failed)); then
	echo "FAILED: a run did not take the intended path or iperf3 failed (see 'path' lines)"
	exit 1
fi
