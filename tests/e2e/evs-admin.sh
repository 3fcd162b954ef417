#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What an administrator does to a running evs, with evc connected through it:
#   show   `evs show crypto dynamic-map` (Example 20-1), `show crypto isakmp sa`,
#          `show crypto session [detail]` and a --json form, over the control socket;
#   reload SIGHUP with a broken configuration file: refused, the FILE:LINE error in the
#          log, evs and the tunnel keep running; SIGHUP with a good one (a changed DNS
#          server): taken, the session of the group it still has kept, traffic still flows;
#   clear  `evs clear crypto session username richard`: evc (--no-reconnect) gets the
#          DELETE and ends, evs reports 0 connections.
# Usage: tests/e2e/evs-admin.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-evs-admin" "${1:-}"
rig_topology_std

conf=$(evs_conf_variant evs-admin.conf 's/^ dns 10.99.0.53$/&/')
evs_start "$conf"
evs_log=${RIG_LOGS[evs]}

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state" \
	--no-reconnect --control "$RIG_DIR/evc.sock"
evc_wait_connected evc 20
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel"

evs_cmd() {
	"$EVS_BIN" "$@" --control "$EVS_CONTROL" 2>&1
}

# ---- show
out=$(evs_cmd show crypto dynamic-map) || fail "evs show crypto dynamic-map failed: $out"
for want in 'Crypto Map Template "EASYVPN" 10' $'\tTransform sets={ trans-aes256, trans-aes128, trans-3des, }' \
	$'\tReverse Route Injection Enabled'; do
	grep -q -x -F -- "$want" <<<"$out" || fail "show crypto dynamic-map lacks '$want': $out"
done
out=$(evs_cmd show crypto isakmp sa) || fail "evs show crypto isakmp sa failed: $out"
grep -q -E "^$RIG_GW_ADDR +$RIG_CLIENT_ADDR +QM_IDLE +[0-9]+ ACTIVE$" <<<"$out" ||
	fail "show crypto isakmp sa has no QM_IDLE line for the client: $out"
out=$(evs_cmd show crypto session detail) || fail "evs show crypto session detail failed: $out"
for want in "Username: $EVC_USER" "Group: $EVC_GROUP" "Assigned address: $EVC_POOL_FIRST" \
	"Session status: UP-ACTIVE" "Interface: eth0"; do
	grep -q -x -F -- "$want" <<<"$out" || fail "show crypto session detail lacks '$want': $out"
done
out=$(evs_cmd show crypto session --json) || fail "evs show crypto session --json failed: $out"
grep -q -F "\"user\":\"$EVC_USER\",\"group\":\"$EVC_GROUP\",\"assigned\":\"$EVC_POOL_FIRST\"" <<<"$out" ||
	fail "show crypto session --json: $out"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$out" || fail "not JSON: $out"
fi
out=$(evs_cmd show crypto nothing) && fail "evs accepted 'show crypto nothing': $out"
grep -q "is not a command evs answers" <<<"$out" || fail "no clear message for a wrong command: $out"

# ---- reload: a broken file is refused, the old configuration keeps serving
cp -- "$conf" "$RIG_DIR/evs-admin.good"
sed -i 's/^ hash sha$/ hash sha7/' "$conf"
kill -HUP "$EVS_PID"
wait_for_log -p "$EVS_PID" "$evs_log" 'reload refused' 10 "evs to refuse the broken configuration"
grep -q -E "evs-admin\.conf:[0-9]+: .*hash sha7" "$evs_log" ||
	fail "the log does not name the broken line: $(grep reload "$evs_log")"
rig_alive "$EVS_PID" || fail "evs died on SIGHUP with a broken configuration"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "the tunnel broke when evs refused a configuration"
evs_wait_connections 1

# ---- reload: a good file is taken, the session of its group kept
sed 's/^ dns 10.99.0.53$/ dns 10.99.0.54/' "$RIG_DIR/evs-admin.good" >"$conf"
kill -HUP "$EVS_PID"
wait_for_log -p "$EVS_PID" "$evs_log" 'reload: now running' 10 "evs to take the new configuration"
grep -q -E 'configuration reloaded: .* 1 SA\(s\) kept, 0 closed' "$evs_log" ||
	fail "evs did not report the kept session: $(grep reload "$evs_log")"
rig_alive "$EVS_PID" || fail "evs exited on SIGHUP"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "the tunnel broke on reload"
evs_wait_connections 1

# ---- clear: evc gets a DELETE
out=$(evs_cmd clear crypto session username "$EVC_USER") || fail "evs clear failed: $out"
[[ $out == "cleared 1 session(s) of user $EVC_USER" ]] || fail "evs clear answered: $out"
wait_for_exit evc 20
[[ ${RIG_LAST_STATUS:-x} != 0 ]] || fail "evc --no-reconnect exited 0 after the gateway cleared its session"
grep -q -i 'delete' "${RIG_LOGS[evc-stderr]}" "${RIG_LOGS[evc]}" ||
	fail "evc did not report the gateway's DELETE: $(tail -n 5 "${RIG_LOGS[evc-stderr]}")"
evc_tun_gone client
evs_wait_connections 0

evs_stop
sanitizer_check
rig_note "PASS"
