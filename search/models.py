"""The editor-managed synonym list that search uses to understand the field's
abbreviations, legacy terms, plain words and Spanish."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Synonym(index.Indexed, models.Model):
    """Words and phrases that mean the same thing to the people who search the hub,
    e.g. "MOUD, MAT, medications for opioid use disorder". A search for any of
    them also finds the others."""

    terms = models.TextField(
        help_text=(
            "Words or phrases that mean the same, separated by commas, e.g. "
            "“SMI, serious mental illness, severe mental illness”."
        )
    )
    note = models.CharField(
        max_length=255, blank=True, help_text="Where the equivalence comes from, for editors."
    )

    panels = [FieldPanel("terms"), FieldPanel("note")]
    search_fields = [index.SearchField("terms"), index.AutocompleteField("terms")]

    class Meta:
        ordering = ["terms"]

    def __str__(self):
        return self.terms

    @property
    def term_list(self):
        return [" ".join(term.lower().split()) for term in self.terms.split(",") if term.strip()]
