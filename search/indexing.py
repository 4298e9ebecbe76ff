"""The queue of index writes the search engine could not take, and the synonyms push.

When the search engine is down, the hub's backend (OpenSearch or
Elasticsearch, search/hub_backend.py) stores each failed write as an
``IndexQueueItem`` instead of losing it: the page or record and whether it
was added/changed or removed. One row per object: a later failure for the
same object updates it (its latest action, one more attempt). The queue is worked through

- a few items at a time after each write the engine accepts, and
- completely by ``manage.py update_index --queued`` (or emptied by a full
  ``update_index``, which reindexes everything).

A retried item is written from the database as it is now, so a page changed
three times during an outage is indexed once, in its latest state.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from wagtail.models import Page

from .models import IndexQueueItem

logger = logging.getLogger(__name__)

UPDATE = IndexQueueItem.ACTION_UPDATE
DELETE = IndexQueueItem.ACTION_DELETE

# Items retried after a successful write: enough to drain a short outage over
# the next few saves, few enough that an editor's save stays quick.
RETRY_BATCH = 20


def queue_failed_write(objects, action, error):
    """Store writes the engine could not take, and say so in the log."""
    message = f"{type(error).__name__}: {error}"[:2000]
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj)
        item, created = IndexQueueItem.objects.get_or_create(
            content_type=content_type,
            object_id=str(obj.pk),
            defaults={"action": action, "last_error": message},
        )
        if not created:
            IndexQueueItem.objects.filter(pk=item.pk).update(
                action=action, attempts=F("attempts") + 1, last_error=message, last_attempt_at=timezone.now()
            )
        logger.warning(
            "Search index write queued (%s %s.%s %s): %s",
            action,
            content_type.app_label,
            content_type.model,
            obj.pk,
            message,
        )


def _write(item, backends):
    model = item.content_type.model_class()
    if model is None:
        return  # the model no longer exists; nothing to index
    obj = None
    if item.action == UPDATE:
        obj = model.get_indexed_objects().filter(pk=item.object_id).first()
    for backend in backends:
        if obj is not None:
            backend.index_now(obj)
        else:
            # Deleted, or no longer indexed: its document goes too.
            backend.remove_now(model, item.object_id)


def retry(backends, limit=None):
    """Write queued items to ``backends``, oldest first. Returns how many were
    indexed and how many are still queued.

    An item that fails again stays queued with one more attempt and the new
    error. If the service cannot be reached at all, the pass stops there."""
    from .hub_backend import INDEX_WRITE_ERRORS, UNREACHABLE_ERRORS

    items = IndexQueueItem.objects.select_related("content_type").order_by("queued_at", "pk")
    if limit is not None:
        items = items[:limit]
    indexed = 0
    for item in items:
        try:
            _write(item, backends)
        except INDEX_WRITE_ERRORS as error:
            IndexQueueItem.objects.filter(pk=item.pk).update(
                attempts=F("attempts") + 1,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                last_attempt_at=timezone.now(),
            )
            if isinstance(error, UNREACHABLE_ERRORS):
                break
        else:
            # Deleted only if nothing re-queued it meanwhile.
            IndexQueueItem.objects.filter(pk=item.pk, attempts=item.attempts).delete()
            indexed += 1
    return indexed, IndexQueueItem.objects.count()


def retry_some(backend):
    """After a successful write: the service is back, so clear a little of the queue."""
    if IndexQueueItem.objects.exists():
        retry([backend], limit=RETRY_BATCH)


def _push_synonyms(**kwargs):
    from .hub_backend import push_synonyms_everywhere

    # After the commit, so the engine gets what the database holds.
    transaction.on_commit(push_synonyms_everywhere)


def _drop_if_not_live(sender, instance, **kwargs):
    """A page saved while not live (a draft, or unpublished, or expired)
    leaves every search index: only live pages are indexed
    (``BasePage.get_indexed_objects``), and Wagtail's own handler only adds.
    Scheduled expiry and unpublishing save the page as a plain ``Page``, so
    every page save is looked at."""
    if isinstance(instance, Page) and not instance.live and instance.pk:
        from modelsearch.index import remove_object

        remove_object(instance)


def connect():
    """Saving or deleting a synonym gives the engine's search analyzer the new
    list (Elasticsearch: its synonyms set; OpenSearch: the index settings).
    A page that stops being live leaves the index."""
    from .models import Synonym

    post_save.connect(_push_synonyms, sender=Synonym, dispatch_uid="hub-synonyms-set-saved")
    post_delete.connect(_push_synonyms, sender=Synonym, dispatch_uid="hub-synonyms-set-deleted")
    post_save.connect(_drop_if_not_live, dispatch_uid="hub-search-not-live")
