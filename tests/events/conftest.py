from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.factories import EventIndexPageFactory, EventPageFactory
from hub.models import Topic

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def events_index(home_page):
    index = EventIndexPageFactory(parent=home_page)
    index.save_revision().publish()
    return index


@pytest.fixture
def make_event(events_index):
    """A published event ``days`` from now (negative: in the past)."""

    def make(title, *, days=7, hours=1, topics=(), **extra):
        start = extra.pop("start", None) or (timezone.now() + timedelta(days=days)).replace(microsecond=0)
        event = EventPageFactory(
            parent=events_index,
            title=title,
            start=start,
            end=extra.pop("end", None) or start + timedelta(hours=hours),
            topics=[Topic.objects.get(slug=s) for s in topics],
            **extra,
        )
        event.save_revision().publish()
        event.refresh_from_db()
        return event

    return make


def new_york(*args):
    return datetime(*args, tzinfo=NEW_YORK)
