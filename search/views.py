"""The search page (/search/), its JSON form (?format=json) and autocomplete."""

import datetime
import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from hub.audience import PUBLIC, allowed_audiences

from . import facets, service, stats
from .promotions import promoted_for
from .service import clean_query

RESULTS_PER_PAGE = 10
FALLBACK_NOTICE = (
    "Our main search service is not answering right now, so these results come from a "
    "simpler search and may be less complete."
)
SORTS = {"relevance": "Best match", "newest": "Newest first"}
AUTOCOMPLETE_LIMIT = 8
AUTOCOMPLETE_TOPICS = 3
# Options beyond this many (by count) are left out of the page; chosen ones always show.
MAX_FACET_OPTIONS = 40


@dataclass
class Result:
    title: str
    url: str
    type: str
    summary: str
    topics: list
    evidence_level: str
    date: str  # ISO date, or a year for resources
    date_label: str  # as people read it
    members_only: bool
    promoted: bool = False
    external: bool = False

    def as_json(self, request):
        return {
            "title": self.title,
            "url": self.url if self.external else request.build_absolute_uri(self.url),
            "type": self.type,
            "summary": self.summary,
            "topics": self.topics,
            "evidence_level": self.evidence_level or None,
            "date": self.date or None,
            "members_only": self.members_only,
            "promoted": self.promoted,
        }


@dataclass
class Outcome:
    query: str
    sort: str
    page: int
    num_pages: int
    total: int
    results: list
    facets: dict
    selection: facets.Selection
    promoted: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    corrected: str = ""
    fallback: bool = False
    answer_key: str = ""  # what the answer was cached under (search.service.Ask.cache_key)


def _date_strings(page):
    """(ISO date or year, the date as people read it) of a result."""
    label = getattr(page, "search_date_label", None)
    date_field = getattr(page, "search_date_field", None)
    value = getattr(page, date_field) if date_field else None
    if isinstance(value, datetime.datetime):
        # In the page's own time zone when it has one (events), else the hub's.
        local = getattr(page, "local_start", None) or timezone.localtime(value)
        return local.isoformat(), label or date_format(local, "j F Y")
    if isinstance(value, datetime.date):
        return value.isoformat(), label or date_format(value, "j F Y")
    year = getattr(page, "publication_year", None)
    if year:
        return str(year), label or str(year)
    if page.first_published_at:
        local = timezone.localdate(page.first_published_at)
        return local.isoformat(), label or date_format(local, "j F Y")
    return "", label or ""


def _relative_url(page, request):
    url = page.get_url(request)
    return url or page.url_path


_RESULT_FIELDS = {
    "title",
    "listing_title",
    "listing_summary",
    "search_description",
    "summary",
    "description",
    "purpose",
    "introduction",
    "url_path",
    "path",
    "depth",
    "audience",
    "publication_year",
    "first_published_at",
    "evidence_level",
    "live",
    "locale",
}


def _live_pages(hits, allowed, prepare):
    """(kind, page id) -> page for the hits that are live pages of the
    person's audiences now (the index is checked against the database), one
    query per page type; ``prepare(model, queryset)`` says what to read."""
    kinds = service.kinds()
    by_kind = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.pk)
    pages = {}
    for kind_slug, pks in by_kind.items():
        kind = kinds.get(kind_slug)
        if kind is None:
            continue
        # In the hits' order, not the tree's: no sort needed.
        queryset = kind.model.objects.live().filter(pk__in=pks, audience__in=list(allowed)).order_by()
        pages.update(((kind_slug, page.pk), page) for page in prepare(kind.model, queryset))
    return pages


def load(hits, request, allowed):
    """What each hit shows as a result, in order: read from the database,
    live pages of the person's audiences only (the index is checked again)."""
    kinds = service.kinds()

    def for_a_result(model, queryset):
        if not hasattr(model, "search_date_label"):
            # Only what a result shows (not the body); events keep every
            # field, their date label reads the time zone, end and format.
            queryset = queryset.only(*_RESULT_FIELDS & {f.name for f in model._meta.get_fields()})
        if hasattr(model, "topics"):
            queryset = queryset.prefetch_related("topics")
        if hasattr(model, "evidence_level"):
            queryset = queryset.select_related("evidence_level")
        return queryset

    pages = _live_pages(hits, allowed, for_a_result)
    results = []
    for hit in hits:
        page = pages.get((hit.kind, hit.pk))
        if page is None:
            continue  # changed since the index was written
        date_iso, date_label = _date_strings(page)
        evidence = getattr(page, "evidence_level", None)
        results.append(
            Result(
                title=page.card_title,
                url=_relative_url(page, request),
                type=kinds[hit.kind].label,
                summary=page.card_summary or "",
                topics=sorted(term.name for term in page.topics.all()) if hasattr(page, "topics") else [],
                evidence_level=evidence.name if evidence else "",
                date=date_iso,
                date_label=date_label,
                members_only=page.audience != PUBLIC,
            )
        )
    return results


MAX_PAGE = 10_000


def _page_number(raw, notices):
    if raw in (None, ""):
        return 1
    try:
        number = int(raw)
    except (TypeError, ValueError):
        notices.append(f"“{str(raw)[:20]}” is not a page number, so the first page is shown.")
        return 1
    if number < 1:
        notices.append("Page numbers start at 1, so the first page is shown.")
        return 1
    return min(number, MAX_PAGE)


def run(request):
    """Answer one search request: used by the page and its JSON."""
    notices = []
    query, shortened = clean_query(request.GET.get("q", ""))
    if shortened:
        notices.append("Your search was shortened to its first 200 characters.")
    kinds = service.kinds()
    selection = facets.Selection.from_query(request.GET, kinds)
    notices.extend(selection.notices)
    sort = request.GET.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS:
        notices.append("Results can be sorted by best match or newest first; best match is used.")
        sort = "relevance" if query else "newest"
    requested = _page_number(request.GET.get("page"), notices)

    allowed = tuple(allowed_audiences(request))
    promoted = promoted_for(query, request) if query else []
    ask = service.Ask(
        text=query,
        filters=selection.as_filters(),
        allowed=allowed,
        sort=sort,
        page=requested,
        per_page=RESULTS_PER_PAGE,
        correct=not request.GET.get("exact"),
        exclude=tuple(item.key for item in promoted if item.key),
    )
    answer = service.search(ask)
    # What the answer shows (result cards, facet options) depends on the same
    # things as the answer: cached with it, under the same key.
    shown_key = f"{ask.cache_key()}:shown"
    shown = cache.get(shown_key) if not answer.fallback else None
    if shown is None:
        shown = (load(answer.hits, request, allowed), facets.options(answer.counts, selection, kinds))
        if not answer.fallback:
            cache.set(shown_key, shown, service.ANSWER_SECONDS)
    results, facet_options = shown
    if requested > answer.num_pages:
        notices.append(
            f"There {'is only 1 page' if answer.num_pages == 1 else f'are only {answer.num_pages} pages'} "
            "of results, so the last one is shown."
        )
    if query and answer.page == 1:
        stats.record(query, answer.total + len(promoted))
    return Outcome(
        query=query,
        sort=sort,
        page=answer.page,
        num_pages=answer.num_pages,
        total=answer.total,
        results=results,
        facets=facet_options,
        selection=selection,
        promoted=[item.result for item in promoted] if answer.page == 1 else [],
        notices=notices,
        corrected=answer.corrected,
        fallback=answer.fallback,
        answer_key=shown_key if not answer.fallback else "",
    )


def _url(outcome, **changes):
    params = {"q": outcome.query, "sort": outcome.sort, "page": outcome.page}
    pairs = outcome.selection.as_pairs()
    params.update(changes)
    items = [(k, v) for k, v in params.items() if v not in ("", None) and not (k == "page" and v == 1)]
    return "?" + urlencode(items + pairs)


def _active_filters(outcome):
    active = []
    for param, value in outcome.selection.as_pairs():
        remaining = [(p, v) for p, v in outcome.selection.as_pairs() if (p, v) != (param, value)]
        base = [("q", outcome.query)] if outcome.query else []
        active.append(
            {
                "facet": facets.FACETS_BY_PARAM[param].label,
                "label": next(
                    (o["label"] for o in outcome.facets[param]["options"] if o["value"] == value),
                    str(value),
                ),
                "remove_url": "?" + urlencode(base + [("sort", outcome.sort)] + remaining),
            }
        )
    return active


OPTION_HTML = (
    '<li class="facet__option"><input class="facet__checkbox" type="checkbox" name="{param}" value="{value}"'
    ' id="{id}"{checked}><label class="facet__label" for="{id}">{label} <span class="facet__count">'
    '<span aria-hidden="true">({count})</span><span class="visually-hidden">, {count} {noun}</span></span>'
    "</label></li>"
)


def _options_html(param, options):
    """The checkbox list items of one facet's options. Built here rather than
    in the template: a search over most of the library has some 150 options,
    and this is the one part of the page rendered afresh for every new query.
    Every value from outside the code is escaped."""
    return mark_safe(  # noqa: S308 - the values are escaped above
        "\n".join(
            OPTION_HTML.format(
                param=escape(param),
                value=escape(str(option["value"])),
                id=escape(option["id"]),
                checked=" checked" if option["checked"] else "",
                label=escape(str(option["label"])),
                count=int(option["count"]),
                noun="result" if option["count"] == 1 else "results",
            )
            for option in options
        )
    )


def _facet_groups(outcome):
    groups = []
    for facet in facets.FACETS:
        data = outcome.facets[facet.param]
        options = [
            {**option, "id": f"f-{facet.param}-{i}", "checked": option["selected"]}
            for i, option in enumerate(data["options"])
        ]
        if not options:
            continue
        more = options[8:MAX_FACET_OPTIONS] + [o for o in options[MAX_FACET_OPTIONS:] if o["checked"]]
        groups.append(
            {
                "param": facet.param,
                "label": data["label"],
                "chosen_count": sum(1 for o in options if o["checked"]),
                "visible_html": _options_html(facet.param, options[:8]),
                "more_html": _options_html(facet.param, more) if more else "",
                "more_count": len(more),
                "more_open": any(o["checked"] for o in more),
            }
        )
    return groups


@require_GET
@vary_on_cookie
def search(request):
    outcome = run(request)
    if request.GET.get("format") == "json":
        response = JsonResponse(
            {
                "query": outcome.query,
                "total": outcome.total,
                "page": outcome.page,
                "num_pages": outcome.num_pages,
                "sort": outcome.sort,
                "corrected_query": outcome.corrected or None,
                "results": [r.as_json(request) for r in outcome.promoted + outcome.results],
                "facets": {
                    param: [
                        {k: o[k] for k in ("value", "label", "count", "selected")} for o in data["options"]
                    ]
                    for param, data in outcome.facets.items()
                },
                "notices": outcome.notices + ([FALLBACK_NOTICE] if outcome.fallback else []),
            },
            json_dumps_params={"ensure_ascii": False},
        )
        response["Access-Control-Allow-Origin"] = "*"
        return response
    from .reports import popular_searches

    empty = not outcome.total and not outcome.promoted
    # The filter panel is the largest part of the page and depends only on
    # the answer, so it is rendered once per answer.
    panel_key = f"{outcome.answer_key}:panel"
    facets_html = cache.get(panel_key) if outcome.answer_key else None
    if facets_html is None:
        facets_html = render_to_string(
            "search/includes/facets.html",
            {
                "facet_groups": _facet_groups(outcome),
                "search_query": outcome.query,
                "outcome": outcome,
                "active_filters": bool(outcome.selection.values),
            },
        )
        if outcome.answer_key:
            cache.set(panel_key, facets_html, service.ANSWER_SECONDS)
    context = {
        "outcome": outcome,
        "search_query": outcome.query,
        "facets_html": mark_safe(facets_html),  # noqa: S308 - rendered by our own template
        "active_filters": _active_filters(outcome),
        "selected_pairs": outcome.selection.as_pairs(),
        "sorts": SORTS,
        "start_index": (outcome.page - 1) * RESULTS_PER_PAGE + 1,
        "end_index": (outcome.page - 1) * RESULTS_PER_PAGE + len(outcome.results),
        "previous_url": _url(outcome, page=outcome.page - 1) if outcome.page > 1 else "",
        "next_url": _url(outcome, page=outcome.page + 1) if outcome.page < outcome.num_pages else "",
        "original_url": "?" + urlencode({"q": outcome.query}),
        "suggested_topics": suggested_topics() if empty else [],
        "popular_searches": popular_searches() if empty else [],
    }
    return TemplateResponse(request, "search/search.html", context)


def suggested_topics(limit=8):
    """Topics with the most public content, for the empty state."""
    answer = service.search(service.Ask(allowed=(PUBLIC,), sort="newest", per_page=1))
    counts = answer.counts.get("topic", {})
    names = facets.term_names()["topic"]
    top = sorted(counts, key=lambda s: (-counts[s], s))[:limit]
    return [{"slug": slug, "name": names.get(slug, slug), "count": counts[slug]} for slug in top]


@require_GET
@vary_on_cookie
def autocomplete(request):
    """Suggestions as a person types: titles they may see, then topics."""
    query, _shortened = clean_query(request.GET.get("q", ""))
    text = query.lower()
    allowed = tuple(allowed_audiences(request))
    key = service.answer_key("autocomplete", text, tuple(sorted(allowed)))
    suggestions = cache.get(key)
    if suggestions is None:
        suggestions = _suggestions(query, request, allowed)
        cache.set(key, suggestions, service.ANSWER_SECONDS)
    return JsonResponse({"query": query, "suggestions": suggestions})


def _suggestions(query, request, allowed):
    text = query.lower()
    suggestions = []
    if len(text) >= 2 and re.search(r"\w", text):
        hits = [service.Hit(kind, pk) for kind, pk in service.suggest(query, allowed, AUTOCOMPLETE_LIMIT)]
        kinds = service.kinds()
        for hit, result in zip(hits, _titles(hits, request, allowed), strict=False):
            if result:
                suggestions.append({"label": result[0], "kind": kinds[hit.kind].label, "url": result[1]})
        padded = f" {text}"
        names = facets.term_names()["topic"]
        topics = [
            (slug, name)
            for slug, name in names.items()
            if name.lower().startswith(text) or padded in f" {name.lower()}"
        ][:AUTOCOMPLETE_TOPICS]
        for slug, name in topics:
            suggestions.append(
                {"label": name, "kind": "Topic", "url": "/search/?" + urlencode({"topic": slug})}
            )
    return suggestions


_TITLE_FIELDS = ("title", "listing_title", "url_path", "path", "depth", "live", "locale")


def _titles(hits, request, allowed):
    """(title, url) of each hit, None for one no longer live or visible."""
    pages = _live_pages(
        hits,
        allowed,
        lambda model, queryset: queryset.only(
            "title", "listing_title", "url_path", "path", "depth", "live", "locale"
        ),
    )
    return [
        (page.card_title, _relative_url(page, request)) if page is not None else None
        for page in (pages.get((hit.kind, hit.pk)) for hit in hits)
    ]
