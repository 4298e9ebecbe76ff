"""Finding the page for a URL without a query per level of the page tree.

Wagtail finds a page by asking the database for the site, then for each
segment of the path the child with that slug and its specific type: about two
queries a level. What a URL leads to only changes when pages are published,
unpublished, moved or deleted, or sites change - exactly when the page cache
generation moves on (hub/cache.py) - so the answers are cached per generation.
"""

import hashlib

from django.core.cache import cache
from django.http import Http404
from django.http.request import split_domain_port
from wagtail.models import Page, Site

from hub.cache import current_generation

ROUTE_SECONDS = 3600


def cached_child(parent, slug):
    """The specific live-or-not child of ``parent`` with ``slug``, or Http404."""
    digest = hashlib.sha1(slug.encode()).hexdigest()
    key = f"hub:route:{current_generation()}:{parent.pk}:{digest}"
    child = cache.get(key)
    if child is None:
        try:
            child = parent.get_children().get(slug=slug).specific
        except Page.DoesNotExist as error:
            raise Http404 from error
        cache.set(key, child, ROUTE_SECONDS)
    child._cached_parent_obj = parent
    return child


HEALTH_PREFIX = "/health/"


class CachedSiteMiddleware:
    """Resolves the request's Wagtail site (with its specific root page) from the
    cache, where Wagtail would query for it on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(HEALTH_PREFIX):
            # Health checks answer without the database, even when it is down.
            return self.get_response(request)
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
        key = f"hub:site:{current_generation()}:{hostname}:{port}"
        site = cache.get(key)
        if site is None:
            site = Site.find_for_request(request)
            if site is not None:
                site.root_page = site.root_page.specific
            cache.set(key, site or False, ROUTE_SECONDS)
        request._wagtail_site = site or None
        return self.get_response(request)
