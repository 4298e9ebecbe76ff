"""Registering for an event: places, the waiting list, duplicates, closing at the
start, bad input kept, CSRF, and an e-mail outage that loses nothing."""

import logging
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from events.models import EventRegistration

pytestmark = pytest.mark.django_db

BROKEN_MAIL = {"default": {"BACKEND": "tests.knowledge.broken_mail.BrokenBackend"}}


def form_data(page, **overrides):
    data = {
        "event": str(page.pk),
        "name": "Ana Torres",
        "email": "Ana.Torres@Example.org",
        "organisation": "Riverbend CMHC",
        "role": "cmhc-leader",
        "needs_captions": "on",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, page, **overrides):
    return client.post(page.url + "register/", form_data(page, **overrides))


@pytest.fixture
def webinar(make_event):
    return make_event("Launch webinar", joining_link="https://meet.example.org/launch", capacity=2)


def test_registration_is_saved_confirmed_and_emailed_with_the_calendar_file(client, webinar):
    response = register(client, webinar)
    assert response.status_code == 303
    assert response["Location"] == webinar.url + "register/done/"
    registration = EventRegistration.objects.get()
    assert (registration.email, registration.status, registration.needs_captions) == (
        "ana.torres@example.org",
        "confirmed",
        True,
    )
    assert registration.confirmation_sent_at and not registration.confirmation_error

    [message] = mail.outbox
    assert message.to == ["ana.torres@example.org"]
    assert "You're registered" in message.subject
    assert "https://meet.example.org/launch" in message.body
    assert "captions" in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == (f"{webinar.slug}.ics", "text/calendar")
    vevent = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert "meet.example.org/launch" in str(vevent["description"])

    done = client.get(response["Location"])
    assert done.status_code == 200
    assert b"You are registered" in done.content
    assert b"ana.torres@example.org" in done.content
    # The page's calendar file has the event; the joining link goes only to the e-mail.
    calendar = client.get(webinar.url + "register/calendar/")
    assert b"Launch webinar" in calendar.content
    assert b"meet.example.org/launch" not in calendar.content


def test_a_second_registration_with_the_same_email_is_not_saved_and_the_first_e_mailed_again(client, webinar):
    register(client, webinar)
    response = register(Client(), webinar, email="ANA.TORRES@example.org", name="Ana T.")
    assert response.status_code == 303
    assert EventRegistration.objects.count() == 1
    first, again = mail.outbox
    assert again.to == ["ana.torres@example.org"] and again.subject == first.subject
    # The browser that registered is told directly.
    assert b"You are already registered" in register(client, webinar).content


def test_a_full_event_offers_the_waiting_list_and_waitlisted_people_get_no_joining_link(client, webinar):
    register(Client(), webinar, email="one@example.org")
    register(Client(), webinar, email="two@example.org")
    page = client.get(webinar.url + "register/")
    assert b"join the waiting list" in page.content.lower()
    assert page.context["form"]["waitlist"].value() is True

    response = register(client, webinar, email="three@example.org", waitlist="on")
    assert response.status_code == 303
    waitlisted = EventRegistration.objects.get(email="three@example.org")
    assert waitlisted.status == "waitlisted"
    message = mail.outbox[-1]
    assert "waiting list" in message.subject
    assert "meet.example.org/launch" not in message.body
    assert "meet.example.org" not in str(message.attachments[0][1])
    assert b"You are on the waiting list" in client.get(response["Location"]).content


def test_the_last_place_going_while_the_form_was_open_asks_before_waitlisting(client, webinar):
    form_page = client.get(webinar.url + "register/")
    assert form_page.context["form"]["waitlist"].value() is False
    register(Client(), webinar, email="one@example.org")
    register(Client(), webinar, email="two@example.org")
    response = register(client, webinar, email="late@example.org", name="Late Comer")
    assert response.status_code == 409
    assert b"The last place has just gone" in response.content
    assert b'value="Late Comer"' in response.content
    assert not EventRegistration.objects.filter(email="late@example.org").exists()


def test_registration_closes_when_the_event_starts(client, make_event):
    started = make_event("Started", start=timezone.now() - timedelta(minutes=5), hours=2)
    response = register(client, started)
    assert response.status_code == 409
    assert b"Registration is closed" in response.content
    assert b"Ana.Torres@Example.org" in response.content and b"Riverbend CMHC" in response.content
    assert not EventRegistration.objects.exists()


def test_a_cancelled_event_takes_no_registrations(client, make_event):
    cancelled = make_event("Cancelled", cancelled=True)
    assert register(client, cancelled).status_code == 409
    assert not EventRegistration.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "not-an-email"}, b"Enter an e-mail address in the right format"),
        ({"consent": None}, b"Tick the box to agree"),
        ({"needs_interpreter": "on", "interpreter_language": ""}, b"which language you need an interpreter"),
        ({"role": "astronaut"}, b"Choose a role from the list"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, webinar, overrides, message):
    response = register(client, webinar, **overrides)
    assert response.status_code == 400
    assert message in response.content
    assert b'value="Ana Torres"' in response.content
    assert b'value="Riverbend CMHC"' in response.content
    assert not EventRegistration.objects.exists()


def test_a_tampered_event_id_registers_nobody(client, webinar, make_event):
    other = make_event("Other")
    response = register(client, webinar, event=str(other.pk))
    assert response.status_code == 400
    assert b"did not match this event" in response.content
    assert b'value="Ana Torres"' in response.content
    assert not EventRegistration.objects.exists()


def test_a_failing_mail_service_keeps_the_registration_and_tells_staff(client, webinar, caplog):
    with override_settings(MAILERS=BROKEN_MAIL), caplog.at_level(logging.ERROR, logger="events.registration"):
        response = register(client, webinar)
    assert response.status_code == 303
    registration = EventRegistration.objects.get()
    assert "ConnectionRefusedError" in registration.confirmation_error
    assert registration.confirmation_sent_at is None
    assert "Could not send the registration confirmation" in caplog.text
    assert b"could not send the confirmation" in client.get(response["Location"]).content


def test_registration_posts_need_a_csrf_token(webinar):
    client = Client(enforce_csrf_checks=True)
    assert register(client, webinar).status_code == 403
    assert not EventRegistration.objects.exists()


def test_form_pages_are_never_cached_but_the_event_page_is(client, webinar):
    form_page = client.get(webinar.url + "register/")
    assert "X-Page-Cache" not in form_page
    assert "no-store" in form_page["Cache-Control"]
    anonymous = Client()
    anonymous.get(webinar.url)
    assert anonymous.get(webinar.url)["X-Page-Cache"] == "hit"
    errors = register(Client(), webinar, email="bad")
    assert errors.status_code == 400 and "X-Page-Cache" not in errors


def test_members_only_registration_needs_a_member(client, make_event, make_user):
    training = make_event("Members training", access="members")
    response = register(client, training)
    assert response.status_code == 302 and "next=" in response["Location"]
    assert not EventRegistration.objects.exists()
    client.force_login(make_user("morgan", "Members"))
    assert register(client, training).status_code == 303
    assert EventRegistration.objects.get().user.username == "morgan"


def test_external_registration_sends_people_to_the_other_website(client, make_event):
    event = make_event(
        "Partner-run", registration="external", external_registration_url="https://reg.example.org/x"
    )
    assert client.get(event.url + "register/").status_code == 302
    assert b"https://reg.example.org/x" in client.get(event.url).content
