"""The anonymous page cache.

What is cached: responses of Wagtail pages (``BasePage.serve`` marks them), for
GET/HEAD requests that
carry no session cookie and no Authorization header, when the response is a
200 that sets no cookie (so no CSRF token and no session was handed out).
Signed-in people always bypass the cache, in both directions.

How it is purged: every cached entry's key contains a *generation* number
kept in the cache itself. Publishing, unpublishing, moving or deleting a page,
changing its privacy, or saving anything a page can show (taxonomy terms,
site settings, images, documents, sites) moves the generation on, so every page is rebuilt on its
next view. Purging everything is deliberate: a page shows other pages (menus,
listings, related resources), and an exact dependency graph is easy to get
wrong, while a site-wide purge is always correct and cheap at the rate editors
publish.

With Redis (``REDIS_URL``) the generation is shared by every process. With the
local-memory cache each process has its own, so a purge made by another process
(a management command, a second gunicorn worker) reaches it only when its
entries expire: ``PAGE_CACHE_SECONDS`` bounds that, and production uses Redis.

While Redis cannot be reached (hub/cache_backend.py) nothing is cached and the
generation is this process's own, moved on by its purges and every
``UNCACHED_GENERATION_SECONDS``; when Redis is back the generation moves on.
"""

import contextvars
import hashlib
import itertools
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

GENERATION_KEY = "hub:pagecache:generation"
_local_counter = itertools.count()
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/__debug__/")
# Nor shared: the health checks, which must answer without the database.
SHARED_SKIPPED_PREFIXES = (*SKIPPED_PREFIXES, "/health/")
UNCACHED_HEADERS = {"set-cookie", "x-page-cache"}
# A shared copy's length is not the length of what is sent (its parts are filled in).
SHARED_UNCACHED_HEADERS = UNCACHED_HEADERS | {"content-length"}
UNCACHED_GENERATION_SECONDS = 30
_uncached_purges = [0]  # purges made by this process, for current_generation without a cache


def _new_generation():
    # Unique across processes and restarts, always increasing within one.
    return f"{time.time_ns()}-{next(_local_counter)}"


# What one request has read of the cache's generation (and what hangs on it,
# ``request_memo``): read once per request, not once per fragment, menu and
# listing. Set around each request by AnonymousPageCacheMiddleware; a purge
# in the request empties it, so the request sees its own change at once.
_request_memo = contextvars.ContextVar("hub_request_memo", default=None)


def request_memo():
    """This request's memo (a dict), or None outside a request. What goes in
    it must be keyed by the generation it was read under."""
    return _request_memo.get()


def current_generation():
    memo = _request_memo.get()
    if memo is not None and "generation" in memo:
        return memo["generation"]
    generation = _read_generation()
    if memo is not None:
        memo["generation"] = generation
    return generation


def _read_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    if generation is None:
        # The cache keeps nothing (Redis unreachable, or the dummy cache). What
        # processes remember per generation (search records, routes) must still
        # follow publishes: this process's own at once, other processes' within
        # UNCACHED_GENERATION_SECONDS.
        generation = f"uncached-{int(time.time() // UNCACHED_GENERATION_SECONDS)}-{_uncached_purges[0]}"
    return generation


def _move_generation_on(**kwargs):
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()
    _uncached_purges[0] += 1
    cache.set(GENERATION_KEY, _new_generation(), timeout=None)


def purge_page_cache(**kwargs):
    """Make every cached page stale. Safe to call from any signal.

    Inside a transaction (a publish is one) the generation moves on at once
    and again when the transaction commits: a page or a search index (the
    in-memory records of ``search.documents``) rebuilt by another process in
    between read the database as it was before the change, and is dropped."""
    _move_generation_on()
    if connection.in_atomic_block:
        transaction.on_commit(_move_generation_on)


# --- What one person's own pages show -------------------------------------
#
# A person's own page (My hub) may be kept for them alone, under the page
# generation and a version of their own that moves on whenever something it
# shows of them changes: each app that owns such data calls
# ``person_changed(user_id)`` from its signals (their groups, follows,
# registrations, suggestions, applications).


def _person_key(user_id):
    return f"hub:person:{user_id}:version"


def person_version(user_id):
    key = _person_key(user_id)
    memo = _request_memo.get()
    if memo is not None and key in memo:
        return memo[key]
    version = cache.get(key)
    if version is None:
        cache.add(key, _new_generation(), timeout=None)
        version = cache.get(key)
    if version is None:
        # The cache keeps nothing (Redis unreachable): nothing kept can be read either.
        version = f"uncached-{_new_generation()}"
    elif memo is not None:
        memo[key] = version
    return version


def person_changed(user_id, **kwargs):
    """Forget what was kept for the person ``user_id`` (None: nobody)."""
    if user_id is not None:
        _move_person_on(user_id)
        if connection.in_atomic_block:
            # Again at commit: what was built in between from the old rows is dropped.
            transaction.on_commit(lambda: _move_person_on(user_id))


def _move_person_on(user_id):
    memo = _request_memo.get()
    if memo is not None:
        memo.pop(_person_key(user_id), None)
    cache.set(_person_key(user_id), _new_generation(), timeout=None)


def _address(request):
    # Hashed: a URL can be longer than a cache key may be.
    return hashlib.sha1(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()


def _served(entry, label, fill=None):
    """The response for a cached copy: (status, headers, content[, page id])."""
    status, headers, content, *page_id = entry
    response = HttpResponse(fill(content) if fill else content, status=status, headers=headers)
    response.hub_from_cache = True  # a page view all the same (metrics/counting.py)
    response.hub_page_id = page_id[0] if page_id else None
    if settings.HUB_EXPOSE_CACHE_HEADER:
        response["X-Page-Cache"] = label
    return response


def _keep(key, request, response, content, dropped_headers, label):
    headers = {k: v for k, v in response.headers.items() if k.lower() not in dropped_headers}
    entry = (response.status_code, headers, content, getattr(request, "metrics_page_id", None))
    cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    if settings.HUB_EXPOSE_CACHE_HEADER:
        response["X-Page-Cache"] = label


def _storable(response):
    """A page view's 200 that no one said must stay private."""
    if not getattr(response, "hub_page_cacheable", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    # A view may vouch that what is personal in it is in personal parts
    # (hub/personal.py); its Cache-Control is then for browsers and proxies.
    private = "private" in cache_control or "no-store" in cache_control
    return not private or getattr(response, "hub_personal_parts_only", False)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.serve(request)
        finally:
            _request_memo.reset(token)

    def serve(self, request):
        if not self.request_may_use_cache(request):
            return self.get_response(request)

        key = self.cache_key(request)
        entry = cache.get(key)
        if entry is not None:
            return _served(entry, "hit")

        response = self.get_response(request)
        if self.response_may_be_stored(request, response):
            _keep(key, request, response, response.content, UNCACHED_HEADERS, "miss")
        return response

    @staticmethod
    def request_may_use_cache(request):
        if request.method not in ("GET", "HEAD"):
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            return False
        return not request.path.startswith(SKIPPED_PREFIXES)

    @staticmethod
    def cache_key(request):
        return f"hub:page:{current_generation()}:{_address(request)}"

    @staticmethod
    def response_may_be_stored(request, response):
        cache_control = response.get("Cache-Control", "")
        if not _storable(response) or "private" in cache_control or "no-store" in cache_control:
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)


class SharedPageCacheMiddleware:
    """Pages shared by everyone who may see the same pages, their personal
    parts filled in for each person (hub/personal.py).

    After sessions, CSRF, authentication, messages and the idle timeout, for
    the page views the anonymous cache above cannot take: signed-in members
    (not editors, whose pages carry Wagtail's editing bar), and visitors'
    pages that hand out a CSRF token (the join form). The copy is kept under
    the generation, the reader's ``visibility_key`` and the address, so it is
    purged with the anonymous cache and never crosses audiences. A render
    that read anything of the person outside its personal parts is served as
    it is and not kept (``hub.personal.watch``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from hub import personal

        if not self.request_may_share(request):
            return self.get_response(request)
        key = self.cache_key(request)
        entry = cache.get(key)
        if entry is not None:
            return _served(entry, "shared-hit", fill=lambda content: personal.fill(request, content))

        with personal.watch(request):
            response = self.get_response(request)
        if response.streaming:
            return response
        shared = response.content
        response.content = personal.fill(request, shared)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        if not self.response_may_be_shared(request, response):
            considered = getattr(response, "hub_page_cacheable", False)
            if settings.HUB_EXPOSE_CACHE_HEADER and considered and request.hub_personal_reads:
                response["X-Page-Cache"] = "personal: " + ", ".join(sorted(request.hub_personal_reads))
            return response
        _keep(key, request, response, shared, SHARED_UNCACHED_HEADERS, "shared-miss")
        return response

    @staticmethod
    def request_may_share(request):
        from hub.roles import uses_admin

        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return False
        if request.path.startswith(SHARED_SKIPPED_PREFIXES) or getattr(request, "is_preview", False):
            return False
        return not uses_admin(request)

    @staticmethod
    def cache_key(request):
        from hub.audience import allowed_audiences
        from hub.privacy import visibility_key

        if not request.user.is_authenticated and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # A visitor without a session sees the public pages only.
            audience = "public"
        else:
            # Worked out before the page renders, and remembered on the request,
            # so the page's listings need not read who the person is.
            audience = f"{visibility_key(request)}:{'.'.join(allowed_audiences(request))}"
        audience = hashlib.sha1(audience.encode()).hexdigest()[:16]
        return f"hub:page:{current_generation()}:shared:{audience}:{_address(request)}"

    @staticmethod
    def response_may_be_shared(request, response):
        if request.hub_personal_reads or not _storable(response):
            return False
        user = request.user
        if not user.is_authenticated and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # A visitor's page: the anonymous cache above keeps it, unless
            # filling it handed out a CSRF token (a form), which that cache refuses.
            return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        return True


def _connect_model(model):
    uid = f"hub-page-cache-{model._meta.label}"
    post_save.connect(purge_page_cache, sender=model, dispatch_uid=uid + "-save", weak=False)
    post_delete.connect(purge_page_cache, sender=model, dispatch_uid=uid + "-delete", weak=False)


def _purge_if_page(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        purge_page_cache()


def connect_purge_signals():
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from hub.cache_backend import cache_recovered
    from hub.models import EvidenceLevel, FooterLink, HubSettings, Population, ResourceType, Topic

    # Back from an outage: pages cached before it may predate publishes made during it.
    cache_recovered.connect(_move_generation_on, dispatch_uid="hub-page-cache-recovered")

    # Who may see a restricted page changes with the restriction's groups, and
    # with a group being deleted (its memberships and restrictions go silently).
    m2m_changed.connect(
        purge_page_cache,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="hub-page-cache-restriction-groups",
    )
    post_delete.connect(
        purge_page_cache, sender=Group, dispatch_uid="hub-page-cache-group-deleted", weak=False
    )
    page_published.connect(purge_page_cache, dispatch_uid="hub-page-cache-published")
    page_unpublished.connect(purge_page_cache, dispatch_uid="hub-page-cache-unpublished")
    post_page_move.connect(purge_page_cache, dispatch_uid="hub-page-cache-moved")
    post_delete.connect(_purge_if_page, dispatch_uid="hub-page-cache-page-deleted")
    for model in (
        PageViewRestriction,
        Site,
        HubSettings,
        FooterLink,
        Topic,
        Population,
        ResourceType,
        EvidenceLevel,
        get_image_model(),
        get_document_model(),
    ):
        _connect_model(model)
