"""Fixtures the hub's fault and outage tests share."""

import pytest

from community.factories import JoinPageFactory
from events.factories import EventIndexPageFactory, EventPageFactory
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory


@pytest.fixture
def content(home_page):
    """A live library with one resource, a join page and an events page with one webinar."""
    library = ResourceIndexPageFactory(parent=home_page)
    library.save_revision().publish()
    resource = ResourcePageFactory(parent=library, title="Crisis Services Toolkit")
    resource.save_revision().publish()
    join_page = JoinPageFactory(parent=home_page)
    join_page.save_revision().publish()
    events = EventIndexPageFactory(parent=home_page)
    events.save_revision().publish()
    webinar = EventPageFactory(parent=events, title="Launch webinar")
    webinar.save_revision().publish()
    webinar.refresh_from_db()
    return {"library": library, "resource": resource, "join": join_page, "webinar": webinar}


# What a person types into the join form (the honeypot "website" left empty).
JOIN_FORM = {
    "name": "Jordan Rivera",
    "email": "jordan@example.org",
    "organisation": "Lakeside CMHC",
    "organisation_type": "cmhc",
    "role": "Clinical director",
    "region": "New Mexico",
    "consent": "on",
    "website": "",
}
