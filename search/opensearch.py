"""The hub's OpenSearch backend, used when ``OPENSEARCH_URL`` is set
(hub/settings/base.py): modelsearch's ``opensearch2`` backend (opensearch-py
2.x, for OpenSearch 2.x) with the hub's analysis, audience mapping, typo
tolerance and outage queue, shared with Elasticsearch (search/hub_backend.py).

Synonyms: OpenSearch has no synonyms-set API and its analyzer-reload API is a
plugin (index management) a plain node lacks, so the editors' rules live in
the index settings, inline in the ``synonym_graph`` filter of the search
analyzer. A new index (``update_index``, which builds one and swaps the
alias) gets the list as it is then. When an editor saves or deletes a
synonym, ``push_synonyms`` closes each of the hub's indexes, updates the
filter's rules and reopens it: about a second per index, in which a search
gets an "index closed" error and answers from the database backend (as in any
outage), and no reindexing, since the filter only runs at search time. An
index whose rules are already the current ones is left open.
"""

from copy import deepcopy

from modelsearch.backends.opensearch2 import (
    OpenSearch2AutocompleteQueryCompiler,
    OpenSearch2Index,
    OpenSearch2Mapping,
    OpenSearch2SearchBackend,
    OpenSearch2SearchQueryCompiler,
)
from modelsearch.index import get_indexed_models

from .hub_backend import (
    SYNONYM_FILTER,
    HubBackendMixin,
    HubMappingMixin,
    TypoTolerantQueryMixin,
    synonym_rules,
)

# Seconds a reopened index may take to be searchable again.
REOPEN_TIMEOUT = 30


def solr_rules():
    """The editors' list as the ``synonyms`` of a synonym_graph filter."""
    return [rule["synonyms"] for rule in synonym_rules()]


class HubOpenSearchMapping(HubMappingMixin, OpenSearch2Mapping):
    pass


class HubOpenSearchIndex(OpenSearch2Index):
    def put(self):
        # The index is created with the synonym list as the database holds it now.
        body = deepcopy(self.backend.settings)
        body["settings"]["analysis"]["filter"][SYNONYM_FILTER]["synonyms"] = solr_rules()
        self.es.indices.create(index=self.name, body=body)


class HubOpenSearchSearchQueryCompiler(TypoTolerantQueryMixin, OpenSearch2SearchQueryCompiler):
    mapping_class = HubOpenSearchMapping


class HubOpenSearchAutocompleteQueryCompiler(OpenSearch2AutocompleteQueryCompiler):
    # Prefix matching on edge n-grams; fuzziness there would match almost anything.
    mapping_class = HubOpenSearchMapping


class HubOpenSearchSearchBackend(HubBackendMixin, OpenSearch2SearchBackend):
    mapping_class = HubOpenSearchMapping
    index_class = HubOpenSearchIndex
    query_compiler_class = HubOpenSearchSearchQueryCompiler
    autocomplete_query_compiler_class = HubOpenSearchAutocompleteQueryCompiler

    @property
    def synonyms_label(self):
        return f"Synonym filter of the {self.index_prefix}* indexes"

    def synonym_filter(self):
        # Filled in when an index is created (HubOpenSearchIndex.put) and by push_synonyms.
        return {"synonyms": []}

    def index_names(self):
        """The concrete indexes behind this backend's index names (each an
        alias after an atomic rebuild), for the models that are indexed."""
        names = sorted({self.get_index_for_model(model).name for model in get_indexed_models()})
        found = self.es.indices.get(index=",".join(names), ignore_unavailable=True, expand_wildcards="all")
        return sorted(found)

    def push_synonyms(self):
        """Give every index of this backend the editors' current list: close,
        update the search analyzer's filter, reopen. Returns the indexes changed."""
        rules = solr_rules()
        changed = []
        for name in self.index_names():
            current = self.es.indices.get_settings(
                index=name, name=f"index.analysis.filter.{SYNONYM_FILTER}.*"
            )
            current_filter = current[name]["settings"]["index"]["analysis"]["filter"][SYNONYM_FILTER]
            if current_filter.get("synonyms", []) == rules:
                continue
            self.es.indices.close(index=name)
            try:
                self.es.indices.put_settings(
                    index=name,
                    body={"index": {"analysis": {"filter": {SYNONYM_FILTER: {"synonyms": rules}}}}},
                )
            finally:
                # Reopened even if the update failed: a closed index answers nothing.
                self.es.indices.open(index=name, wait_for_active_shards=1)
            self.es.cluster.health(index=name, wait_for_status="yellow", request_timeout=REOPEN_TIMEOUT)
            changed.append(name)
        return changed


SearchBackend = HubOpenSearchSearchBackend
