import factory
import wagtail_factories

from community.models import CommunityIndexPage, NetworkUpdatesPage, PartnerCommunityPage
from syndication.models import LinkToUsPage


class CommunityIndexPageFactory(wagtail_factories.PageFactory):
    title = "Communities"
    slug = "communities"

    class Meta:
        model = CommunityIndexPage


class PartnerCommunityPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Partner community {n}")
    description = factory.LazyAttribute(
        lambda o: f"{o.title} brings people together around community mental health."
    )
    website = factory.Sequence(lambda n: f"https://partner{n}.example.org/")

    class Meta:
        model = PartnerCommunityPage
        skip_postgeneration_save = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.set(extracted)
            self.save()

    @factory.post_generation
    def shared_resources(self, create, extracted, **kwargs):
        if extracted:
            self.shared_resources.set(extracted)
            self.save()


class NetworkUpdatesPageFactory(wagtail_factories.PageFactory):
    title = "Across the network"
    slug = "network"

    class Meta:
        model = NetworkUpdatesPage


class LinkToUsPageFactory(wagtail_factories.PageFactory):
    title = "Link to us"
    slug = "link-to-us"
    introduction = "Share the hub's resources and events on your own website."

    class Meta:
        model = LinkToUsPage
