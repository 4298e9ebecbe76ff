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


def suggestion_changed(sender, instance, raw=False, **kwargs):
    """A suggested resource, or its review, moved on: its suggester's My hub
    shows where it is (hub.cache.person_changed)."""
    from hub.cache import person_changed

    from .models import ResourcePage

    if raw:
        return
    if isinstance(instance, ResourcePage):
        person_changed(instance.suggested_by_id)
        return
    # A workflow state names what it reviews by object_id; a task state by its workflow state.
    state = instance.workflow_state if hasattr(instance, "workflow_state_id") else instance
    page_id = state.object_id
    if page_id and str(page_id).isdigit():
        for user_id in ResourcePage.objects.filter(pk=page_id).values_list("suggested_by_id", flat=True):
            person_changed(user_id)


def connect():
    from wagtail.models import TaskState, WorkflowState

    from .models import ResourceIndexPage, ResourcePage

    for model in (ResourcePage, WorkflowState, TaskState):
        post_save.connect(
            suggestion_changed, sender=model, dispatch_uid=f"knowledge-suggestion-{model.__name__}"
        )

    post_save.connect(assign_knowledge_workflow, sender=ResourceIndexPage, dispatch_uid="knowledge-workflow")
    post_save.connect(
        let_contributors_add_here, sender=ResourceIndexPage, dispatch_uid="knowledge-contributors"
    )
