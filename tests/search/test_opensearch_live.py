"""The hub's OpenSearch backend against a real node at OPENSEARCH_URL: the
engine plumbing (index settings, synonyms reaching the analyzer, the outage
queue, update_index). What people find through the search service is tested
in the other live tests; the fixtures are in tests/live_search.py.

The outage tests start a second node of their own (../shared/tools/opensearch/
start.sh), stop it, and start it again on the same data: a real outage, not
a mock."""

import os
import socket
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from modelsearch.backends import get_search_backend

from knowledge.models import ResourcePage
from search.models import IndexQueueItem, Synonym
from tests.live_search import (
    RUN_PREFIX,
    delete_indexes,
    opensearch_settings,
    require_opensearch,
)

pytestmark = [pytest.mark.opensearch, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("OPENSEARCH_TOOLS", ROOT.parent / "shared" / "tools" / "opensearch"))


def titles(backend, query, audiences=("public",)):
    backend.refresh_indexes()
    queryset = ResourcePage.objects.live().filter(audience__in=list(audiences))
    return [page.title for page in backend.search(query, queryset)]


def page_index(backend):
    return backend.get_index_for_model(ResourcePage)


def concrete_index_settings(backend):
    (settings,) = backend.es.indices.get_settings(index=page_index(backend).name).values()
    return settings["settings"]["index"]


def analyzed(backend, analyzer, text):
    result = backend.es.indices.analyze(
        index=page_index(backend).name, body={"analyzer": analyzer, "text": text}
    )
    return [token["token"] for token in result["tokens"]]


def test_index_is_created_with_the_hub_analysis_and_the_synonym_list(opensearch):
    analysis = concrete_index_settings(opensearch)["analysis"]
    assert analysis["analyzer"]["hub_english"]["filter"] == [
        "hub_possessive",
        "lowercase",
        "asciifolding",
        "hub_english_stemmer",
    ]
    assert analysis["analyzer"]["hub_english_search"]["filter"] == [
        "hub_possessive",
        "lowercase",
        "asciifolding",
        "hub_synonyms",
        "hub_english_stop",
        "hub_english_stemmer",
    ]
    # The same without synonyms, and whole words for typo corrections.
    assert analysis["analyzer"]["hub_english_words"]["filter"] == [
        "hub_possessive",
        "lowercase",
        "asciifolding",
        "hub_english_stop",
        "hub_english_stemmer",
    ]
    assert analysis["analyzer"]["hub_plain"]["filter"] == ["hub_possessive", "lowercase", "asciifolding"]
    synonyms = analysis["filter"]["hub_synonyms"]
    assert synonyms["type"] == "synonym_graph"
    assert len(synonyms["synonyms"]) == Synonym.objects.count() >= 80


def test_audience_is_a_keyword_and_text_fields_use_the_hub_analyzers(opensearch):
    (mapping,) = opensearch.es.indices.get_mapping(index=page_index(opensearch).name).values()
    properties = mapping["mappings"]["properties"]
    assert properties["audience_filter"] == {"type": "keyword"}
    assert properties["title"]["analyzer"] == "hub_english"
    assert properties["title"]["search_analyzer"] == "hub_english_search"


def test_index_analyzer_stems_english_and_folds_accents(opensearch):
    assert analyzed(opensearch, "hub_english", "Counselor's Evidence-based Práctica") == [
        "counselor",
        "evid",
        "base",
        "practica",
    ]


def test_search_analyzer_expands_the_editors_synonyms(opensearch):
    tokens = analyzed(opensearch, "hub_english_search", "MOUD")
    assert "moud" in tokens
    assert "medic" in tokens and "opioid" in tokens


def test_a_published_resource_is_found_with_stemming_and_a_typo(opensearch, make_resource):
    make_resource("Evidence-based practices for counselors", summary="Supervision of counseling staff.")
    make_resource("Crisis response toolkit", summary="Mobile teams.")
    assert titles(opensearch, "counselor practice") == ["Evidence-based practices for counselors"]
    assert titles(opensearch, "crisis respnse") == ["Crisis response toolkit"]


def test_a_members_only_resource_is_filtered_out_by_the_audience_clause(
    opensearch, make_resource, members_only
):
    briefing = members_only(make_resource("Workforce retention briefing"))
    briefing.refresh_from_db()
    make_resource("Workforce retention toolkit")

    assert titles(opensearch, "workforce retention") == ["Workforce retention toolkit"]
    member_view = titles(opensearch, "workforce retention", audiences=("public", briefing.audience))
    assert sorted(member_view) == ["Workforce retention briefing", "Workforce retention toolkit"]


def test_a_synonym_an_editor_saves_reaches_the_analyzer_without_reindexing(
    opensearch, make_resource, django_capture_on_commit_callbacks
):
    make_resource("Clubhouse model outcomes")
    assert titles(opensearch, "psychosocial rehabilitation") == []
    index_before = set(opensearch.index_names())

    with django_capture_on_commit_callbacks(execute=True):
        synonym = Synonym.objects.create(terms="clubhouse, psychosocial rehabilitation")

    assert titles(opensearch, "psychosocial rehabilitation") == ["Clubhouse model outcomes"]
    assert "clubhous" in analyzed(opensearch, "hub_english_search", "psychosocial rehabilitation")
    # The same indexes, closed and reopened with the new rules: nothing was reindexed.
    assert set(opensearch.index_names()) == index_before

    with django_capture_on_commit_callbacks(execute=True):
        synonym.delete()

    assert titles(opensearch, "psychosocial rehabilitation") == []


def test_pushing_an_unchanged_synonym_list_leaves_the_indexes_open(opensearch):
    assert opensearch.push_synonyms() == []
    state = opensearch.es.cluster.state(metric="metadata", index=page_index(opensearch).name)
    (index,) = state["metadata"]["indices"].values()
    assert index["state"] == "open"


def test_update_index_rebuilds_into_a_new_index_with_the_current_synonyms(opensearch, make_resource):
    resource = make_resource("School-based mental health")
    old_index = opensearch.index_names()
    # Lost from the index (a write that never arrived), and a synonym saved without a push.
    opensearch.remove_now(ResourcePage, resource.pk)
    Synonym.objects.create(terms="SBMH, school-based mental health")
    assert titles(opensearch, "sbmh") == []
    out = StringIO()

    call_command("update_index", backend_name="default", stdout=out)

    assert titles(opensearch, "sbmh") == ["School-based mental health"]
    assert not set(old_index) & set(opensearch.index_names())  # rebuilt, then swapped behind the alias
    assert "Synonym filter of the" in out.getvalue()


# ---------------------------------------------------------------- outages, with a node of our own


def free_port():
    """A free loopback port whose transport port (+100, start.sh) is free too."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + 100 < 65536:
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port + 100))
                except OSError:
                    continue
            return port


class Node:
    """A second OpenSearch node that a test may stop and start again."""

    def __init__(self, home):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        subprocess.run(
            [TOOLS / "start.sh", self.home, str(self.port), "256m"],
            check=True,
            capture_output=True,
            timeout=180,
        )

    def stop(self):
        subprocess.run([TOOLS / "stop.sh", self.home], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def second_node(tmp_path_factory):
    require_opensearch()
    if not (TOOLS / "start.sh").exists():
        pytest.fail(f"no OpenSearch tools at {TOOLS} (set OPENSEARCH_TOOLS)", pytrace=False)
    node = Node(tmp_path_factory.mktemp("second-opensearch-node"))
    node.start()
    yield node
    node.stop()


@pytest.fixture
def own_node_backend(second_node, library):
    prefix = f"{RUN_PREFIX}own_"
    # No retries and a short timeout: a write during the outage fails at once.
    with override_settings(
        WAGTAILSEARCH_BACKENDS=opensearch_settings(
            second_node.url, prefix, TIMEOUT=5, OPTIONS={"max_retries": 0}
        )
    ):
        call_command("update_index", backend_name="default", stdout=StringIO())
        backend = get_search_backend("default")
        yield backend
        if not node_answers(second_node):  # a test failed while its node was down
            second_node.start()
        delete_indexes(backend.es, prefix)


def node_answers(node):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", node.port)) == 0


def test_writes_queued_while_the_node_is_down_are_indexed_when_it_is_back(
    second_node, own_node_backend, make_resource
):
    second_node.stop()
    held_back = make_resource("Peer specialist supervision")  # published: the editor sees no error
    assert IndexQueueItem.objects.filter(object_id=str(held_back.pk)).exists()

    second_node.start()
    make_resource("Supported employment outcomes")  # the next successful write replays the queue

    assert IndexQueueItem.objects.count() == 0
    assert titles(own_node_backend, "peer specialist") == ["Peer specialist supervision"]
    assert titles(own_node_backend, "supported employment") == ["Supported employment outcomes"]


def test_update_index_queued_replays_the_outage_once_the_node_is_back(
    second_node, own_node_backend, make_resource
):
    second_node.stop()
    make_resource("Assertive community treatment fidelity")
    assert IndexQueueItem.objects.count() == 1

    second_node.start()
    out = StringIO()
    call_command("update_index", "--queued", stdout=out)

    assert "Indexed 1 queued writes; 0 still failing" in out.getvalue()
    assert titles(own_node_backend, "assertive community treatment") == [
        "Assertive community treatment fidelity"
    ]
