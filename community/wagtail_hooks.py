"""Admin for the records people send the CoP (wagtail-modeladmin): membership
applications and requests to join working groups, with filters, CSV export
and approve/decline actions. Also the friendly 403 for members-only pages."""

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.shortcuts import render
from django.urls import re_path
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, linebreaks
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup, modeladmin_register

from hub.records_admin import RecordAdmin

from . import admin_views
from .models import MembershipApplication, WorkingGroupMembership, WorkingGroupPage

# --- members-only pages: 403 for signed-in people outside the groups --------------


@hooks.register("on_serve_page", order=-100)
def forbid_signed_in_outsiders(serve_next):
    """Wagtail answers every failed group restriction with the sign-in page, even
    for someone already signed in. Signed-in people outside the page's groups
    get a 403 that says so; anonymous visitors still get the sign-in page."""

    def serve(page, request, args, kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            for restriction in page.get_view_restrictions():
                if (
                    restriction.restriction_type == PageViewRestriction.GROUPS
                    and not restriction.accept_request(request)
                ):
                    response = render(
                        request,
                        "community/members_only_forbidden.html",
                        {"restricted_page": page, "groups": list(restriction.groups.order_by("name"))},
                        status=403,
                    )
                    add_never_cache_headers(response)
                    return response
        return serve_next(page, request, args, kwargs)

    return serve


# --- a working group's documents follow its membership (hub/document_privacy.py) ------------


@hooks.register("document_use_rule")
def group_space_documents(use, request):
    from .views.working_groups import group_space_document_rule

    return group_space_document_rule(use, request)


# --- shared admin pieces -------------------------------------------------------------


class DecisionPermissionHelper(PermissionHelper):
    """Lists and inspects with the view or change permission; nobody creates or
    edits the records by hand (they come from people); decisions need 'change'."""

    def has_action_permission(self, user, action):
        return self.user_has_specific_permission(user, self.get_perm_codename(action))

    def user_can_list(self, user):
        return self.has_action_permission(user, "view") or self.has_action_permission(user, "change")

    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_decide(self, user, obj):
        return self.has_action_permission(user, "change")


class DecisionButtonHelper(ButtonHelper):
    def decision_button(self, obj, approve):
        action = "approve" if approve else "decline"
        return {
            "url": self.url_helper.get_action_url(action, obj.pk),
            "label": "Approve" if approve else "Decline",
            "classname": self.finalise_classname(["button-small"] if approve else ["button-small", "no"]),
            "title": f"{action.capitalize()} {obj}",
        }

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if self.permission_helper.user_can_decide(self.request.user, obj):
            if obj.status != obj.APPROVED:
                buttons.append(self.decision_button(obj, approve=True))
            if obj.status == obj.PENDING:
                buttons.append(self.decision_button(obj, approve=False))
        return buttons


class DecisionModelAdmin(RecordAdmin):
    inspect_view_enabled = True
    permission_helper_class = DecisionPermissionHelper
    button_helper_class = DecisionButtonHelper
    is_application = False

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        for action, approve in (("approve", True), ("decline", False)):
            urls += (
                re_path(
                    self.url_helper.get_action_url_pattern(action),
                    admin_views.decision_view(self, approve),
                    name=self.url_helper.get_action_url_name(action),
                ),
            )
        return urls

    def problem(self, obj):
        """The e-mail that could not be sent, shown in the list."""
        if not obj.email_problem:
            return ""
        return format_html('<strong class="w-text-critical-200">{}</strong>', linebreaks(obj.email_problem))

    problem.short_description = "E-mail problem"


# --- membership applications ---------------------------------------------------------


class MembershipApplicationAdmin(DecisionModelAdmin):
    model = MembershipApplication
    menu_label = "Applications to join"
    menu_icon = "user"
    is_application = True
    list_display = ("name", "email", "organisation", "organisation_type", "status", "submitted_at", "problem")
    list_filter = ("status", "organisation_type")
    search_fields = ("name", "email", "organisation", "role", "region")
    list_export = (
        "name",
        "email",
        "organisation",
        "organisation_type",
        "role",
        "region",
        "topic_names",
        "working_group_names",
        "status",
        "submitted_at",
        "decided_at",
        "email_problem",
    )
    export_filename = "membership-applications"
    inspect_view_fields = [
        "name",
        "email",
        "organisation",
        "organisation_type",
        "role",
        "region",
        "topics",
        "working_groups",
        "consented_at",
        "status",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_message",
        "user",
        "email_problem",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics", "working_groups")

    def decide(self, instance, user, approve, form):
        return admin_views.decide_application(instance, user, approve, form)

    def describe(self, record):
        return f"The application from {record.name}"


# --- working group memberships -------------------------------------------------------


def chaired_group_ids(user):
    return list(WorkingGroupPage.objects.filter(chairs__user=user).values_list("pk", flat=True))


class MembershipPermissionHelper(DecisionPermissionHelper):
    """Editors (the change permission) decide for every group; a chair with admin
    access decides for the groups they chair."""

    def user_has_any_permissions(self, user):
        return super().user_has_any_permissions(user) or bool(chaired_group_ids(user))

    def user_can_list(self, user):
        return super().user_can_list(user) or bool(chaired_group_ids(user))

    def user_can_decide(self, user, obj):
        return super().user_can_decide(user, obj) or obj.working_group_id in chaired_group_ids(user)

    def user_can_inspect_obj(self, user, obj):
        return super().user_can_list(user) or obj.working_group_id in chaired_group_ids(user)


class WorkingGroupMembershipAdmin(DecisionModelAdmin):
    model = WorkingGroupMembership
    menu_label = "Working group members"
    menu_icon = "group"
    permission_helper_class = MembershipPermissionHelper
    list_display = ("member", "working_group", "status", "requested_at", "problem")
    list_filter = ("status", "working_group")
    search_fields = ("user__first_name", "user__last_name", "user__email", "working_group__title")
    list_export = ("member", "member_email", "working_group", "status", "requested_at", "decided_at")
    export_filename = "working-group-members"
    inspect_view_fields = [
        "working_group",
        "user",
        "status",
        "message",
        "requested_at",
        "decided_at",
        "decided_by",
        "email_problem",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user", "working_group")
        user = request.user
        if DecisionPermissionHelper.user_can_list(self.permission_helper, user):
            return queryset
        return queryset.filter(Q(working_group__chairs__user=user)).distinct()

    def member(self, obj):
        return obj.member_name

    def member_email(self, obj):
        return obj.user.email

    def decide(self, instance, user, approve, form):
        return admin_views.decide_group_membership(instance, user, approve, form)

    def describe(self, record):
        return f"{record.member_name} in {record.working_group.title}"


class MembershipAdminGroup(ModelAdminGroup):
    menu_label = "Membership"
    menu_icon = "group"
    menu_order = 250
    items = (MembershipApplicationAdmin, WorkingGroupMembershipAdmin)


modeladmin_register(MembershipAdminGroup)


@hooks.register("register_permissions")
def membership_permissions():
    return Permission.objects.filter(
        content_type__app_label="community",
        codename__in=[
            "view_membershipapplication",
            "change_membershipapplication",
            "view_workinggroupmembership",
            "change_workinggroupmembership",
        ],
    )
