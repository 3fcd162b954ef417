#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What a root evc may do, seen from outside.
#
#   caps   evc connects to evs; while connected, /proc/PID/status shows CAP_NET_ADMIN as the
#          only capability (effective, permitted, bounding), no ambient ones, NoNewPrivs 1;
#          the tunnel carries traffic; after SIGTERM the host is exactly as before (no TUN,
#          no route, resolv.conf byte for byte, no state file).
#   trust  evc refuses, by name and before it creates anything, a profile that another user
#          owns or that group/others may write, and a world-writable profile directory;
#          the refused files are left as they were.
#
# Usage: tests/e2e/privileges.sh BUILD_DIR caps|trust    Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

mode=${2:-caps}
evcs_init "e2e-privileges-$mode" "${1:-}"
rig_topology_std
CAP_NET_ADMIN_ONLY=0000000000001000 # bit 12

status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

run_caps() {
	evs_start "$EVS_SAMPLE_CONF"
	local resolv key pw state pid f
	resolv=$(rig_resolv_conf evc)
	printf '# the host resolver (rig)\nnameserver 198.51.100.53\n' >"$resolv"
	cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before"
	key=$(evc_secret group-key "$EVC_GROUP_KEY")
	pw=$(evc_secret password "$EVC_PASSWORD")
	state=$RIG_DIR/evc.state
	evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
		--group-key-file "$key" --password-file "$pw" --state-file "$state" \
		--control "$RIG_DIR/evc.sock"
	pid=$RIG_LAST_PID
	evc_wait_connected evc 20
	for f in CapEff CapPrm CapBnd; do
		[[ $(status_field "$pid" "$f") == "$CAP_NET_ADMIN_ONLY" ]] ||
			fail "connected evc has $f $(status_field "$pid" "$f"), expected $CAP_NET_ADMIN_ONLY (CAP_NET_ADMIN only)"
	done
	[[ $(status_field "$pid" CapAmb) == 0000000000000000 ]] ||
		fail "connected evc has ambient capabilities $(status_field "$pid" CapAmb)"
	[[ $(status_field "$pid" NoNewPrivs) == 1 ]] || fail "connected evc does not have NoNewPrivs set"
	rig_note "connected evc: CapEff $(status_field "$pid" CapEff), CapBnd $(status_field "$pid" CapBnd)"
	ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel of the unprivileged evc"
	status=$("$EVC_BIN" status --control "$RIG_DIR/evc.sock") || fail "evc status failed: $status"
	grep -q -x "state: connected" <<<"$status" || fail "evc status: $status"

	# teardown with CAP_NET_ADMIN alone must still restore everything
	rig_kill evc 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
	[[ ! -s ${RIG_LOGS[evc-stderr]} ]] || fail "evc complained at teardown: $(head -n 5 "${RIG_LOGS[evc-stderr]}")"
	evc_tun_gone client
	cmp -s "$resolv" "$RIG_DIR/resolv.conf.before" ||
		fail "resolv.conf not restored: $(diff "$RIG_DIR/resolv.conf.before" "$resolv")"
	left=$(compgen -G "$state*" || true)
	[[ -z $left ]] || fail "state file(s) left behind: $left"
	[[ ! -e $RIG_DIR/evc.sock ]] || fail "control socket left behind"
	evs_wait_connections 0
	evs_stop
}

# refused NAME WANT ARGS...: evc connect ARGS fails at once and says WANT.
refused() {
	local name=$1 want=$2
	shift 2
	evc_start "$name" client "$@" --group-key-file "$key" --password-file "$pw" \
		--state-file "$RIG_DIR/$name.state"
	wait_for_exit "$name" 10
	[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "$name: evc exited with ${RIG_LAST_STATUS:-?}, expected 1"
	grep -q -F -- "$want" "${RIG_LOGS[$name-stderr]}" ||
		fail "$name: evc did not say '$want': $(cat "${RIG_LOGS[$name-stderr]}")"
	evc_tun_gone client
	[[ ! -e $RIG_DIR/$name.state ]] || fail "$name: evc created a state file before refusing"
}

run_trust() {
	local dir=$RIG_DIR/profiles prof
	key=$(evc_secret group-key "$EVC_GROUP_KEY")
	pw=$(evc_secret password "$EVC_PASSWORD")
	mkdir -m 0755 "$dir"
	prof=$dir/office.profile
	printf 'gateway = %s\ngroup = %s\nusername = %s\n' "$RIG_GW_ADDR" "$EVC_GROUP" "$EVC_USER" >"$prof"
	chmod 0644 "$prof"
	cp -p -- "$prof" "$RIG_DIR/office.before"

	chmod 0666 "$prof"
	refused evc-mode "refusing to use the profile $prof: it is writable by group or others (mode 0666)" \
		--profile office --profile-dir "$dir"
	chmod 0644 "$prof"
	chown 65534:65534 "$prof"
	refused evc-owner "refusing to use the profile $prof: it is owned by uid 65534, not root" \
		--profile office --profile-dir "$dir"
	refused evc-group "refusing to use the profile $prof: it is owned by uid 65534" \
		--group "$EVC_GROUP" --profile-dir "$dir"
	chown 0:0 "$prof"
	chmod 0777 "$dir"
	refused evc-dir "refusing to use the profile directory $dir: it is writable by group or others (mode 0777)" \
		--profile office --profile-dir "$dir"
	chmod 0755 "$dir"
	cmp -s "$prof" "$RIG_DIR/office.before" || fail "the refused profile was changed"
}

if [[ $mode == caps ]]; then
	run_caps
else
	run_trust
fi
sanitizer_check
rig_note "PASS"
