"""The editor-managed synonym list that search uses to understand the field's
abbreviations, legacy terms, plain words and Spanish."""

from django.core.exceptions import ValidationError
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


class SearchDailyStat(models.Model):
    """How often a query was searched on one day, and how often it found nothing.

    The raw material of the search reports and the gap analysis. Queries are
    stored normalised (lower case, single spaces) and nothing about who searched."""

    date = models.DateField(db_index=True)
    query = models.CharField(max_length=255)
    searches = models.PositiveIntegerField(default=0)
    searches_without_results = models.PositiveIntegerField(default=0)
    # Searches that found something, but only a little (1 to FEW_RESULTS
    # results): the gap analysis reads them as thin coverage.
    searches_with_few_results = models.PositiveIntegerField(default=0)

    FEW_RESULTS = 3

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "query"], name="search_daily_stat_unique")]
        ordering = ["-date", "-searches"]
        permissions = [("view_search_reports", "Can see what people search for")]

    def __str__(self):
        return f"{self.query} ({self.date}: {self.searches})"


class IndexQueueItem(models.Model):
    """A page or record the search index has not yet taken, because the search
    service could not be reached when it changed. Retried by ``update_index``
    and after the next successful write to the index."""

    ACTION_UPDATE = "update"
    ACTION_DELETE = "delete"
    ACTION_CHOICES = [(ACTION_UPDATE, "Add or update"), (ACTION_DELETE, "Remove")]

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=50)
    action = models.CharField(max_length=10, choices=ACTION_CHOICES, default=ACTION_UPDATE)
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_index_queue_unique")
        ]
        ordering = ["queued_at"]

    def __str__(self):
        return f"{self.action} {self.content_type.model} {self.object_id}"


class SearchWord(models.Model):
    """A word that occurs in the hub's searchable content, with how many
    documents hold it: the vocabulary typo correction chooses from."""

    word = models.CharField(max_length=100, unique=True)
    documents = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.word


class PopularSearch(models.Model):
    """An editor's choice about one search in the "Popular searches" shown to
    every visitor when a search finds nothing: always suggest it (pinned
    first), or never suggest it, however often it is searched. A search is
    only ever shown while it finds public pages (see README, "Search")."""

    PIN = "pin"
    HIDE = "hide"
    CHOICES = [(PIN, "Always suggest it (shown first)"), (HIDE, "Never suggest it")]

    query = models.CharField(
        max_length=60,
        unique=True,
        verbose_name="search",
        help_text="The words as people type them, e.g. “peer support”. Letters and numbers only.",
    )
    choice = models.CharField(
        max_length=4,
        choices=CHOICES,
        default=PIN,
        help_text="Pinned searches come first, while they find public pages; hidden ones are never shown.",
    )

    panels = [FieldPanel("query"), FieldPanel("choice")]

    class Meta:
        ordering = ["choice", "query"]
        verbose_name = "popular search"
        verbose_name_plural = "popular searches"

    def __str__(self):
        return self.query

    def save(self, *args, **kwargs):
        # Stored as the daily search counts store queries, so the two compare.
        self.query = " ".join((self.query or "").lower().split())
        super().save(*args, **kwargs)

    def clean(self):
        from .reports import is_search_term

        self.query = " ".join((self.query or "").lower().split())
        if not is_search_term(self.query):
            raise ValidationError(
                {
                    "query": "A popular search is a few words people type: letters and numbers, "
                    "with hyphens or apostrophes inside words; no links, e-mail addresses or punctuation."
                }
            )
