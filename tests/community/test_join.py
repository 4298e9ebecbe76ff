"""The join form: applications saved, confirmed, recognised, and bad input explained."""

import pytest
from django.core import mail
from django.test import Client, override_settings

from community.models import MembershipApplication
from hub.models import Topic
from tests.hub.conftest import JOIN_FORM

from .conftest import BROKEN_MAIL

pytestmark = pytest.mark.django_db


def application_data(**changes):
    data = {**JOIN_FORM, "topics": [Topic.objects.get(slug="crisis-services").pk]}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_join_page_shows_every_field_of_the_form(client, join_page, workforce):
    response = client.get("/join/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("name", "email", "organisation", "organisation_type", "role", "region", "topics", "consent"):
        assert f'name="{name}"' in html
    assert 'name="working_groups"' in html and "Workforce and peer support" in html
    assert "Community Mental Health Center (CMHC)" in html
    # The honeypot is there, out of sight and out of the tab order.
    assert 'class="honeypot" aria-hidden="true"' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_a_valid_application_is_saved_confirmed_and_the_steering_team_told(
    client, join_page, workforce, steering
):
    response = client.post("/join/", application_data(working_groups=[workforce.pk]))
    assert response.status_code == 303
    assert response["Location"] == "/join/?sent=1"

    application = MembershipApplication.objects.get()
    assert application.email == "jordan@example.org"
    assert application.status == "pending"
    assert application.consented_at is not None
    assert list(application.working_groups.all()) == [workforce]
    assert [t.slug for t in application.topics.all()] == ["crisis-services"]

    to_applicant, to_steering = mail.outbox
    assert to_applicant.to == ["jordan@example.org"]
    assert "We have your application" in to_applicant.subject
    assert "Lakeside CMHC" in to_applicant.body and "Workforce and peer support" in to_applicant.body
    assert to_steering.to == [steering.email]
    assert "Jordan Rivera" in to_steering.subject
    assert f"/admin/community/membershipapplication/inspect/{application.pk}/" in to_steering.body

    confirmation = client.get(response["Location"])
    assert "Thank you, Jordan Rivera" in confirmation.content.decode()
    assert "We have sent the details to that address" in confirmation.content.decode()


def test_the_confirmation_is_shown_only_to_the_person_who_applied(client, join_page):
    response = client.get("/join/?sent=1")
    assert "We have sent the details" not in response.content.decode()
    assert 'name="email"' in response.content.decode()


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"email": "jordan-at-example"},
            "Enter an e-mail address in the right format, like name@example.org.",
        ),
        ({"consent": None}, "To join, agree to the privacy notice."),
        ({"name": ""}, "Enter your name."),
        ({"organisation_type": "hospital"}, "Choose one of the types of organisation listed."),
        ({"topics": ["999999"]}, "Choose topics from the list only."),
        ({"website": "http://spam.example"}, "This form looks as if it was filled in automatically"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, join_page, changes, message):
    data = application_data(**changes)
    response = client.post("/join/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "There is a problem" in html
    assert 'value="Lakeside CMHC"' in html and 'value="Clinical director"' in html
    if "email" not in changes:
        assert 'value="jordan@example.org"' in html
    assert not MembershipApplication.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize("tampered", ["private", "closed", "unknown", "not-a-number"])
def test_a_tampered_working_group_id_is_refused_with_what_was_typed_kept(
    client, join_page, make_group, restrict, tampered
):
    if tampered == "private":
        group_id = restrict(make_group("Steering only group"), "Steering").pk
    elif tampered == "closed":
        group_id = make_group("Full group", accepts_requests=False).pk
    elif tampered == "unknown":
        group_id = 987654
    else:
        group_id = "1 OR 1=1"
    response = client.post("/join/", application_data(working_groups=[group_id]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose working groups from the list only." in html
    assert 'value="Jordan Rivera"' in html
    assert not MembershipApplication.objects.exists()


def test_a_second_application_from_the_same_address_is_not_saved_and_the_address_told_it_waits(
    client, join_page
):
    client.post("/join/", application_data())
    mail.outbox.clear()
    response = client.post("/join/", application_data(email="JORDAN@example.org", name="J. Rivera"))
    assert response.status_code == 303
    assert MembershipApplication.objects.count() == 1
    (message,) = mail.outbox
    assert message.to == ["jordan@example.org"]
    assert "We already have your application" in message.subject


@pytest.mark.parametrize(
    "status, message",
    [
        ("approved", "was approved on"),
        ("declined", "decided on the application from this address"),
    ],
)
def test_a_decided_application_is_recognised_and_its_status_e_mailed(client, join_page, status, message):
    MembershipApplication.objects.create(
        name="Jordan Rivera", email="jordan@example.org", organisation_type="cmhc", status=status
    )
    response = client.post("/join/", application_data())
    assert response.status_code == 303
    assert message in mail.outbox[0].subject + mail.outbox[0].body
    assert MembershipApplication.objects.count() == 1


def test_someone_who_already_has_an_account_is_e_mailed_how_to_sign_in(client, join_page, make_user):
    make_user("jordan")  # jordan@example.org
    response = client.post("/join/", application_data())
    assert response.status_code == 303
    (message,) = mail.outbox
    assert "You already have an account" in message.subject
    assert "http://testserver/account/sign-in/" in message.body
    assert not MembershipApplication.objects.exists()


def test_applications_from_one_address_are_limited_per_hour(client, join_page):
    for attempt in range(3):
        client.post("/join/", application_data(name=f"Attempt {attempt}"))
    response = client.post("/join/", application_data(name="Attempt 4"))
    html = response.content.decode()
    assert response.status_code == 429
    assert "Please wait before sending this again" in html
    assert 'value="Attempt 4"' in html
    assert MembershipApplication.objects.count() == 1


def test_the_limit_counts_each_address_on_its_own(client, join_page):
    for attempt in range(4):
        client.post("/join/", application_data(email="someone-else@example.org", name=f"Attempt {attempt}"))
    response = client.post("/join/", application_data())
    assert response.status_code == 303
    assert MembershipApplication.objects.filter(email="jordan@example.org").exists()


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failing_mail_service_keeps_the_application_and_tells_staff(client, join_page, steering):
    response = client.post("/join/", application_data())
    assert response.status_code == 303
    application = MembershipApplication.objects.get()
    assert "The confirmation to the applicant could not be sent" in application.email_problem
    assert "The notice to the steering team could not be sent" in application.email_problem
    assert "mail server unreachable" in application.email_problem


def test_the_join_page_is_never_cached_by_browsers_nor_with_anyones_token(client, join_page):
    response = client.get("/join/")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # Not the visitors' page cache: the shared copy, whose token is filled
    # in for each visitor (tests/community/test_shared_pages.py).
    assert response["X-Page-Cache"] == "shared-miss"
    again = Client().get("/join/")
    assert again["X-Page-Cache"] == "shared-hit"
    token = 'name="csrfmiddlewaretoken" value="'
    assert response.content.decode().split(token)[1][:64] != again.content.decode().split(token)[1][:64]


def test_the_consent_box_links_to_the_privacy_notice(client, home_page):
    from community.factories import JoinPageFactory
    from home.models import StandardPage

    privacy = StandardPage(title="Privacy notice", slug="privacy")
    home_page.add_child(instance=privacy)
    privacy.save_revision().publish()
    page = JoinPageFactory(parent=home_page, privacy_page=privacy)
    page.save_revision().publish()
    assert 'href="/privacy/"' in client.get("/join/").content.decode()


def test_someone_signed_in_is_told_they_already_have_an_account(client, join_page, member):
    client.force_login(member)
    html = client.get("/join/").content.decode()
    assert "You already have an account" in html
    assert 'name="email"' not in html
