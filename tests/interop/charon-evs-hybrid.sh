#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: strongSwan charon (client namespace) as an IKEv1 initiator with hybrid
# authentication (local auth = xauth, remote auth = pubkey: HybridInitRSA) against evs (gw
# namespace) with an `authentication rsa-sig` policy, --cert/--key/--ca-file and XAUTH users.
# The test makes the CA and evs's certificate with openssl in its own directory; charon has
# no certificate and names the group as its identity (keyid:quizware). It checks evs's
# signature and certificate, answers evs's XAUTH request, pulls its address by mode-config
# and sets up the CHILD_SA; a ping from that address reaches the corporate host; evs shows
# the session under group quizware and user richard; charon's DELETE ends it at evs. Main
# mode, or aggressive mode with --aggressive. charon sends no PRESHARED_KEY_HASH (the
# Cisco proof of the group key), so evs's group quizware has no `key` here: evs then lets
# XAUTH alone decide, with a load-time warning (a group with a key requires that proof).
#
# Usage: tests/interop/charon-evs-hybrid.sh [BUILD_DIR] [--aggressive]
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
tag=charon-evs-hybrid-mm
[[ $aggr == no ]] || tag=charon-evs-hybrid-am
evcs_init "$tag" "$build"
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
issue() { # issue NAME SUBJECT [EXTFILE]
	mk req -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "$2"
	mk x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
		-out "$pki/$1.pem" -days 30 ${3:+-extfile "$3"}
}
printf 'subjectAltName=IP:%s\n' "$RIG_GW_ADDR" >"$pki/san.ext"
issue server "/O=Quizware/CN=vpn.quizware.test" "$pki/san.ext"

# ---- evs: an rsa-sig policy first
conf=$(evs_conf_variant evs-rsa.conf \
	's/^crypto isakmp policy 10$/crypto isakmp policy 5\n encryption aes 256\n hash sha256\n authentication rsa-sig\n group 14\n!\n&/' \
	'/^ key groupsecret$/d')
EVS_CONTROL=$RIG_DIR/evs.sock
rig_spawn_isolated evs gw "$EVS_BIN" --config "$conf" --control "$EVS_CONTROL" \
	--state-file "$RIG_DIR/evs.state" --cert "$pki/server.pem" --key "$pki/server.key" \
	--ca-file "$pki/ca.pem" -v
EVS_PID=$RIG_LAST_PID
wait_for_udp -p "$EVS_PID" gw 500 10
wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary

# ---- charon in the client namespace, initiating
CHARON_DIR=$RIG_DIR/charon
mkdir -p "$CHARON_DIR"/swanctl/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12} ||
	fail "cannot create $CHARON_DIR"
chmod 700 "$CHARON_DIR"
cp "$pki/ca.pem" "$CHARON_DIR/swanctl/x509ca/ca.pem"
_charon_render "$CHARON_TEMPLATES/strongswan.conf.in" "$CHARON_DIR/strongswan.conf" \
	"DIR=$CHARON_DIR" "LOGLEVEL=2" "FRAG_SIZE=1280"
_charon_render "$CHARON_TEMPLATES/swanctl-hybrid-client.conf.in" "$CHARON_DIR/swanctl/swanctl.conf" \
	"GW=$RIG_GW_ADDR" "USER=$EVC_USER" "PASSWORD=$EVC_PASSWORD" "REMOTE_TS=$RIG_CORP_NET" \
	"GROUP=$EVC_GROUP" "AGGR=$aggr"
rig_log_add charon "$CHARON_DIR/charon.log"
rig_spawn_isolated charon-stderr client env STRONGSWAN_CONF="$CHARON_DIR/strongswan.conf" "$CHARON_BIN"
CHARON_PID=$RIG_LAST_PID
wait_for -p "$CHARON_PID" "charon's vici socket" 10 test -S "$CHARON_DIR/charon.vici"
wait_for -p "$CHARON_PID" "charon answering on vici" 10 charon_swanctl --stats
out=$(charon_swanctl --load-all --file "$CHARON_DIR/swanctl/swanctl.conf" 2>&1) ||
	fail "swanctl --load-all failed: $out"
grep -q 'successfully loaded 1 connections, 0 unloaded' <<<"$out" ||
	fail "swanctl --load-all did not load the configuration: $out"
rig_note "charon ready in the client namespace"

rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
out=$(charon_swanctl --initiate --child evs --timeout 30 2>&1) ||
	fail "charon could not set up the connection to evs: $(tail -n 5 <<<"$out")"
charon_wait_child 10
sas=$(charon_swanctl --list-sas 2>&1)
vip=$(sed -n 's/.*local .*\(10\.98\.0\.[0-9]*\).*/\1/p' <<<"$sas" | head -n 1)
[[ -n $vip ]] || fail "charon got no address of evs's pool: $sas"
grep -q 'HYBRID-RSA' "${RIG_LOGS[evs]}" || fail "evs did not choose a hybrid proposal for charon"
grep -q -F "user $EVC_USER of group $EVC_GROUP authenticated" "${RIG_LOGS[evs]}" ||
	fail "evs does not log charon's XAUTH in group $EVC_GROUP"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping from charon's $vip through the tunnel to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
rig_note "charon with hybrid (aggressive = $aggr): address $vip, $seen pings through"

out=$(charon_swanctl --terminate --ike evs --timeout 10 2>&1) || fail "charon could not terminate: $out"
evs_wait_connections 0
charon_stop
evs_stop
