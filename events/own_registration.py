"""A person's own registration: its page (what they registered for and their
reminder choices) and cancelling their place.

Two ways in (events/registration_links.py), to the same pages:

- a signed-in member opens their own registration by its id. Anyone else's id
  gets the answer an id that does not exist gets (404), so nobody learns of
  other people's registrations;
- anyone holding the signed link from their e-mails, with or without an
  account. A link that does not match (altered, cut short, its registration
  gone or its address changed) is "not found" (404), with a page saying so.

Cancelling is a POST from a page that asks first ("Cancel your place at ...?").
The registration is kept, marked cancelled, and a confirmed place goes to the
next person waiting (events/places.py). Once the event has started (410), for
a cancelled place (409) or a cancelled event (409) the pages say plainly that
there is nothing to change.

The pages sit under the event (``<event>/register/...``), so Wagtail's page
privacy applies to them as to the event page; they are never cached.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .models import EventRegistration
from .places import cancel_registration
from .registration import ReminderForm, never_cache
from .registration_links import link_url, member_url, registration_for_link

STEPS = ("", "cancel", "cancelled")
CLOSED = "events/own_registration/closed.html"


@dataclass
class WayIn:
    """The registration, and how this person reached it (which decides its pages' addresses)."""

    registration: EventRegistration
    signed: bool = False

    def url(self, step=""):
        if self.signed:
            return link_url(self.registration, step)
        return member_url(self.registration, step)


@never_cache
def member_page(event, request, registration_id, step):
    if step not in STEPS:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mine = EventRegistration.objects.filter(event=event, user=request.user)
    registration = mine.filter(pk=registration_id).first()
    if registration is None:
        raise Http404("No registration of yours with this number for this event.")
    registration.event = event
    return _serve(request, WayIn(registration), step)


@never_cache
def link_page(event, request, registration_id, signature, step):
    if step not in STEPS:
        raise Http404
    registration = registration_for_link(event, registration_id, signature)
    if registration is None:
        return _render(request, "events/own_registration/link_invalid.html", event, status=404)
    return _serve(request, WayIn(registration, signed=True), step)


def _render(request, template, event, *, status=200, **context):
    return render(request, template, {"page": event, "self": event, **context}, status=status)


def _next_url(request):
    """Where the person came from (e.g. their registrations), when it is on this site."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return ""


def _why_closed(registration, event):
    """Why nothing can be changed any more, with the status code that says it; None when it can."""
    if registration.is_cancelled:
        return "cancelled", 409
    if event.cancelled:
        return "event-cancelled", 409
    if event.has_started:
        return "started", 410
    return None


def _serve(request, way, step):
    if request.method not in ("GET", "HEAD", "POST") or (request.method == "POST" and step == "cancelled"):
        allowed = "GET, HEAD" if step == "cancelled" else "GET, HEAD, POST"
        response = HttpResponse(status=405)
        response["Allow"] = allowed
        return response
    registration = way.registration
    event = registration.event
    next_url = _next_url(request)
    back = "?" + urlencode({"next": next_url}) if next_url else ""
    context = {
        "registration": registration,
        "next_url": next_url,
        "registration_url": way.url(),
        "registration_back_url": way.url() + back,
        "cancel_url": way.url("cancel"),
        "cancel_back_url": way.url("cancel") + back,
    }
    if step == "cancelled":
        if registration.is_cancelled:
            return _render(request, "events/own_registration/cancelled.html", event, **context)
        return HttpResponseRedirect(way.url())

    closed = _why_closed(registration, event)
    if closed is not None:
        reason, status = closed
        return _render(request, CLOSED, event, status=status, reason=reason, **context)

    if step == "cancel":
        if request.method == "POST":
            if not cancel_registration(registration, request).cancelled:
                # Cancelled a moment ago, from another tab.
                registration.refresh_from_db()
                return _render(request, CLOSED, event, status=409, reason="cancelled", **context)
            return _redirect(way.url("cancelled"), next_url)
        return _render(request, "events/own_registration/cancel.html", event, **context)

    if request.method == "POST":
        form = ReminderForm(request.POST)
        if form.is_valid():
            form.save(registration)
            return _redirect(way.url(), next_url, saved="1")
    else:
        form = ReminderForm(
            initial={
                "remind_day_before": registration.remind_day_before,
                "remind_hour_before": registration.remind_hour_before,
            }
        )
    return _render(
        request,
        "events/own_registration/manage.html",
        event,
        form=form,
        saved=request.GET.get("saved") == "1",
        **context,
    )


def _redirect(url, next_url, **params):
    """Answer a POST with the page to see next, keeping where the person came from."""
    if next_url:
        params["next"] = next_url
    return HttpResponseRedirect(url + ("?" + urlencode(params) if params else ""), status=303)
