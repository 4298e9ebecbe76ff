"""Security headers and methods: the Content-Security-Policy of public pages and of
the admin, X-Page-Cache only when operations ask for it, unknown methods refused."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def policy(response, header="Content-Security-Policy"):
    """The policy as {directive: [values]}."""
    directives = {}
    for part in response[header].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def about(home_page):
    page = StandardPageFactory(parent=home_page, title="About the hub", slug="about-the-hub")
    page.save_revision().publish()
    return page


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "PROPFIND", "FOO"])
@pytest.mark.parametrize(
    "path", ["/", "/about-the-hub/", "/admin/", "/static/css/hub.css", "/api/v2/pages/", "/no-such-page/"]
)
def test_trace_and_other_unknown_methods_are_refused_with_405_at_every_address(client, about, method, path):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"] and "GET" in response["Allow"]


def test_the_ordinary_methods_still_reach_the_pages(client, about):
    assert client.get(about.url).status_code == 200
    assert client.head(about.url).status_code == 200
    assert client.options("/api/v2/pages/").status_code == 204


@pytest.mark.parametrize("view", ["miss", "hit"])
def test_public_pages_send_the_strict_content_security_policy(client, about, view):
    response = client.get(about.url)
    if view == "hit":
        response = client.get(about.url)
        assert response["X-Page-Cache"] == "hit"
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]


def test_the_admin_has_its_own_policy_that_allows_its_inline_scripts_and_styles(client):
    directives = policy(client.get("/admin/login/"))
    assert "'unsafe-inline'" in directives["script-src"]
    assert "'unsafe-inline'" in directives["style-src"]
    # What the looser policy keeps: no plugins, no foreign <base>, framed only by the hub.
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


def test_the_public_templates_hold_no_inline_script_or_event_handler():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")]:
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        # E-mails are read in mail programs, not served under the site's policy,
        # and most of those programs only follow styles written on each element.
        email = bool({"emails", "email"} & set(path.parts))
        # Data blocks (JSON-LD) are not run, so the policy does not apply to them.
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", text
        ):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
        for match in re.finditer(r"<[a-z][^>]*\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
        for match in () if email else re.finditer(r"<[a-z][^>]*\sstyle\s*=\s*\"", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert not offenders, "\n".join(offenders)


@override_settings(HUB_EXPOSE_CACHE_HEADER=False)
def test_the_page_cache_header_is_not_sent_unless_operations_switch_it_on(client, about):
    first = client.get(about.url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(about.url)
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    # Still served from the cache: the second view asks the database nothing.
    assert len(queries) == 0
    assert second.content == first.content


def test_the_hub_names_no_server_software_in_its_responses(client, about):
    for response in (client.get(about.url), client.get("/no-such-page/"), client.get("/admin/login/")):
        assert "Server" not in response
        assert "X-Powered-By" not in response


@override_settings(
    TRUSTED_PROXIES=["10.0.0.1"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
)
def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy(client, about):
    # From the proxy: the visitor used HTTPS, the page is served.
    proxied = client.get(about.url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    # A client reaching the hub directly cannot claim HTTPS: it is sent to https://.
    direct = client.get(about.url, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
