"""Registration on an event page: the form, places and the waiting list, and the
confirmation e-mail with the event's calendar file.

The registration is saved before the e-mail is sent: if the mail service fails,
the person is still registered, the failure is logged and written on the
registration (``confirmation_error``) for staff to see in the admin.

The form lives at ``<event>/register/`` rather than on the event page itself,
so the event page carries no CSRF token and stays in the anonymous page cache.
Privacy applies to it as to the page: Wagtail's ``before_serve_page`` hooks run
for every route of a page, POSTs included.

Nobody learns from the page whether an address is already registered: a
second registration with the same address gets the answer a new one would
(the same status code and page, worked out from the places left), and the
existing registration's confirmation is e-mailed again to that address. Only
a signed-in member typing their own address, or the browser that registered
it, is told on the page. One e-mail address gets at most
``REGISTRATIONS_PER_ADDRESS`` registration e-mails an hour, and one client
address may send ``REGISTRATIONS_PER_CLIENT`` registrations (``hub.ratelimit``).
The calendar file offered on the page never carries the joining link: that
goes only to the registered address, in the confirmation.

Every confirmation carries the person's signed link (events/registration_links.py)
to their registration's page, where they choose their reminders or cancel
(events/own_registration.py); the link goes only to the registered address.
Registering again with an address whose place was cancelled is a new
registration: the cancelled record is taken up again (places, waiting list
and reminders start afresh) and the answer is a new registration's.
"""

import functools
import logging
from types import SimpleNamespace

from django import forms
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from hub.forms import email_field, name_field, normalise_email, with_email
from hub.ratelimit import Limit, client_address

from .calendar import ics_bytes
from .models import EventRegistration
from .models.event_page import BUILT_IN
from .places import lock_places
from .registration_links import cancel_url, reminders_url, signed_url  # noqa: F401 (re-exported for My hub)

logger = logging.getLogger(__name__)

SESSION_KEY = "events:registrations"
REGISTRATIONS_PER_ADDRESS = 5
REGISTRATIONS_PER_CLIENT = 20
BY_EMAIL = Limit("registration-email", REGISTRATIONS_PER_ADDRESS, 3600)
BY_CLIENT = Limit("registration-client", REGISTRATIONS_PER_CLIENT, 3600)


def never_cache(view):
    """Like Django's never_cache, for views called as view(event, request, ...)."""

    @functools.wraps(view)
    def wrapped(event, request, *args, **kwargs):
        response = view(event, request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


def reminder_field(label):
    return forms.BooleanField(label=label, required=False, initial=True)


class ReminderForm(forms.Form):
    """The reminders a person wants: offered on the registration form, changed later
    on their registration's page."""

    remind_day_before = reminder_field("A day before the event")
    remind_hour_before = reminder_field("An hour before the event")

    def save(self, registration):
        registration.remind_day_before = self.cleaned_data["remind_day_before"]
        registration.remind_hour_before = self.cleaned_data["remind_hour_before"]
        registration.save(update_fields=["remind_day_before", "remind_hour_before"])


class RegistrationForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    waitlist = forms.BooleanField(required=False, widget=forms.HiddenInput)
    name = name_field()
    email = email_field("We send your confirmation and the joining details here.")
    organisation = forms.CharField(
        label="Organisation (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.ChoiceField(
        label="Your role (optional)",
        required=False,
        choices=[("", "Choose one")] + EventRegistration.ROLE_CHOICES,
        error_messages={"invalid_choice": "Choose a role from the list."},
    )
    needs_captions = forms.BooleanField(label="Live captions", required=False)
    needs_interpreter = forms.BooleanField(
        label="A sign language or spoken language interpreter", required=False
    )
    interpreter_language = forms.CharField(
        label="Which language? (for the interpreter)",
        max_length=100,
        required=False,
        help_text="For example ASL or Spanish.",
    )
    other_needs = forms.CharField(
        label="Anything else we can do so you can take part? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "Keep this to %(limit_value)d characters or fewer (it has %(show_value)d)."
        },
    )
    consent = forms.BooleanField(
        label="I agree that the Community of Practice keeps these details to run this event and "
        "to contact me about it.",
        error_messages={"required": "Tick the box to agree, so we can register you."},
    )
    remind_day_before = reminder_field("A day before the event")
    remind_hour_before = reminder_field("An hour before the event")

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("needs_interpreter") and not cleaned.get("interpreter_language", "").strip():
            self.add_error("interpreter_language", "Tell us which language you need an interpreter for.")
        return cleaned


def _render(request, event, form, *, status=200, **context):
    places_left = event.places_left()
    is_full = places_left == 0
    context = {
        "page": event,
        "self": event,
        "form": form,
        "registration_open": event.registration_is_open(),
        "places_left": places_left,
        "is_full": is_full,
        "offers_waitlist": is_full and event.waitlist,
        **context,
    }
    return render(request, "events/register.html", context, status=status)


def _remember(request, event, *, name, email, waitlisted, mail_failed):
    """What the "done" page shows this browser: what it typed and the status a
    registration got (or would have got: see the module's docstring)."""
    done = request.session.get(SESSION_KEY, {})
    done[str(event.pk)] = {"name": name, "email": email, "waitlisted": waitlisted, "mail_failed": mail_failed}
    request.session[SESSION_KEY] = done


def _remembered(request, event):
    done = request.session.get(SESSION_KEY, {}).get(str(event.pk))
    return done if isinstance(done, dict) else None


def _told_directly(request, event, email):
    """May this request be told that ``email`` is registered? Only when it is its own."""
    user = request.user
    if user.is_authenticated and normalise_email(user.email) == email:
        return True
    remembered = _remembered(request, event)
    return remembered is not None and remembered["email"] == email


class EventFull(Exception):
    pass


def _status_for_new(event, waitlist_ok):
    """Confirmed or waitlisted; EventFull when there is no place and the person
    has not (yet) asked for the waiting list."""
    if event.capacity is not None and event.confirmed_count() >= event.capacity:
        if not (event.waitlist and waitlist_ok):
            raise EventFull
        return EventRegistration.WAITLISTED
    return EventRegistration.CONFIRMED


TYPED_FIELDS = (
    "name",
    "email",
    "organisation",
    "role",
    "needs_captions",
    "needs_interpreter",
    "interpreter_language",
    "other_needs",
    "consent",
    "remind_day_before",
    "remind_hour_before",
)


def _save(event, request, data, *, waitlist_ok, cancelled=None):
    """The registration, confirmed or waitlisted (see ``_status_for_new``): a new
    one, or ``cancelled`` (a place given up with this address) taken up again."""
    with transaction.atomic():
        # Locking the event makes two people registering at once count each other.
        lock_places(event)
        status = _status_for_new(event, waitlist_ok)
        user = request.user if request.user.is_authenticated else None
        typed = {key: data[key] for key in TYPED_FIELDS}
        if cancelled is None:
            return EventRegistration.objects.create(event=event, status=status, user=user, **typed)
        registration = (
            EventRegistration.objects.select_for_update()
            .filter(pk=cancelled.pk, status=EventRegistration.CANCELLED)
            .first()
        )
        if registration is None:
            raise IntegrityError("taken up again from another tab")
        fresh = {
            "status": status,
            "user": user,
            # Its turn on the waiting list, and its reminders, count from now.
            "created_at": timezone.now(),
            "cancelled_at": None,
            "promoted_at": None,
            "attended": None,
            "confirmation_sent_at": None,
            "confirmation_error": "",
            "day_reminder_sent_at": None,
            "hour_reminder_sent_at": None,
        }
        for key, value in {**typed, **fresh}.items():
            setattr(registration, key, value)
        registration.save()
        return registration


def registrant_message(registration, subject, template, request=None, *, calendar=True, **extra):
    """An e-mail to one registered person about their event, from
    templates/events/email/<template>.txt: the joining link only for a confirmed
    place of an event that takes place, their signed link to their registration's
    page, and (``calendar``) the event's calendar file, with the same joining link."""
    event = registration.event
    confirmed = registration.status == EventRegistration.CONFIRMED
    # The person registered through the page, so they are allowed in; the joining
    # link is for people with a place, not for the waiting list.
    joining_link = event.joining_link if confirmed and not event.cancelled else ""
    context = {
        "registration": registration,
        "event": event,
        "confirmed": confirmed,
        "joining_link": joining_link,
        "event_url": event.get_full_url(request),
        "manage_url": signed_url(registration, request),
        **extra,
    }
    message = EmailMessage(
        subject=subject,
        body=render_to_string(f"events/email/{template}.txt", context),
        to=[registration.email],
    )
    if calendar:
        message.attach(
            f"{event.slug}.ics",
            ics_bytes([event], request, name=event.title, include_joining_link=lambda e: bool(joining_link)),
            "text/calendar",
        )
    return message


def confirmation_message(registration, request=None, promoted=False):
    """The confirmation (or, with ``promoted``, the news of a place from the waiting list)."""
    if registration.status != EventRegistration.CONFIRMED:
        subject = "You're on the waiting list: "
    else:
        subject = "A place is free, you're registered: " if promoted else "You're registered: "
    promoted = promoted and registration.status == EventRegistration.CONFIRMED
    return registrant_message(
        registration, subject + registration.event.title, "confirmation", request, promoted=promoted
    )


def send_confirmation(registration, request=None, promoted=False):
    """Send the confirmation; on failure keep the registration and record why."""
    try:
        confirmation_message(registration, request, promoted=promoted).send()
    except Exception as error:  # any mail failure: the registration stands
        logger.exception(
            "Could not send the registration confirmation for event %s to %s",
            registration.event_id,
            registration.email,
        )
        registration.confirmation_error = f"{timezone.now():%Y-%m-%d %H:%M} {type(error).__name__}: {error}"[
            :1000
        ]
        registration.save(update_fields=["confirmation_error"])
        return False
    registration.confirmation_sent_at = timezone.now()
    registration.confirmation_error = ""
    registration.save(update_fields=["confirmation_sent_at", "confirmation_error"])
    return True


@never_cache
def register(event, request):
    if event.registration != BUILT_IN:
        return HttpResponseRedirect(event.url)
    if request.method not in ("GET", "HEAD", "POST"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD, POST"
        return response

    if request.method != "POST":
        initial = {"event": event.pk}
        if request.user.is_authenticated:
            initial["name"] = request.user.get_full_name()
            initial["email"] = request.user.email
        initial["waitlist"] = event.places_left() == 0
        return _render(request, event, RegistrationForm(initial=initial))

    form = RegistrationForm(request.POST)
    if form.data.get("event") != str(event.pk):
        # The form was altered or belongs to another event page: register nobody.
        return _render(request, event, form, status=400, wrong_event=True)
    if not event.registration_is_open():
        return _render(request, event, form, status=409)
    if not form.is_valid():
        return _render(request, event, form, status=400)

    data = form.cleaned_data
    # Counted before anything is looked up, so the limit says nothing about the address.
    within_limits = BY_EMAIL.hit(data["email"])
    within_limits = BY_CLIENT.hit(client_address(request)) and within_limits
    if not within_limits:
        return _render(request, event, form, status=429, rate_limited=True)
    existing = with_email(EventRegistration.objects.filter(event=event), data["email"]).first()
    cancelled = None
    if existing is not None and existing.status == EventRegistration.CANCELLED:
        cancelled, existing = existing, None
    if existing is not None and _told_directly(request, event, data["email"]):
        return _render(request, event, form, duplicate=existing)
    try:
        if existing is not None:
            return _answer_as_new(event, request, data, existing)
        registration = _save(event, request, data, waitlist_ok=data["waitlist"], cancelled=cancelled)
    except EventFull:
        # Full since the form was shown: offer the waiting list, keeping what was typed.
        data_copy = form.data.copy()
        data_copy["waitlist"] = "on" if event.waitlist else ""
        form = RegistrationForm(data_copy)
        form.is_valid()
        return _render(request, event, form, status=409, just_filled=True)
    except IntegrityError:
        # The same e-mail registered at the same moment from another tab.
        existing = with_email(EventRegistration.objects.filter(event=event), data["email"]).first()
        return _render(request, event, form, duplicate=existing)

    sent = send_confirmation(registration, request)
    _remember(
        request,
        event,
        name=data["name"],
        email=data["email"],
        waitlisted=registration.status == EventRegistration.WAITLISTED,
        mail_failed=not sent,
    )
    return HttpResponseRedirect(event.url + event.reverse_subpage("registered_view"), status=303)


def _answer_as_new(event, request, data, existing):
    """An address already registered, typed by someone who may not be told:
    the answer a new registration would get (EventFull included), and the
    existing registration's confirmation e-mailed again to its address."""
    waitlisted = _status_for_new(event, data["waitlist"]) == EventRegistration.WAITLISTED
    sent = send_confirmation(existing, request)
    _remember(
        request, event, name=data["name"], email=data["email"], waitlisted=waitlisted, mail_failed=not sent
    )
    return HttpResponseRedirect(event.url + event.reverse_subpage("registered_view"), status=303)


@never_cache
def registered(event, request):
    done = _remembered(request, event)
    if done is None:
        return HttpResponseRedirect(event.url)
    registration = SimpleNamespace(
        name=done["name"],
        email=done["email"],
        is_waitlisted=done["waitlisted"],
        confirmation_error=done["mail_failed"],
    )
    return render(
        request,
        "events/registered.html",
        {"page": event, "self": event, "registration": registration},
    )


@never_cache
def registered_calendar(event, request):
    """The event's calendar file for the person who just registered. Without the
    joining link, which goes only to the registered address (the confirmation's
    calendar file has it), so the file is the same for every address typed."""
    content = ics_bytes([event], request, name=event.title, include_joining_link=lambda e: False)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
