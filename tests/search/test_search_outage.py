"""A search during an Elasticsearch outage answers from the database, with a notice.

The hub's Elasticsearch backend points at a closed local port (connection
refused, as in a real outage); the database backend is configured beside it
as the fallback, as the settings do when ELASTICSEARCH_URL is set."""

import pytest

from tests.search.outage import OUTAGE

pytestmark = pytest.mark.django_db


def test_search_answers_from_the_database_with_a_notice_when_elasticsearch_is_down(
    client, make_resource, members_only
):
    with OUTAGE:
        make_resource("Mobile crisis teams guide", topics=["crisis-services"])
        members_only(make_resource("Crisis staffing survey for members"))
        response = client.get("/search/", {"q": "crisis"})
        assert response.status_code == 200
        outcome = response.context["outcome"]
        assert outcome.fallback
        assert [r.title for r in outcome.results] == ["Mobile crisis teams guide"]
        assert "Our main search service is not answering right now" in response.content.decode()

        data = client.get("/search/", {"q": "crisis", "format": "json"}).json()
        assert [r["title"] for r in data["results"]] == ["Mobile crisis teams guide"]
        assert any("not answering right now" in notice for notice in data["notices"])
