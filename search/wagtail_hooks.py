from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import PopularSearch, Synonym
from .reports import FrequentSearchesReportView, SearchesWithoutResultsReportView, can_see_search_reports


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "link"
    menu_label = "Search synonyms"
    add_to_admin_menu = False
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]


register_snippet(SynonymViewSet)


class PopularSearchViewSet(SnippetViewSet):
    """Editors pin or hide the searches suggested to every visitor when a
    search finds nothing (search.reports.popular_searches)."""

    model = PopularSearch
    icon = "pick"
    menu_label = "Popular searches"
    add_to_admin_menu = False
    list_display = ["query", "choice"]
    list_filter = ["choice"]
    search_fields = ["query"]


register_snippet(PopularSearchViewSet)


# --- search reports (search/reports.py) --------------------------------------------


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_search_reports(request.user)


@hooks.register("register_admin_urls")
def register_search_report_urls():
    return [
        path(
            "reports/searches-with-no-results/",
            SearchesWithoutResultsReportView.as_view(),
            name="search_without_results_report",
        ),
        path(
            "reports/searches-with-no-results/results/",
            SearchesWithoutResultsReportView.as_view(results_only=True),
            name="search_without_results_report_results",
        ),
        path(
            "reports/frequent-searches/", FrequentSearchesReportView.as_view(), name="search_frequent_report"
        ),
        path(
            "reports/frequent-searches/results/",
            FrequentSearchesReportView.as_view(results_only=True),
            name="search_frequent_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_searches_without_results_menu_item():
    return SearchReportMenuItem(
        "Searches with no results",
        reverse("search_without_results_report"),
        name="searches-with-no-results",
        icon_name="search",
        order=1160,
    )


@hooks.register("register_reports_menu_item")
def register_frequent_searches_menu_item():
    return SearchReportMenuItem(
        "Most frequent searches",
        reverse("search_frequent_report"),
        name="most-frequent-searches",
        icon_name="search",
        order=1170,
    )
