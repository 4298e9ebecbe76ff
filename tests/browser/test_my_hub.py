"""A member's own hub, by accessible names only: from the home page they sign
in, see their name, open My hub, follow a topic from a resource page, register
for an event, find it on My hub, cancel it and sign out. axe-core finds no
serious or critical violation on any page on the way."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import MemberProfile
from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventRegistration
from hub.models import Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def hub_content(home_page, make_user):
    library = publish(ResourceIndexPageFactory(parent=home_page, show_in_menus=True))
    toolkit = ResourcePageFactory(parent=library, title="Peer support toolkit")
    toolkit.topics = [Topic.objects.get(slug="peer-support")]
    publish(toolkit)
    index = publish(EventIndexPageFactory(parent=home_page, show_in_menus=True))
    soon = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    webinar = publish(
        EventPageFactory(parent=index, title="Launch webinar", start=soon, end=soon + timedelta(minutes=90))
    )
    member = make_user("morgan", "Members", first_name="Morgan", last_name="Rivera")
    return toolkit, webinar, member


def assert_accessible(page, axe):
    violations = axe(page)
    assert not violations, violations.report()


def test_a_member_signs_in_follows_a_topic_registers_and_cancels(page, hub_content, axe):
    toolkit, webinar, member = hub_content
    page.goto("/")
    assert_accessible(page, axe)
    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page, axe)
    page.get_by_label("Username or e-mail address").fill("morgan")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()

    # They land on My hub, signed in, their name in the header.
    page.wait_for_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My hub")
    account = page.get_by_role("banner").get_by_text("Morgan Rivera")
    expect(account).to_be_visible()
    assert_accessible(page, axe)
    # The home page no longer asks them to join; the header menu leads back to My hub.
    page.get_by_role("link", name=re.compile("Community of Practice")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Welcome back"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Join"))).to_have_count(0)
    page.get_by_role("banner").get_by_text("Morgan Rivera").click()
    assert_accessible(page, axe)
    page.get_by_role("banner").get_by_role("link", name="My hub").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My hub")

    # Follow the resource's topic from its page.
    page.goto(toolkit.url)
    page.get_by_role("button", name="Follow topic Peer support").click()
    expect(page.get_by_text("You follow Peer support.").first).to_be_visible()
    expect(page.get_by_role("button", name="Stop following topic Peer support")).to_be_visible()
    assert_accessible(page, axe)
    assert MemberProfile.objects.get(user=member).topics.filter(slug="peer-support").exists()

    # Register for the webinar.
    page.goto(webinar.url)
    page.get_by_role("link", name=re.compile("^Register")).click()
    page.get_by_label("Your name").fill("Morgan Rivera")
    page.get_by_label("E-mail address").fill("morgan@example.org")
    page.get_by_label(re.compile("^I agree")).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    assert_accessible(page, axe)

    # It is on My hub, with the topic followed.
    page.get_by_role("banner").get_by_text("Morgan Rivera").click()
    page.get_by_role("banner").get_by_role("link", name="My hub").click()
    events = page.get_by_role("region", name="Your events")
    expect(events.get_by_role("link", name="Launch webinar", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="What you follow")).to_contain_text("Peer support toolkit")
    assert_accessible(page, axe)

    # Cancel the place, from My hub, and come back to it.
    events.get_by_role("link", name="Cancel your place at Launch webinar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel your place")
    assert_accessible(page, axe)
    page.get_by_role("button", name=re.compile("Yes, cancel my place")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your place is cancelled")
    assert_accessible(page, axe)
    page.get_by_role("link", name="Back to My hub").click()
    page.wait_for_url(re.compile(r"/account/$"))
    expect(
        page.get_by_role("region", name="Your events").get_by_role("link", name="Launch webinar", exact=True)
    ).to_have_count(0)
    assert_accessible(page, axe)
    assert EventRegistration.objects.get(event=webinar, user=member).status == EventRegistration.CANCELLED

    # Sign out from the header's menu.
    page.get_by_role("banner").get_by_text("Morgan Rivera").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page, axe)
