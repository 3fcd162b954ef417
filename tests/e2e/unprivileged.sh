#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc without root (security issue, item 16), seen from outside.
#
#   ambient  evc started as nobody (uid 65534) by setpriv with CAP_NET_ADMIN as its only
#            (ambient) capability, as a systemd unit with User= and AmbientCapabilities=
#            starts it: ESP in UDP (--natt force) from a local port above 1023 needs no other
#            capability. First, what must be refused is: a missing capability is named
#            (CAP_NET_ADMIN, CAP_NET_BIND_SERVICE for port 500, CAP_NET_RAW for raw ESP)
#            before anything is created; a state directory other users may write is refused
#            as it is for root, and so is root's /etc/resolv.conf, which nobody cannot replace. Then it connects with its state file, control socket
#            and resolver file in a directory nobody owns; while connected /proc/PID/status
#            shows Uid 65534, CapEff and CapPrm CAP_NET_ADMIN only, no ambient capabilities,
#            NoNewPrivs 1; the tunnel carries a ping; after SIGTERM the host is exactly as
#            before (no TUN, no route, the resolver file byte for byte, no state file, no
#            socket).
#   run-as   root starts `evc connect --run-as nobody`: once the TUN device and the sockets
#            are open, evc itself runs as uid 65534 with CAP_NET_ADMIN only, and a helper
#            process that stayed uid 0 (CAP_NET_ADMIN only too) keeps root's state file and
#            /etc/resolv.conf; the same checks while connected and after SIGTERM, plus: the
#            helper is gone afterwards. Then evc is killed with SIGKILL while connected: the
#            helper alone restores the host and exits.
#
# Usage: tests/e2e/unprivileged.sh BUILD_DIR ambient|run-as    Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

mode=${2:-ambient}
evcs_init "e2e-unprivileged-$mode" "${1:-}"
rig_require_cmd setpriv
rig_topology_std
NOBODY=65534
CAP_NET_ADMIN_ONLY=0000000000001000 # bit 12

status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

# expect_creds PID UID WHAT: effective uid UID, CAP_NET_ADMIN only (effective and permitted),
# no ambient capabilities, no_new_privs.
expect_creds() {
	local pid=$1 uid=$2 what=$3 f got
	got=$(status_field "$pid" Uid | awk '{ print $2 }')
	[[ $got == "$uid" ]] || fail "$what runs with effective uid $got, expected $uid ($(status_field "$pid" Uid))"
	for f in CapEff CapPrm; do
		got=$(status_field "$pid" "$f")
		[[ $got == "$CAP_NET_ADMIN_ONLY" ]] ||
			fail "$what has $f $got, expected $CAP_NET_ADMIN_ONLY (CAP_NET_ADMIN only)"
	done
	[[ $(status_field "$pid" CapAmb) == 0000000000000000 ]] ||
		fail "$what has ambient capabilities $(status_field "$pid" CapAmb)"
	[[ $(status_field "$pid" NoNewPrivs) == 1 ]] || fail "$what does not have NoNewPrivs set"
	rig_note "$what: Uid $(status_field "$pid" Uid), CapEff $(status_field "$pid" CapEff), CapBnd $(status_field "$pid" CapBnd)"
}

# start_as_nobody NAME CAPS ARGS...: `evc connect ARGS...` as uid/gid 65534 without
# supplementary groups, with CAPS (e.g. +net_admin,+net_raw; "" for none) as its inheritable,
# ambient and bounding capabilities, as evc_start otherwise (own mount namespace, no
# terminal, logs NAME and NAME-stderr). Not under valgrind: its log would belong to root.
# In that mount namespace only, /dev/net/tun is a node every user may open (crw-rw-rw-, as
# udev creates it on Debian); some test hosts have it 0600, which no capability but
# CAP_DAC_OVERRIDE gets past.
start_as_nobody() {
	local name=$1 caps=$2 capargs devdir
	shift 2
	if [[ -n $caps ]]; then
		capargs=(--inh-caps="-all,$caps" --ambient-caps="$caps" --bounding-set="-all,$caps")
	else
		capargs=(--inh-caps=-all --bounding-set=-all)
	fi
	devdir=$RIG_DIR/$name.dev
	mkdir -p -- "$devdir"
	rig_log "$name-stderr" >/dev/null
	# shellcheck disable=SC2016 # expanded by those sh, not here
	rig_spawn_isolated "$name" client sh -c 'mount -n -t tmpfs -o mode=0755 evc-dev "$1" &&
		mknod -m 0666 "$1/tun" c 10 200 && mount -n --bind "$1/tun" /dev/net/tun &&
		shift && exec "$@"' sh "$devdir" \
		setsid sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[$name-stderr]}" \
		setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "${capargs[@]}" -- \
		"$EVC_BIN" connect "$@"
}

# refused NAME CAPS WANT ARGS...: evc as nobody with CAPS fails at once, says WANT, creates
# no TUN device and no state file.
refused() {
	local name=$1 caps=$2 want=$3
	shift 3
	start_as_nobody "$name" "$caps" "$@" --state-file "$udir/$name.state" \
		--control "$udir/$name.sock"
	wait_for_exit "$name" 10
	[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "$name: evc exited with ${RIG_LAST_STATUS:-?}, expected 1"
	grep -q -F -- "$want" "${RIG_LOGS[$name-stderr]}" ||
		fail "$name: evc did not say '$want': $(cat "${RIG_LOGS[$name-stderr]}")"
	evc_tun_gone client
	[[ ! -e $udir/$name.state ]] || fail "$name: evc created a state file before refusing"
	rig_note "$name refused: $(head -n 1 "${RIG_LOGS[$name-stderr]}")"
}

# host_restored NAME STATE SOCKET RESOLV BEFORE: after evc NAME ended, nothing of it is left;
# RESOLV is byte for byte BEFORE again.
host_restored() {
	local name=$1 state=$2 sock=$3 resolv=$4 before=$5 left
	evc_tun_gone client
	cmp -s "$resolv" "$before" || fail "$name: resolver file not restored: $(diff "$before" "$resolv")"
	left=$(compgen -G "$state*" || true)
	[[ -z $left ]] || fail "$name: state file(s) left behind: $left"
	[[ ! -e $sock ]] || fail "$name: control socket $sock left behind"
}

# connected_checks NAME SOCKET: the tunnel carries traffic and evc status answers.
connected_checks() {
	local out
	ping_ok client "$RIG_CORP_ADDR" 3 || fail "$1: no ping through the tunnel"
	out=$("$EVC_BIN" status --control "$2") || fail "$1: evc status failed: $out"
	grep -q -x "state: connected" <<<"$out" || fail "$1: evc status: $out"
}

run_ambient() {
	local resolv state sock pid
	udir=$(mktemp -d /tmp/evc-unprivileged.XXXXXX) || fail "cannot create a directory for nobody"
	rig_on_cleanup rm -rf -- "$udir"
	resolv=$udir/resolv.conf
	printf '# the resolver file of uid %s\nnameserver 198.51.100.53\n' "$NOBODY" >"$resolv"
	key=$udir/group-key
	pw=$udir/password
	printf '%s\n' "$EVC_GROUP_KEY" >"$key"
	printf '%s\n' "$EVC_PASSWORD" >"$pw"
	chmod 0600 "$key" "$pw"
	chmod 0644 "$resolv"
	chown -R $NOBODY:$NOBODY "$udir"
	chmod 0700 "$udir"
	cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before"
	local base=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER"
		--group-key-file "$key" --password-file "$pw" --resolv-conf "$resolv")

	# each missing capability by name, before anything is created
	refused evc-noadmin "" "CAP_NET_ADMIN" "${base[@]}" --natt force --local-port 10500
	refused evc-nobind +net_admin "CAP_NET_BIND_SERVICE" "${base[@]}" --natt force
	refused evc-noraw +net_admin "CAP_NET_RAW" "${base[@]}" --local-port 10500
	# a state directory that others may write is refused for nobody as it is for root
	chmod 0770 "$udir"
	refused evc-trust +net_admin "writable by group or others (mode 0770)" "${base[@]}" \
		--natt force --local-port 10500
	chmod 0700 "$udir"
	# root's resolver file is not nobody's to replace
	refused evc-resolv +net_admin "cannot replace the resolver file /etc/resolv.conf, which belongs to uid 0" \
		--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
		--group-key-file "$key" --password-file "$pw" --dns replace-symlink \
		--natt force --local-port 10500

	evs_start "$EVS_SAMPLE_CONF"
	state=$udir/evc.state
	sock=$udir/evc.sock
	start_as_nobody evc +net_admin "${base[@]}" --natt force --local-port 10500 \
		--state-file "$state" --control "$sock"
	pid=$RIG_LAST_PID
	evc_wait_connected evc 20
	expect_creds "$pid" "$NOBODY" "connected evc"
	connected_checks evc "$sock"
	grep -q "^nameserver $EVC_DNS\$" "$resolv" || fail "evc did not write the pushed DNS server into $resolv"

	rig_kill evc 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
	[[ ! -s ${RIG_LOGS[evc-stderr]} ]] || fail "evc complained: $(head -n 5 "${RIG_LOGS[evc-stderr]}")"
	host_restored evc "$state" "$sock" "$resolv" "$RIG_DIR/resolv.conf.before"
	evs_wait_connections 0
	evs_stop
}

# the helper: the one child of evc
helper_of() {
	local kids
	kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || true
	read -r -a kids <<<"$kids"
	[[ ${#kids[@]} -eq 1 ]] || fail "evc (pid $1) has ${#kids[@]} child processes, expected its one helper"
	printf '%s' "${kids[0]}"
}

run_run_as() {
	local resolv state sock pid helper
	evs_start "$EVS_SAMPLE_CONF"
	resolv=$(rig_resolv_conf evc)
	printf '# the host resolver (rig)\nnameserver 198.51.100.53\n' >"$resolv"
	cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before"
	key=$(evc_secret group-key "$EVC_GROUP_KEY")
	pw=$(evc_secret password "$EVC_PASSWORD")
	state=$RIG_DIR/evc.state
	sock=$RIG_DIR/evc.sock
	local args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER"
		--group-key-file "$key" --password-file "$pw" --state-file "$state" --control "$sock"
		--run-as nobody)

	evc_start evc client "${args[@]}"
	pid=$RIG_LAST_PID
	evc_wait_connected evc 20
	expect_creds "$pid" "$NOBODY" "connected evc --run-as nobody"
	helper=$(helper_of "$pid")
	expect_creds "$helper" 0 "its helper"
	connected_checks evc "$sock"
	grep -q "^nameserver $EVC_DNS\$" "$resolv" || fail "evc did not write the pushed DNS server"

	rig_kill evc 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
	[[ ! -s ${RIG_LOGS[evc-stderr]} ]] || fail "evc complained: $(head -n 5 "${RIG_LOGS[evc-stderr]}")"
	[[ ! -e /proc/$helper ]] || fail "the helper (pid $helper) outlived evc"
	host_restored evc "$state" "$sock" "$resolv" "$RIG_DIR/resolv.conf.before"
	evs_wait_connections 0

	# evc killed outright: its helper notices and restores the host alone
	resolv=$(rig_resolv_conf evc-killed)
	cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before-killed"
	evc_start evc-killed client "${args[@]}"
	pid=$RIG_LAST_PID
	evc_wait_connected evc-killed 20
	helper=$(helper_of "$pid")
	grep -q "^nameserver $EVC_DNS\$" "$resolv" || fail "evc-killed did not write the pushed DNS server"
	kill -KILL "$pid"
	wait_for_exit evc-killed 10
	wait_for "the helper (pid $helper) to restore the host and exit" 10 test ! -e "/proc/$helper"
	host_restored evc-killed "$state" "$sock" "$resolv" "$RIG_DIR/resolv.conf.before-killed"
	evs_stop
}

if [[ $mode == ambient ]]; then
	run_ambient
else
	run_run_as
fi
sanitizer_check
rig_note "PASS"
