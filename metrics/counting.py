"""Counting page views and document downloads, per object and day.

Privacy: only the number of views of a page (or downloads of a document) on a
day is kept. No address, cookie, user agent or account is stored, for anonymous
visitors and members alike.

Speed: a view costs one cache increment (``cache.incr``) on a key per day and
object, never a database write. Counts reach the database (``PageViewDaily``,
``DocumentDownloadDaily``) when they are flushed: by ``manage.py flush_counts``
(cron, e.g. every five minutes) and, at most once a minute, by the request that
happens to find the minute over. With the local-memory cache each process keeps
its own counts, so the in-request flush is what writes them; with Redis
(production) every process and the command share them.

How the flusher finds the counters: the first view of an object on a day (the
one ``cache.add`` lets in) takes the next number from a slot counter and
writes its key under that slot. A flush reads the slots it has not finished,
adds each counter's value to the database and takes the same amount off the
counter, so views made during the flush stay for the next one.

Cached page views count too: ``PageViewCountMiddleware`` sits in front of the
anonymous page cache and recognises a cached page by the address the page was
last rendered at (remembered by the ``before_serve_page`` hook's page id).
"""

import datetime
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .periods import hub_today

logger = logging.getLogger(__name__)

PAGE_VIEWS = "pv"
DOWNLOADS = "dl"
COUNTER_SECONDS = 3 * 24 * 3600  # a missed flush is caught up within three days
FLUSH_EVERY_SECONDS = 60
SLOTS_KEY = "metrics:slots"
FLUSHED_KEY = "metrics:slots-flushed"
FLUSH_LOCK_KEY = "metrics:flush-lock"
FLUSH_DUE_KEY = "metrics:flush-due"
PATH_KEY = "metrics:path:{}"
# Crawlers and monitors are not people reading the hub.
ROBOTS = re.compile(r"bot|crawl|spider|slurp|monitor|uptime|curl|wget|python-requests|headless", re.I)


def counting_enabled():
    return getattr(settings, "HUB_COUNT_VIEWS", True)


def _counter_key(kind, day, object_id):
    return f"metrics:{kind}:{day.isoformat()}:{object_id}"


def _incr(key, amount=1):
    try:
        return cache.incr(key, amount)
    except ValueError:
        return None


def count(kind, object_id, day=None):
    """Add one to today's count of ``object_id``: a cache increment."""
    day = day or hub_today()
    key = _counter_key(kind, day, object_id)
    if _incr(key) is not None:
        return
    if cache.add(key, 1, COUNTER_SECONDS):
        cache.add(SLOTS_KEY, 0, None)
        slot = _incr(SLOTS_KEY)
        if slot is not None:
            cache.set(f"metrics:slot:{slot}", key, COUNTER_SECONDS)
            if slot <= (cache.get(FLUSHED_KEY) or 0):
                # The slot counter was evicted and started again below the
                # flusher's mark: move the mark back so this slot is read.
                cache.set(FLUSHED_KEY, slot - 1, None)
    else:
        _incr(key)


def count_page_view(page_id):
    count(PAGE_VIEWS, page_id)
    flush_if_due()


def count_download(document_id):
    count(DOWNLOADS, document_id)
    flush_if_due()


def count_served_document(sender, instance, request=None, **kwargs):
    """``document_served`` signal: a download was let through."""
    if counting_enabled() and request is not None and request.method == "GET":
        try:
            count_download(instance.pk)
        except Exception:
            logger.exception("Could not count a document download")


def flush_if_due():
    """Flush at most once a minute (per cache), from whichever request comes."""
    if cache.add(FLUSH_DUE_KEY, 1, FLUSH_EVERY_SECONDS):
        try:
            flush()
        except Exception:
            # A count is never worth a failed page view; the next flush retries.
            logger.exception("Could not write the view and download counts")


def _targets(kind):
    from wagtail.documents import get_document_model
    from wagtail.models import Page

    from .models import DocumentDownloadDaily, PageViewDaily

    if kind == PAGE_VIEWS:
        return PageViewDaily, "page", "views", Page
    return DocumentDownloadDaily, "document", "downloads", get_document_model()


def _add_to_database(kind, amounts):
    """Add ``{(day, object id): amount}`` to the daily rows in one UPSERT
    (PostgreSQL and SQLite share the syntax), leaving out objects deleted since."""
    model, fk_name, count_name, target = _targets(kind)
    existing = set(target.objects.filter(pk__in={pk for _day, pk in amounts}).values_list("pk", flat=True))
    values = [(day, pk, amount) for (day, pk), amount in sorted(amounts.items()) if pk in existing]
    if not values:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    date_column = quote(model._meta.get_field("date").column)
    fk_column = quote(model._meta.get_field(fk_name).column)
    count_column = quote(model._meta.get_field(count_name).column)
    placeholders = ", ".join(["(%s, %s, %s)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({date_column}, {fk_column}, {count_column}) VALUES {placeholders} "
            f"ON CONFLICT ({date_column}, {fk_column}) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + excluded.{count_column}",
            [item for row in values for item in row],
        )


def flush():
    """Write every pending count to the database. Returns how many views and
    downloads were written."""
    if not cache.add(FLUSH_LOCK_KEY, 1, 300):
        return 0
    written = 0
    try:
        last = cache.get(SLOTS_KEY) or 0
        first = (cache.get(FLUSHED_KEY) or 0) + 1
        if first > last + 1:
            # The slot counter was evicted and started again: read from the start.
            first = 1
        slot_keys = [f"metrics:slot:{n}" for n in range(first, last + 1)]
        counter_keys = cache.get_many(slot_keys)
        values = cache.get_many(list(counter_keys.values()))
        today = hub_today()
        finished, prefix_done = first - 1, True
        pending = {PAGE_VIEWS: {}, DOWNLOADS: {}}
        taken = {PAGE_VIEWS: [], DOWNLOADS: []}
        for number in range(first, last + 1):
            counter_key = counter_keys.get(f"metrics:slot:{number}")
            # Expired or evicted slots have nothing left to write; a past day
            # gets no more views, so once written its slot is done for good.
            slot_done = True
            if counter_key is not None:
                _prefix, kind, day_text, object_id = counter_key.split(":")
                day = datetime.date.fromisoformat(day_text)
                amount = values.get(counter_key) or 0
                if amount:
                    pending[kind][(day, int(object_id))] = amount
                    taken[kind].append((counter_key, amount))
                slot_done = day < today
            if prefix_done and slot_done:
                finished = number
            else:
                prefix_done = False
        for kind, amounts in pending.items():
            if amounts:
                _add_to_database(kind, amounts)
            # Written: take the same amounts off the counters; views made meanwhile stay.
            for counter_key, amount in taken[kind]:
                _incr(counter_key, -amount)
                written += amount
        cache.set(FLUSHED_KEY, finished, None)
    finally:
        cache.delete(FLUSH_LOCK_KEY)
    return written


# --- page views -------------------------------------------------------------------------

SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/django-admin/", "/documents/", "/api/", "/__debug__/")


def _path_key(request):
    return PATH_KEY.format(hashlib.sha1(f"{request.get_host()}{request.path}".encode()).hexdigest())


def remember_served_page(page, request, serve_args, serve_kwargs):
    """``before_serve_page`` hook: note which page this request shows."""
    request.metrics_page_id = page.pk


class PageViewCountMiddleware:
    """Counts views of the hub's pages, whether the page is rendered or comes
    from the page cache (this middleware sits in front of both, hub/cache.py),
    whether or not the cache says so in a header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method != "GET"
            or response.status_code != 200
            or not counting_enabled()
            or request.path.startswith(SKIPPED_PREFIXES)
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        try:
            page_id = getattr(request, "metrics_page_id", None)
            if page_id is not None:
                # Rendered now: remember which page this address shows, for
                # the views the page cache will answer.
                cache.set(_path_key(request), page_id, settings.PAGE_CACHE_SECONDS * 2)
            elif getattr(response, "hub_from_cache", False):
                # The cached copy names its page; older copies are found by address.
                page_id = getattr(response, "hub_page_id", None) or cache.get(_path_key(request))
            if page_id is not None and not ROBOTS.search(request.META.get("HTTP_USER_AGENT", "")):
                count_page_view(page_id)
        except Exception:
            logger.exception("Could not count a page view")
        return response
