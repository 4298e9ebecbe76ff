"""The nginx configuration in deploy/nginx/, checked and run by a real nginx.

compose's proxy (deploy/nginx/hub.conf) is checked with ``nginx -t`` in the
layout of the proxy image (/etc/nginx/nginx.conf including conf.d/*.conf, this
folder at hub/, the certificates at certs/). The locations every setup shares
(deploy/nginx/hub-locations.conf) are served by nginx in front of a small
upstream that answers with the request it received, so the tests see what
nginx sends visitors and what it tells the hub.
"""

import http.client
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None
)
OPENSSL = shutil.which("openssl")

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="no nginx binary on this machine (Debian: apt-get install nginx)"
)

HASHED_CSS = "css/site.0123456789ab.css"
RENDITION = "images/river.2e16d0ba.fill-300x200.jpg"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_block(tmp, body):
    """A main configuration like the proxy image's, with everything nginx writes kept in ``tmp``."""
    return f"""
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 64; }}
http {{
    types {{ text/html html; text/css css; image/jpeg jpg; application/pdf pdf; }}
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{body}
}}
"""


def nginx_test(tmp, conf):
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def compose_layout(tmp_path):
    """/etc/nginx of the proxy container, with the repository's files linked in."""
    if OPENSSL is None:
        pytest.skip("no openssl binary to make the test certificate")
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "default.conf").symlink_to(NGINX_DIR / "hub.conf")
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "hub-locations.conf").symlink_to(NGINX_DIR / "hub-locations.conf")
    # "web" resolves only on the compose network, and the "resolve" parameter
    # needs a newer nginx than Debian's: the upstream is the one part replaced.
    (tmp_path / "hub" / "upstream.conf").write_text("upstream hub { server 127.0.0.1:9; }\n")
    (tmp_path / "certs").mkdir()
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hub.test"]
        + [
            "-keyout",
            str(tmp_path / "certs" / "privkey.pem"),
            "-out",
            str(tmp_path / "certs" / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(http_block(tmp_path, "    include conf.d/*.conf;"))
    return tmp_path, conf


def test_nginx_accepts_the_compose_configuration_with_its_includes(compose_layout):
    tmp, conf = compose_layout
    result = nginx_test(tmp, conf)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_refuses_the_compose_configuration_without_the_upstream_it_names(compose_layout):
    # The check above would mean little if nginx -t did not read the includes.
    tmp, conf = compose_layout
    (tmp / "hub" / "upstream.conf").write_text("# no upstream\n")
    result = nginx_test(tmp, conf)
    assert result.returncode != 0
    assert "no port in upstream" in result.stderr or 'host not found in upstream "hub"' in result.stderr


def test_the_compose_upstream_follows_every_web_replica_through_dockers_dns():
    text = (NGINX_DIR / "upstream.conf").read_text()
    assert re.search(r"^resolver 127\.0\.0\.11\b", text, re.M)
    upstream = re.search(r"upstream hub \{(.*?)\}", text, re.S).group(1)
    assert re.search(r"^\s*zone \S+ \S+;", upstream, re.M)
    assert re.search(r"^\s*server web:8000 [^;]*\bresolve\b", upstream, re.M)


def test_http_is_redirected_to_https_and_tls_uses_the_mounted_certificate():
    text = (NGINX_DIR / "hub.conf").read_text()
    plain, tls = re.split(r"\nserver \{", text)[1:3]
    assert "listen 80" in plain and "return 301 https://$host$request_uri;" in plain
    assert "listen 443 ssl" in tls
    assert "ssl_certificate certs/fullchain.pem;" in tls
    assert "ssl_certificate_key certs/privkey.pem;" in tls
    assert "include hub/hub-locations.conf;" in tls
    # Strict-Transport-Security is the hub's (SECURE_HSTS_SECONDS): never twice.
    assert "Strict-Transport-Security" not in text


class EchoHandler(BaseHTTPRequestHandler):
    """The upstream: answers with the method, path and headers it was sent."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < length:
            received += len(self.rfile.read(min(65536, length - received)))
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "body_length": received,
                "headers": {name.lower(): value for name, value in self.headers.items()},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """nginx with hub-locations.conf in front of one stopped and one running
    web instance, and files on disk where STATIC_ROOT and MEDIA_ROOT would be."""
    tmp = tmp_path_factory.mktemp("nginx")
    static, media = tmp / "static", tmp / "media"
    for path, content in {
        static / "css" / "site.css": b"body { color: black }\n",
        static / HASHED_CSS: b"body { color: black }\n",
        media / RENDITION: b"\xff\xd8 rendition",
        media / "documents" / "minutes.pdf": b"%PDF members only",
        media / "original_images" / "river.jpg": b"\xff\xd8 original",
    }.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    subprocess.run(["gzip", "-k", str(static / HASHED_CSS)], check=True)

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    stopped_instance, port = free_port(), free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(
        "daemon off;\nmaster_process off;\n"
        + http_block(
            tmp,
            f"""
    upstream hub {{
        server 127.0.0.1:{stopped_instance};
        server 127.0.0.1:{upstream.server_port};
    }}
    server {{
        listen 127.0.0.1:{port};
        set $hub_static_root {static};
        set $hub_media_root {media};
        include {NGINX_DIR / "hub-locations.conf"};
    }}""",
        )
    )
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read()}")
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    upstream.shutdown()


def fetch(url, method="GET", headers=None, data=None):
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_hashed_static_files_are_cached_for_a_year_and_unhashed_ones_for_an_hour(proxy):
    status, headers, body = fetch(f"{proxy}/static/{HASHED_CSS}")
    assert status == 200 and body == b"body { color: black }\n"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == "text/css"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _ = fetch(f"{proxy}/static/css/site.css")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=3600"


def test_precompressed_static_files_go_to_browsers_that_take_gzip(proxy):
    status, headers, body = fetch(f"{proxy}/static/{HASHED_CSS}", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert body[:2] == b"\x1f\x8b"


def test_image_renditions_are_served_from_disk_and_cached_but_never_run_as_pages(proxy):
    status, headers, body = fetch(f"{proxy}/media/{RENDITION}")
    assert status == 200 and body == b"\xff\xd8 rendition"
    assert headers["Cache-Control"] == "public, max-age=604800"
    assert "sandbox" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/documents/minutes.pdf",
        "/media/original_images/river.jpg",
        "/media/",
        "/media/images/../documents/minutes.pdf",
        "/static/../media/documents/minutes.pdf",
    ],
)
def test_documents_and_original_images_are_never_served_from_disk(proxy, path):
    status, _, body = fetch(proxy + path)
    assert status == 404
    assert b"members only" not in body and b"original" not in body


def test_the_hub_is_told_the_address_nginx_saw_not_what_the_client_claimed(proxy):
    forged = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "Forwarded": "for=203.0.113.7;proto=https",
        "X-Real-IP": "203.0.113.7",
        "X-Forwarded-Ssl": "on",
    }
    status, _, body = fetch(f"{proxy}/resources/?topic=access", headers=forged)
    assert status == 200
    seen = json.loads(body)
    assert seen["path"] == "/resources/?topic=access"
    headers = seen["headers"]
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    # The port the visitor used is kept: Django's CSRF origin check needs it.
    assert headers["host"] == proxy.removeprefix("http://")
    assert headers["x-forwarded-host"] == proxy.removeprefix("http://")
    for removed in ("forwarded", "x-real-ip", "x-forwarded-ssl"):
        assert removed not in headers


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_stopped_web_instance_is_skipped(proxy, method):
    # The first server of the upstream refuses connections: every request is
    # answered by the second, a form post too (it never reached the first).
    for _ in range(4):
        status, _, body = fetch(f"{proxy}/account/", method=method, data=b"a=1" if method == "POST" else None)
        assert status == 200
        assert json.loads(body)["method"] == method


def test_the_liveness_check_is_passed_to_the_hub(proxy):
    status, _, body = fetch(f"{proxy}/health/live/")
    assert status == 200
    assert json.loads(body)["path"] == "/health/live/"


def test_an_upload_of_the_largest_document_the_hub_takes_reaches_it(proxy):
    size = settings.WAGTAILDOCS_MAX_UPLOAD_SIZE + 256 * 1024  # the file and its form around it
    status, _, body = fetch(
        f"{proxy}/admin/documents/multiple/add/",
        method="POST",
        data=b"x" * size,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 200
    assert json.loads(body)["body_length"] == size


def test_a_body_far_beyond_the_upload_limits_is_refused_by_nginx(proxy):
    limit = re.search(r"^client_max_body_size (\d+)m;", (NGINX_DIR / "hub-locations.conf").read_text(), re.M)
    # nginx answers on the announced length alone, before any of the body is sent.
    connection = http.client.HTTPConnection(proxy.removeprefix("http://"), timeout=10)
    connection.putrequest("POST", "/admin/documents/multiple/add/")
    connection.putheader("Content-Length", str(int(limit.group(1)) * 1024 * 1024 + 1))
    connection.endheaders()
    response = connection.getresponse()
    connection.close()
    assert response.status == 413
