"""Bad input is answered with a 400 (or a clean 404) and a plain message, never a 500.

The explicit cases are the ones an outside audit found; the property-based tests
send generated values to every public GET parameter the hub reads, on every
public URL that reads them (the ENDPOINTS table: add new ones there).
"""

import pytest

from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory
from events.factories import EventIndexPageFactory, EventPageFactory
from hub.models import EvidenceLevel, Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

NUL = "%00"


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture(scope="module")
def content(django_db_setup, django_db_blocker):
    """One of each public page the endpoints need, built once for the module and
    rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            from wagtail.models import Site

            home = Site.objects.get(is_default_site=True).root_page
            crisis = Topic.objects.get(slug="crisis-services")
            library = publish(ResourceIndexPageFactory(parent=home))
            resource = publish(
                ResourcePageFactory(
                    parent=library,
                    title="Mobile crisis teams guide",
                    topics=[crisis],
                    evidence_level=EvidenceLevel.objects.get(slug="strong"),
                )
            )
            events = publish(EventIndexPageFactory(parent=home))
            event = publish(EventPageFactory(parent=events, title="Crisis webinar", topics=[crisis]))
            directory = publish(CommunityIndexPageFactory(parent=home))
            partner = publish(
                PartnerCommunityPageFactory(parent=directory, title="Crisis Now", topics=[crisis])
            )
            yield {"resource": resource, "event": event, "partner": partner}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# The audit's findings, anonymous: (address, statuses allowed).
AUDIT_CASES = [
    (f"/embed/resources/?topic=crisis{NUL}", {400}),
    (f"/embed/events/?topic=crisis{NUL}", {400}),
    (f"/feeds/resources/?topic=crisis{NUL}", {400}),
    (f"/feeds/resources/atom/?topic=crisis{NUL}", {400}),
    (f"/feeds/events/?topic=crisis{NUL}", {400}),
    (f"/api/v2/pages/?topic=crisis{NUL}", {400}),
    (f"/api/v2/pages/?evidence=strong{NUL}", {400}),
    (f"/api/v2/pages/?search=crisis{NUL}", {400}),
    (f"/api/v2/pages/find/?html_path=/resources/{NUL}/", {400}),
    (f"/api/v2/documents/?search=a{NUL}", {400}),
    (f"/api/v2/images/?search=a{NUL}", {400}),
    ("/api/v2/pages/?offset=99999999999999999999", {400}),
    ("/api/v2/pages/?limit=99999999999999999999", {400}),
    ("/api/v2/images/?offset=99999999999999999999", {400}),
    ("/api/v2/documents/?offset=99999999999999999999", {400}),
    ("/api/v2/pages/?id=99999999999999999999", {400}),
    ("/api/v2/pages/?child_of=99999999999999999999", {400}),
    ("/api/v2/pages/?type=events.EventPage&start=not-a-date", {400}),
    ("/api/v2/pages/?type=events.EventPage&start=2026-13-45T25:00", {400}),
    ("/api/v2/pages/?type=knowledge.ResourcePage&last_reviewed=2026-13-45", {400}),
    ("/api/v2/pages/?type=knowledge.ResourcePage&publication_year=99999999999999999999", {400}),
    ("/api/v2/pages/?search=crisis&search_operator=xor", {400}),
    (f"/resources/crisis{NUL}/", {400, 404}),
    ("/search/?q=caf%ED%A0%80", {400}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "statuses"), AUDIT_CASES)
def test_the_audits_bad_input_gets_a_client_error_with_a_message(client, content, url, statuses):
    response = client.get(url)
    assert response.status_code in statuses, response.content[:300]
    body = response.content.decode()
    if url.startswith("/api/"):
        assert response.json()["message"]
    else:
        assert "address" in body.lower() or "not found" in body.lower()
