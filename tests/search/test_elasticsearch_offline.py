"""The hub's Elasticsearch backend without a server: index settings, mappings,
query bodies and the synonyms set are what the backend would send.

Building the backend creates a client but does not connect, so these run
anywhere. What Elasticsearch does with them is tested by
test_elasticsearch_live.py when ELASTICSEARCH_URL is set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from knowledge.models import ResourcePage
from search.elasticsearch import (
    SEARCH_UNAVAILABLE_ERRORS,
    HubElasticsearch8SearchBackend,
    HubElasticsearch9Mapping,
    HubElasticsearch9SearchBackend,
    fallback_backend,
    synonym_rules,
)
from search.models import Synonym

ROOT = Path(__file__).resolve().parents[2]


def backend(**params):
    return HubElasticsearch9SearchBackend(
        {"URLS": ["http://127.0.0.1:9200"], "INDEX_PREFIX": "hub_", **params}
    )


def analysis(es_backend):
    return es_backend.settings["settings"]["analysis"]


def test_index_settings_analyse_english_with_possessives_folding_and_stemming():
    analyzer = analysis(backend())["analyzer"]["hub_english"]
    assert analyzer["tokenizer"] == "standard"
    assert analyzer["filter"] == ["hub_possessive", "lowercase", "asciifolding", "hub_english_stemmer"]
    filters = analysis(backend())["filter"]
    assert filters["hub_possessive"] == {"type": "stemmer", "language": "possessive_english"}
    assert filters["hub_english_stemmer"] == {"type": "stemmer", "language": "english"}


def test_search_analyzer_applies_the_updateable_synonyms_set_before_stemming():
    settings = analysis(backend(INDEX_PREFIX="cop_"))
    assert settings["filter"]["hub_synonyms"] == {
        "type": "synonym_graph",
        "synonyms_set": "cop_synonyms",
        "updateable": True,
        "lenient": True,
    }
    chain = settings["analyzer"]["hub_english_search"]["filter"]
    assert chain.index("asciifolding") < chain.index("hub_synonyms") < chain.index("hub_english_stemmer")
    # Updateable filters are rejected in an analyzer used for indexing.
    assert "hub_synonyms" not in settings["analyzer"]["hub_english"]["filter"]


def test_index_prefix_names_the_indexes_and_the_synonyms_set():
    es_backend = backend(INDEX_PREFIX="cop_")
    assert es_backend.get_index_for_model(ResourcePage).name == "cop_wagtailcore_page"
    assert es_backend.synonyms_set == "cop_synonyms"


def test_index_settings_from_the_settings_file_override_the_hubs():
    es_backend = backend(INDEX_SETTINGS={"settings": {"index": {"number_of_replicas": 0}}})
    assert es_backend.settings["settings"]["index"]["number_of_replicas"] == 0
    assert "hub_english" in analysis(es_backend)["analyzer"]
    assert "edgengram_analyzer" in analysis(es_backend)["analyzer"]


def test_elasticsearch_8_backend_has_the_same_analysis():
    es8 = HubElasticsearch8SearchBackend({"URLS": ["http://127.0.0.1:9200"], "INDEX_PREFIX": "hub_"})
    assert analysis(es8) == analysis(backend())
    assert (
        es8.mapping_class(ResourcePage).get_mapping() == HubElasticsearch9Mapping(ResourcePage).get_mapping()
    )


def test_mapping_stores_audience_as_a_keyword_filter_field():
    properties = HubElasticsearch9Mapping(ResourcePage).get_mapping()["properties"]
    assert properties["audience_filter"] == {"type": "keyword"}
    assert properties["live_filter"] == {"type": "boolean"}


def test_mapping_analyses_full_text_fields_with_the_hub_analyzers():
    properties = HubElasticsearch9Mapping(ResourcePage).get_mapping()["properties"]
    for name in ["title", "knowledge_resourcepage__summary", "_all_text", "_all_text_boost_3_0"]:
        assert properties[name]["analyzer"] == "hub_english", name
        assert properties[name]["search_analyzer"] == "hub_english_search", name
    # Autocomplete keeps modelsearch's edge n-grams.
    assert properties["_edgengrams"]["analyzer"] == "edgengram_analyzer"
    assert properties["_edgengrams"]["search_analyzer"] == "standard"


@pytest.mark.django_db
def test_full_text_query_forgives_typos_except_in_the_first_letter():
    query = backend().search("opiod treatmnt", ResourcePage).query_compiler.get_query()
    multi_match = query["bool"]["must"]["multi_match"]
    assert multi_match["query"] == "opiod treatmnt"
    assert multi_match["fuzziness"] == "AUTO:5,8"
    assert multi_match["prefix_length"] == 1
    assert "_all_text_boost_3_0^3.0" in multi_match["fields"]


@pytest.mark.django_db
def test_single_field_and_combined_queries_forgive_typos_too():
    from wagtail.search.query import Or, PlainText

    single = backend().search("opiod", ResourcePage, fields=["title"]).query_compiler.get_query()
    assert single["bool"]["must"]["match"]["title"]["fuzziness"] == "AUTO:5,8"
    combined = backend().search(Or([PlainText("opiod"), PlainText("teens")]), ResourcePage)
    body = json.dumps(combined.query_compiler.get_query())
    assert body.count('"fuzziness": "AUTO:5,8"') >= 2
    assert body.count('"prefix_length": 1') == body.count('"fuzziness": "AUTO:5,8"')


@pytest.mark.django_db
def test_autocomplete_matches_prefixes_without_fuzziness():
    query = backend().autocomplete("opio", ResourcePage).query_compiler.get_query()
    assert query["bool"]["must"] == {"match": {"_edgengrams": {"query": "opio"}}}


@pytest.mark.django_db
def test_audience_filter_becomes_a_terms_filter_beside_the_live_filter():
    queryset = ResourcePage.objects.live().filter(audience__in=["public", "r3"])
    query = backend().search("peer support", queryset).query_compiler.get_query()
    filters = query["bool"]["filter"]
    assert {"match": {"_django_content_type": "knowledge.ResourcePage"}} in filters
    clauses = filters[1]["bool"]["must"]
    assert {"term": {"live_filter": True}} in clauses
    assert {"terms": {"audience_filter": ["public", "r3"]}} in clauses
    # One short list, however many pages are restricted: no exclusion per restriction.
    body = json.dumps(query)
    assert "must_not" not in body
    assert "path_filter" not in body


@pytest.mark.django_db
def test_synonyms_set_holds_one_rule_per_group_from_the_editors_list():
    Synonym.objects.all().delete()
    moud = Synonym.objects.create(terms="MOUD, MAT,  Medications for  Opioid Use Disorder")
    Synonym.objects.create(terms="lonely")  # nothing to be equivalent to
    odd = Synonym.objects.create(terms="teens => youth, #adolescents, a\\b, Youth")
    assert synonym_rules() == [
        {"id": f"synonym-{moud.pk}", "synonyms": "moud, mat, medications for opioid use disorder"},
        {"id": f"synonym-{odd.pk}", "synonyms": "teens youth, adolescents, a b, youth"},
    ]


@pytest.mark.django_db
def test_seeded_synonym_list_becomes_the_synonyms_set():
    rules = synonym_rules()
    assert len(rules) == Synonym.objects.count() >= 80
    assert any("moud" in rule["synonyms"] and "mat" in rule["synonyms"] for rule in rules)


def test_search_service_errors_cover_outages_timeouts_and_server_errors():
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, TransportError

    meta = ApiResponseMeta(503, "1.1", HttpHeaders(), 0.1, NodeConfig("http", "127.0.0.1", 9200))
    for error in [
        ConnectionError("refused"),
        ConnectionTimeout("slow"),
        TransportError("broken"),
        ApiError("unavailable", meta, {}),
    ]:
        assert isinstance(error, SEARCH_UNAVAILABLE_ERRORS)
    assert not isinstance(ValueError("a bug of ours"), SEARCH_UNAVAILABLE_ERRORS)


def is_database_backend(search_backend):
    return type(search_backend).__module__.startswith("modelsearch.backends.database.")


@pytest.mark.django_db
@override_settings(
    WAGTAILSEARCH_BACKENDS={
        "default": {"BACKEND": "search.elasticsearch", "URLS": ["http://127.0.0.1:9200"]},
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }
)
def test_fallback_backend_is_the_configured_database_backend():
    assert is_database_backend(fallback_backend())


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database"}})
def test_fallback_backend_is_the_database_backend_without_elasticsearch():
    assert is_database_backend(fallback_backend())


def configured_backends(**env):
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from modelsearch.backends import get_search_backend\n"
        "default = get_search_backend('default')\n"
        "print(type(default).__name__, settings.WAGTAILSEARCH_BACKENDS['fallback']['BACKEND'],"
        " default.synonyms_set)\n"
    )
    # hub.settings.dev: the test settings always search the database backend.
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"OPENSEARCH_URL", "ELASTICSEARCH_URL"}},
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_setting_elasticsearch_url_switches_to_the_hub_backend_with_a_database_fallback():
    assert configured_backends(
        ELASTICSEARCH_URL="http://127.0.0.1:9200", ELASTICSEARCH_INDEX_PREFIX="cop_"
    ) == [
        "HubElasticsearch9SearchBackend",
        "wagtail.search.backends.database",
        "cop_synonyms",
    ]


def test_elasticsearch_version_8_selects_the_8_backend():
    name, *_ = configured_backends(ELASTICSEARCH_URL="http://127.0.0.1:9200", ELASTICSEARCH_VERSION="8")
    assert name == "HubElasticsearch8SearchBackend"
