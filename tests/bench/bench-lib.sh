# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034 # BENCH_* are for the sourcing scripts
#
# Helpers shared by the rig benchmarks tests/bench/connect-time.sh and
# tests/bench/throughput.sh (see tests/bench/README.md). Sources the rig
# (tests/lib/netns.sh) and the interop helpers for vpnc and charon; source it,
# then call bench_init TAG.
#
#   bench_init TAG            rig_init, binaries check, standard topology
#   bench_header TITLE        machine, build and tool versions (stdout)
#   bench_now                 BENCH_NOW := wall clock in microseconds (no fork)
#   bench_sleep SECONDS       sub-second sleep without forking
#   bench_ms US               "12.3" (microseconds as milliseconds)
#   bench_median VALUE...     median of integers (mean of the middle two)
#   bench_cpu_ticks PID       utime+stime in clock ticks (/proc/PID/stat)
#   bench_hwm_kb PID          VmHWM in kB; bench_hwm_reset PID resets it
#   bench_evs_start/stop      evs in gw with server/evs.conf
#   bench_evs_wait_idle       until evs reports no connection left
#   bench_evc_start NAME ARGS start evc in client (BENCH_EVC_PID, BENCH_EVC_LOG)
#   bench_wait_line FILE RE TIMEOUT PID   BENCH_T_US := when a line matched
#   bench_wait_file FILE TIMEOUT PID      until FILE exists
#   bench_mtime FILE          BENCH_T_US := FILE's mtime
#   bench_ping_arm NAME ROLE ADDR TIMEOUT a stopped ping, ready to go
#   bench_ping_fire           go; BENCH_PING_T_US (first reply), _SENT
#   BENCH_SPAWN_US            when the last rig_spawn_isolated began (t0 of
#                             a client: its config files are written by then)
#
# Times are wall-clock microseconds from EPOCHREALTIME; all waits poll every
# millisecond without forking, so a measured event is seen at most ~1 ms
# late. The build defaults to build-bench (a Release build without
# sanitizers); EVC_BUILD=DIR overrides it.

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
BENCH_SRC=$(cd -- "$BENCH_DIR/../.." && pwd)
BENCH_BUILD=${EVC_BUILD:-$BENCH_SRC/build-bench}
BENCH_EVC=$BENCH_BUILD/client/evc
BENCH_EVS=$BENCH_BUILD/server/evs
BENCH_EVS_CONF=${EVS_CONF:-$BENCH_SRC/server/evs.conf}

# shellcheck source=../lib/netns.sh
source "$BENCH_SRC/tests/lib/netns.sh"
# shellcheck source=../interop/vpnc-client.sh
source "$BENCH_SRC/tests/interop/vpnc-client.sh"
# shellcheck source=../interop/charon-server.sh
source "$BENCH_SRC/tests/interop/charon-server.sh"

BENCH_EVS_PID=
BENCH_EVS_NAME=evs
BENCH_EVS_RUNNING=$BENCH_EVS
BENCH_EVC_PID=
BENCH_EVC_LOG=
BENCH_NOW=
BENCH_T_US=
BENCH_PING_T_US=
BENCH_PING_SENT=
BENCH_PINGER_PID=
BENCH_PINGER_LOG=
BENCH_PINGER_TIMEOUT=
BENCH_SLEEP_FD=
BENCH_SPAWN_US=

# rig_spawn_isolated, noting when it was called: vpnc_start renders its
# config first, so the time vpnc_start is called would charge vpnc with the
# test's own file writing.
eval "_bench_rig_spawn_isolated() $(declare -f rig_spawn_isolated | tail -n +2)"
rig_spawn_isolated() {
	bench_now
	BENCH_SPAWN_US=$BENCH_NOW
	_bench_rig_spawn_isolated "$@"
}

bench_init() {
	if [[ ! -x $BENCH_EVC || ! -x $BENCH_EVS ]]; then
		echo "error: $BENCH_EVC or $BENCH_EVS missing; build them first:" >&2
		echo "  cmake -S $BENCH_SRC -B $BENCH_BUILD -DCMAKE_BUILD_TYPE=Release && cmake --build $BENCH_BUILD -j2 --target evc evs" >&2
		exit 2
	fi
	rig_init "$1"
	rig_require_cmd ping jq
	# a FIFO nobody writes to: `read -t` on it is a sleep without a fork
	mkfifo "$RIG_DIR/sleep.fifo" || fail "cannot create $RIG_DIR/sleep.fifo"
	exec {BENCH_SLEEP_FD}<>"$RIG_DIR/sleep.fifo"
	if ! printf 'groupsecret\n' >"$RIG_DIR/key" || ! printf 'richard-pw-1\n' >"$RIG_DIR/pw"; then
		fail "cannot write the secrets files"
	fi
	chmod 600 "$RIG_DIR/key" "$RIG_DIR/pw"
	rig_topology_std
}

_bench_cache() {
	sed -n "s/^$1:[A-Z]*=//p" "$BENCH_BUILD/CMakeCache.txt" 2>/dev/null
}

bench_header() {
	local cpu build san
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	build=$(_bench_cache CMAKE_BUILD_TYPE)
	san=$(_bench_cache EVC_SANITIZE)
	echo "== $1"
	echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "machine: $(uname -r), $(nproc) CPU(s), ${cpu:-unknown CPU}"
	echo "build:   $BENCH_BUILD (CMAKE_BUILD_TYPE=${build:-?}, EVC_SANITIZE=${san:-unset}, C compiler $(_bench_cache CMAKE_C_COMPILER))"
	echo "evc:     $("$BENCH_EVC" version 2>&1 | head -n 1)"
	echo "vpnc:    $("$VPNC_BIN" --version 2>&1 | sed -n '1s/^\(vpnc version [^ ]*\).*/\1/p')"
	echo "charon:  strongSwan $(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null || echo '?')"
	if [[ $build != Release || $san == ON ]]; then
		echo "WARNING: not a Release build without sanitizers; the figures are not representative"
	fi
}

bench_now() {
	BENCH_NOW=${EPOCHREALTIME/./}
}

bench_sleep() {
	read -r -t "$1" -u "$BENCH_SLEEP_FD" _ || :
}

bench_ms() {
	local us=$1
	printf '%d.%d' "$((us / 1000))" "$((us % 1000 / 100))"
}

bench_median() {
	local -a v
	local n
	mapfile -t v < <(printf '%s\n' "$@" | sort -n)
	n=${#v[@]}
	if ((n == 0)); then
		return 1
	elif ((n % 2)); then
		printf '%s' "${v[n / 2]}"
	else
		printf '%s' "$(((v[n / 2 - 1] + v[n / 2]) / 2))"
	fi
}

bench_cpu_ticks() {
	local line rest
	read -r line <"/proc/$1/stat" || return 1
	rest=${line##*) }
	# shellcheck disable=SC2086 # split the stat fields on purpose
	set -- $rest
	# fields 14 (utime) and 15 (stime), counted from field 3 (state)
	printf '%s' "$((${12} + ${13}))"
}

bench_hwm_kb() {
	local k v u
	while read -r k v u; do
		if [[ $k == VmHWM: ]]; then
			printf '%s' "$v"
			return 0
		fi
	done <"/proc/$1/status"
	return 1
}

# Sets VmHWM back to the current RSS (clear_refs 5, Linux >= 4.0), so that a
# later bench_hwm_kb gives the peak of one measured stretch.
bench_hwm_reset() {
	echo 5 >"/proc/$1/clear_refs" 2>/dev/null
}

# bench_evs_start [NAME [EVS]]: evs (default $BENCH_EVS) in gw, its log,
# control socket and state file named NAME (default evs). A second build's
# evs runs under another NAME, so the logs and state of the two builds
# never mix.
bench_evs_start() {
	BENCH_EVS_NAME=${1:-evs}
	BENCH_EVS_RUNNING=${2:-$BENCH_EVS}
	rig_spawn_isolated "$BENCH_EVS_NAME" gw "$BENCH_EVS_RUNNING" --config "$BENCH_EVS_CONF" \
		--control "$RIG_DIR/$BENCH_EVS_NAME.sock" --state-file "$RIG_DIR/$BENCH_EVS_NAME.state" -v
	BENCH_EVS_PID=$RIG_LAST_PID
	wait_for_udp -p "$BENCH_EVS_PID" gw 500 10
	wait_for -p "$BENCH_EVS_PID" "evs control socket" 10 test -S "$RIG_DIR/$BENCH_EVS_NAME.sock"
}

bench_evs_stop() {
	[[ -n $BENCH_EVS_PID ]] || return 0
	rig_kill "$BENCH_EVS_PID" 10
	BENCH_EVS_PID=
}

_bench_evs_idle() {
	"$BENCH_EVS_RUNNING" show crypto session summary --control "$RIG_DIR/$BENCH_EVS_NAME.sock" 2>/dev/null |
		grep -q 'has 0 connections'
}

# Every client gone from evs, so the next run starts from the same state.
bench_evs_wait_idle() {
	wait_for -p "$BENCH_EVS_PID" "evs to forget every client" 10 _bench_evs_idle
}

# bench_evc_start NAME [EVC ARGS...]: evc connect to the rig's gateway as
# richard/quizware, log NAME, isolated like vpnc (own /run, resolv.conf).
# BENCH_EVC_BIN, when set, names another build's evc to run.
bench_evc_start() {
	local name=$1
	shift
	rig_spawn_isolated "$name" client "${BENCH_EVC_BIN:-$BENCH_EVC}" connect --gateway "$RIG_GW_ADDR" \
		--group quizware --user richard --group-key-file "$RIG_DIR/key" \
		--password-file "$RIG_DIR/pw" --dns off --state-file "$RIG_DIR/$name.state" "$@"
	BENCH_EVC_PID=$RIG_LAST_PID
	BENCH_EVC_LOG=${RIG_LOGS[$name]}
}

# bench_wait_line FILE REGEX TIMEOUT PID: poll FILE every millisecond until a
# line matches the extended REGEX; BENCH_T_US is when it was seen and
# BENCH_LINE the line. Fails if PID exits or after TIMEOUT seconds.
bench_wait_line() {
	local file=$1 re=$2 timeout=$3 pid=$4 fd line part='' deadline
	bench_now
	deadline=$((BENCH_NOW + timeout * 1000000))
	exec {fd}<"$file" || fail "cannot read $file"
	while :; do
		while IFS= read -r -u "$fd" line; do
			line=$part$line
			part=''
			if [[ $line =~ $re ]]; then
				bench_now
				BENCH_T_US=$BENCH_NOW
				BENCH_LINE=$line
				exec {fd}<&-
				return 0
			fi
		done
		# read consumed a line still being written: keep its start
		part+=$line
		rig_alive "$pid" || fail "pid $pid exited while waiting for /$re/ in $file"
		bench_now
		((BENCH_NOW < deadline)) || fail "timed out after ${timeout}s waiting for /$re/ in $file"
		bench_sleep 0.001
	done
}

# bench_wait_file FILE TIMEOUT PID: poll every millisecond until FILE exists.
bench_wait_file() {
	local file=$1 timeout=$2 pid=$3 deadline
	bench_now
	deadline=$((BENCH_NOW + timeout * 1000000))
	until [[ -e $file ]]; do
		rig_alive "$pid" || fail "pid $pid exited while waiting for $file"
		bench_now
		((BENCH_NOW < deadline)) || fail "timed out after ${timeout}s waiting for $file"
		bench_sleep 0.001
	done
}

# bench_mtime FILE: BENCH_T_US := FILE's modification time in microseconds.
bench_mtime() {
	local m
	m=$(stat -c %.6Y "$1") || fail "cannot stat $1"
	BENCH_T_US=${m/./}
}

_bench_state() {
	local line rest
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	rest=${line##*) }
	printf '%s' "${rest:0:1}"
}

# bench_ping_arm NAME ROLE ADDR TIMEOUT: start a ping in ROLE that waits,
# stopped, for bench_ping_fire: at the measured moment only an exec is left,
# not the start of a process in a namespace (several ms on a busy machine).
# Once fired it sends an echo request every 10 ms until the first reply or
# TIMEOUT seconds.
bench_ping_arm() {
	local deadline
	# shellcheck disable=SC2016 # expanded by sh, not here
	rig_spawn "$1" "$2" sh -c 'kill -STOP $$; exec ping -n -D -c 1 -i 0.01 -w "$2" "$1"' sh "$3" "$4"
	BENCH_PINGER_PID=$RIG_LAST_PID
	BENCH_PINGER_LOG=${RIG_LOGS[$1]}
	BENCH_PINGER_TIMEOUT=$4
	bench_now
	deadline=$((BENCH_NOW + 5000000))
	until [[ $(_bench_state "$BENCH_PINGER_PID") == T ]]; do
		rig_alive "$BENCH_PINGER_PID" || fail "the armed ping exited before it was fired"
		bench_now
		((BENCH_NOW < deadline)) || fail "the armed ping did not stop itself within 5 s"
		bench_sleep 0.001
	done
}

# bench_ping_fire: let the armed ping go and wait for it to finish.
# BENCH_PING_T_US is the arrival of the first reply (ping -D), BENCH_PING_SENT
# the number of requests it took. Returns 1 without a reply.
bench_ping_fire() {
	local pid=$BENCH_PINGER_PID out t deadline
	kill -CONT "$pid" || fail "cannot wake the armed ping (pid $pid)"
	bench_now
	deadline=$((BENCH_NOW + (BENCH_PINGER_TIMEOUT + 5) * 1000000))
	while rig_alive "$pid"; do
		bench_now
		((BENCH_NOW < deadline)) || fail "ping (pid $pid) still runs after ${BENCH_PINGER_TIMEOUT}s"
		bench_sleep 0.001
	done
	rig_kill "$pid" 0
	out=$(<"$BENCH_PINGER_LOG")
	t=$(sed -n 's/^\[\([0-9]*\)\.\([0-9]*\)\] .* bytes from .*/\1\2/p' <<<"$out" | head -n 1)
	BENCH_PING_SENT=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$out")
	if [[ -z $t ]]; then
		echo "[bench] no echo reply in ${BENCH_PINGER_TIMEOUT}s:" >&2
		printf '  %s\n' "${out//$'\n'/$'\n'  }" >&2
		return 1
	fi
	BENCH_PING_T_US=$t
}
