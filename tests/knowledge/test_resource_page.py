import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage
from knowledge.models import RelatedResource, ResourceAuthor, ResourceIndexPage, ResourcePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource(make_resource):
    page = make_resource(
        "Crisis continuum toolkit",
        topics=["crisis-services", "health-equity"],
        populations=["youth"],
        evidence="strong",
        type="toolkit",
        doi="10.1176/appi.ps.201900123",
        last_reviewed=datetime.date(2025, 3, 1),
    )
    ResourceAuthor.objects.create(page=page, name="Dana Rivera", organisation="NASMHPD")
    return page


def json_ld(response):
    soup = BeautifulSoup(response.content, "html.parser")
    scripts = soup.find_all("script", attrs={"type": "application/ld+json"})
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_resource_page_shows_summary_source_evidence_and_review_date(client, resource):
    html = client.get(resource.url).content.decode()
    assert resource.summary in html
    assert "https://www.samhsa.gov/resource" in html
    assert "https://doi.org/10.1176/appi.ps.201900123" in html
    assert 'id="evidence-scale"' in html
    for level in ("Strong", "Moderate", "Emerging", "Expert consensus", "Not rated"):
        assert level in html
    assert "1 March 2025" in html


def test_json_ld_is_valid_and_describes_the_resource(client, resource):
    data = json_ld(client.get(resource.url))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "HowTo"
    for key in (
        "name",
        "description",
        "datePublished",
        "publisher",
        "author",
        "about",
        "audience",
        "inLanguage",
        "url",
    ):
        assert key in data, key
    assert data["name"] == "Crisis continuum toolkit"
    assert data["datePublished"] == "2022"
    assert data["author"][0]["name"] == "Dana Rivera"
    assert {t["name"] for t in data["about"]} == {"Crisis services and 988", "Health equity"}
    assert data["url"].endswith(resource.url)


def test_json_ld_cannot_be_broken_out_of_by_content(client, make_resource):
    page = make_resource("Tricky </script><script>alert(1)</script>")
    response = client.get(page.url)
    assert json_ld(response)["name"] == "Tricky </script><script>alert(1)</script>"
    assert b"<script>alert(1)" not in response.content


def test_open_graph_meta_is_present(client, resource):
    soup = BeautifulSoup(client.get(resource.url).content, "html.parser")
    og = {m["property"]: m["content"] for m in soup.find_all("meta", attrs={"property": True})}
    assert og["og:title"] == resource.title
    assert og["og:type"] == "article"
    assert og["og:description"].startswith("Plain-language summary")
    assert og["og:url"].endswith(resource.url)


def test_due_for_review_notice_appears_only_when_the_date_has_passed(client, resource):
    assert "Due for review" not in client.get(resource.url).content.decode()
    resource.next_review_due = timezone.localdate() - datetime.timedelta(days=1)
    resource.save_revision().publish()
    assert "Due for review" in client.get(resource.url).content.decode()


def test_next_review_defaults_to_24_months_after_the_last(make_resource):
    page = make_resource("Reviewed", last_reviewed=datetime.date(2024, 5, 31))
    assert page.next_review_due == datetime.date(2026, 5, 31)


def test_cover_image_needs_alt_text(make_resource):
    image = get_image_model().objects.create(title="Cover", file=get_test_image_file())
    page = make_resource("With cover")
    page.cover_image = image
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "cover_image_alt" in error.value.message_dict


def test_related_resources_editor_picked_first_then_by_shared_topics(client, resource, make_resource):
    picked = make_resource("Picked by the editor", topics=["peer-support"])
    two_shared = make_resource("Shares two topics", topics=["crisis-services", "health-equity"])
    one_shared = make_resource("Shares one topic", topics=["health-equity"])
    make_resource("Shares nothing", topics=["workforce"])
    draft = make_resource("Draft sharing both", topics=["crisis-services", "health-equity"])
    draft.unpublish()
    RelatedResource.objects.create(page=resource, related=picked, sort_order=0)
    related = client.get(resource.url).context["related_resources"]
    assert [r.title for r in related] == ["Picked by the editor", "Shares two topics", "Shares one topic"]
    assert two_shared in related and one_shared in related


def test_members_only_related_resources_are_not_shown_to_anonymous_visitors(
    client, resource, make_resource, members_only
):
    members_only(make_resource("Members related", topics=["crisis-services"]))
    make_resource("Public related", topics=["crisis-services"])
    titles = [r.title for r in client.get(resource.url).context["related_resources"]]
    assert "Members related" not in titles
    assert "Public related" in titles


def test_members_only_resource_asks_anonymous_visitors_to_sign_in(client, resource, members_only, make_user):
    members_only(resource)
    response = client.get(resource.url)
    assert response.status_code == 302
    client.force_login(make_user("morgan", "Members"))
    assert client.get(resource.url).status_code == 200


class ResourcePageTreeTests(WagtailPageTestCase):
    def test_library_lives_under_home_and_holds_only_resources(self):
        self.assertAllowedParentPageTypes(ResourceIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ResourceIndexPage, {ResourcePage})
        self.assertAllowedParentPageTypes(ResourcePage, {ResourceIndexPage})
        self.assertAllowedSubpageTypes(ResourcePage, set())
        self.assertCanNotCreateAt(HomePage, ResourcePage)
        self.assertCanNotCreateAt(Page, ResourceIndexPage)


def test_editors_filter_resources_in_the_admin_by_review_status_and_type(client, make_user, make_resource):
    overdue = make_resource("Old guidance", type="guide", next_review_due=datetime.date(2020, 1, 1))
    make_resource(
        "Fresh toolkit", type="toolkit", next_review_due=timezone.localdate() + datetime.timedelta(days=400)
    )
    client.force_login(make_user("eden", "Editors"))
    listing = client.get("/admin/resources/", {"review_status": "overdue"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Old guidance" in html and "Fresh toolkit" not in html
    by_type = client.get("/admin/resources/", {"resource_type": overdue.resource_type_id}).content.decode()
    assert "Old guidance" in by_type and "Fresh toolkit" not in by_type


class ResourcePageEditingTests(WagtailPageTestCase):
    def test_an_editor_can_create_a_resource_in_the_admin(self):
        from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

        from hub.models import EvidenceLevel, ResourceType, Topic

        home = HomePage.objects.get()
        library = ResourceIndexPage(title="Library", slug="library")
        home.add_child(instance=library)
        self.login()
        self.assertCanCreate(
            library,
            ResourcePage,
            nested_form_data(
                {
                    "title": "Crisis lines in rural counties",
                    "slug": "crisis-lines-rural",
                    "summary": "How rural CMHCs staff crisis lines around the clock.",
                    "resource_type": ResourceType.objects.get(slug="guide").pk,
                    "evidence_level": EvidenceLevel.objects.get(slug="emerging").pk,
                    "language": "en",
                    "topics": [Topic.objects.get(slug="crisis-services").pk],
                    "tags": "988, rural",
                    "body": streamfield([]),
                    "authors": inline_formset([{"name": "Jordan Lee", "organisation": ""}]),
                    "documents": inline_formset([]),
                    "related_resources": inline_formset([]),
                    "last_reviewed": "2026-01-15",
                }
            ),
        )
        created = ResourcePage.objects.get(slug="crisis-lines-rural")
        assert created.next_review_due == datetime.date(2028, 1, 15)
        assert [a.name for a in created.authors.all()] == ["Jordan Lee"]


def test_previewing_a_draft_never_leaks_it_to_the_live_page(client, resource, make_user):
    live_html = client.get(resource.url).content.decode()
    assert resource.summary in live_html
    resource.summary = "SECRET DRAFT SUMMARY"
    resource.title = "SECRET DRAFT TITLE"
    resource.save_revision()
    admin = make_user("alex", is_superuser=True)
    client.force_login(admin)
    preview = client.get(f"/admin/pages/{resource.pk}/view_draft/")
    assert "SECRET DRAFT SUMMARY" in preview.content.decode()
    client.logout()
    for person in (None, make_user("morgan", "Members")):
        if person:
            client.force_login(person)
        html = client.get(resource.url).content.decode()
        assert "SECRET DRAFT" not in html
        assert "Crisis continuum toolkit" in html


def test_next_review_moves_with_a_new_review(make_resource):
    page = make_resource("Reviewed twice", last_reviewed=datetime.date(2022, 1, 10))
    assert page.next_review_due == datetime.date(2024, 1, 10)
    page.last_reviewed = datetime.date(2025, 6, 1)
    page.save()
    assert page.next_review_due == datetime.date(2027, 6, 1)
