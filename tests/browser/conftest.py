"""Browser tests: pytest-django's ``live_server`` driven by Debian's Chromium through
Playwright's sync API, plus an axe-core accessibility check.

* Chromium must be at /usr/bin/chromium (``apt-get install chromium``). Playwright's own
  browser download is not used; never run ``playwright install``.
* Without Chromium the tests are skipped, unless HUB_REQUIRE_BROWSER=1 (CI sets it): then
  they fail, so a broken CI image cannot silently skip the whole folder.
* The live server needs a transactional database, which is flushed after each test. Our
  data migrations create the site, home page, taxonomy and groups, so every test module
  here sets ``pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)``
  to restore those rows before each test (tests without a django_db marker get it here).
  pytest-django runs transactional tests after all the ``db`` tests, as Django's own
  runner does, so the flush never hides the home page from the ordinary tests.
* Playwright's sync API keeps an asyncio event loop "running" in the test thread while
  the browser is open. Two consequences, both handled by the ``browser`` fixture, which
  lives only while this folder's tests run (package scope):
  - Django refuses ORM calls while a loop runs (SynchronousOnlyOperation), so
    DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser is open and restored after. It is
    not set at import time: subprocesses of other tests would inherit it, and
    ``check --deploy`` rightly reports it as an error (async.E001).
  - Django keeps database connections in an asgiref ``Local`` that switches to a separate
    store while a loop runs, which would hand the tests fresh connection objects that
    lack the serialized migration data (``_test_serialized_contents``), so the home page
    would be gone after the first flush. The fixture puts the existing connection
    objects into that store as well.
"""

import io
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections
from playwright.sync_api import sync_playwright

from knowledge.factories import ResourceIndexPageFactory
from knowledge.importer import ResourceImporter

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
NO_CHROMIUM = "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
DEFAULT_TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = ("serious", "critical")

BROWSER_DIR = Path(__file__).parent
SAMPLE = BROWSER_DIR.parents[1] / "knowledge" / "data" / "sample_resources.csv"

BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def browser_required():
    return os.environ.get("HUB_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    skip = None
    if not CHROMIUM.exists() and not browser_required():
        skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if BROWSER_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(BROWSER_DB)
        if skip is not None:
            item.add_marker(skip)


@contextmanager
def async_unsafe_allowed():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def restore_migration_data():
    """The last browser test's flush leaves the database empty. Put the serialized
    migration-created rows back, as a serialized_rollback test's setup does, so any test
    that runs after this folder (say a transactional test without serialized_rollback)
    still finds the site and home page."""
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents:
            connection = connections[alias]
            call_command("flush", database=alias, interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(contents)
            # The flush set every id sequence back to 1 and the rows came back
            # with their own ids: move the sequences past them, or the next
            # test to add a page would be given an id already taken.
            models = apps.get_models(include_auto_created=True)
            statements = connection.ops.sequence_reset_sql(no_style(), models)
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker):
    """One Chromium for this folder's tests; started after the test database exists."""
    if not CHROMIUM.exists():
        if browser_required():
            pytest.fail(f"HUB_REQUIRE_BROWSER=1 but {NO_CHROMIUM}", pytrace=False)
        pytest.skip(NO_CHROMIUM)
    # The connection objects the test database was set up (and serialized) with.
    wrappers = {alias: connections[alias] for alias in connections}
    with async_unsafe_allowed(), sync_playwright() as p:
        # Now that Playwright's loop is running, connections[alias] looks in another
        # store: give it the same connection objects (see the module docstring).
        for alias, wrapper in wrappers.items():
            connections[alias] = wrapper
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        with django_db_blocker.unblock():
            restore_migration_data()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies, no storage) per test, with base_url set to
    the live server, so tests can call ``page.goto("/")``."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


class AxeViolations(list):
    """axe-core violations (dicts); ``report()`` gives a readable failure message."""

    def report(self):
        lines = [f"{len(self)} serious or critical accessibility violation(s):"]
        for violation in self:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.append(f"  {violation.get('helpUrl', '')}")
            for node in violation["nodes"]:
                target = " ".join(str(part) for part in node["target"])
                lines.append(f"    at {target}")
        return "\n".join(lines)

    __str__ = report

    def __repr__(self):
        # Keeps pytest's "assert not [...]" line short; the message has the details.
        return f"AxeViolations({[v['id'] for v in self]!r})"


@pytest.fixture(scope="session")
def axe():
    """``axe(page)`` runs axe-core (bundled, nothing fetched) on the page as it is now and
    returns its serious and critical violations::

        violations = axe(page)
        assert not violations, violations.report()
    """
    runner = Axe()

    def run(page):
        results = runner.run(page)
        return AxeViolations(v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS)

    return run


@pytest.fixture
def library(home_page):
    """A published library holding the 48 real sample resources."""
    library = ResourceIndexPageFactory(parent=home_page, show_in_menus=True)
    library.save_revision().publish()
    ResourceImporter(index_page=library, publish=True).run(io.StringIO(SAMPLE.read_text()))
    return library
