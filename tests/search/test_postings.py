"""The PostgreSQL search's matching step: in-memory postings, the SQL route
it falls back to, and the ts_rank step for the best pages."""

import pytest
from django.db import connection

from hub.models import Topic
from search import engine, postings
from search.documents import document_index, set_bits

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database backend's PostgreSQL search only"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'crisi'", [["crisi"]]),
        ("'crisi' | 'crisi' <-> 'servic'", [["crisi"], ["crisi", "servic"]]),
        ("'opioid' <-> 'use' <2> 'disord' | 'oud'", [["opioid", "use", "disord"], ["oud"]]),
        ("'don''t'", [["don't"]]),
        ("", []),
        ("'a' & 'b'", None),
        ("!'a'", None),
        ("'tele':*", None),
        ("( 'a' | 'b' ) <-> 'c'", None),
        ("'a' |", None),
    ],
)
def test_parse_reads_alternatives_of_words_and_phrases_and_nothing_else(text, expected):
    parsed = postings.parse(text)
    assert (None if parsed is None else [list(alternative.words) for alternative in parsed]) == expected


def test_each_alternative_keeps_its_own_tsquery_text():
    parsed = postings.parse("'opioid' <-> 'use' <2> 'disord' | 'oud' | 'don''t'")
    assert [alternative.text for alternative in parsed] == [
        "'opioid' <-> 'use' <2> 'disord'",
        "'oud'",
        "'don''t'",
    ]


def test_set_bits_lists_positions_in_order():
    assert set_bits(0) == []
    assert set_bits(0b1011) == [0, 1, 3]
    assert set_bits(1 << 700 | 1 << 9) == [9, 700]


@pytest.fixture
def corpus(make_resource):
    return {
        "title": make_resource(
            "Peer support in rural clinics", year=2020, summary="A guide for clinic managers."
        ),
        "body": make_resource(
            "Staffing guide", year=2021, summary="How peer support workers fit rural teams."
        ),
        "police": make_resource(
            "Crisis response partnerships",
            year=2022,
            summary="Working with law enforcement on mobile crisis calls.",
        ),
        "law_only": make_resource(
            "Privacy rules", year=2023, summary="What the law says about keeping records."
        ),
        "apart": make_resource("Records guide", year=2023, summary="Enforcement of privacy law in clinics."),
        "other": make_resource("Housing first toolkit", year=2024, summary="Supported housing."),
    }


def keys_of(corpus, *names):
    return [(corpus[name].content_type_id, corpus[name].pk) for name in names]


@on_postgres
@pytest.mark.parametrize("query", ["peer support", "rural", "police", "crisis housing", "clinic managers"])
def test_the_in_memory_route_and_the_sql_route_agree(corpus, monkeypatch, query):
    in_memory = engine.find(query, allowed=["public"], correct=False)
    engine.recent_hits.items.clear()
    monkeypatch.setattr(postings, "parse", lambda text: None)
    through_sql = engine.find(query, allowed=["public"], correct=False)
    assert in_memory.order, query
    assert in_memory.order == through_sql.order
    assert in_memory.scores == pytest.approx(through_sql.scores)
    assert in_memory.bits == through_sql.bits


@on_postgres
def test_a_title_match_ranks_above_a_body_match(corpus):
    hits = engine.find("peer support", allowed=["public"], correct=False)
    assert hits.order[:2] == keys_of(corpus, "title", "body")


@on_postgres
def test_a_phrase_from_the_synonym_list_needs_all_its_words(corpus):
    # "police" is listed with "law enforcement": a page holding the phrase is
    # found for "police"; pages holding "law" alone, or both words apart, are not.
    hits = engine.find("police", allowed=["public"], correct=False)
    assert hits.order == keys_of(corpus, "police")


@on_postgres
def test_ts_rank_orders_the_best_pages_and_the_rest_keep_their_place(make_resource, monkeypatch):
    older = make_resource("Older guide", year=2019, summary="Respite, respite and more respite care.")
    newer = make_resource("Newer guide", year=2024, summary="One mention of respite.")
    key_older, key_newer = (older.content_type_id, older.pk), (newer.content_type_id, newer.pk)
    # Both hold the word in the body only: equal concept scores, so the
    # word's frequency (ts_rank) puts the older page first.
    hits = engine.find("respite", allowed=["public"], correct=False)
    assert hits.order == [key_older, key_newer]
    assert hits.scores[key_older] > hits.scores[key_newer]
    # With ts_rank worked out for the single best page only (the newest of
    # the equals), the other keeps its place after it and is still found.
    engine.recent_hits.items.clear()
    monkeypatch.setattr(engine, "RANKED_CANDIDATES", 1)
    hits = engine.find("respite", allowed=["public"], correct=False)
    assert hits.order == [key_newer, key_older]


@on_postgres
def test_a_page_published_after_a_search_is_found_by_the_next(make_resource):
    assert engine.find("zeppelin", allowed=["public"], correct=False).order == []
    page = make_resource("Zeppelin outreach pilot", year=2024, live=False)
    page.save_revision().publish()
    assert engine.find("zeppelin", allowed=["public"], correct=False).order == [
        (page.content_type_id, page.pk)
    ]


def test_facet_counts_come_from_bit_sets_over_the_index(client, make_resource):
    make_resource("Crisis line guide", topics=["crisis-services"], type="toolkit", year=2022)
    make_resource("Crisis staffing report", topics=["crisis-services"], type="report", year=2023)
    make_resource("Crisis peer toolkit", topics=["peer-support"], type="toolkit", year=2023)
    data = client.get("/search/", {"q": "crisis", "type": "toolkit", "format": "json"}).json()
    assert data["total"] == 2
    # An option counts what ticking it would give, with the other facets as they are.
    assert {o["value"]: o["count"] for o in data["facets"]["type"]} == {"toolkit": 2, "report": 1}
    assert {o["value"]: o["count"] for o in data["facets"]["topic"]} == {
        "crisis-services": 1,
        "peer-support": 1,
    }
    index = document_index()
    assert sorted(index.value_bits("resource_type", False)) == ["report", "toolkit"]


def test_facet_option_labels_are_escaped(client, make_resource):
    Topic.objects.filter(slug="crisis-services").update(name='Crisis <b>"services"</b> & lines')
    make_resource("Crisis line guide", topics=["crisis-services"])
    from hub.cache import purge_page_cache

    purge_page_cache()
    html = client.get("/search/", {"q": "crisis"}).content.decode()
    assert "Crisis &lt;b&gt;&quot;services&quot;&lt;/b&gt; &amp; lines" in html
    assert 'Crisis <b>"services"' not in html


def test_answers_remembered_before_the_records_were_rebuilt_are_not_used(client, make_resource):
    make_resource("Crisis line guide", year=2020)
    make_resource("Crisis staffing report", year=2021)
    assert client.get("/search/", {"q": "crisis", "format": "json"}).json()["total"] == 2
    # A live page saved in code, with no publish: the page cache generation
    # stays, but this process rebuilds its search records, whose positions
    # (and bit sets) differ; what was remembered against the old ones goes.
    make_resource("Crisis respite review", year=2019)
    data = client.get("/search/", {"q": "crisis", "format": "json", "sort": "newest"}).json()
    assert [r["title"] for r in data["results"]] == [
        "Crisis staffing report",
        "Crisis line guide",
        "Crisis respite review",
    ]
