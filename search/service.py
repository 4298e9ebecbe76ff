"""The hub's one search path: ``search(Ask) -> Answer`` and ``suggest``.

The search page, its JSON, autocomplete, the popular-search check and the
relevance benchmark all ask here. A search goes through Wagtail's search
backend, whichever is configured:

- **OpenSearch or Elasticsearch** (``EngineSearch``): one request. The query
  is the backend's own compiled full-text query (BM25 over every field with
  the hub's boosts, typo tolerance and synonyms from search/hub_backend.py),
  with phrase and all-words boosts, the audience and the searchable page
  types as filter clauses, the chosen facets as a post filter, each facet's
  counts as an aggregation over the query filtered by the *other* facets,
  sorting and the page asked for. Typo corrections come from the engine's
  term suggester and are offered only when a page the person may see holds
  the word.
- **The database backend** (``DatabaseSearch``; SQLite or PostgreSQL, for
  small hubs): the backend's ranked search per page type, widened with the
  synonym list, narrowed to the audience by the queryset; facet values read
  by grouped SQL over the matched ids; corrections from the vocabulary
  (search/vocabulary.py).

Privacy is checked at query time: every query is limited to live pages of the
audiences the person may see (hub/audience.py), and the index itself only
holds live pages (``BasePage.get_indexed_objects``). Whole answers are cached
(Django's cache, shared by every process) under a key made of everything they
depend on: the query, filters, audiences, sort, page and the content version
(the page cache generation, which every publish, unpublish, privacy, synonym
or promotion change moves on).

When the engine cannot answer, the same search is asked of the database
backend (``fallback`` in settings) and the answer says so.
"""

import functools
import hashlib
import logging
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.core.cache import cache
from django.utils.text import slugify
from wagtail.search.backends import get_search_backend

from hub.cache import current_generation
from hub.models.base_page import search_sort_date, search_year

logger = logging.getLogger(__name__)

PER_PAGE = 10
MAX_QUERY_LENGTH = 200
MAX_WORDS = 32
ANSWER_SECONDS = 600
# Facet parameters of the search page and the shared index field of each
# (hub/models/base_page.py, search/hub_backend.py SHARED_FILTER_FIELDS).
FACET_FIELDS = {
    "content": "search_kind",
    "topic": "search_topics",
    "type": "search_resource_type",
    "population": "search_populations",
    "evidence": "search_evidence",
    "year": "search_year",
}
FACET_SIZE = 500  # distinct values counted per facet; the page shows at most 40
SUGGEST_LIMIT = 8


# --- what can be found ---------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    slug: str  # e.g. "resource": the content facet's value
    label: str  # e.g. "Resource": shown on each result
    model: type


@functools.cache
def kinds():
    """The searchable page types: every ``BasePage`` model that sets ``search_type``."""
    from hub.models import BasePage

    found = {}
    for model in apps.get_models():
        if issubclass(model, BasePage) and getattr(model, "search_type", None) and not model._meta.proxy:
            found[slugify(model.search_type)] = Kind(slugify(model.search_type), model.search_type, model)
    return found


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
    return list(dict.fromkeys(words))[:MAX_WORDS]


# --- the question and the answer ----------------------------------------------


@dataclass(frozen=True)
class Ask:
    text: str = ""
    filters: tuple = ()  # ((facet param, (values, ...)), ...), values checked (search.facets)
    allowed: tuple = ("public",)  # audiences the person may see (hub.audience)
    sort: str = "relevance"  # or "newest"
    page: int = 1  # beyond the last page, the last one is given
    per_page: int = PER_PAGE
    correct: bool = True  # offer corrections for words nothing holds
    exclude: tuple = ()  # (kind slug, page id) of pages shown elsewhere (promotions)

    def cache_key(self):
        return answer_key(
            "search",
            self.text.lower(),
            self.filters,
            tuple(sorted(self.allowed)),
            self.sort,
            self.page,
            self.per_page,
            self.correct,
            tuple(sorted(self.exclude)),
        )


def answer_key(*parts):
    """A cache key for an answer that depends on ``parts`` and on the content:
    it holds the content version (the page cache generation) and the search
    backend, so a publish or another backend never meets an old answer."""
    backend = get_search_backend()
    identity = (type(backend).__module__, type(backend).__name__, getattr(backend, "index_prefix", ""))
    text = repr((parts, identity))
    return f"hub:search-answer:{current_generation()}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


@dataclass
class Hit:
    kind: str
    pk: int
    score: float = 0.0


@dataclass
class Answer:
    total: int = 0
    page: int = 1
    num_pages: int = 1
    hits: list = field(default_factory=list)  # the page asked for, in order
    counts: dict = field(default_factory=dict)  # facet param -> {value: results with it}
    corrected: str = ""  # the query with unknown words corrected, when any were
    fallback: bool = False  # the engine failed; answered by the database backend


def search(ask):
    """The answer to ``ask``, from the cache when the same was asked since
    the last content change."""
    key = ask.cache_key()
    answer = cache.get(key)
    if answer is None:
        answer = _answer(ask)
        if not answer.fallback:
            cache.set(key, answer, ANSWER_SECONDS)
    return answer


def suggest(text, allowed, limit=SUGGEST_LIMIT):
    """Pages with a title word starting with what was typed, as (kind, pk),
    for autocomplete: titles starting with it first, shorter first, then in
    the backend's order."""
    text = " ".join(re.findall(r"\w+", text))  # words only: no backend query syntax
    if not text:
        return []
    backend = get_search_backend()
    found = None
    if is_engine(backend):
        try:
            found = EngineSearch(backend).suggest(text, allowed, limit * 2)
        except _unavailable_errors() as error:
            logger.warning("Search engine unavailable for suggestions: %s", error)
            backend = _fallback_backend()
    if found is None:
        found = DatabaseSearch(backend).suggest(text, allowed, limit * 2)
    typed = text.lower()
    order = sorted(range(len(found)), key=lambda i: (not found[i][2].startswith(typed), len(found[i][2]), i))
    return [found[i][:2] for i in order[:limit]]


def finds_public(query):
    """Whether ``query``, as typed, finds live public pages, and each of its
    words does on its own: what a search must do before it is suggested to
    every visitor (``search.reports.popular_searches``)."""
    words = words_of(query)
    if not words:
        return False
    asks = [query] + (words if len(words) > 1 else [])
    return all(search(Ask(text=text, per_page=1, correct=False)).total for text in asks)


def is_engine(backend):
    from .hub_backend import HubBackendMixin

    return isinstance(backend, HubBackendMixin)


def _unavailable_errors():
    from .hub_backend import SEARCH_UNAVAILABLE_ERRORS

    return SEARCH_UNAVAILABLE_ERRORS


def _fallback_backend():
    from .hub_backend import fallback_backend

    return fallback_backend()


def _answer(ask):
    backend = get_search_backend()
    if is_engine(backend):
        try:
            return EngineSearch(backend).answer(ask)
        except _unavailable_errors() as error:
            logger.warning("Search engine unavailable, answering from the database: %s", error)
            answer = DatabaseSearch(_fallback_backend()).answer(ask)
            answer.fallback = True
            return answer
    return DatabaseSearch(backend).answer(ask)


def _pages(total, ask):
    num_pages = max(1, -(-total // ask.per_page))
    return num_pages, min(max(1, ask.page), num_pages)


# --- OpenSearch and Elasticsearch ------------------------------------------------


def _clauses(query, name):
    """Every ``name`` clause (e.g. "multi_match") inside a compiled query."""
    if isinstance(query, dict):
        for key, value in query.items():
            if key == name and isinstance(value, dict):
                yield value
            else:
                yield from _clauses(value, name)
    elif isinstance(query, list):
        for item in query:
            yield from _clauses(item, name)


class EngineSearch:
    """One engine request per search (two when a correction must be checked
    or the page asked for is past the last)."""

    PHRASE_BOOST = 3.0  # the words typed, in order (two words apart at most)
    TITLE_PHRASE_BOOST = 4.0  # ... in the title
    ALL_WORDS_BOOST = 2.0  # every word typed, anywhere
    SUGGEST_MIN_LENGTH = 4
    # Longer questions are matched word by word: a phrase of ten words is
    # rarely written as such, and costs the engine much more to look for.
    PHRASE_MAX_WORDS = 8
    # An engine pages through its first 10,000 matches (OpenSearch's and
    # Elasticsearch's max_result_window); beyond that, people narrow with facets.
    RESULT_WINDOW = 10_000

    def __init__(self, backend):
        from wagtail.models import Page

        self.backend = backend
        self.page_model = Page
        self.index = backend.get_index_for_model(Page).name

    def _last_page(self, ask):
        return max(1, self.RESULT_WINDOW // ask.per_page)

    # The parts of a request body.

    def _results(self, query, compiler="search"):
        """modelsearch's results object for live pages: its compiled query is
        the core of ours, and it sends our body the way the client wants."""
        from modelsearch.query import MatchAll

        method = self.backend.search if compiler == "search" else self.backend.autocomplete
        queryset = self.page_model.objects.live()
        if compiler == "search":
            return method(query or MatchAll(), queryset, operator="or")
        return method(query, queryset)

    @staticmethod
    def _scope(allowed):
        from .hub_backend import filter_field

        return [
            {"terms": {filter_field("audience"): list(allowed)}},
            {"terms": {filter_field("search_kind"): list(kinds())}},
        ]

    @staticmethod
    def _facet_clause(param, values):
        from .hub_backend import filter_field

        return {"terms": {filter_field(FACET_FIELDS[param]): list(values)}}

    TIE_BREAKER = 0.3  # a word found in several fields counts a little for each

    def _query(self, core, ask):
        """The full query: the backend's compiled query (``core``), the same
        words without synonyms, phrase and all-words boosts, the person's
        scope as filters."""
        from .hub_backend import WORDS_ANALYZER

        words = words_of(ask.text)
        for clause in _clauses(core, "multi_match"):
            clause.setdefault("tie_breaker", self.TIE_BREAKER)
            if not ask.correct:
                # "Search for exactly this": no typo tolerance either.
                clause.pop("fuzziness", None)
                clause.pop("prefix_length", None)
        clauses = {"filter": self._scope(ask.allowed)}
        if ask.exclude:
            clauses["must_not"] = [{"ids": {"values": [str(pk) for _kind, pk in ask.exclude]}}]
        matching = list(_clauses(core, "multi_match"))
        if not words or len(matching) != 1:
            clauses["must"] = [core]
            return {"bool": clauses}
        # The compiled query's own filters (live pages) stay filters; its
        # text clause becomes one of several ways to match.
        own = core["bool"].get("filter", [])
        clauses["filter"] += own if isinstance(own, list) else [own]
        with_synonyms = {"multi_match": matching[0]}
        # A listed synonym of several words makes the engine want all of them
        # ("mobile crisis team"): the words on their own still find pages,
        # forgiving typos as the clause above does.
        plain_words = {"multi_match": {**matching[0], "analyzer": WORDS_ANALYZER}}
        text = " ".join(words)
        should = [
            with_synonyms,
            plain_words,
            {"match_phrase": {"title": {"query": text, "slop": 2, "boost": self.TITLE_PHRASE_BOOST}}},
        ]
        if 1 < len(words) <= self.PHRASE_MAX_WORDS:
            phrase = {"query": text, "slop": 2, "boost": self.PHRASE_BOOST}
            should.append({"match_phrase": {"_all_text": phrase}})
        if len(words) > 1:
            should.append(
                {"match": {"_all_text": {"query": text, "operator": "and", "boost": self.ALL_WORDS_BOOST}}}
            )
        clauses["should"] = should
        clauses["minimum_should_match"] = 1
        return {"bool": clauses}

    def answer(self, ask):
        from .hub_backend import filter_field

        # The words, each once: "how do we ... how do we" costs what it says once.
        results = self._results(" ".join(words_of(ask.text)))
        chosen = dict(ask.filters)
        body = {
            "query": self._query(results.query_compiler.get_query(), ask),
            "_source": [filter_field("search_kind")],
            "track_total_hits": True,
            "aggs": {},
            "size": ask.per_page,
            "from": (min(max(1, ask.page), self._last_page(ask)) - 1) * ask.per_page,
        }
        if chosen:
            body["post_filter"] = {"bool": {"filter": [self._facet_clause(p, v) for p, v in chosen.items()]}}
        for param, name in FACET_FIELDS.items():
            others = [self._facet_clause(p, v) for p, v in chosen.items() if p != param]
            terms = {"terms": {"field": filter_field(name), "size": FACET_SIZE}}
            body["aggs"][param] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}}
        if ask.sort == "newest" or not ask.text:
            body["sort"] = [
                {filter_field("search_sort_date"): {"order": "desc", "missing": "_last"}},
                {"_score": {"order": "desc"}},
            ]
        words = [w for w in words_of(ask.text) if len(w) >= self.SUGGEST_MIN_LENGTH and w.isalpha()]
        if ask.correct and words:
            body["suggest"] = {
                "text": " ".join(words),
                # Every word is looked at, however common: whether the person
                # may see a page holding it is checked afterwards (_corrected).
                "words": {
                    "term": {
                        "field": "_all_text.plain",
                        "suggest_mode": "always",
                        "prefix_length": 1,
                        "size": 3,
                        "max_term_freq": 0.99,
                    }
                },
            }
        response = results._backend_do_search(body, index=self.index)
        total = response["hits"]["total"]["value"]
        num_pages, page = _pages(min(total, self.RESULT_WINDOW), ask)
        if (page - 1) * ask.per_page != body["from"] and total:
            body["from"] = (page - 1) * ask.per_page
            body.pop("suggest", None)
            response = {**response, "hits": results._backend_do_search(body, index=self.index)["hits"]}
        answer = Answer(total=total, page=page, num_pages=num_pages)
        kind_field = filter_field("search_kind")
        for hit in response["hits"]["hits"]:
            answer.hits.append(Hit(hit["_source"][kind_field], int(hit["_id"]), hit.get("_score") or 0.0))
        for param in FACET_FIELDS:
            buckets = response["aggregations"][param]["values"]["buckets"]
            answer.counts[param] = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
        if "suggest" in response:
            answer.corrected = self._corrected(ask, response["suggest"]["words"])
        return answer

    def _holding(self, words, allowed):
        """The words a page the person may see holds, asked in one request."""
        lines = []
        for word in words:
            query = {"bool": {"must": [{"match": {"_all_text.plain": word}}], "filter": self._scope(allowed)}}
            lines += [{}, {"query": query, "size": 0, "terminate_after": 1, "track_total_hits": 1}]
        if self.backend.use_new_elasticsearch_api:
            response = self.backend.es.msearch(index=self.index, searches=lines)
        else:
            response = self.backend.es.msearch(index=self.index, body=lines)
        return {
            word
            for word, found in zip(words, response["responses"], strict=True)
            if found.get("hits", {}).get("total", {}).get("value")
        }

    def _corrected(self, ask, suggestions):
        """The query with each word no page the person may see holds replaced
        by the engine's closest word that one does. The suggester knows every
        indexed word, hidden pages' too: both are checked within the audience."""
        options = {entry["text"]: [o["text"] for o in entry["options"]] for entry in suggestions}
        options = {word: found for word, found in options.items() if found}
        if not options:
            return ""
        asked = list(dict.fromkeys([*options, *(o for found in options.values() for o in found)]))
        held = self._holding(asked, ask.allowed)
        corrections = {}
        for word, found in options.items():
            if word in held:
                continue
            best = next((option for option in found if option in held), None)
            if best:
                corrections[word] = best
        if not corrections:
            return ""
        return " ".join(corrections.get(word, word) for word in words_of(ask.text))

    def suggest(self, text, allowed, limit):
        from .hub_backend import filter_field

        results = self._results(text, compiler="autocomplete")
        body = {
            "query": {"bool": {"must": [results.query_compiler.get_query()], "filter": self._scope(allowed)}},
            "_source": [filter_field("search_kind"), "title"],
            "size": limit,
        }
        response = results._backend_do_search(body, index=self.index)
        return [
            (
                hit["_source"][filter_field("search_kind")],
                int(hit["_id"]),
                hit["_source"].get("title", "").lower(),
            )
            for hit in response["hits"]["hits"]
        ]


# --- the database backend ------------------------------------------------------------


@dataclass
class Facts:
    """What filtering, counting and sorting need of one matched page."""

    values: dict  # facet param -> frozenset of values
    sort_date: float


class DatabaseSearch:
    """Wagtail's database search backend (SQLite or PostgreSQL), for small hubs."""

    ALL_WORDS_BONUS = 1.0  # pages holding every word typed rank above those holding some

    def __init__(self, backend):
        self.backend = backend
        self.lower_is_better = "sqlite" in type(backend).__module__

    def _queryset(self, kind, allowed):
        return kind.model.objects.live().filter(audience__in=list(allowed))

    def _ranked(self, text, queryset, operator):
        """(page id, score) of every page of ``queryset`` matching ``text``, best first."""
        results = self.backend.search(text, queryset, operator=operator).annotate_score("_score")
        if not hasattr(results, "get_queryset"):
            return [(page.pk, page._score or 0.0) for page in results]
        rows = results.get_queryset().values_list("pk", "_score")
        return [(pk, -(score or 0.0) if self.lower_is_better else (score or 0.0)) for pk, score in rows]

    def _holds(self, word, allowed):
        """Whether a page the person may see holds ``word``: one unranked
        match at most per page type."""
        for kind in kinds().values():
            found = self.backend.search(word, self._queryset(kind, allowed), order_by_relevance=False)
            if list(found[:1]):
                return True
        return False

    def _matched(self, ask, words, corrections):
        from .synonyms import equivalents

        # The words typed (never the raw text: no backend query syntax gets
        # through), their corrections, and the listed synonyms of them.
        extra = equivalents(" ".join([ask.text, *corrections.values()]))
        text = " ".join([*words, *corrections.values(), *(" ".join(words_of(term)) for term in extra)])
        matched = {}
        for kind in kinds().values():
            queryset = self._queryset(kind, ask.allowed)
            if not words:
                matched.update(((kind.slug, pk), 0.0) for pk in queryset.values_list("pk", flat=True))
                continue
            ranked = self._ranked(text, queryset, "or")
            if not ranked:
                continue
            best = max(abs(score) for _pk, score in ranked) or 1.0
            scores = {pk: score / best for pk, score in ranked}
            if len(words) > 1:
                for pk, _score in self._ranked(" ".join(words), queryset, "and"):
                    if pk in scores:
                        scores[pk] += self.ALL_WORDS_BONUS
            matched.update(((kind.slug, pk), score) for pk, score in scores.items())
        for key in ask.exclude:
            matched.pop(tuple(key), None)
        return matched

    @staticmethod
    def _facts(matched):
        """Facet values and sort dates of the matched pages, by grouped SQL per page type."""
        by_kind = {}
        for kind_slug, pk in matched:
            by_kind.setdefault(kind_slug, []).append(pk)
        facts = {}
        for kind_slug, pks in by_kind.items():
            model = kinds()[kind_slug].model
            names = {f.name for f in model._meta.get_fields()}
            date_field = getattr(model, "search_date_field", None) or "first_published_at"
            columns = ["pk", date_field]
            columns += [c for c in ("publication_year",) if c in names]
            columns += [f"{c}__slug" for c in ("resource_type", "evidence_level") if c in names]
            many = {}
            for param, relation in (("topic", "topics"), ("population", "populations")):
                if relation in names:
                    found = many.setdefault(param, {})
                    for pk, slug in model.objects.filter(
                        pk__in=pks, **{f"{relation}__isnull": False}
                    ).values_list("pk", f"{relation}__slug"):
                        found.setdefault(pk, set()).add(slug)
            for row in model.objects.filter(pk__in=pks).values_list(*columns):
                value = dict(zip(columns, row, strict=True))
                year = value.get("publication_year")
                date = value[date_field]
                sort_date = search_sort_date(year, date)
                values = {
                    "content": frozenset([kind_slug]),
                    "topic": frozenset(many.get("topic", {}).get(value["pk"], ())),
                    "population": frozenset(many.get("population", {}).get(value["pk"], ())),
                    "type": frozenset(filter(None, [value.get("resource_type__slug")])),
                    "evidence": frozenset(filter(None, [value.get("evidence_level__slug")])),
                    "year": frozenset(filter(None, [search_year(year, date)])),
                }
                facts[(kind_slug, value["pk"])] = Facts(values, sort_date.timestamp() if sort_date else 0.0)
        return facts

    def answer(self, ask):
        from . import vocabulary

        words = words_of(ask.text)
        corrections = {}
        if words and ask.correct:
            corrections = vocabulary.corrections(words, lambda word: self._holds(word, ask.allowed))
        matched = self._matched(ask, words, corrections)
        facts = self._facts(matched)
        matched = {key: score for key, score in matched.items() if key in facts}
        chosen = {param: set(values) for param, values in ask.filters}
        passes = {
            param: {key for key in matched if facts[key].values[param] & wanted}
            for param, wanted in chosen.items()
        }
        counts = {}
        for param in FACET_FIELDS:
            tally = {}
            for key in matched:
                if all(key in keys for other, keys in passes.items() if other != param):
                    for value in facts[key].values[param]:
                        tally[value] = tally.get(value, 0) + 1
            counts[param] = tally
        passing = [key for key in matched if all(key in keys for keys in passes.values())]
        if ask.sort == "newest" or not words:
            passing.sort(key=lambda key: (facts[key].sort_date, key[1]), reverse=True)
        else:
            passing.sort(key=lambda key: (matched[key], facts[key].sort_date, key[1]), reverse=True)
        num_pages, page = _pages(len(passing), ask)
        start = (page - 1) * ask.per_page
        return Answer(
            total=len(passing),
            page=page,
            num_pages=num_pages,
            hits=[Hit(kind, pk, matched[(kind, pk)]) for kind, pk in passing[start : start + ask.per_page]],
            counts=counts,
            corrected=" ".join(corrections.get(w, w) for w in words) if corrections else "",
        )

    def suggest(self, text, allowed, limit):
        found = []
        for kind in kinds().values():
            results = self.backend.autocomplete(text, self._queryset(kind, allowed))[:limit]
            found.extend((kind.slug, page.pk, page.title.lower()) for page in results)
        return found
