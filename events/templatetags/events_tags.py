from django import template
from django.core.cache import cache
from django.utils import timezone

from hub.cache import current_generation
from hub.privacy import first_visible, visibility_key, visible_pages

from ..listing import TIME_SLICE_SECONDS, _time_slice
from ..models import EventIndexPage, EventPage

register = template.Library()

HOME_COUNT = 3


@register.inclusion_tag("events/includes/home_upcoming.html", takes_context=True)
def upcoming_events_section(context):
    """The next few events the reader may see, for the home page."""
    request = context.get("request")
    now = timezone.now()
    key = f"hub:events-home:{current_generation()}:{visibility_key(request)}:{_time_slice(now)}"
    preview = getattr(request, "is_preview", False)
    ids = None if preview else cache.get(key)
    if ids is None:
        ids = list(
            visible_pages(EventPage.objects.filter(end__gt=now, cancelled=False), request)
            .order_by("start", "pk")
            .values_list("pk", flat=True)[:HOME_COUNT]
        )
        if not preview:
            cache.set(key, ids, TIME_SLICE_SECONDS)
    events = EventPage.objects.filter(pk__in=ids).select_related("series").in_bulk() if ids else {}
    index = first_visible(EventIndexPage, request) if ids else None
    return {"events": [events[pk] for pk in ids if pk in events], "index": index, "request": request}
