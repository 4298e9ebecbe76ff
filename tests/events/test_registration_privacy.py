"""Registration tells nobody whether an address is already registered, and
sends one address only so many e-mails."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from events.models import EventRegistration

from .test_registration import BROKEN_MAIL, form_data

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
STAMP = re.compile(rb"DTSTAMP:[^\r\n]*")  # when the file was made


@pytest.fixture
def webinar(make_event):
    return make_event("Launch webinar", joining_link="https://meet.example.org/launch", capacity=5)


def register(page, address="10.0.0.1", client=None, **overrides):
    """Send the form from a new browser; the answer and the page it leads to."""
    client = client or Client()
    response = client.post(page.url + "register/", form_data(page, **overrides), REMOTE_ADDR=address)
    done = client.get(response["Location"]) if response.status_code == 303 else response
    calendar = client.get(page.url + "register/calendar/")
    return response, CSRF.sub("", done.content.decode()), STAMP.sub(b"", calendar.content)


def test_an_address_already_registered_gets_the_same_answer_as_a_new_one(webinar):
    register(webinar, email="ana@example.org", name="Ana Torres")
    mail.outbox.clear()
    new_response, new_page, new_calendar = register(webinar, email="ben@example.org", name="Someone")
    known_response, known_page, known_calendar = register(webinar, email="ANA@example.org", name="Someone")
    assert known_response.status_code == new_response.status_code == 303
    assert known_response["Location"] == new_response["Location"]
    assert known_page.replace("ana@example.org", "ben@example.org") == new_page
    assert known_calendar.replace(b"ana@", b"ben@") == new_calendar
    # The existing registration is e-mailed to its own address; nothing of it is on the page.
    assert EventRegistration.objects.filter(email="ana@example.org").count() == 1
    to_ben, to_ana = mail.outbox
    assert to_ana.to == ["ana@example.org"] and "You're registered" in to_ana.subject
    assert "Ana Torres" in to_ana.body and "Someone" not in to_ana.body
    assert "Ana Torres" not in known_page


@override_settings(MAILERS=BROKEN_MAIL)
def test_when_mail_fails_a_known_and_a_new_address_still_get_the_same_answer(webinar):
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
        register(webinar, email="ana@example.org")
    _, new_page, _ = register(webinar, email="ben@example.org", name="Someone")
    _, known_page, _ = register(webinar, email="ana@example.org", name="Someone")
    assert known_page.replace("ana@example.org", "ben@example.org") == new_page
    assert "could not send the confirmation" in known_page


def test_the_same_browser_or_a_signed_in_member_is_told_directly(webinar, make_user):
    client = Client()
    register(webinar, client=client, email="ana@example.org")
    response, page, _ = register(webinar, client=client, email="ana@example.org")
    assert response.status_code == 200 and "You are already registered" in page

    member = make_user("morgan")
    signed_in = Client()
    signed_in.force_login(member)
    register(webinar, email="morgan@example.org")
    response, page, _ = register(webinar, client=signed_in, email="morgan@example.org")
    assert response.status_code == 200 and "You are already registered" in page


def test_one_address_gets_at_most_five_registration_e_mails_an_hour(webinar):
    answers = [register(webinar, address=f"10.0.2.{n}", email="ana@example.org")[0] for n in range(7)]
    assert [answer.status_code for answer in answers] == [303] * 5 + [429] * 2
    assert len(mail.outbox) == 5
    assert "Too many registrations" in answers[-1].content.decode()
    assert 'value="Ana Torres"' in answers[-1].content.decode()


def test_one_client_gets_at_most_twenty_registrations_an_hour(make_event):
    event = make_event("Open forum", capacity=None)
    answers = [register(event, email=f"person{n}@example.org")[0].status_code for n in range(21)]
    assert answers == [303] * 20 + [429]
    assert EventRegistration.objects.count() == 20
