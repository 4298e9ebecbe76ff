"""Each page stores who may see it, and the value follows page privacy."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory
from wagtail.models import PageViewRestriction

from home.models import StandardPage
from hub.audience import PUBLIC, allowed_audiences
from knowledge.models import ResourcePage

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


def restrict(page, *group_names):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set(Group.objects.filter(name__in=group_names))
    return restriction


def audience_of(page):
    return type(page).objects.values_list("audience", flat=True).get(pk=page.pk)


def test_new_page_is_public(make_resource):
    assert audience_of(make_resource("Open guide")) == PUBLIC


def test_restricting_a_section_marks_every_page_below_it(library, make_resource):
    resource = make_resource("Guide")
    restriction = restrict(library, "Members")
    assert audience_of(resource) == f"r{restriction.pk}"
    assert audience_of(library) == f"r{restriction.pk}"


def test_a_page_created_inside_a_restricted_section_inherits_its_audience(library, make_resource):
    restriction = restrict(library, "Members")
    assert audience_of(make_resource("Later guide")) == f"r{restriction.pk}"


def test_removing_the_restriction_makes_pages_public_again(library, make_resource):
    resource = make_resource("Guide")
    restrict(library, "Members").delete()
    assert audience_of(resource) == PUBLIC


def test_nested_restrictions_combine(library, make_resource):
    resource = make_resource("Guide")
    outer = restrict(library, "Members")
    inner = restrict(resource, "CMHC staff")
    assert audience_of(resource) == f"r{outer.pk}.r{inner.pk}"


def test_moving_a_page_out_of_a_restricted_section_makes_it_public(home_page, library, make_resource):
    resource = make_resource("Guide")
    restrict(library, "Members")
    open_library = type(library)(title="Open library", slug="open-library")
    home_page.add_child(instance=open_library)
    ResourcePage.objects.get(pk=resource.pk).move(open_library, pos="last-child")
    assert audience_of(resource) == PUBLIC


def test_anonymous_visitors_are_allowed_only_public_pages(library):
    restrict(library, "Members")
    assert allowed_audiences(request_for(AnonymousUser())) == [PUBLIC]


def test_members_are_allowed_their_groups_restrictions_but_not_others(home_page, library, make_user):
    members = restrict(library, "Members")
    staff_page = StandardPage(title="Staff notes", slug="staff-notes")
    home_page.add_child(instance=staff_page)
    staff = restrict(staff_page, "CMHC staff")
    allowed = allowed_audiences(request_for(make_user("maria", "Members")))
    assert f"r{members.pk}" in allowed
    assert f"r{staff.pk}" not in allowed


def test_a_nested_section_needs_every_restriction_above_it(library, make_resource, make_user):
    resource = make_resource("Guide")
    outer = restrict(library, "Members")
    inner = restrict(resource, "CMHC staff")
    key = f"r{outer.pk}.r{inner.pk}"
    assert key not in allowed_audiences(request_for(make_user("maria", "Members")))
    assert key in allowed_audiences(request_for(make_user("lee", "Members", "CMHC staff")))


def test_superusers_pass_group_restrictions(library, make_user):
    restriction = restrict(library, "Members")
    admin = make_user("root", is_superuser=True)
    assert f"r{restriction.pk}" in allowed_audiences(request_for(admin))
