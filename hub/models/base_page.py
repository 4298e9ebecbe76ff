import re

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

HYPHENATED = re.compile(r"\b\w+(?:-\w+)+\b")


class BasePage(Page):
    """Fields every page of the hub shares: how it looks in listings and when shared."""

    listing_title = models.CharField(
        max_length=255,
        blank=True,
        help_text="Shorter title for cards and listings. The page title is used when empty.",
    )
    listing_summary = models.TextField(
        blank=True,
        max_length=300,
        help_text="One or two plain-language sentences shown in listings and search results.",
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Image for cards and for sharing on social media.",
    )
    # Who may see the page, kept in step with page privacy (hub/audience.py);
    # search filters on it instead of on Wagtail's per-restriction exclusions.
    audience = models.CharField(max_length=255, default="public", editable=False, db_index=True)

    settings_panels = Page.settings_panels + [
        HelpPanel(
            content=(
                f"<p>Go-live and expiry times are in your account's time zone, or the hub's "
                f"({settings.TIME_ZONE}) if you have not chosen one. A page approved with a go-live time "
                f"goes live then; an expiry time takes it down.</p>"
            )
        )
    ]

    promote_panels = Page.promote_panels + [
        MultiFieldPanel(
            [FieldPanel("listing_title"), FieldPanel("listing_summary"), FieldPanel("listing_image")],
            heading="Listings and sharing",
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("listing_summary", boost=2),
        index.AutocompleteField("listing_title"),
        index.FilterField("audience"),
        index.SearchField("joined_word_variants"),
    ]

    class Meta:
        abstract = True

    def related_names(self, relation):
        """The names of a relation's items as one string, for the search index.
        Wagtail's database backend builds a queryset per RelatedFields per pass
        of its indexer (five passes); strings built from the prefetched
        relations index in less than half the time. Memoised: the indexer asks
        for each field five times. Elasticsearch reads them as ordinary text
        fields with the same boosts."""
        key = f"_index_names_{relation}"
        if key not in self.__dict__:
            self.__dict__[key] = " ".join(item.name for item in getattr(self, relation).all())
        return self.__dict__[key]

    def joined_word_variants(self):
        """Hyphenated words of the title and summary written as one word
        ("tele-health" -> "telehealth"), so a search for either form finds
        the page; search queries do the same the other way round."""
        text = " ".join(
            str(value) for value in (self.title, self.listing_summary, getattr(self, "summary", "")) if value
        )
        joined = {match.replace("-", "") for match in HYPHENATED.findall(text.lower())}
        return " ".join(sorted(joined))

    @property
    def card_title(self):
        return self.listing_title or self.title

    # The field a card or search result shows as the summary when the
    # editor gave no listing summary (search keeps it in memory by this name).
    card_summary_field = "search_description"

    @property
    def card_summary(self):
        return self.listing_summary or getattr(self, self.card_summary_field)

    @property
    def meta_description(self):
        # Every page gets a description for search engines and link previews,
        # from the editor's own words when there is no search description.
        return self.search_description or self.card_summary

    def save(self, *args, **kwargs):
        if self.path:
            from hub.audience import audience_for_path

            self.audience = audience_for_path(self.path)
        return super().save(*args, **kwargs)

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        from hub.routing import cached_child

        return cached_child(self, path_components[0]).route(request, path_components[1:])

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # Page views are what the anonymous page cache stores (hub/cache.py).
        response.hub_page_cacheable = True
        return response
