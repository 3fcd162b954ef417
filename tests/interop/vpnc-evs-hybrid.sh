#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: Debian's vpnc with `IKE Authmode hybrid` (client namespace) against
# evs (gw namespace) signing with its certificate. The test makes its CA and
# evs's certificate with the openssl command; evs has an `authentication
# rsa-sig` policy (group 2 and SHA-1, which vpnc offers) and XAUTH users, and
# takes vpnc's HybridInitRSA proposals for it. vpnc checks evs's signature and
# chain against its CA-File, passes XAUTH, gets the pushed policy and pings the
# corporate host; its PRESHARED_KEY_HASH notify, prf(SKEYID, group key) in its
# third message, proves the group's key, which evs requires of a group that has
# one: vpnc's `IPSec secret` is that key. SIGTERM to
# vpnc: its DELETEs end the session. Then vpnc with a wrong XAUTH password:
# phase 1 completes (hybrid does not authenticate the client) but evs gives no
# address and no SA.
#
# vpnc-client.sh's vpnc_start writes `IKE Authmode psk` (vpnc takes the first
# of a repeated line), so the config is written here, with the same wrapper.
#
# Usage: tests/interop/vpnc-evs-hybrid.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, vpnc or openssl missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=vpnc-client.sh
source "$here/vpnc-client.sh"

evcs_init "vpnc-evs-hybrid" "${1:-}"
rig_require_cmd "$VPNC_BIN" "$VPNC_SCRIPT" openssl
rig_topology_std

# ---- the PKI, made here: evs's certificate only
pki=$RIG_DIR/pki
mkdir -m 700 "$pki"
mk() { openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -n 3 "$pki/openssl.log")"; }
mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 30 \
	-subj "/O=Quizware/CN=Quizware CA"
printf 'subjectAltName=IP:%s\n' "$RIG_GW_ADDR" >"$pki/san.ext"
mk req -newkey rsa:2048 -nodes -keyout "$pki/server.key" -out "$pki/server.csr" \
	-subj "/O=Quizware/CN=vpn.quizware.test"
mk x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
	-out "$pki/server.pem" -days 30 -extfile "$pki/san.ext"

# ---- evs: an rsa-sig policy vpnc can take, first
conf=$(evs_conf_variant evs-hybrid.conf \
	's/^crypto isakmp policy 10$/crypto isakmp policy 5\n encryption aes 256\n hash sha\n authentication rsa-sig\n group 2\n!\n&/')
grep -q '^ authentication rsa-sig$' "$conf" || fail "internal: no rsa-sig policy in $conf"
EVS_CONTROL=$RIG_DIR/evs.sock
rig_spawn_isolated evs gw "$EVS_BIN" --config "$conf" --control "$EVS_CONTROL" \
	--state-file "$RIG_DIR/evs.state" --cert "$pki/server.pem" --key "$pki/server.key" \
	--ca-file "$pki/ca.pem" -v
EVS_PID=$RIG_LAST_PID
wait_for_udp -p "$EVS_PID" gw 500 10
wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary

# vpnc_hybrid NAME PASSWORD: vpnc in hybrid mode, as vpnc_start would start it
vpnc_hybrid() {
	local name=$1 password=$2
	# shellcheck disable=SC2034 # VPNC_ROLE and VPNC_ADDR are vpnc_wait_up's (vpnc-client.sh)
	VPNC_DIR=$RIG_DIR/$name VPNC_ROLE=client VPNC_IFNAME=vpnc0 VPNC_ADDR=
	mkdir -m 700 "$VPNC_DIR" || fail "cannot create $VPNC_DIR"
	if ! sed -e "s|@REAL_SCRIPT@|$VPNC_SCRIPT|g" -e "s|@DIR@|$VPNC_DIR|g" \
		"$VPNC_TEMPLATES/vpnc-script-wrapper.in" >"$VPNC_DIR/vpnc-script" ||
		! chmod 700 "$VPNC_DIR/vpnc-script"; then
		fail "cannot write $VPNC_DIR/vpnc-script"
	fi
	(
		umask 077
		cat >"$VPNC_DIR/vpnc.conf" <<-EOF
			IPSec gateway $RIG_GW_ADDR
			IPSec ID $EVC_GROUP
			IPSec secret $EVC_GROUP_KEY
			Xauth username $EVC_USER
			Xauth password $password
			IKE Authmode hybrid
			CA-File $pki/ca.pem
			IKE DH Group dh2
			Perfect Forward Secrecy server
			NAT Traversal Mode force-natt
			Vendor cisco
			Interface name $VPNC_IFNAME
			Interface mode tun
			Script $VPNC_DIR/vpnc-script
			Pidfile $VPNC_DIR/vpnc.pid
			No Detach
			Noninteractive
			Debug 1
		EOF
	) || fail "cannot write $VPNC_DIR/vpnc.conf"
	rig_spawn_isolated "$name" client "$VPNC_BIN" "$VPNC_DIR/vpnc.conf"
	VPNC_PID=$RIG_LAST_PID
	rig_note "vpnc ($name) started in hybrid mode (pid $VPNC_PID)"
}

rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
vpnc_hybrid vpnc "$EVC_PASSWORD"
vpnc_wait_up 20
[[ $VPNC_ADDR == "$EVC_POOL_FIRST" ]] || fail "vpnc got address $VPNC_ADDR, expected $EVC_POOL_FIRST"
grep -q -F "group $EVC_GROUP: chose AES-256/SHA1/modp1024/HYBRID-RSA" "${RIG_LOGS[evs]}" ||
	fail "evs did not choose a hybrid proposal for vpnc: $(grep -i 'chose' "${RIG_LOGS[evs]}")"
grep -q 'hybrid (XAUTH must follow)' "${RIG_LOGS[evs]}" || fail "evs does not log the hybrid phase 1"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through vpnc's hybrid tunnel to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] ||
	fail "the corporate host saw ${seen:-0} echo requests from $RIG_POOL_NET, expected 3"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
vpnc_stop
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "vpnc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evs_wait_connections 0
rig_note "vpnc hybrid: connected, $seen pings through, disconnected"

# ---- a wrong XAUTH password: phase 1 is up, yet no address and no SA
vpnc_hybrid vpnc-wrongpw "not-$EVC_PASSWORD"
wait_for_log -p "$EVS_PID" "${RIG_LOGS[evs]}" "XAUTH for user $EVC_USER of group $EVC_GROUP refused" 30 \
	"evs to refuse vpnc's wrong password"
wait_for_exit "$VPNC_PID" 30
[[ ! -e $VPNC_DIR/connect.done ]] || fail "vpnc with the wrong password ran its connect script"
n=$(grep -c 'tunnel up' "${RIG_LOGS[evs]}" || true)
[[ $n == 1 ]] || fail "evs brought up $n tunnels; only the first vpnc should have one"
evs_wait_connections 0
VPNC_PID=
rig_note "vpnc hybrid with a wrong password: phase 1 only, no address, no SA"

evs_stop
sanitizer_check
rig_note "PASS"
