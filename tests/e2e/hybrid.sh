#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hybrid authentication end to end (draft-ietf-ipsec-isakmp-hybrid-auth-05,
# HybridInitRSA): the test makes its own CA and a server certificate naming the
# gateway's address with the openssl command; evs runs with an `authentication
# rsa-sig` policy, --cert/--key/--ca-file and XAUTH users; evc has no
# certificate, only --ca-file, the group name and the group's key, which it
# proves with Cisco's PRESHARED_KEY_HASH notify (evs requires that of a group
# with a key: else any XAUTH user could take any group's policy). It connects
# in aggressive mode, then in main mode (--exchange main), then from a profile
# with `auth = hybrid`; a ping crosses each tunnel and `evs show crypto isakmp sa
# detail` says rsig with the X (XAUTH) capability. Then what must get nothing:
# a wrong XAUTH password (the client is not authenticated by phase 1, so evs
# gives no address and no SA), no group key or a wrong one (evs ends phase 1
# before XAUTH), evc's CA file without the gateway's CA (evc ends
# before any password goes out). (A gateway whose certificate names another
# host is refused the same way: tests/unit/test_hybrid.c, test_wrong_gateway.)
#
# Usage: tests/e2e/hybrid.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun, no openssl).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-hybrid" "${1:-}"
rig_require_cmd openssl
rig_topology_std

# ---- the PKI, made here: the gateway's certificate only
pki=$RIG_DIR/pki
mkdir -m 700 "$pki"
mk() { openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -n 3 "$pki/openssl.log")"; }
ca() { # ca NAME SUBJECT
	mk req -x509 -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.pem" -days 30 -subj "$2"
}
ca ca "/O=Quizware/CN=Quizware CA"
ca other "/O=Elsewhere/CN=Other CA"
printf 'subjectAltName=IP:%s\n' "$RIG_GW_ADDR" >"$pki/san.ext"
mk req -newkey rsa:2048 -nodes -keyout "$pki/server.key" -out "$pki/server.csr" \
	-subj "/O=Quizware/CN=vpn.quizware.test"
mk x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
	-out "$pki/server.pem" -days 30 -extfile "$pki/san.ext"

# ---- evs with an rsa-sig policy first; its crypto map has XAUTH users
conf=$(evs_conf_variant evs-rsa.conf \
	's/^crypto isakmp policy 10$/crypto isakmp policy 5\n encryption aes 256\n hash sha256\n authentication rsa-sig\n group 14\n!\n&/')
grep -q '^ authentication rsa-sig$' "$conf" || fail "internal: no rsa-sig policy in $conf"
grep -q 'client authentication list' "$conf" || fail "internal: no XAUTH users in $conf"
EVS_CONTROL=$RIG_DIR/evs.sock
rig_spawn_isolated evs gw "$EVS_BIN" --config "$conf" --control "$EVS_CONTROL" \
	--state-file "$RIG_DIR/evs.state" --cert "$pki/server.pem" --key "$pki/server.key" \
	--ca-file "$pki/ca.pem" -v
EVS_PID=$RIG_LAST_PID
wait_for_udp -p "$EVS_PID" gw 500 10
wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary

pw=$(evc_secret password "$EVC_PASSWORD")
gk=$(evc_secret group-key "$EVC_GROUP_KEY")
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request

# ---- connect NAME MODE-WORDS [ARGS...]: up, a ping, the logs, down
connect() {
	local name=$1 mode=$2
	shift 2
	evc_start "$name" client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" \
		--ca-file "$pki/ca.pem" --user "$EVC_USER" --password-file "$pw" --group-key-file "$gk" \
		--state-file "$RIG_DIR/$name.state" --control "$RIG_DIR/$name.sock" "$@"
	evc_wait_connected "$name" 30
	local log=${RIG_LOGS[$name]}
	grep -q -F "$mode" "$log" || fail "$name does not say '$mode': $(cat "$log")"
	grep -q -F "O = Quizware, CN = vpn.quizware.test" "$log" ||
		fail "$name does not name the gateway's certificate: $(cat "$log")"
	grep -q 'HYBRID-RSA' "$log" || fail "$name did not negotiate HYBRID-RSA: $(cat "$log")"
	ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the $name tunnel to $RIG_CORP_ADDR"
	local detail
	detail=$("$EVS_BIN" show crypto isakmp sa detail --control "$EVS_CONTROL" 2>&1) ||
		fail "evs show crypto isakmp sa detail failed: $detail"
	grep -q ' rsig ' <<<"$detail" || fail "evs does not show the hybrid IKE SA as rsig: $detail"
	grep -q 'X' <<<"$(grep ' rsig ' <<<"$detail")" || fail "evs does not show XAUTH (X) for it: $detail"
	rig_kill "$name" 10
	[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "$name exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
	evc_tun_gone client
	evs_wait_connections 0
	rig_note "$name: $mode, a ping through, disconnected"
}
connect evc-am "phase 1 established: AES-256/SHA2-256/modp2048/HYBRID-RSA, hybrid, gateway certificate"
grep -q -F "hybrid: not authenticated until XAUTH succeeds" "${RIG_LOGS[evs]}" ||
	grep -q -F "group $EVC_GROUP: chose AES-256/SHA2-256/modp2048/HYBRID-RSA" "${RIG_LOGS[evs]}" ||
	fail "evs does not log the hybrid choice"
connect evc-mm "main mode" --exchange main
grep -q -F "hybrid: not authenticated until XAUTH succeeds" "${RIG_LOGS[evs]}" ||
	fail "evs does not log the main-mode hybrid client as unauthenticated before XAUTH"

# ---- evc proposals: the hybrid ones alone
props=$("$EVC_BIN" proposals --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --ca-file "$pki/ca.pem" \
	--group-key-file "$gk" 2>&1) ||
	fail "evc proposals failed: $props"
grep -q 'aggressive mode, hybrid' <<<"$props" || fail "evc proposals does not say hybrid: $props"
grep -q 'HYBRID-RSA' <<<"$props" || fail "evc proposals lists no HYBRID-RSA proposal: $props"
grep -q -E 'XAUTH-PSK|/PSK$' <<<"$props" && fail "evc proposals offers group-key methods with hybrid: $props"

# ---- a profile with auth = hybrid
profiles=$RIG_DIR/profiles
mkdir -m 700 "$profiles"
cat >"$profiles/office.profile" <<EOT || fail "cannot write the profile"
gateway = $RIG_GW_ADDR
group = $EVC_GROUP
username = $EVC_USER
auth = hybrid
ca_cert = $pki/ca.pem
EOT
chmod 600 "$profiles/office.profile"
evc_start evc-profile client --profile office --profile-dir "$profiles" --password-file "$pw" \
	--group-key-file "$gk" --state-file "$RIG_DIR/evc-profile.state"
evc_wait_connected evc-profile 30
grep -q 'HYBRID-RSA' "${RIG_LOGS[evc-profile]}" || fail "the hybrid profile did not negotiate HYBRID-RSA"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel of the hybrid profile"
rig_kill evc-profile 10
evc_tun_gone client
evs_wait_connections 0
rig_note "a profile with auth = hybrid: connected, disconnected"

# ---- the same profile through the desktop daemon (evc daemon, driven by gui_drive as root):
# the group key given in the connect request, as the window sends it
DRIVE=$(dirname -- "$EVC_BIN")/../tests/e2e/gui_drive
if [[ -x $DRIVE ]]; then
	ctl=$RIG_DIR/daemon.sock
	rig_log evcd-stderr >/dev/null
	# shellcheck disable=SC2016 # expanded by that sh, not here
	rig_spawn_isolated evcd client sh -c 'exec "$@" 2>>"$0"' "${RIG_LOGS[evcd-stderr]}" \
		"$EVC_BIN" daemon --profile-dir "$profiles" --control "$ctl" \
		--state-file "$RIG_DIR/evcd.state"
	evcd=$(rig_pid evcd)
	wait_for_log -p "$evcd" "${RIG_LOGS[evcd-stderr]}" "waiting for connect on $ctl" 10
	rig_log drive >/dev/null
	rig_log drive-stderr >/dev/null
	st=0
	rig_exec client "$DRIVE" "$ctl" connect office --connect-password-file "$pw" --group-key-file "$gk" --disconnect \
		--timeout 20 >"${RIG_LOGS[drive]}" 2>"${RIG_LOGS[drive-stderr]}" || st=$?
	[[ $st == 0 ]] || fail "the daemon did not connect the hybrid profile ($st): $(cat "${RIG_LOGS[drive]}" "${RIG_LOGS[drive-stderr]}")"
	grep -q -x "address: $EVC_POOL_FIRST" "${RIG_LOGS[drive]}" ||
		fail "the daemon's hybrid connection got no address: $(cat "${RIG_LOGS[drive]}")"
	evc_wait_tun_gone client
	evs_wait_connections 0
	rig_kill evcd 10
	rig_note "the hybrid profile through evc daemon: connected with the group key, disconnected"
else
	rig_note "no gui_drive in this build (-DEVC_GUI=OFF): the daemon step is left out"
fi

# ---- what must get nothing
refused() { # refused NAME PWFILE WANT_EVC WANT_EVS ARGS...
	local name=$1 pwf=$2 want_evc=$3 want_evs=$4
	shift 4
	evc_start "$name" client --group "$EVC_GROUP" --user "$EVC_USER" --password-file "$pwf" \
		--no-reconnect --state-file "$RIG_DIR/$name.state" --control "$RIG_DIR/$name.sock" "$@"
	wait_for_log "${RIG_LOGS[$name-stderr]}" "$want_evc" 60 "$name to say '$want_evc'"
	[[ -z $want_evs ]] || wait_for_log "${RIG_LOGS[evs]}" "$want_evs" 10 "evs to log '$want_evs'"
	rig_kill "$name" 10
	evc_tun_gone client
	evs_wait_connections 0
	rig_note "$name: refused with '$want_evc'"
}
# the client is not authenticated by phase 1: three wrong passwords, no address
wrong=$(evc_secret wrong "not-$EVC_PASSWORD")
assigned_before=$(grep -c 'address 10\.98\.' "${RIG_LOGS[evs]}" || true)
refused evc-wrongpw "$wrong" 'the gateway rejected the username or password' \
	"XAUTH for user $EVC_USER of group $EVC_GROUP refused" \
	--gateway "$RIG_GW_ADDR" --ca-file "$pki/ca.pem" --group-key-file "$gk"
assigned_after=$(grep -c 'address 10\.98\.' "${RIG_LOGS[evs]}" || true)
[[ $assigned_after == "$assigned_before" ]] ||
	fail "evs assigned an address to a hybrid client that failed XAUTH"
# a client that does not prove the group's key gets no XAUTH request and nothing else
xauth_before=$(grep -c 'XAUTH' "${RIG_LOGS[evs]}" || true)
wrongkey=$(evc_secret wrong-key "not-$EVC_GROUP_KEY")
# evs ends phase 1 with a plain (unauthenticated) AUTHENTICATION-FAILED, which evc does not
# act on: it would retransmit until its own timeout, so the test stops it once evs has said why
keyless() { # keyless NAME ARGS...
	local name=$1 before
	shift
	before=$(grep -c 'did not prove the group key' "${RIG_LOGS[evs]}" || true)
	evc_start "$name" client --group "$EVC_GROUP" --user "$EVC_USER" --password-file "$pw" \
		--no-reconnect --state-file "$RIG_DIR/$name.state" --control "$RIG_DIR/$name.sock" \
		--gateway "$RIG_GW_ADDR" --ca-file "$pki/ca.pem" "$@"
	wait_for "evs to refuse $name: did not prove the group key of group $EVC_GROUP" 30 \
		bash -c '(( $(grep -c "did not prove the group key of group $2" "$1") > $3 ))' _ \
		"${RIG_LOGS[evs]}" "$EVC_GROUP" "$before"
	rig_kill "$name" 10
	evc_tun_gone client
	evs_wait_connections 0
	rig_note "$name: refused by evs before XAUTH"
}
keyless evc-nokey
keyless evc-wrongkey --group-key-file "$wrongkey"
keyless evc-wrongkey-mm --group-key-file "$wrongkey" --exchange main
xauth_after=$(grep -c 'XAUTH' "${RIG_LOGS[evs]}" || true)
[[ $xauth_after == "$xauth_before" ]] ||
	fail "evs went on to XAUTH with a hybrid client that did not prove the group key"
# no password to a gateway whose certificate evc cannot trust or that is not the one named
xauth_before=$(grep -c 'XAUTH' "${RIG_LOGS[evs]}" || true)
refused evc-wrongca "$pw" 'is not issued by a trusted CA' 'the client reported INVALID-CERTIFICATE' \
	--gateway "$RIG_GW_ADDR" --ca-file "$pki/other.pem" --group-key-file "$gk"
xauth_after=$(grep -c 'XAUTH' "${RIG_LOGS[evs]}" || true)
[[ $xauth_after == "$xauth_before" ]] ||
	fail "evs saw XAUTH from a client that should have stopped at the gateway's certificate"

evs_stop
