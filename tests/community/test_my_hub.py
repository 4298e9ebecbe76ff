"""Signed in everywhere, My hub and following (issue: members' own hub).

The header says who is signed in without ever putting a name in the
anonymous page cache; sign-in lands where the person was going or on My
hub; members are not asked to join; My hub shows their groups, events,
suggestions and what is new in what they follow, only pages they may see."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from community.models import MemberProfile, MembershipApplication, WorkingGroupMeeting
from events.factories import EventPageFactory
from events.models import EventRegistration
from hub.models import HubSettings, Topic
from knowledge.factories import ResourcePageFactory

from .conftest import publish
from .test_join import application_data

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


@pytest.fixture
def join_url(site, join_page):
    settings = HubSettings.for_site(site)
    settings.join_page = join_page
    settings.save()
    return join_page.url


def resource(library, title, *topics, **extra):
    page = ResourcePageFactory(parent=library, title=title, **extra)
    page.topics = [Topic.objects.get(slug=slug) for slug in topics]
    return publish(page)


def event(events_index, title, *, days=7, topics=(), **extra):
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    page = EventPageFactory(
        parent=events_index, title=title, start=start, end=start + timedelta(hours=1), **extra
    )
    page.topics = [Topic.objects.get(slug=slug) for slug in topics]
    publish(page)
    page.refresh_from_db()
    return page


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- the header -------------------------------------------------------------------


def test_visitors_see_sign_in_and_members_their_name_with_a_menu(client, member, home_page):
    member.first_name, member.last_name = "Morgan", "Rivera"
    member.save()
    visitor = client.get("/").content.decode()
    assert 'class="site-account__sign-in" href="/account/sign-in/"' in visitor
    assert "Sign out" not in visitor and "Morgan Rivera" not in visitor

    html = signed_in(member).get("/").content.decode()
    assert "site-account__sign-in" not in html
    assert '<span class="visually-hidden">Signed in as </span>Morgan Rivera</summary>' in html
    assert 'href="/account/">My hub</a>' in html and 'href="/account/profile/">Account</a>' in html
    # Signing out is a POST with the CSRF token, never a link.
    assert '<form method="post" action="/account/sign-out/">' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_anonymous_page_cache_never_holds_a_name(member, home_page):
    member.first_name = "Morgan"
    member.save()
    # A member's visit first: their page must not be what visitors get.
    assert "Morgan" in signed_in(member).get("/").content.decode()
    first, second = Client().get("/"), Client().get("/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    assert b"Morgan" not in second.content and b"Sign out" not in second.content
    # And a member never gets the cached visitor's page: theirs is the
    # members' shared copy with their own name filled in (hub/personal.py).
    again = signed_in(member).get("/")
    assert again["X-Page-Cache"] == "shared-hit" and b"Morgan" in again.content


def test_sign_in_links_carry_the_page_the_visitor_was_on(client, library):
    page = resource(library, "Peer support toolkit")
    html = client.get(page.url).content.decode()
    assert f'href="/account/sign-in/?next={page.url}">Sign in</a>' in html


def test_sign_in_lands_where_the_person_was_going_or_on_my_hub(member, library):
    page = resource(library, "Peer support toolkit")
    response = Client().post(SIGN_IN, {"username": "morgan", "password": "pw-for-tests"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    going = Client().post(
        f"{SIGN_IN}?next={page.url}", {"username": "morgan", "password": "pw-for-tests", "next": page.url}
    )
    assert going["Location"] == page.url
    # Another site is never a landing place.
    away = Client().post(
        SIGN_IN, {"username": "morgan", "password": "pw-for-tests", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/account/"


# --- calls to join ------------------------------------------------------------------


def test_members_are_never_asked_to_join(client, member, home_page, join_url):
    visitor = client.get("/").content.decode()
    assert f'href="{join_url}"' in visitor
    html = signed_in(member).get("/").content.decode()
    assert f'href="{join_url}"' not in html
    assert "Welcome back" in html and 'href="/account/">My hub</a>' in html


def test_an_applicant_sees_that_their_application_is_waiting(make_user, home_page, join_url):
    # A signed-in person without the Members group, with their own application waiting.
    person = make_user("ash")
    MembershipApplication.objects.create(
        name="Ash", email="ash@example.org", organisation="Riverbend", organisation_type="cmhc"
    )
    html = signed_in(person).get("/").content.decode()
    assert "Your application is on its way" in html
    assert f'href="{join_url}"' not in html


def test_a_visitor_who_just_applied_sees_it_was_sent_not_an_invitation_to_join(home_page, join_url):
    client = Client()
    response = client.post(join_url, application_data(email="ash@example.org"))
    assert response.status_code == 303, response.content.decode()[:2000]
    html = client.get("/").content.decode()
    assert "Your application is on its way" in html
    assert f'href="{join_url}"' not in html
    # Someone else, without that session, is still invited.
    assert f'href="{join_url}"' in Client().get("/").content.decode()


# --- following ----------------------------------------------------------------------


def test_a_member_follows_and_unfollows_a_topic_from_a_resource_page(member, library):
    page = resource(library, "Peer support toolkit", "peer-support")
    topic = Topic.objects.get(slug="peer-support")
    client = signed_in(member)
    html = client.get(page.url).content.decode()
    assert f'<span class="visually-hidden"> topic</span> {topic.name}</button>' in html
    response = client.post(
        "/account/follow/", {"kind": "topic", "id": topic.pk, "action": "follow", "next": page.url}
    )
    assert response.status_code == 303 and response["Location"] == page.url
    assert list(MemberProfile.objects.get(user=member).topics.all()) == [topic]
    html = client.get(page.url).content.decode()
    assert f"You follow {topic.name}." in html and "Stop following" in html
    client.post("/account/follow/", {"kind": "topic", "id": topic.pk, "action": "unfollow"})
    assert not MemberProfile.objects.get(user=member).topics.exists()


def test_visitors_get_a_sign_in_link_to_follow_and_the_page_stays_cached(library):
    page = resource(library, "Peer support toolkit", "peer-support")
    Client().get(page.url)
    second = Client().get(page.url)
    assert second["X-Page-Cache"] == "hit"
    assert "Sign in to follow" in second.content.decode() and b"/account/follow/" not in second.content


def test_follow_refuses_what_cannot_be_followed_or_seen(member, make_group, restrict):
    client = signed_in(member)
    assert client.post("/account/follow/", {"kind": "planet", "id": 1, "action": "follow"}).status_code == 400
    assert (
        client.post("/account/follow/", {"kind": "topic", "id": "x", "action": "follow"}).status_code == 400
    )
    topic = Topic.objects.first()
    assert (
        client.post("/account/follow/", {"kind": "topic", "id": topic.pk, "action": "jump"}).status_code
        == 400
    )
    # A group closed to the member cannot be followed (nor its existence confirmed).
    closed = restrict(make_group("Steering only"), "Steering")
    response = client.post("/account/follow/", {"kind": "group", "id": closed.pk, "action": "follow"})
    assert response.status_code == 400
    assert not MemberProfile.objects.filter(user=member, followed_groups=closed).exists()
    # Visitors are asked to sign in; following needs an account.
    visitor = Client().post("/account/follow/", {"kind": "topic", "id": topic.pk, "action": "follow"})
    assert visitor.status_code == 302 and visitor["Location"].startswith("/account/sign-in/")


def test_a_member_follows_a_working_group_from_its_page(member, workforce):
    client = signed_in(member)
    assert (
        'Follow<span class="visually-hidden"> working group</span> Workforce'
        in client.get(workforce.url).content.decode()
    )
    client.post(
        "/account/follow/",
        {"kind": "group", "id": workforce.pk, "action": "follow", "next": "https://evil.example/"},
    )
    assert MemberProfile.objects.get(user=member).followed_groups.get() == workforce
    html = client.get("/account/").content.decode()
    assert "Working groups you follow" in html and workforce.title in html


# --- My hub -------------------------------------------------------------------------


def test_my_hub_needs_signing_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")


def test_my_hub_shows_the_members_groups_with_their_next_meeting(member, workforce, join_group, events_index):
    join_group(workforce, member)
    past = event(events_index, "Last month's meeting", days=-30)
    soon = event(events_index, "Workforce meeting in May", days=3)
    later = event(events_index, "Workforce meeting in June", days=40)
    for page in (past, later, soon):
        WorkingGroupMeeting.objects.create(page=workforce, meeting=page)
    html = signed_in(member).get("/account/").content.decode()
    assert workforce.title in html
    assert "Next meeting:" in html and soon.title in html
    assert later.title not in html and past.title not in html


def test_my_hub_lists_registrations_upcoming_first_with_calendar_and_joining_link_when_due(
    member, events_index
):
    far = event(events_index, "Launch webinar", days=10)
    near = event(events_index, "Peer support clinic", days=2)
    starting = event(events_index, "Starting now", days=0)
    gone = event(events_index, "Last year's webinar", days=-300)
    for page, status in (
        (far, "confirmed"),
        (near, "waitlisted"),
        (starting, "confirmed"),
        (gone, "confirmed"),
    ):
        EventRegistration.objects.create(
            event=page, name="Morgan", email="morgan@example.org", user=member, status=status
        )
    cancelled = event(events_index, "Cancelled place", days=5)
    EventRegistration.objects.create(
        event=cancelled, name="Morgan", email="morgan@example.org", user=member, status="cancelled"
    )
    html = signed_in(member).get("/account/").content.decode()
    upcoming = html[html.index("Your events") : html.index("Past events")]
    assert (
        upcoming.index("Starting now")
        < upcoming.index("Peer support clinic")
        < upcoming.index("Launch webinar")
    )
    assert "You are on the waiting list." in upcoming
    assert "Cancelled place" not in html
    # The joining link is shown only for the confirmed event about to start.
    assert upcoming.count(f'href="{far.joining_link}"') == 1
    assert (
        "Join the event now"
        in upcoming[upcoming.index("Starting now") : upcoming.index("Peer support clinic")]
    )
    assert far.calendar_url() in upcoming
    assert "Last year&#x27;s webinar" in html[html.index("Past events") :]


def test_my_hub_shows_suggestions_and_where_each_is(member, library):
    live = resource(library, "Suggested and published", suggested_by=member)
    draft = ResourcePageFactory(parent=library, title="Suggested, waiting", suggested_by=member, live=False)
    draft.save_revision()
    html = signed_in(member).get("/account/").content.decode()
    assert f'<a href="{live.url}">Suggested and published</a>: Published' in html
    assert "Suggested, waiting: Waiting for the editors" in html


def test_my_hub_shows_what_is_new_in_followed_topics_only_what_the_member_may_see(
    member, library, events_index, restrict
):
    resource(library, "Peer support toolkit", "peer-support")
    resource(library, "Crisis line guide", "crisis-services")
    restrict(resource(library, "Steering peer notes", "peer-support"), "Steering")
    restrict(resource(library, "Members peer guide", "peer-support"))
    draft = ResourcePageFactory(parent=library, title="Draft peer thing", live=False)
    draft.topics = [Topic.objects.get(slug="peer-support")]
    draft.save_revision()
    event(events_index, "Peer support clinic", topics=["peer-support"])
    event(events_index, "Old peer event", days=-20, topics=["peer-support"])
    profile = MemberProfile.objects.create(user=member)
    profile.topics.set([Topic.objects.get(slug="peer-support")])
    html = signed_in(member).get("/account/").content.decode()
    following = html[html.index("What you follow") : html.index("Resources you suggested")]
    assert "Peer support toolkit" in following and "Members peer guide" in following
    assert "Peer support clinic" in following
    for hidden in ("Crisis line guide", "Steering peer notes", "Draft peer thing", "Old peer event"):
        assert hidden not in following


def test_what_is_new_in_a_topic_is_never_shared_beyond_its_audience_nor_kept_past_a_change(
    member, make_user, library, restrict
):
    """The list is remembered for members following the same topics with the
    same audiences: a member of another audience, or a later unpublish, never
    meets the remembered one."""
    peer = Topic.objects.get(slug="peer-support")
    toolkit = resource(library, "Peer support toolkit", "peer-support")
    restrict(resource(library, "Steering peer notes", "peer-support"), "Steering")
    chair = make_user("sky", "Members", "Steering")
    for user in (chair, member):
        MemberProfile.objects.create(user=user).topics.set([peer])
    assert "Steering peer notes" in signed_in(chair).get("/account/").content.decode()
    assert "Steering peer notes" not in signed_in(member).get("/account/").content.decode()
    assert "Peer support toolkit" in signed_in(member).get("/account/").content.decode()
    toolkit.unpublish()
    assert "Peer support toolkit" not in signed_in(member).get("/account/").content.decode()


# --- My hub kept for its member (community/views/my_hub.py) ---------------------


def test_my_hub_is_kept_for_its_member_and_shows_each_change_of_theirs_at_once(
    member, make_user, workforce, join_group, events_index, library
):
    client = signed_in(member)
    other = signed_in(make_user("alex", "Members"))
    webinar = event(events_index, "Launch webinar", days=10)
    first = client.get("/account/").content.decode()
    assert "Launch webinar" not in first and workforce.title not in first
    # Each change of theirs shows on the next view, whoever made it.
    registration = EventRegistration.objects.create(
        event=webinar, name="Morgan", email="morgan@example.org", user=member
    )
    assert "Launch webinar" in client.get("/account/").content.decode()
    registration.status = EventRegistration.CANCELLED
    registration.save()
    assert "Launch webinar" not in client.get("/account/").content.decode()
    join_group(workforce, member)
    assert workforce.title in client.get("/account/").content.decode()
    MemberProfile.objects.get_or_create(user=member)[0].topics.add(Topic.objects.get(slug="peer-support"))
    resource(library, "Peer support toolkit", "peer-support")
    assert "Peer support toolkit" in client.get("/account/").content.decode()
    # Another member's page is their own.
    assert workforce.title not in other.get("/account/").content.decode()


def test_a_suggestions_review_step_shows_on_my_hub_at_once(member, library):
    from wagtail.models import Workflow

    draft = ResourcePageFactory(parent=library, title="Suggested, waiting", suggested_by=member, live=False)
    draft.save_revision()
    client = signed_in(member)
    assert "Suggested, waiting: Waiting for the editors" in client.get("/account/").content.decode()
    workflow = Workflow.objects.get(name="Knowledge resources")
    workflow.start(draft, make_user_for_workflow())
    html = client.get("/account/").content.decode()
    assert "Suggested, waiting: In review" in html


def make_user_for_workflow():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="editor-for-workflow", is_superuser=True)


def test_my_hub_is_kept_no_longer_than_until_the_joining_link_is_due(member, events_index):
    from community.views.my_hub import JOINING_LINK_BEFORE, MY_HUB_SECONDS, _next_change

    now = timezone.now()
    soon = event(events_index, "Starting soon", days=0)
    soon.start, soon.end = now + JOINING_LINK_BEFORE + timedelta(seconds=40), now + timedelta(hours=2)
    assert _next_change(now, [], [{"event": soon}]) == pytest.approx(40, abs=1)
    assert _next_change(now, [], []) == MY_HUB_SECONDS


def test_the_kept_my_hub_holds_no_token_and_its_follow_buttons_work(member):
    import re

    from django.core.cache import cache

    topic = Topic.objects.get(slug="peer-support")
    MemberProfile.objects.create(user=member).topics.add(topic)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get("/account/")
    html = client.get("/account/").content.decode()
    kept = [
        cache.get(k.split(":", 2)[-1]) for k in list(cache._cache) if ":my-hub:" in k and "topics" not in k
    ]
    kept = [value for value in kept if value]
    assert kept and all(b"csrfmiddlewaretoken" not in value for value in kept)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        "/account/follow/",
        {"csrfmiddlewaretoken": token, "kind": "topic", "id": topic.pk, "action": "unfollow"},
    )
    assert response.status_code == 303
    assert f"You follow {topic.name}." not in client.get("/account/").content.decode()
