"""The hub's Elasticsearch backend: English analysis, the editors' synonym list,
typo tolerance, and index writes that survive an outage.

Used when ``ELASTICSEARCH_URL`` is set (hub/settings/base.py). What it adds to
Wagtail's ``elasticsearch9`` backend (a re-export of ``modelsearch``):

- Analysis: every full-text field is indexed with ``hub_english`` (standard
  tokenizer, possessive stemmer, lower case, accents folded, English stemmer)
  and searched with ``hub_english_search``, the same chain plus a
  ``synonym_graph`` filter. The filter reads an Elasticsearch synonyms set
  (``<prefix>synonyms``) built from ``search.models.Synonym``; it is
  *updateable*, so an editor's change applies as soon as the set is pushed,
  without reindexing. Hyphenated words are split by the tokenizer, so
  "evidence based" finds "evidence-based".
- Typo tolerance: full-text ``match``/``multi_match`` clauses carry
  ``fuzziness: AUTO`` with the first letter fixed (``prefix_length: 1``).
  Elasticsearch skips fuzzy expansion for terms a synonym rule rewrote.
- Outages: an index write that fails because the service cannot answer is
  stored as a ``search.models.IndexQueueItem`` (search/indexing.py) and logged;
  publishing still succeeds. The queue is retried after the next successful
  write and by ``manage.py update_index``.

``SEARCH_UNAVAILABLE_ERRORS`` and ``fallback_backend()`` let the search page
answer from the database backend when Elasticsearch cannot.
"""

import logging

from django.conf import settings
from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, NotFoundError, TransportError
from elasticsearch.helpers import BulkIndexError
from modelsearch.backends import get_search_backend, get_search_backends
from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8Index,
    Elasticsearch8Mapping,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
)
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9AutocompleteQueryCompiler,
    Elasticsearch9Index,
    Elasticsearch9Mapping,
    Elasticsearch9SearchBackend,
    Elasticsearch9SearchQueryCompiler,
)
from modelsearch.utils import deep_update

logger = logging.getLogger(__name__)

# The search service could not answer: unreachable, timed out, or it answered
# with an error (a 5xx, but also a missing index before the first
# ``update_index`` or rejected credentials). Every one of these leaves the
# person without results, so the search page answers from the database.
SEARCH_UNAVAILABLE_ERRORS = (ConnectionError, ConnectionTimeout, TransportError, ApiError)

# An index write that failed for one of these is queued and retried later.
# BulkIndexError: Elasticsearch refused some documents of a bulk write.
INDEX_WRITE_ERRORS = (*SEARCH_UNAVAILABLE_ERRORS, BulkIndexError)

# The service is not there at all: retrying more items now would only wait.
UNREACHABLE_ERRORS = (ConnectionError, ConnectionTimeout)

INDEX_ANALYZER = "hub_english"
SEARCH_ANALYZER = "hub_english_search"
SYNONYM_FILTER = "hub_synonyms"
FUZZINESS = {"fuzziness": "AUTO", "prefix_length": 1}


def synonyms_set_name(index_prefix):
    return f"{index_prefix}synonyms"


def analysis_settings(synonyms_set):
    """The analysis part of the hub's index settings."""
    chain = ["hub_possessive", "lowercase", "asciifolding"]
    return {
        "settings": {
            "analysis": {
                "filter": {
                    "hub_possessive": {"type": "stemmer", "language": "possessive_english"},
                    "hub_english_stemmer": {"type": "stemmer", "language": "english"},
                    # Search time only: updateable filters may not be used to index.
                    SYNONYM_FILTER: {
                        "type": "synonym_graph",
                        "synonyms_set": synonyms_set,
                        "updateable": True,
                        # A rule Elasticsearch cannot parse is skipped, not the whole set.
                        "lenient": True,
                    },
                },
                "analyzer": {
                    INDEX_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": [*chain, "hub_english_stemmer"],
                    },
                    # Synonyms before stemming: rules are written as people type them.
                    SEARCH_ANALYZER: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": [*chain, SYNONYM_FILTER, "hub_english_stemmer"],
                    },
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
    """The synonyms set body: one equivalence rule per editor-managed group."""
    from .models import Synonym

    rules = []
    for synonym in Synonym.objects.order_by("pk"):
        terms = list(dict.fromkeys(filter(None, (_clean_term(term) for term in synonym.term_list))))
        if len(terms) > 1:
            rules.append({"id": f"synonym-{synonym.pk}", "synonyms": ", ".join(terms)})
    return rules


def _use_hub_analyzers(properties):
    for field in properties.values():
        if field.get("type") == "text" and "analyzer" not in field:
            field["analyzer"] = INDEX_ANALYZER
            field["search_analyzer"] = SEARCH_ANALYZER
        if field.get("type") == "nested":
            _use_hub_analyzers(field["properties"])


class HubMappingMixin:
    """Full-text fields (and the ``_all_text`` fields they are copied to) use
    the hub's analyzers; autocomplete fields keep their edge n-grams."""

    def get_mapping(self):
        mapping = super().get_mapping()
        _use_hub_analyzers(mapping["properties"])
        return mapping


class TypoTolerantQueryMixin:
    """Full-text clauses forgive a typo or two (none in the first letter)."""

    @staticmethod
    def _forgive_typos(compiled):
        clause = compiled.get("multi_match") or next(iter(compiled["match"].values()))
        clause.update(FUZZINESS)
        return compiled

    def _compile_plaintext_query(self, query, fields, boost=1.0):
        return self._forgive_typos(super()._compile_plaintext_query(query, fields, boost))

    def _compile_fuzzy_query(self, query, fields):
        return self._forgive_typos(super()._compile_fuzzy_query(query, fields))


class HubIndexMixin:
    def put(self):
        # The synonyms set must exist before an index whose analyzer reads it.
        push_synonyms(self.backend)
        super().put()


class HubBackendMixin:
    """Hub analysis settings, synonyms set, and index writes that are queued
    instead of lost when Elasticsearch cannot take them."""

    catch_indexing_errors = True

    def __init__(self, params):
        params = dict(params)
        overrides = params.pop("INDEX_SETTINGS", {})
        super().__init__(params)
        self.synonyms_set = synonyms_set_name(self.index_prefix)
        # The hub's analysis first, then anything the settings file overrides.
        deep_update(self.settings, analysis_settings(self.synonyms_set))
        deep_update(self.settings, overrides)

    # Writes as modelsearch makes them (one object on save, a list on bulk
    # updates, one on delete). A failure is queued, never raised to the editor.
    def add(self, obj):
        from . import indexing

        try:
            super().add(obj)
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
        except INDEX_WRITE_ERRORS as error:
            indexing.queue_failed_write([obj], indexing.DELETE, error)
        else:
            indexing.retry_some(self)

    # Writes that raise, for the queue itself and for update_index.
    def index_now(self, obj):
        self.get_index_for_object(obj).add_item(obj)

    def remove_now(self, model, object_id):
        index = self.get_index_for_model(model)
        try:
            index.es.delete(index=index.name, id=str(object_id))
        except NotFoundError:
            pass  # never indexed, or already gone


class HubElasticsearch9Mapping(HubMappingMixin, Elasticsearch9Mapping):
    pass


class HubElasticsearch9Index(HubIndexMixin, Elasticsearch9Index):
    pass


class HubElasticsearch9SearchQueryCompiler(TypoTolerantQueryMixin, Elasticsearch9SearchQueryCompiler):
    mapping_class = HubElasticsearch9Mapping


class HubElasticsearch9AutocompleteQueryCompiler(Elasticsearch9AutocompleteQueryCompiler):
    # Prefix matching on edge n-grams; fuzziness there would match almost anything.
    mapping_class = HubElasticsearch9Mapping


class HubElasticsearch9SearchBackend(HubBackendMixin, Elasticsearch9SearchBackend):
    mapping_class = HubElasticsearch9Mapping
    index_class = HubElasticsearch9Index
    query_compiler_class = HubElasticsearch9SearchQueryCompiler
    autocomplete_query_compiler_class = HubElasticsearch9AutocompleteQueryCompiler


class HubElasticsearch8Mapping(HubMappingMixin, Elasticsearch8Mapping):
    pass


class HubElasticsearch8Index(HubIndexMixin, Elasticsearch8Index):
    pass


class HubElasticsearch8SearchQueryCompiler(TypoTolerantQueryMixin, Elasticsearch8SearchQueryCompiler):
    mapping_class = HubElasticsearch8Mapping


class HubElasticsearch8AutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = HubElasticsearch8Mapping


class HubElasticsearch8SearchBackend(HubBackendMixin, Elasticsearch8SearchBackend):
    """For an Elasticsearch 8.10+ cluster, with the 8.x client pinned (README)."""

    mapping_class = HubElasticsearch8Mapping
    index_class = HubElasticsearch8Index
    query_compiler_class = HubElasticsearch8SearchQueryCompiler
    autocomplete_query_compiler_class = HubElasticsearch8AutocompleteQueryCompiler


SearchBackend = HubElasticsearch9SearchBackend


def hub_backends():
    """The configured search backends that are the hub's Elasticsearch."""
    return [backend for backend in get_search_backends() if isinstance(backend, HubBackendMixin)]


def push_synonyms(backend):
    """Replace the backend's synonyms set with the editors' list. Elasticsearch
    reloads the search analyzers that read it, so no reindexing is needed."""
    backend.es.synonyms.put_synonym(id=backend.synonyms_set, synonyms_set=synonym_rules())


def push_synonyms_everywhere():
    """Push the synonym list to every hub Elasticsearch backend, logging (not
    raising) a failure: an editor saving a synonym never sees an error, and
    ``update_index`` pushes the list again."""
    pushed = 0
    for backend in hub_backends():
        try:
            push_synonyms(backend)
        except SEARCH_UNAVAILABLE_ERRORS as error:
            logger.warning(
                "Could not update the synonyms set %s (%s); `manage.py update_index` pushes it again.",
                backend.synonyms_set,
                error,
            )
        else:
            pushed += 1
    return pushed


def fallback_backend():
    """The database search backend, which answers when Elasticsearch cannot.

    With Elasticsearch on, settings configure it as the ``fallback`` backend,
    which modelsearch keeps current on every save like the default one."""
    if "fallback" in settings.WAGTAILSEARCH_BACKENDS:
        return get_search_backend("fallback")
    return get_search_backend("wagtail.search.backends.database")
