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


def _upserts():
    """The SQL that counts one search: the hub's daily count, Wagtail's query
    (returning its id) and Wagtail's daily hits of it."""
    stats = SearchDailyStat._meta.db_table
    queries = Query._meta.db_table
    hits = QueryDailyHits._meta.db_table
    count_stat = (
        f"INSERT INTO {stats} (date, query, searches, searches_without_results, searches_with_few_results)"
        f" VALUES (%s, %s, 1, %s, %s) ON CONFLICT (date, query) DO UPDATE SET"
        f" searches = {stats}.searches + 1,"
        f" searches_without_results = {stats}.searches_without_results + excluded.searches_without_results,"
        f" searches_with_few_results = {stats}.searches_with_few_results + excluded.searches_with_few_results"
    )  # noqa: S608 - table names are the models' own; values are parameters
    add_query = (
        f"INSERT INTO {queries} (query_string) VALUES (%s) ON CONFLICT (query_string)"
        " DO UPDATE SET query_string = excluded.query_string RETURNING id"
    )  # noqa: S608
    add_hit = (
        f"INSERT INTO {hits} (query_id, date, hits) {{rows}}"
        f" ON CONFLICT (query_id, date) DO UPDATE SET hits = {hits}.hits + 1"
    )  # noqa: S608 - {rows}: the row to add, from the query's id
    return count_stat, add_query, add_hit


def record(query, results):
    """Count one search of ``query`` that found ``results`` results.

    Upserts (PostgreSQL and SQLite both read ``ON CONFLICT``) with no
    read-before-write. On PostgreSQL all three are one statement (a
    data-modifying WITH): one round trip and one commit per search."""
    text = normalise(query)
    if not text:
        return
    today = timezone.localdate()
    stat_params = [today, text, 0 if results else 1, 1 if 0 < results <= SearchDailyStat.FEW_RESULTS else 0]
    # Wagtail keeps its own log of the query, read by the promotions admin.
    # (Lower case can be longer than the 255 characters Wagtail cut it to.)
    wagtail_text = normalise_query_string(query)[:255]
    count_stat, add_query, add_hit = _upserts()
    # Inside a transaction (tests, a caller's atomic block) a failed statement
    # must not spoil the rest of it: a savepoint then. Outside, autocommit.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            if not wagtail_text:
                cursor.execute(count_stat, stat_params)
            elif connection.vendor == "postgresql":
                add = add_hit.format(rows="SELECT id, %s, 1 FROM query")
                cursor.execute(
                    f"WITH counted AS ({count_stat} RETURNING 1), query AS ({add_query}) {add}",
                    [*stat_params, wagtail_text, today],
                )
            else:
                cursor.execute(count_stat, stat_params)
                cursor.execute(add_query, [wagtail_text])
                query_id = cursor.fetchone()[0]
                cursor.execute(add_hit.format(rows="VALUES (%s, %s, 1)"), [query_id, today])
    except DatabaseError:
        logger.exception("Could not count the search %r", text)
