"""The hub's Elasticsearch backend against a real server at ELASTICSEARCH_URL.

Skipped unless ELASTICSEARCH_URL is set, e.g.::

    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/pytest tests/search/test_elasticsearch_live.py

Each test builds its own indexes and synonyms set under a unique prefix and
removes them afterwards, so a shared cluster is left as it was."""

import os
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from modelsearch.backends import get_search_backend
from wagtail.models import PageViewRestriction

from hub.models import EvidenceLevel, ResourceType
from knowledge.factories import ResourceIndexPageFactory
from knowledge.models import ResourcePage
from search.models import IndexQueueItem, Synonym

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not ELASTICSEARCH_URL,
        reason="ELASTICSEARCH_URL is not set; the live Elasticsearch suite needs a server",
    ),
]

DATABASE = {"BACKEND": "wagtail.search.backends.database"}


def hub_backend_settings(url, prefix):
    return {
        "default": {"BACKEND": "search.elasticsearch", "URLS": [url], "INDEX_PREFIX": prefix, "TIMEOUT": 30},
        "fallback": DATABASE,
    }


@pytest.fixture
def library(home_page):
    return ResourceIndexPageFactory(parent=home_page)


@pytest.fixture
def backend(library):
    prefix = f"hub_test_{uuid.uuid4().hex[:10]}_"
    with override_settings(WAGTAILSEARCH_BACKENDS=hub_backend_settings(ELASTICSEARCH_URL, prefix)):
        call_command("update_index", "--backend", "default", stdout=StringIO())
        es_backend = get_search_backend("default")
        yield es_backend
        # Wildcard deletes are refused by default (action.destructive_requires_name).
        for name in es_backend.es.indices.get(index=f"{prefix}*"):
            es_backend.es.indices.delete(index=name)
        es_backend.es.synonyms.delete_synonym(id=es_backend.synonyms_set)


def publish(library, title, summary="A resource for community mental health centers."):
    resource = ResourcePage(
        title=title,
        summary=summary,
        publisher="SAMHSA",
        publication_year=2024,
        source_url="https://www.samhsa.gov/resource",
        resource_type=ResourceType.objects.get(slug="toolkit"),
        evidence_level=EvidenceLevel.objects.get(slug="moderate"),
        live=False,
    )
    library.add_child(instance=resource)
    resource.save_revision().publish()
    return resource


def titles(backend, query, audiences=("public",)):
    backend.refresh_indexes()
    queryset = ResourcePage.objects.live().filter(audience__in=list(audiences))
    return [page.title for page in backend.search(query, queryset)]


def test_index_is_created_with_the_hub_analysis(backend):
    index = backend.get_index_for_model(ResourcePage)
    settings = next(iter(backend.es.indices.get_settings(index=index.name).values()))["settings"]
    assert settings["index"]["analysis"]["filter"]["hub_synonyms"]["synonyms_set"] == backend.synonyms_set
    mapping = next(iter(backend.es.indices.get_mapping(index=index.name).values()))["mappings"]
    assert mapping["properties"]["audience_filter"]["type"] == "keyword"


def test_a_published_resource_is_found(backend, library):
    publish(library, "Crisis response toolkit")
    assert titles(backend, "crisis response") == ["Crisis response toolkit"]


def test_english_stemming_and_hyphen_variants_match(backend, library):
    publish(library, "Evidence-based practices for counselors")
    publish(library, "Crisis response toolkit")
    assert titles(backend, "based") == ["Evidence-based practices for counselors"]
    assert titles(backend, "counselor") == ["Evidence-based practices for counselors"]
    assert titles(backend, "practice") == ["Evidence-based practices for counselors"]


def test_seeded_synonyms_apply(backend, library):
    publish(library, "Medications for opioid use disorder in clinics")
    assert titles(backend, "moud") == ["Medications for opioid use disorder in clinics"]


def test_synonyms_apply_as_soon_as_an_editor_saves_them(backend, library, django_capture_on_commit_callbacks):
    publish(library, "Clubhouse model outcomes")
    assert titles(backend, "psychosocial rehabilitation") == []

    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(terms="clubhouse, psychosocial rehabilitation")

    # No reindexing: the updateable synonym filter reads the new set.
    assert titles(backend, "psychosocial rehabilitation") == ["Clubhouse model outcomes"]


def test_a_typo_still_finds_the_resource(backend, library):
    publish(library, "Opioid overdose prevention")
    publish(library, "Crisis response toolkit")
    assert titles(backend, "opiod") == ["Opioid overdose prevention"]


def test_audience_filter_hides_members_only_resources_from_the_public(backend, library):
    briefing = publish(library, "Workforce retention briefing")
    PageViewRestriction.objects.create(page=briefing, restriction_type=PageViewRestriction.LOGIN)
    briefing.refresh_from_db()
    publish(library, "Workforce retention toolkit")

    assert titles(backend, "workforce retention") == ["Workforce retention toolkit"]
    member_view = titles(backend, "workforce retention", audiences=("public", briefing.audience))
    assert sorted(member_view) == ["Workforce retention briefing", "Workforce retention toolkit"]


def test_writes_queued_during_an_outage_are_indexed_after_the_next_successful_write(backend, library):
    outage = hub_backend_settings("http://127.0.0.1:9", backend.index_prefix)
    with override_settings(WAGTAILSEARCH_BACKENDS=outage):
        publish(library, "Peer specialist supervision")
    assert IndexQueueItem.objects.count() == 1

    publish(library, "Supported employment outcomes")

    assert IndexQueueItem.objects.count() == 0
    assert titles(backend, "peer specialist") == ["Peer specialist supervision"]


def test_update_index_queued_indexes_what_the_outage_held_back(backend, library):
    outage = hub_backend_settings("http://127.0.0.1:9", backend.index_prefix)
    with override_settings(WAGTAILSEARCH_BACKENDS=outage):
        publish(library, "Peer specialist supervision")
    out = StringIO()

    call_command("update_index", "--queued", stdout=out)

    assert "Indexed 1 queued writes; 0 still failing" in out.getvalue()
    assert titles(backend, "peer specialist") == ["Peer specialist supervision"]


def test_update_index_rebuilds_pushes_synonyms_and_empties_the_queue(backend, library):
    outage = hub_backend_settings("http://127.0.0.1:9", backend.index_prefix)
    with override_settings(WAGTAILSEARCH_BACKENDS=outage):
        publish(library, "School-based mental health")
    Synonym.objects.create(terms="SBMH, school-based mental health")  # saved without a push
    out = StringIO()

    call_command("update_index", stdout=out)

    assert f"Synonyms set {backend.synonyms_set} updated" in out.getvalue()
    assert IndexQueueItem.objects.count() == 0
    assert titles(backend, "sbmh") == ["School-based mental health"]
