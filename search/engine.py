"""Finding pages: the query, the matching pages with their scores, facets,
sorting and pages of results - the same for the search page, its JSON and
the relevance benchmark.

How a search runs:

1. The query is cleaned (control characters out, at most 200 characters) and
   split into words; operators and quotes are read as plain words.
2. Matches come from the search backend, always filtered to live pages of an
   audience the person may see (``hub.audience``):
   - PostgreSQL database backend: one SQL query on the search index table
     that matches any concept of the query (``concepts``) and scores each page
     by the rarity of the concepts it holds (``_postgres_hits``). Its GIN
     indexes answer even a word found in every page quickly.
   - Other backends (SQLite, Elasticsearch): the backend's own search with any
     word matching, at most ``BACKEND_LIMIT`` best matches, those holding
     every word first.
   Each word the hub's content does not hold is searched with its closest
   known word as an alternative (``search.vocabulary``).
3. Facets, filters, sorting and pagination work on the in-memory records of
   ``search.documents``: counts need every match, not only the ten shown.
"""

import heapq
import logging
import math
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db import connection
from wagtail.search.backends import get_search_backend

from hub.audience import allowed_audiences
from hub.cache import current_generation

from . import documents, vocabulary
from .synonyms import equivalents, synonym_matches

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_WORDS = 32
BACKEND_LIMIT = 1000
TITLE_BONUS = 0.5
RANK_WEIGHT = 0.2
RANKED_CANDIDATES = 200  # pages whose ts_rank is computed (see _postgres_hits)
MAX_CONCEPTS = 31  # two bits each in a bigint mask


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
    corrected: str = ""  # the query with its unknown words corrected, when any were
    fallback: bool = False  # the search service failed; answered from the database


def _postgres_backend(backend):
    return type(backend).__module__.startswith("modelsearch.backends.database.postgres")


def _tsquery_text(terms):
    """One tsquery source for a word or phrase, or for alternatives of them."""
    parts = []
    for term in terms:
        words = re.findall(r"\w+", term.lower())
        if words:
            parts.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " | ".join(parts)


def concepts(query, use_synonyms=True, corrections=None):
    """What a page should hold to answer the query, as tsquery sources: one
    concept per word typed, with its correction as an alternative; a
    hyphenated word is one concept ("co-occurring" or "cooccurring"); a listed
    synonym typed is one concept with its equivalents as alternatives, taking
    in the words it is made of."""
    corrections = corrections or {}
    corrected_text = " ".join([query, *corrections.values()])
    groups = synonym_matches(corrected_text) if use_synonyms else []
    result = []
    absorbed = set()
    for term, others in groups:
        result.append(_tsquery_text([term, *others]))
        absorbed.update(re.findall(r"\w+", term))
    for token in re.findall(r"\w+(?:-\w+)*", query.lower()):
        parts = [p for p in re.split(r"[-_]", token) if p]
        if not parts or all(p in absorbed for p in parts):
            continue
        options = [" ".join(parts)]
        if len(parts) > 1:
            options.append("".join(parts))
        options += [corrections[p] for p in parts if p in corrections]
        result.append(_tsquery_text(options))
    return list(dict.fromkeys(c for c in result if c))[:MAX_WORDS]


def _postgres_hits(backend, sources, visible):
    """(content type id, page id) -> score, straight from the index table;
    ``visible`` holds the records of the pages the person may see, by key.

    The score is BM25-like: each concept of the query adds its rarity (idf)
    when the page holds it, half as much again when the title does, divided
    by what holding every concept would give; PostgreSQL's own ts_rank (term
    frequency and field weights) breaks ties.

    It runs in two steps, so that a word found in nearly every page costs
    little more than a rare one:

    1. One query over the GIN indexes returns, per matching page, a bit mask
       of which concepts its title and its body hold: two bits a concept,
       nothing else. Pages with the same mask have the same concept score, so
       the scoring is done once per mask, not once per page.
    2. ``ts_rank``, the expensive part, is computed only for the
       ``RANKED_CANDIDATES`` best pages by concept score (newest first among
       equals). Every page a person sees on the first pages of results is
       among them; the rest keep their concept score.
    """
    from wagtail.search.models import IndexEntry

    # The configuration the index was built with: the backend's, or the server default.
    config = backend.config
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsquery(COALESCE(%s, current_setting('default_text_search_config'))::regconfig, s)"
            "::text FROM unnest(%s::text[]) AS s",
            [config, sources],
        )
        compiled = list(dict.fromkeys(row[0] for row in cursor.fetchall() if row[0]))[:MAX_CONCEPTS]
    if not compiled:
        return {}
    table = IndexEntry._meta.db_table
    any_query = " | ".join(f"({q})" for q in compiled)
    bits = " + ".join(
        f"(CASE WHEN title @@ %s::tsquery THEN {1 << (2 * i)} ELSE 0 END)"
        f" + (CASE WHEN body @@ %s::tsquery THEN {1 << (2 * i + 1)} ELSE 0 END)"
        for i in range(len(compiled))
    )
    content_types = sorted({ct for ct, _pk in visible})
    # "content_type_id + 0" keeps PostgreSQL from intersecting the GIN scans
    # with the content type index, which costs more than it saves: nearly
    # every index entry is a searchable page.
    sql = f"""
        SELECT id, content_type_id, object_id::integer, ({bits})::bigint
        FROM {table}, CAST(%s AS tsquery) AS q_any
        WHERE content_type_id + 0 = ANY(%s) AND (title @@ q_any OR body @@ q_any)
    """  # noqa: S608 - the table name is the model's own; values are parameters
    params = [q for q in compiled for _field in ("title", "body")] + [any_query, content_types]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            (entry_id, (ct_id, object_id), mask)
            for entry_id, ct_id, object_id, mask in cursor.fetchall()
            if (ct_id, object_id) in visible
        ]
    if not rows:
        return {}
    masks = Counter(mask for _entry, _key, mask in rows)
    holds = [3 << (2 * i) for i in range(len(compiled))]
    frequencies = [sum(n for mask, n in masks.items() if mask & bit) for bit in holds]
    total = len(visible)
    idf = [math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in frequencies]
    most = sum(idf) * (1 + TITLE_BONUS) or 1.0
    score_of_mask = {
        mask: sum(
            w * (1 + (TITLE_BONUS if mask & (1 << (2 * i)) else 0.0))
            for i, w in enumerate(idf)
            if mask & holds[i]
        )
        / most
        for mask in masks
    }
    scores = {key: score_of_mask[mask] for _entry, key, mask in rows}
    best = heapq.nlargest(RANKED_CANDIDATES, rows, key=lambda row: (scores[row[1]], visible[row[1]].sort_key))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content_type_id, object_id::integer,"
            f" ts_rank(title, q_any) * title_norm + ts_rank(body, q_any)"
            f" FROM {table}, CAST(%s AS tsquery) AS q_any WHERE id = ANY(%s)",  # noqa: S608
            [any_query, [entry for entry, _key, _mask in best]],
        )
        for ct_id, object_id, rank in cursor.fetchall():
            scores[(ct_id, object_id)] += RANK_WEIGHT * float(rank)
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


def _match(backend, words, query, use_synonyms, corrections, kinds, allowed, visible):
    if _postgres_backend(backend) and connection.vendor == "postgresql":
        sources = concepts(query, use_synonyms, corrections)
        return _postgres_hits(backend, sources, visible)
    corrected = list(corrections.values())
    phrases = equivalents(" ".join([query, *corrected])) if use_synonyms else []
    return _backend_hits(backend, words + corrected, phrases, kinds, allowed)


class Recent:
    """A small least-recently-used store of search answers in this process,
    emptied whenever the page cache generation changes (any publish,
    unpublish, move, privacy, vocabulary or synonym change). Popular queries
    are asked again and again; each is computed once per change."""

    def __init__(self, size):
        self.size = size
        self.generation = None
        self.items = OrderedDict()

    def get(self, key):
        generation = current_generation()
        if generation != self.generation:
            self.items.clear()
            self.generation = generation
            return None
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key, value):
        self.items[key] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


recent_hits = Recent(256)


def find(query, request=None, allowed=None, use_synonyms=None, correct=True):
    """Every page matching ``query`` that the person may see, with scores."""
    if allowed is None:
        allowed = allowed_audiences(request)
    key = (query.lower(), tuple(sorted(allowed)), use_synonyms, correct)
    hits = recent_hits.get(key)
    if hits is None:
        hits = _find(query, allowed, use_synonyms, correct)
        if not hits.fallback:
            recent_hits.put(key, hits)
    return hits


def _find(query, allowed, use_synonyms, correct):
    index = documents.document_index()
    visible = index.visible_by_key(allowed)
    kinds = list(index.kinds.values())
    words = words_of(query)
    if not words:
        return Hits()
    backend = get_search_backend()
    if use_synonyms is None:
        # Elasticsearch applies the synonym list in its own analyser.
        use_synonyms = "database" in type(backend).__module__
    corrections = vocabulary.corrections(words) if correct else {}
    hits = Hits()
    if corrections:
        hits.corrected = " ".join(corrections.get(word, word) for word in words)
    try:
        hits.scores = _match(backend, words, query, use_synonyms, corrections, kinds, allowed, visible)
    except _search_unavailable_errors() as error:
        logger.warning("Search service unavailable, answering from the database: %s", error)
        hits.scores = _match(_fallback_backend(), words, query, True, corrections, kinds, allowed, visible)
        hits.fallback = True
    return hits
