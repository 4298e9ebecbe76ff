"""The "Link to us" page: copy-paste snippets for partner sites."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from hub.models import BasePage, Topic


class LinkToUsPage(BasePage):
    """Tells partners how to link to the hub and pull its content into their own
    sites: the embeddable list, feeds, calendar, search box, stable links, the API
    and referral links. The snippets are written by the page itself from the
    hub's address, so they are always correct."""

    introduction = models.TextField(
        blank=True, help_text="A sentence or two on why partners might link to the hub."
    )
    body = RichTextField(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
        blank=True,
        help_text="Anything to add below the snippets, e.g. who to contact about partnering.",
    )

    content_panels = BasePage.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    card_summary_field = "introduction"

    parent_page_types = ["community.CommunityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "link to us page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        base = f"{request.scheme}://{request.get_host()}"
        example_topic = Topic.objects.filter(resources__live=True).order_by("name").first()
        context.update(
            hub_base_url=base,
            example_topic=example_topic,
            topics_with_resources=list(
                Topic.objects.filter(resources__live=True).distinct().order_by("name")
            ),
        )
        return context
