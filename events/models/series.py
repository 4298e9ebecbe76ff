from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class EventSeries(index.Indexed, models.Model):
    """A run of events that belong together, such as the launch webinar or the
    monthly learning sessions. Editors choose one on each event."""

    name = models.CharField(max_length=120, unique=True, help_text="The series as readers see it.")
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Used in web addresses. Filled in from the name when empty."
    )
    description = models.TextField(blank=True, help_text="One or two sentences on what the series is for.")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name", boost=3), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "event series"
        verbose_name_plural = "event series"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:120]
        super().save(*args, **kwargs)
