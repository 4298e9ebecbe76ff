"""Admin for the library: a flat list of every resource that editors filter by
type, topic, evidence level and review status."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from hub.models import EvidenceLevel, ResourceType, Topic

from .models import ResourcePage
from .review_cycle import DueForReviewReportView, can_see_review_report

REVIEW_STATUS_CHOICES = [
    ("overdue", "Overdue for review"),
    ("due-soon", "Due in the next 60 days"),
    ("current", "Reviewed and current"),
    ("not-scheduled", "No review date"),
]


def filter_review_status(queryset, name, value):
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=60)
    conditions = {
        "overdue": Q(next_review_due__lt=today),
        "due-soon": Q(next_review_due__gte=today, next_review_due__lte=soon),
        "current": Q(next_review_due__gt=soon),
        "not-scheduled": Q(next_review_due__isnull=True),
    }
    return queryset.filter(conditions[value]) if value in conditions else queryset


class ResourceFilterSet(PageFilterSet):
    resource_type = django_filters.ModelMultipleChoiceFilter(
        queryset=ResourceType.objects.all(), widget=forms.CheckboxSelectMultiple, label="Resource type"
    )
    topics = django_filters.ModelMultipleChoiceFilter(
        queryset=Topic.objects.all(), label="Topic", distinct=True
    )
    evidence_level = django_filters.ModelMultipleChoiceFilter(
        queryset=EvidenceLevel.objects.all(), widget=forms.CheckboxSelectMultiple, label="Evidence level"
    )
    review_status = django_filters.ChoiceFilter(
        choices=REVIEW_STATUS_CHOICES, method=filter_review_status, label="Review status", empty_label="Any"
    )

    class Meta:
        model = ResourcePage
        fields = []


class ResourceListingViewSet(PageListingViewSet):
    model = ResourcePage
    icon = "doc-full-inverse"
    menu_label = "Resources"
    menu_order = 110
    add_to_admin_menu = True
    filterset_class = ResourceFilterSet
    columns = PageListingViewSet.columns + [
        Column("resource_type", label="Type", accessor="resource_type"),
        Column("evidence_level", label="Evidence", accessor="evidence_level"),
        Column("next_review_due", label="Next review due", accessor="next_review_due"),
    ]


@hooks.register("register_admin_viewset")
def register_resource_listing():
    return ResourceListingViewSet("resources")


# --- "Due for review" report (knowledge/review_cycle.py) ------------------------


class DueForReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_review_report(request.user)


@hooks.register("register_admin_urls")
def register_due_for_review_urls():
    return [
        path("reports/due-for-review/", DueForReviewReportView.as_view(), name="knowledge_due_for_review"),
        path(
            "reports/due-for-review/results/",
            DueForReviewReportView.as_view(results_only=True),
            name="knowledge_due_for_review_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_due_for_review_menu_item():
    return DueForReviewMenuItem(
        "Due for review",
        reverse("knowledge_due_for_review"),
        name="due-for-review",
        icon_name="time",
        order=1150,
    )
