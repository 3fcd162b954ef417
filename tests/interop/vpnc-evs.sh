#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interop: Debian's vpnc (client namespace) connects to evs (gw namespace)
# with the sample configuration server/evs.conf, gets the pushed policy,
# pings the corporate host through the tunnel (which sees the pool address),
# and evs lists the session in `show crypto session summary`. SIGTERM to vpnc
# makes it send its DELETEs: evs drops to 0 connections. evs must exit 0 and
# no log may hold a sanitizer report.
#
# Both of vpnc's DELETEs (the IPsec SA's, then the ISAKMP SA's) must be taken
# by evs, none of its informationals dropped.
#
# Usage: tests/interop/vpnc-evs.sh [BUILD_DIR] [--natt force-natt|none]
#                                  [--delete-msgids N,N]
#   --natt force-natt  ESP in UDP 4500 although there is no NAT (default)
#   --natt none        no NAT-T at all: raw ESP (IP protocol 50)
#   --delete-msgids    the message IDs (0-255) of vpnc's two DELETEs, which
#                      vpnc draws from one random byte (vpnc_msgid_shim.c)
#   --dpd              evs probes with dead peer detection after 10 s idle
#                      (crypto isakmp keepalive 10 2); vpnc's answer to its
#                      R-U-THERE is awaited before the teardown
# Exit: 0 pass, 1 fail, 77 skipped (not root, vpnc missing).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=vpnc-client.sh
source "$here/vpnc-client.sh"

build=
natt=force-natt
delete_msgids=
dpd=
while [[ $# -gt 0 ]]; do
	case $1 in
	--natt)
		natt=${2:?--natt needs a mode}
		shift
		;;
	--delete-msgids)
		delete_msgids=${2:?--delete-msgids needs a list}
		shift
		;;
	--dpd) dpd=1 ;;
	-*)
		echo "usage: $0 [BUILD_DIR] [--natt force-natt|none] [--delete-msgids N,N] [--dpd]" >&2
		exit 2
		;;
	*) build=$1 ;;
	esac
	shift
done
case $natt in
force-natt | none) ;;
*)
	echo "$0: --natt force-natt or none" >&2
	exit 2
	;;
esac

evcs_init "vpnc-evs-$natt" "$build"
rig_require_cmd "$VPNC_BIN" "$VPNC_SCRIPT"
rig_topology_std
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
rig_counter_add gw esp_raw meta l4proto esp
rig_counter_add gw esp_udp udp dport 4500
if [[ -n $dpd ]]; then
	grep -q '^crypto isakmp keepalive 60 10$' "$EVS_SAMPLE_CONF" ||
		fail "server/evs.conf no longer says 'crypto isakmp keepalive 60 10'; adapt --dpd"
	evs_start "$(evs_conf_variant evs-dpd.conf 's/^crypto isakmp keepalive 60 10$/crypto isakmp keepalive 10 2/')"
else
	evs_start
fi

vpnc_start natt="$natt" delete_msgids="$delete_msgids"
vpnc_wait_up 20
[[ $VPNC_ADDR == "$EVC_POOL_FIRST" ]] || fail "vpnc got address $VPNC_ADDR, expected $EVC_POOL_FIRST"
dns=$(vpnc_env INTERNAL_IP4_DNS)
[[ $dns == "$EVC_DNS" ]] || fail "vpnc got DNS '$dns', expected $EVC_DNS"
domain=$(vpnc_env CISCO_DEF_DOMAIN)
[[ $domain == "$EVC_DOMAIN" ]] || fail "vpnc got default domain '$domain', expected $EVC_DOMAIN"
split="$(vpnc_env CISCO_SPLIT_INC_0_ADDR)/$(vpnc_env CISCO_SPLIT_INC_0_MASKLEN)"
[[ $split == "$RIG_CORP_NET" ]] || fail "vpnc got split include '$split', expected $RIG_CORP_NET"
n_split=$(vpnc_env CISCO_SPLIT_INC)
[[ $n_split == 1 ]] || fail "vpnc got $n_split split-include networks, expected 1"

ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel from vpnc's client to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] ||
	fail "the corporate host saw ${seen:-0} echo requests from $RIG_POOL_NET, expected 3"
raw=$(rig_counter_packets gw esp_raw)
udp=$(rig_counter_packets gw esp_udp)
if [[ $natt == none ]]; then
	[[ ${raw:-0} -ge 3 && ${udp:-0} -eq 0 ]] ||
		fail "with natt=none the gateway got ${raw:-0} raw ESP and ${udp:-0} UDP 4500 packets; expected at least 3 and none"
	grep -q 'tunnel up: .*ESP (IP protocol 50)' "${RIG_LOGS[evs]}" || fail "evs does not report raw ESP (IP protocol 50)"
else
	[[ ${raw:-0} -eq 0 && ${udp:-0} -ge 3 ]] ||
		fail "with force-natt the gateway got ${raw:-0} raw ESP and ${udp:-0} UDP 4500 packets; expected none and at least 3"
	grep -q 'tunnel up: .*ESP in UDP 4500' "${RIG_LOGS[evs]}" || fail "evs does not report ESP in UDP 4500"
fi
rig_note "corporate host saw $seen echo requests from the pool; gateway got $raw raw ESP, $udp UDP 4500 packets"

evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"

if [[ -n $dpd ]]; then
	# 10 s idle, then evs's R-U-THERE; vpnc answers at once
	wait_for_log -p "$EVS_PID" -p "$VPNC_PID" "${RIG_LOGS[evs]}" 'the client answered R-U-THERE' 30 \
		"vpnc to answer evs's dead peer detection"
	rig_note "vpnc answered evs's R-U-THERE"
fi

vpnc_stop
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "vpnc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
[[ -f $VPNC_DIR/disconnect.done ]] || fail "vpnc did not run its disconnect script"
evs_wait_connections 0
evs_expect_summary " Group $EVC_GROUP has 0 connections"
grep -q 'the client closed the connection' "${RIG_LOGS[evs]}" ||
	fail "evs did not log vpnc's DELETE ('the client closed the connection')"
# both DELETEs taken: the IPsec SA's too, whatever their message IDs
grep -q 'deleted by the peer' "${RIG_LOGS[evs]}" ||
	fail "evs did not take vpnc's DELETE of the IPsec SA ('deleted by the peer')"
if grep -E 'INFORMATIONAL message|replayed informational|informational with a wrong HASH' "${RIG_LOGS[evs]}"; then
	fail "evs dropped one of vpnc's informationals (above)"
fi

evs_stop
sanitizer_check
rig_note "PASS"
