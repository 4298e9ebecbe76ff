"""The hub's OpenSearch backend without a node: it shares the Elasticsearch
backend's analysis, mapping and queries (search/hub_backend.py), and differs
only in where the synonym filter's rules come from. What OpenSearch does with
them is tested by test_opensearch_live.py."""

import pytest
from django.test import override_settings

from knowledge.models import ResourcePage
from search.elasticsearch import HubElasticsearch9Mapping, HubElasticsearch9SearchBackend
from search.hub_backend import HubBackendMixin, hub_backends
from search.models import Synonym
from search.opensearch import HubOpenSearchMapping, HubOpenSearchSearchBackend, solr_rules


def opensearch_backend(**params):
    return HubOpenSearchSearchBackend({"URLS": ["http://127.0.0.1:9250"], "INDEX_PREFIX": "hub_", **params})


def elasticsearch_backend():
    return HubElasticsearch9SearchBackend({"URLS": ["http://127.0.0.1:9200"], "INDEX_PREFIX": "hub_"})


def analysis(backend):
    return backend.settings["settings"]["analysis"]


def test_both_engines_analyse_alike_except_where_the_synonym_rules_come_from():
    opensearch, elasticsearch = analysis(opensearch_backend()), analysis(elasticsearch_backend())
    assert opensearch["analyzer"] == elasticsearch["analyzer"]
    assert opensearch["tokenizer"] == elasticsearch["tokenizer"]
    shared = {name for name in opensearch["filter"] if name != "hub_synonyms"}
    assert {name: opensearch["filter"][name] for name in shared} == {
        name: elasticsearch["filter"][name] for name in shared
    }
    # Inline rules (filled in when an index is created), not an Elasticsearch synonyms set.
    assert opensearch["filter"]["hub_synonyms"] == {"type": "synonym_graph", "lenient": True, "synonyms": []}
    assert "synonyms_set" in elasticsearch["filter"]["hub_synonyms"]


def test_both_engines_map_resources_alike_with_the_audience_as_a_keyword():
    mapping = HubOpenSearchMapping(ResourcePage).get_mapping()
    assert mapping == HubElasticsearch9Mapping(ResourcePage).get_mapping()
    assert mapping["properties"]["audience_filter"] == {"type": "keyword"}
    assert mapping["properties"]["title"]["search_analyzer"] == "hub_english_search"


@pytest.mark.django_db
def test_opensearch_queries_are_the_elasticsearch_queries():
    queryset = ResourcePage.objects.live().filter(audience__in=["public", "r3"])
    opensearch = opensearch_backend().search("opiod treatmnt", queryset).query_compiler.get_query()
    assert opensearch == elasticsearch_backend().search("opiod treatmnt", queryset).query_compiler.get_query()
    assert opensearch["bool"]["must"]["multi_match"]["fuzziness"] == "AUTO:5,8"
    autocomplete = opensearch_backend().autocomplete("opio", ResourcePage).query_compiler.get_query()
    assert autocomplete["bool"]["must"] == {"match": {"_edgengrams": {"query": "opio"}}}


@pytest.mark.django_db
def test_the_synonym_filter_gets_one_solr_rule_per_editor_group():
    Synonym.objects.all().delete()
    Synonym.objects.create(terms="MOUD, MAT,  Medications for  Opioid Use Disorder")
    Synonym.objects.create(terms="lonely")
    assert solr_rules() == ["moud, mat, medications for opioid use disorder"]


def test_index_settings_from_the_settings_file_override_the_hubs():
    backend = opensearch_backend(INDEX_SETTINGS={"settings": {"index": {"number_of_replicas": 0}}})
    assert backend.settings["settings"]["index"]["number_of_replicas"] == 0
    assert "hub_english" in analysis(backend)["analyzer"]


@override_settings(
    WAGTAILSEARCH_BACKENDS={
        "default": {"BACKEND": "search.opensearch", "URLS": ["http://127.0.0.1:9250"]},
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }
)
def test_the_opensearch_backend_is_one_of_the_hubs_engine_backends():
    (backend,) = hub_backends()
    assert isinstance(backend, HubOpenSearchSearchBackend)
    assert isinstance(backend, HubBackendMixin)
