import hashlib
import json

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from hub.blocks import BaseStreamBlock
from hub.cache import current_generation
from hub.models import BasePage, EvidenceLevel, ResourceType
from hub.privacy import is_restricted, visibility_key, visible_pages

REVIEW_CYCLE = relativedelta(months=24)
RELATED_LIMIT = 4

# ISO 639-1 codes of the languages CMHCs most often serve in the US, plus "other".
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("ru", "Russian"),
    ("ht", "Haitian Creole"),
    ("fr", "French"),
    ("pt", "Portuguese"),
    ("other", "Other"),
]

doi_validator = RegexValidator(
    r"^10\.\d{4,9}/\S+$", "Enter a DOI such as 10.1176/appi.ps.201900123, without https://doi.org/."
)

EVIDENCE_SCALE_HELP = (
    "The hub's evidence scale, strongest first: Strong (several well-designed studies agree), "
    "Moderate (at least one well-designed study or several smaller ones), Emerging (promising "
    "early results), Expert consensus (agreed judgement of experts and people with lived "
    "experience), Not rated (not yet assessed; cannot pass evidence review)."
)


def taxonomy_by_id():
    """Resource types and evidence levels by id, cached until the next change."""
    key = f"hub:resource-terms:{current_generation()}"
    terms = cache.get(key)
    if terms is None:
        terms = {
            "types": {t.pk: t for t in ResourceType.objects.all()},
            "levels": {level.pk: level for level in EvidenceLevel.objects.order_by("rank", "name")},
        }
        cache.set(key, terms, 3600)
    return terms


class ResourcePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "knowledge.ResourcePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ResourcePage(BasePage):
    """One evidence-based resource: a toolkit, guide, brief, review, fact sheet,
    report, training or webinar materials, with what a CMHC leader needs to judge
    it at a glance: evidence level, who it is for, and when it was last reviewed."""

    summary = models.TextField(
        help_text="Plain-language summary: what this is, who it helps and what it finds. Required.",
    )
    body = StreamField(
        BaseStreamBlock(),
        blank=True,
        help_text="The resource in full, or notes on how to use it.",
    )
    resource_type = models.ForeignKey(
        "hub.ResourceType",
        null=True,
        blank=False,
        on_delete=models.PROTECT,
        related_name="resources",
        help_text="What kind of resource this is.",
    )
    topics = ParentalManyToManyField(
        "hub.Topic", blank=True, related_name="resources", help_text="The topics it covers."
    )
    populations = ParentalManyToManyField(
        "hub.Population",
        blank=True,
        related_name="resources",
        help_text="The people it is about or for. Leave empty if it applies to everyone.",
    )
    evidence_level = models.ForeignKey(
        "hub.EvidenceLevel",
        null=True,
        blank=False,
        on_delete=models.PROTECT,
        related_name="resources",
        help_text=EVIDENCE_SCALE_HELP,
    )
    publisher = models.CharField(
        max_length=255, blank=True, help_text="The organisation that published it, e.g. SAMHSA."
    )
    publication_date = models.DateField(
        null=True, blank=True, help_text="When it was published. Leave empty if only the year is known."
    )
    publication_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Year of publication. Filled in from the publication date when that is given.",
    )
    source_url = models.URLField(
        max_length=500, blank=True, help_text="Where the original can be read or downloaded."
    )
    doi = models.CharField(
        "DOI", max_length=100, blank=True, validators=[doi_validator], help_text="Digital Object Identifier."
    )
    language = models.CharField(
        max_length=10,
        choices=LANGUAGE_CHOICES,
        default="en",
        db_index=True,
        help_text="Language of the resource.",
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional cover image.",
    )
    cover_image_alt = models.CharField(
        "cover image alt text",
        max_length=255,
        blank=True,
        help_text="Describe the cover image for people who cannot see it. Required with a cover image.",
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When the hub last checked this resource is still accurate and current.",
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text=(
            "When it should be checked again. Leave empty (or earlier than the last review) "
            "for 24 months after the last review."
        ),
    )
    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable id from an import file; imports update the page with the same id.",
    )
    tags = ClusterTaggableManager(through=ResourcePageTag, blank=True, help_text="Free keywords.")
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggested_resources",
        help_text="The member who suggested this resource, if it came from the suggestion form.",
    )
    suggestion_reason = models.TextField(
        blank=True, help_text="Why the member thinks it matters, from the suggestion form."
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("resource_type", widget=forms.Select), FieldPanel("language")]),
                HelpPanel(content=f"<p>{EVIDENCE_SCALE_HELP}</p>"),
                FieldPanel("evidence_level", widget=forms.RadioSelect),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("populations", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading="Classification",
        ),
        MultiFieldPanel(
            [
                FieldPanel("publisher"),
                InlinePanel("authors", label="Author"),
                FieldRowPanel([FieldPanel("publication_date"), FieldPanel("publication_year")]),
                FieldPanel("source_url"),
                FieldPanel("doi"),
            ],
            heading="Source",
        ),
        FieldPanel("body"),
        InlinePanel("documents", label="Attached document"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading="Cover image"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("last_reviewed"), FieldPanel("next_review_due")])], heading="Review"
        ),
        InlinePanel("related_resources", label="Related resource"),
    ]
    promote_panels = BasePage.promote_panels + [
        FieldPanel("external_id"),
        MultiFieldPanel(
            [FieldPanel("suggested_by", read_only=True), FieldPanel("suggestion_reason", read_only=True)],
            heading="Member suggestion",
        ),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("summary", boost=3),
        index.SearchField("body"),
        index.SearchField("publisher", boost=1.5),
        index.SearchField("topic_names", boost=3),
        index.SearchField("author_names"),
        index.SearchField("population_names", boost=2),
        index.SearchField("resource_type_name"),
        index.SearchField("tag_names", boost=2),
        index.FilterField("resource_type"),
        index.FilterField("evidence_level"),
        index.FilterField("publication_year"),
        index.FilterField("language"),
        index.FilterField("next_review_due"),
    ]

    parent_page_types = ["knowledge.ResourceIndexPage"]
    subpage_types = []
    # Its label in search results and the search page's content facet.
    search_type = "Resource"

    class Meta:
        verbose_name = "resource"

    @classmethod
    def get_indexed_objects(cls):
        # The search index reads topics, populations, tags and authors of every
        # page; ParentalManyToManyFields are not prefetched by default.
        return (
            super()
            .get_indexed_objects()
            .select_related("resource_type")
            .prefetch_related("topics", "populations", "tags", "authors")
        )

    # Plain text for the search index (BasePage.related_names): it keeps a
    # 10,000-row import under a minute.
    def topic_names(self):
        return self.related_names("topics")

    def author_names(self):
        return self.related_names("authors")

    def population_names(self):
        return self.related_names("populations")

    def tag_names(self):
        return self.related_names("tags")

    def resource_type_name(self):
        return self.resource_type.name if self.resource_type_id else ""

    # --- editing -------------------------------------------------------------

    def clean(self):
        super().clean()
        errors = {}
        if self.cover_image_id and not self.cover_image_alt.strip():
            errors["cover_image_alt"] = "Describe the cover image for people who cannot see it."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.publication_date:
            self.publication_year = self.publication_date.year
        if self.last_reviewed and (not self.next_review_due or self.next_review_due <= self.last_reviewed):
            # Empty, or left over from before the latest review: the default cycle.
            self.next_review_due = self.last_reviewed + REVIEW_CYCLE
        super().save(*args, **kwargs)

    # --- reading -------------------------------------------------------------

    card_summary_field = "summary"

    @property
    def meta_description(self):
        return self.search_description or self.listing_summary or self.summary[:300]

    @property
    def is_due_for_review(self):
        return bool(self.next_review_due) and self.next_review_due < timezone.localdate()

    @property
    def published_label(self):
        if self.publication_date:
            return self.publication_date.strftime("%B %Y").lstrip("0")
        return str(self.publication_year or "")

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @cached_property
    def is_members_only(self):
        return is_restricted(self)

    def evidence_scale(self):
        """Every level of the scale, for the explanation beside this resource's level."""
        return list(taxonomy_by_id()["levels"].values())

    def related(self, request):
        """Editor-picked related resources first, then others sharing the most topics.

        Only resources the reader may see. Cached until the next publish, per
        audience, because the topic overlap query reads the whole library. The
        overlap is counted over the topic links of the live resources the
        reader may see (``visible_audiences``, on the indexed ``audience``
        field), grouped by resource id alone."""
        from hub.privacy import visible_audiences

        preview = getattr(request, "is_preview", False)
        audiences = sorted(visible_audiences(request))
        audiences_key = hashlib.sha1(",".join(audiences).encode()).hexdigest()[:16]
        key = f"hub:related:{current_generation()}:{visibility_key(request)}:{audiences_key}:{self.pk}"
        related_ids = None if preview else cache.get(key)
        visible = visible_pages(ResourcePage.objects.all(), request)
        if related_ids is None:
            picked_ids = list(
                dict.fromkeys(
                    item.related_id for item in self.related_resources.all() if item.related_id != self.pk
                )
            )
            allowed = set(visible.filter(pk__in=picked_ids).values_list("pk", flat=True))
            related_ids = [pk for pk in picked_ids if pk in allowed]
            topic_ids = [t.pk for t in self.topics.all()]
            if len(related_ids) < RELATED_LIMIT and topic_ids:
                links = ResourcePage.topics.through.objects
                related_ids += list(
                    links.filter(
                        topic_id__in=topic_ids, resourcepage__live=True, resourcepage__audience__in=audiences
                    )
                    .exclude(resourcepage_id__in=[*related_ids, self.pk])
                    .values("resourcepage_id", "resourcepage__publication_year")
                    .annotate(shared_topics=Count("topic_id"))
                    .order_by("-shared_topics", "-resourcepage__publication_year", "-resourcepage_id")
                    .values_list("resourcepage_id", flat=True)[: RELATED_LIMIT - len(related_ids)]
                )
            if not preview:
                cache.set(key, related_ids, 3600)
        pages = visible.filter(pk__in=related_ids).select_related("resource_type", "evidence_level").in_bulk()
        return [pages[pk] for pk in related_ids if pk in pages]

    def prepare_for_display(self):
        """Load everything the page shows in a fixed number of queries, so the
        cost does not grow with its topics, authors, tags or documents."""
        if getattr(self, "_prepared_for_display", False):
            return
        self._prepared_for_display = True
        prefetch_related_objects([self], "topics", "populations", "authors", "tags", "documents__document")
        terms = taxonomy_by_id()
        if self.resource_type_id in terms["types"]:
            self.resource_type = terms["types"][self.resource_type_id]
        if self.evidence_level_id in terms["levels"]:
            self.evidence_level = terms["levels"][self.evidence_level_id]

    def get_context(self, request, *args, **kwargs):
        # Lazy: when the page's fragments are cached, none of this is computed.
        context = super().get_context(request, *args, **kwargs)
        context["related_resources"] = SimpleLazyObject(lambda: self.related(request))
        context["json_ld"] = SimpleLazyObject(lambda: self.json_ld(request))
        return context

    def json_ld(self, request):
        """schema.org description of the resource, as a string safe inside <script>."""
        self.prepare_for_display()
        url = self.get_full_url(request)
        data = {
            "@context": "https://schema.org",
            "@type": self.resource_type.schema_type if self.resource_type_id else "CreativeWork",
            "name": self.title,
            "description": self.summary,
            "url": url,
            "inLanguage": self.language if self.language != "other" else None,
            "datePublished": (
                self.publication_date.isoformat()
                if self.publication_date
                else (str(self.publication_year) if self.publication_year else None)
            ),
            "publisher": {"@type": "Organization", "name": self.publisher} if self.publisher else None,
            "author": [
                {
                    "@type": "Person",
                    "name": a.name,
                    **({"affiliation": a.organisation} if a.organisation else {}),
                }
                for a in self.authors.all()
            ]
            or ({"@type": "Organization", "name": self.publisher} if self.publisher else None),
            "about": [{"@type": "Thing", "name": t.name} for t in self.topics.all()],
            "audience": [{"@type": "Audience", "audienceType": p.name} for p in self.populations.all()]
            or {"@type": "Audience", "audienceType": "Community mental health professionals"},
            "keywords": ", ".join(t.name for t in self.tags.all()) or None,
            "sameAs": self.source_url or None,
            "identifier": self.doi_url or None,
            "dateModified": self.last_published_at.isoformat() if self.last_published_at else None,
        }
        data = {k: v for k, v in data.items() if v not in (None, "", [])}
        return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


class ReviewReminder(models.Model):
    """One reminder sent about one resource on one day, so reminders are not
    sent twice when the command runs again the same day."""

    page = models.ForeignKey(ResourcePage, on_delete=models.CASCADE, related_name="review_reminders")
    sent_on = models.DateField()
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "sent_on"], name="one_review_reminder_a_day")]
        permissions = [("view_review_report", "Can see the report of resources due for review")]

    def __str__(self):
        return f"Review reminder for page {self.page_id} on {self.sent_on}"


class ResourceAuthor(Orderable):
    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(max_length=255, help_text="Person or group who wrote it.")
    organisation = models.CharField(max_length=255, blank=True, help_text="Their organisation, if different.")

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("organisation")])]

    def __str__(self):
        return self.name


class ResourceDocument(Orderable):
    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(
        max_length=255, blank=True, help_text="Link text; the document's title by default."
    )

    panels = [FieldPanel("document"), FieldPanel("label")]


class RelatedResource(Orderable):
    page = ParentalKey(ResourcePage, on_delete=models.CASCADE, related_name="related_resources")
    related = models.ForeignKey(
        ResourcePage,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A resource readers of this one should see next.",
    )

    panels = [FieldPanel("related")]
