"""A person finds the next webinar, registers, downloads its calendar file, is kindly
refused a second registration, and is offered the waiting list for a full training."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import EventRegistration

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def programme(home_page):
    index = EventIndexPageFactory(parent=home_page, show_in_menus=True)
    index.save_revision().publish()
    soon = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    webinar = EventPageFactory(
        parent=index, title="Launch webinar", start=soon, end=soon + timedelta(minutes=90), capacity=100
    )
    training = EventPageFactory(
        parent=index,
        title="Skills training",
        start=soon + timedelta(days=20),
        end=soon + timedelta(days=20, hours=2),
        event_format="training",
        capacity=1,
    )
    for event in (webinar, training):
        event.save_revision().publish()
    EventRegistration.objects.create(event=training, name="First", email="first@example.org", consent=True)
    return index


def fill_form(page, email):
    page.get_by_label("Your name").fill("Ana Torres")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Organisation (optional)").fill("Riverbend CMHC")
    page.get_by_label("Live captions").check()
    page.get_by_label(re.compile("^I agree")).check()


def test_a_person_registers_for_the_next_webinar_and_adds_it_to_their_calendar(page, programme, axe):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    violations = axe(page)
    assert not violations, violations.report()

    page.locator(".event-item").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Launch webinar")
    violations = axe(page)
    assert not violations, violations.report()

    page.get_by_role("link", name=re.compile("^Register")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for Launch webinar")
    violations = axe(page)
    assert not violations, violations.report()
    fill_form(page, "ana@example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    expect(page.get_by_text("ana@example.org")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Add to your calendar")).click()
    calendar = icalendar.Calendar.from_ical(open(download_info.value.path(), "rb").read())
    assert str(calendar.walk("VEVENT")[0]["summary"]) == "Launch webinar"

    page.goto(programme.url + "launch-webinar/register/")
    fill_form(page, "ANA@example.org")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="You are already registered")).to_be_visible()
    assert EventRegistration.objects.filter(email="ana@example.org").count() == 1


def test_a_full_training_offers_the_waiting_list(page, programme, axe):
    page.goto(programme.url + "skills-training/register/")
    expect(page.get_by_role("heading", name="This event is full: join the waiting list")).to_be_visible()
    violations = axe(page)
    assert not violations, violations.report()
    fill_form(page, "ben@example.org")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are on the waiting list")
    assert EventRegistration.objects.get(email="ben@example.org").status == "waitlisted"
