import factory
import wagtail_factories

from hub.models import EvidenceLevel, ResourceType

from .models import ResourceIndexPage, ResourcePage


class ResourceIndexPageFactory(wagtail_factories.PageFactory):
    title = "Resource library"
    slug = "resources"

    class Meta:
        model = ResourceIndexPage


class ResourcePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Resource {n}")
    summary = factory.LazyAttribute(lambda o: f"Plain-language summary of {o.title}.")
    publisher = "SAMHSA"
    publication_year = 2022
    source_url = "https://www.samhsa.gov/resource"
    resource_type = factory.LazyFunction(lambda: ResourceType.objects.get(slug="toolkit"))
    evidence_level = factory.LazyFunction(lambda: EvidenceLevel.objects.get(slug="moderate"))

    class Meta:
        model = ResourcePage
        skip_postgeneration_save = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.set(extracted)
            self.save()

    @factory.post_generation
    def populations(self, create, extracted, **kwargs):
        if extracted:
            self.populations.set(extracted)
            self.save()
