"""Partner community pages, the directory, the network page, editors' views,
the search contract and check_links."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.test.utils import WagtailPageTestCase

from community.models import (
    CommunityIndexPage,
    LinkCheck,
    NetworkUpdatesPage,
    PartnerCommunityPage,
    PartnerUpdate,
    ReferralCount,
)
from community.partners.factories import (
    CommunityIndexPageFactory,
    NetworkUpdatesPageFactory,
    PartnerCommunityPageFactory,
)
from hub.models import Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory
from search.service import kinds

from .partner_server import Answer, partner_server

pytestmark = pytest.mark.django_db


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def directory(home_page):
    return publish(CommunityIndexPageFactory(parent=home_page))


@pytest.fixture
def partners(directory, restrict):
    workforce = Topic.objects.get(slug="workforce")
    crisis = Topic.objects.get(slug="crisis-services")
    return {
        "peers": publish(
            PartnerCommunityPageFactory(
                parent=directory, title="Peer Alliance", topics=[workforce], relationship="partner"
            )
        ),
        "research": publish(
            PartnerCommunityPageFactory(
                parent=directory, title="Research Network", topics=[crisis], relationship="affiliated"
            )
        ),
        "closed": restrict(publish(PartnerCommunityPageFactory(parent=directory, title="Closed Circle"))),
        "draft": PartnerCommunityPageFactory(parent=directory, title="Draft Partner", live=False),
    }


class TestPageTree(WagtailPageTestCase):
    def test_partner_pages_live_in_the_directory(self):
        self.assertAllowedParentPageTypes(PartnerCommunityPage, {CommunityIndexPage})
        self.assertAllowedSubpageTypes(PartnerCommunityPage, set())
        self.assertAllowedParentPageTypes(NetworkUpdatesPage, {CommunityIndexPage})


def test_directory_lists_live_partners_the_reader_may_see(client, directory, partners):
    html = client.get(directory.url).content.decode()
    assert "Peer Alliance" in html and "Research Network" in html
    assert "Closed Circle" not in html and "Draft Partner" not in html


def test_members_see_members_only_partners_in_the_directory(client, directory, partners, member):
    client.force_login(member)
    assert "Closed Circle" in client.get(directory.url).content.decode()


def test_directory_filters_by_topic_and_relationship(client, directory, partners):
    html = client.get(f"{directory.url}?topic=workforce").content.decode()
    assert "Peer Alliance" in html and "Research Network" not in html
    html = client.get(f"{directory.url}?relationship=affiliated").content.decode()
    assert "Research Network" in html and "Peer Alliance" not in html


def test_unknown_filter_values_are_left_out_with_a_message(client, directory, partners):
    response = client.get(f"{directory.url}?topic=nope&relationship=enemy")
    html = response.content.decode()
    assert response.status_code == 200
    assert "topic filter was left out" in html and "was left out" in html
    assert "Peer Alliance" in html and "Research Network" in html


def test_partner_page_shows_its_updates_and_visible_shared_resources(client, home_page, partners, restrict):
    library = publish(ResourceIndexPageFactory(parent=home_page))
    shared = publish(ResourcePageFactory(parent=library, title="Shared peer toolkit"))
    hidden = restrict(publish(ResourcePageFactory(parent=library, title="Members peer notes")))
    peers = partners["peers"]
    peers.shared_resources.set([shared, hidden])
    publish(peers)
    PartnerUpdate.objects.create(
        partner=peers, guid="a", title="Peer week announced", published=timezone.now()
    )
    html = client.get(peers.url).content.decode()
    assert "Peer week announced" in html
    assert "Shared peer toolkit" in html and "Members peer notes" not in html


def test_network_page_gathers_updates_from_visible_partners_only(client, directory, partners):
    network = publish(NetworkUpdatesPageFactory(parent=directory))
    PartnerUpdate.objects.create(partner=partners["peers"], guid="1", title="Open peer update")
    PartnerUpdate.objects.create(partner=partners["closed"], guid="2", title="Closed circle update")
    html = client.get(network.url).content.decode()
    assert "Open peer update" in html and "Closed circle update" not in html


def test_editors_see_referral_counts_on_the_partner_page_and_visitors_do_not(client, partners, make_user):
    peers = partners["peers"]
    ReferralCount.objects.create(partner=peers, day=timezone.localdate(), via_link=7, via_website=2)
    assert "Visits they sent us" not in client.get(peers.url).content.decode()
    client.force_login(make_user("ed", "Editors"))
    response = client.get(peers.url)
    html = response.content.decode()
    assert "Visits they sent us" in html and "<strong>9</strong>" in html
    assert "private" in response["Cache-Control"]


def test_referral_counts_are_exported_as_csv_for_editors(client, partners, make_user):
    ReferralCount.objects.create(partner=partners["peers"], day=timezone.localdate(), via_link=3)
    client.force_login(make_user("ed", "Editors"))
    response = client.get("/admin/community/referralcount/?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Peer Alliance" in text and ",3," in text


def test_members_cannot_open_the_referral_admin(client, partners, member):
    client.force_login(member)
    assert client.get("/admin/community/referralcount/").status_code in (302, 403)


def test_partner_pages_follow_the_search_contract(partners):
    peers = PartnerCommunityPage.objects.get(pk=partners["peers"].pk)
    assert PartnerCommunityPage.search_type == "Partner community"
    assert peers.topic_names() == "Workforce"
    assert peers.search_date == timezone.localdate(peers.last_published_at)
    assert PartnerCommunityPage in [kind.model for kind in kinds().values()]
    names = {getattr(f, "field_name", None) for f in PartnerCommunityPage.search_fields}
    assert {"topic_names", "description", "audience"} <= names


def test_a_logo_needs_alt_text(partners):
    from django.core.exceptions import ValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    peers = partners["peers"]
    peers.logo = Image.objects.create(title="Logo", file=get_test_image_file())
    with pytest.raises(ValidationError, match="Describe the logo"):
        peers.full_clean()


def test_check_links_lists_broken_links_and_notes_redirects(home_page, partners):
    library = publish(ResourceIndexPageFactory(parent=home_page))
    routes = {
        "/ok": Answer("fine", content_type="text/html"),
        "/gone": Answer("gone", status=404, content_type="text/html"),
        "/moved": Answer("", status=301, headers={"Location": "/ok"}),
        "/broken-server": Answer("oops", status=503, content_type="text/html"),
    }
    with partner_server(routes) as base:
        ok = publish(ResourcePageFactory(parent=library, title="Fine", source_url=f"{base}/ok"))
        gone = publish(ResourcePageFactory(parent=library, title="Gone", source_url=f"{base}/gone"))
        moved = publish(ResourcePageFactory(parent=library, title="Moved", source_url=f"{base}/moved"))
        peers = partners["peers"]
        peers.website = f"{base}/broken-server"
        publish(peers)
        out = io.StringIO()
        call_command("check_links", stdout=out)
    checks = {(c.page_id, c.field): c for c in LinkCheck.objects.all()}
    assert not checks[(ok.pk, "Original source")].is_broken
    assert checks[(gone.pk, "Original source")].is_broken
    assert checks[(gone.pk, "Original source")].status_code == 404
    assert not checks[(moved.pk, "Original source")].is_broken
    assert checks[(moved.pk, "Original source")].final_url == f"{base}/ok"
    assert checks[(peers.pk, "Website")].is_broken
    assert "503" in checks[(peers.pk, "Website")].problem
    assert "broken" in out.getvalue()


def test_check_links_records_a_timeout(home_page, monkeypatch):
    from community.partners import links

    monkeypatch.setattr(links, "TIMEOUT", 0.3)
    library = publish(ResourceIndexPageFactory(parent=home_page))
    with partner_server({"/slow": Answer("late", delay=1.5, content_type="text/html")}) as base:
        slow = publish(ResourcePageFactory(parent=library, title="Slow", source_url=f"{base}/slow"))
        call_command("check_links", stdout=io.StringIO())
    check = LinkCheck.objects.get(page_id=slow.pk)
    assert check.is_broken and "No answer" in check.problem


def test_check_links_refuses_links_that_lead_to_internal_addresses_at_any_hop(home_page):
    library = publish(ResourceIndexPageFactory(parent=home_page))
    internal_page = Answer("admin console", content_type="text/html")
    with partner_server({"/console": internal_page}, trusted=False) as internal_base:
        routes = {
            "/moved": Answer("", status=301, headers={"Location": "/moved-again"}),
            "/moved-again": Answer("", status=302, headers={"Location": f"{internal_base}/console"}),
            "/metadata": Answer("", status=307, headers={"Location": "http://169.254.169.254/latest/"}),
            "/private": Answer("", status=302, headers={"Location": "http://10.1.2.3/"}),
        }
        with partner_server(routes) as base:
            pages = {
                name: publish(ResourcePageFactory(parent=library, title=name, source_url=url))
                for name, url in {
                    "Via two hops": f"{base}/moved",
                    "Metadata": f"{base}/metadata",
                    "Private": f"{base}/private",
                    "Direct": f"{internal_base}/console",
                }.items()
            }
            call_command("check_links", stdout=io.StringIO())
    assert internal_page.hosts == []
    assert routes["/moved-again"].hosts, "the partner's own redirects are followed"
    for name, page in pages.items():
        check = LinkCheck.objects.get(page_id=page.pk)
        assert check.is_broken, name
        assert "internal network address" in check.problem, name


def test_editors_see_the_broken_links_report(client, home_page, make_user):
    library = publish(ResourceIndexPageFactory(parent=home_page))
    page = publish(ResourcePageFactory(parent=library, title="Gone resource"))
    LinkCheck.objects.create(
        page=page, field="Original source", url="https://x.example/", is_broken=True, problem="404"
    )
    client.force_login(make_user("ed", "Editors"))
    html = client.get("/admin/community/linkcheck/?is_broken__exact=1").content.decode()
    assert "Gone resource" in html and "https://x.example/" in html
