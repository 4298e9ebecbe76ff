"""Cancelling a place: a member from their own registration, anyone through the
signed link in their e-mails; the record is kept; the next person waiting gets
the place and is told; nobody is promoted twice; and changing reminders later."""

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from events import registration as registration_module
from events.factories import EventRegistrationFactory
from events.models import EventRegistration
from events.places import cancel_registration
from events.registration_links import signed_url

from .test_registration import form_data

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/register/link/\d+/[\w-]+/")


def register(client, page, **overrides):
    return client.post(page.url + "register/", form_data(page, **overrides))


def link_in(message):
    """The path of the one signed link in an e-mail."""
    [link] = LINK.findall(message.body)
    return urlsplit(link).path


def link_for(registration):
    return urlsplit(signed_url(registration)).path


@pytest.fixture
def webinar(make_event):
    return make_event("Launch webinar", joining_link="https://meet.example.org/launch", capacity=1)


@pytest.fixture
def member(make_user):
    return make_user("morgan", "Members")


def test_a_member_cancels_their_own_place_after_being_asked_and_the_record_is_kept(client, webinar, member):
    client.force_login(member)
    register(client, webinar, email="morgan@example.org", name="Morgan Lee")
    registration = EventRegistration.objects.get(user=member)
    url = registration_module.cancel_url(registration)
    assert url == f"{webinar.url}register/{registration.pk}/cancel/"

    asked = client.get(url)
    assert asked.status_code == 200
    assert "no-store" in asked["Cache-Control"]
    assert b"Cancel your place at Launch webinar?" in asked.content
    assert b"Yes, cancel my place" in asked.content
    registration.refresh_from_db()
    assert registration.status == "confirmed"

    done = client.post(url)
    assert done.status_code == 303
    registration.refresh_from_db()
    assert registration.status == "cancelled" and registration.cancelled_at is not None
    assert EventRegistration.objects.count() == 1
    page = client.get(done["Location"])
    assert page.status_code == 200 and b"Your place is cancelled" in page.content


def test_a_member_cannot_see_or_cancel_someone_elses_registration(client, webinar, member, make_user):
    theirs = EventRegistrationFactory(
        event=webinar, user=make_user("sam", "Members"), email="sam@example.org"
    )
    client.force_login(member)
    for url in (registration_module.cancel_url(theirs), registration_module.reminders_url(theirs)):
        assert client.get(url).status_code == 404
        assert client.post(url, {"remind_day_before": ""}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed" and theirs.remind_day_before
    # Signed out: asked to sign in, and nothing changes.
    anonymous = Client().post(registration_module.cancel_url(theirs))
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_a_visitor_cancels_through_the_signed_link_in_their_confirmation(client, webinar):
    register(client, webinar, email="visitor@example.org")
    [confirmation] = mail.outbox
    link = link_in(confirmation)

    browser = Client()  # the e-mail opened elsewhere: no session, no account
    page = browser.get(link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert b"Your place at Launch webinar" in page.content
    asked = browser.get(link + "cancel/")
    assert b"Cancel your place at Launch webinar?" in asked.content
    done = browser.post(link + "cancel/")
    assert done.status_code == 303
    registration = EventRegistration.objects.get()
    assert registration.status == "cancelled"
    assert b"Your place is cancelled" in browser.get(done["Location"]).content


def test_an_altered_or_misplaced_link_changes_nothing_and_says_so(client, webinar, make_event):
    registration = EventRegistrationFactory(event=webinar, email="ana@example.org")
    link = link_for(registration)
    signature = link.rstrip("/").rsplit("/", 1)[1]
    altered = link.replace(signature, signature[:-1] + ("A" if signature[-1] != "A" else "B"))
    someone_else = link.replace(f"/{registration.pk}/", f"/{registration.pk + 1}/")

    cut_short = link.replace(signature, signature[:12])
    for url in (altered, altered + "cancel/", someone_else + "cancel/", cut_short + "cancel/"):
        response = client.post(url)
        assert response.status_code == 404
        assert b"This link does not work" in response.content
    other = make_event("Other event")
    assert client.post(link.replace(webinar.url, other.url) + "cancel/").status_code == 404
    # The address on the registration changed (an account closed): the old link is dead.
    EventRegistration.objects.filter(pk=registration.pk).update(email="closed-1@closed.invalid")
    assert client.post(link + "cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_a_cancelled_place_or_a_started_event_is_said_plainly_with_a_4xx(client, webinar, make_event):
    registration = EventRegistrationFactory(event=webinar)
    link = link_for(registration)
    client.post(link + "cancel/")
    for response in (client.get(link), client.get(link + "cancel/"), client.post(link + "cancel/")):
        assert response.status_code == 409
        assert b"is already cancelled" in response.content

    started = make_event("Started", start=timezone.now() - timedelta(minutes=10), hours=2)
    late = EventRegistrationFactory(event=started)
    late_link = link_for(late)
    response = client.post(late_link + "cancel/")
    assert response.status_code == 410 and b"has already started" in response.content
    late.refresh_from_db()
    assert late.status == "confirmed"


def test_a_freed_place_goes_to_the_oldest_person_waiting_who_is_emailed_the_joining_details(webinar):
    now = timezone.now()
    leaving = EventRegistrationFactory(event=webinar, created_at=now - timedelta(days=3))
    first = EventRegistrationFactory(event=webinar, status="waitlisted", created_at=now - timedelta(days=2))
    second = EventRegistrationFactory(event=webinar, status="waitlisted", created_at=now - timedelta(days=1))

    result = cancel_registration(leaving)

    assert [r.pk for r in result.promoted] == [first.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert first.promoted_at is not None
    [message] = mail.outbox
    assert message.to == [first.email]
    assert message.subject == "A place is free, you're registered: Launch webinar"
    assert "no longer on the waiting list" in message.body
    assert "https://meet.example.org/launch" in message.body
    assert LINK.search(message.body)
    filename, content, mimetype = message.attachments[0]
    assert mimetype == "text/calendar"
    assert "meet.example.org/launch" in str(
        icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["description"]
    )
    first.refresh_from_db()
    assert first.confirmation_sent_at is not None


def test_leaving_the_waiting_list_promotes_nobody(webinar):
    EventRegistrationFactory(event=webinar)
    waiting = EventRegistrationFactory(event=webinar, status="waitlisted")
    behind = EventRegistrationFactory(event=webinar, status="waitlisted")
    assert cancel_registration(waiting).promoted == []
    behind.refresh_from_db()
    assert behind.status == "waitlisted" and not mail.outbox


def test_cancelling_twice_never_promotes_twice_nor_overfills(make_event):
    event = make_event("Workshop", capacity=2)
    now = timezone.now()
    one, two = (
        EventRegistrationFactory(event=event, created_at=now - timedelta(days=5 - n)) for n in range(2)
    )
    waiting = [
        EventRegistrationFactory(event=event, status="waitlisted", created_at=now - timedelta(days=3 - n))
        for n in range(3)
    ]
    assert cancel_registration(one).cancelled
    again = cancel_registration(EventRegistration.objects.get(pk=one.pk))
    assert not again.cancelled and again.promoted == []
    cancel_registration(two)

    statuses = dict(EventRegistration.objects.values_list("pk", "status"))
    assert [statuses[w.pk] for w in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert event.confirmed_count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([waiting[0].email, waiting[1].email])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database with row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_cancellations_at_the_same_moment_promote_two_different_people(make_event):
    event = make_event("Busy workshop", capacity=2)
    now = timezone.now()
    leaving = [
        EventRegistrationFactory(event=event, created_at=now - timedelta(days=9 - n)) for n in range(2)
    ]
    waiting = [
        EventRegistrationFactory(event=event, status="waitlisted", created_at=now - timedelta(days=5 - n))
        for n in range(3)
    ]
    start = threading.Barrier(2)
    errors = []

    def cancel(registration):
        try:
            start.wait()
            cancel_registration(EventRegistration.objects.select_related("event").get(pk=registration.pk))
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = dict(EventRegistration.objects.values_list("pk", "status"))
    assert [statuses[w.pk] for w in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert event.confirmed_count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([waiting[0].email, waiting[1].email])


def test_someone_who_may_no_longer_see_the_event_keeps_their_turn_but_is_not_promoted(make_event, make_user):
    event = make_event("Members training", access="members", capacity=1)
    now = timezone.now()
    leaving = EventRegistrationFactory(event=event, created_at=now - timedelta(days=3))
    former = make_user("former")  # no longer in a members' group
    outside = EventRegistrationFactory(
        event=event, status="waitlisted", user=former, created_at=now - timedelta(days=2)
    )
    member = EventRegistrationFactory(
        event=event,
        status="waitlisted",
        user=make_user("robin", "Members"),
        created_at=now - timedelta(days=1),
    )
    cancel_registration(leaving)
    outside.refresh_from_db()
    member.refresh_from_db()
    assert (outside.status, member.status) == ("waitlisted", "confirmed")
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_reminders_are_chosen_on_the_form_and_changed_later_by_a_member_or_through_the_link(
    client, webinar, member
):
    form_page = client.get(webinar.url + "register/")
    assert b"A day before the event" in form_page.content and b"An hour before the event" in form_page.content
    assert form_page.context["form"]["remind_day_before"].value() is True
    register(client, webinar, email="ana@example.org", remind_day_before="on")
    visitor = EventRegistration.objects.get(email="ana@example.org")
    assert (visitor.remind_day_before, visitor.remind_hour_before) == (True, False)

    link = link_in(mail.outbox[-1])
    saved = Client().post(link, {"remind_hour_before": "on"})
    assert saved.status_code == 303
    visitor.refresh_from_db()
    assert (visitor.remind_day_before, visitor.remind_hour_before) == (False, True)
    assert b"Your reminder choices are saved" in Client().get(saved["Location"]).content

    mine = EventRegistrationFactory(event=webinar, user=member, status="waitlisted")
    signed_in = Client()
    signed_in.force_login(member)
    url = registration_module.reminders_url(mine)
    page = signed_in.get(url + "?next=/account/")
    assert page.status_code == 200 and b"Save reminder choices" in page.content
    response = signed_in.post(url, {"remind_day_before": "on", "next": "/account/"})
    assert response.status_code == 303 and "next=%2Faccount%2F" in response["Location"]
    mine.refresh_from_db()
    assert (mine.remind_day_before, mine.remind_hour_before) == (True, False)
    # Where to go back to is kept only when it is on this site.
    assert b"evil.example" not in signed_in.get(url + "?next=https://evil.example/").content


def test_registering_again_after_cancelling_is_a_new_registration(client, webinar):
    register(client, webinar, email="ana@example.org")
    registration = EventRegistration.objects.get()
    cancel_registration(registration)
    mail.outbox.clear()

    response = register(client, webinar, email="ana@example.org")
    assert response.status_code == 303
    registration.refresh_from_db()
    assert registration.status == "confirmed" and registration.cancelled_at is None
    assert EventRegistration.objects.count() == 1
    [message] = mail.outbox
    assert message.subject == "You're registered: Launch webinar"
