"""Editors see events with registration counts and the registrations themselves
(filters, CSV export, e-mail failures); the demo loader is safe to run twice."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from events.models import EventPage, EventRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations(make_event):
    event = make_event("Launch webinar")
    EventRegistration.objects.create(event=event, name="Ana", email="ana@example.org", consent=True)
    EventRegistration.objects.create(
        event=event,
        name="Ben",
        email="ben@example.org",
        consent=True,
        status="waitlisted",
        confirmation_error="2027-01-01 10:00 ConnectionRefusedError: mail server unreachable",
    )
    return event


def test_editors_see_registrations_with_failed_confirmations_and_export_them(
    client, registrations, make_user
):
    client.force_login(make_user("eden", "Editors"))
    listing = client.get("/admin/events/eventregistration/")
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "ana@example.org" in content and "Not sent: 2027-01-01" in content
    filtered = client.get("/admin/events/eventregistration/", {"status__exact": "waitlisted"})
    assert (
        "ben@example.org" in filtered.content.decode() and "ana@example.org" not in filtered.content.decode()
    )
    export = client.get("/admin/events/eventregistration/", {"export": "csv"})
    assert export.status_code == 200
    csv_text = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "ana@example.org" in csv_text and "ConnectionRefusedError" in csv_text


def test_members_cannot_see_registrations(client, registrations, make_user):
    client.force_login(make_user("morgan", "Members"))
    assert client.get("/admin/events/eventregistration/").status_code in (302, 403)


def test_admin_events_list_shows_registration_counts(client, registrations, make_user):
    client.force_login(make_user("admin", is_superuser=True, is_staff=True))
    response = client.get("/admin/events/", {"when": "upcoming"})
    assert response.status_code == 200
    rows = {row.title: row for row in response.context["object_list"]}
    assert rows["Launch webinar"].registered_count == 1
    assert rows["Launch webinar"].waitlisted_count == 1


def test_demo_content_loads_twice_with_its_closed_and_members_only_events(db):
    call_command("load_demo_content", stdout=io.StringIO())
    count = EventPage.objects.count()
    call_command("load_demo_content", stdout=io.StringIO())
    assert EventPage.objects.count() == count >= 10
    launch = EventPage.objects.get(slug="launch-webinar-join-a-working-group")
    assert launch.call_to_action[0].value["url"] == "/working-groups/"
    partners = PageViewRestriction.objects.get(page__slug="partner-meeting-aligning-state-cops")
    assert list(partners.groups.all()) == [Group.objects.get(name="Partners")]
    assert EventPage.objects.filter(access="members").exists()
    past = EventPage.objects.get(slug="listening-session-what-cmhc-leaders-need")
    assert past.has_finished and past.slides.file.read().startswith(b"%PDF") and past.recording
    assert EventPage.objects.filter(access="open", cancelled=False).exclude(pk=past.pk).count() >= 5
