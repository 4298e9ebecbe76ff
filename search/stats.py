"""Counting searches: per query per day, whether each found anything, and
whether it found only a little (``SearchDailyStat.FEW_RESULTS`` or fewer).

Counts go to the hub's ``SearchDailyStat`` (with the no-result count the gap
analysis needs) and to Wagtail's own ``Query``/``QueryDailyHits``, which the
promotions admin uses to suggest popular queries. Nothing about who searched
is kept. A failure to count is logged and never fails the search.
"""

import logging
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits
from wagtail.search.utils import normalise_query_string

from .models import SearchDailyStat

logger = logging.getLogger(__name__)


def normalise(query):
    return " ".join(query.lower().split())[:255]


def record(query, results):
    """Count one search of ``query`` that found ``results`` results.

    Three single-statement upserts (PostgreSQL and SQLite both read
    ``ON CONFLICT``), with no transaction or read-before-write: a search is
    counted in about a millisecond, however many run at once."""
    text = normalise(query)
    if not text:
        return
    today = timezone.localdate()
    without = 0 if results else 1
    few = 1 if 0 < results <= SearchDailyStat.FEW_RESULTS else 0
    stats_table = SearchDailyStat._meta.db_table
    query_table = Query._meta.db_table
    hits_table = QueryDailyHits._meta.db_table
    # Inside a transaction (tests, a caller's atomic block) a failed statement
    # must not spoil the rest of it: a savepoint then. Outside, autocommit.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {stats_table} (date, query, searches, searches_without_results,"
                " searches_with_few_results) VALUES (%s, %s, 1, %s, %s)"
                " ON CONFLICT (date, query) DO UPDATE SET searches = {t}.searches + 1,"
                " searches_without_results = {t}.searches_without_results"
                " + excluded.searches_without_results,"
                " searches_with_few_results = {t}.searches_with_few_results"
                " + excluded.searches_with_few_results".replace("{t}", stats_table),  # noqa: S608
                [today, text, without, few],
            )
            promoted_text = normalise_query_string(query)
            if promoted_text:
                # Wagtail's own log, which the promotions admin reads for popular searches.
                cursor.execute(
                    f"INSERT INTO {query_table} (query_string) VALUES (%s) ON CONFLICT (query_string)"
                    " DO UPDATE SET query_string = excluded.query_string RETURNING id",  # noqa: S608
                    [promoted_text],
                )
                query_id = cursor.fetchone()[0]
                cursor.execute(
                    f"INSERT INTO {hits_table} (query_id, date, hits) VALUES (%s, %s, 1)"
                    f" ON CONFLICT (query_id, date) DO UPDATE SET hits = {hits_table}.hits + 1",  # noqa: S608
                    [query_id, today],
                )
    except DatabaseError:
        logger.exception("Could not count the search %r", text)
