from django.db import models


class MailFailure(models.Model):
    """An e-mail the mail service did not take, kept so staff can follow it up.

    Written by the hub's mail backend (hub/mail.py) for every failed send, from
    any part of the hub: membership and event e-mails, review reminders,
    password resets and Wagtail's workflow and comment notifications. Records
    that have their own note (an application's *E-mail problem*, a
    registration's confirmation error) keep it too; this is the one list of all."""

    failed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    subject = models.CharField(max_length=255, blank=True)
    recipients = models.TextField(blank=True, help_text="The addresses the e-mail was for.")
    error = models.TextField(help_text="What the mail service answered, or why it could not be reached.")

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = "mail failure"

    def __str__(self):
        return f"{self.failed_at:%Y-%m-%d %H:%M}: {self.subject or 'an e-mail'} to {self.recipients}"
