"""Admin for events: the events list with registration counts, the series
vocabulary, and the registrations people sent (with filters and CSV export)."""

import django_filters
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView, PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail_modeladmin.options import modeladmin_register

from hub.records_admin import RecordAdmin

from . import attendance
from .access import ACCESS_CHOICES
from .models import EventPage, EventRegistration, EventSeries
from .models.event_page import FORMAT_CHOICES

WHEN_CHOICES = [("upcoming", "Upcoming"), ("past", "Past")]


def filter_when(queryset, name, value):
    now = timezone.now()
    if value == "upcoming":
        return queryset.filter(end__gt=now)
    if value == "past":
        return queryset.filter(end__lte=now)
    return queryset


class EventFilterSet(PageFilterSet):
    when = django_filters.ChoiceFilter(
        choices=WHEN_CHOICES, method=filter_when, label="When", empty_label="Any"
    )
    event_format = django_filters.ChoiceFilter(choices=FORMAT_CHOICES, label="Format", empty_label="Any")
    access = django_filters.ChoiceFilter(choices=ACCESS_CHOICES, label="Access", empty_label="Any")

    class Meta:
        model = EventPage
        fields = []


class EventIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                registered_count=Count("registrations", filter=Q(registrations__status="confirmed")),
                waitlisted_count=Count("registrations", filter=Q(registrations__status="waitlisted")),
            )
        )


class EventListingViewSet(PageListingViewSet):
    """Every event, with how many people registered and are waiting."""

    index_view_class = EventIndexView
    model = EventPage
    icon = "date"
    menu_label = "Events"
    menu_order = 120
    add_to_admin_menu = True
    filterset_class = EventFilterSet
    columns = PageListingViewSet.columns + [
        Column("start", label="Starts", accessor="start"),
        Column("access", label="Access", accessor="get_access_display"),
        Column("registered_count", label="Registered", accessor="registered_count"),
        Column("waitlisted_count", label="Waiting list", accessor="waitlisted_count"),
    ]


@hooks.register("register_admin_viewset")
def register_event_listing():
    return EventListingViewSet("events")


class EventSeriesViewSet(SnippetViewSet):
    model = EventSeries
    icon = "list-ul"
    menu_label = "Event series"
    list_display = ["name", "slug"]


register_snippet(EventSeriesViewSet)


class EventRegistrationAdmin(RecordAdmin):
    model = EventRegistration
    menu_label = "Registrations"
    menu_icon = "group"
    menu_order = 130
    add_to_settings_menu = False
    inspect_view_enabled = True
    index_template_name = "events/admin/registration_index.html"
    list_display = (
        "name",
        "email",
        "event",
        "status",
        "attendance",
        "access_needs",
        "created_at",
        "confirmation_status",
        "select_registration",
    )
    list_filter = ("event", "status", "attended", "needs_captions", "needs_interpreter")
    search_fields = ("name", "email", "organisation")
    list_export = (
        "event",
        "name",
        "email",
        "organisation",
        "role",
        "status",
        "attendance",
        "needs_captions",
        "needs_interpreter",
        "interpreter_language",
        "other_needs",
        "consent",
        "created_at",
        "confirmation_sent_at",
        "confirmation_error",
        "promoted_at",
        "cancelled_at",
        "remind_day_before",
        "remind_hour_before",
    )
    export_filename = "event-registrations"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")

    def confirmation_status(self, obj):
        if obj.confirmation_error:
            return f"Not sent: {obj.confirmation_error}"
        return "Sent" if obj.confirmation_sent_at else "Not sent yet"

    confirmation_status.short_description = "Confirmation e-mail"

    def attendance(self, obj):
        return obj.get_attended_display()

    attendance.short_description = "Attended"

    def select_registration(self, obj):
        # Belongs to the attendance form around the list (registration_index.html).
        return format_html(
            '<input type="checkbox" name="registration" value="{}" form="attendance-form" '
            'aria-label="Select {} for {}">',
            obj.pk,
            obj.name,
            obj.event.title,
        )

    select_registration.short_description = "Select"

    def get_admin_urls_for_registration(self):
        index_url = self.url_helper.get_action_url_name("index")
        return super().get_admin_urls_for_registration() + (
            path(
                f"{self.url_helper.base_url_path}/attendance/",
                lambda request: attendance.mark_attendance(request, reverse(index_url)),
                name="events_registration_attendance",
            ),
        )


modeladmin_register(EventRegistrationAdmin)
