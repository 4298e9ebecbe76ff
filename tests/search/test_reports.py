"""The search reports: "Searches with no results" and "Most frequent searches"
over the last 30 or 90 days with CSV export, and the popular searches the
search page suggests when nothing is found."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from search.models import SearchDailyStat
from search.reports import popular_searches

pytestmark = pytest.mark.django_db

NO_RESULTS_URL = reverse("search_without_results_report")
FREQUENT_URL = reverse("search_frequent_report")


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def record(query, days, searches, without_results=0):
    return SearchDailyStat.objects.create(
        date=days_ago(days), query=query, searches=searches, searches_without_results=without_results
    )


@pytest.fixture
def searches():
    """A month and a half of searches. Day 29 is the oldest day of the last 30
    days; day 30 falls outside it but inside the last 90 days."""
    record("ccbhc", 0, 12)
    record("ccbhc", 29, 8)
    record("ccbhc", 30, 5)
    record("peer support", 3, 9, 1)
    record("peer support", 60, 4, 4)
    record("moud rural", 1, 6, 6)
    record("moud rural", 10, 2, 2)
    record("telepsychiatry teens", 2, 3, 3)
    record("telepsychiatry teens", 80, 10, 10)
    record("988 mobile crisis", 45, 7, 7)
    record("fep", 95, 50, 50)  # older than 90 days: in no report


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user("eden", "Editors"))
    return client


def rows(response):
    return [
        (row["query"], row["total_searches"], row["total_without_results"], row["share_without_results"])
        for row in response.context["object_list"]
    ]


def csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Most frequent searches ------------------------------------------------------


def test_most_frequent_searches_over_30_days_adds_up_each_query_most_searched_first(editor_client, searches):
    response = editor_client.get(FREQUENT_URL)
    assert response.status_code == 200
    assert rows(response) == [
        ("ccbhc", 20, 0, "0%"),
        ("peer support", 9, 1, "11%"),
        ("moud rural", 8, 8, "100%"),
        ("telepsychiatry teens", 3, 3, "100%"),
    ]


def test_most_frequent_searches_over_90_days_takes_in_the_older_searches(editor_client, searches):
    response = editor_client.get(FREQUENT_URL, {"days": "90"})
    assert rows(response) == [
        ("ccbhc", 25, 0, "0%"),
        ("peer support", 13, 5, "38%"),
        ("telepsychiatry teens", 13, 13, "100%"),
        ("moud rural", 8, 8, "100%"),
        ("988 mobile crisis", 7, 7, "100%"),
    ]


def test_report_shows_the_last_day_each_query_was_searched(editor_client, searches):
    response = editor_client.get(FREQUENT_URL, {"days": "90"})
    last = {row["query"]: row["last_searched"] for row in response.context["object_list"]}
    assert last["ccbhc"] == days_ago(0)
    assert last["988 mobile crisis"] == days_ago(45)
    html = response.content.decode()
    assert "telepsychiatry teens" in html
    assert "fep" not in [row["query"] for row in response.context["object_list"]]


def test_report_says_which_period_it_covers(editor_client, searches):
    html = editor_client.get(FREQUENT_URL, {"days": "90"}).content.decode()
    assert "in the last 90 days" in html
    assert f"from {days_ago(89):%-d %B %Y}" in html


@pytest.mark.parametrize("bad_days", ["365", "abc", "", "-30", "30; drop table", "9" * 40])
def test_a_period_not_on_offer_falls_back_to_30_days_without_an_error(editor_client, searches, bad_days):
    response = editor_client.get(FREQUENT_URL, {"days": bad_days})
    assert response.status_code == 200
    assert [row[0] for row in rows(response)] == [
        "ccbhc",
        "peer support",
        "moud rural",
        "telepsychiatry teens",
    ]
    assert rows(response)[0][1] == 20
    html = response.content.decode()
    assert "in the last 30 days" in html
    assert "Select a valid choice" not in html


def test_report_offers_the_period_choice_and_a_csv_download(editor_client, searches):
    html = editor_client.get(FREQUENT_URL).content.decode()
    assert 'name="days" value="30"' in html
    assert 'name="days" value="90"' in html
    assert "export=csv" in html
    assert f'href="{FREQUENT_URL}?days=90">Show the last 90 days</a>' in html


def test_results_only_view_used_by_the_filters_answers_for_the_chosen_period(editor_client, searches):
    response = editor_client.get(reverse("search_frequent_report_results"), {"days": "90"})
    assert response.status_code == 200
    assert rows(response)[0] == ("ccbhc", 25, 0, "0%")


def test_report_says_so_when_nobody_searched(editor_client):
    response = editor_client.get(FREQUENT_URL)
    assert response.status_code == 200
    assert "There are no searches to display." in response.content.decode()


# --- Searches with no results --------------------------------------------------------


def test_searches_with_no_results_lists_only_queries_that_found_nothing_most_often_first(
    editor_client, searches
):
    response = editor_client.get(NO_RESULTS_URL)
    assert response.status_code == 200
    assert rows(response) == [
        ("moud rural", 8, 8, "100%"),
        ("telepsychiatry teens", 3, 3, "100%"),
        ("peer support", 9, 1, "11%"),
    ]


def test_searches_with_no_results_over_90_days(editor_client, searches):
    assert rows(editor_client.get(NO_RESULTS_URL, {"days": "90"})) == [
        ("telepsychiatry teens", 13, 13, "100%"),
        ("moud rural", 8, 8, "100%"),
        ("988 mobile crisis", 7, 7, "100%"),
        ("peer support", 13, 5, "38%"),
    ]


# --- CSV export --------------------------------------------------------------------------


def test_csv_export_of_searches_with_no_results_has_headings_and_one_row_per_query(editor_client, searches):
    response = editor_client.get(NO_RESULTS_URL, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate().isoformat()
    assert f'filename="searches-with-no-results-last-30-days-{today}.csv"' in response["Content-Disposition"]
    assert csv_rows(response) == [
        ["Search", "Searches", "Without results", "Share without results", "Last searched"],
        ["moud rural", "8", "8", "100%", days_ago(1).isoformat()],
        ["telepsychiatry teens", "3", "3", "100%", days_ago(2).isoformat()],
        ["peer support", "9", "1", "11%", days_ago(3).isoformat()],
    ]


def test_csv_export_of_most_frequent_searches_follows_the_period(editor_client, searches):
    response = editor_client.get(FREQUENT_URL, {"export": "csv", "days": "90"})
    assert "most-frequent-searches-last-90-days-" in response["Content-Disposition"]
    header, *body = csv_rows(response)
    assert header == ["Search", "Searches", "Without results", "Share without results", "Last searched"]
    assert [row[:3] for row in body] == [
        ["ccbhc", "25", "0"],
        ["peer support", "13", "5"],
        ["telepsychiatry teens", "13", "13"],
        ["moud rural", "8", "8"],
        ["988 mobile crisis", "7", "7"],
    ]
    assert body[-1][4] == days_ago(45).isoformat()


def test_csv_export_is_not_cut_to_one_page(editor_client):
    for number in range(60):
        record(f"query {number:02d}", 1, 1)
    body = csv_rows(editor_client.get(FREQUENT_URL, {"export": "csv"}))[1:]
    assert len(body) == 60
    assert len(editor_client.get(FREQUENT_URL).context["object_list"]) == 50


# --- who may see the reports -------------------------------------------------------------


@pytest.mark.parametrize("url", [NO_RESULTS_URL, FREQUENT_URL])
def test_anonymous_visitors_are_sent_to_the_login_page(client, searches, url):
    for query in ({}, {"export": "csv"}):
        response = client.get(url, query)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("url", [NO_RESULTS_URL, FREQUENT_URL])
def test_members_are_refused_the_reports(client, make_user, searches, url):
    client.force_login(make_user("morgan", "Members"))
    for query in ({}, {"export": "csv"}):
        response = client.get(url, query)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("url", [NO_RESULTS_URL, FREQUENT_URL])
def test_contributors_reach_the_admin_but_are_refused_the_reports(client, make_user, searches, url):
    client.force_login(make_user("connie", "Contributors"))
    response = client.get(url)
    assert response.status_code == 403
    assert "moud rural" not in response.content.decode()
    assert client.get(url, {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("url", [NO_RESULTS_URL, FREQUENT_URL])
@pytest.mark.parametrize("group", ["Editors", "Steering"])
def test_editors_and_the_steering_team_can_open_the_reports(client, make_user, searches, url, group):
    client.force_login(make_user("allowed", group))
    response = client.get(url)
    assert response.status_code == 200
    assert "moud rural" in response.content.decode()


def test_superusers_can_open_the_reports(client, make_user, searches):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(NO_RESULTS_URL).status_code == 200
    assert client.get(FREQUENT_URL).status_code == 200


def test_reports_menu_offers_the_search_reports_to_editors_only(client, make_user):
    client.force_login(make_user("steffi", "Steering"))
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert NO_RESULTS_URL in dashboard
    assert FREQUENT_URL in dashboard
    client.force_login(make_user("connie", "Contributors"))
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert NO_RESULTS_URL not in dashboard
    assert FREQUENT_URL not in dashboard


# --- popular searches for the search page ---------------------------------------------------


@pytest.fixture
def public_words(make_resource):
    """A public page holding every word these searches use: a popular search
    is only shown while public pages answer it (tests/search/test_popular_searches_privacy.py)."""
    make_resource(
        "CCBHC peer support workforce",
        summary="Crisis line, recent and older topic notes 0 1 2 3 4 5 6 7 8 9; jane doe psychiatrist.",
    )


def test_popular_searches_are_the_queries_that_found_something_most_often(public_words, searches):
    # peer support: 9 searches, 8 found something; ccbhc: 20, all found something.
    assert popular_searches() == ["ccbhc", "peer support"]


def test_popular_searches_leave_out_queries_that_never_found_anything(public_words, searches):
    popular = popular_searches(days=90)
    assert "moud rural" not in popular
    assert "telepsychiatry teens" not in popular
    assert "988 mobile crisis" not in popular
    assert popular == ["ccbhc", "peer support"]


def test_popular_searches_order_by_successful_searches_not_all_searches(public_words):
    record("crisis line", 1, 30, 25)  # 5 found something
    record("peer support", 1, 10, 0)  # 10 found something
    record("workforce", 2, 7, 0)
    assert popular_searches() == ["peer support", "workforce", "crisis line"]


def test_popular_searches_respect_the_period_and_the_limit(public_words):
    record("recent", 1, 5)
    record("older", 50, 40)
    for number in range(10):
        record(f"topic {number}", 3, 20 - number)
    assert "older" not in popular_searches(days=30, limit=20)
    assert "older" in popular_searches(days=90, limit=20)
    assert popular_searches(limit=3) == ["topic 0", "topic 1", "topic 2"]


def test_popular_searches_never_repeat_a_query_only_one_or_two_people_typed(public_words):
    record("jane doe psychiatrist", 1, 2)
    record("ccbhc", 1, 3)
    assert popular_searches() == ["ccbhc"]


def test_popular_searches_are_cached_for_the_next_empty_search(
    public_words, searches, django_assert_num_queries
):
    first = popular_searches()
    record("newly popular", 0, 100)
    with django_assert_num_queries(0):
        assert popular_searches() == first
