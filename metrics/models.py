"""What the steering reports are made of: daily counts of page views and
document downloads (no addresses, no cookies, nothing about the visitor), and
dated snapshots of the landscape and gap analysis."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PageViewDaily(models.Model):
    """How often one page was viewed on one day (the hub's time zone)."""

    date = models.DateField(db_index=True)
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date", "-views"]
        verbose_name = "page views on a day"
        verbose_name_plural = "page views per day"
        constraints = [models.UniqueConstraint(fields=["date", "page"], name="one_page_view_count_per_day")]
        permissions = [("view_dashboard", "Can see the steering reports: participation, impact and gaps")]

    def __str__(self):
        return f"page {self.page_id} on {self.date}: {self.views}"


class DocumentDownloadDaily(models.Model):
    """How often one document was downloaded on one day (the hub's time zone)."""

    date = models.DateField(db_index=True)
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date", "-downloads"]
        verbose_name = "document downloads on a day"
        verbose_name_plural = "document downloads per day"
        constraints = [
            models.UniqueConstraint(fields=["date", "document"], name="one_download_count_per_day")
        ]

    def __str__(self):
        return f"document {self.document_id} on {self.date}: {self.downloads}"


class GapSnapshot(models.Model):
    """The landscape and gap analysis as it stood on one day: the coverage
    matrices, demand and freshness figures, kept so a later study can be
    compared with it."""

    taken_on = models.DateField(default=timezone.localdate, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    label = models.CharField(max_length=200, blank=True, help_text="e.g. “Landscape study 2026”.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-taken_on", "-created_at"]
        verbose_name = "gap analysis snapshot"

    def __str__(self):
        return self.label or f"Gap analysis of {self.taken_on:%-d %B %Y}"


class SignInDay(models.Model):
    """A day (in the hub's time zone) on which an account signed in: only the
    day, no time, address or device. Counts members as active in a period;
    removed when the account is closed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(db_index=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = "sign-in day"
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="one_sign_in_day_per_account")]

    def __str__(self):
        return f"account {self.user_id} signed in on {self.date}"
