"""Framing and CORS headers, stable links, OpenSearch, robots.txt and referral counts."""

import pytest
from django.utils import timezone

from community.models import ReferralCount

pytestmark = pytest.mark.django_db


def frame_ancestors(response):
    """The framing rule of the response's Content-Security-Policy."""
    rules = [rule.strip() for rule in response["Content-Security-Policy"].split(";")]
    return next(rule for rule in rules if rule.startswith("frame-ancestors"))


def test_the_embed_may_be_framed_by_any_site(client, content):
    response = client.get("/embed/resources/")
    assert frame_ancestors(response) == "frame-ancestors *"
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize(
    "path", ["/", "/resources/", "public-resource", "/feeds/resources/", "/api/v2/pages/"]
)
def test_every_other_page_refuses_framing_by_other_sites(client, content, path):
    if path == "public-resource":
        path = content["public"].url
    for _ in range(2):  # the second view comes from the page cache
        response = client.get(path)
        assert frame_ancestors(response) == "frame-ancestors 'self'"
    assert response.get("X-Frame-Options") in ("DENY", "SAMEORIGIN")


def test_a_cached_embed_is_still_frameable(client, content):
    client.get("/embed/events/")
    response = client.get("/embed/events/")
    assert response["X-Page-Cache"] == "hit"
    assert frame_ancestors(response) == "frame-ancestors *"
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize(
    "path", ["/api/v2/pages/", "/feeds/resources/", "/embed/resources/", "/opensearch.xml"]
)
def test_partner_facing_addresses_allow_get_from_any_origin(client, content, path):
    response = client.get(path, HTTP_ORIGIN="https://partner.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(path, HTTP_ORIGIN="https://partner.example.org")
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_ordinary_pages_do_not_allow_other_origins(client, content):
    assert "Access-Control-Allow-Origin" not in client.get("/resources/")


def test_stable_link_redirects_permanently_to_the_current_address(client, content):
    resource = content["public"]
    response = client.get(f"/r/{resource.pk}/")
    assert response.status_code == 301
    assert response["Location"] == resource.url
    resource.slug = "renamed-toolkit"
    resource.save_revision().publish()
    assert client.get(f"/r/{resource.pk}/")["Location"].endswith("/renamed-toolkit/")


def test_stable_link_of_a_draft_or_unknown_id_is_not_found(client, content):
    assert client.get(f"/r/{content['draft'].pk}/").status_code == 404
    assert client.get("/r/999999/").status_code == 404


def test_stable_link_of_a_members_only_resource_asks_anonymous_visitors_to_sign_in(
    client, member_client, content
):
    members = content["members"]
    from django.test import Client

    response = Client().get(f"/r/{members.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    assert members.slug not in response["Location"]
    assert member_client.get(f"/r/{members.pk}/")["Location"] == members.url


def test_resource_page_shows_its_stable_link_and_partner_communities(client, content):
    from community.models import PartnerCommunityPage

    partner = PartnerCommunityPage.objects.get(pk=content["partner"].pk)
    partner.shared_resources.add(content["public"])
    partner.save_revision().publish()
    html = client.get(content["public"].url).content.decode()
    assert f"/r/{content['public'].pk}/" in html
    assert "Shared with partner communities" in html and "Crisis Now Network" in html


def test_opensearch_description_points_at_the_search_page(client):
    response = client.get("/opensearch.xml")
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    assert "http://testserver/search/?q={searchTerms}" in response.content.decode()
    assert 'rel="search"' in client.get("/").content.decode()


def test_robots_txt_names_the_sitemap_and_keeps_robots_out_of_private_areas(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /account/" in text


def test_a_visit_with_ref_is_counted_for_the_partner_once_per_visitor(client, content):
    partner = content["partner"]
    resource_url = content["public"].url
    first = client.get(f"{resource_url}?ref={partner.slug}", REMOTE_ADDR="198.51.100.1")
    second = client.get(f"{resource_url}?ref={partner.slug}", REMOTE_ADDR="198.51.100.2")
    assert first.status_code == second.status_code == 200
    # The second view came from the page cache and still counted.
    assert second["X-Page-Cache"] == "hit"
    count = ReferralCount.objects.get(partner=partner, day=timezone.localdate())
    assert (count.via_link, count.via_website) == (2, 0)


def test_a_loop_of_visits_from_one_client_counts_once(client, content):
    partner = content["partner"]
    for _ in range(20):
        client.get(f"/resources/?ref={partner.slug}", REMOTE_ADDR="198.51.100.1")
        client.get("/resources/", REMOTE_ADDR="198.51.100.1", HTTP_REFERER=f"{partner.website}news/")
    count = ReferralCount.objects.get(partner=partner, day=timezone.localdate())
    assert (count.via_link, count.via_website) == (1, 1)


def test_ref_does_not_split_the_page_cache(client, content):
    partner = content["partner"]
    url = content["public"].url
    client.get(url)
    assert client.get(f"{url}?ref={partner.slug}")["X-Page-Cache"] == "hit"


def test_a_visit_from_a_partner_website_is_counted(client, content):
    partner = content["partner"]
    client.get("/resources/", HTTP_REFERER=f"{partner.website}news/some-article")
    assert ReferralCount.objects.get(partner=partner).via_website == 1


def test_unknown_codes_own_pages_and_failed_pages_count_nothing(client, content):
    partner = content["partner"]
    client.get("/resources/?ref=someone-else")
    client.get("/resources/", HTTP_REFERER="http://testserver/")
    client.get(f"/no-such-page/?ref={partner.slug}")
    client.get("/resources/", HTTP_REFERER="https://unrelated.example.com/")
    assert not ReferralCount.objects.exists()


def test_referral_counts_store_no_personal_data():
    fields = {field.name for field in ReferralCount._meta.get_fields()}
    assert fields == {"id", "partner", "day", "via_link", "via_website"}
