"""The popular searches every visitor sees when a search finds nothing: only
real search terms whose every word public pages hold, and that find public
pages now; never what an editor hid; what an editor pinned first.

Asserted on the search page itself, so the tests hold whatever search engine
sits behind it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.factories import EventIndexPageFactory, EventPageFactory
from search.models import PopularSearch

pytestmark = pytest.mark.django_db


def popular_shown(client):
    """The popular searches of the empty-result page, as its links read them."""
    html = client.get("/search/", {"q": "zebra migration"}).content.decode()
    if "Popular searches" not in html:
        return []
    section = html.split("Popular searches", 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r'class="chip"[^>]*>([^<]*)<', section)]


def search_times(client, query, times=25):
    for _ in range(times):
        client.get("/search/", {"q": query})


@pytest.fixture
def public_and_closed(make_resource, members_only):
    make_resource("Mobile crisis teams guide", summary="How counties staff mobile crisis teams.")
    members_only(make_resource("Wolverine staffing survey", summary="Members-only numbers."))


def test_a_query_that_finds_only_members_only_pages_is_never_shown_to_visitors(
    client, public_and_closed, make_user
):
    member = make_user("maria", "Members")
    client.force_login(member)
    search_times(client, "wolverine staffing")
    search_times(client, "mobile crisis")
    client.logout()
    shown = popular_shown(client)
    assert "mobile crisis" in shown
    assert "wolverine staffing" not in shown
    # Members are shown the same public list.
    client.force_login(member)
    assert "wolverine staffing" not in popular_shown(client)


def test_a_query_that_finds_only_a_closed_meeting_is_never_shown(client, home_page, make_user):
    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    start = timezone.now() + datetime.timedelta(days=7)
    meeting = EventPageFactory(
        parent=index,
        title="Flamingo partner meeting",
        start=start,
        end=start + datetime.timedelta(hours=1),
        access="partners",
        registration="none",
    )
    meeting.save_revision().publish()
    client.force_login(make_user("paula", "Partners"))
    search_times(client, "flamingo meeting")
    client.logout()
    assert "flamingo meeting" not in popular_shown(client)


def test_planted_text_that_is_not_a_search_term_is_never_shown(client, public_and_closed):
    planted = [
        "http://spam.example/mobile-crisis",
        "www.mobile-crisis.example",
        "mobile.crisis@spam.example",
        "mobile crisis " * 8,
        "mobile crisis <b>buy</b>",
        "mobile crisis buy cheap pills",
        "xj3k9q2z mobile",
    ]
    for text in planted:
        search_times(client, text)
    search_times(client, "mobile crisis")
    shown = popular_shown(client)
    assert shown == ["mobile crisis"]


def test_a_popular_query_disappears_when_its_pages_become_members_only(client, make_resource, members_only):
    page = make_resource("Marmalade making for groups")
    search_times(client, "marmalade making")
    assert popular_shown(client) == ["marmalade making"]
    members_only(page)
    assert popular_shown(client) == []


def test_an_editor_can_hide_a_popular_search_and_pin_another(client, public_and_closed, make_resource):
    make_resource("Peer respite report", summary="Peer-run respite.")
    search_times(client, "mobile crisis")
    PopularSearch.objects.create(query="Mobile   Crisis", choice=PopularSearch.HIDE)
    PopularSearch.objects.create(query="peer respite", choice=PopularSearch.PIN)
    assert popular_shown(client) == ["peer respite"]


def test_a_pinned_search_is_still_left_out_while_it_finds_no_public_page(client, public_and_closed):
    PopularSearch.objects.create(query="wolverine staffing", choice=PopularSearch.PIN)
    assert popular_shown(client) == []


def test_editors_manage_popular_searches_and_are_told_what_a_search_term_is(client, make_user):
    editor = make_user("eden", "Editors")
    for action in ("add", "change", "delete", "view"):
        assert editor.has_perm(f"search.{action}_popularsearch"), action
    assert not make_user("mo", "Members").has_perm("search.add_popularsearch")
    client.force_login(editor)
    url = reverse("wagtailsnippets_search_popularsearch:add")
    response = client.post(url, {"query": "https://spam.example", "choice": PopularSearch.PIN})
    assert response.status_code == 200
    assert "letters and numbers" in response.content.decode()
    assert not PopularSearch.objects.exists()
    response = client.post(url, {"query": "Peer  Support", "choice": PopularSearch.PIN})
    assert response.status_code == 302
    assert PopularSearch.objects.get().query == "peer support"
