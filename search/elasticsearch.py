"""The hub's Elasticsearch backend (Elasticsearch 9, or 8.10+ with the 8.x
client), used when ``ELASTICSEARCH_URL`` is set (hub/settings/base.py).

Analysis, the audience mapping, typo tolerance and the outage queue are the
hub's, shared with OpenSearch (search/hub_backend.py). What only Elasticsearch
has: the synonym filter reads an Elasticsearch *synonyms set*
(``<prefix>synonyms``) built from ``search.models.Synonym``; the filter is
*updateable*, so an editor's change applies as soon as the set is pushed
(Elasticsearch reloads the search analyzers that read it), without
reindexing. Elasticsearch skips fuzzy expansion for terms a synonym rule
rewrote.
"""

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

from .hub_backend import (
    SEARCH_UNAVAILABLE_ERRORS,
    HubBackendMixin,
    HubMappingMixin,
    TypoTolerantQueryMixin,
    fallback_backend,
    synonym_rules,
)

__all__ = ["SEARCH_UNAVAILABLE_ERRORS", "fallback_backend", "synonym_rules", "SearchBackend"]


def synonyms_set_name(index_prefix):
    return f"{index_prefix}synonyms"


class HubElasticsearchIndexMixin:
    def put(self):
        # The synonyms set must exist before an index whose analyzer reads it.
        self.backend.push_synonyms()
        super().put()


class HubElasticsearchBackendMixin(HubBackendMixin):
    @property
    def synonyms_set(self):
        return synonyms_set_name(self.index_prefix)

    @property
    def synonyms_label(self):
        return f"Synonyms set {self.synonyms_set}"

    def synonym_filter(self):
        # Search time only: updateable filters may not be used to index.
        return {"synonyms_set": self.synonyms_set, "updateable": True}

    def push_synonyms(self):
        """Replace the backend's synonyms set with the editors' list."""
        self.es.synonyms.put_synonym(id=self.synonyms_set, synonyms_set=synonym_rules())


class HubElasticsearch9Mapping(HubMappingMixin, Elasticsearch9Mapping):
    pass


class HubElasticsearch9Index(HubElasticsearchIndexMixin, Elasticsearch9Index):
    pass


class HubElasticsearch9SearchQueryCompiler(TypoTolerantQueryMixin, Elasticsearch9SearchQueryCompiler):
    mapping_class = HubElasticsearch9Mapping


class HubElasticsearch9AutocompleteQueryCompiler(Elasticsearch9AutocompleteQueryCompiler):
    mapping_class = HubElasticsearch9Mapping


class HubElasticsearch9SearchBackend(HubElasticsearchBackendMixin, Elasticsearch9SearchBackend):
    mapping_class = HubElasticsearch9Mapping
    index_class = HubElasticsearch9Index
    query_compiler_class = HubElasticsearch9SearchQueryCompiler
    autocomplete_query_compiler_class = HubElasticsearch9AutocompleteQueryCompiler


class HubElasticsearch8Mapping(HubMappingMixin, Elasticsearch8Mapping):
    pass


class HubElasticsearch8Index(HubElasticsearchIndexMixin, Elasticsearch8Index):
    pass


class HubElasticsearch8SearchQueryCompiler(TypoTolerantQueryMixin, Elasticsearch8SearchQueryCompiler):
    mapping_class = HubElasticsearch8Mapping


class HubElasticsearch8AutocompleteQueryCompiler(Elasticsearch8AutocompleteQueryCompiler):
    mapping_class = HubElasticsearch8Mapping


class HubElasticsearch8SearchBackend(HubElasticsearchBackendMixin, Elasticsearch8SearchBackend):
    """For an Elasticsearch 8.10+ cluster, with the 8.x client pinned (README)."""

    mapping_class = HubElasticsearch8Mapping
    index_class = HubElasticsearch8Index
    query_compiler_class = HubElasticsearch8SearchQueryCompiler
    autocomplete_query_compiler_class = HubElasticsearch8AutocompleteQueryCompiler


SearchBackend = HubElasticsearch9SearchBackend
