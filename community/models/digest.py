"""What went to whom in the news digest (community/digest)."""

from django.db import models
from django.utils import timezone


class DigestItemSent(models.Model):
    """One item that went to one member in a news digest, so that it never goes
    to them again. ``item`` names it: ``resource:12@2026-05-04`` (a resource as
    of its last review: a new review is news again), ``event:40``,
    ``group-document:7``, ``partner-update:93``. Rows older than any digest
    looks back are deleted by ``send_digests``."""

    profile = models.ForeignKey(
        "community.MemberProfile", on_delete=models.CASCADE, related_name="digest_items_sent"
    )
    item = models.CharField(max_length=80)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "news digest item sent"
        constraints = [models.UniqueConstraint(fields=["profile", "item"], name="one_digest_item_per_member")]

    def __str__(self):
        return f"{self.item} to profile {self.profile_id}"
