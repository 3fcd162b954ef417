#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Main mode with a pre-shared key, evc against evs: evs has
# `crypto isakmp key groupsecret address <evc's address>`, so the group whose
# key is the same (quizware) is the group of evc's XAUTH and mode-config. evc
# connects with --exchange main and the group key, a ping crosses the tunnel,
# the summary counts the user in quizware and `evs show crypto isakmp sa
# detail` says psk. Then evc with another key: both sides end with the reason
# (evc: the gateway's key for its address is not its group key; evs: the
# fifth message does not decrypt).
#
# Usage: tests/e2e/mainmode-psk.sh [BUILD_DIR]
# Exit: 0 pass, 1 fail, 77 skipped (not root, no /dev/net/tun).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-mainmode-psk" "${1:-}"
rig_topology_std

conf=$(evs_conf_variant evs-mm-psk.conf \
	"s/^crypto isakmp keepalive .*/crypto isakmp key $EVC_GROUP_KEY address $RIG_CLIENT_ADDR\n&/")
grep -q "^crypto isakmp key $EVC_GROUP_KEY address $RIG_CLIENT_ADDR\$" "$conf" ||
	fail "internal: no address key in $conf"
evs_start "$conf"

pw=$(evc_secret password "$EVC_PASSWORD")
key=$(evc_secret group-key "$EVC_GROUP_KEY")

# ---- connect, ping, show, disconnect
rig_counter_add corp from_pool ip saddr "$RIG_POOL_NET" icmp type echo-request
evc_start evc client --gateway "$RIG_GW_ADDR" --exchange main --group "$EVC_GROUP" \
	--group-key-file "$key" --user "$EVC_USER" --password-file "$pw" \
	--state-file "$RIG_DIR/evc.state" --control "$RIG_DIR/evc.sock"
evc_wait_connected evc 30
grep -q -F "main mode, pre-shared key" "${RIG_LOGS[evc]}" ||
	fail "evc's phase 1 is not main mode with a pre-shared key: $(cat "${RIG_LOGS[evc]}")"
grep -q -F "$RIG_CLIENT_ADDR authenticated with the pre-shared key of its address, group $EVC_GROUP" \
	"${RIG_LOGS[evs]}" || fail "evs does not log the address key and the group it chose"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the main-mode tunnel to $RIG_CORP_ADDR"
seen=$(rig_counter_packets corp from_pool)
[[ ${seen:-0} -ge 3 ]] || fail "the corporate host saw ${seen:-0} echo requests from the pool, expected 3"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
detail=$("$EVS_BIN" show crypto isakmp sa detail --control "$EVS_CONTROL" 2>&1) ||
	fail "evs show crypto isakmp sa detail failed: $detail"
grep -q ' psk ' <<<"$detail" || fail "evs does not show the IKE SA as psk: $detail"
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with status ${RIG_LAST_STATUS:-unknown} on SIGTERM"
evc_tun_gone client
evs_wait_connections 0
rig_note "main mode with the address key: connected, $seen pings through, disconnected"

# ---- another key: evs cannot read evc's fifth message; both say why
evc_start evc-wrongkey client --gateway "$RIG_GW_ADDR" --exchange main --group "$EVC_GROUP" \
	--group-key-file "$(evc_secret group-key2 not-the-key)" --user "$EVC_USER" \
	--password-file "$pw" --no-reconnect --state-file "$RIG_DIR/evc-wrongkey.state"
wait_for_log "${RIG_LOGS[evc-wrongkey-stderr]}" "is not our group key" 90 \
	"evc to say the gateway's key for its address differs"
wait_for_log "${RIG_LOGS[evs]}" "fifth main-mode message" 10 \
	"evs to log that the fifth message does not decrypt"
rig_kill evc-wrongkey 10
evc_tun_gone client
rig_note "evc with another key: refused with the reason on both sides"

evs_stop
