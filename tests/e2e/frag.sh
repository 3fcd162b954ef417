#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cisco IKE fragmentation between evc and evs on a path that drops IP fragments (an nftables
# rule at the gateway drops every IPv4 fragment). evc runs with --ike-frag-size 300: once
# evs's vendor IDs said it takes IKE fragments, every longer message of evc (its quick mode,
# with all its ESP proposals, is over 500 bytes) goes in pieces of at most 300 bytes; evs puts
# them together, the tunnel comes up and carries a ping, and evs logs no dropped fragment.
#
# Usage: tests/e2e/frag.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-frag" "${1:-}"
rig_topology_std
# ISAKMP datagrams from the client whose next payload (byte 16) is 132, a fragment: on port
# 500 right after the UDP header, on 4500 after the 4-byte non-ESP marker
rig_counter_add gw frag500 udp dport 500 @th,192,8 132
rig_exec gw nft -f - <<-EOF2 || fail "cannot add the fragment counters and drop rule in gw"
	table inet rig_frag {
		counter frag4500 { }
		counter ipfrag { }
		chain input {
			type filter hook input priority -200; policy accept;
			udp dport 4500 @th,224,8 132 counter name "frag4500"
			ip frag-off & 0x3fff != 0 counter name "ipfrag" drop
		}
	}
EOF2
evs_start

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state" \
	--dns off --ike-frag-size 300 -v
evc_wait_connected evc 20
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel"
n500=$(rig_counter_packets gw frag500)
n4500=$(rig_exec gw nft list counter inet rig_frag frag4500 | sed -n -E 's/.*packets ([0-9]+).*/\1/p')
rig_note "IKE fragments from evc reassembled by evs: ${n500:-0} on port 500, ${n4500:-0} on 4500"
((${n500:-0} + ${n4500:-0} >= 2)) ||
	fail "evs got ${n500:-0} + ${n4500:-0} IKE fragments from evc, expected its quick mode in at least 2"
! grep -q 'dropped an IKE fragment' "${RIG_LOGS[evs]}" ||
	fail "evs dropped fragments: $(grep 'dropped an IKE fragment' "${RIG_LOGS[evs]}" | head -n 3)"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"

rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
