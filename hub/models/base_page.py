import contextvars
import datetime
import functools
import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

HYPHENATED = re.compile(r"\b\w+(?:-\w+)+\b")


def search_sort_date(year, date):
    """When a page counts as from, for sorting search results newest first:
    its own date (an event's start, a page's first publication) or, for a
    resource, the first of its publication year. An aware datetime or None."""
    if year:
        return datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    if isinstance(date, datetime.datetime):
        return date
    if isinstance(date, datetime.date):
        return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)
    return None


def search_year(year, date):
    """The year a page is counted under in the search page's year facet."""
    if year:
        return year
    if isinstance(date, datetime.datetime):
        return timezone.localtime(date).year if timezone.is_aware(date) else date.year
    if isinstance(date, datetime.date):
        return date.year
    return None


# Set while a bulk import indexes everything at its end (knowledge/importer.py).
search_indexing_paused = contextvars.ContextVar("search_indexing_paused", default=False)


@functools.cache
def _has_parental_relations(model):
    from modelcluster.fields import ParentalManyToManyField

    return any(isinstance(field, ParentalManyToManyField) for field in model._meta.get_fields())


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
        # What the search page filters, counts and sorts on, named alike on
        # every page type (search/hub_backend.py SHARED_FILTER_FIELDS), so one
        # engine query filters and aggregates over all of them.
        index.FilterField("search_kind"),
        index.FilterField("search_topics"),
        index.FilterField("search_populations"),
        index.FilterField("search_resource_type"),
        index.FilterField("search_evidence"),
        index.FilterField("search_year", type="IntegerField"),
        index.FilterField("search_sort_date", type="DateTimeField"),
    ]

    class Meta:
        abstract = True

    # --- search ---------------------------------------------------------------
    # A page type that sets ``search_type`` (its label in results and the
    # content facet) is found by the search page. It may set
    # ``search_date_field`` (a date or datetime field, e.g. an event's start)
    # for sorting by newest; otherwise resources sort by publication year and
    # other pages by their first publication.

    @classmethod
    def get_indexed_objects(cls):
        # Only live pages reach the search index: a draft is never searchable,
        # and a page unpublished or expired leaves the index (search/signals).
        return super().get_indexed_objects().filter(live=True)

    def search_kind(self):
        search_type = getattr(self, "search_type", None)
        return slugify(search_type) if search_type else None

    def _term_slugs(self, relation):
        manager = getattr(self, relation, None)
        return sorted(term.slug for term in manager.all()) if manager is not None else []

    def search_topics(self):
        return self._term_slugs("topics")

    def search_populations(self):
        return self._term_slugs("populations")

    def search_resource_type(self):
        term = getattr(self, "resource_type", None)
        return term.slug if term is not None else None

    def search_evidence(self):
        term = getattr(self, "evidence_level", None)
        return term.slug if term is not None else None

    def search_year(self):
        return search_year(getattr(self, "publication_year", None), self._search_date_value())

    def search_sort_date(self):
        return search_sort_date(getattr(self, "publication_year", None), self._search_date_value())

    def _search_date_value(self):
        date_field = getattr(self, "search_date_field", None)
        return getattr(self, date_field) if date_field else self.first_published_at

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
        result = super().save(*args, **kwargs)
        if kwargs.get("update_fields") is None and self.live and _has_parental_relations(type(self)):
            # Wagtail indexes a page as its row is saved, before its topics and
            # other parental relations are written: index it again now that
            # they are, so the index's topic and population filters are right.
            if not search_indexing_paused.get():
                from modelsearch.index import insert_or_update_object

                insert_or_update_object(self)
        return result

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
