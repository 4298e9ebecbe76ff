"""Counting searches: per query per day, whether each found anything, and
whether it found only a little (``SearchDailyStat.FEW_RESULTS`` or fewer).

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


def record(query, results):
    """Count one search of ``query`` that found ``results`` results."""
    text = normalise(query)
    if not text:
        return
    today = timezone.localdate()
    without = 0 if results else 1
    few = 1 if 0 < results <= SearchDailyStat.FEW_RESULTS else 0
    increments = {
        "searches": F("searches") + 1,
        "searches_without_results": F("searches_without_results") + without,
        "searches_with_few_results": F("searches_with_few_results") + few,
    }
    try:
        with transaction.atomic():
            updated = SearchDailyStat.objects.filter(date=today, query=text).update(**increments)
            if not updated:
                stat, created = SearchDailyStat.objects.get_or_create(
                    date=today,
                    query=text,
                    defaults={
                        "searches": 1,
                        "searches_without_results": without,
                        "searches_with_few_results": few,
                    },
                )
                if not created:
                    SearchDailyStat.objects.filter(pk=stat.pk).update(**increments)
            if normalise_query_string(query):
                Query.get(query).add_hit(date=today)
    except DatabaseError:
        logger.exception("Could not count the search %r", text)
