"""Every public page type, rendered from the demo content, is valid HTML by the Nu
HTML Checker (the W3C's validator, ``vnu-jar`` from the npm registry, run with
Java 17). The checker reads files, so the rendered pages are written to a
temporary folder and checked in one run.

Without Java or the checker (``make install-dev`` installs it with npm) the test
is skipped with the reason, unless HUB_REQUIRE_BROWSER=1 (CI), where it fails.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Page

from events.models import EventPage

VNU_JAR = Path(__file__).parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Addresses beside the pages of the tree: views of our own that render HTML.
VIEWS = [
    "/search/?q=peer+support",
    "/search/?q=qwxzvbnm",
    "/account/sign-in/",
    "/account/password/reset/",
    "/embed/resources/",
    "/embed/events/",
    "/no-such-page/",
]


def checker():
    java = shutil.which("java")
    missing = [what for what, ok in (("java", java), (str(VNU_JAR), VNU_JAR.exists())) if not ok]
    if missing:
        reason = f"the Nu HTML Checker needs {', '.join(missing)} (make install-dev)"
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR)]


@pytest.fixture
def demo(home_page):
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_content", stdout=quiet)


def one_public_page_of_each_type():
    seen = {}
    for page in Page.objects.live().public().filter(depth__gt=1).specific().order_by("path"):
        seen.setdefault(type(page), page)
    return [page.url for page in seen.values()]


def validate(files):
    command = checker() + ["--errors-only", "--format", "json", *map(str, files)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    return json.loads(finished.stderr or "{}").get("messages", [])


def test_every_public_page_type_is_valid_html_with_a_description(client, demo, tmp_path):
    pages = one_public_page_of_each_type()
    addresses = list(pages)
    event = next(e for e in EventPage.objects.live().public().order_by("-start") if e.registration_is_open())
    addresses += VIEWS + [f"{event.url}register/"]
    assert len(addresses) >= 15, addresses

    files = {}  # file name -> address
    for number, address in enumerate(addresses):
        response = client.get(address)
        assert response.status_code in (200, 404), (address, response.status_code)
        assert response["Content-Type"].startswith("text/html"), address
        if address in pages:
            # Search engines and link previews show it; Lighthouse's SEO audit asks for it.
            assert re.search(rb'<meta name="description" content="[^"]+">', response.content), address
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(response.content)
        files[path.name] = address

    # Signed in, the header carries the account menu and pages their own parts
    # (My hub, Follow buttons): the demo member's view of the same kinds of page.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="member"))
    for number, address in enumerate(["/", "/account/", "/account/profile/", *pages], start=len(files)):
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(response.content)
        files[path.name] = f"{address} (signed in)"

    errors = [
        f"{files.get(Path(message.get('url', '')).name)} line {message.get('lastLine')}: "
        f"{message.get('message')}"
        for message in validate(sorted(tmp_path.glob("page-*.html")))
        if message.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)


def test_the_checker_reports_an_empty_form_action_as_an_error(tmp_path):
    # The check is real: the mistake the library filters once had is caught.
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><form method="get" action=""><button>Go</button></form></body></html>'
    )
    messages = validate([page])
    assert any("action" in message.get("message", "") for message in messages), messages
