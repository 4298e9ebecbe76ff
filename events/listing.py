"""The events listing: upcoming first (soonest first), the archive of past events
(newest first) and the schedule grouped by month, each filtered by format,
topic and audience, in the URL, showing only the events the reader may see.

What a listing shows depends on what is published, who is looking and the
time, so the computed ids are cached per audience until the next publish, in
five-minute slices of time (an event moves to the archive at most five
minutes after it ends).
"""

import hashlib
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import cached_property

from hub.cache import current_generation
from hub.models import Topic
from hub.paging import PageLinks
from hub.privacy import visibility_key, visible_pages

from .access import ACCESS_CHOICES
from .models.event_page import FORMAT_CHOICES, EventPage

PER_PAGE = 20
SCHEDULE_PER_PAGE = 40
TIME_SLICE_SECONDS = 300

UPCOMING = "upcoming"
PAST = "past"
SCHEDULE = "schedule"


def topic_terms():
    """slug -> (pk, name), cached until the next change."""
    key = f"hub:event-topic-terms:{current_generation()}"
    terms = cache.get(key)
    if terms is None:
        terms = {slug: (pk, name) for pk, slug, name in Topic.objects.values_list("pk", "slug", "name")}
        cache.set(key, terms, 3600)
    return terms


FORMAT_LABELS = dict(FORMAT_CHOICES)
AUDIENCE_LABELS = dict(ACCESS_CHOICES)


@dataclass
class Filters:
    """The filters the reader asked for, checked; unknown values are left out with a notice."""

    format: str = ""
    topic: str = ""
    audience: str = ""
    notices: list = field(default_factory=list)

    @classmethod
    def from_query(cls, query):
        filters = cls()
        checks = [
            ("format", "format", lambda v: v in FORMAT_LABELS),
            ("topic", "topic", lambda v: v in topic_terms()),
            ("audience", "audience", lambda v: v in AUDIENCE_LABELS),
        ]
        for param, label, valid in checks:
            value = (query.get(param) or "").strip()[:80]
            if not value:
                continue
            if valid(value):
                setattr(filters, param, value)
            else:
                filters.notices.append(f"There is no {label} called “{value[:60]}”, so it was left out.")
        return filters

    def params(self):
        return [(p, getattr(self, p)) for p in ("format", "topic", "audience") if getattr(self, p)]

    def apply(self, queryset):
        if self.format:
            queryset = queryset.filter(event_format=self.format)
        if self.topic:
            through = EventPage.topics.through
            pages = through.objects.filter(topic_id=topic_terms()[self.topic][0]).values("eventpage_id")
            queryset = queryset.filter(pk__in=pages)
        if self.audience:
            queryset = queryset.filter(access=self.audience)
        return queryset

    @property
    def is_filtered(self):
        return bool(self.params())


def parse_page_number(raw):
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def _time_slice(now):
    return int(now.timestamp()) // TIME_SLICE_SECONDS


class EventListing(PageLinks):
    """One view of the events for one request. Nothing is computed until the
    template asks, so a cached fragment of the listing asks for nothing."""

    def __init__(self, index_page, request, mode=UPCOMING):
        self.index_page = index_page
        self.request = request
        self.mode = mode
        self.filters = Filters.from_query(request.GET)
        self.requested_page = parse_page_number(request.GET.get("page")) if "page" in request.GET else None
        self.now = timezone.now()

    @property
    def per_page(self):
        return SCHEDULE_PER_PAGE if self.mode == SCHEDULE else PER_PAGE

    def base(self):
        return visible_pages(EventPage.objects.descendant_of(self.index_page), self.request)

    def _compute(self):
        base = self.base()
        now = self.now
        filtered = self.filters.apply(base)
        if self.mode == UPCOMING:
            ordered = filtered.filter(end__gt=now).order_by("start", "pk")
        elif self.mode == PAST:
            ordered = filtered.filter(end__lte=now).order_by("-start", "-pk")
        else:
            ordered = filtered.order_by("start", "pk")
        total = ordered.count()
        num_pages = max(1, -(-total // self.per_page))
        if self.requested_page is None and self.mode == SCHEDULE:
            # The schedule opens at this month, with the months before it a page back.
            month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            earlier = ordered.filter(start__lt=month_start).count()
            page_number = min(earlier // self.per_page + 1, num_pages)
        else:
            page_number = min(self.requested_page or 1, num_pages)
        start = (page_number - 1) * self.per_page
        ids = list(ordered.values_list("pk", flat=True)[start : start + self.per_page])
        topic_ids = set(
            EventPage.topics.through.objects.filter(eventpage_id__in=base.values("pk")).values_list(
                "topic_id", flat=True
            )
        )
        audiences = set(base.values_list("access", flat=True).distinct())
        return {
            "total": total,
            "page": page_number,
            "num_pages": num_pages,
            "ids": ids,
            "topic_ids": topic_ids,
            "audiences": audiences,
        }

    @cached_property
    def _result(self):
        fingerprint = hashlib.sha1(urlencode(self.filters.params()).encode()).hexdigest()[:16]
        key = (
            f"hub:events:{current_generation()}:{visibility_key(self.request)}:{self.index_page.pk}:"
            f"{self.mode}:{fingerprint}:{self.requested_page}:{_time_slice(self.now)}"
        )
        preview = getattr(self.request, "is_preview", False)
        result = None if preview else cache.get(key)
        if result is None:
            result = self._compute()
            if not preview:
                cache.set(key, result, TIME_SLICE_SECONDS)
        return result

    @property
    def time_slice(self):
        return _time_slice(self.now)

    total = property(lambda self: self._result["total"])
    page_number = property(lambda self: self._result["page"])
    num_pages = property(lambda self: self._result["num_pages"])

    @cached_property
    def results(self):
        ids = self._result["ids"]
        pages = (
            EventPage.objects.filter(pk__in=ids).select_related("series").prefetch_related("topics").in_bulk()
        )
        return [pages[pk] for pk in ids if pk in pages]

    @cached_property
    def months(self):
        """The results grouped by month, in the month each event starts where it takes place."""
        grouped = []
        for month, events in itertools.groupby(self.results, key=lambda e: e.local_start.strftime("%B %Y")):
            grouped.append({"label": month, "events": list(events)})
        return grouped

    # --- links ---------------------------------------------------------------

    def page_url(self, number):
        return self.url_with(self.filters.params(), page=number)

    @property
    def query_string(self):
        params = self.filters.params()
        return "?" + urlencode(params) if params else ""

    def filter_options(self):
        """Each filter with its options: those that would show something to this reader."""
        terms = topic_terms()
        used_topics = self._result["topic_ids"]
        audiences = self._result["audiences"]
        options = [
            {
                "param": "format",
                "label": "Format",
                "options": [{"value": v, "label": label} for v, label in FORMAT_CHOICES],
            },
            {
                "param": "topic",
                "label": "Topic",
                "options": sorted(
                    (
                        {"value": slug, "label": name}
                        for slug, (pk, name) in terms.items()
                        if pk in used_topics
                    ),
                    key=lambda o: o["label"].lower(),
                ),
            },
            {
                "param": "audience",
                "label": "Who can attend",
                "options": [{"value": v, "label": label} for v, label in ACCESS_CHOICES if v in audiences],
            },
        ]
        for group in options:
            chosen = getattr(self.filters, group["param"])
            for option in group["options"]:
                option["selected"] = option["value"] == chosen
        # A filter with a single choice narrows nothing.
        return [
            group for group in options if len(group["options"]) > 1 or getattr(self.filters, group["param"])
        ]
