# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034 # VPNC_* are for the sourcing scripts
#
# Debian's vpnc (/usr/sbin/vpnc) as an EasyVPN client inside a rig namespace.
# Source after tests/lib/netns.sh and rig_init:
#
#   vpnc_start [KEY=VALUE]...   write the config, start vpnc (no detach)
#   vpnc_wait_up [TIMEOUT]      wait until the tun is up with the pushed
#                               address and the split route; sets VPNC_ADDR
#   vpnc_env VAR                a variable vpnc passed to its script at
#                               connect (INTERNAL_IP4_ADDRESS, _DNS,
#                               CISCO_SPLIT_INC_0_ADDR, CISCO_BANNER, ...)
#   vpnc_stop                   SIGTERM by PID (vpnc sends DELETEs, runs the
#                               script with reason=disconnect), bounded wait
#
# vpnc_start keys (defaults in brackets):
#   role      rig namespace                    [client]
#   gateway   server address                   [$RIG_GW_ADDR, 198.51.100.1]
#   id        group name (IPSec ID)            [quizware]
#   secret    group PSK                        [groupsecret]
#   user      XAUTH user name                  [richard]
#   password  XAUTH password                   [richard-pw-1]
#   ifname    tun device name                  [vpnc0]
#   dh        IKE DH group (dh2, dh5, dh14...) [dh2]
#   pfs       nopfs, dh2..., server            [server]
#   natt      natt, none, force-natt, cisco-udp [force-natt]
#   debug     vpnc debug level 0/1/2/3/99      [0]  (99 logs secrets)
#   name      instance name (log, work dir)    [vpnc]
#   extra     further config lines, '\n'-separated
#   delete_msgids  the message IDs (0-255, comma-separated) of vpnc's
#             DELETEs at teardown, in order, through the LD_PRELOAD shim
#             vpnc_msgid_shim.c (BUILD/tests/interop/libvpnc_msgid_shim.so,
#             BUILD the one evcs_init found, else $EVC_BUILD_DIR); unset:
#             vpnc's own random ones
#
# Isolation: vpnc runs through rig_spawn_isolated (own mount namespace, a
# tmpfs on /run where the vpnc-script keeps /var/run/vpnc, a private
# /etc/resolv.conf). Its script is a wrapper that
# records the environment vpnc passes (files env.<reason> in the work dir),
# then runs Debian's /usr/share/vpnc-scripts/vpnc-script with the DNS
# variables removed, so no resolv.conf, resolvconf or systemd-resolved of the
# host can be touched whatever the host uses. Addresses, routes and MTU are
# set by the real script, in the client namespace.

# shellcheck source=../lib/netns.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/netns.sh"

VPNC_BIN=${VPNC_BIN:-/usr/sbin/vpnc}
VPNC_SCRIPT=${VPNC_SCRIPT:-/usr/share/vpnc-scripts/vpnc-script}
VPNC_TEMPLATES=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/vpnc" && pwd)

VPNC_PID=
VPNC_DIR=
VPNC_ROLE=
VPNC_IFNAME=
VPNC_ADDR=

vpnc_start() {
	local role=client gateway=${RIG_GW_ADDR} id=quizware secret=groupsecret
	local user=richard password=richard-pw-1 ifname=vpnc0 dh=dh2 pfs=server
	local natt=force-natt debug=0 name=vpnc extra='' delete_msgids='' kv conf shim
	local -a pre=()
	for kv in "$@"; do
		case $kv in
		role=* | gateway=* | id=* | secret=* | user=* | password=* | ifname=* | dh=* | pfs=* | natt=* | debug=* | name=* | extra=* | delete_msgids=*)
			local "$kv"
			;;
		*) fail "internal: vpnc_start: unknown option '$kv'" ;;
		esac
	done
	[[ -z $VPNC_PID ]] || fail "internal: vpnc already started (pid $VPNC_PID)"
	rig_require_cmd "$VPNC_BIN" "$VPNC_SCRIPT"

	VPNC_DIR=$RIG_DIR/$name
	VPNC_ROLE=$role
	VPNC_IFNAME=$ifname
	VPNC_ADDR=
	mkdir -p "$VPNC_DIR" || fail "cannot create $VPNC_DIR"
	chmod 700 "$VPNC_DIR"
	if ! sed -e "s|@REAL_SCRIPT@|$VPNC_SCRIPT|g" -e "s|@DIR@|$VPNC_DIR|g" \
		"$VPNC_TEMPLATES/vpnc-script-wrapper.in" >"$VPNC_DIR/vpnc-script" ||
		! chmod 700 "$VPNC_DIR/vpnc-script"; then
		fail "cannot write $VPNC_DIR/vpnc-script"
	fi
	conf=$VPNC_DIR/vpnc.conf
	(
		umask 077
		# vpnc takes the rest of the line after the keyword, spaces included
		cat >"$conf" <<-EOF
			IPSec gateway $gateway
			IPSec ID $id
			IPSec secret $secret
			Xauth username $user
			Xauth password $password
			IKE Authmode psk
			IKE DH Group $dh
			Perfect Forward Secrecy $pfs
			NAT Traversal Mode $natt
			Vendor cisco
			Interface name $ifname
			Interface mode tun
			Script $VPNC_DIR/vpnc-script
			Pidfile $VPNC_DIR/vpnc.pid
			No Detach
			Noninteractive
			Debug $debug
		EOF
		if [[ -n $extra ]]; then
			printf '%b\n' "$extra" >>"$conf"
		fi
	) || fail "cannot write $conf"

	# private /run (the script's /var/run/vpnc) and resolv.conf:
	# tests/lib/isolate.sh. vpnc reads only the file given, not
	# /etc/vpnc/default.conf.
	if [[ -n $delete_msgids ]]; then
		# the build evcs_init found (EVS_BIN is BUILD/server/evs), else EVC_BUILD_DIR
		if [[ -n ${EVS_BIN:-} ]]; then
			shim=${EVS_BIN%/server/evs}
		else
			shim=${EVC_BUILD_DIR:?delete_msgids needs the build directory in EVC_BUILD_DIR}
		fi
		shim=$shim/tests/interop/libvpnc_msgid_shim.so
		[[ -f $shim ]] || fail "no $shim: build the project first"
		[[ $delete_msgids =~ ^[0-9]+(,[0-9]+)*$ ]] || fail "internal: delete_msgids '$delete_msgids'"
		pre=(env "LD_PRELOAD=$shim" "VPNC_SHIM_DELETE_MSGIDS=$delete_msgids")
	fi
	rig_spawn_isolated "$name" "$role" "${pre[@]}" "$VPNC_BIN" "$conf"
	VPNC_PID=$RIG_LAST_PID
	rig_note "vpnc started in $role (pid $VPNC_PID) -> $gateway as $id/$user"
}

# vpnc_env VAR: value of VAR in the environment vpnc gave its script at
# connect (empty if unset).
vpnc_env() {
	local f=$VPNC_DIR/env.connect
	[[ -f $f ]] || fail "vpnc has not run its connect script yet"
	# shellcheck disable=SC1090 # written by our wrapper with printf %q
	(
		source "$f"
		printf '%s' "${!1:-}"
	)
}

# vpnc_wait_up [TIMEOUT=20]: the connect script ran, the tun is up with the
# pushed address and has the route of the first split-include network.
vpnc_wait_up() {
	local timeout=${1:-20} addr net mask plen
	wait_for -p "$VPNC_PID" "vpnc connect script (tunnel negotiated)" "$timeout" \
		test -f "$VPNC_DIR/connect.done"
	[[ $(<"$VPNC_DIR/connect.done") == 0 ]] ||
		fail "vpnc-script connect failed with status $(<"$VPNC_DIR/connect.done")"
	addr=$(vpnc_env INTERNAL_IP4_ADDRESS)
	[[ -n $addr ]] || fail "vpnc got no INTERNAL_IP4_ADDRESS from the server"
	wait_for_link -p "$VPNC_PID" "$VPNC_ROLE" "$VPNC_IFNAME" 5
	wait_for_addr -p "$VPNC_PID" "$VPNC_ROLE" "$VPNC_IFNAME" "$addr" 5
	net=$(vpnc_env CISCO_SPLIT_INC_0_ADDR)
	if [[ -n $net ]]; then
		mask=$(vpnc_env CISCO_SPLIT_INC_0_MASKLEN)
		plen=${mask:-32}
		wait_for_route -p "$VPNC_PID" "$VPNC_ROLE" 5 "$net/$plen" dev "$VPNC_IFNAME"
	fi
	VPNC_ADDR=$addr
	rig_note "vpnc up: $VPNC_IFNAME $addr, dns $(vpnc_env INTERNAL_IP4_DNS), split ${net:-none}${net:+/$plen}"
}

# vpnc_stop [TIMEOUT=10]: SIGTERM, bounded wait; RIG_LAST_STATUS holds its
# exit status.
vpnc_stop() {
	[[ -n $VPNC_PID ]] || return 0
	rig_kill "$VPNC_PID" "${1:-10}"
	rig_note "vpnc stopped (status ${RIG_LAST_STATUS:-unknown})"
	VPNC_PID=
}
