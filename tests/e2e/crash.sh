#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc dies without a word (SIGKILL) while connected. Then:
#  - its TUN device and the routes through it are gone with the process, but the state file
#    and the rewritten resolv.conf are left, as after a crash;
#  - evs notices through dead peer detection (`crypto isakmp keepalive 10 2` here) and drops
#    the session, its reverse route and its pool address;
#  - the next evc with the same state file first undoes what the dead one left (resolv.conf
#    back), then connects again with the same address, and a clean disconnect leaves the
#    host exactly as it was before the first evc.
#
# Usage: tests/e2e/crash.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-crash" "${1:-}"
rig_topology_std
conf=$(evs_conf_variant evs-dpd.conf 's/^crypto isakmp keepalive 60 10$/crypto isakmp keepalive 10 2/')
grep -q '^crypto isakmp keepalive 10 2$' "$conf" || fail "internal: keepalive not changed in $conf"
evs_start "$conf"

resolv=$(rig_resolv_conf evc)
printf '# the host resolver (rig)\nnameserver 198.51.100.53\n' >"$resolv"
cp -p -- "$resolv" "$RIG_DIR/resolv.conf.before"
key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
state=$RIG_DIR/evc.state
args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --state-file "$state" --dpd 0)

evc_start evc client "${args[@]}"
pid=$RIG_LAST_PID
evc_wait_connected evc 20
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the first tunnel"
[[ -n $(ip -n "$(rig_ns gw)" route show "$EVC_POOL_FIRST" dev evs0) ]] ||
	fail "evs installed no reverse route for $EVC_POOL_FIRST"

# ---- the crash
kill -KILL "$pid"
wait_for_exit evc 10
evc_tun_gone client
[[ -s $state ]] || fail "the killed evc left no state file at $state"
grep -q -x "nameserver $EVC_DNS" "$resolv" || fail "internal: the killed evc had not set DNS"

# ---- the gateway finds out by itself: 10 s idle, 5 probes 2 s apart
evs_wait_connections 0 40
grep -q 'stopped answering dead peer detection' "${RIG_LOGS[evs]}" ||
	fail "evs dropped the session, but not through dead peer detection"
[[ -z $(ip -n "$(rig_ns gw)" route show "$EVC_POOL_FIRST" dev evs0) ]] ||
	fail "evs kept the reverse route for $EVC_POOL_FIRST after dropping the session"

# ---- the next evc cleans up first, then connects with the address given back
# (the same host: its private resolv.conf is the very file the first evc rewrote)
ln -f -- "$resolv" "$(rig_resolv_conf evc2)"
evc_start evc2 client "${args[@]}" --control "$RIG_DIR/evc2.sock"
evc_wait_connected evc2 20
[[ $(rig_addr4 client evc0) == "$EVC_POOL_FIRST" ]] ||
	fail "the reconnected evc got '$(rig_addr4 client evc0)', expected $EVC_POOL_FIRST again"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the second tunnel"
# this one is ended the way a GUI or a script would: on its control socket
answer=$("$EVC_BIN" disconnect --control "$RIG_DIR/evc2.sock") || fail "evc disconnect failed"
[[ $answer == disconnecting ]] || fail "evc disconnect answered '$answer'"
wait_for_exit evc2 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "the second evc exited with ${RIG_LAST_STATUS:-?} after evc disconnect"
evc_tun_gone client
cmp -s "$resolv" "$RIG_DIR/resolv.conf.before" ||
	fail "resolv.conf not back as before the crash: $(diff "$RIG_DIR/resolv.conf.before" "$resolv")"
left=$(compgen -G "$state*" || true)
[[ -z $left ]] || fail "state file(s) left behind: $left"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
