"""Reminders a day and an hour before: sent once each, at the right time, as
each person chose, only for confirmed places of live events they may see."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from events.factories import EventRegistrationFactory
from events.models import EventRegistration
from events.reminders import send_due_reminders

from .test_registration import BROKEN_MAIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def webinar(make_event):
    return make_event("Launch webinar", days=3, joining_link="https://meet.example.org/launch")


def booked(event, **extra):
    """A confirmed place booked a week before the event."""
    return EventRegistrationFactory(event=event, created_at=event.start - timedelta(days=7), **extra)


def test_each_reminder_is_sent_once_in_its_own_window(webinar):
    person = booked(webinar, email="ana@example.org")
    start = webinar.start

    assert send_due_reminders(now=start - timedelta(hours=25)).sent == {"day": 0, "hour": 0}
    run = send_due_reminders(now=start - timedelta(hours=23))
    assert run.sent == {"day": 1, "hour": 0}
    [day] = mail.outbox
    assert day.to == ["ana@example.org"]
    assert day.subject == f"Reminder: Launch webinar, {webinar.date_label}"
    assert webinar.when_label in day.body and "https://meet.example.org/launch" in day.body
    assert "/register/link/" in day.body  # to stop reminders or cancel
    person.refresh_from_db()
    assert person.day_reminder_sent_at == start - timedelta(hours=23)

    assert send_due_reminders(now=start - timedelta(hours=22)).sent == {"day": 0, "hour": 0}
    assert send_due_reminders(now=start - timedelta(minutes=50)).sent == {"day": 0, "hour": 1}
    assert send_due_reminders(now=start - timedelta(minutes=40)).sent == {"day": 0, "hour": 0}
    assert [m.subject for m in mail.outbox][1] == "Starting soon: Launch webinar"
    assert len(mail.outbox) == 2
    assert send_due_reminders(now=start + timedelta(minutes=5)).sent == {"day": 0, "hour": 0}


def test_a_missed_window_is_not_sent_late(webinar):
    booked(webinar)
    # No run between a day and an hour before: the day reminder is not sent with the hour one.
    assert send_due_reminders(now=webinar.start - timedelta(minutes=30)).sent == {"day": 0, "hour": 1}
    assert send_due_reminders(now=webinar.start + timedelta(minutes=1)).sent == {"day": 0, "hour": 0}


def test_each_person_chooses_their_reminders(webinar):
    booked(webinar, email="day-only@example.org", remind_hour_before=False)
    booked(webinar, email="hour-only@example.org", remind_day_before=False)
    booked(webinar, email="none@example.org", remind_day_before=False, remind_hour_before=False)
    send_due_reminders(now=webinar.start - timedelta(hours=20))
    send_due_reminders(now=webinar.start - timedelta(minutes=30))
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox) == [
        ("day-only@example.org", "Reminder"),
        ("hour-only@example.org", "Starting soon"),
    ]


def test_cancelled_waiting_and_late_registrations_are_not_reminded(webinar):
    booked(webinar, status="cancelled", email="cancelled@example.org")
    booked(webinar, status="waitlisted", email="waiting@example.org")
    # Registered within the last day: they have just had their confirmation.
    EventRegistrationFactory(
        event=webinar, email="late@example.org", created_at=webinar.start - timedelta(hours=5)
    )
    assert send_due_reminders(now=webinar.start - timedelta(hours=4)).sent == {"day": 0, "hour": 0}
    send_due_reminders(now=webinar.start - timedelta(minutes=30))
    assert [m.to for m in mail.outbox] == [["late@example.org"]]


def test_a_place_cancelled_after_the_day_reminder_gets_no_hour_reminder(webinar):
    person = booked(webinar)
    send_due_reminders(now=webinar.start - timedelta(hours=20))
    EventRegistration.objects.filter(pk=person.pk).update(status="cancelled")
    assert send_due_reminders(now=webinar.start - timedelta(minutes=30)).sent == {"day": 0, "hour": 0}
    assert len(mail.outbox) == 1


def test_cancelled_unpublished_and_closed_events_send_no_reminders(make_event, make_user):
    called_off = make_event("Called off", days=3, cancelled=True)
    withdrawn = make_event("Withdrawn", days=3)
    closed = make_event("Staff meeting", days=3, access="staff")
    for event in (called_off, withdrawn, closed):
        booked(event, user=make_user(f"former-{event.pk}"))  # not in the staff group
    withdrawn.unpublish()
    now = called_off.start - timedelta(hours=20)
    assert send_due_reminders(now=now).sent == {"day": 0, "hour": 0}
    assert mail.outbox == []


def test_a_failed_send_is_tried_again_on_the_next_run_and_then_sent_once(webinar):
    person = booked(webinar)
    now = webinar.start - timedelta(hours=20)
    with override_settings(MAILERS=BROKEN_MAIL):
        run = send_due_reminders(now=now)
    assert run.sent["day"] == 0 and len(run.failures) == 1
    person.refresh_from_db()
    assert person.day_reminder_sent_at is None
    assert send_due_reminders(now=now + timedelta(minutes=10)).sent["day"] == 1
    assert send_due_reminders(now=now + timedelta(minutes=20)).sent["day"] == 0
    assert len(mail.outbox) == 1


def test_the_command_sends_what_is_due_now(make_event):
    soon = make_event("Soon", start=timezone.now() + timedelta(minutes=40))
    EventRegistrationFactory(
        event=soon, email="ana@example.org", created_at=timezone.now() - timedelta(days=2)
    )
    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    assert "0 reminder(s) a day before and 1 an hour before" in out.getvalue()
    [message] = mail.outbox
    assert message.to == ["ana@example.org"] and message.subject == "Starting soon: Soon"
    call_command("send_event_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1
