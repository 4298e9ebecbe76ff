"""Events in people's calendars: iCalendar (RFC 5545) files made with the
``icalendar`` library, and "add to calendar" links for the common calendar apps.

Each event keeps one UID for life (from its page's translation key), so a
calendar that imported or subscribed to it updates it instead of adding a copy;
SEQUENCE goes up whenever its time, place or status changes (EventPage.save),
and a cancelled event is sent as STATUS:CANCELLED. Times are written in the
event's own time zone with its VTIMEZONE, so they stay right across daylight
saving changes.
"""

from datetime import UTC
from urllib.parse import urlencode

import icalendar
from django.utils import timezone

PRODID = "-//CoP Knowledge Hub//Events//EN"
UID_DOMAIN = "events.cop-hub"


def event_uid(event):
    return f"{event.translation_key}@{UID_DOMAIN}"


def _description(event, url, joining_link):
    lines = [event.summary.strip()]
    if joining_link:
        lines += ["", f"Join online: {joining_link}"]
    if url:
        lines += ["", f"Details: {url}"]
    return "\n".join(lines)


def _location(event, joining_link):
    if event.venue:
        return " ".join(event.venue.split())
    return joining_link or "Online"


def ical_event(event, request=None, *, include_joining_link=False):
    url = event.get_full_url(request)
    joining_link = event.joining_link if include_joining_link else ""
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now().astimezone(UTC))
    vevent.add("dtstart", event.local_start)
    vevent.add("dtend", event.local_end)
    vevent.add("summary", ("Cancelled: " if event.cancelled else "") + event.title)
    vevent.add("description", _description(event, url, joining_link))
    vevent.add("location", _location(event, joining_link))
    vevent.add("sequence", event.calendar_sequence)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.last_published_at:
        vevent.add("last-modified", event.last_published_at.astimezone(UTC))
    if url:
        vevent.add("url", url)
    return vevent


def calendar_for(events, request=None, *, name="", include_joining_link=None):
    """A VCALENDAR of ``events``. ``include_joining_link(event)`` says whether the
    joining link may be written into it for this reader."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    events = list(events)
    for event in events:
        allowed = bool(include_joining_link and include_joining_link(event))
        cal.add_component(ical_event(event, request, include_joining_link=allowed))
    if events:
        # Time zone rules for the years the events span, not for decades of history.
        first = min(e.local_start for e in events).date().replace(month=1, day=1)
        last = max(e.local_end for e in events).date().replace(month=12, day=31)
        cal.add_missing_timezones(first_date=first.replace(year=first.year - 1), last_date=last)
    return cal


def ics_bytes(events, request=None, **kwargs):
    return calendar_for(events, request, **kwargs).to_ical()


def _utc_stamp(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_to_calendar_links(event, request=None):
    """Links that open a new calendar entry in each common calendar app. They carry
    the page's address, never the joining link, since the page itself may be public."""
    url = event.get_full_url(request)
    details = f"{event.summary.strip()}\n\n{url}" if url else event.summary.strip()
    location = " ".join(event.venue.split()) if event.venue else "Online"
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{_utc_stamp(event.start)}/{_utc_stamp(event.end)}",
            "details": details,
            "location": location,
            "ctz": event.time_zone,
        }
    )
    outlook_params = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": _iso_utc(event.start),
            "enddt": _iso_utc(event.end),
            "body": details,
            "location": location,
        }
    )
    return [
        {"label": "Google Calendar", "url": google, "download": False},
        {
            "label": "Outlook.com",
            "url": "https://outlook.live.com/calendar/0/deeplink/compose?" + outlook_params,
            "download": False,
        },
        {
            "label": "Office 365",
            "url": "https://outlook.office.com/calendar/0/deeplink/compose?" + outlook_params,
            "download": False,
        },
        {"label": "Apple Calendar and others (.ics file)", "url": event.calendar_url(), "download": True},
    ]
