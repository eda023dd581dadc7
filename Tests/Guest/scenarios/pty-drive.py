#!/usr/bin/python3
"""Drive `phase0` through a pseudo-terminal like an operator at a keyboard.

Usage: pty-drive.py TRANSCRIPT TIMEOUT_S [--hook TEXT SHELL_COMMAND]... -- COMMAND...

The command runs as the child of a real pty, so phase0 sees a terminal and
uses GNU readline. When it waits at a prompt (output stops on a line ending in
": " with no newline), this answers:
  - "[y]es / [n]o / ..." confirmations and questions: yes; the first one is typed
    with readline line editing ("es", Ctrl-A, "y") so a plain line reader would
    see garbage and re-ask;
  - "press Enter" prompts and value prompts with a [default]: Enter (the default).
A --hook runs SHELL_COMMAND before answering a prompt whose preceding output contains TEXT
(what the operator does elsewhere first: register Open WebUI's first account).
A prompt asked again three times in a row ends the run (the driver cannot answer it).
Prints a summary line "PTY prompts=N confirms=N values=N editing=ok|failed|untested exit=RC".
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


def main():
    transcript, limit = sys.argv[1], float(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    options = sys.argv[3:sys.argv.index("--")]
    hooks = [(options[i + 1], options[i + 2]) for i in range(len(options)) if options[i] == "--hook"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    log = open(transcript, "wb")
    buf = b""
    last_out = time.time()
    start = time.time()
    stats = {"prompts": 0, "confirms": 0, "values": 0}
    editing = "untested"
    edit_prompt = None
    last_key = None
    reasks = 0
    since = b""
    status = None
    while True:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                break
            log.write(data)
            log.flush()
            buf = (buf + data)[-4000:]
            since = (since + data)[-4000:]
            last_out = time.time()
            continue
        if time.time() - start > limit:
            log.write(b"\n[pty-drive: timeout, sending SIGKILL]\n")
            os.kill(pid, signal.SIGKILL)
            break
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        if time.time() - last_out < 0.8:
            continue
        line = ANSI.sub(b"", buf).split(b"\n")[-1].decode("utf-8", "replace")
        if not line.rstrip().endswith(":") or not line.endswith(" "):
            continue
        key = line.strip()
        between = ANSI.sub(b"", since).decode("utf-8", "replace")
        reask = key == last_key and ("not accepted" in between.lower()
                                     or len(between.strip()) < len(key) + 30)
        reasks = reasks + 1 if reask else 0
        if edit_prompt is not None:
            # The prompt after the edited answer: asked again means the editing failed.
            editing = "failed" if reask else "ok"
            edit_prompt = None
        if reasks >= 3:
            log.write(("\n[pty-drive: prompt asked again 3 times, giving up: %r]\n" % key).encode())
            os.kill(pid, signal.SIGKILL)
            break
        last_key = key
        stats["prompts"] += 1
        low = key.lower()
        if "[y]es" in low:
            stats["confirms"] += 1
            if editing == "untested":
                answer = b"es\x01y\r"  # type "es", Ctrl-A (beginning-of-line), "y" -> "yes"
                edit_prompt = key
            else:
                answer = b"y\r"
        else:
            stats["values"] += 1
            answer = b"\r"
            for text, command in hooks:
                if text in between:
                    done = subprocess.run(command, shell=True, capture_output=True, text=True)
                    log.write(("\n[pty-drive: hook for %r: exit %d %s]\n" % (text, done.returncode, done.stdout.strip()[:200])).encode())
        buf = b""
        since = b""
        os.write(fd, answer)
        last_out = time.time()
    if status is None:
        _, status = os.waitpid(pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    print("PTY prompts=%d confirms=%d values=%d editing=%s exit=%d"
          % (stats["prompts"], stats["confirms"], stats["values"], editing, rc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
