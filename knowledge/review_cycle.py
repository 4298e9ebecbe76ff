"""The review cycle of the library: which resources are due for review, the
"Due for review" admin report that lists them, and the e-mail reminders sent to
their owners and the Editors.

The report shows a wider window (60 days) than the reminders (30 days) so the
editorial team can plan ahead of the people who do the reviews."""

import datetime
import logging
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.reports import ReportView

from hub.models import Topic

from .models import ResourcePage, ReviewReminder

logger = logging.getLogger(__name__)

REPORT_WINDOW_DAYS = 60
REMINDER_WINDOW_DAYS = 30
# The roles that plan and carry out reviews (Editors, Evidence reviewers and
# Steering) see the report by the knowledge.view_review_report permission their
# groups get in a migration; Contributors draft but do not review.
# Editors hear about every resource due; owners only about their own. The group
# name is data here (who is told), not a check of who may do something.
REMINDED_GROUP = "Editors"


def resources_due_for_review(today, within_days=REPORT_WINDOW_DAYS):
    """Resources, live or draft, whose next review is overdue or falls within
    `within_days` of `today`, soonest first, with their owner and topics loaded
    in a fixed number of queries however many there are."""
    return (
        ResourcePage.objects.filter(
            alias_of__isnull=True,
            next_review_due__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("owner")
        .prefetch_related("topics")
        .order_by("next_review_due", "title", "pk")
    )


def review_status_label(next_review_due, today):
    """Plain words for how close a review is: "Overdue", "Due today", "Due in 12 days"."""
    days = (next_review_due - today).days
    if days < 0:
        return "Overdue"
    if days == 0:
        return "Due today"
    return f"Due in {days} day{'' if days == 1 else 's'}"


def admin_edit_url(page):
    """The page's edit screen as a full URL, for e-mails read outside the admin."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_pages:edit", args=[page.pk])


def can_see_review_report(user):
    if not user.is_active:
        return False
    return user.has_perm("wagtailadmin.access_admin") and user.has_perm("knowledge.view_review_report")


# --- the admin report ---------------------------------------------------------


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return get_user_display_name(obj)


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


def resource_owners(request=None):
    User = get_user_model()
    owner_ids = ResourcePage.objects.filter(owner__isnull=False).values("owner_id")
    return User.objects.filter(pk__in=owner_ids).order_by("first_name", "last_name", User.USERNAME_FIELD)


class DueForReviewFilterSet(WagtailFilterSet):
    topics = django_filters.ModelChoiceFilter(
        queryset=Topic.objects.all(), label="Topic", empty_label="Any topic"
    )
    owner = OwnerFilter(queryset=resource_owners, label="Owner", empty_label="Anyone")

    class Meta:
        model = ResourcePage
        fields = ["topics", "owner"]


class DueForReviewReportView(ReportView):
    page_title = "Due for review"
    header_icon = "time"
    index_url_name = "knowledge_due_for_review"
    index_results_url_name = "knowledge_due_for_review_results"
    filterset_class = DueForReviewFilterSet
    verbose_name_plural = "resources due for review"
    columns = [
        TitleColumn(
            "title", label="Title", get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk])
        ),
        Column("review_due_status", label="Status"),
        Column("next_review_due", label="Next review due"),
        Column("last_reviewed", label="Last reviewed"),
        Column("owner_name", label="Owner"),
        Column("topic_list", label="Topics"),
        Column("publication_state", label="Page"),
    ]
    list_export = [
        "title",
        "review_due_status",
        "next_review_due",
        "last_reviewed",
        "owner_name",
        "topic_list",
        "publication_state",
        "edit_url",
    ]
    export_headings = {
        "title": "Title",
        "review_due_status": "Status",
        "next_review_due": "Next review due",
        "last_reviewed": "Last reviewed",
        "owner_name": "Owner",
        "topic_list": "Topics",
        "publication_state": "Page",
        "edit_url": "Edit URL",
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_see_review_report(request.user):
            # Wagtail turns PermissionDenied into a redirect to the dashboard;
            # people who reach the admin but may not read this report get a real 403.
            return TemplateResponse(
                request,
                "knowledge/admin/report_not_allowed.html",
                {"page_title": self.page_title, "header_title": self.page_title, "header_icon": "warning"},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"due-for-review-{self.today.isoformat()}"

    def get_queryset(self):
        self.today = timezone.localdate()
        return resources_due_for_review(self.today)

    def decorate_paginated_queryset(self, pages):
        # The table and the CSV read these plain attributes; topics and owners
        # come from the queryset's select_related/prefetch_related.
        for page in pages:
            page.review_due_status = review_status_label(page.next_review_due, self.today)
            page.owner_name = get_user_display_name(page.owner) if page.owner else ""
            page.topic_list = ", ".join(topic.name for topic in page.topics.all())
            page.publication_state = "Live" if page.live else "Draft"
            page.edit_url = admin_edit_url(page)
        return pages


# --- reminders ----------------------------------------------------------------


@dataclass
class ReminderRun:
    """What one run of the reminders did, for the command's summary."""

    due: int = 0
    sent: int = 0
    skipped: int = 0
    failures: list = field(default_factory=list)
    unreachable: list = field(default_factory=list)

    def summary(self):
        return (
            f"{self.due} resource{'' if self.due == 1 else 's'} due, {self.sent} e-mail"
            f"{'' if self.sent == 1 else 's'} sent, {self.skipped} skipped (already reminded today), "
            f"{len(self.failures)} failed"
        )


@dataclass
class Recipient:
    email: str
    name: str
    pages: dict = field(default_factory=dict)


def reminder_recipients(pages):
    """Who hears about which pages: each active Editor with an e-mail address
    about all of them, each owner with an e-mail address about their own. One
    entry per address, so an owner who is also an Editor gets one e-mail."""
    User = get_user_model()
    editors = list(
        User.objects.filter(is_active=True, groups__name=REMINDED_GROUP).exclude(email="").distinct()
    )
    recipients = {}

    def add(user, page):
        key = user.email.strip().lower()
        recipient = recipients.setdefault(key, Recipient(email=user.email.strip(), name=_first_name(user)))
        recipient.pages[page.pk] = page

    for page in pages:
        if page.owner and page.owner.is_active and page.owner.email.strip():
            add(page.owner, page)
        for editor in editors:
            add(editor, page)
    for recipient in recipients.values():
        recipient.pages = dict(sorted(recipient.pages.items(), key=lambda item: item[1].next_review_due))
    return list(recipients.values())


def _first_name(user):
    return user.first_name.strip() or user.get_username()


def _long_date(day):
    return f"{day.day} {day:%B %Y}"


def reminder_message(recipient, today):
    pages = list(recipient.pages.values())
    count = len(pages)
    subject = f"{count} resource{'' if count == 1 else 's'} in the knowledge hub due for review"
    lines = [
        f"Hello {recipient.name},",
        "",
        f"{'This resource is' if count == 1 else 'These resources are'} due for review soon, or overdue. "
        "Please check that each one is still accurate and up to date, then set its "
        '"Last reviewed" date to the day you checked it.',
        "",
    ]
    for page in pages:
        status = review_status_label(page.next_review_due, today).lower()
        lines += [
            f"- {page.title}",
            f"  Review due: {_long_date(page.next_review_due)} ({status})",
            f"  Edit it here: {admin_edit_url(page)}",
            "",
        ]
    lines += [
        "You get this e-mail because you own these resources or you are one of the hub's Editors.",
        "",
        "The CoP Knowledge Hub",
    ]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[recipient.email])


def send_review_reminders(today, within_days=REMINDER_WINDOW_DAYS):
    """E-mail the owners and Editors of live resources due within `within_days`
    of `today` (or overdue), once a day. A resource counts as reminded, and is
    skipped by later runs the same day, once at least one e-mail about it went out."""
    run = ReminderRun()
    due = list(resources_due_for_review(today, within_days).live())
    already = set(
        ReviewReminder.objects.filter(sent_on=today, page__in=[page.pk for page in due]).values_list(
            "page_id", flat=True
        )
    )
    to_remind = [page for page in due if page.pk not in already]
    run.due, run.skipped = len(due), len(due) - len(to_remind)

    recipients = reminder_recipients(to_remind)
    addressed = {page_pk for recipient in recipients for page_pk in recipient.pages}
    run.unreachable = [page for page in to_remind if page.pk not in addressed]

    reminded = {}  # page pk -> addresses an e-mail about it reached
    for recipient in recipients:
        try:
            reminder_message(recipient, today).send()
        except Exception as error:  # any mail failure must not stop the others
            logger.exception("Could not send the review reminder to %s", recipient.email)
            run.failures.append((recipient.email, f"{type(error).__name__}: {error}"))
            continue
        run.sent += 1
        for page_pk in recipient.pages:
            reminded.setdefault(page_pk, []).append(recipient.email)

    ReviewReminder.objects.bulk_create(
        [
            ReviewReminder(page_id=page_pk, sent_on=today, recipients=", ".join(addresses))
            for page_pk, addresses in reminded.items()
        ],
        # A run started at the same time may have recorded some of them already.
        ignore_conflicts=True,
    )
    return run
