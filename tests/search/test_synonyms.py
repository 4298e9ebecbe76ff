"""Searches understand the field's abbreviations, legacy terms and Spanish through
the editor-managed synonym list."""

import io
from pathlib import Path

import pytest

from knowledge.factories import ResourceIndexPageFactory
from knowledge.importer import ResourceImporter
from search.models import Synonym
from search.synonyms import expand

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "sample_resources.csv"


def test_at_least_eighty_synonym_groups_are_seeded():
    assert Synonym.objects.count() >= 80
    groups = [s.term_list for s in Synonym.objects.all()]
    assert any({"moud", "mat", "medications for opioid use disorder"} <= set(g) for g in groups)
    assert any({"salud mental", "mental health"} <= set(g) for g in groups)


def test_abbreviations_expand_to_their_spelled_out_forms_and_back():
    assert "serious mental illness" in expand("SMI older adults")
    assert "smi" in expand("serious mental illness and housing")
    assert "limited english proficiency" in expand("interpreter services LEP clients")


def test_words_inside_other_words_do_not_expand():
    assert expand("smithsonian report") == "smithsonian report"


def test_an_editors_new_synonym_is_used_at_once():
    Synonym.objects.create(terms="warmline, peer-run support line")
    assert "peer-run support line" in expand("warmline")


def test_a_search_for_an_abbreviation_finds_resources_that_spell_it_out(client, home_page):
    library = ResourceIndexPageFactory(parent=home_page)
    ResourceImporter(index_page=library, publish=True).run(io.StringIO(SAMPLE.read_text()))
    titles = [r.title for r in client.get("/search/", {"q": "MAT pregnant"}).context["search_results"]]
    assert any("Opioid Use Disorder" in t or "Pregnant" in t for t in titles[:3])
