#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hardware client behind a NAT proposes, in network-extension mode, a LAN that holds the
# NAT's public address (203.0.113.2), the address evs sees its IKE and ESP come from. evc
# cannot know that address, so evs must refuse the LAN: a reverse route for it into the
# tunnel would carry the tunnel's own packets (this client's, and every other's behind that
# NAT) into the tunnel. The quick mode is refused with the reason in evs's log, evc ends with
# the gateway's refusal and leaves nothing, no route is added; then a client behind the same
# NAT with a LAN of its own connects and its LAN host reaches the corporate host.
#
# Usage: tests/e2e/nem-path.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-nem-path" "${1:-}"
rig_topology_nat
rig_ns_add lan
rig_veth client lan1 lan lan0
rig_addr client lan1 10.30.0.1/24
rig_addr lan lan0 10.30.0.10/24
rig_default_route lan 10.30.0.1
rig_forwarding client

conf=$(evs_conf_variant evs-nem.conf 's/^ acl 101$/ acl 101\n nem enable/' \
	's/^interface eth0$/interface out0/' '/^ ip address /d')
grep -q '^ nem enable$' "$conf" || fail "internal: no 'nem enable' in $conf"
evs_start "$conf"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
args=(--gateway "$RIG_NAT_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --mode network-extension --no-reconnect)
no_route() {
	[[ -z $(ip -n "$(rig_ns gw)" route show "$1" proto 236) ]]
}
wan=${RIG_NAT_HOME_WAN_ADDR//./\\.}

# ---- the NAT's public address as the LAN: refused by evs in the quick mode
evc_start evc-path client "${args[@]}" --lan "$RIG_NAT_HOME_WAN_ADDR/32" --state-file "$RIG_DIR/evc-path.state"
path_pid=$RIG_LAST_PID
wait_for_log "${RIG_LOGS[evc-path-stderr]}" \
	"the gateway refused the quick mode for $wan/32 \\(INVALID-ID-INFORMATION\\)" 20 \
	"evc saying that the gateway refused its LAN"
wait_for_exit "$path_pid" 10
[[ ${RIG_LAST_STATUS:-x} != 0 ]] || fail "evc exited with status 0 after the gateway refused its LAN"
grep -q "refused quick mode of user $EVC_USER for $wan/255\\.255\\.255\\.255: .*the network holds the address the client's packets come from" "${RIG_LOGS[evs]}" ||
	fail "evs did not log why it refused $RIG_NAT_HOME_WAN_ADDR/32: $(grep -i 'quick mode' "${RIG_LOGS[evs]}")"
no_route "$RIG_NAT_HOME_WAN_ADDR/32" || fail "evs routes $RIG_NAT_HOME_WAN_ADDR, the NAT's address, into a tunnel"
evc_tun_gone client
[[ -z $(compgen -G "$RIG_DIR/evc-path.state*" || true) ]] || fail "evc left a state file after the refusal"
evs_wait_connections 0

# ---- behind the same NAT, a LAN of its own: connected, the LAN reaches the corporate host
evc_start evc client "${args[@]}" --lan 10.30.0.0/24 --state-file "$RIG_DIR/evc.state"
evc_wait_connected evc 20
ping_ok lan "$RIG_CORP_ADDR" 2 || fail "no ping from the LAN host behind the NAT through the tunnel"
rig_kill evc 10
evc_tun_gone client
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
