#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `cmake --install` puts evc@.service (issue 9) where systemd finds units, naming the evc it
# installed: staged into a temporary DESTDIR as a package would be, the unit must exist under
# PREFIX/lib/systemd/system, run `PREFIX/sbin/evc daemon --profile %i` (the prefix the build
# was configured with), and that evc must be there. systemd-analyze, when present, verifies
# an instance of the unit (evc@office.service) running the staged evc.
#
# Usage: tests/router/install-unit.sh BUILD_DIR     Exit: 0 pass, 1 fail.
set -eu
build=${1:?usage: install-unit.sh BUILD_DIR}
fail() {
	echo "install-unit: FAIL: $*" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ $prefix == /* ]] || fail "no CMAKE_INSTALL_PREFIX in $build/CMakeCache.txt"
root=$tmp/root

DESTDIR=$root cmake --install "$build" >"$tmp/install.log" 2>&1 ||
	fail "cmake --install failed: $(tail -n 5 "$tmp/install.log")"
unit=$root$prefix/lib/systemd/system/evc@.service
[[ -f $unit ]] || fail "cmake --install put no evc@.service in $prefix/lib/systemd/system: $(grep -i service "$tmp/install.log")"
[[ -x $root$prefix/sbin/evc ]] || fail "cmake --install put no evc in $prefix/sbin"
grep -q -x -F "ExecStart=$prefix/sbin/evc daemon --profile %i" "$unit" ||
	fail "evc@.service does not run the installed evc's daemon for the profile: $(grep '^Exec' "$unit")"
grep -q -x 'WantedBy=multi-user.target' "$unit" || fail "evc@.service cannot be enabled (no WantedBy)"

if command -v systemd-analyze >/dev/null; then
	# an instance of the template, checked as systemd would load it, its evc the staged one
	mkdir -p "$tmp/units"
	sed "s|=$prefix/sbin/evc |=$root$prefix/sbin/evc |" "$unit" >"$tmp/units/evc@.service"
	SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
		"$tmp/units/evc@office.service" >"$tmp/verify.log" 2>&1 || true
	# any complaint about evc@ counts (a bad value is only a warning); the host's other units
	# are not ours
	if grep -i 'evc@' "$tmp/verify.log" >&2; then
		fail "systemd-analyze verify finds fault with evc@office.service"
	fi
	echo "install-unit: systemd-analyze verify: no complaint about evc@office.service"
else
	echo "install-unit: no systemd-analyze here; the unit's syntax is not verified"
fi
echo "install-unit: PASS: $unit runs $prefix/sbin/evc daemon --profile %i"
