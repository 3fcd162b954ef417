#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Many clients against one evs, and the max-users edge: N+1 client engines from one load
# generator (tests/bench/evs_load, each its own UDP port, from several source addresses) do
# the whole aggressive mode + XAUTH + mode-config + quick mode against evs, whose group has
# max-users N. Exactly N connect; the last is refused with the reason (max-users), and the N
# stay: when one of them leaves, a new client gets its place at once. A real evc is refused
# with the same reason while the group is full, and connects and reaches the corporate host
# once the load has gone. tests/bench/evs-scale.sh runs the same with N = 5,000.
#
# Usage: tests/e2e/scale.sh [BUILD_DIR [N]]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"
# shellcheck source=../bench/scale-lib.sh
source "$here/../bench/scale-lib.sh"

n=${2:-300}
evcs_init "e2e-scale" "${1:-}"
scale_init
scale_rig "$n"
conf=$(scale_conf evs.conf "$n" "$n")
evs_start "$conf"

scale_load load "$((n + 1))" --per-source 4 --inflight 128 --timeout-s 90 --replace
scale_wait_result load 120
grep -E '^(connected|told) ' "${RIG_LOGS[load]}" >&2
[[ $(scale_field load up) == "$n" ]] || fail "$(scale_field load up) clients connected, not $n"
[[ $(scale_field load refused) == 1 ]] || fail "client $((n + 1)) was not refused"
[[ $(scale_field load failed) == 0 ]] || fail "$(scale_field load failed) client(s) failed"
grep -q -E "^told 1 client\\(s\\): .*group $EVC_GROUP has reached its max-users: $n users are connected" \
	"${RIG_LOGS[load]}" || fail "the refused client was not told the reason (max-users)"
[[ $(scale_field load replaced) == up ]] ||
	fail "after one client left, a new one was $(scale_field load replaced), not connected"
evs_wait_connections "$n" 20

# a real evc, while the group is full: refused with the reason, and nothing else changes
key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state" \
	--no-reconnect
wait_for_exit evc 30
[[ $RIG_LAST_STATUS != 0 ]] || fail "evc connected to a full group"
grep -q "max-users" "${RIG_LOGS[evc-stderr]}" ||
	fail "evc was not told why it was refused (max-users)"
evc_tun_gone client
evs_wait_connections "$n" 5
kill -0 "$(rig_pid load)" 2>/dev/null || fail "the load generator ended early"

# the load leaves with DELETEs; then the group has room again
rig_kill load 30
grep -q -x "closed $n" "${RIG_LOGS[load]}" || fail "the load generator did not close its $n sessions"
evs_wait_connections 0 30
evc_start evc2 client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc2.state"
evc_wait_connected evc2 20
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the tunnel after the load"
rig_kill evc2 10
evs_stop
rig_note "PASS: $n clients, client $((n + 1)) refused with max-users, a leaver's place taken"
