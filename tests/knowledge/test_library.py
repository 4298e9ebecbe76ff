"""The library page: newest first, facets that combine with counts, in the URL,
and only what the reader may see."""

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_resource):
    return {
        "crisis_report": make_resource(
            "Crisis report", topics=["crisis-services", "health-equity"], type="report", year=2024
        ),
        "crisis_toolkit": make_resource(
            "Crisis toolkit", topics=["crisis-services"], type="toolkit", year=2021, populations=["youth"]
        ),
        "equity_report": make_resource(
            "Equity report", topics=["health-equity"], type="report", year=2023, evidence="strong"
        ),
        "peer_guide": make_resource(
            "Peer guide", topics=["peer-support"], type="guide", year=2020, language="es"
        ),
    }


def titles(response):
    return [r.title for r in response.context["library"].results]


def counts(response, param):
    facet = next(f for f in response.context["library"].facets() if f["param"] == param)
    return {o["value"]: o["count"] for o in facet["options"]}


def test_library_lists_newest_first(client, library, shelf):
    response = client.get(library.url)
    assert titles(response) == ["Crisis report", "Equity report", "Crisis toolkit", "Peer guide"]


def test_filters_combine_and_across_facets_or_within_one(client, library, shelf):
    either_topic = client.get(library.url, {"topic": ["crisis-services", "peer-support"]})
    assert sorted(titles(either_topic)) == ["Crisis report", "Crisis toolkit", "Peer guide"]
    topic_and_type = client.get(library.url, {"topic": "crisis-services", "type": "report"})
    assert titles(topic_and_type) == ["Crisis report"]


def test_each_option_counts_what_ticking_it_would_give(client, library, shelf):
    response = client.get(library.url, {"topic": "crisis-services"})
    # Types are counted within the chosen topic...
    assert counts(response, "type") == {"report": 1, "toolkit": 1}
    # ...while the topic facet ignores its own choice, so other topics stay reachable.
    assert counts(response, "topic")["peer-support"] == 1
    assert counts(response, "topic")["crisis-services"] == 2
    assert counts(response, "year") == {"2024": 1, "2021": 1}


def test_filter_state_lives_in_the_url_and_renders_without_javascript(client, library, shelf):
    response = client.get(library.url, {"topic": "health-equity", "evidence": "strong"})
    soup = BeautifulSoup(response.content, "html.parser")
    forms = [
        f
        for f in soup.find_all("form", attrs={"method": "get"})
        if f.find("input", attrs={"type": "checkbox"})
    ]
    assert len(forms) == 1
    form = forms[0]
    assert form.find(["button", "input"], attrs={"type": "submit"}) is not None
    checked = {
        (box["name"], box["value"])
        for box in form.find_all("input", attrs={"type": "checkbox", "checked": True})
    }
    assert checked == {("topic", "health-equity"), ("evidence", "strong")}
    assert titles(response) == ["Equity report"]


def test_each_active_filter_can_be_removed_on_its_own(client, library, shelf):
    response = client.get(library.url, {"topic": ["health-equity", "crisis-services"], "type": "report"})
    removals = {
        (f["facet"], f["label"]): f["remove_url"] for f in response.context["library"].active_filters()
    }
    remove_type = removals[("Resource type", "Report")]
    assert (
        "type=" not in remove_type
        and "topic=health-equity" in remove_type
        and "topic=crisis-services" in remove_type
    )
    after = client.get(library.url + remove_type)
    assert sorted(titles(after)) == ["Crisis report", "Crisis toolkit", "Equity report"]


def test_unknown_filter_values_are_left_out_with_a_message(client, library, shelf):
    response = client.get(library.url, {"topic": "no-such-topic", "year": "abc", "language": "xx"})
    assert response.status_code == 200
    assert len(titles(response)) == 4
    html = response.content.decode()
    assert "There is no topic called “no-such-topic”" in html


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("0", 1), ("99999", 2), ("2", 2)])
def test_bad_page_numbers_land_on_a_real_page(client, library, make_resource, page, expected):
    for n in range(21):
        make_resource(f"Bulk {n}")
    response = client.get(library.url, {"page": page})
    assert response.status_code == 200
    assert response.context["library"].page_number == expected


def test_twenty_resources_a_page(client, library, make_resource):
    for n in range(23):
        make_resource(f"Bulk {n}", year=2000 + n)
    first = client.get(library.url)
    second = client.get(library.url, {"page": 2})
    assert len(titles(first)) == 20 and len(titles(second)) == 3
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert titles(first)[0] == "Bulk 22"


def test_drafts_never_appear(client, library, shelf):
    shelf["peer_guide"].unpublish()
    response = client.get(library.url)
    assert "Peer guide" not in titles(response)
    assert "peer-support" not in counts(response, "topic")


def test_members_only_resources_are_hidden_from_anonymous_visitors_and_their_counts(
    client, library, shelf, members_only
):
    members_only(shelf["peer_guide"])
    response = client.get(library.url)
    assert "Peer guide" not in titles(response)
    assert "peer-support" not in counts(response, "topic")
    assert response.context["library"].total == 3


def test_members_see_members_only_resources_marked(client, library, shelf, members_only, make_user):
    members_only(shelf["peer_guide"])
    client.force_login(make_user("morgan", "Members"))
    response = client.get(library.url)
    assert "Peer guide" in titles(response)
    assert counts(response, "topic")["peer-support"] == 1
    assert "Members only" in response.content.decode()


def test_signed_in_people_outside_the_groups_do_not_see_them(client, library, shelf, members_only, make_user):
    members_only(shelf["peer_guide"])
    client.force_login(make_user("eden", "Editors"))
    listed = titles(client.get(library.url))
    assert "Peer guide" not in listed
    assert "Crisis report" in listed


def test_publishing_a_resource_shows_it_in_the_listing_at_once(client, library, shelf, make_resource):
    client.get(library.url)
    new = make_resource("Brand new", year=2025)
    new.save_revision().publish()
    assert titles(client.get(library.url))[0] == "Brand new"


@pytest.mark.parametrize("year", ["²", "①", "9" * 5000, "02020", "-1"])
def test_odd_year_values_are_left_out_with_a_message(client, library, shelf, year):
    response = client.get(library.url, {"year": year})
    assert response.status_code == 200
    assert len(titles(response)) == 4
    assert "There is no year called" in response.content.decode()


def test_narrowing_a_restrictions_groups_hides_the_page_from_people_who_lost_access(
    client, library, shelf, members_only, make_user
):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    members_only(shelf["peer_guide"])
    client.force_login(make_user("morgan", "Members"))
    assert "Peer guide" in titles(client.get(library.url))
    restriction = PageViewRestriction.objects.get(page=shelf["peer_guide"])
    restriction.groups.set(Group.objects.filter(name="Partners"))
    listed = titles(client.get(library.url))
    assert "Peer guide" not in listed
    assert "Crisis report" in listed
