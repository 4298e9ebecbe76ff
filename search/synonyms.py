"""Query expansion with the editor-managed synonym list (search.models.Synonym).

Wagtail's database backend has no synonym filter, so a query is widened before
it is searched: any listed word or phrase found in it brings in its equivalents.
"""

import re

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

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


def equivalents(query):
    """The listed terms equivalent to any listed word or phrase in the query
    (each a word or a phrase, lower case), not counting those it already holds."""
    text = " ".join(query.lower().split())
    extra = []
    for group in synonym_groups():
        if any(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) for term in group):
            extra.extend(term for term in group if term not in text and term not in extra)
    return extra


def synonym_matches(query):
    """For each listed word or phrase in the query: (that term, its equivalents)."""
    text = " ".join(query.lower().split())
    matches = []
    for group in synonym_groups():
        found = [t for t in group if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text)]
        if found:
            matches.append((found[0], [t for t in group if t not in found]))
    return matches


def expand(query):
    """The query's own words plus the equivalents of any listed term in it."""
    extra = equivalents(query)
    return " ".join([query, *extra]) if extra else query


def connect():
    from .models import Synonym

    post_save.connect(forget_synonyms, sender=Synonym, dispatch_uid="hub-synonyms-saved")
    post_delete.connect(forget_synonyms, sender=Synonym, dispatch_uid="hub-synonyms-deleted")
