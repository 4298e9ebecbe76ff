"""Nothing goes live without editorial and evidence review, proven at the HTTP
level with the hub's own roles."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from hub.models import EvidenceLevel
from knowledge.models import ResourcePage
from tests.knowledge.admin_forms import edit_data, new_resource_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "contributor": make_user("casey", "Contributors", "Partners"),
        "editor": make_user("eden", "Editors"),
        "reviewer": make_user("riley", "Evidence reviewers"),
    }


@pytest.fixture
def draft(client, library, people):
    """A resource a contributor has drafted in the library."""
    client.force_login(people["contributor"])
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("knowledge", "resourcepage", library.pk)),
        new_resource_data(),
    )
    assert response.status_code == 302, response.content[:2000]
    client.logout()
    return ResourcePage.objects.get(slug="peer-run-respite")


def submit(client, person, page):
    client.force_login(person)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)), {**edit_data(page), "action-submit": "Submit"}
    )
    client.logout()
    return response


def act(client, person, page, action, **data):
    page.refresh_from_db()
    task_state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress").current_task_state
    client.force_login(person)
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk)),
        {"review": task_state.pk, **data},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    client.logout()
    return response


def current_task(page):
    state = WorkflowState.objects.filter(object_id=str(page.pk)).order_by("-pk").first()
    return state, (state.current_task_state.task.name if state and state.current_task_state else None)


def test_a_contributors_publish_request_is_refused(client, draft, people):
    client.force_login(people["contributor"])
    client.post(
        reverse("wagtailadmin_pages:edit", args=(draft.pk,)),
        {**edit_data(draft), "action-publish": "Publish"},
    )
    draft.refresh_from_db()
    assert not draft.live


def test_submit_then_editorial_then_evidence_approval_puts_the_resource_live(client, draft, people):
    submit(client, people["contributor"], draft)
    assert current_task(draft)[1] == "Editorial review"

    act(client, people["editor"], draft, "approve", comment="Clear and useful.")
    assert current_task(draft)[1] == "Evidence review"
    draft.refresh_from_db()
    assert not draft.live

    level = EvidenceLevel.objects.get(slug="emerging")
    response = act(
        client,
        people["reviewer"],
        draft,
        "approve",
        evidence_level=level.pk,
        rationale="Two pilot evaluations.",
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.live
    assert draft.evidence_level == level
    state, _ = current_task(draft)
    assert state.status == "approved"
    history = [(ts.task.name, ts.finished_by.username, ts.status) for ts in state.task_states.order_by("pk")]
    assert history == [("Editorial review", "eden", "approved"), ("Evidence review", "riley", "approved")]
    evidence_comment = state.task_states.order_by("pk").last().comment
    assert "Emerging" in evidence_comment and "Two pilot evaluations." in evidence_comment


def test_a_reviewer_cannot_approve_a_step_that_is_not_theirs(client, draft, people):
    submit(client, people["contributor"], draft)
    response = act(client, people["reviewer"], draft, "approve", comment="Looks fine")
    assert response.status_code == 403
    assert current_task(draft)[1] == "Editorial review"
    act(client, people["editor"], draft, "approve", comment="")
    response = act(
        client,
        people["editor"],
        draft,
        "approve",
        evidence_level=EvidenceLevel.objects.get(slug="strong").pk,
        rationale="I say so",
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.live


def test_rejection_returns_the_resource_to_its_author_with_the_comment(client, draft, people, mailoutbox):
    submit(client, people["contributor"], draft)
    act(client, people["editor"], draft, "approve", comment="")
    response = act(client, people["reviewer"], draft, "reject", comment="")
    assert b"This field is required" in response.content
    act(client, people["reviewer"], draft, "reject", comment="Cite the evaluation report.")
    state, _ = current_task(draft)
    assert state.status == "needs_changes"
    assert state.task_states.order_by("pk").last().comment == "Cite the evaluation report."
    draft.refresh_from_db()
    assert not draft.live


def test_the_reviewer_is_shown_what_is_missing_and_cannot_approve_without_a_source(
    client, library, draft, people
):
    draft.source_url = ""
    draft.save_revision()
    submit(client, people["contributor"], draft)
    act(client, people["editor"], draft, "approve", comment="")
    client.force_login(people["reviewer"])
    task_state = WorkflowState.objects.get(object_id=str(draft.pk), status="in_progress").current_task_state
    form = client.get(
        reverse("wagtailadmin_pages:workflow_action", args=(draft.pk, "approve", task_state.pk))
    )
    assert "a source: the web address of the original, a DOI or a reference" in form.content.decode()
    client.logout()
    response = act(
        client,
        people["reviewer"],
        draft,
        "approve",
        evidence_level=EvidenceLevel.objects.get(slug="moderate").pk,
        rationale="Good studies",
    )
    assert "cannot pass evidence review yet" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.live
    assert current_task(draft)[1] == "Evidence review"


def test_not_rated_is_not_offered_as_an_evidence_level_for_approval():
    from knowledge.models.workflow import EvidenceApprovalForm

    levels = set(EvidenceApprovalForm().fields["evidence_level"].queryset.values_list("slug", flat=True))
    assert "not-rated" not in levels and "strong" in levels


def test_reviewers_and_author_are_emailed_at_each_step(client, draft, people, mailoutbox):
    people["editor"].email = "eden@example.org"
    people["editor"].save()
    submit(client, people["contributor"], draft)
    to_editors = [m for m in mailoutbox if "eden@example.org" in m.to]
    assert to_editors and "Peer-run respite houses" in to_editors[0].subject + to_editors[0].body
    mailoutbox.clear()
    act(client, people["editor"], draft, "approve", comment="")
    assert any("riley@example.org" in m.to for m in mailoutbox)
    mailoutbox.clear()
    act(client, people["reviewer"], draft, "reject", comment="Cite the evaluation report.")
    to_author = [m for m in mailoutbox if "casey@example.org" in m.to]
    assert to_author and "Cite the evaluation report." in to_author[0].body


def test_page_history_shows_who_approved_each_step(client, draft, people):
    from wagtail.models import PageLogEntry

    submit(client, people["contributor"], draft)
    act(client, people["editor"], draft, "approve", comment="")
    act(
        client,
        people["reviewer"],
        draft,
        "approve",
        evidence_level=EvidenceLevel.objects.get(slug="moderate").pk,
        rationale="Evaluated in three states.",
    )
    approvals = PageLogEntry.objects.filter(page=draft, action="wagtail.workflow.approve").order_by(
        "timestamp"
    )
    assert [(entry.user.username, entry.data["workflow"]["task"]["title"]) for entry in approvals] == [
        ("eden", "Editorial review"),
        ("riley", "Evidence review"),
    ]
    assert PageLogEntry.objects.filter(page=draft, action="wagtail.publish").exists()


def test_a_failing_mail_server_never_loses_a_submission(client, draft, people, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.knowledge.broken_mail.BrokenBackend"}}
    people["editor"].email = "eden@example.org"
    people["editor"].save()
    submit(client, people["contributor"], draft)
    assert current_task(draft)[1] == "Editorial review"


def test_the_admin_home_shows_reviewers_what_awaits_them(client, draft, people):
    submit(client, people["contributor"], draft)
    client.force_login(people["editor"])
    html = client.get("/admin/").content.decode()
    assert "Review queue" in html
    assert 'data-testid="waiting-editorial-review">1<' in html
    client.force_login(people["contributor"])
    assert "Review queue" not in client.get("/admin/").content.decode()


def test_scheduled_publishing_and_expiry_run_from_publish_scheduled(make_resource):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    scheduled = make_resource("Goes live later")
    scheduled.unpublish()
    revision = scheduled.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    assert not ResourcePage.objects.get(pk=scheduled.pk).live
    expiring = make_resource("Expires soon", expire_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("publish_scheduled", verbosity=0)
    scheduled.refresh_from_db()
    expiring.refresh_from_db()
    assert scheduled.live and scheduled.live_revision_id == revision.pk
    assert not expiring.live and expiring.expired
