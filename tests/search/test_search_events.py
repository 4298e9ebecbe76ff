"""Events in search: found beside resources, shown with their date, and closed
meetings never shown to people outside them."""

import pytest

from .conftest import on_each_backend


@pytest.fixture
def client(client, each_backend):
    # Every test here runs on the database backend and on OpenSearch.
    return on_each_backend(client, each_backend)


pytestmark = pytest.mark.django_db


def test_search_finds_open_events_with_their_date_but_not_closed_meetings(client, home_page):
    from events.factories import EventIndexPageFactory, EventPageFactory

    index = EventIndexPageFactory(parent=home_page)
    open_event = EventPageFactory(parent=index, title="Peer workforce webinar", access="open")
    EventPageFactory(parent=index, title="Peer workforce partner meeting", access="partners")
    data = client.get("/search/", {"q": "peer workforce", "format": "json"}).json()
    assert [r["title"] for r in data["results"]] == ["Peer workforce webinar"]
    result = data["results"][0]
    assert result["type"] == "Event"
    assert result["date"][:10] == open_event.local_start.date().isoformat()
    html = client.get("/search/", {"q": "peer workforce"}).content.decode()
    assert "Date: " + open_event.when_label in html
    assert {o["value"] for o in data["facets"]["content"]} == {"event"}
