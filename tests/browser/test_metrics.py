"""The steering user reads the participation dashboard and its pygal charts
(nothing fetched from another host), changes the period, downloads a CSV,
opens the gap analysis and follows a cell to the library; an editor without
the Steering role gets 403."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventRegistration
from hub.models import Population, Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory
from search.models import SearchDailyStat

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def content(home_page, make_user):
    library = ResourceIndexPageFactory(parent=home_page)
    library.save_revision().publish()
    for title in ("Youth crisis lines", "Mobile crisis for teens"):
        resource = ResourcePageFactory(
            parent=library,
            title=title,
            topics=[Topic.objects.get(slug="crisis-services")],
            populations=[Population.objects.get(slug="youth")],
        )
        resource.save_revision().publish()
    today = timezone.localdate()
    SearchDailyStat.objects.create(
        date=today, query="crisis", searches=4, searches_without_results=0, searches_with_few_results=1
    )
    SearchDailyStat.objects.create(
        date=today - datetime.timedelta(days=60), query="peer respite", searches=3, searches_without_results=3
    )
    events = EventIndexPageFactory(parent=home_page)
    events.save_revision().publish()
    webinar = EventPageFactory(
        parent=events,
        title="Peer workforce webinar",
        start=timezone.now() - datetime.timedelta(days=3),
    )
    webinar.save_revision().publish()
    for n, attended in enumerate([True, True, True, False, None]):
        EventRegistration.objects.create(
            event=webinar, name=f"Person {n}", email=f"person{n}@example.org", attended=attended
        )
    make_user("joined", "Members", date_joined=timezone.now() - datetime.timedelta(days=50))
    make_user("sky", "Steering")
    make_user("eden", "Editors")
    return library


def sign_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_steering_reads_the_dashboard_and_the_gap_analysis(page, content, axe, live_server):
    requested = []
    page.on("request", lambda request: requested.append((request.resource_type, request.url)))
    sign_in(page, "sky")
    page.goto("/admin/steering/")
    expect(page.get_by_role("heading", name="Participation and impact", level=1)).to_be_visible()
    searches = page.locator("#figure-searches")
    expect(searches.get_by_role("row", name=re.compile(r"^Searches 4 0"))).to_be_visible()
    expect(
        searches.get_by_role("row", name=re.compile(r"^Searches that found little .* 1 0"))
    ).to_be_visible()

    # The four charts, drawn by pygal: images named by their title and described.
    for name in (
        "Members over time",
        "Confirmed registrations per event",
        "Searches with and without results",
        "Visits sent by partners",
    ):
        expect(page.get_by_role("img", name=name, exact=True)).to_be_visible()
    registrations_chart = page.get_by_role("img", name="Confirmed registrations per event")
    expect(registrations_chart).to_have_accessible_description("Peer workforce webinar: 5")
    expect(registrations_chart.locator("text.value")).to_have_text(["5"])
    members_box = page.locator("#chart-members").bounding_box()
    assert members_box["width"] > 300 and members_box["height"] > 100
    page.get_by_text("Data table: Searches with and without results").click()
    expect(page.locator("#figure-searches-over-time-chart table")).to_be_visible()
    # Registrations and the attendance staff recorded.
    registrations = page.locator("#figure-registrations")
    # Confirmed, waiting, cancelled, attended, did not attend, not recorded.
    webinar_row = re.compile(r"^Peer workforce webinar Webinar [0-9-]+ 5 0 0 3 1 1$")
    expect(registrations.get_by_role("row", name=webinar_row)).to_be_visible()
    expect(registrations).to_contain_text("what staff recorded")
    violations = axe(page)
    assert not violations, violations.report()
    # Everything the dashboard loaded came from the hub itself (the admin's
    # Gravatar avatars are switched off in the settings).
    foreign = [(kind, url) for kind, url in requested if not url.startswith(live_server.url)]
    assert requested and foreign == []

    page.get_by_label("Last 90 days").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=90"))
    expect(searches.get_by_role("row", name=re.compile(r"^Searches 7 0"))).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download “Searches” as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("searches-")
    text = open(download.path(), encoding="utf-8").read()
    assert "Searches with no results,3,0" in text

    page.get_by_role("link", name="Landscape and gap analysis").click()
    expect(page.get_by_role("heading", name="Topics by population")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()
    crisis = Topic.objects.get(slug="crisis-services").name
    youth = Population.objects.get(slug="youth").name
    page.get_by_role("link", name=f"2 resources: {crisis}, {youth}").click()
    page.wait_for_url(re.compile(r"/resources/\?topic=crisis-services&population=youth"))
    expect(page.get_by_role("link", name="Youth crisis lines")).to_be_visible()
    expect(page.get_by_role("link", name="Mobile crisis for teens")).to_be_visible()


def test_an_editor_without_the_steering_role_gets_403(page, content):
    sign_in(page, "eden")
    response = page.goto("/admin/steering/")
    assert response.status == 403
    expect(page.get_by_text("are for the Steering group")).to_be_visible()
