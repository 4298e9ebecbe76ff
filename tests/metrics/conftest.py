import pytest

from hub.models import EvidenceLevel, Population, ResourceType, Topic
from knowledge.factories import ResourceIndexPageFactory, ResourcePageFactory


@pytest.fixture
def steering(make_user):
    return make_user("sky", "Steering")


@pytest.fixture
def steering_client(client, steering):
    client.force_login(steering)
    return client


@pytest.fixture
def library(home_page):
    library = ResourceIndexPageFactory(parent=home_page)
    library.save_revision().publish()
    return library


@pytest.fixture
def make_resource(library):
    def make(title, *, topics=(), populations=(), type="toolkit", evidence="moderate", **extra):
        resource = ResourcePageFactory(
            parent=library,
            title=title,
            resource_type=ResourceType.objects.get(slug=type),
            evidence_level=EvidenceLevel.objects.get(slug=evidence),
            publication_year=2022,
            topics=[Topic.objects.get(slug=s) for s in topics],
            populations=[Population.objects.get(slug=s) for s in populations],
            **extra,
        )
        return resource

    return make
