"""Searches understand the field's abbreviations, legacy terms and Spanish through
the editor-managed synonym list."""

import pytest

from knowledge.factories import ResourceIndexPageFactory
from search.models import Synonym
from search.synonyms import expand

pytestmark = pytest.mark.django_db


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


def test_a_search_for_an_abbreviation_finds_resources_that_only_spell_it_out(client, home_page):
    from knowledge.factories import ResourcePageFactory

    library = ResourceIndexPageFactory(parent=home_page)
    spelled_out = ResourcePageFactory(
        parent=library,
        title="Buprenorphine in community clinics",
        summary="Starting medications for opioid use disorder on the same day.",
    )
    ResourcePageFactory(parent=library, title="Peer support basics", summary="How peer specialists work.")

    def found(query):
        return [r.title for r in client.get("/search/", {"q": query}).context["outcome"].results]

    assert found("MOUD") == [spelled_out.title]
    Synonym.objects.all().delete()
    assert found("MOUD") == []
