"""Staff approve or decline applications and requests to join working groups in the admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings

from community.models import MemberProfile, MembershipApplication, WorkingGroupChair, WorkingGroupMembership
from hub.models import Topic

from .conftest import BROKEN_MAIL

pytestmark = pytest.mark.django_db

ADMIN = "/admin/community/membershipapplication/"
GROUP_ADMIN = "/admin/community/workinggroupmembership/"


def application(email="jordan@example.org", organisation_type="cmhc", **extra):
    record = MembershipApplication.objects.create(
        name="Jordan Rivera",
        email=email,
        organisation="Lakeside CMHC",
        organisation_type=organisation_type,
        role="Clinical director",
        region="New Mexico",
        **extra,
    )
    record.topics.set(Topic.objects.filter(slug="crisis-services"))
    return record


def refused(response):
    """The admin answers a forbidden action by sending the person back to its dashboard."""
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def staff_client(client, steering):
    client.force_login(steering)
    return client


def test_staff_list_applications_with_filters_and_export_them_as_csv(staff_client):
    application()
    application(email="ana@example.org", organisation_type="research", status="declined")
    listing = staff_client.get(ADMIN)
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "jordan@example.org" in html and "ana@example.org" in html
    assert "Approve" in html

    pending_cmhc = staff_client.get(
        ADMIN, {"status": "pending", "organisation_type": "cmhc"}
    ).content.decode()
    assert "jordan@example.org" in pending_cmhc and "ana@example.org" not in pending_cmhc

    export = staff_client.get(ADMIN, {"export": "csv"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "jordan@example.org" in body and "Crisis services" in body


def test_approval_creates_the_account_with_groups_profile_and_a_set_password_link(
    staff_client, client, workforce
):
    record = application()
    record.working_groups.set([workforce])
    response = staff_client.post(f"{ADMIN}approve/{record.pk}/", {"message": "Welcome aboard!"}, follow=True)
    assert response.status_code == 200
    assert "The application from Jordan Rivera: approved." in response.content.decode()

    record.refresh_from_db()
    user = record.user
    assert record.status == "approved" and record.decided_by.username == "sky"
    assert user.email == "jordan@example.org" and user.first_name == "Jordan" and user.last_name == "Rivera"
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {"Members", "CMHC staff"}
    profile = MemberProfile.objects.get(user=user)
    assert (profile.organisation, profile.role, profile.region) == (
        "Lakeside CMHC",
        "Clinical director",
        "New Mexico",
    )
    assert [t.slug for t in profile.topics.all()] == ["crisis-services"]
    # The working group chosen on the form becomes a request to its chairs.
    assert WorkingGroupMembership.objects.get(user=user, working_group=workforce).status == "pending"

    (message,) = mail.outbox
    assert message.to == ["jordan@example.org"]
    assert "Welcome aboard!" in message.body
    link = re.search(r"http://testserver(/account/password/reset/\S+/)", message.body).group(1)

    client.logout()
    form = client.get(link, follow=True)
    assert "Choose your password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long walk by the river", "new_password2": "a long walk by the river"},
    )
    assert done.status_code == 302
    assert client.login(username=user.username, password="a long walk by the river")


@pytest.mark.parametrize(
    "organisation_type, groups",
    [
        ("partner", {"Members", "Partners"}),
        ("research", {"Members"}),
        ("other", {"Members"}),
    ],
)
def test_approval_puts_the_member_in_groups_by_organisation_type(staff_client, organisation_type, groups):
    record = application(organisation_type=organisation_type)
    staff_client.post(f"{ADMIN}approve/{record.pk}/", {})
    record.refresh_from_db()
    assert set(record.user.groups.values_list("name", flat=True)) == groups


def test_approval_activates_an_existing_account_with_that_address(staff_client, make_user):
    existing = make_user("jrivera", is_active=False)
    existing.email = "Jordan@Example.org"
    existing.save()
    record = application()
    staff_client.post(f"{ADMIN}approve/{record.pk}/", {})
    existing.refresh_from_db()
    assert existing.is_active
    assert get_user_model().objects.filter(email__iexact="jordan@example.org").count() == 1
    assert existing.groups.filter(name="Members").exists()
    # They already have a password: the e-mail says how to sign in instead.
    assert "/account/sign-in/" in mail.outbox[0].body
    assert "password/reset/" in mail.outbox[0].body


def test_declining_sends_a_courteous_email_and_creates_no_account(staff_client):
    record = application()
    page = staff_client.get(f"{ADMIN}decline/{record.pk}/")
    assert "courteous" in page.content.decode()
    staff_client.post(f"{ADMIN}decline/{record.pk}/", {"message": "Our partner CoP may suit you better."})
    record.refresh_from_db()
    assert record.status == "declined" and record.user is None
    assert not get_user_model().objects.filter(email="jordan@example.org").exists()
    (message,) = mail.outbox
    assert "Thank you for your interest" in message.body
    assert "Our partner CoP may suit you better." in message.body


@override_settings(MAILERS=BROKEN_MAIL)
def test_when_mail_fails_the_decision_is_saved_and_staff_see_the_problem(staff_client):
    record = application()
    response = staff_client.post(f"{ADMIN}approve/{record.pk}/", {}, follow=True)
    html = response.content.decode()
    assert "the e-mail about it could not be sent" in html
    record.refresh_from_db()
    assert record.status == "approved" and record.user is not None
    assert "The approval e-mail could not be sent" in record.email_problem
    # The listing keeps showing it.
    assert "The approval e-mail could not be sent" in staff_client.get(ADMIN).content.decode()


def test_a_decided_application_cannot_be_approved_twice(staff_client):
    record = application()
    staff_client.post(f"{ADMIN}approve/{record.pk}/", {})
    response = staff_client.post(f"{ADMIN}approve/{record.pk}/", {}, follow=True)
    assert "was already decided" in response.content.decode()
    assert len(mail.outbox) == 1


def test_people_without_the_permission_cannot_decide(client, make_user, member):
    record = application()
    client.force_login(make_user("eden", "Editors"))
    assert client.get(ADMIN).status_code == 200  # editors may look
    assert refused(client.post(f"{ADMIN}approve/{record.pk}/", {}))
    client.force_login(member)
    response = client.post(f"{ADMIN}approve/{record.pk}/", {})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    record.refresh_from_db()
    assert record.status == "pending"


def test_nobody_adds_or_edits_applications_by_hand(staff_client):
    record = application()
    assert refused(staff_client.get(f"{ADMIN}create/"))
    assert refused(staff_client.get(f"{ADMIN}edit/{record.pk}/"))
    assert staff_client.get(f"{ADMIN}inspect/{record.pk}/").status_code == 200


# --- requests to join working groups -------------------------------------------------


def test_editors_approve_a_request_to_join_and_the_member_is_told(
    client, make_user, member, workforce, join_group
):
    membership = join_group(workforce, member, status="pending")
    client.force_login(make_user("eden", "Editors"))
    assert "morgan" in client.get(GROUP_ADMIN).content.decode()
    client.post(f"{GROUP_ADMIN}approve/{membership.pk}/", {})
    membership.refresh_from_db()
    assert membership.status == "approved"
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "You are now a member of Workforce and peer support" in message.subject


def test_a_chair_with_admin_access_decides_for_their_own_group_only(
    client, make_user, member, make_group, join_group
):
    chair = make_user("dana", "Contributors")
    mine, other = make_group("Crisis services"), make_group("Research partnerships")
    WorkingGroupChair.objects.create(page=mine, name="Dana", user=chair)
    in_mine = join_group(mine, member, status="pending")
    in_other = join_group(other, make_user("riley", "Members"), status="pending")
    client.force_login(chair)
    listing = client.get(GROUP_ADMIN).content.decode()
    assert f"{GROUP_ADMIN}inspect/{in_mine.pk}/" in listing
    assert f"{GROUP_ADMIN}inspect/{in_other.pk}/" not in listing
    assert refused(client.post(f"{GROUP_ADMIN}approve/{in_other.pk}/", {}))
    client.post(f"{GROUP_ADMIN}decline/{in_mine.pk}/", {})
    in_mine.refresh_from_db()
    in_other.refresh_from_db()
    assert (in_mine.status, in_other.status) == ("declined", "pending")
    assert "not able to add you" in mail.outbox[0].body
