"""Every resource library gets the knowledge resources workflow when created,
so no resource can skip evidence review because an editor forgot to set it,
and is open to contributors (hub/roles.py)."""

from django.db.models.signals import post_save
from wagtail.models import Workflow, WorkflowPage

from hub.roles import let_contributors_add_here

KNOWLEDGE_WORKFLOW = "Knowledge resources"


def assign_knowledge_workflow(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    workflow = Workflow.objects.filter(name=KNOWLEDGE_WORKFLOW, active=True).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page=instance, defaults={"workflow": workflow})


def connect():
    from .models import ResourceIndexPage

    post_save.connect(assign_knowledge_workflow, sender=ResourceIndexPage, dispatch_uid="knowledge-workflow")
    post_save.connect(
        let_contributors_add_here, sender=ResourceIndexPage, dispatch_uid="knowledge-contributors"
    )
