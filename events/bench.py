"""Bulk events for the benchmark (bench/run.py --setup events.bench:ensure_2000):
2,000 published events under /events/, most open, some members-only, each with
speakers and topics, spread over two years around today."""

from datetime import timedelta
from itertools import cycle

from django.utils import timezone

from hub.models import Topic

from .models import EventIndexPage, EventPage, EventSpeaker

TARGET = 2000
PREFIX = "bench-event-"


def ensure_2000():
    index = EventIndexPage.objects.order_by("path").first()
    if index is None:
        raise SystemExit("Load the demo content first: there is no events page.")
    existing = EventPage.objects.filter(slug__startswith=PREFIX).count()
    topics = cycle(list(Topic.objects.order_by("pk")[:12]))
    # Daytime in the Americas (15:00-19:00 UTC): never the hour a clock change repeats.
    now = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0)
    for n in range(existing, TARGET):
        start = now + timedelta(days=n % 730 - 365, hours=n % 5)
        event = EventPage(
            title=f"Benchmark session {n}",
            slug=f"{PREFIX}{n}",
            summary=f"Generated event {n} for the benchmark.",
            start=start,
            end=start + timedelta(hours=1),
            access="members" if n % 20 == 0 else "open",
            registration="built-in" if n % 2 else "none",
            joining_link="https://meet.example.org/bench",
        )
        event.topics = [next(topics), next(topics)]
        index.add_child(instance=event)
        for s in range(3):
            EventSpeaker.objects.create(page=event, name=f"Speaker {s}", sort_order=s)
        event.save_revision().publish()
    print(f"Benchmark events: {EventPage.objects.filter(slug__startswith=PREFIX).count()}")
