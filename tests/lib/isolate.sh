#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run a command with a private view of /run and /etc/resolv.conf, for daemons
# under test (evc, evs, charon, vpnc) that write pid files, sockets or DNS
# settings. Meant to be started as
#   unshare --mount --propagation private -- sh isolate.sh RESOLV_FILE CMD...
# (rig_spawn_isolated does that): the mounts below then exist only in that
# mount namespace and vanish with its last process.
#   /run              a fresh tmpfs: nothing of the host's /run is seen or
#                     changed (charon.pid, /run/vpnc, /run/resolvconf, D-Bus)
#   /etc/resolv.conf  RESOLV_FILE bound over it (or over the file its symlink
#                     points to), so a test can read what the command wrote
# The command is exec'd: it keeps this script's PID.
set -eu
resolv=$1
shift
# resolve before /run is replaced: on hosts with systemd-resolved or
# resolvconf /etc/resolv.conf is a symlink into /run
target=
if [ -e /etc/resolv.conf ] || [ -L /etc/resolv.conf ]; then
	target=$(readlink -m /etc/resolv.conf)
fi
mount -n -t tmpfs -o mode=0755 rig-run /run
if [ -n "$target" ]; then
	case $target in
	/run/*)
		mkdir -p "$(dirname "$target")"
		: >"$target"
		;;
	esac
	if [ -e "$target" ]; then
		mount -n --bind "$resolv" "$target"
	else
		echo "isolate.sh: /etc/resolv.conf points to missing $target; not isolated" >&2
	fi
fi
exec "$@"
