"""Whatever is typed into search, the answer is a page or JSON, never an error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

SYNTAX = st.sampled_from(['"', "*", "AND", "OR", "NOT", "(", ")", "\\", ":", "~", "^", "-", "&", "|", "!"])
# NUL is refused hub-wide with a 400 (hub/input_checks.py, tests/hub/test_bad_input.py).
READABLE = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
TEXT = st.lists(
    st.one_of(st.text(READABLE, max_size=40), SYNTAX, st.sampled_from(["crisis", "peer"])), max_size=8
).map(" ".join)
HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def resources(make_resource):
    make_resource("Mobile crisis teams guide", topics=["crisis-services"])
    make_resource("Peer support basics", topics=["peer-support"])


@HYPOTHESIS
@given(query=TEXT, page=st.one_of(st.none(), st.text(READABLE, max_size=6), st.integers()))
def test_the_search_page_answers_any_query(client, resources, query, page):
    params = {"q": query}
    if page is not None:
        params["page"] = page
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert len(response.context["search_query"]) <= 200


@HYPOTHESIS
@given(query=TEXT, topic=st.text(READABLE, max_size=20))
def test_the_json_answers_any_query_and_facet_value(client, resources, query, topic):
    response = client.get("/search/", {"q": query, "topic": topic, "format": "json"})
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data["results"], list)
    assert data["total"] >= len([r for r in data["results"] if not r["promoted"]])


@HYPOTHESIS
@given(query=TEXT)
def test_autocomplete_answers_any_query(client, resources, query):
    response = client.get("/search/autocomplete/", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


def test_null_bytes_in_the_url_are_answered_with_a_message(client, resources):
    # Refused for the whole hub before any view reads them (hub/input_checks.py).
    response = client.get("/search/?q=cri%00sis&format=json")
    assert response.status_code == 400
    assert "cannot read" in response.content.decode()
