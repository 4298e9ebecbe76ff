#!/usr/bin/env python
"""Keep one command running, as compose's ``restart: unless-stopped`` or
systemd's ``Restart=on-failure`` do for the hub's worker in production: when
the command exits with an error (the task worker stops when the database goes
away), it is started again after a short pause, longer after each quick
failure (1, 2, 4 ... at most 30 s). SIGTERM or SIGINT stop the command and
this supervisor.

    python bench/supervise.py -- python manage.py db_worker --backend mail
"""

import signal
import subprocess
import sys
import time

MAX_PAUSE = 30.0


def main():
    if "--" not in sys.argv:
        sys.exit("usage: supervise.py -- COMMAND ...")
    command = sys.argv[sys.argv.index("--") + 1 :]
    stopping = False
    child = None

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = 1.0
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping or code == 0:
            break
        ran = time.monotonic() - started
        pause = 1.0 if ran > 60 else min(pause * 2, MAX_PAUSE)
        name = " ".join(command[1:4])
        print(f"supervise: {name} exited with {code} after {ran:.0f} s; again in {pause:.0f} s", flush=True)
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.2)
    sys.exit(0 if stopping else code)


if __name__ == "__main__":
    main()
