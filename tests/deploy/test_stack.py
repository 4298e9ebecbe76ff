"""The two-instance stack (bench/stack.py) answers the same on both instances right after a publish.

Slow: it brings up the whole stack as production runs it (its own PostgreSQL
cluster, Redis, the OpenSearch node of the run or one of its own, the mail
server, two gunicorn instances with production settings behind nginx with
TLS, the task worker and the scheduler) with the demo content, then:

- an editor unpublishes a resource in the admin of instance 1, and instance 2
  at once stops showing it (page, library, search) although it had just served
  and cached it; an editor publishes a draft on instance 1 and instance 2 at
  once shows it, search included;
- a visitor registers for an event through the proxy, the registration is
  stored and its confirmation reaches the mail server through the worker;
- the readiness check through the proxy reports every service ready.

Nothing in it is mocked. Requests to one instance go to its gunicorn port
straight, as the proxy would send them (``X-Forwarded-Proto: https`` from a
trusted proxy address), with the cookies kept by hand, since the production
cookies are Secure.
"""

import html
import json
import os
import re
import shutil
import tempfile
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie

import pytest
import requests

from bench.stack import Stack

pytestmark = [pytest.mark.stack]


@pytest.fixture(scope="module")
def stack():
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed (apt-get install nginx): the stack needs it")
    if os.environ.get("HUB_TEST_STACK_DIR"):  # a stack already up (bench/stack.py up), while writing tests
        yield Stack(os.environ["HUB_TEST_STACK_DIR"])
        return
    folder = tempfile.mkdtemp(prefix="hub-stack-")
    the_stack = Stack(folder)
    try:
        the_stack.up(opensearch_url=os.environ.get("OPENSEARCH_URL") or None, web_workers=1)
        yield the_stack
    finally:
        the_stack.down()
        shutil.rmtree(folder, ignore_errors=True)


class Forms(HTMLParser):
    """The POST forms of a page and what a browser would send from each untouched
    (hidden values, ticked boxes, each list's first choice)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {
                "action": attrs.get("action") or "",
                "class": attrs.get("class") or "",
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if attrs.get("type") in ("checkbox", "radio") else ""
            self._form["fields"][attrs["name"]] = attrs.get("value") or default
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and attrs.get("value"):
            self._form["fields"].setdefault(self._select, attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_form(html, form_class=""):
    parser = Forms()
    parser.feed(html)
    forms = [form for form in parser.forms if form_class in form["class"]]
    assert forms, f"no POST form with class {form_class!r} on the page"
    return forms[0]


class Instance:
    """A person's browser talking to one web instance as the proxy would."""

    def __init__(self, base):
        self.base, self.cookies = base, {}

    def request(self, method, path, data=None):
        origin = "https://" + self.base.split("://", 1)[1]
        headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method, self.base + path, data=data, headers=headers, allow_redirects=False, timeout=30
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, path):
        return self.request("GET", path)

    def sign_in(self, username, password):
        page = self.get("/admin/login/")
        form = post_form(page.text)
        fields = {**form["fields"], "username": username, "password": password}
        response = self.request("POST", "/admin/login/", fields)
        assert response.status_code == 302, response.text[:2000]

    def confirm(self, path):
        """Open an admin confirmation page and press its button."""
        page = self.get(path)
        assert page.status_code == 200, page.text[:2000]
        form = post_form(page.text)
        response = self.request("POST", form["action"] or path, form["fields"])
        assert response.status_code == 302, response.text[:2000]


def wait_until(check, seconds=15.0):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


PAGES = """
import json
import time
from knowledge.factories import ResourcePageFactory
from knowledge.models import ResourceIndexPage, ResourcePage
library = ResourceIndexPage.objects.live().public().first()
# This year's, so the library (newest publication year first) lists it on its first page.
year = __import__("datetime").date.today().year
draft = ResourcePageFactory(
    parent=library, title=f"Stack draft on peer respite {time.time_ns()}", live=False, publication_year=year
)
draft.save_revision()
print(json.dumps({"library": library.url, "draft": [draft.id, draft.title]}))
"""

# Every live resource: its URL, id and title.
RESOURCES = """
import json
from wagtail.models import Site
from knowledge.models import ResourcePage
site = Site.objects.get(is_default_site=True)
print(json.dumps({p.get_url(None, site): [p.id, p.title] for p in ResourcePage.objects.live()}))
"""


def in_search(instance, title):
    response = instance.get("/search/?" + requests.compat.urlencode({"q": title, "format": "json"}))
    assert response.status_code == 200
    return title in json.dumps(response.json()["results"])


def test_a_publish_on_one_instance_is_seen_at_once_on_the_other(stack):
    pages = json.loads(stack.python(PAGES).strip().splitlines()[-1])
    draft_id, draft_title = pages["draft"]
    one, two = Instance(stack.web_url(1)), Instance(stack.web_url(2))
    # The first resource the library lists.
    resources = json.loads(stack.python(RESOURCES).strip().splitlines()[-1])
    listed = re.findall(r'href="([^"]+)"', two.get(pages["library"]).text)
    live_url = next(url for url in listed if url in resources)
    live_id, live_title = resources[live_url]

    # Instance 2 serves (and caches) the live resource and the library.
    for _ in range(2):
        assert two.get(live_url).status_code == 200
        assert live_title in html.unescape(two.get(pages["library"]).text)
    assert in_search(two, live_title)

    one.sign_in("admin", "admin-demo-2026")
    one.confirm(f"/admin/pages/{live_id}/unpublish/")

    assert two.get(live_url).status_code == 404
    assert live_title not in html.unescape(two.get(pages["library"]).text)
    assert not in_search(two, live_title)

    one.confirm(f"/admin/bulk/wagtailcore/page/publish/?id={draft_id}")
    library = two.get(pages["library"])
    assert draft_title in html.unescape(library.text)
    draft_url = re.search(r'href="([^"]+)"[^>]*>\s*' + re.escape(draft_title), library.text).group(1)
    assert two.get(draft_url).status_code == 200
    # The engine makes a new document searchable within its refresh interval (1 s).
    assert wait_until(lambda: in_search(two, draft_title))


def test_a_registration_through_the_proxy_is_stored_and_confirmed_by_mail(stack):
    register_url = (
        stack.python(
            "from django.utils import timezone\n"
            "from events.models import EventPage\n"
            "now = timezone.now()\n"
            "upcoming = EventPage.objects.live().public().filter(start__gt=now).order_by('start')\n"
            "event = next(e for e in upcoming\n"
            "             if e.uses_built_in_registration and e.registration_is_open(now))\n"
            "print(event.register_url())\n"
        )
        .strip()
        .splitlines()[-1]
    )
    browser = requests.Session()
    browser.verify = stack.certificate
    browser.trust_env = False  # else REQUESTS_CA_BUNDLE would replace the stack's certificate
    page = browser.get(stack.url + register_url, timeout=30)
    assert page.status_code == 200
    form = post_form(page.text, "event-register-form")
    email = f"stack-{int(time.time())}@visitor.example.org"
    data = {**form["fields"], "name": "Robin Visitor", "email": email, "organisation": "Riverside CMHC"}
    data.update(consent="on", website="")
    sent = browser.post(stack.url + (form["action"] or register_url), data=data, timeout=30,
                        headers={"Referer": stack.url + register_url})  # fmt: skip
    assert sent.status_code == 200, sent.text[:2000]
    assert "Your place" in sent.text or "waiting list" in sent.text

    stored = stack.python(
        "from events.models import EventRegistration\n"
        f"print(EventRegistration.objects.filter(email={email!r}).count())"
    )
    assert stored.strip().splitlines()[-1] == "1"
    assert wait_until(lambda: stack.mail_status().get("per_recipient", {}).get(email) == 1, 30)


def test_readiness_through_the_proxy_reports_every_service(stack):
    response = requests.get(stack.url + "/health/ready/", verify=stack.certificate, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready", body
    assert {"database", "cache", "search", "mail"} <= set(body["checks"])
    # Straight to a stopped instance fails; through the proxy the other answers.
    stack.stop_web(1)
    try:
        assert all(
            requests.get(stack.url + "/health/live/", verify=stack.certificate, timeout=30).status_code == 200
            for _ in range(6)
        )
    finally:
        stack.start_web(1)
