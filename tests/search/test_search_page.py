import pytest
from wagtail.models import PageViewRestriction

from home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(home_page):
    live = StandardPageFactory(parent=home_page, title="Peer support toolkit", slug="peer")
    draft = StandardPageFactory(parent=home_page, title="Peer support draft", slug="peer-draft", live=False)
    private = StandardPageFactory(parent=home_page, title="Peer support members", slug="peer-private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    return live, draft, private


def test_search_finds_live_public_pages_only(client, pages):
    html = client.get("/search/", {"q": "peer support"}).content.decode()
    assert "Peer support toolkit" in html
    assert "Peer support draft" not in html
    assert "Peer support members" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "x" * 5000},
        {"q": 'peer" AND (support* \\'},
        {"q": "peer\x00\x07support"},
        {"q": "peer", "page": "abc"},
        {"q": "peer", "page": "99999"},
    ],
)
def test_odd_input_is_answered_without_an_error(client, pages, params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert len(response.context["search_query"]) <= 200


def test_results_are_paged_with_links_that_keep_the_query(client, home_page):
    for n in range(12):
        StandardPageFactory(parent=home_page, title=f"Peer support note {n}", slug=f"peer-note-{n}")
    first = client.get("/search/", {"q": "peer"})
    html = first.content.decode()
    assert 'href="?q=peer&amp;page=2"' in html and 'rel="next"' in html
    second = client.get("/search/", {"q": "peer", "page": 2}).content.decode()
    assert 'href="?q=peer&amp;page=1"' in second and "Page 2 of 2" in second
