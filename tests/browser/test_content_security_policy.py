"""Under the Content-Security-Policy the browser reports no violation on any public
page type, the menu and the search suggestions still work, and the steering
dashboard (admin policy) still draws its charts."""

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from community.models import CommunityIndexPage, JoinPage, PartnerCommunityPage, WorkingGroupIndexPage
from events.models import EventIndexPage, EventPage
from hub.demo import demo_password
from knowledge.models import ResourceIndexPage, ResourcePage
from syndication.models import LinkToUsPage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CSP_MESSAGE = "Content Security Policy"


@pytest.fixture
def demo(home_page):
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_content", stdout=quiet)


def public(model):
    page = model.objects.live().public().order_by("path").first()
    assert page is not None, f"no public {model.__name__} in the demo content"
    return page.url


def watch_policy(page):
    """Every CSP violation the browser reports while the test runs."""
    violations = []
    page.on(
        "console", lambda message: violations.append(message.text) if CSP_MESSAGE in message.text else None
    )
    page.on("pageerror", lambda error: violations.append(f"page error: {error}"))
    return violations


def test_public_pages_show_no_policy_violation_and_their_scripts_still_work(page, demo):
    violations = watch_policy(page)
    addresses = [
        "/",
        public(ResourceIndexPage),
        public(ResourcePage),
        public(EventIndexPage),
        public(EventPage),
        "/search/?q=peer+support",
        public(JoinPage),
        public(WorkingGroupIndexPage),
        public(CommunityIndexPage),
        public(PartnerCommunityPage),
        public(LinkToUsPage),
        "/embed/resources/",
        "/account/sign-in/",
    ]
    for address in addresses:
        response = page.goto(address)
        assert response.status == 200, address
        assert "script-src 'self'" in response.headers["content-security-policy"], address
        page.wait_for_load_state("load")
        assert not violations, f"{address}: {violations}"

    # The search box's suggestions (static/js/search-autocomplete.js).
    page.goto("/")
    box = page.get_by_role("search", name="Site").get_by_role("combobox", name="Search the hub")
    box.fill("peer")
    expect(page.get_by_role("listbox", name="Search suggestions")).to_be_visible()

    # The menu button on a narrow screen (static/js/hub.js).
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert not violations, violations


def test_the_steering_dashboard_draws_its_charts_under_the_admin_policy(page, demo):
    violations = watch_policy(page)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("steering")
    page.get_by_label("Password").fill(demo_password("steering"))
    page.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    page.wait_for_url(re.compile(r"/admin/$"))
    response = page.goto("/admin/steering/")
    assert "'unsafe-inline'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Participation and impact", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Members over time")).to_be_visible()
    assert not violations, violations


def test_an_editor_edits_a_resource_in_the_admin_without_policy_violations(page, demo):
    violations = watch_policy(page)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(demo_password("editor"))
    page.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    page.wait_for_url(re.compile(r"/admin/$"))
    resource = ResourcePage.objects.live().order_by("path").first()
    page.goto(f"/admin/pages/{resource.pk}/edit/")
    expect(page.get_by_role("textbox", name=re.compile("^Title")).first).to_have_value(resource.title)
    page.wait_for_load_state("load")
    assert not violations, violations
