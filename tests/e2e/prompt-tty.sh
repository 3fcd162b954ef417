#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# evc's questions before the tunnel (the group key here) on a pseudo-terminal
# (tests/e2e/pty_drive.py's way: standard input and controlling terminal):
#   ctrl-c  Ctrl-C at the question ends evc by SIGINT, and the terminal has its
#           echo back (evc turned it off for the key): the signal is held until
#           the terminal is restored
#   ctrl-d  Ctrl-D declines: exit 1 with "no group key typed (end of input)",
#           echo back on
# evc runs in a namespace of its own with nothing to reach; it never sends.
#
# Usage: tests/e2e/prompt-tty.sh [BUILD_DIR] ctrl-c|ctrl-d
# Exit: 0 pass, 1 fail, 77 skipped (not root).

set -eu
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/evcs.sh
source "$here/../lib/evcs.sh"

case $# in
1) build='' mode=$1 ;;
2) build=$1 mode=$2 ;;
*) mode='' ;;
esac
case $mode in
ctrl-c) key='\x03' ;;
ctrl-d) key='\x04' ;;
*)
	echo "usage: $0 [BUILD_DIR] ctrl-c|ctrl-d" >&2
	exit 2
	;;
esac

evcs_init "e2e-prompt-tty-$mode" "$build"
rig_require_cmd python3
rig_ns_add client
log=$(rig_log evc-tty)
# prints "exit=N echo-during=0|1 echo-after=0|1"; what evc wrote to the terminal goes to $log
res=$(timeout 30 python3 - "$log" "$key" ip netns exec "$(rig_ns client)" "$EVC_BIN" connect \
	--gateway "$RIG_GW_ADDR" --group "$EVC_GROUP" --user "$EVC_USER" --dns off \
	--state-file "$RIG_DIR/evc.state" --control "$RIG_DIR/evc.sock" <<'PY'
import fcntl, os, select, subprocess, sys, termios, time
log, key, cmd = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode(), sys.argv[3:]
master, slave = os.openpty()
child = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                         preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
os.close(slave)
out = b""
def more(until):
    global out
    deadline = time.monotonic() + 10
    while until not in out and time.monotonic() < deadline:
        try:
            if select.select([master], [], [], deadline - time.monotonic())[0]:
                data = os.read(master, 4096)
                if not data:
                    break
                out += data
        except OSError:  # EIO: evc closed the terminal
            break
more(b"Group key for ")
echo_during = termios.tcgetattr(master)[3] & termios.ECHO != 0
os.write(master, key)
rc = child.wait(timeout=10)
more(b"\0")  # whatever evc wrote before it ended
open(log, "ab").write(out)
echo_after = termios.tcgetattr(master)[3] & termios.ECHO != 0
print(f"exit={rc} echo-during={int(echo_during)} echo-after={int(echo_after)}")
PY
) || fail "the pseudo-terminal driver failed: $res"
rig_note "$mode: $res; evc wrote: $(tr -c '[:print:]' ' ' <"$log")"
grep -q 'Group key for ' "$log" || fail "evc did not ask for the group key on its terminal"
[[ $res == *echo-during=0* ]] || fail "evc echoed the group key as it was typed: $res"
[[ $res == *echo-after=1* ]] || fail "evc left the terminal without echo: $res"
if [[ $mode == ctrl-c ]]; then
	[[ $res == exit=-2* ]] || fail "evc did not end by SIGINT on Ctrl-C: $res"
else
	[[ $res == exit=1* ]] || fail "evc did not exit 1 on Ctrl-D: $res"
	grep -q 'no group key typed (end of input)' "$log" || fail "evc did not say the group key was not typed"
fi
rig_note "PASS"
