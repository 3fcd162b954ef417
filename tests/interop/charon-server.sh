# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# strongSwan charon as an EasyVPN-style IKEv1 responder inside a rig
# namespace. Source after tests/lib/netns.sh and rig_init:
#
#   charon_start [KEY=VALUE]...     start, load the config, wait until ready
#   charon_wait_child [TIMEOUT]     wait for an installed CHILD_SA (ESP)
#   charon_wait_no_ike [TIMEOUT]    wait until no IKE_SA is left
#   charon_swanctl ARGS...          swanctl against this charon's vici socket
#   charon_stop                     SIGTERM by PID, bounded wait
#
# charon_start keys (defaults in brackets):
#   role        rig namespace                      [gw]
#   addr        outside address it answers on      [$RIG_GW_ADDR, 198.51.100.1]
#   group       group name, sent as ID_KEY_ID      [quizware]
#   psk         group pre-shared key               [groupsecret]
#   pool        mode-config address pool           [10.98.0.0/24]
#   dns         pushed DNS server                  [10.99.0.53]
#   local_ts    protected network (split include)  [10.99.0.0/24]
#   ike         IKE proposals (swanctl syntax)     [see CHARON_IKE_PROPOSALS]
#   esp         ESP proposals                      [see CHARON_ESP_PROPOSALS]
#   loglevel    charon filelog level for ike/cfg/chd; 4 logs keys  [2]
#   child_rekey CHILD_SA rekey_time (charon rekeys it itself)  [0s: never]
#   child_life  CHILD_SA life_time (hard limit)                [0s: default]
#   frag        IKE fragmentation: yes, force or no            [yes]
#   frag_size   largest IP packet of an IKE fragment charon sends  [1280]
# XAUTH users: richard / richard-pw-1, natalie / natalie-pw-2.
#
# Isolation: charon runs through rig_spawn_isolated (own mount namespace, a
# tmpfs on /run for its pid file, a private /etc/resolv.conf). It reads only
# the rendered strongswan.conf (STRONGSWAN_CONF), nothing in /etc/strongswan.d,
# and loads no plugin that reads /etc/ipsec.* or edits DNS; swanctl gets
# --file and SWANCTL_DIR in the work dir. The vici socket is
# $CHARON_DIR/charon.vici (a path socket, reachable from any namespace).
# Logs: rig logs "charon" (filelog) and "charon-stderr" (audit level).

# shellcheck source=../lib/netns.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib/netns.sh"

CHARON_BIN=${CHARON_BIN:-/usr/lib/ipsec/charon}
SWANCTL_BIN=${SWANCTL_BIN:-/usr/sbin/swanctl}
CHARON_TEMPLATES=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/charon" && pwd)

# Everything an EasyVPN client may offer: AES-128/256 and 3DES, SHA-1,
# SHA-256 and MD5, MODP 1024/1536/2048. One strongSwan proposal with several
# algorithms per type matches any combination of them. aes256-sha1-modp1024
# (what vpnc picks by default, and the recorded vectors) is preferred.
CHARON_IKE_PROPOSALS=${CHARON_IKE_PROPOSALS:-aes256-sha1-modp1024, aes256-aes128-3des-sha1-sha256-md5-modp1024-modp1536-modp2048}
# Quick mode with and without PFS.
CHARON_ESP_PROPOSALS=${CHARON_ESP_PROPOSALS:-aes256-sha1, aes256-aes128-3des-sha1-sha256-md5, aes256-aes128-3des-sha1-sha256-md5-modp1024-modp1536-modp2048}

CHARON_PID=
CHARON_DIR=

_charon_render() {
	local in=$1 out=$2
	shift 2
	local args=() kv
	for kv in "$@"; do
		# values never contain '|' (addresses, proposals, hex, names)
		args+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
	done
	sed "${args[@]}" "$in" >"$out" || fail "cannot render $out"
	if grep -q '@[A-Z_][A-Z_]*@' "$out"; then
		fail "internal: unfilled placeholder in $out: $(grep -o '@[A-Z_][A-Z_]*@' "$out" | sort -u | tr '\n' ' ')"
	fi
}

charon_start() {
	local role=gw addr=${RIG_GW_ADDR} group=quizware psk=groupsecret
	local pool=10.98.0.0/24 dns=10.99.0.53 local_ts=10.99.0.0/24
	local ike=$CHARON_IKE_PROPOSALS esp=$CHARON_ESP_PROPOSALS loglevel=2
	local child_rekey=0s child_life=0s frag=yes frag_size=1280
	local kv psk_hex out
	for kv in "$@"; do
		case $kv in
		role=* | addr=* | group=* | psk=* | pool=* | dns=* | local_ts=* | ike=* | esp=* | loglevel=* | child_rekey=* | child_life=* | frag=* | frag_size=*)
			local "$kv"
			;;
		*) fail "internal: charon_start: unknown option '$kv'" ;;
		esac
	done
	[[ -z $CHARON_PID ]] || fail "internal: charon already started (pid $CHARON_PID)"
	rig_require_cmd "$CHARON_BIN" "$SWANCTL_BIN"
	[[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]] ||
		{ echo "SKIP: strongSwan kernel-libipsec plugin missing (libcharon-extra-plugins)" >&2 && exit 77; }

	CHARON_DIR=$RIG_DIR/charon
	# swanctl --load-all scans these credential folders and complains when
	# they are missing; they stay empty (PSK/XAUTH only)
	mkdir -p "$CHARON_DIR"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12} ||
		fail "cannot create $CHARON_DIR"
	chmod 700 "$CHARON_DIR"
	# the PSK as hex, so no character of it can break swanctl's syntax
	psk_hex=0x$(printf '%s' "$psk" | od -An -tx1 -v | tr -d ' \n')
	_charon_render "$CHARON_TEMPLATES/strongswan.conf.in" "$CHARON_DIR/strongswan.conf" \
		"DIR=$CHARON_DIR" "LOGLEVEL=$loglevel" "FRAG_SIZE=$frag_size"
	_charon_render "$CHARON_TEMPLATES/swanctl.conf.in" "$CHARON_DIR/swanctl/swanctl.conf" \
		"ADDR=$addr" "GROUP=$group" "PSK_HEX=$psk_hex" "POOL=$pool" "DNS=$dns" \
		"LOCAL_TS=$local_ts" "IKE_PROPOSALS=$ike" "ESP_PROPOSALS=$esp" \
		"CHILD_REKEY=$child_rekey" "CHILD_LIFE=$child_life" "FRAG=$frag"
	rig_log_add charon "$CHARON_DIR/charon.log"
	# private /run (charon.pid) and resolv.conf: tests/lib/isolate.sh
	rig_spawn_isolated charon-stderr "$role" \
		env STRONGSWAN_CONF="$CHARON_DIR/strongswan.conf" "$CHARON_BIN"
	CHARON_PID=$RIG_LAST_PID
	rig_note "charon started in $role (pid $CHARON_PID), answering on $addr"

	wait_for -p "$CHARON_PID" "charon's vici socket" 10 test -S "$CHARON_DIR/charon.vici"
	wait_for -p "$CHARON_PID" "charon answering on vici" 10 charon_swanctl --stats
	out=$(charon_swanctl --load-all --file "$CHARON_DIR/swanctl/swanctl.conf" 2>&1) ||
		fail "swanctl --load-all failed: $out"
	if ! grep -q 'successfully loaded 1 connections, 0 unloaded' <<<"$out" ||
		grep -q -i 'fail' <<<"$out"; then
		fail "swanctl --load-all did not load the configuration: $out"
	fi
	wait_for_udp -p "$CHARON_PID" "$role" 500 5
	wait_for_udp -p "$CHARON_PID" "$role" 4500 5
	rig_note "charon ready: group $group, pool $pool, dns $dns, local_ts $local_ts"
}

# charon_swanctl ARGS...: swanctl talking to this rig's charon.
charon_swanctl() {
	[[ -n $CHARON_DIR ]] || fail "internal: charon not started"
	SWANCTL_DIR=$CHARON_DIR/swanctl STRONGSWAN_CONF=$CHARON_DIR/strongswan.conf \
		"$SWANCTL_BIN" "$@" --uri "unix://$CHARON_DIR/charon.vici"
}

_charon_child_installed() {
	charon_swanctl --list-sas 2>/dev/null | grep -q 'INSTALLED, TUNNEL'
}

# charon_wait_child [TIMEOUT=20]: an ESP SA (CHILD_SA) is installed.
charon_wait_child() {
	wait_for -p "$CHARON_PID" "charon to install a CHILD_SA" "${1:-20}" _charon_child_installed
}

_charon_no_ike() {
	local out
	out=$(charon_swanctl --list-sas 2>/dev/null) || return 1
	! grep -q 'IKEv1' <<<"$out"
}

# charon_wait_no_ike [TIMEOUT=10]: no IKE_SA left (the client said goodbye).
charon_wait_no_ike() {
	wait_for -p "$CHARON_PID" "charon to delete every IKE_SA" "${1:-10}" _charon_no_ike
}

# charon_stop: SIGTERM (charon deletes its SAs and exits), bounded wait.
charon_stop() {
	[[ -n $CHARON_PID ]] || return 0
	rig_kill "$CHARON_PID" 10
	rig_note "charon stopped (status ${RIG_LAST_STATUS:-unknown})"
	CHARON_PID=
}
