"""Nothing is lost while Elasticsearch is down.

The hub's backend here is a real Elasticsearch client pointed at a closed local
port: every request is refused, as in a real outage. Publishing still
succeeds, the write is queued in the database, the database backend keeps
answering searches, and ``update_index`` keeps the queue until the service
is back."""

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageViewRestriction

from hub.models import EvidenceLevel, ResourceType
from knowledge.factories import ResourceIndexPageFactory
from knowledge.models import ResourcePage
from search.elasticsearch import SEARCH_UNAVAILABLE_ERRORS, fallback_backend
from search.models import IndexQueueItem, Synonym
from tests.search.outage import OUTAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(home_page):
    return ResourceIndexPageFactory(parent=home_page)


@pytest.fixture
def outage():
    with OUTAGE:
        yield


def publish_resource(library, title):
    resource = ResourcePage(
        title=title,
        summary=f"What {title.lower()} means for a community mental health center.",
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


def queued(page):
    return IndexQueueItem.objects.get(
        content_type__model=page.specific_class._meta.model_name, object_id=page.pk
    )


def test_publishing_succeeds_and_the_page_is_queued_while_elasticsearch_is_down(library, outage, caplog):
    with caplog.at_level(logging.WARNING, logger="search.indexing"):
        resource = publish_resource(library, "Peer support in crisis care")

    assert Page.objects.get(pk=resource.pk).live
    item = queued(resource)
    assert item.action == IndexQueueItem.ACTION_UPDATE
    assert item.content_type.model_class() is ResourcePage
    assert "ConnectionError" in item.last_error
    assert "Search index write queued" in caplog.text


def test_failing_again_keeps_one_queue_row_with_more_attempts(library, outage):
    resource = publish_resource(library, "Peer support in crisis care")
    attempts = queued(resource).attempts

    resource.summary = "Changed during the outage."
    resource.save_revision().publish()

    assert IndexQueueItem.objects.filter(object_id=resource.pk).count() == 1
    assert queued(resource).attempts > attempts


def test_deleting_a_page_during_the_outage_queues_its_removal(library, outage):
    resource = publish_resource(library, "Peer support in crisis care")
    resource_pk = resource.pk
    resource.delete()

    item = IndexQueueItem.objects.get(object_id=resource_pk)
    assert item.action == IndexQueueItem.ACTION_DELETE


def test_the_database_fallback_answers_while_elasticsearch_cannot(library, outage):
    publish_resource(library, "Assertive community treatment fidelity")
    publish_resource(library, "Supported employment outcomes")

    from modelsearch.backends import get_search_backend

    with pytest.raises(SEARCH_UNAVAILABLE_ERRORS):
        list(get_search_backend("default").search("assertive", ResourcePage.objects.live()))

    results = fallback_backend().search("assertive community", ResourcePage.objects.live())
    assert [page.title for page in results] == ["Assertive community treatment fidelity"]


def test_fallback_answers_with_the_audience_filter_hiding_members_only_pages(library, outage):
    members_only = publish_resource(library, "Assertive community treatment members briefing")
    PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.LOGIN)
    publish_resource(library, "Assertive community treatment fidelity")

    public = ResourcePage.objects.live().filter(audience__in=["public"])
    titles = [page.title for page in fallback_backend().search("assertive community", public)]
    assert titles == ["Assertive community treatment fidelity"]


def test_update_index_queued_keeps_items_while_the_service_is_still_down(library, outage):
    resource = publish_resource(library, "Peer support in crisis care")
    attempts = queued(resource).attempts
    out = StringIO()

    call_command("update_index", "--queued", stdout=out)

    item = queued(resource)
    assert item.attempts == attempts + 1
    assert "ConnectionError" in item.last_error
    assert "Indexed 0 queued writes; 1 still failing" in out.getvalue()


def test_update_index_queued_stops_at_the_first_refused_connection(library, outage):
    first = publish_resource(library, "Peer support in crisis care")
    second = publish_resource(library, "Supported employment outcomes")
    before = {page.pk: queued(page).attempts for page in (first, second)}

    call_command("update_index", "--queued", stdout=StringIO())

    # Oldest first; the service is unreachable, so the second is not tried in vain.
    assert queued(first).attempts == before[first.pk] + 1
    assert queued(second).attempts == before[second.pk]


def test_full_update_index_during_the_outage_fails_clearly_and_keeps_the_queue(library, outage):
    resource = publish_resource(library, "Peer support in crisis care")

    with pytest.raises(
        CommandError, match="The search engine could not be updated.*1 index writes stay queued"
    ):
        call_command("update_index", stdout=StringIO())

    assert queued(resource).action == IndexQueueItem.ACTION_UPDATE


def test_editor_saving_a_synonym_during_the_outage_sees_no_error(
    outage, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING, logger="search.hub_backend"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            synonym = Synonym.objects.create(
                terms="IPS, supported employment, individual placement and support"
            )

    assert callbacks, "saving a synonym pushes the synonyms set after the commit"
    assert Synonym.objects.filter(pk=synonym.pk).exists()
    assert "Could not update Synonyms set hub_test_synonyms" in caplog.text


def test_synonym_changes_push_nothing_without_elasticsearch(django_capture_on_commit_callbacks, caplog):
    with caplog.at_level(logging.WARNING, logger="search.hub_backend"):
        with django_capture_on_commit_callbacks(execute=True):
            Synonym.objects.create(terms="CHW, community health worker, promotora")
    assert "Could not update" not in caplog.text


def test_update_index_queued_reports_when_no_search_engine_is_configured(library):
    with OUTAGE:
        publish_resource(library, "Peer support in crisis care")
    out = StringIO()
    call_command("update_index", "--queued", stdout=out)
    assert "No search engine backend is configured; 1 writes are queued." in out.getvalue()


def test_restricting_a_section_sends_its_pages_in_bulk_and_queues_them_while_down(
    library, outage, monkeypatch
):
    from hub import audience

    resources = [publish_resource(library, f"Crisis guide {n}") for n in range(5)]
    IndexQueueItem.objects.all().delete()
    monkeypatch.setattr(audience, "REINDEX_BATCH", 2)
    PageViewRestriction.objects.create(page=library, restriction_type=PageViewRestriction.LOGIN)
    # Every page below the section changed audience: each is queued for the
    # index once, in its new state, from three bulk writes of at most two.
    queued_ids = set(IndexQueueItem.objects.values_list("object_id", flat=True))
    assert {str(page.pk) for page in resources} <= queued_ids
    for page in resources:
        page.refresh_from_db()
        assert page.audience != "public"
        assert queued(page).attempts == 1
