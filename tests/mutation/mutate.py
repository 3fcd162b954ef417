#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Mutation runner: every protocol check must have a test that fails without it.

tests/mutation/checks.txt lists the checks that guard authentication, integrity, replay,
state and resource limits in ike/, tun/ and server/core/. Each row names the source snippet
of one check and a mutated snippet that disables it. For every row this tool:

  1. applies the mutation to a private copy of the tree (the snippet must occur exactly once
     in its file, else the row is reported STALE),
  2. rebuilds that copy incrementally (a mutant that does not compile is reported BROKEN),
  3. runs the unit tests (`ctest -L unit`; no e2e, no root-only network setup),
  4. records which tests failed (KILLED by ...) or that none did (SURVIVED),
  5. puts the original file back.

It never touches the repository it reads: it exports the tracked files of the working tree
(`git ls-files`, as they are on disk, so uncommitted work is included) plus untracked files
that are not ignored (new tests not yet added) into a work directory, configures ONE build
there (gcc, Debug, no sanitizers, no fuzzers: for speed) and mutates only that copy.

Usage (by hand, or in a long CI run; it takes a few minutes, so it is NOT a ctest entry and
scripts/test.sh does not run it):

    tests/mutation/mutate.py                 # every row; exit 1 if any survives
    tests/mutation/mutate.py --only am3-hash-i,qm-hash1   # some rows
    tests/mutation/mutate.py --list          # the table, nothing built
    tests/mutation/mutate.py --check         # only check that every snippet occurs once
    tests/mutation/mutate.py --work /tmp/m --keep   # reuse/keep the work directory
    tests/mutation/mutate.py --tracked-only  # without untracked files of the checkout
    tests/mutation/mutate.py --exclude test_foo  # leave out a unit test that fails anyway

A row may carry `equivalent = <reason>` when the mutant provably cannot be told apart from
the original by any input (for example a check repeated by a later one); such a row is still
run, and is reported EQUIVALENT when it survives (and as KILLED when a test does kill it,
which means the reason is wrong and should be removed). A row may instead carry
`unreachable = <reason>` when the mutant is observable but no unit test can reach the check
without a seam in the product code; it is reported UNREACHABLE when it survives. Exit status: 0 when every
row is killed, equivalent or unreachable; 1 when one survives, is stale or does not build; 2 on a setup
error (the unmutated tree does not build or its unit tests fail).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_TABLE = os.path.join(HERE, "checks.txt")


class Row:
    def __init__(self, rid, line):
        self.id = rid
        self.line = line
        self.file = None
        self.guards = ""
        self.find = None
        self.repl = None
        self.equivalent = None
        self.unreachable = None


def unescape(s):
    """\\n, \\t and \\\\ in a snippet; everything else is literal."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "nt\\":
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[s[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_table(path):
    rows, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^\[([a-z0-9][a-z0-9-]*)\]\s*$", line)
            if m:
                cur = Row(m.group(1), n)
                rows.append(cur)
                continue
            m = re.match(r"^(file|guards|find|repl|equivalent|unreachable)\s*=\s?(.*)$", line)
            if not m or cur is None:
                sys.exit(f"{path}:{n}: cannot parse: {line}")
            key, val = m.group(1), m.group(2)
            if key in ("find", "repl"):
                val = unescape(val)
            setattr(cur, key, val)
    ids = set()
    for r in rows:
        if r.id in ids:
            sys.exit(f"{path}:{r.line}: duplicate id {r.id}")
        ids.add(r.id)
        if not r.file or r.find is None or r.repl is None or not r.guards:
            sys.exit(f"{path}:{r.line}: row {r.id} needs file, guards, find and repl")
        if r.find == r.repl:
            sys.exit(f"{path}:{r.line}: row {r.id}: find and repl are the same")
    return rows


def run(cmd, cwd=None, timeout=None):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)


def export_tree(repo, dest, untracked=True):
    """Tracked files as they are in the working tree, plus untracked files not ignored."""
    files = []
    for extra in ([], ["--others", "--exclude-standard"]) if untracked else ([],):
        p = subprocess.run(["git", "-C", repo, "ls-files", "-z"] + extra,
                           stdout=subprocess.PIPE, check=True)
        files += [f for f in p.stdout.decode().split("\0") if f]
    n = 0
    for rel in sorted(set(files)):
        src = os.path.join(repo, rel)
        if not os.path.isfile(src) or os.path.islink(src) and not os.path.exists(src):
            continue  # deleted in the working tree
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        n += 1
    return n


def occurrences(src_dir, row):
    path = os.path.join(src_dir, row.file)
    if not os.path.isfile(path):
        return -1
    with open(path, encoding="utf-8") as f:
        return f.read().count(row.find)


def build(bdir, jobs):
    return run(["cmake", "--build", bdir, "-j", str(jobs)])


def run_unit(bdir, jobs, timeout, exclude=None):
    """Runs ctest -L unit; returns the failed entries, each with the cmocka tests that failed."""
    junit = os.path.join(bdir, "mutation-junit.xml")
    if os.path.exists(junit):
        os.remove(junit)
    cmd = ["ctest", "-L", "unit", "-j", str(jobs), "--timeout", str(timeout),
           "--output-junit", junit]
    if exclude:
        cmd += ["-E", exclude]
    p = run(cmd, cwd=bdir)
    failed = []
    try:
        root = ET.parse(junit).getroot()
    except (ET.ParseError, FileNotFoundError):
        return [("ctest", ["(no junit report)"])], p.stdout
    for tc in root.iter("testcase"):
        status = tc.get("status", "")
        if status in ("run", "notrun", "disabled") and tc.find("failure") is None \
                and tc.find("error") is None:
            continue  # passed or skipped
        out = tc.findtext("system-out") or ""
        names = re.findall(r"^\[\s+(?:FAILED|ERROR)\s+\]\s+(?:---\s+)?(\w+)\s*$", out, re.M)
        names = sorted(set(n for n in names if n.startswith("test_") or "_" in n))
        if "Timeout" in out or status == "timeout":
            names.append("(timeout)")
        failed.append((tc.get("name"), names))
    return failed, p.stdout


def describe(failed):
    parts = []
    for entry, names in failed:
        short = entry.replace("unit/", "")
        parts.append(f"{short}({', '.join(names)})" if names else short)
    return "; ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", default=DEFAULT_REPO, help="repository to read (not changed)")
    ap.add_argument("--table", default=DEFAULT_TABLE)
    ap.add_argument("--work", help="work directory (default: a new one under /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--only", help="comma-separated row ids")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=60, help="seconds per ctest entry")
    ap.add_argument("--list", action="store_true", help="print the table and stop")
    ap.add_argument("--check", action="store_true",
                    help="only check that every snippet occurs exactly once")
    ap.add_argument("--report", help="also write the result table to this file")
    ap.add_argument("--exclude", help="ctest -E regex: unit tests left out (say why when used)")
    ap.add_argument("--tracked-only", action="store_true",
                    help="leave out untracked files (someone's half-written new test)")
    args = ap.parse_args()

    rows = parse_table(args.table)
    if args.only:
        want = set(args.only.split(","))
        unknown = want - {r.id for r in rows}
        if unknown:
            sys.exit(f"unknown row ids: {', '.join(sorted(unknown))}")
        rows = [r for r in rows if r.id in want]
    if args.list:
        for r in rows:
            print(f"{r.id:28} {r.file:28} {r.guards}")
        print(f"{len(rows)} rows")
        return 0

    if args.check:
        bad = 0
        for r in rows:
            n = occurrences(args.repo, r)
            if n != 1:
                bad += 1
                print(f"STALE {r.id}: {r.file}: snippet occurs {n} times (line {r.line})")
        print(f"{len(rows) - bad} of {len(rows)} rows apply")
        return 1 if bad else 0

    work = args.work or tempfile.mkdtemp(prefix="evc-mutation-")
    src, bdir = os.path.join(work, "src"), os.path.join(work, "build")
    t0 = time.monotonic()
    if os.path.isdir(src):
        shutil.rmtree(src)
    os.makedirs(src)
    n = export_tree(args.repo, src, not args.tracked_only)
    print(f"exported {n} files of {args.repo} to {src}", flush=True)
    if not os.path.isdir(bdir):
        p = run(["cmake", "-S", src, "-B", bdir, "-DCMAKE_BUILD_TYPE=Debug",
                 "-DCMAKE_C_COMPILER=gcc", "-DEVC_SANITIZE=OFF", "-DEVC_FUZZ=OFF"])
        if p.returncode:
            print(p.stdout)
            print("setup error: cmake configure failed")
            return 2
    p = build(bdir, args.jobs)
    if p.returncode:
        print(p.stdout[-4000:])
        print("setup error: the unmutated tree does not build")
        return 2
    failed, out = run_unit(bdir, args.jobs, args.timeout, args.exclude)
    if failed:
        print(out[-4000:])
        print(f"setup error: unit tests fail without any mutation: {describe(failed)}")
        return 2
    print(f"baseline built and passing in {time.monotonic() - t0:.0f} s; "
          f"{len(rows)} mutations", flush=True)

    results = []
    for i, r in enumerate(rows, 1):
        path = os.path.join(src, r.file)
        t1 = time.monotonic()
        cnt = occurrences(src, r)
        if cnt != 1:
            res = ("STALE", f"snippet occurs {cnt} times in {r.file}")
        else:
            with open(path, encoding="utf-8") as f:
                orig = f.read()
            st = os.stat(path)
            try:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(orig.replace(r.find, r.repl))
                p = build(bdir, args.jobs)
                if p.returncode:
                    err = [l for l in p.stdout.splitlines() if "error" in l][:2]
                    res = ("BROKEN", "does not build: " + " | ".join(err))
                else:
                    failed, _ = run_unit(bdir, args.jobs, args.timeout, args.exclude)
                    if failed:
                        res = ("KILLED", describe(failed))
                    elif r.equivalent:
                        res = ("EQUIVALENT", r.equivalent)
                    elif r.unreachable:
                        res = ("UNREACHABLE", r.unreachable)
                    else:
                        res = ("SURVIVED", "no unit test fails")
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(orig)
                # newer than any object built from the mutant, so make rebuilds it
                now = time.time()
                os.utime(path, (now, max(now, st.st_mtime + 1)))
        results.append((r, res))
        print(f"[{i}/{len(rows)}] {r.id}: {res[0]} {res[1]} ({time.monotonic() - t1:.0f} s)",
              flush=True)

    # leave the copy built as it was exported
    build(bdir, args.jobs)
    total = time.monotonic() - t0
    lines = [f"{'check':28} {'result':10} killed by / reason", "-" * 100]
    for r, (kind, what) in results:
        lines.append(f"{r.id:28} {kind:10} {what}")
    counts = {}
    for _, (kind, _) in results:
        counts[kind] = counts.get(kind, 0) + 1
    lines.append("-" * 100)
    lines.append(f"{len(results)} mutations in {total:.0f} s: " +
                 ", ".join(f"{v} {k.lower()}" for k, v in sorted(counts.items())))
    print("\n".join(lines))
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    bad = sum(v for k, v in counts.items() if k in ("SURVIVED", "STALE", "BROKEN"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
