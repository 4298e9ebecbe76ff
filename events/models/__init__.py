from .event_page import EventPage, EventRelatedResource, EventSpeaker
from .index_page import EventIndexPage
from .registration import EventRegistration
from .series import EventSeries

__all__ = [
    "EventIndexPage",
    "EventPage",
    "EventRegistration",
    "EventRelatedResource",
    "EventSeries",
    "EventSpeaker",
]
