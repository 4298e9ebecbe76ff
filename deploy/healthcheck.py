"""Exit 0 when this container's gunicorn answers /health/live/ with "ok", 1 otherwise.

The image's HEALTHCHECK and compose's web healthcheck run it (Python's own
http.client: the slim image has no curl). It asks gunicorn directly, at the first address
of GUNICORN_BIND, as a visitor would reach the hub through nginx: with a host
name from ALLOWED_HOSTS (Django refuses others) and X-Forwarded-Proto: https,
which the hub believes from 127.0.0.1 when TRUSTED_PROXIES lists it
(compose.yaml does); otherwise production's HTTPS redirect answers, which
counts as a failure: redirects are not followed, so the check never leaves
this container.
"""

import http.client
import os
import socket
import sys

TIMEOUT = 4


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=TIMEOUT)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(self.path)


def connection():
    bind = (os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000").split(",")[0].strip()
    if bind.startswith("unix:"):
        return UnixHTTPConnection(bind.removeprefix("unix:"))
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return http.client.HTTPConnection(host, int(port or 8000), timeout=TIMEOUT)


def host_header():
    for entry in (os.environ.get("ALLOWED_HOSTS") or "localhost").split(","):
        entry = entry.strip().lstrip(".")
        if entry and entry != "*":
            return entry
    return "localhost"


def main():
    try:
        conn = connection()
        conn.request("GET", "/health/live/", headers={"Host": host_header(), "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        body = response.read(64)
    except (OSError, http.client.HTTPException) as error:
        print(f"unhealthy: {error}")
        return 1
    if response.status == 200 and body.strip() == b"ok":
        return 0
    print(f"unhealthy: HTTP {response.status} {response.getheader('Location') or body[:40]!r}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
