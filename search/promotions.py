"""Results editors pin for a query (wagtail.contrib.search_promotions), shown
first and marked "Recommended". A pinned page shows only to people who may
see it, like any result."""

from dataclasses import dataclass

from django.core.cache import cache
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.search.utils import normalise_query_string

from hub.audience import allowed_audiences
from hub.cache import current_generation, purge_page_cache
from hub.privacy import visible_pages

from . import service


@dataclass
class Promoted:
    key: tuple | None  # (kind, page id) of a searchable page, so it is not listed twice
    result: object


def _promoted_queries():
    """The queries that have promotions, cached until the next change
    (saving or deleting a promotion moves the page cache generation on)."""
    key = f"hub:search-promoted-queries:{current_generation()}"
    queries = cache.get(key)
    if queries is None:
        queries = frozenset(SearchPromotion.objects.values_list("query__query_string", flat=True).distinct())
        cache.set(key, queries, 3600)
    return queries


def _promotions(query):
    """(page id or None, url, text, description) per promotion, cached until the next publish."""
    normalised = normalise_query_string(query)
    if normalised not in _promoted_queries():
        return []
    key = f"hub:search-promotions:{current_generation()}:{hash(normalised)}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            SearchPromotion.objects.filter(query__query_string=normalised)
            .order_by("sort_order", "pk")
            .values_list("page_id", "external_link_url", "external_link_text", "description")
        )
        cache.set(key, rows, 3600)
    return rows


def promoted_for(query, request):
    from wagtail.models import Page

    from .views import Result

    rows = _promotions(query)
    if not rows:
        return []
    page_ids = [page_id for page_id, *_rest in rows if page_id]
    pages = {
        page.pk: page for page in visible_pages(Page.objects.filter(pk__in=page_ids), request).specific()
    }
    kind_of = {kind.model: kind for kind in service.kinds().values()}
    allowed = set(allowed_audiences(request))
    promoted = []
    for page_id, url, text, description in rows:
        if page_id:
            page = pages.get(page_id)
            audience = getattr(page, "audience", "public")
            if page is None or audience not in allowed:
                continue
            kind = kind_of.get(type(page))
            promoted.append(
                Promoted(
                    key=(kind.slug, page.pk) if kind else None,
                    result=Result(
                        title=getattr(page, "card_title", page.title),
                        url=page.get_url(request),
                        type=kind.label if kind else "Page",
                        summary=description or getattr(page, "card_summary", "") or "",
                        topics=[],
                        evidence_level="",
                        date="",
                        date_label="",
                        members_only=audience != "public",
                        promoted=True,
                    ),
                )
            )
        elif url:
            promoted.append(
                Promoted(
                    key=None,
                    result=Result(
                        title=text or url,
                        url=url,
                        type="Link",
                        summary=description,
                        topics=[],
                        evidence_level="",
                        date="",
                        date_label="",
                        members_only=False,
                        promoted=True,
                        external=True,
                    ),
                )
            )
    return promoted


def connect():
    """A promotion added, changed or removed changes what searches show first:
    forget every remembered search answer (through the page cache generation)."""
    from django.db.models.signals import post_delete, post_save

    uid = "hub-search-promotions"
    post_save.connect(purge_page_cache, sender=SearchPromotion, dispatch_uid=uid + "-saved", weak=False)
    post_delete.connect(purge_page_cache, sender=SearchPromotion, dispatch_uid=uid + "-deleted", weak=False)
