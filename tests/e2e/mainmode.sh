#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Main mode with RSA signatures end to end: the test makes its own CA, a server
# certificate naming the gateway's address and a client certificate whose OU
# is the group (quizware), with the openssl command in its own directory; evs
# runs with an `authentication rsa-sig` policy and --cert/--key/--ca-file, evc
# connects with --cert/--key/--ca-file and no group key, a ping crosses the
# tunnel, `evc status` names the group of the OU and `evs show crypto isakmp sa
# detail` says rsig; then the same from a profile with `auth = cert`. Then one
# thing wrong each, every one refused with its reason on both sides: a client
# certificate from another CA, a client whose OU names no group, and evc's CA
# file that does not hold the gateway's CA. Then chains and revocation: evs
# restarts with a certificate issued by an intermediate CA (its --cert file
# holds the intermediate after its own) and trusts only the root, as evc does;
# a client certificate from the same intermediate connects (each side reaches
# the root only through the intermediate the other sent), and with --crl-file
# on both sides a revoked client is refused by evs, and a gateway the client's
# CRL revokes is refused by evc, each naming "revoked". That evs has
# `crypto isakmp fragmentation mtu 576`: none of its IKE datagrams is longer.
#
# Usage: tests/e2e/mainmode.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun, no openssl).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-mainmode" "${1:-}"
rig_require_cmd openssl
rig_topology_std

# ---- the PKI, made here
pki=$RIG_DIR/pki
mkdir -m 700 "$pki"
mk() { openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -n 3 "$pki/openssl.log")"; }
ca() { # ca NAME SUBJECT
	mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.pem" -days 30 -subj "$2"
}
issue() { # issue NAME SUBJECT CA [EXTFILE]
	mk req -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "$2"
	mk x509 -req -in "$pki/$1.csr" -CA "$pki/$3.pem" -CAkey "$pki/$3.key" -CAcreateserial \
		-out "$pki/$1.pem" -days 30 ${4:+-extfile "$4"}
}
ca ca "/O=Quizware/CN=Quizware CA"
ca other "/O=Elsewhere/CN=Other CA"
printf 'subjectAltName=IP:%s\n' "$RIG_GW_ADDR" >"$pki/san.ext"
issue server "/O=Quizware/CN=vpn.quizware.test" ca "$pki/san.ext"
issue client "/O=Quizware/OU=$EVC_GROUP/CN=$EVC_USER" ca
issue stray "/O=Elsewhere/OU=$EVC_GROUP/CN=mallory" other
issue nogroup "/O=Quizware/OU=marketing/CN=bob" ca

# ---- evs with an rsa-sig policy first, before the pre-share ones
conf=$(evs_conf_variant evs-rsa.conf \
	's/^crypto isakmp policy 10$/crypto isakmp policy 5\n encryption aes 256\n hash sha256\n authentication rsa-sig\n group 14\n!\n&/')
grep -q '^ authentication rsa-sig$' "$conf" || fail "internal: no rsa-sig policy in $conf"
EVS_CONTROL=$RIG_DIR/evs.sock
rig_spawn_isolated evs gw "$EVS_BIN" --config "$conf" --control "$EVS_CONTROL" \
	--state-file "$RIG_DIR/evs.state" --cert "$pki/server.pem" --key "$pki/server.key" \
	--ca-file "$pki/ca.pem" -v
EVS_PID=$RIG_LAST_PID
wait_for_udp -p "$EVS_PID" gw 500 10
wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary

pw=$(evc_secret password "$EVC_PASSWORD")
certargs() { # certargs NAME [CA]
	printf '%s\n' --cert "$pki/$1.pem" --key "$pki/$1.key" --ca-file "$pki/${2:-ca}.pem"
}
mapfile -t good < <(certargs client)

# ---- connect, ping, disconnect
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
evc_start evc client --gateway "$RIG_GW_ADDR" "${good[@]}" --user "$EVC_USER" \
	--password-file "$pw" --state-file "$RIG_DIR/evc.state" --control "$RIG_DIR/evc.sock"
evc_wait_connected evc 30
evc_log=${RIG_LOGS[evc]}
grep -q 'main mode' "$evc_log" || fail "evc does not say it used main mode: $(cat "$evc_log")"
grep -q -F "certificate 'O = Quizware, CN = vpn.quizware.test'" "$evc_log" ||
	fail "evc does not name the gateway's certificate"
grep -q -F "authenticated with certificate 'O = Quizware, OU = $EVC_GROUP, CN = $EVC_USER', group $EVC_GROUP" \
	"${RIG_LOGS[evs]}" || fail "evs does not log the client's certificate and the group from its OU"
status=$("$EVC_BIN" status --control "$RIG_DIR/evc.sock") || fail "evc status failed: $status"
grep -q -x -F "group: $EVC_GROUP" <<<"$status" || fail "evc status does not name the group of the certificate's OU: $status"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the main-mode tunnel to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
detail=$("$EVS_BIN" show crypto isakmp sa detail --control "$EVS_CONTROL" 2>&1) ||
	fail "evs show crypto isakmp sa detail failed: $detail"
grep -q ' rsig ' <<<"$detail" || fail "evs does not show the IKE SA as rsig (RSA signature): $detail"
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
rig_note "main mode: connected, $seen pings through, disconnected"

# ---- the same from a profile (auth = cert), without a group or a group key
profiles=$RIG_DIR/profiles
mkdir -m 700 "$profiles"
cat >"$profiles/office.profile" <<EOT || fail "cannot write the profile"
gateway = $RIG_GW_ADDR
username = $EVC_USER
auth = cert
cert = $pki/client.pem
cert_key = $pki/client.key
ca_cert = $pki/ca.pem
EOT
chmod 600 "$profiles/office.profile"
evc_start evc-profile client --profile office --profile-dir "$profiles" --password-file "$pw" \
	--state-file "$RIG_DIR/evc-profile.state"
evc_wait_connected evc-profile 30
grep -q 'main mode' "${RIG_LOGS[evc-profile]}" || fail "the certificate profile did not use main mode"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel of the certificate profile"
rig_kill evc-profile 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc (profile) exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
rig_note "a certificate profile: connected in main mode, disconnected"

# ---- one thing wrong each: evc must end with the reason (no retries to wait for)
evs_name=evs
refused() { # refused NAME WANT_EVC WANT_EVS CERTARGS...
	local name=$1 want_evc=$2 want_evs=$3
	shift 3
	evc_start "$name" client --gateway "$RIG_GW_ADDR" "$@" --user "$EVC_USER" \
		--password-file "$pw" --no-reconnect --state-file "$RIG_DIR/$name.state" \
		--control "$RIG_DIR/$name.sock"
	wait_for_log "${RIG_LOGS[$name-stderr]}" "$want_evc" 40 "$name to say '$want_evc'"
	wait_for_log "${RIG_LOGS[$evs_name]}" "$want_evs" 10 "evs to log '$want_evs'"
	rig_kill "$name" 10
	evc_tun_gone client
	rig_note "$name: refused with '$want_evc'"
}
mapfile -t stray < <(certargs stray)
refused evc-stray 'does not trust our certificate' 'is not issued by a trusted CA' "${stray[@]}"
mapfile -t nogroup < <(certargs nogroup)
refused evc-nogroup 'knows no group named by the OU' "names group 'marketing' \\(its OU\\), which is not configured" \
	"${nogroup[@]}"
mapfile -t wrongca < <(certargs client other)
refused evc-wrongca "the gateway's certificate is refused: the certificate 'O = Quizware, CN = vpn.quizware.test' is not issued by a trusted CA" \
	'the client reported INVALID-CERTIFICATE' "${wrongca[@]}"

# ---- chains: root -> intermediate -> leaf on both sides, and CRLs
evs_stop
mk_ca_ext() { printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$pki/ca.ext"; }
mk_ca_ext
ca root "/O=Quizware/CN=Quizware Root CA"
issue inter "/O=Quizware/CN=Quizware Issuing CA" root "$pki/ca.ext"
issue server2 "/O=Quizware/CN=vpn2.quizware.test" inter "$pki/san.ext"
issue client2 "/O=Quizware/OU=$EVC_GROUP/CN=$EVC_USER" inter
issue revoked "/O=Quizware/OU=$EVC_GROUP/CN=eve" inter
cat "$pki/server2.pem" "$pki/inter.pem" >"$pki/server2-chain.pem"
cat "$pki/client2.pem" "$pki/inter.pem" >"$pki/client2-chain.pem"
cat "$pki/revoked.pem" "$pki/inter.pem" >"$pki/revoked-chain.pem"
crl() { # crl CA OUT [CERT TO REVOKE]...: the CA's CRL after revoking each CERT
	local ca=$1 out=$2
	shift 2
	[[ -e $pki/$ca.idx ]] || {
		: >"$pki/$ca.idx"
		echo 01 >"$pki/$ca.crlnum"
		printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s\ncrlnumber=%s\ndefault_md=sha256\ndefault_crl_days=30\n' \
			"$pki/$ca.idx" "$pki/$ca.crlnum" >"$pki/$ca.cnf"
	}
	for c in "$@"; do
		mk ca -config "$pki/$ca.cnf" -keyfile "$pki/$ca.key" -cert "$pki/$ca.pem" -revoke "$pki/$c.pem"
	done
	mk ca -config "$pki/$ca.cnf" -keyfile "$pki/$ca.key" -cert "$pki/$ca.pem" -gencrl -out "$pki/$out"
}
crl root root.crl
crl inter inter.crl revoked
cat "$pki/root.crl" "$pki/inter.crl" >"$pki/crl-ok.pem"
crl inter inter-srv.crl server2
cat "$pki/root.crl" "$pki/inter-srv.crl" >"$pki/crl-srv.pem"

# evs's fragment size (its `crypto isakmp fragmentation mtu`): no IKE datagram from evs longer
# than 576 bytes reaches the client, though the sixth message with the chain is about 2.4 KB
conf2=$RIG_DIR/evs-chain.conf
sed 's/^crypto isakmp policy 5$/crypto isakmp fragmentation mtu 576\n&/' "$conf" >"$conf2" &&
	chmod 600 "$conf2" || fail "cannot write $conf2"
grep -q '^crypto isakmp fragmentation mtu 576$' "$conf2" || fail "internal: no fragmentation line in $conf2"
rig_counter_add client ike_big udp sport 500 udp length gt 584
rig_counter_add client ike_all udp sport 500
rig_spawn_isolated evs-chain gw "$EVS_BIN" --config "$conf2" --control "$EVS_CONTROL" \
	--state-file "$RIG_DIR/evs-chain.state" --cert "$pki/server2-chain.pem" --key "$pki/server2.key" \
	--ca-file "$pki/root.pem" --crl-file "$pki/crl-ok.pem" -v
EVS_PID=$RIG_LAST_PID
evs_name=evs-chain
wait_for_udp -p "$EVS_PID" gw 500 10
wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary

chainargs() { # chainargs NAME CRL
	printf '%s\n' --cert "$pki/$1-chain.pem" --key "$pki/$1.key" --ca-file "$pki/root.pem" \
		--crl-file "$pki/$2"
}
mapfile -t chain < <(chainargs client2 crl-ok.pem)
evc_start evc-chain client --gateway "$RIG_GW_ADDR" "${chain[@]}" --user "$EVC_USER" \
	--password-file "$pw" --state-file "$RIG_DIR/evc-chain.state" --control "$RIG_DIR/evc-chain.sock"
evc_wait_connected evc-chain 30
grep -q -F "certificate 'O = Quizware, CN = vpn2.quizware.test'" "${RIG_LOGS[evc-chain]}" ||
	fail "evc does not name the gateway's certificate issued by the intermediate"
grep -q -F "authenticated with certificate 'O = Quizware, OU = $EVC_GROUP, CN = $EVC_USER', group $EVC_GROUP" \
	"${RIG_LOGS[evs-chain]}" || fail "evs does not log the client's certificate issued by the intermediate"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel authenticated through intermediates"
rig_kill evc-chain 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc (chain) exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
big=$(rig_counter_packets client ike_big)
all=$(rig_counter_packets client ike_all)
[[ ${big:-x} == 0 && ${all:-0} -ge 4 ]] ||
	fail "evs sent ${big:-?} IKE datagrams longer than its fragmentation mtu of 576 (of ${all:-?})"
rig_note "root -> intermediate -> leaf on both sides, CRLs checked: connected, disconnected"

mapfile -t rev < <(chainargs revoked crl-ok.pem)
refused evc-revoked 'does not trust our certificate' \
	"the client's certificate is refused: the certificate 'O = Quizware, OU = $EVC_GROUP, CN = eve' is revoked" "${rev[@]}"
mapfile -t srvrev < <(chainargs client2 crl-srv.pem)
refused evc-srvrevoked "the gateway's certificate is refused: the certificate 'O = Quizware, CN = vpn2.quizware.test' is revoked" \
	'the client reported INVALID-CERTIFICATE' "${srvrev[@]}"

evs_stop
