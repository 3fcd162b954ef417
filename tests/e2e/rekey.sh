#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rekeying between evc and evs, with real traffic through the tunnel.
#
#   volume  evs's dynamic map says `set security-association lifetime kilobytes
#           200000`: an iperf3 transfer of 600 MB from the client to the
#           corporate host crosses that volume three times. Every one-second
#           interval must move data (the tunnel never stalls), at least two
#           rekeys must have happened (evc logs "new IPsec SA"), and the
#           transfer keeps more than half the throughput of a 4 s run of the
#           same rig before it (evs with its default lifetime).
#   time    `set security-association lifetime seconds 120`: a ping every 0.5 s
#           for 125 s, across the rekey evc starts at 85-90% of the lifetime and
#           the deletion of the old pair 10 s later, loses at most two packets;
#           an nftables counter at the gateway sees the new quick mode (ISAKMP
#           exchange type 32 from the client after the tunnel was up).
#   phase1  every `crypto isakmp policy` says `lifetime 60` and the group allows
#           save-password: a ping every 0.5 s for 120 s crosses two phase-1
#           rekeys (a new aggressive mode with XAUTH at 85-90% of the IKE SA's
#           lifetime, which evs tells evc by RESPONDER-LIFETIME) and loses no
#           packet; the ESP SA stays the same (no CHILD_DOWN), evs keeps one
#           session and ends with one IKE SA per client after the old ones are
#           deleted.
#   nosave  the same lifetime without save-password: at the rekey evc, which has
#           no terminal to ask on, says "the gateway requires the password again"
#           and keeps the tunnel (a ping still goes through) until the old IKE SA
#           ends.
#   prompt  the same, with evc on a pseudo-terminal (tests/e2e/pty_drive.py):
#           evc asks for the password on it, and while the question is open the
#           tunnel keeps running (6 pings of 6 answered: the prompt does not
#           block the event loop); then the test types the password, the new
#           IKE SA takes over (evc and evs log it), the tunnel still answers, and
#           the password was not echoed (echo is off while evc asks, on again
#           after).
#   prompt-eof  the same question answered with Ctrl-D: evc says it is declined
#           ("no password typed"), the terminal has its echo back, and the tunnel
#           stays up under the old IKE SA (a ping goes through).
#
# Both end with `evc status` and `evs show crypto ipsec sa` showing the
# remaining lifetime, SIGTERM to evc (exit 0) and evs (exit 0), no sanitizer
# report.
#
# Usage: tests/e2e/rekey.sh [BUILD_DIR] volume|time|phase1|nosave|prompt|prompt-eof
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun, no iperf3).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

case $# in
1) build='' mode=$1 ;;
2) build=$1 mode=$2 ;;
*)
	echo "usage: $0 [BUILD_DIR] volume|time|phase1|nosave|prompt|prompt-eof" >&2
	exit 2
	;;
esac
case $mode in
volume) life='kilobytes 200000' ;;
time) life='seconds 120' ;;
phase1 | nosave | prompt | prompt-eof) life='' ;;
*)
	echo "usage: $0 [BUILD_DIR] volume|time|phase1|nosave|prompt|prompt-eof" >&2
	exit 2
	;;
esac

evcs_init "e2e-rekey-$mode" "$build"
[[ $mode != volume ]] || rig_require_cmd iperf3 python3
[[ $mode != prompt* ]] || rig_require_cmd python3
rig_topology_std

if [[ $mode == phase1 || $mode == nosave || $mode == prompt* ]]; then
	# a 60 s phase-1 lifetime in every isakmp policy, and save-password for the group
	# (nosave: without)
	save='s/^ acl 101$/&\n save-password/'
	[[ $mode == phase1 ]] || save='s/^ save-password$//'
	conf=$(evs_conf_variant "evs-p1life.conf" '/^ lifetime /d' 's/^ group 2$/&\n lifetime 60/' "$save")
	[[ $(grep -c -x ' lifetime 60' "$conf") -ge 3 ]] || fail "internal: no phase-1 lifetime in $conf"
else
	# the lifetime under the dynamic map's transform sets
	conf=$(evs_conf_variant "evs-life.conf" "s/^ set transform-set .*/&\n set security-association lifetime $life/")
	grep -q -x " set security-association lifetime $life" "$conf" || fail "internal: no lifetime in $conf"
fi

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
connect() { # NAME: evc with -v (rekeys are logged at info level), waits for the tunnel
	evc_start "$1" client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
		--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/$1.state" \
		--control "$RIG_DIR/$1.sock" --dns off -v
	evc_wait_connected "$1" 20
}
disconnect() { # NAME
	rig_kill "$1" 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "$1 exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
	evc_tun_gone client
}
rekeys() { # NAME: how many new pairs evc brought up after the first
	grep -c 'new IPsec SA' "${RIG_LOGS[$1-stderr]}" || true
}
show_lifetimes() { # NAME: both sides report what is left
	local st sa
	st=$(rig_exec client "$EVC_BIN" status --control "$RIG_DIR/$1.sock" 2>&1) ||
		fail "evc status failed: $st"
	grep -q -E '^sa: in [0-9a-f]{8} out [0-9a-f]{8}, ' <<<"$st" || fail "evc status lists no SA with its lifetime: $st"
	sa=$(rig_exec gw "$EVS_BIN" show crypto ipsec sa --control "$EVS_CONTROL" 2>&1) ||
		fail "evs show crypto ipsec sa failed: $sa"
	grep -q -E 'remaining key lifetime \(k/sec\): \(' <<<"$sa" ||
		fail "evs show crypto ipsec sa shows no remaining lifetime: $sa"
	rig_note "evc status: $(grep '^sa: ' <<<"$st" | head -n 2 | tr '\n' ';')"
}

if [[ $mode == volume ]]; then
	rig_spawn iperf3-server corp iperf3 -s -B "$RIG_CORP_ADDR"
	wait_for -p "$RIG_LAST_PID" "iperf3 listening" 10 \
		sh -c "ip netns exec '$(rig_ns corp)' ss -Hltn 'sport = :5201' | grep -q ."
	iperf() { # ARGS...: iperf3 from the client as JSON into $RIG_DIR/iperf-$1.json
		local name=$1
		shift
		rig_exec client iperf3 -c "$RIG_CORP_ADDR" -i 1 -J "$@" >"$RIG_DIR/iperf-$name.json" 2>&1 ||
			fail "iperf3 ($name) failed: $(head -c 600 "$RIG_DIR/iperf-$name.json")"
	}
	rate() { # NAME: mean bits per second of the run; fails on an interval without data
		python3 - "$RIG_DIR/iperf-$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
iv = [i["sum"] for i in r["intervals"]]
# the last interval may be a sliver after the last byte: only full seconds count
stalls = [round(i["start"], 1) for i in iv if i["seconds"] >= 0.9 and i["bytes"] == 0]
if stalls:
    print("STALL at " + ", ".join(f"{s}s" for s in stalls))
    sys.exit(1)
print(int(r["end"]["sum_sent"]["bits_per_second"]))
PY
	}

	# the same rig without a volume to cross: the throughput to keep half of
	evs_start
	connect evc-base
	iperf base -t 4
	base=$(rate base) || fail "the run without rekeys stalled: $base"
	disconnect evc-base
	evs_stop

	evs_start "$conf"
	connect evc
	iperf rekey -n 600M
	got=$(rate rekey) || fail "the transfer stalled across the rekeys: $got"
	n=$(rekeys evc)
	rig_note "600 MB at $((got / 1000000)) Mbit/s with $n rekeys; $((base / 1000000)) Mbit/s without"
	((n >= 2)) || fail "evc rekeyed $n times during 600 MB with a 200000 KB lifetime, expected at least 2"
	((got * 2 > base)) ||
		fail "the transfer across rekeys made $((got / 1000000)) Mbit/s, less than half of $((base / 1000000)) Mbit/s"
	show_lifetimes evc
elif [[ $mode == nosave ]]; then
	evs_start "$conf"
	connect evc
	wait_for "evc's phase-1 rekey to need the password again" 70 \
		grep -q 'the gateway requires the password again' "${RIG_LOGS[evc-stderr]}"
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel after the rekey could not be made"
	rig_note "evc: $(grep -m1 'requires the password again' "${RIG_LOGS[evc-stderr]}")"
	! grep -q 'the tunnel goes on under the new IKE SA' "${RIG_LOGS[evc-stderr]}" ||
		fail "evc rekeyed phase 1 with a password the gateway does not let it save"
elif [[ $mode == prompt* ]]; then
	# evc's standard input and controlling terminal are a pseudo-terminal; the test types
	# on it through a FIFO
	evs_start "$conf"
	tty_log=$(rig_log evc-tty)
	fifo=$RIG_DIR/evc-type.fifo
	mkfifo -m 600 "$fifo" || fail "cannot make $fifo"
	rig_log evc-stderr >/dev/null
	_evcs_wrap evc
	# shellcheck disable=SC2016 # expanded by that sh, not here
	rig_spawn_isolated evc client python3 "$here/pty_drive.py" "$tty_log" "$fifo" -- \
		sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evc-stderr]}" "${EVCS_WRAP[@]}" "$EVC_BIN" connect \
		--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
		--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state" \
		--control "$RIG_DIR/evc.sock" --dns off -v
	evc_wait_connected evc 20
	wait_for_log -p "$(rig_pid evc)" "$tty_log" "Password for $EVC_USER: " 70 \
		"evc to ask for the password again on its terminal at the phase-1 rekey"
	grep -q 'requires the password again to renew the IKE SA' "$tty_log" ||
		fail "evc's prompt does not say why it asks: $(tr -c '[:print:]' ' ' <"$tty_log")"
	echo_reports() { # how many times pty_drive reported the terminal's echo setting
		grep -c '^\[pty_drive: echo ' "$tty_log" || true
	}
	echo_reports_above() { # N
		(($(echo_reports) > $1))
	}
	echo_is() { # on|off: asks pty_drive for the terminal's echo setting
		local n
		n=$(echo_reports)
		echo 'ECHO?' >"$fifo"
		wait_for "pty_drive to report the terminal's echo" 5 echo_reports_above "$n"
		[[ $(grep '^\[pty_drive: echo ' "$tty_log" | tail -n 1) == "[pty_drive: echo $1]" ]]
	}
	echo_is off || fail "evc asks for the password with the terminal's echo on"
	# the IKE SA has 6-9 s left: 3 s of pings, then the answer
	out=$(rig_exec client ping -n -q -i 0.5 -c 6 -W 1 "$RIG_CORP_ADDR" 2>&1) || true
	rx=$(sed -n -E 's/.* ([0-9]+) received.*/\1/p' <<<"$out")
	rig_note "while evc's password prompt was open: ${rx:-0} of 6 pings answered"
	((${rx:-0} == 6)) || fail "the tunnel stalled while evc waited for the password: ${rx:-0} of 6 pings answered"
	if [[ $mode == prompt-eof ]]; then
		echo EOF >"$fifo"
		wait_for_log -p "$(rig_pid evc)" "${RIG_LOGS[evc-stderr]}" 'no password typed \(end of input\)' 5 \
			"evc to decline the question on Ctrl-D"
		wait_for_log -p "$(rig_pid evc)" "${RIG_LOGS[evc-stderr]}" 'none was given; the tunnel stays up' 5 \
			"evc to keep the tunnel under the old IKE SA"
		echo_is on || fail "evc left the terminal without echo after Ctrl-D"
		ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel after the question was declined"
		! grep -q 'the tunnel goes on under the new IKE SA' "${RIG_LOGS[evc-stderr]}" ||
			fail "evc rekeyed phase 1 without a password"
		rig_note "evc: $(grep -m1 'no password typed' "${RIG_LOGS[evc-stderr]}")"
	else
		printf '%s\n' "$EVC_PASSWORD" >"$fifo"
		wait_for_log -p "$(rig_pid evc)" "${RIG_LOGS[evc-stderr]}" 'the tunnel goes on under the new IKE SA' 10 \
			"evc to take the typed password and hand the tunnel to the new IKE SA"
		wait_for_log "${RIG_LOGS[evs]}" 'phase 1 rekeyed, the IPsec SAs stay' 5 \
			"evs to take the IPsec SAs over to the new IKE SA"
		ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel after the new IKE SA took over"
		echo_is on || fail "evc left the terminal without echo after the answer"
		! grep -q -F "$EVC_PASSWORD" "$tty_log" || fail "evc echoed the password on its terminal"
	fi
elif [[ $mode == phase1 ]]; then
	evs_start "$conf"
	connect evc
	t0=$(rig_elapsed)
	out=$(rig_exec client ping -n -q -i 0.5 -c 240 -W 1 "$RIG_CORP_ADDR" 2>&1) || true
	rx=$(sed -n -E 's/.* ([0-9]+) received.*/\1/p' <<<"$out")
	[[ -n $rx ]] || fail "cannot read ping's summary: $out"
	p1=$(grep -c 'the tunnel goes on under the new IKE SA' "${RIG_LOGS[evc-stderr]}" || true)
	srv=$(grep -c 'phase 1 rekeyed, the IPsec SAs stay' "${RIG_LOGS[evs]}" || true)
	rig_note "ping for $(awk "BEGIN { print $(rig_elapsed) - $t0 }")s: $rx of 240 answered, $p1 phase-1 rekeys by evc, $srv taken over by evs"
	((rx == 240)) || fail "$((240 - rx)) of 240 pings lost across the phase-1 rekeys (none allowed)"
	((p1 >= 2)) || fail "evc rekeyed phase 1 $p1 times in 120 s of a 60 s IKE lifetime, expected 2"
	((srv >= 2)) || fail "evs took over the IPsec SAs $srv times, expected 2"
	grep -q "RESPONDER-LIFETIME sets the IKE SA's lifetime to 60 s" "${RIG_LOGS[evc-stderr]}" ||
		fail "evc did not take the gateway's 60 s RESPONDER-LIFETIME"
	! grep -q 'new IPsec SA' "${RIG_LOGS[evc-stderr]}" ||
		fail "evc negotiated a new IPsec SA: the phase-1 rekey should keep the old one"
	sessions=$(evs_show summary)
	grep -q 'Group quizware has 1 connections' <<<"$sessions" ||
		fail "evs does not show one session after the rekeys: $sessions"
	isa=$(rig_exec gw "$EVS_BIN" show crypto isakmp sa --control "$EVS_CONTROL" 2>&1) ||
		fail "evs show crypto isakmp sa failed: $isa"
	rig_note "evs isakmp sa: $(tr '\n' ';' <<<"$isa")"
else
	# the client's quick modes after the tunnel is up (exchange type 32 at ISAKMP byte 18)
	evs_start "$conf"
	connect evc
	rig_counter_add gw qm_from_client udp sport 500 udp dport 500 @th,208,8 32
	t0=$(rig_elapsed)
	out=$(rig_exec client ping -n -q -i 0.5 -c 250 -W 1 "$RIG_CORP_ADDR" 2>&1) || true
	rx=$(sed -n -E 's/.* ([0-9]+) received.*/\1/p' <<<"$out")
	[[ -n $rx ]] || fail "cannot read ping's summary: $out"
	n=$(rekeys evc)
	qm=$(rig_counter_packets gw qm_from_client)
	rig_note "ping for $(awk "BEGIN { print $(rig_elapsed) - $t0 }")s: $rx of 250 answered, $n rekeys, $qm quick-mode datagrams from the client"
	((250 - rx <= 2)) || fail "$((250 - rx)) of 250 pings lost across the rekey (at most 2 allowed)"
	((n >= 1)) || fail "evc did not rekey within 125 s of a 120 s lifetime"
	((${qm:-0} >= 2)) || fail "the gateway saw ${qm:-0} quick-mode datagrams from the client after the tunnel was up, expected the rekey's two"
	grep -q 'replaced by its rekey: deleted' "${RIG_LOGS[evc-stderr]}" ||
		fail "evc did not delete the replaced pair after the overlap"
	show_lifetimes evc
fi

[[ $mode == nosave || $mode == prompt* ]] || ! grep -q -E '^evc: (warning|error)' "${RIG_LOGS[evc-stderr]}" ||
	fail "evc warned: $(grep -E '^evc: (warning|error)' "${RIG_LOGS[evc-stderr]}" | head -n 5)"
disconnect evc
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
