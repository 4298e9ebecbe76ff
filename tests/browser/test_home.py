import html
import re

import pytest
from django.utils.html import strip_tags
from playwright.sync_api import expect

from home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def toolkit_page(home_page):
    return publish(
        StandardPageFactory(
            parent=home_page,
            title="Peer support toolkit",
            slug="peer-support-toolkit",
            introduction="How to set up peer support in a community mental health centre.",
        )
    )


def first_sentence_of(rich_text):
    text = " ".join(html.unescape(strip_tags(rich_text)).split())
    return text.split(". ")[0]


def test_the_home_page_renders_its_mission(page, home_page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(home_page.mission_heading)
    mission = page.locator(".hero__text")
    expect(mission).to_be_visible()
    expect(mission).to_contain_text(first_sentence_of(home_page.mission))


def test_the_skip_link_moves_focus_to_the_main_content_with_the_keyboard(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main-content$"))
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_the_site_wide_search_box_submits(page, live_server, toolkit_page):
    # The search box offers suggestions as a person types, so it is a combobox.
    page.goto("/")
    box = page.get_by_role("search", name="Site").get_by_role("combobox", name="Search the hub")
    box.fill("peer support")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=peer+support")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")

    result = page.locator(".search-results").get_by_role("link", name="Peer support toolkit")
    expect(result).to_be_visible()
    result.click()
    page.wait_for_url(f"{live_server.url}{toolkit_page.url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer support toolkit")


@pytest.mark.parametrize(
    "path",
    ["/", "/peer-support-toolkit/", "/search/?q=peer+support", "/no-such-page/"],
    ids=["home page", "standard page", "search results", "404 page"],
)
def test_axe_reports_no_serious_or_critical_violations(page, axe, toolkit_page, path):
    response = page.goto(path)
    assert response.status == (404 if path == "/no-such-page/" else 200)
    if path.startswith("/search/"):
        expect(page.locator(".search-results")).to_contain_text("Peer support toolkit")
    violations = axe(page)
    assert not violations, violations.report()


def test_the_layout_works_at_320_px_wide(page):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/")
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"the page scrolls sideways: scrollWidth is {scroll_width}px"

    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(nav).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    home_link = nav.get_by_role("link", name="Home")
    expect(home_link).to_be_visible()
    box = home_link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, f"Home link is off screen: {box}"
