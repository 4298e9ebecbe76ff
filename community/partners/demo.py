"""Demo partner communities: the directory (/communities/), four partner CoPs,
"Across the network", the "Link to us" page and shared resources and events.

The partners' feeds are files in static/demo/partner-feeds/ (their addresses
point at the local hub, so fetch_partner_feeds works against `make run`); the
loader reads those files from disk and stores their items, so nothing is
fetched from the network."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from wagtail.models import Site

from community.models import CommunityIndexPage, NetworkUpdatesPage, PartnerCommunityPage, PartnerUpdate
from hub.models import Topic
from hub.roles import page_editors_group
from syndication.models import LinkToUsPage

from . import feeds_in

FEEDS_DIR = Path(settings.BASE_DIR) / "static" / "demo" / "partner-feeds"

DEMO_CONTRIBUTOR_PARTNER = "northeast-mhttn"
PARTNERS = [
    {
        "slug": "northeast-mhttn",
        "title": "Northeast Mental Health Technology Transfer Network",
        "relationship": "partner",
        "description": (
            "A regional technology transfer center that trains and coaches the behavioral health "
            "workforce in New England and New York, from measurement-based care to peer supervision."
        ),
        "body": (
            "<p>We run joint learning sessions with the network and share training materials both ways. "
            "Their coaches support the CoP's workforce working group.</p>"
        ),
        "website": "https://northeast-mhttn.example.org/",
        "contact": ("Priya Raman", "info@northeast-mhttn.example.org"),
        "topics": ["workforce", "integrated-care"],
        "news": "northeast-mhttn.xml",
        "events": None,
        "resource_topics": ["workforce"],
    },
    {
        "slug": "rural-bh-research",
        "title": "Rural Behavioral Health Research Network",
        "relationship": "affiliated",
        "description": (
            "Researchers and rural CMHCs in twelve states studying how to bring timely, equitable care "
            "to rural communities, including telehealth and crisis follow-up."
        ),
        "body": (
            "<p>Network researchers review evidence for the hub and co-author research briefs "
            "with members.</p>"
        ),
        "website": "https://ruralbhresearch.example.org/",
        "contact": ("Dr. Samuel Okafor", "network@ruralbhresearch.example.org"),
        "topics": ["access-to-care", "telehealth"],
        "news": "rural-bh-research.xml",
        "events": None,
        "resource_topics": ["telehealth", "access-to-care"],
    },
    {
        "slug": "midwest-peer-alliance",
        "title": "Midwest Peer Support Alliance",
        "relationship": "partner",
        "description": (
            "A network of peer specialists and peer-run organisations in seven Midwestern states, "
            "working for peer support as a full part of community mental health care."
        ),
        "body": "<p>Alliance members co-chair the CoP's workforce and peer support working group.</p>",
        "website": "https://midwestpeers.example.org/",
        "contact": ("Jamie Lindqvist", "hello@midwestpeers.example.org"),
        "topics": ["peer-support", "workforce"],
        "news": "midwest-peer-alliance.xml",
        "events": "midwest-peer-alliance.ics",
        "resource_topics": ["peer-support"],
    },
    {
        "slug": "great-lakes-ccbhc-council",
        "title": "Great Lakes Council of Community Behavioral Health Centers",
        "relationship": "related",
        "description": (
            "The state associations of CMHCs and CCBHCs around the Great Lakes, sharing policy updates "
            "and practice on crisis services and the CCBHC model."
        ),
        "body": "",
        "website": "https://greatlakes-ccbhc.example.org/",
        "contact": ("", "council@greatlakes-ccbhc.example.org"),
        "topics": ["ccbhc", "crisis-services"],
        "news": None,
        "events": None,
        "resource_topics": ["ccbhc"],
    },
]


def _publish(page):
    page.save_revision().publish()
    return page


def _feed_address(name):
    """The demo feed file's address on the local hub (the admin's base address,
    or the `make run` address when that is not a full web address)."""
    if not name:
        return ""
    path = f"/static/demo/partner-feeds/{name}"
    try:
        URLValidator()(settings.WAGTAILADMIN_BASE_URL + path)
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
    except ValidationError:
        return "http://127.0.0.1:8000" + path


def _store_demo_feed(partner, kind, name):
    if not name:
        return
    body = (FEEDS_DIR / name).read_bytes()
    parse = feeds_in.parse_news if kind == PartnerUpdate.NEWS else feeds_in.parse_events
    feeds_in.store(partner, kind, parse(body))


def load(stdout):
    from events.models import EventPage
    from knowledge.models import ResourcePage

    home = Site.objects.get(is_default_site=True).root_page.specific
    index = CommunityIndexPage.objects.child_of(home).first()
    if index is None:
        index = CommunityIndexPage(
            title="Partner communities",
            slug="communities",
            show_in_menus=True,
            introduction=(
                "Other communities of practice we learn from and work with: regional training centers, "
                "research networks, peer-support networks and CMHC associations. Their latest news and "
                "events are gathered in “Across the network”."
            ),
            listing_summary="Partner and related communities of practice in mental health research and care.",
        )
        home.add_child(instance=index)
        _publish(index)

    for spec in PARTNERS:
        partner = PartnerCommunityPage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if partner is None:
            partner = PartnerCommunityPage(slug=spec["slug"])
            is_new = True
        else:
            is_new = False
        partner.title = spec["title"]
        partner.relationship = spec["relationship"]
        partner.description = spec["description"]
        partner.body = spec["body"]
        partner.website = spec["website"]
        partner.contact_name, partner.contact_email = spec["contact"]
        partner.news_feed_url = _feed_address(spec["news"])
        partner.events_feed_url = _feed_address(spec["events"])
        if is_new:
            index.add_child(instance=partner)
        partner.topics.set(Topic.objects.filter(slug__in=spec["topics"]))
        resources = (
            ResourcePage.objects.live()
            .public()
            .filter(topics__slug__in=spec["resource_topics"])
            .distinct()
            .order_by("-publication_year", "pk")[:3]
        )
        partner.shared_resources.set(resources)
        if spec["slug"] in ("northeast-mhttn", "midwest-peer-alliance"):
            events = EventPage.objects.live().public().filter(start__gte=timezone.now()).order_by("start")[:1]
            partner.shared_events.set(events)
        _publish(partner)
        _store_demo_feed(partner, PartnerUpdate.NEWS, spec["news"])
        _store_demo_feed(partner, PartnerUpdate.EVENT, spec["events"])

    # The demo contributor is a partner organisation: it edits its own partner page.
    contributor = get_user_model().objects.filter(username="contributor").first()
    own = PartnerCommunityPage.objects.child_of(index).filter(slug=DEMO_CONTRIBUTOR_PARTNER).first()
    if contributor is not None and own is not None:
        contributor.groups.add(page_editors_group(own, f"Partner editors: {own.title}"))

    if not NetworkUpdatesPage.objects.child_of(index).exists():
        index.add_child(
            instance=NetworkUpdatesPage(
                title="Across the network",
                slug="network",
                introduction=(
                    "The latest news and events from our partner communities, from their own websites."
                ),
            )
        )
        _publish(NetworkUpdatesPage.objects.child_of(index).get())
    if not LinkToUsPage.objects.child_of(index).exists():
        index.add_child(
            instance=LinkToUsPage(
                title="Link to us",
                slug="link-to-us",
                introduction=(
                    "Share the hub's resources and events on your own website: a list to embed, feeds, "
                    "our calendar, a search box and links that keep working."
                ),
                body="<p>Want to be listed as a partner community? Write to us at the address below.</p>",
            )
        )
        _publish(LinkToUsPage.objects.child_of(index).get())
    stdout.write(
        f"Partner communities: {len(PARTNERS)} partners, network updates and Link to us page; "
        "the contributor account edits the Northeast partner page."
    )
