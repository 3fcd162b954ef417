# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034 # variables here are for the sourcing scripts
#
# Network-namespace rig for end-to-end and interop tests. Source it from a
# bash script, then:
#
#   rig_init selftest            # needs root; exits 77 (skip) otherwise
#   rig_topology_std             # client -- gw -- corp, see below
#   rig_spawn mylog gw some-daemon --flag
#   wait_for -p "$RIG_LAST_PID" "daemon socket" 10 test -S "$RIG_DIR/sock"
#   ping_ok client 10.99.0.10 || fail "no reply from the corporate host"
#
# Everything created through these functions is recorded; one teardown runs
# from the EXIT trap (INT/TERM/HUP exit through it too), or earlier when the
# test calls rig_teardown: cleanup hooks, then the recorded processes (TERM,
# bounded wait, KILL), then whatever still runs inside the rig's namespaces
# (all of it was started by this test), then the namespaces themselves, which
# takes their veth and TUN devices with them; finally it checks that no
# namespace and no process of the rig is left, and fails the test otherwise.
#
# Functions (details above each):
#   set-up     rig_init TAG, rig_topology_std, rig_topology_nat, rig_ns_add,
#              rig_veth, rig_addr, rig_default_route, rig_forwarding,
#              rig_ns ROLE, rig_exec ROLE CMD..., rig_require_cmd CMD...
#   processes  rig_spawn NAME ROLE CMD..., rig_spawn_isolated NAME ROLE CMD...,
#              rig_exec_isolated NAME ROLE CMD..., rig_resolv_conf NAME,
#              rig_track PID NAME, rig_pid NAME, rig_alive PID,
#              rig_kill NAME|PID [TIMEOUT], rig_on_cleanup CMD...
#   logs       rig_log NAME, rig_log_add NAME PATH, rig_note MSG, fail MSG
#   waits      wait_for, wait_for_log, wait_for_link, wait_for_addr,
#              wait_for_route, wait_for_udp, wait_for_exit
#   checks     ping_ok ROLE ADDR [COUNT], ping_fails ROLE ADDR, rig_addr4,
#              rig_counter_add ROLE NAME MATCH..., rig_counter_packets
#   end        rig_teardown, rig_leftovers, rig_elapsed, rig_reap_stale
#
# Namespace names are "evc<PID>-<role>" so parallel runs never collide and a
# namespace left by a killed run names the run that owned it (rig_reap_stale).
#
# No fixed sleeps: every wait polls a condition at short intervals up to a
# bounded timeout and fails with a description of what it waited for.
# RIG_TIMEOUT_SCALE (integer, default 1) stretches every timeout, e.g. for
# sanitizer builds. RIG_KEEP=1 keeps $RIG_DIR (logs, configs) even on success,
# RIG_KEEP=0 removes it even on failure;
# it is always kept on failure.
#
# Standard topology (rig_topology_std):
#   client  out0 198.51.100.2/24 (no default route: 10.99.0.0/24 is only
#           reachable through a tunnel)
#   gw      out0 198.51.100.1/24, in0 10.99.0.1/24, forwarding on
#   corp    in0  10.99.0.10/24, default via 10.99.0.1
# NAT topology (rig_topology_nat):
#   client  lan0 10.20.0.2/24, default via 10.20.0.1
#   home    lan0 10.20.0.1/24, wan0 203.0.113.2/24, forwarding, masquerade
#           out of wan0 (nftables)
#   gw      out0 203.0.113.1/24, in0 10.99.0.1/24, forwarding on
#   corp    in0  10.99.0.10/24, default via 10.99.0.1

if [[ -n ${_RIG_NETNS_SH:-} ]]; then
	return 0
fi
_RIG_NETNS_SH=1

RIG_LIB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

# Addresses of the standard rigs, for test scripts to use by name.
RIG_CLIENT_ADDR=198.51.100.2
RIG_GW_ADDR=198.51.100.1
RIG_GW_INSIDE_ADDR=10.99.0.1
RIG_CORP_ADDR=10.99.0.10
RIG_CORP_NET=10.99.0.0/24
RIG_POOL_NET=10.98.0.0/24
RIG_NAT_CLIENT_ADDR=10.20.0.2
RIG_NAT_HOME_WAN_ADDR=203.0.113.2
RIG_NAT_GW_ADDR=203.0.113.1

# ---------------------------------------------------------------- messages

_rig_now_us() {
	local t=${EPOCHREALTIME/./}
	printf '%s' "$((10#$t))"
}

# Seconds (decimal allowed, e.g. 2.5) to microseconds, times RIG_TIMEOUT_SCALE.
_rig_timeout_us() {
	local s=$1 int frac
	int=${s%%.*}
	if [[ $s == *.* ]]; then
		frac=${s#*.}000000
		frac=${frac:0:6}
	else
		frac=0
	fi
	printf '%s' "$(((10#${int:-0} * 1000000 + 10#$frac) * ${RIG_TIMEOUT_SCALE:-1}))"
}

rig_elapsed() {
	local d=$(($(_rig_now_us) - RIG_T0_US))
	printf '%d.%02d' "$((d / 1000000))" "$((d % 1000000 / 10000))"
}

_rig_restore_output() {
	if [[ -n ${RIG_STDERR_FD:-} ]]; then
		exec 1>&"$RIG_STDOUT_FD" 2>&"$RIG_STDERR_FD"
	fi
}

# Progress line on stderr: "[rig +1.23s] message".
rig_note() {
	printf '[rig +%ss] %s\n' "$(rig_elapsed)" "$*" >&2
}

# Print the failure, the state of the rig and the tail of every registered
# log, then exit 1 (the EXIT trap cleans up).
fail() {
	local msg="$*" name path n=${RIG_FAIL_TAIL:-30} role
	_rig_restore_output
	printf '\n[rig +%ss] FAIL: %s\n' "$(rig_elapsed)" "$msg" >&2
	if [[ ${_RIG_STARTED:-0} == 1 ]]; then
		for role in "${RIG_ROLES[@]}"; do
			printf -- '---- %s (%s): addresses and routes\n' "$role" "${RIG_NSMAP[$role]}" >&2
			ip -n "${RIG_NSMAP[$role]}" -brief addr show 2>&1 | sed 's/^/  /' >&2
			ip -n "${RIG_NSMAP[$role]}" route show table all 2>&1 |
				grep -v -E '^(local|broadcast|multicast|fe80|ff00|::1|anycast)' |
				sed 's/^/  /' >&2
		done
		for name in "${RIG_LOG_NAMES[@]}"; do
			path=${RIG_LOGS[$name]}
			printf -- '---- last %d lines of %s (%s)\n' "$n" "$name" "$path" >&2
			if [[ -s $path ]]; then
				tail -n "$n" -- "$path" | sed 's/^/  /' >&2
			else
				echo '  (empty)' >&2
			fi
		done
		echo '----' >&2
	fi
	exit 1
}

# ------------------------------------------------------------------ set-up

# Exit 77 (ctest SKIP_RETURN_CODE) unless every named command exists.
rig_require_cmd() {
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1 && [[ ! -x $c ]]; then
			echo "SKIP: '$c' not installed (run scripts/install-deps.sh)" >&2
			exit 77
		fi
	done
}

# rig_init [TAG]: check privileges, create the work directory, install traps.
rig_init() {
	local tag=${1:-rig} base
	if [[ $(id -u) -ne 0 ]]; then
		echo "SKIP: $tag needs root (network namespaces, TUN devices)" >&2
		exit 77
	fi
	rig_require_cmd ip nft ping unshare mount timeout ss
	if [[ ! -c /dev/net/tun ]]; then
		echo "SKIP: /dev/net/tun is missing" >&2
		exit 77
	fi
	base="evc$$"
	# A namespace with our name can only be a leftover of a killed run whose
	# PID the kernel has since handed to us: pick another suffix.
	RIG_ID=$base
	while compgen -G "/run/netns/${RIG_ID}-*" >/dev/null; do
		RIG_ID="${base}x$RANDOM"
	done
	RIG_TAG=$tag
	export RIG_ID RIG_DIR RIG_TAG
	RIG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/${RIG_ID}-${tag}.XXXXXX") || exit 1
	chmod 700 "$RIG_DIR"
	RIG_T0_US=$(_rig_now_us)
	# The test's own stdout/stderr, for fail and the cleanup: a trap can run
	# while a redirection is in force (wait_for runs its condition with
	# output to /dev/null), which would swallow the report.
	exec {RIG_STDOUT_FD}>&1 {RIG_STDERR_FD}>&2
	declare -gA RIG_NSMAP=() RIG_LOGS=() RIG_PID_BY_NAME=() RIG_PID_START=() RIG_PID_NAME=()
	declare -gA RIG_NS_INODES=()
	declare -ga RIG_ROLES=() RIG_PIDS=() RIG_LOG_NAMES=() RIG_HOOKS=()
	RIG_LAST_PID=
	RIG_LAST_STATUS=
	_RIG_CLEANED=0
	_RIG_TORN=0
	_RIG_STARTED=1
	trap rig_cleanup EXIT
	trap '_rig_signal INT 130' INT
	trap '_rig_signal TERM 143' TERM
	trap '_rig_signal HUP 129' HUP
	rig_note "rig $RIG_ID ($tag), work dir $RIG_DIR"
}

_rig_signal() {
	_rig_restore_output
	printf '\n[rig +%ss] interrupted by SIG%s\n' "$(rig_elapsed)" "$1" >&2
	exit "$2"
}

# rig_ns ROLE: the real namespace name of ROLE.
rig_ns() {
	local n=${RIG_NSMAP[$1]:-}
	if [[ -z $n ]]; then
		fail "internal: no namespace for role '$1' (roles: ${RIG_ROLES[*]})"
	fi
	printf '%s' "$n"
}

# rig_exec ROLE CMD...: run CMD inside ROLE's namespace.
rig_exec() {
	local ns
	ns=$(rig_ns "$1") || exit 1
	shift
	ip netns exec "$ns" "$@"
}

# rig_ns_add ROLE: create namespace "evc<PID>-ROLE" with loopback up.
rig_ns_add() {
	local role=$1 ns="${RIG_ID}-$1"
	if [[ -n ${RIG_NSMAP[$role]:-} ]]; then
		fail "internal: role '$role' exists already"
	fi
	# recorded first: a signal between the two steps must not leak it
	RIG_NSMAP[$role]=$ns
	RIG_ROLES+=("$role")
	ip netns add "$ns" || fail "cannot create network namespace $ns"
	ip -n "$ns" link set lo up || fail "cannot bring up lo in $ns"
}

# rig_veth ROLE_A IF_A ROLE_B IF_B: a veth pair between two namespaces, up.
# Both ends are created inside their namespaces, so names never collide with
# the host or with other runs.
rig_veth() {
	local na nb
	na=$(rig_ns "$1") && nb=$(rig_ns "$3") || exit 1
	ip link add "$2" netns "$na" type veth peer name "$4" netns "$nb" ||
		fail "cannot create veth $1:$2 <-> $3:$4"
	if ! ip -n "$na" link set "$2" up || ! ip -n "$nb" link set "$4" up; then
		fail "cannot bring up veth $1:$2 <-> $3:$4"
	fi
}

# rig_addr ROLE IF CIDR
rig_addr() {
	ip -n "$(rig_ns "$1")" addr add "$3" dev "$2" || fail "cannot add $3 to $1:$2"
}

# rig_default_route ROLE VIA
rig_default_route() {
	ip -n "$(rig_ns "$1")" route add default via "$2" || fail "cannot add default route via $2 in $1"
}

# rig_forwarding ROLE: route between interfaces (per-namespace sysctl).
rig_forwarding() {
	rig_exec "$1" sysctl -q -w net.ipv4.ip_forward=1 || fail "cannot enable forwarding in $1"
}

rig_topology_std() {
	rig_ns_add client
	rig_ns_add gw
	rig_ns_add corp
	rig_veth client out0 gw out0
	rig_veth gw in0 corp in0
	rig_addr client out0 "$RIG_CLIENT_ADDR/24"
	rig_addr gw out0 "$RIG_GW_ADDR/24"
	rig_addr gw in0 "$RIG_GW_INSIDE_ADDR/24"
	rig_addr corp in0 "$RIG_CORP_ADDR/24"
	rig_default_route corp "$RIG_GW_INSIDE_ADDR"
	rig_forwarding gw
	rig_note "topology: client $RIG_CLIENT_ADDR -- $RIG_GW_ADDR gw $RIG_GW_INSIDE_ADDR -- $RIG_CORP_ADDR corp"
}

rig_topology_nat() {
	rig_ns_add client
	rig_ns_add home
	rig_ns_add gw
	rig_ns_add corp
	rig_veth client lan0 home lan0
	rig_veth home wan0 gw out0
	rig_veth gw in0 corp in0
	rig_addr client lan0 "$RIG_NAT_CLIENT_ADDR/24"
	rig_addr home lan0 10.20.0.1/24
	rig_addr home wan0 "$RIG_NAT_HOME_WAN_ADDR/24"
	rig_addr gw out0 "$RIG_NAT_GW_ADDR/24"
	rig_addr gw in0 "$RIG_GW_INSIDE_ADDR/24"
	rig_addr corp in0 "$RIG_CORP_ADDR/24"
	rig_default_route client 10.20.0.1
	rig_default_route corp "$RIG_GW_INSIDE_ADDR"
	rig_forwarding home
	rig_forwarding gw
	rig_exec home nft -f - <<-'EOF' || fail "cannot set up masquerading in home"
		table ip rig_nat {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan0" masquerade
			}
		}
	EOF
	rig_note "topology: client $RIG_NAT_CLIENT_ADDR -- home (NAT) $RIG_NAT_HOME_WAN_ADDR -- $RIG_NAT_GW_ADDR gw $RIG_GW_INSIDE_ADDR -- $RIG_CORP_ADDR corp"
}

# ------------------------------------------------------- logs and processes

# rig_log NAME: register $RIG_DIR/NAME.log (shown by fail) and print its path.
# Call it as "rig_log NAME >/dev/null" first when the caller needs the path
# in a variable: $(...) runs in a subshell, which cannot register anything.
rig_log() {
	local name=$1
	if [[ -z ${RIG_LOGS[$name]:-} ]]; then
		RIG_LOGS[$name]="$RIG_DIR/$name.log"
		RIG_LOG_NAMES+=("$name")
		: >>"${RIG_LOGS[$name]}"
	fi
	printf '%s' "${RIG_LOGS[$name]}"
}

# rig_log_add NAME PATH: register a log file written elsewhere (e.g. charon's
# filelog) so fail shows it.
rig_log_add() {
	if [[ -z ${RIG_LOGS[$1]:-} ]]; then
		RIG_LOG_NAMES+=("$1")
	fi
	RIG_LOGS[$1]=$2
}

# Start time of a process in clock ticks since boot (field 22 of
# /proc/PID/stat); with the PID it identifies the process even after the PID
# is reused. Empty if the process is gone.
_rig_starttime() {
	local line rest
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	rest=${line##*) }
	# shellcheck disable=SC2086 # split the stat fields on purpose
	set -- $rest
	printf '%s' "${20}"
}

# True while PID runs (not exited, not a zombie) and, if START is given, is
# still the process that was started then.
rig_alive() {
	local pid=$1 start=${2:-} line rest
	read -r line 2>/dev/null <"/proc/$pid/stat" || return 1
	rest=${line##*) }
	[[ ${rest:0:1} != Z && ${rest:0:1} != X ]] || return 1
	if [[ -n $start ]]; then
		[[ $(_rig_starttime "$pid") == "$start" ]] || return 1
	fi
	return 0
}

# rig_track PID NAME: record a process started by this test (for cleanup).
rig_track() {
	local pid=$1 name=$2 st
	st=$(_rig_starttime "$pid") || st=
	RIG_PIDS+=("$pid")
	RIG_PID_START[$pid]=$st
	RIG_PID_NAME[$pid]=$name
	RIG_PID_BY_NAME[$name]=$pid
}

# rig_spawn NAME ROLE CMD...: run CMD in ROLE's namespace in the background,
# stdout+stderr to the log NAME, stdin from /dev/null. Sets RIG_LAST_PID.
# `ip netns exec` execs CMD, so the PID is CMD's own.
rig_spawn() {
	local name=$1 role=$2 ns log
	shift 2
	ns=$(rig_ns "$role") || exit 1
	rig_log "$name" >/dev/null
	log=${RIG_LOGS[$name]}
	# the saved test stdout/stderr must not stay open in a daemon (ctest
	# would wait for it to close)
	ip netns exec "$ns" "$@" >>"$log" 2>&1 </dev/null {RIG_STDOUT_FD}>&- {RIG_STDERR_FD}>&- &
	RIG_LAST_PID=$!
	rig_track "$RIG_LAST_PID" "$name"
}

# rig_resolv_conf NAME: the private resolv.conf of the isolated process NAME
# (created on first use with one comment line). What the process writes to
# /etc/resolv.conf lands here.
rig_resolv_conf() {
	local f=$RIG_DIR/$1.resolv.conf
	if [[ ! -e $f ]]; then
		printf '# private resolv.conf of %s (rig %s)\n' "$1" "$RIG_ID" >"$f" ||
			fail "cannot create $f"
	fi
	printf '%s' "$f"
}

# rig_spawn_isolated NAME ROLE CMD...: rig_spawn in a private mount namespace
# with a tmpfs on /run and $(rig_resolv_conf NAME) over /etc/resolv.conf (see
# tests/lib/isolate.sh). For anything that writes pid files, sockets or DNS
# settings: evc, evs, charon, vpnc. Sets RIG_LAST_PID (CMD's own PID).
rig_spawn_isolated() {
	local name=$1 role=$2
	shift 2
	rig_resolv_conf "$name" >/dev/null
	rig_spawn "$name" "$role" unshare --mount --propagation private -- \
		sh "$RIG_LIB_DIR/isolate.sh" "$RIG_DIR/$name.resolv.conf" "$@"
}

# rig_exec_isolated NAME ROLE CMD...: the same in the foreground (e.g. a
# control command next to a daemon started as NAME: it sees the same
# resolv.conf, but its own /run).
rig_exec_isolated() {
	local name=$1 role=$2
	shift 2
	rig_resolv_conf "$name" >/dev/null
	rig_exec "$role" unshare --mount --propagation private -- \
		sh "$RIG_LIB_DIR/isolate.sh" "$RIG_DIR/$name.resolv.conf" "$@"
}

# rig_pid NAME: PID of the process started as NAME.
rig_pid() {
	printf '%s' "${RIG_PID_BY_NAME[$1]:-}"
}

# Reap PID if it is our child and put its exit status in RIG_LAST_STATUS
# (empty if unknown, e.g. not our child). Only for a PID that has exited:
# `wait` would block on a running child.
_rig_reap() {
	local pid=$1
	RIG_LAST_STATUS=
	if wait "$pid" 2>/dev/null; then
		RIG_LAST_STATUS=0
	else
		RIG_LAST_STATUS=$?
		# 127: not a child of this shell
		[[ $RIG_LAST_STATUS -ne 127 ]] || RIG_LAST_STATUS=
	fi
}

# Stop one process: SIGTERM, wait up to TIMEOUT s, then SIGKILL. START (the
# recorded start time) guards against a reused PID.
_rig_stop_pid() {
	local pid=$1 timeout=$2 start=${3:-} deadline
	if ! rig_alive "$pid" "$start"; then
		_rig_reap "$pid"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null
	deadline=$(($(_rig_now_us) + $(_rig_timeout_us "$timeout")))
	while rig_alive "$pid" "$start" && (($(_rig_now_us) < deadline)); do
		sleep 0.02
	done
	if rig_alive "$pid" "$start"; then
		echo "[rig] pid $pid (${RIG_PID_NAME[$pid]:-?}) ignored SIGTERM for ${timeout}s, sending SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null
		deadline=$(($(_rig_now_us) + 2000000))
		while rig_alive "$pid" "$start" && (($(_rig_now_us) < deadline)); do
			sleep 0.02
		done
	fi
	if rig_alive "$pid" "$start"; then
		return 1
	fi
	_rig_reap "$pid"
}

# rig_kill NAME|PID [TIMEOUT=5]: stop a recorded process (TERM, bounded wait,
# KILL) and forget it. Its exit status is left in RIG_LAST_STATUS (143 for
# death by SIGTERM, 0 for a clean exit on SIGTERM, empty if unknown).
rig_kill() {
	local pid=$1 timeout=${2:-5} i
	if [[ ! $pid =~ ^[0-9]+$ ]]; then
		pid=${RIG_PID_BY_NAME[$1]:-}
		[[ -n $pid ]] || fail "internal: no process named '$1'"
	fi
	[[ -n ${RIG_PID_NAME[$pid]+x} ]] || fail "internal: pid $pid was not started by this rig"
	_rig_stop_pid "$pid" "$timeout" "${RIG_PID_START[$pid]}" ||
		fail "pid $pid (${RIG_PID_NAME[$pid]}) survived SIGKILL"
	for i in "${!RIG_PIDS[@]}"; do
		[[ ${RIG_PIDS[$i]} != "$pid" ]] || unset "RIG_PIDS[$i]"
	done
	RIG_PIDS=("${RIG_PIDS[@]}")
	unset "RIG_PID_BY_NAME[${RIG_PID_NAME[$pid]}]"
	unset "RIG_PID_START[$pid]" "RIG_PID_NAME[$pid]"
}

# rig_on_cleanup CMD...: run CMD (eval'd) at cleanup, before processes are
# killed; hooks run last-registered first. For graceful stops.
rig_on_cleanup() {
	RIG_HOOKS+=("$*")
}

# ------------------------------------------------------------------- waits

# wait_for [-p PID]... DESCRIPTION TIMEOUT CMD...
# Poll CMD (output discarded) until it succeeds; fail with DESCRIPTION after
# TIMEOUT seconds. With -p, fail at once if PID (a recorded process) exits,
# with its exit status, instead of waiting for the timeout.
wait_for() {
	local guards=() desc timeout deadline delay=0.01 g
	while [[ ${1:-} == -p ]]; do
		guards+=("$2")
		shift 2
	done
	desc=$1 timeout=$2
	shift 2
	deadline=$(($(_rig_now_us) + $(_rig_timeout_us "$timeout")))
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		for g in "${guards[@]}"; do
			if ! rig_alive "$g" "${RIG_PID_START[$g]:-}"; then
				_rig_reap "$g"
				fail "${RIG_PID_NAME[$g]:-pid $g} (pid $g) exited${RIG_LAST_STATUS:+ with status $RIG_LAST_STATUS} while waiting for: $desc"
			fi
		done
		if (($(_rig_now_us) >= deadline)); then
			fail "timed out after ${timeout}s waiting for: $desc"
		fi
		sleep "$delay"
		# back off from 10 ms to 100 ms: fast when things are quick,
		# cheap when they are not
		case $delay in
		0.01) delay=0.02 ;;
		0.02) delay=0.05 ;;
		*) delay=0.1 ;;
		esac
	done
}

_rig_log_has() {
	grep -E -q -- "$2" "$1"
}

# wait_for_log [-p PID]... FILE REGEX TIMEOUT [DESCRIPTION]: an extended
# regex matches a line of FILE.
wait_for_log() {
	local guards=()
	while [[ ${1:-} == -p ]]; do
		guards+=(-p "$2")
		shift 2
	done
	wait_for "${guards[@]}" "${4:-/$2/ in $1}" "$3" _rig_log_has "$1" "$2"
}

_rig_link_up() {
	[[ -n $(ip -n "$1" link show dev "$2" up 2>/dev/null) ]]
}

# wait_for_link [-p PID]... ROLE DEV TIMEOUT: DEV exists in ROLE and is up.
wait_for_link() {
	local guards=()
	while [[ ${1:-} == -p ]]; do
		guards+=(-p "$2")
		shift 2
	done
	wait_for "${guards[@]}" "link $2 up in $1" "$3" _rig_link_up "$(rig_ns "$1")" "$2"
}

# rig_addr4 ROLE DEV: the first IPv4 address of DEV (no prefix length).
rig_addr4() {
	local a
	a=$(ip -n "$(rig_ns "$1")" -o -4 addr show dev "$2" 2>/dev/null | awk '{ print $4; exit }')
	printf '%s' "${a%/*}"
}

_rig_has_addr() {
	local a
	a=$(ip -n "$1" -o -4 addr show dev "$2" 2>/dev/null | awk '{ print $4 }')
	local x
	for x in $a; do
		# shellcheck disable=SC2053 # $3 is a glob on purpose
		[[ ${x%/*} == $3 ]] && return 0
	done
	return 1
}

# wait_for_addr [-p PID]... ROLE DEV GLOB TIMEOUT: DEV has an IPv4 address
# matching GLOB (e.g. '10.98.0.*' or an exact address).
wait_for_addr() {
	local guards=()
	while [[ ${1:-} == -p ]]; do
		guards+=(-p "$2")
		shift 2
	done
	wait_for "${guards[@]}" "address $3 on $2 in $1" "$4" _rig_has_addr "$(rig_ns "$1")" "$2" "$3"
}

_rig_has_route() {
	local ns=$1
	shift
	[[ -n $(ip -n "$ns" route show "$@" 2>/dev/null) ]]
}

# wait_for_route [-p PID]... ROLE TIMEOUT SELECTOR...: `ip route show
# SELECTOR...` in ROLE prints something, e.g.
#   wait_for_route client 10 10.99.0.0/24 dev vpnc0
wait_for_route() {
	local guards=() role timeout
	while [[ ${1:-} == -p ]]; do
		guards+=(-p "$2")
		shift 2
	done
	role=$1 timeout=$2
	shift 2
	wait_for "${guards[@]}" "route '$*' in $role" "$timeout" _rig_has_route "$(rig_ns "$role")" "$@"
}

_rig_udp_listening() {
	[[ -n $(ip netns exec "$1" ss -Hlun "sport = :$2" 2>/dev/null) ]]
}

# wait_for_udp [-p PID]... ROLE PORT TIMEOUT: something listens on UDP PORT.
wait_for_udp() {
	local guards=()
	while [[ ${1:-} == -p ]]; do
		guards+=(-p "$2")
		shift 2
	done
	wait_for "${guards[@]}" "UDP port $2 listening in $1" "$3" _rig_udp_listening "$(rig_ns "$1")" "$2"
}

_rig_dead() {
	! rig_alive "$1" "$2"
}

# wait_for_exit NAME|PID TIMEOUT: the recorded process exits by itself; its
# status goes to RIG_LAST_STATUS and it is forgotten.
wait_for_exit() {
	local pid=$1
	if [[ ! $pid =~ ^[0-9]+$ ]]; then
		pid=${RIG_PID_BY_NAME[$1]:-}
		[[ -n $pid ]] || fail "internal: no process named '$1'"
	fi
	wait_for "${RIG_PID_NAME[$pid]:-pid $pid} (pid $pid) to exit" "$2" _rig_dead "$pid" "${RIG_PID_START[$pid]:-}"
	rig_kill "$pid" 0
}

# ------------------------------------------------------------ connectivity

# ping_ok ROLE ADDR [COUNT=3]: every one of COUNT echo requests is answered.
ping_ok() {
	local role=$1 addr=$2 count=${3:-3} out rx
	out=$(rig_exec "$role" ping -n -q -c "$count" -i 0.2 -W 2 "$addr" 2>&1)
	rx=$(sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' <<<"$out")
	if [[ ${rx:-0} -ne $count ]]; then
		echo "[rig] ping $role -> $addr: ${rx:-0}/$count replies" >&2
		sed 's/^/  /' <<<"$out" >&2
		return 1
	fi
	return 0
}

# ping_fails ROLE ADDR: a single echo request gets no reply within 1 s.
ping_fails() {
	! rig_exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1
}

# rig_counter_add ROLE NAME MATCH...: count packets arriving at ROLE (input
# hook) that match the nft expression, e.g.
#   rig_counter_add corp from_pool ip saddr 10.98.0.0/24 icmp type echo-request
rig_counter_add() {
	local role=$1 name=$2
	shift 2
	rig_exec "$role" nft -f - <<-EOF || fail "cannot add nft counter $name in $role"
		table inet rig_count {
			counter $name { }
			chain input {
				type filter hook input priority filter; policy accept;
				$* counter name "$name"
			}
		}
	EOF
}

# rig_counter_packets ROLE NAME: print the packet count of a counter.
rig_counter_packets() {
	rig_exec "$1" nft list counter inet rig_count "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p'
}

# ----------------------------------------------------------------- cleanup

# rig_leftovers: print what of this rig still exists: namespace names,
# recorded processes, and any process still inside one of the rig's network
# namespaces (a namespace outlives its name while a process holds it, and with
# it its TUN devices). Empty output means clean.
rig_leftovers() {
	local ns pid link ino
	for ns in /run/netns/"${RIG_ID}"-*; do
		[[ -e $ns ]] && echo "namespace ${ns##*/}"
	done
	for pid in "${!RIG_PID_NAME[@]}"; do
		rig_alive "$pid" "${RIG_PID_START[$pid]}" && echo "process $pid (${RIG_PID_NAME[$pid]})"
	done
	if [[ ${#RIG_NS_INODES[@]} -gt 0 ]]; then
		# one stat for all processes: inode of each one's network namespace
		while read -r ino link; do
			if [[ -n ${RIG_NS_INODES[$ino]:-} ]]; then
				pid=${link#/proc/}
				pid=${pid%%/*}
				rig_alive "$pid" && echo "process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) still in namespace ${RIG_NS_INODES[$ino]}"
			fi
		done < <(stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null)
	fi
	return 0
}

# Stop every process in namespace NS (all of them were started by this rig:
# the namespace exists only for it).
_rig_kill_ns_pids() {
	local ns=$1 pids pid
	pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
	for pid in $pids; do
		echo "[rig] stopping pid $pid left in namespace $ns: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
		_rig_stop_pid "$pid" 3 "$(_rig_starttime "$pid")"
	done
}

# rig_teardown: run the cleanup hooks, stop every process, delete every
# namespace, then check that nothing is left (rig_leftovers). Returns 1 and
# lists the leftovers otherwise. Runs once; rig_cleanup (the EXIT trap) calls
# it if the test did not.
rig_teardown() {
	local i pid role ns left ino
	if [[ ${_RIG_TORN:-1} == 1 ]]; then
		return 0
	fi
	_RIG_TORN=1
	for ((i = ${#RIG_HOOKS[@]} - 1; i >= 0; i--)); do
		(eval "${RIG_HOOKS[$i]}") || echo "[rig] cleanup hook failed: ${RIG_HOOKS[$i]}" >&2
	done
	for ((i = ${#RIG_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${RIG_PIDS[$i]}
		_rig_stop_pid "$pid" "${RIG_STOP_TIMEOUT:-5}" "${RIG_PID_START[$pid]}"
	done
	for ((i = ${#RIG_ROLES[@]} - 1; i >= 0; i--)); do
		role=${RIG_ROLES[$i]}
		ns=${RIG_NSMAP[$role]}
		[[ -e /run/netns/$ns ]] || continue
		ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null) && RIG_NS_INODES[$ino]=$ns
		_rig_kill_ns_pids "$ns"
		ip netns del "$ns" || echo "[rig] cannot delete namespace $ns" >&2
	done
	RIG_ROLES=()
	left=$(rig_leftovers)
	if [[ -n $left ]]; then
		echo "[rig] teardown left behind:" >&2
		sed 's/^/  /' <<<"$left" >&2
		return 1
	fi
	return 0
}

rig_cleanup() {
	local rc=$?
	if [[ ${_RIG_CLEANED:-1} == 1 ]]; then
		return 0
	fi
	_RIG_CLEANED=1
	# a second ^C must not cut the cleanup short
	trap '' INT TERM HUP
	_rig_restore_output
	set +e
	rig_teardown || { [[ $rc -ne 0 ]] || rc=1; }
	# RIG_KEEP=0 removes it even on failure (tests that fail on purpose)
	if [[ ${RIG_KEEP:-} != 0 && ($rc -ne 0 || ${RIG_KEEP:-} == 1) ]]; then
		echo "[rig] logs and configs kept in $RIG_DIR" >&2
	else
		rm -rf -- "$RIG_DIR"
	fi
	rig_note "cleanup done (exit $rc)"
	exit "$rc"
}

# rig_reap_stale: delete namespaces named evc<PID>-* whose owning test run
# (PID) is gone, stopping whatever still runs in them. For a CI fixture after
# a run that was killed with SIGKILL (no trap ran).
rig_reap_stale() {
	local ns owner
	for ns in /run/netns/evc*-*; do
		[[ -e $ns ]] || continue
		ns=${ns##*/}
		owner=${ns#evc}
		owner=${owner%%[!0-9]*}
		[[ -n $owner ]] || continue
		if [[ ! -d /proc/$owner ]]; then
			echo "[rig] removing stale namespace $ns (test run $owner is gone)" >&2
			_rig_kill_ns_pids "$ns"
			ip netns del "$ns"
		fi
	done
}
