import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import Site

# The live OpenSearch suite's fixtures (``opensearch``, ``opensearch_node``): see that module.
from tests.live_search import each_backend, opensearch, opensearch_node  # noqa: F401


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
