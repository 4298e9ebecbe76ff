"""Admin reports and panels are asked for by Django permission, not by group
name: the groups get the permissions in migrations, anyone given a permission
directly gets what it opens, and a group that merely looks like a role gets
nothing."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db

# permission, the groups given it by migration, the admin page it opens, a
# text only that page shows.
OPENED = [
    ("metrics.view_dashboard", {"Steering"}, "metrics_dashboard", None),
    ("search.view_search_reports", {"Editors", "Steering"}, "search_frequent_report", None),
    (
        "knowledge.view_review_report",
        {"Editors", "Evidence reviewers", "Steering"},
        "knowledge_due_for_review",
        None,
    ),
    (
        "hub.view_review_queue",
        {"Editors", "Evidence reviewers", "Steering"},
        "wagtailadmin_home",
        "Review queue",
    ),
]
ROLES = ["Contributors", "Editors", "Evidence reviewers", "Members", "CMHC staff", "Partners", "Steering"]


def permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def admin_user(make_user, username, *groups):
    """Someone who reaches the admin and has nothing else but ``groups``."""
    user = make_user(username, *groups)
    user.user_permissions.add(permission("wagtailadmin.access_admin"))
    return user


def opens(client, user, url_name, marker):
    client.force_login(user)
    response = client.get(reverse(url_name))
    client.logout()
    if marker is None:
        return response.status_code == 200
    return response.status_code == 200 and marker in response.content.decode()


@pytest.mark.parametrize(("dotted", "groups", "url_name", "marker"), OPENED)
def test_the_roles_that_need_a_report_hold_its_permission_from_the_migrations(
    make_user, dotted, groups, url_name, marker
):
    holders = {role for role in ROLES if make_user(f"in-{role}".replace(" ", "-"), role).has_perm(dotted)}
    assert holders == groups


@pytest.mark.parametrize(("dotted", "groups", "url_name", "marker"), OPENED)
def test_a_person_given_the_permission_directly_gets_the_page(
    client, make_user, dotted, groups, url_name, marker
):
    person = admin_user(make_user, "direct")
    assert not opens(client, person, url_name, marker)
    person.user_permissions.add(permission(dotted))
    person = type(person).objects.get(pk=person.pk)  # forget the cached permissions
    assert opens(client, person, url_name, marker)


@pytest.mark.parametrize(("dotted", "groups", "url_name", "marker"), OPENED)
def test_a_group_named_like_a_role_opens_nothing(client, make_user, dotted, groups, url_name, marker):
    for name in groups:
        Group.objects.create(name=f"{name.lower()}")
        Group.objects.create(name=f"{name} (former)")
    lookalike = admin_user(
        make_user, "lookalike", *[g.name for g in Group.objects.filter(name__iendswith="(former)")]
    )
    lookalike.groups.add(*Group.objects.filter(name__in=[name.lower() for name in groups]))
    assert lookalike.groups.count() == 2 * len(groups)
    assert not opens(client, lookalike, url_name, marker)


@pytest.mark.parametrize(("dotted", "groups", "url_name", "marker"), OPENED)
def test_a_member_of_the_role_opens_the_page(client, make_user, dotted, groups, url_name, marker):
    assert opens(client, make_user("role-holder", sorted(groups)[0]), url_name, marker)
