"""Pages do not move once drawn, on a phone-sized and a desktop-sized screen, and
the collapsed navigation works with and without JavaScript; the browser finds
the hub's icon and manifest instead of a 404."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 412, "height": 823}
DESKTOP = {"width": 1280, "height": 800}
MOST_SHIFT = 0.05

# Cumulative layout shift as the browser's own Layout Instability API reports it
# (shifts right after a person's input do not count, as in Lighthouse).
LAYOUT_SHIFT = """
() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) { total += entry.value; }
        }
    }).observe({type: "layout-shift", buffered: true});
    // Two frames after load: the scripts have run and any late shift is recorded.
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(total), 300)));
})
"""


def layout_shift(browser, base_url, path, viewport):
    context = browser.new_context(base_url=base_url, viewport=viewport)
    try:
        tab = context.new_page()
        tab.goto(path, wait_until="load")
        return tab.evaluate(LAYOUT_SHIFT)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["412px", "1280px"])
def test_the_home_page_and_the_library_do_not_shift_as_they_load(browser, live_server, library, viewport):
    for path in ("/", library.url):
        shift = layout_shift(browser, live_server.url, path, viewport)
        assert shift <= MOST_SHIFT, f"{path} at {viewport['width']} px: layout shift {shift:.3f}"


def test_on_a_phone_the_menu_button_opens_and_closes_the_navigation(browser, live_server, library):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        tab = context.new_page()
        tab.goto("/")
        button = tab.get_by_role("button", name="Menu")
        navigation = tab.locator("#main-nav")
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(navigation).to_be_hidden()
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(navigation).to_be_visible()
        tab.keyboard.press("Escape")
        expect(navigation).to_be_hidden()
        expect(button).to_be_focused()
    finally:
        context.close()


def test_without_javascript_a_phone_shows_the_whole_navigation_and_no_menu_button(
    browser, live_server, library
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto("/")
        expect(tab.locator("#main-nav")).to_be_visible()
        expect(tab.locator(".nav-toggle")).to_be_hidden()
    finally:
        context.close()


def test_the_browser_finds_the_icon_and_the_manifest(page, live_server):
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    page.goto("/")
    icon = page.request.get("/favicon.ico")
    assert icon.ok and icon.headers["content-type"] == "image/vnd.microsoft.icon"
    manifest_href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(manifest_href)
    assert manifest.ok
    body = json.loads(manifest.text())
    assert body["name"] == page.locator(".site-name").inner_text()
    for icon in body["icons"]:
        assert page.request.get(icon["src"]).ok, icon["src"]
    assert not missing, missing
