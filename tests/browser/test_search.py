"""A person searches: types, picks a suggestion, narrows by two facets and opens a result.

Every test here runs twice: on the database backend and on the live OpenSearch node.
"""

import re

import pytest
from playwright.sync_api import expect

from search import service

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _engine_failed():
    raise AssertionError("OpenSearch failed and the search page fell back to the database backend")


@pytest.fixture(autouse=True, params=["database", pytest.param("opensearch", marks=pytest.mark.opensearch)])
def search_backend(request, library, monkeypatch):
    """The backend the live server searches: the database one, or the live OpenSearch node
    (``opensearch`` in tests/live_search.py: skipped without OPENSEARCH_URL, failed in CI).

    ``library`` is made first, so ``opensearch`` indexes it and refreshes the indexes before
    the browser searches. Its override_settings is process-wide, so the live server's thread
    searches OpenSearch too; the calls recorded here prove it, and a fallback to the database
    (which would hide a broken engine) fails the request instead."""
    if request.param == "database":
        yield None
        return
    backend = request.getfixturevalue("opensearch")
    engine_calls = []

    def recorded(method):
        def call(self, *args, **kwargs):
            engine_calls.append(method.__name__)
            return method(self, *args, **kwargs)

        return call

    monkeypatch.setattr(service.EngineSearch, "answer", recorded(service.EngineSearch.answer))
    monkeypatch.setattr(service, "_fallback_backend", _engine_failed)
    yield backend
    assert "answer" in engine_calls, "the live server's searches did not go through OpenSearch"


def test_a_person_picks_a_suggestion_narrows_by_two_facets_and_opens_a_result(page, library, axe):
    page.goto("/search/")
    box = page.get_by_role("combobox", name="Search the hub")
    box.fill("crisis")
    suggestions = page.get_by_role("listbox", name="Search suggestions")
    expect(suggestions).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="suggestions available")).to_have_count(1)
    violations = axe(page)
    assert not violations, violations.report()

    # The keyboard moves through the suggestions; the topic suggestion is picked.
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"-0$"))
    topic = suggestions.get_by_role("option").filter(has_text="Topic").first
    topic_label = topic.locator(".autocomplete__label").inner_text()
    topic.click()
    page.wait_for_url(re.compile(r"/search/\?topic="))
    expect(page.get_by_role("link", name=f"Remove filter: Topic: {topic_label}")).to_be_visible()
    status = page.locator(".library__status")
    before = int(re.search(r"of (\d+) results|^(\d+) result", status.inner_text()).group(1) or 1)

    # Options are listed most results first, and each count says what ticking it gives.
    page.get_by_role("group", name=re.compile("^Resource type")).get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"type="))
    years = page.get_by_role("group", name=re.compile("^Year")).get_by_role(
        "checkbox", name=re.compile(r", [1-9]\d* results?$")
    )
    years.first.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"type=.*year=|year=.*type="))
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    assert 0 < results.count() <= before
    expect(page.get_by_role("link", name=re.compile("^Remove filter: Resource type:"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Remove filter: Year:"))).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    title = results.first.get_by_role("heading").inner_text()
    results.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_a_search_with_a_typo_still_finds_and_says_what_it_searched(page, library, axe):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search the hub").first
    box.fill("sucide prevention")
    box.press("Enter")  # no suggestion highlighted: the form is submitted as typed
    page.wait_for_url(re.compile(r"/search/\?q=sucide"))
    expect(page.get_by_text("Including results for")).to_be_visible()
    expect(page.locator(".search-result").first).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()


def test_an_empty_search_offers_topics_and_a_way_on(page, library, axe):
    page.goto("/search/?q=zzzz+qqqq")
    expect(page.get_by_role("heading", name=re.compile("Nothing found"))).to_be_visible()
    expect(page.get_by_role("heading", name="Browse a topic")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()
