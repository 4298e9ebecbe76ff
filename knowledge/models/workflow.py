"""Evidence review: the second step of the knowledge resources workflow.

A Wagtail group approval task with the hub's own rule: a resource passes only
with a rated evidence level, at least one source (a web address, a DOI or a
reference in its body) and a plain-language summary. The reviewer confirms the
evidence level and writes down why in the approval form; a request for changes
needs a comment. What is still missing is shown in the form, not as a bare error.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from wagtail.models import AbstractGroupApprovalTask, TaskState

from hub.models import EvidenceLevel


def evidence_gaps(resource):
    """What a resource still lacks before it can pass evidence review, in words."""
    gaps = []
    if not (resource.summary or "").strip():
        gaps.append("a plain-language summary")
    level = resource.evidence_level
    if level is None or not level.is_rated:
        gaps.append("an evidence level other than “Not rated”")
    has_reference = any(
        block.block_type == "references" and block.value["references"] for block in resource.body
    )
    if not (resource.source_url or resource.doi or has_reference):
        gaps.append("a source: the web address of the original, a DOI or a reference")
    return gaps


def resource_under_review(task_state):
    return task_state.revision.as_object()


class ReviewModalForm(forms.Form):
    """Field ids of their own: the form opens in a dialog over the page editor,
    whose fields (the evidence level among them) carry Django's default ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)


class EvidenceApprovalForm(ReviewModalForm):
    review = forms.IntegerField(widget=forms.HiddenInput)
    evidence_level = forms.ModelChoiceField(
        queryset=EvidenceLevel.objects.filter(is_rated=True),
        label="Evidence level",
        help_text="Confirm or correct how strong the evidence behind this resource is.",
    )
    rationale = forms.CharField(
        label="Why this level",
        widget=forms.Textarea({"rows": 3}),
        help_text="In a sentence or two: the studies or sources that justify the level.",
    )

    def clean_evidence_level(self):
        # Its id: the editor passes the form's data on as JSON.
        return self.cleaned_data["evidence_level"].pk

    def clean(self):
        data = super().clean()
        task_state = TaskState.objects.filter(pk=data.get("review")).first()
        if task_state is None:
            raise forms.ValidationError("This review is no longer open. Reload the page.")
        resource = resource_under_review(task_state.specific)
        if data.get("evidence_level"):
            resource.evidence_level = EvidenceLevel.objects.get(pk=data["evidence_level"])
        gaps = evidence_gaps(resource)
        if gaps:
            raise forms.ValidationError(
                "This resource cannot pass evidence review yet. It needs " + "; ".join(gaps) + ". "
                "Request changes from the author, or edit the resource and approve again."
            )
        return data


class RequestChangesForm(ReviewModalForm):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea({"rows": 3}),
        help_text="The author sees this comment. Say what to fix and why.",
    )


class EvidenceReviewTask(AbstractGroupApprovalTask):
    """Approve only resources whose evidence, sources and summary stand up."""

    def get_actions(self, obj, user):
        if user.is_superuser or self._user_in_groups(user):
            return [("reject", "Request changes", True), ("approve", "Approve evidence", True)]
        return []

    def get_form_for_action(self, action):
        return EvidenceApprovalForm if action == "approve" else RequestChangesForm

    def get_template_for_action(self, action):
        return "knowledge/workflow/evidence_review_action.html"

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            level = EvidenceLevel.objects.filter(pk=kwargs["evidence_level"], is_rated=True).first()
            if level is None:
                raise PermissionDenied("Choose a rated evidence level.")
            resource = resource_under_review(task_state)
            if resource.evidence_level_id != level.pk:
                # The reviewer's confirmed level becomes the version that goes live.
                resource.evidence_level = level
                task_state.revision = resource.save_revision(user=user, changed=True)
                task_state.save(update_fields=["revision"])
            if evidence_gaps(resource):
                # Only reachable by posting around the form's own check.
                raise PermissionDenied("This resource does not meet the evidence review rules.")
            comment = f"Evidence level confirmed: {level.name}. Why: {kwargs['rationale'].strip()}"
            return super().on_action(task_state, user, "approve", comment=comment)
        if action_name == "reject":
            return super().on_action(task_state, user, "reject", comment=kwargs["comment"].strip())
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return (
            "Members of the chosen groups check the evidence level, sources and summary, and record "
            "why before a resource goes live."
        )

    class Meta:
        verbose_name = "evidence review task"
