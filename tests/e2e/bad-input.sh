#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc against evs with one thing wrong. Each case must end evc with a
# non-zero status and exactly one line on stderr that names the step and
# what to check (asserted on key words), leave no TUN device or route in the
# client namespace, and leave evs running with 0 connections. Then a correct
# evc connects to the same evs, gets the first pool address and pings the
# corporate host: the failed attempt wedged nothing and leaked no address.
#
# Usage: tests/e2e/bad-input.sh [BUILD_DIR] CASE
#   group-key    wrong group key            -> "step 3", "group key"
#   password     wrong XAUTH password       -> "XAUTH", "password"
#   group        unknown group name         -> "step 3", "group", "--group"
#   gateway      nobody at 198.51.100.99    -> "no answer" (waits for all
#                                              of evc's retransmissions)
#   proposal     evs accepts DH group 15 only, evc pinned to --dh 14
#                                           -> "NO-PROPOSAL-CHOSEN", "--dh";
#                then evc without --dh finds group 15 by itself (14, 2, 5 refused)
#   no-key       no --group-key-file, no terminal -> "group key"
#   no-password  no --password-file, no terminal  -> "password"
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

usage() {
	echo "usage: $0 [BUILD_DIR] group-key|password|group|gateway|proposal|no-key|no-password" >&2
	exit 2
}
case $# in
1) build='' case=$1 ;;
2) build=$1 case=$2 ;;
*) usage ;;
esac

gateway=$RIG_GW_ADDR
group=$EVC_GROUP
key_text=$EVC_GROUP_KEY
pw_text=$EVC_PASSWORD
key_opt=yes
pw_opt=yes
conf_edit=
good_args=()
bad_args=()
wait_s=20
# extended regexes, all must match the one stderr line
case $case in
group-key)
	key_text=not-the-group-secret
	expect=('step 3' 'group key' '--group-key-file')
	;;
password)
	pw_text=not-richards-password
	expect=('step 4' 'XAUTH' 'password')
	;;
group)
	group=nosuchgroup
	expect=('step 3' 'group' '--group')
	;;
gateway)
	gateway=198.51.100.99
	expect=('step 2' 'no answer' '198\.51\.100\.99')
	# evc retransmits for about 70 s before it gives up
	wait_s=120
	;;
proposal)
	conf_edit='s/^ group 2$/ group 15/'
	bad_args=(--dh 14)
	expect=('step 3' 'NO-PROPOSAL-CHOSEN' '--dh')
	;;
no-key)
	key_opt=no
	expect=('group key' '--group-key-file')
	;;
no-password)
	pw_opt=no
	expect=('password' '--password-file')
	;;
*) usage ;;
esac

evcs_init "e2e-bad-$case" "$build"
rig_topology_std
conf=$EVS_SAMPLE_CONF
if [[ -n $conf_edit ]]; then
	conf=$(evs_conf_variant evs-test.conf "$conf_edit")
	grep -q '^ group 2$' "$conf" && fail "internal: $conf still has a group 2 policy"
fi
evs_start "$conf"

args=(--gateway "$gateway" --group "$group" --user "$EVC_USER" --state-file "$RIG_DIR/evc.state")
[[ $key_opt == no ]] || args+=(--group-key-file "$(evc_secret group-key "$key_text")")
[[ $pw_opt == no ]] || args+=(--password-file "$(evc_secret password "$pw_text")")
evc_start evc client "${args[@]}" "${bad_args[@]}"
t0=$(rig_elapsed)
wait_for_exit evc "$wait_s"
status=$RIG_LAST_STATUS
rig_note "evc exited with status $status after $(awk "BEGIN { print $(rig_elapsed) - $t0 }")s"

[[ -n $status && $status -ne 0 ]] || fail "evc exited with status '${status:-unknown}', expected a failure"
[[ $status -ne $EVCS_SANITIZER_EXIT ]] || fail "evc ended with a sanitizer report"
sanitizer_check
err=${RIG_LOGS[evc-stderr]}
lines=$(wc -l <"$err")
[[ $lines -eq 1 ]] || fail "evc wrote $lines lines to stderr, expected one sentence: $(cat "$err")"
line=$(<"$err")
for re in "${expect[@]}"; do
	grep -q -E -e "$re" <<<"$line" || fail "evc's error does not mention /$re/: $line"
done
rig_note "evc said: $line"
grep -q '^connected: ' "${RIG_LOGS[evc]}" && fail "evc printed 'connected:' although it failed"
evc_tun_gone client
[[ -z $(compgen -G "$RIG_DIR/evc.state*") ]] || fail "evc left its state file behind"

rig_alive "$EVS_PID" || fail "evs died"
evs_wait_connections 0
evs_expect_summary " Group $EVC_GROUP has 0 connections"

# the same evs still serves a correct client, with the first pool address
evc_start evc-good client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$(evc_secret group-key-good "$EVC_GROUP_KEY")" \
	--password-file "$(evc_secret password-good "$EVC_PASSWORD")" \
	--state-file "$RIG_DIR/evc-good.state" --dns off "${good_args[@]}"
evc_wait_connected evc-good 20
if [[ $case == proposal ]]; then
	grep -q -E '^\[3/7\] phase 1 established: .*/modp3072/' "${RIG_LOGS[evc-good]}" ||
		fail "evc without --dh did not fall back to group 15: $(grep -E '^\[[23]/7\]' "${RIG_LOGS[evc-good]}")"
fi
[[ $(rig_addr4 client evc0) == "$EVC_POOL_FIRST" ]] ||
	fail "after the failed attempt a correct client got '$(rig_addr4 client evc0)', expected $EVC_POOL_FIRST (a pool address leaked?)"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel of the correct client"
evs_wait_connections 1
rig_kill evc-good 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the correct evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0

evs_stop
sanitizer_check
rig_note "PASS"
