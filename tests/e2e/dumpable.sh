#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evs holds group keys, user passwords and IKE keys in memory: it must not be dumpable
# (security issue, item 13: prctl(PR_SET_DUMPABLE, 0) first thing in main), so no core file
# and no ptrace or /proc/PID/mem by a process of the same user.
#
# The kernel shows a process's dumpable flag in the owner of its /proc/PID files: the
# process's user when dumpable, root when not. evs normally runs as root, where both look
# the same, so here it runs as nobody with just the capabilities it needs (setpriv, ambient
# capabilities), which leaves it dumpable unless it clears the flag itself.
#
# Usage: tests/e2e/dumpable.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-dumpable" "${1:-}"
rig_require_cmd setpriv
rig_topology_std
nobody=65534
caps=+net_admin,+net_bind_service,+net_raw,+dac_override
EVS_CONTROL=$RIG_DIR/evs.sock
rig_spawn_isolated evs gw setpriv --reuid=$nobody --regid=$nobody --clear-groups \
	--inh-caps=$caps --ambient-caps=$caps -- \
	"$EVS_BIN" --config "$EVS_SAMPLE_CONF" --control "$EVS_CONTROL" \
	--state-file "$RIG_DIR/evs.state" -v
EVS_PID=$RIG_LAST_PID
wait_for_udp -p "$EVS_PID" gw 500 10
wait_for -p "$EVS_PID" "evs answering on its control socket" 10 evs_show summary

uid=$(awk '/^Uid:/ { print $3 }' "/proc/$EVS_PID/status")
[[ $uid == "$nobody" ]] || fail "internal: evs (pid $EVS_PID) runs with effective uid $uid, not $nobody"
owner=$(stat -c %u "/proc/$EVS_PID/status")
[[ $owner == 0 ]] ||
	fail "evs is dumpable: /proc/$EVS_PID/status belongs to uid $owner (its own user), not root"
rig_note "evs runs as uid $uid and is not dumpable"

# and it still serves a client
key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state"
evc_wait_connected evc 20
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
