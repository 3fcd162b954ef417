#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc daemon --profile NAME (issue 9): a profile with its secrets in the store's root-only
# files (imported from a vpnc configuration), no terminal, evs whose group allows
# save-password. The daemon connects; `evc status` (and --json) answers on its control
# socket; `evc disconnect` takes the tunnel down and the daemon stays; `evc connect` sets it
# up again; after the gateway's DELETE (evs clear crypto session) the daemon reconnects by
# itself; a second daemon for the same profile is refused with a clear message and changes
# nothing; SIGTERM restores the host. Against a group without save-password the daemon says
# that it needs an interactive password and stops, after one attempt.
#
# Usage: tests/e2e/daemon.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-daemon" "${1:-}"
rig_require_cmd python3
rig_topology_std
conf=$(evs_conf_variant evs-savepw.conf '/^ domain quizware.com$/a\ save-password')
grep -q '^ save-password$' "$conf" || fail "internal: no save-password in $conf"
evs_start "$conf"

profiles=$RIG_DIR/profiles
cat >"$RIG_DIR/office.conf" <<CONF
IPSec gateway $RIG_GW_ADDR
IPSec ID $EVC_GROUP
IPSec secret $EVC_GROUP_KEY
Xauth username $EVC_USER
Xauth password $EVC_PASSWORD
CONF
evc_cmd import profile import "$RIG_DIR/office.conf" --name office --profile-dir "$profiles"
[[ $EVC_CMD_STATUS == 0 ]] || fail "the vpnc configuration did not import: $(cat "${RIG_LOGS[import-stderr]}")"
ls "$profiles"/secrets/office.* >/dev/null 2>&1 || fail "the import stored no secrets: $(ls -lR "$profiles")"

ctl=$RIG_DIR/office.sock
dargs=(--profile office --profile-dir "$profiles" --state-file "$RIG_DIR/evc.state" --control "$ctl")

# daemon_start NAME: `evc daemon` in client, like evc_start (no terminal, stdin /dev/null)
daemon_start() {
	local name=$1
	shift
	rig_log "$name-stderr" >/dev/null
	_evcs_wrap "$name"
	# shellcheck disable=SC2016 # expanded by that sh, not here
	rig_spawn_isolated "$name" client setsid sh -c 'exec "$@" 2>>"$0"' \
		"${RIG_LOGS[$name-stderr]}" "${EVCS_WRAP[@]}" "$EVC_BIN" daemon "$@"
}
ctl_cmd() {
	rig_exec client "$EVC_BIN" "$@" --control "$ctl" 2>&1
}
_connected_n() {
	[[ $(grep -c '^connected: ' "${RIG_LOGS[$1]}" || true) -ge $2 ]]
}

daemon_start evcd "${dargs[@]}"
wait_for -p "$(rig_pid evcd)" "the daemon to connect" 20 _connected_n evcd 1
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the daemon's tunnel"
st=$(ctl_cmd status) || fail "evc status: $st"
grep -q -x 'state: connected' <<<"$st" || fail "evc status of the daemon: $st"
grep -q -x 'mode: client' <<<"$st" || fail "evc status names no mode: $st"
js=$(ctl_cmd status --json) || fail "evc status --json: $js"
# every field the issue names: state, gateway, assigned address, mode, SAs, bytes and packets
# each way (the ping above moved some both ways), uptime, last error
python3 - "$js" "$RIG_GW_ADDR" "$EVC_POOL_FIRST" <<'PY' || fail "evc status --json is not the expected JSON: $js"
import json, sys
d = json.loads(sys.argv[1])
assert d["state"] == "connected", d
assert d["gateway"] == sys.argv[2], d
assert d["address"] == sys.argv[3], d
assert d["mode"] == "client", d
assert d["sas"] >= 1, d
for k in ("packets_in", "packets_out", "bytes_in", "bytes_out"):
    assert isinstance(d[k], int) and d[k] > 0, (k, d)
assert d["bytes_in"] >= 2 * 84 and d["bytes_out"] >= 2 * 84, d
assert isinstance(d["uptime_s"], int) and d["uptime_s"] >= 0, d
assert isinstance(d["last_error"], str), d
PY

# ---- a second daemon for the same profile: refused at once, the first one untouched
daemon_start evcd2 "${dargs[@]}"
wait_for_exit evcd2 10
[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "the second daemon exited with ${RIG_LAST_STATUS:-?}"
grep -q "an evc daemon for profile 'office' is already running (pid $(rig_pid evcd)" "${RIG_LOGS[evcd2-stderr]}" ||
	fail "the second daemon did not say why: $(cat "${RIG_LOGS[evcd2-stderr]}")"
! grep -q '^\[1/7\]' "${RIG_LOGS[evcd2]}" || fail "the second daemon started to connect"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "the second daemon broke the first one's tunnel"
[[ $(ip -n "$(rig_ns client)" -o link show type tun | wc -l) == 1 ]] || fail "a second TUN device appeared"

# ---- disconnect: the tunnel goes, the daemon stays; connect: it comes back
out=$(ctl_cmd disconnect) || fail "evc disconnect: $out"
evs_wait_connections 0
evc_wait_tun_gone client
rig_alive "$(rig_pid evcd)" || fail "the daemon ended on disconnect"
st=$(ctl_cmd status) || fail "evc status after disconnect: $st"
grep -q -x 'state: disconnected' <<<"$st" || fail "evc status after disconnect: $st"
out=$(rig_exec client "$EVC_BIN" connect --control "$ctl" 2>&1) || fail "evc connect --control: $out"
wait_for -p "$(rig_pid evcd)" "the daemon to connect again" 20 _connected_n evcd 2
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping after evc connect"

# ---- the gateway ends the session (its DELETE, as after `clear crypto session`): the
# daemon says so and sets the tunnel up again by itself
out=$("$EVS_BIN" clear crypto session username "$EVC_USER" --control "$EVS_CONTROL" 2>&1) ||
	fail "evs clear crypto session: $out"
wait_for -p "$(rig_pid evcd)" "the daemon to reconnect after the gateway's DELETE" 30 _connected_n evcd 3
grep -q -E '^evc: reconnecting to .* \(attempt 1\)$' "${RIG_LOGS[evcd-stderr]}" ||
	fail "the daemon did not say that it reconnects: $(tail -n 5 "${RIG_LOGS[evcd-stderr]}")"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping after the daemon reconnected"
evs_wait_connections 1

rig_kill evcd 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
[[ ! -e $ctl ]] || fail "the daemon left its control socket"

# ---- a group that does not allow save-password: one attempt, then the reason
evs_stop
rm -f -- "$EVS_CONTROL"
evs_start
daemon_start evcd3 "${dargs[@]}"
wait_for_exit evcd3 20
[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} without save-password"
grep -q 'it needs an interactive password' "${RIG_LOGS[evcd3-stderr]}" ||
	fail "the daemon did not say that it needs an interactive password: $(cat "${RIG_LOGS[evcd3-stderr]}")"
[[ $(grep -c '^\[1/7\]' "${RIG_LOGS[evcd3]}") == 1 ]] || fail "the daemon tried more than once: $(cat "${RIG_LOGS[evcd3]}")"
evc_tun_gone client
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
