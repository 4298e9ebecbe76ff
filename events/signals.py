"""Search sees an event's speakers and topics as published.

The page row is indexed when it is saved, before its speakers (child rows) are
written; once publishing has finished, the event is indexed again. A new
events index is open to contributors (hub/roles.py). The people registered
hear of a new time or joining link when it is published (events/changes.py)."""

from django.db.models.signals import post_save
from wagtail.search.index import insert_or_update_object
from wagtail.signals import page_published

from hub.roles import let_contributors_add_here


def reindex_published_event(sender, instance, **kwargs):
    # A fresh copy: publishing may have changed the event's privacy after the
    # page object in hand was saved (its access level sets a view restriction,
    # and with it the audience the index filters on).
    fresh = type(instance).objects.filter(pk=instance.pk).first()
    if fresh is not None:
        insert_or_update_object(fresh)


def registration_changed(sender, instance, **kwargs):
    """A registration is on its person's My hub (hub.cache.person_changed)."""
    from hub.cache import person_changed

    person_changed(instance.user_id)


def connect():
    from django.db.models.signals import post_delete

    from .changes import event_published
    from .models import EventIndexPage, EventPage, EventRegistration

    post_save.connect(
        registration_changed, sender=EventRegistration, dispatch_uid="events-registration-saved"
    )
    post_delete.connect(
        registration_changed, sender=EventRegistration, dispatch_uid="events-registration-deleted"
    )

    page_published.connect(reindex_published_event, sender=EventPage, dispatch_uid="events-reindex-published")
    page_published.connect(event_published, sender=EventPage, dispatch_uid="events-tell-registrants")
    post_save.connect(let_contributors_add_here, sender=EventIndexPage, dispatch_uid="events-contributors")
