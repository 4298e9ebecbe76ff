import pytest

from tests.knowledge import conftest as knowledge

# The library fixtures, shared with the knowledge tests.
library = knowledge.library
make_resource = knowledge.make_resource
members_only = knowledge.members_only


@pytest.fixture
def resources(make_resource, members_only):
    crisis = make_resource(
        "Mobile crisis teams guide",
        topics=["crisis-services"],
        type="toolkit",
        evidence="strong",
        year=2023,
        summary="How counties staff mobile crisis teams around the clock.",
    )
    peer = make_resource(
        "Peer crisis respite report",
        topics=["crisis-services", "peer-support"],
        type="report",
        evidence="moderate",
        year=2020,
        summary="Peer-run respite as an alternative to emergency rooms during a crisis.",
    )
    hidden = members_only(
        make_resource(
            "Crisis staffing survey for members",
            topics=["crisis-services"],
            type="report",
            year=2024,
            summary="Members-only crisis staffing numbers.",
        )
    )
    draft = make_resource("Crisis draft notes", topics=["crisis-services"], live=False)
    return {"crisis": crisis, "peer": peer, "hidden": hidden, "draft": draft}


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
    """Run the test on the database backend and on a live OpenSearch node
    (tests/live_search.py). A module overriding ``client`` with
    ``searching_client`` searches whichever it is."""
    if request.param == "opensearch":
        return request.getfixturevalue("opensearch")
    return None


def on_each_backend(client, backend):
    """The client for a module that runs each test on both backends::

    @pytest.fixture
    def client(client, each_backend):
        return on_each_backend(client, each_backend)
    """
    return RefreshingClient(client, backend) if backend is not None else client
