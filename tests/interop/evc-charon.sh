#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: evc (client namespace) connects to strongSwan charon set up as an
# EasyVPN-style IKEv1 responder (gw namespace, tests/interop/charon-server.sh:
# aggressive mode, PSK + XAUTH, mode-config, ESP in UDP because charon's
# userspace ESP needs it). evc gets an address of charon's pool, pings the
# corporate host (which sees that address as source), and on SIGTERM sends
# DELETE: charon drops every IKE_SA. evc exits 0 and restores its host
# settings; no log holds a sanitizer report.
#
# Usage: tests/interop/evc-charon.sh [BUILD_DIR] [--dh 2|5|14] [--rekey]
#                                    [--ike PROPOSAL [--esp PROPOSAL]]
#   --dh N   phase-1 DH group evc offers (default 2, modp1024)
#   --ike P  charon accepts only the IKE proposal P (swanctl syntax, e.g.
#            aes128-sha256-modp2048): evc runs without --dh and must find P by
#            itself (its permutations, then the DH group fallback); its phase 1
#            must be P's group
#   --esp P  charon accepts only the ESP proposal P (e.g. aes256gcm16): evc's
#            tunnel must use it
#   --frag   IKE fragmentation both ways: charon sends fragments of at most
#            300-byte packets (fragmentation=force) and evc of 300 bytes
#            (--ike-frag-size): charon's AM2 and evc's quick mode go in
#            fragments (counted by nftables), and the tunnel comes up
#   --rekey  charon rekeys the CHILD_SA itself every 15 s (life 20 s), as Cisco
#            gateways do when their lifetime ends first: evc answers each quick
#            mode charon starts, and a 50 s ping at 0.25 s loses at most 2
# Exit: 0 pass, 1 fail, 77 skipped (not root, strongSwan missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=charon-server.sh
source "$here/charon-server.sh"

build=
dh=2
rekey=no
frag=no
ike=
esp=
while [[ $# -gt 0 ]]; do
	case $1 in
	--rekey) rekey=yes ;;
	--frag) frag=yes ;;
	--dh)
		dh=${2:?--dh needs a group}
		shift
		;;
	--ike)
		ike=${2:?--ike needs a proposal}
		shift
		;;
	--esp)
		esp=${2:?--esp needs a proposal}
		shift
		;;
	-*)
		echo "usage: $0 [BUILD_DIR] [--dh 2|5|14]" >&2
		exit 2
		;;
	*) build=$1 ;;
	esac
	shift
done
case $dh in
auto) ;;
2) modp=modp1024 ;;
5) modp=modp1536 ;;
14) modp=modp2048 ;;
*)
	echo "$0: --dh 2, 5 or 14 (the groups the rig's charon accepts)" >&2
	exit 2
	;;
esac

tag=evc-charon-dh$dh
charon_opts=()
evc_opts=(--dh "$dh")
if [[ -n $ike ]]; then
	# the group is the proposal's last word; evc must get there without --dh
	modp=${ike##*-}
	tag=evc-charon-only-$ike${esp:+-$esp}
	charon_opts=(ike="$ike")
	[[ -z $esp ]] || charon_opts+=(esp="$esp")
	evc_opts=()
fi
if [[ $rekey == yes ]]; then
	tag=evc-charon-rekey
	charon_opts=(child_rekey=15s child_life=20s)
	evc_opts+=(-v) # the rekeys are logged at info level
fi
if [[ $frag == yes ]]; then
	tag=evc-charon-frag
	charon_opts+=(frag=force frag_size=300)
	evc_opts+=(--ike-frag-size 300)
fi
evcs_init "$tag" "$build"
rig_topology_std
if [[ $frag == yes ]]; then
	# ISAKMP datagrams whose next payload (byte 16) is 132, a fragment: on port 500 right
	# after the UDP header, on 4500 after the 4-byte non-ESP marker too
	rig_counter_add client frag_in500 udp sport 500 @th,192,8 132
	rig_counter_add gw frag_in4500 udp dport 4500 @th,224,8 132
fi
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
charon_start "${charon_opts[@]}"

resolv=$(rig_resolv_conf evc)
cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before"
state=$RIG_DIR/evc.state
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$(evc_secret group-key "$EVC_GROUP_KEY")" \
	--password-file "$(evc_secret password "$EVC_PASSWORD")" \
	--state-file "$state" "${evc_opts[@]}"
evc_wait_connected evc 20
charon_wait_child 10
evc_log=${RIG_LOGS[evc]}
rig_note "evc connected: $(grep '^connected: ' "$evc_log")"

grep -q -E "^\[3/7\] phase 1 established: .*/$modp/" "$evc_log" ||
	fail "evc's phase 1 did not use $modp: $(grep '^\[3/7\]' "$evc_log")"
if [[ -n $ike ]]; then
	rig_note "charon accepts only $ike: $(grep -c 'refused DH group' "$evc_log" || true) group(s) refused, then $(grep '^\[3/7\]' "$evc_log")"
fi
if [[ $esp == aes256gcm16 ]]; then
	grep -q '^\[up\] tunnel up: ESP-AES-GCM-256' "$evc_log" ||
		fail "evc's tunnel does not use AES-GCM-256: $(grep '^\[up\]' "$evc_log")"
fi
addr=$(rig_addr4 client evc0)
[[ $addr == 10.98.0.* ]] || fail "evc0 has address '$addr', not one of charon's pool $RIG_POOL_NET"
grep -q -F "connected: address $addr on evc0; routes: $RIG_CORP_NET; DNS: $EVC_DNS" "$evc_log" ||
	fail "evc's 'connected:' line does not show $addr, $RIG_CORP_NET and $EVC_DNS"
[[ -n $(ip -n "$(rig_ns client)" route show "$RIG_CORP_NET" dev evc0) ]] ||
	fail "no route $RIG_CORP_NET dev evc0 in the client"
grep -q -x "nameserver $EVC_DNS" "$resolv" || fail "evc's resolv.conf has no 'nameserver $EVC_DNS': $(cat "$resolv")"
sas=$(charon_swanctl --list-sas 2>&1) || fail "swanctl --list-sas failed: $sas"
grep -q -F "$addr/32" <<<"$sas" || fail "charon's CHILD_SA is not for evc's address $addr: $sas"

ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel from evc to $RIG_CORP_ADDR"
rig_counter_add corp from_evc ip saddr "$addr" icmp type echo-request
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no second ping through the tunnel"
seen=$(rig_counter_packets corp from_pool)
seen_addr=$(rig_counter_packets corp from_evc)
[[ ${seen:-0} -ge 5 && ${seen_addr:-0} -ge 2 ]] ||
	fail "the corporate host saw ${seen:-0} echo requests from $RIG_POOL_NET (${seen_addr:-0} from $addr), expected 5 (2)"
grep -q '^\[up\] .*ESP in UDP 4500' "$evc_log" || fail "evc does not report ESP in UDP 4500 (charon forces UDP encapsulation)"
rig_note "corporate host saw $seen echo requests from $addr"

if [[ $frag == yes ]]; then
	got=$(rig_counter_packets client frag_in500)
	sent=$(rig_counter_packets gw frag_in4500)
	rig_note "IKE fragments: ${got:-0} from charon (port 500) reassembled by evc, ${sent:-0} from evc (port 4500) reassembled by charon"
	((${got:-0} >= 2)) || fail "charon sent ${got:-0} IKE fragments to evc, expected its AM2 in at least 2"
	((${sent:-0} >= 2)) || fail "evc sent ${sent:-0} IKE fragments to charon, expected its quick mode in at least 2"
	! grep -q 'dropped an IKE fragment' "${RIG_LOGS[evc-stderr]}" ||
		fail "evc dropped fragments: $(grep 'dropped an IKE fragment' "${RIG_LOGS[evc-stderr]}" | head -n 3)"
fi

if [[ $rekey == yes ]]; then
	# 50 s of pings across three of charon's rekeys: at most 2 lost
	out=$(rig_exec client ping -n -q -i 0.25 -c 200 -W 1 "$RIG_CORP_ADDR" 2>&1) || true
	rx=$(sed -n -E 's/.* ([0-9]+) received.*/\1/p' <<<"$out")
	[[ -n $rx ]] || fail "cannot read ping's summary: $out"
	rig_note "ping across the rekeys: $rx of 200 answered"
	((200 - rx <= 2)) || fail "$((200 - rx)) of 200 pings lost across charon's rekeys (at most 2 allowed)"
	n=$(grep -c 'new IPsec SA' "${RIG_LOGS[evc-stderr]}" || true)
	((n >= 3)) || fail "evc answered $n quick modes of charon's in 50 s, expected at least 3"
	grep -q -E 'creating rekey job for CHILD_SA|=> REKEYING' "${RIG_LOGS[charon]}" ||
		fail "charon's log shows no rekey of its own"
	! grep -q -E 'warning|error' "${RIG_LOGS[evc-stderr]}" ||
		fail "evc warned during the rekeys: $(grep -E 'warning|error' "${RIG_LOGS[evc-stderr]}" | head -n 5)"
	rig_note "evc answered $n of charon's quick modes"
fi

rig_kill evc 10
status=${RIG_LAST_STATUS:-}
sanitizer_check
[[ ${status:-x} == 0 ]] || fail "evc exited with status ${status:-unknown} on SIGTERM (expected 0)"
grep -q '^disconnected' "$evc_log" || fail "evc did not print 'disconnected'"
# charon's DPD would take 30 s and more: within 10 s only a DELETE does it
charon_wait_no_ike 10
grep -q 'received DELETE for IKE_SA' "${RIG_LOGS[charon]}" || fail "charon logged no DELETE for the IKE_SA from evc"
evc_tun_gone client
cmp -s "$resolv" "$RIG_DIR/resolv.conf.before" ||
	fail "resolv.conf not restored byte for byte: $(diff "$RIG_DIR/resolv.conf.before" "$resolv")"
[[ -z $(compgen -G "$state*") ]] || fail "evc left its state file behind"
[[ $rekey == yes || ! -s ${RIG_LOGS[evc-stderr]} ]] ||
	fail "evc wrote to stderr in a clean run: $(head -n 5 "${RIG_LOGS[evc-stderr]}")"

charon_stop
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "charon exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
sanitizer_check
rig_note "PASS"
