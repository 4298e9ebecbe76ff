"""Bad input is answered with a 400 (or a clean 404) and a plain message, never a 500.

The explicit cases are the ones an outside audit found; the property-based tests
send generated values to every public GET parameter the hub reads, on every
public URL that reads them (the ENDPOINTS table: add new ones there).
"""

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.factories import JoinPageFactory
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
            publish(JoinPageFactory(parent=home))
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
    ("/resources/%FF/", {400, 404}),
    ("/api/v2/pages/find/?id=abc", {400}),
    ("/api/v2/images/find/?id=99999999999999999999", {400}),
    ("/api/v2/pages/99999999999999999999/", {404}),
    ("/r/99999999999999999999/", {404}),
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


@pytest.mark.django_db
def test_a_form_sent_with_a_nul_character_is_refused_with_a_message(client, content):
    response = client.post("/account/sign-in/", {"username": "ada\x00", "password": "pw"})
    assert response.status_code == 400
    assert "The form contained characters the hub cannot read" in response.content.decode()


def test_the_refusal_page_says_what_went_wrong_in_plain_words(client, db):
    response = client.get(f"/resources/?topic=crisis{NUL}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<h1>The hub cannot read this request</h1>" in body
    assert "Check the link" in body


# --- every public GET parameter, generated values -----------------------------------

# Filters of the library and of the site search; the events listing's; paging.
LIBRARY = ["topic", "type", "population", "evidence", "year", "language", "page"]
SEARCH = ["q", "page", "sort", "exact", "content", "topic", "type", "population", "evidence", "year"]
EVENTS = ["format", "topic", "audience", "page"]
API = ["search", "search_operator", "fields", "order", "limit", "offset", "id", "title"]
API_PAGES = API + ["type", "child_of", "descendant_of", "ancestor_of", "translation_of", "locale", "slug"]
API_PAGES += ["topic", "evidence", "show_in_menus"]
# ``ref`` (partner referrals) is read by a middleware on every public page.
REF = ["ref"]


@dataclass(frozen=True)
class Endpoint:
    path: str
    params: list
    fixed: dict = field(default_factory=dict)  # sent every time, before the generated ones
    example: dict = field(default_factory=dict)  # good values, to show the path is served

    def __str__(self):
        return f"{self.path}?{urlencode(self.fixed)}" if self.fixed else self.path


# Every public URL and the GET parameters it reads, as anonymous visitors reach
# them (the pages are those the ``content`` fixture builds). New ones go here.
ENDPOINTS = [
    Endpoint("/", REF),
    Endpoint("/resources/", LIBRARY + REF),
    Endpoint("/resources/mobile-crisis-teams-guide/", REF),
    Endpoint("/events/", EVENTS + REF),
    Endpoint("/events/past/", EVENTS),
    Endpoint("/events/schedule/", EVENTS),
    Endpoint("/events/feed.ics", REF),
    Endpoint("/events/crisis-webinar/calendar.ics", REF),
    Endpoint("/search/", SEARCH),
    Endpoint("/search/", SEARCH, {"format": "json"}),
    Endpoint("/search/autocomplete/", ["q"]),
    Endpoint("/feeds/resources/", ["topic"]),
    Endpoint("/feeds/resources/atom/", ["topic"]),
    Endpoint("/feeds/events/", ["topic"]),
    Endpoint("/embed/resources/", ["topic", "limit"]),
    Endpoint("/embed/events/", ["topic", "limit"]),
    Endpoint("/api/v2/pages/", API_PAGES),
    Endpoint(
        "/api/v2/pages/",
        ["start", "end", "cancelled", "event_format", "offset"],
        {"type": "events.EventPage"},
    ),
    Endpoint(
        "/api/v2/pages/",
        ["last_reviewed", "publication_year", "language", "publisher", "topic", "evidence"],
        {"type": "knowledge.ResourcePage"},
    ),
    Endpoint("/api/v2/pages/find/", ["html_path", "id"], example={"html_path": "/resources/"}),
    Endpoint("/api/v2/images/", API),
    Endpoint("/api/v2/images/find/", ["id"]),
    Endpoint("/api/v2/documents/", API),
    Endpoint("/api/v2/documents/find/", ["id"]),
    Endpoint("/communities/", ["topic", "relationship"] + REF),
    Endpoint("/communities/crisis-now/", REF),
    Endpoint("/join/", ["sent"] + REF),
    Endpoint("/account/sign-in/", ["next"]),
    Endpoint("/sitemap.xml", ["p"]),
]


def percent_encoded(text):
    # surrogatepass: a lone surrogate becomes the (invalid) UTF-8 bytes a client could send.
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# Raw, already percent-encoded values: broken escapes, invalid UTF-8, NUL, and
# values that look nearly right (dates that are not, numbers past bigint).
RAW = [
    "%", "%%", "%zz", "%FF", "%ED%A0%80", "%C0%AF", "%00", "a%00b", "+", "", "root", "-1", "0", "1e3",
    "2026-13-45", "2026-02-30T25:61", "2026-05-01", "2026-05-01T14:00:00%2B99:00", "and", "or", "xor",
    "random", "title,-title", "-", "*", "..", "%2F%2E%2E%2F", "/resources/", "9" * 30, str(2**63),
    str(-(2**63) - 1), "crisis-services", "strong", "events.EventPage", "wagtailcore.Page", "_",
]  # fmt: skip
# What PostgreSQL or UTF-8 refuse, in ordinary text: often enough in every run.
HOSTILE = st.sampled_from(["\x00", "\ud800", "\udfff", "\uffff", "\u202e", "%"])
VALUE = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30).map(percent_encoded),
    st.tuples(st.text(max_size=8), HOSTILE, st.text(max_size=8)).map("".join).map(percent_encoded),
    st.integers().map(str),
    st.integers(min_value=2**63 - 2, max_value=2**80).map(lambda n: str(n * (-1) ** n)),
    st.sampled_from(RAW),
    st.integers(min_value=300, max_value=3000).map(lambda n: "%C3%A9" * n),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@FUZZ
@given(data=st.data())
def test_no_public_get_parameter_gives_a_server_error(client, content, endpoint, data):
    chosen = data.draw(st.dictionaries(st.sampled_from(endpoint.params), VALUE, min_size=1, max_size=4))
    pairs = [f"{quote(k)}={quote(v)}" for k, v in endpoint.fixed.items()]
    pairs += [f"{name}={value}" for name, value in chosen.items()]
    response = client.get(f"{endpoint.path}?{'&'.join(pairs)}")
    assert response.status_code < 500


# The worst of the values above, sent to every parameter in turn, every run.
WORST = ["%00", "a%00b", "%ED%A0%80", "%FF", "9" * 25, str(2**63), str(-(2**63) - 1), "2026-13-45", "xor"]
WORST.append("%C3%A9" * 2000)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_the_worst_values_in_every_public_get_parameter_give_no_server_error(client, content, endpoint):
    fixed = [f"{quote(k)}={quote(v)}" for k, v in endpoint.fixed.items()]
    for name in endpoint.params:
        for value in WORST:
            response = client.get(f"{endpoint.path}?{'&'.join([*fixed, f'{name}={value}'])}")
            assert response.status_code < 500, (name, value)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_endpoint_in_the_table_is_served_with_good_values(client, content, endpoint):
    # Guards the table: a path that moved would make the generated test prove nothing.
    response = client.get(endpoint.path, {**endpoint.fixed, **endpoint.example})
    if endpoint.path.endswith("/find/") and not endpoint.example:
        # Nothing to find (the module has no images or documents): the API's own 404.
        assert response.status_code == 404 and response.json() == {"message": "not found"}
    else:
        assert response.status_code in (200, 301, 302), endpoint


# --- editors, signed in to the Wagtail admin --------------------------------------

# Editors' bad filters and ids: (address, status). 200 where the list shows the
# filter's own notice or simply nothing matches (snippets, page listings).
ADMIN_CASES = [
    ("/admin/events/eventregistration/?event=abc", 400),
    ("/admin/events/eventregistration/?event__id__exact=abc", 400),
    ("/admin/events/eventregistration/?event__id__exact=99999999999999999999", 200),
    ("/admin/events/eventregistration/?attended__exact=abc", 400),
    ("/admin/events/eventregistration/?created_at__gte=not-a-date", 400),
    ("/admin/events/eventregistration/?status=abc&o=abc", 200),
    ("/admin/events/eventregistration/?p=abc", 200),
    ("/admin/events/eventregistration/?nosuchfield=1", 400),
    ("/admin/events/eventregistration/?export=csv&event=abc", 400),
    (f"/admin/events/eventregistration/?status={NUL}", 400),
    (f"/admin/events/eventregistration/?q=ana{NUL}", 400),
    ("/admin/events/eventregistration/inspect/abc/", 404),
    ("/admin/events/eventregistration/inspect/99999999999999999999/", 404),
    ("/admin/events/eventregistration/edit/abc/", 404),
    ("/admin/community/membershipapplication/?status=abc", 200),
    ("/admin/community/membershipapplication/?status__exact=abc", 200),
    (f"/admin/community/membershipapplication/?status__exact={NUL}", 400),
    ("/admin/community/membershipapplication/?submitted_at__gte=abc", 400),
    ("/admin/community/membershipapplication/inspect/abc/", 404),
    ("/admin/community/membershipapplication/approve/abc/", 404),
    ("/admin/community/workinggroupmembership/?working_group=abc", 400),
    ("/admin/community/workinggroupmembership/?working_group__id__exact=abc", 400),
    ("/admin/community/workinggroupmembership/inspect/abc/", 404),
    ("/admin/community/referralcount/?partner__id__exact=abc", 400),
    ("/admin/community/referralcount/?day__gte=abc", 400),
    ("/admin/community/referralcount/inspect/abc/", 404),
    ("/admin/community/linkcheck/?is_broken__exact=abc", 400),
    ("/admin/community/partnerfeedresult/?succeeded__exact=abc", 400),
    ("/admin/snippets/search/popularsearch/?choice=abc", 200),
    (f"/admin/snippets/search/popularsearch/?choice={NUL}", 400),
    ("/admin/snippets/search/popularsearch/?p=abc", 200),
    ("/admin/snippets/search/popularsearch/?ordering=abc", 200),
    ("/admin/snippets/hub/topic/?p=99999999999999999999", 200),
    ("/admin/snippets/hub/topic/edit/abc/", 404),
    ("/admin/resources/?topics=abc&resource_type=abc&review_status=abc", 200),
    ("/admin/resources/?topics=99999999999999999999", 200),
    ("/admin/events/?when=abc&event_format=abc&access=abc", 200),
    # Steering reports and search reports fall back to their defaults with a notice.
    ("/admin/steering/?period=custom&start=2026-13-45&end=abc", 200),
    ("/admin/steering/?period=custom&start=0001-01-01&end=9999-12-31", 200),
    ("/admin/steering/gap-analysis/compare/?older=abc&newer=99999999999999999999", 200),
    ("/admin/steering/gap-analysis/snapshots/99999999999999999999.csv", 404),
    ("/admin/reports/searches-with-no-results/?days=abc", 200),
    ("/admin/reports/frequent-searches/results/?days=99999999999999999999", 200),
    ("/admin/pages/abc/", 404),
    ("/admin/pages/99999999999999999999/edit/", 404),
]


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user("ada", is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status"), ADMIN_CASES)
def test_bad_admin_list_filters_and_ids_get_a_client_error_with_a_message(
    superuser_client, content, url, status
):
    response = superuser_client.get(url)
    assert response.status_code == status, response.content[:300]
    if status == 400:
        body = response.content.decode()
        assert "could not be filtered" in body or "cannot read" in body


@pytest.mark.django_db
def test_an_editor_sees_a_bad_registration_filter_explained_with_a_way_back(client, content, make_user):
    client.force_login(make_user("eden", "Editors"))
    response = client.get("/admin/events/eventregistration/", {"event": "abc"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The list could not be filtered" in body
    assert 'href="/admin/events/eventregistration/"' in body
