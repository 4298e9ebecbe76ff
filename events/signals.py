"""Search sees an event's speakers and topics as published.

The page row is indexed when it is saved, before its speakers (child rows) are
written; once publishing has finished, the event is indexed again."""

from wagtail.search.index import insert_or_update_object
from wagtail.signals import page_published


def reindex_published_event(sender, instance, **kwargs):
    insert_or_update_object(instance)


def connect():
    from .models import EventPage

    page_published.connect(reindex_published_event, sender=EventPage, dispatch_uid="events-reindex-published")
