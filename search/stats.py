"""Counting searches: per query per day, and whether each found anything.

Counts go to the hub's ``SearchDailyStat`` (with the no-result count the gap
analysis needs) and to Wagtail's own ``Query``/``QueryDailyHits``, which the
promotions admin uses to suggest popular queries. Nothing about who searched
is kept. A failure to count is logged and never fails the search.
"""

import logging

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query
from wagtail.search.utils import normalise_query_string

from .models import SearchDailyStat

logger = logging.getLogger(__name__)


def normalise(query):
    return " ".join(query.lower().split())[:255]


def record(query, found):
    text = normalise(query)
    if not text:
        return
    today = timezone.localdate()
    try:
        with transaction.atomic():
            updated = SearchDailyStat.objects.filter(date=today, query=text).update(
                searches=F("searches") + 1,
                searches_without_results=F("searches_without_results") + (0 if found else 1),
            )
            if not updated:
                stat, created = SearchDailyStat.objects.get_or_create(
                    date=today,
                    query=text,
                    defaults={"searches": 1, "searches_without_results": 0 if found else 1},
                )
                if not created:
                    SearchDailyStat.objects.filter(pk=stat.pk).update(
                        searches=F("searches") + 1,
                        searches_without_results=F("searches_without_results") + (0 if found else 1),
                    )
            if normalise_query_string(query):
                Query.get(query).add_hit(date=today)
    except DatabaseError:
        logger.exception("Could not count the search %r", text)
