"""From visitor to working group member, as people do it: apply on the join page,
staff approve in the admin, the new member chooses a password, signs in, asks to
join a working group, is approved, and then reads the group's members-only part."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from community.factories import JoinPageFactory, WorkingGroupIndexPageFactory, WorkingGroupPageFactory
from community.models import MembershipApplication, WorkingGroupMembership

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOTES = "Draft chapters are in the shared folder."
PASSWORD = "a long walk by the river"


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def hub_pages(home_page):
    join = publish(JoinPageFactory(parent=home_page))
    index = publish(WorkingGroupIndexPageFactory(parent=home_page))
    group = publish(
        WorkingGroupPageFactory(
            parent=index,
            title="Workforce and peer support",
            slug="workforce-and-peer-support",
            members_notes=f"<p>{NOTES}</p>",
        )
    )
    return join, group


def admin_tab(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/admin/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill("pw-for-tests")
    tab.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    tab.wait_for_url(re.compile(r"/admin/$"))
    return context, tab


def wait_for(condition, attempts=40):
    for _ in range(attempts):
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("condition not met in time")


def assert_accessible(tab, axe):
    violations = axe(tab)
    assert not violations, violations.report()


def test_a_visitor_becomes_a_member_and_reads_their_working_groups_material(
    page, browser, live_server, hub_pages, make_user, axe
):
    join, group = hub_pages
    make_user("sky", "Steering")
    make_user("eden", "Editors")

    # 1. A visitor applies, first forgetting to agree to the privacy notice.
    page.goto("/join/")
    assert_accessible(page, axe)
    page.get_by_label("Your name").fill("Jordan Rivera")
    page.get_by_label("E-mail address").fill("jordan@example.org")
    page.get_by_label("Organisation", exact=True).fill("Lakeside CMHC")
    page.get_by_label("Community Mental Health Center (CMHC)").check()
    page.get_by_label("Your role").fill("Clinical director")
    page.get_by_label("Workforce and peer support").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("main").get_by_role("alert")).to_contain_text("To join, agree to the privacy notice.")
    expect(page.get_by_label("Your name")).to_have_value("Jordan Rivera")
    assert_accessible(page, axe)
    page.get_by_label(re.compile("I agree to the privacy notice")).check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#application-sent")).to_contain_text("Thank you, Jordan Rivera")
    assert_accessible(page, axe)
    application = MembershipApplication.objects.get()

    # 2. The steering team approves it in the admin.
    staff_context, staff = admin_tab(browser, live_server, "sky")
    staff.goto("/admin/community/membershipapplication/")
    staff.get_by_role("link", name="Approve", exact=True).first.click()
    staff.get_by_role("button", name="Yes, approve").click()
    expect(staff.get_by_text("The application from Jordan Rivera: approved.")).to_be_visible()
    staff_context.close()
    application.refresh_from_db()
    assert application.status == "approved"

    # 3. The new member chooses a password from the e-mail and signs in.
    approval = next(m for m in mail.outbox if m.subject == "Welcome to the Community of Practice")
    link = re.search(r"http://testserver(/account/password/reset/\S+/)", approval.body).group(1)
    username = re.search(r"Your username is (\S+)\.", approval.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    assert_accessible(page, axe)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is saved")
    page.get_by_role("link", name="Sign in", exact=True).last.click()
    assert_accessible(page, axe)
    page.get_by_label("Username or e-mail address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My hub")
    assert_accessible(page, axe)

    # 4. They ask to join the working group (their application already asked for it:
    #    the request is waiting for the chairs).
    page.goto(group.url)
    expect(page.locator("#membership")).to_contain_text("You asked to join on")
    expect(page.get_by_text(NOTES)).to_have_count(0)
    assert_accessible(page, axe)
    membership = WorkingGroupMembership.objects.get(user__username=username)
    assert membership.status == "pending"

    # 5. An editor approves the request.
    editor_context, editor = admin_tab(browser, live_server, "eden")
    editor.goto("/admin/community/workinggroupmembership/")
    editor.get_by_role("link", name="Approve", exact=True).first.click()
    editor.get_by_role("button", name="Yes, approve").click()
    expect(editor.get_by_text("approved.")).to_be_visible()
    editor_context.close()
    wait_for(lambda: WorkingGroupMembership.objects.get(pk=membership.pk).status == "approved")

    # 6. The member now sees the group's members-only material.
    page.reload()
    expect(page.locator("#membership")).to_contain_text("You are a member of this group.")
    members_only = page.get_by_role("region", name="For the group's members")
    expect(members_only).to_contain_text(NOTES)
    expect(members_only).to_contain_text("Jordan Rivera")
    assert_accessible(page, axe)


def test_a_signed_in_member_asks_to_join_a_group_from_its_page(page, hub_pages, make_user, axe):
    _join, group = hub_pages
    make_user("morgan", "Members")
    page.goto(f"/account/sign-in/?next={group.url}")
    page.get_by_label("Username or e-mail address").fill("morgan")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(group.url) + "$"))
    page.get_by_label(re.compile("What would you like to bring")).fill("I supervise peer specialists.")
    page.get_by_role("button", name="Ask to join this group").click()
    expect(page.locator("#membership")).to_contain_text("You asked to join on")
    assert_accessible(page, axe)
    membership = WorkingGroupMembership.objects.get(user__username="morgan")
    assert membership.message == "I supervise peer specialists."
