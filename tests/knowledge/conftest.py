import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from hub.models import EvidenceLevel, Population, ResourceType, Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory


@pytest.fixture
def library(home_page):
    return ResourceIndexPageFactory(parent=home_page)


def topic(slug):
    return Topic.objects.get(slug=slug)


@pytest.fixture
def make_resource(library):
    def make(title, *, topics=(), populations=(), type="toolkit", evidence="moderate", year=2022, **extra):
        return ResourcePageFactory(
            parent=library,
            title=title,
            resource_type=ResourceType.objects.get(slug=type),
            evidence_level=EvidenceLevel.objects.get(slug=evidence),
            publication_year=year,
            topics=[Topic.objects.get(slug=s) for s in topics],
            populations=[Population.objects.get(slug=s) for s in populations],
            **extra,
        )

    return make


@pytest.fixture
def members_only():
    def restrict(page):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name__in=["Members", "CMHC staff", "Partners"]))
        return page

    return restrict
