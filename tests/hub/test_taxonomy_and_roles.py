"""Every fresh database has the hub's vocabularies and roles, from migrations."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from hub.models import EvidenceLevel, Population, ResourceType, Topic

pytestmark = pytest.mark.django_db


def test_vocabularies_are_seeded_with_public_descriptions():
    assert (
        Topic.objects.filter(
            slug__in=["suicide-prevention", "crisis-services", "ccbhc", "peer-support"]
        ).count()
        == 4
    )
    assert Population.objects.filter(slug__in=["youth", "older-adults", "lgbtq", "veterans"]).count() == 4
    assert set(ResourceType.objects.values_list("slug", flat=True)) >= {
        "toolkit",
        "guide",
        "issue-brief",
        "evidence-review",
        "fact-sheet",
        "report",
        "training",
        "webinar-materials",
    }
    for model in (Topic, Population, ResourceType, EvidenceLevel):
        assert not model.objects.filter(description="").exists(), model


def test_evidence_scale_is_ordered_strongest_first_and_not_rated_cannot_pass():
    levels = list(EvidenceLevel.objects.all())
    assert [level.slug for level in levels] == [
        "strong",
        "moderate",
        "emerging",
        "expert-consensus",
        "not-rated",
    ]
    assert [level.slug for level in levels if not level.is_rated] == ["not-rated"]


def test_new_term_gets_a_slug_from_its_name():
    topic = Topic.objects.create(name="Maternal Mental Health")
    assert topic.slug == "maternal-mental-health"


def test_every_role_exists():
    names = set(Group.objects.values_list("name", flat=True))
    assert names >= {
        "Contributors",
        "Editors",
        "Evidence reviewers",
        "Members",
        "CMHC staff",
        "Partners",
        "Steering",
    }


@pytest.mark.parametrize(
    ("group", "can_reach_admin"),
    [
        ("Contributors", True),
        ("Editors", True),
        ("Evidence reviewers", True),
        ("Steering", True),
        ("Members", False),
        ("CMHC staff", False),
        ("Partners", False),
    ],
)
def test_only_roles_that_work_in_the_admin_can_reach_it(client, make_user, group, can_reach_admin):
    client.force_login(make_user("person", group))
    response = client.get("/admin/")
    assert (response.status_code == 200) is can_reach_admin


def test_only_review_publishes_contributors_and_editors_cannot_publish_directly(make_user, home_page):
    policy = PagePermissionPolicy()
    contributor = make_user("casey", "Contributors")
    editor = make_user("eden", "Editors")
    reviewer = make_user("riley", "Evidence reviewers")
    page = Page.objects.get(pk=home_page.pk)
    assert not policy.user_has_permission_for_instance(contributor, "add", page)  # only in the sections
    assert not page.permissions_for_user(contributor).can_publish()
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(editor).can_edit()
    assert not page.permissions_for_user(reviewer).can_edit()


def test_editors_manage_vocabularies_and_contributors_do_not(make_user):
    assert make_user("eden", "Editors").has_perm("hub.change_topic")
    assert not make_user("casey", "Contributors").has_perm("hub.change_topic")
