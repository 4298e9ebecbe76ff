"""Finding pages: the query, the matching pages with their scores, facets,
sorting and pages of results - the same for the search page, its JSON and
the relevance benchmark.

How a search runs:

1. The query is cleaned (control characters out, at most 200 characters) and
   split into words; operators and quotes are read as plain words.
2. Matches come from the search backend, always filtered to live pages of an
   audience the person may see (``hub.audience``):
   - PostgreSQL database backend: one SQL query on the search index table that
     ORs the words with the synonym list's equivalents (phrases kept as
     phrases) and ranks by title and body, with a bonus for pages holding every
     word typed. Its GIN indexes answer even a word found in every page quickly.
   - Other backends (SQLite, Elasticsearch): the backend's own search with any
     word matching, at most ``BACKEND_LIMIT`` best matches.
   If the words find little, each unknown word is corrected from the hub's
   vocabulary (``search.vocabulary``) and the corrected query is searched too.
3. Facets, filters, sorting and pagination work on the in-memory records of
   ``search.documents``: counts need every match, not only the ten shown.
"""

import logging
import re
from dataclasses import dataclass, field

from django.db import connection
from wagtail.search.backends import get_search_backend

from hub.audience import allowed_audiences

from . import documents, vocabulary
from .synonyms import equivalents

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_WORDS = 32
BACKEND_LIMIT = 1000
FEW_RESULTS = 3
ALL_WORDS_BONUS = 0.5
TITLE_WEIGHT = 2.0


def clean_query(raw):
    """Trim, drop control characters and cap the length of what was typed.
    Returns the query and whether it had to be shortened."""
    text = "".join(ch if ch.isprintable() else " " for ch in raw)
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH].strip(), len(text) > MAX_QUERY_LENGTH


def words_of(query):
    """The words of a query, without operators or quotes a search engine might
    read as its own syntax: people type questions, not query languages.
    Hyphenated words also bring their joined form ("tele-health" ->
    "telehealth")."""
    words = []
    for token in re.findall(r"\w+(?:-\w+)*", query.lower()):
        parts = [part for part in token.replace("_", " ").replace("-", " ").split() if part]
        words.extend(parts)
        if len(parts) > 1:
            words.append("".join(parts))
    unique = []
    for word in words:
        if word not in unique:
            unique.append(word)
    return unique[:MAX_WORDS]


@dataclass
class Hits:
    scores: dict = field(default_factory=dict)  # document key -> score
    corrected: str = ""  # the query as corrected, when the typed words found little
    fallback: bool = False  # the search service failed; answered from the database


def _postgres_backend(backend):
    return type(backend).__module__.startswith("modelsearch.backends.database.postgres")


def _tsquery_parts(phrases):
    parts = []
    for phrase in phrases:
        words = [w for w in re.findall(r"\w+", phrase.lower()) if w]
        if words:
            parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return parts


def _postgres_hits(words, phrases, kinds, allowed_keys):
    """(content type id, page id) -> score, straight from the index table."""
    from wagtail.search.models import IndexEntry

    any_query = " | ".join(_tsquery_parts(words + phrases))
    all_query = " & ".join(_tsquery_parts(words))
    if not any_query:
        return {}
    table = IndexEntry._meta.db_table
    config = get_search_backend().config or "english"
    sql = f"""
        SELECT content_type_id, object_id,
               ts_rank(title, q_any) * title_norm * %s + ts_rank(body, q_any)
               + CASE WHEN (title || body) @@ q_all THEN %s ELSE 0 END AS score
        FROM {table},
             to_tsquery(%s::regconfig, %s) AS q_any,
             to_tsquery(%s::regconfig, %s) AS q_all
        WHERE content_type_id = ANY(%s) AND (title @@ q_any OR body @@ q_any)
    """  # noqa: S608 - the table name is the model's own; values are parameters
    params = [
        TITLE_WEIGHT,
        ALL_WORDS_BONUS,
        config,
        any_query,
        config,
        all_query or any_query,
        [kind.content_type_id for kind in kinds],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scores = {}
    for ct_id, object_id, score in rows:
        key = (ct_id, int(object_id))
        if key in allowed_keys:
            scores[key] = float(score)
    return scores


def _backend_hits(backend, words, phrases, kinds, allowed):
    """Scores from the backend's own search, per searchable page type.

    Backends score on different scales (SQLite's bm25 is lower-is-better), so
    the score is the position in the backend's own order, and pages holding
    every word typed rank above those holding only some."""
    text = " ".join(words + phrases)
    scores = {}
    for kind in kinds:
        queryset = kind.model.objects.live().filter(audience__in=allowed)
        ranked = backend.search(text, queryset, operator="or")[:BACKEND_LIMIT]
        for position, page in enumerate(ranked):
            scores[(kind.content_type_id, page.pk)] = (BACKEND_LIMIT - position) / BACKEND_LIMIT
        if len(words) > 1 and scores:
            for page in backend.search(" ".join(words), queryset, operator="and")[:BACKEND_LIMIT]:
                key = (kind.content_type_id, page.pk)
                if key in scores:
                    scores[key] += 1.0
    return scores


def _search_unavailable_errors():
    try:
        from .elasticsearch import SEARCH_UNAVAILABLE_ERRORS
    except ImportError:
        return ()
    return SEARCH_UNAVAILABLE_ERRORS


def _fallback_backend():
    from .elasticsearch import fallback_backend

    return fallback_backend()


def _match(backend, words, phrases, kinds, allowed, allowed_keys):
    if _postgres_backend(backend) and connection.vendor == "postgresql":
        return _postgres_hits(words, phrases, kinds, allowed_keys)
    return _backend_hits(backend, words, phrases, kinds, allowed)


def find(query, request=None, allowed=None, use_synonyms=None, correct=True):
    """Every page matching ``query`` that the person may see, with scores."""
    index = documents.document_index()
    if allowed is None:
        allowed = allowed_audiences(request)
    allowed_keys = {doc.key for doc in index.visible(allowed)}
    kinds = list(index.kinds.values())
    words = words_of(query)
    if not words:
        return Hits()
    backend = get_search_backend()
    database = "database" in type(backend).__module__
    if use_synonyms is None:
        # Elasticsearch applies the synonym list in its own analyser.
        use_synonyms = database
    phrases = equivalents(query) if use_synonyms else []
    hits = Hits()
    try:
        hits.scores = _match(backend, words, phrases, kinds, allowed, allowed_keys)
    except _search_unavailable_errors() as error:
        logger.warning("Search service unavailable, answering from the database: %s", error)
        backend = _fallback_backend()
        phrases = equivalents(query)
        hits.scores = _match(backend, words, phrases, kinds, allowed, allowed_keys)
        hits.fallback = True
    if correct and len(hits.scores) < FEW_RESULTS:
        corrected_words = vocabulary.correct(words)
        if corrected_words != words:
            corrected = " ".join(corrected_words)
            extra = _match(
                backend,
                corrected_words,
                equivalents(corrected) if use_synonyms else [],
                kinds,
                allowed,
                allowed_keys,
            )
            if extra and len(extra) >= len(hits.scores):
                hits.corrected = corrected
                # Pages the typed words found stay first.
                top = max(extra.values(), default=0.0)
                hits.scores = {**extra, **{k: v + top + 1 for k, v in hits.scores.items()}}
    return hits
