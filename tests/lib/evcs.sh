# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034 # EVC_*/EVS_* are for the sourcing scripts
#
# evc and evs, the project's own binaries, inside a rig (tests/lib/netns.sh).
# Source it, then:
#
#   evcs_init TAG [BUILD_DIR]     rig_init TAG, find the binaries (BUILD_DIR,
#                                 else $EVC_BUILD_DIR, else <repo>/build) and
#                                 set the sanitizer options for them
#   evs_conf_variant NAME SED...  a copy of server/evs.conf edited with sed
#                                 expressions, checked with `evs check`;
#                                 prints its path
#   evs_start [CONFIG] [ROLE]     evs in ROLE [gw] (log "evs"), waits for UDP
#                                 500 and the control socket
#   evs_show [summary|group]      `evs show crypto session ...` output
#   evs_wait_connections N [T]    the summary says the group has N connections
#   evs_stop                      SIGTERM, must exit 0 (log checked later)
#   evc_secret NAME TEXT          a 0600 file in $RIG_DIR holding TEXT; prints
#                                 its path
#   evc_start NAME ROLE ARGS...   `evc connect ARGS...` in ROLE: own mount
#                                 namespace (private resolv.conf, /run), own
#                                 session (no controlling terminal), stdin
#                                 /dev/null; stdout to log NAME, stderr to log
#                                 NAME-stderr
#   evc_wait_connected NAME [T]   the "connected:" line (fails at once if evc
#                                 exits)
#   evc_cmd NAME ARGS...          `evc ARGS...` in the foreground, for commands
#                                 that send nothing (`evc profile ...`): own
#                                 session, stdin /dev/null; stdout to log NAME,
#                                 stderr to log NAME-stderr (both rewritten);
#                                 status in EVC_CMD_STATUS
#   evc_tun_gone ROLE             no TUN device and no route through one left
#   evc_wait_tun_gone ROLE [T]    the same, waiting up to T s for a running evc
#   sanitizer_check               fail if any registered log holds an ASan,
#                                 LSan, UBSan or valgrind report
#
# EVC_VALGRIND (environment): valgrind options. When set, the daemons that
# evs_start and evc_start run (evs, `evc connect`) run under valgrind with
# them, each with its own log NAME-valgrind (kept out of the daemon's own
# stdout and stderr, which the tests read), e.g.
#   EVC_VALGRIND='--error-exitcode=99 --errors-for-leak-kinds=definite --leak-check=full'
# Use a build without sanitizers: valgrind and ASan do not mix. Short-lived
# commands (evs check/show, evc status, evc_cmd) run as they are. Without
# valgrind installed the test is skipped (77).
#
# Standard credentials of server/evs.conf: group quizware / groupsecret,
# richard / richard-pw-1, natalie / natalie-pw-2.

if [[ -n ${_RIG_EVCS_SH:-} ]]; then
	return 0
fi
_RIG_EVCS_SH=1

# shellcheck source=netns.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/netns.sh"

EVCS_SRC_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
EVS_SAMPLE_CONF=$EVCS_SRC_DIR/server/evs.conf
EVC_GROUP=quizware
EVC_GROUP_KEY=groupsecret
EVC_USER=richard
EVC_PASSWORD=richard-pw-1
EVC_USER2=natalie
EVC_PASSWORD2=natalie-pw-2
EVC_POOL_FIRST=10.98.0.10
EVC_DNS=10.99.0.53
EVC_DOMAIN=quizware.com

EVS_PID=
EVS_CONTROL=

# Exit status of a sanitizer report: distinct from evc's own 1 and 2.
EVCS_SANITIZER_EXIT=66

evcs_init() {
	local tag=$1 dir=${2:-${EVC_BUILD_DIR:-}}
	rig_init "$tag"
	if [[ -z $dir ]]; then
		dir=$EVCS_SRC_DIR/build
	fi
	dir=$(cd -- "$dir" 2>/dev/null && pwd) || fail "build directory ${2:-${EVC_BUILD_DIR:-}} does not exist"
	EVC_BIN=$dir/client/evc
	EVS_BIN=$dir/server/evs
	[[ -x $EVC_BIN && -x $EVS_BIN ]] ||
		fail "no evc/evs binaries in $dir (build first; pass the build directory as the first argument or in EVC_BUILD_DIR)"
	# A sanitizer report must end the process with a status the test sees,
	# and stay visible in the logs (stderr), which sanitizer_check scans.
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=$EVCS_SANITIZER_EXIT:detect_leaks=1:print_summary=1"
	export LSAN_OPTIONS="exitcode=$EVCS_SANITIZER_EXIT"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=$EVCS_SANITIZER_EXIT"
	EVCS_VALGRIND_OPTS=()
	if [[ -n ${EVC_VALGRIND:-} ]]; then
		rig_require_cmd valgrind
		read -r -a EVCS_VALGRIND_OPTS <<<"$EVC_VALGRIND"
		rig_note "evc and evs run under valgrind ${EVCS_VALGRIND_OPTS[*]}"
	fi
	rig_note "evc $EVC_BIN, evs $EVS_BIN"
}

# _evcs_wrap NAME: EVCS_WRAP, the command prefix for the daemon started as
# NAME: valgrind with its log NAME-valgrind (registered, so that fail shows
# it and sanitizer_check scans it), or nothing without EVC_VALGRIND.
_evcs_wrap() {
	EVCS_WRAP=()
	[[ ${#EVCS_VALGRIND_OPTS[@]} -gt 0 ]] || return 0
	rig_log "$1-valgrind" >/dev/null
	EVCS_WRAP=(valgrind "${EVCS_VALGRIND_OPTS[@]}" "--log-file=${RIG_LOGS[$1-valgrind]}")
}

# evc_secret NAME TEXT: $RIG_DIR/NAME, mode 0600, one line.
evc_secret() {
	local f=$RIG_DIR/$1
	(
		umask 077
		printf '%s\n' "$2" >"$f"
	) || fail "cannot write $f"
	printf '%s' "$f"
}

# evs_conf_variant NAME SED-EXPR...: $RIG_DIR/NAME from the sample config.
evs_conf_variant() {
	local out=$RIG_DIR/$1 args=() e check
	shift
	for e in "$@"; do
		args+=(-e "$e")
	done
	sed "${args[@]}" "$EVS_SAMPLE_CONF" >"$out" || fail "cannot write $out"
	check=$("$EVS_BIN" check --config "$out" 2>&1) ||
		fail "evs rejects the test configuration $out: $check"
	printf '%s' "$out"
}

# evs_start [CONFIG] [ROLE]: evs with its control socket and state file in
# $RIG_DIR; waits until it answers on UDP 500 and on the control socket.
evs_start() {
	local conf=${1:-$EVS_SAMPLE_CONF} role=${2:-gw}
	[[ -z $EVS_PID ]] || fail "internal: evs already started (pid $EVS_PID)"
	EVS_CONTROL=$RIG_DIR/evs.sock
	_evcs_wrap evs
	rig_spawn_isolated evs "$role" "${EVCS_WRAP[@]}" "$EVS_BIN" --config "$conf" --control "$EVS_CONTROL" \
		--state-file "$RIG_DIR/evs.state" -v
	EVS_PID=$RIG_LAST_PID
	wait_for_udp -p "$EVS_PID" "$role" 500 10
	wait_for -p "$EVS_PID" "evs control socket $EVS_CONTROL" 10 test -S "$EVS_CONTROL"
	wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary
	rig_note "evs started in $role (pid $EVS_PID) with $conf"
}

# evs_show [summary|group]: the answer of the running evs; a failure of the
# command (evs gone, socket broken) fails the test.
evs_show() {
	local what=${1:-summary} out
	out=$("$EVS_BIN" show crypto session "$what" --control "$EVS_CONTROL" 2>&1) || {
		printf '%s\n' "$out" >&2
		return 1
	}
	printf '%s\n' "$out"
}

_evs_has_connections() {
	local out
	out=$(evs_show summary) || return 1
	grep -q -x -F " Group $EVC_GROUP has $1 connections" <<<"$out"
}

# evs_wait_connections N [TIMEOUT=10]: evs reports N sessions in the group.
evs_wait_connections() {
	[[ -n $EVS_PID ]] || fail "internal: evs not started"
	wait_for -p "$EVS_PID" "evs to report $1 connection(s) in group $EVC_GROUP" "${2:-10}" \
		_evs_has_connections "$1"
}

# evs_expect_summary TEXT: the summary is exactly TEXT (lines, no trailing
# newline needed).
evs_expect_summary() {
	local want=$1 got
	got=$(evs_show summary) || fail "evs show crypto session summary failed: $got"
	if [[ $got != "$want" ]]; then
		fail "evs show crypto session summary printed
$got
-- expected exactly --
$want"
	fi
}

# evs_stop: SIGTERM; evs must exit with status 0 (no sanitizer report).
evs_stop() {
	[[ -n $EVS_PID ]] || return 0
	evs_show summary >/dev/null || fail "evs stopped answering on its control socket before SIGTERM"
	rig_kill "$EVS_PID" 10
	EVS_PID=
	sanitizer_check
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] ||
		fail "evs exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM (expected 0)"
	rig_note "evs stopped"
}

# evc_start NAME ROLE ARGS...: `evc connect ARGS...` in ROLE. setsid takes
# the controlling terminal away (evc must never prompt on the terminal of
# whoever runs the tests); sh only redirects stderr, then both exec, so the
# PID is evc's own.
evc_start() {
	local name=$1 role=$2
	shift 2
	rig_log "$name-stderr" >/dev/null
	_evcs_wrap "$name"
	# shellcheck disable=SC2016 # expanded by that sh, not here
	rig_spawn_isolated "$name" "$role" setsid sh -c 'exec "$@" 2>>"$0"' \
		"${RIG_LOGS[$name-stderr]}" "${EVCS_WRAP[@]}" "$EVC_BIN" connect "$@"
}

# evc_wait_connected NAME [TIMEOUT=20]
evc_wait_connected() {
	wait_for_log -p "$(rig_pid "$1")" "${RIG_LOGS[$1]}" '^connected: ' "${2:-20}" \
		"$1 to print 'connected:'"
}

# evc_cmd NAME ARGS...: run `evc ARGS...` to completion in the test's own
# namespaces; only for commands that never touch the network. A sanitizer
# report fails the test at once; any other status is left to the caller in
# EVC_CMD_STATUS.
evc_cmd() {
	local name=$1 out err
	shift
	rig_log "$name" >/dev/null
	rig_log "$name-stderr" >/dev/null
	out=${RIG_LOGS[$name]}
	err=${RIG_LOGS[$name-stderr]}
	EVC_CMD_STATUS=0
	setsid -w "$EVC_BIN" "$@" </dev/null >"$out" 2>"$err" {RIG_STDOUT_FD}>&- {RIG_STDERR_FD}>&- ||
		EVC_CMD_STATUS=$?
	[[ $EVC_CMD_STATUS -ne $EVCS_SANITIZER_EXIT ]] || fail "evc $* ended with a sanitizer report"
	sanitizer_check
}

# evc_tun_gone ROLE: no TUN device in ROLE and no route through one.
# evc_wait_tun_gone ROLE [T]: a running evc (a daemon told to disconnect) has taken its TUN
# device and routes away: its DELETE reaches the gateway before it restores the host, so the
# gateway's count alone does not say that.
_evcs_no_tun() {
	[[ -z $(ip -n "$1" -o link show type tun 2>/dev/null) ]]
}
evc_wait_tun_gone() {
	local ns
	ns=$(rig_ns "$1") || exit 1
	wait_for "no TUN device left in $1" "${2:-10}" _evcs_no_tun "$ns"
	evc_tun_gone "$1"
}

evc_tun_gone() {
	local ns tuns routes
	ns=$(rig_ns "$1") || exit 1
	tuns=$(ip -n "$ns" -o link show type tun 2>/dev/null)
	[[ -z $tuns ]] || fail "TUN device left behind in $1: $tuns"
	routes=$(ip -n "$ns" route show table all 2>/dev/null | grep -E 'dev (evc|tun)' || true)
	[[ -z $routes ]] || fail "routes through a TUN device left behind in $1: $routes"
}

# Any error memcheck reports (it prints each as it happens, the count at exit).
EVCS_VALGRIND_ERRORS='^==[0-9]+== (ERROR SUMMARY: [1-9]|Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function .* has a fishy|.* definitely lost in loss record)'

# sanitizer_check: fail if any registered log holds a sanitizer report, or,
# with EVC_VALGRIND, a valgrind error; a valgrind log left empty means the
# daemon did not run under valgrind at all, which fails too.
sanitizer_check() {
	local name path hits='' empty=''
	for name in "${RIG_LOG_NAMES[@]}"; do
		path=${RIG_LOGS[$name]}
		[[ -f $path ]] || continue
		if grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|Sanitizer has encountered a fatal error' "$path"; then
			hits+=" $name"
		fi
		if [[ $name == *-valgrind ]]; then
			if grep -E -q -- "$EVCS_VALGRIND_ERRORS" "$path"; then
				hits+=" $name"
			fi
			[[ -s $path ]] || empty+=" $name"
		fi
	done
	[[ -z $hits ]] || fail "sanitizer or valgrind report in the log(s):$hits"
	[[ -z $empty ]] || fail "valgrind wrote nothing to:$empty (the daemon did not run under it)"
}

# rig_add_std_client ROLE ADDR: one more client namespace for the standard
# topology: ROLE's out0 (ADDR/24) is a veth to a new gw interface (named
# after ROLE); gw routes ADDR/32 there, so both clients share 198.51.100.0/24
# and reach the gateway at the same address.
rig_add_std_client() {
	local role=$1 addr=$2 gwif
	gwif=to-$role
	rig_ns_add "$role"
	rig_veth "$role" out0 gw "$gwif"
	rig_addr "$role" out0 "$addr/24"
	ip -n "$(rig_ns gw)" route add "$addr/32" dev "$gwif" src "$RIG_GW_ADDR" ||
		fail "cannot route $addr to $role in gw"
	rig_note "second client: $role $addr -- gw $gwif"
}
