"""fetch_partner_feeds against a partner's server on 127.0.0.1."""

import io
import itertools
import socket

import pytest
from django.core.management import call_command

from community.models import PartnerFeedResult, PartnerUpdate
from community.partners import feeds_in
from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory

from .partner_server import ATOM, ICS, MALFORMED, NOT_A_FEED, RSS, Answer, partner_server

pytestmark = pytest.mark.django_db


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def directory(home_page):
    return publish(CommunityIndexPageFactory(parent=home_page))


@pytest.fixture
def make_partner(directory):
    def make(title, **extra):
        return publish(PartnerCommunityPageFactory(parent=directory, title=title, **extra))

    return make


def run_command():
    out = io.StringIO()
    call_command("fetch_partner_feeds", stdout=out)
    return out.getvalue()


def test_a_malformed_feed_is_recorded_as_failed_while_the_others_succeed(make_partner):
    routes = {
        "/news.xml": Answer(RSS),
        "/events.ics": Answer(ICS, content_type="text/calendar"),
        "/broken.xml": Answer(MALFORMED),
        "/atom.xml": Answer(ATOM, content_type="application/atom+xml"),
    }
    with partner_server(routes) as base:
        broken = make_partner("Broken Feeds Collaborative", news_feed_url=f"{base}/broken.xml")
        peers = make_partner(
            "Northeast Peer Network", news_feed_url=f"{base}/news.xml", events_feed_url=f"{base}/events.ics"
        )
        research = make_partner("Rural Research Network", news_feed_url=f"{base}/atom.xml")
        output = run_command()

    results = {(r.partner_id, r.kind): r for r in PartnerFeedResult.objects.all()}
    assert not results[(broken.pk, "news")].succeeded
    assert "not well-formed XML" in results[(broken.pk, "news")].message
    assert results[(peers.pk, "news")].succeeded
    assert results[(peers.pk, "event")].succeeded
    assert results[(research.pk, "news")].succeeded
    assert not broken.updates.exists()
    assert set(peers.updates.values_list("title", flat=True)) == {
        "Peer specialists & the 988 rollout",
        "Supervision guide published",
        "Bad link item",
        "Peer network open call",
    }
    assert research.updates.get().title == "Call for pilot sites"
    assert "4 feeds read, 3 succeeded, 1 failed." in output


def test_html_in_summaries_is_reduced_to_plain_text_and_unsafe_links_are_dropped(make_partner):
    with partner_server({"/news.xml": Answer(RSS)}) as base:
        peers = make_partner("Northeast Peer Network", news_feed_url=f"{base}/news.xml")
        run_command()
    item = peers.updates.get(guid="https://peers.example.org/news/988")
    assert item.summary == "What peers learned in year one."
    assert "<" not in item.summary and "alert" not in item.summary
    assert peers.updates.get(guid="bad-link").link == ""


def test_duplicate_items_are_stored_once_and_a_second_run_adds_nothing(make_partner):
    with partner_server({"/news.xml": Answer(RSS)}) as base:
        peers = make_partner("Northeast Peer Network", news_feed_url=f"{base}/news.xml")
        run_command()
        run_command()
    assert peers.updates.filter(title="Supervision guide published").count() == 1
    first, second = PartnerFeedResult.objects.order_by("run_started_at", "pk")
    assert (first.new_items, second.new_items, second.updated_items) == (3, 0, 0)


def test_a_cancelled_event_in_a_partner_calendar_is_left_out(make_partner):
    with partner_server({"/events.ics": Answer(ICS, content_type="text/calendar")}) as base:
        peers = make_partner("Northeast Peer Network", events_feed_url=f"{base}/events.ics")
        run_command()
    assert list(peers.updates.values_list("title", "kind")) == [
        ("Peer network open call", PartnerUpdate.EVENT)
    ]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Answer(NOT_A_FEED, content_type="text/html"), "does not give an RSS or Atom feed"),
        (Answer("gone", status=500, content_type="text/plain"), "answered 500"),
        (Answer(b"<rss>" + b"x" * (feeds_in.MAX_BYTES + 10)), "larger than"),
    ],
    ids=["html-page", "server-error", "oversized"],
)
def test_a_bad_answer_is_recorded_with_a_plain_reason(make_partner, answer, reason):
    with partner_server({"/feed": answer}) as base:
        partner = make_partner("Troubled Partner", news_feed_url=f"{base}/feed")
        run_command()
    result = PartnerFeedResult.objects.get(partner=partner)
    assert not result.succeeded
    assert reason in result.message


def test_an_oversized_body_without_content_length_is_capped():
    body = b"<rss>" + b"x" * (feeds_in.MAX_BYTES * 3)
    with partner_server({"/big": Answer(body, send_length=False)}) as base:
        with pytest.raises(feeds_in.FeedProblem, match="larger than"):
            feeds_in.fetch(f"{base}/big")


def test_a_partner_server_that_does_not_answer_in_time_is_recorded_as_failed(make_partner, monkeypatch):
    monkeypatch.setattr(feeds_in, "TIMEOUT", 0.3)
    with partner_server({"/slow.xml": Answer(RSS, delay=1.5), "/news.xml": Answer(ATOM)}) as base:
        slow = make_partner("Slow Partner", news_feed_url=f"{base}/slow.xml")
        fine = make_partner("Fine Partner", news_feed_url=f"{base}/news.xml")
        run_command()
    assert "did not answer" in PartnerFeedResult.objects.get(partner=slow).message
    assert PartnerFeedResult.objects.get(partner=fine).succeeded


def test_a_body_naming_a_local_file_is_not_read_as_that_file(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text(RSS)
    with pytest.raises(feeds_in.FeedProblem):
        feeds_in.parse_news(str(secret).encode())


def test_draft_partner_pages_are_not_fetched(directory):
    with partner_server({"/news.xml": Answer(RSS)}) as base:
        PartnerCommunityPageFactory(
            parent=directory, title="Draft partner", live=False, news_feed_url=f"{base}/news.xml"
        )
        run_command()
    assert not PartnerFeedResult.objects.exists()


# --- internal addresses: refused at every hop ---------------------------------------------

SECRET_RSS = RSS.replace("Peer specialists &amp; the 988 rollout", "Internal secret")


@pytest.mark.parametrize(
    "internal",
    [
        "http://10.0.0.5/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed.xml",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://0.0.0.0/feed.xml",
    ],
)
def test_a_partner_feed_redirecting_to_an_internal_address_is_refused_and_recorded_as_failed(
    make_partner, internal
):
    routes = {"/news.xml": Answer("", status=302, headers={"Location": internal})}
    with partner_server(routes) as base:
        partner = make_partner("Redirecting Partner", news_feed_url=f"{base}/news.xml")
        run_command()
    result = PartnerFeedResult.objects.get(partner=partner)
    assert not result.succeeded
    assert "internal network address" in result.message
    assert not PartnerUpdate.objects.exists()


def test_a_redirect_to_a_server_on_the_hubs_own_machine_is_not_read(make_partner):
    internal_feed = Answer(SECRET_RSS)
    with partner_server({"/admin-feed.xml": internal_feed}, trusted=False) as internal_base:
        hops = {
            "/news.xml": Answer("", status=301, headers={"Location": "/step"}),
            "/step": Answer("", status=302, headers={"Location": f"{internal_base}/admin-feed.xml"}),
        }
        with partner_server(hops) as base:
            partner = make_partner("Redirecting Partner", news_feed_url=f"{base}/news.xml")
            run_command()
    assert internal_feed.hosts == []
    assert hops["/step"].hosts, "the allowed hops before the internal one are followed"
    results = list(PartnerFeedResult.objects.filter(partner=partner))
    assert len(results) == 1 and not results[0].succeeded
    assert "127.0.0.1" in results[0].message
    assert not PartnerUpdate.objects.filter(title="Internal secret").exists()


@pytest.mark.parametrize(
    "address",
    [
        "http://localhost:{port}/news.xml",
        "http://[::ffff:127.0.0.1]:{port}/news.xml",
        "ftp://partner.example.org/news.xml",
        "http://user:secret@127.0.0.1:{port}/news.xml",
    ],
)
def test_a_feed_address_the_hub_does_not_visit_is_refused_without_a_request(make_partner, address):
    feed = Answer(RSS)
    with partner_server({"/news.xml": feed}, trusted=False) as base:
        port = base.rsplit(":", 1)[1]
        partner = make_partner("Odd Partner", news_feed_url=address.format(port=port))
        run_command()
    result = PartnerFeedResult.objects.get(partner=partner)
    assert not result.succeeded and result.message
    assert feed.hosts == []


def test_the_feed_is_read_from_the_address_that_was_checked_not_from_a_second_lookup(
    make_partner, monkeypatch
):
    """DNS rebinding: a name that resolves first to an allowed address, then to an
    internal one, is read from the address checked; the Host header keeps the name."""
    allowed_feed = Answer(ATOM)
    internal_feed = Answer(SECRET_RSS)
    with partner_server({"/news.xml": allowed_feed}) as base:
        port = int(base.rsplit(":", 1)[1])
        with partner_server({"/news.xml": internal_feed}, trusted=False, host="127.0.0.2", port=port):
            real_getaddrinfo = socket.getaddrinfo
            answers = itertools.chain(["127.0.0.1"], itertools.repeat("127.0.0.2"))

            def rebinding_dns(host, *args, **kwargs):
                # The partner's DNS server is the boundary stubbed here.
                if host == "feeds.rebinding.test":
                    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
                return real_getaddrinfo(host, *args, **kwargs)

            monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
            partner = make_partner(
                "Rebinding Partner", news_feed_url=f"http://feeds.rebinding.test:{port}/news.xml"
            )
            run_command()
    assert internal_feed.hosts == []
    assert allowed_feed.hosts == [f"feeds.rebinding.test:{port}"]
    result = PartnerFeedResult.objects.get(partner=partner)
    assert result.succeeded, result.message


def test_a_partner_calendar_redirecting_to_the_metadata_address_is_refused_while_its_news_is_read(
    make_partner,
):
    routes = {
        "/news.xml": Answer(ATOM),
        "/events.ics": Answer(
            "", status=308, headers={"Location": "http://169.254.169.254/latest/user-data"}
        ),
    }
    with partner_server(routes) as base:
        partner = make_partner(
            "Calendar Partner", news_feed_url=f"{base}/news.xml", events_feed_url=f"{base}/events.ics"
        )
        run_command()
    results = {r.kind: r for r in PartnerFeedResult.objects.filter(partner=partner)}
    assert len(results) == 2
    assert results["news"].succeeded
    assert not results["event"].succeeded and "169.254.169.254" in results["event"].message
    assert not PartnerUpdate.objects.filter(kind=PartnerUpdate.EVENT).exists()


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("file:///etc/passwd", "Only web addresses"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "Only web addresses"),
        ("http://admin:secret@partner.example.org/feed.xml", "user name or password"),
    ],
)
def test_a_redirect_to_another_scheme_or_to_an_address_with_credentials_is_refused(
    make_partner, location, reason
):
    routes = {"/news.xml": Answer("", status=302, headers={"Location": location})}
    with partner_server(routes) as base:
        partner = make_partner("Redirecting Partner", news_feed_url=f"{base}/news.xml")
        run_command()
    result = PartnerFeedResult.objects.get(partner=partner)
    assert not result.succeeded and reason in result.message


def test_a_redirect_loop_is_recorded_as_a_failure_after_five_hops(make_partner):
    routes = {
        "/a": Answer("", status=302, headers={"Location": "/b"}),
        "/b": Answer("", status=302, headers={"Location": "/a"}),
    }
    with partner_server(routes) as base:
        partner = make_partner("Looping Partner", news_feed_url=f"{base}/a")
        run_command()
    result = PartnerFeedResult.objects.get(partner=partner)
    assert not result.succeeded and "More than 5 redirects" in result.message
