"""Where a person looks after their own registration: the addresses of its pages.

Two ways in, to the same pages (events/own_registration.py):

- a member, signed in, from their registrations: ``manage_url`` (reminders,
  and a link to cancel) and ``cancel_url``. These pages show only the signed-in
  person's own registrations (another id is "not found");
- everyone who registered, account or not, through the signed link in their
  e-mails: ``signed_url``. The link carries the registration's id and a
  signature of its id and e-mail address (``django.core.signing``, the site's
  ``SECRET_KEY`` under its own salt), so it cannot be guessed or altered, and
  it stops working when the address on the registration changes (an account
  closed). It has no expiry: the pages refuse changes once the event has
  started. A link that does not match gets the same answer whether or not a
  registration has that id, so it tells nobody anything.

The links live under the event page (``<event>/register/...``, routes on
``EventPage``), so the event's privacy applies to them as to the page.
(Wagtail's page addresses allow only letters, digits, ``-`` and ``_``: the
signature goes in as its own part, without the signer's ``:``.)
"""

from django.core import signing
from django.utils.crypto import constant_time_compare

SALT = "events.registration.link"


def _signer():
    return signing.Signer(salt=SALT, algorithm="sha256")


def link_signature(registration):
    return _signer().signature(f"{registration.pk}:{registration.email}")


def registration_for_link(event, registration_id, signature):
    """The registration for ``event`` that the link was signed for, or None."""
    from .models import EventRegistration

    registration = EventRegistration.objects.filter(pk=registration_id, event=event).first()
    if registration is None or not constant_time_compare(signature, link_signature(registration)):
        return None
    registration.event = event
    return registration


def member_url(registration, step=""):
    """The path of the member's page for ``registration`` ("" when the event has no URL)."""
    event = registration.event
    if not event.url:
        return ""
    if step:
        return event.url + event.reverse_subpage("registration_step_view", args=[registration.pk, step])
    return event.url + event.reverse_subpage("registration_view", args=[registration.pk])


def link_url(registration, step=""):
    """The path of a page reached through the signed link."""
    event = registration.event
    if not event.url:
        return ""
    args = [registration.pk, link_signature(registration)]
    if step:
        return event.url + event.reverse_subpage("registration_link_step_view", args=[*args, step])
    return event.url + event.reverse_subpage("registration_link_view", args=args)


def manage_url(registration):
    """The member's page for their registration: reminder choices, and a link to cancel."""
    return member_url(registration)


def reminders_url(registration):
    """Where a member changes their reminders: the form on their registration's page."""
    return member_url(registration)


def cancel_url(registration):
    """The member's page to cancel their place ("Cancel your place at ...?")."""
    return member_url(registration, "cancel")


def signed_url(registration, request=None):
    """The full signed link for e-mails: the registration's page, for whoever holds it."""
    event = registration.event
    base = event.get_full_url(request)
    if not base:
        return ""
    args = [registration.pk, link_signature(registration)]
    return base + event.reverse_subpage("registration_link_view", args=args)
