"""The join form tells nobody what the hub knows about an address: a known and
an unknown address get the same answer, and the e-mail to that address says
what applies."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from community.models import MembershipApplication

from .conftest import BROKEN_MAIL
from .test_join import application_data

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def apply(email, address="10.0.0.1"):
    """Send the form from a new browser; the answer and the page it leads to."""
    client = Client()
    response = client.post("/join/", application_data(email=email), REMOTE_ADDR=address)
    page = client.get(response["Location"]) if response.status_code == 303 else response
    return response, CSRF.sub("", page.content.decode())


@pytest.fixture(params=["member", "pending", "approved", "declined"])
def known(request, join_page, make_user):
    if request.param == "member":
        make_user("jordan")  # jordan@example.org
    else:
        MembershipApplication.objects.create(
            name="Jordan Rivera",
            email="jordan@example.org",
            organisation_type="cmhc",
            status=request.param,
        )
    return request.param


def test_a_known_and_an_unknown_address_get_the_same_answer(known, steering):
    unknown_response, unknown_page = apply("someone-new@example.org")
    mail.outbox.clear()
    known_response, known_page = apply("JORDAN@example.org")
    assert known_response.status_code == unknown_response.status_code == 303
    assert known_response["Location"] == unknown_response["Location"]
    assert known_page == unknown_page
    assert "We have sent the details to that address" in known_page


@pytest.mark.parametrize(
    "status, says",
    [
        (
            "member",
            [
                "There is already an account with this address",
                "/account/sign-in/",
                "/account/password/reset/",
            ],
        ),
        ("pending", ["We received an application from this address on", "has not decided yet"]),
        ("approved", ["was approved on", "/account/password/reset/"]),
        ("declined", ["decided on the application from this address", "reply to this e-mail"]),
    ],
)
def test_the_e_mail_to_a_known_address_says_what_applies(join_page, make_user, status, says):
    if status == "member":
        make_user("jordan")
    else:
        MembershipApplication.objects.create(
            name="Jordan Rivera", email="jordan@example.org", organisation_type="cmhc", status=status
        )
    apply("Jordan@Example.org")
    (message,) = mail.outbox
    assert message.to == ["jordan@example.org"]
    for text in says:
        assert text in message.body
    # What a stranger typed is not carried to the address.
    assert "Lakeside CMHC" not in message.body and "Clinical director" not in message.body
    assert MembershipApplication.objects.count() == (0 if status == "member" else 1)


@override_settings(MAILERS=BROKEN_MAIL)
def test_when_mail_fails_a_known_and_an_unknown_address_still_get_the_same_answer(known):
    unknown_response, unknown_page = apply("someone-new@example.org")
    known_response, known_page = apply("jordan@example.org")
    assert known_response.status_code == unknown_response.status_code == 303
    assert known_page == unknown_page
    assert "could not send the e-mail" in known_page
    assert "We have sent the details" not in known_page


def test_a_signed_in_member_is_told_directly_about_their_own_address(join_page, member):
    client = Client()
    client.force_login(member)
    response = client.post("/join/", application_data(email="morgan@example.org"))
    assert response.status_code == 200
    assert "You are already a member" in response.content.decode()
    assert not mail.outbox


def test_repeated_forms_for_a_known_address_send_it_at_most_three_e_mails_an_hour(join_page, make_user):
    make_user("jordan")
    answers = [apply("jordan@example.org", address=f"10.0.1.{n}")[0].status_code for n in range(5)]
    assert answers == [303, 303, 303, 429, 429]
    assert len(mail.outbox) == 3
