"""The hub keeps serving when the cache and the mail service fail.

The cache is the hub's Redis backend pointed at a closed port on 127.0.0.1
(every connection refused, as when Redis is down) and mail goes through the
hub's SMTP backend to a small local SMTP server that refuses (see
``faulty_services``). Nothing of our own is mocked: the whole middleware stack
answers through Django's test client, and what a person does is walked through:
a page view, signing in, a suggestion, a join application, an event
registration and a contributor's "Submit for review" in the admin. Every one is
stored, nothing answers 5xx, the person is told the truth and staff can see
each mail that was not sent."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse
from wagtail.models import WorkflowState

from community.models import MembershipApplication
from events.models import EventRegistration
from hub.models import EvidenceLevel, MailFailure, ResourceType
from knowledge.factories import ResourcePageFactory
from knowledge.models import ResourcePage
from tests.hub.conftest import JOIN_FORM
from tests.knowledge.admin_forms import edit_data

from .faulty_services import MODES, FaultySMTPServer, closed_port

pytestmark = pytest.mark.django_db


def redis_at_closed_port():
    return {
        "default": {
            "BACKEND": "hub.cache_backend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }


@pytest.fixture
def cache_down():
    with override_settings(CACHES=redis_at_closed_port()):
        yield


@pytest.fixture(params=MODES)
def mail_down(request):
    with FaultySMTPServer(request.param) as server, override_settings(MAILERS=server.mailers(timeout=1)):
        yield server


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:3000]
    return response


def test_pages_sign_in_suggestions_applications_and_registrations_survive_cache_and_mail_outages(
    client, content, make_user, cache_down, mail_down
):
    member = make_user("morgan", "Members")
    make_user("sky", "Steering")  # the join notice goes to the steering team

    # Liveness and pages, anonymous: served uncached.
    assert assert_no_server_error(client.get("/health/live/")).status_code == 200
    for path in (
        "/",
        content["resource"].url,
        content["library"].url,
        content["webinar"].url,
        "/search/?q=crisis",
    ):
        assert assert_no_server_error(client.get(path)).status_code == 200, path

    # A join application: stored, and the page does not claim a copy was sent.
    response = assert_no_server_error(
        client.post(
            content["join"].url,
            JOIN_FORM,
            follow=True,
        )
    )
    application = MembershipApplication.objects.get(email="jordan@example.org")
    assert application.email_problem
    html = response.content.decode()
    assert "Thank you, Jordan Rivera" in html
    assert "We have sent the details" not in html
    assert "We could not send the e-mail to that address just now" in html

    # An event registration: stored, and the person is told the e-mail did not go.
    response = assert_no_server_error(
        client.post(
            content["webinar"].url + "register/",
            {
                "event": str(content["webinar"].pk),
                "name": "Ana Torres",
                "email": "ana@example.org",
                "organisation": "Riverbend CMHC",
                "role": "cmhc-leader",
                "consent": "on",
            },
            follow=True,
        )
    )
    registration = EventRegistration.objects.get(email="ana@example.org")
    assert registration.confirmation_error
    assert "We could not send the confirmation e-mail just now" in response.content.decode()

    # A password reset: the same answer whether or not the mail went (it never
    # tells who has an account), and staff see the e-mail that did not go.
    response = assert_no_server_error(client.post(reverse("password_reset"), {"email": "morgan@example.org"}))
    assert response.status_code == 302

    # Signing in: the session lives in the database while the cache is away.
    response = assert_no_server_error(
        client.post(reverse("login"), {"username": "morgan", "password": "pw-for-tests"})
    )
    assert response.status_code == 302
    response = assert_no_server_error(client.get(reverse("account-profile")))
    assert response.status_code == 200
    assert response.wsgi_request.user == member

    # A suggestion: stored as a draft in review, the thank-you page shown.
    response = assert_no_server_error(
        client.post(
            "/resources/suggest/",
            {
                "title": "Zero Suicide toolkit",
                "link": "https://zerosuicide.edc.org/toolkit",
                "why": "Step-by-step help for CMHCs building suicide-safer care.",
            },
            follow=True,
        )
    )
    suggestion = ResourcePage.objects.get(title="Zero Suicide toolkit")
    assert WorkflowState.objects.filter(
        object_id=str(suggestion.pk), status=WorkflowState.STATUS_IN_PROGRESS
    ).exists()
    assert "Zero Suicide toolkit" in response.content.decode()

    # Signed-in pages keep working too.
    assert assert_no_server_error(client.get(content["resource"].url)).status_code == 200

    # Staff see every e-mail that did not go: the applicant's copy, the steering
    # notice, the registration confirmation and the reviewers' notices.
    failures = MailFailure.objects.all()
    recipients = " ".join(failures.values_list("recipients", flat=True))
    assert "jordan@example.org" in recipients and "sky@example.org" in recipients
    assert "ana@example.org" in recipients and "morgan@example.org" in recipients
    assert all(failure.error for failure in failures)


def test_submit_for_review_in_the_admin_starts_the_review_when_mail_fails(
    client, content, make_user, cache_down, mail_down
):
    contributor = make_user("casey", "Contributors", "Partners")
    editor = make_user("eden", "Editors")  # the editorial step's group is told by e-mail
    draft = ResourcePageFactory(
        parent=content["library"],
        title="Peer-run respite houses",
        slug="peer-run-respite",
        owner=contributor,
        live=False,
        resource_type=ResourceType.objects.get(slug="guide"),
        evidence_level=EvidenceLevel.objects.get(slug="not-rated"),
    )
    draft.save_revision(user=contributor)
    client.force_login(contributor)

    response = assert_no_server_error(
        client.post(
            reverse("wagtailadmin_pages:edit", args=(draft.pk,)),
            edit_data(draft, **{"action-submit": "Submit"}),
        )
    )
    assert response.status_code == 302
    review = WorkflowState.objects.get(object_id=str(draft.pk), status=WorkflowState.STATUS_IN_PROGRESS)
    assert MailFailure.objects.filter(recipients__contains="eden@example.org").exists()

    # The editor approves the editorial step: the review moves on to evidence
    # review, whose reviewers cannot be told either.
    make_user("riley", "Evidence reviewers")
    editorial = review.current_task_state
    client.force_login(editor)
    response = assert_no_server_error(
        client.post(
            reverse("wagtailadmin_pages:workflow_action", args=(draft.pk, "approve", editorial.pk)),
            {"review": editorial.pk, "comment": "Fine by me."},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
    )
    review.refresh_from_db()
    assert review.current_task_state != editorial
    assert MailFailure.objects.filter(recipients__contains="riley@example.org").exists()


def test_a_mail_server_that_does_not_answer_is_waited_for_once_not_once_per_reviewer(
    client, content, make_user, cache_down
):
    contributor = make_user("casey", "Contributors", "Partners")
    for name in ("eden", "ellis", "emery"):
        make_user(name, "Editors")
    draft = ResourcePageFactory(
        parent=content["library"],
        title="Peer-run respite houses",
        owner=contributor,
        live=False,
        resource_type=ResourceType.objects.get(slug="guide"),
        evidence_level=EvidenceLevel.objects.get(slug="not-rated"),
    )
    revision = draft.save_revision(user=contributor)
    with FaultySMTPServer("silent") as server, override_settings(MAILERS=server.mailers(timeout=1)):
        draft.get_workflow().start(draft, contributor)
    assert revision.pk and WorkflowState.objects.filter(object_id=str(draft.pk)).exists()
    assert server.connections == 1
    editors = {"eden@example.org", "ellis@example.org", "emery@example.org"}
    assert editors <= set(MailFailure.objects.values_list("recipients", flat=True))


@pytest.mark.parametrize("mode", ["refuse", "silent"])
def test_the_readiness_check_reports_the_cache_and_mail_as_degraded_and_the_hub_still_ready(
    client, cache_down, mode
):
    with FaultySMTPServer(mode) as server, override_settings(MAILERS=server.mailers(timeout=1)):
        response = client.get("/health/ready/")
    assert response.status_code == 200
    report = json.loads(response.content)
    assert report["status"] == "degraded"
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["cache"]["status"] == "unavailable"
    assert report["checks"]["mail"]["status"] == "unavailable"
    assert report["checks"]["search"]["status"] == "ok"


def test_the_readiness_check_says_ready_when_every_service_answers(client):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ready",
        "checks": {
            **{name: {"status": "ok"} for name in ("database", "cache", "search", "mail")},
            "tasks": {"status": "ok", "waiting": 0, "oldest_waiting_seconds": None},
        },
    }


def test_without_the_database_the_hub_is_alive_but_not_ready(client, django_db_blocker):
    from django.db import connections

    with django_db_blocker.unblock():
        database = connections["default"]
        saved = dict(database.settings_dict)
        database.close()
        database.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        try:
            live = client.get("/health/live/")
            ready = client.get("/health/ready/")
        finally:
            database.close()
            database.settings_dict.update(saved)
    assert live.status_code == 200
    assert ready.status_code == 503
    report = json.loads(ready.content)
    assert report["status"] == "unavailable"
    assert report["checks"]["database"]["status"] == "unavailable"
