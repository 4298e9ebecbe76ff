"""The public API's ``?search=`` is the hub's own search: the same matches
and order as /search/ for an anonymous visitor, on either backend, and never
a members-only page."""

import pytest

from tests.knowledge import conftest as knowledge
from tests.live_search import on_each_backend

pytestmark = pytest.mark.django_db
library = knowledge.library
make_resource = knowledge.make_resource
members_only = knowledge.members_only


@pytest.fixture
def client(client, each_backend):
    return on_each_backend(client, each_backend)


def _titles(data):
    return [item["title"] for item in data["items"]]


def test_api_search_ranks_like_the_search_page_and_hides_members_only_pages(
    client, make_resource, members_only
):
    make_resource("Peer respite handbook", summary="Running a peer crisis respite house.")
    make_resource("Crisis line staffing", summary="Phones answered around the clock.")
    members_only(make_resource("Crisis drills for members", summary="Members-only crisis drills."))
    response = client.get("/api/v2/pages/", {"search": "crisis respite"})
    assert response.status_code == 200
    found = _titles(response.json())
    page = client.get("/search/", {"q": "crisis respite", "format": "json"}).json()
    assert found == [result["title"] for result in page["results"]]
    assert found[0] == "Peer respite handbook"
    assert "Crisis drills for members" not in found
    assert response.json()["meta"]["total_count"] == 2


def test_api_search_pages_and_orders_on_request(client, make_resource):
    for n in range(3):
        make_resource(f"Crisis guide {n}", year=2020 + n)
    first = client.get("/api/v2/pages/", {"search": "crisis", "limit": 2}).json()
    second = client.get("/api/v2/pages/", {"search": "crisis", "limit": 2, "offset": 2}).json()
    assert first["meta"]["total_count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert set(_titles(first)) | set(_titles(second)) == {
        "Crisis guide 0",
        "Crisis guide 1",
        "Crisis guide 2",
    }
    ordered = client.get("/api/v2/pages/", {"search": "crisis", "order": "title"}).json()
    assert _titles(ordered) == ["Crisis guide 0", "Crisis guide 1", "Crisis guide 2"]


def test_api_search_of_nothing_but_symbols_finds_nothing(client, make_resource):
    make_resource("Crisis guide")
    response = client.get("/api/v2/pages/", {"search": '"()*'})
    assert response.status_code == 200
    assert response.json()["meta"]["total_count"] == 0
