#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs everything, builds, and runs every test through ctest: cmocka unit tests with
# known-answer vectors, libFuzzer runs, end-to-end tests in network namespaces and the
# interoperability tests against Debian's vpnc and strongSwan. Needs root (namespaces, TUN).
#
# The tests run on a clang build with AddressSanitizer and UndefinedBehaviorSanitizer; a
# second, plain gcc build makes sure the release flags (_FORTIFY_SOURCE, -Werror) hold too,
# and its evc and evs run the main end-to-end tests once more under valgrind (valgrind/*, for
# memory errors inside libcrypto that ASan cannot see), registered in the same ctest run
# through EVC_VALGRIND_BUILD_DIR so that its summary counts them.
set -euo pipefail
top=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

scripts/install-deps.sh </dev/null

jobs=$(nproc 2>/dev/null || echo 2)
echo "== release build (gcc)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc -DEVC_GUI=ON >/dev/null
cmake --build build -j"$jobs"

echo "== test build (clang, ASan + UBSan, libFuzzer)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	-DEVC_SANITIZE=ON -DEVC_FUZZ=ON -DEVC_GUI=ON -DEVC_VALGRIND_BUILD_DIR="$top/build" >/dev/null
cmake --build build-test -j"$jobs"

echo "== tests"
cd build-test
# Unit tests and fuzzers run two at a time; the namespace tests one by one (RUN_SERIAL).
exec ctest --output-on-failure -j"$jobs" "$@"
