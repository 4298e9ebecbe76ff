"""hub.outbound: which addresses the hub refuses to fetch, before any request."""

import pytest
from django.test import override_settings

from hub import outbound


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.170.2",
        "100.64.0.1",
        "100.100.100.200",
        "192.0.0.192",
        "198.18.0.1",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2001:db8::1",
    ],
)
def test_internal_reserved_and_metadata_addresses_are_not_public(address):
    assert not outbound.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_addresses_on_the_internet_are_public(address):
    assert outbound.is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://0/",
        "http://[::1]:8000/",
        "http://[::ffff:7f00:1]/",
        "https://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
    ],
)
def test_addresses_that_lead_inside_are_refused_however_they_are_written(url):
    with pytest.raises(outbound.Refused, match="internal network address"):
        outbound.check_address(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "Only web addresses"),
        ("gopher://partner.example.org/", "Only web addresses"),
        ("ftp://partner.example.org/feed.xml", "Only web addresses"),
        ("http://user:secret@partner.example.org/", "user name or password"),
        ("https://user@partner.example.org/", "user name or password"),
        ("http:///feed.xml", "no host name"),
        ("http://partner.example.org:99999/", "not a valid web address"),
    ],
)
def test_other_schemes_and_addresses_with_credentials_are_refused(url, reason):
    with pytest.raises(outbound.Refused, match=reason):
        outbound.fetch(url)


def test_a_host_name_that_cannot_be_found_is_not_refused_by_the_address_check():
    outbound.check_address("https://no-such-host.invalid/resource")


def test_the_allow_list_exempts_only_the_host_and_port_it_names():
    with override_settings(HUB_OUTBOUND_ALLOWED_HOSTS=["127.0.0.1:8123"]):
        outbound.check_address("http://127.0.0.1:8123/feed.xml")
        with pytest.raises(outbound.Refused):
            outbound.check_address("http://127.0.0.1:8124/feed.xml")
        with pytest.raises(outbound.Refused):
            outbound.check_address("http://10.0.0.1:8123/feed.xml")


def test_nothing_internal_is_allowed_by_default(settings):
    assert settings.HUB_OUTBOUND_ALLOWED_HOSTS == []


# --- https: the checked address, the partner's name ---------------------------------------


@pytest.fixture
def https_partner(tmp_path, monkeypatch):
    """An https server on 127.0.0.1 with a certificate for feeds.partner.test,
    trusted for the test, and that name resolving to it."""
    import http.server
    import shutil
    import socket
    import ssl
    import subprocess
    import threading

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert]
        + ["-days", "2", "-subj", "/CN=feeds.partner.test"]
        + [
            "-addext",
            "subjectAltName=DNS:feeds.partner.test",
            "-addext",
            "keyUsage=critical,keyCertSign,digitalSignature",
        ],
        check=True,
        capture_output=True,
    )
    seen_hosts = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen_hosts.append(self.headers.get("Host"))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    real_getaddrinfo = socket.getaddrinfo

    def partner_dns(host, *args, **kwargs):
        # The partner's DNS is the boundary stubbed here.
        if host in ("feeds.partner.test", "other.partner.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", partner_dns)
    monkeypatch.setattr(outbound, "CA_BUNDLE", str(cert))
    with override_settings(HUB_OUTBOUND_ALLOWED_HOSTS=[f"127.0.0.1:{port}"]):
        yield port, seen_hosts
    server.shutdown()
    server.server_close()


def test_https_connects_to_the_checked_address_with_the_partners_name_in_sni_and_host(https_partner):
    port, seen_hosts = https_partner
    with outbound.fetch(f"https://feeds.partner.test:{port}/feed.xml") as response:
        assert response.status_code == 200
        assert b"".join(response.iter_content()) == b"ok"
    assert seen_hosts == [f"feeds.partner.test:{port}"]


def test_https_refuses_a_certificate_for_another_name(https_partner):
    port, seen_hosts = https_partner
    with pytest.raises(outbound.Unreachable, match="certificate"):
        outbound.fetch(f"https://other.partner.test:{port}/feed.xml")
    assert seen_hosts == []
