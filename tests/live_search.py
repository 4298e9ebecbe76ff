"""The live OpenSearch suite's fixtures: tests that search a real OpenSearch node.

Point the tests at a node with ``OPENSEARCH_URL`` (``make test`` in CI starts
one, .ci/run)::

    ../shared/tools/opensearch/build.sh               # once per machine
    ../shared/tools/opensearch/start.sh /tmp/os-node 9250 512m
    OPENSEARCH_URL=http://127.0.0.1:9250 .venv/bin/pytest -m opensearch

Without ``OPENSEARCH_URL`` every test using ``opensearch`` is skipped with
that reason, except in CI (``HUB_REQUIRE_BROWSER=1``), where a missing or
silent node fails the test: the live suite is never skipped there.

Use (the fixtures are registered in tests/conftest.py, so any test module can
ask for them)::

    pytestmark = [pytest.mark.opensearch, pytest.mark.django_db]

    def test_members_only_resource_is_not_found_by_the_public(opensearch, make_resource, client):
        make_resource("Crisis staffing survey", ...)      # indexed as it is published
        opensearch.refresh_indexes()                      # make the writes searchable
        response = client.get("/search/?q=crisis")        # the hub's search, on OpenSearch
        ...

``opensearch`` is the hub's OpenSearch backend (``search.opensearch``), the
``default`` search backend for the duration of the test (with the database
backend as ``fallback``, as in production settings), so everything the test
does goes through it: publishing indexes the page, ``get_search_backend()``,
the search page, its JSON and autocomplete search OpenSearch. Before the test
its indexes hold exactly what the database holds then (the first test of the
run builds them with ``manage.py update_index``; later ones empty them and
index the database's content again, as update_index does, which is quicker
than creating nine indexes per test): content made by fixtures the test
requests *before* ``opensearch`` is in the index; content made afterwards is
indexed by the save signals, like in production. Call
``opensearch.refresh_indexes()`` before searching what was just written
(OpenSearch makes writes searchable about once a second).

All indexes of a test run share one prefix (``RUN_PREFIX``, unique per run),
so runs sharing a node never see each other's documents; they are deleted at
the end of the run. ``opensearch_settings(url, prefix)`` gives the same
WAGTAILSEARCH_BACKENDS for another node or prefix (e.g. a closed port, for an
outage).
"""

import os
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from modelsearch.backends import get_search_backend
from modelsearch.index import get_indexed_models
from modelsearch.management.commands.rebuild_modelsearch_index import group_models_by_index

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "")
RUN_PREFIX = f"hub_test_{uuid.uuid4().hex[:8]}_"
NO_NODE = "OPENSEARCH_URL is not set; the live OpenSearch suite needs a node (../shared/tools/opensearch/)"


def required_in_ci():
    return os.environ.get("HUB_REQUIRE_BROWSER") == "1"


def require_opensearch():
    """Skip (locally) or fail (CI) a test that needs a node when there is none."""
    if OPENSEARCH_URL:
        return
    if required_in_ci():
        pytest.fail(f"HUB_REQUIRE_BROWSER=1 (CI) but {NO_NODE}", pytrace=False)
    pytest.skip(NO_NODE)


def opensearch_settings(url, prefix, **params):
    """WAGTAILSEARCH_BACKENDS with the hub's OpenSearch backend at ``url`` as the
    default, as hub/settings/base.py makes them when OPENSEARCH_URL is set."""
    return {
        "default": {
            "BACKEND": "search.opensearch",
            "URLS": [url],
            "INDEX_PREFIX": prefix,
            # A loaded CI machine can take a few seconds to create an index.
            "TIMEOUT": 30,
            **params,
        },
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }


def delete_indexes(client, prefix):
    """Delete the indexes (and with them their aliases) whose name starts with ``prefix``."""
    names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all"))
    if names:
        client.indices.delete(index=",".join(names))


@pytest.fixture(scope="session")
def opensearch_node():
    """An opensearch-py client of the node at OPENSEARCH_URL; at the end of the
    run, the run's indexes are deleted."""
    require_opensearch()
    from opensearchpy import OpenSearch
    from opensearchpy.exceptions import TransportError

    client = OpenSearch(hosts=[OPENSEARCH_URL], timeout=30)
    try:
        info = client.info()
    except TransportError as error:
        pytest.fail(f"OPENSEARCH_URL={OPENSEARCH_URL} does not answer: {error}", pytrace=False)
    assert info["version"]["distribution"] == "opensearch", info
    yield client
    delete_indexes(client, RUN_PREFIX)


_built = set()


def reindex_database_content(client, backend):
    """Empty the backend's indexes and index what the database holds, as
    update_index does, in the indexes it built."""
    client.delete_by_query(
        index=f"{backend.index_prefix}*", body={"query": {"match_all": {}}}, refresh=True, conflicts="proceed"
    )
    backend.push_synonyms()  # an earlier test may have changed them; its database changes are gone
    for index, models in group_models_by_index(backend, get_indexed_models()).items():
        for model in models:
            index.add_items(model, list(model.get_indexed_objects().order_by("pk")))


@pytest.fixture
def opensearch(db, opensearch_node):
    """The hub's OpenSearch backend as the default search backend, its indexes
    holding what the database holds (see the module docstring)."""
    with override_settings(WAGTAILSEARCH_BACKENDS=opensearch_settings(OPENSEARCH_URL, RUN_PREFIX)):
        backend = get_search_backend("default")
        if RUN_PREFIX not in _built:
            call_command("update_index", backend_name="default", stdout=StringIO())
            _built.add(RUN_PREFIX)
        else:
            reindex_database_content(opensearch_node, backend)
        backend.refresh_indexes()
        yield backend


class RefreshingClient:
    """A test client that makes the engine's latest writes searchable before
    each request (OpenSearch makes writes searchable about once a second)."""

    def __init__(self, client, backend):
        self._client = client
        self._backend = backend

    def get(self, *args, **kwargs):
        self._backend.refresh_indexes()
        return self._client.get(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


@pytest.fixture(params=["database", pytest.param("opensearch", marks=pytest.mark.opensearch)])
def each_backend(request):
    """Run the test on the database backend (None) and on the live OpenSearch
    node (the ``opensearch`` backend); see ``on_each_backend``."""
    if request.param == "opensearch":
        backend = request.getfixturevalue("opensearch")
        # The engine must answer every search itself: an error it gave would
        # otherwise be hidden by the database fallback answering instead.
        from search import service

        def no_fallback():
            raise AssertionError("the search engine failed and the database fallback was asked")

        request.getfixturevalue("monkeypatch").setattr(service, "_fallback_backend", no_fallback)
        return backend
    return None


def on_each_backend(client, backend):
    """The client for a module that runs each test on both backends::

    @pytest.fixture
    def client(client, each_backend):
        return on_each_backend(client, each_backend)
    """
    return RefreshingClient(client, backend) if backend is not None else client
