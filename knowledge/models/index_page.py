from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from hub.models import BasePage


class ResourceIndexPage(BasePage):
    """The library: every published resource below it, newest first, with filters
    by topic, resource type, population, evidence level, year and language."""

    introduction = models.TextField(
        blank=True,
        help_text="A sentence or two above the listing on what the library holds.",
    )

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["knowledge.ResourcePage"]

    class Meta:
        verbose_name = "resource library"

    def get_context(self, request, *args, **kwargs):
        from knowledge.library import Library

        context = super().get_context(request, *args, **kwargs)
        context["library"] = Library(self, request)
        return context
