"""The hub's moderation, so every fresh database has it.

- "Editorial review" (Editors) for every page: assigned to the root page, so
  events, working groups, partner pages, the home page and others go through it.
- "Knowledge resources": "Editorial review" then "Evidence review" (Evidence
  reviewers), assigned to every resource library (new libraries get it when
  they are created, see knowledge/signals.py).
Wagtail's default "Moderators approval" workflow is switched off.
"""

from django.db import migrations

EDITORIAL = "Editorial review"
EVIDENCE = "Evidence review"
KNOWLEDGE_WORKFLOW = "Knowledge resources"


def create_workflows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    EvidenceReviewTask = apps.get_model("knowledge", "EvidenceReviewTask")
    ResourceIndexPage = apps.get_model("knowledge", "ResourceIndexPage")

    group_task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    evidence_task_type, _ = ContentType.objects.get_or_create(
        app_label="knowledge", model="evidencereviewtask"
    )

    editorial, _ = GroupApprovalTask.objects.get_or_create(
        name=EDITORIAL, defaults={"content_type": group_task_type, "active": True}
    )
    editorial.groups.set(Group.objects.filter(name="Editors"))
    evidence, _ = EvidenceReviewTask.objects.get_or_create(
        name=EVIDENCE, defaults={"content_type": evidence_task_type, "active": True}
    )
    evidence.groups.set(Group.objects.filter(name="Evidence reviewers"))

    editorial_workflow, _ = Workflow.objects.get_or_create(name=EDITORIAL, defaults={"active": True})
    WorkflowTask.objects.get_or_create(
        workflow=editorial_workflow, task=editorial, defaults={"sort_order": 0}
    )
    knowledge_workflow, _ = Workflow.objects.get_or_create(name=KNOWLEDGE_WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(
        workflow=knowledge_workflow, task=editorial, defaults={"sort_order": 0}
    )
    WorkflowTask.objects.get_or_create(workflow=knowledge_workflow, task=evidence, defaults={"sort_order": 1})

    root = Page.objects.get(depth=1)
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": editorial_workflow})
    for library in ResourceIndexPage.objects.all():
        WorkflowPage.objects.update_or_create(page_id=library.pk, defaults={"workflow": knowledge_workflow})
    Workflow.objects.filter(name="Moderators approval").update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_evidence_review_task"),
        ("wagtailcore", "0098_apitoken"),
        ("hub", "0003_roles"),
    ]

    operations = [migrations.RunPython(create_workflows, migrations.RunPython.noop)]
