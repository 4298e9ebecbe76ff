from django.db import models
from django.utils import timezone


class MailFailure(models.Model):
    """An e-mail the mail service did not take, kept so staff can follow it up.

    Written by the hub's mail queue and backend (hub/mail.py) for every failed
    send, from any part of the hub: membership and event e-mails, digests and
    reminders, password resets and Wagtail's workflow and comment notifications.
    A queued e-mail that fails has one entry, updated at each try while the
    queue tries again (``next_attempt_at``) and removed once it is delivered; an
    entry without a next try is final. Records that have their own note (an
    application's *E-mail problem*, a registration's confirmation error) keep
    it too; this is the one list of all."""

    failed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    subject = models.CharField(max_length=255, blank=True)
    recipients = models.TextField(blank=True, help_text="The addresses the e-mail was for.")
    error = models.TextField(help_text="What the mail service answered, or why it could not be reached.")
    attempts = models.PositiveSmallIntegerField(
        default=1, help_text="How many times the hub tried to send it."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the hub tries again; empty once it has stopped trying."
    )
    queue_key = models.CharField(
        max_length=36, blank=True, db_index=True, editable=False, help_text="The queued e-mail this is about."
    )

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = "mail failure"

    def __str__(self):
        return f"{self.failed_at:%Y-%m-%d %H:%M}: {self.subject or 'an e-mail'} to {self.recipients}"

    @property
    def status(self):
        if self.next_attempt_at is None:
            return "Not sent"
        when = timezone.localtime(self.next_attempt_at)
        return f"Not sent yet: trying again at {when:%H:%M} on {when.day} {when:%B}"
