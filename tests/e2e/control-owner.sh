#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Whose connection it is on the desktop daemon (client/daemon_own.c, "Whose connection" in
# docs/control-protocol.md). Two users of the control socket's group, each with a session:
# A connects the profile office (no password stored); the password prompt and the gateway's
# banner go to A alone, while B, subscribed all along, sees the state change and never the
# questions; B's answer with the right password, its attach and its disconnect are refused.
# Then A's window goes away, the tunnel stays, and the same user attaches from a new session
# and disconnects. Then A leaves while asked: root is not asked until it attaches, then
# answers; and when nobody attaches, the prompt is given up after 60 s, no hang.
# tests/e2e/ctl_peers.py drives the clients as their users.
#
# Usage: tests/e2e/control-owner.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-control-owner" "${1:-}"
rig_require_cmd python3
NOBODY=65534
OTHER=64999 # another member of the socket's group, with no passwd entry: SO_PEERCRED is enough
if ! getent group nogroup >/dev/null; then
	rig_note "SKIP: no group nogroup on this host"
	exit 77
fi
GID=$(getent group nogroup | cut -d: -f3)

rig_topology_std
banner_text="Authorised users of quizware only."
conf=$(evs_conf_variant evs-owner.conf "s/^ acl 101\$/ acl 101\n banner #\n$banner_text\n#/")
grep -q -F "$banner_text" "$conf" || fail "internal: no banner in $conf"
evs_start "$conf"

profiles=$RIG_DIR/profiles
cat >"$RIG_DIR/office.conf" <<CONF
IPSec gateway $RIG_GW_ADDR
IPSec ID $EVC_GROUP
IPSec secret $EVC_GROUP_KEY
Xauth username $EVC_USER
CONF
evc_cmd import profile import "$RIG_DIR/office.conf" --name office --profile-dir "$profiles"
[[ $EVC_CMD_STATUS == 0 ]] || fail "the profile did not import: $(cat "${RIG_LOGS[import-stderr]}")"

udir=$(mktemp -d /tmp/evc-owner.XXXXXX) || fail "cannot create a directory"
rig_on_cleanup rm -rf -- "$udir"
chmod 0755 "$udir"
printf '%s\n' "$EVC_PASSWORD" >"$udir/pw"
chmod 0600 "$udir/pw" # read by the driver, as root
ctl=$udir/run/daemon.sock

rig_log evcd-stderr >/dev/null
_evcs_wrap evcd
# shellcheck disable=SC2016 # expanded by that sh, not here
rig_spawn_isolated evcd client setsid sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evcd-stderr]}" \
	"${EVCS_WRAP[@]}" "$EVC_BIN" daemon --profile-dir "$profiles" --control "$ctl" \
	--control-group nogroup --state-file "$RIG_DIR/evc.state"
evcd=$(rig_pid evcd)
wait_for_log -p "$evcd" "${RIG_LOGS[evcd-stderr]}" "waiting for connect on $ctl" 10

rig_log peers >/dev/null
rig_log peers-stderr >/dev/null
st=0
rig_exec client timeout 90 python3 "$here/ctl_peers.py" owner "$ctl" office "$udir/pw" \
	"$NOBODY" "$OTHER" "$GID" >"${RIG_LOGS[peers]}" 2>"${RIG_LOGS[peers-stderr]}" || st=$?
[[ $st == 0 ]] || fail "the owner's questions: $(cat "${RIG_LOGS[peers]}" "${RIG_LOGS[peers-stderr]}")"
grep -q -x PASS "${RIG_LOGS[peers]}" || fail "the driver did not finish: $(cat "${RIG_LOGS[peers]}")"
sed "s/^/  /" "${RIG_LOGS[peers]}" >&2
evc_wait_tun_gone client
evs_wait_connections 0

# ---- the owner leaves while asked
rig_log orphan >/dev/null
rig_log orphan-stderr >/dev/null
st=0
rig_exec client timeout 150 python3 "$here/ctl_peers.py" orphan "$ctl" office "$udir/pw" \
	"$NOBODY" "$GID" >"${RIG_LOGS[orphan]}" 2>"${RIG_LOGS[orphan-stderr]}" || st=$?
[[ $st == 0 ]] || fail "a question without its owner: $(cat "${RIG_LOGS[orphan]}" "${RIG_LOGS[orphan-stderr]}")"
sed "s/^/  /" "${RIG_LOGS[orphan]}" >&2
grep -q "nobody who owns the connection is on the control socket any more: the password prompt is given up" \
	"${RIG_LOGS[evcd-stderr]}" || fail "the daemon did not say why it gave the prompt up: $(cat "${RIG_LOGS[evcd-stderr]}")"
evc_wait_tun_gone client
evs_wait_connections 0

rig_alive "$evcd" || fail "the daemon ended: $(cat "${RIG_LOGS[evcd-stderr]}")"
rig_kill evcd 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_stop
sanitizer_check
rig_note "PASS"
