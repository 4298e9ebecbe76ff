import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory
from events.factories import EventIndexPageFactory, EventPageFactory
from hub.models import EvidenceLevel, Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

MEMBER_GROUPS = ["Members", "CMHC staff", "Partners"]


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def restrict(page):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set(Group.objects.filter(name__in=MEMBER_GROUPS))
    page.refresh_from_db()
    return page


@pytest.fixture
def content(home_page):
    """One public, one members-only and one draft of each kind, all on crisis services."""
    crisis = Topic.objects.get(slug="crisis-services")
    library = publish(ResourceIndexPageFactory(parent=home_page))
    events = publish(EventIndexPageFactory(parent=home_page))
    directory = publish(CommunityIndexPageFactory(parent=home_page))
    public = publish(ResourcePageFactory(parent=library, title="Public crisis toolkit", topics=[crisis]))
    members = restrict(
        publish(ResourcePageFactory(parent=library, title="Members crisis toolkit", topics=[crisis]))
    )
    draft = ResourcePageFactory(parent=library, title="Draft crisis toolkit", topics=[crisis], live=False)
    strong = publish(
        ResourcePageFactory(
            parent=library,
            title="Strong evidence review",
            evidence_level=EvidenceLevel.objects.get(slug="strong"),
        )
    )
    public_event = publish(EventPageFactory(parent=events, title="Open crisis webinar", topics=[crisis]))
    members_event = publish(
        EventPageFactory(parent=events, title="Members crisis training", topics=[crisis], access="members")
    )
    draft_event = EventPageFactory(parent=events, title="Draft crisis session", topics=[crisis], live=False)
    partner = publish(
        PartnerCommunityPageFactory(parent=directory, title="Crisis Now Network", topics=[crisis])
    )
    members_partner = restrict(
        publish(PartnerCommunityPageFactory(parent=directory, title="Closed Partner Circle"))
    )
    return {
        "public": public,
        "members": members,
        "draft": draft,
        "strong": strong,
        "public_event": public_event,
        "members_event": members_event,
        "draft_event": draft_event,
        "partner": partner,
        "members_partner": members_partner,
        "library": library,
    }


HIDDEN_TITLES = [
    "Members crisis toolkit",
    "Draft crisis toolkit",
    "Members crisis training",
    "Draft crisis session",
    "Closed Partner Circle",
]


@pytest.fixture
def member_client(client, make_user):
    client.force_login(make_user("morgan", "Members"))
    return client
