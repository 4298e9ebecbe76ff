"""Demo content for the review workflow: one resource in each state, so the
README's walkthrough works with the demo accounts (contributor, editor,
reviewer) straight away."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import WorkflowState

from hub.models import EvidenceLevel, ResourceType, Topic

from .models import ResourceIndexPage, ResourcePage

STATES = [
    {
        "id": "demo-wf-draft",
        "title": "Telehealth consent scripts for crisis follow-up calls",
        "summary": (
            "Short scripts CMHC staff can use to get consent for telehealth follow-up after a crisis contact."
        ),
        "state": "draft",
    },
    {
        "id": "demo-wf-editorial",
        "title": "Community health workers in CMHC outreach: a starter guide",
        "summary": (
            "How CMHCs hire, train and supervise community health workers to reach people who do not come in."
        ),
        "state": "editorial",
    },
    {
        "id": "demo-wf-evidence",
        "title": "Spanish-language safety planning: adaptation notes",
        "summary": (
            "What changed when one CMHC adapted the Stanley-Brown safety plan for Spanish-speaking families."
        ),
        "state": "evidence",
    },
    {
        "id": "demo-wf-rejected",
        "title": "Reducing no-shows with text reminders",
        "summary": "A clinic's experience of sending appointment reminders by text message.",
        "state": "rejected",
    },
]


def load(stdout):
    library = ResourceIndexPage.objects.order_by("path").first()
    if library is None:
        return
    User = get_user_model()
    contributor = User.objects.get(username="contributor")
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="reviewer")
    guide = ResourceType.objects.get(slug="guide")
    not_rated = EvidenceLevel.objects.get(slug="not-rated")
    topics = list(Topic.objects.filter(slug__in=["access-to-care", "workforce"]))

    for spec in STATES:
        if ResourcePage.objects.filter(external_id=spec["id"]).exists():
            continue
        page = ResourcePage(
            title=spec["title"],
            slug=spec["id"],
            external_id=spec["id"],
            summary=spec["summary"],
            resource_type=guide,
            evidence_level=not_rated,
            source_url="https://example.org/cop-demo/" + spec["id"],
            publication_year=2026,
            owner=contributor,
            live=False,
        )
        library.add_child(instance=page)
        page.topics.set(topics)
        page.save_revision(user=contributor)
        if spec["state"] == "draft":
            continue
        state = page.get_workflow().start(page, contributor)
        if spec["state"] == "editorial":
            continue
        act(state, editor, "approve", comment="Clear and useful for CMHC leaders.")
        if spec["state"] == "rejected":
            act(
                state,
                reviewer,
                "reject",
                comment=(
                    "Please add the evaluation this is based on, or a reference, so we can rate the evidence."
                ),
            )

    overdue = ResourcePage.objects.filter(live=True, external_id="s012").first()
    if overdue and (overdue.next_review_due is None or overdue.next_review_due >= timezone.localdate()):
        ResourcePage.objects.filter(pk=overdue.pk).update(
            last_reviewed=datetime.date(2023, 9, 1), next_review_due=datetime.date(2025, 9, 1)
        )
    stdout.write(
        "Review workflow: one resource each drafted, awaiting editorial and evidence review, sent back."
    )


def act(state, user, action, **data):
    state = WorkflowState.objects.get(pk=state.pk)
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, user, action, **data)
