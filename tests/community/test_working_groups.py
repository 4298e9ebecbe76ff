"""Working groups: asking to join, what a group's page shows, search and the demo."""

import datetime
import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from community.models import (
    JoinPage,
    MembershipApplication,
    WorkingGroupChair,
    WorkingGroupMeeting,
    WorkingGroupMembership,
    WorkingGroupOutput,
    WorkingGroupPage,
)
from hub.models import HubSettings, Topic
from knowledge.factories import ResourcePageFactory

from .conftest import BROKEN_MAIL, publish

pytestmark = pytest.mark.django_db

ASK = "/account/working-groups/ask/"


def test_working_group_pages_live_under_the_index_under_home(group_index, workforce):
    assert WorkingGroupPage.can_create_at(group_index)
    assert not WorkingGroupPage.can_create_at(group_index.get_parent())
    assert workforce.url == "/working-groups/workforce-and-peer-support/"


def test_the_home_page_may_hold_the_join_page_and_the_working_groups(home_page):
    assert JoinPage.can_create_at(home_page)
    from community.models import WorkingGroupIndexPage

    assert WorkingGroupIndexPage.can_create_at(home_page)


def test_a_signed_in_member_asks_to_join_and_the_chairs_are_told(client, member, workforce, make_user):
    chair = make_user("dana")
    WorkingGroupChair.objects.create(page=workforce, name="Dana Whitfield", user=chair)
    client.force_login(member)
    page = client.get(workforce.url).content.decode()
    assert "Ask to join this group" in page

    response = client.post(ASK, {"working_group": workforce.pk, "message": "I run peer services."})
    assert response.status_code == 303
    assert response["Location"] == f"{workforce.url}#membership"
    membership = WorkingGroupMembership.objects.get()
    assert (membership.user, membership.status, membership.message) == (
        member,
        "pending",
        "I run peer services.",
    )
    (notice,) = mail.outbox
    assert notice.to == [chair.email]
    assert "Request to join Workforce and peer support" in notice.subject

    after = client.get(workforce.url).content.decode()
    assert "You asked to join on" in after and "Ask to join this group" not in after


def test_asking_twice_keeps_one_request(client, member, workforce):
    client.force_login(member)
    client.post(ASK, {"working_group": workforce.pk})
    client.post(ASK, {"working_group": workforce.pk})
    assert WorkingGroupMembership.objects.count() == 1


def test_anonymous_visitors_are_asked_to_sign_in_first(client, workforce):
    page = client.get(workforce.url).content.decode()
    assert "Sign in to ask to join" in page and 'name="working_group"' not in page
    response = client.post(ASK, {"working_group": workforce.pk})
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    assert not WorkingGroupMembership.objects.exists()


@pytest.mark.parametrize("tampered", ["unknown", "not-a-number", "missing", "restricted", "closed"])
def test_a_tampered_working_group_id_gets_a_clear_message(client, member, make_group, restrict, tampered):
    values = {
        "unknown": {"working_group": "987654"},
        "not-a-number": {"working_group": "workforce"},
        "missing": {},
    }
    if tampered == "restricted":
        values[tampered] = {"working_group": restrict(make_group("Staff circle"), "CMHC staff").pk}
    if tampered == "closed":
        values[tampered] = {"working_group": make_group("Full group", accepts_requests=False).pk}
    client.force_login(member)
    response = client.post(ASK, values[tampered])
    assert response.status_code == 400
    assert "We could not send your request" in response.content.decode()
    assert not WorkingGroupMembership.objects.exists()


@override_settings(MAILERS=BROKEN_MAIL)
def test_a_failing_mail_service_keeps_the_request(client, member, workforce, make_user):
    WorkingGroupChair.objects.create(page=workforce, name="Dana", user=make_user("dana"))
    client.force_login(member)
    assert client.post(ASK, {"working_group": workforce.pk}).status_code == 303
    membership = WorkingGroupMembership.objects.get()
    assert "could not be sent" in membership.email_problem


def test_once_approved_the_member_sees_the_groups_material(client, member, workforce, steering, make_user):
    client.force_login(member)
    client.post(ASK, {"working_group": workforce.pk})
    assert "Members-only notes" not in client.get(workforce.url).content.decode()

    editor = Client()
    editor.force_login(make_user("eden", "Editors"))
    membership = WorkingGroupMembership.objects.get()
    editor.post(f"/admin/community/workinggroupmembership/approve/{membership.pk}/", {})

    html = client.get(workforce.url).content.decode()
    assert "You are a member of this group." in html
    assert "Members-only notes" in html


def test_the_page_shows_purpose_chairs_cadence_topics_gap_and_outputs(
    client, workforce, members_only_resource
):
    workforce.gap_addressed = "Peer specialists leave within a year."
    workforce.goals = "<ul><li>A supervision guide</li></ul>"
    workforce.topics.set(Topic.objects.filter(slug="peer-support"))
    workforce.chairs.add(WorkingGroupChair(name="Dana Whitfield", organisation="Riverbend CMHC"))
    public = ResourcePageFactory(parent=members_only_resource.get_parent(), title="Peer workforce toolkit")
    publish(public)
    workforce.outputs.add(
        WorkingGroupOutput(resource=public), WorkingGroupOutput(resource=members_only_resource)
    )
    publish(workforce)

    html = client.get(workforce.url).content.decode()
    for text in (
        "What Workforce and peer support is for.",
        "Dana Whitfield (Riverbend CMHC)",
        "Monthly, online",
        "Peer support",
        "Peer specialists leave within a year.",
        "A supervision guide",
        "Peer workforce toolkit",
    ):
        assert text in html, text
    # The members-only resource is listed only for people who may read it.
    assert "Members-only toolkit" not in html


def test_upcoming_meetings_leave_out_past_events_and_private_pages(client, workforce, home_page, restrict):
    factories = pytest.importorskip("events.factories")
    index = publish(factories.EventIndexPageFactory(parent=home_page))
    now = timezone.now()
    upcoming = publish(
        factories.EventPageFactory(parent=index, title="Next meeting", start=now + datetime.timedelta(days=7))
    )
    past = publish(
        factories.EventPageFactory(parent=index, title="Last meeting", start=now - datetime.timedelta(days=7))
    )
    closed = publish(
        factories.EventPageFactory(
            parent=index, title="Steering meeting", start=now + datetime.timedelta(days=3)
        )
    )
    restrict(closed, "Steering")
    for order, event in enumerate((upcoming, past, closed)):
        WorkingGroupMeeting.objects.create(page=workforce, meeting=event, sort_order=order)

    html = client.get(workforce.url).content.decode()
    assert "Next meeting" in html
    assert "Last meeting" not in html and "Steering meeting" not in html


def test_working_groups_follow_the_search_contract(workforce):
    workforce.topics.set(Topic.objects.filter(slug__in=["peer-support", "workforce"]))
    workforce.save()
    WorkingGroupChair.objects.create(page=workforce, name="Dana Whitfield")
    page = WorkingGroupPage.get_indexed_objects().get(pk=workforce.pk)
    assert WorkingGroupPage.search_type == "Working group"
    assert page.topic_names() == "Peer support Workforce"
    assert page.chair_names() == "Dana Whitfield"
    assert page.search_date == timezone.localdate(workforce.last_published_at)
    boosts = {f.field_name: getattr(f, "boost", None) for f in WorkingGroupPage.get_search_fields()}
    assert boosts["topic_names"] == 3


def test_the_demo_content_adds_join_page_groups_member_and_pending_application(site):
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    first = (WorkingGroupPage.objects.count(), WorkingGroupMembership.objects.count())
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    assert (WorkingGroupPage.objects.count(), WorkingGroupMembership.objects.count()) == first
    assert WorkingGroupPage.objects.live().count() == 4

    join = JoinPage.objects.get()
    assert join.url == "/join/"
    assert HubSettings.for_site(site).join_url == "/join/"
    assert MembershipApplication.objects.filter(status="pending").count() == 1

    member = Client()
    assert member.login(username="member", password="member-demo-2026")
    workforce = WorkingGroupPage.objects.get(slug="workforce-and-peer-support")
    html = member.get(workforce.url).content.decode()
    assert "Notes from the last meeting" in html
    assert "Peer supervision guide: outline for comment" in html
    assert "Notes from the last meeting" not in Client().get(workforce.url).content.decode()
    assert "Working groups" in Client().get("/").content.decode()
    assert Client().get("/join/").status_code == 200
