"""Calendar files: one event's ``calendar.ics`` and the subscribable ``feed.ics``.

Wagtail's page URLs have no dots, so these are Django views in front of Wagtail's
catch-all (events/urls.py). They find the page as Wagtail would and run the same
``before_serve_page`` hooks, so page privacy applies to them exactly as to the page.
"""

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from wagtail import hooks
from wagtail.models import Page

from hub.privacy import visible_pages

from .calendar import ics_bytes
from .models import EventIndexPage, EventPage

FEED_PAST_DAYS = 90
FEED_LIMIT = 500
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _serve(request, path, model, render):
    """Find the page at ``path`` as Wagtail does and answer with ``render(page)``,
    through Wagtail's serving hooks (page privacy is one of them)."""
    route = Page.route_for_request(request, path)
    if route is None:
        raise Http404
    page, args, kwargs = route
    if not isinstance(page, model):
        raise Http404

    def final(page, request, args, kwargs):
        return render(page)

    chain = final
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        response = fn(page, request, args, kwargs)
        if isinstance(response, HttpResponse):
            return response
    return chain(page, request, args, kwargs)


def joining_link_allowed(event):
    """The calendar copy carries the joining link when the page would show it."""
    return event.shows_joining_link_on_page


def _calendar_response(content, filename, attachment):
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Public calendars may be kept by the anonymous page cache (hub/cache.py),
    # which never stores responses for signed-in people.
    response.hub_page_cacheable = True
    return response


@require_safe
def event_calendar(request, path):
    def render(event):
        content = ics_bytes([event], request, name=event.title, include_joining_link=joining_link_allowed)
        return _calendar_response(content, f"{event.slug}.ics", attachment=True)

    return _serve(request, path, EventPage, render)


@require_safe
def events_feed(request, path):
    def render(index):
        since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
        events = (
            visible_pages(EventPage.objects.descendant_of(index), request)
            .filter(end__gte=since)
            .order_by("start", "pk")[:FEED_LIMIT]
        )
        content = ics_bytes(
            list(events), request, name=index.title, include_joining_link=joining_link_allowed
        )
        return _calendar_response(content, "events.ics", attachment=False)

    return _serve(request, path, EventIndexPage, render)
