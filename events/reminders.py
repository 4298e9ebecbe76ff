"""Reminders a day and an hour before an event, each one the person's choice
(``remind_day_before``, ``remind_hour_before`` on their registration).

``send_due_reminders`` is run every few minutes (``manage.py
send_event_reminders`` from cron). A reminder is due from its time before the
start until the next reminder's time (the day reminder until an hour before,
the hour reminder until the start): a run that was missed never sends a stale
"tomorrow". It goes only to a confirmed place for a live event that is not
cancelled, to people who may see the event (events/access.py), and only to
people who registered (or got their place) before it was due: they have just
had their confirmation.

Each reminder is sent once: it is claimed by writing its sent-at time where it
is still empty (so two runs at once never both send it), and released again
when the mail service fails, so the next run tries again. A new time for the
event empties the sent-at times (events/changes.py).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from hub.mail import send_message

from .access import registrant_may_see
from .models import EventRegistration
from .registration import registrant_message


@dataclass(frozen=True)
class Reminder:
    kind: str
    choice: str  # the person's choice on their registration
    sent: str  # when it was sent
    before: timedelta  # due from this long before the start
    until: timedelta  # until this long before the start

    def subject(self, event):
        if self.kind == "hour":
            return f"Starting soon: {event.title}"
        return f"Reminder: {event.title}, {event.date_label}"


DAY = Reminder("day", "remind_day_before", "day_reminder_sent_at", timedelta(hours=24), timedelta(hours=1))
HOUR = Reminder("hour", "remind_hour_before", "hour_reminder_sent_at", timedelta(hours=1), timedelta(0))
REMINDERS = (DAY, HOUR)


@dataclass
class Run:
    sent: dict = field(default_factory=lambda: {reminder.kind: 0 for reminder in REMINDERS})
    failures: list = field(default_factory=list)  # (address, reason)

    def summary(self):
        return (
            f"Sent {self.sent['day']} reminder(s) a day before and {self.sent['hour']} an hour before; "
            f"{len(self.failures)} could not be sent (tried again on the next run)."
        )


def due(reminder, now):
    """The registrations whose ``reminder`` is due at ``now``."""
    return (
        EventRegistration.objects.filter(
            status=EventRegistration.CONFIRMED,
            event__live=True,
            event__cancelled=False,
            event__start__gt=now + reminder.until,
            event__start__lte=now + reminder.before,
            **{reminder.choice: True, f"{reminder.sent}__isnull": True},
        )
        .annotate(placed_at=Coalesce("promoted_at", "created_at"))
        .filter(placed_at__lte=F("event__start") - reminder.before)
        .select_related("event", "user")
        .order_by("event__start", "pk")
    )


def _claim(registration, reminder, now):
    """Mark the reminder sent, if no other run has and the place still stands."""
    return EventRegistration.objects.filter(
        pk=registration.pk,
        status=EventRegistration.CONFIRMED,
        **{reminder.choice: True, f"{reminder.sent}__isnull": True},
    ).update(**{reminder.sent: now})


def send_due_reminders(now=None):
    now = now or timezone.now()
    run = Run()
    for reminder in REMINDERS:
        for registration in due(reminder, now):
            event = registration.event
            if not registrant_may_see(registration) or not _claim(registration, reminder, now):
                continue
            message = registrant_message(
                registration, reminder.subject(event), "reminder", calendar=False, kind=reminder.kind
            )
            error = send_message(message)
            if error is None:
                run.sent[reminder.kind] += 1
                continue
            EventRegistration.objects.filter(pk=registration.pk, **{reminder.sent: now}).update(
                **{reminder.sent: None}
            )
            run.failures.append((registration.email, f"{type(error).__name__}: {error}"))
    return run
