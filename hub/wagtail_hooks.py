"""Admin for the site-wide building blocks: the controlled vocabularies."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import EvidenceLevel, MailFailure, Population, ResourceType, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    ordering = ["name"]


class PopulationViewSet(SnippetViewSet):
    model = Population
    icon = "group"
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    ordering = ["name"]


class ResourceTypeViewSet(SnippetViewSet):
    model = ResourceType
    icon = "doc-full"
    list_display = ["name", "slug", "schema_type"]
    ordering = ["name"]


class EvidenceLevelViewSet(SnippetViewSet):
    model = EvidenceLevel
    icon = "success"
    list_display = ["name", "rank", "is_rated", "description"]
    ordering = ["rank"]


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = "Vocabularies"
    menu_icon = "list-ul"
    menu_order = 300
    items = (TopicViewSet, PopulationViewSet, ResourceTypeViewSet, EvidenceLevelViewSet)


register_snippet(VocabularyGroup)


@hooks.register("construct_page_chooser_queryset")
def page_chooser_lists_readable_pages(pages, request):
    from .roles import chooser_pages

    return chooser_pages(pages, request)


@hooks.register("construct_homepage_panels")
def add_review_queue_panel(request, panels):
    from .review_panel import ReviewQueuePanel, is_reviewer

    if is_reviewer(request.user):
        panels.insert(0, ReviewQueuePanel(request.user))


# --- Reports → Mail failures (hub/mail.py) ------------------------------------


def can_see_mail_failures(user):
    return user.is_active and user.has_perm("hub.view_mailfailure")


class MailFailuresReportView(ReportView):
    """Every e-mail the mail service did not take, newest first, for staff to
    follow up: those the mail queue is still trying again, and those it stopped
    trying (hub/mail.py)."""

    page_title = "Mail failures"
    header_icon = "mail"
    index_url_name = "hub_mail_failures"
    index_results_url_name = "hub_mail_failures_results"
    verbose_name_plural = "mail failures"
    columns = [
        Column("failed_at", label="When"),
        Column("subject", label="Subject"),
        Column("recipients", label="To"),
        Column("error", label="What went wrong"),
        Column("attempts", label="Tries"),
        Column("status", label="Status"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_see_mail_failures(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return MailFailure.objects.all()


class MailFailuresMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_mail_failures(request.user)


@hooks.register("register_admin_urls")
def register_mail_failures_urls():
    return [
        path("reports/mail-failures/", MailFailuresReportView.as_view(), name="hub_mail_failures"),
        path(
            "reports/mail-failures/results/",
            MailFailuresReportView.as_view(results_only=True),
            name="hub_mail_failures_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_mail_failures_menu_item():
    return MailFailuresMenuItem(
        "Mail failures", reverse("hub_mail_failures"), name="mail-failures", icon_name="mail", order=1900
    )


# --- documents follow the pages that use them (hub/document_privacy.py) ---------------------


@hooks.register("before_serve_document")
def refuse_hidden_documents(document, request):
    from .document_privacy import refuse_hidden_documents as refuse

    return refuse(document, request)


def warn_about_open_collection_documents(request, page):
    from django.contrib import messages

    from .document_privacy import open_collection_documents_on

    for document in open_collection_documents_on(page):
        messages.warning(
            request,
            f"“{document.title}” is in a public collection, but this page is not public. The hub serves "
            "it only to people who may see a page using it; to keep it private wherever its address is "
            "shared, move it to a restricted collection in Documents.",
        )


hooks.register("after_edit_page", warn_about_open_collection_documents)
hooks.register("after_create_page", warn_about_open_collection_documents)
