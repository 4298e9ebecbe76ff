import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page

from hub.demo import DEMO_USERS, demo_password
from hub.models import HubSettings

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Page.objects.count(),
        get_user_model().objects.count(),
        sorted(Page.objects.values_list("url_path", flat=True)),
    )


def test_demo_content_is_idempotent(site):
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    first = snapshot()
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    assert snapshot() == first
    assert "/home/about/" in first[2]
    settings = HubSettings.for_site(site)
    assert settings.contact_email
    assert settings.footer_links.count() == 3


def test_demo_accounts_sign_in_with_their_printed_passwords(client):
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    for username, _first, _last, groups, _is_superuser in DEMO_USERS:
        user = get_user_model().objects.get(username=username)
        # The role groups, and for the contributor its partner page's group.
        assert {
            name
            for name in user.groups.values_list("name", flat=True)
            if not name.startswith("Partner editors:")
        } == set(groups)
        assert client.login(username=username, password=demo_password(username))
    assert client.login(username="editor", password=demo_password("editor"))
    assert client.get("/admin/").status_code == 200


def test_demo_content_refuses_production_settings(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "hub.settings.production")
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_content", stdout=open(os.devnull, "w"))


def test_demo_content_puts_one_resource_in_each_review_state(site):
    from wagtail.models import WorkflowState

    from knowledge.models import ResourcePage

    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    call_command("load_demo_content", stdout=open(os.devnull, "w"))
    states = {
        ResourcePage.objects.get(pk=int(state.object_id)).external_id: (
            state.status,
            state.current_task_state.task.name,
        )
        for state in WorkflowState.objects.all()
    }
    assert states == {
        "demo-wf-editorial": ("in_progress", "Editorial review"),
        "demo-wf-evidence": ("in_progress", "Evidence review"),
        "demo-wf-rejected": ("needs_changes", "Evidence review"),
    }
    draft = ResourcePage.objects.get(external_id="demo-wf-draft")
    assert not draft.live
    assert ResourcePage.objects.filter(live=True, external_id="s012").get().is_due_for_review
