"""Admin views for deciding on applications and requests to join working groups.

A GET shows what will happen and asks for an optional message; the POST makes
the decision (community/decisions.py), then the list says what was done and
whether the e-mail went.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.generic.edit import FormMixin
from wagtail_modeladmin.views import InstanceSpecificView

from .decisions import AlreadyDecided, approve_application, decide_membership, decline_application


class DecisionForm(forms.Form):
    message = forms.CharField(
        label="Message to the applicant (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Added to the e-mail we send them about the decision.",
    )


class DecisionView(FormMixin, InstanceSpecificView):
    """approve=True or False; ``model_admin.decide(...)`` does the work."""

    approve = True
    form_class = DecisionForm
    template_name = "community/admin/decision.html"

    def __init__(self, model_admin, instance_pk, approve):
        super().__init__(model_admin, instance_pk)
        self.approve = approve

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_decide(user, self.instance)

    def get_page_title(self):
        return "Approve" if self.approve else "Decline"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(
            approve=self.approve, is_application=self.model_admin.is_application, **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            decision = self.model_admin.decide(self.instance, request.user, self.approve, form)
        except AlreadyDecided:
            messages.warning(request, f"“{self.instance}” was already decided; nothing was changed.")
            return redirect(self.index_url)
        verb = "approved" if self.approve else "declined"
        messages.success(request, f"{self.model_admin.describe(decision.record)}: {verb}.")
        if decision.email_errors:
            messages.error(
                request,
                "The decision is saved, but the e-mail about it could not be sent "
                f"({decision.email_errors[0]}). Please contact them another way; the problem is noted "
                "on the record.",
            )
        return redirect(self.index_url)


def decision_view(model_admin, approve):
    def view(request, instance_pk):
        if request.method not in ("GET", "POST", "HEAD"):
            raise PermissionDenied
        return DecisionView.as_view(model_admin=model_admin, instance_pk=instance_pk, approve=approve)(
            request
        )

    return view


def decide_application(instance, user, approve, form):
    action = approve_application if approve else decline_application
    return action(instance, user, form.cleaned_data["message"])


def decide_group_membership(instance, user, approve, form):
    return decide_membership(instance, user, approve)
