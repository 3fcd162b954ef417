#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Long fuzz runs: each libFuzzer target of the test build for SECONDS seconds, one after the
# other, on a corpus that grows from run to run. The short runs stay in ctest (fuzz/<name>,
# 20 s each); this is for the hours the test suite cannot spend.
#
# Usage: scripts/fuzz-long.sh [SECONDS] [TARGET...]
#   SECONDS   per target (default 600)
#   TARGET    fuzz_isakmp, fuzz_engine, ... (default: every fuzz_* built)
# Environment:
#   EVC_FUZZ_BUILD   the build with -DEVC_FUZZ=ON (default build-test, as scripts/test.sh
#                    makes it); build it first
#   FUZZ_LONG_DIR    where the results go (default $EVC_FUZZ_BUILD/fuzz-long)
#
# For each target, in $FUZZ_LONG_DIR/<target>/:
#   corpus/    the corpus, seeded from the test vectors the first time and kept, so the next
#              run starts where this one stopped
#   crashes/   crash-*, leak-*, timeout-*, oom-* inputs libFuzzer saved (reproduce with
#              <fuzzer> <file>)
#   fuzz.log   libFuzzer's output
# It prints per target: executions, executions per second, coverage (libFuzzer's cov: edges
# and ft: features at the end), corpus size and the outcome, then the crash files. A target
# stops at its first crash; the others still run. Exit: 0 no crash, 1 any crash or failure,
# 2 usage.
set -euo pipefail
top=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	echo "usage: $0 [SECONDS] [TARGET...]   (SECONDS per target, default 600; TARGET default: all)" >&2
	exit 2
}

seconds=600
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi
[[ $seconds -gt 0 ]] || usage
for a in "$@"; do
	[[ $a != -* ]] || usage
done

build=${EVC_FUZZ_BUILD:-$top/build-test}
fuzzdir=$build/tests/fuzz
[[ -d $fuzzdir ]] ||
	{ echo "fuzz-long: no fuzzers in $build: build it with -DEVC_FUZZ=ON first (scripts/test.sh does)" >&2 && exit 1; }
build=$(cd -- "$build" && pwd)
fuzzdir=$build/tests/fuzz
out=${FUZZ_LONG_DIR:-$build/fuzz-long}

available=()
for f in "$fuzzdir"/fuzz_*; do
	[[ -f $f && -x $f ]] && available+=("$(basename -- "$f")")
done
[[ ${#available[@]} -gt 0 ]] || { echo "fuzz-long: no fuzz_* executables in $fuzzdir" >&2 && exit 1; }
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${available[@]}")
for t in "${targets[@]}"; do
	if [[ ! -x $fuzzdir/$t ]]; then
		echo "fuzz-long: no target '$t' in $fuzzdir (built: ${available[*]})" >&2
		exit 2
	fi
done

# last value of "KEY: N" on libFuzzer's status lines (#N  pulse|NEW|REDUCE|DONE  cov: ...)
status_field() {
	grep -E '^#[0-9]+[[:space:]]' "$2" | tail -n 1 | sed -n "s/.* $1: \([0-9][0-9]*\).*/\1/p"
}
final_stat() {
	sed -n "s/^stat::$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$2" | tail -n 1
}

echo "fuzz-long: ${#targets[@]} target(s), ${seconds}s each, results in $out"
rows=()
failed=0
for t in "${targets[@]}"; do
	dir=$out/$t
	mkdir -p "$dir/corpus" "$dir/crashes"
	seeds=$fuzzdir/corpus/$t
	if [[ -z $(ls -A "$dir/corpus") && -d $seeds ]]; then
		cp -R "$seeds"/. "$dir/corpus/"
	fi
	before=$(find "$dir/crashes" -type f | wc -l)
	echo "== $t: ${seconds}s, corpus $(find "$dir/corpus" -type f | wc -l) files"
	rc=0
	# the fuzzer's own run limit, and a hard one above it should it hang
	timeout --kill-after=30 $((seconds + 120)) "$fuzzdir/$t" -max_total_time="$seconds" \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/" "$dir/corpus" >"$dir/fuzz.log" 2>&1 || rc=$?
	execs=$(final_stat number_of_executed_units "$dir/fuzz.log")
	eps=$(final_stat average_exec_per_sec "$dir/fuzz.log")
	cov=$(status_field cov "$dir/fuzz.log")
	ft=$(status_field ft "$dir/fuzz.log")
	corpus=$(find "$dir/corpus" -type f | wc -l)
	new=$(find "$dir/crashes" -type f | wc -l)
	if [[ $rc -eq 0 ]]; then
		result=ok
	else
		failed=1
		if [[ $new -gt $before ]]; then
			result="CRASH (exit $rc)"
		else
			result="FAILED (exit $rc, see $dir/fuzz.log)"
		fi
		# the sanitizer's or libFuzzer's own words on what went wrong
		grep -E -m 3 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY:' \
			"$dir/fuzz.log" | sed 's/^/   /' || true
	fi
	echo "   executions ${execs:-?} (${eps:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus $corpus: $result"
	rows+=("$(printf '%-18s %12s %8s %7s %7s %7s  %s' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$result")")
done

echo
printf '%-18s %12s %8s %7s %7s %7s  %s\n' target executions exec/s cov ft corpus result
printf '%s\n' "${rows[@]}"
# every crash input kept there, this run's and earlier ones'
mapfile -t all < <(find "$out" -path '*/crashes/*' -type f 2>/dev/null | sort)
if [[ ${#all[@]} -gt 0 ]]; then
	echo
	echo "crash inputs in $out (reproduce: $fuzzdir/<target> <file>):"
	printf '  %s\n' "${all[@]}"
fi
exit "$failed"
