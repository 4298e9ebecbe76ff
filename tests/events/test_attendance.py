"""Staff record who attended an event from the registrations list; the list
shows, filters and exports what they recorded."""

import csv
import io

import pytest

from events.models import EventRegistration

pytestmark = pytest.mark.django_db
LIST = "/admin/events/eventregistration/"
ACTION = "/admin/events/eventregistration/attendance/"


@pytest.fixture
def past_event(make_event):
    event = make_event("Peer support webinar", days=-3)
    for name in ("Ana", "Ben", "Cleo", "Dev"):
        EventRegistration.objects.create(
            event=event, name=name, email=f"{name.lower()}@example.org", consent=True
        )
    return event


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user("eden", "Editors"))
    return client


def ids(*names):
    return [str(pk) for pk in EventRegistration.objects.filter(name__in=names).values_list("pk", flat=True)]


def attendance():
    return dict(EventRegistration.objects.values_list("name", "attended"))


def export_rows(client, **params):
    response = client.get(LIST, {"export": "csv", **params})
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_editor_marks_selected_registrations_as_attended_or_not(editor_client, past_event):
    response = editor_client.post(
        ACTION, {"registration": ids("Ana", "Ben", "Cleo"), "attended": "yes", "next": LIST}, follow=True
    )
    assert "3 registrations: marked as attended." in response.content.decode()
    editor_client.post(ACTION, {"registration": ids("Cleo"), "attended": "no", "next": LIST})
    assert attendance() == {"Ana": True, "Ben": True, "Cleo": False, "Dev": None}

    editor_client.post(ACTION, {"registration": ids("Ben"), "attended": "clear"})
    assert attendance() == {"Ana": True, "Ben": None, "Cleo": False, "Dev": None}


def test_the_list_shows_filters_and_exports_attendance(editor_client, past_event):
    editor_client.post(ACTION, {"registration": ids("Ana", "Ben"), "attended": "yes"})
    editor_client.post(ACTION, {"registration": ids("Cleo"), "attended": "no"})

    listing = editor_client.get(LIST).content.decode()
    assert 'id="attendance-form"' in listing
    assert 'aria-label="Select Ana for Peer support webinar"' in listing
    assert listing.count("Did not attend") >= 1 and "Not recorded" in listing
    attended = editor_client.get(LIST, {"attended__exact": "1"}).content.decode()
    assert "ana@example.org" in attended and "ben@example.org" in attended
    assert "cleo@example.org" not in attended and "dev@example.org" not in attended
    not_recorded = editor_client.get(LIST, {"attended__isnull": "True"}).content.decode()
    assert "dev@example.org" in not_recorded and "ana@example.org" not in not_recorded

    rows = export_rows(editor_client)
    assert {row["Email"]: row["Attended"] for row in rows} == {
        "ana@example.org": "Attended",
        "ben@example.org": "Attended",
        "cleo@example.org": "Did not attend",
        "dev@example.org": "Not recorded",
    }


def test_attendance_waits_until_the_event_has_started(editor_client, past_event, make_event):
    upcoming = make_event("Next month's training", days=30)
    EventRegistration.objects.create(event=upcoming, name="Eve", email="eve@example.org", consent=True)
    response = editor_client.post(ACTION, {"registration": ids("Ana", "Eve"), "attended": "yes"}, follow=True)
    content = response.content.decode()
    assert "1 registration: marked as attended." in content
    assert "1 registration left alone: attendance is recorded once the event has started." in content
    assert attendance()["Eve"] is None and attendance()["Ana"] is True


def test_nothing_selected_or_no_choice_changes_nothing(editor_client, past_event):
    response = editor_client.post(ACTION, {"attended": "yes"}, follow=True)
    assert "Select the registrations" in response.content.decode()
    response = editor_client.post(ACTION, {"registration": ids("Ana"), "attended": "maybe"}, follow=True)
    assert "Choose whether" in response.content.decode()
    assert set(attendance().values()) == {None}


def test_the_form_returns_to_the_filtered_list_but_never_to_another_site(editor_client, past_event):
    back = f"{LIST}?status__exact=confirmed"
    response = editor_client.post(ACTION, {"registration": ids("Ana"), "attended": "yes", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = editor_client.post(
        ACTION, {"registration": ids("Ana"), "attended": "yes", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == LIST


def test_only_staff_who_may_change_registrations_record_attendance(client, make_user, past_event):
    client.force_login(make_user("morgan", "Members"))
    response = client.post(ACTION, {"registration": ids("Ana"), "attended": "yes"})
    assert response.status_code in (302, 403)
    assert attendance()["Ana"] is None
    client.force_login(make_user("eden", "Editors"))
    assert client.get(ACTION).status_code == 405
