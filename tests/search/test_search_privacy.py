"""Search never shows a page to someone who may not see it: not a members-only
or group-only resource, a closed meeting, a password-protected, scheduled,
expired or draft page. Not in the results (the page and its JSON), not in the
total, not in any facet count, not in autocomplete, not in the popular
searches shown when a search finds nothing. (Typo corrections are covered by
test_corrections_privacy.py.) A person who is allowed - a member, a member of
the group, a visitor who entered the password - sees exactly what they may,
and a page that is unpublished or whose privacy is tightened after it was
indexed is gone from search at once.

Every page holds the shared word "lantern" and the shared facet values
(topic crisis-services, population youth, evidence moderate); each hidden
page also holds a rare word of its own (its title's first word) and facet
values no visible page has, so a leak shows as a title, a total or a count.

Asserted on the HTTP answers, on the database backend and on OpenSearch.
"""

import datetime
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageViewRestriction

from events.factories import EventIndexPageFactory, EventPageFactory
from hub.models import Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory
from search.models import SearchDailyStat

from .conftest import on_each_backend
from .test_popular_searches_privacy import popular_shown


@pytest.fixture
def client(client, each_backend):
    # Every test here runs on the database backend and on OpenSearch.
    return on_each_backend(client, each_backend)


pytestmark = pytest.mark.django_db

SHARED_WORD = "lantern"
PASSWORD = "letmein"


@dataclass(frozen=True)
class Item:
    """A page as search should count it."""

    title: str
    topics: tuple = ("crisis-services",)
    populations: tuple = ("youth",)
    type: str | None = None
    evidence: str | None = "moderate"
    year: int | None = None
    content: str = "resource"

    @property
    def word(self):
        return self.title.split()[0].lower()

    def facet_values(self):
        """{facet param: values}, as the search page's facets read them."""
        values = {
            "content": {self.content},
            "topic": set(self.topics),
            "population": set(self.populations),
            "type": {self.type} - {None},
            "evidence": {self.evidence} - {None},
            "year": {str(self.year)} - {"None"},
        }
        return {param: found for param, found in values.items() if found}


VISIBLE = (
    Item("Lantern crisis teams guide", type="toolkit", evidence="strong", year=2023),
    Item(
        "Lantern peer respite report",
        topics=("crisis-services", "peer-support"),
        populations=("youth", "families"),
        type="report",
        year=2020,
    ),
)
HIDDEN = {
    "members_only": Item(
        "Wolverine lantern survey",
        topics=("crisis-services", "housing"),
        populations=("youth", "veterans"),
        type="guide",
        year=2011,
    ),
    "group_only": Item(
        "Ocelot lantern staffing plan",
        topics=("crisis-services", "telehealth"),
        populations=("youth", "older-adults"),
        type="issue-brief",
        year=2012,
    ),
    "closed_meeting": Item(
        "Flamingo lantern partner meeting",
        topics=("crisis-services", "justice-involvement"),
        populations=(),
        evidence=None,
        content="event",
    ),  # its year is its start's
    "password": Item(
        "Pelicans lantern roster",
        topics=("crisis-services", "ccbhc"),
        populations=("youth", "lgbtq"),
        type="evidence-review",
        year=2013,
    ),
    "scheduled": Item(
        "Albatross lantern outlook",
        topics=("crisis-services", "early-psychosis"),
        populations=("youth", "young-adults"),
        type="fact-sheet",
        year=2014,
    ),
    "expired": Item(
        "Chinchilla lantern archive",
        topics=("crisis-services", "workforce"),
        populations=("youth", "rural-communities"),
        type="training",
        year=2015,
    ),
    "draft": Item(
        "Tarantula lantern notes",
        topics=("crisis-services", "quality-measurement"),
        populations=("youth", "hispanic-latino"),
        type="webinar-materials",
        year=2016,
    ),
}


@dataclass
class Library:
    pages: dict  # hidden kind -> page
    items: dict  # hidden kind -> Item (the closed meeting's with its year)

    def exclusive_values(self, kind):
        """The facet values of a hidden page that no visible page has."""
        shared = {}
        for item in VISIBLE:
            for param, values in item.facet_values().items():
                shared.setdefault(param, set()).update(values)
        return {
            param: values - shared.get(param, set())
            for param, values in self.items[kind].facet_values().items()
            if values - shared.get(param, set())
        }


def resource_of(make_resource, item, **extra):
    return make_resource(
        item.title,
        topics=item.topics,
        populations=item.populations,
        type=item.type,
        evidence=item.evidence,
        year=item.year,
        summary=f"{item.title}: staffing numbers and notes.",
        **extra,
    )


def restrict_to_groups(page, *names):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set(Group.objects.filter(name__in=names))
    return restriction


def restrict_with_password(page):
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )


@pytest.fixture
def event_index(home_page):
    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return index


def make_event(index, item, **extra):
    start = (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    event = EventPageFactory(
        parent=index,
        title=item.title,
        summary=f"{item.title}: who meets and why.",
        start=start,
        end=start + datetime.timedelta(hours=1),
        registration="none",
        topics=list(Topic.objects.filter(slug__in=item.topics)),
        **extra,
    )
    event.save_revision().publish()
    event.refresh_from_db()
    return event


@pytest.fixture
def library(client, make_resource, members_only, event_index):
    """The visible pages and one hidden page of each kind. (``client`` first:
    on OpenSearch the pages are indexed by the hub's signals as they are
    published and hidden, as in production.)"""
    for item in VISIBLE:
        resource_of(make_resource, item)
    pages = {}
    pages["members_only"] = members_only(resource_of(make_resource, HIDDEN["members_only"]))
    group_only = resource_of(make_resource, HIDDEN["group_only"])
    restrict_to_groups(group_only, "CMHC staff")
    pages["group_only"] = group_only
    pages["closed_meeting"] = make_event(event_index, HIDDEN["closed_meeting"], access="partners")
    password = resource_of(make_resource, HIDDEN["password"])
    restrict_with_password(password)
    pages["password"] = password
    scheduled = resource_of(make_resource, HIDDEN["scheduled"], live=False)
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
    scheduled.save_revision().publish()
    pages["scheduled"] = scheduled
    expired = resource_of(make_resource, HIDDEN["expired"])
    expired.save_revision().publish()
    expired.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    call_command("publish_scheduled")
    pages["expired"] = expired
    pages["draft"] = resource_of(make_resource, HIDDEN["draft"], live=False)
    for page in pages.values():
        page.refresh_from_db()
    assert pages["expired"].expired and not pages["expired"].live
    assert not pages["scheduled"].live and not pages["draft"].live
    assert pages["closed_meeting"].audience != "public"
    items = dict(HIDDEN)
    items["closed_meeting"] = replace(
        HIDDEN["closed_meeting"], year=timezone.localtime(pages["closed_meeting"].start).year
    )
    return Library(pages, items)


# --- what a person sees --------------------------------------------------------


def expected_facets(items):
    """{facet param: {value: count}} of search results holding ``items``."""
    counts = {param: Counter() for param in ("content", "topic", "type", "population", "evidence", "year")}
    for item in items:
        for param, values in item.facet_values().items():
            counts[param].update(values)
    return {param: dict(found) for param, found in counts.items()}


FACET_OPTION = re.compile(
    r'name="(?P<param>[^"]+)" value="(?P<value>[^"]+)"[^>]*><label class="facet__label"[^>]*>[^<]*'
    r'<span class="facet__count"><span aria-hidden="true">\((?P<count>\d+)\)'
)
RESULT_TITLE = re.compile(r'class="library-result__title search-result__title"><a href="[^"]*">([^<]*)</a>')
STATUS = re.compile(r'class="library__status" role="status">\s*(.*?)\s*</p>', re.S)


@dataclass
class Seen:
    """What one search shows, read from its JSON and from its page."""

    titles: list
    total: int
    facets: dict  # facet param -> {value (str): count}, facets with no options left out
    page_titles: list
    page_total: int
    page_facets: dict
    page_html: str = field(repr=False)


def page_total(html):
    status = STATUS.search(html)
    if status is None:
        assert "Nothing found" in html or "Nothing matches" in html
        return 0
    found = re.match(r"(?:Showing \S+ of (\d+) results|(1) result\b)", status.group(1))
    assert found, status.group(1)
    return int(found.group(1) or found.group(2))


def seen(client, q="", **filters):
    params = {"q": q, **filters} if q else dict(filters)
    data = client.get("/search/", {**params, "format": "json"}).json()
    html = client.get("/search/", params).content.decode()
    page_facets = {}
    for option in FACET_OPTION.finditer(html):
        page_facets.setdefault(option["param"], {})[option["value"]] = int(option["count"])
    return Seen(
        titles=[result["title"] for result in data["results"]],
        total=data["total"],
        facets={
            param: {str(option["value"]): option["count"] for option in options}
            for param, options in data["facets"].items()
            if options
        },
        page_titles=RESULT_TITLE.findall(html),
        page_total=page_total(html),
        page_facets=page_facets,
        page_html=html,
    )


def suggested_titles(client, typed):
    response = client.get("/search/autocomplete/", {"q": typed})
    assert response.status_code == 200
    return [s["label"] for s in response.json()["suggestions"] if s["kind"] != "Topic"]


def where_found(client, title):
    """Every surface on which a search for the page's own word shows it."""
    word = title.split()[0].lower()
    answer = seen(client, word)
    surfaces = set()
    if title in answer.titles:
        surfaces.add("results (JSON)")
    if answer.total:
        surfaces.add("total (JSON)")
    if answer.facets:
        surfaces.add("facet counts (JSON)")
    if title in answer.page_titles:
        surfaces.add("results (page)")
    if answer.page_total:
        surfaces.add("total (page)")
    if answer.page_facets:
        surfaces.add("facet counts (page)")
    if title in suggested_titles(client, word[:4]) or title in suggested_titles(client, word):
        surfaces.add("autocomplete")
    return surfaces


EVERYWHERE = {
    "results (JSON)",
    "total (JSON)",
    "facet counts (JSON)",
    "results (page)",
    "total (page)",
    "facet counts (page)",
    "autocomplete",
}


def enter_password(client, page):
    restriction = PageViewRestriction.objects.get(page=page, restriction_type=PageViewRestriction.PASSWORD)
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": PASSWORD, "return_url": page.url},
    )
    assert response.status_code == 302


def sign_out(client):
    client.logout()  # also forgets any password entered in the session


# --- an anonymous visitor, one hidden kind at a time -------------------------------


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_an_anonymous_visitor_finds_a_hidden_page_nowhere(client, library, kind):
    item = library.items[kind]
    assert where_found(client, item.title) == set()
    shared = seen(client, SHARED_WORD)
    assert item.title not in shared.titles
    assert item.title not in shared.page_titles
    assert item.word not in shared.page_html.lower()
    for param, values in library.exclusive_values(kind).items():
        assert not values & set(shared.facets.get(param, {})), (param, values)
        assert not values & set(shared.page_facets.get(param, {})), (param, values)


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_filtering_by_a_value_only_a_hidden_page_has_finds_nothing(client, library, kind):
    visible = expected_facets(VISIBLE)
    exclusive = library.exclusive_values(kind)
    assert {"topic", "year"} <= set(exclusive)
    for param, values in exclusive.items():
        for value in values:
            answer = seen(client, SHARED_WORD, **{param: value})
            assert (answer.total, answer.titles, answer.page_total, answer.page_titles) == (0, [], 0, [])
            # The facet chosen counts as if it were not (the visible pages'
            # values) plus the choice itself at 0; every other facet is empty.
            wanted = {param: {**visible[param], value: 0}}
            assert answer.facets == wanted, (param, value)
            assert answer.page_facets == wanted, (param, value)
            if param in ("topic", "population", "type"):
                # Browsing by the value alone (as the topic links do).
                browsed = seen(client, **{param: value})
                assert (browsed.total, browsed.titles, browsed.page_total) == (0, [], 0)
                assert browsed.facets[param][value] == 0


@pytest.mark.parametrize("kind", list(HIDDEN))
def test_popular_searches_never_offer_a_hidden_pages_words(client, library, kind):
    # Counted as found: searched by people allowed to see the page, or while
    # it was still public.
    word = library.items[kind].word
    today = timezone.localdate()
    for query in (word, f"{word} {SHARED_WORD}", SHARED_WORD):
        SearchDailyStat.objects.create(date=today, query=query, searches=25)
    assert popular_shown(client) == [SHARED_WORD]


# --- everyone sees exactly what they may ---------------------------------------------

VIEWERS = {
    "anonymous": ((), ()),
    "member": (("Members",), ("members_only",)),
    "cmhc_staff": (("CMHC staff",), ("members_only", "group_only")),
    "partner": (("Partners",), ("members_only", "closed_meeting")),
    "password_holder": (None, ("password",)),
}


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_each_person_finds_exactly_the_pages_they_may_see(client, library, make_user, viewer):
    groups, may_see = VIEWERS[viewer]
    if groups is None:
        enter_password(client, library.pages["password"])
    elif groups:
        client.force_login(make_user(viewer, *groups))
    items = [*VISIBLE, *(library.items[kind] for kind in may_see)]
    titles = sorted(item.title for item in items)

    answer = seen(client, SHARED_WORD)
    assert sorted(answer.titles) == titles
    assert sorted(answer.page_titles) == titles
    assert answer.total == answer.page_total == len(items)
    wanted = {param: counts for param, counts in expected_facets(items).items() if counts}
    assert answer.facets == wanted
    assert answer.page_facets == wanted
    assert sorted(suggested_titles(client, SHARED_WORD[:4])) == titles

    for kind, item in library.items.items():
        expected = EVERYWHERE if kind in may_see else set()
        assert where_found(client, item.title) == expected, kind


# --- a page that stops being visible leaves search at once --------------------------


def test_a_page_unpublished_after_it_was_found_disappears_from_search_at_once(client, library, make_resource):
    item = Item("Marmot lantern field guide", topics=("crisis-services", "housing"), type="guide", year=2017)
    page = resource_of(make_resource, item)
    for _ in range(3):
        client.get("/search/", {"q": "marmot"})
    assert where_found(client, item.title) == EVERYWHERE
    assert "marmot" in popular_shown(client)
    assert seen(client, SHARED_WORD).facets["year"]["2017"] == 1

    page.unpublish()

    assert where_found(client, item.title) == set()
    assert "marmot" not in popular_shown(client)
    shared = seen(client, SHARED_WORD)
    assert sorted(shared.titles) == sorted(visible.title for visible in VISIBLE)
    assert shared.total == shared.page_total == len(VISIBLE)
    assert shared.facets == {param: counts for param, counts in expected_facets(VISIBLE).items() if counts}


# Who: () anonymous, a tuple of group names, or PASSWORD_HOLDER (a visitor
# who entered the page's password).
PASSWORD_HOLDER = "password holder"


@dataclass(frozen=True)
class Tightening:
    before: object  # someone who found the page before the change
    still_allowed: object  # someone who may still find it after
    outsiders: tuple  # people who must no longer find it


def made_group_only(page):
    restrict_to_groups(page, "CMHC staff")


def given_a_password(page):
    restrict_with_password(page)


def narrowed_from_members_to_one_group(page):
    # The restriction keeps its id (and the page its audience); only its groups change.
    restriction = PageViewRestriction.objects.get(page=page)
    restriction.groups.set(Group.objects.filter(name="CMHC staff"))


def closed_to_partners(page):
    page.access = "partners"
    page.save_revision().publish()


def section_made_partners_only(page):
    restrict_to_groups(page.get_parent(), "Partners")


TIGHTENINGS = {
    "made_group_only": (made_group_only, Tightening((), ("CMHC staff",), ((), ("Members",)))),
    "given_a_password": (given_a_password, Tightening((), PASSWORD_HOLDER, ((), ("Members",)))),
    "narrowed_from_members_to_one_group": (
        narrowed_from_members_to_one_group,
        Tightening(("Members",), ("CMHC staff",), ((), ("Members",), ("Partners",))),
    ),
    "event_closed_to_partners": (closed_to_partners, Tightening((), ("Partners",), ((), ("Members",)))),
    "section_made_partners_only": (
        section_made_partners_only,
        Tightening((), ("Partners",), ((), ("Members",))),
    ),
}


@pytest.fixture
def page_to_tighten(request, library, make_resource, members_only, event_index, home_page):
    """A page found by ``before``, made the way the change needs it."""
    change = request.param
    item = Item(
        "Narwhal lantern caseload review", topics=("crisis-services", "housing"), type="guide", year=2018
    )
    if change == "event_closed_to_partners":
        page = make_event(event_index, replace(item, content="event"), access="open")
    elif change == "section_made_partners_only":
        section = ResourceIndexPageFactory(parent=home_page, title="Partner library", slug="partner-library")
        section.save_revision().publish()
        page = ResourcePageFactory(
            parent=section, title=item.title, summary=f"{item.title}: staffing numbers and notes."
        )
    else:
        page = resource_of(make_resource, item)
    if change == "narrowed_from_members_to_one_group":
        members_only(page)
    page.refresh_from_db()
    return change, page


@pytest.mark.parametrize("page_to_tighten", list(TIGHTENINGS), indirect=True)
def test_a_page_whose_privacy_is_tightened_after_it_was_indexed_disappears_at_once(
    client, each_backend, page_to_tighten, make_user
):
    change, page = page_to_tighten
    tighten, who = TIGHTENINGS[change]
    people = itertools.count()

    def become(person):
        sign_out(client)
        if person == PASSWORD_HOLDER:
            enter_password(client, page)
        elif person:
            client.force_login(make_user(f"person{next(people)}", *person))

    become(who.before)
    assert where_found(client, page.title) == EVERYWHERE

    tighten(page)

    for person in who.outsiders:
        become(person)
        assert where_found(client, page.title) == set(), person or "anonymous"
        assert page.title not in seen(client, SHARED_WORD).titles, person or "anonymous"
    become(who.still_allowed)
    assert where_found(client, page.title) == EVERYWHERE
