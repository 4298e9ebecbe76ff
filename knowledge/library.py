"""Browsing the library: facets that combine, with counts, in the URL.

Filters combine with AND across facets and OR within one facet. Each option's
count is the number of resources the reader would get by ticking it, given the
other facets as they are (so a facet never counts itself out). What a listing
shows depends only on the published content and on who is looking, so the
computed ids and counts are cached per audience until the next publish.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F
from django.utils.functional import cached_property

from hub.cache import current_generation
from hub.models import EvidenceLevel, Population, ResourceType, Topic
from hub.paging import PageLinks
from hub.privacy import visibility_key, visible_pages

from .models.resource_page import LANGUAGE_CHOICES, ResourcePage, taxonomy_by_id

PER_PAGE = 20
MAX_VALUES_PER_FACET = 20


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    kind: str  # "fk", "m2m" or "value"
    field: str
    model: type | None = None

    def terms(self):
        """slug -> (pk, name) for taxonomy facets, cached until the next publish."""
        key = f"hub:facet-terms:{current_generation()}:{self.param}"
        terms = cache.get(key)
        if terms is None:
            terms = {
                slug: (pk, name) for pk, slug, name in self.model.objects.values_list("pk", "slug", "name")
            }
            cache.set(key, terms, 3600)
        return terms


FACETS = [
    Facet("topic", "Topic", "m2m", "topics", Topic),
    Facet("type", "Resource type", "fk", "resource_type", ResourceType),
    Facet("population", "Population", "m2m", "populations", Population),
    Facet("evidence", "Evidence level", "fk", "evidence_level", EvidenceLevel),
    Facet("year", "Year", "value", "publication_year"),
    Facet("language", "Language", "value", "language"),
]
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


@dataclass
class Selection:
    """What the reader asked for, checked: database keys per facet, plus notices."""

    keys: dict = field(default_factory=dict)  # param -> list of pk / year / language code
    values: dict = field(default_factory=dict)  # param -> list of the values as typed (slugs)
    notices: list = field(default_factory=list)

    @classmethod
    def from_query(cls, query):
        selection = cls()
        for facet in FACETS:
            raw = [v.strip() for v in query.getlist(facet.param) if v.strip()][:MAX_VALUES_PER_FACET]
            keys, values = [], []
            for value in dict.fromkeys(raw):
                key = cls._key_for(facet, value)
                if key is None:
                    selection.notices.append(
                        f"There is no {facet.label.lower()} called “{value[:60]}”, so it was left out."
                    )
                    continue
                keys.append(key)
                values.append(value)
            if keys:
                selection.keys[facet.param] = keys
                selection.values[facet.param] = values
        return selection

    @staticmethod
    def _key_for(facet, value):
        if facet.kind in ("fk", "m2m"):
            term = facet.terms().get(value)
            return term[0] if term else None
        if facet.param == "year":
            return int(value) if re.fullmatch(r"[12][0-9]{3}", value) else None
        return value if value in LANGUAGE_NAMES else None

    def cache_fragment(self):
        return "&".join(f"{p}={','.join(map(str, sorted(v)))}" for p, v in sorted(self.keys.items()))


def _filter(queryset, facet, keys):
    if facet.kind == "fk":
        return queryset.filter(**{f"{facet.field}_id__in": keys})
    if facet.kind == "m2m":
        through = getattr(ResourcePage, facet.field).through
        target = facet.model._meta.model_name
        pages = through.objects.filter(**{f"{target}_id__in": keys}).values("resourcepage_id")
        return queryset.filter(pk__in=pages)
    return queryset.filter(**{f"{facet.field}__in": keys})


def _counts(queryset, facet):
    if facet.kind == "m2m":
        through = getattr(ResourcePage, facet.field).through
        target = f"{facet.model._meta.model_name}_id"
        rows = (
            through.objects.filter(resourcepage_id__in=queryset.values("pk"))
            .values(target)
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row[target]: row["n"] for row in rows}
    column = f"{facet.field}_id" if facet.kind == "fk" else facet.field
    rows = queryset.values(column).annotate(n=Count("pk")).order_by()
    return {row[column]: row["n"] for row in rows if row[column] is not None}


def compute(base, selection, page_number):
    """Total, ids of one page of results, and counts per facet option."""
    filtered = base
    for facet in FACETS:
        if facet.param in selection.keys:
            filtered = _filter(filtered, facet, selection.keys[facet.param])
    total = filtered.count()
    num_pages = max(1, -(-total // PER_PAGE))
    page_number = min(max(1, page_number), num_pages)
    start = (page_number - 1) * PER_PAGE
    ids = list(
        filtered.order_by(
            F("publication_year").desc(nulls_last=True), "-first_published_at", "-pk"
        ).values_list("pk", flat=True)[start : start + PER_PAGE]
    )
    counts = {}
    for facet in FACETS:
        others = base
        for other in FACETS:
            if other is not facet and other.param in selection.keys:
                others = _filter(others, other, selection.keys[other.param])
        counts[facet.param] = _counts(others, facet)
    return {"total": total, "page": page_number, "num_pages": num_pages, "ids": ids, "counts": counts}


def parse_page_number(raw):
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


class Library(PageLinks):
    """One view of the library for one request: results, facets and links."""

    per_page = PER_PAGE

    def __init__(self, index_page, request):
        # Nothing is computed until the template asks: a cached fragment of the
        # listing asks for nothing.
        self.index_page = index_page
        self.request = request
        self.selection = Selection.from_query(request.GET)
        self.requested_page = parse_page_number(request.GET.get("page"))

    @cached_property
    def _result(self):
        fingerprint = hashlib.sha1(self.selection.cache_fragment().encode()).hexdigest()[:16]
        key = (
            f"hub:library:{current_generation()}:{visibility_key(self.request)}:"
            f"{self.index_page.pk}:{fingerprint}:{self.requested_page}"
        )
        preview = getattr(self.request, "is_preview", False)
        result = None if preview else cache.get(key)
        if result is None:
            base = visible_pages(ResourcePage.objects.descendant_of(self.index_page), self.request)
            result = compute(base, self.selection, self.requested_page)
            if not preview:
                cache.set(key, result, 3600)
        return result

    total = property(lambda self: self._result["total"])
    page_number = property(lambda self: self._result["page"])
    num_pages = property(lambda self: self._result["num_pages"])
    counts = property(lambda self: self._result["counts"])

    @cached_property
    def results(self):
        ids = self._result["ids"]
        pages = (
            ResourcePage.objects.filter(pk__in=ids)
            .select_related("resource_type", "evidence_level")
            .prefetch_related("topics")
            .in_bulk()
        )
        return [pages[pk] for pk in ids if pk in pages]

    # --- links -----------------------------------------------------------------

    def _params(self):
        return [(p, v) for p, values in self.selection.values.items() for v in values]

    def page_url(self, number):
        return self.url_with(self._params(), page=number if number > 1 else None)

    @property
    def is_filtered(self):
        return bool(self.selection.keys)

    def active_filters(self):
        """Each chosen value with a link that removes just that one."""
        chosen = []
        params = self._params()
        for facet in FACETS:
            for value in self.selection.values.get(facet.param, []):
                remaining = [pair for pair in params if pair != (facet.param, value)]
                chosen.append(
                    {
                        "facet": facet.label,
                        "label": self._label(facet, value),
                        "remove_url": self.url_with(remaining),
                    }
                )
        return chosen

    def _label(self, facet, value):
        if facet.kind in ("fk", "m2m"):
            return facet.terms()[value][1]
        if facet.param == "language":
            return LANGUAGE_NAMES[value]
        return value

    def facets(self):
        """Each facet with its options: value, label, count, whether chosen."""
        listing = []
        for facet in FACETS:
            counts = self.counts[facet.param]
            chosen = set(self.selection.values.get(facet.param, []))
            options = []
            if facet.kind in ("fk", "m2m"):
                for slug, (pk, name) in facet.terms().items():
                    if counts.get(pk) or slug in chosen:
                        options.append({"value": slug, "label": name, "count": counts.get(pk, 0)})
            elif facet.param == "year":
                for year, n in counts.items():
                    options.append({"value": str(year), "label": str(year), "count": n})
                for value in chosen - {o["value"] for o in options}:
                    options.append({"value": value, "label": value, "count": 0})
            else:
                for code, n in counts.items():
                    options.append({"value": code, "label": LANGUAGE_NAMES.get(code, code), "count": n})
                for value in chosen - {o["value"] for o in options}:
                    options.append({"value": value, "label": LANGUAGE_NAMES[value], "count": 0})
            for option in options:
                option["checked"] = option["value"] in chosen
                option["id"] = f"filter-{facet.param}-{option['value']}".replace(" ", "-")
            if facet.param == "year":
                options.sort(key=lambda o: o["value"], reverse=True)
            elif facet.param == "evidence":
                levels = taxonomy_by_id()["levels"].values()  # in rank order
                order = {level.slug: i for i, level in enumerate(levels)}
                options.sort(key=lambda o: order.get(o["value"], 99))
            else:
                # Chosen options first, so none hides under "More".
                options.sort(key=lambda o: (not o["checked"], -o["count"], o["label"].lower()))
            if options:
                listing.append(
                    {
                        "param": facet.param,
                        "label": facet.label,
                        "options": options,
                        "visible_options": options[:8],
                        "more_options": options[8:],
                        "chosen_count": len(chosen),
                    }
                )
        return listing
