"""Places and the waiting list: giving up a place, and the next person waiting
getting it.

Everything that counts places runs with the event's row locked
(``lock_places``): registering, cancelling and promoting wait for each other,
so two cancellations at once never give the same place twice, never promote
the same person twice and never fill the event beyond its capacity.

A cancelled registration is kept (status *cancelled*, with ``cancelled_at``):
the event's numbers and the admin still show it. The people promoted are told
by the confirmation e-mail (with the event's calendar file and the joining
link), sent after the places are settled; a mail failure is noted on their
registration as for any confirmation.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from .access import registrant_may_see
from .models import EventRegistration


def lock_places(event):
    """Lock the event's row until the end of the transaction, so whoever counts
    its places next sees what this transaction did."""
    Page.objects.select_for_update().filter(pk=event.pk).first()


def places_can_be_given(event, now=None):
    """The waiting list moves while the event takes registrations."""
    return event.registration_is_open(now)


@dataclass
class Cancellation:
    cancelled: bool  # False: it was already cancelled (another tab, a second click)
    promoted: list = field(default_factory=list)


def _promote_waiting(event, now):
    """Inside ``lock_places``: confirm waiting people, oldest first, while there are places."""
    if not places_can_be_given(event, now):
        return []
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - event.registrations.filter(status=EventRegistration.CONFIRMED).count()
        if free <= 0:
            return []
    waiting = (
        EventRegistration.objects.select_for_update(of=("self",))
        .filter(event=event, status=EventRegistration.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    promoted = []
    for registration in waiting:
        if free is not None and len(promoted) >= free:
            break
        registration.event = event
        if not registrant_may_see(registration):
            # Outside the event's privacy now: they keep their turn should that change.
            continue
        registration.status = EventRegistration.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        promoted.append(registration)
    return promoted


def _tell_promoted(promoted, request):
    from .registration import send_confirmation  # the registration form's module uses lock_places

    for registration in promoted:
        send_confirmation(registration, request, promoted=True)


def fill_places(event, request=None, now=None):
    """Give free places (a larger capacity, say) to the people waiting; returns them."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_places(event)
        promoted = _promote_waiting(event, now)
    _tell_promoted(promoted, request)
    return promoted


def cancel_registration(registration, request=None, now=None):
    """Cancel ``registration`` (kept, status cancelled). A confirmed place goes
    to the next person waiting, who is e-mailed."""
    now = now or timezone.now()
    event = registration.event
    with transaction.atomic():
        lock_places(event)
        current = EventRegistration.objects.select_for_update().filter(pk=registration.pk).first()
        if current is None or current.status == EventRegistration.CANCELLED:
            return Cancellation(cancelled=False)
        had_place = current.status == EventRegistration.CONFIRMED
        current.status = EventRegistration.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        promoted = _promote_waiting(event, now) if had_place else []
    registration.status, registration.cancelled_at = current.status, current.cancelled_at
    _tell_promoted(promoted, request)
    return Cancellation(cancelled=True, promoted=promoted)
