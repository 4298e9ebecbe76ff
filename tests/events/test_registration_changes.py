"""People registered for an event are e-mailed when its time or joining link
changes on publishing: confirmed places hear of both, the waiting list only of
the time; drafts, other changes and people outside the event tell nobody."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from events.factories import EventRegistrationFactory
from events.models import EventRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def webinar(make_event):
    return make_event("Launch webinar", joining_link="https://meet.example.org/launch", capacity=1)


@pytest.fixture
def people(webinar):
    return {
        "confirmed": EventRegistrationFactory(event=webinar, email="has-a-place@example.org"),
        "waiting": EventRegistrationFactory(event=webinar, status="waitlisted", email="waiting@example.org"),
        "cancelled": EventRegistrationFactory(event=webinar, status="cancelled", email="gone@example.org"),
    }


def publish(event, **changes):
    for name, value in changes.items():
        setattr(event, name, value)
    event.save_revision().publish()
    event.refresh_from_db()


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def calendar_event(message):
    [(_, content, _)] = [a for a in message.attachments if a[2] == "text/calendar"]
    return icalendar.Calendar.from_ical(content).walk("VEVENT")[0]


def test_a_new_time_is_emailed_to_confirmed_and_waiting_people_but_the_link_only_to_confirmed(
    webinar, people
):
    old_when = webinar.when_label
    new_start = webinar.start + timedelta(days=1, hours=2)
    publish(webinar, start=new_start, end=new_start + timedelta(hours=1))

    [to_confirmed] = sent_to("has-a-place@example.org")
    [to_waiting] = sent_to("waiting@example.org")
    assert not sent_to("gone@example.org")
    assert len(mail.outbox) == 2
    for message in (to_confirmed, to_waiting):
        assert message.subject == "New time: Launch webinar"
        assert f"New time: {webinar.when_label}" in message.body
        assert f"It was: {old_when}" in message.body
        assert calendar_event(message)["dtstart"].dt == new_start
    assert "https://meet.example.org/launch" in to_confirmed.body
    assert "meet.example.org" in str(calendar_event(to_confirmed)["description"])
    assert "meet.example.org" not in to_waiting.body
    assert "meet.example.org" not in str(calendar_event(to_waiting).get("description", ""))
    assert "still on the waiting list" in to_waiting.body


def test_a_new_joining_link_is_emailed_only_to_people_with_a_place(webinar, people):
    publish(webinar, joining_link="https://meet.example.org/new-room")
    [message] = mail.outbox
    assert message.to == ["has-a-place@example.org"]
    assert message.subject == "New joining link: Launch webinar"
    assert "https://meet.example.org/new-room" in message.body
    assert "New time" not in message.body


def test_drafts_and_other_changes_tell_nobody(webinar, people):
    webinar.start = webinar.start + timedelta(hours=3)
    webinar.end = webinar.end + timedelta(hours=3)
    webinar.save_revision()  # a draft: the live event has not moved
    assert mail.outbox == []
    fresh = type(webinar).objects.get(pk=webinar.pk)
    publish(fresh, title="Launch webinar (updated)", summary="New words.")
    assert mail.outbox == []


def test_a_cancelled_or_finished_event_sends_no_change_notices(make_event):
    cancelled = make_event("Called off", cancelled=True)
    EventRegistrationFactory(event=cancelled)
    publish(cancelled, start=cancelled.start + timedelta(hours=1), end=cancelled.end + timedelta(hours=1))
    past = make_event("Last month", days=-30)
    EventRegistrationFactory(event=past)
    publish(past, joining_link="https://meet.example.org/other")
    assert mail.outbox == []


def test_a_new_time_makes_the_reminders_due_again(webinar, people):
    now = timezone.now()
    EventRegistration.objects.filter(pk=people["confirmed"].pk).update(
        day_reminder_sent_at=now, hour_reminder_sent_at=now
    )
    publish(webinar, joining_link="https://meet.example.org/new-room")
    people["confirmed"].refresh_from_db()
    assert people["confirmed"].day_reminder_sent_at is not None  # same time: still sent
    publish(webinar, start=webinar.start + timedelta(hours=4), end=webinar.end + timedelta(hours=4))
    people["confirmed"].refresh_from_db()
    assert people["confirmed"].day_reminder_sent_at is None
    assert people["confirmed"].hour_reminder_sent_at is None


def test_people_outside_a_members_only_event_are_not_told(make_event, make_user):
    training = make_event("Members training", access="members", joining_link="https://meet.example.org/t")
    member = EventRegistrationFactory(
        event=training, user=make_user("robin", "Members"), email="robin@example.org"
    )
    EventRegistrationFactory(event=training, user=make_user("former"), email="former@example.org")
    publish(training, joining_link="https://meet.example.org/t2")
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_more_places_on_publishing_go_to_the_people_waiting(webinar, people):
    publish(webinar, capacity=2)
    people["waiting"].refresh_from_db()
    assert people["waiting"].status == "confirmed"
    [message] = mail.outbox
    assert message.to == ["waiting@example.org"]
    assert message.subject.startswith("A place is free")
