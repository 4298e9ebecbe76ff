"""A closed meeting cannot be found or opened by anyone outside its group, by any
route; a member of the right group finds it everywhere."""

import icalendar
import pytest
from django.core.cache import cache

from events.models import EventPage
from hub.privacy import visible_pages

pytestmark = pytest.mark.django_db

CLOSED = "Partner meeting: state alignment"


@pytest.fixture
def closed_meeting(make_event, make_event_open):
    return make_event(
        CLOSED, access="partners", registration="none", joining_link="https://meet.example.org/secret-room"
    )


@pytest.fixture
def make_event_open(make_event):
    return make_event("Open webinar")


def feed_summaries(client, index):
    calendar = icalendar.Calendar.from_ical(client.get(index.url + "feed.ics").content)
    return [str(e["summary"]) for e in calendar.walk("VEVENT")]


def routes_show_closed_meeting(client, index, meeting):
    cache.clear()
    page = client.get(meeting.url)
    calendar = client.get(meeting.url + "calendar.ics")
    return {
        "page": page.status_code == 200 and b"secret-room" not in page.content,
        "listing": CLOSED.encode() in client.get(index.url).content,
        "schedule": CLOSED.encode() in client.get(index.url + "schedule/").content,
        "feed": CLOSED in feed_summaries(client, index),
        "calendar": calendar.status_code == 200 and CLOSED.encode() in calendar.content,
        "home": CLOSED.encode() in client.get("/").content,
    }


def test_anonymous_visitor_cannot_find_or_open_a_closed_meeting(client, events_index, closed_meeting):
    seen = routes_show_closed_meeting(client, events_index, closed_meeting)
    assert not any(seen.values()), seen
    assert b"secret-room" not in client.get(closed_meeting.url + "calendar.ics").content
    # The page search uses for anonymous people finds only public events.
    assert CLOSED not in [p.title for p in EventPage.objects.live().public().search("partner meeting")]


def test_member_outside_the_group_cannot_find_a_partner_meeting(
    client, events_index, closed_meeting, make_user
):
    client.force_login(make_user("morgan", "Members", "CMHC staff"))
    seen = routes_show_closed_meeting(client, events_index, closed_meeting)
    assert not any(seen.values()), seen


def test_partner_finds_and_opens_the_partner_meeting_everywhere(
    client, events_index, closed_meeting, make_user, rf
):
    partner = make_user("parker", "Members", "Partners")
    client.force_login(partner)
    seen = routes_show_closed_meeting(client, events_index, closed_meeting)
    # The page itself shows the joining link to people allowed in.
    assert {k: v for k, v in seen.items() if k != "page"} == {
        "listing": True,
        "schedule": True,
        "feed": True,
        "calendar": True,
        "home": True,
    }
    response = client.get(closed_meeting.url)
    assert response.status_code == 200 and b"meet.example.org/secret-room" in response.content
    request = rf.get("/")
    request.user = partner
    assert closed_meeting in visible_pages(EventPage.objects.all(), request)


def test_members_only_events_are_marked_for_members_and_hidden_from_anonymous(
    client, events_index, make_event, make_user
):
    make_event("Members training", access="members")
    assert b"Members training" not in client.get(events_index.url).content
    client.force_login(make_user("morgan", "Members"))
    response = client.get(events_index.url)
    assert b"Members training" in response.content
    assert b"Members only" in response.content
