"""A partner's web server on 127.0.0.1, for tests: serves fixed answers per path.

It stands for the partners' servers, which the hub does not own; tests use it
instead of the network."""

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from django.test import override_settings


class Answer:
    def __init__(
        self, body=b"", status=200, content_type="application/xml", delay=0, headers=None, send_length=True
    ):
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.content_type = content_type
        self.delay = delay
        self.headers = headers or {}
        # Without a length the body runs until the connection closes (HTTP/1.0).
        self.send_length = send_length
        # The Host header of every request answered, to prove who was asked.
        self.hosts = []


def _handler(routes):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body):
            answer = routes.get(self.path.split("?")[0])
            if answer is None:
                answer = Answer(b"not here", status=404, content_type="text/plain")
            answer.hosts.append(self.headers.get("Host", ""))
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.send_length:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if with_body:
                try:
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        def do_GET(self):
            self._answer(True)

        def do_HEAD(self):
            self._answer(False)

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def partner_server(routes, trusted=True, host="127.0.0.1", port=0):
    """``with partner_server({"/feed.xml": Answer(...)}) as base_url:``

    The hub refuses to fetch from internal addresses such as 127.0.0.1, so a
    trusted server (the default) is added to ``HUB_OUTBOUND_ALLOWED_HOSTS`` for
    as long as it runs, by its address and port only. ``trusted=False`` stands
    for a server on the hub's own network that a partner must not reach."""
    server = ThreadingHTTPServer((host, port), _handler(routes))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"{host}:{server.server_address[1]}"
    allowed = [*getattr(settings, "HUB_OUTBOUND_ALLOWED_HOSTS", [])]
    if trusted:
        allowed.append(address)
    try:
        with override_settings(HUB_OUTBOUND_ALLOWED_HOSTS=allowed):
            yield f"http://{address}"
    finally:
        server.shutdown()
        server.server_close()


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Northeast Peer Network news</title><link>https://peers.example.org/</link><description>News</description>
<item><title>Peer specialists &amp; the 988 rollout</title><link>https://peers.example.org/news/988</link>
<guid>https://peers.example.org/news/988</guid><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate>
<description><![CDATA[<p>What peers learned <script>alert('x')</script><b>in year one</b>.</p>
<img src=x onerror=alert(1)>]]></description></item>
<item><title>Supervision guide published</title><link>https://peers.example.org/news/guide</link>
<guid>https://peers.example.org/news/guide</guid><pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate>
<description>A practical guide.</description></item>
<item><title>Supervision guide published</title><link>https://peers.example.org/news/guide</link>
<guid>https://peers.example.org/news/guide</guid><pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate>
<description>A practical guide (sent twice).</description></item>
<item><title>Bad link item</title><link>javascript:alert(1)</link><guid>bad-link</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Research network</title><id>urn:rn</id>
<updated>2026-03-01T00:00:00Z</updated>
<entry><title>Call for pilot sites</title><id>urn:rn:pilot</id><link href="https://research.example.org/pilot"/>
<updated>2026-03-01T00:00:00Z</updated>
<summary type="html">&lt;em&gt;Apply&lt;/em&gt; by April.</summary></entry>
</feed>"""

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Partner//EN\r
BEGIN:VEVENT\r
UID:evt-1@peers.example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART:20260415T170000Z\r
DTEND:20260415T180000Z\r
SUMMARY:Peer network open call\r
URL:https://peers.example.org/events/open-call\r
DESCRIPTION:Monthly <b>open call</b> for peer specialists.\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:evt-2@peers.example.org\r
DTSTAMP:20260101T000000Z\r
DTSTART:20260420T170000Z\r
SUMMARY:Cancelled session\r
STATUS:CANCELLED\r
END:VEVENT\r
END:VCALENDAR\r
"""

MALFORMED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item><title>Unclosed"""
NOT_A_FEED = (
    "<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Our home page</p></body></html>"
)
