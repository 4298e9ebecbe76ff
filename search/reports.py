"""What people search for, read from the daily search counts: the admin
reports "Searches with no results" and "Most frequent searches" (the raw
material of the gap analysis), and the popular searches the search page
suggests when a search finds nothing.

A period of N days is today and the N - 1 days before it."""

import datetime
import re

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import F, Max, Sum
from django.template.response import TemplateResponse
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from .models import SearchDailyStat

PERIOD_CHOICES = [("30", "Last 30 days"), ("90", "Last 90 days")]
DEFAULT_PERIOD = "30"
# The people who plan the library's content (Editors and Steering get
# search.view_search_reports by migration); Contributors and members do not see
# what others search for.

POPULAR_CACHE_SECONDS = 600
# Popular searches are shown to every visitor: a query typed by only one or two
# people (a name, a personal question) is never repeated to the public.
POPULAR_MIN_SEARCHES = 3


def period_start(days, today=None):
    """The first day of the last `days` days, today included."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=days - 1)


def query_totals(stats):
    """One row per query over the given daily counts: its searches, the searches
    that found nothing and the last day it was searched."""
    return stats.values("query").annotate(
        total_searches=Sum("searches"),
        total_without_results=Sum("searches_without_results"),
        last_searched=Max("date"),
    )


def share_label(part, whole):
    """A whole percentage, "25%"; never rounds a share above zero down to "0%"
    or below the whole up to "100%"."""
    if not whole:
        return "0%"
    percent = round(100 * part / whole)
    if part and percent == 0:
        return "<1%"
    if part < whole and percent == 100:
        return ">99%"
    return f"{percent}%"


# What a popular search may look like: a few words of letters or numbers,
# hyphens and apostrophes only inside a word. Links, e-mail addresses, markup
# and long strings (typed or planted) are never repeated to visitors.
MAX_TERM_LENGTH = 60
MAX_TERM_WORDS = 6
MAX_WORD_LENGTH = 30
_TERM_WORD = re.compile(r"(?:[^\W\d_]+|\d{1,4})(?:[-'’](?:[^\W\d_]+|\d{1,4}))*")
# Candidates read from the counts, most found first, before the limit is filled.
POPULAR_CANDIDATES = 60


def is_search_term(query):
    """Whether ``query`` reads as words a person searches for."""
    words = query.split()
    return (
        0 < len(query) <= MAX_TERM_LENGTH
        and 0 < len(words) <= MAX_TERM_WORDS
        and all(len(word) <= MAX_WORD_LENGTH and _TERM_WORD.fullmatch(word) for word in words)
    )


def popular_searches(days=30, limit=8, min_searches=POPULAR_MIN_SEARCHES):
    """What the search page suggests to every visitor when a search finds
    nothing, as plain strings: the searches an editor pinned, then the
    queries that found something most often over the last `days` days (most
    frequent first, each searched at least `min_searches` times), leaving out
    those an editor hid.

    Each one shown is a real search term (``is_search_term``) that public
    pages answer now (``search.service.finds_public``): a query that finds
    only members-only pages or a closed meeting, or text planted by
    repeating it, is never shown. Cached for ten minutes and until content
    changes: the search page asks on every empty search."""
    from hub.cache import current_generation

    from .models import PopularSearch
    from .service import finds_public

    key = f"search:popular:{current_generation()}:{days}:{limit}:{min_searches}"
    queries = cache.get(key)
    if queries is None:
        choices = dict(PopularSearch.objects.values_list("query", "choice"))
        pinned = [query for query, choice in choices.items() if choice == PopularSearch.PIN]
        rows = (
            SearchDailyStat.objects.filter(date__gte=period_start(days))
            .values("query")
            .annotate(
                total_searches=Sum("searches"), found=Sum(F("searches") - F("searches_without_results"))
            )
            .filter(found__gt=0, total_searches__gte=min_searches)
            .exclude(query__in=list(choices))
            .order_by("-found", "-total_searches", "query")
        )
        queries = []
        for query in [*sorted(pinned), *(row["query"] for row in rows[:POPULAR_CANDIDATES])]:
            if len(queries) >= limit:
                break
            if is_search_term(query) and finds_public(query):
                queries.append(query)
        cache.set(key, queries, POPULAR_CACHE_SECONDS)
    return queries


def can_see_search_reports(user):
    if not user.is_active:
        return False
    return user.has_perm("wagtailadmin.access_admin") and user.has_perm("search.view_search_reports")


# --- the admin reports -------------------------------------------------------------


def filter_period(queryset, name, value):
    return queryset.filter(date__gte=period_start(int(value)))


class SearchPeriodFilterSet(WagtailFilterSet):
    days = django_filters.ChoiceFilter(
        choices=PERIOD_CHOICES,
        method=filter_period,
        label="Period",
        empty_label=None,
        initial=DEFAULT_PERIOD,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = SearchDailyStat
        fields = []


class SearchReportView(ReportView):
    """The searches of the last 30 or 90 days, one row per query. Subclasses
    choose which queries and in what order."""

    header_icon = "search"
    results_template_name = "search/admin/search_report_results.html"
    filterset_class = SearchPeriodFilterSet
    columns = [
        Column("query", label="Search"),
        Column("total_searches", label="Searches"),
        Column("total_without_results", label="Without results"),
        Column("share_without_results", label="Share without results"),
        Column("last_searched", label="Last searched"),
    ]
    list_export = [
        "query",
        "total_searches",
        "total_without_results",
        "share_without_results",
        "last_searched",
    ]
    export_headings = {
        "query": "Search",
        "total_searches": "Searches",
        "total_without_results": "Without results",
        "share_without_results": "Share without results",
        "last_searched": "Last searched",
    }
    export_slug = ""
    ordering = ()

    def dispatch(self, request, *args, **kwargs):
        if not can_see_search_reports(request.user):
            # Wagtail turns PermissionDenied into a redirect to the dashboard;
            # people who reach the admin but may not read this report get a real 403.
            return TemplateResponse(
                request,
                "search/admin/report_not_allowed.html",
                {"page_title": self.page_title, "header_title": self.page_title, "header_icon": "warning"},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    @property
    def days(self):
        """The period asked for; anything but a period on offer means the default."""
        value = self.request.GET.get("days")
        return int(value if value in dict(PERIOD_CHOICES) else DEFAULT_PERIOD)

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        data = kwargs["data"].copy()
        data["days"] = str(self.days)
        kwargs["data"] = data
        return kwargs

    def get_queryset(self):
        return SearchDailyStat.objects.all()

    def get_filtered_queryset(self):
        # The period filters the daily counts before they are added up per query.
        return self.select(query_totals(self.filter_queryset(self.get_queryset()))).order_by(
            *self.ordering, "query"
        )

    def select(self, totals):
        return totals

    def decorate_paginated_queryset(self, rows):
        for row in rows:
            row["share_without_results"] = share_label(row["total_without_results"], row["total_searches"])
        return rows

    def get_filename(self):
        return f"{self.export_slug}-last-{self.days}-days-{timezone.localdate().isoformat()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["period_days"] = self.days
        context["period_value"] = str(self.days)
        context["period_choices"] = PERIOD_CHOICES
        context["period_start"] = period_start(self.days)
        context["period_end"] = timezone.localdate()
        return context


class SearchesWithoutResultsReportView(SearchReportView):
    page_title = "Searches with no results"
    index_url_name = "search_without_results_report"
    index_results_url_name = "search_without_results_report_results"
    verbose_name_plural = "searches without results"
    export_slug = "searches-with-no-results"
    ordering = ("-total_without_results", "-total_searches")

    def select(self, totals):
        return totals.filter(total_without_results__gt=0)


class FrequentSearchesReportView(SearchReportView):
    page_title = "Most frequent searches"
    index_url_name = "search_frequent_report"
    index_results_url_name = "search_frequent_report_results"
    verbose_name_plural = "searches"
    export_slug = "most-frequent-searches"
    ordering = ("-total_searches",)
