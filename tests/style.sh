#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every C file of the project (the tracked ones, in a git checkout) is clang-formatted with the repository's .clang-format and
# starts with its SPDX line.
set -u
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "clang-format missing"; exit 77; }
bad=0
while IFS= read -r -d '' f; do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not clang-formatted: $f"
		bad=1
	fi
	if ! head -n 1 "$f" | grep -q 'SPDX-License-Identifier'; then
		echo "no SPDX line: $f"
		bad=1
	fi
done < <(git ls-files -z -- '*.c' '*.h' 2>/dev/null ||
	find lib ike tun platform client server profiles gui tests -name '*.[ch]' -print0 2>/dev/null)
# A folder's private header (*_int.h) is included only inside that folder; white-box tests
# (the engine rig's oracle, fuzzers, check tests) read internals on purpose.
while IFS= read -r line; do
	f=${line%%:*}
	hdr=$(sed -n -E 's/.*#include "([^"]+_int\.h)".*/\1/p' <<<"$line")
	owner=${hdr%/*}
	[[ $f == "$owner"/* || $f == tests/* ]] && continue
	echo "private header $hdr included outside $owner/: $f"
	bad=1
done < <(git grep -n -E '#include "[^"]+_int\.h"' -- '*.c' '*.h' 2>/dev/null)
exit $bad
