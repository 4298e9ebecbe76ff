"""Partner communities in the browser: a partner's feed served from its own
server (127.0.0.1) is read by fetch_partner_feeds and shows on the partner page
and Across the network; the directory filters; the embed works inside another
site's page. axe-checked: directory, partner page, network page, Link to us, embed."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from community.partners.factories import (
    CommunityIndexPageFactory,
    LinkToUsPageFactory,
    NetworkUpdatesPageFactory,
    PartnerCommunityPageFactory,
)
from hub.models import Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory
from tests.community.partner_server import ATOM, MALFORMED, RSS, Answer, partner_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def network(home_page):
    workforce = Topic.objects.get(slug="workforce")
    library = publish(ResourceIndexPageFactory(parent=home_page))
    toolkit = publish(
        ResourcePageFactory(parent=library, title="Peer supervision toolkit", topics=[workforce])
    )
    directory = publish(CommunityIndexPageFactory(parent=home_page, introduction="Communities we work with."))
    pages = {
        "directory": directory,
        "network": publish(NetworkUpdatesPageFactory(parent=directory)),
        "link_to_us": publish(LinkToUsPageFactory(parent=directory)),
        "toolkit": toolkit,
    }
    return pages, workforce


def test_partner_feed_items_appear_on_the_partner_page_after_fetching(page, network, axe):
    pages, workforce = network
    routes = {"/news.xml": Answer(RSS), "/atom.xml": Answer(ATOM), "/broken.xml": Answer(MALFORMED)}
    with partner_server(routes) as base:
        peers = publish(
            PartnerCommunityPageFactory(
                parent=pages["directory"],
                title="Northeast Peer Network",
                slug="northeast-peers",
                topics=[workforce],
                shared_resources=[pages["toolkit"]],
                news_feed_url=f"{base}/news.xml",
            )
        )
        publish(
            PartnerCommunityPageFactory(
                parent=pages["directory"], title="Research Network", news_feed_url=f"{base}/atom.xml"
            )
        )
        publish(
            PartnerCommunityPageFactory(
                parent=pages["directory"], title="Broken Feeds", news_feed_url=f"{base}/broken.xml"
            )
        )
        call_command("fetch_partner_feeds", stdout=io.StringIO())

    page.goto(pages["directory"].url)
    page.get_by_label("Topic").select_option("workforce")
    page.get_by_role("button", name="Show communities").click()
    expect(page.get_by_role("link", name="Northeast Peer Network")).to_be_visible()
    expect(page.get_by_role("link", name="Research Network")).to_have_count(0)
    violations = axe(page)
    assert not violations, violations.report()

    page.get_by_role("link", name="Northeast Peer Network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northeast Peer Network")
    expect(page.get_by_role("link", name="Peer specialists & the 988 rollout")).to_be_visible()
    expect(page.get_by_text("What peers learned in year one.")).to_be_visible()
    expect(page.get_by_role("link", name="Peer supervision toolkit")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    page.goto(pages["network"].url)
    expect(page.get_by_role("link", name="Call for pilot sites")).to_be_visible()
    expect(page.get_by_role("link", name="Supervision guide published")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    # The resource lists the partner it is shared with.
    page.goto(pages["toolkit"].url)
    page.get_by_role("region", name="Shared with partner communities").get_by_role(
        "link", name="Northeast Peer Network"
    ).click()
    expect(page).to_have_url(f"{page.url.split('/communities/')[0]}{peers.url}")


def test_link_to_us_page_and_its_embedded_list_are_accessible(page, network, axe, live_server):
    pages, _workforce = network
    page.goto(pages["link_to_us"].url)
    expect(page.get_by_role("heading", name="Show our latest resources on your website")).to_be_visible()
    expect(page.get_by_text(f"{live_server.url}/feeds/resources/atom/")).to_be_visible()
    frame = page.frame_locator("iframe.link-to-us__preview")
    expect(frame.get_by_role("link", name="Peer supervision toolkit (opens in a new tab)")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    page.goto("/embed/resources/?topic=workforce&limit=5")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Latest resources on Workforce")
    violations = axe(page)
    assert not violations, violations.report()


def test_the_embed_shows_inside_another_sites_page_and_other_pages_do_not(page, network, live_server):
    # A partner's page, served by the partner's own server (another origin), framing the hub.
    partner_html = (
        f'<html lang="en"><head><title>Partner</title></head><body><h1>Partner site</h1>'
        f'<iframe id="embed" title="Hub resources" src="{live_server.url}/embed/resources/"></iframe>'
        f'<iframe id="home" title="Hub home" src="{live_server.url}/"></iframe></body></html>'
    )
    with partner_server({"/partner-page": Answer(partner_html, content_type="text/html")}) as partner_site:
        page.goto(f"{partner_site}/partner-page")
        embed = page.frame_locator("#embed")
        expect(
            embed.get_by_role("link", name="Peer supervision toolkit (opens in a new tab)")
        ).to_be_visible()
        # The home page refuses to be framed by another site: the browser shows an error instead.
        page.wait_for_load_state("load")
        home = next(
            frame
            for frame in page.frames
            if frame.name == "" and frame != page.main_frame and "embed" not in frame.url
        )
        assert "Skip to main content" not in home.content()
