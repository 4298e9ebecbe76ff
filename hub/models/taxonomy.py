"""The hub's controlled vocabularies, chosen by editors inside pages.

Seeded by data migrations (hub/migrations) with defaults drawn from the field;
editors add and rename terms as snippets.
"""

from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class TaxonomyTerm(index.Indexed, models.Model):
    name = models.CharField(max_length=120, unique=True, help_text="The term as readers see it.")
    slug = models.SlugField(
        max_length=120,
        unique=True,
        allow_unicode=False,
        help_text="Used in web addresses and filters. Filled in from the name when empty.",
    )
    description = models.TextField(
        blank=True, help_text="A short public explanation of what the term covers."
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.FilterField("slug"),
    ]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)


class Topic(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "topic"


class Population(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "population"


class ResourceType(TaxonomyTerm):
    schema_type = models.CharField(
        max_length=40,
        default="CreativeWork",
        help_text="The schema.org type search engines are told this resource is, e.g. Report.",
    )

    panels = TaxonomyTerm.panels + [FieldPanel("schema_type")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = "resource type"


class EvidenceLevel(TaxonomyTerm):
    rank = models.PositiveSmallIntegerField(
        default=0,
        help_text="Order on the evidence scale: 1 is the strongest. Unrated evidence goes last.",
    )
    is_rated = models.BooleanField(
        default=True,
        help_text="Untick for 'not rated': such a resource cannot pass evidence review.",
    )

    panels = TaxonomyTerm.panels + [FieldPanel("rank"), FieldPanel("is_rated")]

    class Meta(TaxonomyTerm.Meta):
        ordering = ["rank", "name"]
        verbose_name = "evidence level"
