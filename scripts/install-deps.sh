#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install every Debian 12 package needed to build, test and demo evc/evs.
# Idempotent and non-interactive; when every package is already installed it
# does nothing (no apt-get update), so CI can call it on every run.
#
# Usage: scripts/install-deps.sh [--check]
#   --check   only list missing packages; exit 1 if any is missing
set -eu

# One package per line, grouped by purpose. Keep in sync with README.
PACKAGES='
build-essential
cmake
pkg-config
clang
clang-format
libclang-rt-14-dev
libssl-dev
libnl-3-dev
libnl-route-3-dev
libcap-ng-dev
libnftables-dev
libgtk-3-dev
xvfb
xauth
xdotool
libsecret-1-dev
libsystemd-dev
dbus-daemon
gnome-keyring
libcmocka-dev
gettext
python3
shellcheck
coreutils
util-linux
procps
iproute2
nftables
iputils-ping
iperf3
valgrind
vpnc
vpnc-scripts
strongswan-charon
strongswan-swanctl
strongswan-libcharon
libstrongswan
libstrongswan-standard-plugins
libcharon-extra-plugins
libcharon-extauth-plugins
freeradius
'
# Why the less obvious ones:
#   libcap-ng-dev              evc drops every capability but CAP_NET_ADMIN (platform/privs.c)
#   libsystemd-dev             sd-bus: split DNS through systemd-resolved (platform/resolved.c)
#   clang-format, shellcheck   the C style and the test shell scripts
#   coreutils, util-linux      timeout, mktemp; unshare, mount (tests/lib)
#   procps, iproute2, nftables sysctl; ip, ss; NAT and packet counters
#   iputils-ping, iperf3       connectivity and throughput over the tunnel
#   valgrind                   the valgrind/* tests: evc and evs of the release build
#                              under memcheck (errors inside libcrypto ASan cannot see)
#   dbus-daemon, gnome-keyring a private Secret Service for tests/unit/test_profile_secrets.c
#                              (libsecret store of profiles/); it skips those cases without them
#   xvfb, xauth, xdotool       tests/e2e/gui.sh: evc-gui's window under Xvfb, driven from the keyboard
#   freeradius                 a real RADIUS server for tests/e2e/radius.sh, which runs its
#                              own with a temporary configuration; never a system service
# strongSwan plugins that tests/interop/charon-server.sh loads, by package
# (Debian 12, strongSwan 5.9.8):
#   kernel-libipsec (+ /usr/lib/ipsec/libipsec.so.0)  libcharon-extra-plugins
#   unity                                               libcharon-extra-plugins
#   xauth-generic                                       libcharon-extauth-plugins
#   openssl (3DES, all ciphers and MODP groups)         libstrongswan-standard-plugins
#   vici                                                strongswan-swanctl
#   socket-default                                      strongswan-libcharon
#   random nonce aes sha1 sha2 md5 hmac gmp kdf attr
#   kernel-netlink pem pkcs1 x509 pubkey                libstrongswan
# (libstrongswan-extra-plugins is not needed: none of its plugins is used.)

check_only=no
case "${1:-}" in
--check) check_only=yes ;;
'') ;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

missing=''
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

# The arm64 cross build of the router build (ctest label cross): scripts/cross-arm64.sh
# installs its packages when they are missing, only as root and only when apt's plan removes
# nothing (else the cross test skips and says why). EVC_NO_CROSS=1 leaves them out.
if [ "$check_only" = no ] && [ "${EVC_NO_CROSS:-}" != 1 ]; then
	"$(dirname "$0")/cross-arm64.sh" --install-only ||
		echo "install-deps: no arm64 cross packages; the cross test will skip" >&2
fi

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

echo "install-deps: missing:$missing"
if [ "$check_only" = yes ]; then
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root to install packages" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# strongswan-starter (a dependency of strongswan-charon) and iperf3 ship init
# scripts; the tests run their own charon/iperf3 in namespaces, so keep the
# package scripts from starting system daemons while we install. Only when no
# policy is in place already, and removed again on exit.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
	trap 'exit 1' INT TERM
fi
apt_opts='-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold'
apt-get -q update </dev/null
# shellcheck disable=SC2086 # word splitting of the option and package lists is intended
apt-get install $apt_opts --no-install-recommends $missing </dev/null
# The tests start their own freeradius on loopback: the system one must not run (nor
# start at boot) and hold the RADIUS ports.
if [ -e /etc/init.d/freeradius ]; then
	/etc/init.d/freeradius stop >/dev/null 2>&1 || true
	update-rc.d freeradius disable >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null; then
	# works without a running systemd too: it removes the boot symlink
	systemctl disable freeradius.service >/dev/null 2>&1 || true
	if [ -d /run/systemd/system ]; then
		systemctl stop freeradius.service >/dev/null 2>&1 || true
	fi
fi
echo "install-deps: done"
