#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `firewall are-u-there` in the group: evs wants the client to report a firewall (Unity
# FW_TYPE in its mode-config request) and refuses one that reports none; evc reports one when
# the host's nftables filter the input hook (policy drop, or a rule that drops).
#   1. no ruleset in the client's namespace: evc is refused and says why; evs logs the reason.
#   2. an input chain with policy drop (established traffic and IKE/ESP let in): evc reports
#      it, connects, and the tunnel carries a ping.
# Usage: tests/e2e/firewall.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun, no nft).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-firewall" "${1:-}"
rig_require_cmd nft
rig_topology_std

conf=$(evs_conf_variant evs-ayt.conf '/^ domain quizware.com$/a\ firewall are-u-there')
grep -q '^ firewall are-u-there$' "$conf" || fail "internal: no firewall are-u-there in $conf"
evs_start "$conf"
key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")

# ---- 1. no firewall on the client
[[ -z $(rig_exec client nft list ruleset) ]] || fail "internal: the client namespace has a ruleset"
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state"
wait_for_exit evc 60
[[ ${RIG_LAST_STATUS:-0} != 0 ]] || fail "evc connected without a firewall"
grep -q "the gateway requires a firewall on this host ('firewall are-u-there' in group quizware)" \
	"${RIG_LOGS[evc-stderr]}" || fail "evc did not say why: $(cat "${RIG_LOGS[evc-stderr]}")"
grep -q "user richard of group quizware reported no firewall (Unity FW_TYPE): refused, the group requires one (firewall are-u-there)" \
	"${RIG_LOGS[evs]}" || fail "evs did not log why it refused"
evc_tun_gone client
evs_wait_connections 0

# ---- 2. an nftables input filter that drops what it does not accept
cat >"$RIG_DIR/client.nft" <<'NFT'
table inet evc_test_fw {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif lo accept
		udp dport { 500, 4500 } accept
		meta l4proto esp accept
	}
}
NFT
rig_exec client nft -f "$RIG_DIR/client.nft" || fail "cannot load the client's firewall"
evc_start evc2 client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc2.state"
evc_wait_connected evc2 30
grep -q "user richard of group quizware reports firewall vendor $((0x6e667400)) product 1" \
	"${RIG_LOGS[evs]}" || fail "evs did not log the reported firewall"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel behind the firewall"
rig_kill evc2 10
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
