"""The events page: upcoming soonest first, past events newest first, the schedule
by month, filters in the URL, and a cost that does not grow with the events."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.listing import PER_PAGE
from events.models import EventSpeaker

from .conftest import new_york

pytestmark = pytest.mark.django_db


def titles(response):
    return [e.title for e in response.context["listing"].results]


@pytest.fixture
def programme(make_event):
    return {
        "soon": make_event("Soon", days=2, event_format="webinar", topics=["crisis-services"]),
        "later": make_event("Later", days=40, event_format="training", topics=["workforce"]),
        "next": make_event("Next", days=10, event_format="webinar", topics=["workforce"]),
        "past_recent": make_event("Last week", days=-7),
        "past_old": make_event("Last year", days=-300),
    }


def test_upcoming_events_come_soonest_first_and_past_ones_go_to_the_archive(client, events_index, programme):
    assert titles(client.get(events_index.url)) == ["Soon", "Next", "Later"]
    assert titles(client.get(events_index.url + "past/")) == ["Last week", "Last year"]


def test_an_event_under_way_is_still_upcoming(client, events_index, make_event):
    make_event("Under way", start=timezone.now() - timedelta(minutes=30), hours=2)
    assert titles(client.get(events_index.url)) == ["Under way"]


def test_filters_by_format_topic_and_audience_combine(client, events_index, programme, make_event, make_user):
    assert titles(client.get(events_index.url, {"format": "webinar"})) == ["Soon", "Next"]
    assert titles(client.get(events_index.url, {"format": "webinar", "topic": "workforce"})) == ["Next"]
    make_event("Members session", days=5, access="members")
    client.force_login(make_user("morgan", "Members"))
    assert titles(client.get(events_index.url, {"audience": "members"})) == ["Members session"]


def test_unknown_filter_values_are_left_out_with_a_message(client, events_index, programme):
    response = client.get(events_index.url, {"format": "rodeo", "topic": "workforce"})
    assert response.status_code == 200
    assert titles(response) == ["Next", "Later"]
    assert "There is no format called “rodeo”" in response.content.decode()


def test_schedule_groups_the_programme_by_month(client, events_index, make_event):
    make_event("March one", start=new_york(2030, 3, 5, 13, 0))
    make_event("April one", start=new_york(2030, 4, 2, 13, 0))
    make_event("April two", start=new_york(2030, 4, 20, 13, 0))
    listing = client.get(events_index.url + "schedule/").context["listing"]
    assert [(m["label"], [e.title for e in m["events"]]) for m in listing.months] == [
        ("March 2030", ["March one"]),
        ("April 2030", ["April one", "April two"]),
    ]


def test_listing_pages_through_many_events(client, events_index, make_event):
    for n in range(PER_PAGE + 3):
        make_event(f"Event {n:02d}", days=1 + n)
    second = client.get(events_index.url, {"page": 2})
    assert titles(second) == [f"Event {n:02d}" for n in range(PER_PAGE, PER_PAGE + 3)]
    assert b'rel="prev"' in second.content


def queries_for(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_speakers(event, count):
    for n in range(count):
        EventSpeaker.objects.create(page=event, name=f"Speaker {n}", sort_order=n)


@pytest.mark.parametrize("signed_in", [False, True])
def test_events_page_queries_do_not_grow_with_events(client, events_index, make_event, make_user, signed_in):
    if signed_in:
        client.force_login(make_user("morgan", "Members"))
    make_event("Only", days=3, topics=["workforce"])
    make_event("Members one", days=9, access="members")
    few = queries_for(client, events_index.url)
    for n in range(12):
        add_speakers(make_event(f"More {n}", days=4 + n, topics=["workforce", "crisis-services"]), 3)
    make_event("Closed one", days=12, access="partners")
    assert queries_for(client, events_index.url) == few
    assert queries_for(client, events_index.url + "schedule/") <= few + 1  # the month the schedule opens at


def test_event_page_queries_do_not_grow_with_speakers_or_topics(client, make_event):
    lean = make_event("Lean", topics=["workforce"])
    add_speakers(lean, 1)
    lean_count = queries_for(client, lean.url)
    rich = make_event("Rich", topics=["workforce", "crisis-services", "peer-support", "telehealth"])
    add_speakers(rich, 8)
    for n in range(5):
        make_event(f"Other {n}")
    assert queries_for(client, rich.url) == lean_count
