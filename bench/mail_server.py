#!/usr/bin/env python
"""The two-instance stack's mail server: a small SMTP server on a loopback port.

It is the fault tests' ``FaultySMTPServer`` (tests/hub/faulty_services.py) run as
a process of its own: it takes every message (mode ``accept``) until the control
file says another mode (``refuse``, ``sender``, ``recipient``, ``silent``,
``tls``), and it counts what it took (in all and per recipient) in the status file, as JSON, so the fault
bench can tell whether every queued message arrived:

    python bench/mail_server.py --port 2525 --control DIR/mail.mode --status DIR/mail.json
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The server forgets, on start, the mail servers the hub's backend marked as
# failing (hub/mail.py), so it loads the hub's settings first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")

import django  # noqa: E402

django.setup()

from tests.hub.faulty_services import FaultySMTPServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control", type=Path, required=True, help="a file holding the mode")
    parser.add_argument("--status", type=Path, required=True, help="where the counts are written")
    args = parser.parse_args()
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not args.control.exists():
        args.control.write_text("accept\n")
    with FaultySMTPServer("accept", port=args.port) as server:
        written = None
        while running:
            mode = args.control.read_text().strip() or "accept"
            if mode != server.mode:
                server.mode = mode
            per_recipient = {}
            for _, rcpts, _ in list(server.received):
                for rcpt in rcpts:
                    per_recipient[rcpt] = per_recipient.get(rcpt, 0) + 1
            status = {
                "mode": server.mode,
                "connections": server.connections,
                "messages": len(server.received),
                "per_recipient": per_recipient,
            }
            if status != written:
                temporary = args.status.with_suffix(".tmp")
                temporary.write_text(json.dumps(status))
                temporary.replace(args.status)
                written = status
            time.sleep(0.2)


if __name__ == "__main__":
    main()
