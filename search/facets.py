"""Narrowing search results: content type, topic, resource type, population,
evidence level and year.

Filters combine with AND across facets and OR within one, like the library's.
Each option's count is how many results the person would get by ticking it,
given the other facets as they are, so a facet never counts itself out. The
counts come from the search service (search/service.py): engine aggregations,
or grouped SQL on the database backend; this module checks what was asked
for and lays the options out.
"""

import re
from dataclasses import dataclass, field

from django.core.cache import cache

from hub.cache import current_generation

MAX_VALUES_PER_FACET = 20


@dataclass(frozen=True)
class Facet:
    param: str
    label: str


FACETS = [
    Facet("content", "Content type"),
    Facet("topic", "Topic"),
    Facet("type", "Resource type"),
    Facet("population", "Population"),
    Facet("evidence", "Evidence level"),
    Facet("year", "Year"),
]
FACETS_BY_PARAM = {facet.param: facet for facet in FACETS}


def term_names():
    """Names (and evidence ranks) of the taxonomy terms, by facet and slug,
    cached until the next content change."""
    key = f"hub:search-term-names:{current_generation()}"
    names = cache.get(key)
    if names is None:
        from hub.models import EvidenceLevel, Population, ResourceType, Topic

        names = {
            "topic": dict(Topic.objects.values_list("slug", "name")),
            "type": dict(ResourceType.objects.values_list("slug", "name")),
            "population": dict(Population.objects.values_list("slug", "name")),
            "evidence": dict(EvidenceLevel.objects.values_list("slug", "name")),
            "evidence_rank": dict(EvidenceLevel.objects.values_list("slug", "rank")),
        }
        cache.set(key, names, 3600)
    return names


@dataclass
class Selection:
    """The facet values asked for, checked; unknown values become notices."""

    values: dict = field(default_factory=dict)  # param -> list of values (slugs, years)
    notices: list = field(default_factory=list)

    @classmethod
    def from_query(cls, query, kinds):
        selection = cls()
        names = term_names()
        for facet in FACETS:
            raw = [v.strip() for v in query.getlist(facet.param) if v.strip()][:MAX_VALUES_PER_FACET]
            values = []
            for value in dict.fromkeys(raw):
                checked = _check(facet, value, names, kinds)
                if checked is None:
                    selection.notices.append(
                        f"There is no {facet.label.lower()} called “{value[:60]}”, so it was left out."
                    )
                else:
                    values.append(checked)
            if values:
                selection.values[facet.param] = values
        return selection

    def as_filters(self):
        """The selection as the search service takes it (search.service.Ask)."""
        return tuple((param, tuple(values)) for param, values in self.values.items())

    def as_pairs(self):
        return [(param, value) for param, values in self.values.items() for value in values]


def _check(facet, value, names, kinds):
    if facet.param == "content":
        return value if value in kinds else None
    if facet.param == "year":
        return int(value) if re.fullmatch(r"[12][0-9]{3}", value) else None
    return value if value in names[facet.param] else None


def label_for(param, value, kinds, names):
    if param == "content":
        return kinds[value].label if value in kinds else value
    if param == "year":
        return str(value)
    return names[param].get(value, value)


def options(counts, selection, kinds):
    """For each facet, its label and its options as dicts (value, label,
    count, selected), in the order a person reads them. ``counts`` is
    facet param -> {value: results with it}, as the search service counts
    them (search.service): each option counts the results that pass every
    other facet's filter and hold that option."""
    names = term_names()
    result = {}
    for facet in FACETS:
        counts_of = dict(counts.get(facet.param, {}))
        selected = selection.values.get(facet.param, [])
        for value in selected:
            counts_of.setdefault(value, 0)
        if facet.param == "year":
            order = sorted(counts_of, reverse=True)
        elif facet.param == "evidence":
            order = sorted(counts_of, key=lambda v: names["evidence_rank"].get(v, 99))
        else:
            order = sorted(counts_of, key=lambda v: (-counts_of[v], label_for(facet.param, v, kinds, names)))
        result[facet.param] = {
            "label": facet.label,
            "options": [
                {
                    "value": value,
                    "label": label_for(facet.param, value, kinds, names),
                    "count": counts_of[value],
                    "selected": value in selected,
                }
                for value in order
            ],
        }
    return result
