#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Where a secret lies in a running process's memory, for tests/e2e/gui.sh: counts the copies of
the first line of SECRET_FILE in the mappings marked MADV_DONTDUMP (lib/secret.c's pages: VmFlags
"dd" in /proc/PID/smaps) and in all the others (the heap, stacks, libraries' data), and names
the mappings of the latter. The secret comes from a file so that it is on no command line.

usage: secret_scan.py PID SECRET_FILE      prints: "dontdump N" and "elsewhere M [MAPPINGS]"
Mappings larger than 4 GiB (a sanitizer's shadow memory) are not read.
Exit: 0, or 2 when the process cannot be read."""
import re
import sys


HUGE = 4 << 30
CHUNK = 16 << 20


def count_in(mem, lo, hi, secret):
    """Copies of secret in [lo, hi), read in chunks that overlap by len(secret) - 1."""
    n, at, tail = 0, lo, b""
    while at < hi:
        try:
            mem.seek(at)
            data = mem.read(min(CHUNK, hi - at))
        except OSError:
            return n  # a device mapping, a guard page
        if not data:
            return n
        buf = tail + data
        n += buf.count(secret)
        tail = buf[-(len(secret) - 1):]
        at += len(data)
    return n


def main():
    pid, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        secret = f.readline().rstrip(b"\r\n")
    if len(secret) < 6:
        sys.exit("secret_scan: a secret that short would match by chance")
    maps = []
    cur = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)", line)
                if m:
                    cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4), ""]
                    maps.append(cur)
                elif line.startswith("VmFlags:") and cur:
                    cur[4] = line
        mem = open(f"/proc/{pid}/mem", "rb", buffering=0)
    except OSError as e:
        print(f"secret_scan: {e}", file=sys.stderr)
        sys.exit(2)
    dd = other = 0
    where = []
    for lo, hi, perms, name, flags in maps:
        if not perms.startswith("r") or name in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
            continue
        if hi - lo > HUGE:
            continue  # a sanitizer's shadow memory: flags, never copies of data
        n = count_in(mem, lo, hi, secret)
        if not n:
            continue
        if " dd" in flags:
            dd += n
        else:
            other += n
            where.append(f"{lo:x}-{hi:x} {perms} {name or '[anon]'}")
    print(f"dontdump {dd}")
    print(f"elsewhere {other} {'; '.join(where)}")


if __name__ == "__main__":
    main()
