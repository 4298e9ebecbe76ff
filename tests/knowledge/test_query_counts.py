"""The library and resource pages cost the same number of queries however many
resources they show and however many topics each has."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.models import Topic
from knowledge.models import ResourceAuthor

pytestmark = pytest.mark.django_db

TOPICS = ["crisis-services", "health-equity", "peer-support", "workforce", "telehealth", "ccbhc"]


def queries_for(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as uncached:
        assert client.get(url).status_code == 200
    return len(uncached)


def fill(make_resource, count, topics_each, prefix="Resource"):
    for n in range(count):
        page = make_resource(
            f"{prefix} {n}", topics=TOPICS[:topics_each], populations=["youth", "veterans"][: n % 3]
        )
        for a in range(topics_each):
            ResourceAuthor.objects.create(page=page, name=f"Author {a}")


@pytest.mark.parametrize("signed_in", [False, True])
def test_library_page_queries_do_not_grow_with_resources_or_topics(
    client, library, make_resource, make_user, signed_in
):
    if signed_in:
        client.force_login(make_user("morgan", "Members"))
    fill(make_resource, 2, 1)
    few = queries_for(client, library.url + "?topic=crisis-services&type=toolkit")
    fill(make_resource, 25, len(TOPICS), prefix="More")
    many = queries_for(client, library.url + "?topic=crisis-services&type=toolkit")
    assert many == few
    cache.clear()
    assert client.get(library.url + "?topic=crisis-services&type=toolkit").context["library"].total == 27


def test_resource_page_queries_do_not_grow_with_topics_authors_or_related(client, library, make_resource):
    lean = make_resource("Lean", topics=TOPICS[:1])
    make_resource("Only neighbour", topics=TOPICS[:1])  # so both pages show related resources
    lean_count = queries_for(client, lean.url)
    rich = make_resource("Rich", topics=TOPICS, populations=["youth", "veterans", "lgbtq"])
    for a in range(6):
        ResourceAuthor.objects.create(page=rich, name=f"Author {a}")
    fill(make_resource, 10, 3, prefix="Neighbour")
    rich.tags.add("988", "crisis lines", "mobile crisis")
    rich.save()
    assert Topic.objects.count() > 0
    assert queries_for(client, rich.url) == lean_count


def test_repeat_signed_in_library_views_reuse_the_computed_listing(client, library, make_resource, make_user):
    fill(make_resource, 5, 2)
    client.force_login(make_user("morgan", "Members"))
    url = library.url + "?topic=health-equity"
    first = queries_for(client, url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) < first
