"""A resource goes from a contributor's draft to the live library through
editorial and evidence review, driven through the admin as people use it."""

import re
import time

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from knowledge.factories import ResourceIndexPageFactory
from knowledge.models import ResourcePage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Warm handoffs from emergency departments to CMHCs"


@pytest.fixture
def library(home_page):
    library = ResourceIndexPageFactory(parent=home_page)
    library.save_revision().publish()
    return library


def sign_in(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/admin/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill("pw-for-tests")
    tab.get_by_role("button", name=re.compile("Sign in|Log in")).click()
    tab.wait_for_url(re.compile(r"/admin/$"))
    return context, tab


def settled(tab):
    """Wait until the admin has finished the request the last click started.
    The database is read only after that, never while the server writes."""
    tab.wait_for_load_state("networkidle")
    time.sleep(0.5)


def wait_for(condition, tab, attempts=20):
    for _ in range(attempts):
        settled(tab)
        value = condition()
        if value:
            return value
    raise AssertionError("condition not met in time")


def current_task_name(page_pk):
    state = WorkflowState.objects.filter(object_id=str(page_pk)).order_by("-pk").first()
    return state.current_task_state.task.name if state and state.current_task_state else None


def click_hidden(tab, selector):
    # Workflow actions live in the editor's footer dropdown menu.
    tab.locator(selector).first.evaluate("button => button.click()")


def test_a_resource_passes_editorial_and_evidence_review_and_goes_live(
    browser, live_server, library, make_user, axe
):
    make_user("casey", "Contributors", "Partners")
    make_user("eden", "Editors")
    make_user("riley", "Evidence reviewers")

    context, tab = sign_in(browser, live_server, "casey")
    tab.goto(f"/admin/pages/add/knowledge/resourcepage/{library.pk}/")
    tab.locator("#id_title").fill(TITLE)
    tab.locator("#id_summary").fill(
        "How emergency departments and CMHCs arrange a same-day handoff for people leaving after a crisis."
    )
    tab.locator("#id_resource_type").select_option(label="Guide")
    tab.get_by_role("radio", name="Not rated").check()
    tab.locator("#id_source_url").fill("https://example.org/warm-handoffs")
    click_hidden(tab, 'button[name="action-submit"]')
    page = wait_for(lambda: ResourcePage.objects.filter(title=TITLE).first(), tab)
    assert wait_for(lambda: current_task_name(page.pk) == "Editorial review", tab)
    context.close()

    context, tab = sign_in(browser, live_server, "eden")
    expect(tab.get_by_text("Review queue")).to_be_visible()
    tab.goto(f"/admin/pages/{page.pk}/edit/")
    click_hidden(tab, 'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])')
    assert wait_for(lambda: current_task_name(page.pk) == "Evidence review", tab)
    context.close()

    context, tab = sign_in(browser, live_server, "riley")
    tab.goto(f"/admin/pages/{page.pk}/edit/")
    click_hidden(tab, 'button[data-workflow-action-name="approve"][data-workflow-action-modal-url]')
    dialog = tab.get_by_role("dialog").filter(has_text="Evidence review checklist")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("an evidence level other than “Not rated”")
    dialog.get_by_label("Evidence level").select_option(label="Emerging")
    dialog.get_by_label("Why this level").fill("Two published evaluations of ED-to-CMHC handoff programmes.")
    dialog.get_by_role("button", name="Approve evidence").click()
    assert wait_for(lambda: ResourcePage.objects.get(pk=page.pk).live, tab)
    context.close()

    live = ResourcePage.objects.get(pk=page.pk)
    assert live.evidence_level.slug == "emerging"
    public = browser.new_context(base_url=live_server.url)
    tab = public.new_page()
    tab.goto(live.url)
    expect(tab.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(tab.locator("#evidence-scale")).to_contain_text("This resource")
    violations = axe(tab)
    assert not violations, violations.report()
    tab.goto("/search/?q=warm+handoffs")
    expect(tab.get_by_role("link", name=TITLE)).to_be_visible()
    public.close()
