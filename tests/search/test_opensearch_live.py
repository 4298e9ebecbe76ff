"""The hub's OpenSearch backend against a real node at OPENSEARCH_URL: the
engine plumbing (index settings, synonyms reaching the analyzer, the outage
queue, update_index). What people find through the search service is tested
in the other live tests; the fixtures are in tests/live_search.py."""

import pytest

from knowledge.models import ResourcePage

pytestmark = [pytest.mark.opensearch, pytest.mark.django_db]


def titles(backend, query, audiences=("public",)):
    backend.refresh_indexes()
    queryset = ResourcePage.objects.live().filter(audience__in=list(audiences))
    return [page.title for page in backend.search(query, queryset)]


def test_a_published_resource_is_found(opensearch, make_resource):
    make_resource("Crisis response toolkit")
    assert titles(opensearch, "crisis response") == ["Crisis response toolkit"]
