"""Finding pages: the query, the matching pages with their scores, facets,
sorting and pages of results - the same for the search page, its JSON and
the relevance benchmark.

How a search runs:

1. The query is cleaned (control characters out, at most 200 characters) and
   split into words; operators and quotes are read as plain words.
2. Matches come from the search backend, always limited to live pages of an
   audience the person may see (``hub.audience``):
   - PostgreSQL database backend: the query's concepts (``concepts``) are
     compiled by PostgreSQL into tsqueries, matched against in-memory
     postings of the index table's words (``search.postings``), and each page
     scored by the rarity of the concepts it holds; PostgreSQL's ts_rank
     orders the 200 best (``_postgres_hits``). A word found in every page
     costs about as little as a rare one.
   - Other backends (SQLite, Elasticsearch): the backend's own search with any
     word matching, at most ``BACKEND_LIMIT`` best matches, those holding
     every word first.
   Each word the hub's content does not hold is searched with its closest
   known word as an alternative (``search.vocabulary``): only words that a
   page the person may see holds count as known or are offered
   (``_visible_words``).
3. Facets, filters, sorting and pagination work on the in-memory records of
   ``search.documents``, sets of them as bit sets: counts need every match,
   not only the ten shown.
"""

import logging
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db import connection
from wagtail.search.backends import get_search_backend

from hub.audience import PUBLIC, allowed_audiences

from . import documents, postings, vocabulary
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
    order: list = field(default_factory=list)  # the keys, best first (newest first among equals)
    bits: int = 0  # the keys as a bit set over the document index (search.documents)
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


_compiled = {}


def _compile(backend, sources):
    """The tsquery text of each concept, compiled by PostgreSQL with the
    configuration the index was built with (the backend's, or the server
    default); remembered per process, as it never changes for a source."""
    config = backend.config
    known = {source: _compiled.get((config, source)) for source in sources}
    missing = [source for source, text in known.items() if text is None]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s, to_tsquery(COALESCE(%s, current_setting('default_text_search_config'))"
                "::regconfig, s)::text FROM unnest(%s::text[]) AS s",
                [config, missing],
            )
            fetched = dict(cursor.fetchall())
        known.update(fetched)
        if len(_compiled) > 20_000:
            _compiled.clear()
        _compiled.update(((config, source), text) for source, text in fetched.items())
    return list(dict.fromkeys(text for text in (known[source] for source in sources) if text))[:MAX_CONCEPTS]


def _idf(frequencies, total):
    return [math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in frequencies]


@dataclass
class Scope:
    """What a person may find: the document index, and in it the records of
    the audiences they belong to, by key and as a bit set."""

    index: documents.DocumentIndex
    allowed: frozenset
    visible: dict
    bits: int

    @classmethod
    def of(cls, allowed, index):
        return cls(index, frozenset(allowed), index.visible_by_key(allowed), index.visible_bits(allowed))


def _postgres_hits(backend, sources, scope):
    """Scores, keys best first and their bit set, for the PostgreSQL
    database backend.

    The score is BM25-like: each concept of the query adds its rarity (idf)
    when the page holds it, half as much again when the title does, divided
    by what holding every concept would give; PostgreSQL's own ts_rank (term
    frequency and field weights) breaks ties.

    1. Which pages hold which concepts comes from the in-memory postings
       (``search.postings``), or, for a query they cannot read, from one SQL
       query over the index table (``_sql_concepts``). Pages holding the
       same concepts form a group, scored once.
    2. ``ts_rank``, the expensive part, is computed by PostgreSQL only for the
       ``RANKED_CANDIDATES`` best pages by concept score (newest first among
       equals). Every page a person sees on the first pages of results is
       among them; the rest keep their concept score.
    """
    compiled = _compile(backend, sources)
    if not compiled:
        return {}, [], 0
    parsed = [postings.parse(text) for text in compiled]
    if any(alternatives is None for alternatives in parsed):
        groups, entry_of, bits = _sql_concepts(compiled, scope)
    else:
        groups, entry_of, bits = _memory_concepts(parsed, scope)
    visible = scope.visible
    scores, order = {}, []
    for score, keys in groups:
        for key in keys:
            scores[key] = score
        order.extend(keys)
    best = order[:RANKED_CANDIDATES]
    if best:
        _add_ts_rank(scores, compiled, [entry_of(key) for key in best])
        # Only the best moved, and only up: every other page scores no more
        # than the last of them did before.
        best.sort(key=lambda key: (scores[key], visible[key].sort_key, key[1]), reverse=True)
        order[: len(best)] = best
    return scores, order, bits


def _memory_concepts(parsed, scope):
    """Groups of pages by concept score, best first, each newest first; a
    function giving a page's index table row; the bit set of them all."""
    book = postings.postings(scope.index)
    allowed = scope.bits
    held = []
    for alternatives in parsed:
        in_title, in_either = book.holding(alternatives)
        held.append((in_title & allowed, in_either & allowed))
    matched = 0
    for _in_title, in_either in held:
        matched |= in_either
    if not matched:
        return [], None, 0
    idf = _idf([in_either.bit_count() for _t, in_either in held], len(scope.visible))
    most = sum(idf) * (1 + TITLE_BONUS) or 1.0
    # Split the matched pages by each concept in turn: title, body only, or
    # neither; pages with equal scores are merged back into one group.
    groups = {0.0: matched}
    for (in_title, in_either), weight in zip(held, idf, strict=True):
        if not in_either:
            continue
        split = {}
        for score, bits in groups.items():
            for part, gain in (
                (bits & in_title, weight * (1 + TITLE_BONUS)),
                (bits & in_either & ~in_title, weight),
                (bits & ~in_either, 0.0),
            ):
                if part:
                    total = round(score + gain, 9)
                    split[total] = split.get(total, 0) | part
        groups = split
    order = scope.index.order
    ordered = [
        (score / most, [order[position].key for position in documents.set_bits(bits)])
        for score, bits in sorted(groups.items(), reverse=True)
    ]
    position = scope.index.position

    def entry_of(key):
        return book.entry_ids[position[key]]

    return ordered, entry_of, matched


def _sql_concepts(compiled, scope):
    """The same groups as ``_memory_concepts``, from one query over the index
    table that returns, per matching page, a bit mask of which concepts its
    title and its body hold (two bits a concept)."""
    from wagtail.search.models import IndexEntry

    table = IndexEntry._meta.db_table
    any_query = " | ".join(f"({q})" for q in compiled)
    bits = " + ".join(
        f"(CASE WHEN title @@ %s::tsquery THEN {1 << (2 * i)} ELSE 0 END)"
        f" + (CASE WHEN body @@ %s::tsquery THEN {1 << (2 * i + 1)} ELSE 0 END)"
        for i in range(len(compiled))
    )
    visible = scope.visible
    content_types = sorted({kind.content_type_id for kind in scope.index.kinds.values()})
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
        return [], None, 0
    masks = Counter(mask for _entry, _key, mask in rows)
    holds = [3 << (2 * i) for i in range(len(compiled))]
    idf = _idf([sum(n for mask, n in masks.items() if mask & bit) for bit in holds], len(visible))
    most = sum(idf) * (1 + TITLE_BONUS) or 1.0
    score_of_mask = {
        mask: round(
            sum(
                w * (1 + (TITLE_BONUS if mask & (1 << (2 * i)) else 0.0))
                for i, w in enumerate(idf)
                if mask & holds[i]
            ),
            9,
        )
        for mask in masks
    }
    by_score = {}
    for _entry, key, mask in rows:
        by_score.setdefault(score_of_mask[mask], []).append(key)
    entries = {key: entry_id for entry_id, key, _mask in rows}
    ordered = [
        (score / most, sorted(keys, key=lambda k: (visible[k].sort_key, k[1]), reverse=True))
        for score, keys in sorted(by_score.items(), reverse=True)
    ]
    return ordered, entries.__getitem__, None


def _add_ts_rank(scores, compiled, entry_ids):
    from wagtail.search.models import IndexEntry

    table = IndexEntry._meta.db_table
    any_query = " | ".join(f"({q})" for q in compiled)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content_type_id, object_id::integer,"
            f" ts_rank(title, q_any) * title_norm + ts_rank(body, q_any)"
            f" FROM {table}, CAST(%s AS tsquery) AS q_any WHERE id = ANY(%s)",  # noqa: S608
            [any_query, entry_ids],
        )
        for ct_id, object_id, rank in cursor.fetchall():
            key = (ct_id, object_id)
            if key in scores:
                scores[key] += RANK_WEIGHT * float(rank)


def _backend_hits(backend, words, phrases, scope):
    """Scores from the backend's own search, per searchable page type.

    Backends score on different scales (SQLite's bm25 is lower-is-better), so
    the score is the position in the backend's own order, and pages holding
    every word typed rank above those holding only some."""
    text = " ".join(words + phrases)
    scores = {}
    for kind in scope.index.kinds.values():
        queryset = kind.model.objects.live().filter(audience__in=scope.allowed)
        ranked = backend.search(text, queryset, operator="or")[:BACKEND_LIMIT]
        for position, page in enumerate(ranked):
            scores[(kind.content_type_id, page.pk)] = (BACKEND_LIMIT - position) / BACKEND_LIMIT
        if len(words) > 1 and scores:
            for page in backend.search(" ".join(words), queryset, operator="and")[:BACKEND_LIMIT]:
                key = (kind.content_type_id, page.pk)
                if key in scores:
                    scores[key] += 1.0
    visible = scope.visible
    scores = {key: score for key, score in scores.items() if key in visible}
    order = sorted(scores, key=lambda key: (scores[key], visible[key].sort_key, key[1]), reverse=True)
    return scores, order, None


def _search_unavailable_errors():
    try:
        from .elasticsearch import SEARCH_UNAVAILABLE_ERRORS
    except ImportError:
        return ()
    return SEARCH_UNAVAILABLE_ERRORS


def _fallback_backend():
    from .elasticsearch import fallback_backend

    return fallback_backend()


def _visible_words(backend, scope):
    """A function telling whether a page in ``scope`` holds a word now (None
    for a word the index leaves out, such as "the"), so typo correction
    offers only words of pages the person may see. Asked of the database
    index, which every setup keeps (with Elasticsearch, as its fallback):
    in memory on PostgreSQL, else one search per word."""
    database = backend if "database" in type(backend).__module__ else _fallback_backend()
    if _postgres_backend(database) and connection.vendor == "postgresql":
        book = postings.postings(scope.index)

        def held(word):
            compiled = _compile(database, [word])
            if not compiled:
                return None
            alternatives = postings.parse(compiled[0])
            return bool(alternatives and book.holding(alternatives)[1] & scope.bits)

        return held

    def searched(word):
        for kind in scope.index.kinds.values():
            queryset = kind.model.objects.live().filter(audience__in=scope.allowed)
            for page in database.search(word, queryset, operator="or")[:BACKEND_LIMIT]:
                if (kind.content_type_id, page.pk) in scope.visible:
                    return True
        return False

    return searched


def _match(backend, words, query, use_synonyms, corrections, scope):
    """Scores, keys best first, and their bit set (None when not worked out)."""
    if _postgres_backend(backend) and connection.vendor == "postgresql":
        sources = concepts(query, use_synonyms, corrections)
        return _postgres_hits(backend, sources, scope)
    corrected = list(corrections.values())
    phrases = equivalents(" ".join([query, *corrected])) if use_synonyms else []
    return _backend_hits(backend, words + corrected, phrases, scope)


class Recent:
    """A small least-recently-used store of search answers in this process,
    for one build of the search records (``search.documents``): answers hold
    their positions, so each is kept and found only with the build it was
    worked out on. A build lasts until the page cache generation changes (any
    publish, unpublish, move, privacy, vocabulary, synonym or promotion
    change) or a page is saved in this process. Popular queries are asked
    again and again; each is computed once per build."""

    def __init__(self, size):
        self.size = size
        self.serial = None
        self.items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, index):
        with self._lock:
            if index.serial != self.serial:
                return None
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value, index):
        with self._lock:
            if index.serial != self.serial:
                self.items.clear()
                self.serial = index.serial
            self.items[key] = value
            if len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


recent_hits = Recent(256)


def find(query, request=None, allowed=None, use_synonyms=None, correct=True, index=None):
    """Every page matching ``query`` that the person may see, with scores,
    worked out on ``index`` (this process's current search records unless
    given: a caller using the answer with its own records passes them)."""
    if allowed is None:
        allowed = allowed_audiences(request)
    if index is None:
        index = documents.document_index()
    key = (query.lower(), tuple(sorted(allowed)), use_synonyms, correct)
    hits = recent_hits.get(key, index)
    if hits is None:
        hits = _find(query, allowed, use_synonyms, correct, index)
        if not hits.fallback:
            recent_hits.put(key, hits, index)
    return hits


def _find(query, allowed, use_synonyms, correct, index):
    scope = Scope.of(allowed, index)
    words = words_of(query)
    if not words:
        return Hits()
    backend = get_search_backend()
    if use_synonyms is None:
        # Elasticsearch applies the synonym list in its own analyser.
        use_synonyms = "database" in type(backend).__module__
    corrections = vocabulary.corrections(words, _visible_words(backend, scope)) if correct else {}
    hits = Hits()
    if corrections:
        hits.corrected = " ".join(corrections.get(word, word) for word in words)
    try:
        found = _match(backend, words, query, use_synonyms, corrections, scope)
    except _search_unavailable_errors() as error:
        logger.warning("Search service unavailable, answering from the database: %s", error)
        found = _match(_fallback_backend(), words, query, True, corrections, scope)
        hits.fallback = True
    hits.scores, hits.order, bits = found
    hits.bits = scope.index.bits_of(hits.order) if bits is None else bits
    return hits


def finds_public(query):
    """Whether ``query``, as typed (no correction), finds a live public page
    and public pages hold each of its words: what a search must do before
    it is suggested to every visitor (``search.reports.popular_searches``)."""
    index = documents.document_index()
    allowed = [PUBLIC]
    if not find(query, allowed=allowed, correct=False, index=index).order:
        return False
    visible = _visible_words(get_search_backend(), Scope.of(allowed, index))
    return all(visible(word) is not False for word in words_of(query))
