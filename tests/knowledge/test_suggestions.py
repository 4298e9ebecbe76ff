"""Suggest a resource: signed-in people propose resources, which become drafts in
the library's review workflow and never go live on their own."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision, WorkflowState

from hub.models import Topic
from knowledge.models import ResourceIndexPage, ResourcePage
from knowledge.suggestions import normalise_url

pytestmark = pytest.mark.django_db

URL = "/resources/suggest/"


@pytest.fixture
def member(make_user):
    return make_user("morgan", "Members")


@pytest.fixture
def signed_in(client, library, member):
    client.force_login(member)
    return client


def suggest(client, **overrides):
    data = {
        "title": "Zero Suicide toolkit",
        "link": "https://zerosuicide.edc.org/toolkit",
        "why": "Step-by-step help for CMHCs building suicide-safer care.",
    }
    data.update(overrides)
    return client.post(URL, data)


def open_review(page):
    return WorkflowState.objects.get(object_id=str(page.pk), status=WorkflowState.STATUS_IN_PROGRESS)


def test_the_form_is_at_resources_suggest():
    assert reverse("suggest-resource") == URL
    assert reverse("suggest-resource-done") == URL + "done/"


def test_an_anonymous_visitor_is_sent_to_sign_in_first(client, library):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('wagtailcore_login')}?next={URL}"

    response = suggest(client)
    assert response.status_code == 302
    assert not ResourcePage.objects.exists()


def test_a_members_suggestion_becomes_a_draft_waiting_for_editorial_review(signed_in, library, member):
    topics = list(Topic.objects.order_by("pk")[:2])
    response = suggest(signed_in, topics=[t.pk for t in topics])

    assert response.status_code == 303
    assert response["Location"] == reverse("suggest-resource-done")
    page = ResourcePage.objects.get()
    assert page.get_parent().pk == library.pk
    assert page.title == "Zero Suicide toolkit"
    assert page.slug == "zero-suicide-toolkit"
    assert not page.live
    assert page.suggested_by == member and page.owner == member
    assert page.suggestion_reason == "Step-by-step help for CMHCs building suicide-safer care."
    assert page.summary == page.suggestion_reason
    assert page.source_url == "https://zerosuicide.edc.org/toolkit"
    assert page.evidence_level.slug == "not-rated"
    assert page.resource_type is None
    assert set(page.topics.all()) == set(topics)
    assert page.get_latest_revision().user == member

    review = open_review(page)
    assert review.workflow.name == "Knowledge resources"
    assert review.requested_by == member
    assert review.current_task_state.task.name == "Editorial review"
    assert review.current_task_state.revision == page.get_latest_revision()


@pytest.mark.parametrize("groups", [("CMHC staff", "Members"), ("Partners",), ()])
def test_anyone_signed_in_may_suggest(client, library, make_user, groups):
    client.force_login(make_user("someone", *groups))
    assert client.get(URL).status_code == 200
    assert suggest(client).status_code == 303
    assert ResourcePage.objects.filter(suggested_by__username="someone").count() == 1


def test_the_empty_form_has_labelled_fields_and_a_csrf_token(signed_in):
    html = signed_in.get(URL).content.decode()
    assert html.count("<h1") == 1
    assert "csrfmiddlewaretoken" in html
    for field, label in [("title", "Title of the resource"), ("link", "Link to the resource")]:
        assert f'<label for="id_{field}">{label}</label>' in html
    assert '<label for="id_why">Why it matters</label>' in html
    assert "<legend" in html and "Topics (optional)" in html


def test_a_suggestion_is_refused_without_a_csrf_token(library, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert suggest(client).status_code == 403
    assert not ResourcePage.objects.exists()


def test_the_thank_you_page_explains_what_happens_next(signed_in):
    response = suggest(signed_in)
    done = signed_in.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert "Zero Suicide toolkit" in html
    assert "Editorial review" in html and "Evidence review" in html
    assert "will not e-mail you" in html


def test_an_invalid_link_and_a_missing_reason_are_refused_with_what_was_typed_kept(signed_in):
    response = suggest(signed_in, title="Crisis Now guide", link="crisis now dot org", why="")
    html = response.content.decode()

    assert response.status_code == 400
    assert not ResourcePage.objects.exists()
    assert 'value="Crisis Now guide"' in html
    assert 'value="crisis now dot org"' in html
    assert "Enter a full web address, for example https://www.samhsa.gov/resource." in html
    assert "Tell us why this resource matters." in html
    assert "There is a problem" in html
    assert 'href="#id_link"' in html and 'href="#id_why"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_link_error"' in html


def test_a_reason_that_is_too_long_is_refused_and_kept(signed_in):
    response = suggest(signed_in, why="Useful. " * 300)
    assert response.status_code == 400
    assert "Keep this to 2000 characters or fewer" in response.content.decode()
    assert "Useful. Useful." in response.content.decode()


def test_only_web_addresses_can_be_suggested(signed_in):
    response = suggest(signed_in, link="ftp://files.example.org/guide.pdf")
    assert response.status_code == 400
    assert "starts with https:// or http://" in response.content.decode()
    assert not ResourcePage.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/",
        "http://10.0.0.7/report.pdf",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
    ],
)
def test_links_to_internal_network_addresses_are_refused_with_a_message(signed_in, link):
    response = suggest(signed_in, link=link)
    assert response.status_code == 400
    assert "leads to an internal network address" in response.content.decode()
    assert not ResourcePage.objects.exists()


def test_links_with_a_user_name_or_password_are_refused_with_a_message(signed_in):
    response = suggest(signed_in, link="https://morgan:secret@zerosuicide.edc.org/toolkit")
    assert response.status_code == 400
    assert "Leave the user name and password out of the link" in response.content.decode()
    assert not ResourcePage.objects.exists()


def test_a_tampered_topic_is_refused_with_a_message(signed_in):
    response = suggest(signed_in, topics=[Topic.objects.order_by("-pk").first().pk + 1000])
    assert response.status_code == 400
    assert "Choose topics from the list only." in response.content.decode()
    assert not ResourcePage.objects.exists()


def test_web_addresses_are_compared_without_case_www_trailing_slash_or_fragment():
    expected = "https://samhsa.gov/Resource/Crisis?x=1"
    assert normalise_url("HTTPS://www.SAMHSA.gov/Resource/Crisis/?x=1#top") == expected
    assert normalise_url("https://samhsa.gov/Resource/Crisis?x=1") == expected
    assert normalise_url("https://samhsa.gov/resource/crisis?x=1") != expected
    assert normalise_url("https://samhsa.gov/Resource/Crisis?x=2") != expected


def test_a_link_already_in_the_library_is_recognised_and_linked(signed_in, make_resource):
    existing = make_resource("Crisis services guidelines", source_url="https://www.samhsa.gov/Crisis-Guide")
    response = suggest(signed_in, link="HTTPS://SAMHSA.gov/Crisis-Guide/#section-2")
    html = response.content.decode()

    assert response.status_code == 200
    assert ResourcePage.objects.count() == 1
    assert "This resource is already in the library:" in html
    assert f'<a href="{existing.url}">Crisis services guidelines</a>' in html


def test_a_link_someone_else_suggested_is_taken_like_any_other_for_editors_to_match(
    signed_in, library, make_user
):
    other = Client()
    other.force_login(make_user("parker", "Partners"))
    assert suggest(other, link="https://www.example.org/peer-support/").status_code == 303

    # Whether someone else suggested it is theirs to know, not this member's.
    known = suggest(signed_in, title="Peer support", link="HTTPS://Example.org/peer-support")
    unknown = suggest(signed_in, title="Peer support", link="https://example.org/never-suggested")
    assert known.status_code == unknown.status_code == 303
    assert known["Location"] == unknown["Location"]
    assert ResourcePage.objects.count() == 3


def test_a_member_who_suggested_a_link_is_told_they_already_did(signed_in, library):
    assert suggest(signed_in, link="https://www.example.org/peer-support/").status_code == 303
    response = suggest(signed_in, title="Peer support", link="HTTPS://Example.org/peer-support")
    html = response.content.decode()
    assert response.status_code == 200
    assert ResourcePage.objects.count() == 1
    assert "You have already suggested this link" in html
    assert "already in the library" not in html


def test_a_members_only_resource_is_not_revealed_to_someone_who_may_not_see_it(
    client, library, make_resource, make_user, members_only
):
    make_resource("Closed meeting notes", source_url="https://example.org/notes")
    members_only(library)
    client.force_login(make_user("outsider"))

    response = suggest(client, link="https://example.org/notes")
    assert response.status_code == 303
    html = client.get(response["Location"]).content.decode()
    assert "Closed meeting notes" not in html
    assert "already" not in html
    assert ResourcePage.objects.filter(source_url="https://example.org/notes").count() == 2


def test_a_draft_is_not_revealed_by_its_link(signed_in, library, make_resource):
    draft = make_resource("Unpublished draft guide", source_url="https://example.org/draft-guide")
    draft.unpublish()
    known = suggest(signed_in, link="https://example.org/draft-guide")
    unknown = suggest(signed_in, link="https://example.org/something-else")
    assert known.status_code == unknown.status_code == 303
    assert known["Location"] == unknown["Location"]
    assert "Unpublished draft guide" not in signed_in.get(known["Location"]).content.decode()


def test_a_sixth_suggestion_within_a_day_is_refused(signed_in, member):
    for number in range(5):
        assert suggest(signed_in, link=f"https://example.org/{number}").status_code == 303

    response = suggest(signed_in, title="One more", link="https://example.org/six")
    html = response.content.decode()
    assert response.status_code == 429
    assert "You have made 5 suggestions today; please try again tomorrow" in html
    assert 'value="One more"' in html
    assert ResourcePage.objects.filter(suggested_by=member).count() == 5


def test_suggestions_older_than_a_day_do_not_count_even_when_editors_revise_them(
    signed_in, member, make_user
):
    for number in range(5):
        suggest(signed_in, link=f"https://example.org/{number}")
    Revision.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    editor = make_user("eden", "Editors")
    for page in ResourcePage.objects.all():
        page.save_revision(user=editor, clean=False)

    assert suggest(signed_in, link="https://example.org/six").status_code == 303
    assert ResourcePage.objects.filter(suggested_by=member).count() == 6


def test_suggestions_with_the_same_title_get_their_own_addresses(signed_in):
    suggest(signed_in, link="https://example.org/a")
    suggest(signed_in, link="https://example.org/b")
    slugs = sorted(ResourcePage.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 2 and slugs[0] == "zero-suicide-toolkit"


def test_a_suggestion_never_goes_live_on_its_own(signed_in, client):
    suggest(signed_in)
    page = ResourcePage.objects.get()
    assert not page.live and page.first_published_at is None
    assert not PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    assert open_review(page).status == WorkflowState.STATUS_IN_PROGRESS

    signed_in.logout()
    assert page.url == "/resources/zero-suicide-toolkit/"
    assert client.get(page.url).status_code == 404
    page.refresh_from_db()
    assert not page.live


def test_without_a_library_suggestions_are_closed_for_now(client, home_page, member):
    assert not ResourceIndexPage.objects.exists()
    client.force_login(member)
    for response in (client.get(URL), suggest(client)):
        assert response.status_code == 503
        assert "Suggestions are closed for now" in response.content.decode()
    assert not ResourcePage.objects.exists()
