"""Search answers follow the content: cached answers are keyed by the
content version and by who is asking, so a change shows at once and one
person's answer never reaches another."""

from wagtail.contrib.search_promotions.models import Query
from wagtail.models import PageViewRestriction

from search.models import SearchDailyStat

from .test_search_page import titles


def test_a_change_to_a_page_shows_in_the_next_search(client, resources):
    assert titles(client.get("/search/", {"q": "crisis", "sort": "newest"})) == [
        "Mobile crisis teams guide",
        "Peer crisis respite report",
    ]
    peer = resources["peer"]
    peer.publication_year = 2026
    peer.save_revision().publish()
    assert titles(client.get("/search/", {"q": "crisis", "sort": "newest"})) == [
        "Peer crisis respite report",
        "Mobile crisis teams guide",
    ]


def test_a_login_restriction_reaches_search_at_once(client, make_resource, library):
    make_resource("Crisis plan for members", year=2023)
    assert client.get("/search/", {"q": "crisis", "format": "json"}).json()["total"] == 1
    PageViewRestriction.objects.create(page=library, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/search/", {"q": "crisis", "format": "json"}).json()["total"] == 0


def test_the_filter_panel_is_never_shared_across_audiences(client, resources, make_user):
    member = make_user("maria", "Members")
    client.force_login(member)
    member_html = client.get("/search/", {"q": "crisis"}).content.decode()
    assert "(3)" in member_html  # the members-only report is counted for her
    client.logout()
    visitor_html = client.get("/search/", {"q": "crisis"}).content.decode()
    assert "(3)" not in visitor_html
    assert "(2)" in visitor_html


def test_a_long_query_that_grows_in_lower_case_is_still_counted(client, resources):
    query = "İ" * 150  # 300 characters once in lower case
    assert client.get("/search/", {"q": query}).status_code == 200
    stat = SearchDailyStat.objects.get()
    assert stat.searches == 1
    assert len(Query.objects.get().query_string) <= 255
