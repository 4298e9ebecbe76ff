from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class EventRegistration(models.Model):
    """One person's registration for one event, from the form on the event page."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    STATUS_CHOICES = [(CONFIRMED, "Confirmed"), (WAITLISTED, "On the waiting list"), (CANCELLED, "Cancelled")]

    ROLE_CHOICES = [
        ("cmhc-leader", "CMHC leader or manager"),
        ("clinician", "Clinician or peer specialist at a CMHC"),
        ("researcher", "Researcher"),
        ("partner", "Partner organisation"),
        ("lived-experience", "Person with lived experience or family member"),
        ("other", "Other"),
    ]

    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, help_text="Stored in lower case, so duplicates are recognised.")
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30, choices=ROLE_CHOICES, blank=True)
    needs_captions = models.BooleanField("captions", default=False)
    needs_interpreter = models.BooleanField("interpreter", default=False)
    interpreter_language = models.CharField(max_length=100, blank=True, help_text="e.g. ASL or Spanish.")
    other_needs = models.TextField("other access needs", blank=True)
    consent = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=CONFIRMED, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
        help_text="The account they were signed in with, if any.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attended = models.BooleanField(
        null=True,
        blank=True,
        choices=[(None, "Not recorded"), (True, "Attended"), (False, "Did not attend")],
        help_text="Recorded by staff after the event; empty until someone records it.",
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmation_error = models.TextField(
        blank=True, help_text="Why the confirmation e-mail could not be sent; empty when it was sent."
    )
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person gave up their place (the record is kept)."
    )
    promoted_at = models.DateTimeField(
        null=True, blank=True, help_text="When they were given a place from the waiting list."
    )
    # Reminders (events/reminders.py): each person chooses; each is sent once.
    remind_day_before = models.BooleanField(
        "reminder a day before", default=True, help_text="E-mail them a reminder a day before the event."
    )
    remind_hour_before = models.BooleanField(
        "reminder an hour before", default=True, help_text="E-mail them a reminder an hour before the event."
    )
    day_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    hour_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "event registration"
        constraints = [
            models.UniqueConstraint(Lower("email"), "event", name="one_registration_per_email_per_event"),
        ]
        indexes = [
            # The waiting list of an event, oldest first (events/places.py).
            models.Index(fields=["event", "status", "created_at"], name="registration_queue"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}> for {self.event_id}"

    @property
    def access_needs(self):
        needs = []
        if self.needs_captions:
            needs.append("captions")
        if self.needs_interpreter:
            needs.append(
                f"interpreter ({self.interpreter_language})" if self.interpreter_language else "interpreter"
            )
        if self.other_needs:
            needs.append(self.other_needs)
        return "; ".join(needs)

    @property
    def is_waitlisted(self):
        return self.status == self.WAITLISTED

    @property
    def is_confirmed(self):
        return self.status == self.CONFIRMED

    @property
    def is_cancelled(self):
        return self.status == self.CANCELLED
