"""The dashboard's figures against known data: exact counts, period
boundaries in the hub's time zone, CSV exports and accessible charts."""

import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import MembershipApplication, ReferralCount
from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory
from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventRegistration
from metrics import figures
from metrics.models import PageViewDaily
from metrics.periods import Period, last_days, period_from_query
from search.models import SearchDailyStat

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def days_ago(n, hour=12):
    day = timezone.localdate() - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def members(make_user):
    editor = make_user("eden", "Editors", date_joined=days_ago(3))  # not a member
    recent = make_user("recent", "Members", date_joined=days_ago(10))
    older = make_user("older", "Members", "CMHC staff", date_joined=days_ago(40), last_login=days_ago(5))
    oldest = make_user("oldest", "Members", "Partners", date_joined=days_ago(100))
    make_user("closed", "Members", date_joined=days_ago(12), is_active=False)
    return {"editor": editor, "recent": recent, "older": older, "oldest": oldest}


@pytest.fixture
def event(home_page):
    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    event = EventPageFactory(
        parent=index, title="Crisis lines webinar", start=days_ago(2), end=days_ago(2, 13)
    )
    event.save_revision().publish()
    return event


def test_members_total_new_and_active_for_the_period_and_the_one_before(members, event):
    EventRegistration.objects.create(
        event=event, name="O", email="oldest@example.org", user=members["oldest"]
    )
    MembershipApplication.objects.create(
        name="R", email="RECENT@example.org", organisation_type="cmhc", submitted_at=days_ago(1)
    )
    now = figures.member_counts(last_days(30))
    before = figures.member_counts(last_days(30).previous)
    assert now == {"total": 3, "new": 1, "active": 3}
    assert before == {"total": 2, "new": 1, "active": 0}


def test_period_boundaries_follow_the_hubs_time_zone(make_user):
    # 1 March 00:30 in New York is 05:30 UTC: inside a March period.
    make_user("early", "Members", date_joined=datetime.datetime(2026, 3, 1, 0, 30, tzinfo=NEW_YORK))
    # 1 March 03:00 UTC is still 28 February in New York: the previous period.
    make_user("late", "Members", date_joined=datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC))
    # 31 March 23:59 in New York is 1 April in UTC: still inside.
    make_user("last", "Members", date_joined=datetime.datetime(2026, 3, 31, 23, 59, tzinfo=NEW_YORK))
    march = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert march.previous == Period(datetime.date(2026, 1, 29), datetime.date(2026, 2, 28))
    assert figures.member_counts(march)["new"] == 2
    assert figures.member_counts(march.previous)["new"] == 1


def test_figures_keep_the_hubs_days_when_the_admin_shows_another_time_zone(make_user):
    # 1 March 03:00 UTC: 28 February in New York (the hub), 1 March in Tokyo,
    # the time zone a steering member may have chosen for the admin.
    make_user("late", "Members", date_joined=datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC))
    march = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    with timezone.override("Asia/Tokyo"):
        assert march.start_moment == datetime.datetime(2026, 3, 1, tzinfo=NEW_YORK)
        assert figures.member_counts(march)["new"] == 0
        assert figures.member_counts(march.previous)["new"] == 1


def test_period_choices_and_bad_custom_ranges():
    today = datetime.date(2026, 6, 30)
    period, choice, notices = period_from_query({"period": "90"}, today)
    assert (period.start, period.end, period.days, notices) == (datetime.date(2026, 4, 2), today, 90, [])
    period, choice, notices = period_from_query(
        {"period": "custom", "start": "2026-01-01", "end": "2026-01-10"}
    )
    assert (period.days, choice, notices) == (10, "custom", [])
    for bad in (
        {"period": "custom", "start": "2026-02-10", "end": "2026-01-01"},
        {"period": "custom"},
        {"period": "x"},
    ):
        period, choice, notices = period_from_query(bad, today)
        assert choice == "30" and period.days == 30 and len(notices) == 1


def test_searches_counted_over_the_period_and_the_one_before():
    SearchDailyStat.objects.create(
        date=timezone.localdate(), query="crisis", searches=5, searches_without_results=1
    )
    SearchDailyStat.objects.create(
        date=timezone.localdate() - datetime.timedelta(days=29),
        query="telehealth rural",
        searches=3,
        searches_without_results=3,
    )
    SearchDailyStat.objects.create(
        date=timezone.localdate() - datetime.timedelta(days=30),
        query="peer",
        searches=2,
        searches_without_results=0,
    )
    SearchDailyStat.objects.filter(query="crisis").update(searches_with_few_results=2)
    assert figures.search_totals(last_days(30)) == {"searches": 8, "without": 4, "with": 4, "few": 2}
    assert figures.search_totals(last_days(30).previous) == {
        "searches": 2,
        "without": 0,
        "with": 2,
        "few": 0,
    }
    table = figures.top_queries_table(last_days(30))
    assert table.rows == [["crisis", 5, 1], ["telehealth rural", 3, 3]]


def test_registrations_and_recorded_attendance_per_event_and_format(event):
    # Status, and the attendance staff recorded (None: not recorded).
    for n, (status, attended) in enumerate(
        [
            ("confirmed", True),
            ("confirmed", True),
            ("confirmed", False),
            ("confirmed", None),
            ("confirmed", None),
            ("waitlisted", True),  # a place came free on the day
            ("waitlisted", None),
            ("cancelled", None),
        ]
    ):
        EventRegistration.objects.create(
            event=event, name=f"P{n}", email=f"p{n}@example.org", status=status, attended=attended
        )
    later = EventPageFactory(
        parent=event.get_parent(), title="Next training", event_format="training", start=days_ago(-5)
    )
    EventRegistration.objects.create(event=later, name="Q", email="q@example.org")
    table = figures.registrations_table(last_days(30))
    assert table.columns[3:] == [
        "Confirmed",
        "Waiting list",
        "Cancelled",
        "Attended",
        "Did not attend",
        "Confirmed, attendance not recorded",
    ]
    # The next training starts after the period: not listed.
    assert table.rows == [
        ["Crisis lines webinar", "Webinar", event.local_start.strftime("%Y-%m-%d"), 5, 2, 1, 3, 1, 2]
    ]
    assert "what staff recorded" in table.note
    formats = {row[0]: row[1:] for row in figures.formats_table(last_days(30)).rows}
    # Events, confirmed, attended; the same for the previous period.
    assert formats["Webinar"] == [1, 5, 3, 0, 0, 0]
    assert formats["Training"] == [0, 0, 0, 0, 0, 0]


def test_attendance_is_blank_for_events_that_have_not_started(event):
    upcoming = EventPageFactory(parent=event.get_parent(), title="Tomorrow's training", start=days_ago(-1))
    EventRegistration.objects.create(event=upcoming, name="Q", email="q@example.org")
    period = Period(timezone.localdate(), timezone.localdate() + datetime.timedelta(days=2))
    rows = figures.registrations_table(period).rows
    assert rows == [
        ["Tomorrow's training", "Webinar", upcoming.local_start.strftime("%Y-%m-%d"), 1, 0, 0, "", "", ""]
    ]


def test_referrals_per_partner(home_page):
    index = CommunityIndexPageFactory(parent=home_page)
    partner = PartnerCommunityPageFactory(parent=index, title="Peer Network")
    today = timezone.localdate()
    ReferralCount.objects.create(partner=partner, day=today, via_link=4, via_website=1)
    ReferralCount.objects.create(partner=partner, day=today - datetime.timedelta(days=31), via_link=2)
    assert figures.referrals_table(last_days(30)).rows == [["Peer Network", 4, 1, 5, 2]]


def test_top_resources_by_page_views(make_resource):
    first, second = make_resource("Crisis toolkit"), make_resource("Peer guide")
    today = timezone.localdate()
    PageViewDaily.objects.create(date=today, page=first, views=3)
    PageViewDaily.objects.create(date=today - datetime.timedelta(days=1), page=second, views=7)
    PageViewDaily.objects.create(date=today - datetime.timedelta(days=40), page=first, views=9)
    assert figures.resource_views_table(last_days(30)).rows == [
        ["Peer guide", 7, 0],
        ["Crisis toolkit", 3, 9],
    ]


def test_each_figure_downloads_as_csv(steering_client, members):
    SearchDailyStat.objects.create(
        date=timezone.localdate(), query="crisis", searches=5, searches_without_results=1
    )
    rows = read_csv(steering_client.get(reverse("metrics_dashboard") + "?period=30&export=searches"))
    assert rows == [
        ["Figure", "This period", "Previous period"],
        ["Searches", "5", "0"],
        ["Searches that found something", "4", "0"],
        ["Searches with no results", "1", "0"],
        ["Searches that found little (1 to 3 results)", "0", "0"],
    ]
    members_rows = read_csv(steering_client.get(reverse("metrics_dashboard") + "?export=members"))
    assert members_rows[1] == ["Members at the end of the period", "3", "2"]
    everything = read_csv(steering_client.get(reverse("metrics_dashboard") + "?export=all"))
    assert ["Searches"] in everything and ["Members"] in everything


CHARTS = [
    ("chart-members", "Members over time"),
    ("chart-registrations", "Confirmed registrations per event"),
    ("chart-searches", "Searches with and without results"),
    ("chart-referrals", "Visits sent by partners"),
]


def svgs(html):
    return {
        match.group(1): match.group(0)
        for match in re.finditer(
            r'<svg xmlns="http://www.w3.org/2000/svg" id="([a-z-]+)".*?</svg>', html, re.S
        )
    }


def test_charts_are_pygal_svg_with_title_description_and_a_data_table(steering_client, members, event):
    for n in range(4):
        EventRegistration.objects.create(event=event, name=f"P{n}", email=f"p{n}@example.org")
    SearchDailyStat.objects.create(
        date=timezone.localdate(), query="crisis", searches=5, searches_without_results=2
    )
    html = steering_client.get(reverse("metrics_dashboard") + "?period=90").content.decode()
    charts = svgs(html)
    assert sorted(charts) == sorted(chart_id for chart_id, _title in CHARTS)
    for chart_id, title in CHARTS:
        svg = charts[chart_id]
        assert svg.startswith(
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="pygal-chart metrics-chart" '
        )
        assert f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc"' in svg
        assert f'<title id="{chart_id}-title">{title}</title><desc id="{chart_id}-desc">' in svg
        # Drawn by pygal, its stylesheet scoped to this chart.
        assert "bar-graph" in svg and f"#{chart_id} .rect.reactive" in svg
        # One title and one description: pygal's tooltip data is taken out.
        assert svg.count("<title") == 1 and svg.count("<desc") == 1
        assert f"Data table: {title}" in html
    # The members chart's last column is today's total, in the desc and on the column.
    assert charts["chart-members"].split("</desc>")[0].endswith(": Members 3")
    assert "Crisis lines webinar: 4</desc>" in charts["chart-registrations"]
    assert 'class="value">4</text>' in charts["chart-registrations"]
    # Both series of the searches chart, the second hatched and named so in the legend.
    assert "Found something 3, No results 2</desc>" in charts["chart-searches"]
    assert 'id="chart-searches-hatch"' in charts["chart-searches"]
    assert "No results (hatched)" in charts["chart-searches"]
    assert "No data for this period." in charts["chart-referrals"]


def test_the_dashboard_references_no_other_host_and_runs_no_chart_script(steering_client, members):
    html = steering_client.get(reverse("metrics_dashboard") + "?period=365").content.decode()
    for svg in svgs(html).values():
        assert "<script" not in svg and "<!--" not in svg
        assert "kozea" not in svg.lower() and "googleapis" not in svg
        # Only the SVG namespace names a web address.
        assert re.findall(r"https?://[^\s\"'<>)]+", svg) == ["http://www.w3.org/2000/svg"]
    # No script or stylesheet on the whole page comes from another host.
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
        address = re.search(r'(?:src|href)="([^"]*)"', tag)
        if address:
            assert not re.match(r"(https?:)?//", address.group(1)), tag
    assert "xml-stylesheet" not in html and "<?xml" not in html


def test_the_dashboard_writes_pending_view_counts_before_counting(steering_client, event):
    from django.core.cache import cache

    from metrics import counting

    cache.add(counting.FLUSH_DUE_KEY, 1, 60)  # no page view flushes for a minute
    for _ in range(3):
        counting.count_page_view(event.pk)
    assert not PageViewDaily.objects.filter(page=event).exists()
    event.recording = [("video", {"video": None, "title": "Recording", "transcript": ""})]
    event.save()
    response = steering_client.get(reverse("metrics_dashboard"))
    assert PageViewDaily.objects.get(page=event).views == 3
    recordings = response.context["tables"]["recordings"]
    assert recordings.rows == [["Crisis lines webinar", event.local_start.strftime("%Y-%m-%d"), 3, 0]]


def test_an_unknown_period_is_explained_not_an_error(steering_client):
    response = steering_client.get(reverse("metrics_dashboard") + "?period=custom&start=2026-13-01&end=x")
    assert response.status_code == 200
    assert "Give both the first and the last day" in response.content.decode()


def test_applications_by_organisation_type_and_status():
    for org, status, days in [
        ("cmhc", "approved", 1),
        ("cmhc", "pending", 2),
        ("research", "declined", 3),
        ("cmhc", "approved", 45),
    ]:
        MembershipApplication.objects.create(
            email=f"{org}{status}{days}@example.org",
            organisation_type=org,
            status=status,
            submitted_at=days_ago(days),
        )
    rows = {row[0]: row[1:] for row in figures.applications_table(last_days(30)).rows}
    # Waiting, approved, declined, total, previous period total.
    assert rows["Community Mental Health Center (CMHC)"] == [1, 1, 0, 2, 1]
    assert rows["Research institution"] == [0, 0, 1, 1, 0]
    assert rows["All"] == [1, 1, 1, 3, 1]


def test_the_dashboard_prints_as_a_report(steering_client):
    html = steering_client.get(reverse("metrics_dashboard")).content.decode()
    assert "css/metrics.css" in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/metrics.css"), encoding="utf-8").read()
    assert "@media print" in css and ".sidebar" in css and "break-inside: avoid" in css


def test_recording_views_are_page_views_of_past_events_with_a_recording(event, home_page):
    event.recording = [("video", {"video": None, "title": "Recording", "transcript": ""})]
    event.save()
    later = EventPageFactory(parent=event.get_parent(), title="Upcoming webinar")
    today = timezone.localdate()
    PageViewDaily.objects.create(date=today, page=event, views=6)
    PageViewDaily.objects.create(date=today - datetime.timedelta(days=35), page=event, views=2)
    PageViewDaily.objects.create(date=today, page=later, views=9)
    rows = figures.recordings_table(last_days(30)).rows
    assert rows == [["Crisis lines webinar", event.local_start.strftime("%Y-%m-%d"), 6, 2]]
