"""Feeds, API, sitemap and embeds carry only live, public content, for anonymous
visitors and signed-in members alike (they are for partner sites)."""

import feedparser
import pytest

from .conftest import HIDDEN_TITLES

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/feeds/resources/",
    "/feeds/resources/atom/",
    "/feeds/resources/?topic=crisis-services",
    "/feeds/events/",
    "/api/v2/pages/?limit=20&fields=title",
    "/api/v2/pages/?type=knowledge.ResourcePage&topic=crisis-services&limit=20",
    "/api/v2/pages/?type=events.EventPage&limit=20",
    "/embed/resources/?topic=crisis-services&limit=20",
    "/embed/resources/?limit=20",
    "/embed/events/?limit=20",
    "/sitemap.xml",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_anonymous_requests_see_public_content_and_nothing_else(client, content, url):
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    for title in HIDDEN_TITLES:
        assert title not in text
    for page in (content["members"], content["draft"], content["members_event"], content["members_partner"]):
        assert f"/{page.slug}/" not in text
    expected = "Open crisis webinar" if "events" in url else "Public crisis toolkit"
    if "sitemap" in url:
        assert f"/{content['public'].slug}/" in text
    else:
        assert expected in text


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_signed_in_members_get_the_same_public_only_answers(member_client, content, url):
    text = member_client.get(url).content.decode()
    for title in HIDDEN_TITLES:
        assert title not in text


def test_a_draft_change_to_a_live_resource_is_not_in_feeds_or_api(client, content):
    resource = content["public"]
    resource.title = "Unpublished new title"
    resource.save_revision()
    for url in (
        "/feeds/resources/",
        "/api/v2/pages/?type=knowledge.ResourcePage&fields=title",
        "/embed/resources/",
    ):
        text = client.get(url).content.decode()
        assert "Unpublished new title" not in text
        assert "Public crisis toolkit" in text


def test_api_detail_of_a_members_only_page_is_not_found(member_client, content):
    assert member_client.get(f"/api/v2/pages/{content['members'].pk}/").status_code == 404
    assert member_client.get(f"/api/v2/pages/{content['draft'].pk}/").status_code == 404
    assert member_client.get(f"/api/v2/pages/{content['public'].pk}/").status_code == 200


def test_api_filters_by_type_topic_and_evidence_level(client, content):
    data = client.get(
        "/api/v2/pages/?type=knowledge.ResourcePage&evidence=strong&fields=evidence_level"
    ).json()
    assert [item["title"] for item in data["items"]] == ["Strong evidence review"]
    assert data["items"][0]["evidence_level"] == {"slug": "strong", "name": "Strong"}
    titles = {i["title"] for i in client.get("/api/v2/pages/?topic=crisis-services&limit=20").json()["items"]}
    assert titles == {"Public crisis toolkit", "Open crisis webinar", "Crisis Now Network"}


def test_api_answers_an_unknown_topic_with_a_400_and_a_message(client, content):
    response = client.get("/api/v2/pages/?topic=no-such-topic")
    assert response.status_code == 400
    assert "unknown topic" in response.json()["message"]


def test_api_documents_and_images_leave_out_restricted_collections(client, content):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    Document = get_document_model()
    root = Collection.get_first_root_node()
    private = root.add_child(name="Members documents")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    Document.objects.create(title="Public slides", file=ContentFile(b"x", name="public.txt"), collection=root)
    Document.objects.create(
        title="Members notes", file=ContentFile(b"x", name="notes.txt"), collection=private
    )
    titles = [item["title"] for item in client.get("/api/v2/documents/").json()["items"]]
    assert titles == ["Public slides"]


def test_resource_feeds_are_valid_rss_and_atom_with_required_elements(client, content):
    rss = feedparser.parse(client.get("/feeds/resources/").content)
    assert rss.version == "rss20" and not rss.bozo
    assert rss.feed.title == "New and updated resources"
    entry = next(e for e in rss.entries if e.title == "Public crisis toolkit")
    assert entry.link.endswith(content["public"].url)
    assert entry.id.endswith(f"/r/{content['public'].pk}/")
    assert entry.published_parsed and entry.summary
    atom = feedparser.parse(client.get("/feeds/resources/atom/?topic=crisis-services").content)
    assert atom.version == "atom10" and not atom.bozo
    assert atom.feed.title == "Resources on Crisis services and 988"
    assert [e.title for e in atom.entries] == ["Public crisis toolkit"]
    assert all(e.updated_parsed for e in atom.entries)


def test_events_feed_lists_upcoming_open_events_only(client, content, home_page):
    feed = feedparser.parse(client.get("/feeds/events/").content)
    assert feed.version == "rss20" and not feed.bozo
    assert [e.title.split(" (")[0] for e in feed.entries] == ["Open crisis webinar"]


def test_an_unknown_topic_in_a_feed_or_embed_is_a_404_with_a_message(client, content):
    assert client.get("/feeds/resources/?topic=nope").status_code == 404
    response = client.get("/embed/resources/?topic=nope")
    assert response.status_code == 404
    assert "There is no topic with that name" in response.content.decode()


def test_embed_limit_is_kept_between_1_and_20(client, content):
    assert client.get("/embed/resources/?limit=1").content.decode().count('class="hub-embed__item"') == 1
    assert client.get("/embed/resources/?limit=abc").status_code == 200
    assert client.get("/embed/resources/?limit=-5").content.decode().count('class="hub-embed__item"') == 1
