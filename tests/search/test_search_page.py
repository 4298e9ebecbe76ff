"""The search page and its JSON: what people find, how they narrow it, and
that nobody finds what they may not see."""

import pytest
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

from home.factories import StandardPageFactory
from hub.models import EvidenceLevel, Topic
from search.models import SearchDailyStat

from .conftest import on_each_backend


@pytest.fixture
def client(client, each_backend):
    # Every test here runs on the database backend and on OpenSearch.
    return on_each_backend(client, each_backend)


pytestmark = pytest.mark.django_db


def titles(response):
    return [r.title for r in response.context["outcome"].results]


def test_anonymous_visitors_find_only_live_public_pages(client, resources):
    found = titles(client.get("/search/", {"q": "crisis"}))
    assert set(found) == {"Mobile crisis teams guide", "Peer crisis respite report"}


def test_members_find_members_only_resources_marked(client, resources, make_user):
    client.force_login(make_user("maria", "Members"))
    response = client.get("/search/", {"q": "crisis"})
    results = {r.title: r for r in response.context["outcome"].results}
    assert results["Crisis staffing survey for members"].members_only
    assert not results["Mobile crisis teams guide"].members_only
    assert "Members only" in response.content.decode()
    assert "Crisis draft notes" not in results


def test_facet_counts_leave_out_what_the_visitor_may_not_see(client, resources):
    facets = client.get("/search/", {"q": "crisis", "format": "json"}).json()["facets"]
    counts = {o["value"]: o["count"] for o in facets["type"]}
    assert counts == {"toolkit": 1, "report": 1}
    assert {o["value"]: o["count"] for o in facets["topic"]}["crisis-services"] == 2


def test_facets_combine_and_count_each_option_given_the_others(client, resources):
    data = client.get(
        "/search/", {"q": "crisis", "topic": "peer-support", "type": "report", "format": "json"}
    ).json()
    assert [r["title"] for r in data["results"]] == ["Peer crisis respite report"]
    # Ticking "toolkit" too would add nothing under the peer support topic...
    assert {o["value"]: o["count"] for o in data["facets"]["type"]} == {"report": 1}
    # ...while the topic counts follow the chosen type only.
    topics = {o["value"]: (o["count"], o["selected"]) for o in data["facets"]["topic"]}
    assert topics["crisis-services"] == (1, False)
    assert topics["peer-support"] == (1, True)


def test_a_content_type_facet_separates_resources_from_other_pages(client, resources, home_page):
    StandardPageFactory(parent=home_page, title="About crisis work in the CoP", slug="about-crisis")
    data = client.get("/search/", {"q": "crisis", "format": "json"}).json()
    assert {o["value"]: o["count"] for o in data["facets"]["content"]} == {"resource": 2, "page": 1}
    only_pages = client.get("/search/", {"q": "crisis", "content": "page", "format": "json"}).json()
    assert [r["type"] for r in only_pages["results"]] == ["Page"]


def test_json_results_carry_what_partner_sites_need(client, resources):
    response = client.get("/search/", {"q": "mobile crisis teams", "format": "json"})
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["query"] == "mobile crisis teams"
    assert data["total"] == 2 and data["page"] == 1
    first = data["results"][0]
    assert first["title"] == "Mobile crisis teams guide"
    assert first["url"].startswith("http://testserver/") and first["url"].endswith(
        "/mobile-crisis-teams-guide/"
    )
    assert first["type"] == "Resource"
    assert first["topics"] == [Topic.objects.get(slug="crisis-services").name]
    assert first["evidence_level"] == EvidenceLevel.objects.get(slug="strong").name
    assert first["date"] == "2023"
    assert first["summary"].startswith("How counties staff")


def test_relevance_puts_the_page_holding_every_word_first(client, resources):
    assert titles(client.get("/search/", {"q": "mobile crisis teams"}))[0] == "Mobile crisis teams guide"


def test_newest_first_sorts_by_date(client, resources):
    found = titles(client.get("/search/", {"q": "crisis", "sort": "newest"}))
    assert found == ["Mobile crisis teams guide", "Peer crisis respite report"]


def test_an_empty_query_browses_everything_with_facets(client, resources):
    data = client.get("/search/", {"format": "json", "topic": "peer-support"}).json()
    assert [r["title"] for r in data["results"]] == ["Peer crisis respite report"]


def test_restricting_a_section_later_hides_its_pages_from_search(client, resources, library):
    PageViewRestriction.objects.create(page=library, restriction_type=PageViewRestriction.LOGIN)
    assert titles(client.get("/search/", {"q": "crisis"})) == []


def test_promoted_results_come_first_and_are_marked(client, resources):
    query = Query.get("respite")
    SearchPromotion.objects.create(query=query, page=resources["crisis"], description="Start here.")
    response = client.get("/search/", {"q": "respite"})
    outcome = response.context["outcome"]
    assert [r.title for r in outcome.promoted] == ["Mobile crisis teams guide"]
    assert outcome.promoted[0].summary == "Start here."
    assert "Recommended" in response.content.decode()
    data = client.get("/search/", {"q": "respite", "format": "json"}).json()
    assert data["results"][0]["promoted"] is True


def test_a_promotion_added_after_a_search_shows_on_the_next(client, resources):
    assert client.get("/search/", {"q": "respite"}).context["outcome"].promoted == []
    promotion = SearchPromotion.objects.create(query=Query.get("respite"), page=resources["crisis"])
    promoted = client.get("/search/", {"q": "respite"}).context["outcome"].promoted
    assert [r.title for r in promoted] == ["Mobile crisis teams guide"]
    promotion.delete()
    assert client.get("/search/", {"q": "respite"}).context["outcome"].promoted == []


def test_a_promoted_members_only_page_is_not_shown_to_visitors(client, resources):
    SearchPromotion.objects.create(query=Query.get("respite"), page=resources["hidden"])
    assert client.get("/search/", {"q": "respite"}).context["outcome"].promoted == []


def test_every_search_is_counted_with_whether_it_found_anything(client, resources):
    client.get("/search/", {"q": "Crisis"})
    client.get("/search/", {"q": "crisis "})
    client.get("/search/", {"q": "zebra migration"})
    found = SearchDailyStat.objects.get(query="crisis")
    # Two public results: found, but only a little (thin coverage).
    assert (found.searches, found.searches_without_results, found.searches_with_few_results) == (2, 0, 2)
    missed = SearchDailyStat.objects.get(query="zebra migration")
    assert (missed.searches, missed.searches_without_results, missed.searches_with_few_results) == (1, 1, 0)
    assert Query.get("crisis").hits == 2


def test_a_search_with_plenty_of_results_is_not_counted_as_thin(client, make_resource):
    for n in range(SearchDailyStat.FEW_RESULTS + 1):
        make_resource(f"Telehealth guide {n}", topics=["telehealth"])
    client.get("/search/", {"q": "telehealth"})
    stat = SearchDailyStat.objects.get(query="telehealth")
    assert (stat.searches, stat.searches_without_results, stat.searches_with_few_results) == (1, 0, 0)


def test_an_empty_result_suggests_topics_and_popular_searches(client, resources):
    for _ in range(3):
        client.get("/search/", {"q": "mobile crisis"})
    response = client.get("/search/", {"q": "zebra migration"})
    html = response.content.decode()
    assert "Nothing found for “zebra migration”" in html
    assert 'href="/search/?topic=crisis-services"' in html
    assert 'href="/search/?q=mobile%20crisis"' in html


def test_unknown_facet_values_are_left_out_with_a_message(client, resources):
    response = client.get("/search/", {"q": "crisis", "topic": "no-such-topic"})
    assert response.status_code == 200
    assert "There is no topic called “no-such-topic”" in response.content.decode()
    assert len(titles(response)) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 5000}, "shortened to its first 200 characters"),
        ({"q": "crisis", "page": "abc"}, "is not a page number"),
        ({"q": "crisis", "page": "99999"}, "so the last one is shown"),
        ({"q": "crisis", "sort": "cheapest"}, "sorted by best match or newest"),
    ],
)
def test_odd_input_gets_a_clear_message_not_an_error(client, resources, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "query", ['crisis" AND (teams* \\', "crisis\x07teams", "(((", '"', "*", "\\", "AND OR NOT"]
)
def test_search_syntax_and_control_characters_are_read_as_plain_words(client, resources, query):
    response = client.get("/search/", {"q": query, "format": "json"})
    assert response.status_code == 200
    if "crisis" in query:
        assert "Mobile crisis teams guide" in [r["title"] for r in response.json()["results"]]


def test_results_are_paged_with_links_that_keep_the_query_and_filters(client, make_resource):
    for n in range(12):
        make_resource(f"Peer support note {n}", topics=["peer-support"])
    html = client.get("/search/", {"q": "peer", "topic": "peer-support"}).content.decode()
    assert 'href="?q=peer&amp;sort=relevance&amp;page=2&amp;topic=peer-support"' in html
    second = client.get("/search/", {"q": "peer", "topic": "peer-support", "page": 2})
    assert len(titles(second)) == 2
    assert "page 2 of 2" in second.content.decode()


def test_hyphenated_and_joined_words_find_each_other(client, make_resource):
    make_resource("Tele-health for rural clinics", summary="Video visits.")
    make_resource("Evidence-based practices primer", summary="What counts.")
    assert titles(client.get("/search/", {"q": "telehealth"})) == ["Tele-health for rural clinics"]
    assert "Evidence-based practices primer" in titles(client.get("/search/", {"q": "evidence based"}))


def test_a_misspelt_word_is_corrected_from_the_hubs_own_words(client, make_resource):
    make_resource("Suicide prevention in primary care", summary="Screening and safety planning.")
    response = client.get("/search/", {"q": "sucide prevention"})
    assert titles(response) == ["Suicide prevention in primary care"]
    assert response.context["outcome"].corrected == "suicide prevention"
    exact = client.get("/search/", {"q": "sucide", "exact": "1"})
    assert titles(exact) == []


def test_every_misspelt_word_of_a_query_is_corrected(client, make_resource):
    make_resource("Suicide prevention in primary care", summary="Screening and safety planning.")
    response = client.get("/search/", {"q": "sucide screning qqqqzzzz"})
    assert titles(response) == ["Suicide prevention in primary care"]
    # A word nothing resembles stays as typed.
    assert response.context["outcome"].corrected == "suicide screening qqqqzzzz"


def test_editors_may_pin_results_and_edit_synonyms(make_user):
    editor = make_user("edna", "Editors")
    for permission in (
        "wagtailsearchpromotions.add_searchpromotion",
        "wagtailsearchpromotions.change_searchpromotion",
        "search.add_synonym",
        "search.change_synonym",
        "search.delete_synonym",
    ):
        assert editor.has_perm(permission), permission
    assert not make_user("maria", "Members").has_perm("search.change_synonym")
