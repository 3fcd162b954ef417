#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `evc connect --script PATH` with Debian's own vpnc-script (package vpnc-scripts), unchanged:
# evc connects to evs, the script (not evc) puts the assigned address on the TUN device, the
# split-include route through it and the pushed DNS server and domain into resolv.conf; a ping
# crosses the tunnel. On SIGTERM evc runs the script with reason=disconnect: the route and the
# address are gone and resolv.conf is what it was. A script that others may write is refused
# before anything is sent. A wrapper records each call before it hands over to Debian's
# script: pre-init comes first and finds no TUN device yet (as with vpnc and OpenConnect,
# where pre-init prepares /dev/net/tun), then connect with TUNDEV, then disconnect.
#
# Usage: tests/e2e/script.sh [BUILD_DIR]     Exit: 0 pass, 1 fail, 77 skipped.
set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

script=/usr/share/vpnc-scripts/vpnc-script
evcs_init "e2e-script" "${1:-}"
if [[ ! -x $script ]]; then
	echo "SKIP: $script is not installed (Debian package vpnc-scripts)"
	exit 77
fi
rig_topology_std
ping_fails client "$RIG_CORP_ADDR" || fail "client reaches $RIG_CORP_ADDR without a tunnel: the rig leaks"
evs_start

key=$(evc_secret group-key "$EVC_GROUP_KEY")
pw=$(evc_secret password "$EVC_PASSWORD")
resolv=$(rig_resolv_conf evc)
printf '# the host resolver (rig)\nnameserver 198.51.100.53\n' >"$resolv"
cp -p -- "$resolv" "$RIG_DIR/resolv.before"
args=(--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --group-key-file "$key"
	--password-file "$pw" --state-file "$RIG_DIR/evc.state")

# ---- a script others may write is refused before the first packet
cp -- "$script" "$RIG_DIR/open-script"
chmod 0777 "$RIG_DIR/open-script"
evc_start evc-open client "${args[@]}" --script "$RIG_DIR/open-script"
wait_for_exit evc-open 20
[[ ${RIG_LAST_STATUS:-x} == 1 ]] || fail "evc with a world-writable script exited with ${RIG_LAST_STATUS:-?}, expected 1"
grep -q "refusing to use the vpnc-script $RIG_DIR/open-script: .*writable by group or others" \
	"${RIG_LOGS[evc-open-stderr]}" || fail "the refusal does not say why: $(cat "${RIG_LOGS[evc-open-stderr]}")"
evs_wait_connections 0

# ---- Debian's script configures the host
calls=$RIG_DIR/script-calls
cat >"$RIG_DIR/recording-script" <<SH
#!/bin/sh
if [ -e /sys/class/net/evc0 ]; then dev=present; else dev=absent; fi
echo "\$reason TUNDEV=\${TUNDEV:-} evc0=\$dev" >>"$calls"
exec "$script"
SH
chmod 0755 "$RIG_DIR/recording-script"
evc_start evc client "${args[@]}" --script "$RIG_DIR/recording-script"
evc_wait_connected evc 20
rig_exec client ip -4 -o addr show dev evc0 | grep -q " $EVC_POOL_FIRST/" ||
	fail "the script did not put $EVC_POOL_FIRST on evc0: $(rig_exec client ip -4 -o addr show dev evc0)"
rig_exec client ip -4 route show "$RIG_CORP_NET" | grep -q "dev evc0" ||
	fail "no route to $RIG_CORP_NET through evc0: $(rig_exec client ip -4 route)"
grep -q '^#@VPNC_GENERATED@' "$resolv" || fail "resolv.conf was not written by the vpnc-script: $(cat "$resolv")"
grep -q "^nameserver $EVC_DNS\$" "$resolv" || fail "the script did not set the DNS server: $(cat "$resolv")"
grep -q "$EVC_DOMAIN" "$resolv" || fail "the script did not set the domain: $(cat "$resolv")"
ping_ok client "$RIG_CORP_ADDR" 3 || fail "no ping through the tunnel set up by the script"
rig_note "resolv.conf while connected: $(tr '\n' '|' <"$resolv")"

# ---- disconnect: the script takes it all back
rig_kill evc 10
[[ ${RIG_LAST_STATUS:-x} == 0 ]] || fail "evc exited with ${RIG_LAST_STATUS:-?} on SIGTERM (expected 0)"
want=$'pre-init TUNDEV= evc0=absent\nconnect TUNDEV=evc0 evc0=present\ndisconnect TUNDEV=evc0 evc0=present'
[[ $(cat "$calls") == "$want" ]] ||
	fail "the script's calls: $(cat "$calls"), expected: $want"
rig_note "the script's calls: $(tr '\n' '|' <"$calls")"
sanitizer_check
evc_tun_gone client
rig_exec client ip -4 route show "$RIG_CORP_NET" | grep -q . &&
	fail "a route to $RIG_CORP_NET is left: $(rig_exec client ip -4 route)"
cmp -s "$resolv" "$RIG_DIR/resolv.before" ||
	fail "resolv.conf is not what it was: $(diff "$RIG_DIR/resolv.before" "$resolv")"
[[ -z $(compgen -G "$RIG_DIR/evc.state*" || true) ]] || fail "evc left its state file behind"
ping_fails client "$RIG_CORP_ADDR" || fail "the client still reaches $RIG_CORP_ADDR after disconnecting"
evs_wait_connections 0
evs_stop
sanitizer_check
rig_note "PASS"
