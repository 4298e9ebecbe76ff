"""A person browses the library, narrows it by two facets and opens a resource."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_person_narrows_the_library_by_two_facets_and_opens_a_resource(page, library, axe):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resource library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource library")
    expect(page.get_by_text(re.compile(r"Showing 1–20 of 48 resources"))).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    page.get_by_role("group", name=re.compile("^Topic")).get_by_role(
        "checkbox", name=re.compile("^Health equity")
    ).check()
    page.get_by_role("group", name=re.compile("^Resource type")).get_by_role(
        "checkbox", name=re.compile("^Report")
    ).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"topic=health-equity.*type=report|type=report.*topic=health-equity"))

    results = page.locator(".library-result")
    expect(results.first).to_be_visible()
    count = results.count()
    assert 0 < count < 48
    expect(page.get_by_role("link", name="Remove filter: Topic: Health equity")).to_be_visible()
    expect(page.get_by_role("link", name="Remove filter: Resource type: Report")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    first_title = results.first.get_by_role("link").first.inner_text()
    results.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("original"))).to_be_visible()
    expect(page.get_by_text("Last reviewed")).to_be_visible()

    page.get_by_role("link", name=re.compile("What this means")).click()
    scale = page.locator("#evidence-scale")
    expect(scale).to_be_in_viewport()
    expect(scale).to_contain_text("Strong")
    expect(scale).to_contain_text("This resource")
    violations = axe(page)
    assert not violations, violations.report()


def test_removing_one_filter_keeps_the_other(page, library):
    page.goto(library.url + "?topic=health-equity&type=report")
    narrowed = page.locator(".library-result").count()
    page.get_by_role("link", name="Remove filter: Resource type: Report").click()
    expect(page).to_have_url(re.compile(r"topic=health-equity"))
    assert "type=report" not in page.url
    assert page.locator(".library-result").count() >= narrowed
