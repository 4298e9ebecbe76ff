import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import Site

# The live OpenSearch suite's fixtures (``opensearch``, ``opensearch_node``): see that module.
from tests.live_search import each_backend, opensearch, opensearch_node  # noqa: F401

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_serialized_rollback"}


def transactional(item):
    """Whether a test runs outside a rolled-back transaction: its database is
    flushed afterwards, so tests that run after it on the same process must
    not expect the rows our migrations create (pytest-django runs these last)."""
    if item.get_closest_marker("stack"):
        return True  # the stack's own processes and database: run alone, after the others
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """``HUB_TEST_PART=parallel`` keeps the tests that run inside a rolled-back
    transaction, which pytest-xdist may spread over processes in any order;
    ``HUB_TEST_PART=serial`` keeps the others (browser and live-server tests),
    which run after them in one process (Makefile ``pytest``). Unset: all."""
    part = os.environ.get("HUB_TEST_PART")
    if part not in ("parallel", "serial"):
        return
    keep, drop = [], []
    for item in items:
        (keep if transactional(item) == (part == "serial") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty page cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home_page(site):
    return site.root_page.specific


@pytest.fixture
def make_user(db):
    def make(username, *groups, **extra):
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.org", password="pw-for-tests", **extra
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        return user

    return make
