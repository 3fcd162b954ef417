#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# INITIAL-CONTACT: evc dies without a word (SIGKILL) while connected, with DPD so slow
# (`crypto isakmp keepalive 3600 10`) that evs would keep the dead session for an hour, and the
# group allows one login per user (`max-logins 1`). A new evc of the same user from the same
# host connects at once: its INITIAL-CONTACT (sent on a fresh connect) makes evs end the stale
# session as soon as the new password verified, not refuse the login; `evs show crypto
# session` shows one connection, the new tunnel carries traffic, and the stale session's
# reverse route is gone with it.
#
# Usage: tests/e2e/initial-contact.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-initial-contact" "${1:-}"
rig_topology_std
conf=$(evs_conf_variant evs-ic.conf 's/^crypto isakmp keepalive 60 10$/crypto isakmp keepalive 3600 10/' \
	's/^ acl 101$/&\n max-logins 1/')
grep -q -x ' max-logins 1' "$conf" || fail "internal: no max-logins in $conf"
evs_start "$conf"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
state=$RIG_DIR/evc.state
args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --state-file "$state" --dns off --dpd 0 -v)

evc_start evc client "${args[@]}"
pid=$RIG_LAST_PID
evc_wait_connected evc 20
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the first tunnel"
evs_wait_connections 1

# ---- the crash: evs is not told
kill -KILL "$pid"
wait_for_exit evc 10
evc_tun_gone client
evs_wait_connections 1 1

# ---- a new evc, same user, same host: let in at once, the stale session ended
t0=$(rig_elapsed)
evc_start evc2 client "${args[@]}" --control "$RIG_DIR/evc2.sock"
evc_wait_connected evc2 20
took=$(awk "BEGIN { print $(rig_elapsed) - $t0 }")
grep -q 'INITIAL-CONTACT from user richard of group quizware: its older session' "${RIG_LOGS[evs]}" ||
	fail "evs did not end the stale session on INITIAL-CONTACT"
! grep -q 'max-logins' "${RIG_LOGS[evs]}" || fail "evs refused the new login: $(grep max-logins "${RIG_LOGS[evs]}")"
evs_expect_summary " Group $EVC_GROUP has 1 connections
  User (Logins)
  $EVC_USER (1)"
ping_ok client "$RIG_CORP_ADDR" 2 || fail "no ping through the second tunnel"
rig_note "the second evc was connected ${took}s after it started, the stale session ended"

rig_kill evc2 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc2 exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
