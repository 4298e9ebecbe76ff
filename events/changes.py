"""People registered for an event hear of a change when it is published.

- A confirmed place: told when the start, the end or the joining link changes,
  with the new joining link and an updated calendar file (same event, next
  SEQUENCE, so calendar apps move it).
- The waiting list: told when the start or end changes; never given the
  joining link, which is for people with a place.

Nothing is sent about an event that is cancelled or has finished, nor to
people outside its privacy now (events/access.py). A new time makes the
reminders due again, for the new time. Free places (a larger capacity) go to
the people waiting (events/places.py).

What changed is worked out by ``EventPage.save`` against the live version it
replaces (``calendar_changes``, ``calendar_before``), so saving a draft tells
nobody anything; only publishing does.
"""

import logging

from hub.mail import send_message

from .access import registrant_may_see
from .models import EventPage, EventRegistration
from .places import fill_places
from .registration import registrant_message

logger = logging.getLogger(__name__)

TIME_FIELDS = frozenset({"start", "end"})


def _subject(event, time_changed, link_changed):
    if time_changed and link_changed:
        return f"New time and joining link: {event.title}"
    if time_changed:
        return f"New time: {event.title}"
    return f"New joining link: {event.title}"


def _when_it_was(event):
    before = event.calendar_before
    earlier = EventPage(
        start=before.get("start", event.start),
        end=before.get("end", event.end),
        time_zone=before.get("time_zone", event.time_zone),
    )
    return earlier.when_label


def tell_registrants(event):
    """E-mail the people registered for ``event`` about what its last save
    changed; returns how many were told."""
    changes = getattr(event, "calendar_changes", frozenset())
    event.calendar_changes = frozenset()  # one publish, one message
    time_changed = bool(changes & TIME_FIELDS)
    link_changed = "joining_link" in changes
    if not (time_changed or link_changed):
        return 0
    if time_changed:
        # Reminders are for the new time.
        event.registrations.update(day_reminder_sent_at=None, hour_reminder_sent_at=None)
    if event.cancelled or event.is_past() or not event.live:
        return 0
    statuses = [EventRegistration.CONFIRMED] + ([EventRegistration.WAITLISTED] if time_changed else [])
    previous_when = _when_it_was(event) if time_changed else ""
    told = 0
    for registration in event.registrations.filter(status__in=statuses).select_related("user").order_by("pk"):
        registration.event = event
        tell_link = link_changed and registration.is_confirmed
        if not (time_changed or tell_link) or not registrant_may_see(registration):
            continue
        message = registrant_message(
            registration,
            _subject(event, time_changed, tell_link),
            "changed",
            time_changed=time_changed,
            link_changed=tell_link,
            previous_when=previous_when,
        )
        if send_message(message) is None:
            told += 1
    return told


def event_published(sender, instance, **kwargs):
    """``page_published`` receiver for events."""
    tell_registrants(instance)
    if instance.registrations.filter(status=EventRegistration.WAITLISTED).exists():
        fill_places(instance)
