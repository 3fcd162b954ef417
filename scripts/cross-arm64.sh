#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The router build of evc for arm64: Debian's cross compiler (gcc-aarch64-linux-gnu), the
# :arm64 -dev packages of multiarch and qemu-user. Installs them when they are missing (as
# root; dpkg --add-architecture arm64, after checking that apt's plan removes nothing),
# configures BUILD_DIR with cmake/aarch64-linux-gnu.cmake and the router options
# (-DEVC_GUI=OFF, which leaves the keyring out too), builds, and runs the unit tests under qemu-aarch64
# through ctest (CMAKE_CROSSCOMPILING_EMULATOR). Prints the stripped size of evc and evs.
#
# Usage: scripts/cross-arm64.sh [--install-only] [--no-install] [BUILD_DIR]
#   --install-only  install the cross packages and stop (scripts/install-deps.sh --cross)
#   --no-install    never run apt: skip (77) when something is missing
#   BUILD_DIR       default: build-arm64 in the source tree
# Exit: 0 pass, 1 fail, 77 skipped (the cross packages are missing and cannot be installed:
# not root, no network, or installing them would remove packages the native build needs).
set -eu

top=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
install=yes build=yes
while [[ $# -gt 0 ]]; do
	case $1 in
	--install-only) build=no ;;
	--no-install) install=no ;;
	-*)
		echo "usage: $0 [--install-only] [--no-install] [BUILD_DIR]" >&2
		exit 2
		;;
	*) break ;;
	esac
	shift
done
bdir=${1:-$top/build-arm64}

# What the router build needs, for arm64: the libraries its CMakeLists.txt files ask for
# (no libsecret, GLib or GTK) and cmocka for the unit tests, through multiarch.
ARM64_DEV='libc6-dev:arm64 libssl-dev:arm64 libnl-3-dev:arm64 libnl-route-3-dev:arm64
libcap-ng-dev:arm64 libnftables-dev:arm64 libsystemd-dev:arm64 libcmocka-dev:arm64'
TOOLS='gcc-aarch64-linux-gnu qemu-user'

skip() {
	echo "cross-arm64: SKIPPED: $*" >&2
	exit 77
}

missing() {
	local p out=()
	for p in $TOOLS $ARM64_DEV; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			out+=("$p")
	done
	echo "${out[*]}"
}

install_packages() {
	local need=$1 added=no plan removed
	[[ $(id -u) -eq 0 ]] || skip "these packages are missing and only root can install them: $need"
	command -v apt-get >/dev/null || skip "no apt-get to install: $need"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		added=yes
	fi
	undo() {
		# leave the machine as it was when nothing for arm64 got installed
		if [[ $added == yes ]] && ! dpkg-query -W -f='${Package}\n' '*:arm64' 2>/dev/null | grep -q .; then
			dpkg --remove-architecture arm64 || true
			apt-get -qq update >/dev/null 2>&1 || true
		fi
	}
	echo "cross-arm64: installing $need" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get -qq update >/dev/null 2>&1; then
		undo
		skip "apt-get update failed (no network?); cannot install: $need"
	fi
	# shellcheck disable=SC2086 # word splitting of the package lists is wanted
	if ! plan=$(DEBIAN_FRONTEND=noninteractive apt-get -s -y --no-install-recommends install $need 2>&1); then
		undo
		skip "apt cannot install the cross packages: $(tail -n 5 <<<"$plan")"
	fi
	removed=$(grep '^Remv ' <<<"$plan" || true)
	if [[ -n $removed ]]; then
		undo
		skip "installing the arm64 packages would remove packages of this machine (a multiarch \
conflict), so nothing was installed: $(cut -d' ' -f2 <<<"$removed" | tr '\n' ' ')"
	fi
	# shellcheck disable=SC2086
	if ! DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends install $need >/dev/null; then
		undo
		skip "apt-get install failed for: $need"
	fi
}

need=$(missing)
if [[ -n $need ]]; then
	[[ $install == yes ]] || skip "missing cross packages: $need (scripts/install-deps.sh --cross installs them)"
	install_packages "$need"
	need=$(missing)
	[[ -z $need ]] || skip "still missing after installing: $need"
fi
[[ $build == yes ]] || exit 0

qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
[[ -n $qemu ]] || skip "no qemu-aarch64 although qemu-user is installed"

cmake -S "$top" -B "$bdir" -DCMAKE_TOOLCHAIN_FILE="$top/cmake/aarch64-linux-gnu.cmake" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVC_GUI=OFF >/dev/null
cmake --build "$bdir" -j"$(nproc)"

# the binaries are arm64 and link neither libsecret nor GLib
for b in client/evc server/evs; do
	machine=$(readelf -h "$bdir/$b" | sed -n 's/^ *Machine: *//p')
	[[ $machine == *AArch64* ]] || { echo "cross-arm64: FAIL: $b is built for '$machine', not AArch64" >&2; exit 1; }
done
"$top/tests/router/check-deps.sh" "$bdir/client/evc" "$bdir/server/evs"

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
for b in client/evc server/evs; do
	aarch64-linux-gnu-strip -o "$tmp/$(basename "$b")" "$bdir/$b"
	echo "cross-arm64: $(basename "$b") for arm64, stripped: $(stat -c %s "$tmp/$(basename "$b")") bytes"
done
"$qemu" "$bdir/client/evc" --version

# the unit tests, each run as `qemu-aarch64 TEST`; the parts that need root, a namespace or a
# tool skip as they do natively
ctest --test-dir "$bdir" -L unit --output-on-failure -j"$(nproc)"
