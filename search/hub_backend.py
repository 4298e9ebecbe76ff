"""What the hub's two search-engine backends share: OpenSearch
(search/opensearch.py, when ``OPENSEARCH_URL`` is set) and Elasticsearch
(search/elasticsearch.py, when ``ELASTICSEARCH_URL`` is set).

Both subclass Wagtail's (modelsearch's) backends and add the same things, all
defined here once:

- Analysis: every full-text field is indexed with ``hub_english`` (standard
  tokenizer, possessive stemmer, lower case, accents folded, English stemmer)
  and searched with ``hub_english_search``, the same chain plus the editors'
  synonym list (``search.models.Synonym``) as a ``synonym_graph`` filter,
  applied at search time only, before stemming, so rules are written as people
  type them. Hyphenated words are split by the tokenizer, so "evidence based"
  finds "evidence-based". How the list reaches the filter is the one thing
  that differs: Elasticsearch reads an updateable synonyms set, OpenSearch has
  the rules in the index settings (each backend's ``push_synonyms``).
- The audience (who may see a page, hub/audience.py) is a ``keyword`` filter
  field, so the privacy check is an exact ``terms`` filter clause.
- Typo tolerance: full-text ``match``/``multi_match`` clauses carry
  ``fuzziness: AUTO:5,8`` (none in words of up to four letters, one letter
  in five to seven, two beyond) with the first letter fixed (``prefix_length: 1``).
- Outages: an index write that fails because the engine cannot answer is
  stored in the queue of search/indexing.py (``search.models.IndexQueueItem``)
  and logged; publishing still succeeds. The queue is retried after the next
  successful write and by ``manage.py update_index``.

``SEARCH_UNAVAILABLE_ERRORS`` (either client's) and ``fallback_backend()`` let
search answer from the database backend while the engine cannot.
"""

import logging

import elasticsearch
import opensearchpy
from django.conf import settings
from elasticsearch.helpers import BulkIndexError as ElasticsearchBulkIndexError
from modelsearch.backends import get_search_backend, get_search_backends
from modelsearch.index import FilterField
from modelsearch.utils import deep_update
from opensearchpy.helpers import BulkIndexError as OpenSearchBulkIndexError

logger = logging.getLogger(__name__)

# The engine could not answer: unreachable, timed out, or it answered with an
# error (a 5xx, but also a missing index before the first ``update_index``,
# an index closed for a moment while its synonyms change, or rejected
# credentials). Every one of these leaves the person without results, so
# search answers from the database. (opensearch-py's ConnectionError and
# ConnectionTimeout are TransportErrors.)
SEARCH_UNAVAILABLE_ERRORS = (
    elasticsearch.ConnectionError,
    elasticsearch.ConnectionTimeout,
    elasticsearch.TransportError,
    elasticsearch.ApiError,
    opensearchpy.TransportError,
)

# An index write that failed for one of these is queued and retried later.
# BulkIndexError: the engine refused some documents of a bulk write.
INDEX_WRITE_ERRORS = (*SEARCH_UNAVAILABLE_ERRORS, ElasticsearchBulkIndexError, OpenSearchBulkIndexError)

# The engine is not there at all: retrying more items now would only wait.
UNREACHABLE_ERRORS = (
    elasticsearch.ConnectionError,
    elasticsearch.ConnectionTimeout,
    opensearchpy.ConnectionError,
)

INDEX_ANALYZER = "hub_english"
SEARCH_ANALYZER = "hub_english_search"
PLAIN_ANALYZER = "hub_plain"
WORDS_ANALYZER = "hub_english_words"
SYNONYM_FILTER = "hub_synonyms"
# Words of up to four letters (SMI, LEP, MOUD, care) must be typed right: one
# letter off is usually another word or abbreviation. One letter may be off in
# words of five to seven letters, two in longer ones; never the first letter.
FUZZINESS = {"fuzziness": "AUTO:5,8", "prefix_length": 1}


def analysis_settings(synonym_filter):
    """The analysis part of the hub's index settings; ``synonym_filter`` is the
    engine's ``synonym_graph`` definition (where its rules come from)."""
    chain = ["hub_possessive", "lowercase", "asciifolding"]
    return {
        "settings": {
            "analysis": {
                "filter": {
                    "hub_possessive": {"type": "stemmer", "language": "possessive_english"},
                    "hub_english_stemmer": {"type": "stemmer", "language": "english"},
                    "hub_english_stop": {"type": "stop", "stopwords": "_english_"},
                    # A rule the engine cannot parse is skipped, not the whole list.
                    SYNONYM_FILTER: {"type": "synonym_graph", "lenient": True, **synonym_filter},
                },
                "analyzer": {
                    INDEX_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": [*chain, "hub_english_stemmer"],
                    },
                    # Synonyms before stemming: rules are written as people type them.
                    # Common English words ("the", "with", "what") are left out
                    # of what is searched, so a long question is searched by
                    # the words that carry it; the index keeps them for phrases.
                    SEARCH_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": [*chain, SYNONYM_FILTER, "hub_english_stop", "hub_english_stemmer"],
                    },
                    # The search analyzer without synonyms (search/service.py).
                    WORDS_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": [*chain, "hub_english_stop", "hub_english_stemmer"],
                    },
                    # Whole words, unstemmed: what typo corrections are chosen from.
                    PLAIN_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": chain},
                },
            }
        }
    }


def _clean_term(term):
    # Characters with a meaning in the Solr rule format ("=>" maps one way,
    # "\" escapes, "#" starts a comment) are dropped from editors' terms.
    for character in "\\=>#":
        term = term.replace(character, " ")
    return " ".join(term.split())


def synonym_rules():
    """One equivalence rule per editor-managed group with two or more terms:
    ``{"id": "synonym-<pk>", "synonyms": "moud, mat, medications for ..."}``."""
    from .models import Synonym

    rules = []
    for synonym in Synonym.objects.order_by("pk"):
        terms = list(dict.fromkeys(filter(None, (_clean_term(term) for term in synonym.term_list))))
        if len(terms) > 1:
            rules.append({"id": f"synonym-{synonym.pk}", "synonyms": ", ".join(terms)})
    return rules


def _use_hub_analyzers(properties):
    for name, field in properties.items():
        if field.get("type") == "text" and "analyzer" not in field:
            field["analyzer"] = INDEX_ANALYZER
            field["search_analyzer"] = SEARCH_ANALYZER
        if name == "audience_filter" or name.endswith("__audience_filter"):
            # Matched exactly, never analysed: "r4" must not match "r4.r9".
            field.clear()
            field["type"] = "keyword"
        if field.get("type") == "nested":
            _use_hub_analyzers(field["properties"])


# Filter fields every hub page type declares (hub/models/base_page.py) and
# that keep one name in the index whatever the type: the search page filters,
# counts and sorts on them across all types in one query. Without this the
# engine would prefix each with its model ("knowledge_resourcepage__...").
SHARED_FILTER_FIELDS = frozenset(
    {
        "audience",
        "search_kind",
        "search_topics",
        "search_populations",
        "search_resource_type",
        "search_evidence",
        "search_year",
        "search_sort_date",
    }
)


def filter_field(name):
    """The index field of one of the shared filter fields."""
    return f"{name}_filter"


class HubMappingMixin:
    """Full-text fields (and the ``_all_text`` fields they are copied to) use
    the hub's analyzers; autocomplete fields keep their edge n-grams; the
    audience is a keyword; the shared filter fields keep one name."""

    def get_field_column_name(self, field):
        if isinstance(field, FilterField) and field.field_name in SHARED_FILTER_FIELDS:
            return filter_field(field.field_name)
        return super().get_field_column_name(field)

    def get_mapping(self):
        mapping = super().get_mapping()
        _use_hub_analyzers(mapping["properties"])
        # ``_all_text.plain``: every word of the page as written, for the
        # engine's term suggester (search/service.py corrections).
        all_text = mapping["properties"].get("_all_text")
        if all_text is not None:
            all_text["fields"] = {"plain": {"type": "text", "analyzer": PLAIN_ANALYZER}}
        return mapping


class TypoTolerantQueryMixin:
    """Full-text clauses forgive a typo or two (none in the first letter).
    Autocomplete compilers do not use it: fuzziness on edge n-grams would
    match almost anything."""

    @staticmethod
    def _forgive_typos(compiled):
        clause = compiled.get("multi_match") or next(iter(compiled["match"].values()))
        clause.update(FUZZINESS)
        return compiled

    def _compile_plaintext_query(self, query, fields, boost=1.0):
        return self._forgive_typos(super()._compile_plaintext_query(query, fields, boost))

    def _compile_fuzzy_query(self, query, fields):
        return self._forgive_typos(super()._compile_fuzzy_query(query, fields))


class HubBackendMixin:
    """Hub analysis settings, the editors' synonyms, and index writes that are
    queued instead of lost when the engine cannot take them.

    A backend class using it defines ``synonym_filter()`` (the engine's
    ``synonym_graph`` definition), ``push_synonyms()`` (give the engine's
    analyzer the current list) and ``synonyms_label`` (for messages)."""

    catch_indexing_errors = True

    def __init__(self, params):
        params = dict(params)
        overrides = params.pop("INDEX_SETTINGS", {})
        super().__init__(params)
        # The hub's analysis first, then anything the settings file overrides.
        deep_update(self.settings, analysis_settings(self.synonym_filter()))
        deep_update(self.settings, overrides)

    def synonym_filter(self):
        raise NotImplementedError

    def push_synonyms(self):
        raise NotImplementedError

    # Writes as modelsearch makes them (one object on save, a list on bulk
    # updates, one on delete). A failure is queued, never raised to the editor.
    #
    # A single write (an editor's publish, unpublish or delete) is made
    # searchable at once (an index refresh) rather than within the engine's
    # refresh interval: the publish moves the cache generation on when it
    # commits, and a search answered between then and the engine's own
    # refresh would be remembered without the change for ANSWER_SECONDS, on
    # every instance. Bulk writes (update_index, imports) leave refreshing to
    # the engine, as update_index refreshes at its end.
    def add(self, obj):
        from . import indexing

        try:
            super().add(obj)
            self._refresh(self.get_index_for_object(obj))
        except INDEX_WRITE_ERRORS as error:
            indexing.queue_failed_write([obj], indexing.UPDATE, error)
        else:
            indexing.retry_some(self)

    def add_bulk(self, model, obj_list):
        from . import indexing

        obj_list = list(obj_list)
        try:
            super().add_bulk(model, obj_list)
        except INDEX_WRITE_ERRORS as error:
            indexing.queue_failed_write(obj_list, indexing.UPDATE, error)
        else:
            indexing.retry_some(self)

    def delete(self, obj):
        from . import indexing

        try:
            super().delete(obj)
            self._refresh(self.get_index_for_object(obj))
        except INDEX_WRITE_ERRORS as error:
            indexing.queue_failed_write([obj], indexing.DELETE, error)
        else:
            indexing.retry_some(self)

    @staticmethod
    def _refresh(index):
        if index is not None:
            index.refresh()

    # Writes that raise, for the queue itself and for update_index.
    def index_now(self, obj):
        self.get_index_for_object(obj).add_item(obj)

    def remove_now(self, model, object_id):
        index = self.get_index_for_model(model)
        try:
            index.es.delete(index=index.name, id=str(object_id))
        except self.NotFoundError:
            pass  # never indexed, or already gone


def hub_backends():
    """The configured search backends that are the hub's OpenSearch or Elasticsearch."""
    return [backend for backend in get_search_backends() if isinstance(backend, HubBackendMixin)]


def push_synonyms_everywhere():
    """Give every hub engine backend the editors' synonym list, logging (not
    raising) a failure: an editor saving a synonym never sees an error, and
    ``update_index`` pushes the list again."""
    pushed = 0
    for backend in hub_backends():
        try:
            backend.push_synonyms()
        except SEARCH_UNAVAILABLE_ERRORS as error:
            logger.warning(
                "Could not update %s (%s); `manage.py update_index` pushes it again.",
                backend.synonyms_label,
                error,
            )
        else:
            pushed += 1
    return pushed


def fallback_backend():
    """The database search backend, which answers when the engine cannot.

    With an engine on, settings configure it as the ``fallback`` backend,
    which modelsearch keeps current on every save like the default one."""
    if "fallback" in settings.WAGTAILSEARCH_BACKENDS:
        return get_search_backend("fallback")
    return get_search_backend("wagtail.search.backends.database")
