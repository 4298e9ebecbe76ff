import re
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page

from .synonyms import expand

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 10


def clean_query(raw):
    """Trim, drop control characters and cap the length of what was typed."""
    text = "".join(ch for ch in raw if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def search_terms(query):
    """The words of a query, without operators or quotes a search engine might
    read as its own syntax: people type questions, not query languages."""
    return " ".join(re.findall(r"\w+", query))


def page_url(query, number):
    return "?" + urlencode({"q": query, "page": number})


def search(request):
    query = clean_query(request.GET.get("q", ""))
    results = Page.objects.none()
    terms = search_terms(expand(query)) if query else ""
    if terms:
        results = Page.objects.live().public().specific().search(terms, operator="or")
    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": page,
            "paginator": paginator,
            "previous_url": page_url(query, page.previous_page_number()) if page.has_previous() else "",
            "next_url": page_url(query, page.next_page_number()) if page.has_next() else "",
        },
    )
