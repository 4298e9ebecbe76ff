"""Event pages: access sets page privacy, calendar versions, search and the editor's rules."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from wagtail.models import PageViewRestriction

from events.models import EventIndexPage, EventPage, EventSpeaker
from home.models import HomePage

from .conftest import new_york

pytestmark = pytest.mark.django_db


def restriction_groups(page):
    restrictions = PageViewRestriction.objects.filter(page=page)
    return {(r.restriction_type, frozenset(r.groups.values_list("name", flat=True))) for r in restrictions}


def test_events_page_goes_under_the_home_page_and_events_under_it():
    assert EventIndexPage.can_create_at(HomePage.objects.first())
    assert EventPage.parent_page_types == ["events.EventIndexPage"]
    assert EventPage.subpage_types == []


@pytest.mark.parametrize(
    "access, groups",
    [
        ("members", {"Members", "CMHC staff", "Partners"}),
        ("staff", {"CMHC staff"}),
        ("partners", {"Partners"}),
    ],
)
def test_access_level_sets_the_page_privacy_groups(make_event, access, groups):
    event = make_event("Restricted", access=access)
    assert restriction_groups(event) == {(PageViewRestriction.GROUPS, frozenset(groups))}


def test_open_event_has_no_privacy_and_opening_a_closed_one_removes_it_on_publish(make_event):
    event = make_event("Open")
    assert not PageViewRestriction.objects.filter(page=event).exists()
    closed = make_event("Closed", access="partners")
    closed.access = "open"
    closed.save_revision()
    # A draft that opens the meeting changes nothing while the closed version is live.
    assert PageViewRestriction.objects.filter(page=closed).exists()
    closed.get_latest_revision().publish()
    assert not PageViewRestriction.objects.filter(page=closed).exists()


def test_editor_set_privacy_is_replaced_by_the_access_level_on_publish(make_event):
    event = make_event("Members training", access="members")
    restriction = PageViewRestriction.objects.get(page=event)
    restriction.groups.set(Group.objects.filter(name="Editors"))
    event.save_revision().publish()
    assert restriction_groups(event) == {
        (PageViewRestriction.GROUPS, frozenset({"Members", "CMHC staff", "Partners"}))
    }


def test_calendar_sequence_goes_up_only_when_what_calendars_show_changes(make_event):
    event = make_event("Webinar")
    assert event.calendar_sequence == 0
    event.listing_title = "Short title"
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.calendar_sequence == 0
    event.start += timedelta(hours=1)
    event.end += timedelta(hours=1)
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.calendar_sequence == 1
    event.cancelled = True
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.calendar_sequence == 2


def test_end_must_be_after_start_and_external_registration_needs_an_address(make_event):
    event = make_event("Webinar")
    event.end = event.start - timedelta(minutes=5)
    event.registration = "external"
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "end" in error.value.message_dict
    assert "external_registration_url" in error.value.message_dict


def test_times_are_shown_in_the_events_time_zone_with_its_name(make_event):
    summer = make_event("Summer", start=new_york(2027, 6, 8, 13, 0), end=new_york(2027, 6, 8, 14, 30))
    winter = make_event(
        "Winter",
        start=new_york(2027, 1, 12, 9, 0),
        end=new_york(2027, 1, 12, 10, 0),
        time_zone="America/Chicago",
    )
    assert summer.when_label == "Tuesday 8 June 2027, 1:00 pm to 2:30 pm Eastern time (EDT)"
    assert winter.when_label == "Tuesday 12 January 2027, 8:00 am to 9:00 am Central time (CST)"


def test_search_contract_and_search_finds_an_open_event_by_topic_and_speaker(make_event):
    event = make_event("Crisis webinar", topics=["crisis-services"])
    event.speakers.add(EventSpeaker(name="Dr. Adaeze Okonkwo", role="speaker"))
    event.save_revision().publish()
    event = EventPage.objects.get(pk=event.pk)
    assert [s.name for s in event.speakers.all()] == ["Dr. Adaeze Okonkwo"]
    assert EventPage.search_type == "Event"
    assert event.search_date == event.local_start.date()
    assert "Crisis services" in event.topic_names()
    names = {f.field_name for f in EventPage.search_fields}
    assert {"topic_names", "summary", "speaker_names"} <= names
    assert list(EventPage.objects.live().search("Okonkwo")) == [event]
    assert list(EventPage.objects.live().search("crisis services")) == [event]
