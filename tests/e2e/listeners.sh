#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evs listening on two addresses, a client behind a NAT connecting to the second: IKE and
# ESP in UDP must both come back from that address and port, the only ones the NAT lets
# through to the client (evs used to send all ESP in UDP from its first listener's socket).
#
# Usage: tests/e2e/listeners.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

second=203.0.113.9
evcs_init "e2e-listeners" "${1:-}"
rig_topology_nat
rig_addr gw out0 "$second/24"
# the crypto map's interface without `ip address`: evs listens on both of out0's addresses
conf=$(evs_conf_variant evs.conf 's/^interface eth0$/interface out0/' '/^ ip address /d')
evs_start "$conf"
grep -q -F "$RIG_NAT_GW_ADDR" "${RIG_LOGS[evs]}" && grep -q -F "$second" "${RIG_LOGS[evs]}" ||
	fail "evs does not say it listens on both $RIG_NAT_GW_ADDR and $second"

# what reaches the NAT from evs's port 4500, by source address (before the NAT's lookup, which
# lets only the second through to the client)
rig_exec home nft -f - <<EOF || fail "cannot add the counters in home"
table inet rig_count {
	counter wrong_src { }
	counter right_src { }
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip saddr $RIG_NAT_GW_ADDR udp sport 4500 counter name "wrong_src"
		ip saddr $second udp sport 4500 counter name "right_src"
	}
}
EOF

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$second" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state"
evc_wait_connected evc 20
grep -q "ESP in UDP\|UDP 4500" "${RIG_LOGS[evc]}" || fail "the NAT did not make the tunnel use ESP in UDP"
ping_ok client "$RIG_CORP_ADDR" 3 ||
	fail "no ping through the tunnel: evs's ESP in UDP did not come back from $second:4500"
[[ $(rig_counter_packets home wrong_src) == 0 ]] ||
	fail "evs sent $(rig_counter_packets home wrong_src) datagram(s) from $RIG_NAT_GW_ADDR:4500 to a client of $second"
[[ $(rig_counter_packets home right_src) -ge 3 ]] ||
	fail "fewer than 3 datagrams came from $second:4500"
rig_kill evc 10
evs_wait_connections 0 10
evs_stop
rig_note "PASS: IKE and ESP in UDP from the address the client chose"
