"""Attendance: after an event, staff record who came, from the registrations
list in the admin (tick the registrations, then *Mark as attended*, *Mark as
not attended* or *Clear*). The steering dashboard counts what is recorded here.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import EventRegistration

CHOICES = {"yes": True, "no": False, "clear": None}
PERMISSION = "events.change_eventregistration"


def record_attendance(registration_ids, attended, now=None):
    """Set ``attended`` on the registrations of events that have started.
    Returns ``(updated, skipped)``: the number changed, and the number left
    alone because their event has not started yet."""
    now = now or timezone.now()
    chosen = EventRegistration.objects.filter(pk__in=registration_ids)
    started = chosen.filter(event__start__lte=now)
    updated = started.update(attended=attended)
    return updated, chosen.count() - updated


@require_POST
def mark_attendance(request, index_url):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = index_url
    choice = request.POST.get("attended")
    ids = [value for value in request.POST.getlist("registration") if value.isdigit()]
    if choice not in CHOICES:
        messages.warning(request, "Choose whether the selected people attended.")
        return redirect(next_url)
    if not ids:
        messages.warning(request, "Select the registrations to record attendance for.")
        return redirect(next_url)
    updated, skipped = record_attendance(ids, CHOICES[choice])
    outcome = {"yes": "marked as attended", "no": "marked as not attended", "clear": "attendance cleared"}
    messages.success(request, f"{updated} registration{'s' if updated != 1 else ''}: {outcome[choice]}.")
    if skipped:
        messages.warning(
            request,
            f"{skipped} registration{'s' if skipped != 1 else ''} left alone: attendance is recorded once "
            "the event has started.",
        )
    return redirect(next_url)
