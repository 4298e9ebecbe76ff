"""The launch-webinar morning, as locust plays it against the stack's proxy.

Four kinds of visitor, in the proportions of a launch morning:

- 60 % anonymous visitors browsing: the home page, the library with filters,
  resources, the events listing and events;
- 25 % signed-in members: home, search, My hub, resources, and now and then a
  registration for an event;
- 10 % people searching: a query, autocomplete as they type, sometimes a
  second page or a filter;
- 5 % newcomers: a join application or a registration as a visitor.

Each virtual user waits between steps as a person reads a page: 5 to 15
seconds by default (LOAD_THINK_SECONDS="5,15"; "1,4" plays people clicking
through as fast as they can, which finds the stack's capacity), and connects
from an address of its own in 127.0.0.0/8, as distinct people do, so
the hub's per-client rate limits count each person and not the whole test.
Requests are named by kind ("page: ...", "search: ...", "submit: ...") so the
report gives p50/p95/p99 per kind. A submission counts as failed unless the
hub answers with its confirmation (a redirect or the thank-you page).

Run by bench/load/run.py, which passes the plan (bench/load/plan.py) in
LOAD_PLAN; it runs in its own virtualenv (bench/load/requirements.txt).
"""

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read()) if os.environ.get("LOAD_PLAN") else {}
# Each run starts its people at another block of 127.0.0.0/8 (LOAD_ADDRESS_BASE),
# so the rate limits, which remember a client for an hour, meet new people.
_addresses = itertools.count(int(os.environ.get("LOAD_ADDRESS_BASE", "2")))
_sessions = itertools.count()
_emails = itertools.count()
RUN_ID = os.environ.get("LOAD_RUN_ID", "run")


class SourceAddressAdapter(HTTPAdapter):
    """Connections from one loopback address (each virtual user has its own)."""

    def __init__(self, address, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def next_address():
    n = next(_addresses)
    return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"


class FormReader(HTMLParser):
    """The fields of the page's POST forms, as a browser would send them untouched."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": [], "class": attrs.get("class", "")}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea"):
            self._form["fields"].append((tag, attrs))
        elif tag == "select":
            self._select = dict(attrs, options=[])
            self._form["fields"].append((tag, self._select))
        elif tag == "option" and self._select is not None and attrs.get("value"):
            self._select["options"].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html):
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def fill(form, person):
    """What a person types: every required field, the consent box, nothing in the honeypot."""
    data, radios = {}, set()
    for tag, attrs in form["fields"]:
        name, kind = attrs.get("name"), (attrs.get("type") or "text").lower()
        if not name or kind in ("submit", "button"):
            continue
        if kind == "hidden":
            data[name] = attrs.get("value", "")
        elif kind == "email":
            data[name] = person["email"]
        elif kind == "radio":
            if name not in radios:
                radios.add(name)
                data[name] = attrs.get("value", "")
        elif kind == "checkbox":
            if "required" in attrs or "checked" in attrs:
                data[name] = attrs.get("value") or "on"
        elif tag == "select":
            if attrs["options"]:
                data[name] = random.choice(attrs["options"])
        elif attrs.get("tabindex") == "-1":
            continue  # the honeypot: people never see it
        elif "required" in attrs or tag == "textarea":
            data[name] = person["name"] if "name" in name else "Load test, launch morning"
    return data


THINK_SECONDS = [float(n) for n in os.environ.get("LOAD_THINK_SECONDS", "5,15").split(",")]


class Visitor(HttpUser):
    abstract = True
    wait_time = between(*THINK_SECONDS)

    def on_start(self):
        # The stack's own certificate (bench/stack.py), and not REQUESTS_CA_BUNDLE's.
        self.client.verify = os.environ["LOAD_CERTIFICATE"]
        self.client.trust_env = False
        self.new_person()

    def new_person(self):
        """Another person: an address of their own, no cookies, nothing in their browser's cache."""
        adapter = SourceAddressAdapter(next_address(), pool_connections=2, pool_maxsize=2)
        self.client.mount("https://", adapter)
        self.client.cookies.clear()
        self.static_fetched = False

    def page(self, path, kind):
        with self.client.get(path, name=f"page: {kind}", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif not self.static_fetched:
                # A first visit also loads the style sheet and scripts; later pages have them cached.
                self.static_fetched = True
                for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', response.text)[:6]:
                    self.client.get(asset, name="static")
            return response

    def person(self):
        n = next(_emails)
        return {"name": f"Load Person {n}", "email": f"load-{RUN_ID}-{n}@load.example.org"}

    def submit(self, path, kind, form_class=None, person=None):
        """Open a page with a form, fill it in and send it, as a person would."""
        response = self.client.get(path, name=f"page: {kind} form")
        forms = [f for f in post_forms(response.text) if not form_class or form_class in f["class"]]
        forms = [f for f in forms if any(a.get("type") == "email" for _, a in f["fields"])] or forms
        if response.status_code != 200 or not forms:
            events.request.fire(
                request_type="POST", name=f"submit: {kind}", response_time=0, response_length=0,
                exception=RuntimeError(f"no form on {path} ({response.status_code})"), context={},
            )  # fmt: skip
            return
        form = forms[0]
        action = form["action"] or path
        data = fill(form, person or self.person())
        with self.client.post(
            action, data=data, name=f"submit: {kind}", headers={"Referer": self.host + path},
            allow_redirects=False, catch_response=True,
        ) as sent:  # fmt: skip
            if sent.status_code in (302, 303):
                sent.success()
            elif sent.status_code == 200 and re.search(
                r"(?i)thank|sent|registered|confirm|you are on", sent.text
            ):
                sent.success()
            else:
                sent.failure(f"{sent.status_code}: the form was not accepted")


class AnonymousVisitor(Visitor):
    weight = 60

    @task(3)
    def home(self):
        self.page(PLAN["home"], "home")

    @task(3)
    def library(self):
        self.page(random.choice(PLAN["library_filtered"] + PLAN["library"]), "library")

    @task(5)
    def resource(self):
        self.page(random.choice(PLAN["resources"]), "resource")

    @task(1)
    def events_listing(self):
        self.page(PLAN["events_index"][0], "events")

    @task(2)
    def event(self):
        self.page(random.choice(PLAN["events"]), "event")


class Member(Visitor):
    weight = 25

    def on_start(self):
        super().on_start()
        sessions = PLAN["sessions"]
        self.client.cookies.set(PLAN["session_cookie"], sessions[next(_sessions) % len(sessions)])

    @task(3)
    def home(self):
        self.page(PLAN["home"], "home (signed in)")

    @task(2)
    def my_hub(self):
        self.page("/account/", "My hub")

    @task(2)
    def search(self):
        self.page(random.choice(PLAN["search"]), "search (signed in)")

    @task(3)
    def resource(self):
        self.page(random.choice(PLAN["resources"]), "resource (signed in)")

    @task(1)
    def register(self):
        if PLAN["open_events"]:
            self.submit(random.choice(PLAN["open_events"]), "registration (member)", "event-register-form")


class Searcher(Visitor):
    weight = 10

    @task(3)
    def search(self):
        with self.client.get(random.choice(PLAN["search"]), name="search: query", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(str(r.status_code))

    @task(2)
    def autocomplete(self):
        word = random.choice(PLAN["autocomplete"])
        for end in range(2, len(word) + 1):
            self.client.get(f"/search/autocomplete/?q={word[:end]}", name="search: autocomplete")


class Newcomer(Visitor):
    """Someone who came to join or to register; after sending the form, the
    next newcomer (another person) arrives on this virtual user."""

    weight = 5

    @task(1)
    def join(self):
        self.submit(PLAN["join"][0], "join application", "join-form")
        self.new_person()

    @task(1)
    def register(self):
        if PLAN["open_events"]:
            self.submit(random.choice(PLAN["open_events"]), "registration (visitor)", "event-register-form")
        self.new_person()
