#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The router build: evc and evs configured with -DEVC_GUI=OFF alone (which turns the keyring
# off with it: EVC_LIBSECRET follows EVC_GUI) and
# -DCMAKE_BUILD_TYPE=MinSizeRel in their own build tree; checks that they link no GTK, GLib or
# libsecret (check-deps.sh), that they run, and prints their stripped sizes (the README's).
#
# Usage: tests/router/router-build.sh SOURCE_DIR BUILD_DIR [C_COMPILER]
# Exit: 0 pass, 1 fail.
set -eu
src=$1 bdir=$2 cc=${3:-cc}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

cmake -S "$src" -B "$bdir" -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_C_COMPILER="$cc" \
	-DEVC_GUI=OFF -DEVC_SANITIZE=OFF -DEVC_FUZZ=OFF >/dev/null
cmake --build "$bdir" --target evc evs -j"$(nproc)" >/dev/null
grep -q '^EVC_LIBSECRET:BOOL=OFF$' "$bdir/CMakeCache.txt" || { echo "router-build: FAIL: EVC_LIBSECRET is not OFF in $bdir" >&2; exit 1; }
"$here/check-deps.sh" "$bdir/client/evc" "$bdir/server/evs"

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
"$bdir/client/evc" --version >"$tmp/version" || { echo "router-build: FAIL: the router build's evc does not run" >&2; exit 1; }
for b in client/evc server/evs; do
	strip -o "$tmp/$(basename "$b")" "$bdir/$b"
	echo "router-build: $(basename "$b") ($(uname -m), MinSizeRel): $(stat -c %s "$bdir/$b") bytes, stripped $(stat -c %s "$tmp/$(basename "$b")") bytes"
done
# without a keyring, a user's profile keeps its secrets in owner-only files and says why
mkdir -p "$tmp/home"
printf '[main]\nHost=198.51.100.1\nGroupName=quizware\nGroupPwd=group-key\n' >"$tmp/office.pcf"
if ! HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config DBUS_SESSION_BUS_ADDRESS='' \
	"$bdir/client/evc" profile import "$tmp/office.pcf" >"$tmp/out" 2>&1; then
	echo "router-build: FAIL: evc profile import without a keyring: $(cat "$tmp/out")" >&2
	exit 1
fi
grep -q "kept in owner-only files" "$tmp/out" ||
	{ echo "router-build: FAIL: the import did not say where the secrets went: $(cat "$tmp/out")" >&2; exit 1; }
echo "router-build: PASS"
