from django.core.cache import cache
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from hub.blocks import BaseStreamBlock
from hub.cache import current_generation
from hub.models import BasePage
from hub.privacy import visibility_key, visible_pages


class HomePage(BasePage):
    """The front door of the hub: the CoP's mission, the call to join, and what is
    featured now. Sections with nothing in them are left out."""

    mission_heading = models.CharField(
        max_length=160,
        default="Equitable mental health care, built together",
        help_text="The main heading of the site, in plain language.",
    )
    mission = RichTextField(
        features=["bold", "italic", "link"],
        help_text="Two or three sentences on what the CoP is and why it exists.",
    )
    join_heading = models.CharField(
        max_length=120,
        default="Join the Community of Practice",
        help_text="Heading of the join call to action.",
    )
    join_text = models.TextField(
        blank=True,
        help_text="Why someone should join, in a sentence or two.",
    )
    body = StreamField(
        BaseStreamBlock(),
        blank=True,
        help_text="Any further sections for the home page.",
    )

    content_panels = BasePage.content_panels + [
        MultiFieldPanel([FieldPanel("mission_heading"), FieldPanel("mission")], heading="Mission"),
        MultiFieldPanel([FieldPanel("join_heading"), FieldPanel("join_text")], heading="Join"),
        InlinePanel(
            "featured_items",
            label="Featured content",
            help_text="Pages shown in the 'Featured resources' section, in this order.",
        ),
        FieldPanel("body"),
    ]

    search_fields = BasePage.search_fields + [index.SearchField("mission")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.StandardPage",
        "knowledge.ResourceIndexPage",
        "events.EventIndexPage",
        "community.JoinPage",
        "community.WorkingGroupIndexPage",
        "community.CommunityIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_pages"] = self.featured_pages(request)
        return context

    def featured_pages(self, request):
        """Editor-chosen pages the reader may see, in order; kept until the next publish."""
        preview = getattr(request, "is_preview", False)
        key = f"hub:featured:{current_generation()}:{visibility_key(request)}:{self.pk}"
        pages = None if preview else cache.get(key)
        if pages is None:
            chosen_ids = [item.page_id for item in self.featured_items.all()]
            visible = {
                page.pk: page
                for page in visible_pages(Page.objects.filter(pk__in=chosen_ids), request).specific()
            }
            pages = [visible[pk] for pk in chosen_ids if pk in visible]
            if not preview:
                cache.set(key, pages, 3600)
        return pages


class HomePageFeaturedItem(Orderable):
    home_page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A page to feature on the home page.",
    )

    panels = [FieldPanel("page")]


class StandardPage(BasePage):
    """A plain page for anything that is not a resource, an event or a group:
    about the CoP, the privacy notice, accessibility statement, contact."""

    # Its label in search results and the search page's content facet.
    search_type = "Page"

    introduction = models.TextField(
        blank=True, help_text="A short plain-language introduction shown under the title."
    )
    body = StreamField(BaseStreamBlock(), blank=True, help_text="The content of the page.")

    content_panels = BasePage.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [
        index.SearchField("introduction", boost=2),
        index.SearchField("body"),
    ]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = "standard page"
