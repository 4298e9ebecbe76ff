"""Suggestions as a person types: titles they may see, then topics."""

import pytest

from .conftest import on_each_backend


@pytest.fixture
def client(client, each_backend):
    # Every test here runs on the database backend and on OpenSearch.
    return on_each_backend(client, each_backend)


pytestmark = pytest.mark.django_db


@pytest.fixture
def resources(make_resource, members_only):
    make_resource("Crisis line staffing guide", topics=["crisis-services"])
    make_resource("Peer crisis respite", topics=["peer-support"])
    members_only(make_resource("Crisis drills for members"))
    make_resource("Crisis draft", live=False)


def suggestions(client, q):
    response = client.get("/search/autocomplete/", {"q": q})
    assert response.status_code == 200
    return response.json()["suggestions"]


def test_titles_starting_with_the_typed_text_come_first(client, resources):
    found = suggestions(client, "cri")
    labels = [s["label"] for s in found if s["kind"] == "Resource"]
    assert labels[0] == "Crisis line staffing guide"
    assert "Peer crisis respite" in labels
    assert all(s["url"].startswith("/") for s in found)


def test_topics_are_suggested_with_a_link_to_search_by_topic(client, resources):
    topics = [s for s in suggestions(client, "cris") if s["kind"] == "Topic"]
    assert topics and topics[0]["url"] == "/search/?topic=crisis-services"


def test_visitors_are_not_offered_drafts_or_members_only_titles(client, resources):
    labels = [s["label"] for s in suggestions(client, "crisis")]
    assert "Crisis drills for members" not in labels
    assert "Crisis draft" not in labels


def test_members_are_offered_members_only_titles(client, resources, make_user):
    client.force_login(make_user("maria", "Members"))
    labels = [s["label"] for s in suggestions(client, "crisis")]
    assert "Crisis drills for members" in labels


def test_one_character_is_too_little_to_suggest_anything(client, resources):
    assert suggestions(client, "c") == []
