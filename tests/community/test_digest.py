"""The news digest: what goes in it, once, to whom, how often; the e-mail;
one-click unsubscribe; a mail server that fails; queries that do not grow."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model

from community.digest import build_digests, send_due_digests
from community.digest.message import Renderer
from community.digest.unsubscribe import unsubscribe_path
from community.models import (
    DigestItemSent,
    MemberProfile,
    PartnerUpdate,
    WorkingGroupDocument,
    WorkingGroupMeeting,
    WorkingGroupOutput,
)
from community.partners.factories import CommunityIndexPageFactory, PartnerCommunityPageFactory
from events.access import STAFF
from events.factories import EventPageFactory
from hub.models import Topic
from knowledge.factories import ResourcePageFactory
from knowledge.models import ResourcePage
from tests.hub.faulty_services import FaultySMTPServer
from tests.hub.test_mail_queue import run_worker, time_passes  # noqa: F401  the mail worker, run in-process

from .conftest import publish

pytestmark = pytest.mark.django_db

WEEK = timedelta(days=7)


@pytest.fixture
def topics():
    return {slug: Topic.objects.get(slug=slug) for slug in ("peer-support", "housing", "telehealth")}


@pytest.fixture
def directory(home_page):
    return publish(CommunityIndexPageFactory(parent=home_page))


@pytest.fixture
def make_resource(library):
    def make(title, *topics, **extra):
        return publish(ResourcePageFactory(parent=library, title=title, topics=list(topics), **extra))

    return make


@pytest.fixture
def make_event(events_index):
    def make(title, *topics, **extra):
        return publish(EventPageFactory(parent=events_index, title=title, topics=list(topics), **extra))

    return make


@pytest.fixture
def make_member(make_user):
    def make(username, *groups, topics=(), follow_groups=(), partners=(), frequency="weekly"):
        user = make_user(username, *groups)
        profile = MemberProfile.objects.create(user=user, digest_frequency=frequency)
        profile.topics.set(topics)
        profile.followed_groups.set(follow_groups)
        profile.followed_partners.set(partners)
        return profile

    return make


def titles(digest):
    return {entry.item.title for entries in digest.sections.values() for entry in entries}


def digest_of(profile, now=None):
    found = [d for d in build_digests(now) if d.profile.pk == profile.pk]
    return found[0] if found else None


def message_to(address):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def html_of(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


# --- what goes in it ----------------------------------------------------------------------------


def test_a_member_gets_new_resources_and_upcoming_events_of_followed_topics_only(
    make_member, make_resource, make_event, topics
):
    morgan = make_member("morgan", "Members", topics=[topics["peer-support"]])
    make_resource("Peer support toolkit", topics["peer-support"])
    make_resource("Housing first guide", topics["housing"])
    make_event("Peer support webinar", topics["peer-support"])
    make_event("Housing webinar", topics["housing"])

    digest = digest_of(morgan)
    assert titles(digest) == {"Peer support toolkit", "Peer support webinar"}
    (entry,) = digest.sections["resources"]
    assert entry.reasons == ["the topic Peer support"] and entry.state == "new"


def test_drafts_unpublished_pages_and_past_events_are_left_out(
    make_member, make_resource, make_event, library, topics
):
    morgan = make_member("morgan", "Members", topics=[topics["peer-support"]])
    peer = topics["peer-support"]
    make_resource("Live toolkit", peer)
    ResourcePageFactory(parent=library, title="Draft toolkit", topics=[peer], live=False)
    make_resource("Withdrawn toolkit", peer).unpublish()
    past_start = timezone.now() - timedelta(days=2)
    make_event("Last week's webinar", peer, start=past_start, end=past_start + timedelta(hours=1))
    make_event("Cancelled webinar", peer, cancelled=True)

    assert titles(digest_of(morgan)) == {"Live toolkit"}


def test_members_only_items_go_to_members_and_closed_ones_only_to_their_group(
    make_member, make_resource, make_event, restrict, topics
):
    peer = topics["peer-support"]
    member = make_member("morgan", "Members", topics=[peer])
    staff = make_member("casey", "Members", "CMHC staff", topics=[peer])
    outsider = make_member("robin", topics=[peer])  # has a profile, in no group
    restrict(make_resource("Members-only toolkit", peer))
    make_event("CMHC staff meeting", peer, access=STAFF)
    make_resource("Public brief", peer)

    assert titles(digest_of(member)) == {"Members-only toolkit", "Public brief"}
    assert titles(digest_of(staff)) == {"Members-only toolkit", "Public brief", "CMHC staff meeting"}
    assert titles(digest_of(outsider)) == {"Public brief"}


def test_a_resource_reviewed_again_is_news_once_more(make_member, make_resource, topics):
    peer = topics["peer-support"]
    long_ago = timezone.now() - timedelta(days=400)
    resource = make_resource("Peer support toolkit", peer, last_reviewed=long_ago.date())
    morgan = make_member("morgan", "Members", topics=[peer])
    send_due_digests()
    assert "New in the library" in message_to(morgan.user.email).body

    later = timezone.now() + timedelta(days=8)
    assert digest_of(morgan, later) is None
    mail.outbox.clear()
    resource = ResourcePage.objects.get(pk=resource.pk)  # as the editor opens it
    resource.last_reviewed = timezone.localdate()
    resource.save_revision().publish()
    send_due_digests(later)
    body = message_to(morgan.user.email).body
    assert "Peer support toolkit" in body and f"Reviewed again on {timezone.localdate().day} " in body


def test_followed_working_groups_bring_their_outputs_meetings_and_members_documents(
    make_member, make_group, make_resource, make_event, join_group, restrict, topics
):
    group = make_group("Workforce and peer support")
    in_group = make_member("morgan", "Members", follow_groups=[group])
    follower = make_member("robin", "Members", follow_groups=[group])
    join_group(group, in_group.user)
    output = make_resource("Workforce report", topics["housing"])
    WorkingGroupOutput.objects.create(page=group, resource=output)
    meeting = make_event("Workforce group meeting", topics["housing"])
    restrict(meeting, "Members")
    WorkingGroupMeeting.objects.create(page=group, meeting=meeting)
    document = get_document_model().objects.create(
        title="Minutes of May", file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf")
    )
    WorkingGroupDocument.objects.create(page=group, document=document)

    assert titles(digest_of(in_group)) == {"Workforce report", "Workforce group meeting", "Minutes of May"}
    assert titles(digest_of(follower)) == {"Workforce report", "Workforce group meeting"}
    (entry,) = digest_of(in_group).sections["resources"]
    assert entry.reasons == ["the working group Workforce and peer support"]


def test_followed_partners_bring_their_updates(make_member, directory):
    followed = publish(PartnerCommunityPageFactory(parent=directory, title="Northeast MHTTC"))
    other = publish(PartnerCommunityPageFactory(parent=directory, title="Southwest MHTTC"))
    morgan = make_member("morgan", "Members", partners=[followed])
    now = timezone.now()
    PartnerUpdate.objects.create(
        partner=followed,
        guid="1",
        title="New peer workforce toolkit",
        link="https://ne.example.org/1",
        published=now,
    )
    PartnerUpdate.objects.create(
        partner=followed, guid="2", title="Old news first read today", published=now - timedelta(days=300)
    )
    PartnerUpdate.objects.create(partner=other, guid="3", title="Southwest news", published=now)

    digest = digest_of(morgan)
    assert titles(digest) == {"New peer workforce toolkit"}
    assert digest.sections["updates"][0].item.url == "https://ne.example.org/1"


def test_an_item_reached_through_a_topic_and_a_group_is_listed_once(
    make_member, make_group, make_resource, topics
):
    group = make_group("Workforce and peer support")
    peer = topics["peer-support"]
    morgan = make_member("morgan", "Members", topics=[peer], follow_groups=[group])
    resource = make_resource("Peer workforce toolkit", peer)
    WorkingGroupOutput.objects.create(page=group, resource=resource)

    (entry,) = digest_of(morgan).sections["resources"]
    assert entry.reasons == ["the topic Peer support", "the working group Workforce and peer support"]


# --- once, and how often ------------------------------------------------------------------------


def test_each_item_is_sent_once_across_runs(make_member, make_resource, make_event, topics):
    peer = topics["peer-support"]
    morgan = make_member("morgan", "Members", topics=[peer])
    make_resource("First toolkit", peer)
    make_event(
        "Far-off webinar",
        peer,
        start=timezone.now() + timedelta(days=60),
        end=timezone.now() + timedelta(days=60, hours=1),
    )

    first = send_due_digests()
    assert first.sent == 1
    assert "First toolkit" in message_to(morgan.user.email).body
    make_resource("Second toolkit", peer)
    mail.outbox.clear()

    later = timezone.now() + WEEK + timedelta(minutes=1)
    second = send_due_digests(later)
    assert second.sent == 1
    body = message_to(morgan.user.email).body
    assert "Second toolkit" in body
    assert "First toolkit" not in body and "Far-off webinar" not in body


def test_running_twice_sends_nothing_twice_even_if_the_member_looks_due_again(
    make_member, make_resource, topics
):
    peer = topics["peer-support"]
    morgan = make_member("morgan", "Members", topics=[peer])
    make_resource("Peer support toolkit", peer)
    now = timezone.now()
    assert send_due_digests(now).sent == 1
    assert send_due_digests(now).sent == 0  # not due
    # As if the watermark were lost (a run that read the profile before the first one wrote it):
    MemberProfile.objects.filter(pk=morgan.pk).update(digest_sent_at=None)
    assert send_due_digests(now).built == 0
    assert len(mail.outbox) == 1
    assert list(DigestItemSent.objects.filter(profile=morgan).values_list("item", flat=True)) == [
        f"resource:{ResourcePage.objects.get().pk}@-"
    ]


def test_nothing_new_means_no_e_mail(make_member, make_resource, topics):
    morgan = make_member("morgan", "Members", topics=[topics["peer-support"]])
    make_resource("Housing first guide", topics["housing"])

    run = send_due_digests()
    assert (run.built, run.sent) == (0, 0)
    assert mail.outbox == []
    morgan.refresh_from_db()
    assert morgan.digest_sent_at is None


@pytest.mark.parametrize(
    ("frequency", "not_yet", "due"),
    [
        ("daily", timedelta(hours=20), timedelta(hours=24)),
        ("weekly", timedelta(days=6), timedelta(days=7)),
        ("monthly", timedelta(days=27), timedelta(days=31)),
    ],
)
def test_the_digest_comes_as_often_as_the_member_chose(
    make_member, make_resource, topics, frequency, not_yet, due
):
    peer = topics["peer-support"]
    profile = make_member("morgan", "Members", topics=[peer], frequency=frequency)
    make_resource("First toolkit", peer)
    start = timezone.now()
    assert send_due_digests(start).sent == 1
    make_resource("Second toolkit", peer)

    assert send_due_digests(start + not_yet).sent == 0
    assert send_due_digests(start + due).sent == 1
    assert "Second toolkit" in mail.outbox[-1].body
    profile.refresh_from_db()
    assert profile.digest_sent_at == start + due


def test_never_means_never(make_member, make_resource, topics):
    make_member("morgan", "Members", topics=[topics["peer-support"]], frequency="never")
    make_resource("Peer support toolkit", topics["peer-support"])
    assert build_digests() == []
    assert send_due_digests().sent == 0 and mail.outbox == []


# --- the e-mail ---------------------------------------------------------------------------------


def test_the_e_mail_has_a_text_part_an_accessible_html_part_and_full_links(
    site, make_member, make_resource, make_event, restrict, topics
):
    peer = topics["peer-support"]
    morgan = make_member("morgan", "Members", topics=[peer, topics["housing"]])
    resource = make_resource("Peer support toolkit", peer)
    restrict(make_resource("Members-only toolkit", peer))
    make_event("Peer support webinar", peer)
    send_due_digests()

    message = message_to(morgan.user.email)
    html = html_of(message)
    root = site.root_url
    assert (
        message.subject.startswith("Your weekly news from ") and "2 resources and 1 event" in message.subject
    )
    assert re.search(r'<html lang="en(-us)?">', html)
    assert "<h1" in html and html.count("<h2") >= 3 and "<ul" in html and "<li" in html
    assert f'<a href="{resource.get_full_url()}">Peer support toolkit</a>' in html
    assert "(for members: sign in to read it)" in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith(root + "/") for link in links)
    assert ">here<" not in html.lower() and ">click here<" not in html.lower()
    # The public per-topic feeds, and the profile.
    assert f"{root}{reverse('feed-resources')}?topic=peer-support" in links
    assert f"{root}{reverse('feed-events')}?topic=housing" in links
    assert f"{root}{reverse('account-profile')}" in links
    # The text part says the same, with full addresses.
    text = message.body
    assert (
        "Peer support toolkit" in text and resource.get_full_url() in text and "Peer support webinar" in text
    )
    assert "<" not in text.replace("<https", "")


def test_the_e_mail_carries_one_click_unsubscribe_headers(site, make_member, make_resource, topics):
    morgan = make_member("morgan", "Members", topics=[topics["peer-support"]])
    make_resource("Peer support toolkit", topics["peer-support"])
    send_due_digests()

    message = message_to(morgan.user.email)
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (url,) = re.fullmatch(r"<([^>]+)>", headers["List-Unsubscribe"]).groups()
    assert url == site.root_url + unsubscribe_path(morgan)
    assert url in html_of(message) and url in message.body


# --- unsubscribe --------------------------------------------------------------------------------


def test_opening_the_unsubscribe_link_changes_nothing_and_offers_a_button(make_member):
    morgan = make_member("morgan", "Members")
    response = Client().get(unsubscribe_path(morgan))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Stop the news digest?</h1>" in html and '<button type="submit"' in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    morgan.refresh_from_db()
    assert morgan.digest_frequency == "weekly"


def test_one_click_post_unsubscribes_without_login_or_csrf_and_says_how_to_turn_it_back_on(make_member):
    morgan = make_member("morgan", "Members")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_path(morgan),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The news digest is stopped" in html and reverse("account-profile") in html
    morgan.refresh_from_db()
    assert morgan.digest_frequency == "never"
    again = Client().get(unsubscribe_path(morgan)).content.decode()
    assert "The news digest is stopped" in again and "<button" not in again.split("<main", 1)[-1]


def test_a_bad_or_foreign_unsubscribe_token_is_refused(make_member):
    morgan = make_member("morgan", "Members")
    good = unsubscribe_path(morgan)
    token = good.rstrip("/").rsplit("/", 1)[1]
    tampered = good.replace(token, token[:-2] + ("aa" if not token.endswith("aa") else "bb"))
    other_salt = reverse("digest-unsubscribe", args=[signing.dumps(morgan.pk)])
    client = Client(enforce_csrf_checks=True)
    for path in (tampered, other_salt):
        assert client.get(path).status_code == 400
        assert (
            client.post(
                path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
            ).status_code
            == 400
        )
    gone = reverse(
        "digest-unsubscribe", args=[signing.dumps(morgan.pk + 1000, salt="community.digest.unsubscribe")]
    )
    assert client.post(gone).status_code == 404
    morgan.refresh_from_db()
    assert morgan.digest_frequency == "weekly"


def test_the_member_chooses_the_frequency_on_their_profile(client, make_member):
    morgan = make_member("morgan", "Members")
    client.force_login(morgan.user)
    url = reverse("account-profile")
    html = client.get(url).content.decode()
    assert "How often to e-mail you what is new in what you follow" in html
    assert 'name="digest_frequency" value="monthly"' in html
    response = client.post(url, {"organisation": "Riverbend CMHC", "digest_frequency": "monthly"})
    assert response.status_code == 303
    morgan.refresh_from_db()
    assert morgan.digest_frequency == "monthly"
    bad = client.post(url, {"organisation": "Elsewhere", "digest_frequency": "hourly"})
    assert (
        bad.status_code == 400
        and "Choose one of the choices listed for the news digest." in bad.content.decode()
    )
    assert 'value="Elsewhere"' in bad.content.decode()


# --- a mail server that fails -------------------------------------------------------------------


def test_a_refusing_mail_server_marks_nothing_sent_and_the_digest_goes_when_it_is_back(
    make_member, make_resource, topics
):
    peer = topics["peer-support"]
    profiles = [make_member(name, "Members", topics=[peer]) for name in ("morgan", "casey")]
    make_resource("Peer support toolkit", peer)

    with FaultySMTPServer("refuse") as smtp, override_settings(MAILERS=smtp.mailers(timeout=1)):
        run = send_due_digests()
    assert run.sent == 0 and len(run.failures) == 2
    assert not DigestItemSent.objects.exists()
    assert all(MemberProfile.objects.get(pk=p.pk).digest_sent_at is None for p in profiles)

    run = send_due_digests()
    assert run.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in profiles)
    assert DigestItemSent.objects.count() == 2


def test_the_command_sends_and_reports(make_member, make_resource, topics):
    from io import StringIO

    make_member("morgan", "Members", topics=[topics["peer-support"]])
    make_resource("Peer support toolkit", topics["peer-support"])
    out = StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    assert "1 digests would go" in out.getvalue() and mail.outbox == []
    call_command("send_digests", stdout=out)
    assert "1 sent" in out.getvalue() and len(mail.outbox) == 1
    call_command("send_digests", stdout=out)
    assert len(mail.outbox) == 1


# --- speed --------------------------------------------------------------------------------------


def test_building_the_digests_takes_the_same_queries_for_5_or_20_members(
    make_member,
    make_resource,
    make_event,
    make_group,
    directory,
    join_group,
    restrict,
    topics,
    django_assert_max_num_queries,
):
    all_topics = list(topics.values())
    group = make_group("Workforce and peer support")
    partner = publish(PartnerCommunityPageFactory(parent=directory, title="Northeast MHTTC"))
    for n, topic in enumerate(all_topics):
        make_resource(f"Toolkit {n}", topic)
        make_event(f"Webinar {n}", topic)
    restrict(make_resource("Members-only toolkit", *all_topics))
    WorkingGroupOutput.objects.create(page=group, resource=make_resource("Group report"))
    document = get_document_model().objects.create(title="Minutes", file=ContentFile(b"x", name="m.pdf"))
    WorkingGroupDocument.objects.create(page=group, document=document)
    PartnerUpdate.objects.create(partner=partner, guid="1", title="Partner news", published=timezone.now())

    def add_members(start, count):
        for n in range(start, start + count):
            profile = make_member(
                f"member{n}",
                "Members",
                topics=all_topics[: 1 + n % 3],
                follow_groups=[group],
                partners=[partner],
            )
            if n % 2:
                join_group(group, profile.user)

    def build_and_render():
        digests = build_digests()
        renderer = Renderer(digests[0].news)
        return [renderer.message(digest) for digest in digests]

    add_members(0, 5)
    cache.clear()
    with CaptureQueriesContext(connection) as five:
        assert len(build_and_render()) == 5
    add_members(5, 15)
    cache.clear()
    with django_assert_max_num_queries(len(five)):
        messages = build_and_render()
    assert len(messages) == 20
    assert all("Partner news" in m.body and "Group report" in m.body for m in messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_digest_queued_while_mail_is_down_is_recorded_once_and_delivered_once(
    make_member,
    make_resource,
    topics,
    run_worker,  # noqa: F811  the fixture imported above
):
    peer = topics["peer-support"]
    morgan = make_member("morgan", "Members", topics=[peer])
    make_resource("Peer support toolkit", peer)
    with FaultySMTPServer("refuse") as server, override_settings(MAILERS=server.queued_mailers(timeout=1)):
        assert send_due_digests().sent == 1  # handed to the mail queue, in the same transaction as its record
        assert DigestItemSent.objects.filter(profile=morgan).count() == 1
        run_worker()
        assert server.received == []
        assert send_due_digests(timezone.now() + WEEK + timedelta(minutes=1)).built == 0

        server.mode = "accept"
        time_passes(timedelta(minutes=2))
        run_worker()
        time_passes(timedelta(hours=12))
        run_worker()
    (delivered,) = server.received
    _sender, recipients, data = delivered
    assert recipients == [morgan.user.email]
    text = data.decode()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text and "Peer support toolkit" in text
