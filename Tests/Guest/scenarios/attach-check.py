#!/usr/bin/python3
"""Attach to a tmux session in a pseudo-terminal as the README says, then detach.

Usage: attach-check.py -- ATTACH_COMMAND... -- CLIENTS_COMMAND...

Runs ATTACH_COMMAND (e.g. `setpriv ... tmux -L vybn attach -t vybn`) on a real pty, waits for
it to draw, runs CLIENTS_COMMAND (e.g. `... tmux -L vybn list-clients -t vybn`) to count the
clients while attached, presses Ctrl-B d, and waits for the client to exit.
Prints "ATTACH clients=N exit=RC detached=yes|no".
"""
import os
import pty
import select
import signal
import subprocess
import sys
import time


def main():
    first = sys.argv.index("--")
    second = sys.argv.index("--", first + 1)
    attach, clients = sys.argv[first + 1:second], sys.argv[second + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(attach[0], attach)
    seen = b""

    def read_for(seconds):
        nonlocal seen
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                seen += data
        return True

    read_for(3)
    listed = subprocess.run(clients, capture_output=True, text=True).stdout
    count = len([line for line in listed.split("\n") if line.strip()])
    os.write(fd, b"\x02d")   # Ctrl-B d: detach
    read_for(3)
    code = None
    for _ in range(50):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        time.sleep(0.1)
    if code is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    detached = b"detached" in seen
    print("ATTACH clients=%d exit=%s detached=%s" % (count, code, "yes" if detached else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
