"""Narrowing search results: content type, topic, resource type, population,
evidence level and year.

Filters combine with AND across facets and OR within one, like the library's.
Each option's count is how many results the person would get by ticking it,
given the other facets as they are, so a facet never counts itself out.
Everything works on the in-memory records of ``search.documents``, with sets
of records as bit sets: a count is one AND and one bit count, however many
results there are.
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
    attribute: str  # Doc attribute
    many: bool = False  # the attribute is a set of values

    def values_of(self, doc):
        value = getattr(doc, self.attribute)
        if self.many:
            return value
        return () if value is None else (value,)


FACETS = [
    Facet("content", "Content type", "content"),
    Facet("topic", "Topic", "topics", many=True),
    Facet("type", "Resource type", "resource_type"),
    Facet("population", "Population", "populations", many=True),
    Facet("evidence", "Evidence level", "evidence"),
    Facet("year", "Year", "year"),
]
FACETS_BY_PARAM = {facet.param: facet for facet in FACETS}


_names = {"generation": None, "names": None}


def term_names():
    """Names (and evidence ranks) of the taxonomy terms, by facet and slug,
    kept in this process until the next change."""
    generation = current_generation()
    if _names["generation"] == generation:
        return _names["names"]
    key = f"hub:search-term-names:{generation}"
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
    _names.update(generation=generation, names=names)
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


def count(bits, selection, index):
    """For each facet, its options as dicts (value, label, count, selected),
    in the order a person reads them; and the bit set of the results that
    pass every filter. ``bits`` is the set of results before filtering, over
    the positions of ``index`` (``search.documents``)."""
    names = term_names()
    kinds = index.kinds
    # The results that pass each facet's own filter (every result when the
    # facet has none): an option counts the results that pass every other
    # facet's filter and hold that option.
    passes = {}
    for facet in FACETS:
        wanted = selection.values.get(facet.param)
        if wanted:
            value_bits = index.value_bits(facet.attribute, facet.many)
            either = 0
            for value in wanted:
                either |= value_bits.get(value, 0)
            passes[facet.param] = either
    passing = bits
    for either in passes.values():
        passing &= either
    tally = {}
    for facet in FACETS:
        base = bits
        for param, either in passes.items():
            if param != facet.param:
                base &= either
        counts = {}
        if base:
            for value, value_bits in index.value_bits(facet.attribute, facet.many).items():
                found = (base & value_bits).bit_count()
                if found:
                    counts[value] = found
        tally[facet.param] = counts
    result = {}
    for facet in FACETS:
        counts = tally[facet.param]
        selected = selection.values.get(facet.param, [])
        for value in selected:
            counts.setdefault(value, 0)
        if facet.param == "year":
            order = sorted(counts, reverse=True)
        elif facet.param == "evidence":
            order = sorted(counts, key=lambda v: names["evidence_rank"].get(v, 99))
        else:
            order = sorted(counts, key=lambda v: (-counts[v], label_for(facet.param, v, kinds, names)))
        result[facet.param] = {
            "label": facet.label,
            "options": [
                {
                    "value": value,
                    "label": label_for(facet.param, value, kinds, names),
                    "count": counts[value],
                    "selected": value in selected,
                }
                for value in order
            ],
        }
    return result, passing
