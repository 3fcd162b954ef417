#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: evc with hybrid authentication against strongSwan charon (gw
# namespace) as an IKEv1 responder with local auth = pubkey and remote auth =
# xauth, which charon negotiates as HybridInitRSA (64221). The test makes its CA
# and charon's certificate (subjectAltName its address) with openssl in its own
# directory. evc connects with --ca-file, the group and XAUTH only (no
# certificate, no group key), verifies charon's signature, chain and name, gets
# an address of charon's pool and pings the corporate host; on SIGTERM charon
# drops every IKE_SA. Then evc with a CA file that did not issue charon's
# certificate is refused with that reason, before any password goes out.
#
# Usage: tests/interop/evc-charon-hybrid.sh [BUILD_DIR] [--aggressive]
#   --aggressive  aggressive mode (charon with aggressive = yes), as vpnc does
#                 hybrid; default main mode (evc --exchange main)
# Exit: 0 pass, 1 fail, 77 skipped (not root, strongSwan or openssl missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=charon-server.sh
source "$here/charon-server.sh"

build=
aggr=no
for a in "$@"; do
	case $a in
	--aggressive) aggr=yes ;;
	-*)
		echo "usage: $0 [BUILD_DIR] [--aggressive]" >&2
		exit 2
		;;
	*) build=$a ;;
	esac
done

tag=evc-charon-hybrid-mm
[[ $aggr == no ]] || tag=evc-charon-hybrid-am
evcs_init "$tag" "$build"
rig_require_cmd openssl "$CHARON_BIN" "$SWANCTL_BIN"
[[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]] ||
	{ echo "SKIP: strongSwan kernel-libipsec plugin missing (libcharon-extra-plugins)" >&2 && exit 77; }
rig_topology_std

# ---- the PKI, made here: charon's certificate only
pki=$RIG_DIR/pki
mkdir -m 700 "$pki"
mk() { openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -n 3 "$pki/openssl.log")"; }
mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 30 \
	-subj "/O=Quizware/CN=Quizware CA"
mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/other.key" -out "$pki/other.pem" -days 30 \
	-subj "/O=Elsewhere/CN=Other CA"
printf 'subjectAltName=IP:%s\n' "$RIG_GW_ADDR" >"$pki/san.ext"
mk req -newkey rsa:2048 -nodes -keyout "$pki/server.key" -out "$pki/server.csr" \
	-subj "/O=Quizware/CN=vpn.quizware.test"
mk x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
	-out "$pki/server.pem" -days 30 -extfile "$pki/san.ext"

# ---- charon: pubkey here, xauth there
CHARON_DIR=$RIG_DIR/charon
mkdir -p "$CHARON_DIR"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12} ||
	fail "cannot create $CHARON_DIR"
chmod 700 "$CHARON_DIR"
cp "$pki/server.pem" "$CHARON_DIR/swanctl/x509/server.pem"
cp "$pki/server.key" "$CHARON_DIR/swanctl/private/server.key"
cp "$pki/ca.pem" "$CHARON_DIR/swanctl/x509ca/ca.pem"
_charon_render "$CHARON_TEMPLATES/strongswan.conf.in" "$CHARON_DIR/strongswan.conf" \
	"DIR=$CHARON_DIR" "LOGLEVEL=2" "FRAG_SIZE=1280"
_charon_render "$CHARON_TEMPLATES/swanctl-hybrid.conf.in" "$CHARON_DIR/swanctl/swanctl.conf" \
	"ADDR=$RIG_GW_ADDR" "POOL=10.98.0.0/24" "DNS=$EVC_DNS" "LOCAL_TS=$RIG_CORP_NET" \
	"AGGR=$aggr"
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
rig_note "charon ready: hybrid (pubkey + xauth), aggressive = $aggr"

pw=$(evc_secret password "$EVC_PASSWORD")
evc_opts=()
[[ $aggr == yes ]] || evc_opts=(--exchange main)
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --ca-file "$pki/ca.pem" \
	--user "$EVC_USER" --password-file "$pw" --state-file "$RIG_DIR/evc.state" "${evc_opts[@]}"
evc_wait_connected evc 30
charon_wait_child 10
evc_log=${RIG_LOGS[evc]}
rig_note "evc connected: $(grep '^\[3/7\]' "$evc_log")"
grep -q -F "O = Quizware, CN = vpn.quizware.test" "$evc_log" ||
	fail "evc's phase 1 does not name charon's certificate: $(grep '^\[3/7\]' "$evc_log")"
grep -q -E '/HYBRID-RSA' "$evc_log" || fail "evc did not negotiate HYBRID-RSA: $(grep '^\[3/7\]' "$evc_log")"
if [[ $aggr == no ]]; then
	grep -q 'main mode' "$evc_log" || fail "evc did not use main mode: $(grep '^\[3/7\]' "$evc_log")"
fi
grep -q -i 'HYBRID_INIT_RSA\|hybrid' "${RIG_LOGS[charon]}" || fail "charon's log shows no hybrid authentication"
addr=$(rig_addr4 client evc0)
[[ $addr == 10.98.0.* ]] || fail "evc0 has address '$addr', not one of charon's pool"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel to charon's network"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
grep -q 'XAUTH' <<<"$(cat "${RIG_LOGS[charon]}")" || fail "charon's log shows no XAUTH"

rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
charon_wait_no_ike 10
rig_note "hybrid against charon: connected, $seen pings through, disconnected"

# ---- evc's CA file does not hold charon's CA: refused, saying so, no password sent
evc_start evc-wrongca client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" \
	--ca-file "$pki/other.pem" --user "$EVC_USER" --password-file "$pw" \
	--no-reconnect --state-file "$RIG_DIR/evc-wrongca.state" "${evc_opts[@]}"
wait_for_log "${RIG_LOGS[evc-wrongca-stderr]}" "the gateway's certificate is refused: .*not issued by a trusted CA" 30 \
	"evc to refuse charon's certificate"
rig_kill evc-wrongca 10
evc_tun_gone client
grep -q 'asks for username and password' "${RIG_LOGS[evc-wrongca]}" &&
	fail "evc with the wrong CA got as far as XAUTH"
rig_note "evc with another CA file: refused with the reason"
charon_stop
sanitizer_check
