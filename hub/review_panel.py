"""The admin home panel that tells editors and reviewers what awaits them."""

from django.db.models import Count
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.models import GroupApprovalTask, TaskState

from knowledge.models import EvidenceReviewTask


class ReviewQueuePanel(Component):
    name = "hub_review_queue"
    template_name = "hub/admin/review_panel.html"
    order = 50  # above Wagtail's own lists

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        from knowledge.models import ResourcePage

        # A fixed number of queries whatever the number of tasks: tasks with their groups,
        # waiting counts per task, the user's groups.
        waiting = dict(
            TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
            .values_list("task_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        group_ids = set(self.user.groups.values_list("pk", flat=True))
        tasks = GroupApprovalTask.objects.filter(active=True).prefetch_related("groups").order_by("pk")
        evidence_tasks = EvidenceReviewTask.objects.filter(active=True).prefetch_related("groups")
        rows = [
            {
                "name": task.name,
                "waiting": waiting.get(task.pk, 0),
                "yours": self.user.is_superuser or bool(group_ids & {g.pk for g in task.groups.all()}),
            }
            for task in sorted([*tasks, *evidence_tasks], key=lambda task: task.pk)
        ]
        overdue = ResourcePage.objects.filter(live=True, next_review_due__lt=timezone.localdate()).count()
        return {"rows": rows, "overdue": overdue}


def is_reviewer(user):
    """Editors, Evidence reviewers and Steering, by the permission their groups get
    in hub/migrations (a person may also be given it directly)."""
    return user.is_active and user.has_perm("hub.view_review_queue")
