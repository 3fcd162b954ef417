#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job, on one machine: installs what is needed, builds, starts the bundled evs in a
# network namespace ("gw", 198.51.100.1, configured with server/evs.conf), imports a Cisco
# .pcf profile for the group and runs
#   evc connect --group quizware
# in another namespace ("client", 198.51.100.2); then pings the corporate host 10.99.0.10 behind the
# gateway through the tunnel, shows `evs show crypto session summary`, and disconnects.
# Everything it creates lives in namespaces that are removed at the end.
#
# Usage: scripts/demo.sh [--hold]
#   --hold  keep the tunnel up and open a shell in the client namespace (exit it to finish)
set -euo pipefail
top=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
hold=no
case "${1:-}" in
--hold) hold=yes ;;
'') ;;
*)
	echo "usage: $0 [--hold]" >&2
	exit 2
	;;
esac
if [[ $(id -u) -ne 0 ]]; then
	echo "demo: run as root (network namespaces and TUN devices need it)" >&2
	exit 1
fi

"$top/scripts/install-deps.sh" </dev/null
echo "== build"
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)" --target evc evs
evc=$top/build/client/evc
evs=$top/build/server/evs

# shellcheck source=../tests/lib/netns.sh
source "$top/tests/lib/netns.sh"
rig_init demo
rig_topology_std

echo
echo "== evs in namespace gw (198.51.100.1), configured with server/evs.conf"
# the configuration holds the group key and the users' passwords: a 0600 copy
install -m 600 "$top/server/evs.conf" "$RIG_DIR/evs.conf"
rig_spawn evs gw "$evs" --config "$RIG_DIR/evs.conf" --control "$RIG_DIR/evs.sock" \
	--state-file "$RIG_DIR/evs.state"
evs_pid=$RIG_LAST_PID
wait_for -p "$evs_pid" "evs control socket" 10 test -S "$RIG_DIR/evs.sock"

# The user's side: a Cisco VPN Client profile (.pcf, UTF-16 with CRLF as the Cisco client
# writes it) for the sample configuration's group, imported into an evc profile whose group
# key goes to a 0600 secrets file; the password comes from a 0600 file as well. evc reads
# secrets from files, a keyring or a prompt, never from its command line.
umask 077
profiles=$RIG_DIR/profiles
printf '[main]\r\nDescription=quizware (demo)\r\nHost=198.51.100.1\r\nAuthType=1\r\nGroupName=quizware\r\nGroupPwd=groupsecret\r\nUsername=richard\r\nEnableNat=1\r\n' |
	iconv -f UTF-8 -t UTF-16 >"$RIG_DIR/quizware.pcf"
echo richard-pw-1 >"$RIG_DIR/richard.pw"

echo
echo "== evc profile import quizware.pcf"
"$evc" profile import "$RIG_DIR/quizware.pcf" --profile-dir "$profiles"
"$evc" profile show quizware --profile-dir "$profiles"

echo
echo "== evc connect --group quizware (namespace client)"
rig_spawn_isolated evc client "$evc" connect --group quizware --profile-dir "$profiles" \
	--password-file "$RIG_DIR/richard.pw"
evc_pid=$RIG_LAST_PID
wait_for_log -p "$evc_pid" "$(rig_log evc)" '^connected:' 30 "evc connected"
cat "$(rig_log evc)"

echo
echo "== ping the corporate host 10.99.0.10 through the tunnel"
rig_exec client ping -c 3 -W 2 10.99.0.10

echo
echo "== evs show crypto session summary"
"$evs" show crypto session summary --control "$RIG_DIR/evs.sock"

if [[ $hold == yes ]]; then
	echo
	echo "== shell in the client namespace; 'exit' disconnects and cleans up"
	ip netns exec "$(rig_ns client)" "${SHELL:-/bin/bash}" -i || true
fi

echo
echo "== disconnect (SIGTERM to evc: DELETEs to the gateway, host settings restored)"
rig_kill evc
tail -n 2 "$(rig_log evc)"
wait_for -p "$evs_pid" "evs to drop the session" 10 \
	bash -c "'$evs' show crypto session summary --control '$RIG_DIR/evs.sock' | grep -q 'has 0 connections'"
"$evs" show crypto session summary --control "$RIG_DIR/evs.sock"
rig_teardown
echo "demo finished"
