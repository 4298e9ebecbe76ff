import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from community.factories import JoinPageFactory, WorkingGroupIndexPageFactory, WorkingGroupPageFactory
from community.models import WorkingGroupMembership

MEMBER_GROUPS = ["Members", "CMHC staff", "Partners"]
BROKEN_MAIL = {"default": {"BACKEND": "tests.community.broken_mail.BrokenBackend"}}


def publish(page):
    page.save_revision().publish()
    return page


@pytest.fixture
def library(home_page):
    from knowledge.factories import ResourceIndexPageFactory

    return publish(ResourceIndexPageFactory(parent=home_page))


@pytest.fixture
def events_index(home_page):
    from events.factories import EventIndexPageFactory

    return publish(EventIndexPageFactory(parent=home_page))


@pytest.fixture
def join_page(home_page):
    return publish(JoinPageFactory(parent=home_page))


@pytest.fixture
def group_index(home_page):
    return publish(WorkingGroupIndexPageFactory(parent=home_page))


@pytest.fixture
def make_group(group_index):
    def make(title, **extra):
        return publish(WorkingGroupPageFactory(parent=group_index, title=title, **extra))

    return make


@pytest.fixture
def workforce(make_group):
    return make_group("Workforce and peer support")


@pytest.fixture
def restrict():
    def restrict(page, *groups):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name__in=groups or MEMBER_GROUPS))
        return page

    return restrict


@pytest.fixture
def steering(make_user):
    return make_user("sky", "Steering")


@pytest.fixture
def member(make_user):
    return make_user("morgan", "Members")


@pytest.fixture
def join_group():
    def join(group, user, status=WorkingGroupMembership.APPROVED):
        return WorkingGroupMembership.objects.create(working_group=group, user=user, status=status)

    return join


@pytest.fixture
def members_only_resource(home_page, restrict):
    from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory

    library = publish(ResourceIndexPageFactory(parent=home_page))
    return restrict(publish(ResourcePageFactory(parent=library, title="Members-only toolkit")))
