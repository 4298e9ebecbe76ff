import pytest

from tests import live_search
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


# Running a test on both backends: tests/live_search.py (shared with other folders).
on_each_backend = live_search.on_each_backend
