"""A document is served, and listed by the API, only to those who may see
where it is used: a document used only on restricted pages, or in a working
group's members-only space, follows those pages, whatever its collection; a
document used on at least one public live page stays public. Editors are
warned when they put a public-collection document on a restricted page."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.models import Collection

from community.models import WorkingGroupDocument, WorkingGroupMembership
from knowledge.models import ResourceDocument
from metrics import counting
from metrics.models import DocumentDownloadDaily
from tests.community import conftest as community
from tests.knowledge import conftest as knowledge
from tests.knowledge.admin_forms import edit_data

pytestmark = pytest.mark.django_db

library = knowledge.library
make_resource = knowledge.make_resource
members_only = knowledge.members_only
group_index = community.group_index
make_group = community.make_group
workforce = community.workforce


@pytest.fixture(autouse=True)
def files_on_disk(settings, tmp_path):
    # Served from files, through the hub's view, as in production (the tests'
    # in-memory storage would be answered with a redirect to its own address).
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def make_document(title, name):
    document = get_document_model()(title=title, collection=Collection.get_first_root_node())
    document.file.save(name, ContentFile(b"%PDF-1.4 " + title.encode()))
    return document


def attach(page, document):
    ResourceDocument.objects.create(page=page, document=document)
    page.save_revision().publish()
    return document


def status(client, document):
    return client.get(document.url).status_code


def api_titles(client):
    return [item["title"] for item in client.get("/api/v2/documents/").json()["items"]]


@pytest.fixture
def documents(make_resource, members_only):
    public_page = make_resource("Public crisis toolkit")
    closed_page = members_only(make_resource("Members crisis survey"))
    both_page = members_only(make_resource("Members notes on the guide"))
    shared = make_document("Shared guide", "shared.pdf")
    attach(public_page, shared)
    attach(both_page, shared)
    return {
        "members": attach(closed_page, make_document("Members survey", "survey.pdf")),
        "shared": shared,
        "loose": make_document("Unattached flyer", "flyer.pdf"),
    }


def test_a_document_used_only_on_a_members_only_page_is_refused_to_anonymous_visitors(client, documents):
    response = client.get(documents["members"].url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=/documents/")


def test_a_member_may_download_a_document_of_a_members_only_page(client, documents, make_user):
    client.force_login(make_user("maria", "Members"))
    response = client.get(documents["members"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_signed_in_person_outside_the_pages_groups_is_told_so(client, documents, make_user):
    client.force_login(make_user("nobody"))
    response = client.get(documents["members"].url)
    assert response.status_code == 403
    assert "You do not have access to this document" in response.content.decode()


def test_a_document_used_on_one_public_live_page_stays_public(client, documents):
    assert status(client, documents["shared"]) == 200
    assert status(client, documents["loose"]) == 200


def test_the_api_lists_only_documents_a_public_visitor_may_fetch(client, documents, make_user):
    assert sorted(api_titles(client)) == ["Shared guide", "Unattached flyer"]
    member = Client()
    member.force_login(make_user("maria", "Members"))
    assert "Members survey" not in api_titles(member)
    assert client.get(f"/api/v2/documents/{documents['members'].pk}/").status_code == 404


def test_a_document_whose_only_page_is_unpublished_is_no_longer_public(client, make_resource):
    page = make_resource("Soon withdrawn toolkit")
    document = attach(page, make_document("Withdrawn slides", "withdrawn.pdf"))
    assert status(client, document) == 200
    page.unpublish()
    assert status(client, document) == 302
    assert "Withdrawn slides" not in api_titles(client)


def test_refused_downloads_are_not_counted_and_allowed_ones_are(client, documents, make_user):
    counting.flush()
    client.get(documents["members"].url)
    client.force_login(make_user("maria", "Members"))
    client.get(documents["members"].url)
    counting.flush()
    assert DocumentDownloadDaily.objects.get(document=documents["members"]).downloads == 1


def test_a_members_download_is_never_cached_for_the_next_visitor(client, documents, make_user):
    member = Client()
    member.force_login(make_user("maria", "Members"))
    response = member.get(documents["members"].url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    assert status(client, documents["members"]) == 302


# --- a working group's members-only documents ---------------------------------------------


@pytest.fixture
def group_document(workforce):
    document = make_document("Group survey draft", "group-survey.txt")
    item = WorkingGroupDocument.objects.create(page=workforce, document=document)
    workforce.save_revision().publish()
    return document, item


def test_a_working_groups_document_is_refused_through_wagtails_address_to_other_members(
    client, workforce, group_document, make_user
):
    document, item = group_document
    outsider = make_user("sam", "Members")
    client.force_login(outsider)
    assert client.get(f"/account/working-groups/documents/{item.pk}/").status_code == 403
    assert status(client, document) == 403
    assert status(Client(), document) == 302
    assert "Group survey draft" not in api_titles(Client())


def test_an_approved_group_member_downloads_the_groups_document_by_either_address(
    client, workforce, group_document, make_user
):
    document, item = group_document
    insider = make_user("gale", "Members")
    WorkingGroupMembership.objects.create(
        working_group=workforce, user=insider, status=WorkingGroupMembership.APPROVED
    )
    client.force_login(insider)
    assert client.get(f"/account/working-groups/documents/{item.pk}/").status_code == 200
    assert status(client, document) == 200


def test_editors_may_still_open_restricted_documents(client, documents, make_user):
    client.force_login(make_user("edna", "Editors"))
    assert status(client, documents["members"]) == 200


# --- the admin warns an editor ------------------------------------------------------------


def test_an_editor_is_warned_when_a_restricted_page_uses_a_public_collection_document(
    client, make_resource, members_only, make_user
):
    page = members_only(make_resource("Members staffing notes"))
    document = make_document("Staffing sheet", "staffing.pdf")
    client.force_login(make_user("edna", "Editors"))
    response = client.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, [document]), follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("Staffing sheet" in m and "public collection" in m for m in messages), messages


def test_no_warning_when_a_public_page_uses_a_public_document(client, make_resource, make_user):
    page = make_resource("Public staffing notes")
    document = make_document("Open sheet", "open.pdf")
    client.force_login(make_user("edna", "Editors"))
    response = client.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, [document]), follow=True)
    assert not any("public collection" in str(m) for m in response.context["messages"])


def test_a_closed_meetings_slides_are_only_for_its_group(client, home_page, make_user):
    import datetime

    from django.utils import timezone

    from events.factories import EventIndexPageFactory, EventPageFactory

    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    start = timezone.now() + datetime.timedelta(days=7)
    slides = make_document("Partner meeting slides", "slides.pdf")
    meeting = EventPageFactory(
        parent=index,
        title="Partner meeting",
        start=start,
        end=start + datetime.timedelta(hours=1),
        access="partners",
        registration="none",
        slides=slides,
    )
    meeting.save_revision().publish()
    client.force_login(make_user("morgan", "Members", "CMHC staff"))
    assert status(client, slides) == 403
    partner = Client()
    partner.force_login(make_user("paula", "Partners"))
    assert status(partner, slides) == 200


def test_a_visitor_who_entered_a_pages_password_may_download_its_document(client, make_resource):
    from wagtail.models import PageViewRestriction

    page = make_resource("Board papers")
    document = attach(page, make_document("Board minutes", "minutes.pdf"))
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    assert status(client, document) == 302
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": "letmein", "return_url": page.url},
    )
    assert status(client, document) == 200
    assert status(Client(), document) == 302
