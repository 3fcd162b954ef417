#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The router build links no GTK, GLib or libsecret: every shared library a binary needs,
# directly or through another library (read from the ELF files with readelf, so that it
# works for a cross-built arm64 binary as for a native one), is checked against those names.
# Prints each binary's direct NEEDED list.
#
# Usage: tests/router/check-deps.sh BINARY...
# Exit: 0 none linked, 1 one is (or a binary or library could not be read).
set -eu
[[ $# -gt 0 ]] || { echo "usage: $0 BINARY..." >&2; exit 2; }
forbidden='^lib(secret-1|glib-2\.0|gio-2\.0|gobject-2\.0|gmodule-2\.0|gtk-3|gdk-3|gtk-x11|gdk-x11)\.so'

needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'
}

# the multiarch directory of the binary's machine
libdirs() {
	case $(readelf -h "$1" | sed -n 's/^ *Machine: *//p') in
	*AArch64*) t=aarch64-linux-gnu ;;
	*X86-64*) t=x86_64-linux-gnu ;;
	*) t=$(gcc -dumpmachine) ;;
	esac
	echo "/lib/$t /usr/lib/$t /lib /usr/lib"
}

rc=0
for bin in "$@"; do
	[[ -f $bin ]] || { echo "check-deps: FAIL: no file $bin" >&2; exit 1; }
	dirs=$(libdirs "$bin")
	echo "check-deps: $(basename "$bin") needs: $(needed "$bin" | tr '\n' ' ')"
	declare -A seen=()
	queue=("$bin")
	while [[ ${#queue[@]} -gt 0 ]]; do
		cur=${queue[0]}
		queue=("${queue[@]:1}")
		while read -r lib; do
			[[ -n $lib && -z ${seen[$lib]:-} ]] || continue
			seen[$lib]=$cur
			if [[ $lib =~ $forbidden ]]; then
				echo "check-deps: FAIL: $(basename "$bin") links $lib (through $(basename "$cur"))" >&2
				rc=1
			fi
			for d in $dirs; do
				if [[ -f $d/$lib ]]; then
					queue+=("$d/$lib")
					break
				fi
			done
		done < <(needed "$cur")
	done
	unset seen
done
[[ $rc -ne 0 ]] || echo "check-deps: no GTK, GLib or libsecret in $*"
exit $rc
