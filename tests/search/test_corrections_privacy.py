"""Typo correction ("Including results for ...") only ever offers words from
pages the person asking may see: never a word of a draft, a members-only or
password-protected page, a closed meeting, a scheduled or an expired page.

Asserted on the HTTP answers (the page and its JSON), so the tests hold
whatever search engine sits behind them."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageViewRestriction

from .conftest import on_each_backend


@pytest.fixture
def client(client, each_backend):
    # Every test here runs on the database backend and on OpenSearch.
    return on_each_backend(client, each_backend)


pytestmark = pytest.mark.django_db

# Each hidden page holds one rare word; the misspelling is closest to it.
HIDDEN = {
    "draft": ("tarantula", "tarantla"),
    "members_only": ("wolverine", "wolverne"),
    "closed_meeting": ("flamingo", "flamngo"),
    "password": ("pelicans", "pelicns"),
    "scheduled": ("albatross", "albatros"),
    "expired": ("chinchilla", "chinchila"),
}


@pytest.fixture
def hidden_pages(make_resource, members_only, make_event):
    make_resource("Suicide prevention in primary care", summary="Screening and safety planning.")
    pages = {}
    pages["draft"] = make_resource("Tarantula field notes", live=False)
    pages["members_only"] = members_only(make_resource("Wolverine staffing survey"))
    pages["closed_meeting"] = make_event("Flamingo partner meeting", access="partners", registration="none")
    password = make_resource("Pelicans roster")
    PageViewRestriction.objects.create(
        page=password, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    pages["password"] = password
    scheduled = make_resource("Albatross outlook", live=False)
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
    scheduled.save_revision().publish()
    pages["scheduled"] = scheduled
    expired = make_resource("Chinchilla archive")
    expired.save_revision().publish()
    expired.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    call_command("publish_scheduled")
    expired.refresh_from_db()
    assert expired.expired and not expired.live
    pages["expired"] = expired
    scheduled.refresh_from_db()
    assert not scheduled.live
    return pages


@pytest.fixture
def make_event(home_page):
    from events.factories import EventIndexPageFactory, EventPageFactory

    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()

    def make(title, **extra):
        start = (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
        event = EventPageFactory(
            parent=index, title=title, start=start, end=start + datetime.timedelta(hours=1), **extra
        )
        event.save_revision().publish()
        event.refresh_from_db()
        return event

    return make


def corrections_seen(client, misspelling):
    """The correction offered in the JSON and the words shown on the page."""
    corrected = client.get("/search/", {"q": misspelling, "format": "json"}).json()["corrected_query"]
    html = client.get("/search/", {"q": misspelling}).content.decode().lower()
    return corrected or "", html


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_an_anonymous_visitor_is_never_offered_a_word_of_a_hidden_page(client, hidden_pages, kind):
    word, misspelling = HIDDEN[kind]
    corrected, html = corrections_seen(client, misspelling)
    assert word not in corrected
    assert word not in html


def test_a_visible_word_is_still_corrected_for_an_anonymous_visitor(client, hidden_pages):
    corrected, html = corrections_seen(client, "sucide")
    assert corrected == "suicide"
    assert "including results for <strong>suicide</strong>" in html


def test_typing_a_hidden_word_exactly_is_answered_as_if_it_did_not_exist(client, hidden_pages, make_resource):
    make_resource("Wolverina county clinics", summary="Rural outreach.")
    corrected, _html = corrections_seen(client, "wolverine")
    # The hidden word is not taken as known: it is corrected like any other
    # word the visitor's pages do not hold.
    assert corrected == "wolverina"


def test_a_member_is_offered_members_only_words_but_not_a_closed_meetings(client, hidden_pages, make_user):
    client.force_login(make_user("maria", "Members", "CMHC staff"))
    assert corrections_seen(client, "wolverne")[0] == "wolverine"
    for kind in ("closed_meeting", "draft", "password", "scheduled", "expired"):
        word, misspelling = HIDDEN[kind]
        assert word not in corrections_seen(client, misspelling)[0], kind


def test_a_member_of_the_meetings_group_is_offered_its_words(client, hidden_pages, make_user):
    client.force_login(make_user("paula", "Partners"))
    assert corrections_seen(client, "flamngo")[0] == "flamingo"


def test_a_visitor_who_entered_the_password_is_offered_its_words(client, hidden_pages):
    page = hidden_pages["password"]
    restriction = PageViewRestriction.objects.get(page=page)
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": "letmein", "return_url": page.url},
    )
    assert response.status_code == 302
    assert corrections_seen(client, "pelicns")[0] == "pelicans"


def test_a_page_restricted_after_the_vocabulary_was_built_stops_giving_its_words(
    client, make_resource, members_only
):
    page = make_resource("Marmalade making for groups")
    assert corrections_seen(client, "marmalde")[0] == "marmalade"
    members_only(page)
    assert "marmalade" not in corrections_seen(client, "marmalde")[0]
