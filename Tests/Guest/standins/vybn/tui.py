"""Stand-in for Vybn's spark/tui.py (the real agent drives a 229B model).

It stays up forever like the real TUI: prints a heartbeat, echoes lines typed
at it, and writes its PID to /tmp/vybn-tui.pid so tests can find it.
Make it crash (exit 1) by creating /tmp/vybn-crash, or just kill it.
"""
import os
import select
import sys
import time

import agent

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if not os.path.exists(os.path.join(HERE, "config.yaml")):
        print("config.yaml missing", file=sys.stderr)
        return 2
    with open("/tmp/vybn-tui.pid", "w") as f:
        f.write("%d\n" % os.getpid())
    print("Vybn TUI (stand-in) %s, python %s" % (agent.VERSION, sys.executable), flush=True)
    beat = 0
    while True:
        if os.path.exists("/tmp/vybn-crash"):
            print("crash requested by /tmp/vybn-crash", flush=True)
            return 1
        ready, _, _ = select.select([sys.stdin], [], [], 2.0)
        if ready:
            line = sys.stdin.readline()
            if line:
                print("vybn> " + agent.reply(line.strip()), flush=True)
        beat += 1
        if beat % 15 == 0:
            print("heartbeat %d at %s" % (beat, time.strftime("%H:%M:%S")), flush=True)


if __name__ == "__main__":
    sys.exit(main())
