"""Members-only content: every restricted page type answers anonymous visitors with
the sign-in page, people outside the page's groups with a 403, and the right
people with the page; a working group's members-only part reaches its members only."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.models import PageViewRestriction

from community.factories import JoinPageFactory, WorkingGroupIndexPageFactory, WorkingGroupPageFactory
from home.models import StandardPage
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

NOTES = "Members-only notes: the draft is in the shared folder."

USERS = {
    "member": ["Members"],
    "staff": ["Members", "CMHC staff"],
    "partner": ["Members", "Partners"],
}
# restriction groups -> who may read
RESTRICTIONS = {
    "members": (["Members", "CMHC staff", "Partners"], {"member", "staff", "partner"}),
    "cmhc-staff": (["CMHC staff"], {"staff"}),
    "partners": (["Partners"], {"partner"}),
}


def resource_page(home):
    library = publish(ResourceIndexPageFactory(parent=home))
    return publish(ResourcePageFactory(parent=library, title="Restricted resource"))


def standard_page(home):
    page = StandardPage(title="Restricted notes", slug="restricted-notes")
    home.add_child(instance=page)
    return publish(page)


def working_group_page(home):
    index = publish(WorkingGroupIndexPageFactory(parent=home))
    return publish(WorkingGroupPageFactory(parent=index, title="Closed working group"))


def working_group_index_page(home):
    return publish(WorkingGroupIndexPageFactory(parent=home, title="Working groups"))


def join_page(home):
    return publish(JoinPageFactory(parent=home))


def event_page(home):
    factories = pytest.importorskip("events.factories")
    index = publish(factories.EventIndexPageFactory(parent=home))
    return publish(factories.EventPageFactory(parent=index, title="Closed meeting"))


PAGE_TYPES = {
    "resource": resource_page,
    "standard page": standard_page,
    "working group": working_group_page,
    "working group index": working_group_index_page,
    "join page": join_page,
    "event": event_page,
}


@pytest.fixture
def people(make_user):
    return {name: make_user(name, *groups) for name, groups in USERS.items()}


@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
@pytest.mark.parametrize("restriction", list(RESTRICTIONS))
def test_every_restricted_page_type_answers_each_kind_of_person(
    home_page, restrict, people, page_type, restriction
):
    page = PAGE_TYPES[page_type](home_page)
    groups, allowed = RESTRICTIONS[restriction]
    restrict(page, *groups)
    url = page.url

    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/account/sign-in/?next={url}"

    for name, user in people.items():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if name in allowed:
            assert response.status_code == 200, (name, page_type)
            assert page.title in response.content.decode()
        else:
            assert response.status_code == 403, (name, page_type)
            html = response.content.decode()
            assert "You do not have access to this page" in html
            assert page.title not in html.split("<main")[1]


def test_the_403_page_names_the_groups_and_is_never_cached(home_page, restrict, people):
    page = restrict(standard_page(home_page), "CMHC staff")
    client = Client()
    client.force_login(people["partner"])
    response = client.get(page.url)
    assert response.status_code == 403
    assert "this page is only for CMHC staff" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_page_for_anyone_signed_in_is_open_to_every_account(home_page, make_user):
    page = standard_page(home_page)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert Client().get(page.url).status_code == 302
    client = Client()
    client.force_login(make_user("someone"))
    assert client.get(page.url).status_code == 200


def test_the_sign_in_page_sends_people_back_to_the_restricted_page(home_page, restrict, people):
    page = restrict(standard_page(home_page))
    client = Client()
    sign_in = client.get(f"/account/sign-in/?next={page.url}")
    assert "The page you asked for is for members" in sign_in.content.decode()
    response = client.post(
        "/account/sign-in/", {"username": "member", "password": "pw-for-tests", "next": page.url}
    )
    assert response["Location"] == page.url
    assert client.get(page.url).status_code == 200


def test_restricted_working_groups_are_left_out_of_listings_for_people_outside(
    home_page, group_index, make_group, restrict, people
):
    make_group("Open group")
    restrict(make_group("Staff circle"), "CMHC staff")
    anonymous = Client().get(group_index.url).content.decode()
    assert "Open group" in anonymous and "Staff circle" not in anonymous
    home = Client().get("/").content.decode()
    assert "Open group" in home and "Staff circle" not in home

    client = Client()
    client.force_login(people["partner"])
    assert "Staff circle" not in client.get(group_index.url).content.decode()
    client.force_login(people["staff"])
    assert "Staff circle" in client.get(group_index.url).content.decode()
    assert "Staff circle" in client.get("/").content.decode()


# --- a working group's members-only part ----------------------------------------------


def test_only_approved_members_of_the_group_see_its_members_only_part(workforce, people, join_group):
    join_group(workforce, people["member"])
    join_group(workforce, people["partner"], status="pending")

    assert NOTES not in Client().get(workforce.url).content.decode()
    for name, expected in (("member", True), ("partner", False), ("staff", False)):
        client = Client()
        client.force_login(people[name])
        html = client.get(workforce.url).content.decode()
        assert (NOTES in html) is expected, name
        assert ("For the group&#x27;s members" in html or "For the group's members" in html) is expected


def test_members_see_the_member_list_and_documents(workforce, people, join_group):
    from wagtail.documents.models import Document

    from community.models import WorkingGroupDocument

    document = Document(title="Survey draft")
    document.file.save("survey.txt", ContentFile(b"draft"))
    item = WorkingGroupDocument.objects.create(page=workforce, document=document)
    join_group(workforce, people["member"])
    client = Client()
    client.force_login(people["member"])
    html = client.get(workforce.url).content.decode()
    assert "Survey draft" in html and f"/account/working-groups/documents/{item.pk}/" in html
    assert "<li>member</li>" in html

    download = client.get(f"/account/working-groups/documents/{item.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"draft"
    assert "private" in download["Cache-Control"]

    outsider = Client()
    outsider.force_login(people["staff"])
    assert outsider.get(f"/account/working-groups/documents/{item.pk}/").status_code == 403
    assert Client().get(f"/account/working-groups/documents/{item.pk}/").status_code == 302


def test_the_anonymous_page_cache_never_serves_or_stores_the_members_only_part(workforce, people, join_group):
    join_group(workforce, people["member"])
    anonymous = Client()
    first = anonymous.get(workforce.url)
    assert first["X-Page-Cache"] == "miss"
    assert anonymous.get(workforce.url)["X-Page-Cache"] == "hit"

    member = Client()
    member.force_login(people["member"])
    response = member.get(workforce.url)
    assert NOTES in response.content.decode()
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]

    # After the member's view, anonymous visitors still get the public page.
    again = Client().get(workforce.url)
    assert NOTES not in again.content.decode()


def test_members_only_notes_are_not_indexed_for_search(workforce):
    indexed = {field.field_name for field in type(workforce).get_search_fields()}
    assert "members_notes" not in indexed
    assert {"purpose", "topic_names"} <= indexed
