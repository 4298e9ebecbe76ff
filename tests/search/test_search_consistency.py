"""Search answers stay consistent with the records they were worked out on,
and privacy changes reach search even when another process rebuilds its
records in the middle of the change."""

from wagtail.contrib.search_promotions.models import Query
from wagtail.models import PageViewRestriction

from hub import audience
from search import documents, views
from search.models import SearchDailyStat

from .test_search_page import titles


def change_during_find(monkeypatch, change):
    """Run ``change`` between the moment the search page takes its records
    and the moment it finds the matches (another thread, or a save)."""
    real_find = views.find

    def find(*args, **kwargs):
        change()
        return real_find(*args, **kwargs)

    monkeypatch.setattr(views, "find", find)


def test_records_rebuilt_mid_request_neither_leak_nor_stay(client, resources, monkeypatch):
    client.get("/search/", {"q": "warm up"})
    peer = resources["peer"]

    def change():
        peer.publication_year = 2026
        peer.save()

    change_during_find(monkeypatch, change)
    # Answered from the records as they were when the request began, all of
    # it: no members-only page slips in through positions of newer records.
    first = titles(client.get("/search/", {"q": "crisis", "sort": "newest"}))
    assert first == ["Mobile crisis teams guide", "Peer crisis respite report"]
    monkeypatch.undo()
    # The next request works on the new records, not on what was remembered.
    again = titles(client.get("/search/", {"q": "crisis", "sort": "newest"}))
    assert again == ["Peer crisis respite report", "Mobile crisis teams guide"]


def test_a_page_added_mid_request_is_no_error(client, resources, make_resource, monkeypatch):
    client.get("/search/", {"q": "warm up"})
    change_during_find(
        monkeypatch,
        lambda: make_resource("Crisis newest bulletin", topics=["crisis-services"], year=2025),
    )
    response = client.get("/search/", {"q": "crisis", "topic": "crisis-services"})
    assert response.status_code == 200
    monkeypatch.undo()
    assert "Crisis newest bulletin" in titles(client.get("/search/", {"q": "crisis"}))


def test_a_login_restriction_reaches_search_when_records_are_rebuilt_in_between(
    client, make_resource, library, monkeypatch
):
    make_resource("Crisis plan for members", year=2023)
    assert client.get("/search/", {"q": "crisis", "format": "json"}).json()["total"] == 1
    real = audience.sync_subtree

    def sync(path):
        # Another worker's first search after the restriction's purge builds
        # its records here, before the new audiences are written.
        documents.document_index()
        return real(path)

    monkeypatch.setattr(audience, "sync_subtree", sync)
    PageViewRestriction.objects.create(page=library, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/search/", {"q": "crisis", "format": "json"}).json()["total"] == 0


def test_the_filter_panel_is_never_shared_across_audiences(client, resources, make_user, monkeypatch):
    monkeypatch.setattr(views.recent_answers, "size", 1)
    member = make_user("maria", "Members")
    client.force_login(member)
    member_html = client.get("/search/", {"q": "crisis"}).content.decode()
    assert "(3)" in member_html  # the members-only report is counted for her
    client.get("/search/", {"q": "peer", "format": "json"})  # pushes her answer out
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
