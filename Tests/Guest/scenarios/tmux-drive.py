#!/usr/bin/python3
"""Type at `phase0` running in a pane of the operator's own tmux session, like the operator.

Usage: tmux-drive.py TRANSCRIPT TIMEOUT_S DONE_FILE TARGET [--hook TEXT SHELL_COMMAND]... -- TMUX...

TMUX... is how to reach the operator's tmux server (e.g. `setpriv ... env ... tmux`). The
wizard was started in pane TARGET by the scenario (`phase0 run; echo $? >DONE_FILE`). This
reads the pane with `capture-pane` and, when the screen has been still for a moment with a
line ending in ": " (a prompt), answers with `send-keys`: "y" to "[y]es" questions, Enter
(the default) to every other prompt; a --hook runs SHELL_COMMAND first when the screen shows
TEXT (what the operator does elsewhere: register Open WebUI's first account). Ends when
DONE_FILE appears. A prompt asked again three times in a row ends the run.
Prints "TMUX prompts=N confirms=N values=N exit=RC|none".
"""
import os
import subprocess
import sys
import time


def main():
    transcript, limit, done_file, target = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    split = sys.argv.index("--")
    options = sys.argv[5:split]
    hooks = [(options[i + 1], options[i + 2]) for i in range(len(options)) if options[i] == "--hook"]
    tmux = sys.argv[split + 1:]
    log = open(transcript, "w")
    stats = {"prompts": 0, "confirms": 0, "values": 0}
    start = time.time()
    last_screen, still_since, answered_screen = None, time.time(), None
    last_key, reasks = None, 0

    def run(*args):
        return subprocess.run(tmux + list(args), capture_output=True, text=True)

    while time.time() - start < limit and not os.path.exists(done_file):
        screen = run("capture-pane", "-p", "-J", "-t", target, "-S", "-40").stdout
        if screen != last_screen:
            last_screen, still_since = screen, time.time()
            time.sleep(0.3)
            continue
        lines = [line for line in screen.split("\n") if line.strip()]
        if time.time() - still_since < 0.8 or not lines or screen == answered_screen:
            time.sleep(0.3)
            continue
        key = lines[-1].strip()
        if not key.endswith(":"):
            time.sleep(0.3)
            continue
        # Asked again: the same prompt right after a refusal ("Not accepted", "Not yet").
        recent = "\n".join(lines[-4:])
        reasks = reasks + 1 if key == last_key and ("Not accepted" in recent or "Not yet" in recent) else 0
        if reasks >= 3:
            log.write("\n[tmux-drive: prompt asked again 3 times, giving up: %r]\n" % key)
            break
        last_key = key
        stats["prompts"] += 1
        log.write("\n---- screen at prompt %d ----\n%s\n" % (stats["prompts"], screen))
        if "[y]es" in key:
            stats["confirms"] += 1
            keys = ["y", "Enter"]
        else:
            stats["values"] += 1
            keys = ["Enter"]
            for text, command in hooks:
                if text in screen:
                    done = subprocess.run(command, shell=True, capture_output=True, text=True)
                    log.write("[tmux-drive: hook for %r: exit %d %s]\n" % (text, done.returncode, done.stdout.strip()[:200]))
        run("send-keys", "-t", target, *keys)
        log.flush()
        answered_screen = screen
    code = open(done_file).read().strip() if os.path.exists(done_file) else "none"
    log.write("\n---- final screen ----\n%s\n" % run("capture-pane", "-p", "-J", "-t", target, "-S", "-60").stdout)
    print("TMUX prompts=%d confirms=%d values=%d exit=%s" % (stats["prompts"], stats["confirms"], stats["values"], code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
