"""Accounts: signing in and out, passwords, the profile, the member's data, closing the account."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings

from community.models import MemberProfile, MembershipApplication
from hub.models import Topic

from .conftest import BROKEN_MAIL

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def sign_in(client, username, password="pw-for-tests", address="10.0.0.1"):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_sign_in_page_is_the_hubs_and_signs_people_in(client, member):
    page = client.get(SIGN_IN)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="site-header"' in html and "<h1>Sign in</h1>" in html
    assert 'href="/account/password/reset/"' in html
    response = sign_in(client, "morgan")
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_a_wrong_password_is_explained_and_the_username_kept(client, member):
    response = sign_in(client, "morgan", "wrong")
    html = response.content.decode()
    assert response.status_code == 400
    assert "That username and password do not match an account" in html
    assert 'value="morgan"' in html


def test_sign_in_attempts_are_limited_per_username_and_address(client, member):
    for _ in range(5):
        sign_in(client, "morgan", "wrong")
    # Even the right password is refused now, from this address, for this username.
    locked = sign_in(client, "morgan")
    assert locked.status_code == 429
    assert "Too many attempts to sign in to this account from here" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, or another username from this one, is not held up.
    assert sign_in(Client(), "morgan", address="10.0.0.2").status_code == 302
    assert sign_in(Client(), "other", "wrong").status_code == 400


def test_the_admin_sign_in_is_limited_too(client, make_user):
    make_user("eden", "Editors")
    for _ in range(5):
        client.post("/admin/login/", {"username": "eden", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        "/admin/login/", {"username": "eden", "password": "pw-for-tests"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200  # the form again, not the dashboard
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_earlier_failures(client, member):
    for _ in range(4):
        sign_in(client, "morgan", "wrong")
    assert sign_in(client, "morgan").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "morgan", "wrong")
    assert sign_in(client, "morgan").status_code == 302


def test_signing_out_needs_a_post_and_says_so(client, member):
    client.force_login(member)
    response = client.post("/account/sign-out/")
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_a_password_reset_link_is_emailed_and_works(client, member):
    response = client.post("/account/password/reset/", {"email": "morgan@example.org"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    (message,) = mail.outbox
    assert message.to == ["morgan@example.org"]
    link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose your password" in form.content.decode()
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "river stones 42", "new_password2": "river stones 42"}
    )
    assert client.login(username="morgan", password="river stones 42")


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, member):
    response = client.post("/account/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/account/password/reset/sent/"
    assert not mail.outbox


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failing_mail_service_during_reset_is_logged_not_a_500(client, member, caplog):
    response = client.post("/account/password/reset/", {"email": "morgan@example.org"})
    # The same answer as always, so a stranger cannot tell the address has an account.
    assert response["Location"] == "/account/password/reset/sent/"
    assert "Failed to send password reset email" in caplog.text


def test_reset_emails_to_one_address_are_limited_per_hour(client, member):
    for _ in range(5):
        client.post("/account/password/reset/", {"email": "morgan@example.org"})
    assert len(mail.outbox) == 3


def test_changing_the_password_asks_for_the_old_one(client, member):
    client.force_login(member)
    wrong = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": "river stones 42", "new_password2": "river stones 42"},
    )
    assert wrong.status_code == 400
    right = client.post(
        "/account/password/",
        {
            "old_password": "pw-for-tests",
            "new_password1": "river stones 42",
            "new_password2": "river stones 42",
        },
    )
    assert right["Location"] == "/account/password/changed/"
    member.refresh_from_db()
    assert member.check_password("river stones 42")


def test_the_profile_shows_working_groups_and_saves_changes(client, member, workforce, join_group):
    join_group(workforce, member)
    client.force_login(member)
    my_hub = client.get("/account/").content.decode()
    assert "Workforce and peer support" in my_hub and "Approved" in my_hub
    page = client.get("/account/profile/").content.decode()
    assert "Download your data" in page and "Close your account" in page

    topic = Topic.objects.get(slug="peer-support")
    response = client.post(
        "/account/profile/",
        {
            "first_name": "Morgan",
            "last_name": "Lee",
            "organisation": "Riverbend CMHC",
            "organisation_type": "cmhc",
            "role": "Peer services lead",
            "region": "Ohio",
            "topics": [topic.pk],
            "email_news": "",
            "email_working_groups": "on",
        },
    )
    assert response.status_code == 303
    member.refresh_from_db()
    profile = MemberProfile.objects.get(user=member)
    assert member.get_full_name() == "Morgan Lee"
    assert (profile.organisation, profile.email_news, profile.email_working_groups) == (
        "Riverbend CMHC",
        False,
        True,
    )
    assert list(profile.topics.all()) == [topic]
    assert "Your profile is saved." in client.get("/account/profile/").content.decode()


def test_a_bad_profile_value_is_explained_and_the_rest_kept(client, member):
    client.force_login(member)
    response = client.post(
        "/account/profile/", {"organisation": "Riverbend CMHC", "organisation_type": "hospital"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of the types of organisation listed." in html
    assert 'value="Riverbend CMHC"' in html
    assert not MemberProfile.objects.exists()


def test_the_profile_lists_the_members_event_registrations(client, member):
    from django.apps import apps

    try:
        Registration = apps.get_model("events", "EventRegistration")
        from events.factories import EventIndexPageFactory, EventPageFactory
    except (LookupError, ImportError):
        pytest.skip("The events app keeps no registrations yet.")
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    index = EventIndexPageFactory(parent=home)
    event = EventPageFactory(parent=index, title="Launch webinar")
    event.save_revision().publish()
    Registration.objects.create(event=event, name="Morgan", email=member.email, user=member, consent=True)
    client.force_login(member)
    assert "Launch webinar" in client.get("/account/").content.decode()


def test_a_member_downloads_their_data_as_json(client, member, workforce, join_group):
    MembershipApplication.objects.create(
        name="Morgan",
        email=member.email,
        organisation="Riverbend CMHC",
        organisation_type="cmhc",
        user=member,
    )
    profile = MemberProfile.objects.create(user=member, organisation="Riverbend CMHC", role="Lead")
    profile.followed_groups.add(workforce)
    join_group(workforce, member)
    client.force_login(member)
    response = client.get("/account/my-data/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-data-morgan.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "morgan@example.org"
    assert data["account"]["groups"] == ["Members"]
    assert data["profile"]["organisation"] == "Riverbend CMHC"
    assert data["profile"]["working_groups_followed"] == ["Workforce and peer support"]
    assert data["profile"]["news_digest"] == "Every week"
    assert data["membership_applications"][0]["organisation"] == "Riverbend CMHC"
    assert data["working_groups"] == [
        {
            "working_group": "Workforce and peer support",
            "status": "Approved",
            "message": "",
            "requested_at": data["working_groups"][0]["requested_at"],
            "decided_at": None,
        }
    ]


def test_closing_the_account_removes_personal_data_and_keeps_records(client, member, workforce, join_group):
    from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

    application = MembershipApplication.objects.create(
        name="Morgan Member",
        email=member.email,
        organisation="Riverbend CMHC",
        organisation_type="cmhc",
        role="Lead",
        status="approved",
        user=member,
    )
    MemberProfile.objects.create(user=member, organisation="Riverbend CMHC")
    join_group(workforce, member)
    library = ResourceIndexPageFactory(parent=workforce.get_parent().get_parent())
    suggestion = ResourcePageFactory(parent=library, title="Suggested toolkit", suggested_by=member)

    client.force_login(member)
    wrong = client.post("/account/close/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400 and "That is not your password" in wrong.content.decode()
    unticked = client.post("/account/close/", {"password": "pw-for-tests"})
    assert "Tick the box to confirm" in unticked.content.decode()

    response = client.post("/account/close/", {"password": "pw-for-tests", "confirm": "on"})
    assert response.status_code == 200
    assert "Your account is closed" in response.content.decode()

    user = get_user_model().objects.get(pk=member.pk)
    assert (user.username, user.email, user.first_name, user.is_active) == (
        f"closed-account-{member.pk}",
        "",
        "",
        False,
    )
    assert not user.has_usable_password() and not user.groups.exists()
    assert not MemberProfile.objects.filter(user=user).exists()
    assert not workforce.memberships.exists()
    application.refresh_from_db()
    assert (application.name, application.email, application.organisation) == ("", "", "")
    assert (application.status, application.organisation_type) == ("approved", "cmhc")
    suggestion.refresh_from_db()
    assert suggestion.title == "Suggested toolkit" and suggestion.suggested_by is None
    # Signed out, and the old password no longer works.
    assert client.get("/account/").status_code == 302
    assert not Client().login(username="morgan", password="pw-for-tests")


def test_administrators_cannot_close_their_own_account_here(client, make_user):
    admin = make_user("root", is_superuser=True)
    client.force_login(admin)
    response = client.post("/account/close/", {"password": "pw-for-tests", "confirm": "on"})
    assert response.status_code == 400
    admin.refresh_from_db()
    assert admin.is_active


def test_account_pages_ask_anonymous_visitors_to_sign_in(client):
    for path in (
        "/account/",
        "/account/profile/",
        "/account/my-data/",
        "/account/close/",
        "/account/password/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{SIGN_IN}?next=")


def test_people_may_sign_in_with_their_email_address(client, member):
    response = sign_in(client, "Morgan@Example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
