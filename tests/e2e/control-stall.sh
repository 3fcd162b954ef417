#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A control client that connects to evs's control socket and never says a word (or never
# reads) must not hold up evs's event loop (issue 6, item 14). A helper keeps opening such
# silent connections, 20 a second, and holds them; meanwhile evc must connect through evs
# as fast as ever and `evs show` must still be answered. evs before the fix accepted each
# control connection and waited up to 1 s for its command line, so every IKE message waited
# behind a silent client and the handshake took many seconds.
#
# Usage: tests/e2e/control-stall.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

evcs_init "e2e-control-stall" "${1:-}"
rig_require_cmd python3
rig_topology_std
evs_start

# connects without sending, keeps up to 200 connections open, reports how many it made
rig_spawn silent gw python3 -u -c '
import socket, sys, time
path, held, made = sys.argv[1], [], 0
while True:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
        held.append(s)
        made += 1
        print("silent connections:", made)
    except OSError:
        s.close()
    if len(held) > 200:
        held.pop(0).close()
    time.sleep(0.05)
' "$EVS_CONTROL"
SILENT_PID=$RIG_LAST_PID
wait_for_log -p "$SILENT_PID" "$(rig_log silent)" "silent connections: 3$" 10 \
	"three silent control connections"

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
evc_start evc client --gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" \
	--group-key-file "$key" --password-file "$pw" --state-file "$RIG_DIR/evc.state"
# about a second on an idle machine; the blocking control socket made it 6 s or more
evc_wait_connected evc 3
rig_alive "$SILENT_PID" || fail "the silent control client died"
rig_note "evc connected while silent control clients were held open"
evs_show summary | grep -q "$EVC_USER" || fail "evs show does not list $EVC_USER among silent clients"

rig_kill silent 5
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
