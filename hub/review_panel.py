"""The admin home panel that tells editors and reviewers what awaits them."""

from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.models import Task, TaskState

REVIEW_ROLES = {"Editors", "Evidence reviewers", "Steering"}


class ReviewQueuePanel(Component):
    name = "hub_review_queue"
    template_name = "hub/admin/review_panel.html"
    order = 50  # above Wagtail's own lists

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        from knowledge.models import ResourcePage

        group_ids = set(self.user.groups.values_list("pk", flat=True))
        rows = []
        for task in Task.objects.filter(active=True).specific().order_by("pk"):
            task_groups = set(task.groups.values_list("pk", flat=True)) if hasattr(task, "groups") else set()
            waiting = TaskState.objects.filter(task=task, status=TaskState.STATUS_IN_PROGRESS).count()
            rows.append(
                {
                    "name": task.name,
                    "waiting": waiting,
                    "yours": self.user.is_superuser or bool(group_ids & task_groups),
                }
            )
        overdue = ResourcePage.objects.filter(live=True, next_review_due__lt=timezone.localdate()).count()
        return {"rows": rows, "overdue": overdue}

    def render_html(self, parent_context=None):
        return super().render_html(parent_context or {})


def is_reviewer(user):
    return user.is_superuser or user.groups.filter(name__in=REVIEW_ROLES).exists()
