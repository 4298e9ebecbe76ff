"""The search page (/search/), its JSON form (?format=json) and autocomplete."""

import datetime
import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from hub.audience import PUBLIC, allowed_audiences

from . import documents, facets, stats
from .engine import Recent, clean_query, find
from .promotions import promoted_for

RESULTS_PER_PAGE = 10
FALLBACK_NOTICE = (
    "Our main search service is not answering right now, so these results come from a "
    "simpler search and may be less complete."
)
recent_answers = Recent(256)
recent_panels = Recent(256)
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
    answer_key: tuple = ()
    index: object = None  # the search records the answer was worked out on


def _date_strings(doc, page):
    label = getattr(page, "search_date_label", None)
    value = doc.date
    if isinstance(value, datetime.datetime):
        # In the page's own time zone when it has one (events), else the hub's.
        local = getattr(page, "local_start", None) or timezone.localtime(value)
        return local.isoformat(), label or date_format(local, "j F Y")
    if isinstance(value, datetime.date):
        return value.isoformat(), label or date_format(value, "j F Y")
    if value:
        return str(value), label or str(value)
    return "", label or ""


def _load(docs, index):
    """What each of these records shows as a result, in order.

    Titles, summaries, topics and evidence levels come from the in-memory
    records; only page types whose date label needs the page itself (events
    show their own time zone) are read from the database."""
    names = facets.term_names()
    needs_page = {}
    for doc in docs:
        model = index.kind_by_ct[doc.key[0]].model
        if hasattr(model, "search_date_label"):
            needs_page.setdefault(model, []).append(doc.key[1])
    pages = {}
    for model, pks in needs_page.items():
        pages.update((page.pk, page) for page in model.objects.filter(pk__in=pks))
    results = []
    for doc in docs:
        date_iso, date_label = _date_strings(doc, pages.get(doc.key[1]))
        results.append(
            Result(
                title=doc.title,
                url=doc.url,
                type=index.kinds[doc.content].label,
                summary=doc.summary,
                topics=sorted(names["topic"].get(slug, slug) for slug in doc.topics),
                evidence_level=names["evidence"].get(doc.evidence, "") if doc.evidence else "",
                date=date_iso,
                date_label=date_label,
                members_only=doc.audience != PUBLIC,
            )
        )
    return results


def _page_number(raw, num_pages, notices):
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
    if number > num_pages:
        notices.append(
            f"There {'is only 1 page' if num_pages == 1 else f'are only {num_pages} pages'} "
            "of results, so the last one is shown."
        )
        return num_pages
    return number


def run(request):
    """Answer one search request: used by the page and its JSON."""
    notices = []
    query, shortened = clean_query(request.GET.get("q", ""))
    if shortened:
        notices.append("Your search was shortened to its first 200 characters.")
    index = documents.document_index()
    selection = facets.Selection.from_query(request.GET, index.kinds)
    notices.extend(selection.notices)
    sort = request.GET.get("sort") or ("relevance" if query else "newest")
    if sort not in SORTS:
        notices.append("Results can be sorted by best match or newest first; best match is used.")
        sort = "relevance" if query else "newest"

    allowed = allowed_audiences(request)
    exact = bool(request.GET.get("exact"))
    hits = find(query, allowed=allowed, correct=not exact, index=index) if query else None
    promoted = promoted_for(query, request) if query else []
    promoted_keys = tuple(sorted(item.key for item in promoted if item.key))

    # The facet counts and the ordered matches depend only on these, so a
    # query asked again (or its next page) is not computed again.
    fallback = bool(hits and hits.fallback)
    key = (query.lower(), exact, tuple(allowed), tuple(selection.as_pairs()), sort, promoted_keys, fallback)
    answer = recent_answers.get(key, index)
    if answer is None:
        # Sets of records are bit sets over the index (see search.facets).
        bits = hits.bits if hits is not None else index.visible_bits(allowed)
        if promoted_keys:
            bits &= ~index.bits_of(promoted_keys)
        facet_counts, passing = facets.count(bits, selection, index)
        if sort == "relevance" and hits is not None:
            docs = index.docs
            if passing == bits:
                matching = [docs[key] for key in hits.order if key not in promoted_keys]
            else:
                position = index.position
                kept = set(documents.set_bits(passing))
                matching = [docs[key] for key in hits.order if position[key] in kept]
        else:
            # The index is in newest-first order already.
            matching = index.docs_at(passing)
        answer = recent_answers.put(key, (facet_counts, matching), index)
    facet_counts, matching = answer

    total = len(matching)
    num_pages = max(1, -(-total // RESULTS_PER_PAGE))
    page = _page_number(request.GET.get("page"), num_pages, notices)
    start = (page - 1) * RESULTS_PER_PAGE
    results = _load(matching[start : start + RESULTS_PER_PAGE], index)

    if query and page == 1:
        stats.record(query, total + len(promoted))
    return Outcome(
        query=query,
        sort=sort,
        page=page,
        num_pages=num_pages,
        total=total,
        results=results,
        facets=facet_counts,
        selection=selection,
        promoted=[item.result for item in promoted] if page == 1 else [],
        notices=notices,
        corrected=hits.corrected if hits else "",
        fallback=hits.fallback if hits else False,
        answer_key=key,
        index=index,
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
    # the answer (whose key holds the audiences), so it is rendered once per answer.
    panel_key = ("panel", outcome.answer_key)
    facets_html = recent_panels.get(panel_key, outcome.index)
    if facets_html is None:
        facets_html = recent_panels.put(
            panel_key,
            render_to_string(
                "search/includes/facets.html",
                {
                    "facet_groups": _facet_groups(outcome),
                    "search_query": outcome.query,
                    "outcome": outcome,
                    "active_filters": bool(outcome.selection.values),
                },
            ),
            outcome.index,
        )
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
    index = documents.document_index()
    counts = {}
    for doc in index.visible([PUBLIC]):
        for slug in doc.topics:
            counts[slug] = counts.get(slug, 0) + 1
    names = facets.term_names()["topic"]
    top = sorted(counts, key=lambda s: -counts[s])[:limit]
    return [{"slug": slug, "name": names.get(slug, slug), "count": counts[slug]} for slug in top]


@require_GET
@vary_on_cookie
def autocomplete(request):
    """Suggestions as a person types: titles they may see, then topics.

    Answered from the in-memory records (``search.documents``), without a
    database query for anonymous visitors: titles whose words start with what
    was typed, those starting with it first."""
    query, _shortened = clean_query(request.GET.get("q", ""))
    text = query.lower()
    words = re.findall(r"\w+", text)
    suggestions = []
    if len(text) >= 2 and words:
        index = documents.document_index()
        allowed = set(allowed_audiences(request))
        starts, contains = [], []
        padded = f" {text}"
        for doc in index.by_word_start.get(words[0][:2], ()):
            if doc.audience not in allowed:
                continue
            if doc.title_lower.startswith(text):
                starts.append(doc)
            elif padded in f" {doc.title_lower}":
                contains.append(doc)
        starts.sort(key=lambda d: len(d.title))
        for doc in (starts + contains)[:AUTOCOMPLETE_LIMIT]:
            suggestions.append({"label": doc.title, "kind": index.kinds[doc.content].label, "url": doc.url})
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
    return JsonResponse({"query": query, "suggestions": suggestions})
