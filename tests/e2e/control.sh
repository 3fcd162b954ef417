#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Where the desktop daemon's stored secrets may go (client/core/secret_use.h). The daemon's
# store holds the profile office, with its group key and XAUTH password stored; its gateway
# is an address nobody answers on. evs, at another address, stands for a gateway a member
# of the control socket's group chose: it knows the group key (as the whole group does) and
# the user, so a connection that comes up there proves it received the stored password.
#   1. nobody (a member of the socket's group) connects office with a gateway override to
#      evs: refused with the reason, and evs sees no connection at all;
#   2. the same with both secrets in the command: connects (nothing stored was used);
#   3. root connects office with the same override: connects with the stored secrets;
#   4. nobody connects branch, whose own gateway is evs, naming that same gateway: connects
#      with the stored secrets.
#
# Usage: tests/e2e/control.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-control" "${1:-}"
rig_require_cmd setpriv
DRIVE=$(dirname -- "$EVC_BIN")/../tests/e2e/gui_drive
[[ -x $DRIVE ]] || fail "no $DRIVE (configure with -DEVC_GUI=ON)"
NOBODY=65534
if ! getent group nogroup >/dev/null; then
	rig_note "SKIP: no group nogroup on this host"
	exit 77
fi

rig_topology_std
evs_start

dead=198.51.100.99 # on the client's link, but nobody has it
profiles=$RIG_DIR/profiles
import() {
	cat >"$RIG_DIR/$1.conf" <<-CONF
		IPSec gateway $2
		IPSec ID $EVC_GROUP
		IPSec secret $EVC_GROUP_KEY
		Xauth username $EVC_USER
		Xauth password $EVC_PASSWORD
	CONF
	evc_cmd "import-$1" profile import "$RIG_DIR/$1.conf" --name "$1" --profile-dir "$profiles"
	[[ $EVC_CMD_STATUS == 0 ]] || fail "profile $1 did not import: $(cat "${RIG_LOGS[import-$1-stderr]}")"
	grep -q '^password *= *file:' "$profiles/$1.profile" ||
		fail "profile $1 does not store its password: $(cat "$profiles/$1.profile")"
	rm -f -- "$RIG_DIR/$1.conf"
}
import office "$dead"
import branch "$RIG_GW_ADDR"

# the secrets nobody brings in case 2
udir=$(mktemp -d /tmp/evc-control.XXXXXX) || fail "cannot create a directory"
rig_on_cleanup rm -rf -- "$udir"
chmod 0755 "$udir"
printf '%s\n' "$EVC_PASSWORD" >"$udir/pw"
printf '%s\n' "$EVC_GROUP_KEY" >"$udir/key"
chown "$NOBODY:$NOBODY" "$udir/pw" "$udir/key"
chmod 0600 "$udir/pw" "$udir/key"
ctl=$udir/run/daemon.sock

rig_log evcd-stderr >/dev/null
_evcs_wrap evcd
# shellcheck disable=SC2016 # expanded by that sh, not here
rig_spawn_isolated evcd client setsid sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evcd-stderr]}" \
	"${EVCS_WRAP[@]}" "$EVC_BIN" daemon --profile-dir "$profiles" --control "$ctl" \
	--control-group nogroup --state-file "$RIG_DIR/evc.state"
evcd=$(rig_pid evcd)
wait_for_log -p "$evcd" "${RIG_LOGS[evcd-stderr]}" "waiting for connect on $ctl" 10

# drive NAME UID ARGS...: gui_drive as UID (group nogroup), in the client's namespace
drive() {
	local name=$1 uid=$2
	shift 2
	rig_log "$name" >/dev/null
	rig_log "$name-stderr" >/dev/null
	DRIVE_STATUS=0
	rig_exec client setpriv --reuid="$uid" --regid=nogroup --clear-groups -- \
		"$DRIVE" "$ctl" "$@" >"${RIG_LOGS[$name]}" 2>"${RIG_LOGS[$name-stderr]}" || DRIVE_STATUS=$?
	[[ $DRIVE_STATUS -ne $EVCS_SANITIZER_EXIT ]] || fail "gui_drive $* ended with a sanitizer report"
}
connected() {
	[[ $DRIVE_STATUS == 0 ]] ||
		fail "$1 did not connect ($DRIVE_STATUS): $(cat "${RIG_LOGS[$1]}" "${RIG_LOGS[$1-stderr]}")"
	grep -q -x "address: $EVC_POOL_FIRST" "${RIG_LOGS[$1]}" || fail "$1: no address: $(cat "${RIG_LOGS[$1]}")"
	evc_wait_tun_gone client
	evs_wait_connections 0
}

# ---- 1. a member of the group redirects office's stored secrets: refused
drive redirect $NOBODY connect office --gateway "$RIG_GW_ADDR" --disconnect --timeout 20
[[ $DRIVE_STATUS != 0 ]] || fail "a member of the socket's group sent office's stored secrets to $RIG_GW_ADDR, a gateway of its choosing"
grep -q -F "connect refused: profile 'office' keeps its stored group key and password for its own gateways, not for $RIG_GW_ADDR" \
	"${RIG_LOGS[redirect-stderr]}" || fail "no reason for the refusal: $(cat "${RIG_LOGS[redirect]}" "${RIG_LOGS[redirect-stderr]}")"
_evs_has_connections 0 || fail "evs saw a connection of the refused connect: $(evs_show summary)"
! grep -q -F "$EVC_USER" "${RIG_LOGS[evs]}" || fail "evs heard of $EVC_USER from the refused connect: $(grep -F "$EVC_USER" "${RIG_LOGS[evs]}")"
evc_tun_gone client

# ---- 2. the same with both secrets in the command: nothing stored goes
drive own-secrets $NOBODY connect office --gateway "$RIG_GW_ADDR" --group-key-file "$udir/key" \
	--connect-password-file "$udir/pw" --disconnect --timeout 20
connected own-secrets

# ---- 3. root may
drive root 0 connect office --gateway "$RIG_GW_ADDR" --disconnect --timeout 20
connected root

# ---- 4. a profile's own gateway named again is no redirection
drive same-gw $NOBODY connect branch --gateway "$RIG_GW_ADDR" --disconnect --timeout 20
connected same-gw

rig_alive "$evcd" || fail "the daemon ended: $(cat "${RIG_LOGS[evcd-stderr]}")"
rig_kill evcd 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_stop
sanitizer_check
rig_note "PASS"
