#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: evc in main mode with RSA signatures against strongSwan charon (gw
# namespace) as an IKEv1 main-mode responder with pubkey + XAUTH (65005). The
# test makes its root CA, an intermediate, and from it charon's certificate
# (subjectAltName its address) and evc's (OU quizware) with openssl in its own
# directory; evc trusts the root alone, so it reaches charon's certificate only
# through the intermediate charon sends, and sends its own after its certificate. evc connects with
# --cert/--key/--ca-file and no group key, verifies charon's chain and name,
# gets an address of charon's pool and pings the corporate host; on SIGTERM
# charon drops every IKE_SA. Then evc with a CA file that did not issue
# charon's certificate is refused with that reason.
#
# Usage: tests/interop/evc-charon-mm.sh [BUILD_DIR] [--frag]
#   --frag  charon sends fragments of 300-byte packets (fragmentation=force)
#           and evc of 300 bytes: the certificate messages go in fragments
# Exit: 0 pass, 1 fail, 77 skipped (not root, strongSwan or openssl missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=charon-server.sh
source "$here/charon-server.sh"

build=
frag=no
for a in "$@"; do
	case $a in
	--frag) frag=yes ;;
	-*)
		echo "usage: $0 [BUILD_DIR] [--frag]" >&2
		exit 2
		;;
	*) build=$a ;;
	esac
done

tag=evc-charon-mm
[[ $frag == no ]] || tag=evc-charon-mm-frag
evcs_init "$tag" "$build"
[[ $frag == yes ]] || frag=
rig_require_cmd openssl "$CHARON_BIN" "$SWANCTL_BIN"
[[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]] ||
	{ echo "SKIP: strongSwan kernel-libipsec plugin missing (libcharon-extra-plugins)" >&2 && exit 77; }
rig_topology_std

# ---- the PKI, made here
pki=$RIG_DIR/pki
mkdir -m 700 "$pki"
mk() { openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -n 3 "$pki/openssl.log")"; }
mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 30 \
	-subj "/O=Quizware/CN=Quizware CA"
mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/other.key" -out "$pki/other.pem" -days 30 \
	-subj "/O=Elsewhere/CN=Other CA"
issue() { # issue NAME SUBJECT [EXTFILE [CA]]
	mk req -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "$2"
	mk x509 -req -in "$pki/$1.csr" -CA "$pki/${4:-inter}.pem" -CAkey "$pki/${4:-inter}.key" \
		-CAcreateserial -out "$pki/$1.pem" -days 30 ${3:+-extfile "$3"}
}
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$pki/ca.ext"
issue inter "/O=Quizware/CN=Quizware Issuing CA" "$pki/ca.ext" ca
printf 'subjectAltName=IP:%s\n' "$RIG_GW_ADDR" >"$pki/san.ext"
issue server "/O=Quizware/CN=vpn.quizware.test" "$pki/san.ext"
issue client "/O=Quizware/OU=$EVC_GROUP/CN=$EVC_USER"
# evc's --cert holds its intermediate after its own; its --ca-file is the root alone
cat "$pki/client.pem" "$pki/inter.pem" >"$pki/client-chain.pem"

# ---- charon: main mode, pubkey + XAUTH
CHARON_DIR=$RIG_DIR/charon
mkdir -p "$CHARON_DIR"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12} ||
	fail "cannot create $CHARON_DIR"
chmod 700 "$CHARON_DIR"
cp "$pki/server.pem" "$CHARON_DIR/swanctl/x509/server.pem"
cp "$pki/server.key" "$CHARON_DIR/swanctl/private/server.key"
cp "$pki/ca.pem" "$CHARON_DIR/swanctl/x509ca/ca.pem"
# charon sends the intermediates it holds after its own certificate
cp "$pki/inter.pem" "$CHARON_DIR/swanctl/x509ca/inter.pem"
frag_mode=yes frag_size=1280
[[ -z $frag ]] || frag_mode=force frag_size=300
_charon_render "$CHARON_TEMPLATES/strongswan.conf.in" "$CHARON_DIR/strongswan.conf" \
	"DIR=$CHARON_DIR" "LOGLEVEL=2" "FRAG_SIZE=$frag_size"
_charon_render "$CHARON_TEMPLATES/swanctl-mm.conf.in" "$CHARON_DIR/swanctl/swanctl.conf" \
	"ADDR=$RIG_GW_ADDR" "POOL=10.98.0.0/24" "DNS=$EVC_DNS" "LOCAL_TS=$RIG_CORP_NET" \
	"CLIENT_ID=O=Quizware, OU=$EVC_GROUP, CN=$EVC_USER" "FRAG=$frag_mode"
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
rig_note "charon ready: main mode with certificates and XAUTH"

pw=$(evc_secret password "$EVC_PASSWORD")
evc_opts=()
[[ -z $frag ]] || evc_opts=(--ike-frag-size 300)
if [[ -n $frag ]]; then
	rig_counter_add client frag_in500 udp sport 500 @th,192,8 132
	rig_counter_add client frag_in4500 udp sport 4500 @th,224,8 132
fi
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
evc_start evc client --gateway "$RIG_GW_ADDR" --cert "$pki/client-chain.pem" --key "$pki/client.key" \
	--ca-file "$pki/ca.pem" --user "$EVC_USER" --password-file "$pw" \
	--state-file "$RIG_DIR/evc.state" "${evc_opts[@]}"
evc_wait_connected evc 30
charon_wait_child 10
evc_log=${RIG_LOGS[evc]}
rig_note "evc connected: $(grep '^\[3/7\]' "$evc_log")"
grep -q -F "main mode, certificate 'O = Quizware, CN = vpn.quizware.test'" "$evc_log" ||
	fail "evc's phase 1 is not main mode with charon's certificate: $(grep '^\[3/7\]' "$evc_log")"
grep -q -E '/XAUTH-RSA' "$evc_log" || fail "evc did not negotiate XAUTH-RSA: $(grep '^\[3/7\]' "$evc_log")"
addr=$(rig_addr4 client evc0)
[[ $addr == 10.98.0.* ]] || fail "evc0 has address '$addr', not one of charon's pool"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel to charon's network"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
if [[ -n $frag ]]; then
	n=$(($(rig_counter_packets client frag_in500) + $(rig_counter_packets client frag_in4500)))
	[[ $n -gt 1 ]] || fail "charon sent no IKE fragments to evc (counted $n)"
	rig_note "charon sent $n IKE fragments"
fi
sas=$(charon_swanctl --list-sas 2>&1) || fail "swanctl --list-sas failed: $sas"
grep -q -F "$addr/32" <<<"$sas" || fail "charon's CHILD_SA is not for evc's address $addr: $sas"
grep -q 'XAUTH' <<<"$(cat "${RIG_LOGS[charon]}")" || fail "charon's log shows no XAUTH"

rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
charon_wait_no_ike 10
rig_note "main mode against charon: connected, $seen pings through, disconnected"

# ---- evc's CA file does not hold charon's CA: refused, saying so
evc_start evc-wrongca client --gateway "$RIG_GW_ADDR" --cert "$pki/client.pem" \
	--key "$pki/client.key" --ca-file "$pki/other.pem" --user "$EVC_USER" --password-file "$pw" \
	--no-reconnect --state-file "$RIG_DIR/evc-wrongca.state"
wait_for_log "${RIG_LOGS[evc-wrongca-stderr]}" "the gateway's certificate is refused: .*not issued by a trusted CA" 30 \
	"evc to refuse charon's certificate"
rig_kill evc-wrongca 10
evc_tun_gone client
rig_note "evc with another CA file: refused with the reason"
charon_stop
sanitizer_check
