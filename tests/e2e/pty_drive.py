# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a command with a pseudo-terminal as its controlling terminal and standard input.

Usage: python3 pty_drive.py TTY_LOG TYPE_FIFO -- CMD ARGS...

The command keeps this process's standard output and error (the test's logs); only standard
input and /dev/tty are the terminal. Whatever the command writes to the terminal (its
prompts) is appended to TTY_LOG as it comes, for the test to wait on. Each line written to
TYPE_FIFO is typed on the terminal (with its newline); the single line "EOF" types Ctrl-D
instead; the line "ECHO?" types nothing and appends "[pty_drive: echo on]" (or off) to TTY_LOG,
the terminal's echo setting at that moment. SIGTERM and SIGINT are passed to the command; this process exits with its status.
"""
import errno
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.stderr.write(__doc__)
        return 2
    log_path, fifo_path, cmd = sys.argv[1], sys.argv[2], sys.argv[4:]
    master, slave = os.openpty()
    # the command's session has the pseudo-terminal as its controlling terminal (after the
    # redirections and setsid, before exec)
    child = subprocess.Popen(
        cmd,
        stdin=slave,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        close_fds=True,
    )
    os.close(slave)
    signal.signal(signal.SIGTERM, lambda s, f: child.send_signal(s))
    signal.signal(signal.SIGINT, lambda s, f: child.send_signal(s))
    # O_RDWR: the FIFO never reports end of file between two writers
    fifo = os.open(fifo_path, os.O_RDWR | os.O_NONBLOCK)
    pending = b""
    watch = [master, fifo]
    with open(log_path, "ab", buffering=0) as log:
        while child.poll() is None:
            try:
                ready, _, _ = select.select(watch, [], [], 0.5)
            except InterruptedError:
                continue
            if master in ready:
                try:
                    data = os.read(master, 4096)
                except OSError as e:
                    if e.errno != errno.EIO:  # EIO: the command closed the terminal
                        raise
                    data = b""
                    watch.remove(master)
                log.write(data)
            if fifo in ready:
                pending += os.read(fifo, 4096)
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line == b"ECHO?":
                        on = termios.tcgetattr(master)[3] & termios.ECHO
                        log.write(b"\n[pty_drive: echo %s]\n" % (b"on" if on else b"off"))
                    else:
                        os.write(master, b"\x04" if line == b"EOF" else line + b"\n")
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
