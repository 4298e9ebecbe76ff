"""Calendar files parse as iCalendar, with the right times across daylight saving,
stable UIDs, versions and cancellations; add-to-calendar links carry UTC times."""

from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from events.calendar import add_to_calendar_links

from .conftest import new_york

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar):
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def across_dst(make_event):
    # US clocks go forward on 14 March 2027: 1 pm in New York is 18:00 UTC before, 17:00 UTC after.
    before = make_event(
        "Before the change", start=new_york(2027, 3, 9, 13, 0), end=new_york(2027, 3, 9, 14, 0)
    )
    after = make_event(
        "After the change", start=new_york(2027, 3, 16, 13, 0), end=new_york(2027, 3, 16, 14, 0)
    )
    return before, after


def test_event_calendar_file_has_its_time_zone_and_correct_times_across_daylight_saving(client, across_dst):
    before, after = across_dst
    for event, utc_hour in ((before, 18), (after, 17)):
        calendar = parse(client.get(event.url + "calendar.ics"))
        vevent = calendar.walk("VEVENT")[0]
        assert vevent["dtstart"].params["TZID"] == "America/New_York"
        assert vevent.start.hour == 13
        assert vevent.start.astimezone(UTC).hour == utc_hour
        assert vevent.end.astimezone(UTC) - vevent.start.astimezone(UTC) == timedelta(hours=1)
        assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]


def test_feed_lists_open_events_with_timezone_data_across_daylight_saving(client, events_index, across_dst):
    calendar = parse(client.get(events_index.url + "feed.ics"))
    events = vevents(calendar)
    assert events["Before the change"].start.astimezone(UTC).hour == 18
    assert events["After the change"].start.astimezone(UTC).hour == 17
    timezone_component = calendar.walk("VTIMEZONE")[0]
    assert {c.name for c in timezone_component.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # The RFC 5545 structure parses back to the same calendar.
    assert icalendar.Calendar.from_ical(calendar.to_ical()).walk("VEVENT")


def test_uid_stays_and_sequence_goes_up_when_the_event_moves_or_is_cancelled(client, make_event):
    event = make_event("Moving webinar")
    first = parse(client.get(event.url + "calendar.ics")).walk("VEVENT")[0]
    event.start += timedelta(days=1)
    event.end += timedelta(days=1)
    event.save_revision().publish()
    moved = parse(client.get(event.url + "calendar.ics")).walk("VEVENT")[0]
    assert moved["uid"] == first["uid"]
    assert (first["sequence"], moved["sequence"]) == (0, 1)
    assert moved["status"] == "CONFIRMED"

    event.refresh_from_db()
    event.cancelled = True
    event.save_revision().publish()
    cancelled = parse(client.get(event.url + "calendar.ics")).walk("VEVENT")[0]
    assert cancelled["uid"] == first["uid"]
    assert cancelled["sequence"] == 2
    assert cancelled["status"] == "CANCELLED"


def test_joining_link_is_in_the_calendar_only_when_the_page_shows_it(client, make_event):
    drop_in = make_event("Drop-in", registration="none", joining_link="https://meet.example.org/drop-in")
    booked = make_event("Booked", registration="built-in", joining_link="https://meet.example.org/booked")
    assert b"meet.example.org/drop-in" in client.get(drop_in.url + "calendar.ics").content
    assert b"meet.example.org/booked" not in client.get(booked.url + "calendar.ics").content


def test_add_to_calendar_links_cover_the_common_apps_in_utc(make_event):
    event = make_event("Linked", start=new_york(2027, 3, 16, 13, 0), end=new_york(2027, 3, 16, 14, 30))
    links = {link["label"]: link["url"] for link in add_to_calendar_links(event)}
    google = parse_qs(urlsplit(links["Google Calendar"]).query)
    assert google["dates"] == ["20270316T170000Z/20270316T183000Z"]
    assert google["text"] == ["Linked"]
    outlook = parse_qs(urlsplit(links["Outlook.com"]).query)
    assert outlook["startdt"] == ["2027-03-16T17:00:00Z"]
    assert urlsplit(links["Office 365"]).netloc == "outlook.office.com"
    assert links["Apple Calendar and others (.ics file)"].endswith("/calendar.ics")
