#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: evc --exchange main against strongSwan charon (gw namespace) as an IKEv1 responder
# that refuses aggressive mode (aggressive = no) and does main mode with a pre-shared key keyed
# by the client's address, then XAUTH (XAUTH-PSK). evc connects with its group key in main
# mode (its identity its address), gets an address of charon's pool and pings the corporate
# host; on SIGTERM charon drops every IKE_SA. Then evc with another group key is refused,
# saying that the gateway's key for its address is not its group key.
#
# Usage: tests/interop/evc-charon-mm-psk.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, strongSwan missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=charon-server.sh
source "$here/charon-server.sh"

build=
for a in "$@"; do
	case $a in
	-*)
		echo "usage: $0 [BUILD_DIR]" >&2
		exit 2
		;;
	*) build=$a ;;
	esac
done

evcs_init evc-charon-mm-psk "$build"
rig_require_cmd "$CHARON_BIN" "$SWANCTL_BIN"
[[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]] ||
	{ echo "SKIP: strongSwan kernel-libipsec plugin missing (libcharon-extra-plugins)" >&2 && exit 77; }
rig_topology_std

# ---- charon: no aggressive mode, main mode with the key of the client's address + XAUTH
CHARON_DIR=$RIG_DIR/charon
mkdir -p "$CHARON_DIR"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12} ||
	fail "cannot create $CHARON_DIR"
chmod 700 "$CHARON_DIR"
psk_hex=0x$(printf '%s' "$EVC_GROUP_KEY" | od -An -tx1 -v | tr -d ' \n')
_charon_render "$CHARON_TEMPLATES/strongswan.conf.in" "$CHARON_DIR/strongswan.conf" \
	"DIR=$CHARON_DIR" "LOGLEVEL=2" "FRAG_SIZE=1280"
_charon_render "$CHARON_TEMPLATES/swanctl-mm-psk.conf.in" "$CHARON_DIR/swanctl/swanctl.conf" \
	"ADDR=$RIG_GW_ADDR" "CLIENT=$RIG_CLIENT_ADDR" "PSK_HEX=$psk_hex" "POOL=10.98.0.0/24" \
	"DNS=$EVC_DNS" "LOCAL_TS=$RIG_CORP_NET"
rig_log_add charon "$CHARON_DIR/charon.log"
rig_spawn_isolated charon-stderr gw env STRONGSWAN_CONF="$CHARON_DIR/strongswan.conf" "$CHARON_BIN"
CHARON_PID=$RIG_LAST_PID
wait_for -p "$CHARON_PID" "charon's vici socket" 10 test -S "$CHARON_DIR/charon.vici"
wait_for -p "$CHARON_PID" "charon answering on vici" 10 charon_swanctl --stats
out=$(charon_swanctl --load-all --file "$CHARON_DIR/swanctl/swanctl.conf" 2>&1) ||
	fail "swanctl --load-all failed: $out"
grep -q 'successfully loaded 1 connections, 0 unloaded' <<<"$out" ||
	fail "swanctl --load-all did not load the configuration: $out"
! grep -q -i 'fail' <<<"$out" || fail "swanctl --load-all: $out"
wait_for_udp -p "$CHARON_PID" gw 500 5
rig_note "charon ready: main mode with a pre-shared key for $RIG_CLIENT_ADDR and XAUTH"

pw=$(evc_secret password "$EVC_PASSWORD")
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
evc_start evc client --gateway "$RIG_GW_ADDR" --exchange main --group "$EVC_GROUP" \
	--user "$EVC_USER" --group-key-file "$(evc_secret group-key "$EVC_GROUP_KEY")" \
	--password-file "$pw" --state-file "$RIG_DIR/evc.state"
evc_wait_connected evc 30
charon_wait_child 10
evc_log=${RIG_LOGS[evc]}
rig_note "evc connected: $(grep '^\[3/7\]' "$evc_log")"
grep -q -F "main mode, pre-shared key" "$evc_log" ||
	fail "evc's phase 1 is not main mode with the group key: $(grep '^\[3/7\]' "$evc_log")"
grep -q -E '/XAUTH-PSK' "$evc_log" || fail "evc did not negotiate XAUTH-PSK: $(grep '^\[3/7\]' "$evc_log")"
addr=$(rig_addr4 client evc0)
[[ $addr == 10.98.0.* ]] || fail "evc0 has address '$addr', not one of charon's pool"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel to charon's network"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
sas=$(charon_swanctl --list-sas 2>&1) || fail "swanctl --list-sas failed: $sas"
grep -q -F "$addr/32" <<<"$sas" || fail "charon's CHILD_SA is not for evc's address $addr: $sas"
grep -q 'XAUTH' "${RIG_LOGS[charon]}" || fail "charon's log shows no XAUTH"

rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
charon_wait_no_ike 10
rig_note "main mode with a pre-shared key against charon: connected, $seen pings through, disconnected"

# ---- another group key: charon cannot read evc's fifth message; evc says why
evc_start evc-wrongkey client --gateway "$RIG_GW_ADDR" --exchange main --group "$EVC_GROUP" \
	--user "$EVC_USER" --group-key-file "$(evc_secret group-key2 not-the-key)" \
	--password-file "$pw" --no-reconnect --state-file "$RIG_DIR/evc-wrongkey.state"
wait_for_log "${RIG_LOGS[evc-wrongkey-stderr]}" "is not our group key" 60 \
	"evc to say the gateway's key for its address differs"
rig_kill evc-wrongkey 10
evc_tun_gone client
rig_note "evc with another group key: refused with the reason"
charon_stop
sanitizer_check
