"""Query expansion with the editor-managed synonym list (search.models.Synonym).

Wagtail's database backend has no synonym filter, so a query is widened before
it is searched: any listed word or phrase found in it brings in its equivalents.
"""

import re

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from hub.cache import current_generation

CACHE_KEY = "hub:synonym-groups"


def synonym_groups():
    groups = cache.get(CACHE_KEY)
    if groups is None:
        from .models import Synonym

        groups = [synonym.term_list for synonym in Synonym.objects.all()]
        cache.set(CACHE_KEY, groups, 3600)
    return groups


def forget_synonyms(**kwargs):
    """A changed synonym list changes what searches find: forget the list and,
    through the page cache generation, every remembered search answer."""
    from hub.cache import purge_page_cache

    cache.delete(CACHE_KEY)
    purge_page_cache()


_compiled = {"generation": None, "groups": None, "patterns": None, "by_word": None}


def _matcher():
    """The synonym groups with a compiled pattern per term, and which groups
    a word of a query can start a match in: kept in this process until the
    page cache generation moves on (a synonym change moves it)."""
    generation = current_generation()
    if _compiled["generation"] != generation:
        groups = synonym_groups()
        patterns = [[re.compile(rf"(?<!\w){re.escape(term)}(?!\w)") for term in group] for group in groups]
        by_word = {}
        for number, group in enumerate(groups):
            for term in group:
                words = re.findall(r"\w+", term)
                by_word.setdefault(words[0] if words else "", set()).add(number)
        _compiled.update(generation=generation, groups=groups, patterns=patterns, by_word=by_word)
    return _compiled


def _found(text):
    """(group, the terms of it found in the text) for each group with a term
    in the text, in the list's order. Only groups with a term starting with
    one of the text's words are tried."""
    matcher = _matcher()
    by_word = matcher["by_word"]
    numbers = set(by_word.get("", ()))
    for word in set(re.findall(r"\w+", text)):
        numbers.update(by_word.get(word, ()))
    found = []
    for number in sorted(numbers):
        group = matcher["groups"][number]
        terms = [
            term
            for term, pattern in zip(group, matcher["patterns"][number], strict=True)
            if pattern.search(text)
        ]
        if terms:
            found.append((group, terms))
    return found


def equivalents(query):
    """The listed terms equivalent to any listed word or phrase in the query
    (each a word or a phrase, lower case), not counting those it already holds."""
    text = " ".join(query.lower().split())
    extra = []
    for group, _terms in _found(text):
        extra.extend(term for term in group if term not in text and term not in extra)
    return extra


def synonym_matches(query):
    """For each listed word or phrase in the query: (that term, its equivalents)."""
    text = " ".join(query.lower().split())
    return [(terms[0], [t for t in group if t not in terms]) for group, terms in _found(text)]


def expand(query):
    """The query's own words plus the equivalents of any listed term in it."""
    extra = equivalents(query)
    return " ".join([query, *extra]) if extra else query


def connect():
    from .models import Synonym

    post_save.connect(forget_synonyms, sender=Synonym, dispatch_uid="hub-synonyms-saved")
    post_delete.connect(forget_synonyms, sender=Synonym, dispatch_uid="hub-synonyms-deleted")
