#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The desktop daemon connects a profile of the user's own, every key of it (client/
# daemon_uprof.c): nobody, a member of the control socket's group, exports a profile of theirs
# with `evc profile export` and sends its lines in the connect command with both secrets, as
# evc-gui does. Its keys are honoured: dh 2 (the first proposal is group 2, not the automatic
# 14), ifname evcu%d and mtu 1320 (the TUN device), dpd. What root may not do for a user is
# refused with the reason and nothing starts: a vpnc-script (would run as root), a
# certificate file (would be read as root), a secret reference (would be read as root).
# The daemon holds only what its future connections take (platform/privs.h): CAP_NET_ADMIN,
# CAP_NET_BIND_SERVICE and CAP_NET_RAW in /proc/PID/status's CapEff, CapPrm and CapBnd, no
# ambient ones, NoNewPrivs; and with them it connects, twice, each with a new TUN device and
# new sockets.
#
# Usage: tests/e2e/control-uprof.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-control-uprof" "${1:-}"
rig_require_cmd python3
NOBODY=65534
if ! getent group nogroup >/dev/null; then
	rig_note "SKIP: no group nogroup on this host"
	exit 77
fi
GID=$(getent group nogroup | cut -d: -f3)

rig_topology_std
evs_start

# the user's own profile, exported as evc-gui sends it (secret references become prompt)
udir=$(mktemp -d /tmp/evc-uprof.XXXXXX) || fail "cannot create a directory"
rig_on_cleanup rm -rf -- "$udir"
chmod 0755 "$udir"
mkdir -m 0700 "$udir/profiles"
cat >"$udir/profiles/mine.profile" <<PROF
gateway = $RIG_GW_ADDR
group = $EVC_GROUP
username = $EVC_USER
group_key = prompt
password = prompt
dh = 2
mtu = 1320
dpd = 20
ifname = evcu%d
PROF
evc_cmd export profile export mine --profile-dir "$udir/profiles"
[[ $EVC_CMD_STATUS == 0 ]] || fail "evc profile export: $(cat "${RIG_LOGS[export-stderr]}")"
cp -- "${RIG_LOGS[export]}" "$udir/lines"
grep -q '^mtu = 1320$' "$udir/lines" || fail "the export has no mtu: $(cat "$udir/lines")"
printf '%s\n' "$EVC_GROUP_KEY" >"$udir/key"
printf '%s\n' "$EVC_PASSWORD" >"$udir/pw"
chmod 0600 "$udir/key" "$udir/pw" # read by the driver, as root, and sent as nobody's
ctl=$udir/run/daemon.sock

rig_log evcd-stderr >/dev/null
_evcs_wrap evcd
# shellcheck disable=SC2016 # expanded by that sh, not here
rig_spawn_isolated evcd client setsid sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evcd-stderr]}" \
	"${EVCS_WRAP[@]}" "$EVC_BIN" daemon --profile-dir "$RIG_DIR/system" --control "$ctl" \
	--control-group nogroup --state-file "$RIG_DIR/evc.state"
evcd=$(rig_pid evcd)
wait_for_log -p "$evcd" "${RIG_LOGS[evcd-stderr]}" "waiting for connect on $ctl" 10

# ---- what the daemon keeps: bits 10 (NET_BIND_SERVICE), 12 (NET_ADMIN), 13 (NET_RAW)
KEPT=0000000000003400
caps() {
	local f v
	for f in CapEff CapPrm CapBnd; do
		v=$(sed -n "s/^$f:[[:space:]]*//p" "/proc/$evcd/status")
		[[ $v == "$KEPT" ]] || fail "$1: the daemon has $f $v, expected $KEPT (NET_ADMIN, NET_BIND_SERVICE, NET_RAW)"
	done
	v=$(sed -n 's/^CapAmb:[[:space:]]*//p' "/proc/$evcd/status")
	[[ $v == 0000000000000000 ]] || fail "$1: the daemon has ambient capabilities $v"
	v=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$evcd/status")
	[[ $v == 1 ]] || fail "$1: the daemon does not have NoNewPrivs set"
}
caps "idle"
rig_note "the idle daemon: CapEff $(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$evcd/status"), NoNewPrivs 1"

# peers NAME LINES EXPECT: ctl_peers.py uprof as nobody
peers() {
	rig_log "$1" >/dev/null
	rig_log "$1-stderr" >/dev/null
	PEERS_STATUS=0
	rig_exec client timeout 60 python3 "$here/ctl_peers.py" uprof "$ctl" "$NOBODY" "$GID" mine \
		"$2" "$udir/key" "$udir/pw" "$3" >"${RIG_LOGS[$1]}" 2>"${RIG_LOGS[$1-stderr]}" ||
		PEERS_STATUS=$?
	[[ $PEERS_STATUS == 0 ]] || fail "$1: $(cat "${RIG_LOGS[$1]}" "${RIG_LOGS[$1-stderr]}")"
	sed "s/^/  $1: /" "${RIG_LOGS[$1]}" >&2
}

# ---- every key honoured
peers own "$udir/lines" connected
has() { grep -q -E "$2" "${RIG_LOGS[$1]}" || fail "$1: no '$2': $(cat "${RIG_LOGS[$1]}")"; }
has own '^interface: evcu0$'
has own '^mtu: 1320$'
has own '^step 2: sent [0-9]+ phase-1 proposals .*DH group 2 modp1024'
! grep -q 'DH group 14' "${RIG_LOGS[own]}" || fail "the profile's dh 2 was not honoured: $(cat "${RIG_LOGS[own]}")"
evc_wait_tun_gone client
evs_wait_connections 0
caps "after a connection"
# and again, with a new device and new sockets, on what it kept
peers again "$udir/lines" connected
has again '^mtu: 1320$'
evc_wait_tun_gone client
evs_wait_connections 0
caps "after two connections"

# ---- what root does not do for a user: refused, nothing starts
refuse() {
	local name=$1 line=$2 want=$3
	{ cat "$udir/lines"; printf '%s\n' "$line"; } >"$udir/lines-$name"
	peers "$name" "$udir/lines-$name" "refused:$want"
}
printf '#!/bin/sh\ntouch %s/ran\n' "$udir" >"$udir/script.sh"
chmod 0755 "$udir/script.sh"
refuse script "script = $udir/script.sh" "your profile's key 'script' names a file"
refuse cert "cert = $udir/key" "your profile's key 'cert' names a file"
grep -q '^group_key = prompt$' "$udir/lines" || fail "the export has no group_key = prompt: $(cat "$udir/lines")"
sed -i 's|^group_key = prompt$|group_key = file:/etc/shadow|' "$udir/lines"
peers secret-ref "$udir/lines" "refused:your profile's key 'group_key' points at a stored secret"
[[ ! -e $udir/ran ]] || fail "the user's vpnc-script ran"
_evs_has_connections 0 || fail "a refused connect reached evs: $(evs_show summary)"

rig_alive "$evcd" || fail "the daemon ended: $(cat "${RIG_LOGS[evcd-stderr]}")"
rig_kill evcd 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the daemon exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_stop
sanitizer_check
rig_note "PASS"
